"""Issue 16, pure side of the browser work: dated journey waypoints (schema and validation), the
`disputed`/`claims` event columns, the "disputed only" filter, since= marks from a diff, payload fields."""

from __future__ import annotations

from geo.dataset import parse
from geo.layers import filters
from geo.web import changes, payload

CITED = {"citation": "Test reporting"}


def test_waypoints_plain_names_stay_names():
    problems: list[str] = []
    assert parse.route_waypoints(["A", "B"], problems) == (("A", "B"), ())
    assert problems == []


def test_dated_waypoints_need_a_day_a_citation_and_forward_time():
    problems: list[str] = []
    names, dates = parse.route_waypoints(
        [{"name": "A", "date": "2025-09-01", **CITED}, "B", {"name": "C", "date": "2025-09-02", **CITED}], problems
    )
    assert (names, dates, problems) == (("A", "B", "C"), ("2025-09-01", "", "2025-09-02"), [])
    for bad, word in (
        ([{"name": "A", "date": "2025-09", **CITED}], "not a day"),
        ([{"name": "A", "date": "2025-09-01"}], "citation"),
        ([{"name": "A", "date": "2025-09-02", **CITED}, {"name": "B", "date": "2025-09-01", **CITED}], "back in time"),
        ([{"date": "2025-09-01", **CITED}], "no name"),
    ):
        problems = []
        parse.route_waypoints(bad, problems)
        assert any(word in p for p in problems), (bad, problems)


def test_curated_train_is_dated_and_reaches_the_layers(shared_build, monkeypatch):
    from geo import layers

    monkeypatch.setenv("GEO_BUILD_DIR", str(shared_build))
    built = layers.load_layers()
    route = built["routes"].set_index("id").loc["kim-train-2025"]
    assert route["waypoint_dates"][0] == "2025-09-01" and route["waypoint_dates"][-1] == "2025-09-02"
    assert route["waypoints"][0] == "Pyongyang" and route["waypoints"][-1] == "Beijing"
    spec = payload.layer_spec("routes", built, {}, None)
    dated = [f for f in spec["features"] if f["properties"].get("waypoint_dates")]
    assert [f["properties"]["id"] for f in dated] == ["kim-train-2025"]
    # No curated event has conflicting claims: the column is derived, never typed in.
    assert built["events"]["disputed"].dtype == bool and not built["events"]["disputed"].any()
    events = payload.layer_spec("events", built, {}, None)
    row = dict(zip(events["fields"], events["rows"][0], strict=True))
    first = built["events"].iloc[0]
    start = row["start"] or row["date"]  # "" when the browser can infer it (atlas-time.js does the same)
    assert (start, row["end"] or start) == (first["date_start"], first["date_end"])


def test_disputed_only_filter_and_url():
    import geopandas as gpd
    from shapely.geometry import Point

    events = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "title": ["A", "B"],
            "summary": ["", ""],
            "place": ["", ""],
            "type": ["x", "x"],
            "actors": [[], []],
            "date": ["2025", "2025"],
            "disputed": [True, False],
        },
        geometry=[Point(0, 0), Point(1, 1)],
        crs=4326,
    )
    view = filters.Filters(disputed=True)
    assert list(filters.filter_layers({"events": events}, view)["events"]["id"]) == ["a"]
    assert view.to_query_params()["disputed"] == "1"
    assert filters.Filters.from_query_params({"disputed": "1"}).disputed
    assert not filters.Filters.from_query_params({}).disputed


def test_since_marks_follow_the_diff():
    result = {
        "old": "v1",
        "events": {
            "added": [{"key": "n", "label": "N"}],
            "removed": [{"key": "g", "label": "G"}],
            "changed": [{"key": "c", "label": "C", "fields": {"title": {"old": "a", "new": "b"}}}],
        },
        "figures": {
            "added": [{"key": "f | killed | x", "event_id": "d"}, {"key": "n | k | y", "event_id": "n"}],
            "removed": [],
            "changed": [{"key": "c | k | z", "event_id": "c", "fields": {}}],
        },
        "claims": {"added": [], "removed": [], "changed": []},
    }
    old_rows = {"events": [{"key": "g", "id": "g", "title": "Gone", "date": "2025-09-01", "lat": 1.5, "lon": 2.5}]}
    marks = changes.marks(result, old_rows, "v1")
    assert marks["added"] == ["n"]
    assert marks["changed"] == {"c": ["title", "figures"], "d": ["figures"]}  # a new event is not "changed"
    assert marks["removed"] == [{"id": "g", "title": "Gone", "date": "2025-09-01", "lat": 1.5, "lon": 2.5}]
    out = changes.with_marks({"legend": [{"label": "x"}]}, marks)
    assert out["since"]["added"] == ["n"] and len(out["legend"]) == 4
    assert changes.with_marks({"legend": []}, None)["since"] is None


def test_payload_marks_disputed_events_and_legend():
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "title": ["A", "B"],
            "date": ["2025-09", "2025-09-02"],
            "date_start": ["2025-09-01", "2025-09-02"],
            "date_end": ["2025-09-30", "2025-09-04"],
            "type": ["talks", "talks"],
            "actors": [[], []],
            "disputed": [True, False],
        },
        geometry=[Point(0, 0), Point(1, 1)],
        crs=4326,
    )
    spec = payload.layer_spec("events", {"events": frame}, {}, None)
    rows = [dict(zip(spec["fields"], r, strict=True)) for r in spec["rows"]]
    assert [(r["start"], r["end"], r["disputed"]) for r in rows] == [
        ("2025-09-01", "2025-09-30", 1),
        ("", "2025-09-04", 0),
    ]
    legend = payload.legend_entries("events", frame, None, {})
    assert any(item["shape"] == "disputed" for item in legend)
    assert not any(item["shape"] == "disputed" for item in payload.legend_entries("events", frame.iloc[1:], None, {}))
