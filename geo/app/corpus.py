"""The corpus store in the app (`GEO_STORE`): its mentions for the current view and dates, merged into the
mentions layer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.layers import filters as view_filters


def store_configured() -> bool:
    """The corpus store is shown only when `GEO_STORE` names one (GeoPackage path or PostGIS URL)."""
    import os

    return bool(os.environ.get("GEO_STORE", "").strip())


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def corpus_mentions(bbox, date_from, date_to):
    """Ingested corpus mentions in the viewport and date range; the query runs in the store (bbox and
    dates in SQL on PostGIS, with its spatial index)."""
    from geo.corpus import store

    dates = (date_from, date_to) if date_from or date_to else None
    return store.mentions_layer(bbox=bbox, date_range=dates)


def with_corpus(filtered: dict, filters: view_filters.Filters) -> tuple[dict, str]:
    """`filtered` with the store's mentions appended to the mentions layer; and a status line."""
    if not store_configured() or "mentions" not in filters.layers:
        return filtered, ""
    from geo.app.state import MAP_KEY  # the map's widget: its bounds are the viewport

    bbox = view_filters.viewport_bbox(st.session_state.get(MAP_KEY))
    try:
        corpus = corpus_mentions(bbox, filters.date_from, filters.date_to)
    except Exception as exc:  # an unreachable store must not take the atlas down
        return filtered, f"Corpus store unavailable: {exc}"
    if not len(corpus):
        return filtered, "Corpus store: no mentions in this view."
    mentions = filtered.get("mentions")
    columns = list(mentions.columns) if mentions is not None else list(corpus.columns)
    merged = (
        pd.concat([mentions, corpus[[c for c in columns if c in corpus.columns]]], ignore_index=True)
        if mentions is not None and len(mentions)
        else corpus
    )
    return {**filtered, "mentions": merged}, f"Corpus store: {len(corpus)} mentions in this view."
