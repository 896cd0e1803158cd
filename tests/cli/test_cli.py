"""The CLI contract end to end, in subprocesses, as scripts and checks call it."""

from __future__ import annotations

import json

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
