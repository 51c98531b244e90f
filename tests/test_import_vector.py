"""GeoJSON, KML and GeoPackage import: points → events, lines → routes, polygons → regions."""

from __future__ import annotations

import json

import pytest

from geo import dataset as events
from geo import layers
from geo.importers.common import FormatError, Options
from geo.importers.writer import import_file

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Meeting in Lyon</name><description>Two delegations met.</description>
<TimeStamp><when>2024-06-01</when></TimeStamp>
<ExtendedData><Data name="type"><value>talks</value></Data>
<Data name="url"><value>https://example.org/a</value></Data></ExtendedData>
<Point><coordinates>4.835,45.764</coordinates></Point></Placemark>
<Placemark><name>Undated point</name><Point><coordinates>5,45</coordinates></Point></Placemark>
<Placemark><name>Rail trip</name><LineString><coordinates>4.835,45.764 2.35,48.85</coordinates></LineString></Placemark>
<Placemark><name>Zone</name><Polygon><outerBoundaryIs><LinearRing>
<coordinates>1,45 3,45 3,47 1,47 1,45</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>
"""


def _geojson(path):
    feats = [
        {
            "type": "Feature",
            "properties": {
                "name": "Summit",
                "when": "2024-05-02",
                "ref": "P1",
                "type": "summit",
                "url": "data:text/html,x",
            },
            "geometry": {"type": "Point", "coordinates": [13.4, 52.5]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Pipeline", "ref": "L1", "status": "planned", "kind": "gas pipeline"},
            "geometry": {"type": "LineString", "coordinates": [[13.4, 52.5], [14.5, 53.4]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Area", "ref": "A1"},
            "geometry": {"type": "Polygon", "coordinates": [[[10, 50], [12, 50], [12, 52], [10, 52], [10, 50]]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Bad date", "when": "someday", "ref": "P2"},
            "geometry": {"type": "Point", "coordinates": [1, 1]},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def test_geojson_points_lines_polygons(tmp_path, isolated_build):
    out = tmp_path / "ds"
    opts = Options(mapping={"title": "name", "date": "when", "id": "ref"})
    report = import_file(_geojson(tmp_path / "in.geojson"), "geojson", out, opts)
    assert dict(report.layers) == {"events": 1, "routes": 1, "regions": 1}
    assert report.problems == [("feature 4", "date 'someday' is not a date")]
    assert events.load_dataset(out)[1] == []
    lay = layers.load_layers(out)
    ev = lay["events"].iloc[0]
    assert (ev.id, ev.title, ev.date, ev.type) == ("geojson-P1", "Summit", "2024-05-02", "meeting")
    assert (ev.geometry.x, ev.geometry.y) == pytest.approx((13.4, 52.5))
    assert ev.sources[0]["url"] == "" and "data:text/html" in ev.sources[0]["citation"]
    route = lay["routes"].iloc[0]
    assert (route.id, route.status, route.kind) == ("geojson-L1", "planned", "gas pipeline")
    assert route.geometry.geom_type == "LineString" and len(route.sources) == 1
    region = lay["regions"].iloc[0]
    assert region.id == "geojson-A1" and region.geometry.bounds == pytest.approx((10, 50, 12, 52))


def test_kml(tmp_path, isolated_build):
    src = tmp_path / "colleague.kml"
    src.write_text(KML, encoding="utf-8")
    out = tmp_path / "ds"
    report = import_file(src, "kml", out)
    assert dict(report.layers) == {"events": 1, "routes": 1, "regions": 1}
    assert [w for w, _ in report.problems] == ["feature 2"] and "no date" in report.problems[0][1]
    assert report.defaulted["status"] == 1
    lay = layers.load_layers(out)
    ev = lay["events"].iloc[0]
    assert (ev.title, ev.date, ev.type, ev.summary) == (
        "Meeting in Lyon",
        "2024-06-01",
        "meeting",
        "Two delegations met.",
    )
    assert (ev.geometry.x, ev.geometry.y) == pytest.approx((4.835, 45.764))
    assert ev.sources == [{"citation": "colleague.kml, feature 1", "url": "https://example.org/a"}]
    assert lay["routes"].iloc[0].status == "operational"  # defaulted, and counted as such
    # ids come from the content: a second import adds nothing
    again = import_file(src, "kml", out)
    assert (again.mapped, again.present) == (0, 3)


def test_gpkg_projected_layer(tmp_path, isolated_build):
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {"title": ["Visit"], "date": ["2024-02-03"], "type": ["visit"]}, geometry=[Point(500000, 0)], crs="EPSG:32633"
    )  # UTM 33N
    src = tmp_path / "in.gpkg"
    frame.to_file(src, layer="visits", driver="GPKG")
    out = tmp_path / "ds"
    assert import_file(src, "gpkg", out).mapped == 1
    ev = layers.load_layers(out)["events"].iloc[0]
    assert (ev.geometry.x, ev.geometry.y) == pytest.approx(
        (15.0, 0.0), abs=1e-6
    )  # the zone's central meridian on the equator


@pytest.mark.parametrize("fmt", ["geojson", "kml", "gpkg"])
def test_wrong_format(tmp_path, fmt):
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    if fmt != "geojson":
        _geojson(src)  # a real GeoJSON claimed to be KML / GeoPackage
    with pytest.raises(FormatError, match=f"not a {fmt} file") as err:
        import_file(src, fmt, tmp_path / "ds")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "ds").exists()
