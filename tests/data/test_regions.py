"""Region reference data and name resolution: codes, Kabupaten/Kota twins, short forms, distances."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.data.region_names import PROVINCE_ALIASES, REGION_ALIASES
from matcher.data.regions import HUB_PROVINCES, Province, Region, Regions
from matcher.errors import AmbiguousError, NotFoundError

REGIONS_DIR = Settings().corpus_dir / "regions"


def _twins(regions: Regions) -> dict[str, list[Region]]:
    by_name: dict[str, list[Region]] = defaultdict(list)
    for r in regions:
        by_name[r.name.removeprefix("Kabupaten ").removeprefix("Kota ")].append(r)
    return {name: rs for name, rs in by_name.items() if len(rs) > 1}


# --- reference data ---------------------------------------------------------------------------------------


def test_counts_match_the_decree(regions: Regions) -> None:
    assert len(regions) == 514
    assert sum(r.kind == "kabupaten" for r in regions) == 416
    assert sum(r.kind == "kota" for r in regions) == 98
    assert len(regions.provinces()) == 38


def test_bundled_files_ship_with_their_licences() -> None:
    names = sorted(p.name for p in REGIONS_DIR.iterdir())
    assert names == ["LICENSE-cahyadsn-wilayah.txt", "LICENSE-cahyadsn-wilayah_boundaries.txt", "README.md",
                     "boundaries.geojson", "provinces.csv", "regions.csv"]


def test_region_fields_are_typed(regions: Regions) -> None:
    malang = regions.get("35.07")
    assert isinstance(malang, Region)
    assert (malang.name, malang.kind, malang.province_code, malang.province_name) == (
        "Kabupaten Malang", "kabupaten", "35", "Jawa Timur")
    assert isinstance(malang.lat, float) and isinstance(malang.population, int)
    assert malang.capital == "Kepanjen"
    assert regions.get("11.10").area_km2 is None  # one of the 4 rows without an area


def test_province_fields(regions: Regions) -> None:
    jatim = regions.province("35")
    assert isinstance(jatim, Province)
    assert (jatim.name, jatim.capital, jatim.n_kabupaten, jatim.n_kota) == ("Jawa Timur", "Surabaya", 29, 9)
    assert regions.province("31").area_km2 is None


def test_province_counts_agree_with_regions(regions: Regions) -> None:
    for p in regions.provinces():
        members = regions.in_province(p.code)
        assert sum(r.kind == "kabupaten" for r in members) == p.n_kabupaten, p.name
        assert sum(r.kind == "kota" for r in members) == p.n_kota, p.name


def test_hub_provinces_in_programme_order(regions: Regions) -> None:
    names = [regions.province(c).name for c in HUB_PROVINCES]
    assert names == ["Jawa Timur", "Sumatera Selatan", "Sulawesi Selatan", "Jawa Tengah", "Sumatera Barat",
                     "Kepulauan Bangka Belitung", "Kalimantan Selatan", "Gorontalo", "Kalimantan Barat", "Riau",
                     "Bali", "Maluku"]


def test_container_protocol(regions: Regions) -> None:
    assert "35.07" in regions and "35.99" not in regions and 3507 not in regions
    assert len(list(regions)) == len(regions)
    assert [r.code for r in regions.in_province("75")] == ["75.01", "75.02", "75.03", "75.04", "75.05", "75.71"]


def test_get_and_province_errors(regions: Regions) -> None:
    assert regions.get("3507").code == "35.07"
    with pytest.raises(NotFoundError, match="35.99"):
        regions.get("35.99")
    with pytest.raises(NotFoundError, match="province code"):
        regions.get("35")
    with pytest.raises(NotFoundError):
        regions.province("99")
    with pytest.raises(NotFoundError):
        regions.in_province("99")


@pytest.mark.parametrize(("code", "valid"), [
    ("35.07", True), ("35.73", True), ("35", True), ("96", True),
    ("3507", False), ("35.99", False), ("99", False), ("35.7", False), ("", False), ("Malang", False),
])
def test_is_valid_code(regions: Regions, code: str, valid: bool) -> None:
    assert regions.is_valid_code(code) is valid


def test_load_from_an_explicit_folder(tmp_path: Path) -> None:
    for name in ("regions.csv", "provinces.csv"):
        shutil.copy(REGIONS_DIR / name, tmp_path / name)
    assert len(Regions.load(tmp_path)) == 514


# --- resolution -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [
    ("35.07", "35.07"), ("3507", "35.07"), (" 35.73 ", "35.73"),
    ("Kab. Malang", "35.07"), ("kabupaten malang", "35.07"), ("KAB MALANG", "35.07"), ("Pemkab Malang", "35.07"),
    ("Kota Malang", "35.73"), ("kota  malang", "35.73"), ("Pemerintah Kota Malang", "35.73"),
    ("Kab Bogor", "32.01"), ("Kota Bogor", "32.71"), ("Fakfak", "92.03"), ("Kota Batu", "35.79"),
    ("Surabaya", "35.78"), ("Baubau", "74.72"), ("Kota Bau-Bau", "74.72"), ("Pangkalpinang", "19.71"),
    ("Kab. Kep. Selayar", "73.01"), ("Selayar", "73.01"), ("Kab. Pangkep", "73.10"), ("Sidrap", "73.14"),
    ("Jakarta Selatan", "31.74"), ("Kota Adm. Jakarta Selatan", "31.74"), ("Jaksel", "31.74"),
    ("Kabupaten Kotabaru", "63.02"), ("Kota Baru", "63.02"), ("Solo", "33.72"), ("OKU Timur", "16.08"),
    ("Banjar, Kalimantan Selatan", "63.03"), ("Banjar, Jabar", "32.79"), ("Kab. 50 Kota", "13.07"),
    ("Pontianak", "61.71"), ("Kab. Pontianak", "61.02"), ("Tolitoli", "72.04"), ("Sitaro", "71.09"),
])
def test_resolve(regions: Regions, text: str, code: str) -> None:
    assert regions.resolve(text).code == code


def test_every_official_name_resolves_to_itself(regions: Regions) -> None:
    for r in regions:
        assert regions.resolve(r.name).code == r.code, r.name
        if r.kind == "kabupaten":
            assert regions.resolve("Kab. " + r.name.removeprefix("Kabupaten ")).code == r.code


def test_every_alias_resolves_to_its_region(regions: Regions) -> None:
    for code, aliases in REGION_ALIASES.items():
        assert code in regions
        for alias in aliases:
            assert regions.resolve(alias).code == code, alias


def test_there_are_26_twin_names_and_none_is_confused(regions: Regions) -> None:
    twins = _twins(regions)
    assert len(twins) == 26
    for name, pair in twins.items():
        kinds = {r.kind: r.code for r in pair}
        assert set(kinds) == {"kabupaten", "kota"}
        assert regions.resolve(f"Kabupaten {name}").code == kinds["kabupaten"]
        assert regions.resolve(f"Kab. {name}").code == kinds["kabupaten"]
        assert regions.resolve(f"Kota {name}").code == kinds["kota"]
        with pytest.raises(AmbiguousError) as err:
            regions.resolve(name)
        assert kinds["kabupaten"] in str(err.value) and kinds["kota"] in str(err.value)


def test_ambiguous_malang_names_both(regions: Regions) -> None:
    with pytest.raises(AmbiguousError, match=r"35\.07.*35\.73"):
        regions.resolve("Malang")


def test_unknown_name_suggests_a_close_one(regions: Regions) -> None:
    with pytest.raises(NotFoundError, match=r"did you mean 'Kabupaten Malang' \(35\.07\)"):
        regions.resolve("Kab. Malng")
    with pytest.raises(NotFoundError, match="Kabupaten Sidoarjo"):
        regions.resolve("Kota Sidoarjo")  # there is no Kota Sidoarjo: never fall back to the kabupaten
    with pytest.raises(NotFoundError):
        regions.resolve("Atlantis")


def test_kind_qualifier_is_never_ignored(regions: Regions) -> None:
    with pytest.raises(NotFoundError):
        regions.resolve("Kota Sleman")
    with pytest.raises(NotFoundError):
        regions.resolve("Kabupaten Surabaya")


@pytest.mark.parametrize(("text", "code"), [
    ("35", "35"), ("Jawa Timur", "35"), ("jatim", "35"), ("Prov. Jatim", "35"), ("Provinsi Jawa Timur", "35"),
    ("jateng", "33"), ("jabar", "32"), ("sumsel", "16"), ("sumbar", "13"), ("sulsel", "73"), ("kalbar", "61"),
    ("kalsel", "63"), ("babel", "19"), ("Kep. Bangka Belitung", "19"), ("dki", "31"), ("DKJ", "31"),
    ("DKI Jakarta", "31"), ("diy", "34"), ("Jogja", "34"), ("ntb", "52"), ("NTT", "53"), ("kepri", "21"),
    ("Riau", "14"), ("Kepulauan Riau", "21"), ("NAD", "11"), ("Papua Barat Daya", "96"), ("Gorontalo", "75"),
])
def test_resolve_province(regions: Regions, text: str, code: str) -> None:
    assert regions.resolve_province(text).code == code


def test_every_province_name_and_alias_resolves(regions: Regions) -> None:
    for p in regions.provinces():
        assert regions.resolve_province(p.name).code == p.code
        for alias in PROVINCE_ALIASES.get(p.code, ()):
            assert regions.resolve_province(alias).code == p.code


def test_unknown_province_suggests(regions: Regions) -> None:
    with pytest.raises(NotFoundError, match="Jawa Timur"):
        regions.resolve_province("Jawa Timor")


@pytest.mark.parametrize(("text", "code"), [
    ("Kab. Malang", "35.07"), ("35", "35"), ("3507", "35.07"), ("jatim", "35"), ("Bali", "51"),
    ("Kota Jambi", "15.71"), ("Provinsi Jambi", "15"), ("Pemprov Jatim", "35"),
])
def test_resolve_code_accepts_both_levels(regions: Regions, text: str, code: str) -> None:
    assert regions.resolve_code(text) == code


def test_resolve_code_city_or_province_is_ambiguous(regions: Regions) -> None:
    with pytest.raises(AmbiguousError, match=r"15\.71.*'15'|15\.71.*\(15\)"):
        regions.resolve_code("Jambi")


def test_resolve_code_without_provinces(regions: Regions) -> None:
    assert regions.resolve_code("Jambi", provinces=False) == "15.71"
    for text in ("35", "Provinsi Jawa Timur", "Jawa Timur"):
        with pytest.raises(NotFoundError):
            regions.resolve_code(text, provinces=False)


# --- distances --------------------------------------------------------------------------------------------


def test_distance_sanity(regions: Regions) -> None:
    surabaya_malang = regions.distance_km("35.78", "35.73")
    assert 50 < surabaya_malang < 100
    assert regions.distance_km("35.73", "35.78") == pytest.approx(surabaya_malang)
    assert regions.distance_km("35.73", "35.73") == 0
    assert 1300 < regions.distance_km("31.71", "73.71") < 1500  # Jakarta Pusat - Makassar
    assert 200 < regions.distance_km("35", "51") < 350  # province centroids


def test_distance_of_unknown_code_raises(regions: Regions) -> None:
    with pytest.raises(NotFoundError):
        regions.distance_km("35.78", "35.99")


def test_csv_and_dataclasses_agree() -> None:
    with (REGIONS_DIR / "regions.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == list(Region.__dataclass_fields__)
