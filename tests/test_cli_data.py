"""`python -m geo build | validate | export`: exit codes, messages and output files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def test_validate_curated_dataset_ok(capsys):
    assert main(["validate", str(DATA)]) == 0
    assert capsys.readouterr().out.strip().endswith(": OK")


def test_validate_bad_file_exits_2_with_file_line(tmp_path, capsys):
    (tmp_path / "events.csv").write_text(
        "id,title,summary,date,lat,lon\ne1,T,S,2025-02-30,1,2\ne1,T,S,2025,abc,2\n", encoding="utf-8"
    )
    assert main(["validate", str(tmp_path / "events.csv")]) == 2
    out, err = capsys.readouterr()
    label = tmp_path / "events.csv"
    assert f"{label}:2: impossible date '2025-02-30'" in out
    assert f"{label}:3: lat: 'abc' is not a number" in out
    assert "error(s)" in err and "Traceback" not in err


def test_validate_missing_path(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().out


def test_build_prints_summary_table(capsys):
    assert main(["build", "--data", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert "layer" in out and "features" in out
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[2:]}
    assert counts["events"] >= 25 and counts["routes"] == 3


def test_build_reports_validation_errors(tmp_path, capsys):
    (tmp_path / "events.csv").write_text("id,title\n", encoding="utf-8")
    assert main(["build", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'events.csv'}:1: missing required column(s): summary, date" in err


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".kml", ".csv"])
def test_export_each_format(tmp_path, suffix, capsys):
    out = tmp_path / f"atlas{suffix}"
    assert main(["export", str(out), "--data", str(DATA)]) == 0
    assert out.is_file() and out.stat().st_size > 0
    assert str(out) in capsys.readouterr().out
    if suffix == ".geojson":
        assert {"events", "routes", "regions"} <= set(gpd.read_file(out)["layer"])


def test_export_unknown_format(tmp_path, capsys):
    assert main(["export", str(tmp_path / "atlas.shp"), "--data", str(DATA)]) == 2
    assert "unsupported export format '.shp'" in capsys.readouterr().err
    assert not (tmp_path / "atlas.shp").exists()


def test_module_entry_point_never_shows_a_traceback(tmp_path):
    (tmp_path / "regions.geojson").write_text('{"type": "FeatureCollection", "features": [{]}', encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(tmp_path / "regions.geojson")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{tmp_path / 'regions.geojson'}:1: invalid JSON" in proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
