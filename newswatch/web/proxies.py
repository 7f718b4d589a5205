"""Which address a request comes from: forwarded-address headers are believed only from trusted proxies.

A reverse proxy (nginx, Caddy, Traefik) in front of ``newswatch serve`` connects from its own address and
names the real client in ``X-Forwarded-For`` (or RFC 7239 ``Forwarded: for=…``). Anybody can send those
headers, so they are read only when the connection comes from an address in ``trusted_proxies``
(``config/newswatch.yaml`` or ``NEWSWATCH_TRUSTED_PROXIES``; empty by default). Then the client is the
right-most address of the chain that is not itself a trusted proxy (the proxy appends the address it
saw, so what the client wrote to the left of it cannot pass as the client). From any other peer the
headers are ignored and the client is the peer: a process on 127.0.0.1 sending ``X-Forwarded-For:
10.9.9.9`` is 127.0.0.1.

:class:`TrustedProxies` is an ASGI middleware that rewrites ``scope["client"]`` (and ``scope["scheme"]``
from ``X-Forwarded-Proto`` / ``proto=``) so every handler, the reading-network check and the login
limits see the same address. ``newswatch serve`` turns uvicorn's own proxy-header handling off (it
believes 127.0.0.1 by default) so this is the only place that reads them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header token: ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:80``, ``2001:db8::1``."""
    token = value.strip().strip('"')
    if token.startswith("["):
        token = token[1:].split("]", 1)[0]
    elif token.count(":") == 1:  # IPv4 with a port
        token = token.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(token)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(host: str | None, proxies: Iterable[Network]) -> bool:
    if not host:
        return False
    address = parse_address(host)
    return address is not None and any(address in net for net in proxies if net.version == address.version)


def forwarded_chain(headers: dict[str, str]) -> tuple[list[str], str | None]:
    """The client addresses named by the proxies, left (original client) to right, and the protocol.

    ``Forwarded`` (RFC 7239) wins over ``X-Forwarded-For`` when both are present.
    """
    forwarded = headers.get("forwarded")
    if forwarded:
        chain, proto = [], None
        for element in forwarded.split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                name = name.strip().lower()
                if name == "for":
                    chain.append(value.strip().strip('"'))
                elif name == "proto" and value:
                    proto = value.strip().strip('"').lower()
        return chain, proto
    chain = [part.strip() for part in headers.get("x-forwarded-for", "").split(",") if part.strip()]
    proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower() or None
    return chain, proto


def client_from_chain(peer: str, chain: list[str], proxies: list[Network]) -> str:
    """The right-most address of ``chain`` that is not a trusted proxy (``peer`` when the chain is empty).

    A token that is not an address (``unknown``, an obfuscated ``_id``) is returned as it is: it is in no
    network, so such a client can read nothing without logging in.
    """
    for token in reversed(chain):
        address = parse_address(token)
        if address is None:
            return token or "unknown"
        if not any(address in net for net in proxies if net.version == address.version):
            return str(address)
    return str(parse_address(chain[0])) if chain else peer


class TrustedProxies:
    """ASGI middleware: the client address (and scheme) from forwarded headers, from trusted proxies only."""

    def __init__(self, app: Any, proxies: list[Network]) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.proxies:
            client = scope.get("client")
            if client and is_trusted(client[0], self.proxies):
                headers: dict[str, str] = {}
                for key, value in scope.get("headers", []):  # repeated headers form one list, in order
                    name = key.decode("latin-1").lower()
                    text = value.decode("latin-1")
                    headers[name] = f"{headers[name]},{text}" if name in headers else text
                chain, proto = forwarded_chain(headers)
                if chain:
                    scope = dict(scope, client=(client_from_chain(client[0], chain, self.proxies), 0))
                if proto in ("http", "https"):
                    websocket = scope["type"] == "websocket"
                    scope = dict(scope, scheme=("wss" if proto == "https" else "ws") if websocket else proto)
        await self.app(scope, receive, send)
