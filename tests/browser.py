"""Headless Debian Chromium for tests: launch flags, outside-request guard, Leaflet probes, app server.

Every non-loopback request is routed to a dead proxy and recorded, so a test can assert that nothing
left the machine; console errors and page errors are recorded too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import needs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=localhost;127.0.0.1;[::1]",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

# Hooks every Leaflet map created in any frame so tests can find it and count its layers.
LEAFLET_PROBE = """
(() => {
  // Hooks every Leaflet map made on the page, whenever Leaflet arrives: a trap on `window.L` runs as
  // Leaflet installs itself, before any script that follows in the same task can create a map.
  const install = (L) => {
    if (!L || !L.Map || L.Map.__atlasProbe) return;
    L.Map.__atlasProbe = true;
    window.__leafletMaps = window.__leafletMaps || [];
    L.Map.addInitHook(function () { window.__leafletMaps.push(this); });
  };
  if (window.L) { install(window.L); return; }
  let value;
  Object.defineProperty(window, 'L', {
    configurable: true, enumerable: true,
    get() { return value; },
    set(v) { value = v; try { install(v); } catch (e) { /* not Leaflet */ } },
  });
})();
"""

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_outside(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "file", "devtools"):
        return False
    return (parsed.hostname or "") not in LOCAL_HOSTS


@dataclass
class PageLog:
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("request", lambda req: self.outside_requests.append(req.url) if is_outside(req.url) else None)
        page.on("console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        needs.missing(f"Debian Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        needs.missing("playwright not installed (pip install -r requirements-dev.txt)")


@contextlib.contextmanager
def browser(extra_args: list[str] | None = None):
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS + (extra_args or []))
        try:
            yield instance
        finally:
            instance.close()


def new_page(instance, log: PageLog, viewport=(1400, 900)):
    context = instance.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_init_script(LEAFLET_PROBE)
    page = context.new_page()
    log.attach(page)
    return page


def map_frame(page, timeout_s: float = 30.0):
    """The frame holding a Leaflet map with an atlas payload drawn (the st_folium iframe in the app)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                ready = frame.evaluate(
                    "() => !!(window.__leafletMaps && window.__leafletMaps.length && window.atlasMaps && window.atlasMaps.some(m => m.atlas && m.atlas.legend))"
                )
            except Exception:
                continue
            if ready:
                return frame
        time.sleep(0.05)
    raise AssertionError(f"no Leaflet map with atlas data appeared within {timeout_s:.0f} s")


def open_filters(page, timeout_s: float = 30.0) -> None:
    """Unfold the filters sidebar, as a viewer does with its "Filters" button (the explorer starts with it
    folded away, the map first), and wait until it sits wholly on screen."""
    page.locator('[data-testid="stSidebar"]').wait_for(state="attached", timeout=timeout_s * 1000)
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count():
        expand.click()
    page.wait_for_function(
        """() => { const r = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
                   return r.width > 0 && r.left >= 0; }""",
        timeout=timeout_s * 1000,
    )


COUNT_LAYERS = """
() => {
  const map = window.atlasMaps[window.atlasMaps.length - 1];
  const counts = {points: 0, events: 0, mentions: 0, lines: 0, polygons: 0, routes: 0, relations: 0, regions: 0, rings: 0};
  map.eachLayer(layer => {
    if (layer.atlasHidden) return;  // filtered out: neither drawn nor hit-tested (atlas.js)
    if (layer instanceof L.CircleMarker && !(layer instanceof L.Circle)) {
      counts.points++;
      if (layer.atlasKind === 'events') counts.events++;
      if (layer.atlasKind === 'mentions') counts.mentions++;
    } else if (layer instanceof L.Circle) {
      counts.rings++;
    } else if (layer instanceof L.Polygon) {
      if (layer.feature === undefined && !layer.options.interactive === false) {}
      counts.polygons++;
    } else if (layer instanceof L.Polyline) {
      counts.lines++;
    }
    if (layer.atlasKind === 'routes') counts.routes++;
    if (layer.atlasKind === 'relations') counts.relations++;
    if (layer.atlasKind === 'regions') counts.regions++;
  });
  return counts;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(
    env: dict[str, str] | None = None, app: str = "app.py", timeout_s: float = 60.0, cwd: Path | None = None
):
    """Run `streamlit run app.py` (in `cwd`, default the project) on a free loopback port; yields the base URL."""
    port = free_port()
    # Only the port is set here: everything else comes from .streamlit/config.toml, as for a user.
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
    ]
    full_env = {**os.environ, **(env or {})}
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd or PROJECT_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"streamlit exited early: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("streamlit did not become healthy in time")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
