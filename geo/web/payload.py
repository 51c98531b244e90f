"""Map payload: layers (GeoDataFrames) -> the compact JSON the map runtime draws (rows, features, legend),
and the per-view visibility masks that let a filter change swap data inside the mounted map."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from geo.web import symbols

# Colour-blind-safe (Okabe–Ito) fallbacks; curated actors carry their own colours.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]
ROUTE_STATUS_COLOURS = {
    "operational": "#009e73",
    "under construction": "#e69f00",
    "mou signed": "#d55e00",
    "planned": "#cc79a7",
    "under way": "#56b4e9",  # journeys
    "completed": "#0072b2",
}
REGION_COLOUR = "#7a4b9c"
RELATION_COLOUR = "#444444"
MENTION_COLOUR = "#56b4e9"
ADDED_COLOUR = "#332288"
# Coordinates to 4 decimals (~10 m): at the map's max zoom (12) a pixel is ~0.0003°, so a 4th decimal is
# the last one the display can show; more only makes the page bigger.
COORD_DECIMALS = 4
# Above this many events popups leave the summary out (the detail panel shows it): at 20k events the
# summaries alone would be ~2 MB of page. Title, date, place, type and actors stay in the popup.
SUMMARY_LIMIT = 500
# Above this many points the dots shrink so dense hubs stay readable (also set in atlas.js' drawing).
SMALL_DOTS_OVER = 2000


def _round(value: float) -> float:
    return round(float(value), COORD_DECIMALS)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _list(value: Any) -> list:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [v for v in (s.strip() for s in value.split(";")) if v]
    return list(value)


def _round_coords(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [_round(c) for c in coords]
    return [_round_coords(c) for c in coords]


def _geometry(geom) -> dict:
    mapping = geom.__geo_interface__
    return {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"])}


def actor_colours(actors) -> dict[str, str]:
    colours = {}
    for i, row in enumerate(actors.itertuples() if actors is not None and len(actors) else []):
        colours[row.id] = _text(getattr(row, "colour", "")) or PALETTE[i % len(PALETTE)]
    return colours


def actor_entries(actors) -> list[dict]:
    if actors is None or not len(actors):
        return []
    entries = []
    for row in actors.itertuples():
        native = _text(getattr(row, "native_name", ""))
        label = _text(row.name) + (f" ({native})" if native and native != row.name else "")
        entries.append({"id": _text(row.id), "label": label})
    return entries


def _ring_km(row) -> float:
    """Exact and city places get a plain dot; vaguer places get a ring sized by their uncertainty."""
    precision = _text(getattr(row, "place_precision", ""))
    if precision in ("exact", "city", "") or _text(getattr(row, "region_id", "")):
        return 0.0
    return float(getattr(row, "uncertainty_km", 0) or 0)


def place_names(layers: Mapping[str, Any]) -> dict[str, str]:
    """Region id → name, so an event placed in a region shows "Kursk Oblast", not `kursk-oblast`."""
    regions = layers.get("regions")
    if regions is None or not len(regions) or "name" not in regions:
        return {}
    return {_text(i): _text(n) for i, n in zip(regions["id"], regions["name"], strict=True) if _text(n)}


def place_label(row, names: Mapping[str, str]) -> str:
    """An event's place for people: its region's name when it is placed in a region."""
    place = _text(getattr(row, "place", ""))
    region = _text(getattr(row, "region_id", ""))
    return names.get(region) or names.get(place) or place


def first_actor_colour(actors: list, colours: Mapping[str, str]) -> str:
    """The colour a dot is drawn in: its first actor's that has one (the legend lists exactly these)."""
    return next((colours[a] for a in actors if a in colours), PALETTE[0])


def _event_rows(
    events,
    colours: Mapping[str, str],
    summaries: bool | None = None,
    index: list | None = None,
    names: Mapping[str, str] | None = None,
) -> dict:
    """Columnar event rows. `summaries` None: only for small sets (SUMMARY_LIMIT). `index`, when given,
    collects each row's frame label, so a later filter can be sent as a bit mask over these rows."""
    if summaries is None:
        summaries = len(events) <= SUMMARY_LIMIT
    fields = [
        "lat",
        "lon",
        "id",
        "title",
        "date",
        "date_precision",
        "place",
        "place_precision",
        "type",
        "actors",
        "summary",
        "uncertainty_km",
        "color",
        "symbol",
        "start",
        "end",
        "disputed",
    ]
    if not summaries:
        fields.remove("summary")
    rows = []
    for label, row in zip(events.index, events.itertuples()):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if index is not None:
            index.append(label)
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        actors = _list(getattr(row, "actors", []))
        colour = first_actor_colour(actors, colours)
        values = [
            _round(point.y),
            _round(point.x),
            _text(row.id),
            _text(row.title),
            _text(row.date),
            _text(getattr(row, "date_precision", "")),
            place_label(row, names or {}),
            _text(getattr(row, "place_precision", "")),
            _text(getattr(row, "type", "")),
            actors,
            _text(getattr(row, "summary", "")),
            round(_ring_km(row), 1),
            colour,
            symbols.symbol_for(getattr(row, "type", "")),
            *_interval(row),
            1 if _is_true(getattr(row, "disputed", False)) else 0,
        ]
        if not summaries:
            del values[10]
        rows.append(values)
    return {
        "kind": "events",
        "label": "Events",
        "fields": fields,
        "rows": rows,
        "radius": 8 if len(rows) <= SMALL_DOTS_OVER else 5,
    }


def _interval(row) -> tuple[str, str]:
    """(start, end): the days playback tests an event against (a partial date covers its month or year,
    end_date extends it); "" where the browser can infer it (start = date, end = start), to keep the
    payload small: most events are one full day."""
    date = _text(getattr(row, "date", ""))
    start = _text(getattr(row, "date_start", "") or date)[:10]
    end = _text(getattr(row, "date_end", "") or start)[:10]
    return ("" if start == date else start), ("" if end == start else end)


def _is_true(value: Any) -> bool:
    return value is True or (not isinstance(value, str) and bool(value) and value == value)


def _mention_rows(mentions) -> dict:
    """One point per place an article names, with how often and the first sentence that names it:
    an article says "China" thirty times, and thirty stacked dots help nobody. `date`..`end`: the first
    and last publication dates of the articles naming it (playback shows it then; atlas-time.js)."""
    fields = ["lat", "lon", "title", "name", "feature", "country", "count", "sentence", "text", "date", "end"]
    piles: dict[tuple, list] = {}
    for row in mentions.itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
        key = (_round(row.geometry.y), _round(row.geometry.x), _text(row.name))
        piles.setdefault(key, []).append(row)
    rows = []
    for (lat, lon, name), pile in piles.items():
        first = pile[0]
        spellings = sorted({_text(r.text) for r in pile})
        dates = sorted({d for r in pile if (d := _text(getattr(r, "published", "")))})
        rows.append(
            [
                lat,
                lon,
                f"{name} — named {len(pile)}× in the articles",
                name,
                _text(getattr(first, "feature", "")),
                _text(getattr(first, "country", "")),
                len(pile),
                _text(getattr(first, "sentence", "")),
                ", ".join(spellings),
                dates[0] if dates else "",
                dates[-1] if len(dates) > 1 else "",
            ]
        )
    return {
        "kind": "mentions",
        "label": "Article mentions",
        "fields": fields,
        "rows": rows,
        "radius": 5,
        "color": MENTION_COLOUR,
    }


def _features(frame, props: Iterable[str], colour_of, index: list | None = None) -> list[dict]:
    features = []
    for label, row in zip(frame.index, frame.itertuples()):
        if row.geometry is None or row.geometry.is_empty:
            continue
        if index is not None:
            index.append(label)
        properties = {name: _jsonable(getattr(row, name, "")) for name in props}
        properties["color"] = colour_of(row)
        features.append({"type": "Feature", "geometry": _geometry(row.geometry), "properties": properties})
    return features


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int)) and not isinstance(value, float):
        return value
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (list, tuple)):
        return list(value)
    return _text(value)


def _relation_rows(relations, actors, colours: Mapping[str, str], index: list | None = None) -> dict:
    fields = ["lat1", "lon1", "lat2", "lon2", "id", "title", "type", "date", "summary", "color"]
    names = {row.id: _text(row.name) for row in actors.itertuples()} if actors is not None and len(actors) else {}
    rows = []
    for label, row in zip(relations.index, relations.itertuples()):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if index is not None:
            index.append(label)
        (lon1, lat1), (lon2, lat2) = geom.coords[0], geom.coords[-1]
        title = f"{names.get(row.source, row.source)} — {names.get(row.target, row.target)}: {_text(row.type)}"
        rows.append(
            [
                _round(lat1),
                _round(lon1),
                _round(lat2),
                _round(lon2),
                _text(row.id),
                title,
                _text(row.type),
                _text(getattr(row, "date", "")),
                _text(getattr(row, "summary", "")),
                colours.get(row.source, RELATION_COLOUR),
            ]
        )
    return {"kind": "relations", "label": "Relations", "fields": fields, "rows": rows}


def _route_colour(row) -> str:
    return ROUTE_STATUS_COLOURS.get(_text(getattr(row, "status", "")).lower(), "#d55e00")


# Layer kinds in drawing order (areas under lines under points).
KINDS = ("regions", "routes", "relations", "events", "mentions", "added")


def layer_spec(
    kind: str, layers: Mapping[str, Any], colours: Mapping[str, str], summaries: bool | None, index: list | None = None
) -> dict:
    frame = layers[kind]
    if kind == "regions":
        feats = _features(frame, ["id", "name", "kind", "approximate", "description"], lambda row: REGION_COLOUR, index)
        return {"kind": "regions", "label": "Regions", "features": feats}
    if kind == "routes":
        props = ["id", "name", "status", "approximate", "description"]
        if "waypoint_dates" in frame and any(bool(d) for d in frame["waypoint_dates"]):
            props.append("waypoint_dates")  # a dated journey: playback moves it along its line
        feats = _features(frame, props, _route_colour, index)
        return {"kind": "routes", "label": "Routes", "features": feats}
    if kind == "relations":
        return _relation_rows(frame, layers.get("actors"), colours, index)
    if kind == "events":
        return _event_rows(frame, colours, summaries, index, place_names(layers))
    spec = _mention_rows(frame)  # piles of mentions: no per-row index, shown or hidden whole
    if kind == "added":  # an article the user pasted or uploaded in this session
        spec.update(label="Added article", color=ADDED_COLOUR, radius=6)
    return spec


def legend_entries(kind: str, frame, actors, colours: Mapping[str, str]) -> list[dict]:
    """Legend lines for one (possibly filtered) layer, from the frame alone (no rows needed)."""
    if kind == "regions":
        return [{"shape": "area", "color": REGION_COLOUR, "label": "Region (dashed: approximate)"}]
    if kind == "routes":
        items = []
        # One line per status as the data spells it ("MoU signed"), matched to colours case-blind.
        for status in dict.fromkeys(_text(s) for s in frame.get("status", [])):
            items.append(
                {
                    "shape": "line",
                    "color": ROUTE_STATUS_COLOURS.get(status.lower(), "#d55e00"),
                    "label": f"Route: {status}",
                }
            )
        if any(bool(a) for a in frame.get("approximate", [])):
            items.append({"shape": "dashed", "color": "#555555", "label": "Dashed: approximate route"})
        return items
    if kind == "relations":
        return [{"shape": "dashed", "color": RELATION_COLOUR, "label": "Relation between actors"}]
    if kind == "events":
        items = []
        valid = frame[frame.geometry.notna() & ~frame.geometry.is_empty] if len(frame) else frame
        # Only the colours drawn: a dot takes its first actor's colour, so an actor listed second on
        # every event never colours a dot and is not listed. One line per colour: a leader and their
        # state share a colour by design.
        acts_list = [_list(acts) for acts in valid["actors"]] if "actors" in valid else []
        colouring = {next((a for a in acts if a in colours), None) for acts in acts_list}
        by_colour: dict[str, list[str]] = {}
        for row in actors.itertuples() if actors is not None and len(actors) else []:
            if row.id in colouring:
                by_colour.setdefault(colours[row.id].lower(), []).append(_text(row.name))
        for colour, labels in by_colour.items():
            items.append({"shape": "dot", "color": colour, "label": " / ".join(labels)})
        if None in colouring:  # events with no known actor: the default colour
            items.append({"shape": "dot", "color": PALETTE[0], "label": "No known actor"})
        if any(_ring_km(row) > 0 for row in valid.itertuples()):
            items.append({"shape": "ring", "color": "#555555", "label": "Ring: place is approximate"})
        if "disputed" in valid and any(_is_true(v) for v in valid["disputed"]):
            items.append({"shape": "disputed", "color": "#111111", "label": "Black ring: disputed (sources disagree)"})
        return items + symbols.legend_items(valid["type"].unique() if "type" in valid else [])
    if kind == "mentions":
        return [{"shape": "dot", "color": MENTION_COLOUR, "label": "Place named in an article"}]
    return [{"shape": "dot", "color": ADDED_COLOUR, "label": "Place named in the added article"}]


def has_layer(layers: Mapping[str, Any], kind: str) -> bool:
    frame = layers.get(kind)
    return frame is not None and len(frame) > 0


def build_payload(
    layers: Mapping[str, Any], visible: Iterable[str] | None = None, *, summaries: bool | None = None
) -> dict:
    """Compact JSON-ready description of the layers for `atlas.js`.

    `visible` limits which layer kinds are drawn (default: every non-empty layer). `summaries`: put
    event summaries in popups (default: only up to SUMMARY_LIMIT events)."""
    wanted = set(visible) if visible is not None else {"regions", "routes", "relations", "events", "mentions"}
    actors = layers.get("actors")
    colours = actor_colours(actors)
    out: list[dict] = []
    legend: list[dict] = []
    for kind in KINDS:
        if kind in wanted and has_layer(layers, kind):
            out.append(layer_spec(kind, layers, colours, summaries))
            legend += legend_entries(kind, layers[kind], actors, colours)
    return {"layers": out, "actors": actor_entries(actors), "legend": legend}


def data_bounds(layers: Mapping[str, Any], share: float = 0.85) -> list[list[float]] | None:
    """[[south, west], [north, east]] framing the events and routes.

    Only the `share` of events closest to their median point is framed, so a few remarks made in
    Washington do not zoom a story about East Asia out to the whole world; routes are always
    framed whole. Regions are not framed (a sea or a peninsula can be larger than the story)."""
    lons: list[float] = []
    lats: list[float] = []
    events = layers.get("events")
    if events is not None and len(events):
        geoms = events.geometry[events.geometry.notna() & ~events.geometry.is_empty]
        points = geoms.representative_point()
        if len(points):
            cx, cy = float(points.x.median()), float(points.y.median())
            # Flat-earth distance is enough to rank points for framing.
            dist = ((points.x - cx) * math.cos(math.radians(cy))) ** 2 + (points.y - cy) ** 2
            keep = points[dist.rank(method="first") <= math.ceil(len(points) * share)]
            lons += keep.x.tolist()
            lats += keep.y.tolist()
    routes = layers.get("routes")
    if routes is not None and len(routes):
        west, south, east, north = routes.total_bounds
        lons += [west, east]
        lats += [south, north]
    if not lons:
        mentions = layers.get("mentions")
        if mentions is None or not len(mentions):
            return None
        west, south, east, north = mentions.total_bounds
        lons, lats = [west, east], [south, north]
    return [[_round(min(lats)), _round(min(lons))], [_round(max(lats)), _round(max(lons))]]
