"""The bundled outlines of the kabupaten/kota and their projection to SVG paths (the opportunity map).

The outlines must cover exactly the 514 codes of regions.csv, every province must project to one path per
regency inside its viewBox, and a broken feature must be refused with the file, the feature and its code named.
"""

from __future__ import annotations

import json
import re

import pytest

from matcher.data.boundaries import code_mismatches, load_boundaries, parse_boundaries
from matcher.data.projection import project
from matcher.errors import ValidationError

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def outlines():
    return load_boundaries()


def _points(d: str) -> list[tuple[float, float]]:
    values = [float(v) for v in NUMBER.findall(d)]
    return list(zip(values[::2], values[1::2], strict=True))


def test_the_outlines_cover_exactly_the_codes_of_regions_csv(outlines, regions):
    missing, unknown = code_mismatches(outlines, [r.code for r in regions])
    assert (missing, unknown) == ([], [])  # measured: 514 outlines, 514 regions, no mismatch either way
    assert len(outlines) == len(regions) == 514
    named_otherwise = [c for c, o in outlines.items() if o.name != regions.get(c).name]
    assert named_otherwise == []
    kinds = {len(o.polygons) > 1 for o in outlines.values()}
    assert kinds == {True, False}  # both Polygon and MultiPolygon features are there


def test_the_mismatch_check_reports_both_directions(outlines):
    codes = [c for c in outlines if c != "35.07"] + ["99.01"]
    assert code_mismatches(outlines, codes) == (["99.01"], ["35.07"])


def test_every_province_projects_to_one_path_per_regency_inside_its_view_box(outlines, regions):
    for province in regions.provinces():
        codes = [r.code for r in regions.in_province(province.code)]
        p = project([(c, outlines[c].polygons) for c in codes])
        assert list(p.paths) == codes, province.name
        assert p.width == 600 and 0 < p.height <= 1.3 * 600
        for code, d in p.paths.items():
            points = _points(d)
            assert len(points) >= 3, code
            assert all(0 <= x <= p.width and 0 <= y <= p.height for x, y in points), code
            assert d.startswith("M") and d.endswith("Z")


def test_projection_keeps_shapes_and_proportions_and_simplifies_lightly(outlines, regions):
    codes = [r.code for r in regions.in_province("35")]  # Jawa Timur: 38 regencies, islands included
    shapes = [(c, outlines[c].polygons) for c in codes]
    full, light = project(shapes, tolerance=0), project(shapes)
    n_full = sum(len(_points(d)) for d in full.paths.values())
    n_light = sum(len(_points(d)) for d in light.paths.values())
    assert n_light < n_full  # simplified
    assert n_light > 0.3 * n_full  # but lightly
    assert sum(len(d) for d in light.paths.values()) < 60_000  # small enough to send with a page
    # Kota Surabaya (35.78) lies north-east of Kabupaten Malang (35.07): x grows east, y grows south
    sby, mlg = _points(light.paths["35.78"]), _points(light.paths["35.07"])
    centre = lambda pts: (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts))  # noqa: E731
    assert centre(sby)[0] > centre(mlg)[0] - 50 and centre(sby)[1] < centre(mlg)[1]


def test_a_shape_smaller_than_the_tolerance_is_still_drawn():
    tiny = ((((100.0, 0.0), (100.0001, 0.0), (100.0001, 0.0001), (100.0, 0.0)),),)
    big = ((((99.0, -1.0), (101.0, -1.0), (101.0, 1.0), (99.0, 1.0), (99.0, -1.0)),),)
    p = project([("a", tiny), ("b", big)])
    assert set(p.paths) == {"a", "b"} and p.paths["a"].startswith("M")


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(code, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": f"Kab {code}"}, "geometry": geometry}


SQUARE = [[[100, 0], [101, 0], [101, 1], [100, 1], [100, 0]]]


def test_polygon_and_multipolygon_with_holes_parse():
    hole = [[100.2, 0.2], [100.4, 0.2], [100.4, 0.4], [100.2, 0.2]]
    out = parse_boundaries(_collection(
        _feature("11.01", {"type": "Polygon", "coordinates": [SQUARE[0], hole]}),
        _feature("11.02", {"type": "MultiPolygon", "coordinates": [SQUARE, [[[102, 0], [103, 0], [103, 1], [102, 0]]]]}),
    ), "x.geojson")
    assert len(out["11.01"].polygons) == 1 and len(out["11.01"].polygons[0]) == 2
    assert len(out["11.02"].polygons) == 2
    d = project([(c, o.polygons) for c, o in out.items()]).paths["11.01"]
    assert d.count("M") == 2  # the hole is a second ring (drawn with fill-rule evenodd)


@pytest.mark.parametrize(("geometry", "reason"), [
    ({"type": "Point", "coordinates": [100, 0]}, "not Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[100, 0], [101, 0], [100, 0]]]}, "at least 4 positions"),
    ({"type": "Polygon", "coordinates": [[[100, 0], [101, 0], [101, 1], [100, 1]]]}, "not closed"),
    ({"type": "Polygon", "coordinates": [[[100, 0], ["x", 0], [101, 1], [100, 0]]]}, "position 1"),
    ({"type": "Polygon", "coordinates": [[[100, 0], [101, 95], [101, 1], [100, 0]]]}, "in range"),
    ({"type": "MultiPolygon", "coordinates": []}, "non-empty list of polygons"),
    (None, "no geometry"),
])
def test_bad_geometry_is_refused_naming_file_feature_and_code(tmp_path, geometry, reason):
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps(_collection(_feature("11.01", {"type": "Polygon", "coordinates": SQUARE}),
                                           _feature("11.02", geometry))), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_boundaries(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path.resolve()) and problem.row == 2 and problem.field == "geometry"
    assert "11.02" in problem.reason and reason in problem.reason


def test_bad_codes_duplicates_and_non_geojson_are_refused(tmp_path):
    polygon = {"type": "Polygon", "coordinates": SQUARE}
    with pytest.raises(ValidationError) as caught:
        parse_boundaries(_collection(_feature("1101", polygon), _feature("11.01", polygon),
                                     _feature("11.01", polygon)), "b.geojson")
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "properties.code"), (3, "properties.code")]
    assert "appears twice" in caught.value.problems[1].reason
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(ValidationError, match="not JSON"):
        load_boundaries(path)
    with pytest.raises(ValidationError, match="FeatureCollection"):
        parse_boundaries({"type": "Feature"}, "c.geojson")
