"""Adding an article in the app: find its places, show them as a session layer, review them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo.web.escape import escape_markdown as md_escape

PASTE_LIMIT_CHARS = 200_000


@st.cache_data(show_spinner="Finding places…", max_entries=16)
def _analyse(name: str, text: str, reviews_signature: str) -> tuple[list[dict], list[dict]]:
    from geo.dataset import reviews
    from geo.layers import added

    return added.added_mentions(name, text, reviews.read_reviews(reviews.reviews_path()))


def _reviews_signature() -> str:
    from geo.dataset import reviews

    path = reviews.reviews_path()
    return f"{path.stat().st_mtime_ns}:{path.stat().st_size}" if path.is_file() else "none"


def analyse_added_article(name: str, text: str) -> None:
    """Geoparse a pasted or uploaded article into session state (shown as its own map layer)."""
    st.session_state.added = {"name": name, "text": text}
    st.session_state.added_fit = True  # the next map frames the article's places


def published_date() -> dt.date:
    """The added article's publication date (see `choose_published`; today before any article)."""
    value = (st.session_state.get("added") or {}).get("published")
    return value if isinstance(value, dt.date) else dt.date.today()


def choose_published(text: str) -> tuple[dt.date, str]:
    """The date relative dates count from: the one typed, else the article's dateline, else today."""
    from geo.drafting.inputs import DraftingError, publication_date

    typed = st.session_state.get("w_published")
    if isinstance(typed, dt.date):
        return typed, "the date typed"
    try:
        return publication_date(text)[0], "the article's dateline"
    except DraftingError:
        return dt.date.today(), "today (no date typed, no dateline)"


def upload_limit_bytes() -> int:
    """The upload limit the uploader states (Streamlit's server.maxUploadSize, in MB of 2**20 bytes)."""
    try:
        return int(float(st.get_option("server.maxUploadSize")) * 1024 * 1024)
    except (TypeError, ValueError):
        from geo.articles import reading

        return reading.UPLOAD_LIMIT_BYTES


def on_find_places() -> None:
    """The "Find places" button. A callback, so the run it starts already maps the article (the
    sidebar is drawn after the map); every outcome leaves a message for the sidebar to say."""
    from geo.app import review
    from geo.articles import reading

    upload = st.session_state.get("w_upload")
    pasted = str(st.session_state.get("w_paste") or "")
    st.session_state.added_message = None
    try:
        if upload is not None:
            text = reading.read_upload(upload.name, upload.getvalue(), limit=upload_limit_bytes())
            name = upload.name
            used = f"Used the uploaded file {md_escape(upload.name)}"
            if pasted.strip():
                used += "; the pasted text was not used (clear the file to use it)"
        elif pasted.strip():
            text, name, used = pasted, "pasted text", "Used the pasted text"
        else:
            st.session_state.added_message = ("warning", "Paste some text or choose a file first.")
            return
    except ValueError as exc:
        st.session_state.added_message = ("error", md_escape(str(exc)))
        return
    if not text.strip():
        st.session_state.added = None
        st.session_state.added_message = ("warning", f"{used}. It is empty: no places found.")
        return
    analyse_added_article(name, text)
    published, origin = choose_published(text)
    st.session_state.added["published"] = published
    places, inside = added_article_mentions()
    from geo import layers as layer_stage

    review.start_review(text, published_date(), layer_stage.dataset_signature())
    n_drafts = len(st.session_state.get(review.DRAFTS) or [])
    found = (
        (f"{len(places)} place mention(s)" if places else "No places found")
        + (f", {len(inside)} name(s) containing a place" if inside else "")
        + (f"; {n_drafts} drafted event(s)" if n_drafts else "; no events found")
        + (f"; dates counted from {origin}, {published.isoformat()}")
    )
    st.session_state.added_message = ("success" if places else "warning", f"{used}. {found}.")


def show_added_article_message() -> None:
    kind, text = st.session_state.pop("added_message", None) or (None, None)
    if kind in ("warning", "error", "success", "info"):
        getattr(st, kind)(text)


def added_article_mentions() -> tuple[list[dict], list[dict]]:
    """(places, names containing a place) of the session's added article."""
    added = st.session_state.get("added")
    if not added:
        return [], []
    try:
        return _analyse(added["name"], added["text"], _reviews_signature())
    except Exception as exc:  # a broken reviews file or parser error: say so, keep the app up
        st.error(f"Could not analyse the article: {md_escape(str(exc))}")
        return [], []


def added_article_rows() -> list[dict]:
    return added_article_mentions()[0]


def added_view() -> tuple[list[float], int] | None:
    """Centre and zoom framing the added article's places, once after "Find places"."""
    from geo.layers import added

    if not st.session_state.get("added_fit"):
        return None
    box = added.bounds(added_article_rows())
    return added.view_for(box) if box else None


def added_layer(rows: list[dict]):
    from geo import layers as layer_stage

    return layer_stage.mentions_frame([{k: v for k, v in r.items() if k != "reviewed"} for r in rows])


def review_table(rows: list[dict]) -> pd.DataFrame:
    """One row per name as written, with the geocoder's choice and a decision to edit."""
    seen: dict[str, dict] = {}
    for r in rows:
        key = " ".join(str(r["text"]).split()).casefold()
        entry = seen.setdefault(
            key,
            {
                "as written": r["text"],
                "place": r["name"],
                "country": r["country"],
                "lat": round(float(r["lat"]), 4),
                "lon": round(float(r["lon"]), 4),
                "times": 0,
                "first sentence": r["sentence"][:160],
                "decision": "accept",
                "correct to": "",
            },
        )
        entry["times"] += 1
    return pd.DataFrame(list(seen.values()))


PLACE_ROWS = "place_rows"  # the place review table's rows (the source of truth; edits merge in)
PLACE_VERSION = "place_editor_version"
REVIEW_COLUMNS = ("decision", "correct to", "lat", "lon")


def place_rows(rows: list[dict]) -> list[dict]:
    """The session's place review rows for the added article (made once per article)."""
    added = st.session_state.get("added") or {}
    ident = (added.get("name"), hash(added.get("text")))
    if st.session_state.get("place_rows_for") != ident:
        st.session_state[PLACE_ROWS] = review_table(rows).to_dict("records")
        st.session_state.place_rows_for = ident
        st.session_state[PLACE_VERSION] = st.session_state.get(PLACE_VERSION, 0) + 1
    return st.session_state[PLACE_ROWS]


def place_editor_key() -> str:
    return f"review_editor_{st.session_state.get(PLACE_VERSION, 0)}"


def _refuse(what: str) -> bool:
    from geo import access

    try:
        access.require_editor(st.session_state)
    except PermissionError:
        st.session_state.review_saved = ("error", f"Editing is locked: this session is read-only. {what}")
        return True
    return False


def on_place_edit() -> None:
    """Merge the place table's edits (an editor's only)."""
    if _refuse("Unlock editing to review places."):
        st.session_state[PLACE_VERSION] = st.session_state.get(PLACE_VERSION, 0) + 1
        return
    delta = st.session_state.get(place_editor_key()) or {}
    rows = st.session_state.get(PLACE_ROWS) or []
    for index, changes in (delta.get("edited_rows") or {}).items():
        if 0 <= int(index) < len(rows):
            rows[int(index)].update({k: v for k, v in changes.items() if k in REVIEW_COLUMNS})


def on_pick_correction() -> None:
    """ "Correct on the map": the next map click places the chosen name."""
    if _refuse("Unlock editing to review places."):
        return
    text = st.session_state.get("w_pick_mention")
    if text:
        st.session_state.map_picking = ("mention", text)
        st.session_state.review_saved = ("info", f"Click the map where {md_escape(text)} is.")


def take_map_pick() -> None:
    """A map click for a place correction: the row becomes "correct" at the clicked point."""
    target = st.session_state.get("map_picking")
    if not target or target[0] != "mention" or "map_pick" not in st.session_state:
        return
    pick = st.session_state.pop("map_pick")
    st.session_state.pop("map_picking", None)
    from geo import access

    if not access.is_editor(st.session_state):
        return
    for row in st.session_state.get(PLACE_ROWS) or []:
        if row["as written"] == target[1]:
            row.update(
                decision="correct",
                lat=round(float(pick["lat"]), 4),
                lon=round(float(pick["lon"]), 4),
                place=f"{target[1]} (picked on the map)",
                **{"correct to": ""},
            )
            st.session_state[PLACE_VERSION] = st.session_state.get(PLACE_VERSION, 0) + 1
            st.session_state.review_saved = (
                "info",
                f"{md_escape(target[1])}: placed at {row['lat']}, {row['lon']}; press Save review to keep it.",
            )


def on_save_review() -> None:
    if _refuse("Nothing was saved."):
        return
    saved, problems = save_review(pd.DataFrame(st.session_state.get(PLACE_ROWS) or []))
    if problems:
        st.session_state.review_saved = ("error", md_escape("; ".join(problems)))
    elif saved:
        st.session_state.review_saved = ("success", f"Saved {saved} review(s) to the dataset's mention_reviews.csv.")
    else:
        st.session_state.review_saved = (
            "warning",
            'Nothing to save: every place is marked "accept" (reject one, or type a correction).',
        )


def on_undo_reviews() -> None:
    from geo.dataset import reviews as review_mod

    if _refuse("Nothing was undone."):
        return
    keys = list(st.session_state.get("w_undo_reviews") or [])
    if not keys:
        st.session_state.review_saved = ("warning", "Choose the saved reviews to undo first.")
        return
    n = review_mod.remove_reviews(review_mod.reviews_path(), keys)
    st.session_state.w_undo_reviews = []
    st.session_state.review_saved = ("success", f"Undid {n} saved review(s); the geoparser's choice applies again.")


def saved_reviews():
    """The dataset's saved place reviews as a table (empty when none, or unreadable)."""
    from geo.dataset import reviews as review_mod

    try:
        stored = review_mod.read_reviews(review_mod.reviews_path())
    except review_mod.ReviewError as exc:
        st.error(md_escape(str(exc)))
        return {}
    return stored


def save_review(edited: pd.DataFrame, state=None) -> tuple[int, list[str]]:
    """Write rejections and corrections as curated overrides (editors only); returns (saved, problems).

    A correction takes the place typed in "correct to" (looked up in the gazetteer) or, when that is
    empty, the coordinates in the table. Typing a correction implies "correct"."""
    from geo import access
    from geo.dataset import reviews as review_mod
    from geo.geoparse import geocode

    access.require_editor(st.session_state if state is None else state)
    reviews, problems = [], []
    for row in edited.to_dict("records"):
        text, decision = str(row["as written"]), str(row.get("decision") or "accept")
        target = str(row.get("correct to") or "").strip()
        if decision == "accept" and target:
            decision = "correct"
        if decision == "reject":
            reviews.append(review_mod.Review(text=text, decision="reject", note="rejected in the app"))
        elif decision == "correct":
            place = geocode.geocode_place(target) if target else None
            if target and place is None:
                problems.append(
                    f"{text}: no place called {target!r} in the gazetteer; "
                    'pick it on the map instead ("Correct on the map")'
                )
            elif place is not None:
                reviews.append(
                    review_mod.Review(
                        text=text,
                        decision="correct",
                        place=place.name,
                        lat=place.lat,
                        lon=place.lon,
                        country=place.country,
                        note="corrected in the app",
                    )
                )
            else:
                reviews.append(
                    review_mod.Review(
                        text=text,
                        decision="correct",
                        place=str(row["place"]),
                        lat=float(row["lat"]),
                        lon=float(row["lon"]),
                        country=str(row["country"]),
                        note="corrected in the app",
                    )
                )
    if reviews and not problems:
        review_mod.save_reviews(review_mod.reviews_path(), reviews)
        return len(reviews), []
    return 0, problems


def render_places(rows: list[dict], inside: list[dict]) -> None:
    """The added article's places: review table, names containing a place, saved reviews with undo."""
    from geo import access

    can = access.is_editor(st.session_state)
    take_map_pick()
    name = (st.session_state.get("added") or {}).get("name", "")
    st.subheader("Places in the added article (" + md_escape(name) + ")")
    kind, text = st.session_state.pop("review_saved", None) or (None, None)
    if kind:
        getattr(st, kind)(text)
    if not rows:
        st.warning("No places found in this article.")
    else:
        st.caption(
            "Indigo points on the map (“Added article” in the legend). Reject a wrong match or correct it "
            "(type a place, or pick it on the map); saved reviews apply to every article."
        )
        st.data_editor(
            pd.DataFrame(place_rows(rows)),
            key=place_editor_key(),
            hide_index=True,
            width="stretch",
            on_change=on_place_edit,
            disabled=(not can) or ["as written", "place", "country", "times", "first sentence"],
            column_config={
                "decision": st.column_config.SelectboxColumn(options=["accept", "reject", "correct"], required=True)
            },
        )
        pick_col, save_col = st.columns([3, 2])
        pick_col.selectbox(
            "Correct on the map",
            [r["as written"] for r in place_rows(rows)],
            index=None,
            key="w_pick_mention",
            disabled=not can,
            on_change=on_pick_correction,
            placeholder="choose a name, then click the map",
        )
        save_col.button("Save review", key="b_save_review", disabled=not can, on_click=on_save_review, width="stretch")
    if inside:
        st.caption(
            "Names containing a place (not mapped as places of this article): "
            + md_escape(", ".join(dict.fromkeys(f"{r['text']} in “{r['sentence'][:60]}”" for r in inside)))
        )
    stored = saved_reviews()
    with st.expander(f"Saved place reviews ({len(stored)})"):
        if not stored:
            st.caption("No saved reviews yet.")
        else:
            st.dataframe(
                pd.DataFrame(
                    [
                        {"as written": r.text, "decision": r.decision, "place": r.place, "note": r.note}
                        for r in stored.values()
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
            st.multiselect(
                "Reviews to undo",
                list(stored),
                format_func=lambda k: stored[k].text,
                key="w_undo_reviews",
                disabled=not can,
            )
            st.button("Undo the chosen reviews", key="b_undo_reviews", disabled=not can, on_click=on_undo_reviews)
