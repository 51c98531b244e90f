"""Single-file offline briefing: a story as ONE HTML page (Leaflet, styles, basemap, data inlined),
plus a PNG snapshot of a step taken with headless Debian Chromium.

The page is the atlas map (`elements.AtlasMap`, whose assets are data: URIs) with one more element: the
story, serialised with `escape.script_json`, which `assets/briefing.js` turns into a caption panel
(textContent only) and ArrowRight/ArrowLeft navigation. Each step's map content comes from
`geo.storymap`, the same as presenter mode in the app.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.dataset import stories
from geo.web import assets, elements, escape, storymap

SIZE_TARGET_BYTES = 2_000_000
CHROMIUM = "/usr/bin/chromium"  # Debian's package; GEO_CHROMIUM overrides (as in tests/browser.py)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SNAPSHOT_SIZE = (1400, 900)


class BriefingError(Exception):
    """A problem to report in one line (the CLI exits with status 2)."""


def story_data(layers: Mapping[str, Any], story: stories.Story, since: Mapping[str, Any] | None = None) -> dict:
    """The story as briefing.js reads it; `since` marks (geo.web.changes) ride on every step's map. The
    story's grey context dots are sent once (`context`), not with every step."""
    context = storymap.story_context(layers, story)
    steps = []
    for number, step in enumerate(story.steps, 1):
        steps.append(
            {
                "title": step.title,
                "caption": step.caption,
                "when": storymap.when_where(layers, step),
                "view": storymap.step_view(layers, step),
                "payload": storymap.step_payload_marked(layers, story, number, since, shared_context=bool(context)),
            }
        )
    return {"title": story.title, "description": story.description, "steps": steps, "context": context}


def build_map(
    layers: Mapping[str, Any], story: stories.Story, since: Mapping[str, Any] | None = None
) -> elements.AtlasMap:
    fmap = elements.AtlasMap(
        location=[45, 100], zoom_start=3, min_zoom=2, max_zoom=12, online_tiles=False, world_copy_jump=False
    )
    fmap.default_js.append(
        ("atlas_briefing", assets.data_uri("text/javascript", (assets.ASSETS / "briefing.js").read_bytes()))
    )
    fmap.default_css.append(
        ("atlas_briefing_css", assets.data_uri("text/css", (assets.ASSETS / "briefing.css").read_bytes()))
    )
    elements.StoryElement(story_data(layers, story, since)).add_to(fmap)
    return fmap


def render(layers: Mapping[str, Any], story: stories.Story, since: Mapping[str, Any] | None = None) -> str:
    """The whole briefing page as text (with `since` marks: new/changed badges, removed ghosts)."""
    root = build_map(layers, story, since).get_root()
    page = root.render()
    # The page's language, for screen readers (folium's template has none).
    page = page.replace("<html>", '<html lang="en">', 1)
    # The page title is the one piece of story text placed in markup by Python.
    return page.replace("<head>", f"<head>\n    <title>{escape.escape_html(story.title)}</title>", 1)


@dataclass(frozen=True)
class Exported:
    path: Path
    size: int
    steps: int
    seconds: float


def export(
    out: Path | str, story_name: str | None = None, data_dir: Path | str | None = None, since: str | None = None
) -> Exported:
    """Write the briefing for `story_name` (default story when None). With `since` (a version id, prefix,
    date or saved version file) the story begins with a generated "Since the last briefing" step and
    the map marks what changed. Raises StoryError, OSError, BriefingError (an unknown version) and
    events.DatasetError (the dataset does not validate)."""
    from geo import layers as layer_stage

    started = time.perf_counter()
    from geo.dataset import autostory

    if not autostory.wanted(story_name, data_dir):
        stories.story_path(story_name, data_dir)  # an unknown story fails before the (slow) first build
    layers = layer_stage.load_layers(data_dir)
    story = stories.load(story_name, layers, data_dir=data_dir)
    found = None
    if since:
        from geo.web import changes

        try:
            found = changes.since_changes(since, data_dir, layer_stage.dataset_signature(data_dir))
        except changes.SinceError as exc:
            raise BriefingError(f"--since {since}: {exc}") from None
    story, marks = storymap.with_changes(story, found)
    text = render(layers, story, marks)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)  # never leave a half-written briefing behind
    return Exported(out, out.stat().st_size, len(story.steps), time.perf_counter() - started)


# ---------------------------------------------------------------- snapshot


@contextlib.contextmanager
def chromium(executable: str | None = None):
    """Headless Debian Chromium through playwright; BriefingError when either is missing."""
    executable = executable or os.environ.get("GEO_CHROMIUM") or CHROMIUM
    if not Path(executable).exists():
        raise BriefingError(f"Chromium not found at {executable} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BriefingError("playwright is not installed (pip install -r requirements-dev.txt)") from None
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # playwright raises its own Error type; report it in one line
            raise BriefingError(f"cannot start Chromium: {str(exc).splitlines()[0]}") from None
        try:
            yield browser
        finally:
            browser.close()


def wait_settled(page, timeout_ms: int = 15_000) -> None:
    """Until the briefing has drawn the current step and the map stopped moving."""
    page.wait_for_function("() => window.atlasBriefing && window.atlasBriefing.settled()", timeout=timeout_ms)
    page.wait_for_timeout(150)  # one more frame for the canvas renderer


def snapshot(out: Path | str, story_name: str | None = None, step: int = 1, data_dir: Path | str | None = None) -> Path:
    """PNG of one step of the exported briefing, opened from disk."""
    out = Path(out)
    with chromium() as browser, tempfile.TemporaryDirectory() as tmp:
        exported = export(Path(tmp) / "briefing.html", story_name, data_dir)
        number = stories.clamp(step, exported.steps)
        page = browser.new_page(viewport={"width": SNAPSHOT_SIZE[0], "height": SNAPSHOT_SIZE[1]})
        page.goto(exported.path.resolve().as_uri() + f"#step={number}")
        wait_settled(page)
        page.screenshot(path=str(out))
    return out
