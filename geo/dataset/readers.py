"""Low-level readers: bytes -> text -> CSV rows or GeoJSON features, every problem an error with its
file and line (or feature), never an exception."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from geo.articles.reading import bom_encoding
from geo.dataset.model import COLUMNS, MAX_FIELD, ValidationError

# Low-level readers: bytes → text → rows, with errors instead of exceptions


class ErrorList(list):
    def add(
        self, file: str, message: str, line: int | None = None, feature: int | None = None, warning: bool = False
    ) -> None:
        self.append(ValidationError(file, message, line, feature, warning))


def _decode(path: Path, label: str, errors: ErrorList) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.add(label, f"cannot read file: {exc.strerror or exc}")
        return None
    if not data:
        errors.add(label, "empty file (0 bytes)")
        return None
    if bom_encoding(data):
        errors.add(label, f"file is {bom_encoding(data).upper()} encoded; save it as UTF-8")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(
            label,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            line=line,
        )
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
                return offset + exc.start, data[exc.start], line + data[: exc.start].count(b"\n")
            line += data[:used].count(b"\n")
            offset += used
            pending = data[used:]
            if not chunk:
                return None


def _encoding_error(path: Path, label: str, errors: ErrorList) -> bool:
    bad = _first_bad_utf8(Path(path))
    if bad is None:
        return False
    offset, byte, line = bad
    errors.add(
        label,
        f"not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); save the file as UTF-8 (Excel: CSV UTF-8)",
        line=line,
    )
    return True


def iter_csv_rows(path: Path, label: str, kind: str, errors: ErrorList):
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
        if bom_encoding(head):
            errors.add(label, f"file is {bom_encoding(head).upper()} encoded; save it as UTF-8")
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
                        msg = f"a field is longer than {CSV_FIELD_LIMIT:,} characters (an unclosed quote?)"
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
                        errors.add(
                            label,
                            f"unknown column(s) {', '.join(unknown)}: dropped from the layers and exports",
                            line=line,
                            warning=True,
                        )
                    continue
                if len(rec) > len(header):
                    errors.add(label, f"row has {len(rec)} fields but the header has {len(header)}", line=line)
                    continue
                big = [h for i, h in enumerate(header) if i < len(rec) and len(rec[i]) > MAX_FIELD]
                if big:
                    errors.add(label, f"field(s) longer than {MAX_FIELD} characters: {', '.join(big)}", line=line)
                    continue
                yield line, {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        finally:
            text.detach()
        if state["nul"]:
            errors.add(label, "file contains NUL bytes; is it a binary or UTF-16 file?", line=state["nul"])
            return
        if header is None:
            errors.add(label, "file has no content (no header row)")


def read_csv_rows(path: Path, label: str, kind: str, errors: ErrorList) -> list[tuple[int, dict]]:
    """All (line, row) pairs of a CSV file as a list; see `iter_csv_rows` (streaming)."""
    return list(iter_csv_rows(path, label, kind, errors))


def read_geojson_features(
    path: Path, label: str, allowed: tuple[str, ...], errors: ErrorList, allow_null: bool = False
) -> list[tuple[int, dict, Any]]:
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


def _geometry(geom: Any, allowed: tuple[str, ...], label: str, n: int, errors: ErrorList):
    if not isinstance(geom, dict) or "type" not in geom:
        errors.add(label, "geometry is not a GeoJSON geometry object", feature=n)
        return None
    if geom["type"] not in allowed:
        errors.add(
            label, f"geometry type {geom['type']!r} not allowed here (expected {' or '.join(allowed)})", feature=n
        )
        return None
    for pos in _walk_coords(geom.get("coordinates")):
        if (
            not isinstance(pos, (list, tuple))
            or len(pos) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2])
        ):
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
