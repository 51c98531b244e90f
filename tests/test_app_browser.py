"""The app as a user sees it: streamlit run app.py + headless Debian Chromium, with the network cut off."""

from __future__ import annotations

import time
from pathlib import Path

import browser
import pytest

from benchmarks.probes import NO_BLANK_MONITOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    browser.require_chromium()
    build = tmp_path_factory.mktemp("build")
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(build)}) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def open_map(chromium, url: str, log: browser.PageLog):
    page = browser.new_page(chromium, log)
    started = time.monotonic()
    page.goto(url)
    frame = browser.map_frame(page, timeout_s=60)
    return page, frame, time.monotonic() - started


def test_seed_places_route_and_popup_offline(chromium, app_url):
    log = browser.PageLog()
    # The first visit builds and caches the dataset; the second is what a user opening the app sees.
    open_map(chromium, app_url, log)[0].context.close()
    page, frame, paint_s = open_map(chromium, app_url, log)
    counts = frame.evaluate(browser.COUNT_LAYERS)
    assert counts["events"] >= 6, counts
    assert counts["routes"] >= 1, counts
    assert counts["regions"] >= 1, counts

    title = frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        let target = null;
        map.eachLayer(l => { if (!target && l.atlasKind === 'events') target = l; });
        target.openPopup();
        const node = document.querySelector('.leaflet-popup-content .atlas-popup-title');
        return node ? node.textContent : null;
    }""")
    assert title, "opening a popup should show the event title"

    # Filters, timeline and table follow once the map has reported its first paint, with no user action.
    page.locator("iframe[title*='atlas_event_table']").wait_for(timeout=30_000)  # the events table
    page.locator('[data-testid="stMultiSelect"]', has_text="Event type").wait_for(timeout=10_000)
    page.locator('[data-testid="stVegaLiteChart"]').wait_for(timeout=10_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1
    assert page.get_by_text("follow as soon as the map is drawn").count() == 0

    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(browser.ARTIFACTS / "app-map.png"))
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


def events_drawn(frame) -> int:
    return frame.evaluate(browser.COUNT_LAYERS)["events"]


def wait_for(predicate, timeout_s: float = 20.0, interval_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s:.0f} s")


def load_events():
    from geo import layers as layer_stage

    return layer_stage.load_layers()["events"]


def test_actor_link_shows_only_that_actors_events(chromium, app_url):
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url, log)
    everything = events_drawn(frame)
    page.context.close()
    page, frame, _ = open_map(chromium, app_url + "/?actor=kim", log)
    events = load_events()
    kims = int(events["actors"].apply(lambda actors: "kim" in actors).sum())
    wait_for(lambda: events_drawn(frame) == kims)
    assert 0 < kims < everything
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    page.context.close()


def test_event_link_opens_its_details(chromium, app_url):
    events = load_events().set_index("id")
    title = events.loc["kim-train-arrives", "title"]
    log = browser.PageLog()
    page, _, _ = open_map(chromium, app_url + "/?event=kim-train-arrives", log)
    page.get_by_role("heading", name=title).wait_for(timeout=20000)
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_download_is_the_events_the_filters_show(chromium, app_url):
    import csv
    import io
    import json

    events = load_events()
    kims = events[events["actors"].apply(lambda actors: "kim" in actors)]
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url + "/?actor=kim", log)
    wait_for(lambda: events_drawn(frame) == len(kims))
    button = page.get_by_role("button", name="Download CSV")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as download:
        button.click()
    assert download.value.suggested_filename == "atlas-events.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == kims["id"].tolist()
    assert all(r["sources"] for r in rows)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download GeoJSON").click()
    features = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))["features"]
    assert sorted(f["properties"]["id"] for f in features) == sorted(kims["id"])
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    page.context.close()


def timeline_circle(page, text: str):
    """The timeline's circle whose accessible label mentions `text` (the chart renders SVG)."""
    chart = page.locator('[data-testid="stVegaLiteChart"]')
    chart.wait_for(timeout=30_000)
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    circle = chart.locator(f'svg path[aria-roledescription="circle"][aria-label*={quoted}]').first
    circle.wait_for(timeout=10_000)
    return circle


def test_clicking_a_timeline_event_opens_its_details(chromium, app_url):
    events = load_events().set_index("id")
    log = browser.PageLog()
    page, _, _ = open_map(chromium, app_url + "/?type=talks", log)  # a few days apart: no overlaps
    talks = events[events["type"] == "talks"]
    target = talks[talks["date"].str.len() == 10].index[0]
    title = events.loc[target, "title"]
    assert page.locator("h3").filter(has_text=title).count() == 0, "no details before the click"
    timeline_circle(page, title).click()
    page.locator("h3").filter(has_text=title).first.wait_for(timeout=20_000)
    page.wait_for_function("s => location.search.includes(s)", arg=f"event={target}", timeout=10_000)
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    page.context.close()


# The no-blank monitor the render benchmark uses too.
MONITOR = NO_BLANK_MONITOR


def test_filter_change_keeps_the_map_zoom_and_never_blanks(chromium, app_url):
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url, log)
    browser.open_filters(page)  # before the view is set: unfolding the sidebar narrows the map
    before = events_drawn(frame)
    frame.evaluate("() => { window.atlasMaps[window.atlasMaps.length - 1].setView([45, 100], 4, {animate: false}); }")
    page.evaluate(MONITOR)
    search = page.get_by_role("textbox", name="Search")
    # Results in view (Beijing): the view stays. Results off-screen make the map go to them (issue 20's
    # "zoom to results", tests/test_viewer_browser.py).
    search.fill("Beijing")
    search.press("Enter")
    wait_for(lambda: 0 < events_drawn(frame) < before)
    page.wait_for_timeout(500)
    state = page.evaluate("() => ({blank: window.__blankMs, maps: window.__maps.size, samples: window.__samples})")
    view = frame.evaluate(
        "() => { const m = window.atlasMaps[window.atlasMaps.length - 1]; "
        "return {zoom: m.getZoom(), lat: m.getCenter().lat, lng: m.getCenter().lng}; }"
    )
    assert state["samples"] > 10
    assert state["blank"] == 0, state
    assert state["maps"] == 1, "the map was rebuilt instead of updated"
    assert view["zoom"] == 4 and abs(view["lat"] - 45) < 0.01 and abs(view["lng"] - 100) < 0.01, view
    # The address bar is written after the map and details are sent (app.py draws the map first).
    page.wait_for_function("s => location.search.includes(s)", arg="q=Beijing", timeout=10_000)
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    page.context.close()


def test_clicking_a_point_shows_its_details(chromium, app_url):
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url, log)
    page.wait_for_timeout(1000)  # let st_folium finish its first data update before aiming
    target = frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        let found = null;
        map.eachLayer(l => { if (!found && l.atlasKind === 'events' && l.atlasProps.place_precision === 'city') found = l; });
        const pt = map.latLngToContainerPoint(found.getLatLng());
        return {x: pt.x, y: pt.y, title: found.atlasProps.title, id: found.atlasProps.id};
    }""")
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    # Hovering shows the dot's tooltip (bound on first use), then a click opens its details.
    page.mouse.move(box["x"] + target["x"], box["y"] + target["y"])
    tip = frame.locator(".leaflet-tooltip .atlas-tip")
    tip.wait_for(timeout=5000)
    assert tip.text_content() == target["title"]
    assert frame.locator(".leaflet-tooltip").text_content() == target["title"], "the tooltip holds the title only"
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.get_by_role("heading", name=target["title"]).wait_for(timeout=20000)
    # The click reached the app as data (the dot's feature), not as text parsed out of its tooltip.
    reported = frame.evaluate("() => window.__GLOBAL_DATA__.last_active_drawing.properties")
    assert reported == {"id": target["id"], "kind": "events"}, reported
    # The address bar is written after the map and details are sent (app.py draws the map first).
    page.wait_for_function("s => location.search.includes(s)", arg="event=", timeout=10_000)
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_dot_click_listeners_behave_as_leaflets(chromium, app_url):
    """Dots defer st_folium's `off` of its click handler when the same `on` follows (atlas.js); every
    other sequence must leave the listeners exactly as Leaflet would."""
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url, log)
    result = frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        let dot = null;
        map.eachLayer(l => { if (!dot && l.atlasKind === 'events') dot = l; });
        const calls = [];
        const f = () => calls.push('f'), g = () => calls.push('g');
        const clicks = () => { calls.length = 0; dot.fire('click', {latlng: dot.getLatLng()}); return calls.slice(); };
        const out = {};
        dot.on('click', f); dot.off('click', f); dot.on('click', f);         // st_folium's re-binding
        out.rebound = clicks();
        dot.off('click', f);                                                   // a real off
        out.offFires = clicks();
        out.offListens = dot.listens('click') && dot._events && dot._events.click ? dot._events.click.filter(l => l.fn === f).length : 0;
        dot.off('click', g); dot.on('click', g);                               // off of an unbound handler, then on
        out.newOn = clicks();
        dot.off('click', g); dot.on('click', f);                               // off, then another handler
        out.swapped = clicks();
        dot.off('click', f);
        dot.addEventListener('click', g); dot.removeEventListener('click', g);  // Leaflet's aliases
        out.aliases = clicks();
        return out;
    }""")
    assert result == {
        "rebound": ["f"],
        "offFires": [],
        "offListens": 0,
        "newOn": ["g"],
        "swapped": ["f"],
        "aliases": [],
    }, result
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_pasted_article_gets_its_own_mentions_layer(chromium, app_url):
    article = (
        "Officials met in Ulaanbaatar on Monday to discuss the pipeline. Engineers later flew to "
        "Irkutsk, and a delegation from Astana arrived the next day."
    )
    log = browser.PageLog()
    page, frame, _ = open_map(chromium, app_url, log)
    browser.open_filters(page)
    page.get_by_text("Add an article").click()
    box = page.get_by_role("textbox", name="Paste text")
    box.fill(article)
    box.press("Control+Enter")
    page.get_by_role("button", name="Find places").click()
    added = wait_for(
        lambda: frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        const found = [];
        map.eachLayer(l => { if (l.atlasProps && (l.atlasProps.sentence || '').includes('delegation from Astana')) found.push(l.atlasProps.name); });
        return found.length ? found : null;
    }"""),
        timeout_s=30,
    )
    assert "Astana" in " ".join(added)
    popup = frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        let target = null;
        map.eachLayer(l => { if (!target && l.atlasProps && l.atlasProps.text === 'Ulaanbaatar') target = l; });
        target.openPopup();
        return document.querySelector('.leaflet-popup-content').textContent;
    }""")
    assert "Officials met in Ulaanbaatar on Monday" in popup, popup
    page.get_by_text("Places in the added article").wait_for(timeout=20000)
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    page.context.close()
