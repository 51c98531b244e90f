"""Mention store: GeoPackage and PostGIS backends behind one interface.

PostGIS cases skip with a reason unless GEO_TEST_POSTGIS_URL points at a server with
the postgis extension (.ci/postgis.sh sets one up).
"""

from __future__ import annotations

import random

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from postgis_fixture import postgis_url  # noqa: F401  (fixture)
from shapely.geometry import Point, box

from geo.corpus import store

# Hand-made rows: (article, text, start, name, country, feature, lon, lat, date)
ROWS = [
    ("a1", "Lyon", 10, "Lyon", "FR", "city", 4.84789, 45.74906, "2025-03-01"),
    ("a1", "Marseille", 40, "Marseille", "FR", "city", 5.38107, 43.29695, "2025-03-01"),
    ("a2", "Rotterdam", 5, "Rotterdam", "NL", "city", 4.47917, 51.9225, "2025-04-15"),
    ("a2", "Antwerp", 30, "Antwerp", "BE", "city", 4.40346, 51.21989, "2025-04-15"),
    ("a3", "Nairobi", 0, "Nairobi", "KE", "city", 36.81667, -1.28333, ""),
    ("a3", "Kenya", 50, "Kenya", "", "country", 38.0, 1.0, ""),  # empty country must round-trip as ""
    ("a4", "Melbourne", 22, "Melbourne", "AU", "city", 144.96332, -37.814, "2025-06-30"),
]
EUROPE = (-10.0, 35.0, 30.0, 60.0)


def sample(rows=ROWS) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    df = pd.DataFrame(
        [
            {
                "article": a,
                "text": t,
                "start": s,
                "end": s + len(t),
                "name": n,
                "country": c,
                "feature": f,
                "score": 0.5 + i / 100,
                "sentence": f"A sentence about {t}.",
                "sha256": f"sha-{a}",
                "date": d or None,
                "lon": lon,
                "lat": lat,
            }
            for i, (a, t, s, n, c, f, lon, lat, d) in enumerate(rows)
        ]
    )
    mentions = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326"
    )
    arts = sorted({(r[0], r[8]) for r in rows})
    articles = pd.DataFrame(
        [
            {
                "article": a,
                "sha256": f"sha-{a}",
                "title": f"Title {a}",
                "date": d or None,
                "ingested_at": "2026-11-23T10:00:00+00:00",
                "n_mentions": sum(r[0] == a for r in rows),
            }
            for a, d in arts
        ]
    )
    return mentions, articles


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request, tmp_path):
    if request.param == "gpkg":
        return store.open_store(str(tmp_path / "store.gpkg"))
    return store.open_store(request.getfixturevalue("postgis_url"))


# ---------------------------------------------------------------------------
# Both backends


def test_empty_store_reads_as_empty_layer(backend):
    assert backend.layers() == []
    assert backend.ingested_hashes() == set()
    gdf = backend.read_layer("mentions", bbox=EUROPE)
    assert gdf.empty and gdf.crs == "EPSG:4326"
    assert list(gdf.columns) == store.MENTION_COLUMNS + store.EXTRA_COLUMNS + ["geometry"]


def test_round_trip_keeps_rows_types_and_order(backend):
    mentions, articles = sample()
    backend.write_mentions(mentions.iloc[::-1], articles)  # written out of order on purpose
    assert backend.layers() == ["mentions"]
    assert backend.ingested_hashes() == set(articles.sha256)
    got = backend.read_layer("mentions")
    want = store._tidy(mentions.copy())
    assert_geodataframe_equal(got, want)
    assert list(got.article) == sorted(got.article)
    assert got.loc[got.text == "Kenya", "country"].item() == ""
    prov = backend.articles()
    assert list(prov.article) == ["a1", "a2", "a3", "a4"]
    assert prov.loc[prov.article == "a3", "date"].item() == ""


def test_bbox_returns_only_features_inside(backend):
    mentions, articles = sample()
    backend.write_mentions(mentions, articles)
    got = backend.read_layer("mentions", bbox=EUROPE)
    inside = mentions[mentions.within(box(*EUROPE))]
    assert sorted(got.text) == sorted(inside.text) == ["Antwerp", "Lyon", "Marseille", "Rotterdam"]
    assert got.within(box(*EUROPE)).all()


def test_date_range_filters_on_article_date(backend):
    mentions, articles = sample()
    backend.write_mentions(mentions, articles)
    got = backend.read_layer("mentions", date_range=("2025-04-01", "2025-12-31"))
    assert sorted(got.text) == ["Antwerp", "Melbourne", "Rotterdam"]
    both = backend.read_layer("mentions", bbox=EUROPE, date_range=("2025-04-01", None))
    assert sorted(both.text) == ["Antwerp", "Rotterdam"]


def test_rewrite_replaces_leftovers_of_an_interrupted_run(backend):
    mentions, articles = sample()
    backend.write_mentions(mentions[mentions.article == "a1"], articles[articles.article == "a1"])
    # A crash after the mentions but before the provenance row: simulate by rewriting a2's
    # mentions twice; only the last write may remain.
    a2m, a2a = mentions[mentions.article == "a2"], articles[articles.article == "a2"]
    if isinstance(backend, store.GpkgStore):
        import pyogrio

        pyogrio.write_dataframe(store._prepare(a2m, a2a)[0], backend.path, layer="mentions", append=True)
    else:
        a2m.rename_geometry("geom").to_postgis(
            "mentions", backend.engine, schema=backend.schema.strip('"'), if_exists="append"
        )
    backend.write_mentions(a2m, a2a)
    got = backend.read_layer("mentions")
    assert sorted(got.text) == ["Antwerp", "Lyon", "Marseille", "Rotterdam"]


def test_bbox_across_the_antimeridian(backend):
    pacific = ROWS + [
        ("a5", "Suva", 0, "Suva", "FJ", "city", 178.44149, -18.14161, ""),
        ("a5", "Apia", 20, "Apia", "WS", "city", -171.76666, -13.83333, ""),
        ("a5", "Date line", 40, "Date line", "", "line", 180.0, -15.0, ""),
    ]
    mentions, articles = sample(pacific)
    backend.write_mentions(mentions, articles)
    # West > east: the 20 degrees around 180, not the 340 degrees between.
    got = backend.read_layer("mentions", bbox=(170, -30, -165, 0))
    assert sorted(got.text) == ["Apia", "Date line", "Suva"]
    # West < east: the usual box, which is everything between (Nairobi), and none of the Pacific.
    assert sorted(backend.read_layer("mentions", bbox=(-165, -30, 170, 0)).text) == ["Nairobi"]
    assert sorted(backend.read_layer("mentions", bbox=(170, -30, -165, 0), date_range=("2025-01-01", None)).text) == []


def test_bad_queries_are_one_line_errors(backend):
    with pytest.raises(store.StoreError, match="unknown store layer"):
        backend.read_layer("events")
    with pytest.raises(store.StoreError, match="south <= north"):
        backend.read_layer("mentions", bbox=(10, 5, 20, 0))
    with pytest.raises(store.StoreError, match="in degrees"):
        backend.read_layer("mentions", bbox=(190, 0, 200, 5))
    with pytest.raises(store.StoreError, match="ISO dates"):
        backend.read_layer("mentions", date_range=("2025-13-01", None))


# ---------------------------------------------------------------------------
# Choosing a backend


def test_geo_store_env_chooses_backend(monkeypatch, tmp_path):
    monkeypatch.delenv("GEO_STORE", raising=False)
    monkeypatch.setenv("GEO_BUILD_DIR", str(tmp_path / "b"))
    default = store.open_store()
    assert isinstance(default, store.GpkgStore) and default.path == tmp_path / "b" / "store.gpkg"
    monkeypatch.setenv("GEO_STORE", "postgresql://u:p@localhost/db")
    assert isinstance(store.open_store(), store.PostgisStore)
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "other.gpkg"))
    assert store.mentions_layer().empty  # no file yet: an empty layer, not an error
    monkeypatch.setenv("GEO_STORE", "store.sqlite")
    with pytest.raises(store.StoreError, match="expected a .gpkg path or a postgresql:// URL"):
        store.open_store()


def test_unreachable_postgis_is_one_line_error():
    st = store.open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(store.StoreError) as err:
        st.ingested_hashes()
    msg = str(err.value)
    assert "\n" not in msg and "secret" not in msg and "127.0.0.1" in msg


# ---------------------------------------------------------------------------
# PostGIS only


def test_gpkg_and_postgis_hold_the_same_mentions(tmp_path, postgis_url):  # noqa: F811
    mentions, articles = sample()
    gpkg, pg = store.open_store(str(tmp_path / "s.gpkg")), store.open_store(postgis_url)
    for st in (gpkg, pg):
        st.write_mentions(mentions, articles)
    assert_geodataframe_equal(gpkg.read_layer("mentions"), pg.read_layer("mentions"))
    assert_geodataframe_equal(gpkg.read_layer("mentions", bbox=EUROPE), pg.read_layer("mentions", bbox=EUROPE))
    pd.testing.assert_frame_equal(gpkg.articles(), pg.articles())


def test_viewport_query_uses_the_spatial_index(postgis_url):  # noqa: F811
    rng = random.Random(7)
    n = 5000
    rows = [(f"r{i // 10:04d}", rng.uniform(-180, 180), rng.uniform(-85, 85)) for i in range(n)]
    mentions = gpd.GeoDataFrame(
        {
            "article": [r[0] for r in rows],
            "text": "X",
            "start": range(n),
            "end": range(1, n + 1),
            "name": "X",
            "country": "",
            "feature": "city",
            "score": 1.0,
            "sentence": "",
            "sha256": [f"h{r[0]}" for r in rows],
            "date": "2025-01-01",
        },
        geometry=[Point(r[1], r[2]) for r in rows],
        crs="EPSG:4326",
    )
    ids = sorted({r[0] for r in rows})
    articles = pd.DataFrame(
        {
            "article": ids,
            "sha256": [f"h{a}" for a in ids],
            "title": "",
            "date": "2025-01-01",
            "ingested_at": "2026-11-23T10:00:00+00:00",
            "n_mentions": 10,
        }
    )
    pg = store.open_store(postgis_url)
    pg.write_mentions(mentions, articles)
    with pg.engine.begin() as con:
        con.exec_driver_sql(f"ANALYZE {pg.schema}.mentions")
    viewport = (2.0, 48.0, 3.0, 49.0)  # a city-sized view: a handful of 5,000 points
    plan = pg.explain(viewport)
    assert "mentions_geom_gist" in plan, plan
    forced = pg.explain(viewport, ("2025-01-01", "2025-12-31"), seqscan=False)
    assert "mentions_geom_gist" in forced or "mentions_date_idx" in forced, forced
    inside = mentions[mentions.within(box(*viewport))]
    assert len(pg.read_layer("mentions", bbox=viewport)) == len(inside)
