"""Adding an article in the app: find its places, show them as a session layer, review them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.web.escape import escape_markdown as md_escape

PASTE_LIMIT_CHARS = 200_000



@st.cache_data(show_spinner="Finding places…", max_entries=16)
def _analyse(name: str, text: str, reviews_signature: str) -> list[dict]:
    from geo import layers as layer_stage
    from geo.dataset import reviews

    return layer_stage.mention_rows(name, text, reviews.read_reviews(reviews.reviews_path()))



def _reviews_signature() -> str:
    from geo.dataset import reviews

    path = reviews.reviews_path()
    return f"{path.stat().st_mtime_ns}:{path.stat().st_size}" if path.is_file() else "none"



def analyse_added_article(name: str, text: str) -> None:
    """Geoparse a pasted or uploaded article into session state (shown as its own map layer)."""
    st.session_state.added = {"name": name, "text": text}



def on_find_places() -> None:
    """The "Find places" button. A callback, so the run it starts already maps the article (the
    sidebar is drawn after the map); what went wrong is kept for the sidebar to say."""
    from geo.articles import reading

    upload = st.session_state.get("w_upload")
    pasted = str(st.session_state.get("w_paste") or "")
    st.session_state.added_message = None
    try:
        if upload is not None:
            analyse_added_article(upload.name, reading.read_upload(upload.name, upload.getvalue()))
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
    from geo.dataset import reviews as review_mod
    from geo.geoparse import geocode

    reviews, problems = [], []
    for row in edited.to_dict("records"):
        text, decision = str(row["as written"]), str(row.get("decision") or "accept")
        if decision == "reject":
            reviews.append(review_mod.Review(text=text, decision="reject", note="rejected in the app"))
        elif decision == "correct":
            target = str(row.get("correct to") or "").strip()
            place = geocode.geocode_place(target) if target else None
            if target and place is None:
                problems.append(f"{text}: no place called {target!r} in the gazetteer")
            elif place is not None:
                reviews.append(review_mod.Review(text=text, decision="correct", place=place.name, lat=place.lat,
                                             lon=place.lon, country=place.country, note="corrected in the app"))
            else:
                reviews.append(review_mod.Review(text=text, decision="correct", place=str(row["place"]),
                                             lat=float(row["lat"]), lon=float(row["lon"]),
                                             country=str(row["country"]), note="corrected in the app"))
    if reviews:
        review_mod.save_reviews(review_mod.reviews_path(), reviews)
    return len(reviews), problems
