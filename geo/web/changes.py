"""What changed since a version, as the map and the "What's new" panel show it (`since=`).

`since_changes(spec, data_dir, signature)` compares a version (id, prefix, date or saved file; see
`geo.layers.versions.resolve`) with the dataset as built now, using `geo.dataset.diff.diff`, and returns:

- `result`: the diff itself (what `geo diff OLD NEW` prints for the same pair);
- `marks`: what the map draws (`payload["since"]`, read by geo/assets/atlas-time.js):
  `added` event ids (a green "+" badge), `changed` event id → changed fields (an amber diamond),
  `removed` events with their old title, date and point (grey ghosts), `label` (the version).

An event counts as changed when its own row changed or when one of its figures or claims was added,
removed or changed (the field is then named `figures` or `claims`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


class SinceError(ValueError):
    """A `since=` value that names no usable version (the message says why)."""


def changed_events(result: Mapping[str, Any]) -> dict[str, list[str]]:
    """event id → changed fields (own fields, plus "figures"/"claims" when those rows changed).

    Examples
    --------
    >>> r = {"events": {"added": [], "removed": [], "changed": [{"key": "a", "fields": {"title": {}}}]},
    ...      "figures": {"added": [{"key": "b | killed | x", "event_id": "b"}], "removed": [], "changed": []}}
    >>> changed_events(r)
    {'a': ['title'], 'b': ['figures']}
    """
    events = result.get("events") or {}
    added = {i["key"] for i in events.get("added", [])}
    removed = {i["key"] for i in events.get("removed", [])}
    out: dict[str, list[str]] = {i["key"]: list(i.get("fields", {})) for i in events.get("changed", [])}
    for kind in ("figures", "claims"):
        part = result.get(kind) or {}
        for what in ("added", "removed", "changed"):
            for item in part.get(what, []):
                eid = str(item.get("event_id", ""))
                if eid and eid not in added and eid not in removed and kind not in out.setdefault(eid, []):
                    out[eid].append(kind)
    return out


def marks(result: Mapping[str, Any], old_rows: Mapping[str, list], label: str = "") -> dict:
    """The map's marks for a diff result; removed events take their point from the old rows.

    Examples
    --------
    >>> r = {"events": {"added": [{"key": "n"}], "removed": [{"key": "g"}], "changed": []}}
    >>> old = {"events": [{"key": "g", "id": "g", "title": "Old", "date": "2025", "lat": 1.0, "lon": 2.0}]}
    >>> m = marks(r, old)
    >>> m["added"], m["removed"][0]["title"], m["removed"][0]["lat"]
    (['n'], 'Old', 1.0)
    """
    events = result.get("events") or {}
    old = {r["key"]: r for r in old_rows.get("events", [])}
    removed = []
    for item in events.get("removed", []):
        row = old.get(item["key"], {})
        removed.append(
            {
                "id": item["key"],
                "title": str(row.get("title", item.get("label", ""))),
                "date": str(row.get("date", "") or ""),
                "lat": row.get("lat"),
                "lon": row.get("lon"),
            }
        )
    return {
        "label": label,
        "added": [i["key"] for i in events.get("added", [])],
        "changed": changed_events(result),
        "removed": removed,
    }


def current_side(data_dir: Path | str | None = None, signature: str = "") -> Any:
    """The dataset as built now: its recorded version (matched by build signature), else the folder."""
    from geo import config
    from geo.layers import versions

    folder = Path(data_dir or config.data_dir())
    if signature:
        for rec in versions.list_versions(folder):
            if rec.get("signature") == signature:
                return versions.resolve(rec["id"])
    return folder


def since_changes(spec: str, data_dir: Path | str | None = None, signature: str = "") -> dict:
    """{"result", "marks", "version"} for a `since=` value. Raises SinceError.

    Examples
    --------
    >>> since_changes("3fa2")["marks"]["added"]  # doctest: +SKIP
    ['new-event-id']
    """
    from geo.dataset import diff as diff_mod
    from geo.layers import versions

    spec = str(spec or "").strip()
    if not spec:
        raise SinceError("no version given")
    try:
        path = Path(spec)
        old = versions.read_file(path) if path.is_file() else versions.resolve(spec, data_dir)
        result = diff_mod.diff(old, current_side(data_dir, signature))
    except (versions.VersionError, diff_mod.DiffError) as exc:
        raise SinceError(str(exc)) from None
    when = str(old.get("time", ""))[:16].replace("T", " ")
    label = f"{old['id']}" + (f" ({when})" if when else "")
    return {"result": result, "marks": marks(result, old["rows"], label), "version": label}


def legend(marks_: Mapping[str, Any]) -> list[dict]:
    """Legend lines for the marks that are on the map."""
    label = marks_.get("label") or "the chosen version"
    items = []
    if marks_.get("added"):
        items.append({"shape": "new", "color": "#009e73", "label": f"+ New since {label}"})
    if marks_.get("changed"):
        items.append({"shape": "changed", "color": "#e69f00", "label": f"Changed since {label}"})
    if marks_.get("removed"):
        items.append({"shape": "ghost", "color": "#6b7280", "label": f"Removed since {label}"})
    return items


def with_marks(payload: Mapping[str, Any], marks_: Mapping[str, Any] | None) -> dict:
    """A copy of a map payload carrying `since` marks (and their legend lines); `since: null` clears."""
    out = dict(payload)
    out["since"] = dict(marks_) if marks_ else None
    if marks_:
        out["legend"] = list(payload.get("legend", [])) + legend(marks_)
    return out
