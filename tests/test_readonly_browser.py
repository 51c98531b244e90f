"""The app runs from a read-only copy of the repository: nothing is written beside the code (the served
folder cannot be written, so assets and data are inlined), and the map still draws with no request out."""

from __future__ import annotations

import contextlib
import shutil
import subprocess

import browser
import needs
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@contextlib.contextmanager
def read_only_copy(tmp_path):
    """The tracked files in a folder bind-mounted read-only (root ignores file modes, not a ro mount)."""
    src, mnt = tmp_path / "src", tmp_path / "repo"
    files = subprocess.run(
        ["git", "ls-files"], cwd=browser.PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in files:
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = browser.PROJECT_ROOT / name
        if source.is_symlink():
            target.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copy2(source, target)
    mnt.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(src), str(mnt)], capture_output=True, text=True)
    if mounted.returncode != 0:
        needs.missing(f"cannot bind-mount a read-only copy: {mounted.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], check=True, capture_output=True)
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_app_runs_from_a_read_only_copy(tmp_path, shared_build):
    browser.require_chromium()
    with read_only_copy(tmp_path) as repo:
        assert subprocess.run(["touch", str(repo / "probe")], capture_output=True).returncode != 0
        env = {"GEO_BUILD_DIR": str(shared_build)}  # the session's gazetteer cache is reused
        with browser.streamlit_app(env=env, cwd=repo, timeout_s=90) as url, browser.browser() as chromium:
            log = browser.PageLog()
            page = browser.new_page(chromium, log)
            page.goto(url)
            frame = browser.map_frame(page, timeout_s=240)  # the first visit builds the copy's dataset
            # The data arrives inline (a data: URI) just after the map: wait for the dots, not a fixed time.
            frame.wait_for_function(
                "() => { const m = window.atlasMaps[window.atlasMaps.length - 1]; let n = 0;"
                " m.eachLayer(l => { if (l.atlasKind === 'events' && !l.atlasHidden) n++; });"
                " return n >= 6; }",
                timeout=60_000,
            )
            counts = frame.evaluate(browser.COUNT_LAYERS)
            assert counts["events"] >= 6 and counts["routes"] >= 1, counts
            # Nothing could be served from static/: every asset came inline.
            served = frame.evaluate(
                "() => [...document.querySelectorAll('script[src], link[href]')]"
                ".map(e => e.src || e.href).filter(u => u.includes('/app/static/'))"
            )
            assert served == [], served
            assert log.outside_requests == [], log.outside_requests
            assert log.console_errors == [], log.console_errors
            page.context.close()
        assert not (repo / "build").exists()
