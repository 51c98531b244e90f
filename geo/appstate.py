"""Streamlit glue for app.py: cached loading, widget state ↔ Filters, selection, detail panel, table, timeline.

Kept out of app.py so the shell stays a page of widgets; kept out of the pipeline modules because it is
the only place that knows about Streamlit.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import folium
import pandas as pd
import streamlit as st

from geo import explore, fonts, mapview

MAP_KEY = "atlas_map"
TABLE_KEY = "event_table"
TIMELINE_KEY = "timeline"
TIMELINE_PICK = "timeline_pick"
_CLICK_ID = re.compile("\u27e6(.+?)\u27e7")


@dataclass(frozen=True)
class Atlas:
    layers: dict
    signature: str
    problems: tuple[str, ...] = field(default_factory=tuple)


PAGE_CSS = """
<style>
  """ + fonts.app_import() + """
  .block-container { padding-top: 1.5rem; padding-bottom: 1rem; }
  h1 { padding-top: 0; }
</style>
"""


def page_style() -> None:
    """Tighter top spacing than Streamlit's default so the map sits above the fold (static CSS only)."""
    st.markdown(PAGE_CSS, unsafe_allow_html=True)


# ------------------------------------------------------------------ loading


@st.cache_resource(show_spinner=False)
def _last_good() -> dict:
    """Process-wide memory of the last dataset that built cleanly (survives bad edits to data/)."""
    return {}


# A resource, not cache_data: cache_data would unpickle a fresh copy of every layer on every rerun
# (~0.1 s and ~10 MB per copy at 20k events). The layers are shared read-only; filters make new frames.
@st.cache_resource(show_spinner="Building the atlas…", max_entries=4)
def _load(signature: str) -> dict:
    from geo import layers as layer_stage

    return layer_stage.load_layers()


def load_atlas() -> Atlas:
    """The layers to show. On a bad dataset: the last good build plus messages naming file and line."""
    from geo import layers as layer_stage

    last = _last_good()
    try:
        signature = layer_stage.dataset_signature()
        loaded = _load(signature)
    except Exception as exc:  # any failure is reported, never a traceback in the UI
        problems = tuple(layer_stage.describe_problem(exc))
        if last:
            return Atlas(last["layers"], last["signature"],
                         problems + ("Showing the last good build of the dataset.",))
        return Atlas(layer_stage.empty_layers(), "empty", problems)
    last.update(layers=loaded, signature=signature)
    return Atlas(loaded, signature)


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
        from geo import gazetteer
    except ImportError:
        return ()
    names = []
    for place in gazetteer.lookup(query)[:3]:
        names.append(place.name)
    return tuple(names)


def place_aliases(query: str) -> tuple[str, ...]:
    """Other names for a searched place (Курск → Kursk, 平壤 → Pyongyang) from the offline gazetteer."""
    return _aliases_cached(query.strip())


# ------------------------------------------------------------------ widgets ↔ filters


def actor_labels(layers: Mapping[str, Any]) -> dict[str, str]:
    actors = layers.get("actors")
    if actors is None or not len(actors):
        return {}
    labels = {}
    for row in actors.itertuples():
        native = str(getattr(row, "native_name", "") or "")
        labels[row.id] = f"{row.name} · {native}" if native and native != row.name else str(row.name)
    return labels


def source_labels(layers: Mapping[str, Any]) -> dict[str, str]:
    """Cited article file → "title (publisher)" from the source manifest."""
    from geo import sources

    events = layers.get("events")
    if events is None or "sources" not in events:
        return {}
    files = explore.options(f for refs in events["sources"] for f in explore.source_files(refs))
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
    return DatasetFacts(explore.options(_layers["events"]["type"]), source_labels(_layers),
                        explore.date_span(_layers["events"]))


def dataset_facts(signature: str, layers: Mapping[str, Any]) -> DatasetFacts:
    """Widget options that only depend on the dataset (types, cited articles, date span): computed once
    per dataset signature, since at 20k events they cost ~0.2 s per rerun."""
    return _facts(signature, layers)


def seed_widgets(state, filters: explore.Filters, layers: Mapping[str, Any]) -> None:
    """First run of a session: widgets start from the URL (a shared link reproduces the view)."""
    actors = set(actor_labels(layers))
    types = set(explore.options(layers["events"]["type"]))
    state.w_actors = [a for a in filters.actors if a in actors]
    state.w_types = [t for t in filters.types if t in types]
    state.w_sources = list(filters.sources)
    state.w_query = filters.query
    state.w_layers = list(filters.layers)
    span = explore.date_span(layers["events"])
    if span and span[0] < span[1]:
        start = max(span[0], min(filters.date_from or span[0], span[1]))
        end = min(span[1], max(filters.date_to or span[1], start))
        state.w_dates = (start, end)


def filters_from_widgets(state, span) -> explore.Filters:
    date_from = date_to = None
    dates = state.get("w_dates")
    if span and dates:
        date_from = dates[0] if dates[0] > span[0] else None
        date_to = dates[1] if dates[1] < span[1] else None
    return explore.Filters(
        actors=tuple(state.get("w_actors", ())), types=tuple(state.get("w_types", ())),
        sources=tuple(state.get("w_sources", ())), date_from=date_from, date_to=date_to,
        query=str(state.get("w_query", "") or "")[:200],
        layers=tuple(state.get("w_layers") or ()) or (),
        event=str(state.get("event", "") or ""),
    )


# ------------------------------------------------------------------ map


def base_map(layers: Mapping[str, Any], signature: str | None = None):
    """The map without data, framed on the whole dataset. Built fresh each rerun (st_folium mutates
    it), but its script only depends on the dataset, so st_folium keeps the mounted map and swaps
    just the data group when filters change: no remount, no blank flash, zoom and centre kept.
    With the dataset `signature` the map starts fetching the published data before its scripts load."""
    url = published_data(signature, layers).url if signature else None
    bounds = _bounds(signature, layers) if signature else mapview.data_bounds(layers)
    return mapview.make_map(layers, with_data=False, served_assets=True, prefetch=url, bounds=bounds)


@st.cache_data(show_spinner=False, max_entries=8)
def _bounds(signature: str, _layers: Mapping[str, Any]):
    return mapview.data_bounds(_layers)


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


def map_data(signature: str, layers: Mapping[str, Any], filtered: Mapping[str, Any], filters: explore.Filters,
             visible: tuple):
    """The data for st_folium's `feature_group_to_add`: the dataset is published once as a static file
    (fetched by the browser, cached), and each filter state is a small view of it (bit masks), cached
    by dataset signature + filters. A session's added article rides along inline."""
    published = published_data(signature, layers)
    if "added" in filtered or store_configured():  # per-session / per-viewport data: not worth caching
        payload = mapview.view_payload(published, filtered, visible)
    else:
        payload = _view(signature, repr(filters.with_(event="")), visible, published, filtered)
    group = folium.FeatureGroup(name="atlas-data", control=False)
    mapview.AtlasData(payload).add_to(group)
    return group


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
    text = (value or {}).get("last_object_clicked_tooltip") if isinstance(value, dict) else None
    found = _CLICK_ID.search(text or "")
    return found.group(1) if found else ""


def on_map_change() -> None:
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


def on_timeline_select(span) -> None:
    """A click on the timeline: an event's circle opens its details; a week's circle (many events)
    narrows the date filter to that week, where the events show one by one."""
    picked = (st.session_state.get(TIMELINE_KEY) or {}).get("selection", {}).get(TIMELINE_PICK) or []
    if not picked:
        return
    if picked[0].get("id"):
        st.session_state.event = str(picked[0]["id"])
    elif picked[0].get("monday") and span:
        monday = dt.date.fromisoformat(str(picked[0]["monday"]))
        start, end = max(span[0], monday), min(span[1], monday + dt.timedelta(days=6))
        if start <= end:
            st.session_state.w_dates = (start, end)


def on_table_select() -> None:
    rows = st.session_state.get(TABLE_KEY, {}).get("selection", {}).get("rows", [])
    ids = st.session_state.get("table_ids", [])
    if rows and rows[0] < len(ids):
        st.session_state.event = ids[rows[0]]


# ------------------------------------------------------------------ details, table, timeline


# At scale the table and timeline would dominate what each rerun sends (20k rows of Arrow ≈ 2 MB,
# 20k chart points ≈ 3 MB): the table lists the first TABLE_ROWS matches (filters narrow it down) and
# the timeline counts events per week and type.
TABLE_ROWS = 100
TIMELINE_POINTS = 300


def event_table(events, layers: Mapping[str, Any]) -> pd.DataFrame:
    labels = actor_labels(layers)
    events = events.iloc[:TABLE_ROWS]
    table = pd.DataFrame({
        "date": events["date"].astype(str),
        "title": events["title"].astype(str),
        "type": events["type"].astype(str),
        "place": events["place"].astype(str),
        "actors": [", ".join(labels.get(a, a).split(" · ")[0] for a in (acts or [])) for acts in events["actors"]],
        "id": events["id"].astype(str),
    })
    st.session_state.table_ids = list(table["id"])
    return table.reset_index(drop=True)


def download_shown_events(events) -> None:
    """CSV and GeoJSON of the events the filters show, each row with its sources (article file and
    character span), so a download stays traceable. The files are made when a button is pressed
    (deferred data), not on every rerun."""
    from geo import layers as layer_stage

    shown = f"The {len(events)} events the filters show, with their sources"
    csv_col, json_col = st.columns(2)
    csv_col.download_button(
        "Download CSV", key="download_csv", help=shown, icon=":material/download:", width="stretch",
        data=lambda: layer_stage.events_csv_text(events).encode("utf-8"), file_name="atlas-events.csv",
        mime="text/csv", on_click="ignore", disabled=not len(events))
    json_col.download_button(
        "Download GeoJSON", key="download_geojson", help=shown, icon=":material/download:", width="stretch",
        data=lambda: layer_stage.geojson_text({"events": events}, ["events"]).encode("utf-8"),
        file_name="atlas-events.geojson", mime="application/geo+json", on_click="ignore",
        disabled=not len(events))


def timeline_chart(events, types: Sequence[str]):
    """(data, Vega-Lite spec) for the timeline, or None without dated events. `types`: every event
    type of the dataset, so a type keeps its row and colour whatever the filters.

    The spec is written out (not built with Altair) so that it stays the same from one filter to the
    next: Altair names each data set by a hash of its content and each zoom parameter by a counter,
    so every rerun looked like a new chart and the browser rebuilt it (~30–60 ms of the page's
    thread at every filter change). With a stable spec, Streamlit's chart swaps the data in place."""
    if events is None or not len(events):
        return None
    frame = pd.DataFrame({
        "start": pd.to_datetime(events.get("date_start", events["date"]).astype(str).str[:10], errors="coerce"),
        "type": events["type"].astype(str),
        "title": events["title"].astype(str),
        "date": events["date"].astype(str),
        "id": events["id"].astype(str),
    }).dropna(subset=["start"])
    if not len(frame):
        return None
    types = [str(t) for t in types] or sorted(frame["type"].unique())
    encoding = {
        # A point scale: rows are centred on their labels, and yOffset (stacked events) moves from there.
        "y": {"field": "type", "type": "nominal", "title": None,
              "scale": {"domain": types, "type": "point", "padding": 0.5}},
        "color": {"field": "type", "type": "nominal", "legend": None,
                  "scale": {"domain": types, "scheme": "tableau10" if len(types) <= 10 else "tableau20"}},
    }
    def spec(pick_field: str) -> dict:
        return {
            "height": max(120, 28 * len(types)),
            # Drag or zoom along time only: one 1961 treaty should not squash the 2025 story. A click
            # picks a circle (TIMELINE_PICK; see on_timeline_select).
            "params": [
                {"name": "timeline_zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"},
                {"name": TIMELINE_PICK, "select": {"type": "point", "fields": [pick_field], "on": "click"}},
            ],
            # SVG: each circle is an element with an aria-label (screen readers; the browser tests click it).
            "usermeta": {"embedOptions": {"renderer": "svg"}},
        }
    if len(frame) > TIMELINE_POINTS:
        # Many events: one circle per week and type, sized by how many events it holds.
        frame = frame.assign(week=frame["start"].dt.to_period("W").dt.start_time)
        counts = frame.groupby(["week", "type"]).size().reset_index(name="events")
        counts["week"] = counts["week"].dt.strftime("%Y-%m-%d")
        counts["monday"] = counts["week"]  # picked as text: the chart parses "week" into a timestamp
        mark = {"type": "circle", "opacity": 0.85, "clip": True, "cursor": "pointer"}
        return counts, {**spec("monday"), "mark": mark, "encoding": {
            **encoding,
            "x": {"field": "week", "type": "temporal", "title": None},
            "size": {"field": "events", "type": "quantitative", "legend": None, "scale": {"range": [20, 400]}},
            "tooltip": [{"field": "week", "type": "temporal", "title": "week of"},
                        {"field": "type", "type": "nominal"}, {"field": "events", "type": "quantitative"}],
        }}
    lo, hi = focus_window(frame["start"])
    outside = int(((frame["start"] < lo) | (frame["start"] > hi)).sum())
    # Events on the same day and of the same type stack inside their row instead of hiding each other.
    group = frame.groupby(["start", "type"])
    slot, count = group.cumcount(), group["id"].transform("size")
    step = (22 / (count - 1).clip(lower=1)).clip(upper=8)
    frame = frame.assign(stack=((slot - (count - 1) / 2) * step).round(1))
    chart = {**spec("id"), "mark": {"type": "circle", "size": 120, "opacity": 0.85, "clip": True,
                                    "cursor": "pointer"}, "encoding": {
        **encoding,
        "x": {"field": "start", "type": "temporal", "title": None,
              "scale": {"domain": [lo.isoformat(), hi.isoformat()]}},
        "yOffset": {"field": "stack", "type": "quantitative", "scale": None},
        "tooltip": [{"field": "date", "type": "nominal"}, {"field": "title", "type": "nominal"},
                    {"field": "type", "type": "nominal"}],
    }}
    if outside:
        chart["title"] = {"text": f"{outside} more outside this view: drag or scroll the timeline",
                          "fontSize": 12, "fontWeight": "normal", "color": "#4b5563", "anchor": "start"}
    return frame, chart


def focus_window(starts: pd.Series, share: float = 2 / 3, min_days: int = 14) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The stretch of time the timeline opens on: the shortest one holding `share` of the events, at
    least `min_days` wide, so a story's busy days aren't squeezed to a few pixels by background events
    decades or months earlier. Everything else is a drag or scroll away (the chart says how many)."""
    ordered = starts.sort_values().reset_index(drop=True)
    need = max(1, math.ceil(len(ordered) * share))
    widths = ordered.iloc[need - 1:].reset_index(drop=True) - ordered.iloc[:len(ordered) - need + 1]
    first = int(widths.idxmin())
    lo, hi = ordered[first], ordered[first + need - 1]
    widen = pd.Timedelta(days=min_days) - (hi - lo)
    if widen > pd.Timedelta(0):
        lo, hi = lo - widen / 2, hi + widen / 2
    pad = pd.Timedelta(days=1)
    return lo - pad, hi + pad


# Markdown-rendering elements get data through the one escaping module.
md_escape = mapview.escape_markdown


def place_label(layers: Mapping[str, Any], event) -> str:
    """An event's place for people: a region's name rather than its id (`kursk-oblast`)."""
    regions = layers.get("regions")
    region_id = str(event.get("region_id", "") or event.get("place", ""))
    if regions is not None and len(regions) and region_id in set(regions["id"]):
        return str(regions.loc[regions["id"] == region_id, "name"].iloc[0])
    return str(event.get("place", ""))


def render_details(ui, layers: Mapping[str, Any], event_id: str) -> None:
    """Detail panel. All text goes through Streamlit's text elements (no HTML), so data stays data."""
    from geo import sources

    events = layers.get("events")
    match = events[events["id"] == event_id] if event_id and events is not None and len(events) else None
    if match is None or not len(match):
        ui.subheader("Details")
        ui.info("Click a point on the map or a row in the table to see the event, its figures and its sources.")
        return
    row = match.iloc[0]
    labels = actor_labels(layers)
    ui.subheader(md_escape(row["title"]))
    precision = str(row.get("date_precision", "") or "day")
    date_text = str(row["date"]) + (f" → {row['end_date']}" if str(row.get("end_date", "") or "") else "")
    ui.text(f"When: {date_text} ({precision})")
    ui.text(f"Where: {place_label(layers, row)} ({row.get('place_precision', '')})")
    ui.text("Type: " + str(row.get("type", "")))
    if row.get("actors"):
        ui.text("Actors: " + ", ".join(labels.get(a, a) for a in row["actors"]))
    ui.text(str(row.get("summary", "")))
    figures = list(row.get("figures") or [])
    if figures:
        ui.markdown("**Figures**")
        ui.dataframe(pd.DataFrame([{k: str(v) for k, v in f.items()} for f in figures]), hide_index=True,
                     width="stretch")
    refs = list(row.get("sources") or [])
    if refs:
        ui.markdown("**Sources**")
    for ref in refs:
        ui.caption(md_escape(sources.describe(ref)))
        passage = sources.passage_for(ref)
        if passage:
            ui.text("“" + passage + "”")


# ------------------------------------------------------------------ add an article (geoparser + review)

PASTE_LIMIT_CHARS = 200_000


@st.cache_data(show_spinner="Finding places…", max_entries=16)
def _analyse(name: str, text: str, reviews_signature: str) -> list[dict]:
    from geo import layers as layer_stage
    from geo import review

    return layer_stage.mention_rows(name, text, review.read_reviews(review.reviews_path()))


def _reviews_signature() -> str:
    from geo import review

    path = review.reviews_path()
    return f"{path.stat().st_mtime_ns}:{path.stat().st_size}" if path.is_file() else "none"


def analyse_added_article(name: str, text: str) -> None:
    """Geoparse a pasted or uploaded article into session state (shown as its own map layer)."""
    st.session_state.added = {"name": name, "text": text}


def on_find_places() -> None:
    """The "Find places" button. A callback, so the run it starts already maps the article (the
    sidebar is drawn after the map); what went wrong is kept for the sidebar to say."""
    from geo import extract

    upload = st.session_state.get("w_upload")
    pasted = str(st.session_state.get("w_paste") or "")
    st.session_state.added_message = None
    try:
        if upload is not None:
            analyse_added_article(upload.name, extract.read_upload(upload.name, upload.getvalue()))
        elif pasted.strip():
            analyse_added_article("pasted text", pasted)
        else:
            st.session_state.added_message = ("warning", "Paste some text or choose a file first.")
    except ValueError as exc:
        st.session_state.added_message = ("error", md_escape(str(exc)))


def show_added_article_message() -> None:
    kind, text = st.session_state.pop("added_message", None) or (None, None)
    if kind == "warning":
        st.warning(text)
    elif kind == "error":
        st.error(text)


def on_presenter_mode() -> None:
    st.query_params.clear()
    st.query_params["mode"] = "present"


def added_article_rows() -> list[dict]:
    added = st.session_state.get("added")
    if not added:
        return []
    try:
        return _analyse(added["name"], added["text"], _reviews_signature())
    except Exception as exc:  # a broken reviews file or parser error: say so, keep the app up
        st.error(f"Could not analyse the article: {exc}")
        return []


def added_layer(rows: list[dict]):
    from geo import layers as layer_stage

    return layer_stage.mentions_frame([{k: v for k, v in r.items() if k != "reviewed"} for r in rows])


def review_table(rows: list[dict]) -> pd.DataFrame:
    """One row per name as written, with the geocoder's choice and a decision to edit."""
    seen: dict[str, dict] = {}
    for r in rows:
        key = " ".join(str(r["text"]).split()).casefold()
        entry = seen.setdefault(key, {"as written": r["text"], "place": r["name"], "country": r["country"],
                                      "lat": round(float(r["lat"]), 4), "lon": round(float(r["lon"]), 4),
                                      "times": 0, "first sentence": r["sentence"][:160],
                                      "decision": "accept", "correct to": ""})
        entry["times"] += 1
    return pd.DataFrame(list(seen.values()))


def save_review(edited: pd.DataFrame) -> tuple[int, list[str]]:
    """Write rejections and corrections as curated overrides; returns (saved, problems).

    A correction takes the place typed in "correct to" (looked up in the gazetteer) or, when that is
    empty, the coordinates edited in the table."""
    from geo import geocode, review

    reviews, problems = [], []
    for row in edited.to_dict("records"):
        text, decision = str(row["as written"]), str(row.get("decision") or "accept")
        if decision == "reject":
            reviews.append(review.Review(text=text, decision="reject", note="rejected in the app"))
        elif decision == "correct":
            target = str(row.get("correct to") or "").strip()
            place = geocode.geocode_place(target) if target else None
            if target and place is None:
                problems.append(f"{text}: no place called {target!r} in the gazetteer")
            elif place is not None:
                reviews.append(review.Review(text=text, decision="correct", place=place.name, lat=place.lat,
                                             lon=place.lon, country=place.country, note="corrected in the app"))
            else:
                reviews.append(review.Review(text=text, decision="correct", place=str(row["place"]),
                                             lat=float(row["lat"]), lon=float(row["lon"]),
                                             country=str(row["country"]), note="corrected in the app"))
    if reviews:
        review.save_reviews(review.reviews_path(), reviews)
    return len(reviews), problems


# ------------------------------------------------------------------ corpus store (GEO_STORE)


def store_configured() -> bool:
    """The corpus store is shown only when `GEO_STORE` names one (GeoPackage path or PostGIS URL)."""
    import os

    return bool(os.environ.get("GEO_STORE", "").strip())


def viewport_bbox(value: Any) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the map's last reported bounds, widened by half a view so
    small pans don't need a new query; None before the map has reported."""
    bounds = (value or {}).get("bounds") if isinstance(value, dict) else None
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        west, south, east, north = float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    dx, dy = (east - west) / 2, (north - south) / 2
    return (round(max(-180.0, west - dx), 1), round(max(-90.0, south - dy), 1),
            round(min(180.0, east + dx), 1), round(min(90.0, north + dy), 1))


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def corpus_mentions(bbox, date_from, date_to):
    """Ingested corpus mentions in the viewport and date range; the query runs in the store (bbox and
    dates in SQL on PostGIS, with its spatial index)."""
    from geo import store

    dates = (date_from, date_to) if date_from or date_to else None
    return store.mentions_layer(bbox=bbox, date_range=dates)


def with_corpus(filtered: dict, filters: explore.Filters) -> tuple[dict, str]:
    """`filtered` with the store's mentions appended to the mentions layer; and a status line."""
    if not store_configured() or "mentions" not in filters.layers:
        return filtered, ""
    bbox = viewport_bbox(st.session_state.get(MAP_KEY))
    try:
        corpus = corpus_mentions(bbox, filters.date_from, filters.date_to)
    except Exception as exc:  # an unreachable store must not take the atlas down
        return filtered, f"Corpus store unavailable: {exc}"
    if not len(corpus):
        return filtered, "Corpus store: no mentions in this view."
    mentions = filtered.get("mentions")
    columns = list(mentions.columns) if mentions is not None else list(corpus.columns)
    merged = pd.concat([mentions, corpus[[c for c in columns if c in corpus.columns]]], ignore_index=True) \
        if mentions is not None and len(mentions) else corpus
    return {**filtered, "mentions": merged}, f"Corpus store: {len(corpus)} mentions in this view."

