"""Mention store: where ingested corpora live, behind one small interface.

`open_store(url=None)` picks the backend from the URL (default: `GEO_STORE`):

- a GeoPackage path (default `build/store.gpkg`): embedded, no server; written with
  pyogrio in append mode, read back through its R-tree for bbox queries;
- a PostGIS URL (`postgresql://user:pass@host/db`): written with geopandas
  `to_postgis` (COPY), read with `read_postgis`; bbox and date filters run in SQL
  against a GiST index on the geometry and a b-tree on the date.

Two tables: `mentions` (the layer in docs/layers.md plus `sha256` and `date`) and
`articles` (provenance: article id, content SHA-256, title, date, ingested_at,
n_mentions). An article counts as ingested once its `articles` row exists; mentions
are written before it, so a crash part-way is retried cleanly on the next run.
"""

from __future__ import annotations

import os
import re
import sqlite3
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import config

MENTION_COLUMNS = ["article", "text", "start", "end", "name", "country", "feature", "score", "sentence"]
EXTRA_COLUMNS = ["sha256", "date"]  # provenance key and article date, for idempotency and date filters
ARTICLE_COLUMNS = ["article", "sha256", "title", "date", "ingested_at", "n_mentions"]
LAYERS = ("mentions",)
_INT = ("start", "end")
_TEXT = ("article", "text", "name", "country", "feature", "sentence", "sha256", "date")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class StoreError(Exception):
    """A store problem worth one line to the user (bad URL, server down, bad query)."""


def store_url() -> str:
    """`GEO_STORE` if set, else the default GeoPackage in the build folder."""
    return os.environ.get("GEO_STORE", "").strip() or str(config.build_dir() / "store.gpkg")


def is_postgis(url: str) -> bool:
    return url.split(":", 1)[0].lower() in {"postgresql", "postgres", "postgresql+psycopg"}


def open_store(url: str | None = None):
    """The store at `url` (default `store_url()`): a GpkgStore or a PostgisStore."""
    url = url or store_url()
    if is_postgis(url):
        return PostgisStore(url)
    if not url.lower().endswith(".gpkg") or "://" in url:
        raise StoreError(f"store {url!r}: expected a .gpkg path or a postgresql:// URL (GEO_STORE)")
    return GpkgStore(url)


def mentions_layer(bbox=None, date_range=None, url: str | None = None) -> gpd.GeoDataFrame:
    """The app's entry point: stored mentions (optionally in a viewport / date range)."""
    return open_store(url).read_layer("mentions", bbox=bbox, date_range=date_range)


# ---------------------------------------------------------------------------
# Shared helpers


def empty_mentions() -> gpd.GeoDataFrame:
    cols = {
        c: pd.Series(dtype="int64" if c in _INT else "float64" if c == "score" else "object")
        for c in MENTION_COLUMNS + EXTRA_COLUMNS
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _check_layer(name: str) -> None:
    if name not in LAYERS:
        raise StoreError(f"unknown store layer {name!r}; the store holds: {', '.join(LAYERS)}")


def _check_bbox(bbox) -> list[tuple[float, float, float, float]] | None:
    """The bbox as one or two boxes: west > east means it crosses the antimeridian (170 to -170 is the
    20 degrees around 180), which is the two boxes either side of it."""
    if bbox is None:
        return None
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise StoreError(f"bbox must be four numbers (west, south, east, north), got {bbox!r}") from None
    if not all(-180 <= x <= 180 for x in (w, e)) or not all(-90 <= y <= 90 for y in (s, n)):
        raise StoreError(f"bbox must be in degrees (longitude -180..180, latitude -90..90), got {bbox!r}")
    if s > n:
        raise StoreError(f"bbox must have south <= north, got {bbox!r}")
    return [(w, s, e, n)] if w <= e else [(w, s, 180.0, n), (-180.0, s, e, n)]


def _check_dates(date_range) -> tuple[str, str] | None:
    """ISO bounds compared as text, so partial dates ('2025-09') sort before their days."""
    if date_range is None:
        return None
    lo, hi = (str(d)[:10] if d else "" for d in date_range)
    for d in (lo, hi):
        if d and not _valid_date(d):
            raise StoreError(f"date_range bounds must be ISO dates (YYYY-MM-DD), got {d!r}")
    return lo or "0000", hi or "9999"


def _valid_date(d: str) -> bool:
    from datetime import date

    if not _DATE.match(d):
        return False
    parts = [int(x) for x in d.split("-")] + [1, 1]
    try:
        date(*parts[:3])
    except ValueError:
        return False
    return True


def _tidy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Same columns, types and order from every backend (PostGIS COPY turns '' into NULL)."""
    if gdf.empty:
        return empty_mentions()
    gdf = gdf.rename_geometry("geometry") if gdf.geometry.name != "geometry" else gdf
    for c in _TEXT:
        gdf[c] = gdf[c].astype(object).where(gdf[c].notna(), "").astype(str)
    for c in _INT:
        gdf[c] = gdf[c].astype("int64")
    gdf["score"] = gdf["score"].astype("float64")
    gdf = gdf[MENTION_COLUMNS + EXTRA_COLUMNS + ["geometry"]]
    gdf = gdf.sort_values(["article", "start", "end"], kind="stable").reset_index(drop=True)
    return gdf.set_crs("EPSG:4326", allow_override=True)


def _tidy_articles(df: pd.DataFrame) -> pd.DataFrame:
    df = df[ARTICLE_COLUMNS].copy()
    for c in ARTICLE_COLUMNS[:-1]:
        df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    df["n_mentions"] = df["n_mentions"].astype("int64")
    return df.sort_values(["article", "sha256"], kind="stable").reset_index(drop=True)


def _prepare(mentions: gpd.GeoDataFrame, articles: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    missing = [c for c in MENTION_COLUMNS + EXTRA_COLUMNS if c not in mentions.columns]
    missing += [c for c in ARTICLE_COLUMNS if c not in articles.columns]
    if missing:
        raise StoreError(f"cannot write to the store: missing columns {', '.join(missing)}")
    mentions = mentions[MENTION_COLUMNS + EXTRA_COLUMNS + [mentions.geometry.name]]
    mentions = mentions.to_crs("EPSG:4326") if mentions.crs else mentions.set_crs("EPSG:4326")
    return mentions.rename_geometry("geom"), articles[ARTICLE_COLUMNS]


# ---------------------------------------------------------------------------
# GeoPackage


class GpkgStore:
    """One .gpkg file. Single writer; any number of readers."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = str(self.path)

    def __repr__(self) -> str:
        return f"GpkgStore({self.url!r})"

    def _tables(self) -> set[str]:
        if not self.path.is_file():
            return set()
        try:
            with sqlite3.connect(self.path) as con:
                return {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a readable GeoPackage ({exc})") from None

    def layers(self) -> list[str]:
        return [name for name in LAYERS if name in self._tables()]

    def ingested_hashes(self) -> set[str]:
        if "articles" not in self._tables():
            return set()
        with sqlite3.connect(self.path) as con:
            return {r[0] for r in con.execute("SELECT sha256 FROM articles")}

    def articles(self) -> pd.DataFrame:
        if "articles" not in self._tables():
            return pd.DataFrame(columns=ARTICLE_COLUMNS)
        import pyogrio

        df = pyogrio.read_dataframe(self.path, layer="articles", read_geometry=False)
        return _tidy_articles(df)

    def write_mentions(self, mentions: gpd.GeoDataFrame, articles: pd.DataFrame) -> None:
        import pyogrio

        if articles.empty:
            return
        mentions, articles = _prepare(mentions, articles)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tables = self._tables()
        if "mentions" in tables:  # leftovers of an interrupted run for these articles
            hashes = list(articles["sha256"])
            with sqlite3.connect(self.path) as con:
                con.executemany("DELETE FROM mentions WHERE sha256 = ?", [(h,) for h in hashes])
        if not mentions.empty:
            pyogrio.write_dataframe(mentions, self.path, layer="mentions", driver="GPKG", append="mentions" in tables)
            tables.add("mentions")
        pyogrio.write_dataframe(articles, self.path, layer="articles", driver="GPKG", append="articles" in tables)
        if "mentions" in tables:
            with sqlite3.connect(self.path) as con:
                con.execute('CREATE INDEX IF NOT EXISTS mentions_date_idx ON mentions ("date")')
                con.execute("CREATE INDEX IF NOT EXISTS mentions_sha256_idx ON mentions (sha256)")

    def read_layer(self, name: str = "mentions", bbox=None, date_range=None) -> gpd.GeoDataFrame:
        import pyogrio

        _check_layer(name)
        bbox, dates = _check_bbox(bbox), _check_dates(date_range)
        if name not in self._tables():
            return empty_mentions()
        where = None
        if dates:
            where = "\"date\" >= '{}' AND \"date\" <= '{}'".format(*dates)  # validated ISO text above
        if not bbox:
            return _tidy(pyogrio.read_dataframe(self.path, layer=name, where=where))
        # Two boxes only across the antimeridian: [west, 180] and [-180, east] with east < west, so no
        # point is in both.
        parts = [pyogrio.read_dataframe(self.path, layer=name, bbox=box, where=where) for box in bbox]
        gdf = (
            parts[0]
            if len(parts) == 1
            else gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)
        )
        return _tidy(gdf)


# ---------------------------------------------------------------------------
# PostGIS

_DDL = """
CREATE TABLE IF NOT EXISTS {s}.articles (
    article text NOT NULL, sha256 text PRIMARY KEY, title text, date text,
    ingested_at text NOT NULL, n_mentions integer NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.mentions (
    id bigserial PRIMARY KEY, article text NOT NULL, text text, start integer, "end" integer,
    name text, country text, feature text, score double precision, sentence text,
    sha256 text NOT NULL, date text, geom geometry(Point, 4326) NOT NULL);
CREATE INDEX IF NOT EXISTS mentions_geom_gist ON {s}.mentions USING gist (geom);
CREATE INDEX IF NOT EXISTS mentions_date_idx ON {s}.mentions (date);
CREATE INDEX IF NOT EXISTS mentions_sha256_idx ON {s}.mentions (sha256);
"""

_SELECT = (
    'SELECT article, text, start, "end", name, country, feature, score, sentence, sha256, date, geom FROM {s}.mentions'
)


def _sqlalchemy_url(url: str) -> str:
    # SQLAlchemy's plain postgresql:// means psycopg2; we ship psycopg 3.
    return re.sub(r"^(postgresql|postgres)(\+psycopg)?://", "postgresql+psycopg://", url, flags=re.I)


@lru_cache(maxsize=8)
def _engine(url: str):
    from sqlalchemy import create_engine

    # One pooled engine per URL: the app calls read_layer on every rerun.
    return create_engine(_sqlalchemy_url(url), pool_pre_ping=True)


def _db_error(exc: Exception, url: str) -> StoreError:
    from sqlalchemy.engine import make_url

    shown = make_url(_sqlalchemy_url(url)).render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return StoreError(f"PostGIS store {shown}: {detail}")


def viewport_query(schema: str, bbox=None, date_range=None) -> tuple[str, dict]:
    """The SQL the map viewport runs: bbox and date filters on indexed columns."""
    sql, params, where = _SELECT.format(s=schema), {}, []
    if bbox:
        boxes = []
        for i, box in enumerate(bbox):
            boxes.append(f"geom && ST_MakeEnvelope(:w{i}, :s{i}, :e{i}, :n{i}, 4326)")
            params.update(zip((f"w{i}", f"s{i}", f"e{i}", f"n{i}"), box))
        where.append("(" + " OR ".join(boxes) + ")")
    if date_range is not None:
        where.append("date >= :d0 AND date <= :d1")
        params.update(d0=date_range[0], d1=date_range[1])
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + ' ORDER BY article, start, "end"', params


class PostgisStore:
    """Tables in the connection's current schema (the first of search_path, usually public)."""

    def __init__(self, url: str):
        self.url = url
        self._schema: str | None = None

    def __repr__(self) -> str:
        from sqlalchemy.engine import make_url

        return f"PostgisStore({make_url(_sqlalchemy_url(self.url)).render_as_string(hide_password=True)!r})"

    @property
    def engine(self):
        return _engine(self.url)

    def _run(self, fn):
        """Run fn(connection) in a transaction; database errors become one StoreError line."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.begin() as con:
                return fn(con)
        except SQLAlchemyError as exc:
            raise _db_error(exc, self.url) from None

    @property
    def schema(self) -> str:
        if self._schema is None:
            from sqlalchemy import text

            name = self._run(lambda con: con.execute(text("SELECT current_schema()")).scalar())
            if not name:
                raise StoreError("PostGIS store: no current schema (check search_path)")
            self._schema = '"' + name.replace('"', '""') + '"'
        return self._schema

    def _tables(self, con) -> set[str]:
        from sqlalchemy import text

        rows = con.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        )
        return {r[0] for r in rows}

    def layers(self) -> list[str]:
        tables = self._run(self._tables)
        return [name for name in LAYERS if name in tables]

    def ingested_hashes(self) -> set[str]:
        from sqlalchemy import text

        def q(con):
            if "articles" not in self._tables(con):
                return set()
            return {r[0] for r in con.execute(text(f"SELECT sha256 FROM {self.schema}.articles"))}

        return self._run(q)

    def articles(self) -> pd.DataFrame:
        from sqlalchemy import text

        def q(con):
            if "articles" not in self._tables(con):
                return pd.DataFrame(columns=ARTICLE_COLUMNS)
            return pd.read_sql(text(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM {self.schema}.articles"), con)

        return _tidy_articles(self._run(q))

    def write_mentions(self, mentions: gpd.GeoDataFrame, articles: pd.DataFrame) -> None:
        from sqlalchemy import text

        if articles.empty:
            return
        mentions, articles = _prepare(mentions, articles)
        schema = self.schema.strip('"').replace('""', '"')

        def write(con):  # one transaction: mentions and their provenance land together
            for stmt in _DDL.format(s=self.schema).split(";"):
                if stmt.strip():
                    con.execute(text(stmt))
            con.execute(
                text(f"DELETE FROM {self.schema}.mentions WHERE sha256 = ANY(:h)"), {"h": list(articles["sha256"])}
            )
            if not mentions.empty:
                mentions.to_postgis("mentions", con, schema=schema, if_exists="append", index=False)
            articles.to_sql("articles", con, schema=schema, if_exists="append", index=False)

        self._run(write)

    def read_layer(self, name: str = "mentions", bbox=None, date_range=None) -> gpd.GeoDataFrame:
        _check_layer(name)
        bbox, dates = _check_bbox(bbox), _check_dates(date_range)
        sql, params = viewport_query(self.schema, bbox, dates)

        def q(con):
            from sqlalchemy import text

            if name not in self._tables(con):
                return empty_mentions()
            return gpd.read_postgis(text(sql), con, geom_col="geom", params=params)

        return _tidy(self._run(q))

    def explain(self, bbox, date_range=None, seqscan: bool = True) -> str:
        """EXPLAIN of the viewport query; seqscan=False shows that the indexes are usable
        even on a table small enough that the planner would rather scan it."""
        from sqlalchemy import text

        sql, params = viewport_query(self.schema, _check_bbox(bbox), _check_dates(date_range))

        def q(con):
            if not seqscan:
                con.execute(text("SET LOCAL enable_seqscan = off"))
            return "\n".join(r[0] for r in con.execute(text("EXPLAIN " + sql), params))

        return self._run(q)
