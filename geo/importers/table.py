"""Any CSV → events. Columns are found by name (`lat`/`latitude`, `lon`/`longitude`, `title`/`name` …,
see `CANDIDATES`) or named with `--map title=headline,date=when`. Projected `x`/`y` need `--crs EPSG:…`
(transformed with pyproj); without one, x/y outside degrees stop the import. A row with only a place
name is geocoded offline (geo.geoparse.geocode). `event_fields` is shared with the vector reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from geo.importers.common import (
    FormatError,
    ImportFailed,
    ImportReport,
    Options,
    Record,
    actor,
    clip,
    csv_rows,
    hash_id,
    make_id,
    map_type,
    number,
    parse_date,
    split_link,
)

# target field → column names tried in order (case-insensitive)
CANDIDATES = {
    "id": ("id", "event_id", "uid"),
    "title": ("title", "name", "headline"),
    "summary": ("summary", "description", "notes", "details"),
    "date": ("date", "event_date", "when", "day", "timestamp", "begin"),
    "end_date": ("end_date", "end"),
    "type": ("type", "event_type", "category"),
    "actors": ("actors",),
    "place": ("place", "location"),
    "country": ("country",),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "x": ("x", "easting"),
    "y": ("y", "northing"),
    "place_precision": ("place_precision", "precision"),
    "uncertainty_km": ("uncertainty_km",),
    "url": ("url", "link", "source_url"),
    "source": ("source", "citation"),
    "source_title": ("source_title",),
    "status": ("status",),
    "kind": ("kind",),
}
PRECISIONS = ("exact", "city", "region", "country", "approximate")


def resolve_columns(columns: list[str], mapping: dict[str, str], label: str) -> dict[str, str]:
    """target → column of the file: `--map` first, then the usual names. Unknown targets or columns
    named in --map that the file lacks raise ImportFailed.

    Examples
    --------
    >>> resolve_columns(["Headline", "Latitude", "Longitude", "when"], {"date": "when"}, "f.csv")
    {'title': 'Headline', 'date': 'when', 'lat': 'Latitude', 'lon': 'Longitude'}
    """
    bad = [t for t in mapping if t not in CANDIDATES]
    if bad:
        raise ImportFailed(f"--map: unknown field(s) {', '.join(bad)}; known: {', '.join(CANDIDATES)}")
    lower = {c.casefold(): c for c in columns}
    out = {}
    for target, names in CANDIDATES.items():
        if target in mapping:
            col = lower.get(mapping[target].casefold())
            if col is None:
                raise ImportFailed(f"--map {target}={mapping[target]}: {label} has no such column "
                                   f"(columns: {', '.join(columns[:30])})")  # fmt: skip
            out[target] = col
        else:
            col = next((lower[n] for n in names if n in lower), None)
            if col is not None:
                out[target] = col
    return out


def event_fields(
    get: Callable[[str], str], where: str, file_label: str, report: ImportReport, count: bool = True
) -> dict | None:
    """The non-geometric event fields of a row (`get(target)` gives its value); None when unusable.
    Returns props (without lat/lon), actors, citation, url and source_type; `count` notes defaults."""
    problems = []
    date = parse_date(get("date"))
    if not date:
        problems.append(f"date {get('date')[:30]!r} is not a date" if get("date") else
                        "no date (name the column with --map date=COLUMN)")  # fmt: skip
    end = parse_date(get("end_date")) if get("end_date") else ""
    if end is None:
        problems.append(f"end_date {get('end_date')[:30]!r} is not a date")
    precision = get("place_precision").casefold()
    if precision and precision not in PRECISIONS:
        problems.append(f"place_precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    unc = number(get("uncertainty_km")) if get("uncertainty_km") else None
    if get("uncertainty_km") and (unc is None or not 0 <= unc <= 20_000):
        problems.append(f"uncertainty_km {get('uncertainty_km')[:20]!r} is not a distance in km")
    if problems:
        report.problem(where, "; ".join(problems))
        return None
    title = clip(get("title"), 200)
    if not title:
        title = clip(f"{get('type') or 'Event'} in {get('place')}" if get("place") else f"Event of {date}", 200)
        if count:
            report.default("title")
    summary = clip(get("summary"))
    if not summary:
        summary = f"{title} (imported from {file_label}, {where})."
        if count:
            report.default("summary")
    link = get("url") or (get("source") if get("source").lower().startswith(("http:", "https:")) else "")
    text = get("source_title") or (get("source") if get("source") != link else "")
    if not text:
        text = f"{file_label}, {where}"
        report.default("source")
    url, citation = split_link(link, clip(text, 300))
    names = [n for n in get("actors").split(";") if n.strip()]
    raw_type = get("type")
    props = {"title": title, "summary": summary, "date": date, "end_date": end or "", "place": clip(get("place"), 300),
             "place_precision": precision, "uncertainty_km": unc, "type": map_type(raw_type) if raw_type else ""}  # fmt: skip
    return {"props": props, "actors": tuple(a for a in map(actor, names) if a), "citation": citation, "url": url,
            "source_type": clip(raw_type, 200)}  # fmt: skip


class _Coords:
    """lat/lon from a row: degrees, or x/y in --crs transformed to WGS84, or a geocoded place name."""

    def __init__(self, cols: dict[str, str], crs: str, label: str):
        self.cols, self.label = cols, label
        has_xy, has_ll = "x" in cols and "y" in cols, "lat" in cols and "lon" in cols
        self.xy = ("x", "y") if has_xy else ("lon", "lat") if has_ll else None
        self.transform = None
        if crs:
            if self.xy is None:
                raise ImportFailed(f"--crs {crs}: {label} has no x/y (or lon/lat) columns")
            from pyproj import CRS, Transformer
            from pyproj.exceptions import CRSError

            try:
                self.transform = Transformer.from_crs(CRS.from_user_input(crs), 4326, always_xy=True).transform
            except CRSError as exc:
                raise ImportFailed(f"--crs {crs!r}: not a coordinate reference system ({exc})") from None
        elif self.xy is None and "place" not in cols:
            raise FormatError("no coordinate columns (lat/lon, latitude/longitude or x/y) and no place column; "
                              "name them with --map lat=COLUMN,lon=COLUMN")  # fmt: skip
        self._geocode = None

    def get(self, get: Callable[[str], str], country: str, where: str, report: ImportReport):
        """(lat, lon, precision found or "") or None (reported)."""
        if self.xy and (get(self.xy[0]) or get(self.xy[1])):
            a, b = number(get(self.xy[0])), number(get(self.xy[1]))
            if a is None or b is None:
                report.problem(where, f"{self.xy[0]}/{self.xy[1]} {get(self.xy[0])!r}, {get(self.xy[1])!r} "
                                      "are not numbers")  # fmt: skip
                return None
            if self.transform:
                a, b = self.transform(a, b)
            elif self.xy == ("x", "y") and not (-180 <= a <= 180 and -90 <= b <= 90):
                raise ImportFailed(f"{self.label}: {where}: x/y {a:g}, {b:g} are not degrees; give the "
                                   "coordinate system with --crs EPSG:…")  # fmt: skip
            if not (-180 <= a <= 180 and -90 <= b <= 90):
                report.problem(where, f"coordinates {b:g}, {a:g} (lat, lon) out of range")
                return None
            return b, a, ""
        if get("place"):
            return self._place(get("place"), country, where, report)
        report.problem(where, "no coordinates and no place")
        return None

    def _place(self, name: str, country: str, where: str, report: ImportReport):
        if self._geocode is None:
            from geo.dataset.model import FEATURE_PRECISION
            from geo.geoparse.geocode import geocode_place

            self._geocode, self._precision = geocode_place, FEATURE_PRECISION
        got = self._geocode(name, country.upper() if len(country) == 2 else None)
        if got is None:
            report.problem(where, f"cannot place {name[:60]!r} (not in the offline gazetteer); give lat/lon")
            return None
        return got.lat, got.lon, self._precision.get(got.feature, "approximate")


def to_event(get, coords: _Coords, rid: str, where: str, label: str, report: ImportReport) -> Record | None:
    found = coords.get(get, get("country"), where, report)
    if found is None:
        return None
    fields = event_fields(get, where, label, report)
    if fields is None:
        return None
    props = dict(fields["props"], lat=found[0], lon=found[1])
    if found[2] and not props["place_precision"]:
        props["place_precision"] = found[2]
    return Record(where, "events", rid, props, actors=fields["actors"], citation=fields["citation"],
                  url=fields["url"], source_type=fields["source_type"])  # fmt: skip


def read(path: Path, fmt: str, opts: Options, report: ImportReport) -> Iterator[Record]:
    """Events of a free-form CSV, streamed.

    Examples
    --------
    >>> opts = Options(mapping={"title": "Headline"})
    >>> next(read(Path("sheet.csv"), "csv", opts, ImportReport("sheet.csv"))).props["title"]  # doctest: +SKIP
    'Talks in Oslo'
    """
    prefix, cols, coords = opts.prefix or "csv", None, None
    for line, row in csv_rows(path, report, opts.progress):
        if "__header__" in row:
            cols = resolve_columns(row["__header__"], opts.mapping, path.name)
            coords = _Coords(cols, opts.crs, path.name)
            continue
        if not opts.keep_row(row):
            report.filtered += 1
            continue

        def get(target: str, row=row, cols=cols) -> str:
            return row.get(cols[target], "") if target in cols else ""

        rid = make_id(prefix, get("id")) if get("id") else hash_id(prefix, sorted(row.items()))
        rec = to_event(get, coords, rid, f"line {line}", path.name, report)
        if rec is not None:
            yield rec
    if cols is None:
        raise FormatError("not a CSV table: no header row")
