"""Gazetteer physical features (geo/geoparse/features.py): found in general, from the labels' data."""

from __future__ import annotations

import random

import pytest

from geo.geoparse import features, gazetteer, geocode


@pytest.fixture(scope="module")
def table():
    return features.physical_features()


def _nearest_km(places, lat, lon):
    return min((geocode.haversine_km(p.lat, p.lon, lat, lon) for p in places), default=float("inf"))


def test_yamal_lake_baikal_and_the_gobi_are_found():
    # reference points: general knowledge, independent of the labels table (generous radius)
    for name, lat, lon, feature in (
        ("Yamal", 70.5, 70.0, "physical"),
        ("Yamal Peninsula", 70.5, 70.0, "physical"),
        ("Lake Baikal", 53.5, 108.0, "lake"),
        ("Baikal", 53.5, 108.0, "lake"),
        ("Gobi", 43.0, 105.0, "physical"),
        ("the Gobi Desert"[4:], 43.0, 105.0, "physical"),
    ):
        top = gazetteer.lookup(name)
        assert top, f"no place called {name!r}"
        assert top[0].feature == feature and geocode.haversine_km(top[0].lat, top[0].lon, lat, lon) < 300, (
            name,
            top[0],
        )


def test_random_features_are_found_within_100_km(table):
    # features the issues never name: a seeded sample of 25 from the whole table. A feature whose name
    # the gazetteer's own region/sea table already had keeps that older point, so it is left out here.
    own = {gazetteer.normalize(r[0]) for r in gazetteer.REGIONS}
    pool = [f for f in table if gazetteer.normalize(f["name"]) not in own]
    sample = random.Random(20).sample(pool, 25)
    missed = [(f["name"], _nearest_km(gazetteer.lookup(f["name"]), f["lat"], f["lon"])) for f in sample]
    missed = [m for m in missed if m[1] > 100]
    assert not missed, missed


def test_every_feature_and_alias_resolves(table):
    # no feature is shadowed completely: its name or alias lists a place within 100 km
    own = {gazetteer.normalize(r[0]) for r in gazetteer.REGIONS}
    for f in table:
        if gazetteer.normalize(f["name"]) in own:
            continue
        for name in [f["name"], *f["aliases"]]:
            assert _nearest_km(gazetteer.lookup(name), f["lat"], f["lon"]) <= 100, (f["name"], name)


def test_geoparser_places_features_in_running_text():
    # a sentence written for this test (not from any article or evaluation text)
    text = (
        "Engineers surveyed a route from the Yamal Peninsula to the shore of Lake Baikal, "
        "then south across the Gobi toward the Yellow Sea, avoiding the Altai Mountains."
    )
    found = {t.text: t for t in geocode.parse(text)}
    for name in ("Yamal Peninsula", "Lake Baikal", "Gobi", "Yellow Sea", "Altai Mountains"):
        assert name in found, (name, sorted(found))
    assert geocode.haversine_km(found["Lake Baikal"].lat, found["Lake Baikal"].lon, 53.5, 108.0) < 300
    assert found["Gobi"].feature == "physical"


def test_feature_classes_and_admin_regions_from_the_same_file():
    assert {f["feature"] for f in features.physical_features()} == {"sea", "lake", "physical", "region"}
    regions = features.admin_regions()
    assert len(regions) > 1000 and all(r["kind"] == "admin1" and r["minzoom"] >= 5 for r in regions)
    # the gazetteer's cache key follows the labels file, so a data change rebuilds the index
    assert f"labels-{features.data_version()}" in gazetteer.index_path().name


def test_bad_labels_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "labels.js"
    bad.write_text("window.ATLAS_LABELS={not json};", encoding="utf-8")
    with pytest.raises(features.LabelsError, match="labels.js: malformed"):
        features.labels(bad)
    with pytest.raises(features.LabelsError, match="cannot read"):
        features.labels(tmp_path / "missing.js")


def test_review_correction_finds_a_feature_by_its_short_name():
    # "Correct to: Yamal" in the app looks the name up with geocode_place
    for name, feature in (("Yamal", "physical"), ("Lake Baikal", "lake"), ("Gobi", "physical")):
        place = geocode.geocode_place(name)
        assert place is not None and place.feature == feature, (name, place)
