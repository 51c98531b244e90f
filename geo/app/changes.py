"""Streamlit glue for "what changed since" (`since=` in the URL, the "Changes since" selector, the
"What's new" panel) and the playback frame in the URL (`t=`, `window=`: written by the map itself,
geo/assets/atlas-time.js, and kept here when the app rewrites its address).

The comparison is `geo.web.changes.since_changes` (a `geo diff` of the chosen version against the
dataset as built now); this module only reads widgets and draws the panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo.web.escape import escape_markdown as md_escape

KEEP_PARAMS = ("t", "window")  # owned by the map (playback): passed through unchanged
SHOWN = 12  # items per group in the panel before "… and N more"


def seed(params: Mapping[str, Any]) -> None:
    """First run of a session: the selector starts from `since=` in the URL."""
    st.session_state.w_since = url_spec(params)


def since_value() -> str:
    return str(st.session_state.get("w_since", "") or "").strip()


def url_params(params: Mapping[str, Any]) -> dict[str, str]:
    """What this module adds to the address: `since=` and the map's own `t=`/`window=`."""
    out = {k: str(params.get(k)) for k in KEEP_PARAMS if params.get(k)}
    if since_value():
        out["since"] = since_value()
    return out


@st.cache_data(show_spinner=False, max_entries=16, ttl=600)
def _changes(spec: str, signature: str) -> dict:
    from geo.web import changes

    try:
        return changes.since_changes(spec, signature=signature)
    except changes.SinceError as exc:
        return {"error": str(exc)}


def from_url(signature: str) -> dict | None:
    """The changes for `since=` in the URL as it stands (presenter and notes modes, which have no
    selector): {"result", "marks", "version"}, {"error"}, or None without `since=`."""
    return for_spec(url_spec(st.query_params), signature)


def url_spec(params) -> str:
    """`since=` of a URL's query parameters, trimmed ("" without one)."""
    return str(params.get("since", "") or "").strip()[:80]


def for_spec(spec: str, signature: str) -> dict | None:
    """The changes since `spec` (a version id, prefix or date), cached per dataset; None for ""."""
    return _changes(spec, signature) if spec else None


def current(signature: str) -> dict | None:
    """The changes for the selected version ({"result", "marks", "version"} or {"error"}), or None."""
    spec = since_value()
    return _changes(spec, signature) if spec else None


@st.cache_data(show_spinner=False, ttl=30)
def _version_options() -> list[tuple[str, str]]:
    from geo.layers import versions

    try:
        items = versions.list_versions()
    except Exception:  # an unreadable history must not take the sidebar down
        return []
    out = []
    for rec in items[:50]:
        counts = rec.get("counts", {})
        out.append(
            (
                rec["id"],
                f"{rec['id'][:8]} · {max(rec['times'])[:16].replace('T', ' ')} · {counts.get('events', 0)} events",
            )
        )
    return out


def selector() -> None:
    """The sidebar's "Changes since" selector (a version; a date or id from the URL is kept as given)."""
    options = dict([("", "— none —")] + _version_options())
    chosen = since_value()
    if chosen and chosen not in options:
        options[chosen] = chosen
    st.selectbox(
        "Changes since",
        options=list(options),
        format_func=options.get,
        key="w_since",
        help="Badge the events new or changed since a build; removed ones appear as ghosts",
    )


def _select(event_id: str) -> None:
    st.session_state.event = event_id


def panel(changes: dict | None, layers: Mapping[str, Any]) -> None:
    """The "What's new" panel: new, changed and removed events; a click selects an event."""
    if not changes:
        return
    if "error" in changes:
        st.warning("Changes since: " + md_escape(changes["error"]))
        return
    marks = changes["marks"]
    events = layers.get("events")
    titles = dict(zip(events["id"], events["title"], strict=True)) if events is not None and len(events) else {}
    total = len(marks["added"]) + len(marks["changed"]) + len(marks["removed"])
    with st.expander(f"What's new since {marks['label']} ({total})", expanded=True):
        if not total:
            st.caption("No event changed since this version.")
        groups = (("New", [(i, "") for i in marks["added"]], "＋"), ("Changed", list(marks["changed"].items()), "◆"))
        for heading, items, sign in groups:
            if not items:
                continue
            st.caption(f"{heading} ({len(items)})")
            for event_id, fields in items[:SHOWN]:
                label = f"{sign} {titles.get(event_id, event_id)}"
                if fields:
                    label += " — " + ", ".join(f.replace("_", " ") for f in fields)
                st.button(
                    label,
                    key=f"whatsnew_{heading}_{event_id}",
                    on_click=_select,
                    args=(event_id,),
                    width="stretch",
                    disabled=event_id not in titles,
                )
            if len(items) > SHOWN:
                st.caption(f"… and {len(items) - SHOWN} more")
        if marks["removed"]:
            st.caption(f"Removed ({len(marks['removed'])}) — grey ghosts on the map")
            for item in marks["removed"][:SHOWN]:
                st.text(f"− {item['title'] or item['id']}" + (f" ({item['date']})" if item["date"] else ""))
