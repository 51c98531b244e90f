"""Place resolution: a dataset's place names -> coordinates, precision and uncertainty (places.csv
overrides, then regions, then the geocoder)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from geo.dataset.model import DEFAULT_UNCERTAINTY_KM, FEATURE_PRECISION, Dataset, error_at


def _geocoder():
    """`geo.geoparse.geocode.geocode_place` if available (imported lazily), else None."""
    try:
        from geo.geoparse.geocode import geocode_place
    except Exception:  # module absent or failing to import: fall back to explicit coordinates
        return None
    return geocode_place


def region_radius_km(geom) -> float:
    """Radius of a circle with the polygon's area (rough, equal-area-ish at the centroid latitude)."""
    c = geom.centroid
    km_per_deg = 111.32
    area = geom.area * km_per_deg * km_per_deg * math.cos(math.radians(c.y))
    return round(math.sqrt(max(area, 0.0) / math.pi), 1)


class PlaceResolver:
    """Resolves a dataset's place names: `places.csv` overrides first, then a region of `regions.geojson`
    (by id or name), then the geocoder. Each distinct (name, country) goes to the geocoder once.

    Examples
    --------
    >>> from geo.dataset.model import Dataset
    >>> PlaceResolver(Dataset(".")).resolve("", "")
    "cannot resolve place ''; add it to places.csv or give lat/lon"
    """

    def __init__(self, ds: Dataset) -> None:
        self.overrides = {p.name.casefold(): p for p in ds.places}
        self.regions: dict[str, Any] = {}
        for r in ds.regions:
            self.regions.setdefault(r.id.casefold(), r)
            self.regions.setdefault(r.name.casefold(), r)
        self._geocode = _geocoder()
        self._cache: dict[tuple[str, str], Any] = {}

    def region_id(self, name: str) -> str:
        """The id of the region called `name` (by id or name), or ""."""
        r = self.regions.get((name or "").casefold())
        return r.id if r is not None else ""

    def resolve(self, name: str, country: str = "") -> tuple | str:
        """(lat, lon, precision, region_id, uncertainty_km or None), or an error message."""
        key = (name or "").casefold()
        if key in self.overrides:
            o = self.overrides[key]
            return o.lat, o.lon, o.precision, "", None
        if key in self.regions:
            r = self.regions[key]
            pt = r.geometry.representative_point()
            return pt.y, pt.x, "region", r.id, region_radius_km(r.geometry)
        if not key:
            return f"cannot resolve place {name!r}; add it to places.csv or give lat/lon"
        if self._geocode is None:
            return (
                f"cannot resolve place {name!r}: the geocoder (geo.geoparse.geocode) is not available; "
                "add it to places.csv or give lat/lon"
            )
        ck = (key, country)
        if ck not in self._cache:
            try:
                self._cache[ck] = self._geocode(name, country or None)
            except Exception as exc:  # a geocoder bug must not become a traceback
                self._cache[ck] = f"geocoder failed for {name!r}: {exc}"
        got = self._cache[ck]
        if isinstance(got, str):
            return got
        if got is None:
            return f"cannot resolve place {name!r}; add it to places.csv or give lat/lon"
        return got.lat, got.lon, FEATURE_PRECISION.get(got.feature, "approximate"), "", None


def resolve_places(ds: Dataset, errors: list | None = None) -> Dataset:
    """Fill lat/lon, precision, region_id and uncertainty for events and actors; unresolvable rows are
    left out with an error naming their file and line."""
    errors = errors if errors is not None else []
    resolver = PlaceResolver(ds)
    events = []
    for e in ds.events:
        lat, lon, precision, unc = e.lat, e.lon, e.place_precision, e.uncertainty_km
        region_id = resolver.region_id(e.place) if e.place else ""
        if lat is None:
            got = resolver.resolve(e.place, e.country)
            if isinstance(got, str):
                errors.append(error_at(e.where, got))
                continue
            lat, lon, found_precision, region_id, found_unc = got
            precision = precision or found_precision
            unc = unc if unc is not None else found_unc
        precision = precision or "exact"
        if unc is None:
            unc = DEFAULT_UNCERTAINTY_KM[precision]
        events.append(
            replace(e, lat=lat, lon=lon, place_precision=precision, region_id=region_id, uncertainty_km=float(unc))
        )
    actors = []
    for a in ds.actors:
        if a.lat is None and a.place:
            got = resolver.resolve(a.place, "")
            if isinstance(got, str):
                errors.append(error_at(a.where, got))
                continue
            a = replace(a, lat=got[0], lon=got[1])
        actors.append(a)
    return replace(ds, events=tuple(events), actors=tuple(actors))
