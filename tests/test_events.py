"""Reading and validating datasets: the curated data is complete, and bad files give file:line messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import dataset as events
from geo.dataset import load_dataset, parse_date, validate_path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHA_000 = "faaeefcbee8dd1469a6f4a213e7dc0cf160d632497c24b1e24f26644de103039"

HEADER = "id,title,summary,date,place,lat,lon,place_precision,actors,type\n"
GOOD_ROW = "e1,A title,Own words.,2025-09-03,Somewhere,39.9,116.4,city,a1,parade\n"
CITE = "layer,item,file,start,end,evidence,citation,url\nevents,e1,,,,,Background note,\n"


def dataset(folder: Path, events_csv: str = HEADER + GOOD_ROW, **files: str) -> Path:
    """A small dataset; keyword names use `_` for the dot (citations_csv=...)."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {"events.csv": events_csv, "citations.csv": CITE, "actors.csv": "id,name,kind\na1,Actor One,person\n"}
    contents.update({name.replace("_", ".", 1): text for name, text in files.items()})
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def messages(path: Path) -> list[str]:
    return [str(e) for e in validate_path(path)]


# --------------------------------------------------------------------------- the curated dataset


@pytest.fixture(scope="module")
def curated():
    ds, errors = load_dataset(DATA)
    assert not errors, "\n".join(str(e) for e in errors)
    return ds


def test_curated_counts_meet_targets(curated):
    assert len(curated.events) >= 25
    assert len(curated.actors) >= 10
    assert len(curated.routes) == 3
    assert len(curated.regions) >= 3
    assert len(curated.relations) >= 5


def test_every_event_has_an_article_span_and_a_point(curated):
    for e in curated.events:
        assert any(s.is_span for s in e.sources), e.id
        assert e.lat is not None and e.lon is not None, e.id
        assert e.place_precision in events.PLACE_PRECISIONS
        assert e.uncertainty_km > 0


def test_required_content_is_present(curated):
    by_id = {e.id: e for e in curated.events}
    parade = by_id["victory-day-parade"]
    assert parade.date == "2025-09-03"
    figures = {f.name: f for f in parade.figures}
    assert figures["spectators"].value == 50_000 and figures["doves"].value == 80_000
    losses = {f.name: f for f in by_id["dprk-losses-kursk"].figures}["killed"]
    assert losses.value == 600 and "Intelligence" in losses.claimed_by
    assert {f.name: f for f in by_id["dprk-troops-for-russia"].figures}["troops"].qualifier == "more than"
    # Kim's missile-lab visit has no known site: only a country-level point, never a made-up exact one.
    assert by_id["kim-missile-lab"].place_precision == "country"
    assert by_id["russia-dprk-pact"].date.startswith("2024-06")
    assert by_id["trilateral-exercise-forecast"].date == "2025-03"
    natives = {a.id: a.native_name for a in curated.actors}
    assert natives["xi"] == "习近平" and natives["kim"] == "김정은" and "Путин" in natives["putin"]
    assert "Лукашэнка" in natives["lukashenka"]
    statuses = {r.id: (r.status, r.approximate) for r in curated.routes}
    assert statuses == {
        "power-of-siberia-2": ("MoU signed", True),
        "power-of-siberia-1": ("operational", True),
        "kim-train-2025": ("completed", True),
    }
    assert {r.id: r.approximate for r in curated.regions}["south-china-sea"] is True


def test_places_csv_override_beats_the_gazetteer(curated):
    white_house = next(e for e in curated.events if e.place == "White House")
    assert (round(white_house.lat, 2), round(white_house.lon, 2)) == (38.9, -77.04)


def test_region_places_get_region_points(curated):
    kursk = [e for e in curated.events if e.region_id == "kursk-oblast"]
    assert len(kursk) >= 2 and all(e.place_precision == "region" for e in kursk)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-09-03", ("day", "2025-09-03", "2025-09-03")),
        ("2024-02", ("month", "2024-02-01", "2024-02-29")),
        ("2025-12", ("month", "2025-12-01", "2025-12-31")),
        ("2025", ("year", "2025-01-01", "2025-12-31")),
    ],
)
def test_partial_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13", "25-09-03", "3 Sep 2025", "2025-9-3", ""])
def test_bad_dates_are_messages(text):
    assert isinstance(parse_date(text), str)


# --------------------------------------------------------------------------- hand-made bad files


def test_minimal_dataset_is_valid(tmp_path):
    assert messages(dataset(tmp_path)) == []


@pytest.mark.parametrize(
    "row,expected",
    [
        ("e1,A title,Own words.,2025-02-30,X,39.9,116.4,city,a1,parade\n", "impossible date '2025-02-30'"),
        ("e1,A title,Own words.,2025-09-03,X,95,116.4,city,a1,parade\n", "lat: 95 out of range"),
        ("e1,A title,Own words.,2025-09-03,X,NaN,116.4,city,a1,parade\n", "lat: 'NaN' is not finite"),
        ("e1,A title,Own words.,2025-09-03,X,north,116.4,city,a1,parade\n", "lat: 'north' is not a number"),
        ("e1,A title,Own words.,2025-09-03,X,39.9,116.4,town,a1,parade\n", "place_precision 'town'"),
        ("e1,A title,Own words.,2025-09-03,X,39.9,116.4,city,a1;ghost,parade\n", "unknown actor id(s): ghost"),
        (",A title,Own words.,2025-09-03,X,39.9,116.4,city,a1,parade\n", "id is required"),
        ("e1,A title,Own words.,2025-09-03,X,39.9,116.4,city,a1,parade,extra\n", "row has 11 fields"),
    ],
)
def test_event_row_errors_name_file_and_line(tmp_path, row, expected):
    folder = dataset(
        tmp_path, HEADER + GOOD_ROW.replace("e1,", "e0,") + row, citations_csv=CITE + "events,e0,,,,,Background note,\n"
    )
    got = messages(folder / "events.csv")
    assert any(m.startswith(f"{folder / 'events.csv'}:3: ") and expected in m for m in got), got


def test_duplicate_ids_point_at_the_second_row(tmp_path):
    folder = dataset(tmp_path, HEADER + GOOD_ROW + GOOD_ROW)
    assert f"{folder / 'events.csv'}:3: duplicate id 'e1' (first at {folder / 'events.csv'}:2)" in messages(folder)


def test_line_numbers_count_physical_lines_of_multiline_cells(tmp_path):
    text = (
        HEADER
        + 'e1,A title,"Two\nlines",2025-09-03,X,39.9,116.4,city,a1,parade\n'
        + "e2,T,S,2025-02-30,X,1,1,city,a1,x\n"
    )
    folder = dataset(tmp_path, text)
    assert any(m.startswith(f"{folder / 'events.csv'}:4: impossible date") for m in messages(folder))


def test_missing_required_column(tmp_path):
    folder = dataset(tmp_path, "id,title,date\ne1,T,2025\n")
    assert f"{folder / 'events.csv'}:1: missing required column(s): summary" in messages(folder)


def test_missing_events_file(tmp_path):
    tmp_path.joinpath("actors.csv").write_text("id,name,kind\na,A,person\n", encoding="utf-8")
    assert any("events file is required" in m for m in messages(tmp_path))


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "empty file (0 bytes)"),
        (b"\n\n  \n", "file has no content"),
        ("id,title\n\u00e9".encode("latin-1"), "not valid UTF-8 (byte 0xe9"),
        ("id,title\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_empty_and_badly_encoded_files(tmp_path, content, expected):
    folder = dataset(tmp_path)
    (folder / "events.csv").write_bytes(content)
    got = messages(folder / "events.csv")
    assert any(expected in m and m.startswith(str(folder / "events.csv")) for m in got), got


def test_utf8_bom_is_accepted(tmp_path):
    folder = dataset(tmp_path)
    (folder / "events.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD_ROW).encode())
    assert messages(folder) == []


def test_oversized_field(tmp_path):
    folder = dataset(tmp_path, HEADER + GOOD_ROW.replace("Own words.", "x" * 10_001))
    assert any(m.startswith(f"{folder / 'events.csv'}:2: field(s) longer than 10000") for m in messages(folder))


def test_span_outside_file_and_sha_mismatch(tmp_path, seeds_dir, monkeypatch):
    monkeypatch.setenv("GEO_SOURCES_DIR", str(seeds_dir))
    cites = (
        "layer,item,file,sha256,start,end,evidence\n"
        "events,e1,000_53339dbecfd33ada.txt,,10,999999,\n"
        f"events,e1,000_53339dbecfd33ada.txt,{'ab' * 32},10,20,\n"
        "events,e1,000_53339dbecfd33ada.txt,,0,40,Tokyo\n"
        "events,e1,unknown.txt,,0,5,\n"
    )
    folder = dataset(tmp_path, citations_csv=cites)
    got = messages(folder / "citations.csv")
    label = folder / "citations.csv"
    assert any(m.startswith(f"{label}:2: ") and "outside the file" in m for m in got), got
    assert any(m.startswith(f"{label}:3: ") and "SHA-256 mismatch" in m for m in got), got
    assert any(m.startswith(f"{label}:4: ") and "does not mention 'Tokyo'" in m for m in got), got
    assert any(m.startswith(f"{label}:5: ") and "not in the sources.csv manifest" in m for m in got), got


def test_unknown_geocodable_place_is_an_error(tmp_path):
    row = "e1,A title,Own words.,2025-09-03,Qwxzzyville Nowhere,,,city,a1,parade\n"
    folder = dataset(tmp_path, HEADER + row)
    assert any(
        m.startswith(f"{folder / 'events.csv'}:2: cannot resolve place 'Qwxzzyville Nowhere'") for m in messages(folder)
    )


def _fc(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


LINE = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{"type": "FeatureCollection", "features": [', "routes.geojson:1: invalid JSON"),
        (json.dumps({"type": "Feature"}), "expected a GeoJSON FeatureCollection, got 'Feature'"),
        (
            _fc(_feature({"type": "Point", "coordinates": [0, 0]}, id="r", name="R", status="planned")),
            "routes.geojson: feature 1: geometry type 'Point' not allowed here",
        ),
        (
            _fc(
                _feature(LINE, id="r", name="R", status="planned"),
                _feature({"type": "LineString", "coordinates": [[0, 0], [200, 1]]}, id="s", name="S", status="planned"),
            ),
            "routes.geojson: feature 2: coordinate [200, 1] out of range",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "r", "name": "R", '
            '"status": "planned"}, "geometry": {"type": "LineString", "coordinates": [[0, NaN], [1, 1]]}}]}',
            "routes.geojson: feature 1: coordinate [0, nan] is not finite",
        ),
        (_fc(_feature(LINE, id="r", name="R", status="finished")), "feature 1: status 'finished' is not one of"),
        (
            _fc(_feature(LINE, id="r", name="R", status="planned", approximate="maybe")),
            "feature 1: approximate: 'maybe' is not true/false",
        ),
        (
            _fc(
                _feature(LINE, id="r", name="R", status="planned"), _feature(LINE, id="r", name="R2", status="planned")
            ),
            "routes.geojson: feature 2: duplicate id 'r'",
        ),
    ],
)
def test_geojson_errors_name_the_feature(tmp_path, text, expected):
    folder = dataset(tmp_path)
    (folder / "routes.geojson").write_text(text, encoding="utf-8")
    got = messages(folder / "routes.geojson")
    assert any(expected in m for m in got), got


def test_events_geojson_with_lists(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "events.geojson").write_text(
        _fc(
            _feature(
                {"type": "Point", "coordinates": [116.4, 39.9]},
                id="g1",
                title="T",
                summary="S",
                date="2025-09",
                actors=["x", "y"],
                type="talks",
                sources=[{"citation": "Background note"}],
                figures=[{"name": "troops", "value": 10, "unit": "soldiers", "claimed_by": "someone"}],
            ),
            _feature(
                None,
                id="g2",
                title="T",
                summary="S",
                date="2025",
                place="nowhere-at-all-qq",
                sources=[{"citation": "c"}],
            ),
        ),
        encoding="utf-8",
    )
    ds, errors = load_dataset(folder)
    assert [str(e) for e in errors] == [
        f"{folder / 'events.geojson'}: feature 2: cannot resolve place 'nowhere-at-all-qq'; "
        "add it to places.csv or give lat/lon"
    ]
    (g1,) = ds.events
    assert g1.actors == ("x", "y") and g1.date_precision == "month" and g1.figures[0].value == 10


def test_single_non_event_file_is_checked_alone(tmp_path):
    (tmp_path / "actors.csv").write_text("id,name,kind,colour\na,A,robot,red\n", encoding="utf-8")
    got = messages(tmp_path / "actors.csv")
    assert f"{tmp_path / 'actors.csv'}:2: kind 'robot' is not one of person, state, organisation" in got
    assert f"{tmp_path / 'actors.csv'}:2: colour 'red' is not #RRGGBB" in got


def test_unknown_file_name(tmp_path):
    (tmp_path / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    assert "unknown file name" in messages(tmp_path / "notes.csv")[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda s: (HEADER + s).encode("utf-8", "replace")))
def test_validation_never_raises_on_arbitrary_bytes(tmp_path, blob):
    (tmp_path / "events.csv").write_bytes(blob)
    for err in validate_path(tmp_path / "events.csv"):
        assert str(err).startswith(str(tmp_path / "events.csv"))


def test_numeric_fields_in_side_files(tmp_path):
    folder = dataset(
        tmp_path,
        figures_csv="event_id,name,value,unit\ne1,troops,lots,soldiers\nghost,troops,5,soldiers\n",
        citations_csv=CITE + "events,e1,000_53339dbecfd33ada.txt,ten,20,\n",
    )
    got = messages(folder)
    assert f"{folder / 'figures.csv'}:2: value: 'lots' is not a number" in got
    assert f"{folder / 'figures.csv'}:3: unknown event id 'ghost'" in got
    assert f"{folder / 'citations.csv'}:3: start: 'ten' is not a number" in got


def test_one_broken_row_reports_all_its_problems_without_cascading(tmp_path):
    row = "e2,T,S,2025-02-30,X,1,1,city,a1;ghost,x\n"
    folder = dataset(tmp_path, HEADER + GOOD_ROW + row, citations_csv=CITE + "events,e2,,,,,Background,\n")
    got = messages(folder)
    assert sorted(got) == sorted(
        [
            f"{folder / 'events.csv'}:3: impossible date '2025-02-30'",
            f"{folder / 'events.csv'}:3: unknown actor id(s): ghost",
        ]
    )


def test_relations_need_known_actors(tmp_path):
    folder = dataset(tmp_path, relations_csv="id,source,target,type\nr1,a1,zz,talks\nr2,a1,a1,\n")
    got = messages(folder / "relations.csv")
    assert f"{folder / 'relations.csv'}:2: unknown actor id(s): zz" in got
    assert f"{folder / 'relations.csv'}:3: type is required" in got
