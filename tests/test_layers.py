"""Layers: geography checks on the curated data, the layer contract, the build cache, atomic builds and
exports that round-trip through geopandas."""

from __future__ import annotations

import math
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from geo import config, layers
from geo.dataset import DatasetError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TRUE_CENTRES = {"Beijing": (39.9042, 116.4074), "Tianjin": (39.0842, 117.2010), "Pyongyang": (39.0392, 125.7625)}


def km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def build_dir():
    """The session's private build folder (tests/conftest.py points GEO_BUILD_DIR at a temp folder)."""
    return config.build_dir()


@pytest.fixture(scope="module")
def atlas(build_dir):
    return layers.load_layers(DATA)


@pytest.fixture
def small_data(tmp_path):
    """A copy of the curated dataset that a test may edit."""
    return Path(shutil.copytree(DATA, tmp_path / "data"))


def test_layers_follow_the_contract(atlas):
    assert set(atlas) == set(layers.LAYERS)
    for name, frame in atlas.items():
        assert frame.crs.to_epsg() == 4326, name
        assert list(frame.columns) == list(layers.COLUMNS[name]) + ["geometry"], name
    ev = atlas["events"].set_index("id")
    assert isinstance(ev.loc["victory-day-parade", "actors"], list)
    assert {f["name"] for f in ev.loc["victory-day-parade", "figures"]} >= {"spectators", "doves"}
    assert all(isinstance(s, list) and s for s in ev["sources"])
    assert atlas["routes"]["approximate"].dtype == bool
    assert (atlas["events"].geometry.geom_type == "Point").all()
    assert set(atlas["relations"].geometry.geom_type) == {"LineString"}


def test_counts_meet_targets(atlas):
    assert len(atlas["events"]) >= 25 and len(atlas["actors"]) >= 10 and len(atlas["routes"]) == 3
    assert len(atlas["regions"]) >= 3 and len(atlas["relations"]) >= 5


@pytest.mark.parametrize("city", sorted(TRUE_CENTRES))
def test_city_events_near_true_centres(atlas, city):
    rows = atlas["events"][atlas["events"]["place"] == city]
    assert len(rows), f"no event placed in {city}"
    lat, lon = TRUE_CENTRES[city]
    for row in rows.itertuples():
        assert km(row.geometry.y, row.geometry.x, lat, lon) < 25, (row.id, city)


def test_kursk_events_inside_kursk_oblast(atlas):
    kursk = atlas["regions"].set_index("id").loc["kursk-oblast", "geometry"]
    rows = atlas["events"][
        atlas["events"]["title"].str.contains("Kursk") | (atlas["events"]["region_id"] == "kursk-oblast")
    ]
    assert len(rows) >= 2
    assert all(kursk.contains(g) for g in rows.geometry)


def test_power_of_siberia_2_crosses_mongolia(atlas):
    countries = pyogrio.read_dataframe(config.ASSETS_DIR / "vendor" / "world-50m.topo.json", layer="countries")
    mongolia = countries.loc[countries["a3"] == "MNG"].geometry.iloc[0]
    china = countries.loc[countries["a3"] == "CHN"].geometry.iloc[0]
    pos2 = atlas["routes"].set_index("id").loc["power-of-siberia-2", "geometry"]
    assert pos2.intersects(mongolia) and pos2.intersects(china)


def test_kim_train_runs_pyongyang_to_beijing(atlas):
    line = atlas["routes"].set_index("id").loc["kim-train-2025", "geometry"]
    start, end = line.coords[0], line.coords[-1]
    assert km(start[1], start[0], *TRUE_CENTRES["Pyongyang"]) < 25
    assert km(end[1], end[0], *TRUE_CENTRES["Beijing"]) < 25


def test_region_points_fall_in_their_regions(atlas):
    regions = atlas["regions"].set_index("id").geometry
    for row in atlas["events"][atlas["events"]["region_id"] != ""].itertuples():
        assert regions[row.region_id].contains(row.geometry), row.id


# --------------------------------------------------------------------------- build cache and atomicity


def test_build_is_cached_and_rebuilds_on_change(build_dir, small_data):
    first = layers.build(small_data)
    assert first.built and first.counts["events"] >= 25
    assert layers.build(small_data).built is False
    assert layers.build_if_needed(small_data) == first.path
    with open(small_data / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("extra-1,Extra,Own words.,2025-09,,Beijing,,,statement\n")
    with open(small_data / "citations.csv", "a", encoding="utf-8") as fh:
        fh.write("events,extra-1,,,,,Background note,\n")
    again = layers.build(small_data)
    assert again.built and again.counts["events"] == first.counts["events"] + 1


def test_invalid_dataset_keeps_previous_build(build_dir, small_data):
    good = layers.build(small_data)
    (small_data / "actors.csv").write_text("id,name\n", encoding="utf-8")  # required column 'kind' missing
    with pytest.raises(DatasetError) as info:
        layers.load_layers(small_data)
    assert any("actors.csv:1: missing required column(s): kind" in str(e) for e in info.value.errors)
    assert layers.layer_counts(good.path) == good.counts


def test_interrupted_write_leaves_previous_gpkg_readable(build_dir, small_data, monkeypatch):
    good = layers.build(small_data)
    before = layers.read_gpkg(good.path)["events"]["id"].tolist()
    real_write = pyogrio.write_dataframe
    calls = {"n": 0}

    def failing_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # die in the middle of writing the layers
            raise OSError("disk full (simulated)")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing_write)
    with pytest.raises(OSError, match="simulated"):
        layers.build(small_data, force=True)
    monkeypatch.setattr(pyogrio, "write_dataframe", real_write)
    assert layers.read_gpkg(good.path)["events"]["id"].tolist() == before
    assert not list(build_dir.glob(".*.tmp.gpkg")), "temporary file left behind"


def test_concurrent_builds_do_not_corrupt(build_dir, small_data):
    results, errors = [], []

    def run():
        try:
            results.append(layers.build(small_data, force=True))
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 2
    assert layers.layer_counts(results[0].path) == results[0].counts


# --------------------------------------------------------------------------- exports


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_export_round_trip(build_dir, atlas, tmp_path, suffix):
    out = tmp_path / f"atlas{suffix}"
    counts = layers.export(out, DATA)
    assert counts == {k: len(v) for k, v in atlas.items()}
    if suffix == ".geojson":
        back = gpd.read_file(out)
        for name, frame in atlas.items():
            got = back[back["layer"] == name]
            assert len(got) == len(frame), name
            key = "id" if "id" in frame else "text"
            if len(frame):  # an empty layer (no article files: no mentions) has no columns to compare
                assert got[key].tolist() == frame[key].tolist(), name
    else:
        for name, frame in atlas.items():
            back = gpd.read_file(out, layer=name)
            assert len(back) == len(frame), name
            if "id" in frame:
                assert back["id"].tolist() == frame["id"].tolist()


def test_export_kml_round_trip(build_dir, atlas, tmp_path):
    out = tmp_path / "atlas.kml"
    layers.export(out, DATA)
    folders = {name: n for name, n in pyogrio.list_layers(out)}
    for name in ("events", "routes", "regions", "relations"):
        back = gpd.read_file(out, layer=name, driver="LIBKML" if "LIBKML" in pyogrio.list_drivers() else "KML")
        assert len(back) == len(atlas[name]), name
        assert sorted(back["id"]) == sorted(atlas[name]["id"]), name
    assert set(layers.LAYERS) <= set(folders)


def test_export_csv_round_trip(build_dir, atlas, tmp_path):
    out = tmp_path / "events.csv"
    assert layers.export(out, DATA) == {"events": len(atlas["events"])}
    back = pd.read_csv(out, keep_default_na=False)
    points = gpd.GeoDataFrame(back, geometry=gpd.points_from_xy(back["lon"], back["lat"]), crs=4326)
    assert points["id"].tolist() == atlas["events"]["id"].tolist()
    assert points.geometry.x.round(5).tolist() == atlas["events"].geometry.x.round(5).tolist()
    assert points.geometry.y.round(5).tolist() == atlas["events"].geometry.y.round(5).tolist()


def test_shown_events_download_is_the_filtered_rows_with_their_sources(build_dir, atlas):
    """The app's download buttons: the events a filter shows, as CSV and GeoJSON, each row leading
    back to a passage (file:start-end) or a background citation."""
    import io
    import json

    from geo.layers import filters as view_filters

    kims = view_filters.filter_layers(atlas, view_filters.Filters(actors=("kim",)))["events"]
    assert 0 < len(kims) < len(atlas["events"])
    rows = pd.read_csv(io.StringIO(layers.events_csv_text(kims)), keep_default_na=False)
    assert rows["id"].tolist() == kims["id"].tolist()
    assert all("kim" in actors.split("; ") for actors in rows["actors"])
    assert all(rows["sources"]), "every downloaded event names its sources"
    seed_spans = rows["sources"].str.contains(r"\.(?:txt|md|html?):\d+-\d+", regex=True)
    assert seed_spans.any(), rows["sources"].tolist()
    collection = json.loads(layers.geojson_text({"events": kims}, ["events"]))
    assert [f["properties"]["id"] for f in collection["features"]] == kims["id"].tolist()
    assert {f["properties"]["layer"] for f in collection["features"]} == {"events"}
    assert [f["geometry"]["coordinates"] for f in collection["features"]] == [[p.x, p.y] for p in kims.geometry]
    # Nothing shown, nothing but the header.
    assert layers.events_csv_text(kims.iloc[:0]).strip() == ",".join(layers.EVENT_CSV_COLUMNS)


def test_downloads_carry_article_title_and_date_beside_file_and_span(build_dir, atlas):
    """Issue 20: a download names each cited article by title and date, not only by its hashed file."""
    import io
    import json

    from geo.articles import sources

    manifest = sources.load_manifest()
    rows = pd.read_csv(io.StringIO(layers.events_csv_text(atlas["events"])), keep_default_na=False)
    cited = [
        (srcs.split("; "), arts.split("; "))
        for srcs, arts in zip(rows["sources"], rows["source_articles"], strict=True)
    ]
    checked = 0
    for srcs, arts in cited:
        assert len(srcs) == len(arts)
        for src, art in zip(srcs, arts, strict=True):
            file = src.rsplit(":", 1)[0]
            if file in manifest:
                assert art == f"{manifest[file].title} ({manifest[file].date})"
                checked += 1
    assert checked > 0
    collection = json.loads(layers.geojson_text({"events": atlas["events"]}, ["events"]))
    refs = [r for f in collection["features"] for r in f["properties"]["sources"] if r.get("file") in manifest]
    assert refs and all(
        r["article_title"] == manifest[r["file"]].title and r["article_date"] == manifest[r["file"]].date for r in refs
    )


def test_exports_escape_hostile_text(build_dir, tmp_path):
    data = tmp_path / "hostile"
    data.mkdir()
    title = '=HYPERLINK("http://x","y") </name><script>alert(1)</script> & "quotes" ${x} `tick`'
    (data / "events.csv").write_text(
        "id,title,summary,date,lat,lon\n"
        f'h1,"{title.replace(chr(34), chr(34) * 2)}",@SUM(A1) <b>bold</b>,2025,10,20\n'
        "h2,+plain,-minus,2025,-33.5,-70.6\n",
        encoding="utf-8",
    )
    (data / "citations.csv").write_text("layer,item,citation\nevents,h1,c\nevents,h2,c\n", encoding="utf-8")
    kml, csv_out = tmp_path / "h.kml", tmp_path / "h.csv"
    layers.export(kml, data)
    layers.export(csv_out, data)
    root = ET.parse(kml).getroot()
    names = [e.text for e in root.iter("{http://www.opengis.net/kml/2.2}name")]
    assert title in names
    rows = pd.read_csv(csv_out, keep_default_na=False, dtype=str)
    assert rows.loc[0, "title"] == "'" + title
    assert rows.loc[0, "summary"] == "'@SUM(A1) <b>bold</b>"
    assert rows.loc[1, "title"] == "'+plain" and rows.loc[1, "summary"] == "'-minus"
    assert float(rows.loc[1, "lat"]) == -33.5  # numbers stay numbers


def test_export_rejects_unknown_format(build_dir, tmp_path):
    with pytest.raises(ValueError, match="unsupported export format '.html'"):
        layers.export(tmp_path / "briefing.html", DATA)


def test_empty_optional_layers(build_dir, tmp_path):
    data = tmp_path / "tiny"
    data.mkdir()
    (data / "events.csv").write_text("id,title,summary,date,lat,lon\nt1,T,S,2025-01,1,2\n", encoding="utf-8")
    (data / "citations.csv").write_text("layer,item,citation\nevents,t1,c\n", encoding="utf-8")
    got = layers.load_layers(data)
    assert len(got["events"]) == 1 and got["events"]["geometry"].iloc[0] == Point(2, 1)
    for name in ("actors", "routes", "regions", "relations"):
        assert len(got[name]) == 0 and list(got[name].columns) == list(layers.COLUMNS[name]) + ["geometry"]


def test_package_exports_load_layers():
    import geo

    assert geo.load_layers is layers.load_layers
