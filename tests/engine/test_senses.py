"""Context-dependent abbreviation senses and the symptom-to-need thesaurus (issue 12), on made-up sentences;
and the loader's checks of ``senses.tsv``, ``sector_words.tsv`` and ``thesaurus.tsv``."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.lexicon import append, copy_lexicon, problems

from matcher.data.records import SECTORS
from matcher.engine import lexicon
from matcher.engine.lexicon import SENSES, THESAURUS
from matcher.engine.text import Analyzer, Need


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def sense_terms(analyzer: Analyzer, phrase: str) -> set[str]:
    return set(analyzer.terms(phrase))


# --- choosing the sense ----------------------------------------------------------------------------------------

# (abbreviation, sentence, words of the sense it means, words of the sense it does not mean)
CASES = [
    ("ttd", "Remaja putri di SMP jarang minum TTD sehingga banyak yang anemia.",
     "tablet tambah darah", "tanda tangan"),
    ("ttd", "Surat izin lama keluar karena harus menunggu TTD kepala dinas yang sering dinas luar.",
     "tanda tangan", "tablet tambah darah"),
    ("kia", "Baru sedikit anak yang punya KIA; orang tua enggan mengurus ke Disdukcapil.",
     "kartu identitas", "kesehatan"),
    ("kia", "Buku KIA jarang dibawa ibu hamil saat periksa ke bidan.",
     "kesehatan", "kartu identitas"),
    ("kk", "Ratusan KK miskin belum menerima bansos karena tidak terdata.",
     "kepala", "kartu"),
    ("kk", "Warga yang pindah datang harus mencetak KK baru dan memperbarui NIK di dukcapil.",
     "kartu", "kepala"),
    ("ptm", "Skrining PTM seperti hipertensi dan diabetes di posbindu masih rendah.",
     "penyakit menular", "pembelajaran tatap muka"),
    ("ptm", "Setelah pandemi, PTM di sekolah berjalan tetapi guru belum siap mengajar di kelas.",
     "pembelajaran tatap muka", "penyakit menular"),
    ("tpa", "Sampah dari pasar diangkut ke TPA yang hampir penuh.",
     "pemrosesan akhir sampah", "pendidikan quran"),
    ("tpa", "Anak-anak mengaji di TPA masjid setiap sore bersama ustaz dan santri.",
     "pendidikan quran", "pemrosesan"),
    ("pmi", "Banyak PMI berangkat ke luar negeri tanpa prosedur sehingga menjadi korban penempatan ilegal.",
     "pekerja migran", "palang merah"),
    ("pmi", "Stok darah di PMI sering kosong sehingga pasien rumah sakit menunggu donor.",
     "palang merah", "pekerja migran"),
    ("spm", "Capaian SPM bidang kesehatan dan pendidikan belum memenuhi indikator.",
     "standar minimal", "surat perintah membayar"),
    ("spm", "Penerbitan SPM dan SP2D oleh bendahara terlambat sehingga pencairan anggaran tertunda.",
     "surat perintah membayar", "standar minimal"),
    ("pkl", "Lapak PKL memenuhi trotoar pasar dan pedagang menolak relokasi.",
     "pedagang kaki lima", "praktik lapangan"),
    ("pkl", "Siswa SMK sulit mencari tempat PKL di industri untuk magang.",
     "praktik lapangan", "pedagang kaki lima"),
    ("abk", "Sekolah belum siap menerima ABK karena tidak ada guru pendamping inklusi.",
     "berkebutuhan khusus", "buah kapal"),
    ("abk", "ABK kapal nelayan tidak punya jaminan keselamatan saat melaut.",
     "buah kapal", "berkebutuhan khusus"),
    ("bpjs", "Pasien tidak bisa berobat di puskesmas karena iuran BPJS menunggak.",
     "kesehatan", "ketenagakerjaan"),
    ("bpjs", "Buruh pabrik belum terdaftar BPJS sehingga kecelakaan kerja tidak ditanggung.",
     "ketenagakerjaan", "kesehatan"),
    ("pks", "Kerja sama dengan rumah sakit swasta belum berjalan karena naskah PKS belum ditandatangani mitra.",
     "perjanjian", "pabrik sawit"),
    ("pks", "Petani sawit menjual TBS ke PKS dengan harga rendah.",
     "pabrik sawit", "perjanjian"),
    ("tb", "Penemuan kasus TB masih rendah padahal banyak warga batuk lama.",
     "tuberkulosis", "tinggi"),
    ("tb", "Pengukuran TB balita di posyandu tidak akurat sehingga stunting tidak terdeteksi.",
     "tinggi", "tuberkulosis"),
]


@pytest.mark.parametrize(("key", "sentence", "meant", "other"), CASES,
                         ids=[f"{c[0]}-{i % 2}" for i, c in enumerate(CASES)])
def test_the_context_picks_the_sense(analyzer: Analyzer, key: str, sentence: str, meant: str, other: str):
    terms = set(analyzer.terms(sentence))
    rest = set(analyzer.terms(sentence.replace(key.upper(), "")))  # what the other words give anyway
    assert key in terms
    assert sense_terms(analyzer, meant) <= terms
    assert not (sense_terms(analyzer, other) - sense_terms(analyzer, meant)) & (terms - rest)


def test_every_case_names_an_ambiguous_abbreviation_and_both_senses_are_covered():
    assert {key for key, *_ in CASES} <= set(SENSES)
    assert len({key for key, *_ in CASES}) >= 10


@pytest.mark.parametrize("text", ["KIA", "Pelayanan KK", "TTD", "500 KK"])
def test_without_context_every_sense_is_kept(analyzer: Analyzer, text: str):
    key = text.split()[-1].lower()
    terms = set(analyzer.terms(text))
    for sense in {s.expansion for s in SENSES[key]}:
        assert sense_terms(analyzer, sense) <= terms, sense


def test_the_stated_sector_wins(analyzer: Analyzer):
    text = "Data TTD belum lengkap"
    assert {"tablet", "tambah", "darah"} <= set(analyzer.terms(text, sector="kesehatan"))
    assert "tablet" not in analyzer.terms(text, sector="digitalisasi_pemerintahan")
    assert "tangan" not in analyzer.terms(text, sector="kesehatan")
    # the hint wins over the context, and a sector that no sense has leaves the choice to the context
    anemia = "TTD untuk remaja putri yang anemia"
    assert "tangan" in analyzer.terms(anemia, sector="digitalisasi_pemerintahan")
    assert "tangan" not in analyzer.terms(anemia, sector="pertanian_pangan")


def test_analysis_terms_match_terms_with_the_same_settings(analyzer: Analyzer):
    text = "Bumil melahirkan di rumah dan KIA jarang dibawa; 40 KK miskin belum dapat bansos."
    flat = [t for _, ts in analyzer.analyze(text, sector="kesehatan") for t in ts]
    assert flat == analyzer.terms(text, sector="kesehatan", needs=True)
    assert [t for _, ts in analyzer.analyze(text, needs=False) for t in ts] == analyzer.terms(text)
    batch = analyzer.terms_many([text, "TTD"], sectors=["kesehatan", None])
    assert batch == [analyzer.terms(text, sector="kesehatan"), analyzer.terms("TTD")]


def test_senses_follow_aliases_hyphens_and_the_expand_switch(analyzer: Analyzer):
    assert "kartu" in analyzer.terms("KK-nya hilang, harus cetak ulang di Dukcapil")
    assert "kepala" not in analyzer.terms("KK-nya hilang, harus cetak ulang di Dukcapil")
    assert Analyzer(expand=False).terms("TTD remaja putri") == ["ttd", "remaja", "putri"]


def test_a_negation_inside_an_expansion_is_no_term(analyzer: Analyzer):
    """"PTM" must not match a text through the "tidak" of "penyakit tidak menular"."""
    assert "tidak" not in analyzer.terms("skrining PTM di posbindu")
    assert "tidak" in analyzer.terms("posbindu tidak aktif")


# --- the thesaurus ---------------------------------------------------------------------------------------------

def needs(analyzer: Analyzer, text: str) -> dict[str, list[str]]:
    return {tok.symptom: ts for tok, ts in analyzer.expansions(text)}


def test_a_symptom_adds_its_need_terms_marked_as_needs(analyzer: Analyzer):
    text = "Di desa pesisir, bumil masih banyak yang melahirkan di rumah ditolong dukun."
    found = analyzer.expansions(text)
    need, terms = next((tok, ts) for tok, ts in found if tok.symptom == "ibu hamil melahirkan di rumah")
    assert isinstance(need, Need) and need.sector == "kesehatan"
    assert need.surface == text[need.start:need.end] and need.surface.startswith("bumil")
    assert {"salin", "fasilitas", "rujuk"} <= set(terms)
    assert not set(terms) & set(analyzer.terms(text))  # only terms the text lacks
    assert "salin" in analyzer.terms(text, needs=True) and "salin" not in analyzer.terms(text)


@pytest.mark.parametrize(("text", "symptom", "need"), [
    ("Warga kepulauan harus bolak-balik ke kabupaten hanya untuk mengurus dokumen.", "bolak balik ke kabupaten",
     "keliling"),
    ("Antrean di loket mengular sejak subuh.", "antrean mengular", "online"),
    ("Banyak bantuan sosial yang tidak tepat sasaran di desa kami.", "tidak tepat sasaran", "dtks"),
    ("Anak-anak dusun atas berhenti sekolah karena sekolahnya jauh.", "sekolah jauh", "asrama"),
    ("Sampah pasar dibiarkan menumpuk berhari-hari.", "sampah menumpuk", "angkut"),
    ("Petani mengeluh pupuk bersubsidi langka saat musim tanam.", "pupuk langka", "distribusi"),
    ("Orang tua belum diimunisasi anaknya karena takut efek samping.", "anak tidak diimunisasi", "vaksinasi"),
    ("Sekolah di pulau kekurangan guru kelas.", "kekurangan guru", "kunjung"),  # "kurang" is its own word here
])
def test_symptoms_written_freely_are_found(analyzer: Analyzer, text: str, symptom: str, need: str):
    found = needs(analyzer, text)
    assert symptom in found, found
    assert need in found[symptom]


@pytest.mark.parametrize("text", [
    "Rumah sakit daerah kekurangan ruang rawat.",  # the words of no symptom
    "Ibu hamil diperiksa bidan di puskesmas. Di rumah singgah, tidak ada yang melahirkan.",  # words too far apart
    "Harga beras tidak naik menjelang lebaran.",  # a negation among its words: no "harga beras naik"
    "Obat cacing untuk anak tidak habis diminum.",  # no stock-out ("obat sering habis")
    "",
])
def test_no_symptom_no_need(analyzer: Analyzer, text: str):
    assert analyzer.expansions(text) == []
    assert analyzer.terms(text, needs=True) == analyzer.terms(text)


def test_documents_get_no_needs_by_default(analyzer: Analyzer):
    text = "Sampah menumpuk di pasar"
    assert analyzer.terms(text) == analyzer.terms_many([text])[0] == analyzer.terms(text, needs=False)
    assert len(analyzer.terms(text, needs=True)) > len(analyzer.terms(text))


def test_the_data_is_large_enough_and_spans_the_sectors():
    assert len(SENSES) >= 25 and all(len({s.expansion for s in ss}) >= 2 for ss in SENSES.values())
    assert len(THESAURUS) >= 80
    assert {s.sector for s in THESAURUS} == set(SECTORS) == set(lexicon.SECTOR_WORDS)


# --- the loader's checks ---------------------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_lexicon(tmp_path)


def located(folder: Path) -> list[tuple[str, int, str | None, str]]:
    """(file name, line, field, reason) of each problem, by file and line."""
    return sorted((Path(p.file).name, p.row or 0, p.field, p.reason) for p in problems(folder))


@pytest.mark.parametrize(("line", "field", "reason"), [
    ("xyzq\tsehat\tsesuatu\t", "sector", "unknown sector 'sehat': use one of " + ", ".join(SECTORS)),
    ("xyzq\tkesehatan\t\t", "expansion", "empty expansion"),
    ("\tkesehatan\tsesuatu\t", "abbreviation", "empty abbreviation"),
    ("XYZQ\tkesehatan\tsesuatu\t", "abbreviation", "'XYZQ' is not normalised: write 'xyzq' (lower-case ASCII, single spaces)"),
    ("xyzq\tkesehatan\tsatu / dua\t", "expansion", "'satu / dua' holds several senses: give each its own row"),
    ("xyzq\tkesehatan\tsatu\tCue", "cues", "'Cue' is not normalised: write 'cue' (lower-case ASCII, single spaces)"),
])
def test_a_bad_sense_row(folder: Path, line: str, field: str, reason: str):
    n = append(folder / "senses.tsv", line, "xyzq\tpendidikan\tdua\t", "xyzq\tekonomi_umkm\ttiga\t")
    assert located(folder) == [("senses.tsv", n - 2, field, reason)]


def test_a_sense_repeated_in_one_sector(folder: Path):
    text = (folder / "senses.tsv").read_text(encoding="utf-8").split("\n")
    first = text.index("ttd\tkesehatan\ttablet tambah darah\tremaja putri anemia hamil minum") + 1
    n = append(folder / "senses.tsv", "ttd\tkesehatan\ttablet tambah darah\t")
    assert located(folder) == [("senses.tsv", n, "sector",
                                f"'ttd' has this sense in 'kesehatan' twice: already on line {first}")]


def test_one_sense_is_no_ambiguity_and_a_key_lives_in_one_place(folder: Path):
    n = append(folder / "senses.tsv", "xyzq\tkesehatan\tsatu\t", "xyzq\tpendidikan\tsatu\t",
               "ktp\tkesehatan\tsatu\t", "ktp\tpendidikan\tdua\t")
    population = (folder / "acronyms/population.tsv").read_text(encoding="utf-8").split("\n")
    ktp = population.index("ktp\tkartu tanda penduduk") + 1
    assert located(folder) == [
        ("senses.tsv", n - 3, "abbreviation", "'xyzq' has a single sense: define it in acronyms/<sector>.tsv instead"),
        ("senses.tsv", n - 1, "abbreviation", f"'ktp' is defined twice: already in acronyms/population.tsv, line {ktp}"),
        ("senses.tsv", n, "abbreviation", f"'ktp' is defined twice: already in acronyms/population.tsv, line {ktp}"),
    ]


def test_an_abbreviation_with_senses_cannot_be_redefined_elsewhere(folder: Path):
    """acronyms/ is read first, so the rows of senses.tsv are the second definition."""
    n = append(folder / "acronyms/health.tsv", "kia\tkesehatan ibu dan anak")
    rows = [i for i, line in enumerate((folder / "senses.tsv").read_text(encoding="utf-8").split("\n"), 1)
            if line.startswith("kia\t")]
    assert located(folder) == [("senses.tsv", row, "abbreviation",
                                f"'kia' is defined twice: already in acronyms/health.tsv, line {n}") for row in rows]


def test_senses_may_not_hide_in_an_acronym_file(folder: Path):
    n = append(folder / "acronyms/health.tsv", "xyzq\tsatu / dua")
    assert located(folder) == [("health.tsv", n, "expansion",
                                "'xyzq' lists several senses: give each its own row in senses.tsv")]


def test_bad_sector_words(folder: Path):
    n = append(folder / "sector_words.tsv", "kesehatann\tobat", "kesehatan\tpuskesmas", "pendidikan\tGuru")
    assert located(folder) == [
        ("sector_words.tsv", n - 2, "sector", "unknown sector 'kesehatann': use one of " + ", ".join(SECTORS)),
        ("sector_words.tsv", n - 1, "words", "'puskesmas' is listed twice for 'kesehatan': already on line 5"),
        ("sector_words.tsv", n, "words", "'Guru' is not normalised: write 'guru' (lower-case ASCII, single spaces)"),
    ]


def test_bad_thesaurus_rows(folder: Path):
    text = (folder / "thesaurus.tsv").read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(text, 1) if line.startswith("sampah menumpuk\t"))
    n = append(folder / "thesaurus.tsv", "sampah menumpuk\tbank sampah\tlingkungan_persampahan",
               "air asin\tair bersih\tair", "jalan berlubang\tperbaikan jalan,\tinfrastruktur_transportasi",
               "Jalan Licin\tperbaikan jalan\tinfrastruktur_transportasi", "jalan gelap\t\tinfrastruktur_transportasi")
    assert located(folder) == [
        ("thesaurus.tsv", n - 4, "symptom", f"'sampah menumpuk' is listed twice: already on line {first}"),
        ("thesaurus.tsv", n - 3, "sector", "unknown sector 'air': use one of " + ", ".join(SECTORS)),
        ("thesaurus.tsv", n - 2, "needs", "'perbaikan jalan,' has an empty need between commas"),
        ("thesaurus.tsv", n - 1, "symptom",
         "'Jalan Licin' is not normalised: write 'jalan licin' (lower-case ASCII, single spaces)"),
        ("thesaurus.tsv", n, "needs", "empty needs"),
    ]


def test_missing_new_files_are_reported(folder: Path):
    for name in ("senses.tsv", "sector_words.tsv", "thesaurus.tsv"):
        (folder / name).unlink()
    found = [(Path(p.file).name, p.reason.split(":")[0]) for p in problems(folder)]
    assert found == [("senses.tsv", "cannot read the file"), ("sector_words.tsv", "cannot read the file"),
                     ("thesaurus.tsv", "cannot read the file")]
