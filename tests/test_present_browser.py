"""Presenter mode and speaker notes in the running app (one Streamlit server, headless Chromium,
network cut off)."""

from __future__ import annotations

import time
from pathlib import Path

import browser
import pytest

from geo.dataset import stories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORY = stories.parse(
    (Path(__file__).resolve().parent.parent / "data" / "stories" / "default.toml").read_text(encoding="utf-8"),
    label="default.toml",
)

VIEW = (
    "() => { const m = window.atlasMaps[window.atlasMaps.length - 1]; const c = m.getCenter();"
    " return {lat: c.lat, lng: c.lng, zoom: m.getZoom()}; }"
)


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


@pytest.fixture
def page(chromium):
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.atlas_log = log
    yield page
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


def settled_view(frame, away_from: dict | None = None, timeout_s: float = 15.0) -> dict:
    """The map's view once it has stopped moving (the fly between steps takes ~1.2 s); with
    `away_from`, only a view different from that one counts."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        now = frame.evaluate(VIEW)
        if now == last and now != away_from:
            return now
        last = now
        time.sleep(0.15)
    raise AssertionError(f"map still moving after {timeout_s} s: {last}")


def caption(page, step: int) -> None:
    page.get_by_text(STORY.steps[step - 1].caption).wait_for(timeout=60_000)


def test_presenter_mode_hides_chrome_and_next_flies_the_same_map(page, app_url):
    time.monotonic()
    page.goto(app_url + "/?mode=present")
    caption(page, 1)
    frame = browser.map_frame(page, timeout_s=60)
    first_view = settled_view(frame)
    assert (
        page.locator('[data-testid="stSidebar"]').count() == 0
        or not page.locator('[data-testid="stSidebar"]').is_visible()
    )
    assert not page.locator('header[data-testid="stHeader"]').is_visible()
    assert page.get_by_text(f"Step 1 of {len(STORY.steps)}").is_visible()
    assert page.get_by_text("Exit presenter mode").get_attribute("href") == "?"
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.atlas-step-caption')).fontSize)")
    title = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.atlas-step-title')).fontSize)")
    assert size >= 20 and title >= 32, (size, title)
    frame.evaluate("() => { window.atlasMaps[window.atlasMaps.length - 1].__sameMap = true; }")

    time.monotonic()
    page.get_by_role("button", name="Next ▶").click()
    caption(page, 2)
    page.wait_for_function("s => location.search.includes(s)", arg="step=2", timeout=10_000)
    second_view = settled_view(frame, away_from=first_view)
    assert second_view != first_view, "the map should fly to step 2"
    assert frame.evaluate("() => !!window.atlasMaps[window.atlasMaps.length - 1].__sameMap"), "map was remounted"
    page.wait_for_timeout(200)
    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(browser.ARTIFACTS / "present-step2.png"))


def test_link_opens_a_step_and_keys_move_on(page, app_url):
    page.goto(app_url + "/?mode=present&step=3")
    caption(page, 3)
    assert page.get_by_text(f"Step 3 of {len(STORY.steps)}").is_visible()
    browser.map_frame(page, timeout_s=60)
    page.keyboard.press("ArrowRight")  # a presenter's clicker
    caption(page, 4)
    page.wait_for_function("s => location.search.includes(s)", arg="step=4", timeout=10_000)


def test_notes_view_shows_the_steps_notes_and_whats_next(page, app_url):
    page.goto(app_url + "/?mode=notes&step=2")
    notes = page.locator(".atlas-notes")
    notes.wait_for(timeout=60_000)
    first_line = STORY.steps[1].notes.splitlines()[0]
    assert first_line in notes.inner_text()
    assert STORY.steps[2].title in page.locator(".atlas-notes-next").inner_text()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.atlas-notes')).fontSize)") >= 20


def notes_title(notes_page) -> str:
    return notes_page.locator(".atlas-step-title").inner_text()


def wait_for_notes_step(notes_page, step: int, timeout_s: float = 30.0) -> None:
    """The notes page shows `step` (it reloads itself to follow, so the element may be replaced)."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = notes_page.locator(".atlas-notes-next").inner_text(timeout=2_000)
            if f"Step {step} of" in notes_page.locator(".atlas-bar-counter").inner_text(timeout=2_000):
                return
        except Exception:  # mid-reload
            pass
        time.sleep(0.2)
    raise AssertionError(f"notes window did not follow to step {step}; it shows {last!r}")


def test_notes_window_follows_the_presenter(page, app_url):
    page.goto(app_url + "/?mode=present&step=2")
    caption(page, 2)
    browser.map_frame(page, timeout_s=60)

    # Opened later at another step (a stale link): it asks for the presenter's step and goes there.
    notes_log = browser.PageLog()
    notes = page.context.new_page()
    notes_log.attach(notes)
    notes.goto(app_url + "/?mode=notes&step=1")
    wait_for_notes_step(notes, 2)
    assert STORY.steps[1].title in notes_title(notes)

    page.keyboard.press("ArrowRight")
    caption(page, 3)
    wait_for_notes_step(notes, 3)
    assert STORY.steps[3].title in notes.locator(".atlas-notes-next").inner_text()

    # Two quick steps: the notes window ends where the presenter is, not one behind.
    page.get_by_role("button", name="Next ▶").click()
    caption(page, 4)
    page.get_by_role("button", name="Next ▶").click()
    caption(page, 5)
    wait_for_notes_step(notes, 5)

    # Peeking ahead in the notes window leaves the presenter where it is.
    notes.get_by_role("button", name="Next ▶").click()
    wait_for_notes_step(notes, 6)
    page.wait_for_timeout(1_000)
    assert "step=5" in page.url and page.get_by_text(f"Step 5 of {len(STORY.steps)}").is_visible()
    assert notes_log.outside_requests == [] and notes_log.console_errors == [], (
        notes_log.outside_requests,
        notes_log.console_errors,
    )
