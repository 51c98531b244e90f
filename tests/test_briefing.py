"""Offline briefing: one self-contained HTML file, then the exported seed story in headless Chromium
opened from disk with the network cut off."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import browser
import pytest
from sample_layers import sample_layers

from geo.dataset import stories
from geo.web import briefing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORY = PROJECT_ROOT / "data" / "stories" / "default.toml"
OUTSIDE_LINK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)

STORY = """
title = "Test </title><script>alert(1)</script>"
[[steps]]
event = "e2"
caption = "</script><script>alert(2)</script> & ${x}"
[[steps]]
event = "e1"
route = "pos2"
caption = "Second"
"""


def sample_story() -> stories.Story:
    return stories.check_ids(stories.parse(STORY, label="t.toml", name="t"), sample_layers())


def test_briefing_is_one_file_with_nothing_fetched_from_outside():
    page = briefing.render(sample_layers(), sample_story())
    assert not OUTSIDE_LINK.search(page), OUTSIDE_LINK.search(page).group(0)
    assert re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']data:""", page), "assets should be inlined"
    assert len(re.findall(r"<script[^>]+src=", page)) == len(re.findall(r"<script[^>]+src=[\"']data:", page))


def test_story_text_cannot_become_markup():
    page = briefing.render(sample_layers(), sample_story())
    assert "<script>alert" not in page
    assert "</title><script>" not in page
    assert "<title>Test &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(2)" in page  # via escape.script_json


def test_context_dots_ship_once_and_each_step_gets_back_what_it_showed():
    """The briefing sends the story's grey context dots once; a step puts back all but its own
    (as briefing.js's `withContext` does), which is what presenter mode draws for that step."""
    import json

    from geo.web import storymap

    layers, story = sample_layers(), sample_story()
    data = briefing.story_data(layers, story)
    shared = data["context"]
    assert shared is not None and len(shared["rows"]) == len(storymap.story_event_ids(story))
    text = json.dumps(data)
    assert text.count('"Other events in the story"') == 1 + len(data["steps"])  # the spec once + legend lines
    for number, step in enumerate(data["steps"], 1):
        payload = step["payload"]
        omit, at = set(payload["context"]["omit"]), payload["context"]["at"]
        ident = shared["fields"].index("id")
        rows = [row for row in shared["rows"] if row[ident] not in omit]
        rebuilt = payload["layers"][:at] + [dict(shared, rows=rows)] + payload["layers"][at:]
        assert rebuilt == storymap.step_payload(layers, story, number)["layers"]


def test_since_adds_a_first_step_and_marks_every_step():
    """`storymap.with_changes`, shared by presenter mode, its notes and the briefing: the story starts with
    what changed, and each step's map carries the marks; without a comparison nothing changes."""
    from geo.dataset.diff import diff
    from geo.web import changes, storymap

    layers, story = sample_layers(), sample_story()
    assert storymap.with_changes(story, None) == (story, None)
    old_rows = {"events": [{"key": "e1", "id": "e1", "title": "Before"}, {"key": "gone", "id": "gone",
                "title": "Gone", "date": "2025-01-01", "lat": 1.0, "lon": 2.0}]}  # fmt: skip
    new_rows = {"events": [{"key": "e1", "id": "e1", "title": "After"}, {"key": "e3", "id": "e3", "title": "New"}]}
    result = diff(old_rows, new_rows)
    found = {"result": result, "marks": changes.marks(result, old_rows, "v1"), "version": "v1"}
    since_story, marks = storymap.with_changes(story, found)
    assert len(since_story.steps) == len(story.steps) + 1
    first = since_story.steps[0]
    assert first.title == "Since the last briefing" and set(first.events) == {"e1", "e3"}
    assert since_story.steps[1:] == story.steps
    assert marks["added"] == ["e3"] and [g["id"] for g in marks["removed"]] == ["gone"]
    for number in range(1, len(since_story.steps) + 1):
        assert storymap.step_payload_marked(layers, since_story, number, marks)["since"] == marks
    assert "since" not in storymap.step_payload_marked(layers, story, 1, None)
    data = briefing.story_data(layers, since_story, marks)
    assert [step["title"] for step in data["steps"]][0] == "Since the last briefing"
    assert all(step["payload"]["since"] == marks for step in data["steps"])


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_snapshot_without_chromium_is_a_clear_error(tmp_path):
    result = run_cli("snapshot", str(tmp_path / "x.png"), env={"GEO_CHROMIUM": str(tmp_path / "no-chromium")})
    assert result.returncode == 2
    assert result.stderr.startswith("error: Chromium not found at") and "Traceback" not in result.stderr


def test_export_unknown_story_is_a_clear_error(tmp_path):
    result = run_cli("export", str(tmp_path / "b.html"), "--story", "nope", env={"GEO_BUILD_DIR": str(tmp_path)})
    assert result.returncode == 2 and "no such story" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "b.html").exists()


# ---------------------------------------------------------------- the seed story in Chromium


@pytest.fixture(scope="module")
def seed_briefing(tmp_path_factory, shared_build) -> Path:
    out = tmp_path_factory.mktemp("briefing") / "briefing.html"
    time.monotonic()
    result = run_cli("export", str(out), env={"GEO_BUILD_DIR": str(shared_build)})
    assert result.returncode == 0, result.stderr[-2000:]
    size = out.stat().st_size
    assert size <= briefing.SIZE_TARGET_BYTES, f"briefing is {size} bytes, target ≤ 2 MB"
    assert not OUTSIDE_LINK.search(out.read_text(encoding="utf-8"))
    return out


def view(page) -> dict:
    return page.evaluate(
        "() => { const m = window.atlasBriefing.map; const c = m.getCenter();"
        " return {lat: c.lat, lng: c.lng, zoom: m.getZoom()}; }"
    )


def shown_event_ids(page) -> set:
    return set(
        page.evaluate("""() => { const ids = [];
        window.atlasBriefing.map.eachLayer(l => { if (l.atlasKind === 'events' && l.options.radius > 8) ids.push(l.atlasProps.id); });
        return ids; }""")
    )


@pytest.mark.browser
@pytest.mark.slow
def test_briefing_from_disk_steps_with_the_keyboard_offline(seed_briefing):
    story = stories.parse(DEFAULT_STORY.read_text(encoding="utf-8"), label=str(DEFAULT_STORY))
    log = browser.PageLog()
    with browser.browser() as instance:
        page = browser.new_page(instance, log)
        page.goto(seed_briefing.resolve().as_uri())
        briefing.wait_settled(page)
        counts = page.evaluate(browser.COUNT_LAYERS)
        assert counts["events"] >= len(story.steps[0].events), counts
        assert shown_event_ids(page) == set(story.steps[0].events)
        assert page.inner_text(".brief-caption") == story.steps[0].caption
        assert page.inner_text(".brief-counter") == f"Step 1 of {len(story.steps)}"
        assert (
            page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.brief-caption')).fontSize)") >= 20
        )
        assert (
            page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.brief-title')).fontSize)") >= 32
        )
        before = view(page)

        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => window.atlasBriefing.current() === 2")
        briefing.wait_settled(page)
        assert page.inner_text(".brief-caption") == story.steps[1].caption
        assert shown_event_ids(page) == set(story.steps[1].events)
        after = view(page)
        assert after != before, "the map should fly to the second step"
        assert page.evaluate("() => location.hash") == "#step=2"

        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => window.atlasBriefing.current() === 1")
        page.click(".brief-next")
        page.wait_for_function("() => window.atlasBriefing.current() === 2")

        title = page.evaluate("""() => { let dot = null;
            window.atlasBriefing.map.eachLayer(l => { if (!dot && l.atlasKind === 'events' && l.options.radius > 8) dot = l; });
            dot.openPopup(); const node = document.querySelector('.leaflet-popup-content .atlas-popup-title');
            return node ? node.textContent : ''; }""")
        assert title, "a step's event should open a popup"
        browser.ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(browser.ARTIFACTS / "briefing.png"))
        assert log.outside_requests == [], log.outside_requests
        assert log.console_errors == [], log.console_errors
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_snapshot_cli_writes_a_png_of_the_step(tmp_path, shared_build, seed_briefing):
    browser.require_chromium()
    out = tmp_path / "step2.png"
    result = run_cli("snapshot", str(out), "--step", "2", env={"GEO_BUILD_DIR": str(shared_build)})
    assert result.returncode == 0, result.stderr[-2000:]
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == briefing.SNAPSHOT_SIZE
