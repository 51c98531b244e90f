"""The first visit on a fresh clone: no build/, no cache; the map must be on screen within 5 s of opening the
page, which is opened as soon as `streamlit run app.py` answers its health check (issue 17, item 2)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import time
from pathlib import Path

import browser
import needs
import pytest

from benchmarks import probes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST_PAINT_LIMIT_S = 5.0


def fresh_copy(dest: Path) -> Path:
    """The repository's tracked files (as a clone has them: no build/, no caches, no __pycache__)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=browser.PROJECT_ROOT, check=True, capture_output=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        needs.missing("git and a git checkout are needed to copy the tracked files")
    for name in filter(None, listed.decode("utf-8").split("\0")):
        src, dst = browser.PROJECT_ROOT / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif src.is_file():  # a file deleted but not yet committed is skipped
            shutil.copy2(src, dst)
    return dest


def seed_event_count(root: Path) -> int:
    with open(root / "data" / "events.csv", encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_first_visit_on_a_fresh_clone_shows_the_map_within_5_s(tmp_path):
    browser.require_chromium()
    clone = fresh_copy(tmp_path / "clone")
    assert not (clone / "build").exists()
    build, cache = tmp_path / "build", tmp_path / "cache"
    build.mkdir()
    cache.mkdir()
    expected = seed_event_count(clone)
    assert expected > 0
    env = {"GEO_BUILD_DIR": str(build), "GEO_CACHE_DIR": str(cache)}
    with browser.browser() as chromium, browser.streamlit_app(env=env, cwd=clone) as url:
        healthy = time.monotonic()
        log = browser.PageLog()
        page = browser.new_page(chromium, log)
        missing = []
        page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
        page.context.add_init_script(f"({probes.WATCH})({expected})")
        page.goto(url)
        # The page times itself: from navigation start to two frames after every event dot is drawn.
        deadline = time.monotonic() + 120
        paint_ms = None
        while paint_ms is None and time.monotonic() < deadline:
            try:
                paint_ms = page.evaluate(probes.WATCHED)
            except Exception:  # still navigating
                paint_ms = None
            if paint_ms is None:
                page.wait_for_timeout(50)
        assert paint_ms is not None, f"the map never showed its {expected} events"
        wall_s = time.monotonic() - healthy
        load = os.getloadavg()
        browser.ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(browser.ARTIFACTS / "first-visit.png"))
        print(
            f"first visit on a fresh clone: map painted {paint_ms / 1000:.2f} s after navigation "
            f"({wall_s:.2f} s after the health check); load average {load[0]:.1f}"
        )
        assert list(cache.iterdir()) == [], "the shipped gazetteer index is used: nothing is built into the cache"
        assert log.outside_requests == [], log.outside_requests
        assert log.console_errors == [], (log.console_errors, missing)
        assert paint_ms / 1000 <= FIRST_PAINT_LIMIT_S, (
            f"first paint {paint_ms / 1000:.2f} s > {FIRST_PAINT_LIMIT_S} s (load average {load[0]:.1f})"
        )
