"""The compatibility check: an online-only innovation for a gap without signal gets a caution line."""

from __future__ import annotations

from matcher.data.records import Innovation
from matcher.engine.compat import NEEDS_SIGNAL, caution, lacks_signal, online_only
from matcher.recommendations.regency import EVIDENCE_SHARE, GapEvidence, shows_evidence

APP = Innovation("A", "Lapor Jalan Rusak", "Warga melapor jalan rusak lewat aplikasi Android dan situs web.", digital=True)
RADIO = Innovation("R", "Radio Desa", "Warga melapor lewat aplikasi atau radio komunitas dan SMS.", digital=True)
PAPER = Innovation("P", "Buku Lapor", "Warga melapor di buku desa; rekap dikirim online.", digital=False)


def test_online_only_needs_the_digital_flag_and_online_words_and_no_offline_channel():
    assert online_only(APP)
    assert not online_only(RADIO)  # SMS and radio work without data signal
    assert not online_only(PAPER)  # not flagged digital


def test_gaps_that_say_there_is_no_signal():
    for gap in ("Sebagian besar desa blank spot", "Dusun TANPA SINYAL, aplikasi web gagal", "sinyal lemah di pulau",
                "Desa susah sinyal"):
        assert lacks_signal(gap), gap
    for gap in ("Jalan rusak tidak dilaporkan", "Sinyalemen pejabat"):
        assert not lacks_signal(gap), gap


def test_caution_only_for_the_pair():
    assert caution("Desa blank spot, jalan rusak lambat diperbaiki", APP) == NEEDS_SIGNAL
    assert caution("Desa blank spot, jalan rusak lambat diperbaiki", RADIO) is None
    assert caution("Jalan rusak lambat diperbaiki", APP) is None


def _evidence(score: float, band: str | None = None) -> GapEvidence:
    return GapEvidence("G", "teks", 1, score, 0.0, 0.0, [], "", None if band is None else 0.5, band)


def test_other_gaps_show_evidence_only_when_strong_enough():
    assert shows_evidence(_evidence(4.5), good_match=4.5)
    assert shows_evidence(_evidence(EVIDENCE_SHARE * 4.5), good_match=4.5)
    assert not shows_evidence(_evidence(EVIDENCE_SHARE * 4.5 - 0.01), good_match=4.5)
    assert not shows_evidence(_evidence(-1.0), good_match=4.5)
    # with a learned ranker the calibrated band decides, whatever the score's scale
    assert shows_evidence(_evidence(-1.0, "medium"), good_match=4.5)
    assert not shows_evidence(_evidence(9.0, "weak"), good_match=4.5)
