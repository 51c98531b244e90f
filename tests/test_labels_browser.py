"""Basemap labels in the browser: named places at a presenter step, in the explorer and in the exported
briefing; no label overlaps another label or an event dot (headless Chromium, network cut off)."""

from __future__ import annotations

import time
from pathlib import Path

import browser
import pytest

from geo.dataset import stories
from geo.web import briefing

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORY = stories.parse(
    (Path(__file__).resolve().parent.parent / "data" / "stories" / "default.toml").read_text(encoding="utf-8"),
    label="default.toml",
)
KIM_TRAIN_STEP = next(i for i, s in enumerate(STORY.steps, 1) if "kim-train-2025" in s.routes)

# Labels (text, box, class) and event-dot boxes of the last map, all in the frame's client pixels.
# Dots are read off the canvas renderer independently of labels.js.
LAYOUT = """
() => {
  const map = window.atlasMaps[window.atlasMaps.length - 1];
  const origin = map.getContainer().getBoundingClientRect();
  const labels = [...map.getContainer().querySelectorAll('.atlas-label')].map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent, cls: e.className, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
            size: parseFloat(getComputedStyle(e).fontSize)};
  });
  const dots = [];
  const layers = map.atlas.renderer ? map.atlas.renderer._layers : {};
  Object.values(layers).forEach(l => {
    if (!(l instanceof L.CircleMarker) || l instanceof L.Circle || l.atlasHidden || !l._point) return;
    const p = map.layerPointToContainerPoint(l._point);
    const r = l._radius + (l.options.stroke ? l.options.weight / 2 : 0);
    dots.push({x0: origin.left + p.x - r, y0: origin.top + p.y - r, x1: origin.left + p.x + r, y1: origin.top + p.y + r});
  });
  return {labels, dots, zoom: map.getZoom(), map: {x0: origin.left, y0: origin.top, x1: origin.right, y1: origin.bottom}};
}
"""


def overlaps(a, b) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def check_layout(layout) -> None:
    labels, dots = layout["labels"], layout["dots"]
    assert labels, "no labels drawn"
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlaps(a, b), (a, b)
        for d in dots:
            assert not overlaps(a, d), (a, d)
        m = layout["map"]
        assert m["x0"] <= a["x0"] and a["x1"] <= m["x1"] and m["y0"] <= a["y0"] and a["y1"] <= m["y1"], a


def settled_layout(frame, timeout_s: float = 20.0) -> dict:
    """The layout once the map stopped moving and the labels stopped changing."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        now = frame.evaluate(LAYOUT)
        if now == last and now["labels"]:
            return now
        last = now
        time.sleep(0.3)
    raise AssertionError(f"labels still changing after {timeout_s} s")


@pytest.fixture(scope="module")
def chromium():
    browser.require_chromium()
    with browser.browser() as instance:
        yield instance


@pytest.fixture
def page(chromium):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    yield page
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}, timeout_s=90) as url:
        yield url


def test_presenter_step_names_beijing_and_pyongyang(page, app_url):
    page.goto(app_url + f"/?mode=present&step={KIM_TRAIN_STEP}")
    page.get_by_text(STORY.steps[KIM_TRAIN_STEP - 1].caption).wait_for(timeout=90_000)
    frame = browser.map_frame(page, timeout_s=60)
    layout = settled_layout(frame)
    texts = [label["text"] for label in layout["labels"]]
    assert "Beijing" in texts and "Pyongyang" in texts, texts
    assert layout["dots"], "the step's event dots are drawn"
    check_layout(layout)
    # presenter type: labels legible at projector size
    assert min(label["size"] for label in layout["labels"]) >= 16
    page.screenshot(path="/tmp/labels-present.png")


def test_explorer_labels_grow_with_zoom(page, app_url):
    page.goto(app_url)
    frame = browser.map_frame(page, timeout_s=90)
    world = settled_layout(frame)
    check_layout(world)
    assert any("atlas-label-country" in label["cls"] for label in world["labels"])
    assert any("atlas-label-water" in label["cls"] for label in world["labels"])
    assert not any("atlas-label-admin1" in label["cls"] for label in world["labels"])  # regions: zoom ≥ 5
    page.screenshot(path="/tmp/labels-explorer.png")
    frame.evaluate(
        "() => window.atlasMaps[window.atlasMaps.length - 1].setView([39.9, 116.4], 6, {animate: false}) && true"
    )
    close = settled_layout(frame)
    assert close["zoom"] == 6
    check_layout(close)
    texts = [label["text"] for label in close["labels"]]
    assert "Beijing" in texts, texts
    assert any("atlas-label-admin1" in label["cls"] for label in close["labels"]), texts
    page.screenshot(path="/tmp/labels-explorer-zoom6.png")


def test_collision_pass(page, app_url):
    page.goto(app_url)
    frame = browser.map_frame(page, timeout_s=90)
    placed = frame.evaluate("""() => AtlasLabels.place(
        [{x: 100, y: 100, w: 60, h: 14, point: false}, {x: 110, y: 100, w: 60, h: 14, point: false},
         {x: 300, y: 100, w: 50, h: 14, point: true}, {x: 500, y: 100, w: 50, h: 14, point: false}],
        [{x0: 290, y0: 90, x1: 360, y1: 110}, {x0: 470, y0: 60, x1: 530, y1: 140}],
        {x0: 0, y0: 0, x1: 800, y1: 600})""")
    first, second, city, blocked = placed
    assert first == {"x0": 70, "y0": 93, "x1": 130, "y1": 107, "pin": False}
    assert second is None or not overlaps(first, second)  # moved above/below, or dropped
    assert city is not None and not overlaps(city, {"x0": 290, "y0": 90, "x1": 360, "y1": 110})  # moved off the dot
    assert blocked is None  # an area label under an obstacle on every side is dropped


def test_exported_briefing_has_labels(page, tmp_path):
    out = briefing.export(tmp_path / "briefing.html").path
    page.goto(out.resolve().as_uri() + f"#step={KIM_TRAIN_STEP}")
    briefing.wait_settled(page)
    layout = settled_layout(page.main_frame)
    texts = [label["text"] for label in layout["labels"]]
    assert "Beijing" in texts and "Pyongyang" in texts, texts
    check_layout(layout)
    page.screenshot(path="/tmp/labels-briefing.png")
