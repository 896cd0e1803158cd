"""Word lists behind :mod:`matcher.engine.text`: abbreviations, informal short forms, stopwords, units.

Why a module of its own: the lists are data that people who know Indonesian administration edit; the logic
stays in ``text.py``. Keys are lower case, as ``text.normalize`` leaves them. An expansion holding " / " lists
the senses of an ambiguous abbreviation (KIA, KK, TPA, ...); the lexical channel emits every sense, the dense
rewrite shows them all. Gathered from general knowledge of Indonesian government, not from our corpus.
"""

from __future__ import annotations


def _merge(*sections: dict[str, str]) -> dict[str, str]:
    """One dict from several; a key repeated across sections is a bug, so it fails at import."""
    out: dict[str, str] = {}
    for section in sections:
        for key, value in section.items():
            if key in out:
                raise ValueError(f"lexicon key {key!r} defined twice")
            out[key] = value
    return out


def _words(text: str) -> frozenset[str]:
    """A word set from whitespace-separated text, so long lists stay readable."""
    return frozenset(text.split())


_GOVERNMENT = {
    "opd": "organisasi perangkat daerah", "skpd": "satuan kerja perangkat daerah",
    "pemda": "pemerintah daerah", "pemkab": "pemerintah kabupaten", "pemkot": "pemerintah kota",
    "pemprov": "pemerintah provinsi", "pemdes": "pemerintah desa", "pempus": "pemerintah pusat",
    "setda": "sekretariat daerah", "sekda": "sekretaris daerah", "setwan": "sekretariat dewan",
    "dprd": "dewan perwakilan rakyat daerah", "dpr": "dewan perwakilan rakyat",
    "wabup": "wakil bupati", "walkot": "wali kota", "wawali": "wakil wali kota",
    "kdh": "kepala daerah", "kada": "kepala daerah", "kadis": "kepala dinas", "kaban": "kepala badan",
    "kabid": "kepala bidang", "kasi": "kepala seksi", "kasubag": "kepala subbagian",
    "kasubbag": "kepala subbagian", "sekcam": "sekretaris kecamatan", "kapus": "kepala puskesmas",
    "asn": "aparatur sipil negara", "pns": "pegawai negeri sipil", "cpns": "calon pegawai negeri sipil",
    "pppk": "pegawai pemerintah dengan perjanjian kerja",
    "p3k": "pegawai pemerintah dengan perjanjian kerja / pertolongan pertama pada kecelakaan", "thl": "tenaga harian lepas",
    "ptt": "pegawai tidak tetap", "gtt": "guru tidak tetap", "sdm": "sumber daya manusia",
    "bkd": "badan kepegawaian daerah", "bkpsdm": "badan kepegawaian dan pengembangan sumber daya manusia",
    "diklat": "pendidikan dan pelatihan", "bangkom": "pengembangan kompetensi",
    "bappeda": "badan perencanaan pembangunan daerah",
    "bapperida": "badan perencanaan pembangunan riset dan inovasi daerah",
    "balitbang": "badan penelitian dan pengembangan", "brida": "badan riset dan inovasi daerah",
    "bpkad": "badan pengelolaan keuangan dan aset daerah", "bkad": "badan keuangan dan aset daerah",
    "bpkd": "badan pengelola keuangan daerah", "bapenda": "badan pendapatan daerah",
    "dispenda": "dinas pendapatan daerah", "bpprd": "badan pengelola pajak dan retribusi daerah",
    "kesbangpol": "kesatuan bangsa dan politik", "apip": "aparat pengawasan intern pemerintah", "bpk": "badan pemeriksa keuangan",
    "bpkp": "badan pengawasan keuangan dan pembangunan", "kpk": "komisi pemberantasan korupsi",
    "kemendagri": "kementerian dalam negeri", "bskdn": "badan strategi kebijakan dalam negeri",
    "kemenpanrb": "kementerian pendayagunaan aparatur negara dan reformasi birokrasi",
    "lan": "lembaga administrasi negara", "kemenkeu": "kementerian keuangan",
    "kemenkes": "kementerian kesehatan", "kemensos": "kementerian sosial", "kemenag": "kementerian agama",
    "kemendikbud": "kementerian pendidikan dan kebudayaan",
    "kemendes": "kementerian desa pembangunan daerah tertinggal dan transmigrasi",
    "kementan": "kementerian pertanian", "kkp": "kementerian kelautan dan perikanan",
    "kemnaker": "kementerian ketenagakerjaan", "bps": "badan pusat statistik",
    "bpn": "badan pertanahan nasional", "atr": "agraria dan tata ruang", "bkkbn": "badan kependudukan dan keluarga berencana nasional",
    "bnn": "badan narkotika nasional", "bmkg": "badan meteorologi klimatologi dan geofisika",
    "bnpb": "badan nasional penanggulangan bencana", "basarnas": "badan nasional pencarian dan pertolongan",
    "bpom": "badan pengawas obat dan makanan", "ojk": "otoritas jasa keuangan", "kpu": "komisi pemilihan umum",
    "tni": "tentara nasional indonesia", "polri": "kepolisian negara republik indonesia",
    "polres": "kepolisian resor", "polsek": "kepolisian sektor", "kodim": "komando distrik militer",
    "koramil": "komando rayon militer", "babinsa": "bintara pembina desa",
    "bhabinkamtibmas": "bhayangkara pembina keamanan dan ketertiban masyarakat",
    "kamtibmas": "keamanan dan ketertiban masyarakat", "trantibum": "ketenteraman dan ketertiban umum",
    "linmas": "perlindungan masyarakat", "satpol": "satuan polisi pamong praja",
    "satpol pp": "satuan polisi pamong praja", "damkar": "pemadam kebakaran",
    "perda": "peraturan daerah", "perbup": "peraturan bupati", "perwal": "peraturan wali kota",
    "pergub": "peraturan gubernur", "perdes": "peraturan desa", "permendagri": "peraturan menteri dalam negeri",
    "permen": "peraturan menteri", "pp": "peraturan pemerintah", "uu": "undang undang",
    "perpres": "peraturan presiden", "inpres": "instruksi presiden", "sk": "surat keputusan",
    "se": "surat edaran", "juknis": "petunjuk teknis", "juklak": "petunjuk pelaksanaan",
    "sop": "standar operasional prosedur", "mou": "nota kesepahaman", "pks": "perjanjian kerja sama",
    "kerma": "kerja sama", "tupoksi": "tugas pokok dan fungsi", "uptd": "unit pelaksana teknis daerah",
    "upt": "unit pelaksana teknis", "blud": "badan layanan umum daerah", "bumd": "badan usaha milik daerah",
    "bumn": "badan usaha milik negara", "perumda": "perusahaan umum daerah", "rb": "reformasi birokrasi",
    "zi": "zona integritas", "wbk": "wilayah bebas dari korupsi", "wbbm": "wilayah birokrasi bersih dan melayani",
    "kkn": "korupsi kolusi dan nepotisme / kuliah kerja nyata", "ormas": "organisasi kemasyarakatan",
    "lsm": "lembaga swadaya masyarakat", "ngo": "lembaga swadaya masyarakat",
    "csr": "tanggung jawab sosial perusahaan", "tjsl": "tanggung jawab sosial dan lingkungan",
    "kpbu": "kerja sama pemerintah dan badan usaha", "iid": "indeks inovasi daerah",
    "kipp": "kompetisi inovasi pelayanan publik", "sinovik": "sistem informasi inovasi pelayanan publik",
    "jippnas": "jaringan informasi pelayanan publik nasional", "ipm": "indeks pembangunan manusia",
}

_PLANNING_FINANCE = {
    "apbd": "anggaran pendapatan dan belanja daerah", "apbn": "anggaran pendapatan dan belanja negara",
    "apbdes": "anggaran pendapatan dan belanja desa", "apbd-p": "anggaran pendapatan dan belanja daerah perubahan",
    "pad": "pendapatan asli daerah", "padesa": "pendapatan asli desa", "dau": "dana alokasi umum",
    "dak": "dana alokasi khusus", "dbh": "dana bagi hasil", "did": "dana insentif daerah",
    "dd": "dana desa", "add": "alokasi dana desa", "silpa": "sisa lebih pembiayaan anggaran",
    "rpjmd": "rencana pembangunan jangka menengah daerah", "rpjpd": "rencana pembangunan jangka panjang daerah",
    "rkpd": "rencana kerja pemerintah daerah", "renstra": "rencana strategis", "renja": "rencana kerja",
    "rpjmdes": "rencana pembangunan jangka menengah desa", "rkpdes": "rencana kerja pemerintah desa",
    "musrenbang": "musyawarah perencanaan pembangunan", "musrenbangdes": "musyawarah perencanaan pembangunan desa",
    "musdes": "musyawarah desa", "dpa": "dokumen pelaksanaan anggaran", "rka": "rencana kerja dan anggaran", "rab": "rencana anggaran biaya",
    "lpj": "laporan pertanggungjawaban", "ded": "perencanaan teknis rinci detail engineering design",
    "sipd": "sistem informasi pemerintahan daerah", "simda": "sistem informasi manajemen daerah",
    "e-budgeting": "penganggaran elektronik", "e-planning": "perencanaan elektronik",
    "sakip": "sistem akuntabilitas kinerja instansi pemerintah",
    "lakip": "laporan akuntabilitas kinerja instansi pemerintah", "lkjip": "laporan kinerja instansi pemerintah",
    "iku": "indikator kinerja utama", "spip": "sistem pengendalian intern pemerintah",
    "lhp": "laporan hasil pemeriksaan", "wtp": "wajar tanpa pengecualian", "wdp": "wajar dengan pengecualian",
    "lkpd": "laporan keuangan pemerintah daerah", "spj": "surat pertanggungjawaban",
    "sp2d": "surat perintah pencairan dana", "spm": "standar pelayanan minimal / surat perintah membayar",
    "rkud": "rekening kas umum daerah", "kasda": "kas daerah", "bud": "bendahara umum daerah",
    "pbj": "pengadaan barang dan jasa", "lpse": "layanan pengadaan secara elektronik",
    "ukpbj": "unit kerja pengadaan barang dan jasa", "ulp": "unit layanan pengadaan",
    "spse": "sistem pengadaan secara elektronik", "sirup": "sistem informasi rencana umum pengadaan",
    "hps": "harga perkiraan sendiri", "tkdn": "tingkat komponen dalam negeri",
    "pdrd": "pajak daerah dan retribusi daerah", "pbb": "pajak bumi dan bangunan",
    "pbb-p2": "pajak bumi dan bangunan perdesaan dan perkotaan",
    "bphtb": "bea perolehan hak atas tanah dan bangunan", "sppt": "surat pemberitahuan pajak terutang",
    "njop": "nilai jual objek pajak", "npwpd": "nomor pokok wajib pajak daerah",
    "npwp": "nomor pokok wajib pajak", "wp": "wajib pajak", "pkb": "pajak kendaraan bermotor",
    "bbnkb": "bea balik nama kendaraan bermotor", "samsat": "sistem administrasi manunggal satu atap",
    "pbjt": "pajak barang dan jasa tertentu", "ppn": "pajak pertambahan nilai / pelabuhan perikanan nusantara",
    "pph": "pajak penghasilan", "spt": "surat pemberitahuan tahunan", "e-retribusi": "retribusi elektronik",
    "bpd": "badan permusyawaratan desa / bank pembangunan daerah", "bpr": "bank perekonomian rakyat",
    "bi": "bank indonesia", "bri": "bank rakyat indonesia", "tpakd": "tim percepatan akses keuangan daerah",
    "tp2dd": "tim percepatan dan perluasan digitalisasi daerah", "etpd": "elektronifikasi transaksi pemerintah daerah",
    "qris": "standar kode respons cepat indonesia pembayaran nontunai",
}

_PUBLIC_SERVICE = {
    "ptsp": "pelayanan terpadu satu pintu",
    "dpmptsp": "dinas penanaman modal dan pelayanan terpadu satu pintu",
    "dpmpt": "dinas penanaman modal dan pelayanan terpadu", "mpp": "mal pelayanan publik",
    "oss": "perizinan berusaha terintegrasi secara elektronik", "oss-rba": "perizinan berusaha berbasis risiko",
    "nib": "nomor induk berusaha", "kbli": "klasifikasi baku lapangan usaha indonesia",
    "siup": "surat izin usaha perdagangan", "tdp": "tanda daftar perusahaan", "situ": "surat izin tempat usaha",
    "iumk": "izin usaha mikro kecil", "sku": "surat keterangan usaha",
    "pbg": "persetujuan bangunan gedung", "imb": "izin mendirikan bangunan", "slf": "sertifikat laik fungsi",
    "kkpr": "kesesuaian kegiatan pemanfaatan ruang", "krk": "keterangan rencana kota",
    "rtrw": "rencana tata ruang wilayah", "rdtr": "rencana detail tata ruang",
    "amdal": "analisis mengenai dampak lingkungan", "ukl-upl": "upaya pengelolaan lingkungan upaya pemantauan lingkungan",
    "sppl": "surat pernyataan pengelolaan lingkungan", "lapor!": "layanan aspirasi dan pengaduan online rakyat",
    "sp4n": "sistem pengelolaan pengaduan pelayanan publik nasional",
    "sp4n-lapor": "sistem pengelolaan pengaduan pelayanan publik nasional layanan aspirasi pengaduan online rakyat",
    "ikm": "indeks kepuasan masyarakat / industri kecil menengah",
    "skm": "survei kepuasan masyarakat", "sp": "standar pelayanan", "ppid": "pejabat pengelola informasi dan dokumentasi",
    "kip": "kartu indonesia pintar / keterbukaan informasi publik", "spbe": "sistem pemerintahan berbasis elektronik",
    "e-gov": "pemerintahan elektronik", "tte": "tanda tangan elektronik", "ttd": "tanda tangan / tablet tambah darah",
    "tik": "teknologi informasi dan komunikasi", "it": "teknologi informasi", "ti": "teknologi informasi",
    "diskominfo": "dinas komunikasi dan informatika", "kominfo": "komunikasi dan informatika",
    "sim": "surat izin mengemudi / sistem informasi manajemen", "cctv": "kamera pengawas",
    "bts": "menara telekomunikasi base transceiver station", "wifi": "internet nirkabel", "medsos": "media sosial",
    "wa": "whatsapp", "hp": "telepon genggam", "sms": "pesan singkat", "qr": "kode qr",
    "daring": "dalam jaringan online", "online": "daring dalam jaringan", "luring": "luar jaringan offline",
    "offline": "luring luar jaringan", "apk": "aplikasi / angka partisipasi kasar",
    "kim": "kelompok informasi masyarakat", "sdgs": "tujuan pembangunan berkelanjutan",
}

_POPULATION = {
    "disdukcapil": "dinas kependudukan dan pencatatan sipil",
    "dukcapil": "kependudukan dan pencatatan sipil", "capil": "pencatatan sipil",
    "adminduk": "administrasi kependudukan", "kk": "kartu keluarga / kepala keluarga",
    "ktp": "kartu tanda penduduk", "ktp-el": "kartu tanda penduduk elektronik",
    "kia": "kartu identitas anak / kesehatan ibu dan anak", "nik": "nomor induk kependudukan",
    "nkk": "nomor kartu keluarga", "ikd": "identitas kependudukan digital",
    "siak": "sistem informasi administrasi kependudukan", "skpwni": "surat keterangan pindah warga negara indonesia",
    "wni": "warga negara indonesia", "wna": "warga negara asing",
    "kitas": "kartu izin tinggal terbatas", "sktm": "surat keterangan tidak mampu",
    "skck": "surat keterangan catatan kepolisian", "suket": "surat keterangan",
    "kua": "kantor urusan agama", "pa": "pengadilan agama", "adpel": "administrasi pelabuhan",
}

_HEALTH = {
    "dinkes": "dinas kesehatan", "puskesmas": "pusat kesehatan masyarakat", "pkm": "pusat kesehatan masyarakat",
    "pustu": "puskesmas pembantu", "pusling": "puskesmas keliling", "polindes": "pondok bersalin desa",
    "poskesdes": "pos kesehatan desa", "posyandu": "pos pelayanan terpadu",
    "posbindu": "pos pembinaan terpadu penyakit tidak menular", "poskestren": "pos kesehatan pesantren",
    "faskes": "fasilitas kesehatan", "fasyankes": "fasilitas pelayanan kesehatan",
    "fktp": "fasilitas kesehatan tingkat pertama", "fkrtl": "fasilitas kesehatan rujukan tingkat lanjut",
    "rs": "rumah sakit", "rsud": "rumah sakit umum daerah", "rsu": "rumah sakit umum",
    "rsia": "rumah sakit ibu dan anak", "igd": "instalasi gawat darurat", "ugd": "unit gawat darurat",
    "psc": "pusat pelayanan keselamatan terpadu public safety center",
    "spgdt": "sistem penanggulangan gawat darurat terpadu", "sisrute": "sistem informasi rujukan terintegrasi",
    "simpus": "sistem informasi manajemen puskesmas", "nakes": "tenaga kesehatan",
    "bides": "bidan desa", "drg": "dokter gigi", "bumil": "ibu hamil", "busui": "ibu menyusui", "bufas": "ibu nifas", "bulin": "ibu bersalin",
    "balita": "anak bawah lima tahun", "baduta": "anak bawah dua tahun", "batita": "anak bawah tiga tahun",
    "lansia": "lanjut usia", "risti": "risiko tinggi", "bumil risti": "ibu hamil risiko tinggi",
    "bblr": "berat badan lahir rendah", "kek": "kurang energi kronis", "asi": "air susu ibu",
    "mpasi": "makanan pendamping air susu ibu", "imd": "inisiasi menyusu dini",
    "pmt": "pemberian makanan tambahan", "hpk": "hari pertama kehidupan", "tkd": "tanah kas desa",
    "aki": "angka kematian ibu", "akb": "angka kematian bayi", "akaba": "angka kematian balita",
    "anc": "pemeriksaan kehamilan antenatal", "tt": "tetanus toksoid", "idl": "imunisasi dasar lengkap",
    "bb": "berat badan", "tb": "tuberkulosis / tinggi badan", "tbc": "tuberkulosis", "hiv": "virus hiv",
    "odhiv": "orang dengan hiv", "odha": "orang dengan hiv aids", "ims": "infeksi menular seksual",
    "dbd": "demam berdarah dengue", "psn": "pemberantasan sarang nyamuk", "jumantik": "juru pemantau jentik",
    "ptm": "penyakit tidak menular / pembelajaran tatap muka", "dm": "diabetes melitus",
    "odgj": "orang dengan gangguan jiwa", "kesling": "kesehatan lingkungan", "phbs": "perilaku hidup bersih dan sehat",
    "germas": "gerakan masyarakat hidup sehat", "kb": "keluarga berencana / kelompok bermain",
    "pus": "pasangan usia subur", "mkjp": "metode kontrasepsi jangka panjang", "iud": "alat kontrasepsi dalam rahim",
    "kie": "komunikasi informasi dan edukasi", "tpk": "tim pendamping keluarga",
    "tppk": "tim percepatan penurunan stunting", "bkb": "bina keluarga balita", "bkr": "bina keluarga remaja",
    "bkl": "bina keluarga lansia", "pik-r": "pusat informasi dan konseling remaja",
    "plkb": "penyuluh lapangan keluarga berencana", "ppkbd": "pembantu pembina keluarga berencana desa",
    "dppkb": "dinas pengendalian penduduk dan keluarga berencana",
    "jkn": "jaminan kesehatan nasional", "kis": "kartu indonesia sehat", "bpjs": "badan penyelenggara jaminan sosial",
    "pbi": "penerima bantuan iuran", "pbpu": "peserta bukan penerima upah", "uhc": "cakupan kesehatan semesta",
    "jampersal": "jaminan persalinan", "jamkesda": "jaminan kesehatan daerah",
    "covid-19": "penyakit virus corona covid",
    "ispa": "infeksi saluran pernapasan akut", "kla": "kabupaten kota layak anak",
    "ukbm": "upaya kesehatan bersumberdaya masyarakat", "uks": "usaha kesehatan sekolah",
    "napza": "narkotika psikotropika dan zat adiktif", "narkoba": "narkotika dan obat terlarang",
}

_EDUCATION = {
    "disdik": "dinas pendidikan", "dindik": "dinas pendidikan", "disdikbud": "dinas pendidikan dan kebudayaan",
    "paud": "pendidikan anak usia dini", "tk": "taman kanak kanak", "ra": "raudatul athfal taman kanak kanak",
    "sd": "sekolah dasar", "mi": "madrasah ibtidaiyah", "smp": "sekolah menengah pertama",
    "mts": "madrasah tsanawiyah", "sma": "sekolah menengah atas", "smk": "sekolah menengah kejuruan",
    "slb": "sekolah luar biasa", "ats": "anak tidak sekolah", "apts": "anak putus sekolah",
    "pkbm": "pusat kegiatan belajar masyarakat", "skb": "sanggar kegiatan belajar", "tbm": "taman bacaan masyarakat",
    "tpq": "taman pendidikan al quran", "tpa": "taman pendidikan al quran / tempat pemrosesan akhir sampah",
    "ponpes": "pondok pesantren", "madin": "madrasah diniyah", "apm": "angka partisipasi murni",
    "rls": "rata rata lama sekolah", "hls": "harapan lama sekolah", "bos": "bantuan operasional sekolah",
    "bosp": "bantuan operasional satuan pendidikan", "bop": "bantuan operasional penyelenggaraan",
    "pip": "program indonesia pintar", "dapodik": "data pokok pendidikan",
    "nisn": "nomor induk siswa nasional", "npsn": "nomor pokok sekolah nasional",
    "ppdb": "penerimaan peserta didik baru", "anbk": "asesmen nasional berbasis komputer",
    "akm": "asesmen kompetensi minimum", "ptk": "pendidik dan tenaga kependidikan",
    "gtk": "guru dan tenaga kependidikan", "kkg": "kelompok kerja guru", "mgmp": "musyawarah guru mata pelajaran",
    "calistung": "membaca menulis berhitung", "blk": "balai latihan kerja", "lpk": "lembaga pelatihan kerja",
    "ptn": "perguruan tinggi negeri", "pts": "perguruan tinggi swasta", "pt": "perguruan tinggi / perseroan terbatas",
    "univ": "universitas", "mbkm": "merdeka belajar kampus merdeka", "mbg": "makan bergizi gratis",
    "dispusip": "dinas perpustakaan dan kearsipan", "perpusdes": "perpustakaan desa",
    "perpus": "perpustakaan",
}

_LABOUR_ECONOMY = {
    "disnaker": "dinas tenaga kerja", "disnakertrans": "dinas tenaga kerja dan transmigrasi",
    "naker": "tenaga kerja", "ak1": "kartu kuning kartu pencari kerja", "pencaker": "pencari kerja",
    "pmi": "pekerja migran indonesia / palang merah indonesia", "tki": "tenaga kerja indonesia",
    "tkw": "tenaga kerja wanita", "bp2mi": "badan pelindungan pekerja migran indonesia",
    "phk": "pemutusan hubungan kerja", "umk": "upah minimum kabupaten kota / usaha mikro kecil",
    "ump": "upah minimum provinsi", "umr": "upah minimum regional", "bkk": "bursa kerja khusus / bantuan keuangan khusus",
    "prakerja": "kartu prakerja pelatihan kerja", "tpt": "tingkat pengangguran terbuka",
    "umkm": "usaha mikro kecil dan menengah", "ukm": "usaha kecil dan menengah",
    "kur": "kredit usaha rakyat", "pirt": "pangan industri rumah tangga", "p-irt": "pangan industri rumah tangga",
    "spp-irt": "sertifikat produksi pangan industri rumah tangga", "haki": "hak kekayaan intelektual",
    "hki": "hak kekayaan intelektual", "kop": "koperasi", "ksp": "koperasi simpan pinjam",
    "kopdes": "koperasi desa", "lkm": "lembaga keuangan mikro", "pkl": "pedagang kaki lima / praktik kerja lapangan",
    "disperindag": "dinas perindustrian dan perdagangan", "diskop": "dinas koperasi",
    "diskopukm": "dinas koperasi dan usaha kecil menengah", "dinkop": "dinas koperasi",
    "ekraf": "ekonomi kreatif", "dispar": "dinas pariwisata", "disparbud": "dinas pariwisata dan kebudayaan",
    "pokdarwis": "kelompok sadar wisata", "pmdn": "penanaman modal dalam negeri", "pma": "penanaman modal asing",
    "e-katalog": "katalog elektronik", "kub": "kelompok usaha bersama", "dtw": "daerah tujuan wisata",
    "bpjamsostek": "bpjs ketenagakerjaan jaminan sosial tenaga kerja", "jamsostek": "jaminan sosial tenaga kerja",
    "pdrb": "produk domestik regional bruto", "rtm": "rumah tangga miskin",
}

_AGRICULTURE = {
    "distan": "dinas pertanian", "dispertan": "dinas pertanian", "poktan": "kelompok tani",
    "gapoktan": "gabungan kelompok tani", "kwt": "kelompok wanita tani", "ppl": "penyuluh pertanian lapangan",
    "bpp": "balai penyuluhan pertanian", "alsintan": "alat dan mesin pertanian",
    "upja": "usaha pelayanan jasa alat mesin pertanian", "rdkk": "rencana definitif kebutuhan kelompok",
    "simluhtan": "sistem informasi manajemen penyuluhan pertanian", "ntp": "nilai tukar petani",
    "opt": "organisme pengganggu tumbuhan", "popt": "pengendali organisme pengganggu tumbuhan",
    "jut": "jalan usaha tani", "jitut": "jaringan irigasi tingkat usaha tani",
    "p3a": "perkumpulan petani pemakai air", "rmu": "penggilingan padi rice milling unit",
    "keswan": "kesehatan hewan", "puskeswan": "pusat kesehatan hewan", "ib": "inseminasi buatan",
    "rph": "rumah potong hewan", "pmk": "penyakit mulut dan kuku", "tbs": "tandan buah segar",
    "psr": "peremajaan sawit rakyat", "kph": "kesatuan pengelolaan hutan", "hkm": "hutan kemasyarakatan",
    "kth": "kelompok tani hutan", "karhutla": "kebakaran hutan dan lahan", "disbun": "dinas perkebunan",
    "dishut": "dinas kehutanan", "dkpp": "dinas ketahanan pangan dan pertanian", "dkp": "dinas kelautan dan perikanan",
    "dpkp": "dinas perumahan dan kawasan permukiman", "lp2b": "lahan pertanian pangan berkelanjutan",
    "kartan": "kartu tani",
}

_FISHERIES = {
    "tpi": "tempat pelelangan ikan", "ppi": "pangkalan pendaratan ikan",
    "kusuka": "kartu pelaku usaha kelautan dan perikanan", "pokdakan": "kelompok pembudidaya ikan",
    "poklahsar": "kelompok pengolah dan pemasar hasil perikanan", "pokmaswas": "kelompok masyarakat pengawas",
    "kja": "keramba jaring apung", "spbun": "stasiun pengisian bahan bakar nelayan",
    "bbm": "bahan bakar minyak", "gt": "gross tonnage ukuran kapal", "abk": "anak buah kapal",
    "hnsi": "himpunan nelayan seluruh indonesia", }

_ENVIRONMENT = {
    "dlh": "dinas lingkungan hidup", "tps": "tempat penampungan sementara sampah",
    "tps3r": "tempat pengolahan sampah reduce reuse recycle", "tpst": "tempat pengolahan sampah terpadu",
    "3r": "reduce reuse recycle kurangi guna ulang daur ulang", "b3": "bahan berbahaya dan beracun",
    "ipal": "instalasi pengolahan air limbah", "iplt": "instalasi pengolahan lumpur tinja",
    "spald": "sistem pengelolaan air limbah domestik", "spam": "sistem penyediaan air minum",
    "pdam": "perusahaan daerah air minum", "pamsimas": "penyediaan air minum dan sanitasi berbasis masyarakat",
    "hippam": "himpunan penduduk pemakai air minum", "sab": "sarana air bersih",
    "babs": "buang air besar sembarangan", "odf": "bebas buang air besar sembarangan open defecation free",
    "stbm": "sanitasi total berbasis masyarakat", "mck": "mandi cuci kakus", "sr": "sambungan rumah",
    "rth": "ruang terbuka hijau", "rtlh": "rumah tidak layak huni", "bsps": "bantuan stimulan perumahan swadaya",
    "mbr": "masyarakat berpenghasilan rendah", "psu": "prasarana sarana dan utilitas",
    "disperkim": "dinas perumahan dan kawasan permukiman", "pupr": "pekerjaan umum dan penataan ruang",
    "dpupr": "dinas pekerjaan umum dan penataan ruang", "pju": "penerangan jalan umum",
    "plts": "pembangkit listrik tenaga surya", "pln": "perusahaan listrik negara", "lpg": "gas elpiji",
    "ebt": "energi baru terbarukan", "grk": "gas rumah kaca",
}

_DISASTER = {
    "bpbd": "badan penanggulangan bencana daerah", "krb": "kawasan rawan bencana",
    "ews": "sistem peringatan dini early warning system", "destana": "desa tangguh bencana",
    "katana": "keluarga tangguh bencana", "tagana": "taruna siaga bencana",
    "sar": "pencarian dan pertolongan", "pusdalops": "pusat pengendalian operasi",
    "trc": "tim reaksi cepat", "prb": "pengurangan risiko bencana", "ksb": "kampung siaga bencana",
    "rehab-rekon": "rehabilitasi dan rekonstruksi", "poskamling": "pos keamanan lingkungan",
    "siskamling": "sistem keamanan lingkungan",
}

_SOCIAL = {
    "dinsos": "dinas sosial", "dtks": "data terpadu kesejahteraan sosial",
    "dtsen": "data tunggal sosial ekonomi nasional", "regsosek": "registrasi sosial ekonomi",
    "p3ke": "percepatan penghapusan kemiskinan ekstrem", "pkh": "program keluarga harapan",
    "bpnt": "bantuan pangan non tunai", "blt": "bantuan langsung tunai", "blt-dd": "bantuan langsung tunai dana desa",
    "bst": "bantuan sosial tunai", "bansos": "bantuan sosial", "kks": "kartu keluarga sejahtera",
    "raskin": "beras untuk rakyat miskin", "rastra": "beras sejahtera", "kpm": "keluarga penerima manfaat / kader pembangunan manusia",
    "ppks": "pemerlu pelayanan kesejahteraan sosial", "pmks": "penyandang masalah kesejahteraan sosial",
    "psks": "potensi dan sumber kesejahteraan sosial", "tksk": "tenaga kesejahteraan sosial kecamatan",
    "lks": "lembaga kesejahteraan sosial", "lksa": "lembaga kesejahteraan sosial anak",
    "puskesos": "pusat kesejahteraan sosial", "slrt": "sistem layanan dan rujukan terpadu",
    "siks-ng": "sistem informasi kesejahteraan sosial next generation", "kat": "komunitas adat terpencil",
    "difabel": "penyandang disabilitas",
    "dp3a": "dinas pemberdayaan perempuan dan perlindungan anak",
    "dp3ap2kb": "dinas pemberdayaan perempuan perlindungan anak pengendalian penduduk dan keluarga berencana",
    "dp2kbp3a": "dinas pengendalian penduduk keluarga berencana pemberdayaan perempuan dan perlindungan anak",
    "ppa": "perlindungan perempuan dan anak", "uptd ppa": "unit pelaksana teknis daerah perlindungan perempuan dan anak",
    "p2tp2a": "pusat pelayanan terpadu pemberdayaan perempuan dan anak",
    "kdrt": "kekerasan dalam rumah tangga", "tppo": "tindak pidana perdagangan orang",
    "tpks": "tindak pidana kekerasan seksual", "abh": "anak berhadapan dengan hukum",
    "patbm": "perlindungan anak terpadu berbasis masyarakat", "puspaga": "pusat pembelajaran keluarga",
    "pug": "pengarusutamaan gender", "pkk": "pemberdayaan kesejahteraan keluarga",
    "baznas": "badan amil zakat nasional", "zis": "zakat infak sedekah", "upz": "unit pengumpul zakat",
    "lbh": "lembaga bantuan hukum", "posbakum": "pos bantuan hukum", "lapas": "lembaga pemasyarakatan",
}

_VILLAGE_TRANSPORT = {
    "kades": "kepala desa", "sekdes": "sekretaris desa", "perades": "perangkat desa",
    "bumdes": "badan usaha milik desa", "bumdesma": "badan usaha milik desa bersama",
    "lpm": "lembaga pemberdayaan masyarakat", "lpmd": "lembaga pemberdayaan masyarakat desa",
    "dpmd": "dinas pemberdayaan masyarakat dan desa", "dpmdes": "dinas pemberdayaan masyarakat dan desa",
    "rt": "rukun tetangga", "rw": "rukun warga", "posyantek": "pos pelayanan teknologi tepat guna",
    "ttg": "teknologi tepat guna", "sid": "sistem informasi desa", "idm": "indeks desa membangun",
    "pld": "pendamping lokal desa", "kpmd": "kader pemberdayaan masyarakat desa",
    "tpp": "tenaga pendamping profesional / tambahan penghasilan pegawai", "pkt": "padat karya tunai",
    "pktd": "padat karya tunai desa", "3t": "daerah terdepan terluar tertinggal",
    "dtpk": "daerah tertinggal perbatasan dan kepulauan", "dishub": "dinas perhubungan",
    "angkot": "angkutan kota", "angdes": "angkutan desa", "ojol": "ojek online", "brt": "bus rapid transit angkutan massal", "stnk": "surat tanda nomor kendaraan",
    "bpkb": "buku pemilik kendaraan bermotor", "lalin": "lalu lintas", "lakalantas": "kecelakaan lalu lintas",
    "apill": "alat pemberi isyarat lalu lintas", "km": "kilometer", "kg": "kilogram", "ha": "hektare",
}

_PLACES = {
    "jatim": "jawa timur", "jateng": "jawa tengah", "jabar": "jawa barat", "diy": "daerah istimewa yogyakarta",
    "dki": "daerah khusus ibukota jakarta", "sumsel": "sumatera selatan", "sumbar": "sumatera barat",
    "sumut": "sumatera utara", "sulsel": "sulawesi selatan", "sulut": "sulawesi utara",
    "sulteng": "sulawesi tengah", "sultra": "sulawesi tenggara", "sulbar": "sulawesi barat",
    "kalsel": "kalimantan selatan", "kalbar": "kalimantan barat", "kaltim": "kalimantan timur",
    "ntb": "nusa tenggara barat", "kalteng": "kalimantan tengah", "kaltara": "kalimantan utara", "babel": "kepulauan bangka belitung",
    "kepri": "kepulauan riau", "ntt": "nusa tenggara timur", "malut": "maluku utara",
}

# Variant spellings of one abbreviation: they share the canonical key's term and expansion.
ALIASES: dict[str, str] = {
    "e-ktp": "ktp-el", "ektp": "ktp-el", "ktpel": "ktp-el", "ktp el": "ktp-el", "ktp-elektronik": "ktp-el",
    "dispendukcapil": "disdukcapil", "disduk": "disdukcapil", "umk-m": "umkm", "ukmk": "umkm", "bumdesa": "bumdes", "bum desa": "bumdes", "bumdes-ma": "bumdesma",
    "pbbp2": "pbb-p2", "pbb p2": "pbb-p2", "tps-3r": "tps3r", "e-sakip": "sakip",
    "dispusipda": "dispusip", "bpka": "bkad",
    "bpkpd": "bpkad", "disnakerin": "disnaker", "kartu kuning": "ak1", "ak-1": "ak1", "kemenpan": "kemenpanrb", "menpan": "kemenpanrb",
    "kemenpan-rb": "kemenpanrb", "kemendikbudristek": "kemendikbud", "kemendesa": "kemendes",
    "kemendes pdtt": "kemendes", "mp-asi": "mpasi", "sp4n lapor": "sp4n-lapor", "bhabin": "bhabinkamtibmas",
    "babinkamtibmas": "bhabinkamtibmas", "satpolpp": "satpol pp", "satpol-pp": "satpol pp",
    "pol pp": "satpol pp", "uptd-ppa": "uptd ppa", "ukl upl": "ukl-upl", "e-budget": "e-budgeting", "ebudgeting": "e-budgeting", "siks": "siks-ng",
    "oss rba": "oss-rba", }

ACRONYMS: dict[str, str] = _merge(
    _GOVERNMENT, _PLANNING_FINANCE, _PUBLIC_SERVICE, _POPULATION, _HEALTH, _EDUCATION, _LABOUR_ECONOMY,
    _AGRICULTURE, _FISHERIES, _ENVIRONMENT, _DISASTER, _SOCIAL, _VILLAGE_TRANSPORT, _PLACES,
)

# Informal and clipped forms, and common misspellings: replaced by the standard word, never kept as a term.
SHORT_FORMS: dict[str, str] = {
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "dng": "dengan", "tdk": "tidak",
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "engga": "tidak", "ndak": "tidak", "kagak": "tidak", "blm": "belum", "blom": "belum", "udh": "sudah",
    "udah": "sudah", "sdh": "sudah", "dah": "sudah", "krn": "karena", "krna": "karena", "karna": "karena",
    "utk": "untuk", "untk": "untuk", "tuk": "untuk", "tsb": "tersebut", "dll": "dan lain-lain",
    "dsb": "dan sebagainya", "dst": "dan seterusnya", "dkk": "dan kawan-kawan", "sbg": "sebagai",
    "sbgi": "sebagai", "bbrp": "beberapa", "brp": "berapa", "org": "orang", "orng": "orang", "thn": "tahun",
    "th": "tahun", "bln": "bulan", "hr": "hari", "mgg": "minggu", "mnt": "menit", "jt": "juta",
    "rbu": "ribu", "m2": "meter persegi", "dlm": "dalam", "pd": "pada", "kpd": "kepada",
    "thd": "terhadap", "thdp": "terhadap", "bhw": "bahwa", "jg": "juga", "sj": "saja", "aja": "saja",
    "lg": "lagi", "lgi": "lagi", "msh": "masih", "sdg": "sedang", "akn": "akan", "tlh": "telah",
    "bs": "bisa", "hrs": "harus", "sgt": "sangat", "bgt": "sangat", "byk": "banyak",
    "bnyk": "banyak", "bnyak": "banyak", "sdkt": "sedikit", "skrg": "sekarang", "skg": "sekarang",
    "spy": "supaya", "agr": "agar", "kalo": "kalau", "klo": "kalau", "klu": "kalau", "trs": "terus",
    "tp": "tapi", "gmn": "bagaimana", "bgmn": "bagaimana", "knp": "kenapa", "sbb": "sebagai berikut",
    "yth": "yang terhormat", "ybs": "yang bersangkutan", "tgl": "tanggal", "jl": "jalan", "jln": "jalan",
    "nmr": "nomor", "nomer": "nomor", "mrk": "mereka", "sy": "saya", "sm": "sama", "dr": "dokter",
    "dri": "dari", "drpd": "daripada", "msy": "masyarakat", "masy": "masyarakat", "mssy": "masyarakat",
    "ortu": "orang tua", "pddk": "penduduk", "kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan", "prov": "provinsi", "prop": "provinsi",
    "propinsi": "provinsi", "ds": "desa", "dsn": "dusun", "s.d": "sampai dengan",
    "a.n": "atas nama", "u.p": "untuk perhatian", "d.a": "dengan alamat", "rp": "rupiah",
    "akte": "akta", "ijin": "izin", "perijinan": "perizinan", "praktek": "praktik", "resiko": "risiko",
    "apotik": "apotek", "kwalitas": "kualitas", "sistim": "sistem", "aktifitas": "aktivitas",
    "efektifitas": "efektivitas", "kreatifitas": "kreativitas", "obyek": "objek", "jadual": "jadwal",
    "antri": "antre", "antrian": "antrean", "hutang": "utang", "kadaluarsa": "kedaluwarsa",
    "kadaluwarsa": "kedaluwarsa", "tehnis": "teknis", "tehnologi": "teknologi", "analisa": "analisis",
    "standarisasi": "standardisasi", "ketrampilan": "keterampilan", "trampil": "terampil",
    "nasehat": "nasihat", "silahkan": "silakan", "merubah": "mengubah", "rubah": "ubah", "sekedar": "sekadar",
    "dirubah": "diubah", "perduli": "peduli", "ambulan": "ambulans",
    "ambulance": "ambulans", "kwh": "kilowatt jam",
    "hrg": "harga", }

ABBREVIATIONS: dict[str, str] = {
    **ACRONYMS, **{alias: ACRONYMS[key] for alias, key in ALIASES.items()}, **SHORT_FORMS,
}

# Words that change the meaning of a gap statement ("belum punya akta", "kurang tenaga"): kept as terms by
# default; add them to the stop list (``STOPWORDS | NEGATIONS``) to drop them.
NEGATIONS: frozenset[str] = frozenset({"tidak", "tak", "belum", "bukan", "tanpa", "kurang", "minim", "jangan"})

STOPWORDS: frozenset[str] = _words("""
yang dan atau serta tetapi tapi namun melainkan sedangkan karena sebab sehingga maka jika kalau apabila bila
jikalau agar supaya untuk bagi demi dengan di ke dari pada kepada daripada oleh dalam atas antara terhadap
tentang mengenai sejak hingga sampai menuju melalui lewat seperti sebagai bagaikan yaitu yakni ialah adalah
merupakan ini itu tersebut sini sana begini begitu demikian juga pun lah kah pula saja hanya cuma lagi
sudah telah sedang masih akan pernah lalu kemudian setelah sebelum sesudah selama ketika saat sambil bahwa
bahkan apalagi meskipun walaupun walau biarpun kendati hal para sang si tiap setiap semua seluruh segala
segenap berbagai beberapa banyak sebagian masing sendiri lain lainnya sejumlah suatu sesuatu sebuah seorang
ada adanya adapun dapat bisa boleh harus perlu mesti mau ingin sangat amat sekali paling lebih cukup agak
makin semakin terlalu apa siapa mana kapan mengapa kenapa bagaimana berapa dimana kemana darimana aku saya
kami kita kamu anda engkau dia ia beliau mereka nya ku mu dong kok sih deh ya nah toh kan pula tadi nanti
sekarang kini selalu sering kadang hampir sekitar kira yakni antaranya diantaranya terdapat memiliki
mempunyai punya menjadi dilakukan melakukan dilaksanakan melaksanakan terkait berkaitan berupa sebagaimana
secara khususnya terutama upaya rangka diperlukan dibutuhkan tertentu tersendiri sama baik maupun ataupun
per sebagainya seterusnya lain-lain kawan-kawan
""")

# Units that join a number into one term ("14 hari" -> "14_hari", "5%" -> "5_persen"), with their full names.
UNITS: dict[str, str] = {
    **{w: w for w in _words("detik menit jam hari minggu pekan bulan tahun km meter cm kg gram ton kuintal hektare "
                            "liter persen ribu juta miliar triliun orang jiwa kk kali unit")},
    "hr": "hari", "mgg": "minggu", "mnt": "menit", "bln": "bulan", "thn": "tahun", "th": "tahun", "m": "meter",
    "ha": "hektare", "hektar": "hektare", "%": "persen", "rb": "ribu", "jt": "juta", "m2": "meter persegi",
    "org": "orang", "x": "kali",
}

# Parts of a hyphenated form that are affixes or clitics ("ber-KTP", "KTP-nya", "se-kabupaten"), not words.
AFFIXES: frozenset[str] = _words("ber di ke se ter me mem men meng meny pe pem pen peng peny per nya an kan i ku mu lah kah pun")
