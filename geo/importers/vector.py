"""GeoJSON, KML and GeoPackage (read through pyogrio) → points as events, lines as routes, polygons as
regions. Every layer of the file is read (`--layer NAME` picks one); geometries in another CRS are
transformed to WGS84. Fields are found like the CSV importer's (`name`/`title`, `description`,
`date`/`when`/`timestamp` …) or named with `--map title=name,date=when`. A vector file is read one layer
at a time, whole: these files are rarely large (use GDELT/CSV for millions of rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from geo.importers.common import FormatError, ImportFailed, ImportReport, Options, Record, clip, hash_id, make_id
from geo.importers.table import event_fields, resolve_columns, to_event

DRIVERS = {"geojson": ("GeoJSON", "GeoJSONSeq", "ESRIJSON", "TopoJSON"), "kml": ("KML", "LIBKML"), "gpkg": ("GPKG",)}
ROUTE_STATUSES = ("planned", "MoU signed", "under construction", "operational")
DEFAULT_STATUS = "operational"


def _text(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):  # None, NaN, NaT
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


class _At:
    """Coordinates of a point feature (the `_Coords` interface of the CSV importer)."""

    def __init__(self, lat: float, lon: float):
        self.found = (lat, lon, "")

    def get(self, get, country, where, report):
        return self.found


def _layers(path: Path, fmt: str, opts: Options) -> list[str]:
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        info = pyogrio.read_info(path)
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataSourceError, RuntimeError, OSError) as exc:
        raise FormatError(f"not a {fmt} file (GDAL cannot open it: {str(exc).splitlines()[0][:200]})") from None
    driver = info.get("driver") or ""
    if driver not in DRIVERS[fmt]:
        raise FormatError(f"not a {fmt} file: GDAL reads it as {driver or 'an unknown format'}")
    if opts.layer:
        if opts.layer not in layers:
            raise ImportFailed(f"--layer {opts.layer}: {path.name} has layer(s) {', '.join(layers)}")
        return [opts.layer]
    return layers


def _feature(get, geom, rid: str, where: str, label: str, report: ImportReport) -> Record | None:
    """A line → route, a polygon → region."""
    layer = "routes" if geom.geom_type in ("LineString", "MultiLineString") else "regions"
    fields = event_fields(lambda k: get(k) if k != "date" or get("date") else "0001", where, label, report, False)
    if fields is None:
        return None
    name = clip(get("title"), 200)
    if not name:
        name = f"{label} {layer[:-1]} ({where})"
        report.default("name")
    props = {"name": name, "kind": clip(get("kind") or get("type"), 100), "approximate": False,
             "description": clip(get("summary"))}  # fmt: skip
    date_text = fields["props"]["date"]
    if get("date") and date_text:
        props["date"] = date_text
    if layer == "routes":
        status = {s.casefold(): s for s in ROUTE_STATUSES}.get(get("status").casefold())
        if not status:
            report.default("status")
        props["status"] = status or DEFAULT_STATUS
    return Record(where, layer, rid, props, geometry=geom, citation=fields["citation"], url=fields["url"],
                  source_type=fields["source_type"])  # fmt: skip


def read(path: Path, fmt: str, opts: Options, report: ImportReport) -> Iterator[Record]:
    """Records of a GeoJSON, KML or GeoPackage file, layer by layer.

    Examples
    --------
    >>> recs = read(Path("sites.geojson"), "geojson", Options(), ImportReport("sites.geojson"))  # doctest: +SKIP
    >>> sorted({r.layer for r in recs})  # doctest: +SKIP
    ['events', 'regions', 'routes']
    """
    import pyogrio

    prefix = opts.prefix or fmt
    layers = _layers(path, fmt, opts)
    for layer in layers:
        gdf = pyogrio.read_dataframe(path, layer=layer)
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326 and len(gdf):
            gdf = gdf.to_crs(4326)
        columns = [c for c in gdf.columns if c != "geometry"]
        cols = resolve_columns(columns, opts.mapping, f"{path.name} layer {layer}")
        for n, (props, geom) in enumerate(zip(gdf[columns].to_dict("records"), gdf.geometry), 1):
            where = f"feature {n}" if len(layers) == 1 else f"layer {layer}, feature {n}"
            row = {k: _text(v) for k, v in props.items()}
            if not opts.keep_row(row):
                report.filtered += 1
                continue

            def get(target: str, row=row, cols=cols) -> str:
                return row.get(cols[target], "") if target in cols else ""

            if geom is None or geom.is_empty:
                report.problem(where, "no geometry")
                continue
            ident = get("id")
            rid = make_id(prefix, ident) if ident else hash_id(prefix, (layer, sorted(row.items()), geom.wkb_hex))
            kind = geom.geom_type
            if kind == "Point":
                rec = to_event(get, _At(geom.y, geom.x), rid, where, path.name, report)
            elif kind in ("LineString", "MultiLineString", "Polygon", "MultiPolygon"):
                rec = _feature(get, geom, rid, where, path.name, report)
            else:
                report.problem(where, f"{kind} geometry is not imported (points, lines and polygons are)")
                continue
            if rec is not None:
                if not all(-180 <= v <= 180 for v in geom.bounds[::2]) or not all(
                    -90 <= v <= 90 for v in geom.bounds[1::2]
                ):
                    report.problem(where, f"coordinates out of range (bounds {geom.bounds})")
                    continue
                yield rec
