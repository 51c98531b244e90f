"""The app on 5,000 synthetic events in headless Chromium: everything drawn, offline, compact, and a
filter change that updates the map in place. No timings here: `python -m geo bench render` measures."""

from __future__ import annotations

import time

import browser
import pytest
from test_app_browser import MONITOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N_EVENTS = 5000


@pytest.fixture(scope="module")
def scale_app(tmp_path_factory):
    browser.require_chromium()
    from benchmarks import synth
    from geo import layers as layer_stage

    data = tmp_path_factory.mktemp("synth") / "synth-5k"
    build = tmp_path_factory.mktemp("build")
    synth.generate(N_EVENTS, data, seed=2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_BUILD_DIR", str(build))
        layer_stage.build(data)
        layers = layer_stage.load_layers(data)
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(build), "GEO_DATA_DIR": str(data)}) as url:
        yield url, layers


def wait_for(predicate, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout_s:.0f} s")


def open_all_drawn(chromium, url: str, log: browser.PageLog):
    """The app's page and map frame once every one of the N_EVENTS dots is drawn."""
    page = browser.new_page(chromium, log)
    page.goto(url)
    frame = browser.map_frame(page, timeout_s=90)
    wait_for(lambda: frame.evaluate(browser.COUNT_LAYERS)["events"] == N_EVENTS)
    return page, frame


def test_payload_is_under_250_bytes_per_event(scale_app):
    from geo.layers import filters as view_filters
    from geo.web import escape, mapview

    _, layers = scale_app
    published = mapview.publish_data(layers)
    assert published.counts["events"] == N_EVENTS
    assert published.bytes / N_EVENTS <= 250, published.bytes / N_EVENTS
    # A filter change sends a view: one bit per row, not the rows.
    talks = view_filters.filter_layers(layers, view_filters.Filters(types=("talks",)))
    view = escape.script_json(mapview.view_payload(published, talks, view_filters.ALL_LAYERS))
    assert len(view) < 5000, len(view)


def test_5k_events_render_offline_and_filter_in_place(scale_app):
    url, layers = scale_app
    events = layers["events"]
    talks = int((events["type"] == "talks").sum())
    log = browser.PageLog()
    with browser.browser() as chromium:
        page, frame = open_all_drawn(chromium, url, log)

        popup = frame.evaluate("""() => {
            const map = window.atlasMaps[window.atlasMaps.length - 1];
            let target = null;
            map.eachLayer(l => { if (!target && l.atlasKind === 'events' && l.atlasProps.actors.length) target = l; });
            target.openPopup();
            const box = document.querySelector('.leaflet-popup-content');
            return {title: box.querySelector('.atlas-popup-title').textContent, text: box.textContent,
                    props: target.atlasProps};
        }""")
        props = popup["props"]
        assert popup["title"] == props["title"]
        for part in (props["date"], props["place"], props["type"]):
            assert part in popup["text"]
        assert "summary" not in props, "at scale the summary stays in the detail panel"

        browser.open_filters(page)
        page.evaluate(MONITOR)
        box = page.locator('[data-testid="stMultiSelect"]', has_text="Event type").locator("input")
        box.click()
        box.fill("talks")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for(lambda: frame.evaluate(browser.COUNT_LAYERS)["events"] == talks)
        page.wait_for_timeout(500)
        state = page.evaluate("() => ({blank: window.__blankMs, maps: window.__maps.size, samples: window.__samples})")
        assert state["samples"] > 10 and state["blank"] == 0 and state["maps"] == 1, state

        # Filtered-out dots stay on the map hidden: a full redraw of the canvas draws exactly the dots
        # of the matching events, and the pointer finds only those.
        drawn = frame.evaluate("""() => {
            const map = window.atlasMaps[window.atlasMaps.length - 1];
            const dots = [];
            map.eachLayer(l => { if (l.atlasKind === 'events') dots.push(l); });
            const renderer = dots[0].options.renderer;
            const seen = new Set();
            const draw = renderer._updateCircle;
            renderer._updateCircle = function (layer) { if (this._drawing) seen.add(layer); return draw.apply(this, arguments); };
            renderer._redrawBounds = null;
            renderer._redraw();
            renderer._updateCircle = draw;
            const shown = dots.filter(d => !d.atlasHidden), hidden = dots.filter(d => d.atlasHidden);
            return {shown: shown.length, hidden: hidden.length,
                    drawnShown: shown.filter(d => seen.has(d)).length, drawnHidden: hidden.filter(d => seen.has(d)).length,
                    shownTypes: [...new Set(shown.map(d => d.atlasProps.type))],
                    hitShown: shown.filter(d => d._containsPoint(d._point)).length,
                    hitHidden: hidden.filter(d => d._containsPoint(d._point)).length};
        }""")
        assert drawn["shown"] == talks and drawn["shownTypes"] == ["talks"], drawn
        assert drawn["hidden"] == N_EVENTS - talks, drawn
        assert drawn["drawnShown"] == talks and drawn["drawnHidden"] == 0, drawn
        assert drawn["hitShown"] == talks and drawn["hitHidden"] == 0, drawn

        # And back: clearing the filter shows every event again.
        page.locator('[data-testid="stMultiSelect"]', has_text="Event type").get_by_role(
            "button", name="Clear all"
        ).click()
        wait_for(lambda: frame.evaluate(browser.COUNT_LAYERS)["events"] == N_EVENTS)
        assert log.outside_requests == [], log.outside_requests
        assert log.console_errors == [], log.console_errors
        page.context.close()


def test_render_benchmark_runs_both_apps_and_counts_what_they_send(tmp_path):
    """`python -m geo bench render` end to end on a small dataset (its timings are not asserted: they
    are measurements). Both apps draw every event with no errors and no outside request; the atlas
    sends less per event than the naive app, never blanks or remounts on a filter change, and the
    concurrent sessions all paint."""
    import json
    import os
    import subprocess
    import sys

    browser.require_chromium()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "bench",
            "render",
            "--events",
            "300",
            "--repeats",
            "1",
            "--sessions",
            "2",
            "--json",
            "--no-settle",
        ],
        cwd=browser.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    rows = {row["app"]: row for row in result["runs"]}
    assert set(rows) == {"atlas", "naive"}
    for row in rows.values():
        assert row["events"] == 300 and row["errors"] == 0 and row["outside"] == 0, row
        assert row["paint_s"] > 0 and row["filter_s"] > 0, row
    assert rows["atlas"]["bytes_per_event"] < rows["naive"]["bytes_per_event"]
    assert rows["atlas"]["blank_ms"] == 0 and rows["atlas"]["remounts"] == 0, rows["atlas"]
    for key in ("concurrency", "concurrency_warm"):
        assert result[key]["sessions"] == 2 and result[key]["errors"] == 0, result[key]


def test_clicking_a_week_on_the_timeline_narrows_the_dates_to_it(scale_app):
    """At scale the timeline shows one circle per week and type; a click sets the date filter to that
    week, so its events show on the map and, one by one, on the timeline."""
    import datetime as dt
    import re

    from test_app_browser import timeline_circle

    from geo.layers import filters as view_filters

    url, layers = scale_app
    log = browser.PageLog()
    with browser.browser() as chromium:
        page, frame = open_all_drawn(chromium, url, log)
        circle = timeline_circle(page, "week of: Jun")  # a whole week (the first one starts in 2024)
        print("picked:", circle.get_attribute("aria-label"))
        circle.click()
        caption = page.get_by_text(re.compile(r"^\d+ of 5000 events shown"))
        wait_for(lambda: not caption.inner_text().startswith("5000 of"), timeout_s=30)
        slider = page.locator('[data-testid="stSlider"]', has_text="Dates")
        thumbs = slider.locator('[data-testid="stSliderThumbValue"]')

        def week_on_slider():  # the sidebar is drawn after the map and caption: wait for it to follow
            values = [dt.date.fromisoformat(t) for t in thumbs.all_inner_texts()]
            return values if len(values) == 2 and (values[1] - values[0]).days <= 6 else None

        first, last = wait_for(week_on_slider, timeout_s=30)
        # A Monday-to-Sunday week, or its part inside the dataset's dates.
        assert (first.weekday() == 0 and (last - first).days == 6) or 0 <= (last - first).days < 6, (first, last)
        expected = len(
            view_filters.filter_layers(layers, view_filters.Filters(date_from=first, date_to=last))["events"]
        )
        assert 0 < expected < N_EVENTS
        assert caption.inner_text().startswith(f"{expected} of 5000 events shown")
        wait_for(lambda: frame.evaluate(browser.COUNT_LAYERS)["events"] == expected)
        page.wait_for_timeout(500)
        browser.ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(browser.ARTIFACTS / "scale-week-picked.png"))
        assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
        page.context.close()
