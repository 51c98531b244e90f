"""Serving more viewers: two app replicas on loopback behind nginx, sessions sticky by a cookie the proxy
sets (docs/serving.md). Sessions reach both replicas, a cookie keeps to one, and an article uploaded
in the browser through the proxy reaches the replica that holds the session."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
import urllib.request

import browser
import needs
import pytest

from benchmarks import load
from benchmarks.replicas import COOKIE, REPLICA_HEADER, Replicas, find_nginx, nginx_config

pytestmark = [pytest.mark.slow]

# Our own words, not a seed article's: three places the geoparser knows.
ARTICLE = (
    "Negotiators gathered in Ulaanbaatar on Tuesday to talk about a railway link. A second round "
    "is planned in Irkutsk, and observers from Astana are expected to attend.\n"
)


def _nginx() -> str:
    nginx = find_nginx()
    if not nginx:
        needs.missing("nginx not installed (apt-get install nginx)")
    return nginx


def _ws(url: str) -> str:
    return url.replace("http://", "ws://", 1) + "/_stcore/stream"


@pytest.fixture(scope="module")
def front():
    _nginx()
    with Replicas(2) as replicas:
        for server in replicas.servers:  # each replica's first session reads (or builds) the atlas
            warm = asyncio.run(load.one_session(_ws(server.url), 0.0, pick=0, timeout_s=600))
            assert warm.error == "", warm.error
        yield replicas


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, resp.headers.get(REPLICA_HEADER), resp.headers.get_all("Set-Cookie") or []


def test_generated_config_is_valid_nginx(tmp_path):
    nginx = _nginx()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3", tmp_path))
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_sessions_reach_both_replicas(front):
    token = secrets.token_hex(4)
    # Sixteen viewers with their own cookies: with two replicas, all on one would be a 1-in-32768 chance.
    results = asyncio.run(
        load.arrivals(_ws(front.url), 16, 2.0, headers_for=lambda i: {"Cookie": f"{COOKIE}=viewer-{token}-{i}"})
    )
    assert [r.error for r in results if r.error] == []
    assert {r.replica for r in results} == set(front.upstreams)
    # Every viewer got the whole page from its replica: the map, then the filter's effect on it.
    assert all(r.shown_after and r.shown_after != r.shown_before for r in results)


def test_one_cookie_stays_on_one_replica(front):
    status, first, set_cookie = _get(front.url + "/")
    assert status == 200 and first in front.upstreams
    cookie = next(c.split(";")[0].split("=", 1)[1] for c in set_cookie if c.startswith(COOKIE + "="))
    seen = {_get(front.url + path, cookie)[1] for path in ("/", "/_stcore/health", "/", "/_stcore/host-config")}
    session = load.AtlasSession(_ws(front.url), headers={"Cookie": f"{COOKIE}={cookie}"})

    async def websocket_replica():
        ws = await session.connect()
        try:
            await session.rerun()  # the page runs there
            return ws.response.headers.get(REPLICA_HEADER)
        finally:
            await session.close()

    seen.add(asyncio.run(websocket_replica()))
    assert seen == {first}


@pytest.mark.browser
def test_upload_through_the_proxy(front, tmp_path):
    browser.require_chromium()
    article = tmp_path / "railway-talks.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    log = browser.PageLog()
    with browser.browser() as chromium:
        page = browser.new_page(chromium, log)
        page.goto(front.url)
        browser.map_frame(page, timeout_s=60)
        browser.open_filters(page)
        page.get_by_text("Add an article").click()
        page.locator("input[type=file]").set_input_files(str(article))
        page.get_by_text("railway-talks.txt").first.wait_for(timeout=20000)  # the uploader lists the file
        page.get_by_role("button", name="Find places").click()
        page.get_by_text("Places in the added article").wait_for(timeout=30000)
        page.get_by_text("Irkutsk").first.wait_for(state="attached", timeout=10000)  # a data-grid cell
        cookie = next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)
        page.screenshot(path=str(browser.ARTIFACTS / "replicas-upload.png"))
        page.context.close()
    assert log.outside_requests == [] and log.console_errors == [], (log.outside_requests, log.console_errors)
    deadline = time.monotonic() + 10  # nginx writes a websocket's log line when it closes
    while True:
        rows = [r for r in front.access_log() if r.get("cookie") == cookie]
        if any("/_stcore/stream" in r["request"] for r in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    uploads = [r for r in rows if r["request"].startswith("PUT /_stcore/upload_file/")]
    assert uploads and all(r["status"].startswith("2") for r in uploads), rows
    assert any("/_stcore/stream" in r["request"] and r["status"] == "101" for r in rows), rows
    # Page, static files, websocket and upload: all on the replica that holds the session.
    assert len({r["upstream"] for r in rows}) == 1, rows
