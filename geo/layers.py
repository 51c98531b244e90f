"""Dataset → GeoDataFrames per layer → one GeoPackage; loading and exports.

The layer contract (names, columns, types) is docs/layers.md. Flow:
`geo.events.load_valid` → `make_layers` → `build` (atomic GeoPackage in `config.build_dir()`, cached on a
content signature) → `load_layers`. Exports start from `load_layers`.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import math
import os
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString, Point, mapping

from geo import config
from geo import events as ev
from geo import review as review_mod
from geo import sources as src_mod

# Until geo/layers/ becomes the package (issue 18), let `geo.layers.versions` import from that folder.
__path__ = [str(Path(__file__).with_suffix(""))]

SCHEMA_VERSION = "1"
LAYERS = ("events", "actors", "routes", "regions", "relations", "mentions")
COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("id", "title", "summary", "date", "end_date", "date_precision", "date_start", "date_end", "place",
               "place_precision", "uncertainty_km", "region_id", "type", "actors", "figures", "sources"),
    "actors": ("id", "name", "native_name", "kind", "country", "role", "colour"),
    "routes": ("id", "name", "kind", "status", "approximate", "date", "description", "waypoints", "sources"),
    "regions": ("id", "name", "kind", "approximate", "description", "sources"),
    "relations": ("id", "source", "target", "type", "date", "summary", "sources"),
    "mentions": ("article", "text", "start", "end", "name", "country", "feature", "score", "sentence"),
}
LIST_COLUMNS = {"actors", "figures", "sources", "waypoints"}  # JSON strings inside the GeoPackage
GEOMETRY_TYPES = {"events": "Point", "actors": "Point", "routes": "Unknown", "regions": "Unknown",
                  "relations": "LineString", "mentions": "Point"}
# Code whose changes invalidate a build (the geocoder's choices end up in the layers).
_CODE_FILES = ("events.py", "layers.py", "sources.py", "geocode.py", "gazetteer.py", "extract.py", "review.py")


# ---------------------------------------------------------------------------
# Dataset → GeoDataFrames

def _frame(layer: str, rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    data = {c: [r[c] for r in rows] for c in COLUMNS[layer]}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def empty_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer with its columns and no rows."""
    return {name: _frame(name, [], []) for name in LAYERS}


def _refs(refs: Iterable[src_mod.SourceRef]) -> list[dict]:
    return [r.to_dict() for r in refs]


def make_layers(ds: ev.Dataset, mentions: gpd.GeoDataFrame | None = None) -> dict[str, gpd.GeoDataFrame]:
    """GeoDataFrames (EPSG:4326) for a resolved dataset; list values are Python lists."""
    events = [dict(id=e.id, title=e.title, summary=e.summary, date=e.date, end_date=e.end_date,
                   date_precision=e.date_precision, date_start=e.date_start, date_end=e.date_end, place=e.place,
                   place_precision=e.place_precision, uncertainty_km=float(e.uncertainty_km or 0.0),
                   region_id=e.region_id, type=e.type, actors=list(e.actors),
                   figures=[f.to_dict() for f in e.figures], sources=_refs(e.sources)) for e in ds.events]
    actors = [dict(id=a.id, name=a.name, native_name=a.native_name, kind=a.kind, country=a.country, role=a.role,
                   colour=a.colour) for a in ds.actors]
    points = {a.id: (Point(a.lon, a.lat) if a.lat is not None else None) for a in ds.actors}
    routes = [dict(id=r.id, name=r.name, kind=r.kind, status=r.status, approximate=r.approximate, date=r.date,
                   description=r.description, waypoints=list(r.waypoints), sources=_refs(r.sources))
              for r in ds.routes]
    regions = [dict(id=r.id, name=r.name, kind=r.kind, approximate=r.approximate, description=r.description,
                    sources=_refs(r.sources)) for r in ds.regions]
    relations = [dict(id=r.id, source=r.source, target=r.target, type=r.type, date=r.date, summary=r.summary,
                      sources=_refs(r.sources)) for r in ds.relations]

    def arc(r: ev.Relation):
        a, b = points.get(r.source), points.get(r.target)
        return LineString([a, b]) if a is not None and b is not None else None

    return {
        "events": _frame("events", events, [Point(e.lon, e.lat) for e in ds.events]),
        "actors": _frame("actors", actors, [points[a.id] for a in ds.actors]),
        "routes": _frame("routes", routes, [r.geometry for r in ds.routes]),
        "regions": _frame("regions", regions, [r.geometry for r in ds.regions]),
        "relations": _frame("relations", relations, [arc(r) for r in ds.relations]),
        "mentions": mentions if mentions is not None else _frame("mentions", [], []),
    }


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


def mention_rows(article: str, text: str, reviews: dict | None = None) -> list[dict]:
    """Geoparser mentions of one article as layer rows (with lat/lon), after analysts' reviews."""
    from geo.geocode import parse

    rows = [dict(article=article, text=t.text, start=t.start, end=t.end, name=t.name, country=t.country,
                 feature=t.feature, score=float(t.score), sentence=_sentence(text, t.start, t.end),
                 lat=t.lat, lon=t.lon)
            for t in parse(text)]
    return review_mod.apply_reviews(rows, reviews or {})


def mentions_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return _frame("mentions", rows, [Point(r["lon"], r["lat"]) for r in rows])


def article_mentions(manifest: dict, data_dir: Path | str | None = None) -> gpd.GeoDataFrame:
    """Place mentions found by the geoparser in every manifest article available in sources_dir()."""
    reviews = review_mod.read_reviews(review_mod.reviews_path(data_dir))
    rows: list[dict] = []
    for name, art in sorted(manifest.items()):
        text = src_mod.article_text(name, art.sha256)
        if text is not None:
            rows.extend(mention_rows(name, text, reviews))
    return mentions_frame(rows)


# ---------------------------------------------------------------------------
# Signature, GeoPackage, build cache

def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir else config.data_dir()


def dataset_signature(data_dir: Path | str | None = None) -> str:
    """Content hash of everything a build reads: dataset files, manifest, available articles, code."""
    folder = _data_dir(data_dir)
    h = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())

    def add(label: str, path: Path) -> None:
        h.update(label.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")

    for name in sorted(ev.FILES) + [review_mod.FILE_NAME]:
        add(f"data/{name}", folder / name)
    manifest = src_mod.manifest_path(folder)
    if manifest:
        add(f"manifest {manifest}", manifest)
        for name in sorted(src_mod.read_manifest(manifest)):
            h.update(f"article {name} {src_mod.article_sha256(name)}".encode())
    code = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        add(f"code/{name}", code / name)
    return h.hexdigest()


def gpkg_path(data_dir: Path | str | None = None) -> Path:
    """Where the build of a dataset folder lives (one GeoPackage per folder)."""
    folder = _data_dir(data_dir).resolve()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name)[:40] or "data"
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    return config.build_dir() / f"atlas-{slug}-{digest}.gpkg"


def _encode(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col in out.columns:
        if col in LIST_COLUMNS:
            out[col] = [json.dumps(v, ensure_ascii=False) for v in out[col]]
    return out


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path, signature: str = "") -> None:
    """Write all layers into a new GeoPackage at `path` atomically (temp file + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name, not a mkstemp placeholder: GDAL creates the file itself, and a placeholder it had to
    # delete first would leave a gap in which the temp file vanishes. Builds of a folder hold a lock.
    tmp = str(path.parent / f".{path.stem}-{uuid.uuid4().hex[:12]}.tmp.gpkg")
    try:
        for name in LAYERS:
            frame = layers.get(name)
            if frame is None:
                frame = _frame(name, [], [])
            pyogrio.write_dataframe(_encode(name, frame), tmp, layer=name, driver="GPKG",
                                    geometry_type=GEOMETRY_TYPES[name], promote_to_multi=False,
                                    layer_metadata={"signature": signature, "schema": SCHEMA_VERSION})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def stored_signature(path: Path) -> str | None:
    """The signature a GeoPackage was built from, or None if it is missing or unreadable."""
    try:
        info = pyogrio.read_info(path, layer="events")
        return (info.get("layer_metadata") or {}).get("signature")
    except Exception:  # missing/corrupt file: treat as "needs a build"
        return None


@contextmanager
def _build_lock():
    config.build_dir().mkdir(parents=True, exist_ok=True)
    with open(config.build_dir() / ".atlas-build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    counts: dict
    built: bool  # False when the cached GeoPackage was current


def _remove_stale_temps(path: Path) -> None:
    """Temp files a killed build left next to `path` (call with the build lock held: no other build of
    this folder can be writing them)."""
    for tmp in path.parent.glob(f".{path.stem}-*.tmp.gpkg*"):
        try:
            tmp.unlink()
        except OSError:
            pass


def build(data_dir: Path | str | None = None, force: bool = False) -> BuildResult:
    """Validate, geocode and write the GeoPackage (serialised by a lock; skipped when current).
    Raises events.DatasetError for an invalid dataset; the previous GeoPackage stays in place."""
    folder = _data_dir(data_dir)
    path = gpkg_path(folder)
    with _build_lock():
        _remove_stale_temps(path)
        signature = dataset_signature(folder)
        if not force and path.is_file() and stored_signature(path) == signature:
            return BuildResult(path, layer_counts(path), built=False)
        ds = ev.load_valid(folder)
        layers = make_layers(ds, article_mentions(ds.manifest, folder))
        write_gpkg(layers, path, signature)
        from geo.layers import versions  # every build is a version (issue 16)

        versions.record_dataset(ds, folder, signature)
        return BuildResult(path, {k: len(v) for k, v in layers.items()}, built=True)


def build_if_needed(data_dir: Path | str | None = None) -> Path:
    """Path of a current GeoPackage for the dataset; builds only when the inputs changed."""
    folder = _data_dir(data_dir)
    path = gpkg_path(folder)
    if path.is_file() and stored_signature(path) == dataset_signature(folder):
        return path
    return build(folder).path


def layer_counts(path: Path) -> dict[str, int]:
    return {name: int(pyogrio.read_info(path, layer=name)["features"]) for name in LAYERS}


def _decode(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    for col in frame.columns:
        if col in LIST_COLUMNS:
            frame[col] = [json.loads(v) if isinstance(v, str) and v else [] for v in frame[col]]
    for col in COLUMNS[layer]:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype=object)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame[list(COLUMNS[layer]) + ["geometry"]]


def read_gpkg(path: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: _decode(pyogrio.read_dataframe(path, layer=name), name) for name in LAYERS}


def load_layers(data_dir: Path | str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """All layers of a dataset (default `config.data_dir()`), EPSG:4326, building when needed.
    Raises events.DatasetError (with `.errors`) when the dataset does not validate."""
    return read_gpkg(build_if_needed(data_dir))


def describe_problem(exc: BaseException) -> list[str]:
    """Human-readable lines for a failure of load_layers/build (for the app and the CLI)."""
    if isinstance(exc, ev.DatasetError):
        return [str(e) for e in exc.errors]
    return [f"{type(exc).__name__}: {exc}"]


# ---------------------------------------------------------------------------
# Exports

def _plain(value: Any) -> Any:
    """A JSON/XML-friendly Python value (no NaN, numpy scalars unwrapped)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@contextmanager
def _atomic_output(out: Path, suffix: str):
    """A temporary path next to `out`; moved over it only when the block succeeds."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=suffix, dir=out.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def geojson_text(layers: dict[str, gpd.GeoDataFrame], names: Iterable[str] = LAYERS) -> str:
    """A FeatureCollection of the named layers; each feature's `layer` property says which."""
    features = []
    for name in names:
        frame = layers[name]
        cols = [c for c in frame.columns if c != "geometry"]
        for row in frame.itertuples(index=False):
            props = {"layer": name}
            props.update({c: _plain(getattr(row, c)) for c in cols})
            geom = row.geometry
            features.append({"type": "Feature", "properties": props,
                             "geometry": mapping(geom) if geom is not None and not geom.is_empty else None})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def export_geojson(layers: dict[str, gpd.GeoDataFrame], out: Path) -> None:
    with _atomic_output(out, ".geojson") as tmp:
        tmp.write_text(geojson_text(layers), encoding="utf-8")


def _kml_coords(coords) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in coords)


def _kml_geometry(parent: ET.Element, geom) -> None:
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(geom.coords)
    elif kind == "LineString":
        ET.SubElement(ET.SubElement(parent, "LineString"), "coordinates").text = _kml_coords(geom.coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ring = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(ring, "coordinates").text = _kml_coords(geom.exterior.coords)
        for hole in geom.interiors:
            ring = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(ring, "coordinates").text = _kml_coords(hole.coords)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _kml_geometry(multi, part)


def _text_value(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_kml(layers: dict[str, gpd.GeoDataFrame], out: Path) -> None:
    """KML with one Folder per layer; every value goes through ElementTree (escaped)."""
    root = ET.Element("kml", xmlns="http://www.opengis.net/kml/2.2")
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = "Briefing Atlas"
    for name in LAYERS:
        frame = layers[name]
        folder = ET.SubElement(doc, "Folder")
        ET.SubElement(folder, "name").text = name
        cols = [c for c in frame.columns if c != "geometry"]
        for row in frame.itertuples(index=False):
            values = {c: getattr(row, c) for c in cols}
            mark = ET.SubElement(folder, "Placemark")
            label = values.get("title") or values.get("name") or values.get("id") or values.get("text")
            ET.SubElement(mark, "name").text = _text_value(label)
            if values.get("summary") or values.get("description"):
                ET.SubElement(mark, "description").text = _text_value(values.get("summary") or values.get("description"))
            ext = ET.SubElement(mark, "ExtendedData")
            for c in cols:
                data = ET.SubElement(ext, "Data", name=c)
                ET.SubElement(data, "value").text = _text_value(values[c])
            if row.geometry is not None and not row.geometry.is_empty:
                _kml_geometry(mark, row.geometry)
    ET.indent(root)
    with _atomic_output(out, ".kml") as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Stop spreadsheets from running a text cell as a formula (leading apostrophe)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _figure_text(f: dict) -> str:
    value = f"{f.get('qualifier', '')} {f['value']} {f.get('unit', '')}".strip()
    who = f" ({f['claimed_by']})" if f.get("claimed_by") else ""
    return f"{f['name']}={value}{who}"


def _source_text(s: dict) -> str:
    return f"{s['file']}:{s['start']}-{s['end']}" if s.get("file") else s.get("citation", "")


EVENT_CSV_COLUMNS = ("id", "title", "summary", "date", "end_date", "date_precision", "place", "lat", "lon",
                     "place_precision", "uncertainty_km", "region_id", "type", "actors", "figures", "sources")


def events_csv_text(events: gpd.GeoDataFrame) -> str:
    """Events as CSV: lists joined with `; `, text cells neutralised against formula injection, and
    each source as `file:start-end` (or its citation), so every row leads back to its passage."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(EVENT_CSV_COLUMNS)
    for row in events.itertuples(index=False):
        values = {
            **{c: getattr(row, c) for c in EVENT_CSV_COLUMNS if c not in ("lat", "lon")},
            "lat": round(row.geometry.y, 6), "lon": round(row.geometry.x, 6),
            "actors": "; ".join(row.actors),
            "figures": "; ".join(_figure_text(f) for f in row.figures),
            "sources": "; ".join(_source_text(s) for s in row.sources),
        }
        writer.writerow([v if isinstance(v, (int, float)) else neutralise(_text_value(v))
                         for v in (values[c] for c in EVENT_CSV_COLUMNS)])
    return out.getvalue()


def export_csv(layers: dict[str, gpd.GeoDataFrame], out: Path) -> None:
    with _atomic_output(out, ".csv") as tmp:
        tmp.write_bytes(events_csv_text(layers["events"]).encode("utf-8"))


EXPORTERS = {".geojson": export_geojson, ".kml": export_kml, ".csv": export_csv,
             ".gpkg": lambda layers, out: write_gpkg(layers, out)}


def export(out: Path | str, data_dir: Path | str | None = None) -> dict[str, int]:
    """Write the layers to `out`, format by extension; returns feature counts per layer written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in EXPORTERS:
        raise ValueError(f"unsupported export format {out.suffix or '(none)'!r}; "
                         f"use one of {', '.join(sorted(EXPORTERS))}")
    layers = load_layers(data_dir)
    EXPORTERS[suffix](layers, out)
    return {"events": len(layers["events"])} if suffix == ".csv" else {k: len(v) for k, v in layers.items()}
