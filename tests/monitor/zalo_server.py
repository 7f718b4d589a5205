"""A loopback stand-in for Zalo's OA API, following Zalo's documented requests and answers.

* ``POST /v3.0/oa/message/cs``: header ``access_token``, JSON ``{"recipient": {"user_id"}, "message": {"text"}}``;
  answers ``{"error": 0, "message": "Success", "data": {"message_id", "user_id"}}``, or
  ``{"error": -216, "message": "Access token is invalid"}`` for a token it did not issue (or has expired).
* ``POST /v4/oa/access_token``: header ``secret_key``, form ``refresh_token, app_id, grant_type=refresh_token``;
  answers ``{"access_token", "refresh_token", "expires_in": "90000"}``. A refresh token works once, as at Zalo;
  a spent or unknown one gets ``{"error": -14014, "error_name": "Invalid parameter", "error_description": ...}``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote

APP_ID = "4291763606161179100"
SECRET = "s3cr3t-Key"
USER_ID = "8756291430127765432"


@dataclass
class ZaloServer:
    port: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=lambda: {"R1"})
    messages: list[dict[str, Any]] = field(default_factory=list)  # accepted
    rejected: list[dict[str, Any]] = field(default_factory=list)
    refreshes: list[dict[str, str]] = field(default_factory=list)
    fail_next: int = 0  # answer this many message requests with HTTP 502
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, *, refresh_token: str = "R1", access_token: str = "", user: str = USER_ID) -> str:
        extra = f"&access_token={access_token}" if access_token else ""
        return (f"zalo://{APP_ID}:{SECRET}@{user}?refresh_token={refresh_token}{extra}"
                f"&api_url={quote(self.base, safe='')}&oauth_url={quote(self.base, safe='')}")

    def texts(self) -> list[str]:
        return [m["message"]["text"] for m in self.messages]


def serve() -> Iterator[ZaloServer]:
    zalo = ZaloServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/v4/oa/access_token":
                form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                with zalo.lock:
                    zalo.refreshes.append(form)
                    ok = (self.headers.get("secret_key") == SECRET and form.get("app_id") == APP_ID
                          and form.get("grant_type") == "refresh_token" and form.get("refresh_token") in zalo.refresh_tokens)
                    if not ok:
                        return self._answer(200, {"error": -14014, "error_name": "Invalid parameter",
                                                  "error_description": "Invalid refresh token"})
                    zalo.refresh_tokens.discard(form["refresh_token"])  # single use
                    zalo.issued += 1
                    access, refresh = f"A{zalo.issued + 1}", f"R{zalo.issued + 1}"
                    zalo.valid_tokens.add(access)
                    zalo.refresh_tokens.add(refresh)
                return self._answer(200, {"access_token": access, "refresh_token": refresh, "expires_in": "90000"})
            if self.path == "/v3.0/oa/message/cs":
                body = json.loads(raw or b"{}")
                with zalo.lock:
                    if zalo.fail_next > 0:
                        zalo.fail_next -= 1
                        return self._answer(502, {"error": -1, "message": "Bad gateway"})
                    if self.headers.get("access_token") not in zalo.valid_tokens:
                        zalo.rejected.append(body)
                        return self._answer(200, {"error": -216, "message": "Access token is invalid"})
                    if not body.get("recipient", {}).get("user_id") or not body.get("message", {}).get("text"):
                        return self._answer(200, {"error": -201, "message": "Parameters are invalid"})
                    zalo.messages.append(body)
                    message_id = f"m{len(zalo.messages)}"
                return self._answer(200, {"error": 0, "message": "Success",
                                          "data": {"message_id": message_id, "user_id": body["recipient"]["user_id"]}})
            self._answer(404, {"error": -1, "message": "not found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    zalo.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield zalo
    finally:
        server.shutdown()
        server.server_close()
