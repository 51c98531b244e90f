"""Map view: layers -> a folium map that renders with no network; published data files for the app.

Leaflet 1.9.4, our runtime and the vector basemap are vendored in `geo/assets/` (see `geo.web.assets`);
the payload is built by `geo.web.payload`; every string from data is escaped by `geo.web.escape`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.web import assets
from geo.web.elements import AtlasData, AtlasMap
from geo.web.escape import script_json
from geo.web.payload import (
    KINDS,
    actor_colours,
    actor_entries,
    build_payload,
    data_bounds,
    has_layer,
    layer_spec,
    legend_entries,
)

#
# In the app the whole dataset goes to the browser once, as a JSON file on Streamlit's static server
# (cached by the browser, fetched over HTTP, never through the websocket). A filter change then sends
# only a "view": one bit per row saying what is shown, plus the session's own small layers. At 20k
# events that is ~3.5 kB instead of ~4 MB, and the browser adds/removes just the dots that changed.

_KEEP_PUBLISHED = 12
_RECENT_S = 3600  # a file used within the last hour is never pruned: an open page may still fetch it


@dataclass(frozen=True)
class PublishedData:
    url: str  # where the browser fetches the payload
    path: Path | None  # None when inlined (nothing can be served)
    bytes: int
    rows: Mapping[str, tuple]  # kind → frame labels of its rows (None: all-or-nothing)
    counts: Mapping[str, int]  # kind → rows in the file
    lengths: Mapping[str, int] = None  # kind → rows of the frame it was built from


def publish_data(
    layers: Mapping[str, Any], base: str = assets.SERVED_BASE, summaries: bool | None = None
) -> PublishedData:
    """Write the full payload of `layers` into the published folder (served as static/published/; a data: URI when nothing can be served) and return
    where it is. The file name is the content hash, so browsers may cache it and reruns never rewrite it."""
    actors = layers.get("actors")
    colours = actor_colours(actors)
    specs, rows, counts, lengths = [], {}, {}, {}
    for kind in KINDS[:-1]:  # "added" is per session: always sent inline
        if not has_layer(layers, kind):
            continue
        index: list | None = [] if kind != "mentions" else None
        spec = layer_spec(kind, layers, colours, summaries, index)
        specs.append(spec)
        rows[kind] = tuple(index) if index is not None else None
        counts[kind] = len(spec.get("rows", spec.get("features", [])))
        lengths[kind] = len(layers[kind])
    text = script_json({"layers": specs, "actors": actor_entries(actors)}).encode("utf-8")
    name = f"atlas-{hashlib.sha256(text).hexdigest()[:20]}.json"
    written = assets.write_published(name, text)
    if written is None:  # nothing can be served (read-only install): the browser reads a data: URI
        return PublishedData(
            url=assets.data_uri("application/json", text),
            path=None,
            bytes=len(text),
            rows=rows,
            counts=counts,
            lengths=lengths,
        )
    path, fresh = written
    if fresh:
        _prune_published(path.parent)
    return PublishedData(
        url=f"{base}/published/{name}", path=path, bytes=len(text), rows=rows, counts=counts, lengths=lengths
    )


def touch_published(published: PublishedData) -> bool:
    """Mark a payload file as in use (its mtime is its last use, see `_prune_published`); False when
    it is gone."""
    if published.path is None:
        return True
    try:
        os.utime(published.path)
        return True
    except OSError:
        return False


def _prune_published(folder: Path) -> None:
    """Keep the newest few payload files (each dataset edit makes a new one), and any used recently:
    deleting a file that an open page, another session or another process still fetches would leave
    that map empty."""

    def mtime(f: Path) -> float:
        try:
            return f.stat().st_mtime
        except OSError:  # removed by a concurrent prune
            return 0.0

    files = sorted(folder.glob("atlas-*.json"), key=mtime, reverse=True)
    stale_before = time.time() - _RECENT_S
    for old in files[_KEEP_PUBLISHED:]:
        if mtime(old) >= stale_before:
            continue
        try:
            old.unlink()
        except OSError:
            pass


def _shown_mask(labels: tuple, keep) -> str | int:
    """1 when every row is shown, else base64 of one bit per row (row i → byte i//8, bit i%8)."""
    import numpy as np
    import pandas as pd

    # Hash lookups (pandas), not np.isin on object arrays: 0.45 s → a few ms at 20k rows.
    shown = np.asarray(pd.Index(labels).isin(pd.Index(keep)), dtype=bool)
    if shown.all():
        return 1
    return base64.b64encode(np.packbits(shown, bitorder="little").tobytes()).decode("ascii")


def _none_shown(rows: int) -> str:
    """A bit mask showing none of `rows` rows."""
    return base64.b64encode(bytes((rows + 7) // 8)).decode("ascii")


def view_payload(published: PublishedData, layers: Mapping[str, Any], visible: Iterable[str] | None = None) -> dict:
    """What the browser needs to show `layers` (a filtered subset of the published dataset): per layer
    kind 1 (every row) or a bit mask, nothing for hidden kinds; session layers ("added") inline; the legend."""
    wanted = set(visible) if visible is not None else set(KINDS)
    actors = layers.get("actors")
    colours = actor_colours(actors)
    show: dict[str, Any] = {}
    inline: list[dict] = []
    legend: list[dict] = []
    for kind in KINDS:
        if kind not in wanted:
            continue
        if not has_layer(layers, kind):
            # Switched on but nothing matches: shown with no rows (the layer control keeps it ticked;
            # "switched off" is only what the layer settings say).
            if layers.get(kind) is not None and published.counts.get(kind):
                show[kind] = _none_shown(published.counts[kind])
            continue
        frame = layers[kind]
        labels = published.rows.get(kind, ())
        # Mentions are piles (no row labels): shown whole when unchanged, else (e.g. a corpus store's
        # mentions merged in) sent inline like a session layer.
        if kind in published.rows and (labels is not None or len(frame) == (published.lengths or {}).get(kind)):
            show[kind] = 1 if labels is None else _shown_mask(labels, frame.index)
        else:
            inline.append(layer_spec(kind, layers, colours, None))
        legend += legend_entries(kind, frame, actors, colours)
    return {"source": published.url, "show": show, "layers": inline, "legend": legend}


def prefetch_script(url: str) -> tuple[str, str]:
    """A first script (data: URI) that starts fetching published data while Leaflet, the basemap and
    the runtime load one after another; atlas.js picks the response up instead of fetching again."""
    code = (
        f"(window.__atlasPrefetch=window.__atlasPrefetch||{{}})[{script_json(url)}]="
        f"fetch({script_json(url)},{{credentials:'same-origin'}});"
    )
    return "atlas_prefetch", assets.data_uri("text/javascript", code.encode("utf-8"))


def make_map(
    layers: Mapping[str, Any],
    visible: Iterable[str] | None = None,
    *,
    with_data: bool = True,
    online_tiles: bool | None = None,
    height: str = "100%",
    served_assets: bool = False,
    prefetch: str | None = None,
    bounds: list | None = None,
    explorer: bool = False,
    view: tuple[float, float, int] | None = None,
) -> AtlasMap:
    """The atlas map. With `with_data=False` the data is left for a FeatureGroup update (st_folium).
    `served_assets` links Leaflet & co. from the app's static server instead of inlining them;
    `prefetch` is the URL of published data (`publish_data`) to start loading first; `bounds` the
    frame when already known (`data_bounds`); `explorer` turns on the app's explorer (atlas-explorer.js);
    `view` (lat, lon, zoom), e.g. from a shared link, replaces the framing."""
    bounds = bounds if bounds is not None else data_bounds(layers)
    location, zoom = ([view[0], view[1]], view[2]) if view else ([45, 100], 3)
    fmap = AtlasMap(
        location=location,
        zoom_start=zoom,
        min_zoom=2,
        max_zoom=12,
        height=height,
        online_tiles=online_tiles,
        world_copy_jump=False,
        served_assets=served_assets,
        explorer=explorer,
    )
    if prefetch:
        fmap.default_js.insert(0, prefetch_script(prefetch))
    if bounds and not view:
        fmap.fit_bounds(bounds, padding=(20, 20))
    if with_data:
        AtlasData(build_payload(layers, visible)).add_to(fmap)
    return fmap
