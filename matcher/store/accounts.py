"""API accounts: who may write through the service, with which role, and how their keys are checked.

A key is shown once, when it is created, and never stored: the store keeps a random salt and the scrypt hash
of the key's secret. A key reads ``mk_<key_id>_<secret>``; the key id is public and only finds the row, the
secret is what is hashed. Checking compares hashes in constant time.

scrypt is slow on purpose (~30 ms and 16 MiB), so it runs only for a well-formed key whose id exists: a made-up
key costs a regular expression and one row read, and strangers cannot make the server hash (the key id is not
a secret, so telling whether one exists gives nothing away). At most ``concurrency`` checks run at once, and a
key that passed once is remembered (by its SHA-256, in a bounded LRU); every request still reads the account
row, so a removed account stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matcher.errors import AuthError, ConfigError, ConflictError, ForbiddenError, NotFoundError

if TYPE_CHECKING:
    from matcher.store.database import Store

ROLES: tuple[str, ...] = ("mentor", "admin")
# What each role may do; admin can do everything a mentor can.
GRANTS: dict[str, frozenset[str]] = {"mentor": frozenset({"mentor"}), "admin": frozenset({"mentor", "admin"})}
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # 16 MiB and ~30 ms per check
_KEY = re.compile(r"^mk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_NAME = re.compile(r"^[\w.@-]{1,64}$")
_CACHE_LIMIT = 1024


@dataclass(frozen=True)
class Account:
    """An API account as the service sees it: never carries the key or its hash."""

    name: str
    role: str
    key_id: str
    created_at: float

    def may(self, role: str) -> bool:
        """True when this account's role grants ``role`` ("mentor" or "admin")."""
        return role in GRANTS.get(self.role, frozenset())

    def require(self, role: str) -> Account:
        """This account when its role grants ``role``; ForbiddenError otherwise."""
        if not self.may(role):
            raise ForbiddenError(f"account {self.name!r} has role {self.role!r}; this needs {role!r}")
        return self


@dataclass(frozen=True)
class AccountRow:
    """An account as stored: the salt and scrypt hash of its key's secret, never the key."""

    key_id: str
    name: str
    role: str
    salt: bytes
    key_hash: bytes
    params: str  # JSON of the scrypt parameters the hash was made with
    created_at: float


_COLUMNS = "key_id, name, role, salt, key_hash, params, created_at"


class AccountRepository:
    """The ``accounts`` table."""

    def __init__(self, store: Store):
        self._store = store

    def add(self, row: AccountRow) -> None:
        """Insert an account; sqlite3.IntegrityError when the name is taken."""
        with self._store.transaction() as conn:
            self.insert(conn, row)

    @staticmethod
    def insert(conn: sqlite3.Connection, row: AccountRow) -> None:
        """Insert an account inside the caller's transaction."""
        conn.execute(f"INSERT INTO accounts({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (row.key_id, row.name, row.role, row.salt, row.key_hash, row.params, row.created_at))

    def get(self, key_id: str) -> AccountRow | None:
        row = self._store.connection.execute(f"SELECT {_COLUMNS} FROM accounts WHERE key_id = ?", (key_id,)).fetchone()
        return AccountRow(*row) if row else None

    def all(self) -> list[AccountRow]:
        return [AccountRow(*r) for r in self._store.connection.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY name")]

    def delete(self, name: str) -> bool:
        with self._store.transaction() as conn:
            return conn.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount > 0


def _hash(secret: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, maxmem=64 * 1024 * 1024, **params)


def _digest(key: str) -> str:
    """What the in-memory cache of verified keys is keyed by: never the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()


def _public(row: AccountRow) -> Account:
    return Account(row.name, row.role, row.key_id, row.created_at)


class Accounts:
    """Creates, lists, removes and checks API accounts in a store; safe to share between threads."""

    def __init__(self, store: Store, concurrency: int = 2):
        self.store = store
        self._lock = threading.Lock()
        self._verified: OrderedDict[str, bytes] = OrderedDict()  # sha256(key) -> key_hash it was verified against
        self._hashing = threading.BoundedSemaphore(concurrency)

    def add(self, name: str, role: str) -> tuple[Account, str]:
        """Create an account; returns it with its key, which is not kept anywhere and cannot be shown again."""
        if not _NAME.match(name):
            raise ConfigError(f"account name {name!r}: use 1-64 letters, digits, '.', '_', '-' or '@'")
        if role not in ROLES:
            raise ConfigError(f"role {role!r} is not one of: {', '.join(ROLES)}")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        row = AccountRow(key_id, name, role, salt, _hash(secret, salt, SCRYPT), json.dumps(SCRYPT), time.time())
        try:
            with self._lock:
                self.store.accounts.add(row)
        except sqlite3.IntegrityError:
            raise ConflictError(f"an account named {name!r} already exists; remove it first to issue a new key") from None
        return _public(row), f"mk_{key_id}_{secret}"

    def list(self) -> list[Account]:
        with self._lock:
            return [_public(r) for r in self.store.accounts.all()]

    def remove(self, name: str) -> None:
        """Delete an account; its key stops working on the next request."""
        with self._lock:
            if not self.store.accounts.delete(name):
                raise NotFoundError(f"no account named {name!r}")

    def known(self, key: str | None) -> Account | None:
        """The account of a key this process has verified before, or None: one row read, never a scrypt.

        What the service's rate limit uses to count a request against its account before any route runs; a
        key seen for the first time, a wrong or made-up key, or one whose account was removed gives None."""
        m = _KEY.match((key or "").strip())
        if m is None:
            return None
        with self._lock:
            known = self._verified.get(_digest(m.group(0)))
            if known is None:
                return None
            self._verified.move_to_end(_digest(m.group(0)))
            row = self.store.accounts.get(m.group(1))
        return _public(row) if row is not None and hmac.compare_digest(known, row.key_hash) else None

    def verify(self, key: str | None) -> Account:
        """The account of a key; AuthError when it is missing, malformed, unknown or wrong."""
        if not key:
            raise AuthError("this needs an API key: send it in the X-API-Key header")
        account = self.known(key)
        if account is not None:
            return account
        m = _KEY.match(key.strip())
        with self._lock:
            row = self.store.accounts.get(m.group(1)) if m else None
        if row is None or m is None:  # malformed or an unknown key id: no scrypt
            raise AuthError("invalid API key")
        with self._hashing:
            hashed = _hash(m.group(2), row.salt, json.loads(row.params))
        if not hmac.compare_digest(hashed, row.key_hash):
            raise AuthError("invalid API key")
        with self._lock:
            self._verified[_digest(m.group(0))] = row.key_hash
            while len(self._verified) > _CACHE_LIMIT:
                self._verified.popitem(last=False)
        return _public(row)

    def authorize(self, key: str | None, role: str) -> Account:
        """The account of a key whose role grants ``role``; AuthError (no/bad key) or ForbiddenError (role)."""
        return self.verify(key).require(role)
