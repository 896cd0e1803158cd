"""The one place that turns an exception into an HTTP answer, so every error has the same shape.

``{"error": {"code": "not_found", "message": "...", "details": [{"field": ..., "reason": ...}]}}``

The library's errors (``matcher.errors``) map to status codes by class; the framework's own errors (a bad
query parameter, an unknown route) are reshaped the same way; anything else is a 500 whose body says only
that something failed: the traceback goes to the server log, never to the client.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from matcher.errors import (
    AmbiguousError,
    AuthError,
    BusyError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    GoneError,
    LimitError,
    MatcherError,
    NotFoundError,
    RateLimitError,
    StoreError,
    TooLargeError,
    ValidationError,
)

log = logging.getLogger("matcher.service")

# Most specific class first: the first isinstance match wins.
STATUS: tuple[tuple[type[MatcherError], int, str], ...] = (
    (ValidationError, 422, "validation_error"),
    (NotFoundError, 404, "not_found"),
    (AmbiguousError, 400, "ambiguous"),
    (ConfigError, 400, "bad_request"),
    (ConflictError, 409, "conflict"),
    (AuthError, 401, "unauthorized"),
    (ForbiddenError, 403, "forbidden"),
    (TooLargeError, 413, "too_large"),
    (RateLimitError, 429, "rate_limited"),
    (StoreError, 503, "store_unavailable"),
    (BusyError, 503, "busy"),
    (LimitError, 409, "limit_reached"),
    (GoneError, 410, "gone"),
    (MatcherError, 400, "bad_request"),
)
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type",
              422: "validation_error", 429: "rate_limited"}


def _body(code: str, message: str, details: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _field(loc: tuple) -> str:
    """'query.k', 'body.text': where the framework found the problem, without its internal prefixes."""
    return ".".join(str(part) for part in loc)


def error_response(exc: Exception) -> JSONResponse:
    """The JSON answer for any exception; also used by the middleware, which runs outside the handlers."""
    headers: dict[str, str] = {}
    if isinstance(exc, MatcherError):
        status, code = next((s, c) for cls, s, c in STATUS if isinstance(exc, cls))
        details = [{"field": p.field, "reason": p.reason} for p in exc.problems] if isinstance(exc, ValidationError) else []
        if isinstance(exc, AuthError):
            headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
        if isinstance(exc, RateLimitError | BusyError):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(_body(code, str(exc), details), status, headers=headers)
    if isinstance(exc, RequestValidationError):
        details = [{"field": _field(e.get("loc", ())), "reason": e.get("msg", "invalid")} for e in exc.errors()]
        first = details[0] if details else {"field": "", "reason": "invalid request"}
        more = f" (and {len(details) - 1} more problem(s))" if len(details) > 1 else ""
        return JSONResponse(_body("validation_error", f"{first['field']}: {first['reason']}{more}", details), 422)
    if isinstance(exc, HTTPException):
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(_body(code, message), exc.status_code, headers=dict(exc.headers or {}))
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(_body("internal_error", "internal error; the server log has the details"), 500)


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The app's one exception handler (registered for MatcherError, framework errors and Exception)."""
    return error_response(exc)
