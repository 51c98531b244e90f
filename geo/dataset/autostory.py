"""A generated story for a dataset without one, and a "Since the last briefing" step.

The default story walks through the events in date order: one step per day with events; when that
would make more than `MAX_STEPS` steps, one per week (Monday to Sunday), then one per month, then one
per year. An event dated only to a month or a year is not pinned to a made-up day: in a finer grouping
it gets a step of its own period ("September 2025, day not given"), placed before that period's days.
Titles and captions are built from the fields; the map fits each step's events (geo.web.storymap.step_view).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo.dataset.stories import DEFAULT_STORY, Step, Story, stories_dir

MAX_STEPS = 20
UNITS = ("day", "week", "month", "year")
_RANK = {u: i for i, u in enumerate(UNITS)}
MAX_LISTED = 3  # event titles named in a caption; the speaker notes list them all


def wanted(name: str | None, data_dir: Path | str | None = None) -> bool:
    """True when the default story is asked for and the dataset has no `stories/default.toml`.

    Examples
    --------
    >>> wanted("default", "/nonexistent")
    True
    >>> wanted("other", "/nonexistent")
    False
    """
    name = (name or DEFAULT_STORY).strip()
    return name == DEFAULT_STORY and not (stories_dir(data_dir) / f"{DEFAULT_STORY}.toml").is_file()


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


def bucket(first_day: str, precision: str, unit: str) -> tuple[str, str]:
    """(period kind, first day of the period) of an event for grouping by `unit`; an event coarser than
    the unit keeps its own month or year.

    Examples
    --------
    >>> bucket("2025-09-03", "day", "week")
    ('week', '2025-09-01')
    >>> bucket("2025-09-01", "month", "day")
    ('month', '2025-09-01')
    """
    day = _day(first_day)
    kind = precision if _RANK.get(precision, 0) > _RANK[unit] else unit
    if kind == "week":
        day -= dt.timedelta(days=day.weekday())
    elif kind == "month":
        day = day.replace(day=1)
    elif kind == "year":
        day = day.replace(month=1, day=1)
    return kind, day.isoformat()


def _periods(events, unit: str) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for i, (first, precision) in enumerate(zip(events["date_start"], events["date_precision"])):
        out.setdefault(bucket(first, str(precision or "day"), unit), []).append(i)
    return out


def choose_unit(events) -> str:
    """The finest unit giving at most MAX_STEPS steps (year when even months are too many).

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=30).strftime("%Y-%m-%d")
    >>> choose_unit(pd.DataFrame({"date_start": days, "date_precision": "day"}))
    'week'
    """
    for unit in UNITS[:-1]:
        if len(_periods(events, unit)) <= MAX_STEPS:
            return unit
    return "year"


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_title(kind: str, first: str, unit: str) -> str:
    """Step title for a period: "3 September 2025", "Week of 1 September 2025", "September 2025", …

    Examples
    --------
    >>> period_title("week", "2025-09-01", "week")
    'Week of 1 September 2025'
    >>> period_title("month", "2025-09-01", "day")
    'September 2025 (day not given)'
    """
    day = _day(first)
    text = {
        "day": _long_date(day),
        "week": f"Week of {_long_date(day)}",
        "month": f"{day:%B %Y}",
        "year": f"{day.year}",
    }[kind]
    if _RANK[kind] > _RANK[unit]:
        text += " (day not given)" if kind == "month" else " (month not given)"
    return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def caption(rows: list[Mapping[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """One sentence about a step's events, from their places (a region id read as the region's name,
    from `names`) and titles.

    Examples
    --------
    >>> caption([{"title": "Parade", "place": "Beijing"}, {"title": "Talks", "place": "Beijing"}])
    '2 events in Beijing: Parade; Talks.'
    """
    names = names or {}
    counts = Counter(names.get(str(r.get("place") or ""), str(r.get("place") or "")) for r in rows)
    places = [p for p, _ in counts.most_common() if p]
    where = ""
    if places:
        rest = len(places) - 3
        shown = places[:3] + ([f"{rest} other place{'s' if rest > 1 else ''}"] if rest > 0 else [])
        where = " in " + _and(shown)
    titles = [str(r.get("title") or r.get("id")) for r in rows[:MAX_LISTED]]
    more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    count = "1 event" if len(rows) == 1 else f"{len(rows)} events"
    return f"{count}{where}: {'; '.join(titles)}{more}."


def default_story(layers: Mapping[str, Any]) -> Story:
    """The generated chronological story for the layers of any dataset.

    Examples
    --------
    >>> from geo import layers as layer_stage
    >>> story = default_story(layer_stage.load_layers("data"))  # doctest: +SKIP
    >>> story.steps[0].title  # doctest: +SKIP
    '1961 (month not given)'
    """
    events = layers.get("events")
    if events is None or not len(events):
        return Story(
            DEFAULT_STORY,
            "The dataset",
            "Generated: the dataset has no events yet.",
            (Step(title="No events", caption="This dataset has no events to present."),),
            "(generated)",
        )
    unit = choose_unit(events)
    periods = _periods(events, unit)
    order = sorted(periods, key=lambda p: (p[1], -_RANK[p[0]]))  # a month's own step before its days
    rows = events.drop(columns="geometry").to_dict("records")
    regions_frame = layers.get("regions")
    names = (
        {}
        if regions_frame is None or not len(regions_frame)
        else {str(i): str(n) for i, n in zip(regions_frame["id"], regions_frame["name"])}
    )
    steps = []
    for kind, first in order:
        members = sorted(
            (rows[i] for i in periods[(kind, first)]),
            key=lambda r: (str(r["date_start"]), str(r["date"]), str(r["id"])),
        )
        regions = tuple(dict.fromkeys(str(r["region_id"]) for r in members if r.get("region_id")))
        notes = "\n".join(
            f"{r['date']}: {r['title']}" + (f" ({r['place']})" if r.get("place") else "") for r in members
        )
        steps.append(
            Step(
                events=tuple(str(r["id"]) for r in members),
                regions=regions,
                title=period_title(kind, first, unit),
                caption=caption(members, names),
                notes=notes,
            )
        )
    span = f"{steps[0].title.split(' (')[0]} to {steps[-1].title.split(' (')[0]}" if len(steps) > 1 else steps[0].title
    per = {"day": "day", "week": "week", "month": "month", "year": "year"}[unit]
    return Story(
        DEFAULT_STORY,
        f"Chronology: {span}",
        f"Generated from the dataset: {len(events)} events, one step per {per} with events.",
        tuple(steps),
        "(generated)",
    )


def load(layers: Mapping[str, Any] | None = None, data_dir: Path | str | None = None) -> Story:
    """`default_story` of the given layers, or of the dataset's layers (built when needed).

    Examples
    --------
    >>> load(data_dir="my-data").name  # doctest: +SKIP
    'default'
    """
    if layers is None:
        from geo import layers as layer_stage

        layers = layer_stage.load_layers(data_dir)
    return default_story(layers)


# ---------------------------------------------------------------------------
# "Since the last briefing"


def since_step(result: Mapping[str, Any]) -> Step:
    """A story step for a `geo.dataset.diff.diff` result: the added and changed events, routes and
    regions on the map; the caption counts them and names the changed fields.

    Removed items are only counted (they are not in the layers the step draws from).

    Examples
    --------
    >>> from geo.dataset.diff import diff
    >>> old = {"events": [{"key": "a", "id": "a", "title": "Talks", "place_precision": "city"}]}
    >>> new = {"events": [{"key": "a", "id": "a", "title": "Talks", "place_precision": "exact"},
    ...                   {"key": "b", "id": "b", "title": "Parade"}]}
    >>> step = since_step(diff(old, new))
    >>> step.events, step.caption
    (('b', 'a'), 'Since rows: 1 new event; 1 changed event (Talks: place precision).')
    """
    ids: dict[str, list[str]] = {}
    parts, notes = [], []
    for kind, noun in (
        ("events", "event"),
        ("routes", "route"),
        ("regions", "region"),
        ("relations", "relation"),
        ("figures", "figure"),
        ("claims", "claim"),
    ):
        part = result.get(kind) or {"added": [], "removed": [], "changed": []}
        if kind in ("events", "routes", "regions"):
            ids[kind] = [i["key"] for i in part["added"]] + [i["key"] for i in part["changed"]]
        for what, label in (("added", "new"), ("changed", "changed"), ("removed", "removed")):
            items = part[what]
            if not items:
                continue
            text = f"{len(items)} {label} {noun}{'s' if len(items) != 1 else ''}"
            if what == "changed":
                named = [
                    f"{i['label'] or i['key']}: {', '.join(f.replace('_', ' ') for f in i['fields'])}"
                    for i in items[:MAX_LISTED]
                ]
                text += f" ({'; '.join(named)}{'; …' if len(items) > MAX_LISTED else ''})"
            parts.append(text)
            notes += [f"{label}: {i['label'] or i['key']}" for i in items]
    if not parts:
        cap = f"Nothing has changed since {result.get('old', 'the last briefing')}."
    else:
        cap = f"Since {result.get('old', 'the last briefing')}: {'; '.join(parts)}."
    return Step(
        events=tuple(ids.get("events", ())),
        routes=tuple(ids.get("routes", ())),
        regions=tuple(ids.get("regions", ())),
        title="Since the last briefing",
        caption=cap,
        notes="\n".join(notes),
    )
