"""Playback frame times for `python -m geo bench render` (issue 16: p95 ≤ 50 ms at 5k events, ≤ 100 ms at 20k).

A frame is one step of the date window (geo/assets/atlas-time.js `Playback.step`): every event dot is
tested against the window, the dots that enter or leave are flagged, journeys move and the canvas is
redrawn once. Two figures per frame, both measured in the page on the mounted app map:

- `work`: the frame's own script and canvas time (start of the step to the end of the redraw);
- `paint`: start of the step to the second animation frame after it, i.e. until the browser has
  painted the frame (this includes up to one display refresh of waiting, ~16 ms).
"""

from __future__ import annotations

import math
import time

UNIT = "week"
FRAMES = 80

# Steps through the windows in the page (from the first, wrapping at the end) and times each frame.
RUN = """
async ([unit, frames]) => {
  const pb = window.__atlasPlay.pb();
  const span = pb.span();
  const next = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  pb.pause();
  pb.seek(span[0], unit);
  await next();
  const work = [], paint = [], shown = [];
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    if (!pb.step()) pb.seek(span[0], unit);
    work.push(performance.now() - t0);
    await next();
    paint.push(performance.now() - t0);
    shown.push(window.__atlasPlay.state().drawn.length);
  }
  return {work, paint, shown};
}
"""


def _p95(values: list[float]) -> float | None:
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)] if values else None


def measure(chromium, browser_mod, url: str, n_events: int, unit: str = UNIT, frames: int = FRAMES) -> dict:
    """p95 and median frame times (ms) of playback over `n_events` in the app at `url`."""
    log = browser_mod.PageLog()
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script("window.__atlasTest = true;")  # the test hook drives and reads playback
    page = context.new_page()
    log.attach(page)
    try:
        page.goto(url)
        deadline = time.monotonic() + 180
        frame = None
        while frame is None and time.monotonic() < deadline:
            for candidate in page.frames:
                try:
                    ready = candidate.evaluate(
                        "() => !!(window.__atlasPlay && window.__atlasPlay.pb().ui && "
                        "window.__atlasPlay.state().drawn.length)"
                    )
                except Exception:  # a frame still navigating
                    continue
                if ready:
                    frame = candidate
                    break
            time.sleep(0.1)
        if frame is None:
            raise RuntimeError(f"playback controls did not appear on {n_events} events")
        page.wait_for_timeout(1500)  # the rest of the page renders after the map's first paint
        got = frame.evaluate(RUN, [unit, frames])
        work, paint = got["work"], got["paint"]
        return {
            "play_unit": unit,
            "play_frames": len(work),
            "play_work_p95_ms": _p95(work),
            "play_work_median_ms": sorted(work)[len(work) // 2],
            "play_paint_p95_ms": _p95(paint),
            "play_paint_median_ms": sorted(paint)[len(paint) // 2],
            "play_shown_median": sorted(got["shown"])[len(got["shown"]) // 2],
            "play_errors": len(log.console_errors) + len(log.outside_requests),
        }
    finally:
        context.close()


def format_rows(runs: list[dict]) -> list[str]:
    """Lines for the benchmark report: one per atlas run with playback figures."""
    limits = {5000: 50, 20000: 100}
    lines = []
    for r in runs:
        if r.get("play_work_p95_ms") is None:
            continue
        limit = limits.get(r["events"])
        target = f" (target ≤ {limit} ms)" if limit else ""
        lines.append(
            f"playback on {r['events']} events, {r['play_frames']} {r['play_unit']} frames "
            f"(median {r['play_shown_median']} dots shown): p95 frame {r['play_work_p95_ms']:.1f} ms "
            f"script+canvas, {r['play_paint_p95_ms']:.1f} ms to paint{target}; medians "
            f"{r['play_work_median_ms']:.1f} / {r['play_paint_median_ms']:.1f} ms; "
            f"{r['play_errors']} errors"
        )
    return lines
