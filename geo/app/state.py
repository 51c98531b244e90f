"""Streamlit glue for app.py: cached loading, widget state ↔ Filters, selection, detail panel, table, timeline.

Kept out of app.py so the shell stays a page of widgets; kept out of the pipeline modules because it is
the only place that knows about Streamlit.
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import folium
import pandas as pd
import streamlit as st

from geo.app import corpus
from geo.layers import filters as view_filters
from geo.web import elements, escape, mapview, payload
from geo.web.timeline import TIMELINE_PICK

MAP_KEY = "atlas_map"
TIMELINE_KEY = "timeline"


@dataclass(frozen=True)
class Atlas:
    layers: dict
    signature: str
    problems: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------ loading


@st.cache_resource(show_spinner=False)
def _last_good() -> dict:
    """Process-wide memory of the last dataset that built cleanly (survives bad edits to data/)."""
    return {}


# A resource, not cache_data: cache_data would unpickle a fresh copy of every layer on every rerun
# (~0.1 s and ~10 MB per copy at 20k events). The layers are shared read-only; filters make new frames.
@st.cache_resource(show_spinner="Reading the atlas…", max_entries=4)
def _load(signature: str) -> dict:
    from geo import layers as layer_stage

    return layer_stage.load_layers()


def load_atlas() -> Atlas:
    """The layers to show. On a bad dataset: the last good build plus messages naming file and line."""
    from geo import layers as layer_stage

    last = _last_good()
    # One slot on every run, used only while a build runs: the elements after it keep their places
    # (a map that moved would be mounted again).
    slot = st.empty()
    try:
        signature = layer_stage.dataset_signature()
        if last.get("signature") != signature:
            build_with_progress(signature, slot)
        loaded = _load(signature)
    except Exception as exc:  # any failure is reported, never a traceback in the UI
        problems = tuple(layer_stage.describe_problem(exc))
        if last:
            return Atlas(last["layers"], last["signature"], problems + ("Showing the last good build of the dataset.",))
        return Atlas(layer_stage.empty_layers(), "empty", problems)
    last.update(layers=loaded, signature=signature)
    return Atlas(loaded, signature)


def build_with_progress(signature: str, slot) -> None:
    """Build the dataset when its GeoPackage is missing or stale, under a progress bar in `slot` (an
    `st.empty`) naming each stage (`geo.layers.cache.STAGES`), instead of a bare spinner. Raises what the
    build raises."""
    from geo import layers as layer_stage

    if layer_stage.is_current(signature):
        return
    bar = slot.progress(0.0, text="Building the atlas: checking the dataset…")

    def report(fraction: float, text: str) -> None:
        bar.progress(fraction, text=f"Building the atlas: {text}…")

    try:
        layer_stage.build(progress=report)
    finally:
        bar.empty()


def show_problems(problems: tuple[str, ...], shown: int = 8) -> None:
    """One error box for a bad dataset: the first messages (file:line: message), the rest folded."""
    if not problems:
        return
    # Messages quote data (file names, values), so they are shown as plain text, never as markdown.
    more = len(problems) - shown
    st.error(f"The dataset has {len(problems)} problem(s); details below.", icon="⚠️")
    st.code("\n".join(problems[:shown]) + (f"\n… and {more} more" if more > 0 else ""), language=None)
    if more > 0:
        with st.expander("All problems"):
            st.code("\n".join(problems), language=None)


@functools.lru_cache(maxsize=256)
def _aliases_cached(query: str) -> tuple[str, ...]:
    try:
        from geo.geoparse import gazetteer
    except ImportError:
        return ()
    names = []
    for place in gazetteer.lookup(query)[:3]:
        names.append(place.name)
    return tuple(names)


@functools.lru_cache(maxsize=256)
def _points_cached(query: str) -> tuple[tuple[float, float], ...]:
    try:
        from geo.geoparse import gazetteer
    except ImportError:
        return ()
    return tuple((place.lat, place.lon) for place in gazetteer.lookup(query)[:1])


def place_points(query: str) -> tuple[tuple[float, float], ...]:
    """Where a searched place is (the gazetteer's best match), so routes passing it match the search."""
    return _points_cached(query.strip()) if query.strip() else ()


def place_aliases(query: str) -> tuple[str, ...]:
    """Other names for a searched place (Курск → Kursk, 平壤 → Pyongyang) from the offline gazetteer."""
    return _aliases_cached(query.strip())


# ------------------------------------------------------------------ widgets ↔ filters


_ACTOR_LABELS: dict[int, tuple[Any, dict[str, str]]] = {}  # id(actors frame) -> (weak ref to it, labels)


def actor_labels(layers: Mapping[str, Any]) -> dict[str, str]:
    """Actor id → "name · native name". Remembered per actors frame (the layers are a shared, read-only
    cache resource): it was called five times per session, ~10 ms each at 130 actors."""
    actors = layers.get("actors")
    if actors is None or not len(actors):
        return {}
    known = _ACTOR_LABELS.get(id(actors))
    if known is not None and known[0]() is actors:
        return dict(known[1])
    labels = {}
    for row in actors.itertuples():
        native = str(getattr(row, "native_name", "") or "")
        labels[row.id] = f"{row.name} · {native}" if native and native != row.name else str(row.name)
    if len(_ACTOR_LABELS) > 8:
        _ACTOR_LABELS.clear()
    _ACTOR_LABELS[id(actors)] = (weakref.ref(actors), labels)
    return dict(labels)


def source_labels(layers: Mapping[str, Any]) -> dict[str, str]:
    """Cited article file → "title (publisher)" from the source manifest."""
    from geo.articles import sources

    events = layers.get("events")
    if events is None or "sources" not in events:
        return {}
    files = view_filters.options(f for refs in events["sources"] for f in view_filters.source_files(refs))
    try:
        manifest = sources.load_manifest()
    except Exception:  # a broken manifest is reported by validation; labels fall back to file names
        manifest = {}
    return {f: (manifest[f].title if f in manifest and manifest[f].title else f) for f in files}


@dataclass(frozen=True)
class DatasetFacts:
    types: list
    source_labels: dict
    span: Any


@st.cache_resource(show_spinner=False, max_entries=4)
def _facts(signature: str, _layers: Mapping[str, Any]) -> DatasetFacts:
    return DatasetFacts(
        view_filters.options(_layers["events"]["type"]),
        source_labels(_layers),
        view_filters.date_span(_layers["events"]),
    )


def dataset_facts(signature: str, layers: Mapping[str, Any]) -> DatasetFacts:
    """Widget options that only depend on the dataset (types, cited articles, date span): computed once
    per dataset signature, since at 20k events they cost ~0.2 s per rerun."""
    return _facts(signature, layers)


def seed_widgets(
    state, filters: view_filters.Filters, layers: Mapping[str, Any], facts: DatasetFacts | None = None
) -> None:
    """First run of a session: widgets start from the URL (a shared link reproduces the view).

    Pass the dataset's cached `facts` (`dataset_facts`): recomputing the types and the date span here
    cost ~0.1 s per new session at 5k events, on the way to the session's first map."""
    actors = set(actor_labels(layers))
    types = set(facts.types if facts is not None else view_filters.options(layers["events"]["type"]))
    state.w_actors = [a for a in filters.actors if a in actors]
    state.w_types = [t for t in filters.types if t in types]
    state.w_sources = list(filters.sources)
    state.w_query = filters.query
    state.w_layers = list(filters.layers)
    state.w_disputed = bool(filters.disputed)
    span = facts.span if facts is not None else view_filters.date_span(layers["events"])
    if span and span[0] < span[1]:
        start = max(span[0], min(filters.date_from or span[0], span[1]))
        end = min(span[1], max(filters.date_to or span[1], start))
        state.w_dates = (start, end)


def filters_from_widgets(state, span) -> view_filters.Filters:
    from geo.app import dates

    date_from, date_to = dates.picked(state, span)
    return view_filters.Filters(
        actors=tuple(state.get("w_actors", ())),
        types=tuple(state.get("w_types", ())),
        sources=tuple(state.get("w_sources", ())),
        date_from=date_from,
        date_to=date_to,
        query=str(state.get("w_query", "") or "")[:200],
        layers=tuple(state.get("w_layers") or ()) or (),
        event=str(state.get("event", "") or ""),
        disputed=bool(state.get("w_disputed", False)),
    )


# ------------------------------------------------------------------ map


def base_map(layers: Mapping[str, Any], signature: str | None = None, view=None):
    """The map without data, framed on the whole dataset. Built fresh each rerun (st_folium mutates
    it), but its script only depends on the dataset, so st_folium keeps the mounted map and swaps
    just the data group when filters change: no remount, no blank flash, zoom and centre kept.
    With the dataset `signature` the map starts fetching the published data before its scripts load."""
    url = published_data(signature, layers).url if signature else None
    bounds = _bounds(signature, layers) if signature else payload.data_bounds(layers)
    return mapview.make_map(
        layers, with_data=False, served_assets=True, prefetch=url, bounds=bounds, explorer=True, view=view
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _bounds(signature: str, _layers: Mapping[str, Any]):
    return payload.data_bounds(_layers)


@st.cache_resource(show_spinner=False, max_entries=4)
def _published(signature: str, _layers: Mapping[str, Any]) -> mapview.PublishedData:
    return mapview.publish_data(_layers)


def published_data(signature: str, layers: Mapping[str, Any]) -> mapview.PublishedData:
    published = _published(signature, layers)
    if not mapview.touch_published(published):  # pruned after many dataset edits: write it again
        _published.clear()
        published = _published(signature, layers)
    return published


@st.cache_data(show_spinner=False, max_entries=64)
def _view(signature: str, filters_key: str, visible: tuple, _published_data, _filtered) -> dict:
    return mapview.view_payload(_published_data, _filtered, visible)


def map_data(
    signature: str,
    layers: Mapping[str, Any],
    filtered: Mapping[str, Any],
    filters: view_filters.Filters,
    visible: tuple,
    since: Mapping[str, Any] | None = None,
):
    """The data for st_folium's `feature_group_to_add`: the dataset is published once as a static file
    (fetched by the browser, cached), and each filter state is a small view of it (bit masks), cached
    by dataset signature + filters. A session's added article rides along inline."""
    published = published_data(signature, layers)
    if "added" in filtered or corpus.store_configured():  # per-session / per-viewport data: not worth caching
        payload = mapview.view_payload(published, filtered, visible)
    else:
        payload = _view(signature, repr(filters.with_(event="")), visible, published, filtered)
    if filters.event:  # the selected event: atlas-select.js draws its halo on top and opens its pile
        payload = {**payload, "selected": filters.event}
    from geo.web import changes  # since= marks (badges, ghosts) ride on the cached view

    payload = changes.with_marks(payload, since)
    group = folium.FeatureGroup(name="atlas-data", control=False)
    elements.AtlasData(payload).add_to(group)
    return group


@st.cache_data(show_spinner=False, max_entries=64)
def _timeline(signature: str, filters_key: str, types: tuple, _events):
    from geo.web import timeline

    return timeline.timeline_chart(_events, list(types))


@st.cache_data(show_spinner=False, max_entries=64)
def _table(signature: str, filters_key: str, _events, _layers) -> pd.DataFrame:
    from geo.app import details

    return details.event_table(_events, _layers)


def timeline_chart(signature: str, filters: view_filters.Filters, events, types) -> Any:
    """`timeline.timeline_chart` of the filtered events, cached by dataset signature + filters as the
    map's view is: every new session's page (and each common filter) is the same chart, which cost
    ~40 ms per run at 5k events (protocol load test, docs/performance.md)."""
    return _timeline(signature, repr(filters.with_(event="")), tuple(types), events)


def event_table(signature: str, filters: view_filters.Filters, events, layers: Mapping[str, Any]) -> pd.DataFrame:
    """`details.event_table` of the filtered events, cached by dataset signature + filters (~25 ms/run at 5k)."""
    return _table(signature, repr(filters.with_(event="")), events, layers)


def fly_target(layers: Mapping[str, Any], event_id: str):
    events = layers.get("events")
    if not event_id or events is None or not len(events):
        return None
    match = events[events["id"] == event_id]
    if not len(match):
        return None
    point = match.geometry.iloc[0]
    return [round(point.y, 4), round(point.x, 4)], 6


def clicked_event_id(value: Any) -> str:
    """The id of the event whose dot was clicked last, from st_folium's report of the clicked layer.

    st_folium sends the clicked layer's GeoJSON as `last_active_drawing`; atlas.js gives each dot a
    feature whose properties hold its `id` and `kind`. Anything else (a mention, a route, no click yet,
    a malformed report) is no event.

    Examples
    --------
    >>> clicked_event_id({"last_active_drawing": {"properties": {"id": "parade", "kind": "events"}}})
    'parade'
    >>> clicked_event_id({"last_active_drawing": {"properties": {"id": "m-3", "kind": "mentions"}}})
    ''
    >>> clicked_event_id({"last_active_drawing": None})
    ''
    """
    drawing = value.get("last_active_drawing") if isinstance(value, dict) else None
    props = drawing.get("properties") if isinstance(drawing, dict) else None
    if not isinstance(props, dict) or props.get("kind") != "events" or props.get("id") in (None, ""):
        return ""
    return str(props["id"])


def map_layer_report(value: Any, current) -> tuple[str, list[str]] | None:
    """(sequence, layers switched on) when the user ticked a layer in the map's own control
    (atlas-explorer.js reports it through st_folium's channel); None otherwise. Kinds the control does
    not list (no data) keep their `current` setting."""
    report = value.get("atlas_layers") if isinstance(value, dict) else None
    if not isinstance(report, dict) or not report.get("seq"):
        return None
    shown, listed = set(report.get("shown") or []), set(report.get("listed") or report.get("shown") or [])
    keep = set(current or ()) - listed
    return str(report["seq"]), [k for k in view_filters.ALL_LAYERS if k in shown or k in keep]


def on_map_change() -> None:
    # The map's layer control and the sidebar's "Layers" show one state, the sidebar's: a tick on the
    # map changes it, and the map then follows it like any other change.
    report = map_layer_report(st.session_state.get(MAP_KEY), st.session_state.get("w_layers"))
    if report and report[0] != st.session_state.get("map_layers_seq"):
        st.session_state.map_layers_seq = report[0]
        st.session_state.w_layers = report[1]
    # The component reports its whole state (bounds too, when a store is on): act on new clicks only.
    event_id = clicked_event_id(st.session_state.get(MAP_KEY))
    if event_id and event_id != st.session_state.get("last_clicked_event"):
        st.session_state.event = event_id
    st.session_state.last_clicked_event = event_id


def page_complete() -> bool:
    """False during a session's first run, which draws the map and little else: the filters, the
    timeline and the table (~2 MB of frontend code to load and lay out, ~0.5 s of a 2-core machine's
    first paint) follow in the next run. The map triggers that run once drawn (atlas.js reports
    `atlas_drawn`, or that its data failed to load); any widget change would too. Call once per run."""
    complete = "page_seen" in st.session_state
    st.session_state.page_seen = True
    return complete


def on_timeline_select(span, busy=None) -> None:
    """A drag across the timeline picks that date range; a click on an event's circle opens its details;
    a week's circle (many events) narrows the date filter to that week, where the events show one by one."""
    from geo.app import dates

    if dates.on_brush(st.session_state, span, busy):
        return
    picked = (st.session_state.get(TIMELINE_KEY) or {}).get("selection", {}).get(TIMELINE_PICK) or []
    if not picked:
        return
    if picked[0].get("id"):
        st.session_state.event = str(picked[0]["id"])
    elif picked[0].get("monday") and span:
        monday = dt.date.fromisoformat(str(picked[0]["monday"]))
        start, end = max(span[0], monday), min(span[1], monday + dt.timedelta(days=6))
        if start <= end:
            dates.set_range(st.session_state, start, end, span, busy)


# ------------------------------------------------------------------ details, table, timeline


# Markdown-rendering elements get data through the one escaping module.
md_escape = escape.escape_markdown


# ------------------------------------------------------------------ add an article (geoparser + review)


def on_presenter_mode() -> None:
    # The explorer's filters stay in the URL: "Exit presenter mode" returns to them (geo/web/presenter.py).
    for key in ("step", "story"):
        st.query_params.pop(key, None)
    st.query_params["mode"] = "present"


# ------------------------------------------------------------------ corpus store (GEO_STORE)
