"""Render benchmark: `bench_render` times the app against a naive folium app on synthetic datasets, in
headless Chromium (first paint, filter change, bytes per event, memory, concurrent sessions)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks import playback, probes
from geo import config

# ---------------------------------------------------------------- render benchmark

NAIVE_APP = "tools/naive_app.py"
FILTER_TYPE = "talks"  # the filter both apps apply: "Event type" = talks (~14% of synthetic events)


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)] if values else None


def _tests_helpers():
    """tests/browser.py: Chromium flags, the outside-request guard and the console-error log."""
    tests_dir = str(config.PROJECT_ROOT / "tests")
    if tests_dir not in sys.path:
        sys.path.insert(0, tests_dir)
    import browser

    if not Path(browser.CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {browser.CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise RuntimeError("playwright is not installed (pip install -r requirements-dev.txt)") from None
    return browser


class _Server:
    """`streamlit run APP` on a free loopback port, with its process for RSS readings."""

    def __init__(self, app: str, env: dict, log_dir: Path) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{Path(app).stem}-{self.port}.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    app,
                    "--server.port",
                    str(self.port),
                    "--server.fileWatcherType",
                    "none",
                ],
                cwd=config.PROJECT_ROOT,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{app} exited early; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{app} did not start within 90 s; see {self.log}")
            time.sleep(0.2)

    def rss_mb(self) -> float:
        import psutil

        proc = psutil.Process(self.proc.pid)
        return sum(p.memory_info().rss for p in [proc] + proc.children(recursive=True)) / 2**20

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class _Visit:
    """One browser session on an app: websocket frames, data-file fetches, errors."""

    def __init__(self, chromium, browser_mod, url: str, context=None) -> None:
        self.log = browser_mod.PageLog()
        self.context = context or chromium.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.log.attach(self.page)
        self.frames: list[tuple[float, bytes]] = []
        self.fetched: list[tuple[float, str]] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.on(
            "requestfinished",
            lambda req: (
                self.fetched.append((time.monotonic(), req.url)) if "/app/static/published/" in req.url else None
            ),
        )
        self.url = url

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, (bytes, bytearray)) else str(payload).encode("utf-8")
        self.frames.append((time.monotonic(), bytes(data)))

    def frame_count(self):
        """(the st_folium frame, its drawn events) or (None, -1)."""
        for frame in self.page.frames:
            try:
                n = frame.evaluate(probes.DRAWN)
            except Exception:  # frame navigating or not a map
                continue
            if n >= 0:
                return frame, n
        return None, -1

    def wait_drawn(self, expected: int, timeout_s: float = 120.0):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            frame, n = self.frame_count()
            if frame is not None and n == expected:
                frame.evaluate(probes.NEXT_FRAME)
                return frame
            time.sleep(0.03)
        raise RuntimeError(f"map did not show {expected} events within {timeout_s:.0f} s")

    def watch(self, expected: int) -> None:
        """Time the page's own first paint of `expected` events (see probes.WATCH); before `goto`."""
        self.context.add_init_script(f"({probes.WATCH})({expected})")

    def watched_s(self, timeout_s: float = 120.0, page=None) -> float:
        """Seconds from navigation (or the last `probes.REARM`) to the paint the watcher waited for."""
        page = page or self.page
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                ms = page.evaluate(probes.WATCHED)
            except Exception:  # still navigating
                ms = None
            if ms is not None:
                return ms / 1000
            time.sleep(0.05)
        raise RuntimeError(f"map did not show the expected events within {timeout_s:.0f} s")

    def bytes_since(self, t0: float, t1: float | None = None) -> tuple[int, int]:
        """(all websocket bytes, bytes of st_folium messages) received in [t0, t1]."""
        frames = [f for t, f in self.frames if t >= t0 and (t1 is None or t <= t1)]
        return sum(len(f) for f in frames), sum(len(f) for f in frames if b"map_div" in f)

    def first_map_bytes(self, t0: float) -> int:
        return next((len(f) for t, f in self.frames if t >= t0 and b"map_div" in f), 0)

    def data_bytes_since(self, t0: float) -> int:
        """Bytes of the published data files fetched since t0. The script bundle (published/map-*.js:
        Leaflet, basemap, runtime; ~610 kB, the same at any size, cached by the browser like
        Streamlit's own code) is not map data and is left out."""
        files = {url for t, url in self.fetched if t >= t0 and url.rsplit("/", 1)[-1].startswith("atlas-")}
        from geo.web import assets

        folder = assets.published_dir()
        return sum((folder / url.rsplit("/", 1)[-1]).stat().st_size for url in files)

    def close(self) -> None:
        self.context.close()


def _choose_type(page, value: str, n_expected: int) -> float:
    """Pick `value` in the "Event type" multiselect and re-arm the page's watcher for `n_expected`
    dots just before the choice is committed (Enter), so typing into the widget is not counted."""
    _tests_helpers().open_filters(page)  # the explorer starts with its filters folded away
    box = page.locator('[data-testid="stMultiSelect"]', has_text="Event type").locator("input")
    box.click()
    box.fill(value)
    page.evaluate(probes.REARM, n_expected)
    committed = time.monotonic()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    return committed


def _measure(
    chromium, browser_mod, url: str, n_events: int, n_filtered: int, warm: bool = True, settled: str | None = None
) -> dict:
    """One visit (and a warm one), then the filter change. `settled`: an element the app shows once
    its page is complete, waited for before the filter."""
    visit = _Visit(chromium, browser_mod, url)
    visit.watch(n_events)
    page = visit.page
    try:
        t0 = time.monotonic()
        page.goto(url)
        paint_s = visit.watched_s()
        # Let the app settle before the filter (the atlas renders its timeline and table in the run
        # that follows the map's first paint).
        page.wait_for_timeout(800)
        if settled:
            page.locator(settled).first.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
        # The map's first message (later runs re-send the same element) + the data files it fetched.
        map_bytes = visit.first_map_bytes(t0) + visit.data_bytes_since(t0)
        warm_s = None
        if warm:  # a returning visitor: new session, browser cache filled by the visit above
            again = visit.context.new_page()
            visit.log.attach(again)
            again.goto(url)
            warm_s = visit.watched_s(page=again)
            again.close()
        page.evaluate(probes.NO_BLANK_MONITOR)
        t1 = _choose_type(page, FILTER_TYPE, n_filtered)
        filter_s = visit.watched_s()
        page.wait_for_timeout(700)
        total_ws, map_ws = visit.bytes_since(t1)
        state = page.evaluate("() => ({blank: window.__blankMs, maps: window.__maps.size})")
        return {
            "paint_s": paint_s,
            "warm_paint_s": warm_s,
            "map_bytes": map_bytes,
            "filter_s": filter_s,
            "filter_ws_bytes": total_ws,
            "filter_map_bytes": map_ws + visit.data_bytes_since(t1),
            "blank_ms": state["blank"],
            "remounts": state["maps"] - 1,
            "errors": len(visit.log.console_errors),
            "outside": len(visit.log.outside_requests),
        }
    finally:
        visit.close()


def _sessions(chromium, browser_mod, server: _Server, n_events: int, count: int, warm: bool = False) -> dict:
    """`count` sessions opened at once; first paint of each, errors, and the app server's CPU time
    (the browsers share the same cores, so this says how much of the wait is the server's). Each
    session is a new browser profile (cold cache), or with `warm` a tab of one profile whose cache a
    visit before has filled (returning visitors)."""
    import psutil

    url = server.url
    shared = None
    if warm:
        shared = chromium.new_context(viewport={"width": 1400, "height": 900})
        first = _Visit(chromium, browser_mod, url, context=shared)
        first.watch(n_events)
        first.page.goto(url)
        first.watched_s()
        first.page.close()
    proc = psutil.Process(server.proc.pid)
    cpu0 = sum(proc.cpu_times()[:2])
    visits = [_Visit(chromium, browser_mod, url, context=shared) for _ in range(count)]
    paints, errors = [], 0
    try:
        for visit in [] if warm else visits:  # a shared profile has the watcher already (above)
            visit.watch(n_events)
        for visit in visits:
            visit.page.goto(url, wait_until="commit")
        pending = set(range(count))
        deadline = time.monotonic() + 180
        while pending and time.monotonic() < deadline:
            time.sleep(1.0)
            for i in list(pending):
                try:
                    ms = visits[i].page.evaluate(probes.WATCHED)
                except Exception:  # still navigating
                    continue
                if ms is not None:
                    paints.append(ms / 1000)
                    pending.discard(i)
        errors = len(pending) + sum(len(v.log.console_errors) + len(v.log.outside_requests) for v in visits)
    finally:
        if shared is not None:
            shared.close()
        else:
            for visit in visits:
                visit.close()
    return {
        "sessions": count,
        "p95_paint_s": _p95(paints),
        "median_paint_s": _median(paints),
        "errors": errors,
        "server_cpu_s": sum(proc.cpu_times()[:2]) - cpu0,
    }


def wait_for_quiet(limit: float = 1.0, max_s: float = 180.0) -> float:
    """Wait (at most `max_s`) until the 1-minute load average is under `limit`: work that has just
    ended (a test run, a build) otherwise weighs on the first figures — on this 2-core box the same
    5k first paint measured 1.6 s on a quiet machine and 2.1 s right after a test run. Returns the
    seconds waited."""
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < max_s:
        time.sleep(5)
    return time.monotonic() - started


def bench_render(
    sizes: list[int],
    repeats: int = 3,
    sessions: int = 10,
    baseline: bool = True,
    quiet: bool = False,
    workdir: str | Path | None = None,
    settle: bool = True,
) -> dict:
    """Run the atlas and the naive folium app on synthetic datasets of `sizes` events in headless
    Chromium; median of `repeats` visits per app and size. Prints a table unless `quiet`. With
    `settle`, first waits for a quiet machine (`wait_for_quiet`)."""
    from benchmarks import synth
    from geo import layers as layer_stage

    browser_mod = _tests_helpers()
    from playwright.sync_api import sync_playwright

    settled_s = wait_for_quiet() if settle else 0.0

    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    build_dir = work / "build"
    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "repeats": repeats,
        "settled_s": round(settled_s, 1),
        "load_avg": os.getloadavg()[0],
        "runs": [],
    }
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=browser_mod.CHROMIUM, args=browser_mod.LAUNCH_ARGS)
        try:
            for n in sizes:
                data = work / f"synth-{n}"
                synth.generate(n, data, seed=1)
                t0 = time.perf_counter()
                old = os.environ.get("GEO_BUILD_DIR")
                os.environ["GEO_BUILD_DIR"] = str(build_dir)
                try:
                    layer_stage.build(data)
                    events = layer_stage.load_layers(data)["events"]
                finally:
                    os.environ.pop("GEO_BUILD_DIR") if old is None else os.environ.__setitem__("GEO_BUILD_DIR", old)
                build_s = time.perf_counter() - t0
                n_filtered = int((events["type"] == FILTER_TYPE).sum())
                env = {"GEO_DATA_DIR": str(data), "GEO_BUILD_DIR": str(build_dir), "GEO_ONLINE_TILES": "0"}
                for app in ["app.py", NAIVE_APP] if baseline else ["app.py"]:
                    name = "atlas" if app == "app.py" else "naive"
                    if not quiet:
                        print(f"… {name} on {n} events", file=sys.stderr, flush=True)
                    server = _Server(app, env, work)
                    try:
                        settled = "iframe[title*='atlas_event_table']" if name == "atlas" else None
                        _measure(
                            chromium,
                            browser_mod,
                            server.url,
                            n,
                            n_filtered,
                            warm=False,  # fills caches
                            settled=settled,
                        )
                        # The naive app takes a minute per visit at 20k: its warm visit is skipped there.
                        warm = name == "atlas" or n <= 5000
                        runs = [
                            _measure(chromium, browser_mod, server.url, n, n_filtered, warm, settled)
                            for _ in range(repeats)
                        ]
                        row = {"app": name, "events": n, "build_s": round(build_s, 2)}
                        for key in runs[0]:
                            row[key] = _median([r[key] for r in runs])
                        row["errors"] = sum(r["errors"] for r in runs)
                        row["outside"] = sum(r["outside"] for r in runs)
                        row["bytes_per_event"] = row["map_bytes"] / n
                        if name == "atlas":  # playback frame times (benchmarks/playback.py)
                            row.update(playback.measure(chromium, browser_mod, server.url, n))
                        if name == "atlas" and n == max(sizes):
                            held = [_Visit(chromium, browser_mod, server.url) for _ in range(3)]
                            try:
                                for visit in held:
                                    visit.page.goto(server.url)
                                    visit.wait_drawn(n)
                                time.sleep(1)
                                row["rss_3_sessions_mb"] = server.rss_mb()
                            finally:
                                for visit in held:
                                    visit.close()
                        row["rss_mb"] = server.rss_mb()
                        results["runs"].append(row)
                    finally:
                        server.stop()
            if sessions:
                n = min(sizes)
                server = _Server(
                    "app.py", {"GEO_DATA_DIR": str(work / f"synth-{n}"), "GEO_BUILD_DIR": str(build_dir)}, work
                )
                try:
                    warm = _Visit(chromium, browser_mod, server.url)  # first visit loads the dataset
                    try:
                        warm.page.goto(server.url)
                        warm.wait_drawn(n)
                    finally:
                        warm.close()
                    results["concurrency"] = {"events": n, **_sessions(chromium, browser_mod, server, n, sessions)}
                    results["concurrency_warm"] = {
                        "events": n,
                        **_sessions(chromium, browser_mod, server, n, sessions, warm=True),
                    }
                finally:
                    server.stop()
        finally:
            chromium.close()
    results["load_avg_end"] = os.getloadavg()[0]
    if not quiet:
        print(format_render(results))
    return results


def format_render(results: dict) -> str:
    def num(value, fmt):
        return "—" if value is None else format(value, fmt)

    lines = [
        f"render benchmark {results['date']}, {results['cpus']} CPUs, median of {results['repeats']} "
        f"(load avg {results['load_avg']:.1f} → {results.get('load_avg_end', 0):.1f}; "
        f"waited {results.get('settled_s', 0):.0f} s for a quiet machine)",
        "| app | events | first paint s (cold / warm cache) | map bytes/event | filter s "
        "| filter bytes (map / all ws) | blank ms | remounts | RSS MB | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["runs"]:
        rss = num(r.get("rss_mb"), ".0f")
        if r.get("rss_3_sessions_mb"):
            rss += f" (3 sessions: {r['rss_3_sessions_mb']:.0f})"
        lines.append(
            f"| {r['app']} | {r['events']} | {num(r['paint_s'], '.2f')} / {num(r.get('warm_paint_s'), '.2f')} "
            f"| {num(r['bytes_per_event'], '.0f')} "
            f"| {num(r['filter_s'], '.2f')} | {num(r['filter_map_bytes'] / 1000, '.1f')} kB / "
            f"{num(r['filter_ws_bytes'] / 1000, '.1f')} kB | {num(r['blank_ms'], '.0f')} "
            f"| {num(r['remounts'], '.0f')} | {rss} | {r['errors'] + r['outside']} |"
        )
    lines += playback.format_rows(results["runs"])
    by = {(r["app"], r["events"]): r for r in results["runs"]}
    for n in sorted({r["events"] for r in results["runs"]}):
        if ("atlas", n) in by and ("naive", n) in by:
            naive, atlas = by["naive", n], by["atlas", n]
            warm = (
                f", warm cache {naive['warm_paint_s'] / atlas['warm_paint_s']:.1f}×"
                if naive.get("warm_paint_s") and atlas.get("warm_paint_s")
                else ""
            )
            lines.append(
                f"speed-up at {n} events (first paint, naive / atlas): cold cache "
                f"{naive['paint_s'] / atlas['paint_s']:.1f}×{warm}"
            )
    for key, how in (
        ("concurrency", "new browser profiles, cold cache"),
        ("concurrency_warm", "tabs of one profile, warm cache"),
    ):
        conc = results.get(key)
        if conc:
            lines.append(
                f"{conc['sessions']} concurrent sessions on {conc['events']} events ({how}): p95 first "
                f"paint {num(conc['p95_paint_s'], '.2f')} s (median {num(conc['median_paint_s'], '.2f')} s), "
                f"{conc['errors']} errors; app server CPU {conc.get('server_cpu_s', 0):.1f} s"
            )
    return "\n".join(lines)
