"""The events table: one component of our own (plain HTML/JS frontend in `table_frontend/`, no build).

`st.dataframe` reports neither hovers nor clicks outside its checkbox. This table selects an event on a
click anywhere on its row (or Enter), shows actors and place by name, and shares hovers with the map
(a row lights up its dot and a dot lights up its row, through a BroadcastChannel both same-origin
frames join; see geo/assets/atlas-explorer.js). Cells are set with textContent: data stays data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from geo.web import payload

FRONTEND = Path(__file__).resolve().parent / "table_frontend"
TABLE_KEY = "atlas_event_table"
_component = components.declare_component("atlas_event_table", path=str(FRONTEND))


def table_rows(events, layers: Mapping[str, Any], limit: int) -> list[dict[str, str]]:
    """The first `limit` events as rows of names: actors by name, the place by name (a region's name,
    not its id); the id rides along for selection and hover, never shown."""
    actors = layers.get("actors")
    names = {row.id: str(row.name) for row in actors.itertuples()} if actors is not None and len(actors) else {}
    places = payload.place_names(layers)
    rows = []
    for row in events.iloc[:limit].itertuples():
        rows.append(
            {
                "id": str(row.id),
                "date": str(row.date),
                "title": str(row.title),
                "type": str(getattr(row, "type", "")),
                "actors": ", ".join(names.get(a, str(a)) for a in (getattr(row, "actors", None) or [])),
                "place": payload.place_label(row, places),
            }
        )
    return rows


def on_table_click() -> None:
    """A click on a row (reported with a sequence number, so a repeated click on the same row counts)."""
    value = st.session_state.get(TABLE_KEY) or {}
    seq = value.get("seq") if isinstance(value, dict) else None
    if seq and seq != st.session_state.get("table_click_seq"):
        st.session_state.table_click_seq = seq
        st.session_state.event = str(value.get("id", ""))


def event_table(rows: list[dict[str, str]], selected: str = "", max_height: int = 320):
    """Draw the table (height follows its rows up to `max_height`, then it scrolls)."""
    return _component(
        rows=rows,
        selected=selected or "",
        max_height=int(max_height),
        key=TABLE_KEY,
        default=None,
        on_change=on_table_click,
    )
