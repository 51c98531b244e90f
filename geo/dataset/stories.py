"""Stories: ordered steps through the atlas for presenter mode and the briefing export.

A story is a TOML file in `data/stories/` (schema: data/stories/README.md). Loading is two stages:
`parse` checks the file's shape on its own; `check_ids` checks the ids against the layers. Both collect
every problem and raise one `StoryError` whose lines name the file and the step, so a presenter can fix
the file without reading a traceback.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geo import config

DEFAULT_STORY = "default"
MIN_ZOOM, MAX_ZOOM = 2, 12
DEFAULT_MAX_ZOOM = 7  # a step of one city stops here rather than at street level

STORY_KEYS = {"title", "description", "steps"}
STEP_KEYS = {"title", "event", "route", "region", "caption", "notes", "zoom"}
# step key → layer holding its ids
TARGETS = {"event": "events", "route": "routes", "region": "regions"}


class StoryError(ValueError):
    """A story that cannot be used; `errors` holds one line per problem ("file: step N: what")."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Step:
    events: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    title: str = ""
    caption: str = ""
    notes: str = ""
    zoom: int | None = None  # the closest the map zooms in for this step

    @property
    def ids(self) -> dict[str, tuple[str, ...]]:
        return {"events": self.events, "routes": self.routes, "regions": self.regions}


@dataclass(frozen=True)
class Story:
    name: str
    title: str
    description: str
    steps: tuple[Step, ...]
    path: str = ""

    def step(self, number: int) -> Step:
        """Step by 1-based number, clamped into range (a stale link still opens a step)."""
        return self.steps[clamp(number, len(self.steps)) - 1]


def clamp(number: Any, count: int) -> int:
    try:
        value = int(number)
    except (TypeError, ValueError):
        value = 1
    return max(1, min(count, value)) if count else 1


# ---------------------------------------------------------------- locating


def stories_dir(data_dir: Path | str | None = None) -> Path:
    return Path(data_dir or config.data_dir()) / "stories"


def available(data_dir: Path | str | None = None) -> list[str]:
    folder = stories_dir(data_dir)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def story_path(name: str | None, data_dir: Path | str | None = None) -> Path:
    """A story name (file stem in data/stories) or a path to a .toml file."""
    name = (name or DEFAULT_STORY).strip()
    if name.endswith(".toml") or "/" in name or "\\" in name:
        path = Path(name)
    else:
        path = stories_dir(data_dir) / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(available(data_dir)) or "none"
        raise StoryError([f"{path}: no such story (available: {known})"])
    return path


# ---------------------------------------------------------------- parsing


def load(name: str | None = None, layers: Mapping[str, Any] | None = None, data_dir: Path | str | None = None) -> Story:
    """Read, parse and (with `layers`) check a story. Raises StoryError."""
    from geo.dataset import autostory  # no stories/default.toml: a generated chronology (issue 16)

    if autostory.wanted(name, data_dir):
        return autostory.load(layers, data_dir)
    path = story_path(name, data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryError([f"{path}: cannot read: {exc}"]) from None
    story = parse(text, label=str(path), name=path.stem)
    if layers is not None:
        story = check_ids(story, layers)
    return story


def parse(text: str, label: str = "story.toml", name: str = "story") -> Story:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoryError([f"{label}: not valid TOML: {exc}"]) from None
    errors: list[str] = []
    for key in sorted(set(doc) - STORY_KEYS):
        errors.append(f"{label}: unknown key {key!r} (expected {', '.join(sorted(STORY_KEYS))})")
    title = _string(doc, "title", label, errors, required=True)
    description = _string(doc, "description", label, errors)
    raw_steps = doc.get("steps")
    steps: list[Step] = []
    if not isinstance(raw_steps, list) or not raw_steps:
        errors.append(f"{label}: needs at least one [[steps]] table")
    else:
        for number, raw in enumerate(raw_steps, 1):
            step = _step(raw, f"{label}: step {number}", errors)
            if step is not None:
                steps.append(step)
    if errors:
        raise StoryError(errors)
    return Story(name=name, title=title, description=description, steps=tuple(steps), path=label)


def _string(table: Mapping[str, Any], key: str, where: str, errors: list[str], required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        errors.append(f"{where}: {key!r} must be text")
        return ""
    if required and not value.strip():
        errors.append(f"{where}: {key!r} is required")
    return value.strip()


def _ids(table: Mapping[str, Any], key: str, where: str, errors: list[str]) -> tuple[str, ...]:
    value = table.get(key, [])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        errors.append(f"{where}: {key!r} must be an id or a list of ids")
        return ()
    return tuple(dict.fromkeys(v.strip() for v in values))


def _step(raw: Any, where: str, errors: list[str]) -> Step | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a table ([[steps]])")
        return None
    for key in sorted(set(raw) - STEP_KEYS):
        errors.append(f"{where}: unknown key {key!r} (expected {', '.join(sorted(STEP_KEYS))})")
    ids = {layer: _ids(raw, key, where, errors) for key, layer in TARGETS.items()}
    if not any(ids.values()) and not any(k in raw for k in TARGETS):
        errors.append(f"{where}: needs an event, route or region id")
    zoom = raw.get("zoom")
    if zoom is not None and (isinstance(zoom, bool) or not isinstance(zoom, int) or not MIN_ZOOM <= zoom <= MAX_ZOOM):
        errors.append(f"{where}: 'zoom' must be a whole number from {MIN_ZOOM} to {MAX_ZOOM}")
        zoom = None
    return Step(
        title=_string(raw, "title", where, errors),
        caption=_string(raw, "caption", where, errors),
        notes=_string(raw, "notes", where, errors),
        zoom=zoom,
        **ids,
    )


# ---------------------------------------------------------------- checking against the layers


def _known(layers: Mapping[str, Any], layer: str) -> list[str]:
    frame = layers.get(layer)
    return [] if frame is None or not len(frame) else [str(v) for v in frame["id"]]


def check_ids(story: Story, layers: Mapping[str, Any]) -> Story:
    """Every id must exist in its layer; steps without a title take their first feature's name."""
    errors: list[str] = []
    known = {layer: _known(layers, layer) for layer in TARGETS.values()}
    named = {layer: _names(layers, layer) for layer in TARGETS.values()}
    steps = []
    for number, step in enumerate(story.steps, 1):
        for key, layer in TARGETS.items():
            for ident in step.ids[layer]:
                if ident not in named[layer]:
                    near = difflib.get_close_matches(ident, known[layer], n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    errors.append(f"{story.path}: step {number}: unknown {key} id {ident!r}{hint}")
        title = step.title or next(
            (named[layer][i] for layer, ids in step.ids.items() for i in ids if i in named[layer]), f"Step {number}"
        )
        steps.append(replace(step, title=title))
    if errors:
        raise StoryError(errors)
    return Story(story.name, story.title, story.description, tuple(steps), story.path)


def _names(layers: Mapping[str, Any], layer: str) -> dict[str, str]:
    frame = layers.get(layer)
    if frame is None or not len(frame):
        return {}
    column = "title" if "title" in frame else "name"
    return {str(i): str(t) for i, t in zip(frame["id"], frame[column])}
