"""What changed between two states of a dataset: `python -m geo diff OLD NEW [--json]`.

Both sides become the same *rows* shape first: one list of flat dicts per kind (events, routes, regions,
relations, figures and, when the folder has a claims.csv, claims). A side is a recorded version (its id,
a unique prefix of it, or a date: the version current then), a version file saved with
`geo versions save`, or a dataset folder (validated and geocoded like a build). Rows are matched by key
(`id`; a figure by event, name and claimant; a claim by event, field and claimant), then compared field
by field, so a change reads "value: 600 → 2,000" or "status: MoU signed → under construction".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

KINDS = ("events", "routes", "regions", "relations", "figures", "claims")
LABELS = {
    "events": "title",
    "routes": "name",
    "regions": "name",
    "relations": "type",
    "figures": "name",
    "claims": "value",
}


class DiffError(ValueError):
    """A side that cannot be read (bad folder, unknown version); `errors` has one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


# ---------------------------------------------------------------------------
# Dataset → rows


def _source(ref) -> str:
    return f"{ref.file}:{ref.start}-{ref.end}" if ref.file else ref.citation or ref.url


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _geometry_hash(geom) -> str:
    """Short digest of a geometry rounded to ~1 m: compact, and equal for an unchanged shape."""
    if geom is None:
        return ""
    from shapely import wkt

    return hashlib.sha256(wkt.dumps(geom, rounding_precision=5).encode()).hexdigest()[:12]


def _keyed(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """Give every row a `key` from `fields`; repeats of a key get `#2`, `#3` … in file order."""
    seen: dict[str, int] = {}
    for row in rows:
        base = " | ".join(str(row.get(f, "")) for f in fields)
        seen[base] = seen.get(base, 0) + 1
        row["key"] = base if seen[base] == 1 else f"{base} #{seen[base]}"
    return rows


def dataset_rows(ds, claims: list | None = None) -> dict[str, list[dict]]:
    """The comparable rows of a resolved dataset (what a version stores).

    Derived values are left out (date precision, first/last day) except the coordinates a place name
    resolved to; `uncertainty_km` is kept only when it differs from its precision's default.

    Examples
    --------
    >>> from geo import dataset as ev
    >>> ds, errors = ev.load_dataset("data")  # doctest: +SKIP
    >>> sorted(dataset_rows(ds))  # doctest: +SKIP
    ['claims', 'events', 'figures', 'regions', 'relations', 'routes']
    """
    from geo import dataset as ev

    events, figures = [], []
    for e in ds.events:
        unc = e.uncertainty_km
        default = ev.DEFAULT_UNCERTAINTY_KM.get(e.place_precision or "exact")
        events.append(
            {
                "id": e.id,
                "title": e.title,
                "summary": e.summary,
                "date": e.date,
                "end_date": e.end_date,
                "place": e.place,
                "lat": round(e.lat, 5) if e.lat is not None else None,
                "lon": round(e.lon, 5) if e.lon is not None else None,
                "place_precision": e.place_precision,
                "uncertainty_km": "" if unc is None or unc == default else _number(float(unc)),
                "region_id": e.region_id,
                "type": e.type,
                "country": e.country,
                "actors": list(e.actors),
                "sources": [_source(s) for s in e.sources],
            }
        )
        for f in e.figures:
            figures.append(
                {
                    "event_id": e.id,
                    "name": f.name,
                    "value": _number(float(f.value)),
                    "unit": f.unit,
                    "qualifier": f.qualifier,
                    "claimed_by": f.claimed_by,
                    "source": _source(f.source) if f.source else "",
                }
            )
    routes = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "status": r.status,
            "approximate": r.approximate,
            "date": r.date,
            "description": r.description,
            "waypoints": list(r.waypoints),
            "sources": [_source(s) for s in r.sources],
            "geometry": _geometry_hash(r.geometry),
            # only when dated (the key absent otherwise keeps older versions' ids)
            **({"waypoint_dates": list(r.waypoint_dates)} if getattr(r, "waypoint_dates", ()) else {}),
        }
        for r in ds.routes
    ]
    regions = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "approximate": r.approximate,
            "description": r.description,
            "sources": [_source(s) for s in r.sources],
            "geometry": _geometry_hash(r.geometry),
        }
        for r in ds.regions
    ]
    relations = [
        {
            "id": r.id,
            "source": r.source,
            "target": r.target,
            "type": r.type,
            "date": r.date,
            "summary": r.summary,
            "sources": [_source(s) for s in r.sources],
        }
        for r in ds.relations
    ]
    rows = {
        "events": events,
        "routes": routes,
        "regions": regions,
        "relations": relations,
        "figures": _keyed(figures, ("event_id", "name", "claimed_by")),
    }
    for kind in ("events", "routes", "regions", "relations"):
        _keyed(rows[kind], ("id",))
    rows["claims"] = _keyed(
        [
            {
                "event_id": c.event_id,
                "field": c.field,
                "value": c.value,
                "claimed_by": c.claimed_by,
                "source": _source(c.source) if c.source else "",
            }
            for c in claims or ()
        ],
        ("event_id", "field", "claimed_by"),
    )
    return rows


def folder_rows(folder: Path | str) -> dict[str, list[dict]]:
    """Rows of a dataset folder, validated and geocoded as a build would. Raises DiffError.

    Examples
    --------
    >>> len(folder_rows("data")["events"]) > 0  # doctest: +SKIP
    True
    """
    from geo import dataset as ev
    from geo.dataset import claims as claims_mod

    ds, errors = ev.load_dataset(folder)
    found, claim_errors = claims_mod.load_claims(folder, ds)
    problems = [str(e) for e in list(errors) + list(claim_errors)]
    if problems:
        raise DiffError(problems + [f"{folder}: the dataset has {len(problems)} error(s); fix them to compare"])
    return dataset_rows(ds, found)


def rows_digest(rows: Mapping[str, list[dict]]) -> str:
    """Content hash of rows (a version's id is its first 12 digits); key order does not matter.

    Examples
    --------
    >>> rows_digest({"events": [{"id": "a", "title": "T"}]}) == rows_digest({"events": [{"title": "T", "id": "a"}]})
    True
    """
    text = json.dumps({k: rows.get(k, []) for k in KINDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Sides → rows


def side(spec: Any, data_dir: Path | str | None = None) -> tuple[str, dict[str, list[dict]]]:
    """(label, rows) for a diff side: a version record or rows dict, a folder, a saved version file,
    or a version id/prefix/date. Raises DiffError.

    Examples
    --------
    >>> label, rows = side("data")  # doctest: +SKIP
    >>> label  # doctest: +SKIP
    'data'
    """
    from geo.layers import versions

    if isinstance(spec, Mapping):
        if "rows" in spec:
            return str(spec.get("id") or "version"), dict(spec["rows"])
        return "rows", dict(spec)
    path = Path(spec)
    try:
        if path.is_dir():
            return str(spec), folder_rows(path)
        if path.is_file():
            record = versions.read_file(path)
            return f"{record['id']} ({path.name})", record["rows"]
        record = versions.resolve(str(spec), data_dir)
    except versions.VersionError as exc:
        raise DiffError([str(exc)]) from None
    return f"{record['id']} ({record['time'][:16].replace('T', ' ')})", record["rows"]


# ---------------------------------------------------------------------------
# Comparing


def _summary(kind: str, row: dict) -> dict:
    out = {"key": row["key"], "label": str(row.get(LABELS[kind], ""))}
    if kind in ("figures", "claims"):
        out["event_id"] = row.get("event_id", "")
    return out


def diff(old: Any, new: Any, data_dir: Path | str | None = None) -> dict:
    """Added, removed and changed rows of every kind between two sides (see `side`).

    A change lists each differing field with its old and new value.

    Examples
    --------
    >>> old = {"events": [{"key": "a", "id": "a", "title": "Talks", "place_precision": "city"}]}
    >>> new = {"events": [{"key": "a", "id": "a", "title": "Talks", "place_precision": "exact"}]}
    >>> diff(old, new)["events"]["changed"][0]["fields"]
    {'place_precision': {'old': 'city', 'new': 'exact'}}
    """
    old_label, old_rows = side(old, data_dir)
    new_label, new_rows = side(new, data_dir)
    result: dict[str, Any] = {"old": old_label, "new": new_label}
    for kind in KINDS:
        before = {r["key"]: r for r in old_rows.get(kind, [])}
        after = {r["key"]: r for r in new_rows.get(kind, [])}
        changed = []
        for key in [k for k in after if k in before]:
            a, b = before[key], after[key]
            fields = {
                f: {"old": a.get(f), "new": b.get(f)}
                for f in dict.fromkeys([*a, *b])
                if f != "key" and a.get(f) != b.get(f)
            }
            if fields:
                changed.append({**_summary(kind, b), "fields": fields})
        result[kind] = {
            "added": [_summary(kind, r) for k, r in after.items() if k not in before],
            "removed": [_summary(kind, r) for k, r in before.items() if k not in after],
            "changed": changed,
        }
    return result


def is_empty(result: Mapping[str, Any]) -> bool:
    """True when a diff found no difference at all.

    Examples
    --------
    >>> is_empty(diff({"events": []}, {"events": []}))
    True
    """
    return not any(result[k][part] for k in KINDS for part in ("added", "removed", "changed"))


# ---------------------------------------------------------------------------
# Output

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _code(text: Any) -> str:
    """A code span (no escapes work inside one, so backticks become quotes)."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


def format_value(value: Any) -> str:
    """A field value for people: 2000 → "2,000", lists joined with "; ", empty → "(none)".

    Examples
    --------
    >>> format_value(2000), format_value(["xi", "kim"]), format_value("")
    ('2,000', 'xi; kim', '(none)')
    """
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    return str(value)


def to_markdown(result: Mapping[str, Any]) -> str:
    """The diff as Markdown: a count line per kind, then the added, removed and changed items.

    Examples
    --------
    >>> text = to_markdown(diff({"events": []}, {"events": [{"key": "a", "id": "a", "title": "Talks"}]}))
    >>> text.splitlines()[-1]
    '- added: `a` Talks'
    """
    lines = [f"# Changes from {_md(result['old'])} to {_md(result['new'])}", ""]
    if is_empty(result):
        return "\n".join(lines + ["No differences."]) + "\n"
    for kind in KINDS:
        part = result[kind]
        counts = [f"{len(part[p])} {p}" for p in ("added", "removed", "changed") if part[p]]
        if counts:
            lines.append(f"- **{kind}**: {', '.join(counts)}")
    for kind in KINDS:
        part = result[kind]
        if not any(part.values()):
            continue
        lines += ["", f"## {kind.capitalize()}", ""]
        for what in ("added", "removed"):
            lines += [f"- {what}: {_code(i['key'])} {_md(i['label'])}".rstrip() for i in part[what]]
        for item in part["changed"]:
            lines.append(f"- changed: {_code(item['key'])} {_md(item['label'])}".rstrip())
            lines += [
                f"  - {_md(f)}: {_md(format_value(v['old']))} → {_md(format_value(v['new']))}"
                for f, v in item["fields"].items()
            ]
    return "\n".join(lines) + "\n"


def to_json(result: Mapping[str, Any]) -> str:
    """The diff as indented JSON (values as stored).

    Examples
    --------
    >>> json.loads(to_json(diff({}, {})))["events"]
    {'added': [], 'removed': [], 'changed': []}
    """
    return json.dumps(result, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------
# Command line


def add_parser(sub) -> None:
    """Register `diff` and `versions` on the CLI's subparsers (cheap: modules load when run)."""
    p = sub.add_parser("diff", help="what changed between two versions or dataset folders")
    p.add_argument("old", metavar="OLD", help="version id (or prefix), date (YYYY-MM-DD), version file or folder")
    p.add_argument("new", metavar="NEW", help="the same kinds of side as OLD")
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    p.add_argument("--data", metavar="DIR", help="dataset folder whose versions a date refers to")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("versions", help="recorded versions of the dataset (one per build); save/load them")
    p.add_argument("action", nargs="?", default="list", choices=["list", "save", "load"])
    p.add_argument("args", nargs="*", metavar="ARG", help="save: ID FILE; load: FILE")
    p.add_argument("--data", metavar="DIR", help="only this dataset folder's versions (list)")
    p.set_defaults(func=cmd_versions)


def cmd_versions(args) -> int:
    from geo.layers import versions

    return versions.cmd_versions(args)


def cmd_diff(args) -> int:
    from geo.errors import UserError as CliError

    try:
        result = diff(args.old, args.new, args.data)
    except DiffError as exc:
        import sys

        for line in exc.errors[:-1]:
            sys.stderr.write(f"{line}\n")
        raise CliError(exc.errors[-1]) from None
    print(to_json(result) if args.json else to_markdown(result), end="" if not args.json else "\n")
    return 0
