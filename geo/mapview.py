"""Map view: layers (GeoDataFrames) → a folium map that renders with no network.

Everything that reaches the page passes through this module:
- `escape_html` is the one HTML-escaping function for text placed in markup by Python, and
  `escape_markdown` its counterpart for Streamlit elements that render Markdown;
- `script_json` is the one way data enters a script (JSON with `<`, `>`, `&`, U+2028/9 escaped, so a
  `</script>` or `<!--` inside a title cannot end the script block);
- the browser side (`assets/atlas.js`) builds popups, tooltips and the legend with `textContent` only.

Leaflet 1.9.4, our runtime and the vector basemap are vendored in `geo/assets/` and listed in
`Map.default_js` / `default_css`, which st_folium loads one by one: in the app as URLs on Streamlit's
own static server (`static/` links to `geo/assets`), in exported files inlined as `data:` URIs.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import config, fonts, symbols

ASSETS = config.ASSETS_DIR
VENDOR = ASSETS / "vendor"

# Colour-blind-safe (Okabe–Ito) fallbacks; curated actors carry their own colours.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]
ROUTE_STATUS_COLOURS = {
    "operational": "#009e73",
    "under construction": "#e69f00",
    "mou signed": "#d55e00",
    "planned": "#cc79a7",
}
REGION_COLOUR = "#7a4b9c"
RELATION_COLOUR = "#444444"
MENTION_COLOUR = "#56b4e9"
ADDED_COLOUR = "#332288"
# Coordinates to 4 decimals (~10 m): at the map's max zoom (12) a pixel is ~0.0003°, so a 4th decimal is
# the last one the display can show; more only makes the page bigger.
COORD_DECIMALS = 4
# Above this many events popups leave the summary out (the detail panel shows it): at 20k events the
# summaries alone would be ~2 MB of page. Title, date, place, type and actors stay in the popup.
SUMMARY_LIMIT = 500
# Above this many points the dots shrink so dense hubs stay readable (also set in atlas.js' drawing).
SMALL_DOTS_OVER = 2000

_UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def escape_html(value: Any) -> str:
    """Escape text for HTML content or attributes. Backtick and `$` too: folium templates and some
    consumers place text inside JavaScript template literals, where `${…}` would run."""
    text = "" if value is None else str(value)
    return (html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;")
            .replace("{", "&#123;").replace("}", "&#125;"))  # folium/branca re-render markup as Jinja


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~:$&])")


def escape_markdown(value: Any) -> str:
    """Text for Streamlit elements that render Markdown (subheader, caption, error, …): Markdown's
    active characters are backslash-escaped and line breaks folded, so data cannot become a link, an
    image (an outside request), emphasis, LaTeX or a coloured directive; it shows as typed."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)  # "1. …" would start a list


def script_json(obj: Any) -> str:
    """Serialise `obj` as JSON that is safe to embed inside a `<script>` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    text = re.sub("[<>&\u2028\u2029]", lambda m: _UNSAFE_IN_SCRIPT[m.group(0)], text)
    # branca renders each script macro's output as a Jinja template once more, so "{{ … }}" in data would
    # run as template code on the server. `{{`, `{%`, `{#` can only occur inside JSON strings: escape them.
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


# Files the map needs, in load order: (name, path under geo/assets).
MAP_SCRIPTS = (("leaflet", "vendor/leaflet.js"), ("atlas_basemap", "basemap.js"), ("atlas_symbols", "symbols.js"),
               ("atlas_symbol_runtime", "atlas-symbols.js"), ("atlas", "atlas.js"))
MAP_STYLES = (("leaflet_css", "vendor/leaflet.css"), ("atlas_fonts", "fonts/atlas-cjk.css"), ("atlas_css", "atlas.css"))
# Streamlit serves the app folder's `static/` (a link to geo/assets) under this path.
SERVED_BASE = "/app/static"


@functools.lru_cache(maxsize=1)
def inline_asset_links() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(default_js, default_css) with every asset inlined as a data: URI: for single-file exports."""
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    # Leaflet's CSS points at image files; inline the two the layer control uses.
    for name in ("layers.png", "layers-2x.png"):
        uri = _data_uri("image/png", (VENDOR / "images" / name).read_bytes())
        css = css.replace(f"url(images/{name})", f"url({uri})")
    js = tuple((name, _data_uri("text/javascript", (ASSETS / path).read_bytes())) for name, path in MAP_SCRIPTS)
    styles = (("leaflet_css", _data_uri("text/css", css.encode("utf-8"))),
              ("atlas_fonts", _data_uri("text/css", fonts.inline_css().encode("utf-8"))),  # subset only
              ("atlas_css", _data_uri("text/css", (ASSETS / "atlas.css").read_bytes())))
    return js, styles


def served_asset_links(base: str = SERVED_BASE):
    """(default_js, default_css) as URLs on the app's own static file server: the browser caches
    them, and reruns do not re-send ~1 MB of inlined assets. The scripts go as one file
    (`script_bundle`): st_folium loads scripts one after another, each a round trip."""
    js = (("atlas_bundle", f"{base}/{script_bundle()}"),)
    css = tuple((name, f"{base}/{path}") for name, path in MAP_STYLES)
    return js, css


@functools.lru_cache(maxsize=1)
def script_bundle() -> str:
    """MAP_SCRIPTS joined into one file under geo/assets/cache/ (path relative to geo/assets), named by
    content hash so browsers may cache it; built once per process, the sources' licence headers kept."""
    text = b"".join((ASSETS / path).read_bytes() + b"\n;\n" for _, path in MAP_SCRIPTS)
    name = f"map-{hashlib.sha256(text).hexdigest()[:20]}.js"
    _write_served(name, text)
    return f"cache/{name}"


def _write_served(name: str, content: bytes) -> tuple[Path, bool]:
    """Write `content` to PUBLISHED_DIR/name unless it is there (names are content hashes); atomically,
    as other sessions or processes may be reading the folder. (path, whether it was written)."""
    path = PUBLISHED_DIR / name
    if path.is_file():
        return path, False
    PUBLISHED_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return path, True


class AtlasMap(folium.Map):
    """A folium Map whose assets are all local (no CDN: no jQuery, Bootstrap or icon fonts)."""

    def __init__(self, *args: Any, online_tiles: bool | None = None, collapse_layers: bool = True,
                 served_assets: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        kwargs.setdefault("prefer_canvas", True)
        super().__init__(*args, **kwargs)
        js, css = served_asset_links() if served_assets else inline_asset_links()
        self.default_js = list(js)
        self.default_css = list(css)
        online = config.online_tiles_enabled() if online_tiles is None else online_tiles
        _AtlasInit(online_tiles=online, collapse_layers=collapse_layers).add_to(self)


class _AtlasInit(MacroElement):
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "Atlas.init({{ this._parent.get_name() }}, {{ this.options }});"
        "{% endmacro %}"
    )

    def __init__(self, online_tiles: bool, collapse_layers: bool = True) -> None:
        super().__init__()
        self._name = "AtlasInit"
        self.options = script_json({"onlineTiles": bool(online_tiles), "collapseLayers": bool(collapse_layers)})


class AtlasData(MacroElement):
    """All data layers as one compact payload. Its parent is the map or a FeatureGroup (st_folium's
    `feature_group_to_add`), so the same element serves the first render and later updates."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "Atlas.addData({{ this.map_name() }}, {{ this._parent.get_name() }}, {{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "AtlasData"
        self.payload = script_json(payload)

    def map_name(self) -> str:
        node = self._parent
        while node is not None and not isinstance(node, folium.Map):
            node = getattr(node, "_parent", None)
        return node.get_name() if node is not None else self._parent.get_name()


# ---------------------------------------------------------------- payload


def _round(value: float) -> float:
    return round(float(value), COORD_DECIMALS)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _list(value: Any) -> list:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [v for v in (s.strip() for s in value.split(";")) if v]
    return list(value)


def _round_coords(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [_round(c) for c in coords]
    return [_round_coords(c) for c in coords]


def _geometry(geom) -> dict:
    mapping = geom.__geo_interface__
    return {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"])}


def actor_colours(actors) -> dict[str, str]:
    colours = {}
    for i, row in enumerate(actors.itertuples() if actors is not None and len(actors) else []):
        colours[row.id] = _text(getattr(row, "colour", "")) or PALETTE[i % len(PALETTE)]
    return colours


def _actor_entries(actors) -> list[dict]:
    if actors is None or not len(actors):
        return []
    entries = []
    for row in actors.itertuples():
        native = _text(getattr(row, "native_name", ""))
        label = _text(row.name) + (f" ({native})" if native and native != row.name else "")
        entries.append({"id": _text(row.id), "label": label})
    return entries


def _ring_km(row) -> float:
    """Exact and city places get a plain dot; vaguer places get a ring sized by their uncertainty."""
    precision = _text(getattr(row, "place_precision", ""))
    if precision in ("exact", "city", "") or _text(getattr(row, "region_id", "")):
        return 0.0
    return float(getattr(row, "uncertainty_km", 0) or 0)


def _event_rows(events, colours: Mapping[str, str], summaries: bool | None = None,
                index: list | None = None) -> dict:
    """Columnar event rows. `summaries` None: only for small sets (SUMMARY_LIMIT). `index`, when given,
    collects each row's frame label, so a later filter can be sent as a bit mask over these rows."""
    if summaries is None:
        summaries = len(events) <= SUMMARY_LIMIT
    fields = ["lat", "lon", "id", "title", "date", "date_precision", "place", "place_precision", "type",
              "actors", "summary", "uncertainty_km", "color", "symbol"]
    if not summaries:
        fields.remove("summary")
    rows = []
    for label, row in zip(events.index, events.itertuples()):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if index is not None:
            index.append(label)
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        actors = _list(getattr(row, "actors", []))
        colour = next((colours[a] for a in actors if a in colours), PALETTE[0])
        values = [
            _round(point.y), _round(point.x), _text(row.id), _text(row.title), _text(row.date),
            _text(getattr(row, "date_precision", "")), _text(getattr(row, "place", "")),
            _text(getattr(row, "place_precision", "")), _text(getattr(row, "type", "")), actors,
            _text(getattr(row, "summary", "")), round(_ring_km(row), 1), colour,
            symbols.symbol_for(getattr(row, "type", "")),
        ]
        if not summaries:
            del values[10]
        rows.append(values)
    return {"kind": "events", "label": "Events", "fields": fields, "rows": rows,
            "radius": 8 if len(rows) <= SMALL_DOTS_OVER else 5}


def _mention_rows(mentions) -> dict:
    """One point per place an article names, with how often and the first sentence that names it:
    an article says "China" thirty times, and thirty stacked dots help nobody."""
    fields = ["lat", "lon", "title", "name", "feature", "country", "count", "sentence", "text"]
    piles: dict[tuple, list] = {}
    for row in mentions.itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
        key = (_round(row.geometry.y), _round(row.geometry.x), _text(row.name))
        piles.setdefault(key, []).append(row)
    rows = []
    for (lat, lon, name), pile in piles.items():
        first = pile[0]
        spellings = sorted({_text(r.text) for r in pile})
        rows.append([lat, lon, f"{name} — named {len(pile)}× in the articles", name,
                     _text(getattr(first, "feature", "")), _text(getattr(first, "country", "")), len(pile),
                     _text(getattr(first, "sentence", "")), ", ".join(spellings)])
    return {"kind": "mentions", "label": "Article mentions", "fields": fields, "rows": rows,
            "radius": 5, "color": MENTION_COLOUR}


def _features(frame, props: Iterable[str], colour_of, index: list | None = None) -> list[dict]:
    features = []
    for label, row in zip(frame.index, frame.itertuples()):
        if row.geometry is None or row.geometry.is_empty:
            continue
        if index is not None:
            index.append(label)
        properties = {name: _jsonable(getattr(row, name, "")) for name in props}
        properties["color"] = colour_of(row)
        features.append({"type": "Feature", "geometry": _geometry(row.geometry), "properties": properties})
    return features


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int)) and not isinstance(value, float):
        return value
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (list, tuple)):
        return list(value)
    return _text(value)


def _relation_rows(relations, actors, colours: Mapping[str, str], index: list | None = None) -> dict:
    fields = ["lat1", "lon1", "lat2", "lon2", "id", "title", "type", "date", "summary", "color"]
    names = {row.id: _text(row.name) for row in actors.itertuples()} if actors is not None and len(actors) else {}
    rows = []
    for label, row in zip(relations.index, relations.itertuples()):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if index is not None:
            index.append(label)
        (lon1, lat1), (lon2, lat2) = geom.coords[0], geom.coords[-1]
        title = f"{names.get(row.source, row.source)} — {names.get(row.target, row.target)}: {_text(row.type)}"
        rows.append([_round(lat1), _round(lon1), _round(lat2), _round(lon2), _text(row.id), title,
                     _text(row.type), _text(getattr(row, "date", "")), _text(getattr(row, "summary", "")),
                     colours.get(row.source, RELATION_COLOUR)])
    return {"kind": "relations", "label": "Relations", "fields": fields, "rows": rows}


def _route_colour(row) -> str:
    return ROUTE_STATUS_COLOURS.get(_text(getattr(row, "status", "")).lower(), "#d55e00")


# Layer kinds in drawing order (areas under lines under points).
KINDS = ("regions", "routes", "relations", "events", "mentions", "added")


def _layer_spec(kind: str, layers: Mapping[str, Any], colours: Mapping[str, str], summaries: bool | None,
                index: list | None = None) -> dict:
    frame = layers[kind]
    if kind == "regions":
        feats = _features(frame, ["id", "name", "kind", "approximate", "description"], lambda row: REGION_COLOUR,
                          index)
        return {"kind": "regions", "label": "Regions", "features": feats}
    if kind == "routes":
        feats = _features(frame, ["id", "name", "status", "approximate", "description"], _route_colour, index)
        return {"kind": "routes", "label": "Routes", "features": feats}
    if kind == "relations":
        return _relation_rows(frame, layers.get("actors"), colours, index)
    if kind == "events":
        return _event_rows(frame, colours, summaries, index)
    spec = _mention_rows(frame)  # piles of mentions: no per-row index, shown or hidden whole
    if kind == "added":  # an article the user pasted or uploaded in this session
        spec.update(label="Added article", color=ADDED_COLOUR, radius=6)
    return spec


def _legend(kind: str, frame, actors, colours: Mapping[str, str]) -> list[dict]:
    """Legend lines for one (possibly filtered) layer, from the frame alone (no rows needed)."""
    if kind == "regions":
        return [{"shape": "area", "color": REGION_COLOUR, "label": "Region (dashed: approximate)"}]
    if kind == "routes":
        items = []
        # One line per status as the data spells it ("MoU signed"), matched to colours case-blind.
        for status in dict.fromkeys(_text(s) for s in frame.get("status", [])):
            items.append({"shape": "line", "color": ROUTE_STATUS_COLOURS.get(status.lower(), "#d55e00"),
                          "label": f"Route: {status}"})
        if any(bool(a) for a in frame.get("approximate", [])):
            items.append({"shape": "dashed", "color": "#555555", "label": "Dashed: approximate route"})
        return items
    if kind == "relations":
        return [{"shape": "dashed", "color": RELATION_COLOUR, "label": "Relation between actors"}]
    if kind == "events":
        items = []
        valid = frame[frame.geometry.notna() & ~frame.geometry.is_empty] if len(frame) else frame
        used = {a for acts in valid["actors"] for a in _list(acts)} if "actors" in valid else set()
        # One legend line per colour: a leader and their state share a colour by design.
        by_colour: dict[str, list[str]] = {}
        for row in actors.itertuples() if actors is not None and len(actors) else []:
            if row.id in used:
                by_colour.setdefault(colours[row.id].lower(), []).append(_text(row.name))
        for colour, labels in by_colour.items():
            items.append({"shape": "dot", "color": colour, "label": " / ".join(labels)})
        if any(_ring_km(row) > 0 for row in valid.itertuples()):
            items.append({"shape": "ring", "color": "#555555", "label": "Ring: place is approximate"})
        return items + symbols.legend_items(valid["type"].unique() if "type" in valid else [])
    if kind == "mentions":
        return [{"shape": "dot", "color": MENTION_COLOUR, "label": "Place named in an article"}]
    return [{"shape": "dot", "color": ADDED_COLOUR, "label": "Place named in the added article"}]


def _has(layers: Mapping[str, Any], kind: str) -> bool:
    frame = layers.get(kind)
    return frame is not None and len(frame) > 0


def build_payload(layers: Mapping[str, Any], visible: Iterable[str] | None = None, *,
                  summaries: bool | None = None) -> dict:
    """Compact JSON-ready description of the layers for `atlas.js`.

    `visible` limits which layer kinds are drawn (default: every non-empty layer). `summaries`: put
    event summaries in popups (default: only up to SUMMARY_LIMIT events)."""
    wanted = set(visible) if visible is not None else {"regions", "routes", "relations", "events", "mentions"}
    actors = layers.get("actors")
    colours = actor_colours(actors)
    out: list[dict] = []
    legend: list[dict] = []
    for kind in KINDS:
        if kind in wanted and _has(layers, kind):
            out.append(_layer_spec(kind, layers, colours, summaries))
            legend += _legend(kind, layers[kind], actors, colours)
    return {"layers": out, "actors": _actor_entries(actors), "legend": legend}


# ---------------------------------------------------------------- served data + filtered views
#
# In the app the whole dataset goes to the browser once, as a JSON file on Streamlit's static server
# (cached by the browser, fetched over HTTP, never through the websocket). A filter change then sends
# only a "view": one bit per row saying what is shown, plus the session's own small layers. At 20k
# events that is ~3.5 kB instead of ~4 MB, and the browser adds/removes just the dots that changed.

PUBLISHED_DIR = ASSETS / "cache"
_KEEP_PUBLISHED = 12
_RECENT_S = 3600  # a file used within the last hour is never pruned: an open page may still fetch it


@dataclass(frozen=True)
class PublishedData:
    url: str                                  # where the browser fetches the payload
    path: Path
    bytes: int
    rows: Mapping[str, tuple]                 # kind → frame labels of its rows (None: all-or-nothing)
    counts: Mapping[str, int]                 # kind → rows in the file
    lengths: Mapping[str, int] = None         # kind → rows of the frame it was built from


def publish_data(layers: Mapping[str, Any], base: str = SERVED_BASE, summaries: bool | None = None) -> PublishedData:
    """Write the full payload of `layers` under geo/assets/cache/ (served as static/cache/) and return
    where it is. The file name is the content hash, so browsers may cache it and reruns never rewrite it."""
    actors = layers.get("actors")
    colours = actor_colours(actors)
    specs, rows, counts, lengths = [], {}, {}, {}
    for kind in KINDS[:-1]:  # "added" is per session: always sent inline
        if not _has(layers, kind):
            continue
        index: list | None = [] if kind != "mentions" else None
        spec = _layer_spec(kind, layers, colours, summaries, index)
        specs.append(spec)
        rows[kind] = tuple(index) if index is not None else None
        counts[kind] = len(spec.get("rows", spec.get("features", [])))
        lengths[kind] = len(layers[kind])
    text = script_json({"layers": specs, "actors": _actor_entries(actors)}).encode("utf-8")
    name = f"atlas-{hashlib.sha256(text).hexdigest()[:20]}.json"
    path, written = _write_served(name, text)
    if written:
        _prune_published()
    return PublishedData(url=f"{base}/cache/{name}", path=path, bytes=len(text), rows=rows, counts=counts,
                         lengths=lengths)


def touch_published(published: PublishedData) -> bool:
    """Mark a payload file as in use (its mtime is its last use, see `_prune_published`); False when
    it is gone."""
    try:
        os.utime(published.path)
        return True
    except OSError:
        return False


def _prune_published() -> None:
    """Keep the newest few payload files (each dataset edit makes a new one), and any used recently:
    deleting a file that an open page, another session or another process still fetches would leave
    that map empty."""
    def mtime(f: Path) -> float:
        try:
            return f.stat().st_mtime
        except OSError:  # removed by a concurrent prune
            return 0.0

    files = sorted(PUBLISHED_DIR.glob("atlas-*.json"), key=mtime, reverse=True)
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
        if kind not in wanted or not _has(layers, kind):
            continue
        frame = layers[kind]
        labels = published.rows.get(kind, ())
        # Mentions are piles (no row labels): shown whole when unchanged, else (e.g. a corpus store's
        # mentions merged in) sent inline like a session layer.
        if kind in published.rows and (labels is not None or len(frame) == (published.lengths or {}).get(kind)):
            show[kind] = 1 if labels is None else _shown_mask(labels, frame.index)
        else:
            inline.append(_layer_spec(kind, layers, colours, None))
        legend += _legend(kind, frame, actors, colours)
    return {"source": published.url, "show": show, "layers": inline, "legend": legend}


def view_group(published: PublishedData, layers: Mapping[str, Any],
               visible: Iterable[str] | None = None) -> folium.FeatureGroup:
    """A filtered view of published data for st_folium's `feature_group_to_add`: a few kB at any size."""
    group = folium.FeatureGroup(name="atlas-data", control=False)
    AtlasData(view_payload(published, layers, visible)).add_to(group)
    return group


def data_bounds(layers: Mapping[str, Any], share: float = 0.85) -> list[list[float]] | None:
    """[[south, west], [north, east]] framing the events and routes.

    Only the `share` of events closest to their median point is framed, so a few remarks made in
    Washington do not zoom a story about East Asia out to the whole world; routes are always
    framed whole. Regions are not framed (a sea or a peninsula can be larger than the story)."""
    lons: list[float] = []
    lats: list[float] = []
    events = layers.get("events")
    if events is not None and len(events):
        geoms = events.geometry[events.geometry.notna() & ~events.geometry.is_empty]
        points = geoms.representative_point()
        if len(points):
            cx, cy = float(points.x.median()), float(points.y.median())
            # Flat-earth distance is enough to rank points for framing.
            dist = ((points.x - cx) * math.cos(math.radians(cy))) ** 2 + (points.y - cy) ** 2
            keep = points[dist.rank(method="first") <= math.ceil(len(points) * share)]
            lons += keep.x.tolist()
            lats += keep.y.tolist()
    routes = layers.get("routes")
    if routes is not None and len(routes):
        west, south, east, north = routes.total_bounds
        lons += [west, east]
        lats += [south, north]
    if not lons:
        mentions = layers.get("mentions")
        if mentions is None or not len(mentions):
            return None
        west, south, east, north = mentions.total_bounds
        lons, lats = [west, east], [south, north]
    return [[_round(min(lats)), _round(min(lons))], [_round(max(lats)), _round(max(lons))]]


def prefetch_script(url: str) -> tuple[str, str]:
    """A first script (data: URI) that starts fetching published data while Leaflet, the basemap and
    the runtime load one after another; atlas.js picks the response up instead of fetching again."""
    code = (f"(window.__atlasPrefetch=window.__atlasPrefetch||{{}})[{script_json(url)}]="
            f"fetch({script_json(url)},{{credentials:'same-origin'}});")
    return "atlas_prefetch", _data_uri("text/javascript", code.encode("utf-8"))


def make_map(layers: Mapping[str, Any], visible: Iterable[str] | None = None, *, with_data: bool = True,
             online_tiles: bool | None = None, height: str = "100%", served_assets: bool = False,
             prefetch: str | None = None, bounds: list | None = None) -> AtlasMap:
    """The atlas map. With `with_data=False` the data is left for a FeatureGroup update (st_folium).
    `served_assets` links Leaflet & co. from the app's static server instead of inlining them;
    `prefetch` is the URL of published data (`publish_data`) to start loading first; `bounds` the
    frame when already known (`data_bounds`)."""
    bounds = bounds if bounds is not None else data_bounds(layers)
    fmap = AtlasMap(location=[45, 100], zoom_start=3, min_zoom=2, max_zoom=12, height=height,
                    online_tiles=online_tiles, world_copy_jump=False, served_assets=served_assets)
    if prefetch:
        fmap.default_js.insert(0, prefetch_script(prefetch))
    if bounds:
        fmap.fit_bounds(bounds, padding=(20, 20))
    if with_data:
        AtlasData(build_payload(layers, visible)).add_to(fmap)
    return fmap


def data_group(layers: Mapping[str, Any], visible: Iterable[str] | None = None) -> folium.FeatureGroup:
    """The data as a FeatureGroup, for st_folium's `feature_group_to_add` (updates without remount)."""
    group = folium.FeatureGroup(name="atlas-data", control=False)
    AtlasData(build_payload(layers, visible)).add_to(group)
    return group
