"""One base error and a shallow tree, so the CLI and the service map failures in one place each."""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Base of every error matcher raises on purpose (bad input, missing record, stale store)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, located precisely enough to fix it by hand."""

    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.reason}"


class ValidationError(MatcherError):
    """An input file (or record) breaks the data contract; carries every problem found in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid input"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(first + more)

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class NotFoundError(MatcherError):
    """A record (region, innovation, gap) that the caller named does not exist."""


class AmbiguousError(MatcherError):
    """A name matches more than one record (Kabupaten and Kota Malang)."""


class ConfigError(MatcherError):
    """A setting or option has a value matcher cannot use."""


class StoreError(MatcherError):
    """The store on disk is missing, locked, or was built with other settings; the message says how to fix it."""


class AuthError(MatcherError):
    """No valid API key was given."""


class ForbiddenError(MatcherError):
    """The API key is valid but its role may not do this."""


class ConflictError(MatcherError):
    """The record to create already exists (a gap id, an account name)."""


class TooLargeError(MatcherError):
    """A request or an input is over a size limit (body, text, k)."""


class RateLimitError(MatcherError):
    """Too many requests from one client in the current minute; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class BusyError(MatcherError):
    """The service has as much expensive work waiting as it may queue; try again in ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after


class LimitError(MatcherError):
    """Stored data would pass a limit (gaps per region, their total text, batch jobs); the message says which."""


class GoneError(MatcherError):
    """The thing existed but its data was removed (a batch job's folder after cleanup)."""
