"""Baseline for `python -m geo bench render`: the folium + st_folium app most people write first.

One folium object per event, the whole map rebuilt and handed to st_folium (default settings) on every
rerun. Same dataset as the atlas (GEO_DATA_DIR, via geo.load_layers). The only changes from the
textbook version keep it offline and fair: Leaflet is the vendored copy inlined as a data: URI
(folium's defaults are CDN links), and markers carry a Tooltip instead of a Popup (folium's Popup
needs jQuery from a CDN). No basemap, so it draws less than the atlas does.

    GEO_DATA_DIR=/path/to/synthetic streamlit run tools/naive_app.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` puts tools/ first

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import layers as layer_stage
from geo.web import assets

st.set_page_config(page_title="Naive folium map", layout="wide")


@st.cache_data
def load_events() -> pd.DataFrame:
    events = layer_stage.load_layers()["events"]
    return pd.DataFrame(
        {
            "title": events["title"],
            "date": events["date"],
            "place": events["place"],
            "type": events["type"],
            "lat": events.geometry.y,
            "lon": events.geometry.x,
        }
    )


events = load_events()
types = st.sidebar.multiselect("Event type", sorted(events["type"].unique()))
shown = events[events["type"].isin(types)] if types else events
st.caption(f"{len(shown)} of {len(events)} events shown")

js, css = assets.inline_asset_links()
fmap = folium.Map(location=[20, 10], zoom_start=2, tiles=None)
fmap.default_js = [js[0]]  # vendored Leaflet only: no jQuery, Bootstrap or CDN
fmap.default_css = [css[0]]
for row in shown.itertuples():
    folium.CircleMarker(
        [row.lat, row.lon],
        radius=6,
        color="#0072b2",
        fill=True,
        fill_opacity=0.8,
        weight=1,
        tooltip=f"{row.title} — {row.date} — {row.place} ({row.type})",
    ).add_to(fmap)
st_folium(fmap, width=1000, height=620)
