"""Stories: parsing, validation messages, the default story, and what a step puts on the map."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sample_layers import sample_layers

from geo.dataset import stories
from geo.web import storymap

DATA = Path(__file__).resolve().parent.parent / "data"

GOOD = """
title = "Test story"
description = "Two steps."

[[steps]]
event = "e2"
caption = "The summit."
notes = "Say hello."

[[steps]]
title = "Train and pipeline"
event = ["e3"]
route = "pos2"
region = "kursk"
zoom = 5
"""


def write(tmp_path: Path, text: str, name: str = "talk") -> Path:
    folder = tmp_path / "stories"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(text: str, layers=None) -> list[str]:
    with pytest.raises(stories.StoryError) as info:
        story = stories.parse(text, label="talk.toml")
        if layers is not None:
            stories.check_ids(story, layers)
    return info.value.errors


def test_good_story_loads_and_fills_titles(tmp_path):
    write(tmp_path, GOOD)
    story = stories.load("talk", sample_layers(), data_dir=tmp_path)
    assert story.title == "Test story" and len(story.steps) == 2
    first, second = story.steps
    assert first.events == ("e2",) and first.title == "Summit in Tianjin"  # from the event
    assert (second.events, second.routes, second.regions, second.zoom) == (("e3",), ("pos2",), ("kursk",), 5)
    assert story.step(0) is first and story.step(99) is second  # stale links clamp into range
    assert stories.available(tmp_path) == ["talk"]


def test_unknown_id_names_file_step_and_suggests(tmp_path):
    path = write(tmp_path, GOOD.replace('event = ["e3"]', 'event = ["e3", "e33"]').replace('"pos2"', '"pos-2"'))
    with pytest.raises(stories.StoryError) as info:
        stories.load("talk", sample_layers(), data_dir=tmp_path)
    lines = info.value.errors
    assert f"{path}: step 2: unknown event id 'e33' (did you mean 'e3'?)" in lines
    assert any("step 2: unknown route id 'pos-2'" in line and "'pos2'" in line for line in lines)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('title = "x"\n[[steps]]\nevent = "e1"\ncaption = "unterminated', "talk.toml: not valid TOML"),
        ('[[steps]]\nevent = "e1"', "talk.toml: 'title' is required"),
        ('title = "x"', "talk.toml: needs at least one [[steps]] table"),
        ('title = "x"\n[[steps]]\ncaption = "no target"', "talk.toml: step 1: needs an event, route or region id"),
        ('title = "x"\n[[steps]]\nevent = "e1"\nzoom = 40', "talk.toml: step 1: 'zoom' must be a whole number"),
        ('title = "x"\n[[steps]]\nevent = "e1"\ncaptoin = "typo"', "talk.toml: step 1: unknown key 'captoin'"),
        ('title = "x"\n[[steps]]\nevent = 3', "talk.toml: step 1: 'event' must be an id or a list of ids"),
        ('title = "x"\nsteps = ["e1"]', "talk.toml: step 1: must be a table"),
    ],
)
def test_shape_errors_are_one_clear_line(text, expected):
    assert any(line.startswith(expected) for line in errors_of(text)), errors_of(text)


def test_unknown_story_lists_the_available_ones(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(stories.StoryError, match=r"nope\.toml: no such story \(available: talk\)"):
        stories.load("nope", data_dir=tmp_path)


# ---------------------------------------------------------------- the default story vs. the curated data


def _data_ids() -> dict:
    """Ids and titles straight from the data files (no build needed)."""
    with open(DATA / "events.csv", encoding="utf-8") as fh:
        events = pd.DataFrame(list(csv.DictReader(fh)))
    frames = {"events": events[["id", "title", "date"]]}
    for layer in ("routes", "regions"):
        feats = json.loads((DATA / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
        frames[layer] = pd.DataFrame([{"id": f["properties"]["id"], "name": f["properties"]["name"]} for f in feats])
    return frames


def test_default_story_is_valid_in_date_order_and_covers_the_key_moments():
    layers = _data_ids()
    story = stories.load("default", layers, data_dir=DATA)
    assert story.title == "From the SCO summit in Tianjin to the parade in Beijing"
    assert 8 <= len(story.steps) <= 14
    assert all(step.caption and step.notes and step.title for step in story.steps)
    dates = dict(zip(layers["events"]["id"], layers["events"]["date"]))
    firsts = [min(dates[e] for e in step.events) for step in story.steps]
    assert firsts == sorted(firsts), "steps should follow the events' dates"
    routes = {r for step in story.steps for r in step.routes}
    events = {e for step in story.steps for e in step.events}
    regions = {r for step in story.steps for r in step.regions}
    assert any(r.startswith("kim-train") for r in routes)
    assert {"pos2-memorandum", "sco-summit-tianjin", "victory-day-parade"} <= events
    assert "kursk-oblast" in regions


def test_default_story_text_is_our_own_words(seeds_dir):
    def words(text: str) -> list[str]:
        return re.findall(r"[\w']+", text.lower())

    runs = set()
    for article in seeds_dir.glob("*.txt"):
        w = words(article.read_text(encoding="utf-8"))
        runs.update(tuple(w[i : i + 10]) for i in range(len(w) - 9))
    w = words((DATA / "stories" / "default.toml").read_text(encoding="utf-8"))
    copied = [" ".join(w[i : i + 10]) for i in range(len(w) - 9) if tuple(w[i : i + 10]) in runs]
    assert copied == []


# ---------------------------------------------------------------- a step on the map


def test_step_payload_highlights_the_step_and_greys_the_rest(tmp_path):
    write(tmp_path, GOOD)
    layers = sample_layers()
    story = stories.load("talk", layers, data_dir=tmp_path)
    payload = storymap.step_payload(layers, story, 2)
    kinds = [spec["kind"] for spec in payload["layers"]]
    assert kinds == ["regions", "routes", "events", "events"]
    context, focus = payload["layers"][2], payload["layers"][3]  # grey ones drawn first, underneath
    assert [r[2] for r in focus["rows"]] == ["e3"] and focus["radius"] == storymap.FOCUS_RADIUS
    assert [r[2] for r in context["rows"]] == ["e2"]
    assert {r[context["fields"].index("color")] for r in context["rows"]} == {storymap.CONTEXT_COLOUR}
    assert payload["legend"][-1]["label"] == "Other events in the story"


def test_step_view_frames_every_feature_of_the_step(tmp_path):
    write(tmp_path, GOOD)
    layers = sample_layers()
    story = stories.load("talk", layers, data_dir=tmp_path)
    one = storymap.step_view(layers, story.steps[0])
    assert one["bounds"] == [[39.13, 117.2], [39.13, 117.2]] and one["maxZoom"] == stories.DEFAULT_MAX_ZOOM
    both = storymap.step_view(layers, story.steps[1])
    (south, west), (north, east) = both["bounds"]
    assert (west, east, north) == (34.5, 125.75, 70.4) and both["maxZoom"] == 5  # pipeline + Kursk + train


def test_when_where_line():
    layers = sample_layers()
    step = stories.Step(events=("e2", "e1"))
    assert storymap.when_where(layers, step) == "31 August 2025 and 3 September 2025 · Tianjin, Beijing"
    assert storymap.when_where(layers, stories.Step(events=("e4",))) == "2025 · Kursk Oblast"
