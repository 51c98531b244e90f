"""GDELT import: 2.0 with each ActionGeo_Type, 1.0 (57 and 58 columns), links, CAMEO types, wrong format."""

from __future__ import annotations

import csv

import pytest
from import_samples import gdelt_values, write_gdelt

from geo import dataset as events
from geo import layers
from geo.importers.common import FormatError
from geo.importers.gdelt import COLUMNS_V1, COLUMNS_V2, cameo_type
from geo.importers.writer import import_file


def _csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_codebook_widths():
    assert (len(COLUMNS_V2), len(COLUMNS_V1)) == (61, 58)
    assert COLUMNS_V2[56:58] == ["ActionGeo_Lat", "ActionGeo_Long"] and COLUMNS_V2[60] == "SOURCEURL"


def test_gdelt2_each_geo_type(tmp_path, isolated_build):
    rows = [gdelt_values(n, geo_type=str(n)) for n in range(1, 6)]
    rows.append(gdelt_values(6, geo_type="0", ActionGeo_Lat="", ActionGeo_Long=""))  # no location
    rows.append(gdelt_values(7, SQLDATE="2024XX01"))
    rows.append(gdelt_values(8, SOURCEURL="javascript:alert(1)", EventRootCode="18", EventBaseCode="180"))
    rows.append(gdelt_values(9)[:40])  # a truncated row
    out = tmp_path / "ds"
    report = import_file(write_gdelt(tmp_path / "g.export.CSV", rows), "gdelt", out)
    assert (report.mapped, report.skipped) == (6, 3)
    assert [w for w, _ in report.problems] == ["line 6", "line 7", "line 9"]
    assert events.load_dataset(out)[1] == []
    frame = layers.load_layers(out)["events"].set_index("id")
    precision = {i: frame.loc[f"gdelt-{1000 + i}"].place_precision for i in range(1, 6)}
    assert precision == {1: "country", 2: "region", 3: "city", 4: "city", 5: "region"}
    assert frame.loc["gdelt-1001"].uncertainty_km == 400.0 and frame.loc["gdelt-1003"].uncertainty_km == 10.0
    first = frame.loc["gdelt-1001"]
    assert (first.geometry.y, first.geometry.x) == pytest.approx((40.01, 2.01))
    assert first.date == "2024-05-02" and first.type == "visit" and first.actors == ["france", "military"]
    assert first.sources == [{"citation": "GDELT 2.0 event 1001", "url": "https://news.example.org/1"}]
    bad = frame.loc["gdelt-1008"]
    assert bad.type == "attack" and bad.sources[0]["url"] == ""
    assert "javascript:alert(1)" in bad.sources[0]["citation"]  # kept as plain text, not as a link
    kinds = {a["id"]: a["kind"] for a in _csv(out / "actors.csv")}
    assert kinds == {"france": "state", "military": "organisation"}
    kept = {r["id"]: r["source_type"] for r in _csv(out / "events.csv")}
    assert kept["gdelt-1001"] == "CAMEO 042 (consult)"


@pytest.mark.parametrize("width", [58, 57])
def test_gdelt1_is_supported(tmp_path, width):
    rows = [gdelt_values(n, version=1)[:width] for n in range(3)]
    report = import_file(write_gdelt(tmp_path / "g1.CSV", rows), "gdelt", tmp_path / "ds")
    assert report.mapped == 3 and report.notes[0].startswith(f"read as GDELT 1.0 ({width} tab-separated columns)")
    ev_rows = _csv(tmp_path / "ds" / "events.csv")
    assert ev_rows[2]["lat"] == "40.02" and ev_rows[2]["summary"].startswith("GDELT 1.0 event 1002")
    urls = [r["url"] for r in _csv(tmp_path / "ds" / "citations.csv")]
    assert urls == ([f"https://news.example.org/{n}" for n in range(3)] if width == 58 else ["", "", ""])


def test_header_line_is_skipped(tmp_path):
    rows = [list(COLUMNS_V2), gdelt_values(1)]
    assert import_file(write_gdelt(tmp_path / "g.tsv", rows), "gdelt", tmp_path / "ds").mapped == 1


@pytest.mark.parametrize("text", ["a,b,c\n1,2,3\n", "\t".join(["x"] * 61) + "\n", ""])
def test_not_gdelt_fails_and_writes_nothing(tmp_path, text):
    src = tmp_path / "x.tsv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match="not a GDELT events file") as err:
        import_file(src, "gdelt", tmp_path / "ds")
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tsv"]


def test_cameo_table_covers_every_root():
    vocab = set(__import__("geo.importers.common", fromlist=["EVENT_TYPES"]).EVENT_TYPES)
    assert {cameo_type(f"{n:02d}") for n in range(1, 21)} <= vocab
    assert cameo_type("14") == "protest" and cameo_type("19") == "military" and cameo_type("16") == "sanctions"
