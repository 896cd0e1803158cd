"""Which regencies count as alike: kind, size, density, islands and distance from the reference data."""

from __future__ import annotations

from matcher.data.region_profiles import ISLAND_PARTS, RegionProfile, RegionSimilarity


def test_peers_exclude_the_regency_and_come_most_similar_first(regions):
    peers = RegionSimilarity(regions).similar("35.73", n=10)
    assert len(peers) == 10 and "35.73" not in {p.code for p in peers}
    sims = [p.similarity for p in peers]
    assert sims == sorted(sims, reverse=True) and all(0 < s <= 1 for s in sims)


def test_a_city_is_most_like_other_cities_and_a_rural_regency_like_rural_ones(regions):
    similarity = RegionSimilarity(regions)
    assert all(regions.get(p.code).kind == "kota" for p in similarity.similar("35.73", n=8))  # Kota Malang
    rural = similarity.similar("35.07", n=8)  # Kabupaten Malang, 2.7 million people
    assert all(regions.get(p.code).kind == "kabupaten" for p in rural)
    assert all(regions.get(p.code).population > 1_000_000 for p in rural)


def test_island_character_comes_from_the_outline_and_pulls_island_regencies_together(regions):
    islands = {"81.07": 129, "96.03": 140, "21.04": 85, "74.07": 18, "81.03": 39, "71.03": 18}
    parts = {r.code: 1 for r in regions} | islands
    with_outlines = RegionSimilarity(regions, land_parts=parts)
    without = RegionSimilarity(regions)
    assert with_outlines.profile("81.07").islands and not without.profile("81.07").islands
    near = {p.code for p in with_outlines.similar("81.07", n=5)}  # Kepulauan Aru
    assert len(near & set(islands)) >= 2
    assert len(near & set(islands)) > len({p.code for p in without.similar("81.07", n=5)} & set(islands))


def test_a_profile_is_described_in_indonesian():
    city = RegionProfile("35.73", "kota", 889_359, 111.08, 1)
    assert city.describe() == "kota, 889.000 jiwa, 8.006 jiwa/km²"
    island = RegionProfile("81.07", "kabupaten", 1_234_567, 6_426.0, ISLAND_PARTS)
    assert island.describe() == "kabupaten, 1,2 juta jiwa, 192 jiwa/km², kepulauan"
    assert RegionProfile("00.00", "kabupaten", None, None, None).describe() == "kabupaten"
