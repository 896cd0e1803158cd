"""The files of a store export (format 2): writing them, and reading them back with every check done first.

An export folder holds::

    manifest.json     format and version, export time, counts, the settings the index was built with,
                      and the sha256 and size of every other file
    innovations.jsonl one ``Innovation.to_dict()`` per line, in index order (``matcher index``/``validate`` read it)
    gaps.jsonl        one ``Gap.to_dict()`` per line
    shortlist.jsonl   every decision and undo ever recorded, oldest first: region_code, innovation_id, decision, note,
                      who, account, created_at (Unix seconds)
    accounts.jsonl    name, role, key_id (public), created_at; never a salt or a key hash
    replications.jsonl every replication step ever recorded, in ``seq`` order: ``ReplicationStep.to_dict()``
                      (seq, region_code, innovation_id, stage, date, document, reason, note, who, account,
                      recorded_at); not in format 1, whose exports import with an empty history
    vectors.npy       float32 (n, dim): the cached embeddings of the records' texts under ``build.model_id``
    vectors.tsv       kind<TAB>text_hash for row i of vectors.npy (kind "passage" or "query")

``read_export`` checks the manifest, every checksum and every record (through the loaders of
``matcher.data.loaders``; replication steps through ``check_sequence``, the transition check of ``matcher progress
import``) before anything is written, and raises one ``ValidationError`` naming file, row and field.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from matcher.backup.rows import (
    an_id,
    counter,
    day_or_none,
    matching,
    one_of,
    read_rows,
    regency,
    seconds,
    string,
    text_up_to,
)
from matcher.config import Settings, fields_in, regrouping_fields
from matcher.data import loaders as corpus
from matcher.data.loaders import Gap, Innovation
from matcher.data.regions import Regions
from matcher.errors import Problem, ValidationError
from matcher.store.accounts import _NAME as _ACCOUNT_NAME
from matcher.store.accounts import ROLES
from matcher.store.replications import MAX_TEXT, STAGES, ReplicationStep, check_sequence

FORMAT = "matcher-export"
VERSION = 2  # 2 added replications.jsonl
MANIFEST = "manifest.json"
FILES = ("innovations.jsonl", "gaps.jsonl", "shortlist.jsonl", "accounts.jsonl", "replications.jsonl", "vectors.npy",
         "vectors.tsv")
FILES_OF = {1: tuple(f for f in FILES if f != "replications.jsonl"), 2: FILES}  # the files of each version read
# Settings an index is built with (its manifest keeps them); a store built under others is refused on load.
# what an index is built with (the settings' own scope declarations), less the group settings: the groups are
# recomputed on the next index, so an export neither records nor needs them
BUILD_SETTINGS = tuple(f for f in fields_in("index") if f not in regrouping_fields())
DECISIONS = ("shortlisted", "rejected", "replicated", "undone")  # undone: an undo event
SHORTLIST_FIELDS = ("region_code", "innovation_id", "decision", "note", "who", "account", "created_at")
ACCOUNT_FIELDS = ("name", "role", "key_id", "created_at")
REPLICATION_FIELDS = ("seq", "region_code", "innovation_id", "stage", "date", "document", "reason", "note", "who",
                      "account", "recorded_at")
VECTOR_KINDS = ("passage", "query")
_KEY_ID = re.compile(r"^[0-9a-f]{12}$")
_TEXT_HASH = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Snapshot:
    """Everything an export holds, read from a store in one transaction (or from an export folder).

    ``vectors`` maps kind ("passage"/"query") to (text hashes, float32 array of shape (len(hashes), dim)).
    """

    build: dict[str, Any]
    innovations: list[Innovation]
    gaps: list[Gap]
    shortlist: list[dict[str, Any]]
    accounts: list[dict[str, Any]]
    vectors: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    replications: list[ReplicationStep] = field(default_factory=list)  # seq order, seq and times as recorded

    def counts(self) -> dict[str, int]:
        return {"innovations": len(self.innovations), "gaps": len(self.gaps), "shortlist": len(self.shortlist),
                "accounts": len(self.accounts), "replications": len(self.replications),
                "vectors": sum(len(h) for h, _ in self.vectors.values())}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- writing -------------------------------------------------------------------------------------------------
def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]], total: int, progress: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in tqdm(rows, total=total, desc=path.stem, unit="row", disable=not progress or total < 1000):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def write_files(folder: Path, snap: Snapshot, exported_at: str, progress: bool = False) -> dict[str, Any]:
    """Write every file of the export and its manifest into ``folder``; returns the manifest."""
    _write_jsonl(folder / "innovations.jsonl", (i.to_dict() for i in snap.innovations), len(snap.innovations),
                 progress)
    _write_jsonl(folder / "gaps.jsonl", (g.to_dict() for g in snap.gaps), len(snap.gaps), progress)
    _write_jsonl(folder / "shortlist.jsonl", snap.shortlist, len(snap.shortlist), progress)
    _write_jsonl(folder / "accounts.jsonl", ({k: a[k] for k in ACCOUNT_FIELDS} for a in snap.accounts),
                 len(snap.accounts), progress)
    _write_jsonl(folder / "replications.jsonl", ({k: getattr(s, k) for k in REPLICATION_FIELDS}
                                                 for s in snap.replications), len(snap.replications), progress)
    ids = [(kind, h) for kind, (hashes, _) in snap.vectors.items() for h in hashes]
    dim = int(snap.build["dim"])
    matrix = np.vstack([v for _, v in snap.vectors.values()] or [np.empty((0, dim))]).astype(np.float32)
    with open(folder / "vectors.npy", "wb") as fh:
        np.save(fh, matrix, allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())
    with open(folder / "vectors.tsv", "w", encoding="utf-8", newline="\n") as fh:
        fh.write("kind\ttext_hash\n" + "".join(f"{kind}\t{h}\n" for kind, h in ids))
        fh.flush()
        os.fsync(fh.fileno())
    files = {name: {"sha256": sha256_file(folder / name), "bytes": (folder / name).stat().st_size} for name in FILES}
    manifest = {"format": FORMAT, "version": VERSION, "exported_at": exported_at, "counts": snap.counts(),
                "build": snap.build, "files": files}
    with open(folder / MANIFEST, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return manifest


# ---- reading and checking ------------------------------------------------------------------------------------
def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an export folder; ValidationError when it is missing, unreadable or of another format."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ValidationError([Problem(str(folder), None, None, "no such folder")])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError([Problem(str(path), None, None, "missing: this is not a matcher export")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValidationError([Problem(str(path), None, None, f"unreadable manifest: {e}")]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError([Problem(str(path), None, "format", f"not a matcher export (expected {FORMAT!r})")])
    if manifest.get("version") not in FILES_OF:
        raise ValidationError([Problem(str(path), None, "version",
                                       f"export format version {manifest.get('version')!r}; this matcher reads "
                                       f"versions {', '.join(map(str, FILES_OF))}")])
    problems = [Problem(str(path), None, key, "missing or of the wrong type")
                for key, kind in (("counts", dict), ("build", dict), ("files", dict)) if not isinstance(manifest.get(key), kind)]
    if problems:
        raise ValidationError(problems)
    return manifest


def check_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the format needs is present and has the checksum the manifest gives."""
    problems = []
    for name in FILES_OF[manifest["version"]]:
        path, entry = folder / name, manifest["files"].get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            problems.append(Problem(str(folder / MANIFEST), None, f"files.{name}", "no checksum for this file"))
        elif not path.is_file():
            problems.append(Problem(str(path), None, None, "file missing from the export"))
        elif (actual := sha256_file(path)) != entry["sha256"]:
            problems.append(Problem(str(path), None, None, f"checksum mismatch: sha256 is {actual[:12]}…, the "
                                                           f"manifest says {entry['sha256'][:12]}…; the file changed "
                                                           "after the export"))
    if problems:
        raise ValidationError(problems)


def _records(path: Path, loader: Callable[[Path], list[Any]]) -> list[Any]:
    """Records through a corpus loader; an empty file is an empty list (the loaders refuse empty files)."""
    return loader(path) if path.stat().st_size else []


def _replications(path: Path, regions: Regions, problems: list[Problem]) -> list[ReplicationStep]:
    """The replication history of an export: every field checked, ``seq`` rising, then every step checked
    against the step before it in its pair as ``matcher progress import`` checks a spreadsheet's rows."""
    found: list[Problem] = []
    text = text_up_to(MAX_TEXT)
    rows = read_rows(path, REPLICATION_FIELDS, {
        "seq": counter, "region_code": regency(regions), "innovation_id": an_id, "stage": one_of(STAGES),
        "date": day_or_none, "document": text, "reason": text, "note": text, "who": text, "account": text,
        "recorded_at": seconds}, found, unique=("seq",))
    last = 0
    for number, r in rows:
        if r["seq"] <= last:
            found.append(Problem(str(path), number, "seq", f"{r['seq']} after {last}: steps must be in seq order"))
        last = r["seq"]
    steps = [(number, ReplicationStep(**r)) for number, r in rows]
    if found:  # transitions only on a clean file: a bad row would make the rows after it look wrong
        problems += found
        return []
    good, wrong = check_sequence(steps)  # texts cleaned as every stored text is (a store's own are already)
    problems += [Problem(str(path), number, name, reason) for number, name, reason in wrong]
    return good


def _vectors(folder: Path, build: dict[str, Any], problems: list[Problem]) -> dict[str, tuple[list[str], np.ndarray]]:
    ids = [r for _, r in read_rows(
        folder / "vectors.tsv", ("kind", "text_hash"),
        {"kind": one_of(VECTOR_KINDS), "text_hash": matching(_TEXT_HASH, "a 32-digit hex text hash")}, problems)]
    path = folder / "vectors.npy"
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        problems.append(Problem(str(path), None, None, f"not a readable .npy array: {e}"))
        return {}
    dim = build.get("dim")
    if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[1] != dim:
        problems.append(Problem(str(path), None, None, f"expected float32 of shape (n, {dim}), got {matrix.dtype} "
                                                       f"{matrix.shape}"))
    elif matrix.shape[0] != len(ids):
        problems.append(Problem(str(path), None, None, f"{matrix.shape[0]} vectors, but vectors.tsv names {len(ids)}"))
    elif not np.isfinite(matrix).all():
        problems.append(Problem(str(path), None, None, "holds NaN or infinite values"))
    else:
        return {kind: ([r["text_hash"] for r in ids if r["kind"] == kind],
                       matrix[[i for i, r in enumerate(ids) if r["kind"] == kind]]) for kind in VECTOR_KINDS}
    return {}


def read_export(folder: Path, regions: Regions, settings: Settings) -> Snapshot:
    """Everything in an export folder, checked: manifest, checksums, records, decisions, accounts, replication
    steps, vectors.

    Raises ValidationError listing every problem (file, row, field); nothing is returned from a bad export.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    build = manifest["build"]
    if not isinstance(build.get("dim"), int) or not isinstance(build.get("model_id"), str) or any(
            k not in build for k in BUILD_SETTINGS):
        raise ValidationError([Problem(str(folder / MANIFEST), None, "build",
                                       f"must hold dim, model_id and {', '.join(BUILD_SETTINGS)}")])
    innovations = _records(folder / "innovations.jsonl", lambda p: corpus.load_innovations(p, regions, settings))
    gaps = _records(folder / "gaps.jsonl", lambda p: corpus.load_gaps(p, regions, settings))
    problems: list[Problem] = []
    shortlist = [r for _, r in read_rows(folder / "shortlist.jsonl", SHORTLIST_FIELDS, {
        "region_code": regency(regions), "innovation_id": an_id,
        "decision": one_of(DECISIONS), "note": string, "who": string, "account": string,
        "created_at": seconds}, problems)]
    accounts = [r for _, r in read_rows(folder / "accounts.jsonl", ACCOUNT_FIELDS, {
        "name": matching(_ACCOUNT_NAME, "an account name"), "role": one_of(ROLES),
        "key_id": matching(_KEY_ID, "a 12-digit hex key id"), "created_at": seconds}, problems,
        unique=("name", "key_id"))]
    replications = (_replications(folder / "replications.jsonl", regions, problems)
                    if "replications.jsonl" in FILES_OF[manifest["version"]] else [])
    vectors = _vectors(folder, build, problems)
    snap = Snapshot(build, innovations, gaps, shortlist, accounts, vectors, manifest, replications)
    for what, count in snap.counts().items():
        if what == "replications" and manifest["version"] == 1:
            continue  # format 1 had no history
        if not problems and manifest["counts"].get(what) != count:
            name = "vectors.tsv" if what == "vectors" else f"{what}.jsonl"
            problems.append(Problem(str(folder / name), None, None,
                                    f"holds {count} records, the manifest says {manifest['counts'].get(what)}"))
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: (p.file, p.row or 0)))
    return snap
