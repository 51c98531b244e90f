"""Map view: layers (GeoDataFrames) → a folium map that renders with no network.

Everything that reaches the page passes through this module:
- `escape_html` is the one HTML-escaping function for text placed in markup by Python;
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
import html
import json
import math
import re
from typing import Any, Iterable, Mapping

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import config

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
# Coordinates to 4 decimals (~10 m) are more than any display needs and keep the page small.
COORD_DECIMALS = 4

_UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def escape_html(value: Any) -> str:
    """Escape text for HTML content or attributes. Backtick and `$` too: folium templates and some
    consumers place text inside JavaScript template literals, where `${…}` would run."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;")


def script_json(obj: Any) -> str:
    """Serialise `obj` as JSON that is safe to embed inside a `<script>` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    return re.sub("[<>&\u2028\u2029]", lambda m: _UNSAFE_IN_SCRIPT[m.group(0)], text)


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
MAP_SCRIPTS = (("leaflet", "vendor/leaflet.js"), ("atlas_basemap", "basemap.js"), ("atlas", "atlas.js"))
MAP_STYLES = (("leaflet_css", "vendor/leaflet.css"), ("atlas_css", "atlas.css"))
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
              ("atlas_css", _data_uri("text/css", (ASSETS / "atlas.css").read_bytes())))
    return js, styles


def served_asset_links(base: str = SERVED_BASE):
    """(default_js, default_css) as URLs on the app's own static file server: the browser caches
    them, and reruns do not re-send ~1 MB of inlined assets."""
    js = tuple((name, f"{base}/{path}") for name, path in MAP_SCRIPTS)
    css = tuple((name, f"{base}/{path}") for name, path in MAP_STYLES)
    return js, css


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


def _event_rows(events, colours: Mapping[str, str]) -> dict:
    fields = ["lat", "lon", "id", "title", "date", "date_precision", "place", "place_precision", "type",
              "actors", "summary", "uncertainty_km", "color"]
    rows = []
    for row in events.itertuples():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        actors = _list(getattr(row, "actors", []))
        colour = next((colours[a] for a in actors if a in colours), PALETTE[0])
        precision = _text(getattr(row, "place_precision", ""))
        # Exact and city places get a plain dot; vaguer places get a ring sized by their uncertainty.
        uncertainty = float(getattr(row, "uncertainty_km", 0) or 0)
        if precision in ("exact", "city", "") or _text(getattr(row, "region_id", "")):
            uncertainty = 0.0
        rows.append([
            _round(point.y), _round(point.x), _text(row.id), _text(row.title), _text(row.date),
            _text(getattr(row, "date_precision", "")), _text(getattr(row, "place", "")), precision,
            _text(getattr(row, "type", "")), actors, _text(getattr(row, "summary", "")),
            round(uncertainty, 1), colour,
        ])
    return {"kind": "events", "label": "Events", "fields": fields, "rows": rows, "radius": 8}


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


def _features(frame, props: Iterable[str], colour_of) -> list[dict]:
    features = []
    for row in frame.itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
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


def _relation_rows(relations, actors, colours: Mapping[str, str]) -> dict:
    fields = ["lat1", "lon1", "lat2", "lon2", "id", "title", "type", "date", "summary", "color"]
    names = {row.id: _text(row.name) for row in actors.itertuples()} if actors is not None and len(actors) else {}
    rows = []
    for row in relations.itertuples():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        (lon1, lat1), (lon2, lat2) = geom.coords[0], geom.coords[-1]
        title = f"{names.get(row.source, row.source)} — {names.get(row.target, row.target)}: {_text(row.type)}"
        rows.append([_round(lat1), _round(lon1), _round(lat2), _round(lon2), _text(row.id), title,
                     _text(row.type), _text(getattr(row, "date", "")), _text(getattr(row, "summary", "")),
                     colours.get(row.source, RELATION_COLOUR)])
    return {"kind": "relations", "label": "Relations", "fields": fields, "rows": rows}


def build_payload(layers: Mapping[str, Any], visible: Iterable[str] | None = None) -> dict:
    """Compact JSON-ready description of the layers for `atlas.js`.

    `visible` limits which layer kinds are drawn (default: every non-empty layer)."""
    wanted = set(visible) if visible is not None else {"regions", "routes", "relations", "events", "mentions"}
    actors = layers.get("actors")
    colours = actor_colours(actors)
    out: list[dict] = []
    legend: list[dict] = []

    def has(name: str) -> bool:
        frame = layers.get(name)
        return name in wanted and frame is not None and len(frame) > 0

    if has("regions"):
        feats = _features(layers["regions"], ["id", "name", "kind", "approximate", "description"],
                          lambda row: REGION_COLOUR)
        out.append({"kind": "regions", "label": "Regions", "features": feats})
        legend.append({"shape": "area", "color": REGION_COLOUR, "label": "Region (dashed: approximate)"})
    if has("routes"):
        def route_colour(row):
            return ROUTE_STATUS_COLOURS.get(_text(getattr(row, "status", "")).lower(), "#d55e00")
        feats = _features(layers["routes"], ["id", "name", "status", "approximate", "description"], route_colour)
        out.append({"kind": "routes", "label": "Routes", "features": feats})
        for status in dict.fromkeys(f["properties"]["status"].lower() for f in feats):
            legend.append({"shape": "line", "color": ROUTE_STATUS_COLOURS.get(status, "#d55e00"),
                           "label": f"Route: {status}"})
        if any(f["properties"].get("approximate") for f in feats):
            legend.append({"shape": "dashed", "color": "#555555", "label": "Dashed: approximate route"})
    if has("relations"):
        out.append(_relation_rows(layers["relations"], actors, colours))
        legend.append({"shape": "dashed", "color": RELATION_COLOUR, "label": "Relation between actors"})
    if has("events"):
        spec = _event_rows(layers["events"], colours)
        out.append(spec)
        used = {a for r in spec["rows"] for a in r[9]}
        # One legend line per colour: a leader and their state share a colour by design.
        by_colour: dict[str, list[str]] = {}
        for row in actors.itertuples() if actors is not None and len(actors) else []:
            if row.id in used:
                by_colour.setdefault(colours[row.id].lower(), []).append(_text(row.name))
        for colour, labels in by_colour.items():
            legend.append({"shape": "dot", "color": colour, "label": " / ".join(labels)})
        if any(r[11] > 0 for r in spec["rows"]):
            legend.append({"shape": "ring", "color": "#555555", "label": "Ring: place is approximate"})
    if has("mentions"):
        out.append(_mention_rows(layers["mentions"]))
        legend.append({"shape": "dot", "color": MENTION_COLOUR, "label": "Place named in an article"})
    if has("added"):  # an article the user pasted or uploaded in this session
        spec = _mention_rows(layers["added"])
        spec.update(label="Added article", color=ADDED_COLOUR, radius=6)
        out.append(spec)
        legend.append({"shape": "dot", "color": ADDED_COLOUR, "label": "Place named in the added article"})
    return {"layers": out, "actors": _actor_entries(actors), "legend": legend}


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


def make_map(layers: Mapping[str, Any], visible: Iterable[str] | None = None, *, with_data: bool = True,
             online_tiles: bool | None = None, height: str = "100%", served_assets: bool = False) -> AtlasMap:
    """The atlas map. With `with_data=False` the data is left for a FeatureGroup update (st_folium).
    `served_assets` links Leaflet & co. from the app's static server instead of inlining them."""
    bounds = data_bounds(layers)
    fmap = AtlasMap(location=[45, 100], zoom_start=3, min_zoom=2, max_zoom=12, height=height,
                    online_tiles=online_tiles, world_copy_jump=False, served_assets=served_assets)
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
