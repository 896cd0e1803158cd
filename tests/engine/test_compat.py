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


def test_an_application_on_the_side_does_not_make_a_service_online_only():
    records = Innovation("G", "Gudang Pangan Desa", "Desa menyimpan beras untuk musim paceklik. Warga mengambil "
                         "jatah di balai desa setiap bulan. Stok dicatat di aplikasi inventaris.", digital=True)
    assert not online_only(records)  # one sentence about the office's records: people need no signal
    titled = Innovation("T", "Antrean Daring Puskesmas", "Pasien mengambil nomor dari rumah. Antrean pendek.",
                        digital=True)
    assert online_only(titled)  # online in its name: online at its core
    twice = Innovation("W", "Lapor Bupati", "Warga melapor lewat aplikasi. Tindak lanjut dipantau di portal.",
                       digital=True)
    assert online_only(twice)
    phone = Innovation("H", "Kartu Tani", "Petani memakai ponsel pintar untuk menebus pupuk.", digital=True)
    assert online_only(phone)  # a smartphone to hold


def test_a_service_that_brings_its_own_connection_or_works_without_one_is_not_online_only():
    satellite = Innovation("S", "Kantor Desa Terhubung", "Desa tanpa sinyal seluler dipasangi internet satelit. "
                           "Laporan dikirim daring lewat aplikasi keuangan desa.", digital=True)
    assert not online_only(satellite)
    offline_app = Innovation("O", "Aplikasi Pendataan Desa", "Aplikasi bekerja luring dan mengirim data saat ada "
                             "jaringan. Operator mengisi data di aplikasi.", digital=True)
    assert not online_only(offline_app)
    assert caution("Sebagian besar desa blank spot", satellite) is None


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


def _stopped(description: str, reason: str | None = None) -> Innovation:
    return Innovation("S", "Mobil Layanan", description, status="berhenti", status_reason=reason)


def test_a_stopped_innovation_says_since_when_only_from_its_own_text():
    from matcher.engine.compat import STOPPED, stopped_since

    assert stopped_since(_stopped("Mobil keliling ke desa. Program berhenti pada 2022 karena anggaran habis.")) \
        == "berhenti sejak 2022"
    assert stopped_since(_stopped("Dimulai 2017. Namun sejak tahun 2023 premi tidak dianggarkan sehingga program "
                                  "terhenti.")) == "berhenti sejak 2023"
    assert stopped_since(_stopped("Berjalan baik.", reason="dana hibah berakhir pada 2021")) == "berhenti sejak 2021"
    # a span or a year of another event is no date of stopping: no year is made up
    assert stopped_since(_stopped("Selama 2018-2020 ribuan warga terlayani, tetapi program berhenti.")) == STOPPED
    assert stopped_since(_stopped("Diluncurkan pada 2019. Kegiatan berhenti setelah pendampingan selesai.")) == STOPPED
    assert stopped_since(APP) is None


def test_the_caution_line_joins_the_stop_and_the_signal():
    from dataclasses import replace

    stopped_app = replace(APP, status="berhenti", description=APP.description + " Layanan dihentikan pada 2020.")
    assert caution("Desa blank spot, jalan rusak lambat diperbaiki", stopped_app) == f"berhenti sejak 2020; {NEEDS_SIGNAL}"
    assert caution("Jalan rusak lambat diperbaiki", stopped_app) == "berhenti sejak 2020"
