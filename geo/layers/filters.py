"""Viewer state: filters, search and the shareable URL, applied to the built layers.

Pure functions over the layer GeoDataFrames (docs/layers.md) so the app, the exports and the tests
share one definition of "what the current view shows".
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

ALL_LAYERS = ("events", "regions", "routes", "relations", "mentions")


@dataclass(frozen=True)
class Filters:
    actors: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    query: str = ""
    layers: tuple[str, ...] = ALL_LAYERS
    event: str = ""
    disputed: bool = False  # only events whose claims conflict (the layer's `disputed` column)

    # ------------------------------------------------------------- URL state
    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> Filters:
        """Parse `st.query_params`-like mappings; unknown or malformed values are ignored, never fatal."""

        def many(key: str) -> tuple[str, ...]:
            value = params.get_all(key) if hasattr(params, "get_all") else params.get(key, [])
            if isinstance(value, str):
                value = [value]
            items: list[str] = []
            for v in value or []:
                items.extend(part.strip() for part in str(v).split(",") if part.strip())
            return tuple(dict.fromkeys(items))

        def one(key: str) -> str:
            value = params.get(key, "")
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else ""
            return str(value or "").strip()

        layers = tuple(name for name in many("layers") if name in ALL_LAYERS) or ALL_LAYERS
        return cls(
            actors=many("actor"),
            types=many("type"),
            sources=many("source"),
            date_from=parse_day(one("from")),
            date_to=parse_day(one("to")),
            query=one("q")[:200],
            layers=layers,
            event=one("event")[:200],
            disputed=one("disputed") in ("1", "true", "yes"),
        )

    def to_query_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.actors:
            params["actor"] = list(self.actors)
        if self.types:
            params["type"] = list(self.types)
        if self.sources:
            params["source"] = list(self.sources)
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        if self.query:
            params["q"] = self.query
        if tuple(self.layers) != ALL_LAYERS:
            params["layers"] = ",".join(self.layers)
        if self.event:
            params["event"] = self.event
        if self.disputed:
            params["disputed"] = "1"
        return params

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)


def parse_view(params: Mapping[str, Any]) -> tuple[float, float, int] | None:
    """The map position of a shared link, `c=lat,lon&z=zoom` (written by the browser as the map moves);
    None when absent or malformed (out of range values included)."""

    def one(key: str) -> str:
        value = params.get(key, "")
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        return str(value or "").strip()

    try:
        lat_text, lon_text = one("c").split(",")
        lat, lon, zoom = float(lat_text), float(lon_text), int(float(one("z")))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= 18) or math.isnan(lat + lon):
        return None
    return round(lat, 4), round(lon, 4), zoom


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ------------------------------------------------------------------ search


def fold(text: Any) -> str:
    """Case- and accent-insensitive form used for matching (Ñandú → nandu, ULAANBAATAR → ulaanbaatar)."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def query_terms(query: str, aliases=None) -> set[str]:
    """The folded query plus what it stands for in other scripts or spellings.

    `aliases(name) -> iterable of names` is the gazetteer's lookup (Курск → Kursk, 平壤 → Pyongyang,
    Ulan Bator → Ulaanbaatar); without it only the query itself is searched."""
    terms = {fold(query)} if fold(query) else set()
    if aliases is not None and query.strip():
        try:
            terms.update(fold(name) for name in aliases(query.strip()) if fold(name))
        except Exception:  # a gazetteer problem must not break search
            pass
    return terms


def _event_haystacks(events: pd.DataFrame, actor_names: Mapping[str, str]) -> list[str]:
    texts = []
    for row in events.itertuples():
        actor_text = " ".join(actor_names.get(a, a) for a in (getattr(row, "actors", None) or []))
        texts.append(
            fold(
                " ".join(str(getattr(row, col, "") or "") for col in ("title", "summary", "place", "type"))
                + " "
                + actor_text
            )
        )
    return texts


# Folding 20k events takes ~0.5 s: keep the texts of the last few (unchanged, shared) event frames, so
# typing a search at scale costs a scan, not a rebuild.
_HAYSTACKS: dict[int, tuple[Any, dict, list[str]]] = {}


def _cached_haystacks(events: pd.DataFrame, actor_names: Mapping[str, str]) -> list[str]:
    hit = _HAYSTACKS.get(id(events))
    if hit is not None and hit[0]() is events and hit[1] == actor_names:
        return hit[2]
    texts = _event_haystacks(events, actor_names)
    try:
        ref = weakref.ref(events)
    except TypeError:  # not weak-referenceable: no caching
        return texts
    if len(_HAYSTACKS) >= 8:
        _HAYSTACKS.pop(next(iter(_HAYSTACKS)))
    _HAYSTACKS[id(events)] = (ref, dict(actor_names), texts)
    return texts


def source_files(refs: Any) -> list[str]:
    """Article files an event cites (background citations have no file)."""
    return [str(ref.get("file")) for ref in (refs or []) if isinstance(ref, Mapping) and ref.get("file")]


def actor_search_names(actors) -> dict[str, str]:
    """actor id → every name it is known by (name, native script, id), for search."""
    if actors is None or not len(actors):
        return {}
    return {
        row.id: " ".join(str(v) for v in (row.id, row.name, getattr(row, "native_name", "")) if v)
        for row in actors.itertuples()
    }


# ------------------------------------------------------------------ filtering


def _overlaps(row_start: Any, row_end: Any, start: dt.date | None, end: dt.date | None) -> bool:
    if start is None and end is None:
        return True
    try:
        s = dt.date.fromisoformat(str(row_start)[:10])
        e = dt.date.fromisoformat(str(row_end or row_start)[:10])
    except ValueError:
        return True
    return (end is None or s <= end) and (start is None or e >= start)


def event_mask(layers: Mapping[str, Any], filters: Filters, aliases=None) -> pd.Series:
    events = layers["events"]
    mask = pd.Series(True, index=events.index)
    if filters.actors:
        wanted = set(filters.actors)
        mask &= events["actors"].apply(lambda acts: bool(wanted.intersection(acts or [])))
    if filters.types:
        mask &= events["type"].isin(filters.types)
    if filters.sources and "sources" in events:
        wanted_sources = set(filters.sources)
        mask &= events["sources"].apply(lambda refs: bool(wanted_sources.intersection(source_files(refs))))
    if filters.date_from or filters.date_to:
        starts = events.get("date_start", events["date"])
        ends = events.get("date_end", events["date"])
        mask &= pd.Series(
            [_overlaps(s, e, filters.date_from, filters.date_to) for s, e in zip(starts, ends)], index=events.index
        )
    if filters.disputed:
        flags = events["disputed"] if "disputed" in events else pd.Series(False, index=events.index)
        mask &= flags.fillna(False).astype(bool)
    terms = query_terms(filters.query, aliases)
    if terms:
        hay = _cached_haystacks(events, actor_search_names(layers.get("actors")))
        mask &= pd.Series([any(t in h for t in terms) for h in hay], index=events.index)
    return mask


def filter_layers(layers: Mapping[str, Any], filters: Filters, aliases=None, places=None) -> dict[str, Any]:
    """The layers the current view shows. Every filter applies to every layer it can mean something for
    (see `context_masks`): a search for "Ulan Bator" keeps the route through Ulaanbaatar and drops the
    rest; the date filter applies to events only (`unfiltered_by` says so for the count line).

    `aliases(query)` gives other names of a searched place, `places(query)` its (lat, lon) points (both
    from the gazetteer in the app); routes passing within ROUTE_NEAR_KM of such a point match."""
    out = dict(layers)
    events = layers.get("events")
    if events is not None and len(events):
        out["events"] = events[event_mask(layers, filters, aliases)]
    for name, mask in context_masks(layers, filters, aliases, places).items():
        out[name] = layers[name][mask]
    for name in ALL_LAYERS:
        if name not in filters.layers and out.get(name) is not None:
            out[name] = out[name].iloc[0:0]
    return out


# A route "passes" a searched place when its line comes this close (pipelines and rail lines are drawn
# from waypoints: a city on the way is within a few km of the line, a neighbouring city is not).
ROUTE_NEAR_KM = 60.0
_KM_PER_DEGREE = 111.0


def _texts(frame, columns: Iterable[str], extra=None) -> list[str]:
    texts = []
    for row in frame.itertuples():
        parts = []
        for col in columns:
            value = getattr(row, col, "")
            if isinstance(value, (list, tuple)):
                parts.extend(str(v) for v in value)
            elif value is not None and not (isinstance(value, float) and value != value):
                parts.append(str(value))
        if extra is not None:
            parts.append(extra(row))
        texts.append(fold(" ".join(parts)))
    return texts


def _near(geometry, points: Iterable[tuple[float, float]], km: float) -> bool:
    if geometry is None or geometry.is_empty:
        return False
    from shapely.geometry import Point

    for lat, lon in points:
        # Degrees to km with the latitude's squeeze of longitude; close enough to decide "passes".
        squeeze = max(0.2, math.cos(math.radians(lat)))
        point = Point(lon, lat)
        near = geometry.distance(point)
        if near * _KM_PER_DEGREE * squeeze <= km or geometry.contains(point):
            return True
    return False


def _cited(frame, sources: set[str], file_column: str = "sources") -> pd.Series:
    if file_column == "article":
        return frame["article"].astype(str).isin(sources)
    return frame[file_column].apply(lambda refs: bool(sources.intersection(source_files(refs))))


def context_masks(layers: Mapping[str, Any], filters: Filters, aliases=None, places=None) -> dict[str, pd.Series]:
    """Row masks for the layers around the events, per filter that means something for them:

    - actors: relations with the actor at either end; regions and routes are not actors' (unchanged);
    - source article: every layer's rows that cite one of the articles (mentions: named in one);
    - search: routes by name, description and the places they pass (waypoints, or the searched place's
      gazetteer point within ROUTE_NEAR_KM of the line), regions by name (or holding the searched
      place), relations by their actors' names, type and summary, mentions by name and spelling.

    Layers a filter leaves unchanged get no mask from it; the date filter applies to events only."""
    masks: dict[str, pd.Series] = {}
    terms = query_terms(filters.query, aliases)
    points: list[tuple[float, float]] = []
    if terms and places is not None:
        try:
            points = [(float(lat), float(lon)) for lat, lon in places(filters.query.strip())]
        except Exception:  # a gazetteer problem must not break search
            points = []
    names = actor_search_names(layers.get("actors"))
    sources = set(filters.sources)
    for name in ("regions", "routes", "relations", "mentions"):
        frame = layers.get(name)
        if frame is None or not len(frame):
            continue
        mask = pd.Series(True, index=frame.index)
        if name == "relations" and filters.actors:
            wanted = set(filters.actors)
            mask &= frame["source"].isin(wanted) | frame["target"].isin(wanted)
        if sources:
            column = "article" if name == "mentions" else "sources"
            if column in frame:
                mask &= _cited(frame, sources, column)
        if terms:
            if name == "routes":
                hay = _texts(frame, ("name", "kind", "description", "waypoints"))
            elif name == "regions":
                hay = _texts(frame, ("name", "kind"))
            elif name == "relations":
                hay = _texts(
                    frame,
                    ("type", "summary"),
                    lambda r: names.get(r.source, str(r.source)) + " " + names.get(r.target, str(r.target)),
                )
            else:
                hay = _texts(frame, ("name", "text", "country"))
            hit = [any(t in h for t in terms) for h in hay]
            if points and name in ("routes", "regions"):
                hit = [
                    h or _near(g, points, ROUTE_NEAR_KM if name == "routes" else 0.0)
                    for h, g in zip(hit, frame.geometry, strict=True)
                ]
            mask &= pd.Series(hit, index=frame.index)
        if not mask.all():
            masks[name] = mask
    return masks


def unfiltered_by(filters: Filters) -> list[str]:
    """What the active filters do not apply to, for the count line ("routes and regions: not filtered by
    date"); empty when every active filter applies to every shown layer."""
    notes = []
    shown = [name for name in ("regions", "routes") if name in filters.layers]
    if (filters.date_from or filters.date_to) and shown:
        notes.append(" and ".join(shown) + ": not filtered by date")
    if filters.types and shown:
        notes.append(" and ".join(shown) + ": not filtered by event type")
    if filters.actors and shown:
        notes.append(" and ".join(shown) + ": not filtered by actor")
    return notes


def active_names(filters: Filters) -> list[str]:
    """The filters in use, by name, in the order of the sidebar: what the header says while the filters
    are folded away (a shared link opens filtered, and nothing else on screen says so).

    Examples
    --------
    >>> active_names(Filters(actors=("kim",), query="Beijing"))
    ['actor', 'search']
    >>> active_names(Filters(layers=("events", "routes")))
    ['layers']
    >>> active_names(Filters())
    []
    """
    names = []
    for name, used in (
        ("actor", filters.actors),
        ("type", filters.types),
        ("source", filters.sources),
        ("dates", filters.date_from or filters.date_to),
        ("search", filters.query),
        ("layers", set(ALL_LAYERS) - set(filters.layers)),
        ("disputed only", filters.disputed),
    ):
        if used:
            names.append(name)
    return names


def count_line(shown: int, total: int, filters: Filters, filtered: Mapping[str, Any], layers: Mapping[str, Any]) -> str:
    """ "12 of 38 events shown", the filters in use, what else they show, and what they leave alone."""
    parts = [f"{shown} of {total} events shown"]
    if "events" not in filters.layers:
        parts[0] += " (events layer off)"
    names = active_names(filters)
    if names:
        parts.append("filters: " + ", ".join(names))
    active = bool(filters.query or filters.sources or filters.actors)
    if active:
        for name, label in (("routes", "routes"), ("regions", "regions"), ("relations", "relations")):
            frame, whole = filtered.get(name), layers.get(name)
            if name in filters.layers and whole is not None and len(whole):
                parts.append(f"{0 if frame is None else len(frame)} of {len(whole)} {label}")
    parts += unfiltered_by(filters)
    return " · ".join(parts + ["click a point for details"])


def date_span(events) -> tuple[dt.date, dt.date] | None:
    if events is None or not len(events):
        return None
    starts = [parse_day(str(v)[:10]) for v in events.get("date_start", events["date"])]
    ends = [parse_day(str(v)[:10]) for v in events.get("date_end", events["date"])]
    days = [d for d in starts + ends if d]
    return (min(days), max(days)) if days else None


def options(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values if v is not None and str(v)})


__all__ = [
    "Filters",
    "active_names",
    "filter_layers",
    "event_mask",
    "query_terms",
    "fold",
    "date_span",
    "parse_day",
    "ALL_LAYERS",
    "options",
    "actor_search_names",
    "source_files",
    "context_masks",
    "unfiltered_by",
    "parse_view",
    "count_line",
    "ROUTE_NEAR_KM",
]


def viewport_bbox(value: Any) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the map's last reported bounds, widened by half a view so
    small pans don't need a new query; None before the map has reported."""
    bounds = (value or {}).get("bounds") if isinstance(value, dict) else None
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        west, south, east, north = float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    dx, dy = (east - west) / 2, (north - south) / 2
    return (
        round(max(-180.0, west - dx), 1),
        round(max(-90.0, south - dy), 1),
        round(min(180.0, east + dx), 1),
        round(min(90.0, north + dy), 1),
    )
