"""Per-file parsers: each dataset file -> records, with file:line errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.articles import sources as src_mod
from geo.dataset.model import (
    ACTOR_KINDS,
    JOURNEY_STATUSES,
    PLACE_PRECISIONS,
    ROUTE_STATUSES,
    Actor,
    Event,
    Figure,
    PlaceOverride,
    Region,
    Relation,
    Route,
)
from geo.dataset.readers import ErrorList, iter_csv_rows, read_geojson_features
from geo.dataset.rules import SourceContext, _bool, _list, _number, _refs_from_list, _text, make_ref, parse_date

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


def _event(
    get, raw: Callable[[str], Any], where: str, ctx: SourceContext, problems: list[str], actor_ids: set | None = None
) -> Event | None:
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
    if get("source") or get("url") or get("source_title"):  # provenance in the row: a background citation
        link = get("url") or (get("source") if get("source").lower().startswith(("http://", "https://")) else "")
        ref = make_ref({"citation": get("source_title") or get("source") or get("url"), "url": link}, ctx, problems)
        sources += (ref,) if ref else ()
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
    return Event(
        id=get("id"),
        title=get("title"),
        summary=get("summary"),
        date=get("date"),
        end_date=get("end_date"),
        date_precision=dates[0],
        date_start=dates[1],
        date_end=dates[2],
        place=get("place"),
        lat=lat,
        lon=lon,
        place_precision=precision,
        uncertainty_km=unc,
        region_id="",
        type=get("type"),
        actors=actors,
        figures=figures,
        sources=sources,
        country=get("country"),
        where=where,
    )


def _figure(row: dict, ctx: SourceContext, problems: list[str]) -> Figure | None:
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
    return Figure(
        name=name,
        value=value,
        unit=_text(row, "unit"),
        qualifier=_text(row, "qualifier"),
        claimed_by=_text(row, "claimed_by"),
        source=ref,
    )


def _note_id(seen: set | None, item_id: str) -> None:
    if seen is not None and item_id:
        seen.add(item_id)


def csv_getter(row: dict):
    return (lambda k: (row.get(k) or "").strip()), (lambda k: row.get(k))


def _props_getter(props: dict):
    return (lambda k: _text(props, k)), (lambda k: props.get(k))


def parse_events(
    path: Path,
    label: str,
    ctx: SourceContext,
    errors: ErrorList,
    actor_ids: set | None = None,
    seen: set | None = None,
    keep: Callable[[Event], Any] | None = None,
) -> list[Event]:
    """Valid events; `actor_ids` (when actors.csv exists) checks references; `seen` collects every id,
    valid row or not, so other files referring to a broken row do not get a second error. `keep`
    turns each valid event into what is kept (validation keeps a small `_Slim` record per row)."""
    events = []
    if path.suffix == ".csv":
        items = ((line, None, row) for line, row in iter_csv_rows(path, label, "events", errors))
    else:
        items = [
            (None, n, dict(props, **({"lon": g.x, "lat": g.y} if g is not None else {})))
            for n, props, g in read_geojson_features(path, label, ("Point",), errors, allow_null=True)
        ]
    for line, n, row in items:
        problems: list[str] = []
        get, raw = (csv_getter if line else _props_getter)(row)
        where = f"{label}:{line}" if line else f"{label}: feature {n}"
        _note_id(seen, get("id"))
        ev = _event(get, raw, where, ctx, problems, actor_ids)
        for p in problems:
            errors.add(label, p, line=line, feature=n)
        if ev:
            events.append(keep(ev) if keep else ev)
    return events


def parse_actors(path: Path, label: str, errors: ErrorList, seen: set | None = None) -> list[Actor]:
    out = []
    for line, row in iter_csv_rows(path, label, "actors", errors):
        problems: list[str] = []
        get, raw = csv_getter(row)
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
        if _reported(problems, errors, label, line):
            out.append(
                Actor(
                    id=get("id"),
                    name=get("name"),
                    native_name=get("native_name"),
                    kind=get("kind"),
                    country=get("country"),
                    role=get("role"),
                    colour=colour or "#999999",
                    place=get("place"),
                    lat=lat,
                    lon=lon,
                    where=f"{label}:{line}",
                )
            )
    return out


def parse_relations(
    path: Path, label: str, errors: ErrorList, seen: set | None = None, actor_ids: set | None = None
) -> list[Relation]:
    out = []
    for line, row in iter_csv_rows(path, label, "relations", errors):
        problems: list[str] = []
        get, _ = csv_getter(row)
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
        if _reported(problems, errors, label, line):
            out.append(
                Relation(
                    id=get("id"),
                    source=get("source"),
                    target=get("target"),
                    type=get("type"),
                    date=get("date"),
                    summary=get("summary"),
                    where=f"{label}:{line}",
                )
            )
    return out


def parse_places(path: Path, label: str, errors: ErrorList) -> list[PlaceOverride]:
    out = []
    for line, row in iter_csv_rows(path, label, "places", errors):
        problems: list[str] = []
        get, raw = csv_getter(row)
        if not get("name"):
            problems.append("name is required")
        lat = _number(raw("lat"), "lat", problems, -90, 90)
        lon = _number(raw("lon"), "lon", problems, -180, 180)
        if (lat is None or lon is None) and not any(p.startswith(("lat", "lon")) for p in problems):
            problems.append("lat and lon are required")
        precision = get("precision") or "exact"
        if precision not in PLACE_PRECISIONS:
            problems.append(f"precision {precision!r} is not one of {', '.join(PLACE_PRECISIONS)}")
        if _reported(problems, errors, label, line):
            out.append(PlaceOverride(get("name"), lat, lon, get("country"), precision, get("note")))
    return out


def parse_routes(path: Path, label: str, ctx: SourceContext, errors: ErrorList, seen: set | None = None) -> list[Route]:
    out = []
    for n, props, geom in read_geojson_features(path, label, ("LineString", "MultiLineString"), errors):
        problems: list[str] = []
        get, raw = _props_getter(props)
        _note_id(seen, get("id"))
        for key in ("id", "name", "status"):
            if not get(key):
                problems.append(f"{key} is required")
        # A journey (its kind says so) is a trip, not a line: it is planned, under way or completed.
        journey = "journey" in get("kind").lower()
        allowed = JOURNEY_STATUSES if journey else ROUTE_STATUSES + JOURNEY_STATUSES[1:]
        status = {s.lower(): s for s in allowed}.get(get("status").lower(), "")
        if get("status") and not status:
            problems.append(
                f"status {get('status')!r} is not one of {', '.join(allowed)}"
                + (" (statuses of a journey)" if journey else "")
            )
        approx = _bool(raw("approximate"), "approximate", problems)
        waypoints, waypoint_dates = route_waypoints(raw("waypoints"), problems)
        refs = _refs_from_list(raw("sources"), ctx, problems)
        for p in problems:
            errors.add(label, p, feature=n)
        if not problems:
            out.append(
                Route(
                    id=get("id"),
                    name=get("name"),
                    kind=get("kind"),
                    status=status,
                    approximate=approx,
                    description=get("description"),
                    date=get("date"),
                    waypoints=waypoints,
                    geometry=geom,
                    sources=refs,
                    where=f"{label}: feature {n}",
                    waypoint_dates=waypoint_dates,
                )
            )
    return out


def route_waypoints(value, problems: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A route's `waypoints`: names, or objects `{"name", "date", "citation"}` whose optional ISO day
    says when a journey passed there (its `citation` names the reporting). Returns (names, dates), dates
    () when no waypoint is dated; dated waypoints must not go back in time.

    Examples
    --------
    >>> route_waypoints(["Pyongyang", {"name": "Beijing", "date": "2025-09-02", "citation": "Xinhua"}], [])
    (('Pyongyang', 'Beijing'), ('', '2025-09-02'))
    """
    if not isinstance(value, list) or not any(isinstance(v, dict) for v in value):
        return _list(value, "waypoints", problems), ()
    names, dates = [], []
    for i, item in enumerate(value, 1):
        item = item if isinstance(item, dict) else {"name": item}
        name, date = str(item.get("name") or "").strip(), str(item.get("date") or "").strip()
        if not name:
            problems.append(f"waypoints: item {i} has no name")
        if date:
            got = parse_date(date)
            if isinstance(got, str) or got[0] != "day":
                problems.append(f"waypoints: {name or i}: date {date!r} is not a day (YYYY-MM-DD)")
            elif not str(item.get("citation") or "").strip():
                problems.append(f"waypoints: {name or i}: a dated waypoint needs its citation")
        names.append(name)
        dates.append(date)
    dated = [d for d in dates if d]
    if dated != sorted(dated):
        problems.append("waypoints: dates go back in time")
    return tuple(names), tuple(dates) if dated else ()


def parse_regions(
    path: Path, label: str, ctx: SourceContext, errors: ErrorList, seen: set | None = None
) -> list[Region]:
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
            out.append(
                Region(
                    id=get("id"),
                    name=get("name"),
                    kind=get("kind"),
                    approximate=approx,
                    description=get("description"),
                    geometry=geom,
                    sources=refs,
                    where=f"{label}: feature {n}",
                )
            )
    return out


def parse_manifest(path: Path, label: str, errors: ErrorList) -> dict:
    """The article manifest with file:line errors (row rules: `sources.manifest_article`)."""
    out = {}
    for line, row in iter_csv_rows(path, label, "manifest", errors):
        get, _ = csv_getter(row)
        art = src_mod.manifest_article(get)
        if isinstance(art, str):
            errors.add(label, art, line=line)
        elif art.file in out:
            errors.add(label, f"duplicate file {art.file!r}", line=line)
        else:
            out[art.file] = art
    return out


def _reported(problems: list[str], errors: ErrorList, label: str, line: int) -> bool:
    """Add a row's problems to `errors` at its line; True when it had none (the row is kept)."""
    for p in problems:
        errors.add(label, p, line=line)
    return not problems
