"""Loading a whole dataset folder: read every file, cross-check ids, attach citations and figures,
resolve places; `validate_path` checks a folder or one file in its folder's context.

`load_dataset(folder)` returns a `Dataset` and a list of `ValidationError`s (file + line or feature +
message). It never raises for bad input: every problem becomes an error. Place names without
coordinates are resolved by `geo.dataset.places`: `places.csv` override first, then a region of
`regions.geojson` (by id or name), then `geo.geoparse.geocode.geocode_place`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from geo.articles import sources as src_mod
from geo.articles.sources import SourceRef
from geo.dataset.model import (
    CITATION_LAYERS,
    FILES,
    Dataset,
    DatasetError,
    Figure,
    ValidationError,
    _Slim,
    error_at,
    real_errors,
    slim_event,
)
from geo.dataset.parse import (
    _figure,
    parse_actors,
    parse_events,
    parse_manifest,
    parse_places,
    parse_regions,
    parse_relations,
    parse_routes,
)
from geo.dataset.places import PlaceResolver, resolve_places
from geo.dataset.readers import ErrorList, iter_csv_rows, read_csv_rows
from geo.dataset.rules import SourceContext, make_ref

# Whole dataset


def _dupes(items, errors: list) -> None:
    seen: dict[str, str] = {}
    for it in items:
        if it.id in seen:
            errors.append(error_at(it.where, f"duplicate id {it.id!r} (first at {seen[it.id]})"))
        else:
            seen[it.id] = it.where


def _attach_citations(
    path: Path, label: str, ctx: SourceContext, ids: dict[str, set], errors: ErrorList, lean: bool = False
):
    """{(layer, item): [SourceRef, …]}; with `lean` the lists stay empty (only the keys are kept)."""
    by_item: dict[tuple[str, str], list[SourceRef]] = {}
    for line, row in iter_csv_rows(path, label, "citations", errors):
        problems: list[str] = []
        layer, item = row.get("layer", "").strip(), row.get("item", "").strip()
        if layer not in CITATION_LAYERS:
            problems.append(f"layer {layer!r} is not one of {', '.join(CITATION_LAYERS)}")
        elif item not in ids.get(layer, set()):
            problems.append(f"unknown {layer} id {item!r}")
        ref = make_ref(row, ctx, problems)
        for p in problems:
            errors.add(label, p, line=line)
        if ref and not any(p.startswith("unknown") or p.startswith("layer") for p in problems):
            refs = by_item.setdefault((layer, item), [])
            if not lean:
                refs.append(ref)
    return by_item


def _attach_figures(path: Path, label: str, ctx: SourceContext, event_ids: set, errors: ErrorList, lean: bool = False):
    by_event: dict[str, list[Figure]] = {}
    for line, row in iter_csv_rows(path, label, "figures", errors):
        problems: list[str] = []
        eid = row.get("event_id", "").strip()
        if eid not in event_ids:
            problems.append(f"unknown event id {eid!r}")
        fig = _figure(row, ctx, problems)
        for p in problems:
            errors.add(label, p, line=line)
        if fig and not problems and not lean:
            by_event.setdefault(eid, []).append(fig)
    return by_event


def _display(folder: Path, name: str) -> str:
    return str(Path(folder) / name)


def _resolve_slim(ds: Dataset, slim: list[_Slim], errors: list) -> None:
    """Place errors for slim events: each distinct (place, country) is resolved once."""
    resolver = PlaceResolver(ds)
    for e in slim:
        if e.place is not None:
            got = resolver.resolve(e.place, e.country)
            if isinstance(got, str):
                errors.append(error_at(e.where, got))


def load_dataset(folder: Path | str, resolve: bool = True, lean: bool = False) -> tuple[Dataset, list[ValidationError]]:
    """Read, cross-check and (optionally) geocode a dataset folder.

    `lean` is for validation only: files are streamed and only a small record per event is kept (a
    60 MB events.csv validates in little memory); the returned Dataset's events are then `_Slim`
    records, not `Event`s, and figures/citations are checked but not attached."""
    from geo.dataset import claims as claims_mod  # imports this module's siblings

    folder = Path(folder)
    errors = ErrorList()
    if not folder.is_dir():
        errors.add(str(folder), "not a folder")
        return Dataset(folder), list(errors)
    p = lambda name: folder / name
    label = lambda name: _display(folder, name)

    manifest_file = src_mod.manifest_path(folder)
    manifest = parse_manifest(manifest_file, str(manifest_file), errors) if manifest_file else {}
    ctx = SourceContext(manifest)

    ids: dict[str, set] = {name: set() for name in ("actors",) + CITATION_LAYERS}
    has_actors = p("actors.csv").is_file()
    actors = parse_actors(p("actors.csv"), label("actors.csv"), errors, ids["actors"]) if has_actors else []
    actor_ids = ids["actors"] if has_actors else None  # without actors.csv, actor ids are free labels

    has_csv, has_geojson = p("events.csv").is_file(), p("events.geojson").is_file()
    if has_csv and has_geojson:
        errors.add(label("events.csv"), "both events.csv and events.geojson exist; keep one")
    if not (has_csv or has_geojson):
        errors.add(str(folder), "no events.csv or events.geojson (the events file is required)")
        events = []
    else:
        name = "events.csv" if has_csv else "events.geojson"
        events = parse_events(
            p(name), label(name), ctx, errors, actor_ids, ids["events"], keep=slim_event if lean else None
        )
    relations = (
        parse_relations(p("relations.csv"), label("relations.csv"), errors, ids["relations"], ids["actors"])
        if p("relations.csv").is_file()
        else []
    )
    routes = (
        parse_routes(p("routes.geojson"), label("routes.geojson"), ctx, errors, ids["routes"])
        if p("routes.geojson").is_file()
        else []
    )
    regions = (
        parse_regions(p("regions.geojson"), label("regions.geojson"), ctx, errors, ids["regions"])
        if p("regions.geojson").is_file()
        else []
    )
    places = parse_places(p("places.csv"), label("places.csv"), errors) if p("places.csv").is_file() else []

    for items in (events, actors, relations, routes, regions):
        _dupes(items, errors)
    seen_places: set[str] = set()
    for pl in places:
        if pl.name.casefold() in seen_places:
            errors.add(label("places.csv"), f"duplicate place name {pl.name!r}")
        seen_places.add(pl.name.casefold())

    cites = (
        _attach_citations(p("citations.csv"), label("citations.csv"), ctx, ids, errors, lean)
        if p("citations.csv").is_file()
        else {}
    )
    figs = (
        _attach_figures(p("figures.csv"), label("figures.csv"), ctx, ids["events"], errors, lean)
        if p("figures.csv").is_file()
        else {}
    )
    if lean:
        for e in events:
            if not (e.has_sources or ("events", e.id) in cites):
                errors.append(error_at(e.where, f"event {e.id!r} has no source (add a citations.csv row)"))
        ds = Dataset(
            folder, (), tuple(actors), tuple(routes), tuple(regions), tuple(relations), tuple(places), manifest
        )
        if resolve:
            ds = resolve_places(ds, errors)
            _resolve_slim(ds, events, errors)
        if p("claims.csv").is_file():
            errors.extend(claims_mod.read_claims(p("claims.csv"), label("claims.csv"), ids["events"], manifest)[1])
        return replace(ds, events=tuple(events)), list(errors)

    events = [
        replace(
            e, sources=e.sources + tuple(cites.get(("events", e.id), ())), figures=e.figures + tuple(figs.get(e.id, ()))
        )
        for e in events
    ]
    relations = [replace(r, sources=r.sources + tuple(cites.get(("relations", r.id), ()))) for r in relations]
    routes = [replace(r, sources=r.sources + tuple(cites.get(("routes", r.id), ()))) for r in routes]
    regions = [replace(r, sources=r.sources + tuple(cites.get(("regions", r.id), ()))) for r in regions]
    for e in events:
        if not e.sources:
            errors.append(error_at(e.where, f"event {e.id!r} has no source (add a citations.csv row)"))

    ds = Dataset(
        folder, tuple(events), tuple(actors), tuple(routes), tuple(regions), tuple(relations), tuple(places), manifest
    )
    if resolve:
        ds = resolve_places(ds, errors)
    if p("claims.csv").is_file():  # rival claims about dates and places: checked, resolved when asked
        if resolve:
            errors.extend(claims_mod.load_claims(folder, ds)[1])
        else:
            errors.extend(claims_mod.read_claims(p("claims.csv"), label("claims.csv"), ids["events"], manifest)[1])
    return ds, list(errors)


def load_valid(folder: Path | str) -> Dataset:
    """The resolved dataset, or DatasetError listing every problem."""
    ds, errors = load_dataset(folder)
    if real_errors(errors):
        raise DatasetError(real_errors(errors))
    return ds


def validate_path(path: Path | str) -> list[ValidationError]:
    """Problems of a dataset folder, or of one file of a dataset checked in its folder's context
    (`geo validate`).

    Parameters
    ----------
    path : path
        A dataset folder, or one of its files (events.csv, routes.geojson, …).

    Returns
    -------
    list of ValidationError
        Each with file, line (or feature) and message; `warning=True` for notices such as unknown
        columns (`real_errors` keeps the errors). Empty when the dataset is valid.

    Examples
    --------
    >>> validate_path("data")
    []
    >>> [str(e) for e in validate_path("no-such-folder")]
    ['no-such-folder: no such file or folder']
    """
    path = Path(path)
    if path.is_dir():
        return load_dataset(path, lean=True)[1]
    if not path.exists():
        return [ValidationError(str(path), "no such file or folder")]
    if path.name not in FILES:
        return [ValidationError(str(path), f"unknown file name; expected one of {', '.join(sorted(FILES))}")]
    folder = path.parent
    if FILES[path.name] != "events" and not any((folder / n).is_file() for n in ("events.csv", "events.geojson")):
        # A lone non-events file: check it on its own, without cross-references.
        errors = ErrorList()
        kind = FILES[path.name]
        label = str(path)
        ctx = SourceContext(src_mod.load_manifest(folder))
        if kind in ("actors", "relations", "places"):
            {"actors": parse_actors, "relations": parse_relations, "places": parse_places}[kind](path, label, errors)
        elif kind in ("routes", "regions"):
            (parse_routes if kind == "routes" else parse_regions)(path, label, ctx, errors)
        elif kind == "manifest":
            parse_manifest(path, label, errors)
        else:
            read_csv_rows(path, label, kind, errors)
        return list(errors)
    errors = load_dataset(folder, lean=True)[1]
    target = str(path)
    return [e for e in errors if e.file == target]
