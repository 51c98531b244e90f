"""Native scripts and type symbols in the browser: 习近平 and 김정은 render as glyphs (not boxes) in the app
page, the map and briefing.html; every event is drawn with its type's symbol and the legend lists the types.

Glyph or box? Two different characters are drawn to a canvas in the element's own font: boxes (tofu)
all look alike, so identical pixels mean the font has no glyph. Chromium runs with a fontconfig that
sees only DejaVu and Liberation (no CJK), checked with fc-list before the test, so the glyphs can only
come from the vendored web fonts, also on a machine where fonts-noto-cjk is installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import browser
import pandas as pd
import pytest

from geo.web import briefing, symbols

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
NAMES = ("习近平", "김정은")
SHOTS = Path("/tmp")

# Draws each character alone in `font` and compares: different characters give different pixels only
# when the font stack has glyphs for them. `ink` guards against comparing two blank images.
GLYPH_CHECK = """
async ({font, chars}) => {
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 72; c.height = 72;
    const x = c.getContext('2d');
    x.fillStyle = '#fff'; x.fillRect(0, 0, 72, 72); x.fillStyle = '#000';
    x.font = font; x.textBaseline = 'middle'; x.fillText(ch, 8, 36);
    return x.getImageData(0, 0, 72, 72).data;
  };
  // Draw once so the page loads what it needs for these characters (document.fonts.load would fetch
  // every face whose range covers them), wait until nothing is loading, then draw for real.
  chars.forEach(draw);
  await new Promise(r => setTimeout(r, 50));
  await document.fonts.ready;
  const images = chars.map(draw), out = {ink: [], pairs: []};
  images.forEach(d => { let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; out.ink.push(n); });
  for (let i = 0; i < images.length; i++) for (let j = i + 1; j < images.length; j++) {
    let diff = 0; const a = images[i], b = images[j];
    for (let k = 0; k < a.length; k += 4) if (a[k] !== b[k]) diff++;
    out.pairs.push([chars[i], chars[j], diff]);
  }
  return out;
}
"""
FONT_OF = """(sel) => { const s = getComputedStyle(document.querySelector(sel));
  return `${s.fontStyle} ${s.fontWeight} 32px ${s.fontFamily}`; }"""


def assert_glyphs(frame, font: str, text: str) -> None:
    result = frame.evaluate(GLYPH_CHECK, {"font": font, "chars": list(text)})
    assert all(n > 20 for n in result["ink"]), (font, text, result)
    same = [(a, b) for a, b, diff in result["pairs"] if diff == 0]
    assert not same, f"{text!r} in {font}: identical images (tofu boxes) for {same}"


def assert_boxes(frame, font: str, text: str) -> None:
    """The control: the same font stack without the vendored family draws boxes on this machine, so the
    glyph check can fail."""
    assert '"Atlas CJK"' in font, f"the font stack does not name the vendored family: {font}"
    font = font.replace('"Atlas CJK", ', "")
    result = frame.evaluate(GLYPH_CHECK, {"font": font, "chars": list(text)})
    assert all(diff == 0 for _, _, diff in result["pairs"]), (
        f"{font} draws {text!r} as distinct glyphs: a CJK system font is visible, the test proves nothing"
    )


@pytest.fixture(scope="module")
def fontconfig(tmp_path_factory) -> dict[str, str]:
    """Environment for a Chromium that sees no CJK system font (checked, not assumed)."""
    if not shutil.which("fc-list"):
        pytest.skip("fc-list (fontconfig) not installed: cannot check which system fonts Chromium sees")
    folder = tmp_path_factory.mktemp("fontconfig")
    dirs = "".join(f"<dir>{d}</dir>" for d in FONT_DIRS if Path(d).is_dir())
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'{dirs}<include ignore_missing="yes">/etc/fonts/conf.d</include>'
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    for lang in ("zh", "ko"):
        seen = subprocess.run(["fc-list", f":lang={lang}"], check=False, env=env, capture_output=True, text=True).stdout
        assert not seen.strip(), f"the test's fontconfig still sees {lang} fonts: {seen[:300]}"
    return env


@contextlib.contextmanager
def chromium_without_cjk(env: dict[str, str]):
    browser.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.LAUNCH_ARGS, env=env)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def chromium(fontconfig):
    with chromium_without_cjk(fontconfig) as instance:
        yield instance


@pytest.fixture(scope="module")
def app_url(shared_build):
    browser.require_chromium()
    with browser.streamlit_app(env={"GEO_BUILD_DIR": str(shared_build)}) as url:
        yield url


def open_page(chromium, url: str, log: browser.PageLog, viewport=(1400, 900)):
    page = browser.new_page(chromium, log, viewport=viewport)
    page.context.add_init_script("window.__atlasTest = true;")  # atlas.js records the symbols it draws
    fonts: list[str] = []
    page.on("request", lambda req: fonts.append(req.url) if ".woff2" in req.url else None)
    page.goto(url)
    return page, fonts


def expected_symbols() -> dict[str, str]:
    events = pd.read_csv(browser.PROJECT_ROOT / "data" / "events.csv", dtype=str, keep_default_na=False)
    return {row.id: symbols.symbol_for(row.type) for row in events.itertuples()}


def check_symbols(frame, wanted: dict[str, str], shot: Path) -> dict:
    """Each drawn event carries its type's symbol, the symbol's ink is on the canvas, and the legend
    lists the types shown."""
    frame.wait_for_function("() => window.__atlasSymbolsReady === true", timeout=20_000)
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    drawn = frame.evaluate("() => window.__atlasSymbolsDrawn")
    assert drawn, "no symbol drawn"
    for event_id, info in drawn.items():
        assert info["symbol"] == wanted[event_id], (event_id, info)
    # Pixels: at a dot's centre the symbol's ink differs from the plain fill around the icon.
    probe, deadline = [], time.monotonic() + 15
    while not probe and time.monotonic() < deadline:  # presenter mode flies to the step first
        time.sleep(0.2)
        probe = frame.evaluate(PIXEL_PROBE)
    assert probe, "no event dot on screen"
    return probe_checked(frame, probe, drawn)


PIXEL_PROBE = """() => {
        const map = window.atlasMaps[window.atlasMaps.length - 1], out = [];
        const canvas = map.atlas.renderer._container, ctx = canvas.getContext('2d');
        const ratio = canvas.width / canvas.clientWidth, rect = canvas.getBoundingClientRect();
        const box = map.getContainer().getBoundingClientRect();
        map.eachLayer(l => {
          // Dots below atlas.js' SYMBOL_MIN_RADIUS (context dots, large datasets) carry no symbol.
          if (l.atlasKind !== 'events' || l.atlasHidden || !l._point || l._radius < 7) return;
          const pt = map.latLngToContainerPoint(l.getLatLng());
          const x = (pt.x + box.left - rect.left) * ratio, y = (pt.y + box.top - rect.top) * ratio;
          const r = Math.round(l._radius * 0.75 * ratio);
          if (x - r < 0 || y - r < 0 || x + r >= canvas.width || y + r >= canvas.height) return;
          const d = ctx.getImageData(Math.round(x - r), Math.round(y - r), 2 * r, 2 * r).data;
          const colours = new Set();
          for (let i = 0; i < d.length; i += 4) colours.add((d[i] >> 5) + ',' + (d[i + 1] >> 5) + ',' + (d[i + 2] >> 5));
          out.push({id: l.atlasProps.id, colours: colours.size, symbol: l.atlasProps.symbol});
        });
        return out;
    }"""


def probe_checked(frame, probe: list, drawn: dict) -> dict:
    flat = [p for p in probe if p["colours"] < 2]
    assert not flat, f"dots drawn without a visible symbol: {flat}"
    assert {p["id"] for p in probe} <= set(drawn), "a dot on screen was drawn without the symbol hook"
    legend = frame.evaluate("""() => Array.from(document.querySelectorAll('.atlas-legend-item[data-symbol]'))
        .map(n => [n.getAttribute('data-symbol'), n.textContent, !!n.querySelector('img')])""")
    listed = {key for key, _, has_img in legend if has_img}
    assert {p["symbol"] for p in probe} <= listed, (legend, probe)  # the log keeps earlier steps' dots
    labels = {key: text for key, text, _ in legend}
    for key in listed:
        assert labels[key] == symbols.TYPES[key][0]
    return drawn


def test_app_page_map_and_presenter_render_native_names_and_symbols(chromium, app_url):
    log = browser.PageLog()
    page, font_requests = open_page(chromium, app_url, log)
    frame = browser.map_frame(page, timeout_s=90)

    # The search box (its placeholder names 平壤) in the app's own font stack.
    search = 'input[aria-label="Search"]'
    page.locator(search).wait_for(timeout=30_000)
    placeholder = page.get_attribute(search, "placeholder")
    native = "".join(ch for ch in placeholder if ord(ch) >= 0x2E80)
    assert native, f"the search placeholder holds no CJK name any more: {placeholder!r}"
    input_font = page.evaluate(FONT_OF, search)
    assert_boxes(page.main_frame, input_font, "习近")
    for text in NAMES + (native,):
        assert_glyphs(page.main_frame, input_font, text)
    page.fill(search, "习近平 김정은")
    page.locator(search).screenshot(path=str(SHOTS / "fonts-search.png"))
    page.fill(search, "")
    before = [url for url in font_requests if "/fonts/" in url]
    print(f"\nvendored font files fetched for the dataset's text: {before}")
    assert not [url for url in before if "/chunks/" in url], "the subset should cover the dataset's text"
    # A character outside the subset: its unicode-range slice comes from the app's own static server.
    assert_glyphs(page.main_frame, input_font, "猫狗")
    assert any("/app/static/assets/fonts/chunks/" in url for url in font_requests), font_requests

    # The map (iframe, atlas.css) and the symbols of the events drawn there.
    map_font = frame.evaluate(FONT_OF, ".atlas-map")
    assert_boxes(frame, map_font, "김정")
    for text in NAMES:
        assert_glyphs(frame, map_font, text)
    # Cyrillic and Arabic names of the data are not vendored: system fonts draw them (DejaVu Sans here).
    for text in ("Пут", "ای"):
        assert_glyphs(frame, map_font, text)
    drawn = check_symbols(frame, expected_symbols(), SHOTS / "fonts-app.png")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "fonts-app.png"))
    print(f"\napp: {len(drawn)} events drawn with symbols; font files fetched: {len(font_requests)}")
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()

    # Presenter mode: the same page shell (fonts) with large type.
    log = browser.PageLog()
    page, _ = open_page(chromium, app_url + "/?mode=present&step=1", log)
    frame = browser.map_frame(page, timeout_s=60)
    page.locator(".atlas-step-title").first.wait_for(timeout=30_000)
    title_font = page.evaluate(FONT_OF, ".atlas-step-title")
    assert_boxes(page.main_frame, title_font, "习近")
    for text in NAMES:
        assert_glyphs(page.main_frame, title_font, text)
    check_symbols(frame, expected_symbols(), SHOTS / "fonts-present.png")
    page.screenshot(path=str(SHOTS / "fonts-present.png"))
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()


def test_briefing_renders_native_names_and_symbols_from_disk(chromium, tmp_path, shared_build, monkeypatch):
    monkeypatch.setenv("GEO_BUILD_DIR", str(shared_build))
    exported = briefing.export(tmp_path / "briefing.html")
    out, steps = exported.path, exported.steps
    log = browser.PageLog()
    page, font_requests = open_page(chromium, out.resolve().as_uri() + "#step=1", log)
    briefing.wait_settled(page)
    body_font = page.evaluate(FONT_OF, "body")
    assert "Atlas CJK" in body_font
    assert_boxes(page.main_frame, body_font, "习近")
    for text in NAMES:
        assert_glyphs(page.main_frame, body_font, text)
    assert font_requests == [], "the briefing's fonts are inlined: nothing is fetched"
    wanted = expected_symbols()
    seen: dict[str, str] = {}
    for step in range(1, steps + 1):
        page.evaluate(f"() => {{ location.hash = 'step={step}'; }}")
        time.sleep(0.1)
        briefing.wait_settled(page)
        seen.update({k: v["symbol"] for k, v in check_symbols(page.main_frame, wanted, SHOTS).items()})
        if step == 1:
            page.screenshot(path=str(SHOTS / "fonts-briefing.png"))
    print(f"\nbriefing: {len(seen)} events drawn with symbols over {steps} steps")
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
