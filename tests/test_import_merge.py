"""Adding to a dataset: re-import adds nothing, collisions are reported, all or nothing; the CLI."""

from __future__ import annotations

import csv

import pytest
from import_samples import acled_row, gdelt_values, write_acled, write_gdelt

from geo import dataset as events
from geo.cli import main
from geo.importers import writer
from geo.importers.common import ImportFailed, Options
from geo.importers.writer import import_file


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _own_dataset(folder, title="Own event", actors=True):
    folder.mkdir()
    (folder / "events.csv").write_text(
        "id,title,summary,date,lat,lon,actors\n"
        f"acled-TST1,{title},Written by hand.,2024-01-01,1,2,{'kim' if actors else 'free-label'}\n",
        encoding="utf-8",
    )
    (folder / "citations.csv").write_text(
        "layer,item,file,start,end,evidence,citation,url\nevents,acled-TST1,,,,,Own notes,\n", encoding="utf-8"
    )
    if actors:
        (folder / "actors.csv").write_text("id,name,kind\nkim,Kim,person\n", encoding="utf-8")
    return folder


def test_reimport_adds_nothing(tmp_path):
    src = write_gdelt(tmp_path / "g.tsv", [gdelt_values(n) for n in range(5)])
    out = tmp_path / "ds"
    assert import_file(src, "gdelt", out).mapped == 5
    before = _snapshot(out)
    again = import_file(src, "gdelt", out)
    assert (again.mapped, again.present, again.collisions) == (0, 5, [])
    assert _snapshot(out) == before


def test_adds_to_existing_dataset_and_reports_collision(tmp_path):
    out = _own_dataset(tmp_path / "ds")
    own_events = (out / "events.csv").read_bytes()
    src = write_acled(tmp_path / "a.csv", [acled_row(1), acled_row(2, actor1="Kim")])
    report = import_file(src, "acled", out)
    assert report.mapped == 1 and len(report.collisions) == 1
    assert "line 2" in report.collisions[0] and "acled-TST1" in report.collisions[0]
    rows = list(csv.DictReader((out / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["id"], r["title"]) for r in rows] == [
        ("acled-TST1", "Own event"),
        ("acled-TST2", "Armed clash in Town2"),
    ]
    assert (out / "events.csv").read_bytes().startswith(own_events.split(b"\n")[0])  # existing row kept
    actors = [r["id"] for r in csv.DictReader((out / "actors.csv").read_text(encoding="utf-8").splitlines())]
    assert actors == ["kim", "france"]  # "Kim" is the existing actor; France is new
    assert events.load_dataset(out)[1] == []


def test_free_actor_labels_stay_free(tmp_path):
    out = _own_dataset(tmp_path / "ds", actors=False)
    import_file(write_acled(tmp_path / "a.csv", [acled_row(5)]), "acled", out)
    assert not (out / "actors.csv").exists()
    assert events.load_dataset(out)[1] == []


def test_invalid_result_writes_nothing(tmp_path):
    out = _own_dataset(tmp_path / "ds")
    (out / "citations.csv").write_text("layer,item,citation,url\n", encoding="utf-8")  # own event has no source
    before = _snapshot(out)
    with pytest.raises(ImportFailed, match="(?s)does not validate.*has no source"):
        import_file(write_acled(tmp_path / "a.csv", [acled_row(7)]), "acled", out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "ds"]  # no staging folder left


def test_target_not_a_dataset(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("x")
    with pytest.raises(ImportFailed, match="not a dataset folder"):
        import_file(write_acled(tmp_path / "a.csv", [acled_row(1)]), "acled", tmp_path / "stuff")


def test_progress_and_size_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(writer, "WARN_EVENTS", 3)
    src = write_gdelt(tmp_path / "g.tsv", [gdelt_values(n) for n in range(5)])
    report = import_file(src, "gdelt", tmp_path / "ds", Options(progress=True))
    assert "100%" in capsys.readouterr().err
    assert report.warnings and "5 events" in report.warnings[0]


def test_cli_import_and_wrong_format(tmp_path, capsys):
    src = write_acled(tmp_path / "a.csv", [acled_row(1), acled_row(2, latitude="x")])
    assert main(["import", str(src), "--from", "acled", "--to", str(tmp_path / "ds"), "--since", "2024-03-01"]) == 0
    out = capsys.readouterr().out
    assert "line 3: latitude/longitude" in out and "mapped 1" in out
    assert main(["import", str(src), "--from", "gdelt", "--to", str(tmp_path / "ds2")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "not a GDELT events file" in err
    assert not (tmp_path / "ds2").exists()


@pytest.mark.parametrize(
    "opts, message",
    [(Options(bbox=(10, 50, 20, 40)), "--bbox"), (Options(bbox=(-200, 0, 10, 10)), "--bbox"),
     (Options(since="2024-05-01", until="2024-04-01"), "--since 2024-05-01 is after")],
)  # fmt: skip
def test_bad_filters_are_refused(tmp_path, opts, message):
    with pytest.raises(ImportFailed, match=message):
        import_file(write_acled(tmp_path / "a.csv", [acled_row(1)]), "acled", tmp_path / "ds", opts)
    assert not (tmp_path / "ds").exists()


def test_concurrent_imports_into_one_folder_keep_both(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    files = [write_gdelt(tmp_path / f"g{k}.tsv", [gdelt_values(100 * k + n) for n in range(20)]) for k in range(3)]
    with ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(lambda f: import_file(f, "gdelt", tmp_path / "ds"), files))
    assert sum(r.mapped for r in reports) == 60
    rows = (tmp_path / "ds" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 61
