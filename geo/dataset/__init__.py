"""The dataset: the model (`model`), low-level readers (`readers`), field rules (`rules`), per-file parsers
(`parse`), loading and validation of a folder (`load`), place resolution (`places`), analysts' reviews of
mentions (`reviews`) and stories (`stories`).

The public entry points are `load_dataset`, `load_valid` and `validate_path`.
"""

from geo.dataset.load import load_dataset, load_valid, validate_path
from geo.dataset.model import (
    ACTOR_KINDS,
    CITATION_LAYERS,
    COLUMNS,
    DEFAULT_UNCERTAINTY_KM,
    FILES,
    PLACE_PRECISIONS,
    ROUTE_STATUSES,
    Actor,
    Dataset,
    DatasetError,
    Event,
    Figure,
    PlaceOverride,
    Region,
    Relation,
    Route,
    ValidationError,
    real_errors,
)
from geo.dataset.places import PlaceResolver, region_radius_km, resolve_places
from geo.dataset.rules import parse_date

__all__ = [
    "ACTOR_KINDS",
    "CITATION_LAYERS",
    "COLUMNS",
    "DEFAULT_UNCERTAINTY_KM",
    "FILES",
    "PLACE_PRECISIONS",
    "ROUTE_STATUSES",
    "Actor",
    "Dataset",
    "DatasetError",
    "Event",
    "Figure",
    "PlaceOverride",
    "PlaceResolver",
    "Region",
    "Relation",
    "Route",
    "ValidationError",
    "real_errors",
    "load_dataset",
    "load_valid",
    "parse_date",
    "region_radius_km",
    "resolve_places",
    "validate_path",
]
