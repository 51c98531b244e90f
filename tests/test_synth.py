"""Synthetic datasets (`python -m geo synth`): deterministic, valid, realistically spread."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter

from benchmarks import synth
from geo import dataset as ev
from geo.config import PROJECT_ROOT


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    synth.generate(300, tmp_path / "a", seed=7)
    synth.generate(300, tmp_path / "b", seed=7)
    synth.generate(300, tmp_path / "c", seed=8)
    for name in ("events.csv", "actors.csv", "relations.csv", "citations.csv", "figures.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "events.csv").read_bytes() != (tmp_path / "c" / "events.csv").read_bytes()


def test_counts_and_documented_format(tmp_path):
    counts = synth.generate(500, tmp_path, seed=1)
    rows = _rows(tmp_path / "events.csv")
    assert counts["events.csv"] == len(rows) == 500
    assert len({r["id"] for r in rows}) == 500
    actors = {r["id"] for r in _rows(tmp_path / "actors.csv")}
    for r in rows:
        assert r["title"] and r["summary"] and r["lat"] and r["lon"] and r["type"]
        assert set(r["actors"].split(";")) <= actors
    cited = Counter(r["item"] for r in _rows(tmp_path / "citations.csv") if r["layer"] == "events")
    assert set(cited) == {r["id"] for r in rows}


def test_validates_and_loads_without_geocoding(tmp_path):
    synth.generate(400, tmp_path, seed=3)
    dataset, errors = ev.load_dataset(tmp_path)
    assert errors == []
    assert len(dataset.events) == 400
    assert all(e.lat is not None and e.lon is not None for e in dataset.events)


def test_realistic_spread_over_cities_continents_and_a_year(tmp_path):
    synth.generate(3000, tmp_path, seed=1)
    rows = _rows(tmp_path / "events.csv")
    countries = Counter(r["country"] for r in rows)
    assert len(countries) >= 60, "events should come from many countries"
    assert countries.most_common(1)[0][1] < 0.15 * len(rows), "no single country should dominate"
    lats = [float(r["lat"]) for r in rows]
    lons = [float(r["lon"]) for r in rows]
    assert min(lats) < -20 and max(lats) > 45 and min(lons) < -60 and max(lons) > 100
    # Clustered: city-level events share their city's point, as geocoded news does.
    points = Counter((r["lat"], r["lon"]) for r in rows)
    assert points.most_common(1)[0][1] >= 10
    months = Counter(r["date"][:7] for r in rows if len(r["date"]) >= 7)
    assert len(months) == 12 and min(months.values()) > 100
    precisions = Counter(r["place_precision"] for r in rows)
    assert {"exact", "city", "approximate", "country"} <= set(precisions)
    assert len({r["type"] for r in rows}) >= 10


def test_cli_writes_and_validates(tmp_path):
    out = tmp_path / "syn"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "synth", "--events", "200", "--out", str(out), "--seed", "5"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "200 events" in done.stdout
    check = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(out)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0 and "OK" in check.stdout, check.stdout + check.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "geo", "synth", "--events", "0", "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
