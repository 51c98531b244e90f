"""Time in the atlas, in the running app and in an exported briefing (issue 16): playback along the
timeline, `?t=…&window=…`, `since=` badges against `geo diff`, disputed claims, the briefing's play
control from disk. One Streamlit server on a copy of the dataset with known changes; headless Chromium
with the network cut off. What the map draws is read through the test hook `window.__atlasPlay`, which
atlas-time.js defines only when `window.__atlasTest` is set before the page's scripts run."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import browser
import needs
import pytest

from geo import layers as layer_stage
from geo.config import PROJECT_ROOT
from geo.layers import versions
from geo.web import changes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATA = PROJECT_ROOT / "data"
NEW_EVENT, CHANGED_EVENT, DISPUTED = "test-added-event", "putin-xi-talks", "dprk-losses-kursk"
RIVAL = {
    "name": "killed",
    "value": "2000",
    "unit": "soldiers",
    "qualifier": "more than",
    "claimed_by": "Test claimant",
    "citation": "Test citation for a rival figure",
}
STATE = "() => window.__atlasPlay.state()"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, shared_build):
    """old = a copy of data/, built first (a version); new = one event added, one removed, one changed,
    and a rival figure that conflicts with the curated one (the event becomes disputed)."""
    import os

    before = os.environ.get("GEO_BUILD_DIR")
    os.environ["GEO_BUILD_DIR"] = str(shared_build)  # the app and this module share the history
    root = tmp_path_factory.mktemp("time")
    old, new = root / "old", root / "new"
    for folder in (old, new):
        shutil.copytree(DATA, folder)
    story_ids = (DATA / "stories" / "default.toml").read_text(encoding="utf-8")
    header, events = _rows(new / "events.csv")
    _, figures = _rows(new / "figures.csv")
    with_figures = {f["event_id"] for f in figures}
    removed = next(
        e["id"]
        for e in events
        if e["id"] not in with_figures and e["id"] != CHANGED_EVENT and f'"{e["id"]}"' not in story_ids
    )
    changed = next(e for e in events if e["id"] == CHANGED_EVENT)
    events = [e for e in events if e["id"] != removed]
    events.append({**changed, "id": NEW_EVENT, "title": "A test event", "date": "2025-09-04"})
    changed["title"] = "Putin and Xi hold long talks in Beijing"
    _write(new / "events.csv", header, events)
    cheader, cites = _rows(new / "citations.csv")
    cites = [c for c in cites if not (c["layer"] == "events" and c["item"] == removed)]
    cites.append({"layer": "events", "item": NEW_EVENT, "citation": "Test citation"})
    _write(new / "citations.csv", cheader, cites)
    fheader, figures = _rows(new / "figures.csv")
    figures.append({"event_id": DISPUTED, **RIVAL})
    _write(new / "figures.csv", fheader + [c for c in ("citation", "url") if c not in fheader], figures)
    layer_stage.build(old)
    layer_stage.build(new)
    version = versions.list_versions(old)[0]["id"]
    yield {"old": old, "new": new, "version": version, "removed": removed, "layers": layer_stage.load_layers(new)}
    if before is None:
        os.environ.pop("GEO_BUILD_DIR", None)
    else:
        os.environ["GEO_BUILD_DIR"] = before


@pytest.fixture(scope="module")
def app_url(datasets, shared_build):
    browser.require_chromium()
    env = {"GEO_BUILD_DIR": str(shared_build), "GEO_DATA_DIR": str(datasets["new"])}
    with browser.streamlit_app(env=env, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


@pytest.fixture
def page(chromium):
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.context.add_init_script("window.__atlasTest = true;")
    yield page
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


def in_window(layers, first: str, last: str) -> set[str]:
    """Events whose [date_start, date_end] overlaps the window, computed from the layers (not the page)."""
    events = layers["events"]
    a, b = _day(first), _day(last)
    return {str(e.id) for e in events.itertuples() if _day(e.date_start) <= b and _day(e.date_end) >= a}


def wait_until(predicate, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def open_app(page, url: str):
    page.goto(url)
    frame = browser.map_frame(page, timeout_s=90)
    wait_until(lambda: frame.evaluate("() => !!(window.__atlasPlay && window.__atlasPlay.pb().ui)"))
    return frame


def shot(page, name: str) -> None:
    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(browser.ARTIFACTS / name))


def test_playback_first_to_last_date(page, app_url, datasets):
    layers = datasets["layers"]
    frame = open_app(page, app_url + "/?window=month")
    assert frame.evaluate(STATE)["t"] is None  # playback off: every event drawn
    assert set(frame.evaluate(STATE)["drawn"]) == set(layers["events"]["id"])
    frame.select_option(".atlas-play select[aria-label=Speed]", "4")
    frame.click(".atlas-play-toggle")
    wait_until(lambda: frame.evaluate(STATE)["window"], 10)
    shot(page, "playback-frame.png")
    wait_until(lambda: not frame.evaluate(STATE)["playing"], 90)  # it stops by itself after the last window
    log = frame.evaluate(STATE)["log"]  # every frame drawn since Play (the hook records each)
    frames = {}
    for entry in log:
        frames.setdefault(tuple(entry["window"]), entry["drawn"])
    # Windows only move forward (a view update may apply the same window again).
    assert list(dict.fromkeys(tuple(e["window"]) for e in log)) == sorted(frames)
    windows = sorted(frames)
    starts = sorted(_day(d) for d in layers["events"]["date_start"])
    ends = sorted(_day(d) for d in layers["events"]["date_end"])
    assert _day(windows[0][0]) <= starts[0] <= _day(windows[0][1]), windows[0]  # from the first date …
    assert _day(windows[-1][0]) <= ends[-1] <= _day(windows[-1][1]), windows[-1]  # … to the last
    for window in (windows[0], windows[len(windows) // 2], windows[-1]):
        assert set(frames[window]) == in_window(layers, *window), window
        assert frames[window], "a window with no event is skipped"
    for window in windows:  # every frame, not just three; none without an event
        assert set(frames[window]) == in_window(layers, *window), window
        assert frames[window], window
    assert all(_day(w[0]).day == 1 and (_day(w[1]) + dt.timedelta(days=1)).day == 1 for w in windows)  # months
    assert frame.evaluate(STATE)["frames"], "frame times are recorded"


def test_url_frame_shows_events_overlapping_the_day(page, app_url, datasets):
    frame = open_app(page, app_url + "/?t=2025-09-03&window=day")
    state = wait_until(lambda: (s := frame.evaluate(STATE))["t"] and s)
    assert state["window"] == ["2025-09-03", "2025-09-03"]
    assert state["label"] == "3 September 2025"
    assert set(state["drawn"]) == in_window(datasets["layers"], "2025-09-03", "2025-09-03")
    assert frame.locator(".atlas-play-date").is_visible()
    # Kim's train (waypoints dated 1 and 2 September) is in Beijing by the 3rd.
    lat, lon = state["trains"]["kim-train-2025"]
    assert abs(lat - 39.9) < 0.05 and abs(lon - 116.4) < 0.05
    shot(page, "playback-day.png")
    # Seeking back a day moves the train toward Pyongyang's end of the line: on 1 September it is there.
    frame.evaluate("() => window.__atlasPlay.pb().seek('2025-09-01', 'day')")
    lat, lon = frame.evaluate(STATE)["trains"]["kim-train-2025"]
    assert abs(lat - 39.03) < 0.05 and abs(lon - 125.75) < 0.05
    assert "t=2025-09-01" in page.url and "window=day" in page.url


def test_mentions_show_while_their_articles_are_out(page, app_url, datasets):
    """Article mentions are dated by their articles (first to last publication date): playback shows a
    place named in the articles from the day the first of them came out, and none before."""
    from geo.web import payload

    spec = next(s for s in payload.build_payload(datasets["layers"])["layers"] if s["kind"] == "mentions")
    col = {name: i for i, name in enumerate(spec["fields"])}

    def expected(day: str) -> set:
        return {
            r[col["name"]]
            for r in spec["rows"]
            if r[col["date"]] and r[col["date"]] <= day <= (r[col["end"]] or r[col["date"]])
        }

    first = min(r[col["date"]] for r in spec["rows"] if r[col["date"]])
    day_before = (_day(first) - dt.timedelta(days=1)).isoformat()
    assert expected(first), "the seed articles' mentions should be dated"
    frame = open_app(page, app_url + f"/?t={first}&window=day")
    state = wait_until(lambda: (s := frame.evaluate(STATE))["t"] and s)
    assert set(state["mentions"]) == expected(first)
    frame.evaluate(f"() => window.__atlasPlay.pb().seek('{day_before}', 'day')")
    assert frame.evaluate(STATE)["mentions"] == []
    last = max(r[col["end"]] or r[col["date"]] for r in spec["rows"] if r[col["date"]])
    frame.evaluate(f"() => window.__atlasPlay.pb().seek('{last}', 'day')")
    assert set(frame.evaluate(STATE)["mentions"]) == expected(last)


def test_since_badges_match_geo_diff(page, app_url, datasets):
    version = datasets["version"]
    run = subprocess.run(
        [sys.executable, "-m", "geo", "diff", version, str(datasets["new"]), "--json"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=True,
    )
    result = json.loads(run.stdout)
    want_new = {i["key"] for i in result["events"]["added"]}
    want_changed = set(changes.changed_events(result))
    want_removed = {i["key"] for i in result["events"]["removed"]}
    assert want_new == {NEW_EVENT} and want_removed == {datasets["removed"]}
    assert {CHANGED_EVENT, DISPUTED} <= want_changed
    frame = open_app(page, app_url + f"/?since={version}")
    state = wait_until(lambda: (s := frame.evaluate(STATE))["badges"] and s)
    assert {k for k, v in state["badges"].items() if v == "new"} == want_new
    assert {k for k, v in state["badges"].items() if v == "changed"} == want_changed
    assert set(state["ghosts"]) == want_removed
    drawn = frame.evaluate("() => window.__atlasMarksDrawn")
    assert set(drawn["new"]) == want_new and set(drawn["changed"]) == want_changed
    panel = page.locator('[data-testid="stExpander"]', has_text="What's new")
    panel.wait_for(timeout=30_000)
    panel.get_by_role("button", name="A test event").click()
    page.locator('[data-testid="stHeading"]', has_text="A test event").wait_for(timeout=30_000)
    shot(page, "since-badges.png")
    assert f"since={version}" in page.url


def test_presenter_and_notes_since_open_with_what_changed(page, app_url, datasets):
    """`since=` carried into presenter mode (from the explorer or a link): the story starts with what
    changed, every step's map carries the badges, and the notes and the way back keep it."""
    from geo.dataset import stories

    version = datasets["version"]
    steps = len(stories.load(stories.DEFAULT_STORY, datasets["layers"], data_dir=datasets["new"]).steps)
    frame = open_app(page, app_url + f"/?mode=present&since={version}")
    page.get_by_text(f"Step 1 of {steps + 1}").wait_for(timeout=30_000)
    page.get_by_text("Since the last briefing").first.wait_for()
    state = wait_until(lambda: (s := frame.evaluate(STATE))["badges"] and s)
    assert state["badges"].get(NEW_EVENT) == "new", state["badges"]
    assert state["badges"].get(CHANGED_EVENT) == "changed", state["badges"]
    assert datasets["removed"] in state["ghosts"]
    notes = page.get_by_role("link", name="Speaker notes (second screen)").get_attribute("href")
    assert f"since={version}" in notes and "step=1" in notes, notes
    exit_href = page.get_by_role("link", name="Exit presenter mode").get_attribute("href")
    assert f"since={version}" in exit_href and "mode=" not in exit_href, exit_href
    # The next step is the story's first, still with the badges of what changed.
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_text(f"Step 2 of {steps + 1}").wait_for(timeout=30_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '2'")
    # The notes view numbers its steps as the presenter does.
    page.goto(app_url + "/" + notes)
    page.get_by_text(f"Step 1 of {steps + 1}").wait_for(timeout=30_000)
    page.get_by_text("Since the last briefing").first.wait_for()


def test_disputed_outline_claims_and_filter(page, app_url, datasets):
    frame = open_app(page, app_url + f"/?event={DISPUTED}")
    state = frame.evaluate(STATE)
    disputed = set(datasets["layers"]["events"].query("disputed")["id"])
    assert disputed == {DISPUTED}
    assert set(state["disputed"]) == disputed
    wait_until(lambda: frame.evaluate(f"() => !!window.__atlasMarksDrawn.disputed['{DISPUTED}']"))
    details = page.get_by_text("Disputed · the sources disagree")
    details.wait_for(timeout=30_000)
    page.get_by_text("more than 2,000 soldiers (Test claimant)").wait_for(timeout=10_000)
    page.get_by_text("about 600 soldiers (South Korea's National Intelligence Service)").wait_for(timeout=10_000)
    page.get_by_text("Test citation for a rival figure", exact=True).wait_for(timeout=10_000)
    from geo.articles import sources

    conflicts = datasets["layers"]["events"].set_index("id").loc[DISPUTED, "claims"]
    spans = [c[k] for c in conflicts for k in ("a_source", "b_source") if c[k] and c[k].get("file")]
    passage = sources.passage_for(spans[0]) if spans else None
    if not passage:
        needs.missing("the source article of the curated figure is not available (GEO_SOURCES_DIR)")
    # The claim's source passage is quoted beside it (the same passage may also be listed under Sources).
    page.get_by_text("“" + passage + "”").first.wait_for(timeout=10_000)
    shot(page, "disputed.png")
    page.get_by_text("Test citation for a rival figure", exact=True).scroll_into_view_if_needed()
    shot(page, "disputed-claims.png")
    frame = open_app(page, app_url + "/?disputed=1")
    wait_until(lambda: set(frame.evaluate(STATE)["drawn"]) == {DISPUTED})


def test_presenter_space_event_toggles_playback(page, app_url):
    page.goto(app_url + "/?mode=present")
    frame = browser.map_frame(page, timeout_s=90)
    wait_until(lambda: frame.evaluate("() => !!(window.__atlasPlay && window.__atlasPlay.pb().ui)"))
    page.evaluate("() => document.dispatchEvent(new CustomEvent('atlas-play-toggle'))")
    wait_until(lambda: frame.evaluate(STATE)["playing"])
    shot(page, "present-play.png")
    page.evaluate("() => document.dispatchEvent(new CustomEvent('atlas-play-toggle'))")
    wait_until(lambda: not frame.evaluate(STATE)["playing"])
    assert frame.evaluate(STATE)["window"]


def test_briefing_since_and_play_from_disk(chromium, datasets, tmp_path, shared_build):
    out = tmp_path / "briefing.html"
    env = {"GEO_BUILD_DIR": str(shared_build), "PATH": "/usr/bin:/bin"}
    import os

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "export",
            str(out),
            "--data",
            str(datasets["new"]),
            "--since",
            datasets["version"],
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        env={**os.environ, **env},
    )
    assert run.returncode == 0, run.stderr
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.context.add_init_script("window.__atlasTest = true;")
    page.goto(out.resolve().as_uri() + "?t=2025-09-02&window=day")
    page.wait_for_function("() => window.atlasBriefing && window.atlasBriefing.settled()")
    assert page.locator(".brief-title").text_content() == "Since the last briefing"
    state = page.evaluate(STATE)
    badges = page.evaluate(
        "() => window.__atlasPlay.pb().items().filter(i => i.dot.atlasBadge === 'new').map(i => i.dot.atlasProps.id)"
    )
    assert set(badges) == {NEW_EVENT}  # on the step's map; 4 September is outside the window shown
    assert NEW_EVENT not in state["drawn"]
    assert state["window"] == ["2025-09-02", "2025-09-02"]
    page.click(".atlas-play-toggle")
    moved = wait_until(lambda: (s := page.evaluate(STATE))["window"] != ["2025-09-02", "2025-09-02"] and s)
    shown = set(page.evaluate("() => window.__atlasPlay.pb().items().map(i => i.dot.atlasProps.id)"))
    events = datasets["layers"]["events"]
    on_map = events[events["id"].isin(shown)]
    assert set(moved["drawn"]) == in_window({"events": on_map}, *moved["window"])
    page.screenshot(path=str(browser.ARTIFACTS / "briefing-play.png"))
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


# One step from 1 to 2 September, read in the same task: the journey marker glides (still at its start)
# or, with reduced motion, is already at the end of the step.
TRAIN_AFTER_STEP = """() => {
  const pb = window.__atlasPlay.pb();
  pb.seek('2025-09-01', 'day');
  pb.playing = true;
  pb.step();
  pb.pause();
  return window.__atlasPlay.state().trains['kim-train-2025'];
}"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_journey_glides_unless_reduced_motion(page, app_url, motion):
    page.emulate_media(reduced_motion=motion)
    frame = open_app(page, app_url + "/?window=day")
    lat, lon = frame.evaluate(TRAIN_AFTER_STEP)
    at_beijing = abs(lat - 39.9) < 0.05 and abs(lon - 116.4) < 0.05
    at_pyongyang = abs(lat - 39.03) < 0.05 and abs(lon - 125.75) < 0.05
    assert (at_beijing, at_pyongyang) == ((True, False) if motion == "reduce" else (False, True))
    if motion != "reduce":  # the glide ends at the step's position
        wait_until(lambda: abs(frame.evaluate(STATE)["trains"]["kim-train-2025"][1] - 116.4) < 0.05, 5)
