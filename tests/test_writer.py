"""The dataset writer: staged validation, all-or-nothing swap, lock, rollback journal, undo."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.dataset import journal, writer

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "Leaders met in Harbin on Monday. Officials said 1,200 guests attended.\n"
SHA = hashlib.sha256(ARTICLE.encode()).hexdigest()


@pytest.fixture
def ds(tmp_path) -> tuple[Path, Path]:
    """A small valid dataset with coordinates (no geocoding) and its own article."""
    data, src = tmp_path / "data", tmp_path / "src"
    data.mkdir()
    src.mkdir()
    (src / "001_a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "sources.csv").write_text(f'file,sha256,title\n001_a.txt,{SHA},"Quoted title"\n', encoding="utf-8")
    (data / "actors.csv").write_text("id,name,kind\nann,Ann Example,person\n", encoding="utf-8")
    (data / "events.csv").write_text(
        "id,title,summary,date,place,lat,lon,actors\ne1,Meeting,A meeting.,2025-09-01,Harbin,45.75,126.65,ann\n",
        encoding="utf-8",
    )
    (data / "citations.csv").write_text(
        "layer,item,file,start,end,evidence\nevents,e1,001_a.txt,0,33,Harbin\n",
        encoding="utf-8",
    )
    return data, src


def snapshot(*folders: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for f in folders
        for p in sorted(f.rglob("*"))
        if p.is_file() and p.name != writer.LOCK_NAME
    }


def event(eid: str, actors: str = "ann") -> dict:
    return {
        "id": eid,
        "title": f"Event {eid}",
        "summary": "Neutral summary.",
        "date": "2025-09-02",
        "place": "Harbin",
        "lat": "45.75",
        "lon": "126.65",
        "actors": actors,
    }


def change(author: str, eid: str, **kw) -> writer.Change:
    rows = {
        "events.csv": [event(eid, **kw)],
        "citations.csv": [
            {
                "layer": "events",
                "item": eid,
                "file": "001_a.txt",
                "start": "34",
                "end": "70",
                "evidence": "1,200",
            }
        ],
    }
    return writer.Change(author=author, rows=rows)


def ids(data: Path, name: str = "events.csv", key: str = "id") -> list[str]:
    from geo.dataset import csvtext

    return [r[key] for _, r in csvtext.records((data / name).read_text("utf-8"))[1]]


def test_apply_appends_and_keeps_existing_bytes(ds):
    data, src = ds
    before = (data / "events.csv").read_bytes()
    res = writer.apply_changes(data, src, change("ana", "e2"))
    assert res.ok, res.errors
    after = (data / "events.csv").read_bytes()
    assert after.startswith(before) and ids(data) == ["e1", "e2"]
    assert writer.validate_staged(data, src, {}) == []
    assert not list(data.glob(".*atlas-*")) and not (data / writer.JOURNAL_NAME).exists()


def test_invalid_change_refused_with_file_line_and_nothing_written(ds):
    data, src = ds
    before = snapshot(data, src)
    bad = change("ana", "e2", actors="nobody")  # unknown actor id
    bad.rows["actors.csv"] = [{"id": "x", "name": "X", "kind": "alien"}]
    res = writer.apply_changes(data, src, bad)
    assert not res.ok
    joined = "\n".join(res.errors)
    assert f"{data / 'events.csv'}:3: unknown actor id(s): nobody" in joined
    assert f"{data / 'actors.csv'}:3: kind 'alien'" in joined
    assert ".atlas-stage" not in joined  # messages name the real files, not the staging copy
    assert snapshot(data, src) == before


def test_new_article_named_under_lock_and_manifest_quoting_kept(ds):
    data, src = ds
    text = b"Second report: Harbin again.\n"
    rows = {
        "events.csv": [event("e2")],
        "citations.csv": [
            {
                "layer": "events",
                "item": "e2",
                "file": writer.ARTICLE,
                "start": "15",
                "end": "21",
                "evidence": "Harbin",
            }
        ],
    }
    res = writer.apply_changes(
        data,
        src,
        writer.Change(
            "ana",
            rows,
            article_bytes=text,
            manifest_row={"file": writer.ARTICLE, "title": "T"},
        ),
    )
    assert res.ok, res.errors
    name = f"002_{hashlib.sha256(text).hexdigest()[:16]}.txt"
    assert (src / name).read_bytes() == text
    manifest = (src / "sources.csv").read_text("utf-8")
    assert manifest.startswith(f'file,sha256,title\n001_a.txt,{SHA},"Quoted title"\n') and name in manifest
    assert ids(data, "citations.csv", "file")[-1] == name


def test_exception_mid_swap_leaves_previous_dataset(ds, monkeypatch):
    data, src = ds
    before = snapshot(data, src)
    calls = []

    def failing(new, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disk full (injected)")
        os.replace(new, target)

    monkeypatch.setattr(journal, "_swap_one", failing)
    with pytest.raises(OSError, match="injected"):
        writer.apply_changes(data, src, change("ana", "e2"))
    assert len(calls) == 2  # one file had already been replaced when the failure came
    assert snapshot(data, src) == before
    monkeypatch.undo()
    assert writer.apply_changes(data, src, change("ana", "e2")).ok


def test_hard_crash_mid_swap_is_rolled_back_by_next_writer(ds):
    data, src = ds
    before = snapshot(data, src)
    code = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from geo.dataset import journal, writer
n = []
def crash(new, target):
    os.replace(new, target)
    n.append(1)
    if len(n) == 2:
        os._exit(3)  # the process dies between two replacements: no cleanup code runs
journal._swap_one = crash
ch = writer.Change("ana", {{"events.csv": [{event("e2")!r}], "citations.csv": [{{"layer": "events", "item": "e2",
      "file": "001_a.txt", "start": "0", "end": "33", "evidence": "Harbin"}}]}})
writer.apply_changes({str(data)!r}, {str(src)!r}, ch)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    assert (data / writer.JOURNAL_NAME).exists() and snapshot(data, src) != before
    with writer.lock(data):
        assert writer.recover(data) is True
    assert snapshot(data, src) == before


def test_undo_removes_only_the_authors_last_acceptance(ds):
    data, src = ds
    assert writer.apply_changes(data, src, change("ana", "a1")).ok
    extra = change("ana", "a2", actors="newbie")
    extra.rows["actors.csv"] = [{"id": "newbie", "name": "New Person", "kind": "person"}]
    assert writer.apply_changes(data, src, extra).ok
    assert writer.apply_changes(data, src, change("bob", "b1")).ok
    res = writer.undo_last(data, "ana", src)
    assert res.ok, res.errors
    assert ids(data) == ["e1", "a1", "b1"]
    assert "a2" not in ids(data, "citations.csv", "item") and "newbie" not in ids(data, "actors.csv")
    assert writer.validate_staged(data, src, {}) == []
    assert writer.last_acceptance(data, "ana")["rows"]["events.csv"][0]["id"] == "a1"
    assert writer.undo_last(data, "ana", src).ok and ids(data) == ["e1", "b1"]
    assert not writer.undo_last(data, "ana", src).ok  # nothing left of ana's
    log = [json.loads(x) for x in (data / writer.LOG_NAME).read_text().splitlines()]
    assert sum("undo" in e for e in log) == 2


def test_undo_keeps_an_actor_still_used(ds):
    data, src = ds
    first = change("ana", "a1", actors="newbie")
    first.rows["actors.csv"] = [{"id": "newbie", "name": "New Person", "kind": "person"}]
    assert writer.apply_changes(data, src, first).ok
    assert writer.apply_changes(data, src, change("bob", "b1", actors="newbie")).ok
    assert writer.undo_last(data, "ana", src).ok
    assert "newbie" in ids(data, "actors.csv") and ids(data) == ["e1", "b1"]


def _accept_in_process(args):
    data, src, tag, barrier = args
    barrier.wait()  # start together; several accepts each so the writers overlap
    return [writer.apply_changes(data, src, change(f"user-{tag}", f"{tag}{i}")).ok for i in range(4)]


def test_two_processes_accepting_at_once_both_land(ds):
    import multiprocessing as mp

    data, src = ds
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(2, timeout=120)
        with ctx.Pool(2) as pool:
            oks = pool.map(_accept_in_process, [(data, src, "p", barrier), (data, src, "q", barrier)])
    assert oks == [[True] * 4, [True] * 4]
    assert sorted(ids(data)) == ["e1"] + [f"{t}{i}" for t in "pq" for i in range(4)]  # no update lost
    assert writer.validate_staged(data, src, {}) == []
    assert len((data / writer.LOG_NAME).read_text().splitlines()) == 8


def test_csv_text_edits_keep_untouched_records():
    from geo.dataset import csvtext

    text = '\ufeffid,title\r\n1,"quoted, kept"\r\n2,"two\r\nlines"\r\n3,plain'  # BOM, CRLF, no final newline
    added = csvtext.append_rows(text, [{"id": "4", "title": "new"}])
    assert added == text + "\r\n4,new\r\n"
    widened = csvtext.append_rows(text, [{"id": "5", "title": "t", "lat": "1.5"}])
    assert widened.startswith("\ufeffid,title,lat\r\n") and widened.endswith("5,t,1.5\r\n")
    assert [r["title"] for _, r in csvtext.records(widened)[1]] == ["quoted, kept", "two\r\nlines", "plain", "t"]
    dropped, gone = csvtext.drop_rows(text, lambda r: r["id"] == "2")
    assert dropped == '\ufeffid,title\r\n1,"quoted, kept"\r\n3,plain' and gone[0]["title"] == "two\r\nlines"
    assert csvtext.append_rows(None, [{"id": "x", "name": "X"}], ["id", "name", "kind"]) == "id,name,kind\nx,X,\n"


def test_manifest_in_the_dataset_folder_gets_the_new_row(ds):
    data, src = ds
    (src / "sources.csv").rename(data / "sources.csv")  # the dataset carries its own manifest
    text = b"Third report from Harbin.\n"
    rows = {
        "events.csv": [event("e3")],
        "citations.csv": [
            {"layer": "events", "item": "e3", "file": writer.ARTICLE, "start": "18", "end": "24", "evidence": "Harbin"}
        ],
    }
    ch = writer.Change("ana", rows, article_bytes=text, manifest_row={"file": writer.ARTICLE, "title": "Third"})
    res = writer.apply_changes(data, src, ch)
    assert res.ok, res.errors
    assert not (src / "sources.csv").exists() and "Third" in (data / "sources.csv").read_text("utf-8")
    assert res.event_ids == ["e3"] and writer.validate_staged(data, src, {}) == []
