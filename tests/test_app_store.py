"""The app with GEO_STORE: ingested corpus mentions join the map, queried by date range in the store;
the same view from a GeoPackage store and from PostGIS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from postgis_fixture import postgis_url  # noqa: F401  (fixture)
from streamlit.testing.v1 import AppTest

from geo.app import corpus as app_corpus
from geo.corpus import ingest, store
from geo.layers import filters as view_filters

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CORPUS = [
    {"id": "n1", "text": "Flooding closed roads around Lyon on Tuesday, officials in Marseille said."},
    {"id": "n2", "text": "A cargo ship left Rotterdam for Nairobi by way of Mombasa."},
]


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in CORPUS) + "\n", encoding="utf-8")
    return path


def corpus_status(at) -> str:
    return next((c.value for c in at.caption if c.value.startswith("Corpus store")), "")


def run_app_with_store(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("GEO_STORE", url)
    app_corpus.corpus_mentions.clear()
    return AppTest.from_file(APP, default_timeout=120).run().run()  # map first, then the page


def test_viewport_bbox_is_widened_and_clamped():
    bounds = {"bounds": {"_southWest": {"lat": 30, "lng": 100}, "_northEast": {"lat": 50, "lng": 130}}}
    assert view_filters.viewport_bbox(bounds) == (85.0, 20.0, 145.0, 60.0)
    world = {"bounds": {"_southWest": {"lat": -80, "lng": -170}, "_northEast": {"lat": 80, "lng": 170}}}
    assert view_filters.viewport_bbox(world) == (-180.0, -90.0, 180.0, 90.0)
    assert view_filters.viewport_bbox({}) is None and view_filters.viewport_bbox(None) is None


def test_app_without_a_store_adds_nothing(monkeypatch):
    monkeypatch.delenv("GEO_STORE", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run().run()  # map first, then the page
    assert not at.exception and corpus_status(at) == ""


def test_same_corpus_view_from_geopackage_and_postgis(corpus, tmp_path, monkeypatch, postgis_url):  # noqa: F811
    gpkg = str(tmp_path / "store.gpkg")
    for url in (gpkg, postgis_url):
        ingest.ingest(corpus, store.open_store(url), workers=1, processes=False)
    views = []
    for url in (gpkg, postgis_url):
        at = run_app_with_store(url, monkeypatch)
        assert not at.exception
        views.append(corpus_status(at))
        layer = app_corpus.corpus_mentions(None, None, None)
        views.append(sorted(zip(layer["article"], layer["text"], layer.geometry.x.round(4), layer.geometry.y.round(4))))
    assert views[0].startswith("Corpus store: ") and "mentions in this view" in views[0]
    assert views[0] == views[2] and views[1] == views[3] and len(views[1]) >= 4


def test_geopackage_store_mentions_reach_the_map_layer(corpus, tmp_path, monkeypatch):
    gpkg = str(tmp_path / "store.gpkg")
    ingest.ingest(corpus, store.open_store(gpkg), workers=1, processes=False)
    at = run_app_with_store(gpkg, monkeypatch)
    assert not at.exception
    stored = len(store.mentions_layer(url=gpkg))
    assert corpus_status(at) == f"Corpus store: {stored} mentions in this view."
