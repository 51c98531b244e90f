"""Filters, layers and the map agree; the events table; no internals on screen (issues 20 and 17), in the
browser: streamlit run app.py + headless Debian Chromium with the network cut off. Same steps as the
issues' "Done when"; screenshots go to test-artifacts/viewer-*.png."""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import browser
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATA = browser.PROJECT_ROOT / "data"
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
TABLE_IFRAME = "iframe[title*='atlas_event_table']"
HASHED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    browser.require_chromium()
    build = tmp_path_factory.mktemp("build")
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(build)}, timeout_s=120) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def open_app(chromium, url: str, log: browser.PageLog, viewport=(1400, 1000)):
    page = browser.new_page(chromium, log, viewport=viewport)
    page.goto(url)
    frame = browser.map_frame(page, timeout_s=120)
    page.locator(TABLE_IFRAME).wait_for(timeout=60_000)  # the rest of the page follows the map
    return page, frame


def table_frame(page, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "atlas_event_table" in frame.url:
                try:
                    if frame.evaluate("() => document.querySelectorAll('tr.row').length") > 0:
                        return frame
                except Exception:
                    pass
        time.sleep(0.05)
    raise AssertionError("the events table did not appear")


def caption(page) -> str:
    node = page.locator('[data-testid="stCaptionContainer"]', has_text="events shown").first
    node.wait_for(timeout=30_000)
    return node.inner_text()


def wait_caption(page, pattern: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        try:
            text = caption(page)
        except Exception:
            text = ""
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"caption never matched {pattern!r}; last: {text!r}")


def shot(page, name: str) -> None:
    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(browser.ARTIFACTS / f"viewer-{name}.png"), full_page=True)


def search(page, text: str) -> None:
    browser.open_filters(page)
    box = page.get_by_placeholder(re.compile("Kursk"))
    box.fill(text)
    box.press("Enter")


def tick_on_map(frame, label: str):
    """Click a layer's box in the map's layer control, as a user does (hover opens it first)."""
    frame.locator(".leaflet-control-layers").hover()
    frame.wait_for_function(
        "() => { const c = window.atlasMaps[0].atlas.control; "
        "return c._container.classList.contains('leaflet-control-layers-expanded') && !c._preventClick; }"
    )
    box = frame.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")
    box.click()
    return box


SHOWN = """() => {
  const map = window.atlasMaps[window.atlasMaps.length - 1];
  const out = {events: 0, routes: [], regions: [], relations: 0};
  map.eachLayer(l => {
    if (l.atlasHidden || !l.atlasKind) return;
    if (l.atlasKind === 'events') out.events++;
    if (l.atlasKind === 'routes') out.routes.push(l.atlasProps.name);
    if (l.atlasKind === 'regions') out.regions.push(l.atlasProps.name);
    if (l.atlasKind === 'relations') out.relations++;
  });
  return out;
}"""


def test_layer_control_and_sidebar_agree(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    total = int(re.search(r"of (\d+) events", caption(page)).group(1))
    tick_on_map(frame, "Events")
    wait_caption(page, rf"^0 of {total} events shown \(events layer off\)")
    page.wait_for_function("() => /[?&]layers=/.test(location.search) && !/layers=[^&]*events/.test(location.search)")
    layers_box = page.locator('[data-testid="stMultiSelect"]', has_text="Layers")
    assert "events" not in layers_box.inner_text().split(), layers_box.inner_text()
    # The next filter does not bring the dots back.
    search(page, "Beijing")
    page.wait_for_function("() => /[?&]q=Beijing/.test(location.search)")
    wait_caption(page, rf"^0 of {total} events shown")
    frame.wait_for_function("() => window.atlasMaps[0].atlas.explorer.views >= 2")
    assert frame.evaluate(SHOWN)["events"] == 0
    frame.locator(".leaflet-control-layers").hover()
    events_box = frame.locator(".leaflet-control-layers-overlays label", has_text="Events").locator("input")
    assert not events_box.is_checked(), "the map's control shows the sidebar's state"
    labels = frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert len(labels) == len(set(labels)), labels  # each layer listed once
    # No region matches "Beijing": the layer is still switched on (an empty layer is not a switched-off one).
    assert frame.locator(".leaflet-control-layers-overlays label", has_text="Regions").locator("input").is_checked()
    shot(page, "layers-off")
    # Ticking it on the map brings the search's events back, in the sidebar and the count too.
    page.mouse.move(5, 5)
    tick_on_map(frame, "Events")
    text = wait_caption(page, rf"^[1-9]\d* of {total} events shown")
    assert "layer off" not in text
    frame.wait_for_function(
        "() => { let n = 0; window.atlasMaps[0].eachLayer(l => { "
        "if (l.atlasKind === 'events' && !l.atlasHidden) n++; }); return n > 0; }"
    )
    assert {"events", "regions", "routes", "relations"} <= set(layers_box.inner_text().split())
    assert not log.outside_requests and not log.console_errors, (log.outside_requests, log.console_errors)
    page.context.close()


def test_search_applies_to_routes_and_the_count_says_so(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url + "/?q=Ulan%20Bator", log)
    text = wait_caption(page, r"routes")
    frame.wait_for_function("() => window.atlasMaps[0].atlas.explorer.views >= 1")
    shown = frame.evaluate(SHOWN)
    assert len(shown["routes"]) == 1 and shown["routes"][0].startswith("Power of Siberia 2"), shown
    assert shown["relations"] == 0 and shown["regions"] == [], shown
    routes = json.loads((DATA / "routes.geojson").read_text())["features"]
    assert f"1 of {len(routes)} routes" in text, text
    shot(page, "search-ulan-bator")
    page.context.close()


def test_zoom_to_results_by_default_and_by_button(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    frame.evaluate("() => { window.atlasMaps[0].setView([-30, -60], 6, {animate: false}); }")
    search(page, "Kursk")
    # The results are off-screen: the map goes to them.
    frame.wait_for_function("() => window.atlasMaps[0].getBounds().contains([51.7, 36.2])", timeout=30_000)
    frame.evaluate("() => { window.atlasMaps[0].setView([-30, -60], 6, {animate: false}); }")
    assert not frame.evaluate("() => window.atlasMaps[0].getBounds().contains([51.7, 36.2])")
    frame.get_by_role("button", name="Zoom to results").click()
    frame.wait_for_function("() => window.atlasMaps[0].getBounds().contains([51.7, 36.2])", timeout=10_000)
    shot(page, "zoom-to-results")
    page.context.close()


def test_url_holds_map_position_and_restores_it(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    browser.open_filters(page)  # first: unfolding them narrows the map, which moves its centre by a pixel
    frame.evaluate("() => { window.atlasMaps[0].setView([47.9, 106.9], 6, {animate: false}); }")
    page.wait_for_function("() => location.search.includes('c=47.9000,106.9000') && location.search.includes('z=6')")
    # A filter change reruns the app, which rewrites the address: the position stays in it.
    search(page, "Power of Siberia")
    page.wait_for_function(
        "() => location.search.includes('q=Power') && location.search.includes('c=47.9000,106.9000')"
        " && location.search.includes('z=6')"
    )
    shared = page.url
    page.context.close()
    page, frame = open_app(chromium, shared, log)
    frame.wait_for_function("() => window.atlasMaps[0].atlas.explorer.views >= 1")
    view = frame.evaluate(
        "() => { const m = window.atlasMaps[0], c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }"
    )
    assert abs(view[0] - 47.9) < 0.01 and abs(view[1] - 106.9) < 0.01 and view[2] == 6, view
    shot(page, "url-position")
    assert not log.outside_requests and not log.console_errors, (log.outside_requests, log.console_errors)
    page.context.close()


def test_a_date_range_picked_on_the_timeline(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    total = int(re.search(r"of (\d+) events", caption(page)).group(1))
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    plot = chart.locator("svg .mark-group.role-frame path, svg path.background").first
    box = plot.bounding_box() or chart.bounding_box()
    y = box["y"] + box["height"] * 0.12
    page.mouse.move(box["x"] + box["width"] * 0.35, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.65, y, steps=8)
    page.mouse.up()
    page.wait_for_function("() => /[?&]from=/.test(location.search) && /[?&]to=/.test(location.search)", timeout=30_000)
    text = wait_caption(page, rf"^\d+ of {total} events shown")
    shown = int(text.split()[0])
    assert shown < total, text
    assert not page.get_by_role("checkbox", name="All dates").is_checked()
    start = page.locator("[data-testid=stDateInput]", has_text="From").locator("input").input_value()
    end = page.locator("[data-testid=stDateInput]", has_text="To").locator("input").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) and start <= end, (start, end)
    assert f"from={start}" in page.url, page.url
    shot(page, "timeline-brush")
    page.context.close()


def _dot_screen_point(page, frame, event_id: str):
    point = frame.evaluate(
        """(id) => {
      const map = window.atlasMaps[0];
      let dot = null;
      map.eachLayer(l => { if (l.atlasKind === 'events' && l.atlasProps && l.atlasProps.id === id && !l.atlasHidden) dot = l; });
      const p = map.latLngToContainerPoint(dot.getLatLng());
      return [p.x, p.y];
    }""",
        event_id,
    )
    box = page.locator(MAP_IFRAME).bounding_box()
    return box["x"] + point[0], box["y"] + point[1]


def test_table_row_click_and_hover_both_ways(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    table = table_frame(page)
    headers = table.evaluate("() => Array.from(document.querySelectorAll('th')).map(th => th.textContent)")
    assert {"Actors", "Place"} <= set(headers), headers
    rows = table.evaluate(
        "() => Array.from(document.querySelectorAll('tr.row')).map(tr => [tr.dataset.id, "
        "tr.querySelector('td.title').textContent, tr.querySelector('td.actors').textContent])"
    )
    assert all(actors and "-" not in actors.split(", ")[0] for _, _, actors in rows[:5]), rows[:5]
    # A click anywhere on a row (here its title cell) opens the event's details.
    event_id, title, _ = rows[2]
    page.frame_locator(TABLE_IFRAME).locator(f"tr.row[data-id='{event_id}'] td.title").click()
    page.get_by_role("heading", name=title).wait_for(timeout=30_000)
    # Hovering a row lights its dot.
    target = next(r for r in rows if r[0] == "dprk-losses-kursk")
    page.frame_locator(TABLE_IFRAME).locator(f"tr.row[data-id='{target[0]}']").hover()
    frame.wait_for_function(
        "(id) => window.atlasMaps[0].atlas.explorer.litId === id && "
        "window.atlasMaps[0].atlas.explorer.lit && window.atlasMaps[0].atlas.explorer.lit.options.weight === 4",
        arg=target[0],
        timeout=10_000,
    )
    shot(page, "row-hover")
    # Hovering a dot lights its row.
    page.frame_locator(TABLE_IFRAME).locator("th").first.hover()
    frame.evaluate("() => { window.atlasMaps[0].setView([51.7, 36.2], 6, {animate: false}); }")
    x, y = _dot_screen_point(page, frame, target[0])
    page.mouse.move(x, y)
    table.wait_for_function(
        "(id) => { const tr = document.querySelector(`tr.row[data-id='${id}']`); "
        "return tr && tr.classList.contains('lit'); }",
        arg=target[0],
        timeout=10_000,
    )
    assert table.evaluate("() => document.querySelectorAll('tr.row.lit').length") == 1
    shot(page, "dot-hover")
    assert not log.outside_requests and not log.console_errors, (log.outside_requests, log.console_errors)
    page.context.close()


def _dataset_ids() -> set[str]:
    with open(DATA / "events.csv", encoding="utf-8") as f:
        ids = {row["id"] for row in csv.DictReader(f)}
    for name in ("regions.geojson", "routes.geojson"):
        ids |= {feat["properties"]["id"] for feat in json.loads((DATA / name).read_text())["features"]}
    return {i for i in ids if "-" in i}


def _internals(text: str, ids: set[str]) -> list[str]:
    found = ["{'"] if "{'" in text else []
    found += [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
    found += HASHED_FILE.findall(text)
    return found


POPUPS_AND_TOOLTIPS = """() => {
  const map = window.atlasMaps[0], texts = [];
  const layers = [];
  map.eachLayer(l => { if (l.atlasKind && !l.atlasHidden && l.atlasProps) layers.push(l); });
  layers.forEach(l => {
    const target = l.getLayers ? l.getLayers()[0] || l : l;
    if (l.getPopup && l.getPopup()) {
      const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
      l.openPopup(at);
      const node = document.querySelector('.leaflet-popup-content');
      if (node) texts.push(node.innerText);
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter());
      const tip = document.querySelector('.leaflet-tooltip');
      if (tip) texts.push(tip.innerText);
      l.closeTooltip();
    }
  });
  return {count: layers.length, texts: texts, legend: document.querySelector('.atlas-legend').innerText};
}"""


def test_no_internals_on_screen_and_legend_lists_only_drawn_colours(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url + "/?event=dprk-losses-kursk", log)
    page.get_by_role("heading", name=re.compile("North Korean soldiers killed")).wait_for(timeout=30_000)
    page.get_by_text("claimed by", exact=False).first.wait_for(timeout=10_000)
    ids = _dataset_ids()
    assert "kursk-oblast" in ids and "dprk-losses-kursk" in ids
    texts = {
        "page": page.evaluate("() => document.body.innerText"),
        "table": table_frame(page).evaluate("() => document.body.innerText"),
    }
    seen = frame.evaluate(POPUPS_AND_TOOLTIPS)
    assert seen["count"] >= 38 and len(seen["texts"]) >= 2 * 38, seen["count"]
    texts.update({f"map {i}": t for i, t in enumerate(seen["texts"])})
    texts["legend"] = seen["legend"]
    bad = {where: found for where, text in texts.items() if (found := _internals(text, ids))}
    assert not bad, bad
    assert "Kursk Oblast" in texts["page"]
    # The figure's claimant, article title and quoted passage, in words.
    from geo.articles import sources

    manifest = sources.load_manifest()
    assert any(a.title and a.title in texts["page"] for a in manifest.values())
    assert "National Intelligence Service" in texts["page"]
    # The legend lists the colours of the dots, i.e. of each event's first actor, and no others.
    with open(DATA / "actors.csv", encoding="utf-8") as f:
        names = {row["id"]: row["name"] for row in csv.DictReader(f)}
    with open(DATA / "events.csv", encoding="utf-8") as f:
        firsts = {row["actors"].split(";")[0].strip() for row in csv.DictReader(f) if row["actors"].strip()}
    drawn = {names[a] for a in firsts if a in names}
    legend_names = set(
        frame.evaluate("""() => Array.from(document.querySelectorAll('.atlas-legend-item'))
        .filter(n => n.querySelector('.atlas-swatch-dot')).map(n => n.innerText.trim())""").__iter__()
    )
    listed = {part.strip() for line in legend_names for part in line.split(" / ")}
    listed.discard("Place named in an article")
    assert listed == drawn, listed ^ drawn
    assert set(names.values()) - drawn, "the data has actors that colour no dot: the check could fail"
    shot(page, "no-internals")
    page.context.close()


def test_hover_labels_stay_inside_the_map(chromium, app_url):
    log = browser.PageLog()
    page, frame = open_app(chromium, app_url, log)
    for edge in ("top", "right", "left"):
        # Pan so that the Kursk dot sits 6 px from an edge, then hover it.
        frame.evaluate(
            """(edge) => {
          const map = window.atlasMaps[0];
          map.setView([51.7, 36.2], 5, {animate: false});
          let dot = null;
          map.eachLayer(l => { if (l.atlasKind === 'events' && l.atlasProps.id === 'dprk-losses-kursk') dot = l; });
          const p = map.latLngToContainerPoint(dot.getLatLng()), size = map.getSize();
          const want = edge === 'top' ? [p.x, 8] : edge === 'right' ? [size.x - 8, p.y] : [8, p.y];
          map.panBy([p.x - want[0], p.y - want[1]], {animate: false});
        }""",
            edge,
        )
        x, y = _dot_screen_point(page, frame, "dprk-losses-kursk")
        page.mouse.move(x, y)
        frame.wait_for_selector(".leaflet-tooltip", timeout=10_000)
        inside = frame.evaluate("""() => {
          const tip = document.querySelector('.leaflet-tooltip').getBoundingClientRect();
          const map = window.atlasMaps[0].getContainer().getBoundingClientRect();
          return [tip.left >= map.left - 1, tip.right <= map.right + 1, tip.top >= map.top - 1, tip.bottom <= map.bottom + 1];
        }""")
        assert all(inside), (edge, inside)
        page.mouse.move(5, 5)  # off the map
        frame.evaluate("() => { window.atlasMaps[0].eachLayer(l => { if (l.closeTooltip) l.closeTooltip(); }); }")
        frame.wait_for_selector(".leaflet-tooltip", state="detached", timeout=10_000)
        if edge == "top":
            shot(page, "tooltip-top")
    page.context.close()


def test_downloads_carry_article_titles(chromium, app_url, tmp_path):
    from geo.articles import sources

    log = browser.PageLog()
    page, _ = open_app(chromium, app_url, log)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download CSV")).click()
    path = Path(tmp_path / "events.csv")
    info.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    titles = {a.title for a in sources.load_manifest().values() if a.title}
    assert rows and any(any(t in row["source_articles"] for t in titles) for row in rows)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download GeoJSON")).click()
    info.value.save_as(tmp_path / "events.geojson")
    collection = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    refs = [r for f in collection["features"] for r in f["properties"]["sources"] if r.get("file")]
    assert refs and all(r["article_title"] in titles and r["article_date"] for r in refs)
    page.context.close()
