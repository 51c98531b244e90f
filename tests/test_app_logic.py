"""App logic through Streamlit's AppTest: each widget's effect on the events shown, URL state, errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def app(isolated_build):
    return AppTest.from_file(APP, default_timeout=120)


def opened(at: AppTest) -> AppTest:
    """The app as a visitor gets it: the first run draws the map (and holds the rest of the page back);
    the map's report of its first paint reruns the script (the browser tests check that it does)."""
    return at.run().run()


def shown(at) -> tuple[int, int]:
    caption = next(c.value for c in at.caption if "events shown" in c.value)
    shown_count, total = re.match(r"(\d+) of (\d+) events shown", caption).groups()
    return int(shown_count), int(total)


def table_ids(at) -> list[str]:
    return list(at.session_state["table_ids"])  # the rows of the events table (a custom component)


def events_by_id(at, ids):
    """The dataset's rows of the events the table lists (their place as written in the data)."""
    from geo import layers

    events = layers.load_layers()["events"].set_index("id")
    return events.loc[list(ids)]


def test_app_runs_and_shows_map_and_all_events(app):
    at = app.run()
    assert not at.exception
    count, total = shown(at)
    assert count == total >= 25
    # A session's first run draws the map and holds filters, timeline and table back until the map
    # has been drawn (the map's report reruns the script; the browser tests check that it does).
    assert not at.dataframe and not at.multiselect
    assert sum("follow as soon as the map is drawn" in c.value for c in at.caption) == 2
    at.run()
    assert not at.exception
    assert len(table_ids(at)) == total and at.multiselect(key="w_types")
    assert not any("follow as soon as the map is drawn" in c.value for c in at.caption)
    # The map is the st_folium component and the events table our own (elements AppTest does not render).
    names = sorted(c.proto.component_name for c in at.get("component_instance"))
    assert (
        len(names) == 2 and any("streamlit_folium" in n for n in names) and any("atlas_event_table" in n for n in names)
    )


def test_actor_filter_keeps_only_that_actors_events(app):
    at = opened(app)
    total = shown(at)[1]
    at.multiselect(key="w_actors").set_value(["kim"]).run()
    count, _ = shown(at)
    assert 0 < count < total
    from geo import layers as layer_stage

    events = layer_stage.load_layers()["events"].set_index("id")
    assert all("kim" in events.loc[i, "actors"] for i in table_ids(at))
    assert at.query_params["actor"] == "kim"


def test_type_filter(app):
    at = opened(app)
    at.multiselect(key="w_types").set_value(["parade"]).run()
    ids = table_ids(at)
    assert ids and all(t == "parade" for t in events_by_id(at, ids)["type"])
    assert "parade" in str(at.query_params["type"])


def test_source_filter(app):
    at = opened(app)
    total = shown(at)[1]
    from geo.articles import sources

    first = sorted(sources.load_manifest())[0]
    at.multiselect(key="w_sources").set_value([first]).run()
    count, _ = shown(at)
    assert 0 < count < total


def test_date_slider_narrows_events(app):
    at = opened(app)
    total = shown(at)[1]
    slider = at.slider(key="w_dates")
    import datetime as dt

    slider.set_value((dt.date(2025, 9, 3), dt.date(2025, 9, 3))).run()
    count, _ = shown(at)
    assert 0 < count < total
    assert at.query_params["from"] in ("2025-09-03", ["2025-09-03"])


@pytest.mark.parametrize("query, expected_place", [("Курск", "kursk"), ("平壤", "pyongyang"), ("parade", "beijing")])
def test_search_finds_other_scripts(app, query, expected_place):
    at = opened(app)
    total = shown(at)[1]
    at.text_input(key="w_query").input(query).run()
    count, _ = shown(at)
    assert 0 < count < total
    places = " ".join(events_by_id(at, table_ids(at))["place"]).lower()
    assert expected_place in places


def test_layers_switch_hides_layers_but_keeps_the_table(app):
    at = opened(app)
    at.multiselect(key="w_layers").set_value(["routes"]).run()
    assert not at.exception
    assert at.query_params["layers"] in ("routes", ["routes"])


def test_url_reproduces_view_and_opens_event(app):
    app.query_params["actor"] = ["kim"]
    app.query_params["event"] = "kim-train-arrives"
    at = opened(app)
    assert at.multiselect(key="w_actors").value == ["kim"]
    headers = [h.value for h in at.subheader]
    from geo import layers as layer_stage

    events = layer_stage.load_layers()["events"].set_index("id")
    assert events.loc["kim-train-arrives", "title"] in headers


def test_bad_dataset_shows_error_and_keeps_last_good_build(isolated_build, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    monkeypatch.setenv("GEO_DATA_DIR", str(data))
    at = opened(AppTest.from_file(APP, default_timeout=120))
    good_total = shown(at)[1]
    events = data / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2025-09-02", "2025-02-30", 1)  # an impossible date on line 4
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    at = opened(AppTest.from_file(APP, default_timeout=120))
    assert not at.exception
    messages = " ".join([e.value for e in at.error] + [c.value for c in at.code])
    assert "events.csv" in messages and ":4" in messages
    assert shown(at)[1] == good_total, "the last good build keeps being served"


def test_sidebar_buttons_act_in_the_run_they_start(app):
    """The sidebar is drawn after the map, so its buttons act in callbacks (before the script runs):
    the run a button starts already shows its effect."""
    at = opened(app)
    next(b for b in at.button if b.label == "Find places").click().run()
    assert not at.exception
    assert [w.value for w in at.sidebar.warning] == ["Paste some text or choose a file first."]
    at.run()  # said once, not on every rerun
    assert not at.sidebar.warning
    next(b for b in at.button if b.label == "Presenter mode").click().run()
    assert not at.exception
    assert at.query_params["mode"] in ("present", ["present"])
    assert not [b for b in at.button if b.label == "Presenter mode"], "the explorer (its header and sidebar) is gone"


ARTICLE = (
    "Officials met in Ulaanbaatar on Monday to discuss the pipeline. Engineers later flew to Irkutsk, "
    "and a delegation from Astana arrived the next day."
)


def test_added_article_becomes_a_layer_and_reviews_are_saved(isolated_build, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    monkeypatch.setenv("GEO_DATA_DIR", str(data))
    at = opened(AppTest.from_file(APP, default_timeout=120))
    at.text_area(key="w_paste").input(ARTICLE)
    next(b for b in at.button if b.label == "Find places").click().run()
    assert not at.exception
    table = at.dataframe  # the review editor is a data_editor (listed with dataframes)
    review = next(t for t in table if "as written" in t.value.columns).value
    assert {"Ulaanbaatar", "Irkutsk", "Astana"} <= set(review["as written"])
    ub = review.set_index("as written").loc["Ulaanbaatar"]
    assert abs(ub["lat"] - 47.9) < 0.5 and abs(ub["lon"] - 106.9) < 0.5

    from geo.app import articles
    from geo.dataset import reviews as review_mod

    edited = review.copy()
    edited.loc[edited["as written"] == "Astana", "decision"] = "reject"
    edited.loc[edited["as written"] == "Irkutsk", ["decision", "correct to"]] = ["correct", "Kursk"]
    from geo import access

    with pytest.raises(PermissionError):  # a read-only session never writes
        articles.save_review(edited, {})
    monkeypatch.setenv(access.ENV_VAR, access.make_hash("an editor secret for tests"))
    saved, problems = articles.save_review(edited, {access.STATE_KEY: True})
    assert (saved, problems) == (2, [])
    stored = review_mod.read_reviews(data / review_mod.FILE_NAME)
    assert stored["astana"].decision == "reject"
    assert stored["irkutsk"].decision == "correct" and abs(stored["irkutsk"].lat - 51.7) < 0.3
    # Reviews apply to later analyses: Astana is gone, Irkutsk now points at Kursk.
    from geo import layers as layer_stage

    rows = layer_stage.mention_rows("again", ARTICLE, stored)
    by_text = {r["text"]: r for r in rows}
    assert "Astana" not in by_text and abs(by_text["Irkutsk"]["lon"] - 36.2) < 0.3


class _State(dict):
    """Stands in for st.session_state (attribute and item access) outside a script run."""

    __getattr__ = dict.get

    def __setattr__(self, name, value):
        self[name] = value


def test_timeline_spec_is_stable_and_a_click_picks_an_event_or_a_week(monkeypatch):
    import datetime as dt

    import pandas as pd

    from geo.app import state as appstate
    from geo.web import timeline

    types = ["talks", "visit", "strike"]
    few = pd.DataFrame(
        {"id": ["a", "b"], "type": ["talks", "visit"], "title": ["A", "B"], "date": ["2025-09-02", "2025-09-03"]}
    )
    frame, spec = timeline.timeline_chart(few, types)
    assert list(frame["id"]) == ["a", "b"]
    picks = [p for p in spec["params"] if p["name"] == timeline.TIMELINE_PICK]
    assert picks and picks[0]["select"]["fields"] == ["id"]
    assert spec["encoding"]["y"]["scale"]["domain"] == types  # every type keeps its row

    many = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(400)],
            "type": ["talks", "strike"] * 200,
            "title": "t",
            "date": [str(dt.date(2025, 1, 1) + dt.timedelta(days=i % 300)) for i in range(400)],
        }
    )
    weeks, week_spec = timeline.timeline_chart(many, types)
    _, fewer_spec = timeline.timeline_chart(many.iloc[:350], types)
    assert week_spec == fewer_spec, "a filter change must not change the aggregated chart's spec"
    assert [p["select"]["fields"] for p in week_spec["params"] if p["name"] == timeline.TIMELINE_PICK] == [["monday"]]
    assert weeks["events"].sum() == 400 and set(weeks["monday"]) == set(weeks["week"])

    state = _State()
    monkeypatch.setattr(appstate.st, "session_state", state)
    span = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    state[appstate.TIMELINE_KEY] = {"selection": {timeline.TIMELINE_PICK: [{"id": "b"}]}}
    appstate.on_timeline_select(span)
    assert state.event == "b" and "w_dates" not in state
    state[appstate.TIMELINE_KEY] = {"selection": {timeline.TIMELINE_PICK: [{"monday": "2025-06-02"}]}}
    appstate.on_timeline_select(span)
    assert state.w_dates == (dt.date(2025, 6, 2), dt.date(2025, 6, 8))
    state[appstate.TIMELINE_KEY] = {"selection": {timeline.TIMELINE_PICK: [{"monday": "2024-12-30"}]}}
    appstate.on_timeline_select(span)
    assert state.w_dates == (dt.date(2025, 1, 1), dt.date(2025, 1, 5)), "clipped to the dataset's dates"
    state[appstate.TIMELINE_KEY] = {"selection": {timeline.TIMELINE_PICK: []}}  # a click on empty space
    appstate.on_timeline_select(span)
    assert state.event == "b" and state.w_dates == (dt.date(2025, 1, 1), dt.date(2025, 1, 5))
