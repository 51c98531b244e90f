"""axe-core on the four pages a viewer meets: the explorer, presenter mode, the speaker notes and an exported
briefing.html. Each must show 0 serious and 0 critical violations, in every frame (the map is an iframe).

Nothing is excluded: EXCLUDED and DISABLED below are empty, and any entry added must give its reason
(for example markup Streamlit itself generates that the app cannot change). axe's "incomplete" results
(needs review) are not violations; the one that matters here, the contrast of text over the map, is
checked by tests/test_contrast.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import a11y
import browser
import pytest

from geo.dataset import stories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORY = stories.parse(
    (Path(__file__).resolve().parent.parent / "data" / "stories" / "default.toml").read_text(encoding="utf-8"),
    label="default.toml",
)

# CSS selector → why it is left out of the check. Empty: nothing is.
EXCLUDED: dict[str, str] = {
    # The timeline's date brush: Vega-Lite draws an interval selection as two <path role="img"> rectangles
    # and gives the app no way to label them (its selection `mark` takes fill and stroke only). The
    # timeline's circles, which a screen reader needs, carry their labels; the date inputs beside the
    # slider set the same range from the keyboard.
    ".timeline_brush_brush_bg": "Vega-Lite's interval brush (unlabelled by Vega-Lite itself)",
    ".timeline_brush_brush": "Vega-Lite's interval brush (unlabelled by Vega-Lite itself)",
}
# axe rule id → why it is off. Empty: every rule runs.
DISABLED: dict[str, str] = {}


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def check(page, log: browser.PageLog) -> None:
    found = a11y.violations(page, exclude=EXCLUDED, disable=DISABLED)
    assert found == [], "\n".join(str(v) for v in found)
    assert log.outside_requests == [], log.outside_requests
    page.context.close()


def test_explorer_with_details_legend_and_event_list_open(chromium, app_url):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    page.goto(app_url + "/?event=victory-day-parade")
    frame = browser.map_frame(page, timeout_s=90)
    page.locator("iframe[title*='atlas_event_table']").first.wait_for(timeout=30_000)
    page.get_by_role("heading", name="Victory Day parade").wait_for(timeout=30_000)
    # The map's own controls open, so their markup is checked too.
    frame.get_by_role("button", name="Legend").click()
    frame.get_by_role("button", name="Events in view").click()
    frame.locator(".atlas-events-item").first.wait_for(state="visible")
    check(page, log)


def test_presenter_mode(chromium, app_url):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    page.goto(app_url + "/?mode=present")
    browser.map_frame(page, timeout_s=90)
    page.get_by_text(STORY.steps[0].caption).first.wait_for(timeout=60_000)
    check(page, log)


def test_speaker_notes(chromium, app_url):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    page.goto(app_url + "/?mode=notes")
    page.locator(".atlas-notes").wait_for(timeout=120_000)  # a cold build may come first
    page.locator(".atlas-notes-next").wait_for(timeout=10_000)
    check(page, log)


def test_exported_briefing(chromium, shared_build, tmp_path):
    out = tmp_path / "briefing.html"
    result = subprocess.run(
        [sys.executable, "-m", "geo", "export", str(out)],
        cwd=browser.PROJECT_ROOT,
        env={**os.environ, "GEO_BUILD_DIR": str(shared_build)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    page.goto(out.as_uri())
    page.wait_for_function(
        "() => window.atlasBriefing && window.atlasBriefing.map && document.querySelector('.atlas-legend')",
        timeout=30_000,
    )
    check(page, log)
