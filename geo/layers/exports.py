"""Exports of built layers: GeoJSON, KML and CSV (the GeoPackage is the build itself), written atomically."""

import csv
import io
import json
import math
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import mapping

from geo.layers.cache import load_layers, write_gpkg
from geo.layers.frames import LAYERS


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


def _manifest(articles: dict | None) -> dict:
    """file → Article (title, date) from the source manifest; {} when it cannot be read."""
    if articles is not None:
        return articles
    from geo.articles import sources

    try:
        return sources.load_manifest()
    except Exception:  # a broken manifest is reported by validation; exports still name file and span
        return {}


def _with_article(ref: Any, articles: dict) -> Any:
    """A source reference with its article's title and date beside the file and span."""
    if not isinstance(ref, dict) or not ref.get("file"):
        return _plain(ref)
    art = articles.get(ref["file"])
    return {**ref, "article_title": getattr(art, "title", "") or "", "article_date": getattr(art, "date", "") or ""}


def geojson_text(
    layers: dict[str, gpd.GeoDataFrame], names: Iterable[str] = LAYERS, articles: dict | None = None
) -> str:
    """A FeatureCollection of the named layers; each feature's `layer` property says which. Each source
    reference also carries `article_title` and `article_date` (from the manifest, or `articles`)."""
    articles = _manifest(articles)
    features = []
    for name in names:
        frame = layers[name]
        cols = [c for c in frame.columns if c != "geometry"]
        for row in frame.itertuples(index=False):
            props = {"layer": name}
            props.update({c: _plain(getattr(row, c)) for c in cols})
            if isinstance(props.get("sources"), (list, tuple)):
                props["sources"] = [_with_article(ref, articles) for ref in props["sources"]]
            geom = row.geometry
            features.append(
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": mapping(geom) if geom is not None and not geom.is_empty else None,
                }
            )
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
                ET.SubElement(mark, "description").text = _text_value(
                    values.get("summary") or values.get("description")
                )
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


def _article_text(s: dict, articles: dict) -> str:
    """ "Title (date)" of a cited article, in the same order as the `sources` cell; "" for a citation."""
    art = articles.get(s.get("file")) if s.get("file") else None
    if art is None:
        return ""
    title = getattr(art, "title", "") or s["file"]
    return f"{title} ({art.date})" if getattr(art, "date", "") else title


EVENT_CSV_COLUMNS = (
    "id",
    "title",
    "summary",
    "date",
    "end_date",
    "date_precision",
    "place",
    "lat",
    "lon",
    "place_precision",
    "uncertainty_km",
    "region_id",
    "type",
    "actors",
    "figures",
    "sources",
    "source_articles",
)


def events_csv_text(events: gpd.GeoDataFrame, articles: dict | None = None) -> str:
    """Events as CSV: lists joined with `; `, text cells neutralised against formula injection, and
    each source as `file:start-end` (or its citation), so every row leads back to its passage;
    `source_articles` gives each source's article title and date, in the same order."""
    articles = _manifest(articles)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(EVENT_CSV_COLUMNS)
    for row in events.itertuples(index=False):
        values = {
            **{c: getattr(row, c) for c in EVENT_CSV_COLUMNS if c not in ("lat", "lon", "source_articles")},
            "lat": round(row.geometry.y, 6),
            "lon": round(row.geometry.x, 6),
            "actors": "; ".join(row.actors),
            "figures": "; ".join(_figure_text(f) for f in row.figures),
            "sources": "; ".join(_source_text(s) for s in row.sources),
            "source_articles": "; ".join(_article_text(s, articles) for s in row.sources),
        }
        writer.writerow(
            [
                v if isinstance(v, (int, float)) else neutralise(_text_value(v))
                for v in (values[c] for c in EVENT_CSV_COLUMNS)
            ]
        )
    return out.getvalue()


def export_csv(layers: dict[str, gpd.GeoDataFrame], out: Path) -> None:
    with _atomic_output(out, ".csv") as tmp:
        tmp.write_bytes(events_csv_text(layers["events"]).encode("utf-8"))


EXPORTERS = {
    ".geojson": export_geojson,
    ".kml": export_kml,
    ".csv": export_csv,
    ".gpkg": lambda layers, out: write_gpkg(layers, out),
}


def export(out: Path | str, data_dir: Path | str | None = None) -> dict[str, int]:
    """Write the layers to `out`, format by extension; returns feature counts per layer written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in EXPORTERS:
        raise ValueError(
            f"unsupported export format {out.suffix or '(none)'!r}; use one of {', '.join(sorted(EXPORTERS))}"
        )
    layers = load_layers(data_dir)
    EXPORTERS[suffix](layers, out)
    return {"events": len(layers["events"])} if suffix == ".csv" else {k: len(v) for k, v in layers.items()}
