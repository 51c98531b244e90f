"""ACLED import: every geo_precision, actors, fatalities figures, a source per event, bad rows by line."""

from __future__ import annotations

import csv

import pytest
from import_samples import acled_row, write_acled

from geo import dataset as events
from geo import layers
from geo.importers.common import ImportFailed
from geo.importers.writer import import_file


def _csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def acled_dataset(tmp_path, isolated_build):
    rows = [
        acled_row(1, geo_precision="1", fatalities="12"),
        acled_row(
            2,
            geo_precision="2",
            event_date="14 March 2024",
            event_type="Protests",
            sub_event_type="Peaceful protest",
            actor1="Protesters (Testland)",
            actor2="",
        ),
        acled_row(3, geo_precision="3", event_type="Strategic developments", sub_event_type="Agreement"),
        acled_row(4, latitude="north", longitude="20"),
        acled_row(5, event_date="31/02/2024"),
        acled_row(6, event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", fatalities="2"),
    ]
    src = write_acled(tmp_path / "acled.csv", rows)
    out = tmp_path / "ds"
    report = import_file(src, "acled", out)
    return out, report


def test_acled_imports_validates_and_builds(acled_dataset):
    out, report = acled_dataset
    assert (report.mapped, report.skipped) == (4, 2)
    assert events.load_dataset(out)[1] == []
    frame = layers.load_layers(out)["events"].set_index("id")
    assert sorted(frame.index) == ["acled-TST1", "acled-TST2", "acled-TST3", "acled-TST6"]
    one, two, three = (frame.loc["acled-TST1"], frame.loc["acled-TST2"], frame.loc["acled-TST3"])
    assert (one.geometry.y, one.geometry.x) == pytest.approx((10.1, 20.1))
    assert (one.place_precision, one.uncertainty_km) == ("city", 10.0)
    assert (two.place_precision, two.uncertainty_km) == ("approximate", 25.0)
    assert (three.place_precision, three.uncertainty_km) == ("region", 150.0)
    assert two.date == "2024-03-14" and one.date == "2024-03-11"
    assert [one.type, two.type, three.type, frame.loc["acled-TST6"].type] == [
        "military",
        "protest",
        "agreement",
        "attack",
    ]
    for sources in frame.sources:  # a source per event
        assert len(sources) == 1 and sources[0]["citation"].startswith("ACLED event TST")
    assert one.figures == [
        {
            "name": "fatalities",
            "value": 12,
            "unit": "people",
            "qualifier": "",
            "claimed_by": "Paper 1",
            "source": {"citation": "ACLED event TST1; source: Paper 1", "url": ""},
        }
    ]
    assert two.figures == []  # 0 fatalities: no figure


def test_acled_actors_keep_their_names(acled_dataset):
    out, _ = acled_dataset
    actors = {a["id"]: a for a in _csv(out / "actors.csv")}
    assert actors["military-forces-of-testland-2000"]["name"] == "Military Forces of Testland (2000-)"
    assert actors["military-forces-of-testland-2000"]["kind"] == "organisation"
    assert actors["france"]["kind"] == "state"
    ev_rows = {r["id"]: r for r in _csv(out / "events.csv")}
    assert ev_rows["acled-TST1"]["actors"] == "military-forces-of-testland-2000;france"
    assert ev_rows["acled-TST2"]["actors"] == "protesters-testland"


def test_acled_original_type_kept(acled_dataset):
    out, _ = acled_dataset
    kept = {r["id"]: r["source_type"] for r in _csv(out / "events.csv")}  # its own column
    assert kept["acled-TST3"] == "Strategic developments / Agreement"


def test_acled_bad_rows_reported_by_line(acled_dataset):
    _, report = acled_dataset
    where = dict(report.problems)
    assert set(where) == {"line 5", "line 6"}  # header is line 1, TST4 is on line 5
    assert "latitude/longitude" in where["line 5"] and "event_date" in where["line 6"]


def test_acled_filters(tmp_path):
    rows = [acled_row(n, latitude=str(n), longitude=str(n), event_date=f"2024-03-{n:02d}") for n in range(1, 9)]
    rows[0]["country"] = "Elsewhere"
    src = write_acled(tmp_path / "a.csv", rows)
    from geo.importers.common import Options

    opts = Options(bbox=(2, 2, 7, 7), since="2024-03-03", until="2024-03-06", where=[("country", "testland")])
    report = import_file(src, "acled", tmp_path / "ds", opts)
    ids = [r["id"] for r in _csv(tmp_path / "ds" / "events.csv")]
    assert ids == ["acled-TST3", "acled-TST4", "acled-TST5", "acled-TST6"]
    assert report.filtered == 4


def test_not_acled_fails_with_one_message_and_writes_nothing(tmp_path):
    src = tmp_path / "other.csv"
    src.write_text("name,lat,lon\nA,1,2\n", encoding="utf-8")
    from geo.importers.common import FormatError

    with pytest.raises(FormatError, match="not an ACLED export.*event_id_cnty"):
        import_file(src, "acled", tmp_path / "ds")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.csv"]


def test_no_usable_rows_writes_nothing(tmp_path):
    src = write_acled(tmp_path / "a.csv", [acled_row(1, latitude="x")])
    with pytest.raises(ImportFailed, match="no usable acled rows; nothing written\n.*line 2: latitude/longitude"):
        import_file(src, "acled", tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
