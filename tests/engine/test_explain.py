"""Explanations are honest: every highlighted word is in the innovation (itself, its stem, an abbreviation's
letters or spelled-out sense), none is noise, and the quoted sentence says what the innovation does."""

from __future__ import annotations

import math
import re
from collections import defaultdict

import pytest

from matcher.config import CORPUS_DIR
from matcher.data.loaders import load_gaps, load_innovations, load_qrels
from matcher.data.records import Innovation
from matcher.engine.bm25 import LexicalIndex
from matcher.engine.cues import CueList, generic_words
from matcher.engine.explain import Explainer, best_sentence, cue_factor, sentence_cues, split_sentences
from matcher.engine.highlights import GapWords, Noise, TermPair, TextIndex, pairs
from matcher.engine.lexicon import ACRONYMS, ALIASES, NEGATIONS, SHORT_FORMS, STOPWORDS
from matcher.engine.text import Analyzer, Need, normalize

ANALYZER = Analyzer()
PLAIN = Analyzer(expand=False)
GENERIC = generic_words()
NOISE = Noise.of(GENERIC, PLAIN.terms)


def highlights(gap: str, text: str, common=lambda t: False) -> list[TermPair]:
    return pairs(ANALYZER.analyze(gap), TextIndex(ANALYZER.analyze(text), text), NOISE, PLAIN.terms, common)


def labels(gap: str, text: str) -> list[str]:
    return [p.label for p in highlights(gap, text)]


def _senses(word: str) -> list[str]:
    key = ALIASES.get(normalize(word), normalize(word))
    return ACRONYMS[key].split(" / ") if key in ACRONYMS else [SHORT_FORMS.get(key, "")]


def _keys(words: str) -> set[str]:
    """The abbreviations a written form names: itself (or the one it is a variant of), or its hyphenated parts."""
    forms = [words, *words.split("-")]
    return {ALIASES.get(f, f) for f in forms} & set(ACRONYMS)


def assert_honest(pair: TermPair, gap_text: str, innovation_text: str, common=lambda t: False) -> None:
    """The oracle: the pair's sides are in their texts, they mean the same by their kind, and the gap word is
    no stopword, negation, number or generic word."""
    where = f"{pair} for gap {gap_text[:60]!r}"
    assert pair.innovation in innovation_text, where  # the innovation's words, as written
    assert re.search(rf"(?<!\w){re.escape(normalize(pair.gap))}(?!\w)", normalize(gap_text)), where
    gap_words, inv_words = normalize(pair.gap), normalize(pair.innovation)
    if pair.kind == "same":
        assert gap_words == inv_words, where
    elif pair.kind == "stem":
        assert set(PLAIN.terms(pair.gap)) <= set(PLAIN.terms(pair.innovation)), where  # "nenek" in "kakek-nenek"
    elif pair.kind == "abbreviation":
        spelled = [(a, b) for a, b in ((pair.gap, pair.innovation), (pair.innovation, pair.gap))
                   if any(PLAIN.terms(s) == PLAIN.terms(b) for s in _senses(a))]
        assert _keys(gap_words) & _keys(inv_words) or spelled, where
    elif pair.kind == "synonym":  # a symptom of the gap and a need word it points to (the thesaurus)
        needs = {t for tok, ts in ANALYZER.analyze(gap_text) if isinstance(tok, Need) and tok.surface == pair.gap
                 for t in ts}
        assert set(ANALYZER.terms(pair.innovation)) & needs, where
        return
    else:
        pytest.fail(f"unexpected kind {where}")
    words = gap_words.split()
    assert not (len(words) == 1 and words[0] in STOPWORDS | NEGATIONS | GENERIC), where
    assert not re.fullmatch(r"(rp\.? ?)?[\d.,%]+", gap_words), where
    if len(words) == 1 and gap_words not in ACRONYMS and ALIASES.get(gap_words) not in ACRONYMS:
        assert not all(t in NOISE.terms or common(t) for t in ANALYZER.terms(pair.gap)), where


# --- highlights ----------------------------------------------------------------------------------------------

def test_an_abbreviation_is_never_credited_for_one_word_of_its_expansion():
    gap = "Kasus PTM tinggi, warga tidak rutin cek tensi"
    investment = "Klinik Investasi. Investor tidak perlu datang ke kantor: izin diurus daring."
    assert labels(gap, investment) == []
    assert labels(gap, "Skrining penyakit tidak menular di pos desa.") == ["PTM \u2194 penyakit tidak menular"]
    assert labels(gap, "Posbindu PTM memeriksa tekanan darah.") == ["PTM"]
    assert labels(gap, "Pembelajaran tatap muka kembali.") == ["PTM \u2194 Pembelajaran tatap muka"]  # other sense


def test_a_phrase_of_the_gap_is_paired_with_the_abbreviation_the_innovation_writes():
    gap = "Penyakit tidak menular meningkat; penyakit menular juga"
    assert labels(gap, "Posbindu PTM keliling memantau tekanan darah.") == ["Penyakit tidak menular \u2194 PTM"]
    assert labels("pemerintah daerah lambat", "Pemda membuka layanan.") == []  # a generic abbreviation
    # an expansion's single words are never credited on their own (Posbindu names non-communicable disease)
    assert labels("penyakit menular kurang dipantau", "Posbindu PTM") == []


def test_pairs_show_the_innovation_form_of_stems_abbreviations_and_variants():
    gap = "Bumil KEK jarang ke pustu; pemberdayaan UMKM dan ijin usaha lambat, e-KTP belum jadi"
    text = ("Kader mendampingi ibu hamil kurang energi kronis di puskesmas pembantu, memberdayakan usaha mikro "
            "kecil dan menengah, mempercepat izin, mencetak KTP-el.")
    found = highlights(gap, text)
    assert [p.label for p in found] == [
        "Bumil \u2194 ibu hamil", "KEK \u2194 kurang energi kronis", "pustu \u2194 puskesmas pembantu",
        "pemberdayaan \u2194 memberdayakan", "UMKM \u2194 usaha mikro kecil dan menengah", "ijin \u2194 izin",
        "usaha", "e-KTP \u2194 KTP-el",
    ]
    assert [p.kind for p in found] == ["abbreviation"] * 3 + ["stem", "abbreviation", "stem", "same", "abbreviation"]
    for p in found:
        assert_honest(p, gap, text)


def test_noise_never_highlights():
    gap = "Tahun 2023 baru satu dari 14 desa yang tidak punya layanan, salah sasaran program, angka turun 20%"
    text = ("Tahun 2023 baru satu dari 14 desa yang tidak punya layanan; salah sasaran program; angka turun 20%. "
            "Sasaran dipetakan.")
    assert labels(gap, text) == ["sasaran"]


def test_generic_verbs_places_and_counts_never_highlight():
    """Words that say what happened, where or how many, not which service: "terjadi", "masuk", "tempat",
    "belasan" (and their stems: "kejadian", "dimasukkan")."""
    gap = "Belasan kasus terjadi tiap musim: air masuk ke tempat tinggal warga, hasil panen hilang, banjir terus"
    text = "Kejadian banjir dipetakan; air yang dimasukkan ke kolam retensi di tempat tinggal warga; hasil terus dipantau."
    assert labels(gap, text) == ["air", "banjir"]


def test_terms_common_in_the_catalogue_are_not_evidence():
    gap = "antrean panjang di loket"
    text = "Antrean dipangkas dengan loket keliling."
    assert labels(gap, text) == ["antrean", "loket"]  # case aside, the same word
    assert [p.gap for p in highlights(gap, text, common=lambda t: t == "loket")] == ["antrean"]


def test_a_word_is_shown_once_in_gap_order():
    assert labels("sampah, sampah plastik, Sampah, pulau-pulau dan pulau", "Plastik dan sampah dipilah di pulau.") == [
        "sampah", "plastik", "pulau-pulau \u2194 pulau"]


# --- best sentence -------------------------------------------------------------------------------------------

def test_split_sentences_keeps_abbreviations_together():
    text = ("Layanan dibuka di Kab. Sintang oleh dr. Ani. Hasilnya waktu tunggu turun dari 14 hari menjadi 2 hari! "
            "Warga puas.")
    assert split_sentences(text) == [
        "Layanan dibuka di Kab. Sintang oleh dr. Ani.",
        "Hasilnya waktu tunggu turun dari 14 hari menjadi 2 hari!",
        "Warga puas.",
    ]


def _words(s: str) -> list[str]:
    return s.lower().rstrip(".").split()


def test_best_sentence_weighs_rare_terms():
    text = "Program ini dimulai tahun 2019. Kader datang ke ibu hamil anemia di desa. Desa senang."
    weights = {"anemia": 3.0, "desa": 0.2, "hamil": 1.0}
    no_cues: CueList[float] = CueList({})
    assert best_sentence(text, weights, _words, no_cues) == "Kader datang ke ibu hamil anemia di desa."
    assert best_sentence(text, {}, _words, no_cues) == "Program ini dimulai tahun 2019."
    assert best_sentence("", weights, _words) == ""


def test_best_sentence_prefers_what_the_innovation_does_over_the_origin_problem():
    text = ("Sebelumnya banyak warga yang tidak punya akta kelahiran karena kantor jauh. "
            "Petugas mendatangi desa dan menerbitkan akta kelahiran di tempat. "
            "Kini cakupan akta kelahiran naik menjadi 95 persen.")
    weights = {"akta": 2.0, "lahir": 1.0, "jauh": 1.0}  # the problem sentence shares the most
    assert best_sentence(text, weights, ANALYZER.terms) == "Kini cakupan akta kelahiran naik menjadi 95 persen."
    assert best_sentence(text, {"desa": 1.0, "akta": 1.0}, ANALYZER.terms).startswith("Petugas mendatangi")
    # with no shared word, the action beats the problem statement that opens the description
    assert best_sentence(text, {}, ANALYZER.terms).startswith("Kini")


def test_cue_factors_come_from_the_data_file():
    cues = sentence_cues()
    assert cue_factor("Dulu warga harus antre berjam-jam.", cues) < 1 < cue_factor("Kini cukup lewat SMS.", cues)
    assert cue_factor("Kader rutin berkumpul.", cues) == 1.0
    assert cue_factor("Sebelumnya antre, kini cukup lewat SMS.", cues) == pytest.approx(
        cue_factor("kini", cues) * cue_factor("sebelumnya", cues))


# --- every judged pair of the bundled corpus -----------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled(regions):
    innovations = load_innovations(CORPUS_DIR / "innovations.jsonl", regions)
    gaps = load_gaps(CORPUS_DIR / "gaps.jsonl", regions)
    return innovations, gaps, load_qrels(CORPUS_DIR / "eval" / "qrels.tsv")


def test_every_highlight_of_every_judged_pair_in_the_bundled_corpus_is_honest(bundled):
    innovations, gaps, qrels = bundled
    index = LexicalIndex().build(range(len(innovations)), ANALYZER.terms_many([i.text for i in innovations]))
    n = len(innovations)
    df = 0.3 * n
    limit = math.log(1 + (n - df + 0.5) / (df + 0.5))

    def common(t: str) -> bool:
        return index.idf(t) < limit

    by_id = {i.id: i for i in innovations}
    judged = defaultdict(list)
    for j in qrels:
        judged[j.gap_id].append(by_id[j.innovation_id])
    shown = 0
    for gap in gaps:
        for inv in judged[gap.id]:
            for p in highlights(gap.text, inv.text, common):
                assert_honest(p, gap.text, inv.text, common)
                shown += 1
    assert shown > 500  # the oracle saw real highlights


def test_an_innovation_is_paired_the_same_without_the_needs_its_symptoms_imply(bundled):
    """The explainer indexes an innovation's words without its Need tokens (a fifth of the analysis time): the
    pairs of every judged (gap, innovation) pair, and of an innovation whose symptom is an abbreviation, are the
    same as with them."""
    innovations, gaps, qrels = bundled
    by_id = {i.id: i for i in innovations}
    cases = [(g.text, by_id[j.innovation_id].text) for g in gaps for j in qrels if j.gap_id == g.id]
    cases.append(("Kasus DBD meningkat, fogging terlambat.", "Pemberantasan sarang nyamuk cegah DBD di sekolah."))
    with_needs = 0
    for gap, text in cases:
        full = ANALYZER.analyze(text)
        with_needs += any(isinstance(tok, Need) for tok, _ in full)
        gap_index = TextIndex(ANALYZER.analyze(gap))
        assert pairs(gap_index, TextIndex(ANALYZER.analyze(text, needs=False), text), NOISE, PLAIN.terms) == \
            pairs(gap_index, TextIndex(full, text), NOISE, PLAIN.terms), (gap, text)
    assert with_needs > 50 and any(isinstance(t, Need) and t.norm == "dbd" for t, _ in ANALYZER.analyze(cases[-1][1]))


def test_a_gaps_words_worked_out_once_pair_every_innovation_as_fresh_ones_do(bundled):
    """A ranking works the gap's showable words out once (GapWords) and pairs its k innovations with them: each
    innovation gets the pairs of a fresh GapWords, whatever came before it."""
    innovations, gaps, _ = bundled
    indexes = [TextIndex(ANALYZER.analyze(i.text, needs=False), i.text) for i in innovations[:40]]
    shown = 0
    for gap in gaps[:25]:
        words = GapWords(ANALYZER.analyze(gap.text), NOISE, PLAIN.terms)
        fresh = [GapWords(ANALYZER.analyze(gap.text), NOISE, PLAIN.terms).pairs(x) for x in indexes]
        assert [words.pairs(x) for x in reversed(indexes)] == fresh[::-1], gap.text
        shown += sum(map(len, fresh))
    assert shown > 50


def test_the_explainer_quotes_the_best_sentence_whether_or_not_it_weighed_the_description_before(bundled):
    """The explainer keeps each description's sentences with their cue factors and terms; the sentence it quotes
    is :func:`best_sentence`'s, for the first gap and for every later one."""
    innovations, gaps, _ = bundled
    index = LexicalIndex().build(range(len(innovations)), ANALYZER.terms_many([i.text for i in innovations]))

    class Catalogue:  # what the explainer reads of a generation
        lexical = index

    explainer, generation = Explainer(ANALYZER), Catalogue()
    noise, common = explainer._ready(), explainer.common(generation)  # type: ignore[arg-type]
    for gap in gaps[:12]:
        analysis = ANALYZER.analyze(gap.text)
        weights = Explainer.weights(generation, analysis)  # type: ignore[arg-type]
        telling = {t: w for t, w in weights.items() if t not in noise.terms and not common(t)}
        for inv in innovations[:30]:
            why = explainer.explain(generation, analysis, inv, weights)  # type: ignore[arg-type]
            assert why.best_sentence == best_sentence(inv.description, telling, ANALYZER.terms), (gap.id, inv.id)


# --- the explainer on a real index ---------------------------------------------------------------------------

def test_every_match_of_every_mini_gap_is_explained_honestly(mini_matcher, mini):
    gaps = mini[1]
    for gap, matches in zip(gaps, mini_matcher.match_gaps(gaps, k=8), strict=True):
        for m in matches:
            assert m.matched_terms == [p.gap for p in m.matched_pairs]
            for p in m.matched_pairs:
                assert_honest(p, gap.text, m.innovation.text)
            assert m.best_sentence in m.innovation.description


def test_the_explainer_pairs_and_cautions(mini_matcher):
    app = Innovation("X1", "Aplikasi Lapor Sampah", "Warga melapor tumpukan sampah lewat aplikasi android.",
                     digital=True)
    why = mini_matcher.explain("Desa blank spot, sampah menumpuk di sungai", app)
    assert why.matched_terms == ["sampah"] and why.pairs[0].innovation == "Sampah"
    assert why.caution == "butuh sinyal internet / aplikasi"
    assert why.best_sentence == app.description
    assert mini_matcher.explain("Sampah menumpuk di sungai", app).caution is None


def test_the_explainer_leaves_out_generic_words_it_is_given():
    explainer = Explainer(ANALYZER, generic=["sampah"])
    assert "sampah" in explainer._ready().words
