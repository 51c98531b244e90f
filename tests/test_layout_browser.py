"""The map first, a selection you can see, and the events reachable from the keyboard (issue 17, items 3, 4, 7).

Measured in headless Debian Chromium on the real app (streamlit run app.py), with atlas-select.js's test
probe switched on by `window.__atlasTest`.
"""

from __future__ import annotations

import time

import browser
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SELECTED = "victory-day-parade"  # at Beijing, in the seed data's largest pile of events


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def open_app(chromium, url: str, viewport, log: browser.PageLog, query: str = ""):
    page = browser.new_page(chromium, log, viewport=viewport)
    page.context.add_init_script("window.__atlasTest = true;")
    page.goto(url + "/" + query)
    frame = browser.map_frame(page, timeout_s=90)
    return page, frame


def wait_for(predicate, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout_s:.0f} s")


def map_box(page) -> dict:
    return page.locator(MAP_IFRAME).bounding_box()


def leaflet_box(frame) -> dict:
    return frame.evaluate("""() => {
        const r = window.atlasMaps[window.atlasMaps.length - 1].getContainer().getBoundingClientRect();
        return {width: r.width, height: r.height};
    }""")


def legend_share(frame) -> float:
    """The legend's area as a share of the map's (both measured in the map's frame)."""
    return frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1].getContainer().getBoundingClientRect();
        const r = document.querySelector('.atlas-legend').getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, map.right) - Math.max(r.left, map.left));
        const h = Math.max(0, Math.min(r.bottom, map.bottom) - Math.max(r.top, map.top));
        return (w * h) / (map.width * map.height);
    }""")


def sidebar_width(page) -> float:
    return page.evaluate("""() => {
        const s = document.querySelector('[data-testid="stSidebar"]');
        if (!s) return 0;
        const r = s.getBoundingClientRect();
        return r.right > 0 && r.width > 0 ? r.right : 0;  // a collapsed sidebar sits off-screen
    }""")


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_map_fills_the_window_below_a_slim_header(chromium, app_url, viewport):
    width, height = viewport
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, viewport, log, "?event=" + SELECTED)
    page.get_by_role("heading", name="Victory Day parade").wait_for(timeout=30_000)  # details open
    box = map_box(page)
    inner = leaflet_box(frame)
    # The map fills the window's height below the header, whole (its bottom edge on screen).
    assert box["height"] >= 0.70 * height, (box, viewport)
    assert box["y"] + box["height"] <= height + 1, (box, viewport)
    assert box["y"] <= 0.15 * height, ("the header above the map is not slim", box)
    assert abs(inner["height"] - box["height"]) <= 2, ("Leaflet does not fill its frame", inner, box)
    # The filters start folded away behind a "Filters" button: with the details open beside it, the map
    # takes ≥ 60 % of the window's width.
    assert sidebar_width(page) == 0, "the filters should start folded away"
    label = page.evaluate(  # the sidebar's own expand button, labelled in words by the page's CSS
        "() => getComputedStyle(document.querySelector('[data-testid=stExpandSidebarButton]'), '::after').content"
    )
    assert label == '"Filters"', label
    expand = page.get_by_test_id("stExpandSidebarButton")
    wait_for(lambda: expand.get_attribute("aria-label") == "Filters")  # its name is what it shows
    assert box["width"] >= 0.60 * width, (box, viewport)
    details = page.locator(".st-key-atlas_details").bounding_box()
    assert details["x"] >= box["x"] + box["width"] - 1, "the details sit beside the map"
    assert details["x"] + details["width"] <= width + 1, ("the details run off the window", details)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The filters unfolded: the sidebar pushes the map over, the map still fills the height below the
    # header and Leaflet follows its frame's new size; folded again, the map has its width back.
    browser.open_filters(page)
    wait_for(lambda: sidebar_width(page) > 0 and map_box(page)["width"] < box["width"] - 100)
    assert map_box(page)["height"] >= 0.70 * height
    wait_for(lambda: abs(leaflet_box(frame)["width"] - map_box(page)["width"]) <= 2)
    page.get_by_role("textbox", name="Search").wait_for(state="visible", timeout=10_000)
    page.get_by_test_id("stSidebar").hover()
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    wait_for(lambda: sidebar_width(page) == 0 and abs(map_box(page)["width"] - box["width"]) <= 2)
    wait_for(lambda: abs(leaflet_box(frame)["width"] - map_box(page)["width"]) <= 2)
    # Streamlit drew its button anew on folding: it is named "Filters" again, for speech input too.
    page.get_by_role("button", name="Filters", exact=True).wait_for(timeout=10_000)
    assert log.console_errors == [] and log.outside_requests == [], (log.console_errors, log.outside_requests)
    page.context.close()


def test_a_filtered_link_says_so_with_the_filters_folded(chromium, app_url):
    """A shared link opens filtered with the sidebar folded: the Filters button counts the filters in
    use and the count line names them, on one header line, so the map keeps its place."""
    width, height = 1280, 800
    log = browser.PageLog()
    page, _ = open_app(chromium, app_url, (width, height), log, "?actor=kim&q=Beijing")
    caption = page.locator(".st-key-atlas_header [data-testid='stCaptionContainer']")
    caption.filter(has_text="filters: actor, search").wait_for(timeout=30_000)
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=stExpandSidebarButton]'), '::after').content"
    )
    assert label == '"Filters · 2"', label
    page.get_by_role("button", name="Filters, 2 in use", exact=True).wait_for(timeout=10_000)
    header = page.locator(".st-key-atlas_header").bounding_box()
    title = page.get_by_role("heading", name="Briefing Atlas").bounding_box()
    button = page.get_by_test_id("stExpandSidebarButton").bounding_box()
    assert button["x"] + button["width"] <= title["x"], ("the Filters button covers the title", button, title)
    assert header["height"] <= 60, ("the header wrapped", header)
    box = map_box(page)
    assert box["y"] + box["height"] <= height + 1, box
    page.context.close()


def test_legend_is_a_chip_that_expands_within_15_percent(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, (1280, 800), log)
    chip = frame.get_by_role("button", name="Legend")
    assert chip.get_attribute("aria-expanded") == "false"
    collapsed = legend_share(frame)
    assert collapsed <= 0.01, collapsed
    chip.click()
    assert chip.get_attribute("aria-expanded") == "true"
    frame.locator(".atlas-legend-item").first.wait_for(state="visible")
    expanded = legend_share(frame)
    assert collapsed < expanded <= 0.15, (collapsed, expanded)
    chip.click()
    assert legend_share(frame) == pytest.approx(collapsed, abs=1e-3)
    page.context.close()


def test_phone_layout_full_width_map_filters_in_a_drawer(chromium, app_url):
    width, height = 390, 844
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, (width, height), log)
    page.locator('[data-testid="stSidebar"]').wait_for(state="attached", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll on a phone"
    assert page.evaluate("document.body.scrollWidth") <= width
    box = map_box(page)
    assert box["width"] >= width - 2 * 24, box  # full width, but for the page's margins
    assert box["height"] >= 0.5 * height, box
    assert sidebar_width(page) == 0, "the filters should start folded away in the sidebar drawer"
    page.get_by_test_id("stExpandSidebarButton").click()
    wait_for(lambda: sidebar_width(page) > 0)
    page.get_by_role("textbox", name="Search").wait_for(state="visible", timeout=10_000)
    page.context.close()


def selection(frame) -> dict:
    return frame.evaluate("() => window.__atlasSelectionProbe && window.__atlasSelectionProbe()") or {}


def halo_pixel(frame) -> list:
    """The canvas pixel on the halo ring right of the selected dot (the halo is dark, the basemap pale)."""
    return frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        const dot = map.atlasSelect.dot, ctx = dot._renderer._ctx, p = dot._point;
        const ratio = ctx.canvas.width / ctx.canvas.clientWidth;
        const origin = dot._renderer._bounds.min;
        const reach = dot._radius + dot.options.weight / 2 + 4 + 1.5;  // atlas-select.js: HALO_GAP, HALO_WIDTH / 2
        const x = Math.round((p.x - origin.x + reach) * ratio), y = Math.round((p.y - origin.y) * ratio);
        return Array.from(ctx.getImageData(x, y, 1, 1).data);
    }""")


def test_selected_event_has_a_halo_on_top_and_its_pile_opens(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, (1280, 800), log, "?event=" + SELECTED)
    probe = wait_for(lambda: selection(frame).get("found") and selection(frame))
    assert probe["id"] == SELECTED
    assert probe["halo"] and probe["haloDraws"] > 0, probe
    assert probe["onTop"], "the selected dot should be the canvas's last drawn layer"
    pile = probe["pile"]
    assert pile["open"] and pile["size"] > 2, pile
    # Open: no two dots of the pile overlap (closed, the seed's Beijing pile overlaps them).
    assert pile["minGap"] >= 2 * pile["dotRadius"], pile
    r, g, b, a = halo_pixel(frame)
    assert a > 200 and max(r, g, b) < 90, ("no dark halo drawn around the selected dot", (r, g, b, a))

    # Another event chosen: the halo moves with the selection, the pile closes again if it is elsewhere.
    page.goto(app_url + "/")
    frame = browser.map_frame(page, timeout_s=60)
    probe = wait_for(lambda: selection(frame) or None)
    assert not probe.get("found"), probe
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_keyboard_only_reaches_an_events_details(chromium, app_url):
    """Tab from the top of the page to the map's list of events in view, open it, move to an event
    (which is marked on the map as a selection is), and open its details with Enter."""
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, (1280, 800), log)
    page.locator("iframe[title*='atlas_event_table']").first.wait_for(timeout=30_000)  # the whole page is there

    def focused_in_map() -> str:
        return frame.evaluate(
            "() => document.hasFocus() && document.activeElement ? (document.activeElement.className || '') : ''"
        )

    for _ in range(80):
        page.keyboard.press("Tab")
        if "atlas-events-toggle" in focused_in_map():
            break
    else:
        raise AssertionError("Tab never reached the map's list of events in view")
    page.keyboard.press("Enter")
    frame.locator(".atlas-events-item").first.wait_for(state="visible", timeout=5_000)
    page.keyboard.press("Tab")  # the first event in view
    assert "atlas-events-item" in focused_in_map()
    page.keyboard.press("Tab")  # the second
    event_id = frame.evaluate("() => document.activeElement.getAttribute('data-id')")
    title = frame.evaluate("() => window.atlasMaps[window.atlasMaps.length - 1].atlasSelect.dot.atlasProps.title")
    probe = selection(frame)
    assert probe["id"] == event_id and probe["halo"] and probe["onTop"], ("focus marks its event", probe)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=title).wait_for(timeout=30_000)
    page.keyboard.press("Escape")  # folds the list, back on its button
    wait_for(lambda: "atlas-events-toggle" in focused_in_map())
    assert frame.locator(".atlas-events-panel").is_hidden()
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_reduced_motion_turns_flights_into_jumps(chromium, app_url):
    log = browser.PageLog()
    page = browser.new_page(chromium, log, viewport=(1280, 800))
    page.emulate_media(reduced_motion="reduce")
    page.goto(app_url + "/")
    frame = browser.map_frame(page, timeout_s=60)
    moved = frame.evaluate("""() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1];
        let zooming = 0;
        map.on('zoomanim', () => zooming++);
        map.flyTo([39.9, 116.4], 7);
        const c = map.getCenter();
        map.panTo([41.0, 118.0]);  // a pan (st_folium's fly to a selected event is a setView) jumps too
        const p = map.getCenter();
        return {zoom: map.getZoom(), lat: c.lat, lng: c.lng, zooming, animated: map.options.zoomAnimation,
                panned: [p.lat, p.lng]};
    }""")
    # A jump: the map is there at once (a flight would still be at its start), with no zoom animation.
    assert moved["zoom"] == 7 and abs(moved["lat"] - 39.9) < 0.01 and abs(moved["lng"] - 116.4) < 0.01, moved
    assert moved["zooming"] == 0 and moved["animated"] is False, moved
    assert abs(moved["panned"][0] - 41.0) < 0.01 and abs(moved["panned"][1] - 118.0) < 0.01, moved
    page.context.close()
