"""The load test's scripted viewer (benchmarks/load.py) still speaks Streamlit's websocket protocol: it
gets the map's message, the page's filters, and a map update when it changes the event-type filter.
Figures are the benchmark's business (`python -m geo bench load`); this checks the client, not times."""

from __future__ import annotations

import asyncio

import browser
import pytest

from benchmarks import load

pytestmark = [pytest.mark.slow]


def test_scripted_viewers_open_the_atlas_and_change_a_filter():
    with browser.streamlit_app() as url:
        ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
        warm = asyncio.run(load.one_session(ws_url, 0.0, pick=0, timeout_s=600))
        assert warm.error == "", warm.error
        results = asyncio.run(load.arrivals(ws_url, 3, 1.0, seed=2))
    assert [r.error for r in results] == ["", "", ""]
    for r in results:
        assert r.open_map_s is not None and r.filter_map_s is not None
        total = int(r.shown_before.split(" of ")[1].split()[0])
        assert r.shown_before.startswith(f"{total} of {total} ")  # no filter yet: every event
        assert 0 < int(r.shown_after.split(" of ")[0]) < total  # one event type: some, not all
        assert r.filter_bytes > 0  # the map's update came in full, not as a cached reference
    summary = load.summarise(results)
    assert summary["errors"] == 0 and summary["filter_map_s"]["p95"] >= summary["filter_map_s"]["p50"]
