"""Indonesian normaliser: real gap phrases, abbreviations, offsets, invisible characters, stemmers, cache."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.engine.lexicon import ACRONYMS, ALIASES, SHORT_FORMS
from matcher.engine.text import (
    ABBREVIATIONS,
    NEGATIONS,
    STOPWORDS,
    Analyzer,
    Stemmer,
    Token,
    expand_abbreviations,
    normalize,
    tokenize,
)
from matcher.errors import ConfigError, StoreError

GAPS = [
    "Pelayanan KTP-el di Disdukcapil masih lambat, warga harus datang 3 kali.",
    "Banyak bumil KEK di wilayah kerja pustu yg blm punya akta kelahiran anaknya.",
    "Angka anak-anak putus sekolah (ATS) tinggi di desa 3T; PKBM dan TBM blm berjalan.",
    "Pengaduan masyarakat via LAPOR! tdk ditindaklanjuti OPD dlm 14 hari.",
    "Kab./Kota blm punya TPS3R, bank sampah gak jalan, BABS msh 35% KK.",
    "Perizinan PBG/IMB & NIB lewat OSS blm dipahami pelaku UMKM, dll.",
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
             "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u00ad", "\ufe0f"]
EMOJI = ["😀", "👍🏽", "🇮🇩", "👨\u200d👩\u200d👧", "❤\ufe0f", "✅"]
NASTY = ["", " ", "\ud800", "a\udfffb", "\u0301\u0301", "\x00\x1f\x7f", "\ufdfd", "ß İ ı", "--a--", "a''b", "-e-ktp-",
         "1.2.3.4.5", "%%%", "Rp.5", "\U000e0041\U000e007f", "2\ufe0f\u20e3", "a\u2028b\u2029c\x85d", "x" * 20000,
         "مرحبا KTP", "漢字 bumil", "\u202eKTP\u202c", "s.d.", "a.", ".a.b.", "ktp--el", "'", "’’", "— –"]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


# --- normalize --------------------------------------------------------------------------------------------------

def test_normalize_folds_width_accents_quotes_dashes_case_and_space():
    assert normalize("  Ｐｅｌａｙａｎａｎ\u3000KTP  ") == "pelayanan ktp"
    assert normalize("Kafé “Desa” ‘Wisata’ – ﬁnal\t\n①") == "kafe \"desa\" 'wisata' - final 1"
    assert normalize("e\u0301 é İ") == "e e i"


def test_normalize_removes_invisible_and_spaces_emoji():
    assert normalize("K\u200bT\u200dP\u202e-el\ufeff") == "ktp-el"
    assert normalize("mudah👍🏽cepat ✅") == "mudah cepat"
    assert normalize("a\x00b\x07c") == "a b c"


@pytest.mark.parametrize("text", NASTY)
def test_nothing_crashes_on_nasty_strings(analyzer, text):
    assert isinstance(normalize(text), str)
    assert isinstance(expand_abbreviations(text), str)
    pairs = analyzer.analyze(text)
    assert [t for _, ts in pairs for t in ts] == analyzer.terms(text)
    assert all(text[tok.start:tok.end] == tok.surface for tok, _ in pairs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_any_text_survives_and_offsets_point_into_the_original(analyzer, text):
    normalize(text)
    expand_abbreviations(text)
    pairs = analyzer.analyze(text)
    assert [t for _, ts in pairs for t in ts] == analyzer.terms(text)
    for tok, _ in pairs:
        assert 0 <= tok.start < tok.end <= len(text)
        assert text[tok.start:tok.end] == tok.surface


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(GAPS), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(INVISIBLE)), max_size=12))
def test_injected_invisible_characters_change_nothing(analyzer, clean, injections):
    dirty = clean
    for pos, ch in injections:
        i = pos % (len(dirty) + 1)
        dirty = dirty[:i] + ch + dirty[i:]
    assert normalize(dirty) == normalize(clean)
    assert analyzer.terms(dirty) == analyzer.terms(clean)
    assert [t.norm for t in tokenize(dirty)] == [t.norm for t in tokenize(clean)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(GAPS), st.lists(st.tuples(st.integers(0, 100), st.sampled_from(EMOJI)), max_size=6))
def test_emoji_between_words_change_no_terms(analyzer, clean, injections):
    words = clean.split(" ")
    for pos, emoji in injections:
        words.insert(pos % (len(words) + 1), emoji)
    assert analyzer.terms(" ".join(words)) == analyzer.terms(clean)


# --- tokens and offsets -----------------------------------------------------------------------------------------

def test_tokens_keep_offsets_and_original_form():
    text = "Pelayanan KTP\u200b-el di  Kab./Kota 14 hari"
    toks = tokenize(text)
    assert [t.surface for t in toks] == ["Pelayanan", "KTP\u200b-el", "di", "Kab", "Kota", "14 hari"]
    assert [t.norm for t in toks] == ["pelayanan", "ktp-el", "di", "kab", "kota", "14 hari"]
    assert all(text[t.start:t.end] == t.surface for t in toks)
    assert toks[0] == Token("Pelayanan", 0, 9, "pelayanan")


def test_analyze_maps_expansion_terms_back_to_the_abbreviation(analyzer):
    pairs = analyzer.analyze("Bumil KEK di Pustu")
    by_surface = {tok.surface: terms for tok, terms in pairs}
    assert {"bumil", "ibu", "hamil"} <= set(by_surface["Bumil"])
    assert {"kek", "energi", "kronis"} <= set(by_surface["KEK"])
    assert by_surface["di"] == []
    assert {"pustu", "puskesmas"} <= set(by_surface["Pustu"])


# --- real gap phrases -------------------------------------------------------------------------------------------

def test_ktp_el_at_disdukcapil(analyzer):
    terms = analyzer.terms("Pelayanan KTP-el di Disdukcapil")
    assert terms[0] == "layan"
    assert {"ktp-el", "ktp", "kartu", "tanda", "duduk", "elektronik", "disdukcapil", "catat", "sipil"} <= set(terms)
    assert "di" not in terms


def test_bumil_kek_at_pustu(analyzer):
    assert analyzer.terms("bumil KEK di pustu") == [  # a negation inside an expansion is no term (issue 12)
        "bumil", "ibu", "hamil", "kek", "energi", "kronis", "pustu", "puskesmas", "bantu"]


def test_reduplication_and_informal_forms(analyzer):
    assert analyzer.terms("anak-anak putus sekolah") == ["anak", "putus", "sekolah"]
    assert analyzer.terms("anak2 putus sekolah") == ["anak", "putus", "sekolah"]
    assert analyzer.terms("yg blm punya akta") == ["belum", "akta"]
    assert analyzer.terms("gak ada nakes, tdk ada dokter") == analyzer.terms("tidak ada nakes, tidak ada dokter")
    assert analyzer.terms("ijin usaha") == analyzer.terms("izin usaha")


def test_abbreviation_and_its_expansion_share_terms_both_ways(analyzer):
    short, long = set(analyzer.terms("KTP")), set(analyzer.terms("Kartu Tanda Penduduk"))
    assert {"kartu", "tanda", "duduk"} <= short & long
    assert set(analyzer.terms("e-KTP")) == set(analyzer.terms("KTP-el")) == set(analyzer.terms("ktp el"))
    assert "ktp" in analyzer.terms("ber-KTP") and "ktp" in analyzer.terms("KTP-nya")
    assert analyzer.terms("Dispendukcapil") == analyzer.terms("Disdukcapil")  # alias: one term, one expansion
    assert {"duduk", "catat", "sipil"} <= set(analyzer.terms("Disdukcapil")) & set(analyzer.terms("Dukcapil"))


def test_ambiguous_abbreviations_emit_every_sense(analyzer):
    kia = set(analyzer.terms("KIA"))
    assert {"kia", "identitas", "anak", "ibu", "sehat"} <= kia
    assert {"kartu", "keluarga", "kepala"} <= set(analyzer.terms("KK"))


def test_region_abbreviations_and_slashes(analyzer):
    assert analyzer.terms("Kab./Kota") == ["kabupaten", "kota"]
    assert analyzer.terms("kab/kota") == ["kabupaten", "kota"]
    assert analyzer.terms("Kec. Lamongan, Kel. Sukajadi, Prov. Jatim") == [
        *analyzer.terms("Kecamatan Lamongan, Kelurahan Sukajadi, Provinsi"), "jatim", "jawa", "timur"]
    assert "kepala" in analyzer.terms("Kades") and "desa" in analyzer.terms("Pemdes")


def test_numbers_units_codes_and_filler(analyzer):
    assert analyzer.terms("14 hari") == ["14_hari", "hari"]
    assert analyzer.terms("14hr") == ["14_hari", "hari"]
    assert analyzer.terms("5%") == ["5_persen", "persen"]
    assert analyzer.terms("Rp 2,5 jt") == ["2.5_juta", "juta"]
    assert analyzer.terms("tahun 2019") == ["tahun"]
    assert analyzer.terms("3T")[0] == "3t" and "tinggal" in analyzer.terms("daerah 3T")
    assert analyzer.terms("dll, dsb, dst.") == []
    assert analyzer.terms("s.d. akhir") == ["akhir"]


def test_lapor_channel_is_not_the_verb(analyzer):
    assert analyzer.terms("LAPOR!")[0] == "lapor!"
    assert analyzer.terms("lapor") == ["lapor"]


# --- options ----------------------------------------------------------------------------------------------------

def test_negations_are_kept_unless_asked(analyzer):
    assert analyzer.terms("belum ada tenaga") == ["belum", "tenaga"]
    assert Analyzer(stopwords=STOPWORDS | NEGATIONS).terms("belum ada tenaga") == ["tenaga"]
    assert Analyzer(stopwords=False, stemmer="none").terms("yang di desa") == ["yang", "di", "desa"]
    with pytest.raises(ConfigError):
        Analyzer(stopwords="di").terms("x")


def test_expand_off_keeps_the_abbreviation_only():
    assert Analyzer(expand=False).terms("KTP yg hilang") == ["ktp", "hilang"]


@pytest.mark.parametrize(("stemmer", "expected"), [
    ("sastrawi", ["layan", "izin", "duduk"]),
    ("snowball", ["layan", "izin"]),
    ("none", ["pelayanan", "perizinan", "kependudukan"]),
])
def test_stemmers(stemmer, expected):
    terms = Analyzer(stemmer=stemmer).terms("pelayanan perizinan kependudukan")
    assert terms[:len(expected)] == expected


def test_unknown_stemmer_fails_clearly():
    with pytest.raises(ConfigError, match="sastrawi"):
        Analyzer(stemmer="porter").terms("x")  # type: ignore[arg-type]


def test_batch_matches_single(analyzer):
    batch = analyzer.terms_many(GAPS)
    assert len(batch) == len(GAPS)
    assert batch == [analyzer.terms(g) for g in GAPS]


# --- stem cache -------------------------------------------------------------------------------------------------

def test_stem_cache_round_trip(tmp_path):
    first = Analyzer()
    terms = first.terms_many(GAPS)
    path = first.save_cache(tmp_path / "stems.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["stemmer"] == "sastrawi" and data["stems"]["pelayanan"] == "layan"
    second = Analyzer().load_cache(path)
    assert second.stemmer_.cache_ == first.stemmer_.cache_
    assert second.terms_many(GAPS) == terms


def test_stem_cache_refuses_other_stemmer_or_garbage(tmp_path):
    path = Stemmer("snowball").save_cache(tmp_path / "stems.json")
    with pytest.raises(StoreError, match="snowball"):
        Stemmer("sastrawi").load_cache(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError):
        Analyzer().load_cache(path)


def test_shared_stemmer_instance():
    stemmer = Stemmer("sastrawi")
    Analyzer(stemmer=stemmer).terms("pelayanan")
    assert stemmer.cache_["pelayanan"] == "layan"


# --- dense rewrite ----------------------------------------------------------------------------------------------

def test_expand_abbreviations_for_the_dense_encoder():
    out = expand_abbreviations("Bumil KEK di pustu yg blm punya KTP di Kab. Malang. KTP lagi.")
    assert out == ("Bumil (ibu hamil) KEK (kurang energi kronis) di pustu (puskesmas pembantu) yang belum punya "
                   "KTP (kartu tanda penduduk) di Kabupaten Malang. KTP lagi.")
    assert expand_abbreviations("Kartu Keluarga (KK) hilang") == "Kartu Keluarga (KK) hilang"
    assert expand_abbreviations("KIA") == "KIA (kartu identitas anak / kesehatan ibu dan anak)"
    assert expand_abbreviations("warga ber-KTP") == "warga ber-KTP (kartu tanda penduduk)"


# --- lexicon ----------------------------------------------------------------------------------------------------

def test_lexicon_is_large_clean_and_reachable():
    assert len(ABBREVIATIONS) >= 300
    for key, expansion in ABBREVIATIONS.items():
        assert key == normalize(key) and expansion.strip(), key
        assert [t.norm for t in tokenize(key)] == [key], f"{key!r} can never be matched"
    assert all(target in ACRONYMS for target in ALIASES.values())
    assert not set(SHORT_FORMS) & set(ACRONYMS)
    assert {"opd", "puskesmas", "posyandu", "bumdes", "umkm", "apbd", "pad", "3t", "dtks", "lapor!"} <= set(ACRONYMS)
