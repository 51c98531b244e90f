"""The date filter: "All dates", a slider over the busy period, exact date inputs, and the timeline's brush.

The dates picked are `w_date_from`/`w_date_to` (date inputs over the whole span); the slider covers the
busy period only (a pixel is a day or so there, not 100 days), so a 10-day window can be picked with
the mouse; a drag on the timeline (its brush) sets the range too. Every control keeps the others in step
through callbacks (they run before the script, so the widgets are drawn with the new values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo.web import timeline

ALL = "w_all_dates"
FROM, TO, SLIDER = "w_date_from", "w_date_to", "w_dates"
BRUSH = timeline.TIMELINE_BRUSH


def busy_window(events, span) -> tuple[dt.date, dt.date] | None:
    """The stretch the slider covers: the shortest holding most events (timeline.focus_window), at least
    a month, inside the dataset's span; None without dated events."""
    if not span or span[0] >= span[1]:
        return None
    starts = pd.to_datetime(events.get("date_start", events["date"]).astype(str).str[:10], errors="coerce").dropna()
    if not len(starts):
        return span
    lo, hi = timeline.focus_window(starts, share=0.8, min_days=30)
    lo, hi = max(span[0], lo.date()), min(span[1], hi.date())
    return (lo, hi) if lo < hi else span


def _clamp(day: dt.date, window) -> dt.date:
    return min(max(day, window[0]), window[1])


def seed(state, filters, span, window) -> None:
    """First run: the widgets from the URL's `from`/`to` (none: all dates)."""
    if not span or span[0] >= span[1]:
        return
    start = _clamp(filters.date_from or span[0], span)
    end = _clamp(filters.date_to or span[1], span)
    end = max(start, end)
    state[ALL] = not (filters.date_from or filters.date_to)
    state[FROM], state[TO] = start, end
    window = window or span
    state[SLIDER] = (_clamp(start, window), _clamp(max(start, end), window)) if not state[ALL] else window


def picked(state, span) -> tuple[dt.date | None, dt.date | None]:
    """(from, to) for the filters; (None, None) for all dates. An end at the span's edge is open."""
    if not span or state.get(ALL, True):
        return None, None
    start, end = state.get(FROM), state.get(TO)
    if start is None or end is None:
        dates = state.get(SLIDER)
        if not dates:
            return None, None
        start, end = dates
    if end < start:
        start, end = end, start
    return (start if start > span[0] else None), (end if end < span[1] else None)


def set_range(state, start: dt.date, end: dt.date, span, window) -> None:
    """Pick `start`–`end` in every control (callbacks and the timeline's brush)."""
    start, end = _clamp(start, span), _clamp(end, span)
    if end < start:
        start, end = end, start
    state[ALL] = False
    state[FROM], state[TO] = start, end
    window = window or span
    lo, hi = _clamp(start, window), _clamp(end, window)
    state[SLIDER] = (lo, hi)


def _on_slider(span, window) -> None:
    lo, hi = st.session_state[SLIDER]
    set_range(st.session_state, lo, hi, span, window)


def _on_input(span, window) -> None:
    start, end = st.session_state.get(FROM) or span[0], st.session_state.get(TO) or span[1]
    set_range(st.session_state, start, end, span, window)


def _on_all(span, window) -> None:
    if st.session_state.get(ALL):
        st.session_state[FROM], st.session_state[TO] = span
        st.session_state[SLIDER] = window or span


def render(span, window) -> None:
    """The sidebar's date controls (drawn only when the dataset spans more than a day)."""
    if not span or span[0] >= span[1]:
        return
    window = window or span
    st.checkbox(
        "All dates",
        key=ALL,
        on_change=_on_all,
        args=(span, window),
        help="Untick, move the slider, type dates, or drag across the timeline to pick a range",
    )
    st.slider(
        "Dates (busy period)",
        min_value=window[0],
        max_value=window[1],
        key=SLIDER,
        format="YYYY-MM-DD",
        on_change=_on_slider,
        args=(span, window),
        help=f"The slider covers {window[0]} to {window[1]}, where most events are; "
        "type dates below for the whole span",
    )
    st.date_input(
        "From",
        key=FROM,
        min_value=span[0],
        max_value=span[1],
        format="YYYY-MM-DD",
        on_change=_on_input,
        args=(span, window),
    )
    st.date_input(
        "To",
        key=TO,
        min_value=span[0],
        max_value=span[1],
        format="YYYY-MM-DD",
        on_change=_on_input,
        args=(span, window),
    )


def brush_range(selection: Any) -> tuple[dt.date, dt.date] | None:
    """The dates a drag on the timeline covers (Vega-Lite interval: {field: [start, end]}, epoch ms or
    ISO text); None when the brush is empty."""
    if not isinstance(selection, dict):
        return None
    for values in selection.values():
        if isinstance(values, (list, tuple)) and len(values) == 2:
            try:
                days = [
                    pd.to_datetime(v, unit="ms", utc=True)
                    if isinstance(v, (int, float))
                    else pd.to_datetime(str(v), utc=True)
                    for v in values
                ]
            except (ValueError, TypeError, OverflowError):
                return None
            lo, hi = sorted(d.date() for d in days)
            return lo, hi
    return None


def on_brush(state, span, window) -> bool:
    """A drag on the timeline: the range it covers becomes the date filter. True when it did."""
    selection = (state.get(timeline_key()) or {}).get("selection", {}).get(BRUSH)
    picked_range = brush_range(selection)
    if not picked_range or not span:
        return False
    set_range(state, picked_range[0], picked_range[1], span, window)
    return True


def timeline_key() -> str:
    from geo.app.state import TIMELINE_KEY

    return TIMELINE_KEY


@st.cache_data(show_spinner=False, max_entries=4)
def _busy(signature: str, _layers: Mapping[str, Any], span):
    return busy_window(_layers["events"], span)


def cached_busy_window(signature: str, layers: Mapping[str, Any], span):
    """The date slider's range: the busy period of the dataset (per dataset signature)."""
    return _busy(signature, layers, span) if span else None
