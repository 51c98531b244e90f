"""The app as a user sees it: streamlit run app.py + headless Debian Chromium, with the network cut off."""
from __future__ import annotations

import time

import pytest

import browser

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

    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(browser.ARTIFACTS / "app-map.png"))
    print(f"first map paint (warm): {paint_s:.2f} s; layers: {counts}")
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()
