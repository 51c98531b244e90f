"""Protocol-level load test: scripted viewers that speak Streamlit's websocket protocol, with no browser.

Each session does what a browser does on `/_stcore/stream` (binary protobufs: `BackMsg` up,
`ForwardMsg` down): it asks for a run of the page (`rerun_script` with the query string), reads the run's
deltas, answers the map's `atlas_drawn` report as `atlas.js` does (the run that brings the filters), then
changes the "Event type" filter (widget state for the multiselect keyed `w_types`, its id read from the
element proto) and waits for the map's update. Times are measured in the client, from sending the
BackMsg to receiving the map's message (the `st_folium` component delta, or its cached-message
reference), so they are the server's answer time plus the loopback hop. Like a browser, a session
reports the hashes of the cacheable messages it already holds, so unchanged large messages come back as
references.

`run_load` starts the app on a free loopback port, warms it with one session (the first run of a new
server builds or reads the atlas; that time is reported apart), then lets N sessions arrive at random
within a window. Every loop is bounded: per-message and per-session timeouts, a fixed session count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MAP_COMPONENT = "streamlit_folium.st_folium"
FILTER_KEY = "w_types"
FILTER_LABEL = "Event type"
MESSAGE_TIMEOUT_S = 60.0  # one ForwardMsg
SESSION_TIMEOUT_S = 180.0  # a whole session (open, complete, filter)
WARMUP_TIMEOUT_S = 600.0  # the first run of a fresh server may build the atlas


class ProtocolError(RuntimeError):
    """The server's answer was not what a browser would accept (an exception element, no map, …)."""


@dataclass
class RunResult:
    """One script run as the client saw it."""

    map_s: float | None = None  # BackMsg sent -> the map's message received
    finished_s: float | None = None  # BackMsg sent -> script_finished (successfully)
    map_bytes: int = 0
    map_cached: bool = False  # the map came as a reference to a message the client already holds
    elements: list = field(default_factory=list)  # (delta path, element proto) of this run
    captions: list[str] = field(default_factory=list)
    received_bytes: int = 0


@dataclass
class SessionResult:
    start_s: float = 0.0  # offset of arrival in the window
    open_map_s: float | None = None
    open_finished_s: float | None = None
    complete_s: float | None = None
    filter_map_s: float | None = None
    filter_finished_s: float | None = None
    filter_bytes: int = 0
    received_bytes: int = 0
    shown_before: str = ""
    shown_after: str = ""
    replica: str = ""  # the proxy's X-Atlas-Replica header on the websocket handshake, when behind one
    error: str = ""


class AtlasSession:
    """One viewer over one websocket: `open`, `complete` (the map's report), `change_filter`."""

    def __init__(
        self, ws_url: str, query: str = "", headers: dict | None = None, message_timeout_s: float = MESSAGE_TIMEOUT_S
    ) -> None:
        self.ws_url = ws_url
        self.timeout_s = message_timeout_s
        self.query = query
        self.headers = headers or {}
        self.ws = None
        self.cache: dict[str, object] = {}  # hash -> ForwardMsg (what the browser's message cache holds)
        self.map_id = ""
        self.map_path: tuple[int, ...] = ()
        self.widgets: dict[str, object] = {}  # widget id -> WidgetState to send with every rerun
        self.elements: list = []

    async def connect(self):
        import websockets

        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            additional_headers=self.headers,
            open_timeout=self.timeout_s,
        )
        return self.ws

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self) -> RunResult:
        """Send a `rerun_script` with the current widget states; read until the run finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        state.cached_message_hashes.extend(self.cache)
        for widget in self.widgets.values():
            state.widget_states.widgets.add().CopyFrom(widget)
        result = RunResult()
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), self.timeout_s)
            now = time.perf_counter() - t0
            result.received_bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":
                if fwd.ref_hash not in self.cache:
                    raise ProtocolError(f"reference to a message the client never received ({fwd.ref_hash})")
                path = tuple(fwd.metadata.delta_path)
                fwd = self.cache[fwd.ref_hash]
                kind = "delta"
                if path == self.map_path and result.map_s is None:
                    result.map_s, result.map_cached = now, True
            elif fwd.metadata.cacheable and fwd.hash:
                self.cache[fwd.hash] = fwd
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                result.elements.append((tuple(fwd.metadata.delta_path), element))
                which = element.WhichOneof("type")
                if which == "exception":
                    raise ProtocolError(
                        f"exception in the app: {element.exception.type}: {element.exception.message[:200]}"
                    )
                if which == "markdown":
                    result.captions.append(element.markdown.body)
                if which == "component_instance" and element.component_instance.component_name == MAP_COMPONENT:
                    self.map_id = element.component_instance.id
                    self.map_path = tuple(fwd.metadata.delta_path)
                    if result.map_s is None:
                        result.map_s, result.map_bytes = now, len(raw)
            elif kind == "script_finished":
                status = fwd.script_finished
                # 1: finished successfully (ScriptFinishedStatus); anything else is not a page a viewer sees.
                if status != fwd.FINISHED_SUCCESSFULLY:
                    raise ProtocolError(f"script run ended with status {status}")
                result.finished_s = now
                break
        if result.map_s is None:
            raise ProtocolError("the run finished without the map's message")
        self.elements = result.elements
        return result

    def set_map_drawn(self) -> None:
        """What atlas.js reports through st_folium once its first view is drawn."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget = WidgetState(id=self.map_id, json_value=json.dumps({"atlas_drawn": True}))
        self.widgets[self.map_id] = widget

    def filter_widget(self):
        """The "Event type" multiselect of the last run: (id, options)."""
        for _path, element in self.elements:
            if element.WhichOneof("type") != "multiselect":
                continue
            widget = element.multiselect
            if widget.id.endswith("-" + FILTER_KEY) or widget.label == FILTER_LABEL:
                return widget.id, list(widget.options)
        raise ProtocolError(f"no {FILTER_LABEL!r} multiselect in the complete page")

    def set_filter(self, widget_id: str, values: list[str]) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget = WidgetState(id=widget_id)
        widget.string_array_value.data.extend(values)
        self.widgets[widget_id] = widget


def _shown(captions: list[str]) -> str:
    """The "N of M events shown" caption: proof the filter reached the page."""
    return next((c.split(" · ")[0] for c in captions if " events shown" in c), "")


async def one_session(
    ws_url: str, start_s: float, pick: int, headers: dict | None = None, timeout_s: float = SESSION_TIMEOUT_S
) -> SessionResult:
    """A viewer: open the atlas, let the map report it is drawn, pick one event type.

    Parameters
    ----------
    ws_url : str
        ws://host:port/_stcore/stream
    start_s : float
        Arrival offset, recorded in the result.
    pick : int
        Which event type to choose (modulo the options).
    headers : dict or None
        Extra handshake headers (the proxy's routing cookie).
    timeout_s : float
        Whole-session limit.

    Returns
    -------
    SessionResult
        Times, or `error` set: a failure is recorded, never raised.
    """
    result = SessionResult(start_s=start_s)
    message_timeout_s = MESSAGE_TIMEOUT_S if timeout_s <= SESSION_TIMEOUT_S else timeout_s
    session = AtlasSession(ws_url, headers=headers, message_timeout_s=message_timeout_s)
    try:
        async with asyncio.timeout(timeout_s):
            ws = await session.connect()
            result.replica = ws.response.headers.get("X-Atlas-Replica", "") if ws.response else ""
            opened = await session.rerun()
            result.open_map_s, result.open_finished_s = opened.map_s, opened.finished_s
            session.set_map_drawn()
            completed = await session.rerun()
            result.complete_s = completed.finished_s
            result.shown_before = _shown(completed.captions)
            widget_id, options = session.filter_widget()
            if not options:
                raise ProtocolError("the event-type filter has no options")
            session.set_filter(widget_id, [options[pick % len(options)]])
            changed = await session.rerun()
            result.filter_map_s, result.filter_finished_s = changed.map_s, changed.finished_s
            result.filter_bytes = changed.map_bytes
            result.shown_after = _shown(changed.captions)
            if changed.map_cached or not result.shown_after or result.shown_after == result.shown_before:
                raise ProtocolError(
                    f"the filter did not change the map ({result.shown_before!r} -> {result.shown_after!r})"
                )
            result.received_bytes = opened.received_bytes + completed.received_bytes + changed.received_bytes
    except (ProtocolError, TimeoutError, OSError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # websockets' ConnectionClosed and friends: counted, never fatal to the run
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(Exception):  # closing a broken socket
            await session.close()
    return result


async def arrivals(ws_url: str, sessions: int, within_s: float, seed: int = 1, headers_for=None) -> list[SessionResult]:
    """`sessions` viewers arriving at uniformly random times within `within_s` seconds.

    Parameters
    ----------
    ws_url : str
    sessions : int
    within_s : float
    seed : int
        Seed of the arrival times.
    headers_for : callable or None
        i -> handshake headers for viewer i.

    Returns
    -------
    list of SessionResult
    """
    rng = random.Random(seed)
    starts = sorted(rng.uniform(0, within_s) for _ in range(sessions))
    t0 = time.perf_counter()

    async def later(i: int, start: float) -> SessionResult:
        await asyncio.sleep(max(0.0, start - (time.perf_counter() - t0)))
        headers = headers_for(i) if headers_for else None
        return await one_session(ws_url, start, pick=i, headers=headers)

    return list(await asyncio.gather(*(later(i, s) for i, s in enumerate(starts))))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile.

    Parameters
    ----------
    values : list of float
    q : float
        0..100.

    Returns
    -------
    float or None
        None for no values.

    Examples
    --------
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)
    10
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)
    5
    """
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))]


def summarise(results: list[SessionResult]) -> dict:
    """Errors, p50/p95/max of each time (successful sessions), bytes, sessions per replica.

    Parameters
    ----------
    results : list of SessionResult

    Returns
    -------
    dict
    """
    ok = [r for r in results if not r.error]
    figures = {
        "sessions": len(results),
        "errors": len(results) - len(ok),
        "error_messages": sorted({r.error for r in results if r.error})[:5],
    }
    for name in ("open_map_s", "open_finished_s", "filter_map_s", "filter_finished_s"):
        values = [getattr(r, name) for r in ok if getattr(r, name) is not None]
        figures[name] = {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "max": max(values) if values else None,
        }
    figures["filter_map_kb"] = (sum(r.filter_bytes for r in ok) / len(ok) / 1000) if ok else None
    figures["session_kb"] = (sum(r.received_bytes for r in ok) / len(ok) / 1000) if ok else None
    figures["shown"] = sorted({f"{r.shown_before} -> {r.shown_after}" for r in ok})[:3]
    replicas = [r.replica for r in results if r.replica]
    figures["per_replica"] = {name: replicas.count(name) for name in sorted(set(replicas))}
    return figures


def _cpu_seconds(pid: int) -> float:
    import psutil

    proc = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [proc] + proc.children(recursive=True))


def run_load(
    data_dir: str | None,
    sessions: int = 50,
    within_s: float = 10.0,
    seed: int = 1,
    quiet: bool = False,
    replicas: int = 0,
) -> dict:
    """Start the app on a free loopback port, warm it with one session, then run the arrivals.

    Parameters
    ----------
    data_dir : str or None
        Dataset folder (GEO_DATA_DIR for the app); None for the app's default.
    sessions, within_s : int, float
        Viewers, and the window in which they arrive (uniformly at random, seeded).
    seed : int
        Seed for arrival times.
    quiet : bool
        No progress lines.
    replicas : int
        0: one app server, sessions connect to it directly. N ≥ 1: N app replicas behind nginx
        (`benchmarks.replicas`), each session with its own routing cookie.

    Returns
    -------
    dict
        The figures (see `summarise`) plus warm-up time, server CPU seconds and RSS (all replicas).
    """
    from benchmarks.render import _Server
    from benchmarks.replicas import COOKIE, Replicas

    env = {"GEO_DATA_DIR": str(Path(data_dir).resolve())} if data_dir else {}
    with contextlib.ExitStack() as stack:
        if replicas:
            front = stack.enter_context(Replicas(replicas, env))
            servers, url = front.servers, front.url
        else:
            servers = [_Server("app.py", env, Path(tempfile.mkdtemp(prefix="atlas-load-")))]
            stack.callback(servers[0].stop)
            url = servers[0].url
        t0 = time.perf_counter()
        for server in servers:  # each replica's first session reads or builds the atlas
            warm = asyncio.run(_warm(_ws(server.url)))
            if warm.error:
                raise RuntimeError(f"warm-up session failed: {warm.error}; see {server.log}")
        warm_s = time.perf_counter() - t0
        if not quiet:
            print(
                f"warm-up {warm_s:.1f} s ({warm.shown_before}); {sessions} sessions within {within_s:g} s"
                + (f" through nginx to {replicas} replicas" if replicas else "")
                + " …",
                flush=True,
            )
        cpu0 = sum(_cpu_seconds(s.proc.pid) for s in servers)
        load_start = os.getloadavg()[0]  # other work on the machine shares the cores: say how much
        token = os.urandom(4).hex()
        headers_for = (lambda i: {"Cookie": f"{COOKIE}=load-{token}-{i}"}) if replicas else None
        t1 = time.perf_counter()
        results = asyncio.run(arrivals(_ws(url), sessions, within_s, seed=seed, headers_for=headers_for))
        figures = summarise(results)
        figures.update(
            warmup_s=warm_s,
            wall_s=time.perf_counter() - t1,
            replicas=replicas,
            server_cpu_s=sum(_cpu_seconds(s.proc.pid) for s in servers) - cpu0,
            rss_mb=sum(s.rss_mb() for s in servers),
            data=data_dir or os.environ.get("GEO_DATA_DIR") or "data/",
            within_s=within_s,
            cores=os.cpu_count(),
            load_avg=(load_start, os.getloadavg()[0]),
        )
    if not quiet:
        print(format_figures(figures))
    return figures


def _ws(http_url: str) -> str:
    return http_url.replace("http://", "ws://", 1) + "/_stcore/stream"


async def _warm(ws_url: str) -> SessionResult:
    return await one_session(ws_url, 0.0, pick=0, timeout_s=WARMUP_TIMEOUT_S)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f}"


def format_figures(f: dict) -> str:
    """The figures of `run_load` as the lines the command prints.

    Parameters
    ----------
    f : dict
        `run_load`'s result.

    Returns
    -------
    str
    """
    lines = [
        f"data {f['data']}: {f['sessions']} sessions within {f['within_s']:g} s, {f['errors']} errors "
        f"(warm-up {f['warmup_s']:.1f} s; wall {f['wall_s']:.1f} s; server CPU {f['server_cpu_s']:.1f} s; "
        f"RSS {f['rss_mb']:.0f} MB; {f['cores']} cores, "
        f"load average {f['load_avg'][0]:.1f} → {f['load_avg'][1]:.1f})"
    ]
    if f.get("replicas"):
        lines.append(f"  {f['replicas']} replicas behind nginx; sessions per replica: {f['per_replica']}")
    for name, label in (
        ("open_map_s", "open → map message"),
        ("open_finished_s", "open → run finished"),
        ("filter_map_s", "filter → map message"),
        ("filter_finished_s", "filter → run finished"),
    ):
        v = f[name]
        lines.append(f"  {label:24s} p50 {_ms(v['p50']):>5} ms  p95 {_ms(v['p95']):>5} ms  max {_ms(v['max']):>5} ms")
    if f["filter_map_kb"] is not None:
        lines.append(
            f"  map update {f['filter_map_kb']:.1f} kB; per session {f['session_kb']:.0f} kB received; "
            f"e.g. {'; '.join(f['shown'])}"
        )
    for message in f["error_messages"]:
        lines.append(f"  error: {message}")
    return "\n".join(lines)
