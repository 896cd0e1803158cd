"""Plain ASGI middleware for what must hold on every request: security headers, the Host allow-list, the body
limit, the rate limit.

They run outside the app's exception handlers, so they answer with ``service.errors.error_response``
directly; the error shape is the same as everywhere else.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.errors import ConfigError, RateLimitError, TooLargeError
from service.deps import CHARGED, check_new_key, known_account
from service.errors import error_response
from service.limits import Budget

# No inline script or style anywhere, nothing from another origin: the page must work offline anyway.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UNLIMITED_PATHS = ("/static/", "/health")


class SecurityHeaders:
    """Adds CSP and friends to every response; API answers also get ``Cache-Control: no-store``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/") or scope["path"] == "/"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in SECURITY_HEADERS]
                headers += list(SECURITY_HEADERS.items())
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-cache" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413 before any route reads them (declared or streamed length)."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def _too_large(self, size: int | None = None) -> TooLargeError:
        what = f"{size:,} bytes" if size is not None else f"over {self.max_bytes:,} bytes"
        return TooLargeError(f"request body is {what}; the limit is {self.max_bytes:,} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await error_response(self._too_large(int(declared)))(scope, receive, send)
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await error_response(self._too_large())(scope, receive, send)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RateLimit:
    """Charges every request 1 unit of its client's budget (``service.limits.Budget``) before any route runs.

    A request carrying a key this worker has verified before counts against that key's account alone, so
    mentors behind one NAT address do not share a budget. Any other request counts against its client address:
    no key, a wrong or made-up key, a removed account's key, and a valid key on its first request. Inventing
    key ids therefore never earns a fresh budget. The client address is the TCP peer, or what a proxy named in
    ``MATCHER_TRUSTED_PROXIES`` forwarded (uvicorn resolves it before the app, and trusts no one by default).
    A key not known yet is checked only after its request was counted and allowed, and the route reuses that
    check; a made-up key costs no scrypt (``matcher.accounts``). Whom it charged is left in the request's state,
    so work that enters the queue charges the rest of its cost to the same client. Counts live in this process:
    N workers allow up to N times the limit."""

    def __init__(self, app: ASGIApp, budget: Budget):
        self.app, self.budget = app, budget

    @staticmethod
    def client(scope: Scope) -> str:
        return (scope.get("client") or ("?", 0))[0]

    @staticmethod
    def api_key(scope: Scope) -> str | None:
        """The X-API-Key header as the routes read it (first one, latin-1), or None."""
        value = next((v for k, v in scope.get("headers", []) if k.lower() == b"x-api-key"), b"")
        return value.decode("latin-1") or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/" or scope["path"].startswith(UNLIMITED_PATHS):
            return await self.app(scope, receive, send)
        key = self.api_key(scope)
        account = known_account(scope, key)
        charged = (f"key {account.key_id}", "this API key") if account else (f"address {self.client(scope)}",
                                                                               "this address")
        try:
            self.budget.spend(charged[0], 1, charged[1])
        except RateLimitError as exc:
            return await error_response(exc)(scope, receive, send)
        scope.setdefault("state", {})[CHARGED] = charged
        if key and account is None:
            await check_new_key(scope, key)
        await self.app(scope, receive, send)


class AllowedHosts:
    """Answers 400 to a Host header outside ``hosts`` ('example.org', '*.example.org'; '*' allows any).

    Behind a proxy that forwards any Host, this keeps the service from answering for names it does not own."""

    def __init__(self, app: ASGIApp, hosts: list[str]):
        self.app = app
        self.any = "*" in hosts
        self.exact = {h.lower() for h in hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in hosts if h.startswith("*."))

    def allowed(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host  # drop the port ([::1] keeps its colons)
        name = name.lower()
        return name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.any:
            return await self.app(scope, receive, send)
        host = next((v for k, v in scope.get("headers", []) if k == b"host"), b"").decode("latin-1")
        if not self.allowed(host):
            return await error_response(ConfigError("this Host is not served here (MATCHER_ALLOWED_HOSTS)"))(
                scope, receive, send)
        await self.app(scope, receive, send)
