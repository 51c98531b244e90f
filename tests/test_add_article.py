"""Adding an article in the app: review logic, names containing a place, and who may write, through
Streamlit's AppTest (the widget states a browser would send; a viewer's are refused on the server)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import selection
from geo.drafting import review as rv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = str(PROJECT_ROOT / "app.py")
SECRET = "a long editor secret for tests"

# An invented article (never a seed text): a non-BMP character and CRLF line ends on purpose.
ARTICLE = (
    "Ulaanbaatar, 12 March 2026 \U0001f4f0\r\n"
    "Mongolia's foreign minister met his Kazakh counterpart in Ulaanbaatar on Tuesday to discuss rail freight.\r\n"
    "On Friday, about 2,000 people protested in Almaty against higher fuel prices, according to local police.\r\n"
    "Builders of the Power of Siberia 2 pipeline visited Irkutsk last month.\r\n"
)


# ------------------------------------------------------------------ pure review logic


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def test_selection_after_a_non_bmp_character_and_crlf_gets_the_exact_span():
    shown = selection.rendered(ARTICLE)
    phrase = "about 2,000 people protested in Almaty"
    start16 = _utf16(shown[: shown.index(phrase)])  # what a browser's Range reports
    draft = rv.draft_from_selection(
        ARTICLE, start16, start16 + _utf16(phrase), dt.date(2026, 3, 12), drafter=lambda s, p: []
    )
    assert ARTICLE[draft["start"] : draft["end"]] == phrase
    # code points differ from UTF-16 units here: the emoji is one code point, two units, and each CR
    # is a code point the browser never shows
    assert draft["start"] != start16
    assert draft["flags"] == ["from-selection", "date-not-stated"] and draft["date"] == "2026-03-12"


def test_selection_prefill_comes_from_the_drafter_with_offsets_moved():
    shown = selection.rendered(ARTICLE)
    phrase = "On Friday, about 2,000 people protested in Almaty against higher fuel prices, according to local police."
    s16 = _utf16(shown[: shown.index(phrase)])
    draft = rv.draft_from_selection(ARTICLE, s16 - 1, s16 + _utf16(phrase) + 1, dt.date(2026, 3, 12))  # + line ends
    assert ARTICLE[draft["start"] : draft["end"]] == phrase  # white space trimmed
    assert draft["type"] == "protest" and draft["place"] == "Almaty" and draft["date"] == "2026-03-06"
    for fig in draft["figures"]:
        assert draft["start"] <= fig["start"] < fig["end"] <= draft["end"]
        assert "2,000" in ARTICLE[fig["start"] : fig["end"]]


def test_highlights_are_utf16_ranges_of_the_rendered_text():
    start = ARTICLE.index("Almaty")
    (h,) = rv.highlights(ARTICLE, [{"start": start, "end": start + 6}])
    assert (
        selection.rendered(ARTICLE).encode("utf-16-le")[2 * h["start"] : 2 * h["end"]].decode("utf-16-le") == "Almaty"
    )


def test_rows_to_drafts_keep_edits_and_say_what_is_missing():
    drafts = [
        {
            "start": 0,
            "end": 5,
            "date": "2026-03-10",
            "title": "A",
            "type": "meeting",
            "place": "Ulan Bator",
            "lat": 47.9,
            "lon": 106.9,
            "actors": ["Mongolia"],
            "place_candidates": [],
            "figures": [],
        },
        {
            "start": 6,
            "end": 9,
            "date": "2026-03",
            "title": "B",
            "type": "visit",
            "place": "",
            "actors": [],
            "place_candidates": [{"name": "Irkutsk", "lat": 52.3, "lon": 104.3, "precision": "city"}],
            "figures": [],
        },
    ]
    rows = rv.review_rows(drafts, ARTICLE)
    rows[0].update(decision="accept", title="Talks on rail freight", actors="Mongolia; Kazakhstan")
    rows[1].update(decision="accept", date="soon", place="Irkutsk")
    out, problems = rv.to_drafts(drafts, rows)
    assert [d["title"] for d in out] == ["Talks on rail freight"]
    assert out[0]["actors"] == ["Mongolia", "Kazakhstan"] and out[0]["lat"] == 47.9
    assert problems == ["draft 2: the date must be YYYY, YYYY-MM or YYYY-MM-DD, not 'soon'"]
    rows[1]["date"] = "2026-02"
    out, problems = rv.to_drafts(drafts, rows)
    assert problems == [] and out[1]["place"] == "Irkutsk" and out[1]["lat"] == 52.3  # a candidate's point
    picked = rv.to_drafts(drafts, rows, {1: {"name": "Irkutsk", "lat": 52.0, "lon": 104.0}})[0][1]
    assert (picked["lat"], picked["lon"]) == (52.0, 104.0)  # clicked on the map


def test_names_containing_a_place_are_kept_apart():
    from geo.layers import added

    places, inside = added.added_mentions("a.txt", ARTICLE)
    assert "Siberia" not in {r["name"] for r in places}
    assert [r["text"] for r in inside] == ["Siberia"]
    assert {"Almaty", "Irkutsk"} <= {r["name"] for r in places}
    centre, zoom = added.view_for(added.bounds(places))
    assert 40 < centre[0] < 55 and 2 <= zoom <= 9


# ------------------------------------------------------------------ the app: who may write


def _digest(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def dataset(isolated_build, tmp_path, monkeypatch):
    from geo import access

    data, sources = tmp_path / "data", tmp_path / "sources"
    shutil.copytree(PROJECT_ROOT / "data", data)
    sources.mkdir()
    (data / "mention_reviews.csv").write_text(
        "text,decision,place,lat,lon,country,note\nBank,reject,,,,,x\n", encoding="utf-8"
    )
    monkeypatch.setenv("GEO_DATA_DIR", str(data))
    monkeypatch.setenv("GEO_SOURCES_DIR", str(sources))
    monkeypatch.setenv("GEO_EDITOR_SECRET_HASH", access.make_hash(SECRET))
    return data, sources


def _with_article(at: AppTest) -> AppTest:
    at.run().run()
    at.text_area(key="w_paste").input(ARTICLE)
    at.date_input(key="w_published").set_value(dt.date(2026, 3, 12))
    next(b for b in at.button if b.label == "Find places").click().run()
    assert not at.exception
    return at


def _messages(at: AppTest) -> str:
    return " | ".join(e.value for kind in (at.success, at.warning, at.error, at.info) for e in kind)


def _forced(widget):
    """The widget as a hand-made client sees it: the disabled flag is only a hint to the browser, so
    a crafted message can still carry its value; AppTest refuses disabled widgets, hence the flip."""
    widget.proto.disabled = False
    return widget


def _as_editor_would(at: AppTest, action: str) -> AppTest:
    """Send what an editor's browser sends for `action`, whatever this session is allowed."""
    if action == "accept":
        rows = at.session_state["review_rows"]
        rows[0]["decision"] = rows[1]["decision"] = "accept"
        at.session_state["review_rows"] = rows
        _forced(at.button(key="b_accept")).click().run()
    elif action == "undo":
        _forced(at.button(key="b_undo")).click().run()
    elif action == "save review":
        rows = at.session_state["place_rows"]
        rows[0]["decision"] = "reject"
        at.session_state["place_rows"] = rows
        _forced(at.button(key="b_save_review")).click().run()
    elif action == "undo review":
        _forced(at.multiselect(key="w_undo_reviews")).set_value(["bank"])
        _forced(at.button(key="b_undo_reviews")).click().run()
    elif action == "save draft":
        _forced(at.button(key="b_save_draft")).click().run()
    elif action == "new from selection":
        _forced(at.button(key="b_new_from_selection")).click().run()
    assert not at.exception
    return at


ACTIONS = ("accept", "undo", "save review", "undo review", "new from selection", "save draft")


def test_a_viewer_sending_an_editors_widget_messages_writes_nothing(dataset):
    from geo import access

    data, sources = dataset
    at = _with_article(AppTest.from_file(APP, default_timeout=300))
    assert at.button(key="b_accept").disabled and at.button(key="b_save_review").disabled
    before = _digest(data, sources)
    drafts_before = len(at.session_state["review_rows"])
    # 1. A viewer forging clicks on the (disabled) write buttons: Streamlit drops a disabled widget's
    #    value and skips its callback, so nothing runs at all.
    for action in ACTIONS:
        _as_editor_would(at, action)
        assert "Accepted" not in _messages(at) and "Saved" not in _messages(at)
        assert _digest(data, sources) == before, action  # byte-identical: nothing written
    # 2. The editor's widgets on screen (enabled), sent from a session that is not an editor (its flag
    #    gone): each write handler runs, and its own server-side check refuses.
    for action in ACTIONS:
        at.session_state[access.STATE_KEY] = True
        at.run()
        assert not at.button(key="b_accept").disabled
        at.session_state[access.STATE_KEY] = False
        _as_editor_would(at, action)
        assert "read-only" in _messages(at), (action, _messages(at))
        assert _digest(data, sources) == before, action
    assert len(at.session_state["review_rows"]) == drafts_before


def test_an_editor_accepts_reviews_and_undoes(dataset):
    data, sources = dataset
    at = _with_article(AppTest.from_file(APP, default_timeout=300))
    at.text_input(key="w_editor_secret").input("wrong guess").run()
    next(b for b in at.button if b.label == "Unlock editing").click().run()
    assert "Wrong secret" in _messages(at)
    import time

    time.sleep(1.1)  # the throttle's wait after one failure (1 s), not a timing assertion
    at.text_input(key="w_editor_secret").input(SECRET).run()
    next(b for b in at.button if b.label == "Unlock editing").click().run()
    assert "Editing unlocked" in _messages(at) and not at.button(key="b_accept").disabled
    events_before = (data / "events.csv").read_text(encoding="utf-8")
    total_before = int(next(c.value for c in at.caption if "events shown" in c.value).split(" of ")[1].split()[0])

    # draft 1 through the edit form: accepted with a new title; draft 2 marked in its row
    at.selectbox(key="w_draft").set_value(0).run()
    at.radio(key="w_d_decision").set_value("accept")
    at.text_input(key="w_d_title").input("Rail freight talks")
    at.button(key="b_save_draft").click().run()
    assert "Draft 1 saved (accept)" in _messages(at), _messages(at)
    assert at.session_state["review_rows"][0]["title"] == "Rail freight talks"
    _as_editor_would(at, "accept")
    assert "Accepted 2 event(s)" in _messages(at), _messages(at)
    assert "Rail freight talks" in (data / "events.csv").read_text(encoding="utf-8")
    ids = at.session_state["accepted_ids"]
    events = (data / "events.csv").read_text(encoding="utf-8")
    assert all(i in events for i in ids) and len(events) > len(events_before)
    assert len(list(sources.glob("*.txt"))) == 1  # the article, stored with its manifest row
    total = int(next(c.value for c in at.caption if "events shown" in c.value).split(" of ")[1].split()[0])
    assert total == total_before + 2  # the map's layers were rebuilt at once

    _as_editor_would(at, "save review")
    assert "Saved 1 review" in _messages(at)
    _as_editor_would(at, "undo review")
    assert "Undid 1 saved review" in _messages(at)

    _as_editor_would(at, "undo")
    assert "Undone" in _messages(at)
    assert (data / "events.csv").read_text(encoding="utf-8") == events_before


def test_a_correction_typed_with_accept_is_saved_as_a_correction(dataset, monkeypatch):
    import pandas as pd

    from geo import access
    from geo.app import articles
    from geo.dataset import reviews

    data, _ = dataset
    state = {access.STATE_KEY: True}
    frame = pd.DataFrame(
        [
            {
                "as written": "Irkutsk",
                "place": "Irkutsk",
                "country": "RU",
                "lat": 52.3,
                "lon": 104.3,
                "decision": "accept",
                "correct to": "Kursk",
            }
        ]
    )
    assert articles.save_review(frame, state) == (1, [])
    assert reviews.read_reviews(data / reviews.FILE_NAME)["irkutsk"].decision == "correct"
    frame.loc[0, "correct to"] = "Nowhere-at-all"
    saved, problems = articles.save_review(frame, state)
    assert saved == 0 and "no place called 'Nowhere-at-all'" in problems[0] and "on the map" in problems[0]
    with pytest.raises(PermissionError):
        articles.save_review(frame, {})


def test_empty_text_and_upload_plus_paste_each_say_what_happened(dataset):
    at = AppTest.from_file(APP, default_timeout=300).run().run()
    at.text_area(key="w_paste").input("Nothing here names anywhere at all.")
    next(b for b in at.button if b.label == "Find places").click().run()
    assert "No places found" in _messages(at)
    at.text_area(key="w_paste").input("   ")
    next(b for b in at.button if b.label == "Find places").click().run()
    assert "Paste some text or choose a file first" in _messages(at)


def test_a_map_click_places_a_draft_and_corrects_a_name(dataset):
    from geo import access

    at = _with_article(AppTest.from_file(APP, default_timeout=300))
    at.session_state[access.STATE_KEY] = True
    # what on_map_change stores when st_folium reports a click while something waits for one
    at.session_state["map_picking"] = ("draft", 1)
    at.session_state["map_pick"] = {"lat": 50.5, "lon": 80.25}
    at.run()
    assert at.session_state["review_places"][1] == {
        "name": at.session_state["review_rows"][1]["place"],
        "lat": 50.5,
        "lon": 80.25,
        "precision": "exact",
    }
    assert "picked on the map" in _messages(at)
    drafts, problems = rv.to_drafts(
        at.session_state["review_drafts"],
        [dict(r, decision="accept") for r in at.session_state["review_rows"]],
        at.session_state["review_places"],
    )
    assert problems == [] and (drafts[1]["lat"], drafts[1]["lon"]) == (50.5, 80.25)

    at.session_state["map_picking"] = ("mention", "Irkutsk")
    at.session_state["map_pick"] = {"lat": 52.0, "lon": 104.0}
    at.run()
    row = next(r for r in at.session_state["place_rows"] if r["as written"] == "Irkutsk")
    assert (row["decision"], row["lat"], row["lon"]) == ("correct", 52.0, 104.0)
    at.session_state["map_picking"] = ("draft", 0)  # a viewer's click is not applied
    at.session_state["map_pick"] = {"lat": 1.0, "lon": 1.0}
    at.session_state[access.STATE_KEY] = False
    at.run()
    assert 0 not in at.session_state["review_places"]


def test_xsrf_protection_stays_on():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config.get("server", {}).get("enableXsrfProtection", True) is True
