"""Free-form CSV import: --map, lat/lon names, projected x/y with --crs, refusal without a CRS."""

from __future__ import annotations

import csv

import pytest

from geo import dataset as events
from geo import layers
from geo.importers.common import FormatError, ImportFailed, Options
from geo.importers.writer import import_file


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_csv_with_map_and_latitude_longitude(tmp_path, isolated_build):
    src = _write(
        tmp_path / "sheet.csv",
        ["headline", "when", "Latitude", "Longitude", "link", "who", "kind"],
        [
            ["Talks in Oslo", "2024-01-05", "59.91", "10.75", "https://example.org/oslo", "Norway;UN Envoy", "talks"],
            ["Vote in Bern", "5 February 2024", "46.95", "7.45", "", "", "referendum"],
            ["No place", "2024-01-07", "", "", "", "", ""],
            ["Bad lat", "2024-01-08", "123", "7", "", "", ""],
        ],
    )
    opts = Options(mapping={"title": "headline", "date": "when", "actors": "who", "type": "kind"})
    out = tmp_path / "ds"
    report = import_file(src, "csv", out, opts)
    assert report.mapped == 2
    assert [w for w, _ in report.problems] == ["line 4", "line 5"]
    assert events.load_dataset(out)[1] == []
    frame = layers.load_layers(out)["events"].sort_values("date")
    oslo, bern = frame.iloc[0], frame.iloc[1]
    assert (oslo.title, oslo.type, oslo.actors) == ("Talks in Oslo", "meeting", ["norway", "un-envoy"])
    assert (oslo.geometry.y, oslo.geometry.x) == pytest.approx((59.91, 10.75))
    assert oslo.sources == [{"citation": "sheet.csv, line 2", "url": "https://example.org/oslo"}]
    assert (bern.date, bern.type) == ("2024-02-05", "election")
    assert report.defaulted["source"] == 2 and report.defaulted["summary"] == 2
    assert oslo.id.startswith("csv-") and oslo.id != bern.id


def test_projected_xy_with_crs(tmp_path, isolated_build):
    # Web Mercator: x = 0 is the prime meridian, y = 0 the equator; x = 20037508.34 is 180°E
    src = _write(
        tmp_path / "proj.csv",
        ["id", "title", "date", "x", "y"],
        [["p1", "Origin", "2024-03-01", "0", "0"], ["p2", "Far east", "2024-03-02", "10018754.17", "0"]],
    )
    out = tmp_path / "ds"
    import_file(src, "csv", out, Options(crs="EPSG:3857"))
    frame = layers.load_layers(out)["events"].set_index("id")
    assert (frame.loc["csv-p1"].geometry.x, frame.loc["csv-p1"].geometry.y) == pytest.approx((0, 0), abs=1e-6)
    assert frame.loc["csv-p2"].geometry.x == pytest.approx(90.0, abs=1e-6)


def test_projected_xy_without_crs_is_refused(tmp_path):
    src = _write(
        tmp_path / "proj.csv",
        ["title", "date", "x", "y"],
        [["A", "2024-03-01", "5", "45"], ["B", "2024-03-02", "500000", "5000000"]],
    )
    with pytest.raises(ImportFailed, match=r"line 3: x/y 500000, 5e\+06 are not degrees; .*--crs"):
        import_file(src, "csv", tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_xy_in_degrees_without_crs(tmp_path):
    src = _write(tmp_path / "deg.csv", ["title", "date", "x", "y"], [["A", "2024-03-01", "5.5", "45.25"]])
    import_file(src, "csv", tmp_path / "ds")
    row = next(csv.DictReader((tmp_path / "ds" / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert (row["lat"], row["lon"]) == ("45.25", "5.5")


def test_map_errors(tmp_path):
    src = _write(tmp_path / "a.csv", ["title", "date", "lat", "lon"], [["A", "2024", "1", "2"]])
    with pytest.raises(ImportFailed, match="has no such column"):
        import_file(src, "csv", tmp_path / "ds", Options(mapping={"date": "when"}))
    with pytest.raises(ImportFailed, match="unknown field"):
        import_file(src, "csv", tmp_path / "ds", Options(mapping={"colour": "x"}))


def test_csv_without_coordinates_or_place_is_not_a_table(tmp_path):
    src = _write(tmp_path / "a.csv", ["foo", "bar"], [["1", "2"]])
    with pytest.raises(FormatError, match="no coordinate columns"):
        import_file(src, "csv", tmp_path / "ds")


def test_place_names_are_geocoded_offline(tmp_path):
    src = _write(
        tmp_path / "places.csv",
        ["title", "date", "place", "country"],
        [["Talks", "2024-01-05", "Oslo", "NO"], ["Nowhere", "2024-01-06", "Qwxzyplkvt", ""]],
    )
    report = import_file(src, "csv", tmp_path / "ds")
    assert report.mapped == 1
    assert report.problems[0][0] == "line 3" and "cannot place 'Qwxzyplkvt'" in report.problems[0][1]
    row = next(csv.DictReader((tmp_path / "ds" / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert abs(float(row["lat"]) - 59.91) < 0.2 and abs(float(row["lon"]) - 10.75) < 0.2
    assert row["place_precision"] == "city"
