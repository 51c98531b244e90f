"""ACLED export (CSV with a header) → events, actors, fatalities figures and one citation per event.

Columns used: event_id_cnty, event_date, event_type, sub_event_type, actor1, actor2, country, admin1,
location, latitude, longitude, geo_precision, source, notes, fatalities. Both date forms of ACLED exports
are read (`2024-03-12` and `12 March 2024`). Tables: docs/importing.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from geo.importers.common import (
    FormatError,
    ImportReport,
    Options,
    Record,
    actor,
    clip,
    csv_rows,
    make_id,
    number,
    parse_date,
)

REQUIRED = ("event_id_cnty", "event_date", "event_type", "latitude", "longitude")
# sub_event_type first (it decides within "Strategic developments"), then event_type.
SUB_EVENT_TYPES = {
    "agreement": "agreement", "arrests": "other", "change to group/activity": "other",
    "disrupted weapons use": "military", "headquarters or base established": "military",
    "looting/property destruction": "attack", "non-violent transfer of territory": "military", "other": "other",
}  # fmt: skip
EVENT_TYPES = {
    "battles": "military", "explosions/remote violence": "attack", "violence against civilians": "attack",
    "protests": "protest", "riots": "protest", "strategic developments": "other",
}  # fmt: skip
# geo_precision → (place_precision, uncertainty_km or None for the precision's default)
PRECISION = {"1": ("city", None), "2": ("approximate", 25.0), "3": ("region", None)}


def acled_type(event_type: str, sub_event_type: str) -> str:
    """ACLED event_type / sub_event_type → the event vocabulary (`other` when unknown).

    Examples
    --------
    >>> acled_type("Battles", "Armed clash"), acled_type("Strategic developments", "Agreement")
    ('military', 'agreement')
    """
    et, sub = event_type.strip().casefold(), sub_event_type.strip().casefold()
    if et == "strategic developments" and sub in SUB_EVENT_TYPES:
        return SUB_EVENT_TYPES[sub]
    return EVENT_TYPES.get(et, "other")


def _record(line: int, row: dict, prefix: str, report: ImportReport) -> Record | None:
    where = f"line {line}"
    problems = []
    source_id = row.get("event_id_cnty", "")
    eid = make_id(prefix, source_id)
    if not eid:
        problems.append("event_id_cnty is empty")
    date = parse_date(row.get("event_date"))
    if not date:
        problems.append(f"event_date {row.get('event_date', '')[:30]!r} is not a date")
    lat, lon = number(row.get("latitude")), number(row.get("longitude"))
    if lat is None or lon is None:
        problems.append(f"latitude/longitude {row.get('latitude', '')!r}, {row.get('longitude', '')!r} are not numbers")
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.append(f"latitude/longitude {lat:g}, {lon:g} out of range")
    gp = row.get("geo_precision", "").strip()
    if gp and gp not in PRECISION:
        problems.append(f"geo_precision {gp!r} is not 1, 2 or 3")
    if problems:
        report.problem(where, "; ".join(problems))
        return None
    if not gp:
        report.default("place_precision")
    precision, unc = PRECISION.get(gp, ("approximate", None))
    sub, et = row.get("sub_event_type", ""), row.get("event_type", "")
    place = ", ".join(p for p in (row.get("location"), row.get("admin1"), row.get("country")) if p)
    actors = tuple(a for a in (actor(row.get("actor1", "")), actor(row.get("actor2", ""))) if a)
    what = sub or et
    title = clip(f"{what} in {row.get('location') or row.get('admin1') or row.get('country') or 'unnamed place'}", 200)
    summary = clip(row.get("notes")) or clip(f"ACLED: {et} / {sub} at {place}.")
    source = clip(row.get("source"), 300)
    citation = f"ACLED event {source_id}" + (f"; source: {source}" if source else "")
    figures = []
    deaths = number(row.get("fatalities"))
    if deaths:  # ACLED writes 0 for most events: only reported deaths become a figure
        figures.append({"name": "fatalities", "value": int(deaths) if deaths.is_integer() else deaths,
                        "unit": "people", "qualifier": "", "claimed_by": source or "ACLED",
                        "citation": citation, "url": ""})  # fmt: skip
    props = {"title": title, "summary": summary, "date": date, "place": place, "lat": lat, "lon": lon,
             "place_precision": precision, "uncertainty_km": unc, "type": acled_type(et, sub)}  # fmt: skip
    return Record(where, "events", eid, props, actors=actors, citation=citation, figures=tuple(figures),
                  source_type=" / ".join(p for p in (et, sub) if p))  # fmt: skip


def read(path: Path, fmt: str, opts: Options, report: ImportReport) -> Iterator[Record]:
    """Records of an ACLED CSV export, streamed; FormatError when the header is not ACLED's.

    Examples
    --------
    >>> report = ImportReport("acled.csv")
    >>> [r.id for r in read(Path("acled.csv"), "acled", Options(), report)][:1]  # doctest: +SKIP
    ['acled-RUS1001']
    """
    prefix = opts.prefix or "acled"
    header = False
    for line, row in csv_rows(path, report, opts.progress):
        if "__header__" in row:
            header = True
            missing = [c for c in REQUIRED if c not in row["__header__"]]
            if missing:
                raise FormatError(f"not an ACLED export: the header (line {line}) lacks {', '.join(missing)}")
            continue
        if not opts.keep_row(row):
            report.filtered += 1
            continue
        rec = _record(line, row, prefix, report)
        if rec is not None:
            yield rec
    if not header:
        raise FormatError("not an ACLED export: no header row")
