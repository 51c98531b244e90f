"""Hostile strings in every field, shown in headless Chromium: nothing executes, text shows exactly.

Three surfaces: the standalone map page (`mapview.make_map`, as exported), the offline briefing
(`python -m geo export out.html`), and the app (`streamlit run app.py`, one server for the module).
A payload that ran would set `window.__pwned` or open a dialog; `hostile_data.assert_nothing_ran`
checks every frame for that, for injected active markup and for requests leaving the machine.
"""

from __future__ import annotations

import time
import urllib.parse

import browser
import pytest
from hostile_data import EVIL_ID, assert_nothing_ran, make_hostile_dataset, probe_all_frames, warm_cache

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OPEN_ALL = """() => {
  const map = window.atlasMaps[window.atlasMaps.length - 1];
  const out = {popups: [], tooltips: [], kinds: {}};
  const layers = [];
  map.eachLayer(l => { if (l.atlasKind && l.getPopup && l.getPopup()) layers.push(l); });
  for (const l of layers) {
    l.openPopup();
    const el = l.getPopup().getElement();
    const node = el ? el.querySelector('.leaflet-popup-content') : null;
    out.popups.push({kind: l.atlasKind, text: node ? node.textContent : null,
                     title: node && node.querySelector('.atlas-popup-title') ? node.querySelector('.atlas-popup-title').textContent : null});
    l.closePopup();
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      const tip = l.getTooltip().getElement();
      out.tooltips.push(tip ? tip.textContent : null);
      l.closeTooltip();
    }
    out.kinds[l.atlasKind] = (out.kinds[l.atlasKind] || 0) + 1;
  }
  const legend = document.querySelector('.atlas-legend');
  out.legend = legend ? legend.textContent : null;
  return out;
}"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from geo import layers as layer_stage

    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    expected = make_hostile_dataset(data)
    warm_cache()
    layers = layer_stage.load_layers(data)
    return {"data": data, "expected": expected, "layers": layers, "root": root}


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def check_map(frame, expected) -> dict:
    seen = frame.evaluate(OPEN_ALL)
    titles = {p["title"] for p in seen["popups"] if p["kind"] == "events"}
    for event_id, title in expected["event_titles"].items():
        assert title in titles, f"popup title of {event_id!r} not shown exactly: {title!r}"
    texts = " ".join(p["text"] or "" for p in seen["popups"])
    for name in list(expected["route_names"].values()) + list(expected["region_names"].values()):
        assert name in texts, name
    for title in expected["event_titles"].values():
        assert any(title in (t or "") for t in seen["tooltips"]), title
    legend = seen["legend"] or ""
    assert "·name-" in legend, "actor names should be in the legend"
    for _actor_id, name in expected["actor_names"].items():
        if name.split(" ·")[-1] in legend:
            assert name in legend, f"legend garbles {name!r}"
    return seen


def test_standalone_map_page(chromium, hostile, tmp_path):
    from geo.web import mapview

    page_file = tmp_path / "map.html"
    page_file.write_text(mapview.make_map(hostile["layers"]).get_root().render(), encoding="utf-8")
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto(page_file.as_uri())
    frame = browser.map_frame(page, timeout_s=30)
    seen = check_map(frame, hostile["expected"])
    assert seen["kinds"].get("events", 0) >= len(hostile["expected"]["event_titles"])
    page.wait_for_timeout(200)
    assert_nothing_ran(page, log)
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_briefing_export(chromium, hostile, tmp_path):
    from geo.dataset import stories
    from geo.web import briefing

    out = tmp_path / "briefing.html"
    result = briefing.export(out, None, hostile["data"])
    story = stories.load(None, hostile["layers"], data_dir=hostile["data"])
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto(out.resolve().as_uri())
    page.wait_for_function("() => window.atlasBriefing && window.atlasBriefing.settled()", timeout=20_000)
    assert page.title() == story.title, "the <title> shows the story title as text"
    assert page.evaluate("() => document.querySelector('.brief-story').textContent") == story.title
    for number, step in enumerate(story.steps, 1):
        page.evaluate(f"() => window.atlasBriefing.show({number})")
        shown = page.evaluate(
            "() => [document.querySelector('.brief-title').textContent, "
            "document.querySelector('.brief-caption').textContent]"
        )
        assert shown == [step.title, step.caption or ""], (number, shown)
    frame = browser.map_frame(page, timeout_s=10)
    frame.evaluate(OPEN_ALL)
    page.wait_for_timeout(200)
    assert result.steps == len(story.steps)
    assert_nothing_ran(page, log)
    page.context.close()


# ------------------------------------------------------------------ the app


@pytest.fixture(scope="module")
def app(hostile, tmp_path_factory):
    import shutil

    browser.require_chromium()
    data = hostile["root"] / "app-data"  # its own copy: a test breaks it on purpose
    shutil.copytree(hostile["data"], data)
    build = tmp_path_factory.mktemp("app-build")
    with browser.streamlit_app(env={"GEO_DATA_DIR": str(data), "GEO_BUILD_DIR": str(build)}) as url:
        yield {"url": url, "data": data}


def wait_text(page, text: str, timeout_s: float = 60.0) -> None:
    page.wait_for_function(
        "(t) => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout_s * 1000
    )


def no_traceback(page) -> None:
    body = page.evaluate("() => document.body.innerText")
    assert "Traceback" not in body, body[:2000]
    assert page.locator(".stException, [data-testid='stException']").count() == 0


def test_app_map_detail_panel_and_sidebar(chromium, hostile, app):
    expected = hostile["expected"]
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto(app["url"] + "/?event=" + urllib.parse.quote(EVIL_ID, safe=""))
    frame = browser.map_frame(page, timeout_s=90)
    wait_text(page, "events shown")
    check_map(frame, expected)
    # The detail panel shows the clicked event's title, summary and sources as text.
    title = expected["event_titles"][EVIL_ID]
    wait_text(page, "·title-evil")
    headings = page.evaluate("() => Array.from(document.querySelectorAll('h1,h2,h3,h4')).map(h => h.textContent)")
    assert title in headings, (title, headings)
    body = page.evaluate("() => document.body.innerText")
    assert expected["event_summaries"][EVIL_ID] in page.evaluate("() => document.body.textContent")
    assert "link not shown: only http/https" in body  # the javascript: URL of its citation
    no_traceback(page)
    # Titles that are Markdown (links, images, emphasis, LaTeX, directives) or template syntax show as typed.
    for marker in ("**bold**", "[click](javascript:", "${window", "{{ 7*7 }}"):
        event_id, title = next((i, t) for i, t in expected["event_titles"].items() if marker in t)
        page.goto(app["url"] + "/?event=" + urllib.parse.quote(event_id, safe=""))
        browser.map_frame(page, timeout_s=60)
        wait_text(page, title.split(" ·")[-1])
        headings = page.evaluate("() => Array.from(document.querySelectorAll('h3')).map(h => h.textContent)")
        assert title in headings, (title, headings)
    time.sleep(0.5)
    assert_nothing_ran(page, log)
    page.context.close()


def test_probe_catches_a_script_that_runs(chromium, tmp_path):
    """Negative control: the checks above would notice a payload that executed."""
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto((tmp_path / "x.html").as_uri() if (tmp_path / "x.html").write_text("<p>x</p>") else "about:blank")
    page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__pwned=1;alert(1)\">')"
    )
    page.wait_for_timeout(300)
    assert any(r["pwned"] == "1" for r in probe_all_frames(page))
    assert log.dialogs == ["1"]
    page.context.close()


def test_app_presenter_mode(chromium, hostile, app):
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto(app["url"] + "/?mode=present")
    browser.map_frame(page, timeout_s=90)
    wait_text(page, "·story-title")
    text = page.evaluate("() => document.body.textContent")
    from geo.dataset import stories

    story = stories.load(None, hostile["layers"], data_dir=hostile["data"])
    assert story.steps[0].title in text
    no_traceback(page)
    time.sleep(0.5)
    assert_nothing_ran(page, log)
    page.context.close()


def test_app_bad_dataset_keeps_last_good_build(chromium, hostile, app):
    """Break the dataset under a running app: an error box names file and line, the map stays."""
    log = browser.PageLog()
    page = browser.new_page(chromium, log)
    page.goto(app["url"])
    browser.map_frame(page, timeout_s=90)
    wait_text(page, "events shown")
    total = len(hostile["expected"]["event_titles"])
    assert f"of {total} events shown" in page.evaluate("() => document.body.innerText")
    events = app["data"] / "events.csv"
    good = events.read_bytes()
    try:
        lines = good.decode("utf-8").split("\n")
        lines[3] = lines[3].replace("2025-09-0", "2025-02-3", 1)  # an impossible date on line 4
        assert lines[3] != good.decode("utf-8").split("\n")[3]
        events.write_text("\n".join(lines), encoding="utf-8")
        page.reload()
        frame = browser.map_frame(page, timeout_s=90)
        wait_text(page, "problem(s)")
        wait_text(page, f"of {total} events shown")  # the caption follows the error box
        body = page.evaluate("() => document.body.innerText")
        assert f"{events}:4: impossible date" in body, body[:1500]
        assert "Showing the last good build" in body
        assert f"of {total} events shown" in body
        assert frame.evaluate(browser.COUNT_LAYERS)["events"] >= total
        no_traceback(page)
        # 0-byte file: same story
        events.write_bytes(b"")
        page.reload()
        browser.map_frame(page, timeout_s=90)
        wait_text(page, "empty file (0 bytes)")
        wait_text(page, f"of {total} events shown")
        no_traceback(page)
    finally:
        events.write_bytes(good)
    assert_nothing_ran(page, log)
    assert [r for r in probe_all_frames(page) if r["pwned"]] == []
    page.context.close()
