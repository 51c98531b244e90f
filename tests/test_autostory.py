"""A briefing for any dataset (issue 16): a dataset without stories gets a generated chronological story
(one step per day with events; per week, then per month, above 20 steps), and a "Since the last briefing"
step built from a diff."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import synth
from geo import dataset as ev
from geo import layers
from geo.config import PROJECT_ROOT
from geo.dataset import autostory, stories
from geo.dataset.diff import diff

HEADER = ["id", "title", "summary", "date", "end_date", "lat", "lon", "place", "place_precision", "type"]


@pytest.fixture(scope="module", autouse=True)
def gazetteer_index():
    """Builds geoparse the seed articles: reuse the developer's gazetteer index when there is one."""
    cache = Path(os.environ["GEO_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    for index in (PROJECT_ROOT / "build" / "cache").glob("gazetteer-v*.pkl"):
        if not (cache / index.name).exists():
            shutil.copy2(index, cache / index.name)


def make_dataset(folder: Path, dates: list[str]) -> Path:
    """A minimal dataset (coordinates given, one background citation per event) with these dates."""
    folder.mkdir(parents=True)
    with open(folder / "events.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        for i, date in enumerate(dates):
            writer.writerow(
                [
                    f"ev-{i}",
                    f"Event number {i}",
                    "A test event.",
                    date,
                    "",
                    10 + i % 7,
                    20 + i % 11,
                    f"Town {i % 3}",
                    "city",
                    "talks",
                ]
            )
    with open(folder / "citations.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("layer,item,citation\n" + "".join(f"events,ev-{i},Test source\n" for i in range(len(dates))))
    return folder


def frame_layers(folder: Path) -> dict:
    ds = ev.load_valid(folder)
    return layers.make_layers(ds)


def expected_periods(dates: list[str], unit: str) -> set[tuple[str, str]]:
    """The rule, restated independently: an event's period is its day/week/month/year at `unit`, or its
    own month or year when it has no finer date."""
    out = set()
    for d in dates:
        if len(d) == 4:
            out.add(("year", d))
        elif len(d) == 7 and unit in ("day", "week"):
            out.add(("month", d))
        else:
            day = dt.date.fromisoformat(d if len(d) == 10 else d + "-01")
            out.add(
                {
                    "day": ("day", day.isoformat()),
                    "week": ("week", str(day.isocalendar()[:2])),
                    "month": ("month", day.isoformat()[:7]),
                    "year": ("year", str(day.year)),
                }[unit]
            )
    return out


def test_export_without_stories_one_step_per_day(tmp_path, isolated_build):
    dates = ["2025-09-03", "2025-09-01", "2025-09-03", "2025-09-10", "2025-09", "2025-09-01"]
    folder = make_dataset(tmp_path / "ds", dates)
    assert not (folder / "stories").exists()
    out = tmp_path / "briefing.html"
    run = subprocess.run(
        [sys.executable, "-m", "geo", "export", str(out), "--data", str(folder)],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=600,
        env={**os.environ, "GEO_BUILD_DIR": str(isolated_build)},
    )
    assert run.returncode == 0, run.stderr
    n = len(expected_periods(dates, "day"))
    assert n == 4 and re.search(rf": {n} steps,", run.stdout), run.stdout
    html = out.read_text(encoding="utf-8")
    for title in ("1 September 2025", "3 September 2025", "10 September 2025", "September 2025 (day not given)"):
        assert title in html
    story = stories.load(None, layers.load_layers(folder), data_dir=folder)
    assert [s.title for s in story.steps] == [
        "September 2025 (day not given)",
        "1 September 2025",
        "3 September 2025",
        "10 September 2025",
    ]
    assert [set(s.events) for s in story.steps] == [{"ev-4"}, {"ev-1", "ev-5"}, {"ev-0", "ev-2"}, {"ev-3"}]
    assert story.steps[1].caption.startswith("2 events in ")


def _check_grouping(story, dates: list[str], unit: str) -> None:
    """Every event in exactly one step, steps in date order, each step's events inside its period."""
    assert f"one step per {unit}" in story.description
    steps = story.steps
    assert len(steps) == len(expected_periods(dates, unit)) <= autostory.MAX_STEPS
    ids = [i for s in steps for i in s.events]
    assert sorted(ids) == sorted(f"ev-{i}" for i in range(len(dates)))
    starts = []
    for s in steps:
        members = {dates[int(i.split("-")[1])] for i in s.events}
        assert len(expected_periods(sorted(members), unit)) == 1, (s.title, members)
        starts.append(min(members))
    assert starts == sorted(starts)  # "2025" < "2025-01" < "2025-01-05": a period's own step comes first


def test_more_than_20_days_grouped_by_week(tmp_path):
    start = dt.date(2025, 3, 3)
    dates = [(start + dt.timedelta(days=2 * i)).isoformat() for i in range(30)]  # 30 days over 9 weeks
    folder = make_dataset(tmp_path / "ds", dates)
    story = autostory.default_story(frame_layers(folder))
    _check_grouping(story, dates, "week")
    assert story.steps[0].title == "Week of 3 March 2025"


def test_synth_data_grouped_by_month(tmp_path):
    synth.generate(300, tmp_path, seed=4)
    with open(tmp_path / "events.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dates = [r["date"] for r in rows]
    assert any(len(d) == 4 for d in dates) and any(len(d) == 7 for d in dates)  # partial dates present
    lay = frame_layers(tmp_path)
    lay["events"]["id"] = [f"ev-{i}" for i in range(len(rows))]  # index ids for the check below
    story = autostory.default_story(lay)
    _check_grouping(story, dates, "month")
    assert story.steps[0].title == "2025 (month not given)"
    assert story.steps[1].title == "January 2025"


def test_above_20_months_grouped_by_year():
    months = pd.date_range("2020-01-01", periods=30, freq="MS")
    frame = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(30)],
            "title": "t",
            "place": "",
            "region_id": "",
            "date": [m.strftime("%Y-%m-%d") for m in months],
            "date_precision": "day",
            "date_start": [m.strftime("%Y-%m-%d") for m in months],
            "geometry": None,
        }
    )
    story = autostory.default_story({"events": frame})
    assert [s.title for s in story.steps] == ["2020", "2021", "2022"]
    assert [len(s.events) for s in story.steps] == [12, 12, 6]


def test_file_story_still_wins_and_presenter_gets_generated(tmp_path, monkeypatch):
    assert not autostory.wanted(None, PROJECT_ROOT / "data")  # data/stories/default.toml exists
    folder = make_dataset(tmp_path / "ds", ["2025-01-05", "2025-01-06"])
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))  # as the app and ?mode=present see it
    story = stories.load(stories.DEFAULT_STORY, frame_layers(folder))
    assert story.path == "(generated)" and len(story.steps) == 2
    with pytest.raises(stories.StoryError, match="no such story"):
        stories.load("other", frame_layers(folder))
    empty = autostory.default_story({"events": frame_layers(folder)["events"].iloc[:0]})
    assert len(empty.steps) == 1 and empty.steps[0].events == ()


def test_since_step_from_a_diff():
    old = {
        "events": [
            {"key": "a", "id": "a", "title": "Talks", "place_precision": "city"},
            {"key": "gone", "id": "gone", "title": "Old"},
        ],
        "routes": [{"key": "r", "id": "r", "name": "Pipeline", "status": "MoU signed"}],
    }
    new = {
        "events": [
            {"key": "a", "id": "a", "title": "Talks", "place_precision": "exact"},
            {"key": "b", "id": "b", "title": "Parade"},
        ],
        "routes": [{"key": "r", "id": "r", "name": "Pipeline", "status": "under construction"}],
    }
    step = autostory.since_step(diff(old, new))
    assert step.title == "Since the last briefing"
    assert step.events == ("b", "a") and step.routes == ("r",)  # removed items are not drawn
    for text in (
        "1 new event",
        "1 changed event (Talks: place precision)",
        "1 removed event",
        "1 changed route (Pipeline: status)",
    ):
        assert text in step.caption
    assert "removed: Old" in step.notes.splitlines()
    quiet = autostory.since_step(diff(old, old))
    assert quiet.events == () and quiet.caption.startswith("Nothing has changed")


def test_presenter_mode_on_a_dataset_without_stories(tmp_path, monkeypatch, isolated_build):
    from streamlit.testing.v1 import AppTest

    folder = make_dataset(tmp_path / "ds", ["2025-01-05", "2025-01-05", "2025-01-09"])
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["mode"] = "present"
    at.run()
    assert not at.exception
    page = " ".join(str(h.proto) for h in at.get("html"))
    assert "Step 1 of 2" in page and "5 January 2025" in page and "2 events in " in page
    assert not at.error  # no "The story has problems" box
