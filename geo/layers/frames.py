"""Dataset -> one GeoDataFrame per layer (EPSG:4326), following the layer contract in docs/layers.md."""

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point

from geo import dataset as ev
from geo.articles import sources as src_mod
from geo.dataset import reviews as review_mod

SCHEMA_VERSION = "3"  # 3: mentions carry their article's publication date
LAYERS = ("events", "actors", "routes", "regions", "relations", "mentions")
COLUMNS: dict[str, tuple[str, ...]] = {
    "events": (
        "id",
        "title",
        "summary",
        "date",
        "end_date",
        "date_precision",
        "date_start",
        "date_end",
        "place",
        "place_precision",
        "uncertainty_km",
        "region_id",
        "type",
        "actors",
        "figures",
        "sources",
        "disputed",
        "claims",
    ),
    "actors": ("id", "name", "native_name", "kind", "country", "role", "colour"),
    "routes": (
        "id",
        "name",
        "kind",
        "status",
        "approximate",
        "date",
        "description",
        "waypoints",
        "sources",
        "waypoint_dates",
    ),
    "regions": ("id", "name", "kind", "approximate", "description", "sources"),
    "relations": ("id", "source", "target", "type", "date", "summary", "sources"),
    "mentions": ("article", "text", "start", "end", "name", "country", "feature", "score", "sentence", "published"),
}
# JSON strings inside the GeoPackage
LIST_COLUMNS = {"actors", "figures", "sources", "waypoints", "claims", "waypoint_dates"}
GEOMETRY_TYPES = {
    "events": "Point",
    "actors": "Point",
    "routes": "Unknown",
    "regions": "Unknown",
    "relations": "LineString",
    "mentions": "Point",
}


def layer_frame(layer: str, rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    data = {c: [r[c] for r in rows] for c in COLUMNS[layer]}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def empty_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer with its columns and no rows."""
    return {name: layer_frame(name, [], []) for name in LAYERS}


def _refs(refs: Iterable[src_mod.SourceRef]) -> list[dict]:
    return [r.to_dict() for r in refs]


def event_claims(ds: ev.Dataset) -> dict[str, list[dict]]:
    """event id → its conflicting claims (`geo.dataset.claims.disputed`, with the dataset's claims.csv
    when the folder has one), each as {"field", "a", "b", "a_source", "b_source"}; only disputed events."""
    from geo.dataset import claims as claims_mod

    found: list = []
    if getattr(ds, "folder", None):
        found, _ = claims_mod.load_claims(ds.folder, ds)  # its errors are reported by validation
    by_event: dict[str, list] = {}
    for c in found:
        by_event.setdefault(c.event_id, []).append(c)
    out = {}
    for e in ds.events:
        if len(e.figures) < 2 and e.id not in by_event:
            continue
        conflicts = claims_mod.disputed(e, by_event.get(e.id, ()))
        if conflicts:
            out[e.id] = [c.to_dict() for c in conflicts]
    return out


def make_layers(ds: ev.Dataset, mentions: gpd.GeoDataFrame | None = None) -> dict[str, gpd.GeoDataFrame]:
    """GeoDataFrames (EPSG:4326) for a resolved dataset; list values are Python lists."""
    conflicts = event_claims(ds)
    events = [
        dict(
            id=e.id,
            title=e.title,
            summary=e.summary,
            date=e.date,
            end_date=e.end_date,
            date_precision=e.date_precision,
            date_start=e.date_start,
            date_end=e.date_end,
            place=e.place,
            place_precision=e.place_precision,
            uncertainty_km=float(e.uncertainty_km or 0.0),
            region_id=e.region_id,
            type=e.type,
            actors=list(e.actors),
            figures=[f.to_dict() for f in e.figures],
            sources=_refs(e.sources),
            disputed=e.id in conflicts,
            claims=conflicts.get(e.id, []),
        )
        for e in ds.events
    ]
    actors = [
        dict(
            id=a.id,
            name=a.name,
            native_name=a.native_name,
            kind=a.kind,
            country=a.country,
            role=a.role,
            colour=a.colour,
        )
        for a in ds.actors
    ]
    points = {a.id: (Point(a.lon, a.lat) if a.lat is not None else None) for a in ds.actors}
    routes = [
        dict(
            id=r.id,
            name=r.name,
            kind=r.kind,
            status=r.status,
            approximate=r.approximate,
            date=r.date,
            description=r.description,
            waypoints=list(r.waypoints),
            sources=_refs(r.sources),
            waypoint_dates=list(getattr(r, "waypoint_dates", ()) or ()),
        )
        for r in ds.routes
    ]
    regions = [
        dict(
            id=r.id,
            name=r.name,
            kind=r.kind,
            approximate=r.approximate,
            description=r.description,
            sources=_refs(r.sources),
        )
        for r in ds.regions
    ]
    relations = [
        dict(
            id=r.id,
            source=r.source,
            target=r.target,
            type=r.type,
            date=r.date,
            summary=r.summary,
            sources=_refs(r.sources),
        )
        for r in ds.relations
    ]

    def arc(r: ev.Relation):
        a, b = points.get(r.source), points.get(r.target)
        return LineString([a, b]) if a is not None and b is not None else None

    return {
        "events": layer_frame("events", events, [Point(e.lon, e.lat) for e in ds.events]),
        "actors": layer_frame("actors", actors, [points[a.id] for a in ds.actors]),
        "routes": layer_frame("routes", routes, [r.geometry for r in ds.routes]),
        "regions": layer_frame("regions", regions, [r.geometry for r in ds.regions]),
        "relations": layer_frame("relations", relations, [arc(r) for r in ds.relations]),
        "mentions": mentions if mentions is not None else layer_frame("mentions", [], []),
    }


def mention_rows(article: str, text: str, reviews: dict | None = None) -> list[dict]:
    """Geoparser mentions of one article as layer rows (with lat/lon), after analysts' reviews."""
    from geo.geoparse import geocode
    from geo.geoparse import mentions as mention_mod

    return review_mod.apply_reviews(mention_mod.mention_rows(article, text, geocode.parse(text)), reviews or {})


def mentions_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Mention rows as the mentions layer; `published` (the article's date) is "" where unknown."""
    rows = [{"published": "", **r} for r in rows]
    return layer_frame("mentions", rows, [Point(r["lon"], r["lat"]) for r in rows])


def article_mentions(manifest: dict, data_dir: Path | str | None = None) -> gpd.GeoDataFrame:
    """Place mentions found by the geoparser in every manifest article available in sources_dir()."""
    reviews = review_mod.read_reviews(review_mod.reviews_path(data_dir))
    rows: list[dict] = []
    for name, art in sorted(manifest.items()):
        text = src_mod.article_text(name, art.sha256)
        if text is not None:  # dated by the article, so playback shows them when it was published
            rows.extend(dict(r, published=art.date or "") for r in mention_rows(name, text, reviews))
    return mentions_frame(rows)
