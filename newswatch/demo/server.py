"""A small threaded web server on loopback that serves a site from memory and answers conditional requests.

Used by the bundled demo sites and the crawl tests. Pages are registered by path; each gets an ETag
(hash of the body) and a Last-Modified date, and a request carrying a matching ``If-None-Match`` or
``If-Modified-Since`` is answered ``304 Not Modified``. A route can instead be a function returning a
:class:`Reply` (for 500-then-200, slow answers, redirect loops, truncated bodies...). Every request
is logged (method, path, request headers, status), so tests can count what the crawler fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    """What a route answers."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    truncate: bool = False  # announce the full length, send half, close
    conditional: bool = True  # ETag/Last-Modified and 304 handling


@dataclass
class Page:
    body: bytes
    content_type: str
    modified: datetime
    etag: str
    status: int = 200


@dataclass
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    at: float


Route = Callable[[dict[str, str]], Reply]


class SiteServer:
    """One site on ``http://<host>:<port>``; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages: dict[str, Page] = {}
        self.routes: dict[str, Route] = {}
        self.log: list[LoggedRequest] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- content --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            modified: datetime | None = None, status: int = 200) -> None:
        """Serve ``body`` at ``path`` (replacing what was there; a new body gets a new ETag)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        with self.lock:
            old = self.pages.get(path)
            if old is not None and old.etag == etag:
                return
            when = (modified or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
            self.pages[path] = Page(data, content_type, when, etag, status)

    def route(self, path: str, func: Route) -> None:
        """Answer ``path`` with ``func(request_headers)`` on every request."""
        self.routes[path] = func

    def remove(self, path: str) -> None:
        with self.lock:
            self.pages.pop(path, None)

    # --- request log ------------------------------------------------------------------------------

    def requests_for(self, path_prefix: str = "", method: str = "GET") -> list[LoggedRequest]:
        with self.lock:
            return [r for r in self.log if r.path.startswith(path_prefix) and r.method == method]

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.log if r.path == path)

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"site{self.base_url}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- HTTP -------------------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "newswatch-demo/1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = urlsplit(self.path).path
                full_path = self.path
                headers = {k.lower(): v for k, v in self.headers.items()}
                route = site.routes.get(full_path) or site.routes.get(path)
                if route is not None:
                    reply = route(headers)
                else:
                    with site.lock:
                        page = site.pages.get(full_path) or site.pages.get(path)
                    if page is None:
                        reply = Reply(b"<html><body><h1>404 Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y trang</h1></body></html>",
                                      404, conditional=False)
                    else:
                        reply = Reply(page.body, page.status, page.content_type,
                                      {"ETag": page.etag, "Last-Modified": format_datetime(page.modified, usegmt=True)})
                        if page.status == 200 and self._not_modified(headers, page):
                            reply = Reply(b"", 304, page.content_type, dict(reply.headers))
                with site.lock:
                    site.log.append(LoggedRequest(self.command, full_path, headers, reply.status, time.time()))
                if reply.delay:
                    time.sleep(reply.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(reply, head)

            @staticmethod
            def _not_modified(headers: dict[str, str], page: Page) -> bool:
                inm = headers.get("if-none-match")
                if inm is not None:
                    return page.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
                ims = headers.get("if-modified-since")
                if ims:
                    try:
                        return page.modified <= parsedate_to_datetime(ims)
                    except (TypeError, ValueError):
                        return False
                return False

            def _write(self, reply: Reply, head: bool) -> None:
                self.send_response(reply.status)
                if reply.status != 304:
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.truncate:
                    self.send_header("Connection", "close")
                self.end_headers()
                if head or reply.status == 304:
                    return
                if reply.truncate:
                    self.wfile.write(reply.body[: len(reply.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)

        return Handler
