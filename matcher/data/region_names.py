"""How people write region names: comparison keys, "Kab."/"Kota" qualifiers and common short forms.

Innovation catalogues and mentors write "Kab. Kep. Selayar", "Pangkep", "Kota Baubau" or "jatim" where
the Kemendagri list says "Kabupaten Kepulauan Selayar", "Kabupaten Pangkajene dan Kepulauan", "Kota Bau Bau"
and "Jawa Timur". Everything here is data or pure string work; ``matcher.data.regions`` does the lookups.
"""

from __future__ import annotations

import re
import unicodedata

# Words that shorten a word inside a name ("Kab. Kep. Selayar", "Kota Jakarta Sel.").
_EXPAND = {"kep": "kepulauan", "kepl": "kepulauan", "pulau2": "kepulauan", "kab": "kabupaten", "prov": "provinsi",
           "prop": "provinsi", "propinsi": "provinsi", "sel": "selatan", "tim": "timur", "bar": "barat",
           "teng": "tengah", "ut": "utara", "utr": "utara", "tgh": "tengah", "tj": "tanjung", "tg": "tanjung"}

_KIND_WORDS = {"kabupaten": "kabupaten", "pemkab": "kabupaten", "kota": "kota", "kotamadya": "kota",
               "kotamadia": "kota", "kodya": "kota", "pemkot": "kota"}
_QUALIFIER = re.compile(
    r"^(?:pemerintah |pemerintahan |pem )?(?:daerah )?(kabupaten|pemkab|kotamadya|kotamadia|kodya|kota|pemkot)"
    r"(?: administrasi| adm)?(?: daerah)?(?: tingkat ii| tk ii)? (.+)$"
)
_PROVINCE_WORD = re.compile(r"^(?:pemerintah |pem )?(?:provinsi|pemprov)(?: daerah)? (.+)$")


def name_key(text: str) -> str:
    """Lower-case ASCII words of a name with short forms expanded: 'Kab. Kep. Selayar' -> 'kabupaten kepulauan selayar'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]", "", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_EXPAND.get(w, w) for w in words)


def compact(key: str) -> str:
    """Key without spaces, so 'Fakfak' meets 'Fak Fak' and 'Pangkalpinang' meets 'Pangkal Pinang'."""
    return key.replace(" ", "")


def split_kind(key: str) -> tuple[str | None, str]:
    """('kabupaten' | 'kota' | None, bare name) of a name key: 'kota administrasi jakarta selatan' -> ('kota', ...)."""
    m = _QUALIFIER.match(key)
    if not m:
        return None, key
    return _KIND_WORDS[m.group(1)], m.group(2)


def split_province_word(key: str) -> str | None:
    """The bare name if the key starts with 'provinsi'/'pemprov' ('provinsi jawa timur' -> 'jawa timur'), else None."""
    m = _PROVINCE_WORD.match(key)
    return m.group(1) if m else None


# Province code -> other names and short forms in common use (official names are indexed separately).
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "11": ("nad", "nanggroe aceh darussalam", "aceh darussalam"),
    "12": ("sumut",), "13": ("sumbar",), "16": ("sumsel",), "19": ("babel", "bangka belitung", "kep babel"),
    "21": ("kepri",),
    "31": ("dki", "dkj", "dki jakarta", "jakarta", "daerah khusus jakarta", "dk jakarta"),
    "32": ("jabar",), "33": ("jateng",),
    "34": ("diy", "di yogyakarta", "yogyakarta", "jogja", "jogjakarta", "yogya", "daerah istimewa jogja"),
    "35": ("jatim",), "52": ("ntb",), "53": ("ntt",),
    "61": ("kalbar",), "62": ("kalteng",), "63": ("kalsel",), "64": ("kaltim",), "65": ("kaltara",),
    "71": ("sulut",), "72": ("sulteng",), "73": ("sulsel",), "74": ("sultra",), "76": ("sulbar",),
    "82": ("malut",), "92": ("pabar", "papbar"),
    "93": ("papsel",), "94": ("papteng",), "95": ("papeg", "pegunungan papua"), "96": ("pbd", "papbardaya"),
}

# Kabupaten/kota code -> short forms and former names used in reports. A kind-qualified text ("Kab. X")
# only matches an alias of that kind, and an official name always wins over an alias.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    # hub provinces first
    "16.01": ("oku",), "16.02": ("oki",), "16.05": ("mura",), "16.06": ("muba",), "16.08": ("oku timur", "okut"),
    "16.09": ("oku selatan", "okus"), "16.12": ("pali",), "16.13": ("muratara",),
    "73.10": ("pangkep",), "73.14": ("sidrap",), "73.18": ("tator",), "73.22": ("lutra",), "73.24": ("lutim",),
    "73.26": ("torut",),
    "33.72": ("solo",),
    "13.01": ("pessel",), "13.07": ("50 kota", "lima puluh koto"), "13.11": ("solsel",), "13.12": ("pasbar",),
    "19.03": ("basel",), "19.04": ("bateng",), "19.05": ("babar",), "19.06": ("beltim",),
    "63.01": ("tala",), "63.04": ("batola",), "63.06": ("hss",), "63.07": ("hst",), "63.08": ("hsu",),
    "63.10": ("tanbu",),
    "75.03": ("bonbol",), "75.05": ("gorut",),
    "61.02": ("kabupaten pontianak",), "61.11": ("kku",),
    "14.02": ("inhu",), "14.04": ("inhil",), "14.06": ("rohul",), "14.07": ("rohil",), "14.09": ("kuansing",),
    "81.01": ("malteng",), "81.02": ("malra",), "81.03": ("mtb", "kkt", "maluku tenggara barat"),
    "81.05": ("sbt",), "81.06": ("sbb",), "81.08": ("mbd",), "81.09": ("bursel",),
    # elsewhere
    "11.02": ("agara",), "11.12": ("abdya",),
    "12.01": ("tapteng",), "12.02": ("taput",), "12.03": ("tapsel",), "12.12": ("toba samosir", "tobasa"),
    "12.13": ("madina",), "12.16": ("humbahas",), "12.18": ("sergai",), "12.20": ("paluta",), "12.21": ("palas",),
    "12.22": ("labusel",), "12.23": ("labura",), "12.72": ("siantar",), "12.77": ("sidempuan",),
    "15.06": ("tanjab barat", "tanjabbar"), "15.07": ("tanjab timur", "tanjabtim"),
    "18.01": ("lamsel",), "18.02": ("lamteng",), "18.03": ("lampura",), "18.04": ("lambar",), "18.05": ("tuba",),
    "18.07": ("lamtim",), "18.12": ("tubaba",), "18.13": ("pesibar",),
    "31.71": ("jakpus",), "31.72": ("jakut",), "31.73": ("jakbar",), "31.74": ("jaksel",), "31.75": ("jaktim",),
    "36.74": ("tangsel",),
    "52.01": ("lobar",), "52.02": ("loteng",), "52.03": ("lotim",), "52.07": ("ksb",), "52.08": ("klu",),
    "53.02": ("tts",), "53.03": ("ttu",), "53.15": ("mabar",), "53.18": ("sbd",), "53.19": ("matim",),
    "62.01": ("kobar",), "62.02": ("kotim",),
    "64.02": ("kukar",), "64.07": ("kubar",), "64.08": ("kutim",), "64.09": ("ppu",), "64.11": ("mahulu",),
    "71.01": ("bolmong",), "71.05": ("minsel",), "71.06": ("minut",), "71.07": ("mitra",), "71.08": ("bolmut",),
    "71.09": ("sitaro",), "71.10": ("boltim",), "71.11": ("bolsel",),
    "72.07": ("bangkep",), "72.08": ("parimo",), "72.09": ("touna",), "72.12": ("morut",),
    "82.72": ("tidore",),
}
