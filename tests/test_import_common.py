"""Shared import helpers: filters, links, dates, report, zip input, line numbers of multi-line records."""

from __future__ import annotations

import zipfile

import pytest
from import_samples import gdelt_values, write_gdelt

from geo.importers.common import FormatError, ImportReport, Options, csv_rows, map_type, parse_date, split_link
from geo.importers.writer import import_file


def test_bbox_across_the_antimeridian():
    opts = Options(bbox=(170, -10, -170, 10))
    assert opts.keep_point(0, 175) and opts.keep_point(0, -175)
    assert not opts.keep_point(0, 0) and not opts.keep_point(20, 175)


@pytest.mark.parametrize(
    "url, kept",
    [("https://a.example/x", True), ("http://a.example", True), ("javascript:alert(1)", False),
     ("data:text/html;base64,AAAA", False), ("//a.example/x", False), ("ftp://a.example/f", False),
     ("https://a.example/x y", False)],
)  # fmt: skip
def test_only_http_links_are_kept(url, kept):
    got_url, citation = split_link(url, "Report")
    assert (got_url == url) is kept
    if not kept:
        assert got_url == "" and citation.startswith("Report (link not kept: ")


def test_dates():
    assert parse_date("2024-02-30") is None and parse_date("03/04/2024") is None
    assert parse_date("March 5, 2024") == "2024-03-05" and parse_date("2024-07") == "2024-07"


def test_type_vocabulary():
    assert [map_type(t) for t in ("summit", "Casualty report", "sanctions", "protests", "")] == [
        "meeting", "casualties", "sanctions", "protest", "other"]  # fmt: skip


def test_report_keeps_counting_past_its_list(monkeypatch):
    from geo.importers import common

    monkeypatch.setattr(common, "KEEP_PROBLEMS", 3)
    report = ImportReport("f.csv")
    for n in range(10):
        report.problem(f"line {n}", "no date")
    assert report.skipped == 10 and len(report.problems) == 3
    assert "7 more skipped row(s); by reason: no date ×10" in "\n".join(report.lines(limit=3))


def test_multiline_record_keeps_its_first_line(tmp_path):
    src = tmp_path / "m.csv"
    src.write_text('a,b\n1,"two\nlines"\n3,4\n', encoding="utf-8")
    rows = list(csv_rows(src, ImportReport("m.csv"), False))
    assert [line for line, _ in rows] == [1, 2, 4]


def test_zip_with_one_file_and_with_two(tmp_path):
    tsv = write_gdelt(tmp_path / "g.CSV", [gdelt_values(n) for n in range(3)])
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(tsv, "g.CSV")
    assert import_file(one, "gdelt", tmp_path / "ds").mapped == 3
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z:
        z.write(tsv, "a.CSV")
        z.write(tsv, "b.CSV")
    with pytest.raises(FormatError, match="zip archive with 2 files"):
        import_file(two, "gdelt", tmp_path / "ds2")


def test_gdelt_where_on_codebook_columns(tmp_path):
    rows = [gdelt_values(n, ActionGeo_CountryCode="UP" if n % 2 else "RS") for n in range(6)]
    report = import_file(write_gdelt(tmp_path / "g.tsv", rows), "gdelt", tmp_path / "ds",
                         Options(where=[("ActionGeo_CountryCode", "up")]))  # fmt: skip
    assert (report.mapped, report.filtered) == (3, 3)


def test_utf8_errors_reported_by_line(tmp_path):
    src = tmp_path / "g.tsv"
    lines = ["\t".join(gdelt_values(n)).encode() for n in range(3)]
    lines[1] = lines[1].replace(b"Place 1", b"Place \xe9")
    src.write_bytes(b"\n".join(lines) + b"\n")
    report = import_file(src, "gdelt", tmp_path / "ds")
    assert report.mapped == 2 and report.problems == [
        ("line 2", "not valid UTF-8 (byte 0xe9); row skipped (save the file as UTF-8)")
    ]
