"""Story step → what the map shows: the atlas payload for the step, the view to fly to, and the
step's date/place line. Shared by presenter mode (geo/present.py) and the briefing export
(geo/briefing.py), so both show exactly the same thing for a step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from geo.dataset.stories import DEFAULT_MAX_ZOOM, Step, Story
from geo.web import payload as map_payload

FOCUS_RADIUS = 11  # the step's events: big enough to survive video-call compression
CONTEXT_RADIUS = 6
CONTEXT_COLOUR = "#8c8c8c"  # neutral grey: reads as "not now" for every kind of colour vision
VIEW_PADDING = 48


def _subset(layers: Mapping[str, Any], layer: str, ids) -> Any:
    frame = layers.get(layer)
    if frame is None or not len(frame):
        return frame
    wanted = set(ids)
    return frame[frame["id"].astype(str).isin(wanted)]


def with_changes(story: Story, found: Mapping[str, Any] | None) -> tuple[Story, Mapping[str, Any] | None]:
    """The story as presented `since=` a version: a first step showing what changed (added and changed
    events, routes and regions), and the marks (new/changed badges, removed ghosts) every step's map
    carries. `found` is a `geo.web.changes.since_changes` result; None leaves the story as it is.

    Shared by presenter mode, its notes and the briefing, so their steps number alike."""
    if not found:
        return story, None
    from dataclasses import replace

    from geo.dataset import autostory

    return replace(story, steps=(autostory.since_step(found["result"]),) + tuple(story.steps)), found["marks"]


def step_payload_marked(
    layers: Mapping[str, Any],
    story: Story,
    number: int,
    marks: Mapping[str, Any] | None = None,
    shared_context: bool = False,
) -> dict:
    """`step_payload` with `since` marks (`with_changes`) on it, when there are any."""
    from geo.web import changes

    payload = step_payload(layers, story, number, shared_context)
    return changes.with_marks(payload, marks) if marks else payload


def story_event_ids(story: Story) -> list[str]:
    return list(dict.fromkeys(i for step in story.steps for i in step.events))


def step_payload(layers: Mapping[str, Any], story: Story, number: int, shared_context: bool = False) -> dict:
    """Atlas payload for one step: its routes, regions and events in full colour, the story's other
    events as small grey dots beneath them for orientation.

    With `shared_context`, the grey dots are not in the payload: it says where they go and which of them
    to leave out (`payload["context"] = {"at", "omit"}`), and the rows come once for the whole story
    from `story_context` (the briefing: briefing.js puts them back, one copy instead of one per step)."""
    step = story.step(number)
    focus = {
        "actors": layers.get("actors"),
        "events": _subset(layers, "events", step.events),
        "routes": _subset(layers, "routes", step.routes),
        "regions": _subset(layers, "regions", step.regions),
    }
    payload = map_payload.build_payload(focus, visible=("regions", "routes", "events"))
    for spec in payload["layers"]:
        if spec["kind"] == "events":
            spec.update(label="This step", radius=FOCUS_RADIUS)
    others = [i for i in story_event_ids(story) if i not in set(step.events)]
    at = next((i for i, s in enumerate(payload["layers"]) if s["kind"] == "events"), len(payload["layers"]))
    if shared_context:
        if not others:
            return payload
        payload["context"] = {"at": at, "omit": list(step.events)}
    else:
        context = _context_spec(layers, others)
        if not context:
            return payload
        payload["layers"].insert(at, context)  # drawn first, so the step's dots sit on top
    payload["legend"].append({"shape": "dot", "color": CONTEXT_COLOUR, "label": "Other events in the story"})
    return payload


def story_context(layers: Mapping[str, Any], story: Story) -> dict | None:
    """Every story event as a grey context dot, once (see `step_payload`'s `shared_context`)."""
    return _context_spec(layers, story_event_ids(story))


def _context_spec(layers: Mapping[str, Any], ids: list[str]) -> dict | None:
    events = _subset(layers, "events", ids)
    if events is None or not len(events):
        return None
    spec = map_payload.build_payload({"events": events, "actors": layers.get("actors")}, visible=("events",))["layers"][
        0
    ]
    colour, ring = spec["fields"].index("color"), spec["fields"].index("uncertainty_km")
    for row in spec["rows"]:
        row[colour], row[ring] = CONTEXT_COLOUR, 0.0
    spec.update(label="Other events in the story", radius=CONTEXT_RADIUS)
    return spec


def step_view(layers: Mapping[str, Any], step: Step) -> dict:
    """{"bounds": [[s, w], [n, e]], "maxZoom": z}: the box around the step's features, flown to with
    Leaflet's flyToBounds (so it fits whatever size the map has)."""
    boxes = []
    for layer, ids in step.ids.items():
        frame = _subset(layers, layer, ids)
        if frame is not None and len(frame):
            boxes.append(frame.total_bounds)
    if not boxes:
        bounds = map_payload.data_bounds(layers) or [[20.0, 30.0], [60.0, 140.0]]
    else:
        west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
        east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
        bounds = [[round(float(south), 4), round(float(west), 4)], [round(float(north), 4), round(float(east), 4)]]
    return {"bounds": bounds, "maxZoom": step.zoom or DEFAULT_MAX_ZOOM, "padding": VIEW_PADDING}


# ---------------------------------------------------------------- when / where line


def _nice_date(text: str) -> str:
    parts = text.split("-")
    try:
        if len(parts) == 3:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{day.day} {day:%B %Y}"
        if len(parts) == 2:
            return f"{dt.date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    except ValueError:
        pass
    return text


def when_where(layers: Mapping[str, Any], step: Step) -> str:
    """ "31 August 2025 · Tianjin": dates in order, then places, for the caption panel."""
    events = _subset(layers, "events", step.events)
    dates: list[str] = []
    places: list[str] = []
    regions = layers.get("regions")
    region_names = dict(zip(regions["id"], regions["name"])) if regions is not None and len(regions) else {}
    if events is not None and len(events):
        for date in sorted(str(d) for d in events["date"] if str(d or "")):
            if _nice_date(date) not in dates:
                dates.append(_nice_date(date))
        order = {ident: i for i, ident in enumerate(step.events)}  # places in the order the story lists them
        for place in events.assign(_o=events["id"].map(order)).sort_values("_o")["place"]:
            name = region_names.get(str(place), str(place or ""))
            if name and name not in places:
                places.append(name)
    for layer in ("routes", "regions"):
        frame = _subset(layers, layer, step.ids[layer])
        if frame is not None and len(frame) and not places:
            places.extend(str(n) for n in frame["name"])
    if len(dates) > 2:
        dates = [f"{dates[0]} – {dates[-1]}"]
    return " · ".join(x for x in (" and ".join(dates), ", ".join(places[:4])) if x)
