"""The timeline: events -> (data, Vega-Lite spec) with one row and colour per event type; opens on the
busiest stretch. Pure (no Streamlit), so it is tested without AppTest."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

TIMELINE_PICK = "timeline_pick"
TIMELINE_BRUSH = "timeline_brush"
# Both selections the app listens to (st.vega_lite_chart's selection_mode).
TIMELINE_SELECTIONS = (TIMELINE_PICK, TIMELINE_BRUSH)


TIMELINE_POINTS = 300


def timeline_chart(events, types: Sequence[str]):
    """(data, Vega-Lite spec) for the timeline, or None without dated events. `types`: every event
    type of the dataset, so a type keeps its row and colour whatever the filters.

    The spec is written out (not built with Altair) so that it stays the same from one filter to the
    next: Altair names each data set by a hash of its content and each zoom parameter by a counter,
    so every rerun looked like a new chart and the browser rebuilt it (~30–60 ms of the page's
    thread at every filter change). With a stable spec, Streamlit's chart swaps the data in place."""
    if events is None or not len(events):
        return None
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime(events.get("date_start", events["date"]).astype(str).str[:10], errors="coerce"),
            "type": events["type"].astype(str),
            "title": events["title"].astype(str),
            "date": events["date"].astype(str),
            "id": events["id"].astype(str),
        }
    ).dropna(subset=["start"])
    if not len(frame):
        return None
    types = [str(t) for t in types] or sorted(frame["type"].unique())
    encoding = {
        # A point scale: rows are centred on their labels, and yOffset (stacked events) moves from there.
        "y": {
            "field": "type",
            "type": "nominal",
            "title": None,
            "scale": {"domain": types, "type": "point", "padding": 0.5},
        },
        "color": {
            "field": "type",
            "type": "nominal",
            "legend": None,
            "scale": {"domain": types, "scheme": "tableau10" if len(types) <= 10 else "tableau20"},
        },
    }

    def spec(pick_field: str) -> dict:
        return {
            "height": max(120, 28 * len(types)),
            # A drag across time picks a date range (TIMELINE_BRUSH); shift-drag pans and the wheel zooms,
            # along time only: one 1961 treaty should not squash the 2025 story. A click picks a circle
            # (TIMELINE_PICK; see on_timeline_select).
            "params": [
                {
                    "name": "timeline_zoom",
                    "select": {
                        "type": "interval",
                        "encodings": ["x"],
                        "on": "[mousedown[event.shiftKey], window:mouseup] > window:mousemove!",
                        "translate": "[mousedown[event.shiftKey], window:mouseup] > window:mousemove!",
                    },
                    "bind": "scales",
                },
                {
                    "name": TIMELINE_BRUSH,
                    "select": {
                        "type": "interval",
                        "encodings": ["x"],
                        "zoom": False,
                        "on": "[mousedown[!event.shiftKey], window:mouseup] > window:mousemove!",
                        "translate": False,
                        "mark": {"fill": "#2563eb", "fillOpacity": 0.12, "stroke": "#1d4ed8"},
                    },
                },
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
        return counts, {
            **spec("monday"),
            "mark": mark,
            "encoding": {
                **encoding,
                "x": {"field": "week", "type": "temporal", "title": None, "axis": DATE_AXIS},
                "size": {"field": "events", "type": "quantitative", "legend": None, "scale": {"range": [20, 400]}},
                "tooltip": [
                    {"field": "week", "type": "temporal", "title": "week of"},
                    {"field": "type", "type": "nominal"},
                    {"field": "events", "type": "quantitative"},
                ],
            },
        }
    lo, hi = focus_window(frame["start"])
    outside = int(((frame["start"] < lo) | (frame["start"] > hi)).sum())
    # Events on the same day and of the same type stack inside their row instead of hiding each other.
    group = frame.groupby(["start", "type"])
    slot, count = group.cumcount(), group["id"].transform("size")
    step = (22 / (count - 1).clip(lower=1)).clip(upper=8)
    frame = frame.assign(stack=((slot - (count - 1) / 2) * step).round(1))
    chart = {
        **spec("id"),
        "mark": {"type": "circle", "size": 120, "opacity": 0.85, "clip": True, "cursor": "pointer"},
        "encoding": {
            **encoding,
            "x": {
                "field": "start",
                "type": "temporal",
                "title": None,
                "scale": {"domain": [lo.isoformat(), hi.isoformat()]},
                "axis": DATE_AXIS,
            },
            "yOffset": {"field": "stack", "type": "quantitative", "scale": None},
            "tooltip": [
                {"field": "date", "type": "nominal"},
                {"field": "title", "type": "nominal"},
                {"field": "type", "type": "nominal"},
            ],
        },
    }
    if outside:
        chart["title"] = {
            "text": f"{outside} more outside this view: drag or scroll the timeline",
            "fontSize": 12,
            "fontWeight": "normal",
            "color": "#4b5563",
            "anchor": "start",
        }
    return frame, chart


# Dates as people write them: "31 Aug", a month's first day as "Sep 2025", a year's as "2025" (Vega's
# default mixes weekdays in: "Thu 31", "Fri 15", "Aug 31"). The same whether zoomed to days or years.
DATE_AXIS = {
    "labelExpr": (
        "date(datum.value) == 1 && month(datum.value) == 0 ? timeFormat(datum.value, '%Y')"
        " : date(datum.value) == 1 ? timeFormat(datum.value, '%b %Y') : timeFormat(datum.value, '%-d %b')"
    ),
    "labelOverlap": True,
}


def focus_window(starts: pd.Series, share: float = 2 / 3, min_days: int = 14) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The stretch of time the timeline opens on: the shortest one holding `share` of the events, at
    least `min_days` wide, so a story's busy days aren't squeezed to a few pixels by background events
    decades or months earlier. Everything else is a drag or scroll away (the chart says how many)."""
    ordered = starts.sort_values().reset_index(drop=True)
    need = max(1, math.ceil(len(ordered) * share))
    widths = ordered.iloc[need - 1 :].reset_index(drop=True) - ordered.iloc[: len(ordered) - need + 1]
    first = int(widths.idxmin())
    lo, hi = ordered[first], ordered[first + need - 1]
    widen = pd.Timedelta(days=min_days) - (hi - lo)
    if widen > pd.Timedelta(0):
        lo, hi = lo - widen / 2, hi + widen / 2
    pad = pd.Timedelta(days=1)
    return lo - pad, hi + pad
