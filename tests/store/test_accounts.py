"""API accounts: keys are shown once, stored only as salted scrypt hashes, checked in constant time."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from helpers.cli import run

from matcher.errors import AuthError, ConfigError, ConflictError, ForbiddenError, NotFoundError
from matcher.store import accounts as accounts_module
from matcher.store.accounts import Accounts
from matcher.store.database import Store


@pytest.fixture
def accounts(tmp_path) -> Accounts:
    return Accounts(Store(tmp_path))


def test_a_new_key_verifies_to_its_account(accounts):
    account, key = accounts.add("ani", "mentor")
    assert key.startswith(f"mk_{account.key_id}_") and len(key) == 3 + 12 + 1 + 43
    assert accounts.verify(key) == account
    assert accounts.verify(f"  {key}\n") == account  # pasted with whitespace
    assert [a.name for a in accounts.list()] == ["ani"]


@pytest.mark.parametrize("bad", [None, "", "mk_", "Bearer x", "mk_0123456789ab_" + "A" * 43])
def test_missing_malformed_or_unknown_keys_are_refused(accounts, bad):
    accounts.add("ani", "mentor")
    with pytest.raises(AuthError):
        accounts.verify(bad)


def test_a_wrong_secret_is_refused_even_after_the_right_one_was_cached(accounts):
    _, key = accounts.add("ani", "mentor")
    accounts.verify(key)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    with pytest.raises(AuthError):
        accounts.verify(wrong)


def test_roles(accounts):
    _, mentor = accounts.add("ani", "mentor")
    _, admin = accounts.add("root", "admin")
    assert accounts.authorize(mentor, "mentor").name == "ani"
    assert accounts.authorize(admin, "mentor").name == "root"  # admin may do what a mentor does
    assert accounts.authorize(admin, "admin").role == "admin"
    with pytest.raises(ForbiddenError, match="needs 'admin'"):
        accounts.authorize(mentor, "admin")


def test_only_a_salted_scrypt_hash_is_stored(tmp_path, accounts):
    _, key_a = accounts.add("ani", "mentor")
    _, key_b = accounts.add("budi", "mentor")
    secret = key_a.split("_", 2)[2]
    accounts.store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("matcher.db*"))
    assert secret.encode() not in raw and key_a.encode() not in raw and key_b.encode() not in raw
    rows = {r.name: r for r in Store(tmp_path).accounts.all()}
    a, b = rows["ani"], rows["budi"]
    assert a.salt != b.salt and len(a.salt) == 16
    params = json.loads(a.params)
    assert a.key_hash == hashlib.scrypt(secret.encode(), salt=a.salt, maxmem=64 * 1024 * 1024, **params)
    assert params["n"] >= 2**14


def test_hashes_are_compared_in_constant_time(accounts, monkeypatch):
    _, key = accounts.add("ani", "mentor")
    calls = []
    real = accounts_module.hmac.compare_digest
    monkeypatch.setattr(accounts_module.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    accounts.verify(key)
    accounts.verify(key)  # cached: still compared against the stored hash
    assert len(calls) == 2


def test_removing_an_account_revokes_its_key_at_once(accounts):
    _, key = accounts.add("ani", "mentor")
    accounts.verify(key)  # now cached
    accounts.remove("ani")
    with pytest.raises(AuthError):
        accounts.verify(key)
    with pytest.raises(NotFoundError):
        accounts.remove("ani")


def test_names_and_roles_are_checked(accounts):
    accounts.add("ani", "mentor")
    with pytest.raises(ConflictError):
        accounts.add("ani", "admin")
    with pytest.raises(ConfigError):
        accounts.add("ani two", "mentor")
    with pytest.raises(ConfigError):
        accounts.add("budi", "superuser")


def test_old_stores_get_the_shortlist_account_column(tmp_path):
    """A store written before accounts existed opens, keeps its decisions, and records accounts from then on."""
    conn = sqlite3.connect(tmp_path / "matcher.db")
    conn.execute("CREATE TABLE shortlist (seq INTEGER PRIMARY KEY AUTOINCREMENT, region_code TEXT NOT NULL, "
                 "innovation_id TEXT NOT NULL, decision TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', "
                 "who TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL)")
    conn.execute("INSERT INTO shortlist(region_code, innovation_id, decision, created_at) VALUES ('35.07', 'A', 'shortlisted', 1)")
    conn.commit()
    conn.close()
    store = Store(tmp_path)
    store.decisions.add("35.07", "B", "rejected", "mahal", "Ani", account="ani")
    assert [(d.innovation_id, d.account) for d in store.decisions.current("35.07")] == [("A", ""), ("B", "ani")]


def _cli(args, home):
    return run(["users", *args], home, timeout=120)


@pytest.mark.slow  # the CLI in subprocesses
def test_users_cli_prints_the_key_once(tmp_path):
    added = _cli(["add", "ani", "--role", "mentor"], tmp_path)
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("mk_") and "\n" not in key and "will not be shown again" in added.stderr
    assert Accounts(Store(tmp_path)).verify(key).role == "mentor"
    listed = _cli(["list"], tmp_path)
    assert listed.stdout.startswith("ani\tmentor\t") and key.split("_", 2)[2] not in listed.stdout
    duplicate = _cli(["add", "ani", "--role", "admin"], tmp_path)
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr and duplicate.stdout == ""
    assert _cli(["add", "budi", "--role", "root"], tmp_path).returncode == 2
    assert _cli(["remove", "ani"], tmp_path).returncode == 0
    assert _cli(["remove", "ani"], tmp_path).returncode == 2
    assert _cli(["list"], tmp_path).stdout == ""
