"""The word lists as data files: they load to exactly the lists the Python module held, and a bad file fails
at load with its file, line and problem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.lexicon import append, copy_lexicon, problems

from matcher.engine import lexicon
from matcher.engine.lexicon import FOLDER, LexiconError, load

SNAPSHOT = Path(__file__).parents[1] / "fixtures" / "lexicon_snapshot.json"


# --- the shipped files ---------------------------------------------------------------------------------------

def test_files_load_to_the_lists_of_the_python_module_they_replaced():
    snap = json.loads(SNAPSHOT.read_text(encoding="utf-8"))  # dumped at ba80c95; senses of issue 12 added
    assert lexicon.LEXICON.sectors == snap["sectors"]
    for name in ("ACRONYMS", "ALIASES", "SHORT_FORMS", "ABBREVIATIONS", "UNITS"):
        value = getattr(lexicon, name)
        assert type(value) is dict and value == snap[name], name
    for name in ("NEGATIONS", "STOPWORDS", "AFFIXES"):
        value = getattr(lexicon, name)
        assert type(value) is frozenset and sorted(value) == snap[name], name


def test_every_list_is_read_from_a_file_in_the_package():
    files = {p.relative_to(FOLDER).as_posix() for p in FOLDER.rglob("*") if p.suffix in (".tsv", ".txt")}
    assert {"aliases.tsv", "short_forms.tsv", "units.tsv", "stopwords.txt", "negations.txt", "affixes.txt",
            "acronyms/health.tsv", "acronyms/government.tsv", "senses.tsv", "sector_words.tsv",
            "thesaurus.tsv"} <= files
    assert len([f for f in files if f.startswith("acronyms/")]) == len(lexicon.LEXICON.sectors) == 14


# --- validation ----------------------------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_lexicon(tmp_path)


def test_the_copy_loads_unchanged(folder: Path):
    assert load(folder) == lexicon.LEXICON


def test_a_key_repeated_across_sector_files_names_both_places(folder: Path):
    population = (folder / "acronyms/population.tsv").read_text(encoding="utf-8").split("\n")
    first = population.index("ktp\tkartu tanda penduduk") + 1
    line = append(folder / "acronyms/social.tsv", "ktp\tkartu tanda penduduk")
    [p] = problems(folder)
    assert (p.file, p.row, p.field) == (str(folder / "acronyms/social.tsv"), line, "abbreviation")
    assert p.reason == f"'ktp' is defined twice: already in acronyms/population.tsv, line {first}"


def test_a_key_repeated_within_one_file(folder: Path):
    line = append(folder / "acronyms/places.tsv", "jatim\tjawa timur")
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field) == ("places.tsv", line, "abbreviation")
    assert "'jatim' is defined twice: already in acronyms/places.tsv, line " in p.reason


@pytest.mark.parametrize(("file", "line"), [("aliases.tsv", "ktp\tktp-el"), ("short_forms.tsv", "puskesmas\tpkm")])
def test_an_alias_or_short_form_may_not_redefine_an_abbreviation(folder: Path, file: str, line: str):
    n = append(folder / file, line)
    [p] = problems(folder)
    assert (Path(p.file).name, p.row) == (file, n) and " is defined twice: already in acronyms/" in p.reason


@pytest.mark.parametrize("bad", ["ktp kartu tanda penduduk", "ktp\tkartu tanda penduduk\tpopulation"])
def test_a_line_with_the_wrong_number_of_fields(folder: Path, bad: str):
    line = append(folder / "acronyms/population.tsv", bad)
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field) == ("population.tsv", line, None)
    assert p.reason == f"expected 2 tab-separated fields (abbreviation, expansion), found {bad.count(chr(9)) + 1}"


@pytest.mark.parametrize(("bad", "field"), [("xyz\t", "expansion"), ("\txyz", "abbreviation")])
def test_an_empty_value(folder: Path, bad: str, field: str):
    line = append(folder / "acronyms/social.tsv", bad)
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field, p.reason) == ("social.tsv", line, field, f"empty {field}")


@pytest.mark.parametrize(("key", "hint"), [("XYZ", "write 'xyz'"), ("xyz ", "write 'xyz'"),
                                           ("satpol  xyz", "write 'satpol xyz'"), ("\u00e9kt", "use ASCII letters")])
def test_a_key_the_analyser_never_produces(folder: Path, key: str, hint: str):
    line = append(folder / "acronyms/government.tsv", f"{key}\tsesuatu")
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field) == ("government.tsv", line, "abbreviation")
    assert p.reason == f"{key!r} is not normalised: {hint} (lower-case ASCII, single spaces)"


def test_a_value_with_stray_spaces(folder: Path):
    line = append(folder / "short_forms.tsv", "xyz\tyang  ini")
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field, p.reason) == ("short_forms.tsv", line, "standard",
                                                              "'yang  ini' has stray spaces")


def test_an_alias_of_an_unknown_abbreviation(folder: Path):
    line = append(folder / "aliases.tsv", "e-xyz\txyz")
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.field) == ("aliases.tsv", line, "abbreviation")
    assert p.reason == "'xyz' is not an abbreviation defined in acronyms/"


def test_a_header_without_the_named_columns(folder: Path):
    path = folder / "units.tsv"
    path.write_text(path.read_text(encoding="utf-8").replace("unit\tname\n", "unit\tfull name\n"), encoding="utf-8")
    [p] = problems(folder)
    assert (Path(p.file).name, p.row) == ("units.tsv", 3)
    assert p.reason == "the header must name the columns 'unit' and 'name' once each, tab-separated"


@pytest.mark.parametrize(("word", "reason"), [("yang", "'yang' is listed twice: already on line 2"),
                                              ("lain lain", "'lain lain' is not one normalised word "
                                                            "(lower-case ASCII, no spaces)"),
                                              ("Dan", "'Dan' is not one normalised word (lower-case ASCII, no spaces)")])
def test_a_bad_word_in_a_word_list(folder: Path, word: str, reason: str):
    line = append(folder / "stopwords.txt", word)
    [p] = problems(folder)
    assert (Path(p.file).name, p.row, p.reason) == ("stopwords.txt", line, reason)


def test_missing_files_and_a_folder_without_sectors(folder: Path):
    (folder / "affixes.txt").unlink()
    (folder / "units.tsv").unlink()
    (folder / "aliases.tsv").write_text("# only a comment\n", encoding="utf-8")
    shutil.rmtree(folder / "acronyms")
    found = [(Path(p.file).name, p.row, p.reason.split(":")[0]) for p in problems(folder)]
    assert found == [
        ("acronyms", None, "no sector files (acronyms/<sector>.tsv)"),
        ("aliases.tsv", None, "the header must name the columns 'alias' and 'abbreviation' once each, tab-separated"),
        ("units.tsv", None, "cannot read the file"),
        ("affixes.txt", None, "cannot read the file"),
    ]


def test_every_problem_is_reported_in_one_pass_with_file_and_line_in_the_message(folder: Path):
    line = append(folder / "acronyms/health.tsv", "KK\tkartu keluarga")
    append(folder / "negations.txt", "tidak")
    with pytest.raises(LexiconError) as e:
        load(folder)
    assert len(e.value.problems) == 2
    assert str(e.value).startswith(f"{folder / 'acronyms/health.tsv'}, row {line}, field 'abbreviation': 'KK' ")
    assert str(e.value).endswith("(and 1 more problem(s))")


# --- what the format allows ----------------------------------------------------------------------------------

def test_a_new_column_comments_blank_lines_bom_and_crlf_are_accepted(folder: Path):
    """Issue 12 adds a sense per sector: a new named column must not break today's loader."""
    path = folder / "acronyms/fisheries.tsv"
    rows = [line for line in path.read_text(encoding="utf-8").split("\n") if line and not line.startswith("#")]
    widened = ["abbreviation\tsense\texpansion"] + [f"{k}\t\t{v}" for k, v in (r.split("\t") for r in rows[1:])]
    path.write_text("\ufeff# a comment\r\n\r\n" + "\r\n".join(widened) + "\r\n  # indented comment\r\n",
                    encoding="utf-8")
    assert load(folder) == lexicon.LEXICON


def test_a_new_sector_file_and_a_new_entry_are_picked_up(folder: Path):
    (folder / "acronyms/tourism.tsv").write_text("abbreviation\texpansion\nxyzw\twisata xyz\n", encoding="utf-8")
    append(folder / "aliases.tsv", "xyz-w\txyzw")
    loaded = load(folder)
    assert loaded.sectors["tourism"] == {"xyzw": "wisata xyz"}
    assert loaded.acronyms["xyzw"] == loaded.abbreviations["xyz-w"] == "wisata xyz"
