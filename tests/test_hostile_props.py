"""Property-based tests: readers and the extractor raise nothing but their documented errors, and text
round-trips exactly through CSV, GeoJSON, the script-JSON and HTML escaping paths."""

from __future__ import annotations

import csv
import html
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import dataset as ev
from geo.articles import reading
from geo.dataset import parse as ev_parse
from geo.dataset import readers as ev_readers
from geo.dataset import rules as ev_rules
from geo.web import escape

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TMP = Path(tempfile.mkdtemp(prefix="atlas-props-"))

# Text as a CSV cell can hold it: no NUL, no surrogates; the reader strips surrounding whitespace.
cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
hostile_cell = st.one_of(
    cell,
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "`${x}`",
            "{{ 7*7 }}",
            '"><img src=x onerror=alert(1)>',
            "=1+1",
            "北京阅兵",
            "Курская область",
            "Ñandú",
            "\u2028",
            "a\r\nb",
            '"',
            "\ufeff",
        ]
    ),
)


def _write(name: str, data: bytes) -> Path:
    path = TMP / name
    path.write_bytes(data)
    return path


@SETTINGS
@given(st.binary(max_size=400))
def test_csv_reader_turns_any_bytes_into_rows_or_errors(data):
    errors = ev_readers.ErrorList()
    rows = ev_readers.read_csv_rows(_write("any.csv", data), "any.csv", "events", errors)
    assert all(isinstance(e, ev.ValidationError) for e in errors)
    assert all(isinstance(line, int) and isinstance(row, dict) for line, row in rows)
    assert all(str(e).startswith("any.csv") for e in errors)


@SETTINGS
@given(st.lists(st.tuples(hostile_cell, hostile_cell, hostile_cell), min_size=1, max_size=6), st.booleans())
def test_csv_round_trip(records, bom):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "summary", "date"])
    for i, (title, summary, date) in enumerate(records):
        writer.writerow([f"e{i}", title, summary, date])
    data = ("\ufeff" if bom else "") + out.getvalue()
    errors = ev_readers.ErrorList()
    rows = ev_readers.read_csv_rows(_write("rt.csv", data.encode("utf-8")), "rt.csv", "events", errors)
    assert not errors, errors
    got = [(r["title"], r["summary"], r["date"]) for _, r in rows]
    assert got == [(t.strip(), s.strip(), d.strip()) for t, s, d in records]


@SETTINGS
@given(
    st.lists(
        st.tuples(
            hostile_cell, st.text(max_size=12), st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=8))
        ),
        max_size=5,
    )
)
def test_events_parser_never_raises(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "summary", "date", "lat", "lon"])
    for i, (title, date, lat) in enumerate(rows):
        writer.writerow([f"e{i}", title, "s", date, "" if lat is None else lat, "1"])
    folder = TMP / "ds"
    folder.mkdir(exist_ok=True)
    (folder / "events.csv").write_text(out.getvalue(), encoding="utf-8")
    ds, errors = ev.load_dataset(folder, resolve=False)
    assert all(isinstance(e, ev.ValidationError) for e in errors)
    assert len(ds.events) <= len(rows)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_cell),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(hostile_cell, children, max_size=4)),
    max_leaves=20,
)
geometries = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString", "GeometryCollection", "Nope"]
        ),
        "coordinates": json_values,
    }
)
features = st.fixed_dictionaries(
    {"type": st.just("Feature"), "properties": json_values, "geometry": st.one_of(st.none(), geometries, json_values)}
)


@SETTINGS
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries({"type": st.just("FeatureCollection"), "features": st.lists(features, max_size=4)}),
    )
)
def test_geojson_reader_turns_any_json_into_features_or_errors(doc):
    path = _write("any.geojson", json.dumps(doc).encode("utf-8"))
    for allowed in (("LineString", "MultiLineString"), ("Polygon", "MultiPolygon"), ("Point",)):
        errors = ev_readers.ErrorList()
        feats = ev_readers.read_geojson_features(path, "any.geojson", allowed, errors, allow_null=True)
        assert all(isinstance(e, ev.ValidationError) for e in errors)
        assert all(g is None or g.geom_type in allowed or g.geom_type == "GeometryCollection" for _, _, g in feats)
    errors = ev_readers.ErrorList()
    ev_parse.parse_routes(path, "any.geojson", ev_rules.SourceContext({}), errors)
    ev_parse.parse_regions(path, "any.geojson", ev_rules.SourceContext({}), errors)


@SETTINGS
@given(st.binary(max_size=300))
def test_geojson_reader_any_bytes(data):
    errors = ev_readers.ErrorList()
    ev_readers.read_geojson_features(_write("b.geojson", data), "b.geojson", ("Point",), errors)
    assert all(isinstance(e, ev.ValidationError) for e in errors)


@SETTINGS
@given(st.binary(max_size=500), st.sampled_from(["a.txt", "a.md", "a.html", "a.htm", "a.pdf", "noext", "<x>.txt"]))
def test_extractor_raises_only_value_error(data, name):
    try:
        text = reading.read_upload(name, data, limit=400)
    except ValueError as exc:
        assert name in str(exc)
        return
    assert isinstance(text, str)


@SETTINGS
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
def test_extractor_text_round_trip_and_html_never_raises(text):
    assert reading.read_upload("a.txt", text.encode("utf-8")) == text.removeprefix("\ufeff")
    assert isinstance(reading.html_to_text(text), str)
    assert "<script" not in reading.read_upload("a.html", f"<p>{html.escape(text)}</p><script>x</script>".encode())


@SETTINGS
@given(json_values)
def test_script_json_round_trips_and_cannot_leave_its_script(value):
    try:
        text = escape.script_json(value)
    except ValueError:  # NaN/Infinity are refused (allow_nan=False)
        return
    assert json.loads(text) == value or text == escape.script_json(json.loads(text))
    for bad in ("<", ">", "&", "{{", "{%", "{#", "\u2028", "\u2029"):
        assert bad not in text


@SETTINGS
@given(hostile_cell)
def test_escape_html_round_trips(value):
    escaped = escape.escape_html(value)
    assert html.unescape(escaped) == value
    assert not set(escaped) & set("<>\"'`${}")
