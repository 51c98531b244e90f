"""Builds survive `kill -9` and run one at a time; exports of hostile data stay data (CSV, KML, GeoJSON)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile_data import EVIL_ID, JS_URL, make_hostile_dataset, warm_cache

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def write_events(folder: Path, rows: int) -> None:
    folder.mkdir(exist_ok=True)
    with (
        open(folder / "events.csv", "w", encoding="utf-8") as fh,
        open(folder / "citations.csv", "w", encoding="utf-8") as cites,
    ):
        fh.write("id,title,summary,date,lat,lon,place_precision,type\n")
        cites.write("layer,item,citation,url\n")
        for i in range(rows):
            fh.write(
                f"e{i},Event {i} 北京,Summary {i} Ñandú,2025-09-03,{(i * 7) % 160 - 80}.5,"
                f"{(i * 13) % 340 - 170}.5,city,talks\n"
            )
            cites.write(f"events,e{i},background,https://example.org\n")


@pytest.fixture
def build_env(tmp_path):
    empty = tmp_path / "no-articles"  # no articles: no geoparsing, the build is all validation + writing
    empty.mkdir()
    env = {**os.environ, "GEO_BUILD_DIR": str(tmp_path / "build"), "GEO_SOURCES_DIR": str(empty)}
    return env


def run_build(env, data: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "geo", "build", "--data", str(data), *extra],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_build(env, data: Path, rebuild_ok: bool = False):
    """Events of the current build, read in a fresh process with the same environment."""
    code = (
        "import sys, json; from geo import layers as L; p = L.gpkg_path(sys.argv[1]); "
        "before = p.stat().st_mtime_ns; ev = L.load_layers(sys.argv[1])['events']; "
        "print(json.dumps({'n': len(ev), 'rebuilt': p.stat().st_mtime_ns != before, "
        "'first': ev['title'].iloc[0]}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(data)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # renamed or removed between the glob and the stat
        return 0


@pytest.mark.slow
def test_kill_9_mid_build_leaves_previous_build_usable(tmp_path, build_env):
    data = tmp_path / "data"
    write_events(data, 60_000)
    first = run_build(build_env, data)
    assert first.wait(timeout=120) == 0, first.stderr.read()
    build_dir = Path(build_env["GEO_BUILD_DIR"])
    gpkg = next(build_dir.glob("atlas-*.gpkg"))
    good = gpkg.read_bytes()

    proc = run_build(build_env, data, "--force")

    # Freeze the build once a quarter of a GeoPackage's worth is in its temp file, so the kill lands
    # mid-write however fast the machine writes (a fixed sleep let a fast CI runner finish first).
    def temps():
        return list(build_dir.glob(".atlas-*.tmp.gpkg"))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(_size(t) > len(good) // 4 for t in temps()):
        assert proc.poll() is None, "the build finished before it could be killed"
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGSTOP)
    assert temps(), "the build was stopped mid-write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert list(build_dir.glob(".atlas-*.tmp.gpkg*")), "killed mid-write: the temp file is left behind"
    assert gpkg.read_bytes() == good, "the previous GeoPackage is untouched"

    state = read_build(build_env, data)
    assert state == {"n": 60_000, "rebuilt": False, "first": "Event 0 北京"}, state
    # The lock died with the process: the next build runs, and clears what the killed one left.
    again = run_build(build_env, data, "--force")
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert not list(build_dir.glob(".atlas-*.tmp.gpkg*"))


@pytest.mark.slow
def test_two_builds_at_once_are_serialised(tmp_path, build_env):
    data = tmp_path / "data"
    write_events(data, 20_000)
    procs = [run_build(build_env, data, "--force") for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("(built)" in out for out, _ in outs)
    build_dir = Path(build_env["GEO_BUILD_DIR"])
    assert len(list(build_dir.glob("atlas-*.gpkg"))) == 1
    assert not list(build_dir.glob(".atlas-*.tmp.gpkg*"))
    assert read_build(build_env, data)["n"] == 20_000


# ------------------------------------------------------------------ exports of hostile data


@pytest.fixture(scope="module")
def hostile_layers(tmp_path_factory):
    from geo import layers as layer_stage

    data = tmp_path_factory.mktemp("hostile") / "data"
    expected = make_hostile_dataset(data)
    warm_cache()
    return data, expected, layer_stage.load_layers(data)


def test_csv_export_neutralises_formulas(hostile_layers, tmp_path):
    from geo import layers as layer_stage

    data, expected, layers = hostile_layers
    out = tmp_path / "events.csv"
    layer_stage.export(out, data)
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(expected["event_titles"])
    for row in rows:
        for key, value in row.items():
            if key in ("lat", "lon", "uncertainty_km"):
                float(value)
                continue
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)
    by_id = {r["id"]: r for r in rows}
    assert by_id[EVIL_ID]["title"] == expected["event_titles"][EVIL_ID]
    from geo.layers import neutralise

    for cell in ("=1+1", "+cmd", "-2", "@SUM(A1)", "\t=x", "\r=x", '=HYPERLINK("http://evil.example")'):
        assert neutralise(cell) == "'" + cell
    assert neutralise("北京 = Beijing") == "北京 = Beijing"


def test_kml_export_is_xml_with_payloads_as_text(hostile_layers, tmp_path):
    from geo import layers as layer_stage

    data, expected, _ = hostile_layers
    out = tmp_path / "atlas.kml"
    layer_stage.export(out, data)
    root = ET.parse(out).getroot()  # parses: no markup broke out of its element
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [n.text for n in root.iterfind(".//k:Placemark/k:name", ns)]
    for title in expected["event_titles"].values():
        assert title in names
    for name in expected["route_names"].values():
        assert name in names
    raw = out.read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw and "<svg" not in raw
    assert not root.findall(".//k:Placemark/k:description/*", ns), "descriptions hold text, not elements"


def test_geojson_and_gpkg_exports_round_trip_exactly(hostile_layers, tmp_path):
    import pyogrio

    from geo import layers as layer_stage

    data, expected, _ = hostile_layers
    out = tmp_path / "atlas.geojson"
    layer_stage.export(out, data)
    doc = json.loads(out.read_text(encoding="utf-8"))
    titles = {
        f["properties"]["id"]: f["properties"]["title"] for f in doc["features"] if f["properties"]["layer"] == "events"
    }
    assert titles == expected["event_titles"]
    sources = [s for f in doc["features"] if f["properties"].get("id") == EVIL_ID for s in f["properties"]["sources"]]
    assert {"citation": sources[0]["citation"], "url": JS_URL} == sources[0]  # kept as data, never a link
    gpkg = tmp_path / "atlas.gpkg"
    layer_stage.export(gpkg, data)
    frame = pyogrio.read_dataframe(gpkg, layer="events")
    assert dict(zip(frame["id"], frame["title"])) == expected["event_titles"]
