"""The details panel, the events table and the downloads of what the filters show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo.app.state import actor_labels
from geo.web.escape import escape_markdown as md_escape

# At scale the table and timeline would dominate what each rerun sends (20k rows of Arrow ≈ 2 MB,
# 20k chart points ≈ 3 MB): the table lists the first TABLE_ROWS matches (filters narrow it down) and
# the timeline counts events per week and type.
TABLE_ROWS = 100


def download_shown_events(events) -> None:
    """CSV and GeoJSON of the events the filters show, each row with its sources (article file and
    character span), so a download stays traceable. The files are made when a button is pressed
    (deferred data), not on every rerun."""
    from geo import layers as layer_stage

    shown = f"The {len(events)} events the filters show, with their sources"
    csv_col, json_col = st.columns(2)
    csv_col.download_button(
        "Download CSV",
        key="download_csv",
        help=shown,
        icon=":material/download:",
        width="stretch",
        data=lambda: layer_stage.events_csv_text(events).encode("utf-8"),
        file_name="atlas-events.csv",
        mime="text/csv",
        on_click="ignore",
        disabled=not len(events),
    )
    json_col.download_button(
        "Download GeoJSON",
        key="download_geojson",
        help=shown,
        icon=":material/download:",
        width="stretch",
        data=lambda: layer_stage.geojson_text({"events": events}, ["events"]).encode("utf-8"),
        file_name="atlas-events.geojson",
        mime="application/geo+json",
        on_click="ignore",
        disabled=not len(events),
    )


def place_label(layers: Mapping[str, Any], event) -> str:
    """An event's place for people: a region's name rather than its id (`kursk-oblast`)."""
    regions = layers.get("regions")
    region_id = str(event.get("region_id", "") or event.get("place", ""))
    if regions is not None and len(regions) and region_id in set(regions["id"]):
        return str(regions.loc[regions["id"] == region_id, "name"].iloc[0])
    return str(event.get("place", ""))


def figure_rows(figures) -> list[dict[str, str]]:
    """The Figures table for people: the figure, who claims it, the article's title and the quoted
    passage (never the raw source reference with its hashed file name)."""
    from geo.articles import sources

    rows = []
    for f in figures:
        value = " ".join(str(f.get(k, "") or "") for k in ("qualifier", "value", "unit")).strip()
        ref = f.get("source") if isinstance(f.get("source"), dict) else {}
        article = ""
        if ref.get("file"):
            try:
                art = sources.load_manifest().get(ref["file"])
            except Exception:  # a broken manifest is reported by validation
                art = None
            article = art.title if art is not None and art.title else "an article without a title"
            if art is not None and art.date:
                article += f" ({art.date})"
        elif ref.get("citation"):
            article = str(ref["citation"])
        passage = (sources.passage_for(ref) if ref else None) or str(ref.get("evidence", "") or "")
        rows.append(
            {
                "figure": str(f.get("name", "")),
                "value": value,
                "claimed by": str(f.get("claimed_by", "") or ""),
                "article": article,
                "passage": "“" + passage + "”" if passage else "",
            }
        )
    return rows


def render_details(ui, layers: Mapping[str, Any], event_id: str) -> None:
    """Detail panel. All text goes through Streamlit's text elements (no HTML), so data stays data."""
    from geo.articles import sources

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
        # Plain text elements: the figure, who claims it, the article's title and the quoted passage.
        for fig in figure_rows(figures):
            claim = f" — claimed by {fig['claimed by']}" if fig["claimed by"] else ""
            ui.text(f"{fig['figure']}: {fig['value']}{claim}")
            if fig["article"] or fig["passage"]:
                ui.caption(
                    md_escape(
                        " ".join(
                            part for part in (fig["article"] + ":" if fig["article"] else "", fig["passage"]) if part
                        )
                    )
                )
    render_claims(ui, row.get("claims"))
    refs = list(row.get("sources") or [])
    if refs:
        ui.markdown("**Sources**")
    for ref in refs:
        ui.caption(md_escape(sources.describe(ref)))
        passage = sources.passage_for(ref)
        if passage:
            ui.text("“" + passage + "”")


def render_claims(ui, conflicts) -> None:
    """A disputed event's conflicting claims side by side, each with its source and passage (the
    layer's `claims` column: geo.dataset.claims.disputed at build). Plain text elements only."""
    from geo.articles import sources

    conflicts = [c for c in (conflicts if isinstance(conflicts, (list, tuple)) else []) if isinstance(c, Mapping)]
    if not conflicts:
        return
    ui.markdown("**Disputed** · the sources disagree")
    for conflict in conflicts:
        field = str(conflict.get("field", "")).replace("figure:", "figure: ")
        ui.caption(md_escape(field))
        for col, side in zip(ui.columns(2), ("a", "b"), strict=True):
            col.text(str(conflict.get(side, "")))
            ref = conflict.get(f"{side}_source")
            if isinstance(ref, Mapping) and ref:
                col.caption(md_escape(sources.describe(ref)))
                passage = sources.passage_for(ref)
                if passage:
                    col.text("“" + passage + "”")
