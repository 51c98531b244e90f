"""Presenter mode at projector sizes, its keys after a click in the map, and the way back to the explorer
(issue 20, "Presenter mode"; the legend's share of the map from issue 17). One Streamlit server, headless
Chromium, network cut off."""

from __future__ import annotations

import re
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
SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
BEIJING_STEP = 6

# The page: how tall it is and how far it scrolls, and where the caption and the buttons are.
PAGE_FIT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const box = sel => { const e = document.querySelector(sel); if (!e) return null;
                       const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]').getBoundingClientRect();
  return {inner: [innerWidth, innerHeight], scroll: document.documentElement.scrollHeight,
          main: main ? [main.scrollHeight, main.clientHeight] : null,
          frame: [frame.left, frame.top, frame.right, frame.bottom],
          parts: {title: box('.atlas-step-title'), caption: box('.atlas-step-caption'),
                  next: box('.st-key-atlas_next button'), prev: box('.st-key-atlas_prev button'),
                  download: box('.st-key-atlas_download button'), exit: box('.atlas-exit')}};
}"""

# Inside the map's frame: the map's size, the legend's box, and where the step's event dots are drawn.
MAP_FIT = """ids => {
  const map = window.atlasMaps[window.atlasMaps.length - 1];
  const size = map.getSize();
  const legend = map.getContainer().querySelector('.atlas-legend').getBoundingClientRect();
  const dots = [];
  map.eachLayer(layer => {
    if (layer.atlasKind !== 'events' || layer.atlasHidden || !layer.getLatLng) return;
    if (!ids.includes(layer.atlasProps && layer.atlasProps.id)) return;
    const p = map.latLngToContainerPoint(layer.getLatLng());
    dots.push({id: layer.atlasProps.id, x: p.x, y: p.y});
  });
  return {size: [size.x, size.y], keyboard: map.keyboard.enabled(),
          legend: [legend.left, legend.top, legend.right, legend.bottom], dots};
}"""

STEP_FROM_URL = "() => new URLSearchParams(location.search).get('step')"


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def open_page(chromium, size):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=size)
    page.atlas_log = log
    return page


def close_page(page):
    log = page.atlas_log
    page.context.close()
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors


def caption(page, step: int) -> None:
    page.get_by_text(STORY.steps[step - 1].caption).wait_for(timeout=90_000)


def settled(page, frame, timeout_s: float = 15.0) -> dict:
    """Page and map measurements once the map has stopped moving and the page has stopped resizing."""
    deadline = time.monotonic() + timeout_s
    ids = list(STORY.steps[BEIJING_STEP - 1].events)
    last = None
    while time.monotonic() < deadline:
        now = {"page": page.evaluate(PAGE_FIT), "map": frame.evaluate(MAP_FIT, ids)}
        if now == last:
            return now
        last = now
        time.sleep(0.25)
    raise AssertionError(f"presenter view still changing after {timeout_s} s: {last}")


def inside(box, width, height, slack=0.5) -> bool:
    left, top, right, bottom = box
    return left >= -slack and top >= -slack and right <= width + slack and bottom <= height + slack


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_presenter_view_fits_the_window(chromium, app_url, size):
    page = open_page(chromium, size)
    page.goto(app_url + f"/?mode=present&step={BEIJING_STEP}")
    caption(page, BEIJING_STEP)
    frame = browser.map_frame(page, timeout_s=90)
    seen = settled(page, frame)
    view, drawn = seen["page"], seen["map"]
    width, height = view["inner"]
    assert (width, height) == size

    # No scrolling: neither the document nor Streamlit's scrolling main area is taller than the window.
    assert view["scroll"] <= height, view
    assert view["main"] is None or view["main"][0] <= view["main"][1] + 1, view
    # The map's frame is in the window and takes most of its height; the map fills the frame.
    assert inside(view["frame"], width, height), view["frame"]
    frame_w, frame_h = view["frame"][2] - view["frame"][0], view["frame"][3] - view["frame"][1]
    assert frame_h >= 0.75 * height, (frame_h, height)
    assert abs(drawn["size"][1] - frame_h) <= 1 and abs(drawn["size"][0] - frame_w) <= 1, (drawn["size"], frame_h)
    # The caption and every control are in the window.
    for name, box in view["parts"].items():
        assert box is not None and inside(box, width, height), (name, box)

    # The step's dots (Beijing at step 6) and the legend are on the map, inside the window.
    map_w, map_h = drawn["size"]
    assert drawn["dots"], "no dot of the step drawn"
    for dot in drawn["dots"]:
        assert 0 <= dot["x"] <= map_w and 0 <= dot["y"] <= map_h, dot
        page_y = view["frame"][1] + dot["y"]
        assert 0 <= page_y <= height, (dot, page_y)
    legend = drawn["legend"]
    assert inside(legend, map_w, map_h), (legend, drawn["size"])
    share = (legend[2] - legend[0]) * (legend[3] - legend[1]) / (map_w * map_h)
    assert share <= 0.15, f"legend covers {share:.1%} of the map"
    # Legible: the legend's type stays presenter-sized.
    legend_font = frame.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.atlas-legend')).fontSize)")
    assert legend_font >= 16, legend_font
    print(f"{size}: map {map_w}x{map_h} ({frame_h / height:.0%} of the height), legend {share:.1%}")

    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(browser.ARTIFACTS / f"present-{size[0]}x{size[1]}.png"))
    close_page(page)


def test_keys_step_after_a_click_in_the_map(chromium, app_url):
    page = open_page(chromium, (1280, 720))
    page.goto(app_url + "/?mode=present&step=1")
    caption(page, 1)
    frame = browser.map_frame(page, timeout_s=90)
    assert frame.evaluate("() => window.atlasMaps[window.atlasMaps.length - 1].keyboard.enabled()") is False

    # A click on the map (an empty spot near its top right, away from the dots) puts the focus in its frame.
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + 60)
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'IFRAME'", timeout=5_000)
    assert frame.evaluate("() => document.hasFocus()")
    page.evaluate(
        "() => { window.__plays = 0; document.addEventListener('atlas-play-toggle', () => window.__plays++); }"
    )

    for key, step in (("ArrowRight", 2), ("PageDown", 3), ("ArrowLeft", 2), ("PageUp", 1)):
        page.keyboard.press(key)
        caption(page, step)
        page.wait_for_function(f"() => ({STEP_FROM_URL})() === '{step}'", timeout=10_000)
        assert frame.evaluate("() => document.hasFocus()"), f"focus left the map after {key}"

    # A clicker's blank-screen button ("b" or ".") blacks the window out, and the next press brings it back.
    page.keyboard.press("b")
    page.locator(".atlas-blank").wait_for(state="visible", timeout=5_000)
    assert page.evaluate(STEP_FROM_URL) == "1"
    page.keyboard.press(".")
    page.locator(".atlas-blank").wait_for(state="detached", timeout=5_000)

    # Space asks a playback control to play or pause, and does not step.
    page.keyboard.press(" ")
    page.wait_for_function("() => window.__plays === 1", timeout=5_000)
    assert page.evaluate(STEP_FROM_URL) == "1"

    # On the page too, also with the focus on a button: Space is the playback hook's, it presses nothing.
    page.evaluate(
        "() => window.addEventListener('keydown', e => { if (e.key === ' ') window.__spaceTaken = e.defaultPrevented; })"
    )
    page.locator(".st-key-atlas_next button").focus()
    page.keyboard.press(" ")
    page.wait_for_function("() => window.__plays === 2", timeout=5_000)
    assert page.evaluate("() => window.__spaceTaken") is True

    # The map still pans on drag.
    before = frame.evaluate("() => window.atlasMaps[window.atlasMaps.length - 1].getCenter().lng")
    x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 200, y, steps=8)
    page.mouse.up()
    frame.wait_for_function(
        "before => window.atlasMaps[window.atlasMaps.length - 1].getCenter().lng > before + 0.5",
        arg=before,
        timeout=5_000,
    )
    close_page(page)


SHOWN = re.compile(r"(\d+) of (\d+) events shown")


def shown_count(page) -> tuple[int, int]:
    text = page.get_by_text(SHOWN).first.inner_text(timeout=90_000)
    found = SHOWN.search(text)
    return int(found.group(1)), int(found.group(2))


def test_exit_returns_to_the_filtered_view(chromium, app_url):
    page = open_page(chromium, (1366, 768))
    page.goto(app_url + "/?actor=kim&q=Beijing")
    browser.map_frame(page, timeout_s=90)
    shown, total = shown_count(page)
    assert 0 < shown < total, (shown, total)  # the filters matter

    page.get_by_role("button", name="Presenter mode").click()
    caption(page, 1)
    page.get_by_role("button", name="Next ▶").click()
    caption(page, 2)
    query = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    assert query.get("actor") == "kim" and query.get("q") == "Beijing" and query.get("step") == "2", query

    page.get_by_text("Exit presenter mode").click()
    browser.map_frame(page, timeout_s=90)
    page.wait_for_function("() => !new URLSearchParams(location.search).has('mode')", timeout=30_000)
    assert shown_count(page) == (shown, total)
    query = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    assert query.get("actor") == "kim" and query.get("q") == "Beijing", query
    assert "step" not in query and "mode" not in query, query
    close_page(page)


def test_every_step_fits_at_1280x720(chromium, app_url):
    """Captions differ in length: at the smallest size, each step's caption and buttons are on screen."""
    page = open_page(chromium, (1280, 720))
    page.goto(app_url + "/?mode=present&step=1")
    caption(page, 1)
    frame = browser.map_frame(page, timeout_s=90)
    for step in range(1, len(STORY.steps) + 1):
        if step > 1:
            page.keyboard.press("ArrowRight")
            caption(page, step)
        view = settled(page, frame)["page"]
        assert view["scroll"] <= 720 and view["main"][0] <= view["main"][1] + 1, (step, view)
        for name in ("title", "next", "prev", "download"):
            assert inside(view["parts"][name], 1280, 720), (step, name, view["parts"][name])
        # The caption is on screen in full, not scrolled inside its box.
        assert page.evaluate(
            "() => { const c = document.querySelector('.st-key-atlas_panel > "
            ".stElementContainer:has(.atlas-step)'); return c.scrollHeight <= c.clientHeight + 1; }"
        ), step
    close_page(page)
