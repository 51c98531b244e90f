"""Reading and validating a curated dataset folder into frozen dataclasses.

Files (only the events file is required; see data/README.md for the schema):
  events.csv | events.geojson, figures.csv, citations.csv, actors.csv, relations.csv,
  routes.geojson, regions.geojson, places.csv, and optionally a sources.csv manifest.

`load_dataset(folder)` returns a `Dataset` and a list of `ValidationError`s (file + line or feature +
message). It never raises for bad input: every problem becomes an error. Place names without
coordinates are resolved here: `places.csv` override first, then a region of `regions.geojson`
(by id or name), then `geo.geocode.geocode_place`.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import date as _date
from pathlib import Path
from typing import Any, Callable, NamedTuple

import shapely
from shapely.geometry import shape

from geo import sources as src_mod
from geo.sources import SourceRef

MAX_FIELD = 10_000
PLACE_PRECISIONS = ("exact", "city", "region", "country", "approximate")
ROUTE_STATUSES = ("planned", "MoU signed", "under construction", "operational")
JOURNEY_STATUSES = ("planned", "under way", "completed")  # a route whose kind names a journey: a trip, not a line
ACTOR_KINDS = ("person", "state", "organisation")
CITATION_LAYERS = ("events", "relations", "routes", "regions")
# Radius (km) of the uncertainty ring when a row gives none.
DEFAULT_UNCERTAINTY_KM = {"exact": 0.5, "city": 10.0, "region": 150.0, "country": 400.0, "approximate": 100.0}
FEATURE_PRECISION = {"city": "city", "country": "country", "admin1": "region", "region": "region",
                     "sea": "region", "continent": "country"}

FILES = {
    "events.csv": "events", "events.geojson": "events", "figures.csv": "figures",
    "citations.csv": "citations", "actors.csv": "actors", "relations.csv": "relations",
    "routes.geojson": "routes", "regions.geojson": "regions", "places.csv": "places",
    "sources.csv": "manifest",
}
COLUMNS = {
    "events": (("id", "title", "summary", "date"),
               ("end_date", "date_precision", "place", "lat", "lon", "place_precision", "uncertainty_km",
                "actors", "type", "country")),
    "figures": (("event_id", "name", "value"), ("unit", "qualifier", "claimed_by", "file", "sha256", "start",
                                                 "end", "evidence", "citation", "url")),
    "citations": (("layer", "item"), ("file", "sha256", "start", "end", "evidence", "citation", "url")),
    "actors": (("id", "name", "kind"), ("native_name", "country", "role", "colour", "place", "lat", "lon")),
    "relations": (("id", "source", "target", "type"), ("date", "summary")),
    "places": (("name", "lat", "lon"), ("country", "precision", "note")),
    "manifest": (("file", "sha256"), ("title", "publisher", "authors", "date", "kind")),
}


# ---------------------------------------------------------------------------
# Records

@dataclass(frozen=True)
class ValidationError:
    file: str
    message: str
    line: int | None = None
    feature: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}"
        if self.feature is not None:
            return f"{self.file}: feature {self.feature}: {self.message}"
        return f"{self.file}: {self.message}"


class DatasetError(Exception):
    """Raised by callers that need a valid dataset (build, load_layers)."""

    def __init__(self, errors: list[ValidationError]):
        self.errors = list(errors)
        head = "\n".join(str(e) for e in self.errors[:20])
        more = f"\n… and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        super().__init__(f"dataset has {len(self.errors)} error(s):\n{head}{more}")


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str = ""
    qualifier: str = ""  # about, more than, up to …
    claimed_by: str = ""
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {"name": self.name, "value": value, "unit": self.unit, "qualifier": self.qualifier,
                "claimed_by": self.claimed_by, "source": self.source.to_dict() if self.source else None}


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    summary: str
    date: str
    end_date: str
    date_precision: str
    date_start: str
    date_end: str
    place: str
    lat: float | None
    lon: float | None
    place_precision: str
    uncertainty_km: float | None
    region_id: str
    type: str
    actors: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    country: str = ""
    where: str = ""  # "file:line" or "file: feature N" for later messages


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    native_name: str
    kind: str
    country: str
    role: str
    colour: str
    place: str
    lat: float | None
    lon: float | None
    where: str = ""


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    kind: str
    status: str
    approximate: bool
    description: str
    date: str
    waypoints: tuple[str, ...]
    geometry: Any
    sources: tuple[SourceRef, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    kind: str
    approximate: bool
    description: str
    geometry: Any
    sources: tuple[SourceRef, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Relation:
    id: str
    source: str
    target: str
    type: str
    date: str
    summary: str
    sources: tuple[SourceRef, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class PlaceOverride:
    name: str
    lat: float
    lon: float
    country: str = ""
    precision: str = "exact"
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    folder: Path
    events: tuple[Event, ...] = ()
    actors: tuple[Actor, ...] = ()
    routes: tuple[Route, ...] = ()
    regions: tuple[Region, ...] = ()
    relations: tuple[Relation, ...] = ()
    places: tuple[PlaceOverride, ...] = ()
    manifest: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Low-level readers: bytes → text → rows, with errors instead of exceptions

class _Errors(list):
    def add(self, file: str, message: str, line: int | None = None, feature: int | None = None) -> None:
        self.append(ValidationError(file, message, line, feature))


def _decode(path: Path, label: str, errors: _Errors) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.add(label, f"cannot read file: {exc.strerror or exc}")
        return None
    if not data:
        errors.add(label, "empty file (0 bytes)")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        errors.add(label, "file is UTF-16 encoded; save it as UTF-8")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(label, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8", line=line)
        return None
    if "\x00" in text:
        errors.add(label, "file contains NUL bytes; is it a binary or UTF-16 file?")
        return None
    if not text.strip():
        errors.add(label, "file has no content")
        return None
    return text


# A CSV field longer than this stops the reader (an unclosed quote would otherwise swallow the rest of
# the file into one field); fields over MAX_FIELD but under this are reported with their line.
CSV_FIELD_LIMIT = 1_000_000
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _first_bad_utf8(path: Path) -> tuple[int, int, int] | None:
    """(byte offset, byte value, line) of the first byte that is not UTF-8 (None if all is UTF-8),
    reading the file in chunks."""
    import codecs

    offset, line, pending = 0, 1, b""  # offset: where `pending` starts in the file
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            data = pending + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start, data[exc.start], line + data[:exc.start].count(b"\n")
            line += data[:used].count(b"\n")
            offset += used
            pending = data[used:]
            if not chunk:
                return None


def _encoding_error(path: Path, label: str, errors: _Errors) -> bool:
    bad = _first_bad_utf8(Path(path))
    if bad is None:
        return False
    offset, byte, line = bad
    errors.add(label, f"not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); save the file as UTF-8 "
                      "(Excel: CSV UTF-8)", line=line)
    return True


def iter_csv_rows(path: Path, label: str, kind: str, errors: _Errors):
    """Yield (line, row) pairs, streaming: one record in memory at a time, whatever the file size.
    `line` is the physical line where the record starts (header = line 1). Problems become errors."""
    required, optional = COLUMNS[kind]
    try:
        fh = open(path, "rb")
    except OSError as exc:
        errors.add(label, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        head = fh.read(4)
        if not head:
            errors.add(label, "empty file (0 bytes)")
            return
        if head.startswith(_UTF16_BOMS):
            errors.add(label, "file is UTF-16 encoded; save it as UTF-8")
            return
        fh.seek(0)
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        state = {"nul": 0}

        def lines():
            n = 0
            for physical in text:
                n += 1
                if "\x00" in physical:
                    state["nul"] = n
                    return
                yield physical

        reader = csv.reader(lines(), strict=True)
        old_limit = csv.field_size_limit()
        header = None
        last = 0
        try:
            while True:
                csv.field_size_limit(CSV_FIELD_LIMIT)
                try:
                    rec = next(reader)
                except StopIteration:
                    break
                except UnicodeDecodeError:
                    _encoding_error(path, label, errors)
                    return
                except csv.Error as exc:
                    msg = str(exc)
                    if "field larger than field limit" in msg:
                        msg = (f"a field is longer than {CSV_FIELD_LIMIT:,} characters "
                               "(an unclosed quote?)")
                    errors.add(label, f"malformed CSV: {msg}", line=last + 1)
                    return
                finally:
                    csv.field_size_limit(old_limit)
                line, last = last + 1, reader.line_num
                if not rec or all(not c.strip() for c in rec):
                    continue
                if header is None:
                    header = [h.strip() for h in rec]
                    dupes = sorted({h for h in header if header.count(h) > 1 and h})
                    if dupes:
                        errors.add(label, f"duplicate column(s) in header: {', '.join(dupes)}", line=line)
                    missing = [c for c in required if c not in header]
                    if missing:
                        # a header that reads wrong is often the sign of another encoding: say that first
                        if not _encoding_error(path, label, errors):
                            errors.add(label, f"missing required column(s): {', '.join(missing)}", line=line)
                        return
                    unknown = [h for h in header if h and h not in required + optional]
                    if unknown:
                        errors.add(label, f"unknown column(s) ignored: {', '.join(unknown)}", line=line)
                    continue
                if len(rec) > len(header):
                    errors.add(label, f"row has {len(rec)} fields but the header has {len(header)}", line=line)
                    continue
                big = [h for i, h in enumerate(header) if i < len(rec) and len(rec[i]) > MAX_FIELD]
                if big:
                    errors.add(label, f"field(s) longer than {MAX_FIELD} characters: {', '.join(big)}",
                               line=line)
                    continue
                yield line, {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        finally:
            text.detach()
        if state["nul"]:
            errors.add(label, "file contains NUL bytes; is it a binary or UTF-16 file?", line=state["nul"])
            return
        if header is None:
            errors.add(label, "file has no content (no header row)")


def read_csv_rows(path: Path, label: str, kind: str, errors: _Errors) -> list[tuple[int, dict]]:
    """All (line, row) pairs of a CSV file as a list; see `iter_csv_rows` (streaming)."""
    return list(iter_csv_rows(path, label, kind, errors))


def read_geojson_features(path: Path, label: str, allowed: tuple[str, ...], errors: _Errors,
                          allow_null: bool = False) -> list[tuple[int, dict, Any]]:
    """(feature number counting from 1, properties, shapely geometry or None)."""
    text = _decode(path, label, errors)
    if text is None:
        return []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        errors.add(label, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
        return []
    except RecursionError:
        errors.add(label, "invalid JSON: nested too deeply")
        return []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        errors.add(label, f"expected a GeoJSON FeatureCollection, got {got!r}")
        return []
    feats = doc.get("features")
    if not isinstance(feats, list):
        errors.add(label, "'features' must be a list")
        return []
    out = []
    for n, feat in enumerate(feats, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            errors.add(label, "not a GeoJSON Feature", feature=n)
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            errors.add(label, "'properties' must be an object", feature=n)
            continue
        big = [k for k, v in props.items() if len(json.dumps(v, ensure_ascii=False)) > MAX_FIELD]
        if big:
            errors.add(label, f"propert(ies) longer than {MAX_FIELD} characters: {', '.join(big)}", feature=n)
            continue
        geom = feat.get("geometry")
        if geom is None:
            if not allow_null:
                errors.add(label, "missing geometry", feature=n)
                continue
            out.append((n, props, None))
            continue
        g = _geometry(geom, allowed, label, n, errors)
        if g is not None:
            out.append((n, props, g))
    return out


def _walk_coords(coords: Any):
    if isinstance(coords, (list, tuple)) and coords and not isinstance(coords[0], (list, tuple)):
        yield coords
    elif isinstance(coords, (list, tuple)):
        for c in coords:
            yield from _walk_coords(c)
    else:
        yield coords


def _geometry(geom: Any, allowed: tuple[str, ...], label: str, n: int, errors: _Errors):
    if not isinstance(geom, dict) or "type" not in geom:
        errors.add(label, "geometry is not a GeoJSON geometry object", feature=n)
        return None
    if geom["type"] not in allowed:
        errors.add(label, f"geometry type {geom['type']!r} not allowed here (expected {' or '.join(allowed)})",
                   feature=n)
        return None
    for pos in _walk_coords(geom.get("coordinates")):
        if not isinstance(pos, (list, tuple)) or len(pos) < 2 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2]):
            errors.add(label, f"bad coordinate {pos!r}: expected [lon, lat] numbers", feature=n)
            return None
        lon, lat = pos[0], pos[1]
        if not (math.isfinite(lon) and math.isfinite(lat)):
            errors.add(label, f"coordinate {pos!r} is not finite (NaN/Infinity)", feature=n)
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors.add(label, f"coordinate {pos!r} out of range (lon ±180, lat ±90)", feature=n)
            return None
    try:
        g = shape(geom)
    except Exception as exc:  # malformed nesting etc.
        errors.add(label, f"invalid geometry: {exc}", feature=n)
        return None
    if g.is_empty:
        errors.add(label, "empty geometry", feature=n)
        return None
    if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_valid:
        g = shapely.make_valid(g)
    return g


# ---------------------------------------------------------------------------
# Field parsers

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(text: str) -> tuple[str, str, str] | str:
    """ISO date, maybe partial → (precision, first day, last day) or an error message."""
    m = _DATE_RE.match(text or "")
    if not m:
        return f"date {text!r} is not ISO (YYYY, YYYY-MM or YYYY-MM-DD)"
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if d:
            day = _date(y, int(mo), int(d))
            return "day", day.isoformat(), day.isoformat()
        if mo:
            first = _date(y, int(mo), 1)
            nxt = _date(y + (first.month == 12), first.month % 12 + 1, 1)
            return "month", first.isoformat(), _date.fromordinal(nxt.toordinal() - 1).isoformat()
        return "year", _date(y, 1, 1).isoformat(), _date(y, 12, 31).isoformat()
    except ValueError:
        return f"impossible date {text!r}"


def _number(value: Any, name: str, problems: list[str], lo: float | None = None, hi: float | None = None):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(f"{name}: {value!r} is not a number")
        return None
    try:
        num = float(str(value).replace("_", "") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        problems.append(f"{name}: {str(value)[:40]!r} is not a number")
        return None
    if not math.isfinite(num):
        problems.append(f"{name}: {value!r} is not finite")
        return None
    if (lo is not None and num < lo) or (hi is not None and num > hi):
        problems.append(f"{name}: {num:g} out of range [{lo:g}, {hi:g}]")
        return None
    return num


def _int(value: Any, name: str, problems: list[str]) -> int | None:
    num = _number(value, name, problems)
    if num is None:
        return None
    if not float(num).is_integer() or num < 0:
        problems.append(f"{name}: {value!r} is not a non-negative integer")
        return None
    return int(num)


def _bool(value: Any, name: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    problems.append(f"{name}: {value!r} is not true/false")
    return False


def _list(value: Any, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    problems.append(f"{name}: expected a list of strings")
    return ()


def _text(props: dict, key: str) -> str:
    v = props.get(key)
    return "" if v is None else str(v).strip()


# ---------------------------------------------------------------------------
# Source references

@dataclass
class _SourceCtx:
    manifest: dict
    folder: Path | None = None
    _sha: dict = field(default_factory=dict)

    def article_sha(self, file: str) -> str | None:
        if file not in self._sha:
            self._sha[file] = src_mod.article_sha256(file, self.folder)
        return self._sha[file]


def make_ref(row: dict, ctx: _SourceCtx, problems: list[str]) -> SourceRef | None:
    """A SourceRef from a row/dict with file/start/end (+sha256, evidence) or citation/url."""
    file = _text(row, "file")
    if not file:
        citation = _text(row, "citation")
        if not citation:
            problems.append("source needs either file/start/end or a citation")
            return None
        return SourceRef(citation=citation, url=_text(row, "url"))
    start = _int(row.get("start"), "start", problems)
    end = _int(row.get("end"), "end", problems)
    if start is None or end is None:
        if not any(p.startswith(("start", "end")) for p in problems):
            problems.append(f"source {file}: start and end are required")
        return None
    if end <= start:
        problems.append(f"source {file}: span end {end} is not after start {start}")
        return None
    art = ctx.manifest.get(file)
    sha = (_text(row, "sha256") or (art.sha256 if art else "")).lower()
    if not sha:
        problems.append(f"source file {file!r} is not in the sources.csv manifest (and no sha256 given)")
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        problems.append(f"source {file}: sha256 {sha[:20]!r} is not a 64-digit hex digest")
        return None
    ref = SourceRef(file=file, sha256=sha, start=start, end=end, evidence=_text(row, "evidence"))
    actual = ctx.article_sha(file)
    if actual is not None:  # the article is available: check it
        if actual != sha:
            problems.append(f"source {file}: SHA-256 mismatch (file has {actual[:12]}…, reference "
                            f"{sha[:12]}…); the article changed, re-check the spans")
            return ref
        text = src_mod.article_text(file, sha, ctx.folder) or ""
        if end > len(text):
            problems.append(f"source {file}: span {start}-{end} is outside the file ({len(text)} characters)")
            return ref
        if ref.evidence and not src_mod.mentions_evidence(text[start:end], ref.evidence):
            problems.append(f"source {file}: span {start}-{end} does not mention {ref.evidence!r}")
    return ref


def _refs_from_list(value: Any, ctx: _SourceCtx, problems: list[str]) -> tuple[SourceRef, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("sources: expected a list of objects")
        return ()
    refs = []
    for v in value:
        r = make_ref(v, ctx, problems)
        if r:
            refs.append(r)
    return tuple(refs)


# ---------------------------------------------------------------------------
# Per-file parsers

def _check_date_fields(get: Callable[[str], str], problems: list[str]):
    date = get("date")
    if not date:
        problems.append("date is required")
        return None
    parsed = parse_date(date)
    if isinstance(parsed, str):
        problems.append(parsed)
        return None
    precision, first, last = parsed
    given = get("date_precision")
    if given and given != precision:
        problems.append(f"date_precision {given!r} does not match date {date!r} ({precision})")
    end = get("end_date")
    if end:
        pe = parse_date(end)
        if isinstance(pe, str):
            problems.append("end_date: " + pe)
        elif pe[2] < first:
            problems.append(f"end_date {end!r} is before date {date!r}")
        else:
            last = pe[2]
    return precision, first, last


def _event(get, raw: Callable[[str], Any], where: str, ctx: _SourceCtx, problems: list[str],
           actor_ids: set | None = None) -> Event | None:
    for key in ("id", "title", "summary"):
        if not get(key):
            problems.append(f"{key} is required")
    dates = _check_date_fields(get, problems)
    lat = _number(raw("lat"), "lat", problems, -90, 90)
    lon = _number(raw("lon"), "lon", problems, -180, 180)
    if (lat is None) != (lon is None) and not any(p.startswith(("lat", "lon")) for p in problems):
        problems.append("give both lat and lon, or neither")
    if lat is None and lon is None and not get("place") and not any(p.startswith(("lat", "lon")) for p in problems):
        problems.append("needs a place name or lat/lon")
    precision = get("place_precision")
    if precision and precision not in PLACE_PRECISIONS:
        problems.append(f"place_precision {precision!r} is not one of {', '.join(PLACE_PRECISIONS)}")
    unc = _number(raw("uncertainty_km"), "uncertainty_km", problems, 0, 20_000)
    actors = _list(raw("actors"), "actors", problems)
    unknown = [a for a in actors if actor_ids is not None and a not in actor_ids]
    if unknown:
        problems.append(f"unknown actor id(s): {', '.join(unknown)}")
    sources = _refs_from_list(raw("sources"), ctx, problems) if isinstance(raw("sources"), list) else ()
    figures = ()
    if isinstance(raw("figures"), list):
        figs = []
        for f in raw("figures"):
            fig = _figure(f, ctx, problems) if isinstance(f, dict) else problems.append("figures: expected objects")
            if fig:
                figs.append(fig)
        figures = tuple(figs)
    if problems or dates is None:
        return None
    return Event(id=get("id"), title=get("title"), summary=get("summary"), date=get("date"),
                 end_date=get("end_date"), date_precision=dates[0], date_start=dates[1], date_end=dates[2],
                 place=get("place"), lat=lat, lon=lon, place_precision=precision,
                 uncertainty_km=unc, region_id="", type=get("type"), actors=actors, figures=figures,
                 sources=sources, country=get("country"), where=where)


def _figure(row: dict, ctx: _SourceCtx, problems: list[str]) -> Figure | None:
    name = _text(row, "name")
    if not name:
        problems.append("figure name is required")
    value = _number(row.get("value"), "value", problems)
    if value is None and not any(p.startswith("value") for p in problems):
        problems.append("figure value is required")
    ref = None
    if _text(row, "file") or _text(row, "citation"):
        ref = make_ref(row, ctx, problems)
    if not name or value is None:
        return None
    return Figure(name=name, value=value, unit=_text(row, "unit"), qualifier=_text(row, "qualifier"),
                  claimed_by=_text(row, "claimed_by"), source=ref)


def _note_id(seen: set | None, item_id: str) -> None:
    if seen is not None and item_id:
        seen.add(item_id)


def _csv_getter(row: dict):
    return (lambda k: (row.get(k) or "").strip()), (lambda k: row.get(k))


def _props_getter(props: dict):
    return (lambda k: _text(props, k)), (lambda k: props.get(k))


def parse_events(path: Path, label: str, ctx: _SourceCtx, errors: _Errors, actor_ids: set | None = None,
                 seen: set | None = None, keep: Callable[[Event], Any] | None = None) -> list[Event]:
    """Valid events; `actor_ids` (when actors.csv exists) checks references; `seen` collects every id,
    valid row or not, so other files referring to a broken row do not get a second error. `keep`
    turns each valid event into what is kept (validation keeps a small `_Slim` record per row)."""
    events = []
    if path.suffix == ".csv":
        items = ((line, None, row) for line, row in iter_csv_rows(path, label, "events", errors))
    else:
        items = [(None, n, dict(props, **({"lon": g.x, "lat": g.y} if g is not None else {})))
                 for n, props, g in read_geojson_features(path, label, ("Point",), errors, allow_null=True)]
    for line, n, row in items:
        problems: list[str] = []
        get, raw = (_csv_getter if line else _props_getter)(row)
        where = f"{label}:{line}" if line else f"{label}: feature {n}"
        _note_id(seen, get("id"))
        ev = _event(get, raw, where, ctx, problems, actor_ids)
        for p in problems:
            errors.add(label, p, line=line, feature=n)
        if ev:
            events.append(keep(ev) if keep else ev)
    return events


def parse_actors(path: Path, label: str, errors: _Errors, seen: set | None = None) -> list[Actor]:
    out = []
    for line, row in iter_csv_rows(path, label, "actors", errors):
        problems: list[str] = []
        get, raw = _csv_getter(row)
        _note_id(seen, get("id"))
        for key in ("id", "name", "kind"):
            if not get(key):
                problems.append(f"{key} is required")
        if get("kind") and get("kind") not in ACTOR_KINDS:
            problems.append(f"kind {get('kind')!r} is not one of {', '.join(ACTOR_KINDS)}")
        colour = get("colour")
        if colour and not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
            problems.append(f"colour {colour!r} is not #RRGGBB")
        lat = _number(raw("lat"), "lat", problems, -90, 90)
        lon = _number(raw("lon"), "lon", problems, -180, 180)
        if (lat is None) != (lon is None) and not any(p.startswith(("lat", "lon")) for p in problems):
            problems.append("give both lat and lon, or neither")
        for p in problems:
            errors.add(label, p, line=line)
        if not problems:
            out.append(Actor(id=get("id"), name=get("name"), native_name=get("native_name"), kind=get("kind"),
                             country=get("country"), role=get("role"), colour=colour or "#999999",
                             place=get("place"), lat=lat, lon=lon, where=f"{label}:{line}"))
    return out


def parse_relations(path: Path, label: str, errors: _Errors, seen: set | None = None,
                    actor_ids: set | None = None) -> list[Relation]:
    out = []
    for line, row in iter_csv_rows(path, label, "relations", errors):
        problems: list[str] = []
        get, _ = _csv_getter(row)
        _note_id(seen, get("id"))
        unknown = [a for a in (get("source"), get("target")) if a and actor_ids is not None and a not in actor_ids]
        if unknown:
            problems.append(f"unknown actor id(s): {', '.join(unknown)}")
        for key in ("id", "source", "target", "type"):
            if not get(key):
                problems.append(f"{key} is required")
        if get("date"):
            parsed = parse_date(get("date"))
            if isinstance(parsed, str):
                problems.append(parsed)
        for p in problems:
            errors.add(label, p, line=line)
        if not problems:
            out.append(Relation(id=get("id"), source=get("source"), target=get("target"), type=get("type"),
                                date=get("date"), summary=get("summary"), where=f"{label}:{line}"))
    return out


def parse_places(path: Path, label: str, errors: _Errors) -> list[PlaceOverride]:
    out = []
    for line, row in iter_csv_rows(path, label, "places", errors):
        problems: list[str] = []
        get, raw = _csv_getter(row)
        if not get("name"):
            problems.append("name is required")
        lat = _number(raw("lat"), "lat", problems, -90, 90)
        lon = _number(raw("lon"), "lon", problems, -180, 180)
        if (lat is None or lon is None) and not any(p.startswith(("lat", "lon")) for p in problems):
            problems.append("lat and lon are required")
        precision = get("precision") or "exact"
        if precision not in PLACE_PRECISIONS:
            problems.append(f"precision {precision!r} is not one of {', '.join(PLACE_PRECISIONS)}")
        for p in problems:
            errors.add(label, p, line=line)
        if not problems:
            out.append(PlaceOverride(get("name"), lat, lon, get("country"), precision, get("note")))
    return out


def parse_routes(path: Path, label: str, ctx: _SourceCtx, errors: _Errors, seen: set | None = None) -> list[Route]:
    out = []
    for n, props, geom in read_geojson_features(path, label, ("LineString", "MultiLineString"), errors):
        problems: list[str] = []
        get, raw = _props_getter(props)
        _note_id(seen, get("id"))
        for key in ("id", "name", "status"):
            if not get(key):
                problems.append(f"{key} is required")
        allowed = JOURNEY_STATUSES if "journey" in get("kind").lower() else ROUTE_STATUSES
        status = {s.lower(): s for s in allowed}.get(get("status").lower(), "")
        if get("status") and not status:
            problems.append(f"status {get('status')!r} is not one of {', '.join(allowed)}"
                            + (" (statuses of a journey)" if allowed is JOURNEY_STATUSES else ""))
        approx = _bool(raw("approximate"), "approximate", problems)
        waypoints = _list(raw("waypoints"), "waypoints", problems)
        refs = _refs_from_list(raw("sources"), ctx, problems)
        for p in problems:
            errors.add(label, p, feature=n)
        if not problems:
            out.append(Route(id=get("id"), name=get("name"), kind=get("kind"), status=status, approximate=approx,
                             description=get("description"), date=get("date"), waypoints=waypoints,
                             geometry=geom, sources=refs, where=f"{label}: feature {n}"))
    return out


def parse_regions(path: Path, label: str, ctx: _SourceCtx, errors: _Errors,
                  seen: set | None = None) -> list[Region]:
    out = []
    for n, props, geom in read_geojson_features(path, label, ("Polygon", "MultiPolygon"), errors):
        problems: list[str] = []
        get, raw = _props_getter(props)
        _note_id(seen, get("id"))
        for key in ("id", "name"):
            if not get(key):
                problems.append(f"{key} is required")
        approx = _bool(raw("approximate"), "approximate", problems)
        refs = _refs_from_list(raw("sources"), ctx, problems)
        for p in problems:
            errors.add(label, p, feature=n)
        if not problems:
            out.append(Region(id=get("id"), name=get("name"), kind=get("kind"), approximate=approx,
                              description=get("description"), geometry=geom, sources=refs,
                              where=f"{label}: feature {n}"))
    return out


def parse_manifest(path: Path, label: str, errors: _Errors) -> dict:
    out = {}
    for line, row in iter_csv_rows(path, label, "manifest", errors):
        get, _ = _csv_getter(row)
        if not get("file"):
            errors.add(label, "file is required", line=line)
        elif not re.fullmatch(r"[0-9a-fA-F]{64}", get("sha256")):
            errors.add(label, f"sha256 {get('sha256')[:20]!r} is not a 64-digit hex digest", line=line)
        elif get("file") in out:
            errors.add(label, f"duplicate file {get('file')!r}", line=line)
        else:
            out[get("file")] = src_mod.Article(**{k: get(k) for k in src_mod.MANIFEST_FIELDS})
    return out


# ---------------------------------------------------------------------------
# Whole dataset

def _dupes(items, errors: list) -> None:
    seen: dict[str, str] = {}
    for it in items:
        if it.id in seen:
            errors.append(_err_at(it.where, f"duplicate id {it.id!r} (first at {seen[it.id]})"))
        else:
            seen[it.id] = it.where


def _err_at(where: str, message: str) -> ValidationError:
    """Build an error from a `where` string ("file:line" or "file: feature N")."""
    if ": feature " in where:
        file, _, n = where.partition(": feature ")
        return ValidationError(file, message, feature=int(n))
    file, _, line = where.rpartition(":")
    return ValidationError(file, message, line=int(line)) if line.isdigit() else ValidationError(where, message)


def _attach_citations(path: Path, label: str, ctx: _SourceCtx, ids: dict[str, set], errors: _Errors,
                      lean: bool = False):
    """{(layer, item): [SourceRef, …]}; with `lean` the lists stay empty (only the keys are kept)."""
    by_item: dict[tuple[str, str], list[SourceRef]] = {}
    for line, row in iter_csv_rows(path, label, "citations", errors):
        problems: list[str] = []
        layer, item = row.get("layer", "").strip(), row.get("item", "").strip()
        if layer not in CITATION_LAYERS:
            problems.append(f"layer {layer!r} is not one of {', '.join(CITATION_LAYERS)}")
        elif item not in ids.get(layer, set()):
            problems.append(f"unknown {layer} id {item!r}")
        ref = make_ref(row, ctx, problems)
        for p in problems:
            errors.add(label, p, line=line)
        if ref and not any(p.startswith("unknown") or p.startswith("layer") for p in problems):
            refs = by_item.setdefault((layer, item), [])
            if not lean:
                refs.append(ref)
    return by_item


def _attach_figures(path: Path, label: str, ctx: _SourceCtx, event_ids: set, errors: _Errors,
                    lean: bool = False):
    by_event: dict[str, list[Figure]] = {}
    for line, row in iter_csv_rows(path, label, "figures", errors):
        problems: list[str] = []
        eid = row.get("event_id", "").strip()
        if eid not in event_ids:
            problems.append(f"unknown event id {eid!r}")
        fig = _figure(row, ctx, problems)
        for p in problems:
            errors.add(label, p, line=line)
        if fig and not problems and not lean:
            by_event.setdefault(eid, []).append(fig)
    return by_event


def _display(folder: Path, name: str) -> str:
    return str(Path(folder) / name)


class _Slim(NamedTuple):
    """What validation keeps of a valid event: enough for duplicate, source and place checks."""
    id: str
    where: str
    place: str | None  # None when the row has coordinates (nothing to resolve)
    country: str
    has_sources: bool


def _slim(e: Event) -> _Slim:
    return _Slim(e.id, e.where, e.place if e.lat is None else None, e.country, bool(e.sources))


def _resolve_slim(ds: Dataset, slim: list[_Slim], errors: list) -> None:
    """Place errors for slim events: each distinct (place, country) is resolved once."""
    groups: dict[tuple[str, str], list[str]] = {}
    for e in slim:
        if e.place is not None:
            groups.setdefault((e.place, e.country), []).append(e.where)
    probes = [Event(id=f"probe-{i}", title="", summary="", date="", end_date="", date_precision="",
                    date_start="", date_end="", place=place, lat=None, lon=None, place_precision="",
                    uncertainty_km=None, region_id="", type="", actors=(), country=country,
                    where=f"\x00probe:{i}") for i, (place, country) in enumerate(groups)]
    found: list[ValidationError] = []
    resolve_places(replace(ds, events=tuple(probes)), found)
    wheres = list(groups.values())
    for err in found:
        if err.file == "\x00probe" and err.line is not None:
            errors.extend(_err_at(where, err.message) for where in wheres[err.line])
        else:
            errors.append(err)


def load_dataset(folder: Path | str, resolve: bool = True,
                 lean: bool = False) -> tuple[Dataset, list[ValidationError]]:
    """Read, cross-check and (optionally) geocode a dataset folder.

    `lean` is for validation only: files are streamed and only a small record per event is kept (a
    60 MB events.csv validates in little memory); the returned Dataset's events are then `_Slim`
    records, not `Event`s, and figures/citations are checked but not attached."""
    folder = Path(folder)
    errors = _Errors()
    if not folder.is_dir():
        errors.add(str(folder), "not a folder")
        return Dataset(folder), list(errors)
    p = lambda name: folder / name
    label = lambda name: _display(folder, name)

    manifest_file = src_mod.manifest_path(folder)
    manifest = parse_manifest(manifest_file, str(manifest_file), errors) if manifest_file else {}
    ctx = _SourceCtx(manifest)

    ids: dict[str, set] = {name: set() for name in ("actors",) + CITATION_LAYERS}
    has_actors = p("actors.csv").is_file()
    actors = parse_actors(p("actors.csv"), label("actors.csv"), errors, ids["actors"]) if has_actors else []
    actor_ids = ids["actors"] if has_actors else None  # without actors.csv, actor ids are free labels

    has_csv, has_geojson = p("events.csv").is_file(), p("events.geojson").is_file()
    if has_csv and has_geojson:
        errors.add(label("events.csv"), "both events.csv and events.geojson exist; keep one")
    if not (has_csv or has_geojson):
        errors.add(str(folder), "no events.csv or events.geojson (the events file is required)")
        events = []
    else:
        name = "events.csv" if has_csv else "events.geojson"
        events = parse_events(p(name), label(name), ctx, errors, actor_ids, ids["events"],
                              keep=_slim if lean else None)
    relations = (parse_relations(p("relations.csv"), label("relations.csv"), errors, ids["relations"],
                                 ids["actors"]) if p("relations.csv").is_file() else [])
    routes = (parse_routes(p("routes.geojson"), label("routes.geojson"), ctx, errors, ids["routes"])
              if p("routes.geojson").is_file() else [])
    regions = (parse_regions(p("regions.geojson"), label("regions.geojson"), ctx, errors, ids["regions"])
               if p("regions.geojson").is_file() else [])
    places = parse_places(p("places.csv"), label("places.csv"), errors) if p("places.csv").is_file() else []

    for items in (events, actors, relations, routes, regions):
        _dupes(items, errors)
    seen_places: set[str] = set()
    for pl in places:
        if pl.name.casefold() in seen_places:
            errors.add(label("places.csv"), f"duplicate place name {pl.name!r}")
        seen_places.add(pl.name.casefold())

    cites = (_attach_citations(p("citations.csv"), label("citations.csv"), ctx, ids, errors, lean)
             if p("citations.csv").is_file() else {})
    figs = (_attach_figures(p("figures.csv"), label("figures.csv"), ctx, ids["events"], errors, lean)
            if p("figures.csv").is_file() else {})
    if lean:
        for e in events:
            if not (e.has_sources or ("events", e.id) in cites):
                errors.append(_err_at(e.where, f"event {e.id!r} has no source (add a citations.csv row)"))
        ds = Dataset(folder, (), tuple(actors), tuple(routes), tuple(regions), tuple(relations),
                     tuple(places), manifest)
        if resolve:
            ds = resolve_places(ds, errors)
            _resolve_slim(ds, events, errors)
        return replace(ds, events=tuple(events)), list(errors)

    events = [replace(e, sources=e.sources + tuple(cites.get(("events", e.id), ())),
                      figures=e.figures + tuple(figs.get(e.id, ()))) for e in events]
    relations = [replace(r, sources=r.sources + tuple(cites.get(("relations", r.id), ()))) for r in relations]
    routes = [replace(r, sources=r.sources + tuple(cites.get(("routes", r.id), ()))) for r in routes]
    regions = [replace(r, sources=r.sources + tuple(cites.get(("regions", r.id), ()))) for r in regions]
    for e in events:
        if not e.sources:
            errors.append(_err_at(e.where, f"event {e.id!r} has no source (add a citations.csv row)"))

    ds = Dataset(folder, tuple(events), tuple(actors), tuple(routes), tuple(regions), tuple(relations),
                 tuple(places), manifest)
    if resolve:
        ds = resolve_places(ds, errors)
    return ds, list(errors)


# ---------------------------------------------------------------------------
# Geocoding

def _geocoder():
    """`geo.geocode.geocode_place` if available (imported lazily), else None."""
    try:
        from geo.geocode import geocode_place
    except Exception:  # module absent or failing to import: fall back to explicit coordinates
        return None
    return geocode_place


def region_radius_km(geom) -> float:
    """Radius of a circle with the polygon's area (rough, equal-area-ish at the centroid latitude)."""
    c = geom.centroid
    km_per_deg = 111.32
    area = geom.area * km_per_deg * km_per_deg * math.cos(math.radians(c.y))
    return round(math.sqrt(max(area, 0.0) / math.pi), 1)


def resolve_places(ds: Dataset, errors: list | None = None) -> Dataset:
    """Fill lat/lon, precision, region_id and uncertainty for events and actors."""
    errors = errors if errors is not None else []
    overrides = {p.name.casefold(): p for p in ds.places}
    regions = {}
    for r in ds.regions:
        regions.setdefault(r.id.casefold(), r)
        regions.setdefault(r.name.casefold(), r)
    geocode = _geocoder()
    cache: dict[tuple[str, str], Any] = {}

    def lookup(name: str, country: str):
        """(lat, lon, precision, region_id, uncertainty) or an error message."""
        key = name.casefold()
        if key in overrides:
            o = overrides[key]
            return o.lat, o.lon, o.precision, "", None
        if key in regions:
            r = regions[key]
            pt = r.geometry.representative_point()
            return pt.y, pt.x, "region", r.id, region_radius_km(r.geometry)
        if geocode is None:
            return f"cannot resolve place {name!r}: the geocoder (geo.geocode) is not available; " \
                   "add it to places.csv or give lat/lon"
        ck = (key, country)
        if ck not in cache:
            try:
                cache[ck] = geocode(name, country or None)
            except Exception as exc:  # a geocoder bug must not become a traceback
                cache[ck] = f"geocoder failed for {name!r}: {exc}"
        got = cache[ck]
        if isinstance(got, str):
            return got
        if got is None:
            return f"cannot resolve place {name!r}; add it to places.csv or give lat/lon"
        return got.lat, got.lon, FEATURE_PRECISION.get(got.feature, "approximate"), "", None

    events = []
    for e in ds.events:
        lat, lon, precision, region_id, unc = e.lat, e.lon, e.place_precision, "", e.uncertainty_km
        if e.place and e.place.casefold() in regions:
            region_id = regions[e.place.casefold()].id
        if lat is None:
            got = lookup(e.place, e.country)
            if isinstance(got, str):
                errors.append(_err_at(e.where, got))
                continue
            lat, lon, found_precision, region_id, found_unc = got
            precision = precision or found_precision
            unc = unc if unc is not None else found_unc
        precision = precision or "exact"
        if unc is None:
            unc = DEFAULT_UNCERTAINTY_KM[precision]
        events.append(replace(e, lat=lat, lon=lon, place_precision=precision, region_id=region_id,
                              uncertainty_km=float(unc)))
    actors = []
    for a in ds.actors:
        if a.lat is None and a.place:
            got = lookup(a.place, "")
            if isinstance(got, str):
                errors.append(_err_at(a.where, got))
                continue
            a = replace(a, lat=got[0], lon=got[1])
        actors.append(a)
    return replace(ds, events=tuple(events), actors=tuple(actors))


def load_valid(folder: Path | str) -> Dataset:
    """The resolved dataset, or DatasetError listing every problem."""
    ds, errors = load_dataset(folder)
    if errors:
        raise DatasetError(errors)
    return ds


def validate_path(path: Path | str) -> list[ValidationError]:
    """Errors for a dataset folder, or for one file of a dataset (checked in its folder's context)."""
    path = Path(path)
    if path.is_dir():
        return load_dataset(path, lean=True)[1]
    if not path.exists():
        return [ValidationError(str(path), "no such file or folder")]
    if path.name not in FILES:
        return [ValidationError(str(path), f"unknown file name; expected one of {', '.join(sorted(FILES))}")]
    folder = path.parent
    if FILES[path.name] != "events" and not any((folder / n).is_file() for n in ("events.csv", "events.geojson")):
        # A lone non-events file: check it on its own, without cross-references.
        errors = _Errors()
        kind = FILES[path.name]
        label = str(path)
        ctx = _SourceCtx(src_mod.load_manifest(folder))
        if kind in ("actors", "relations", "places"):
            {"actors": parse_actors, "relations": parse_relations, "places": parse_places}[kind](path, label, errors)
        elif kind in ("routes", "regions"):
            (parse_routes if kind == "routes" else parse_regions)(path, label, ctx, errors)
        elif kind == "manifest":
            parse_manifest(path, label, errors)
        else:
            read_csv_rows(path, label, kind, errors)
        return list(errors)
    errors = load_dataset(folder, lean=True)[1]
    target = str(path)
    return [e for e in errors if e.file == target]
