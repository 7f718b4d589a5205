"""``/api/docs``: the JSON API's reference as a plain server-rendered page.

FastAPI's Swagger UI loads its script and stylesheet from a CDN and starts with an inline
script; the UI's Content-Security-Policy (``script-src 'self'``) rightly blocks both, which left
the page blank. This page is built from the same OpenAPI document (``/api/openapi.json``) on the
server and needs no script at all: every path, its method, summary, parameters and body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from newswatch.web.context import ctx
from newswatch.web.pages import render

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_name(s) for s in schema["anyOf"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_schema_name(schema.get('items') or {})}"
    return str(kind)


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document as plain rows for the template."""
    rows = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [{"name": p["name"], "in": p.get("in", ""), "required": p.get("required", False),
                       "type": _schema_name(p.get("schema") or {}), "description": p.get("description", "")}
                      for p in op.get("parameters", [])]
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
            rows.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                         "description": op.get("description", ""), "parameters": params,
                         "body": _schema_name(body["schema"]) if body.get("schema") else None,
                         "changes": method != "get"})
    return rows


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    return render(request, "api_docs.html", spec=spec, operations=operations(spec),
                  version=spec.get("info", {}).get("version", ""), base=str(request.base_url).rstrip("/"),
                  tz_name=ctx(request).settings.service.timezone)
