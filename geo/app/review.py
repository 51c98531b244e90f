"""Streamlit glue for reviewing an added article's drafted events and for who may write.

Read-only by default: a session becomes an editor with the operator's secret (`geo.access`). Every
handler that writes (accept, undo, new event from a selection, edits of the drafts) calls
`access.require_editor(st.session_state)` first, so a viewer that sends an editor's widget messages
by hand still cannot write; the buttons are also shown disabled to viewers. The pure logic lives in
`geo.drafting.review`; rows are written by `geo.dataset.accept.accept_text` (atomic, validated).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pandas as pd
import streamlit as st

from geo import access
from geo.drafting import review as review_logic
from geo.drafting.vocabulary import TYPES
from geo.web.escape import escape_markdown as md_escape

DRAFTS = "review_drafts"  # list of drafts (drafted, then those made from selections)
ROWS = "review_rows"  # the review table's rows, same order (the source of truth)
PLACES = "review_places"  # draft index -> place picked from the candidates or on the map
MESSAGE = "review_message"
DECISION_CHOICES = ("pending", "accept", "reject", "accepted")
PICK = "map_pick"  # a place clicked on the map: {"lat", "lon"}
PICKING = "map_picking"  # what a map click is for: ("draft", index) or ("mention", text)
MAP_CLICK = "(click the map)"


def editor() -> bool:
    """Whether this session may write (checked on the server, per session)."""
    return access.is_editor(st.session_state)


def author() -> str:
    """This browser's author label for acceptances (undo removes only one's own): a per-session id,
    kept in a cookie so that a reload is the same author (an editor could forge another editor's
    label; editors are trusted, and viewers cannot undo at all)."""
    if "review_author" not in st.session_state:
        from geo.app.article_text import AUTHOR_COOKIE

        try:
            remembered = str(st.context.cookies.get(AUTHOR_COOKIE) or "")
        except Exception:  # no browser context (AppTest)
            remembered = ""
        ok = re.fullmatch(r"app-[0-9a-f]{10}", remembered)
        st.session_state.review_author = remembered if ok else "app-" + uuid.uuid4().hex[:10]
    return st.session_state.review_author


def say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def show_message() -> None:
    """The last write action's outcome (every action ends with a visible message)."""
    kind, text = st.session_state.pop(MESSAGE, None) or (None, None)
    if kind:
        getattr(st, kind)(text)


# ------------------------------------------------------------------ who may write


def on_unlock() -> None:
    secret = str(st.session_state.get("w_editor_secret") or "")
    st.session_state.w_editor_secret = ""
    key = getattr(st.runtime.scriptrunner.get_script_run_ctx(), "session_id", "session")
    ok, message = access.unlock(st.session_state, key, secret)
    st.session_state.editor_message = ("success" if ok else "error", message)


def on_lock() -> None:
    st.session_state.pop(access.STATE_KEY, None)
    st.session_state.editor_message = ("info", "Editing locked: this session is read-only again.")


def editor_controls() -> None:
    """Sidebar: unlock editing with the secret, or how to enable it, or that it is unlocked."""
    kind, text = st.session_state.pop("editor_message", None) or (None, None)
    st.markdown("**Editing**")
    if not access.configured():
        st.caption(access.HOW_TO_ENABLE)
    elif editor():
        from geo.app.article_text import remember_author

        st.caption("Editing unlocked for this session.")
        remember_author(author())
        st.button("Lock editing", on_click=on_lock, width="stretch")
    else:
        st.text_input(
            "Editor secret",
            type="password",
            key="w_editor_secret",
            help="Accepting events, undo and place reviews need the editor secret.",
        )
        st.button("Unlock editing", on_click=on_unlock, width="stretch")
    if access.configured():
        st.button(
            "Undo my last acceptance",
            disabled=not editor(),
            key="b_undo",
            on_click=on_undo,
            width="stretch",
            help="Removes the events you accepted last (yours only), with their citations",
        )
    if kind:
        getattr(st, kind)(text)
    if not st.session_state.get("added"):
        show_message()  # an undo's outcome when no article is open


# ------------------------------------------------------------------ drafting


@st.cache_data(show_spinner="Drafting events…", max_entries=8)
def _drafted(text: str, published: str, data_signature: str) -> list[dict]:
    from geo.drafting.drafter import draft

    return draft(text, dt.date.fromisoformat(published))


def start_review(text: str, published: dt.date, data_signature: str) -> None:
    """Draft the added article's events into session state (pending, nothing written)."""
    try:
        drafts = _drafted(text, published.isoformat(), data_signature)
    except ValueError as exc:  # DraftingError: e.g. a non-English article
        drafts = []
        say("warning", md_escape(str(exc)))
    st.session_state[DRAFTS] = [dict(d) for d in drafts]
    st.session_state[ROWS] = review_logic.review_rows(drafts, text)
    st.session_state[PLACES] = {}
    load_form(0)


FORM_FIELDS = ("decision", "date", "end_date", "title", "type", "actors", "summary")


def load_form(index: int | None = None) -> None:
    """Put draft `index`'s row (default: the chosen one) into the edit form's widgets."""
    rows = st.session_state.get(ROWS) or []
    index = st.session_state.get("w_draft", 0) if index is None else index
    if not rows or not 0 <= index < len(rows):
        return
    st.session_state.w_draft = index
    row = rows[index]
    for name in FORM_FIELDS:
        st.session_state[f"w_d_{name}"] = str(row.get(name) or ("pending" if name == "decision" else ""))
    if st.session_state["w_d_decision"] not in DECISION_CHOICES:
        st.session_state["w_d_decision"] = "pending"
    st.session_state.w_d_place = row.get("place") or ""


def on_table_pick() -> None:
    picked = ((st.session_state.get("drafts_table") or {}).get("selection") or {}).get("rows") or []
    if picked:
        load_form(int(picked[0]))


def on_save_form() -> None:
    """Apply the edit form to its draft's row (editors only)."""
    try:
        access.require_editor(st.session_state)
    except PermissionError:
        say("error", "Editing is locked: this session is read-only. Unlock editing to change drafts.")
        return
    rows = st.session_state.get(ROWS) or []
    index = int(st.session_state.get("w_draft") or 0)
    if not 0 <= index < len(rows):
        return
    row = rows[index]
    for name in FORM_FIELDS:
        row[name] = str(st.session_state.get(f"w_d_{name}") or "").strip()
    place = str(st.session_state.get("w_d_place") or "").strip()
    candidates = (st.session_state.get(DRAFTS) or [])[index].get("place_candidates") or []
    if place == MAP_CLICK:
        st.session_state[PICKING] = ("draft", index)
        say("info", f"Draft {index + 1} saved; now click the map where it took place.")
        return
    if place != row.get("place"):
        match = next((c for c in candidates if c.get("name") == place), None)
        places = st.session_state.setdefault(PLACES, {})
        if match:
            places[index] = match
        else:
            places.pop(index, None)
        row["place"] = place
    problems = review_logic.check_row({**row, "decision": "accept"}, index + 1)
    say(
        "warning" if problems else "success",
        f"Draft {index + 1} saved ({row['decision']})."
        + (" To accept it: " + md_escape("; ".join(problems)) if problems else ""),
    )


def on_new_from_selection(text: str, published: dt.date) -> None:
    from geo.app import article_text

    try:
        access.require_editor(st.session_state)
    except PermissionError:
        say("error", "Editing is locked: this session is read-only. Unlock editing to add events.")
        return
    sel = article_text.current_selection()
    if not sel:
        say("warning", "Select a passage in the article text first.")
        return
    try:
        draft = review_logic.draft_from_selection(
            text, int(sel["start"]), int(sel["end"]), published, drafts=st.session_state.get(DRAFTS) or []
        )
    except ValueError as exc:
        say("error", md_escape(str(exc)))
        return
    st.session_state.setdefault(DRAFTS, []).append(draft)
    row = review_logic.review_rows([draft], text)[0]
    row["decision"] = "accept"
    st.session_state.setdefault(ROWS, []).append(row)
    load_form(len(st.session_state[ROWS]) - 1)
    say(
        "success",
        f"Draft {len(st.session_state[ROWS])} made from the selection "
        f"(characters {draft['start']}–{draft['end']}); edit it and accept.",
    )


def on_map_change() -> None:
    """st_folium's change callback: the atlas's own handling, then a click on the map kept as `map_pick`
    while a draft's place or a place correction waits for one (st_folium reports `last_clicked` only then)."""
    from geo.app import state as appstate

    appstate.on_map_change()
    clicked = (
        (st.session_state.get(appstate.MAP_KEY) or {}).get("last_clicked") if st.session_state.get(PICKING) else None
    )
    if isinstance(clicked, dict) and clicked.get("lat") is not None and clicked.get("lng") is not None:
        st.session_state[PICK] = {"lat": float(clicked["lat"]), "lon": float(clicked["lng"])}


def take_map_pick() -> None:
    """Apply a map click to whatever is waiting for one (a draft's place); called each run."""
    target = st.session_state.get(PICKING)
    if not target or target[0] != "draft" or PICK not in st.session_state:
        return  # a click for a place correction is taken by geo.app.articles
    pick = st.session_state.pop(PICK)
    if not editor():
        return
    index = target[1]
    lat, lon = round(float(pick["lat"]), 4), round(float(pick["lon"]), 4)
    rows = st.session_state.get(ROWS) or []
    if 0 <= index < len(rows):
        name = rows[index].get("place") or f"{lat}, {lon}"
        st.session_state[PLACES][index] = {"name": name, "lat": lat, "lon": lon, "precision": "exact"}
        rows[index]["place"] = name
        st.session_state.pop(PICKING, None)
        say("success", f"Draft {index + 1}: placed at {lat}, {lon} (picked on the map).")


# ------------------------------------------------------------------ writing


def _rebuild() -> None:
    from geo import config
    from geo import layers as layer_stage

    layer_stage.build(config.data_dir())


def on_accept(text: str, name: str, published: dt.date) -> None:
    """Write the drafts marked "accept" (editors only): atomic, validated, then rebuilt."""
    from geo.dataset import accept

    try:
        access.require_editor(st.session_state)
    except PermissionError:
        say("error", "Editing is locked: this session is read-only. Nothing was written.")
        return
    drafts, problems = review_logic.to_drafts(
        st.session_state.get(DRAFTS) or [], st.session_state.get(ROWS) or [], st.session_state.get(PLACES) or {}
    )
    if problems:
        say("error", "Nothing was written. " + md_escape("; ".join(problems)))
        return
    if not drafts:
        say("warning", 'No draft is marked "accept": set a draft\'s decision to accept first.')
        return
    try:
        result = accept.accept_text(
            drafts, text, author(), title=name, published=published.isoformat(), label="the review table"
        )
    except accept.AcceptError as exc:
        say("error", "Nothing was written: " + md_escape(str(exc)))
        return
    if not result.ok:
        say("error", "Refused, nothing was written: " + md_escape("; ".join(result.errors[:5])))
        return
    _rebuild()
    for row in st.session_state[ROWS]:
        if row.get("decision") == "accept":
            row["decision"] = "accepted"
    load_form()
    st.session_state.accepted_ids = list(result.event_ids)
    st.session_state.widen_dates = True
    say(
        "success",
        f"Accepted {len(result.event_ids)} event(s): "
        + md_escape(", ".join(result.event_ids))
        + ". They are on the map now.",
    )


def on_undo() -> None:
    from geo.dataset import writer

    try:
        access.require_editor(st.session_state)
    except PermissionError:
        say("error", "Editing is locked: this session is read-only. Nothing was undone.")
        return
    result = writer.undo_last(None, author())
    if not result.ok:
        say(
            "warning" if not result.errors else "error",
            md_escape(result.message if not result.errors else "; ".join(result.errors[:5])),
        )
        return
    _rebuild()
    st.session_state.widen_dates = True
    say("success", "Undone: removed " + md_escape(", ".join(result.event_ids) or "nothing") + ".")


def show_new_events(span, window=None) -> None:
    """After an acceptance or an undo, show all dates again (the dataset's span changed: accepted events
    may lie beyond the old range, and an undo can shrink it under the date widgets' values). Call
    after `dates.seed`, before the filters are read."""
    from geo.app import dates
    from geo.layers import filters as view_filters

    if not span or not span[0] < span[1]:
        return
    state = st.session_state
    window = window or span
    stale = any(
        isinstance(state.get(k), dt.date) and not span[0] <= state[k] <= span[1] for k in (dates.FROM, dates.TO)
    )
    slider = state.get(dates.SLIDER)
    stale = stale or (
        isinstance(slider, (tuple, list))
        and len(slider) == 2
        and not (window[0] <= slider[0] and slider[1] <= window[1])
    )
    if state.pop("widen_dates", False) or stale:
        dates.seed(state, view_filters.Filters(), span, window)


# ------------------------------------------------------------------ the panel


def render(text: str, name: str, published: dt.date) -> None:
    """The drafts' review beside the article text."""
    from geo.app import article_text

    take_map_pick()
    drafts = st.session_state.get(DRAFTS) or []
    rows = st.session_state.get(ROWS) or []
    can = editor()
    st.subheader("Drafted events (" + md_escape(name) + ")")
    if not access.configured():
        st.info(access.HOW_TO_ENABLE)
    elif not can:
        st.info("Read-only: you can read the drafts; unlock editing in the sidebar to accept, edit and undo.")
    show_message()
    text_col, table_col = st.columns([2, 3], gap="medium")
    with text_col:
        st.caption(
            "The article; highlighted passages are the drafts' (numbers on hover). "
            "Select a passage to make a new event from it."
        )
        article_text.article_text(text, review_logic.highlights(text, drafts, rows))
        sel = article_text.current_selection()
        if sel:
            st.caption("Selected: “" + md_escape(str(sel.get("text", ""))[:120]) + "”")
        st.button(
            "New event from the selection",
            disabled=not can,
            key="b_new_from_selection",
            on_click=on_new_from_selection,
            args=(text, published),
        )
    with table_col:
        if not rows:
            st.info("No events found in this article. Select a passage to make one by hand.")
        else:
            frame = pd.DataFrame(rows, columns=list(review_logic.COLUMNS))
            frame.insert(0, "#", range(1, len(frame) + 1))
            st.dataframe(
                frame,
                key="drafts_table",
                hide_index=True,
                width="stretch",
                on_select=on_table_pick,
                selection_mode="single-row",
                height=min(38 + 35 * len(frame), 320),
            )
            _edit_form(drafts, rows, can)
        st.button(
            "Write the accepted drafts to the dataset",
            type="primary",
            disabled=not can,
            key="b_accept",
            on_click=on_accept,
            args=(text, name, published),
            width="stretch",
        )


def _edit_form(drafts: list[dict], rows: list[dict], can: bool) -> None:
    """Edit one draft: decision, date, title, type, place (candidates or a map click), actors, summary."""
    if "w_d_decision" not in st.session_state:
        load_form(0)
    index = int(st.session_state.get("w_draft") or 0)
    index = index if 0 <= index < len(rows) else 0
    st.selectbox(
        "Draft",
        list(range(len(rows))),
        key="w_draft",
        on_change=load_form,
        format_func=lambda i: f"{i + 1} · {rows[i]['title']}",
    )
    d = drafts[index] if index < len(drafts) else {}
    names = [c["name"] for c in d.get("place_candidates") or [] if c.get("name")]
    places = list(dict.fromkeys([rows[index].get("place") or ""] + names + [MAP_CLICK]))
    if st.session_state.get("w_d_place") not in places:
        st.session_state.w_d_place = places[0]
    with st.form("draft_form", border=True):
        done = st.session_state.get("w_d_decision") == "accepted"  # written: undo, not a new decision
        st.radio(
            "Decision",
            DECISION_CHOICES if done else DECISION_CHOICES[:3],
            key="w_d_decision",
            horizontal=True,
            disabled=(not can) or done,
        )
        c1, c2, c3 = st.columns(3)
        c1.text_input("Date", key="w_d_date", disabled=not can, help="YYYY-MM-DD, YYYY-MM or YYYY")
        c2.text_input("End date", key="w_d_end_date", disabled=not can)
        c3.selectbox("Type", list(TYPES), key="w_d_type", disabled=not can)
        st.text_input("Title", key="w_d_title", disabled=not can)
        p1, p2 = st.columns(2)
        p1.selectbox(
            "Place (a candidate, or click the map)",
            places,
            key="w_d_place",
            disabled=not can,
            format_func=lambda p: p or "(none)",
        )
        p2.text_input("Actors (separated by ;)", key="w_d_actors", disabled=not can)
        st.text_area("Summary (empty: built from the fields)", key="w_d_summary", height=68, disabled=not can)
        st.form_submit_button(f"Save draft {index + 1}", key="b_save_draft", on_click=on_save_form, disabled=not can)
