"""Provenance from a `source`/`url` column, and warnings that are warnings (unknown columns exit 0 unless
`--strict`). The last test checks the importer's side of `source_type`."""

from __future__ import annotations

import csv

from geo import dataset as events
from geo.articles.sources import SourceRef
from geo.cli import main


def _events_only(folder, header, row):
    folder.mkdir()
    with open(folder / "events.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(row)
    return folder


def test_source_and_url_columns_are_provenance(tmp_path):
    folder = _events_only(
        tmp_path / "ds",
        ["id", "title", "summary", "date", "lat", "lon", "source_title", "url"],
        ["e1", "A", "B", "2024-01-01", "1", "2", "Ministry statement", "https://example.org/s"],
    )
    ds, errors = events.load_dataset(folder)
    assert errors == []
    assert ds.events[0].sources == (SourceRef(citation="Ministry statement", url="https://example.org/s"),)


def test_source_column_alone_is_enough(tmp_path):
    folder = _events_only(
        tmp_path / "ds",
        ["id", "title", "summary", "date", "lat", "lon", "source"],
        ["e1", "A", "B", "2024-01-01", "1", "2", "Field notes, 3 May"],
    )
    ds, errors = events.load_dataset(folder)
    assert errors == [] and ds.events[0].sources[0].citation == "Field notes, 3 May"


def test_a_row_without_any_source_still_fails(tmp_path):
    folder = _events_only(
        tmp_path / "ds", ["id", "title", "summary", "date", "lat", "lon"], ["e1", "A", "B", "2024-01-01", "1", "2"]
    )
    assert any("has no source" in str(e) for e in events.load_dataset(folder)[1])


def test_unknown_columns_warn_and_exit_0(tmp_path, capsys):
    folder = _events_only(
        tmp_path / "ds",
        ["id", "title", "summary", "date", "lat", "lon", "source", "colour"],
        ["e1", "A", "B", "2024-01-01", "1", "2", "Notes", "red"],
    )
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "warning" in text.lower() and "colour" in text
    assert "kept" in text or "dropped" in text  # says what happens to the column


def test_strict_makes_warnings_fail(tmp_path, capsys):
    folder = _events_only(
        tmp_path / "ds",
        ["id", "title", "summary", "date", "lat", "lon", "source", "colour"],
        ["e1", "A", "B", "2024-01-01", "1", "2", "Notes", "red"],
    )
    assert main(["validate", "--strict", str(folder)]) == 2


def test_source_type_is_a_known_column(tmp_path, capsys):
    folder = _events_only(
        tmp_path / "ds",
        ["id", "title", "summary", "date", "lat", "lon", "source", "source_type"],
        ["e1", "A", "B", "2024-01-01", "1", "2", "Notes", "Battles / Armed clash"],
    )
    assert main(["validate", str(folder)]) == 0
    assert "warning" not in capsys.readouterr().out.lower()


def test_importer_writes_the_source_type_in_events_csv(tmp_path):
    """The source's own type of each event goes into events.csv's `source_type` column, which the
    validator takes without a warning."""
    from import_samples import acled_row, write_acled

    from geo.importers.writer import import_file

    out = tmp_path / "ds"
    import_file(write_acled(tmp_path / "a.csv", [acled_row(1)]), "acled", out)
    row = next(csv.DictReader((out / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert row["source_type"] == "Battles / Armed clash"
    # No side file: the dataset's files only (this ACLED row has no figures).
    assert sorted(p.name for p in out.iterdir()) == ["actors.csv", "citations.csv", "events.csv", "sources.csv"]
    assert events.load_dataset(out)[1] == []
