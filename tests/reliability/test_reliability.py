"""Reliability: hostile input files, rejected files, SIGKILL during `matcher index`, invisible Unicode.

1. The loaders, fed random and malformed JSONL/CSV/TSV/XLSX files, return valid records or raise a
   ValidationError whose problems name the file; never any other exception.
2. A rejected file changes nothing already stored.
3. `matcher index` killed with SIGKILL at any moment leaves a store that `matcher check` accepts (the old
   or the new state), and the same command run again completes.
4. Combining marks, zero-width characters, bidi marks and emoji injected into a gap do not change its top 3.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import INDEX_MINI, run
from helpers.kills import hooked
from helpers.paths import FIXTURES
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from matcher.data.loaders import load_gaps, load_innovations, load_qrels
from matcher.data.records import Gap, Innovation, Judgment
from matcher.errors import ValidationError

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- 1. fuzzing the loaders ---------------------------------------------------------------------------------

INNOVATION_FIELDS = ["id", "title", "description", "region_code", "institution", "sector", "year", "stage",
                     "digital", "award", "Region Code", "metadata", "", " ", "id ", "catatan"]
GAP_FIELDS = ["id", "region_code", "text", "sector", "priority", "Region-Code", "TEXT", "", "kontak"]
QREL_FIELDS = ["gap_id", "innovation_id", "relevance", "Gap ID", "", "split"]

NASTY = [
    "=HYPERLINK(\"http://evil.example\",\"klik\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)",
    "\x00", "a\x00b", "\u200b", "\u202eRTL\u202c", "\ufeff", "e\u0301", "😀", "\r\n", "\"", "\"\"", ",", ";", "\t",
    "81.01", "73.72", "35.07", "Kab. Malang", "Malang", "kota makassar", "81", "kesehatan", "uji coba",
    "penerapan", "top_45", "ya", "tidak", "2019", "2019.0", "2019.5", "1e3", "-0", "NaN", "Infinity", "0", "3",
    "   ", "", "x" * 70_000, "kata " * 20_000,
]
cell_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                      st.text(st.characters(codec="latin-1"), max_size=20))
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                      st.floats(allow_nan=True, allow_infinity=True), cell_text)
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
noise = st.binary(max_size=300)

# Well-formed records (with hostile but legal values), so the files also reach the loaders' success path.
_VALID = {
    "innovations": {"id": st.sampled_from(["F1", "F2", "INO-3", "=1+1"]),
                    "title": st.sampled_from(["Ambulans Laut", '=HYPERLINK("http://x","klik")', "Pelayanan 😀"]),
                    "description": st.sampled_from(["Perahu rujukan ibu hamil.", "Désa terpencil", "+1+1 KTP-el"]),
                    "region_code": st.sampled_from(["81.01", "73.72", "Kab. Malang", "kota makassar"])},
    "gaps": {"id": st.sampled_from(["G1", "G2", "@SUM(A1)"]), "region_code": st.sampled_from(["81.01", "35.07"]),
             "text": st.sampled_from(["Ibu hamil di pulau sulit dirujuk.", "Antrean KTP panjang ☹"])},
    "qrels": {"gap_id": st.sampled_from(["G1", "G2"]), "innovation_id": st.sampled_from(["I1", "I2", "I3"]),
              "relevance": st.sampled_from(["0", "1", "2", "3"])},
}


def _valid_rows(kind: str) -> st.SearchStrategy[list[dict[str, str]]]:
    key = (lambda r: (r["gap_id"], r["innovation_id"])) if kind == "qrels" else (lambda r: r["id"])
    return st.lists(st.fixed_dictionaries(_VALID[kind]), min_size=1, max_size=4, unique_by=key)


def _valid_grid(kind: str) -> st.SearchStrategy[list[list[str]]]:
    return _valid_rows(kind).map(lambda rows: [list(rows[0]), *[list(r.values()) for r in rows]])


def _jsonl(fields: list[str], kind: str) -> st.SearchStrategy[bytes]:
    obj = st.dictionaries(st.sampled_from(fields) | st.text(max_size=10), json_value, max_size=len(fields))
    line = st.one_of(
        st.fixed_dictionaries(_VALID[kind]).map(lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8")),
        obj.map(lambda o: json.dumps(o, allow_nan=True).encode()),
        obj.map(lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8")),
        json_value.map(lambda v: json.dumps(v).encode()),  # not an object
        obj.map(lambda o: json.dumps(o, ensure_ascii=False).encode("latin-1", "replace")),
        noise,
        st.just(b""),
    )
    return st.tuples(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]), st.lists(line, max_size=6),
                     st.sampled_from([b"\n", b"\r\n"])).map(lambda t: t[0] + t[2].join(t[1]))


def _grid(fields: list[str], kind: str) -> st.SearchStrategy[list[list[str]]]:
    header = st.lists(st.sampled_from(fields) | cell_text, max_size=len(fields) + 2)
    rows = st.lists(st.lists(cell_text, max_size=len(fields) + 2), max_size=5)
    return st.one_of(st.tuples(header, rows).map(lambda t: [t[0], *t[1]]),  # with a header of sorts
                     rows,  # no header at all
                     _valid_grid(kind))  # well-formed


def _delimited(fields: list[str], kind: str, delimiter: str) -> st.SearchStrategy[bytes]:
    def write(grid: list[list[str]], encoding: str, bom: bool) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter).writerows(grid)
        prefix = "\ufeff" if bom else ""
        return (prefix + buf.getvalue()).encode(encoding, "replace")
    written = st.builds(write, _grid(fields, kind), st.sampled_from(["utf-8", "latin-1", "cp1252"]), st.booleans())
    # written files, raw noise, and written files with noise spliced in
    return st.one_of(written, noise, st.tuples(written, noise, st.integers(0, 10_000)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:]))


def _write_xlsx(path: Path, grid: list[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in grid:
        sheet.append([_xlsx_safe(v) for v in row])
    workbook.save(path)


def _xlsx_safe(value: Any) -> Any:
    """openpyxl refuses control characters in cells; everything else goes in as typed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000] if isinstance(value, str) else value


def _xlsx(fields: list[str], kind: str) -> st.SearchStrategy[tuple[str, Any]]:
    typed = st.one_of(cell_text, st.none(), st.booleans(), st.integers(-10**6, 10**6),
                      st.floats(allow_nan=False, allow_infinity=False), st.dates(), st.datetimes())
    header = st.lists(st.sampled_from(fields) | cell_text, max_size=len(fields) + 2)
    rows = st.lists(st.lists(typed, max_size=len(fields) + 2), max_size=5)
    grid = st.one_of(st.tuples(header, rows).map(lambda t: [t[0], *t[1]]), rows, _valid_grid(kind))
    return st.one_of(grid.map(lambda g: ("grid", g)), noise.map(lambda b: ("bytes", b)),
                     grid.map(lambda g: ("truncated", g)))


def _file(fields: list[str], kind: str, tabular: str = ".csv") -> st.SearchStrategy[tuple[str, Any]]:
    return st.one_of(
        _jsonl(fields, kind).map(lambda b: (".jsonl", b)),
        _delimited(fields, kind, ",").map(lambda b: (tabular, b)),
        _delimited(fields, kind, ";").map(lambda b: (".csv", b)),
        _delimited(fields, kind, "\t").map(lambda b: (".tsv", b)),
        _xlsx(fields, kind).map(lambda x: (".xlsx", x)),
    )


# What the fuzz tests draw from, and what test_fuzz_reaches_both_outcomes searches.
FILES = {"innovations": _file(INNOVATION_FIELDS, "innovations"), "gaps": _file(GAP_FIELDS, "gaps"),
         "qrels": _file(QREL_FIELDS, "qrels", tabular=".tsv")}


class _Files:
    """Each example's file gets a fresh name in one folder (tmp_path is per test, not per example)."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0

    def write(self, suffix: str, content: Any) -> Path:
        self.count += 1
        path = self.folder / f"fuzz{self.count}{suffix}"
        if suffix != ".xlsx":
            path.write_bytes(content)
            return path
        kind, value = content
        if kind == "bytes":
            path.write_bytes(value)
        else:
            _write_xlsx(path, value)
            if kind == "truncated":
                data = path.read_bytes()
                path.write_bytes(data[: len(data) // 2])
        return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> _Files:
    return _Files(tmp_path_factory.mktemp("fuzz"))


def _assert_records_or_validation_error(load, path: Path, kind: type) -> None:
    try:
        records = load(path)
    except ValidationError as exc:
        assert exc.problems, "a ValidationError must carry its problems"
        assert all(p.file == str(path) for p in exc.problems), exc.report()
        assert all(isinstance(p.reason, str) and p.reason for p in exc.problems)
        return
    assert isinstance(records, list) and records
    for record in records:
        assert isinstance(record, kind)
        json.dumps(asdict(record) if kind is Judgment else record.to_dict())  # storable
    ids = [(r.gap_id, r.innovation_id) if kind is Judgment else r.id for r in records]
    assert len(set(ids)) == len(ids)


@FUZZ
@given(st.data())
def test_fuzzed_innovation_files_load_or_fail_cleanly(files, regions, data):
    suffix, content = data.draw(FILES["innovations"])
    path = files.write(suffix, content)
    _assert_records_or_validation_error(lambda p: load_innovations(p, regions), path, Innovation)


@FUZZ
@given(st.data())
def test_fuzzed_gap_files_load_or_fail_cleanly(files, regions, data):
    suffix, content = data.draw(FILES["gaps"])
    path = files.write(suffix, content)
    _assert_records_or_validation_error(lambda p: load_gaps(p, regions), path, Gap)


@FUZZ
@given(st.data())
def test_fuzzed_qrels_files_load_or_fail_cleanly(files, data):
    suffix, content = data.draw(FILES["qrels"])
    path = files.write(suffix, content)
    _assert_records_or_validation_error(load_qrels, path, Judgment)


# Searching the fuzz strategies for an outcome: a fixed seed, no example database, no shrinking.
SEARCH = settings(max_examples=1_000, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("kind", ["innovations", "gaps", "qrels"])
def test_fuzz_reaches_both_outcomes(tmp_path, regions, kind):
    """The strategies the three fuzz tests draw from are neither all noise nor all well-formed: searched with a
    fixed seed, each reaches a file that loads to records and a file that is refused with a ValidationError."""
    strategy = FILES[kind]
    load = {"innovations": lambda p: load_innovations(p, regions), "gaps": lambda p: load_gaps(p, regions),
            "qrels": load_qrels}[kind]
    files = _Files(tmp_path)

    def outcome(example: tuple[str, Any]) -> str:
        try:
            return "records" if load(files.write(*example)) else "empty"
        except ValidationError:
            return "refused"

    for wanted in ("records", "refused"):
        example = find(strategy, lambda ex, wanted=wanted: outcome(ex) == wanted, settings=SEARCH,
                       random=random.Random(f"{kind}-{wanted}"))
        assert outcome(example) == wanted, (kind, wanted, example)


# ---- CLI helpers ----------------------------------------------------------------------------------------------

QUERIES = ["bumil di pulau kecil susah dirujuk, tidak ada perahu", "akta kelahiran bayi baru lahir"]


def _matches(home: Path) -> list[list[tuple[str, float]]]:
    results = []
    for query in QUERIES:
        out = run(["match", query, "--k", "5", "--json"], home)
        assert out.returncode == 0, out.stderr
        results.append([(m["innovation"]["id"], round(m["score"], 6)) for m in json.loads(out.stdout)["data"]])
    return results


# ---- 2. a rejected file changes nothing -------------------------------------------------------------------

BAD_FILES = {
    "bad.csv": b"id,title,description,stage\nX1,Judul,Deskripsi,uji_coba\nX2,Judul,,selesai\n",
    "latin.csv": "id,title,description\nX1,Pelayanan,Désa terpencil\n".encode("latin-1"),
    "nul.csv": b"id,title,description\nX1,Ju\x00dul,Deskripsi\nX1,Judul,Deskripsi\n",
    "noise.xlsx": b"PK\x03\x04 not really a workbook",
    # (a first row of "Judul,Deskripsi" would be a header now: Indonesian headers are read, and ids derived)
    "headerless.csv": b"X1,Ambulans Laut,Speedboat rujukan\nX2,Lapor Sampah,Aplikasi aduan sampah\n",
}


@pytest.mark.slow
def test_rejected_file_changes_nothing_stored(tmp_path):
    home = tmp_path / "home"
    out = run(INDEX_MINI, home)
    assert out.returncode == 0, out.stderr
    before = _matches(home)
    generations = sorted(p.name for p in (home / "index").iterdir())
    for name, content in BAD_FILES.items():
        bad = tmp_path / name
        bad.write_bytes(content)
        out = run(["index", "--innovations", str(bad)], home)
        assert out.returncode == 2, (name, out.stdout, out.stderr)
        assert name in out.stderr and "Traceback" not in out.stderr
    check = run(["check"], home)
    assert check.returncode == 0 and check.stdout.startswith("ok: 8 innovations, 3 gaps"), check.stderr
    assert sorted(p.name for p in (home / "index").iterdir()) == generations
    assert _matches(home) == before


# ---- 3. SIGKILL during `matcher index` ---------------------------------------------------------------------

# Deterministic kill points inside the write (helpers.kills), each at the first call of its step.
HOOK_POINTS = ["new_generation", "write_generation", "commit_generation", "prune"]
DELAYS = [0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.1]  # fractions of an uninterrupted run's wall time


@pytest.fixture(scope="module")
def old_home(tmp_path_factory) -> Path:
    """A store holding an earlier index: 6 of the 8 mini innovations (one of them with another text)."""
    folder = tmp_path_factory.mktemp("old")
    lines = (FIXTURES / "mini_innovations.jsonl").read_text().splitlines()[:6]
    first = json.loads(lines[0])
    first["description"] += " Versi lama."
    lines[0] = json.dumps(first, ensure_ascii=False)
    six = folder / "six.jsonl"
    six.write_text("\n".join(lines) + "\n")
    home = folder / "home"
    out = run(["index", "--innovations", str(six), "--gaps", str(FIXTURES / "mini_gaps.jsonl")], home)
    assert out.returncode == 0, out.stderr
    assert run(["check"], home).stdout.startswith("ok: 6 innovations")
    return home


def _check_after_kill(home: Path, where: str) -> int:
    out = run(["check"], home)
    assert out.returncode == 0, f"after a kill at {where}: {out.stderr}"
    count = int(out.stdout.split()[1])
    assert count in (6, 8), out.stdout  # the old state or the new one, nothing in between
    return count


def _rerun_completes(home: Path, where: str) -> None:
    out = run(INDEX_MINI, home)
    assert out.returncode == 0, f"re-run after a kill at {where}: {out.stderr}"
    check = run(["check"], home)
    assert check.returncode == 0 and check.stdout.startswith("ok: 8 innovations, 3 gaps"), check.stderr
    assert _matches(home)[0][0][0] == "M1"


@pytest.mark.slow
@pytest.mark.parametrize("point", HOOK_POINTS)
def test_sigkill_at_each_write_step_leaves_a_consistent_store(old_home, tmp_path, point):
    home = tmp_path / "home"
    shutil.copytree(old_home, home)
    environ = {**os.environ, "MATCHER_HOME": str(home)}
    out = subprocess.run(hooked(point, "1", INDEX_MINI), capture_output=True, text=True, env=environ, timeout=300)
    assert out.returncode == -signal.SIGKILL, out.stderr
    count = _check_after_kill(home, point)
    assert count == (8 if point == "prune" else 6)  # the commit is the single switch point
    _rerun_completes(home, point)


@pytest.mark.slow
def test_sigkill_after_delays_leaves_a_consistent_store(old_home, tmp_path):
    """SIGKILL at fractions of an uninterrupted run's time (measured here, so the kills land inside the run on a
    fast machine and on a slow one); at least one run must really be killed."""

    def start(home: Path) -> subprocess.Popen:
        shutil.copytree(old_home, home)
        return subprocess.Popen([sys.executable, "-m", "matcher.cli", *INDEX_MINI],
                                env={**os.environ, "MATCHER_HOME": str(home)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.monotonic()
    assert start(tmp_path / "home-whole").wait(timeout=300) == 0
    whole = time.monotonic() - started
    states: dict[str, str] = {}
    for fraction in DELAYS:
        delay = round(fraction * whole, 2)
        home = tmp_path / f"home-{fraction}"
        proc = start(home)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)  # a no-op if it already finished
        proc.wait(timeout=60)
        count = _check_after_kill(home, f"{delay}s")
        states[f"{delay}s"] = f"{'killed' if proc.returncode == -signal.SIGKILL else 'finished'}, {count}"
        _rerun_completes(home, f"{delay}s")
    kills = sum(state.startswith("killed") for state in states.values())
    print(f"{kills} of {len(DELAYS)} runs killed (a whole run took {whole:.2f} s);",
          "kill points (delay: outcome, innovations after):", states)
    assert kills >= 1, f"no run was killed (a whole run took {whole:.2f} s): {states}"


# ---- 4. invisible and decorative Unicode does not move the ranking ----------------------------------------

INJECTIONS = {
    "zero-width space": lambda s: s.replace(" ", " \u200b") + "\u200b",
    "zero-width joiner in words": lambda s: " ".join(w[:2] + "\u200d" + w[2:] if len(w) > 3 else w
                                                     for w in s.split(" ")),
    "bidi marks": lambda s: "\u200f" + " ".join(f"\u202a{w}\u202c" for w in s.split(" ")) + "\u200e",
    "combining marks": lambda s: s.replace("a", "a\u0301").replace("i", "i\u0308"),
    "decomposed accents": lambda s: s.replace("e", "e\u0300"),
    "emoji": lambda s: "🙏 " + s.replace(", ", " 😢, ").replace(". ", " 🏥. ") + " 👍🏽",
    "soft hyphen and BOM": lambda s: "\ufeff" + s.replace("an ", "\u00adan "),
    "all at once": lambda s: "\u200f🙏" + " \u200b".join(w + "\u0301" if len(w) > 4 else w
                                                        for w in s.split(" ")) + "\u200e",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(INJECTIONS))
def test_unicode_noise_does_not_change_top3(mini_matcher, mini, kind):
    inject = INJECTIONS[kind]
    for gap in mini[1]:
        dirty = inject(gap.text)
        assert dirty != gap.text
        clean_ids = [m.innovation.id for m in mini_matcher.match(gap.text, region=gap.region_code, k=3)]
        dirty_ids = [m.innovation.id for m in mini_matcher.match(dirty, region=gap.region_code, k=3)]
        assert dirty_ids == clean_ids, (kind, gap.id, dirty)
