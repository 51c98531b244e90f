"""The dataset model: frozen records (Event, Actor, Route, Region, Relation, Figure, PlaceOverride,
Dataset), the schema's vocabularies and file/column tables, and validation errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from geo.articles.sources import SourceRef

MAX_FIELD = 10_000
PLACE_PRECISIONS = ("exact", "city", "region", "country", "approximate")
ROUTE_STATUSES = ("planned", "MoU signed", "under construction", "operational")
JOURNEY_STATUSES = ("planned", "under way", "completed")  # a route whose kind names a journey: a trip, not a line
ACTOR_KINDS = ("person", "state", "organisation")
CITATION_LAYERS = ("events", "relations", "routes", "regions")
# Radius (km) of the uncertainty ring when a row gives none.
DEFAULT_UNCERTAINTY_KM = {"exact": 0.5, "city": 10.0, "region": 150.0, "country": 400.0, "approximate": 100.0}
FEATURE_PRECISION = {
    "city": "city",
    "country": "country",
    "admin1": "region",
    "region": "region",
    "sea": "region",
    "continent": "country",
    "lake": "region",
    "physical": "region",
}

FILES = {
    "events.csv": "events",
    "events.geojson": "events",
    "figures.csv": "figures",
    "citations.csv": "citations",
    "actors.csv": "actors",
    "relations.csv": "relations",
    "routes.geojson": "routes",
    "regions.geojson": "regions",
    "places.csv": "places",
    "sources.csv": "manifest",
    "claims.csv": "claims",
}
COLUMNS = {
    "events": (
        ("id", "title", "summary", "date"),
        (
            "end_date",
            "date_precision",
            "place",
            "lat",
            "lon",
            "place_precision",
            "uncertainty_km",
            "actors",
            "type",
            "country",
            # provenance from the row itself (a background citation), and an importer's original type
            "source",
            "url",
            "source_title",
            "source_type",
        ),
    ),
    "figures": (
        ("event_id", "name", "value"),
        ("unit", "qualifier", "claimed_by", "file", "sha256", "start", "end", "evidence", "citation", "url"),
    ),
    "citations": (("layer", "item"), ("file", "sha256", "start", "end", "evidence", "citation", "url")),
    "actors": (("id", "name", "kind"), ("native_name", "country", "role", "colour", "place", "lat", "lon")),
    "relations": (("id", "source", "target", "type"), ("date", "summary")),
    "places": (("name", "lat", "lon"), ("country", "precision", "note")),
    "manifest": (("file", "sha256"), ("title", "publisher", "authors", "date", "kind")),
    # Rival claims about an event's date or place (geo.dataset.claims).
    "claims": (
        ("event_id", "field", "value", "claimed_by"),
        ("file", "sha256", "start", "end", "evidence", "citation", "url"),
    ),
}


# Records


@dataclass(frozen=True)
class ValidationError:
    file: str
    message: str
    line: int | None = None
    feature: int | None = None
    warning: bool = False  # a notice (e.g. unknown columns): the dataset still loads; `--strict` fails on it

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.warning else self.message
        if self.line is not None:
            return f"{self.file}:{self.line}: {message}"
        if self.feature is not None:
            return f"{self.file}: feature {self.feature}: {message}"
        return f"{self.file}: {message}"


def real_errors(errors) -> list:
    """The entries of a validation list that are errors, not warnings."""
    return [e for e in errors if not getattr(e, "warning", False)]


class DatasetError(Exception):
    """Raised by callers that need a valid dataset (build, load_layers)."""

    def __init__(self, errors: list[ValidationError]):
        self.errors = list(errors)
        head = "\n".join(str(e) for e in self.errors[:20])
        more = f"\n… and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        super().__init__(f"dataset has {len(self.errors)} error(s):\n{head}{more}")


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str = ""
    qualifier: str = ""  # about, more than, up to …
    claimed_by: str = ""
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "claimed_by": self.claimed_by,
            "source": self.source.to_dict() if self.source else None,
        }


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    summary: str
    date: str
    end_date: str
    date_precision: str
    date_start: str
    date_end: str
    place: str
    lat: float | None
    lon: float | None
    place_precision: str
    uncertainty_km: float | None
    region_id: str
    type: str
    actors: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    country: str = ""
    where: str = ""  # "file:line" or "file: feature N" for later messages


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    native_name: str
    kind: str
    country: str
    role: str
    colour: str
    place: str
    lat: float | None
    lon: float | None
    where: str = ""


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    kind: str
    status: str
    approximate: bool
    description: str
    date: str
    waypoints: tuple[str, ...]
    geometry: Any
    sources: tuple[SourceRef, ...] = ()
    where: str = ""
    waypoint_dates: tuple[str, ...] = ()  # one per waypoint ("" when undated); () when none is dated


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    kind: str
    approximate: bool
    description: str
    geometry: Any
    sources: tuple[SourceRef, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Relation:
    id: str
    source: str
    target: str
    type: str
    date: str
    summary: str
    sources: tuple[SourceRef, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class PlaceOverride:
    name: str
    lat: float
    lon: float
    country: str = ""
    precision: str = "exact"
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    folder: Path
    events: tuple[Event, ...] = ()
    actors: tuple[Actor, ...] = ()
    routes: tuple[Route, ...] = ()
    regions: tuple[Region, ...] = ()
    relations: tuple[Relation, ...] = ()
    places: tuple[PlaceOverride, ...] = ()
    manifest: dict = field(default_factory=dict)


def error_at(where: str, message: str) -> ValidationError:
    """Build an error from a `where` string ("file:line" or "file: feature N")."""
    if ": feature " in where:
        file, _, n = where.partition(": feature ")
        return ValidationError(file, message, feature=int(n))
    file, _, line = where.rpartition(":")
    return ValidationError(file, message, line=int(line)) if line.isdigit() else ValidationError(where, message)


class _Slim(NamedTuple):
    """What validation keeps of a valid event: enough for duplicate, source and place checks."""

    id: str
    where: str
    place: str | None  # None when the row has coordinates (nothing to resolve)
    country: str
    has_sources: bool


def slim_event(e: Event) -> _Slim:
    return _Slim(e.id, e.where, e.place if e.lat is None else None, e.country, bool(e.sources))
