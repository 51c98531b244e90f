"""Imported data in the app: an ACLED file and a GDELT file imported with `geo import` open in the explorer
with the right count, and an event's details show its date, place precision, actors, figure and source link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_samples import acled_row, gdelt_values, write_acled, write_gdelt
from streamlit.testing.v1 import AppTest

from geo.cli import main

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _shown(at) -> tuple[int, int]:
    caption = next(c.value for c in at.caption if "events shown" in c.value)
    return tuple(int(n) for n in re.match(r"(\d+) of (\d+) events shown", caption).groups())


@pytest.mark.slow
def test_imported_acled_and_gdelt_open_in_the_app(tmp_path, monkeypatch, isolated_build):
    out = tmp_path / "my-data"
    acled = [acled_row(1, fatalities="3"), acled_row(2, geo_precision="2"), acled_row(3, geo_precision="3")]
    assert main(["import", str(write_acled(tmp_path / "a.csv", acled)), "--from", "acled", "--to", str(out)]) == 0
    gdelt = [gdelt_values(n, geo_type=t) for n, t in enumerate(("1", "4"), start=1)]
    assert main(["import", str(write_gdelt(tmp_path / "g.csv", gdelt)), "--from", "gdelt", "--to", str(out)]) == 0
    monkeypatch.setenv("GEO_DATA_DIR", str(out))

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["event"] = "acled-TST1"
    at.run().run()
    assert not at.exception, at.exception
    assert _shown(at) == (5, 5)
    lines = [e.value for e in at.text]
    assert "When: 2024-03-11 (day)" in lines
    assert "Where: Town1, North, Testland (city)" in lines  # geo_precision 1: the town itself
    assert "Actors: Military Forces of Testland (2000-), France" in lines
    assert "fatalities: 3 people — claimed by Paper 1" in lines  # ACLED fatalities as a claimed figure
    assert any("source\\: Paper 1" in c.value for c in at.caption)  # its source, as the citation
    at.query_params["event"] = "acled-TST2"  # geo_precision 2: near the town, an uncertainty ring
    at.session_state["event"] = "acled-TST2"
    at.run()
    assert any(line.startswith("Where: ") and line.endswith("(approximate)") for line in (e.value for e in at.text))
