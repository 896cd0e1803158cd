"""Moving a whole store as plain files: ``export_store`` writes a folder, ``import_store`` builds a store from one.

An export holds the records, the full shortlist history, the full replication history, the accounts without any
key material, and the cached embeddings of the records' texts (``matcher.backup.files`` describes each file). A
round trip gives the same records, decisions, replication history, accounts and rankings.

- **Export** reads the store in one transaction, writes into a hidden temporary folder beside the target and
  renames it into place, so the target is either absent, the earlier export, or the complete new one.
- **Import** checks everything first (manifest, checksums, every record, every replication step's transition),
  then writes the records, the decisions, the replication history (seq and times as recorded), the accounts and
  the new index generation in ONE SQLite transaction, the way ``matcher index``
  does: a crash leaves the store as it was before. Vectors come from the export, so nothing is re-embedded
  when the model is the same (a cold build embeds ~10 texts/s; the vectors make an import take seconds).
- Imported accounts have **no usable key**: their key hash is empty, which no key matches. Each needs a new
  key (``matcher users remove NAME`` then ``matcher users add NAME --role ROLE``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.backup.files import ACCOUNT_FIELDS, BUILD_SETTINGS, MANIFEST, Snapshot, read_export, write_files
from matcher.config import Settings, get_settings
from matcher.data.records import text_hash
from matcher.data.regions import Regions
from matcher.engine.encoders import Encoder
from matcher.engine.text import clean_for_dense
from matcher.errors import ConfigError, ConflictError, StoreError
from matcher.facade import PASSAGE, QUERY, Matcher
from matcher.store.accounts import SCRYPT, AccountRepository, AccountRow
from matcher.store.database import Store
from matcher.store.decisions import Decision, DecisionRepository
from matcher.store.replications import ReplicationRepository

# the embedding cache does not count; replications are replaced by ReplicationRepository.restore (append-only)
_CONTENT_TABLES = ("innovations", "gaps", "shortlist", "accounts", "replications")


@dataclass
class ExportReport:
    """What ``export_store`` wrote: ``counts`` per file kind, and whether an earlier export was replaced."""

    path: Path
    counts: dict[str, int]
    replaced: bool
    seconds: float


@dataclass
class ImportReport:
    """What ``import_store`` wrote; ``keyless`` lists (name, role) of the accounts that need a new key."""

    home: Path
    counts: dict[str, int]
    embedded: int
    seconds: float
    keyless: list[tuple[str, str]] = field(default_factory=list)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---- export ------------------------------------------------------------------------------------------------
def export_store(settings: Settings | None, target: Path, progress: bool = False) -> ExportReport:
    """Write the store of ``settings.home`` into the folder ``target`` as plain files (see the module doc).

    ``target`` must be new, empty, or an earlier export (which is replaced whole); anything else is refused.
    """
    started = time.perf_counter()
    settings = settings or get_settings()
    target = Path(target)
    replaced = _check_target(target)
    if not (Path(settings.home) / Store.DB_NAME).is_file():
        raise StoreError(f"no store in {settings.home}: nothing to export")
    snap = _snapshot(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.export-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        write_files(tmp, snap, _now(), progress)
        _fsync_dir(tmp)
        _move_into_place(tmp, target, replaced)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportReport(target, snap.counts(), replaced, time.perf_counter() - started)


def _check_target(target: Path) -> bool:
    """True when ``target`` holds an earlier export to replace; False when it is absent or empty."""
    if not target.exists():
        return False
    if not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder; export into a new or empty folder")
    entries = {p.name for p in target.iterdir()}
    if not entries:
        return False
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        earlier = manifest.get("format") == "matcher-export" and entries <= {MANIFEST, *manifest.get("files", {})}
    except (OSError, ValueError, AttributeError):
        earlier = False
    if not earlier:
        raise ConfigError(f"{target} is not empty and is not an earlier matcher export; export into a new or empty "
                          "folder (an earlier export with nothing else in its folder is replaced)")
    return True


def _snapshot(settings: Settings) -> Snapshot:
    """Records, decisions, replication steps, accounts (public fields only) read in one transaction, then their cached vectors.

    The embedding cache is content-addressed and only ever added to, so reading it afterwards is consistent.
    """
    store = Store(settings.home)
    try:
        with store.transaction():
            folder = store.generations.current()
            if folder is None:
                raise StoreError(f"no index in {settings.home}: run 'matcher index' first, then export")
            index = json.loads((folder / "manifest.json").read_text())
            build = {k: index.get(k) for k in (*BUILD_SETTINGS, "model_id", "dim", "index", "corpus_hash")}
            innovations = [s.innovation for s in store.innovations.all()]
            gaps = store.gaps.of_region()
            shortlist = [{k: v for k, v in d.to_dict().items() if k != 'seq'} for d in store.decisions.history()]
            accounts = [{k: getattr(a, k) for k in ACCOUNT_FIELDS} for a in store.accounts.all()]
            replications = store.replications.history()
    finally:
        store.close()
    # the texts as the pipeline embeds them, under the settings the index was built with
    m = Matcher(settings.model_copy(update={k: build[k] for k in BUILD_SETTINGS}))
    texts = {PASSAGE: [m.embedder.passage_text(i) for i in innovations], QUERY: [g.text for g in gaps]}
    vectors: dict[str, tuple[list[str], Any]] = {}
    for kind, kind_texts in texts.items():
        hashes = list(dict.fromkeys(text_hash(clean_for_dense(t)) for t in kind_texts))
        matrix, found = m.embedder.cache.get(build["model_id"], kind, hashes, build["dim"])
        vectors[kind] = ([h for h, ok in zip(hashes, found, strict=True) if ok], matrix[found])
    return Snapshot(build, innovations, gaps, shortlist, accounts, vectors, replications=replications)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move_into_place(tmp: Path, target: Path, replaced: bool) -> None:
    """Rename the finished export to ``target``; an earlier export is moved aside first, then deleted."""
    if replaced:
        old = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
        os.rename(target, old)
        os.rename(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)  # onto a missing or empty folder
    _fsync_dir(target.parent)


# ---- import ------------------------------------------------------------------------------------------------
def import_store(
    source: Path, settings: Settings | None = None, *, replace: bool = False, current_settings: bool = False,
    encoder: Encoder | None = None, regions: Regions | None = None, progress: bool = False,
) -> ImportReport:
    """Build the store of ``settings.home`` from the export folder ``source``.

    Everything is checked before the store is opened. The store must be new or empty (no innovations, gaps,
    decisions, replication steps or accounts) unless ``replace``, which swaps its whole content. The export must have been built
    with the model, prompts and stemmer of ``settings`` unless ``current_settings`` (then texts are embedded
    again under the current settings).
    """
    started = time.perf_counter()
    settings = settings or get_settings()
    regions = regions or Regions.load(settings.corpus_dir / "regions")
    snap = read_export(Path(source), regions, settings)
    _check_settings(snap.build, settings, current_settings, Path(source))
    store = Store(settings.home)
    try:
        with store.transaction() as conn:  # fail fast, before anything is embedded
            _check_empty(conn, store.home, replace)
    finally:
        store.close()
    embedded = _write(Matcher(settings, encoder=encoder, regions=regions), snap, replace, progress)
    keyless = [(a["name"], a["role"]) for a in snap.accounts]
    return ImportReport(Path(settings.home), snap.counts(), embedded, time.perf_counter() - started, keyless)


def _check_settings(build: dict[str, Any], settings: Settings, current: bool, source: Path) -> None:
    ours = {k: getattr(settings, k) for k in BUILD_SETTINGS}
    theirs = {k: build.get(k) for k in BUILD_SETTINGS}
    if ours != theirs and not current:
        diff = ", ".join(f"{k}: export {theirs[k]!r}, here {ours[k]!r}" for k in BUILD_SETTINGS if ours[k] != theirs[k])
        raise ConfigError(f"{source} was built with other settings ({diff}); set the MATCHER_* variables to the "
                          "export's values, or pass --current-settings to rebuild it under these (embeds every text)")


def _check_empty(conn: sqlite3.Connection, home: Path, replace: bool) -> None:
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _CONTENT_TABLES}
    if any(counts.values()) and not replace:
        held = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
        raise ConflictError(f"the store in {home} is not empty ({held}); import into a new MATCHER_HOME, or "
                            "pass --replace to swap its whole content for the export")


def _write(m: Matcher, snap: Snapshot, replace: bool, progress: bool) -> int:
    """The import's writes: ``Matcher.index`` from scratch, with decisions, replication steps and accounts
    written inside its transaction, so they and the generation commit together.

    Returns how many texts were embedded (0 when the export's vectors cover every text).
    """
    if snap.build.get("model_id") == m.encoder.model_id:  # content-addressed cache rows: harmless on their own
        for kind, (hashes, vectors) in snap.vectors.items():
            if hashes:
                m.embedder.cache.put(m.encoder.model_id, kind, hashes, vectors)

    def within(conn: sqlite3.Connection) -> None:
        _check_empty(conn, Path(m.settings.home), replace)  # again, now that SQLite's write lock is held
        for table in _CONTENT_TABLES if replace else ():
            if table != "replications":  # append-only: restore() drops and recreates it below
                conn.execute(f"DELETE FROM {table}")
        DecisionRepository.insert(conn, [Decision(**d) for d in snap.shortlist])
        ReplicationRepository.restore(conn, snap.replications)
        for a in snap.accounts:  # an empty key hash: no key matches it until a new one is issued
            AccountRepository.insert(conn, AccountRow(a["key_id"], a["name"], a["role"], secrets.token_bytes(16),
                                                      b"", json.dumps(SCRYPT), a["created_at"]))

    return m.index(snap.innovations, snap.gaps, replace=True, rebuild=True, progress=progress, within=within).embedded
