"""`geo diff` on two dataset folders and on recorded versions; versions recorded on build, pruned by count,
saved and loaded, and found by `since=` id or date (issue 16)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import layers
from geo.config import PROJECT_ROOT
from geo.dataset import diff as diff_mod
from geo.layers import versions

DATA = PROJECT_ROOT / "data"
CHANGED_EVENT, CHANGED_ROUTE = "putin-xi-talks", "power-of-siberia-2"
FIGURE = ("dprk-losses-kursk", "killed")
NEW_EVENT = "test-added-event"


@pytest.fixture(scope="module", autouse=True)
def gazetteer_index():
    """Reuse the developer's gazetteer index (geocoding the curated places needs it; building it is slow)."""
    cache = Path(os.environ["GEO_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    for index in (PROJECT_ROOT / "build" / "cache").glob("gazetteer-v*.pkl"):
        if not (cache / index.name).exists():
            shutil.copy2(index, cache / index.name)


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict:
    """old = a copy of data/; new = the same with one event added, one removed, one changed (title and place
    precision), one figure changed (600 → 2000) and one route status changed."""
    root = tmp_path_factory.mktemp("diff")
    old, new = root / "old", root / "new"
    for folder in (old, new):
        shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("stories"))
    header, events = _read(new / "events.csv")
    _, figures = _read(new / "figures.csv")
    with_figures = {f["event_id"] for f in figures}
    removed = next(e["id"] for e in events if e["id"] not in with_figures and e["id"] != CHANGED_EVENT)
    changed = next(e for e in events if e["id"] == CHANGED_EVENT)
    assert changed["place_precision"] == "city"
    old_title = changed["title"]
    changed.update(title="Putin and Xi hold long talks in Beijing", place_precision="exact")
    events = [e for e in events if e["id"] != removed]
    events.append({**changed, "id": NEW_EVENT, "title": "A test event", "date": "2025-09-04"})
    _write(new / "events.csv", header, events)
    cheader, cites = _read(new / "citations.csv")
    cites = [c for c in cites if not (c["layer"] == "events" and c["item"] == removed)]
    cites.append({"layer": "events", "item": NEW_EVENT, "citation": "Test citation"})
    _write(new / "citations.csv", cheader, cites)
    fheader, figures = _read(new / "figures.csv")
    hit = [f for f in figures if (f["event_id"], f["name"]) == FIGURE]
    assert len(hit) == 1 and hit[0]["value"] == "600"
    hit[0]["value"] = "2000"
    _write(new / "figures.csv", fheader, figures)
    routes = json.loads((new / "routes.geojson").read_text(encoding="utf-8"))
    route = next(f for f in routes["features"] if f["properties"]["id"] == CHANGED_ROUTE)
    assert route["properties"]["status"] == "MoU signed"
    route["properties"]["status"] = "under construction"
    (new / "routes.geojson").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    return {
        "old": old,
        "new": new,
        "removed": removed,
        "old_title": old_title,
        "new_title": changed["title"],
        "figure_key": f"{FIGURE[0]} | {FIGURE[1]} | {hit[0]['claimed_by']}",
    }


def _without_labels(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("old", "new")}


def test_folders_every_difference_and_nothing_else(folders):
    result = diff_mod.diff(folders["old"], folders["new"])
    events = result["events"]
    assert [i["key"] for i in events["added"]] == [NEW_EVENT]
    assert [i["key"] for i in events["removed"]] == [folders["removed"]]
    assert [(i["key"], i["fields"]) for i in events["changed"]] == [
        (
            CHANGED_EVENT,
            {
                "title": {"old": folders["old_title"], "new": folders["new_title"]},
                "place_precision": {"old": "city", "new": "exact"},
            },
        )
    ]
    assert [(i["key"], i["fields"]) for i in result["figures"]["changed"]] == [
        (folders["figure_key"], {"value": {"old": 600, "new": 2000}})
    ]
    assert [(i["key"], i["fields"]) for i in result["routes"]["changed"]] == [
        (CHANGED_ROUTE, {"status": {"old": "MoU signed", "new": "under construction"}})
    ]
    reported = {
        (kind, part) for kind in diff_mod.KINDS for part in ("added", "removed", "changed") if result[kind][part]
    }
    assert reported == {
        ("events", "added"),
        ("events", "removed"),
        ("events", "changed"),
        ("figures", "changed"),
        ("routes", "changed"),
    }
    assert diff_mod.is_empty(diff_mod.diff(folders["old"], folders["old"]))


def test_cli_markdown_and_json(folders):
    run = lambda *a: subprocess.run(
        [sys.executable, "-m", "geo", "diff", *map(str, a)],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    md = run(folders["old"], folders["new"])
    assert md.returncode == 0, md.stderr
    for text in (
        "600 → 2,000",
        "MoU signed → under construction",
        "place_precision: city → exact",
        f"added: `{NEW_EVENT}`",
        f"removed: `{folders['removed']}`",
    ):
        assert text.replace("_", "\\_") in md.stdout or text in md.stdout, text
    js = run(folders["old"], folders["new"], "--json")
    assert js.returncode == 0, js.stderr
    assert _without_labels(json.loads(js.stdout)) == _without_labels(diff_mod.diff(folders["old"], folders["new"]))
    bad = run(folders["old"], "not-a-version")
    assert bad.returncode == 2 and "not-a-version" in bad.stderr and "Traceback" not in bad.stderr


def test_broken_folder_is_an_error_naming_the_line(folders, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(folders["old"], broken)
    with open(broken / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("bad-row,Title,Summary,2025-13-40,,Beijing,city,,talks\n")
    with pytest.raises(diff_mod.DiffError) as info:
        diff_mod.diff(folders["old"], broken)
    assert any("events.csv:" in line and "2025-13-40" in line for line in info.value.errors)


def test_versions_recorded_on_build_and_diffable(folders, isolated_build):
    layers.build(folders["old"])
    layers.build(folders["new"])
    layers.build(folders["new"])  # current: no new version
    old_v, new_v = versions.list_versions(folders["old"]), versions.list_versions(folders["new"])
    assert len(old_v) == 1 and len(new_v) == 1
    assert old_v[0]["id"] == diff_mod.rows_digest(diff_mod.folder_rows(folders["old"]))[: versions.ID_LENGTH]
    assert old_v[0]["counts"]["events"] == new_v[0]["counts"]["events"]  # one added, one removed
    assert (isolated_build / "history" / f"{old_v[0]['id']}.json.gz").is_file()
    by_version = diff_mod.diff(old_v[0]["id"], new_v[0]["id"][:6])
    assert _without_labels(by_version) == _without_labels(diff_mod.diff(folders["old"], folders["new"]))
    listing = subprocess.run(
        [sys.executable, "-m", "geo", "versions"],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={**os.environ, "GEO_BUILD_DIR": str(isolated_build)},
    )
    assert listing.returncode == 0, listing.stderr
    lines = sorted(listing.stdout.splitlines())
    assert [line.split()[0] for line in lines] == sorted([old_v[0]["id"], new_v[0]["id"]])
    assert all("38 events" in line and "6 figures" in line for line in lines)


def _rows(n: int) -> dict:
    return {"events": [{"key": f"e{n}", "id": f"e{n}", "title": f"Event {n}"}]}


@pytest.fixture
def clock(monkeypatch):
    """versions._now returns the times pushed onto the list, in order."""
    times: list[str] = []
    monkeypatch.setattr(versions, "_now", lambda: times.pop(0))
    return times


def test_pruned_by_count_per_folder(isolated_build, monkeypatch, clock, tmp_path):
    monkeypatch.setenv("GEO_HISTORY_KEEP", "3")
    a, b = tmp_path / "a", tmp_path / "b"
    clock += [f"2026-01-0{d}T10:00:00+00:00" for d in range(1, 7)]
    ids = [versions.record(_rows(n), a)["id"] for n in range(5)]
    other = versions.record(_rows(99), b)["id"]
    assert [v["id"] for v in versions.list_versions(a)] == ids[:1:-1]  # the newest three, newest first
    assert [v["id"] for v in versions.list_versions(b)] == [other]
    assert len(list((isolated_build / "history").glob("*.json.gz"))) == 4
    assert len(list((isolated_build / "history").glob("*.head.json"))) == 4
    (isolated_build / "history" / f"{other}.head.json").unlink()  # a lost header is rebuilt from the record
    assert [v["id"] for v in versions.list_versions(b)] == [other]


def test_save_load_round_trip(isolated_build, tmp_path, monkeypatch):
    rec = versions.record(_rows(1), tmp_path / "data")
    saved = tmp_path / "moved.json.gz"
    assert versions.save(rec["id"][:5], saved)["id"] == rec["id"]
    monkeypatch.setenv("GEO_BUILD_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(versions.VersionError):
        versions.resolve(rec["id"])
    header = versions.load(saved)
    assert header["id"] == rec["id"] and header["time"] == rec["time"]
    assert versions.resolve(rec["id"])["rows"] == _rows(1)
    tampered = json.loads(gzip.decompress(saved.read_bytes()))
    tampered["rows"]["events"][0]["title"] = "Changed"
    (tmp_path / "tampered.json").write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(versions.VersionError, match="tampered.json: content does not match"):
        versions.load(tmp_path / "tampered.json")
    (tmp_path / "junk.json.gz").write_bytes(b"\x1f\x8bnot gzip")
    with pytest.raises(versions.VersionError, match="junk.json.gz: not a version file"):
        versions.load(tmp_path / "junk.json.gz")


def test_since_by_id_and_by_date(isolated_build, clock, tmp_path):
    folder = tmp_path / "data"
    clock += ["2026-01-01T10:00:00+00:00", "2026-01-02T10:00:00+00:00", "2026-01-03T10:00:00+00:00"]
    v1 = versions.record(_rows(1), folder)["id"]
    v2 = versions.record(_rows(2), folder)["id"]
    assert versions.record(_rows(1), folder)["id"] == v1  # back to the first content: same version
    assert versions.resolve(v2[:6])["id"] == v2
    assert versions.resolve("2026-01-02")["id"] == v1  # the last version built before that day
    assert versions.resolve("2026-01-03")["id"] == v2
    assert versions.resolve("2026-01-04", folder)["id"] == v1  # rebuilt on the 3rd
    assert versions.resolve("2026-01-02T11:00")["id"] == v2
    with pytest.raises(versions.VersionError, match="no version was built before 2025-12-31"):
        versions.resolve("2025-12-31")
    with pytest.raises(versions.VersionError, match="neither a version id"):
        versions.resolve("last week")
    assert diff_mod.diff("2026-01-02", "2026-01-03")["events"]["added"][0]["key"] == "e2"


def test_a_copy_of_a_dataset_shares_its_version_and_each_folder_lists_it(tmp_path, monkeypatch):
    """The same content built from two folders is one version, listed for both; pruning one folder's
    history leaves the other's."""
    from geo.layers import versions

    monkeypatch.setenv("GEO_BUILD_DIR", str(tmp_path / "build"))
    rows = {"events": [{"id": "e1", "title": "A"}]}
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = versions.record(rows, a)
    second = versions.record(rows, b)
    assert first["id"] == second["id"]
    assert [v["id"] for v in versions.list_versions(a)] == [first["id"]]
    assert [v["id"] for v in versions.list_versions(b)] == [first["id"]]
    monkeypatch.setenv("GEO_HISTORY_KEEP", "1")
    later = versions.record({"events": [{"id": "e1", "title": "B"}]}, a)  # prunes a's older version
    assert [v["id"] for v in versions.list_versions(a)] == [later["id"]]
    assert [v["id"] for v in versions.list_versions(b)] == [first["id"]]
