"""How uvicorn serves the app: one set of options for ``matcher serve`` and the tests' live server.

- Proxy headers (``X-Forwarded-For``, ``-Proto``) are believed only from ``MATCHER_TRUSTED_PROXIES``; uvicorn
  otherwise trusts 127.0.0.1, so any local process could pick its own client address and rate-limit budget.
- uvicorn's own 400 for a malformed request carries the security headers and the JSON error shape.
- TCP_NODELAY on every connection. With ``--workers N`` uvicorn binds the listening socket itself with
  protocol number 0, so asyncio does not recognise it as TCP and leaves Nagle's algorithm on for accepted
  connections. A response is written as headers then body, so the body then waits for the client's delayed
  ACK: a flat ~40 ms on every keep-alive request (measured: p50 44 ms instead of 2 ms).
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from matcher.config import Settings
from service.middleware import SECURITY_HEADERS


def server_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` besides the app, host, port and workers."""
    trusted = settings.trusted_proxies
    return {"server_header": False, "http": "service.http:NoDelayH11Protocol", "proxy_headers": bool(trusted),
            "forwarded_allow_ips": ",".join(trusted) if trusted else None}


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def send_400_response(self, msg: str) -> None:
        """The request could not be parsed, so the app never saw it: answer as the app would, then close."""
        body = json.dumps({"error": {"code": "bad_request", "message": msg, "details": []}}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"),
                   (b"cache-control", b"no-store"), *SECURITY_HEADERS.items()]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
