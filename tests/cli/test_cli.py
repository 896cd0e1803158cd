"""The CLI contract end to end, in subprocesses, as scripts and checks call it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers.cli import run
from helpers.paths import FIXTURES

pytestmark = pytest.mark.slow  # every test runs the CLI in a subprocess, most load the encoder


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli-home")
    out = run(["index", "--innovations", str(FIXTURES / "mini_innovations.jsonl"),
               "--gaps", str(FIXTURES / "mini_gaps.jsonl")], home)
    assert out.returncode == 0, out.stderr
    assert "indexed 8 innovations" in out.stdout and "embedded 11 texts" in out.stdout
    return home


def test_index_again_embeds_nothing(home):
    out = run(["index", "--innovations", str(FIXTURES / "mini_innovations.jsonl"),
               "--gaps", str(FIXTURES / "mini_gaps.jsonl")], home)
    assert out.returncode == 0 and "embedded 0 texts" in out.stdout and "unchanged 8" in out.stdout


def test_match_json(home):
    out = run(["match", "bumil di pulau kecil susah dirujuk, tidak ada perahu", "--k", "3", "--json"], home)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["count"] == 3 and payload["data"][0]["innovation"]["id"] == "M1"
    first = payload["data"][0]
    assert {"score", "dense", "lexical", "matched_terms", "best_sentence"} <= set(first)


def test_match_human_output_with_region_and_filters(home):
    out = run(["match", "akta kelahiran bayi", "--region", "Kota Makassar", "--sector",
               "administrasi_kependudukan", "--k", "5"], home)
    assert out.returncode == 0, out.stderr
    assert "M5" in out.stdout and "M3" not in out.stdout  # Makassar's own innovation is excluded


def test_eval_json_last_line(tmp_path):
    out = run(["eval", "--innovations", str(FIXTURES / "mini_innovations.jsonl"), "--gaps",
               str(FIXTURES / "mini_gaps.jsonl"), "--qrels", str(FIXTURES / "mini_qrels.tsv"), "--k", "3", "--json"],
              tmp_path / "untouched")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result) == {"ndcg@10", "recall@10", "mrr", "queries"} or set(result) == {
        "ndcg@3", "recall@3", "mrr", "queries"}
    assert result["queries"] == 3 and result["mrr"] == 1.0
    assert not (tmp_path / "untouched").exists()  # eval never touches MATCHER_HOME


def test_eval_regency_level_with_a_split_file(tmp_path):
    gap_ids = [json.loads(line)["id"] for line in (FIXTURES / "mini_gaps.jsonl").read_text().splitlines() if line]
    split = tmp_path / "split.tsv"
    split.write_text("gap_id\tsplit\n" + "".join(f"{g}\ttest\n" for g in gap_ids))
    out = run(["eval", "--innovations", str(FIXTURES / "mini_innovations.jsonl"), "--gaps",
               str(FIXTURES / "mini_gaps.jsonl"), "--qrels", str(FIXTURES / "mini_qrels.tsv"), "--level", "regency",
               "--split", "test", "--split-file", str(split), "--json"], tmp_path / "untouched")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert 1 <= result["queries"] <= 3 and 0.0 <= result["ndcg@10"] <= 1.0
    assert not (tmp_path / "untouched").exists()


def test_eval_groups_adds_the_group_level_ndcg_and_all_keeps_the_default_lists(tmp_path):
    base = ["eval", "--innovations", str(FIXTURES / "mini_innovations.jsonl"), "--gaps",
            str(FIXTURES / "mini_gaps.jsonl"), "--qrels", str(FIXTURES / "mini_qrels.tsv")]
    results = {}
    for groups in (None, "all", "collapse"):
        out = run(base + (["--groups", groups] if groups else []), tmp_path / "untouched")
        assert out.returncode == 0, out.stderr
        results[groups] = out.stdout.strip().splitlines()[-1]
    assert "group nDCG" not in results[None] and "groups collapse" in results["collapse"]
    plain = run(base + ["--groups", "all", "--json"], tmp_path / "untouched")
    result = json.loads(plain.stdout.strip().splitlines()[-1])
    assert set(result) == {"ndcg@10", "recall@10", "mrr", "queries", "group_ndcg@10"}
    # MATCHER_GROUP_LISTS is off: "all" ranks exactly as no option does
    assert results[None].split(": ", 1)[1] in results["all"]


@pytest.mark.parametrize("args, message", [
    (["match", "banjir", "--region", "Malang"], "35.07"),  # ambiguous: names both codes
    (["match", "banjir", "--region", "Atlantis"], "Atlantis"),
    (["match", "banjir", "--k", "0"], "--k"),
    (["index", "--innovations", "nope.jsonl"], "nope.jsonl"),
    (["match", "banjir", "--sector", "olahraga"], "olahraga"),
    (["eval", "--innovations", "x", "--gaps", "y", "--qrels", "z", "--level", "regency", "--channels", "dense"],
     "regency"),
])
def test_user_errors_print_one_line_and_exit_2(home, args, message):
    out = run(args, home)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.stderr


def test_bad_file_names_file_row_and_field(home, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,description,stage\nX1,Judul,Deskripsi,uji_coba\nX2,Judul,,selesai\n")
    out = run(["index", "--innovations", str(bad)], home)
    assert out.returncode == 2
    assert "bad.csv" in out.stderr and "row 3" in out.stderr and "description" in out.stderr
    # nothing stored was lost: the fixture index still answers
    assert run(["match", "perahu ibu hamil", "--k", "1", "--json"], home).returncode == 0


def test_store_built_with_other_model_is_refused(home):
    out = run(["match", "banjir"], home, MATCHER_MODEL="minilm")
    assert out.returncode == 2 and "rebuild" in out.stderr


def test_check_reports_a_consistent_store(home):
    out = run(["check"], home)
    assert out.returncode == 0 and out.stdout.startswith("ok: 8 innovations")


def test_check_without_an_index_says_what_to_do(tmp_path):
    out = run(["check"], tmp_path / "empty")
    assert out.returncode == 1 and "matcher index" in out.stderr
    assert not (tmp_path / "empty").exists()


# ---- rough edges a new user met (issue 13) ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_match_refuses_empty_text(home, text):
    out = run(["match", text], home)
    assert out.returncode == 2 and "empty" in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["Jawa Timur", "Provinsi Jawa Timur", "jatim"])
def test_a_province_given_as_region_points_to_province(home, name):
    out = run(["match", "banjir", "--region", name], home)
    assert out.returncode == 2 and "--province '35'" in out.stderr and "province Jawa Timur" in out.stderr
    assert "Jakarta" not in out.stderr


@pytest.mark.parametrize("word, expected", [("ya", True), ("Tidak", False), ("yes", True), ("no", False)])
def test_digital_takes_ya_tidak(home, word, expected):
    out = run(["match", "layanan ktp keliling", "--digital", word, "--k", "8", "--json"], home)
    assert out.returncode == 0, out.stderr
    found = [m["innovation"]["digital"] for m in __import__("json").loads(out.stdout)["data"]]
    assert found and set(found) == {expected}


def test_digital_refuses_other_words(home):
    out = run(["match", "banjir", "--digital", "mungkin"], home)
    assert out.returncode == 2 and "ya/tidak" in out.stderr


@pytest.mark.parametrize("args", [["match", "banjir", "--k", "101"], ["batch", "--all", "--k", "500", "--out", "x"],
                                  ["demo", "--k", "1000"]])
def test_k_is_capped_like_the_api(home, args, tmp_path):
    out = run(args, home)
    assert out.returncode == 2 and "1..100" in out.stderr


def test_every_subcommand_has_help_with_examples():
    from matcher.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        text = command.format_help()
        assert command.description and "examples:" in text and f"matcher {name}" in text, name
    match_help = sub.choices["match"].format_help()
    assert "how many innovations to list (1..100; default 10)" in " ".join(match_help.split())
    assert "ya|tidak" in match_help


@pytest.mark.parametrize("args", [["match", "banjir"], ["batch", "--all", "--out", "o"], ["users", "list"],
                                  ["plan", "--region", "81.03", "--innovation", "M1", "--out", "p.docx"],
                                  ["export", "backup"]])
def test_reading_without_a_store_says_so_and_creates_nothing(tmp_path, args):
    home = tmp_path / "nowhere" / ".matcher"
    out = subprocess.run([sys.executable, "-m", "matcher.cli", *args], capture_output=True, text=True,
                         env={**os.environ, "MATCHER_HOME": str(home)}, timeout=300, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert f"no matcher store in {home} (MATCHER_HOME)" in out.stderr and "matcher index" in out.stderr
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "o").exists()


def test_validate_prints_the_mapping_and_index_takes_a_map(home, tmp_path):
    out = run(["validate", "--innovations", str(FIXTURES / "contoh_ekspor_inovasi.csv"),
               "--gaps", str(FIXTURES / "contoh_kesenjangan.csv")], home)
    assert out.returncode == 0, out.stderr
    assert "Nama Inovasi -> title" in out.stdout and "Kesenjangan -> text" in out.stdout
    assert "5 innovations" in out.stdout and "no id column" in out.stderr
    renamed = tmp_path / "kegiatan.csv"
    renamed.write_text((FIXTURES / "contoh_ekspor_inovasi.csv").read_text(encoding="utf-8")
                       .replace("Nama Inovasi", "Nama Kegiatan", 1), encoding="utf-8")
    refused = run(["validate", "--innovations", str(renamed)], home)
    assert refused.returncode == 2 and "kegiatan.csv, row 1, field 'title'" in refused.stderr
    mapped = run(["validate", "--innovations", str(renamed), "--map", "Nama Kegiatan=title"], home)
    assert mapped.returncode == 0 and "Nama Kegiatan -> title" in mapped.stdout
    bad_map = run(["validate", "--innovations", str(renamed), "--map", "Nama Kegiatan=judul"], home)
    assert bad_map.returncode == 2 and "'judul' is not a field" in bad_map.stderr
