"""Disputed claims: rival figures, dates and places for one event, and when they conflict.

Rival *figures* are several `figures.csv` rows with the same `event_id` and `name` (one per claimant).
Rival *dates and places* live in the optional `claims.csv` (schema in data/README.md):

    event_id,field,value,claimed_by,file,sha256,start,end,evidence,citation,url
    dprk-losses-kursk,date,2025-01/2025-03,Ukrainian military intelligence,,,,,,"Briefing, 12 Mar 2025",

The conflict rule (docs/claims.md) turns every claim into an interval and calls two claims in conflict
when their intervals are disjoint: "about 600" is [480, 720], "more than 2,000" is (2000, ∞), so they
conflict; "more than 600" is (600, ∞) and overlaps "about 600", so it does not. "Disputed" is derived
from the claims by `disputed(event)`; it is never stored as a flag.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geo.articles.sources import SourceRef
from geo.dataset import model as ev_model
from geo.dataset import parse as ev_parse
from geo.dataset import places as ev_places
from geo.dataset import readers as ev_readers
from geo.dataset import rules as ev_rules

FILE_NAME = "claims.csv"
FIELDS = ("date", "place")
ABOUT = 0.2  # "about x" covers x ± 20 %
PLACE_KM = 50.0  # places closer than this (or within their uncertainty rings) agree


# ---------------------------------------------------------------------------
# Intervals


@dataclass(frozen=True)
class Interval:
    """Real interval; `lo_open`/`hi_open` exclude the end point."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        """True when some value lies in both intervals.

        Examples
        --------
        >>> Interval(0, 600).overlaps(Interval(600, math.inf, lo_open=True))
        False
        """
        lo, lo_open = _bound(self.lo, self.lo_open, other.lo, other.lo_open, max)
        hi, hi_open = _bound(self.hi, self.hi_open, other.hi, other.hi_open, min)
        return lo < hi or (lo == hi and not lo_open and not hi_open)


def _bound(a: float, a_open: bool, b: float, b_open: bool, pick) -> tuple[float, bool]:
    """The tighter of two bounds (`pick` is max for lower, min for upper); open when tied and either is."""
    if a == b:
        return a, a_open or b_open
    return (a, a_open) if pick(a, b) == a else (b, b_open)


_INF = math.inf
# qualifier (lower case, normalised spaces) → interval factory for value x
QUALIFIERS = {
    "": lambda x: Interval(x, x),
    "exactly": lambda x: Interval(x, x),
    "about": lambda x: Interval(x * (1 - ABOUT), x * (1 + ABOUT)),
    "more than": lambda x: Interval(x, _INF, lo_open=True),
    "at least": lambda x: Interval(x, _INF),
    "up to": lambda x: Interval(0, x),
    "fewer than": lambda x: Interval(0, x, hi_open=True),
    "nearly": lambda x: Interval(x * (1 - ABOUT), x),
}
_ALIASES = {
    "about": ("around", "approximately", "roughly", "some", "estimated", "an estimated"),
    "more than": ("over", "above", "upwards of"),
    "at least": ("no fewer than", "no less than", "a minimum of"),
    "up to": ("at most", "no more than", "as many as", "a maximum of"),
    "fewer than": ("less than", "under", "below"),
    "nearly": ("almost",),
}
SYNONYMS = {alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases}


def figure_interval(qualifier: str, value: float) -> Interval:
    """The values a figure claim allows. Unknown qualifiers read as "about" (the widest usual reading).

    Examples
    --------
    >>> figure_interval("about", 600)
    Interval(lo=480.0, hi=720.0, lo_open=False, hi_open=False)
    >>> figure_interval("more than", 2000).lo_open
    True
    """
    q = " ".join((qualifier or "").lower().split())
    q = SYNONYMS.get(q, q)
    return QUALIFIERS.get(q, QUALIFIERS["about"])(float(value))


def _get(item: Any, key: str, default: Any = "") -> Any:
    if isinstance(item, Mapping):
        return item.get(key, default)
    return getattr(item, key, default)


def figures_conflict(a: Any, b: Any) -> bool:
    """True when two figures (Figure objects or dicts) of the same name allow no common value.

    Figures in different units (both given) are not compared.

    Examples
    --------
    >>> figures_conflict({"value": 600, "qualifier": "about"}, {"value": 2000, "qualifier": "more than"})
    True
    >>> figures_conflict({"value": 600, "qualifier": "about"}, {"value": 600, "qualifier": "more than"})
    False
    """
    ua, ub = str(_get(a, "unit") or "").strip().lower(), str(_get(b, "unit") or "").strip().lower()
    if ua and ub and ua != ub:
        return False
    ia = figure_interval(_get(a, "qualifier"), _get(a, "value"))
    return not ia.overlaps(figure_interval(_get(b, "qualifier"), _get(b, "value")))


def date_interval(value: str, end: str = "") -> tuple[str, str] | str:
    """(first day, last day) of a date claim: `2025-09`, `2025-09-03`, `2025-09-01/2025-09-05`; a
    partial date covers its month or year. An error message when the value is not a date.

    Examples
    --------
    >>> date_interval("2025-09")
    ('2025-09-01', '2025-09-30')
    >>> date_interval("2025-09-01/2025-09-05")
    ('2025-09-01', '2025-09-05')
    """
    first_text, _, last_text = (value or "").strip().partition("/")
    last_text = last_text.strip() or (end or "").strip()
    first = ev_rules.parse_date(first_text.strip())
    if isinstance(first, str):
        return first
    if not last_text:
        return first[1], first[2]
    last = ev_rules.parse_date(last_text)
    if isinstance(last, str):
        return "end of range: " + last
    if last[2] < first[1]:
        return f"date range {value!r} ends before it starts"
    return first[1], last[2]


def dates_conflict(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """True when two (first, last) day ranges share no day.

    Examples
    --------
    >>> dates_conflict(("2025-09-01", "2025-09-30"), ("2025-09-03", "2025-09-03"))
    False
    >>> dates_conflict(("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-01"))
    True
    """
    return a[1] < b[0] or b[1] < a[0]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius).

    Examples
    --------
    >>> round(distance_km(0, 0, 1, 0))
    111
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def places_conflict(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """True when two (lat, lon, uncertainty_km) places are farther apart than 50 km and than their two
    uncertainty rings together (a city inside the region another source names does not conflict).

    Examples
    --------
    >>> places_conflict((39.9, 116.4, 10), (39.1, 117.2, 10))  # Beijing vs Tianjin, ~110 km
    True
    >>> places_conflict((51.7, 36.2, 10), (51.5, 36.0, 150))  # Kursk city vs Kursk Oblast
    False
    """
    limit = max(PLACE_KM, (a[2] or 0) + (b[2] or 0))
    return distance_km(a[0], a[1], b[0], b[1]) > limit


# ---------------------------------------------------------------------------
# Claims and conflicts


@dataclass(frozen=True)
class Claim:
    """An alternative date or place for an event, with who says so and the evidence."""

    event_id: str
    field: str  # "date" | "place"
    value: str
    claimed_by: str
    source: SourceRef | None = None
    where: str = ""  # "claims.csv:LINE"
    first: str = ""  # date claims: the covered days
    last: str = ""
    lat: float | None = None  # place claims, once resolved
    lon: float | None = None
    uncertainty_km: float = 0.0


@dataclass(frozen=True)
class Conflict:
    """Two claims about one field of an event that allow no common value."""

    field: str  # "date", "place" or "figure:<name>"
    a: str  # each side in words: "about 600 soldiers (Seoul's NIS)"
    b: str
    a_source: dict | None = None
    b_source: dict | None = None

    def to_dict(self) -> dict:
        return {"field": self.field, "a": self.a, "b": self.b, "a_source": self.a_source, "b_source": self.b_source}


def _who(claimed_by: str) -> str:
    return f" ({claimed_by})" if claimed_by else " (dataset)"


def _src(ref: Any) -> dict | None:
    if ref is None:
        return None
    return ref.to_dict() if hasattr(ref, "to_dict") else dict(ref)


def _figure_text(f: Any) -> str:
    value = float(_get(f, "value"))
    number = f"{int(value):,}" if value.is_integer() else f"{value:,g}"
    text = " ".join(p for p in (str(_get(f, "qualifier") or ""), number, str(_get(f, "unit") or "")) if p)
    return text + _who(str(_get(f, "claimed_by") or ""))


def _own_place(event: Any) -> tuple[float, float, float] | None:
    lat, lon = _get(event, "lat", None), _get(event, "lon", None)
    geom = _get(event, "geometry", None)
    if lat is None and geom is not None and not geom.is_empty:
        lat, lon = geom.y, geom.x
    if lat is None or lon is None:
        return None
    return float(lat), float(lon), float(_get(event, "uncertainty_km", 0.0) or 0.0)


def disputed(event: Any, claims: Iterable[Claim] = ()) -> list[Conflict]:
    """Every pair of conflicting claims about an event: its figures of one name, its date against the
    date claims, its place against the place claims (and the claims against each other). Empty when
    the claims agree. `event` is a `geo.dataset.Event` or a layer row (mapping).

    Examples
    --------
    >>> event = {"id": "e", "date": "2025", "figures": [
    ...     {"name": "killed", "value": 600, "qualifier": "about", "unit": "soldiers", "claimed_by": "NIS"},
    ...     {"name": "killed", "value": 2000, "qualifier": "more than", "unit": "soldiers", "claimed_by": "Kyiv"}]}
    >>> [(c.field, c.a, c.b) for c in disputed(event)]
    [('figure:killed', 'about 600 soldiers (NIS)', 'more than 2,000 soldiers (Kyiv)')]
    """
    eid = str(_get(event, "id"))
    found: list[Conflict] = []
    figures = list(_get(event, "figures", ()) or ())
    for i, fa in enumerate(figures):
        for fb in figures[i + 1 :]:
            if _get(fa, "name") == _get(fb, "name") and figures_conflict(fa, fb):
                sources = [_src(_get(f, "source", None)) for f in (fa, fb)]
                found.append(Conflict(f"figure:{_get(fa, 'name')}", _figure_text(fa), _figure_text(fb), *sources))
    mine = [c for c in claims if c.event_id == eid]
    own_sources = list(_get(event, "sources", ()) or ())
    own_src = _src(own_sources[0]) if own_sources else None
    dates: list[tuple[str, tuple[str, str], dict | None]] = []
    own_date = date_interval(str(_get(event, "date") or ""), str(_get(event, "end_date") or ""))
    if not isinstance(own_date, str):
        dates.append((f"{_get(event, 'date')}{_who('')}", own_date, own_src))
    dates += [
        (f"{c.value}{_who(c.claimed_by)}", (c.first, c.last), _src(c.source))
        for c in mine
        if c.field == "date" and c.first
    ]
    places: list[tuple[str, tuple[float, float, float], dict | None]] = []
    here = _own_place(event)
    if here is not None:
        places.append((f"{_get(event, 'place') or 'the mapped point'}{_who('')}", here, own_src))
    places += [
        (f"{c.value}{_who(c.claimed_by)}", (c.lat, c.lon, c.uncertainty_km), _src(c.source))
        for c in mine
        if c.field == "place" and c.lat is not None
    ]
    for field, items, clash in (("date", dates, dates_conflict), ("place", places, places_conflict)):
        for i, (ta, va, sa) in enumerate(items):
            for tb, vb, sb in items[i + 1 :]:
                if clash(va, vb):
                    found.append(Conflict(field, ta, tb, sa, sb))
    return found


# ---------------------------------------------------------------------------
# Reading claims.csv

_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


def read_claims(
    path: Path | str, label: str | None = None, event_ids: set | None = None, manifest: dict | None = None
) -> tuple[list[Claim], list[ev_model.ValidationError]]:
    """Valid claims of a claims.csv and one error per problem, naming file and line (never raises).

    Place values are kept as given (a name, or "lat, lon"); `resolve_claims` geocodes names.

    Examples
    --------
    >>> claims, errors = read_claims("data/claims.csv", event_ids={"dprk-losses-kursk"})  # doctest: +SKIP
    >>> [str(e) for e in errors]  # doctest: +SKIP
    ['data/claims.csv:3: field 'time' is not one of date, place']
    """
    path = Path(path)
    label = label or str(path)
    errors = ev_readers.ErrorList()
    ctx = ev_rules.SourceContext(manifest if manifest is not None else _manifest(path.parent))
    out = []
    for line, row in ev_readers.iter_csv_rows(path, label, "claims", errors):
        problems: list[str] = []
        get, _ = ev_parse.csv_getter(row)
        for key in ("event_id", "field", "value", "claimed_by"):
            if not get(key):
                problems.append(f"{key} is required")
        if get("event_id") and event_ids is not None and get("event_id") not in event_ids:
            problems.append(f"unknown event id {get('event_id')!r}")
        field = get("field").lower()
        first = last = ""
        lat = lon = None
        if get("field") and field not in FIELDS:
            problems.append(f"field {get('field')!r} is not one of {', '.join(FIELDS)}")
        elif field == "date" and get("value"):
            got = date_interval(get("value"))
            if isinstance(got, str):
                problems.append(got)
            else:
                first, last = got
        elif field == "place" and _COORDS.match(get("value")):
            lat, lon = (float(v) for v in _COORDS.match(get("value")).groups())
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                problems.append(f"coordinates {get('value')!r} out of range (lat ±90, lon ±180)")
        ref = ev_rules.make_ref(row, ctx, problems) if (get("file") or get("citation")) else None
        if ref is None and not problems:
            problems.append("a claim needs its source: file/start/end (an article span) or a citation")
        for p in problems:
            errors.add(label, p, line=line)
        if not problems:
            unc = ev_model.DEFAULT_UNCERTAINTY_KM["exact"] if lat is not None else 0.0
            values = (get("event_id"), field, get("value"), get("claimed_by"), ref, f"{label}:{line}")
            out.append(Claim(*values, first, last, lat, lon, unc))
    return out, list(errors)


def _manifest(folder: Path) -> dict:
    from geo.articles import sources as src_mod

    try:
        return src_mod.load_manifest(folder)
    except (OSError, ValueError):  # a broken manifest is reported by the dataset's own validation
        return {}


def resolve_claims(claims: list[Claim], ds: ev_model.Dataset) -> tuple[list[Claim], list[ev_model.ValidationError]]:
    """Place claims given by name get coordinates the way event places do (places.csv, regions,
    gazetteer); a name nothing resolves is an error at the claim's line.

    Examples
    --------
    >>> claims, errors = resolve_claims(read_claims("data/claims.csv")[0], ds)  # doctest: +SKIP
    >>> claims[0].lat is not None  # doctest: +SKIP
    True
    """
    resolver = ev_places.PlaceResolver(ds)
    errors: list[ev_model.ValidationError] = []
    out = []
    for c in claims:
        if c.field == "place" and c.lat is None:
            got = resolver.resolve(c.value)
            if isinstance(got, str):
                errors.append(ev_model.error_at(c.where, got))
                continue
            lat, lon, precision, _, unc = got
            unc = unc if unc is not None else ev_model.DEFAULT_UNCERTAINTY_KM[precision]
            c = replace(c, lat=lat, lon=lon, uncertainty_km=float(unc))
        out.append(c)
    return out, errors


def load_claims(
    folder: Path | str, ds: ev_model.Dataset | None = None
) -> tuple[list[Claim], list[ev_model.ValidationError]]:
    """Claims of a dataset folder's claims.csv (none when the file is absent), checked against the
    dataset's event ids and with place names resolved when `ds` is given.

    Examples
    --------
    >>> from geo import dataset as ev
    >>> ds, _ = ev.load_dataset("data")  # doctest: +SKIP
    >>> claims, errors = load_claims("data", ds)  # doctest: +SKIP
    """
    path = Path(folder) / FILE_NAME
    if not path.is_file():
        return [], []
    ids = {e.id for e in ds.events} if ds is not None else None
    claims, errors = read_claims(path, str(path), ids, ds.manifest if ds is not None else None)
    if ds is not None:
        claims, more = resolve_claims(claims, ds)
        errors += more
    return claims, errors
