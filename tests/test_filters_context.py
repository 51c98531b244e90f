"""Filters apply to every layer they mean something for (issue 20: "Filters, layers and the map agree")."""

from __future__ import annotations

import geopandas as gpd
from sample_layers import sample_layers
from shapely.geometry import LineString, Point

from geo.layers import filters as F


def _layers():
    layers = sample_layers()
    layers["routes"] = gpd.GeoDataFrame(
        {
            "id": ["pos2", "train"],
            "name": ["Pipeline", "Armoured train"],
            "status": ["MoU signed", "completed"],
            "approximate": [True, True],
            "description": ["Gas across Mongolia.", "Pyongyang to Beijing."],
            "waypoints": [["Irkutsk", "Ulaanbaatar", "Erenhot"], ["Sinuiju", "Dandong"]],
            "sources": [[{"file": "a.txt", "start": 0, "end": 4}], [{"file": "b.txt", "start": 0, "end": 4}]],
        },
        geometry=[
            LineString([(104.3, 52.3), (106.9, 47.9), (111.9, 43.6)]),
            LineString([(125.75, 39.03), (124.4, 40.1), (116.4, 39.9)]),
        ],
        crs=4326,
    )
    layers["regions"]["sources"] = [[{"file": "b.txt", "start": 1, "end": 2}]]
    layers["relations"]["sources"] = [[{"file": "a.txt", "start": 1, "end": 2}]]
    layers["mentions"] = gpd.GeoDataFrame(
        {
            "article": ["a.txt", "b.txt"],
            "text": ["Ulaanbaatar", "Kursk"],
            "name": ["Ulaanbaatar", "Kursk"],
            "country": ["MN", "RU"],
            "feature": ["city", "city"],
            "sentence": ["", ""],
        },
        geometry=[Point(106.9, 47.9), Point(36.2, 51.7)],
        crs=4326,
    )
    return layers


def test_search_for_a_place_keeps_the_route_through_it_and_drops_the_rest():
    layers = _layers()
    # "Ulan Bator" is not written anywhere: only the gazetteer's point ties it to the pipeline.
    out = F.filter_layers(layers, F.Filters(query="Ulan Bator"), places=lambda q: [(47.92, 106.92)])
    assert list(out["routes"]["id"]) == ["pos2"]
    assert len(out["events"]) == 0
    assert len(out["regions"]) == 0 and len(out["relations"]) == 0
    assert len(out["mentions"]) == 0  # the mention is spelled "Ulaanbaatar": no alias given here


def test_search_matches_waypoints_and_mention_names_by_text():
    out = F.filter_layers(_layers(), F.Filters(query="ulaanbaatar"))
    assert list(out["routes"]["id"]) == ["pos2"]
    assert list(out["mentions"]["name"]) == ["Ulaanbaatar"]


def test_a_city_near_but_off_the_route_does_not_match():
    # Tianjin is ~110 km from the train's end at Beijing: beyond ROUTE_NEAR_KM.
    out = F.filter_layers(_layers(), F.Filters(query="Tianjin"), places=lambda q: [(39.13, 117.2)])
    assert list(out["events"]["id"]) == ["e2"]
    assert len(out["routes"]) == 0


def test_regions_by_name_or_holding_the_place_and_relations_by_actor_names():
    layers = _layers()
    out = F.filter_layers(layers, F.Filters(query="kursk"))
    assert list(out["regions"]["id"]) == ["kursk"]
    out = F.filter_layers(layers, F.Filters(query="Sudzha"), places=lambda q: [(51.19, 35.27)])
    assert list(out["regions"]["id"]) == ["kursk"]
    out = F.filter_layers(layers, F.Filters(query="Путин"))
    assert list(out["relations"]["id"]) == ["r1"]
    assert len(out["routes"]) == 0


def test_source_article_filter_applies_to_every_layer():
    out = F.filter_layers(_layers(), F.Filters(sources=("a.txt",)))
    assert list(out["routes"]["id"]) == ["pos2"]
    assert list(out["relations"]["id"]) == ["r1"]
    assert len(out["regions"]) == 0
    assert list(out["mentions"]["article"]) == ["a.txt"]


def test_no_filter_leaves_context_layers_whole_and_layer_switches_still_hide():
    layers = _layers()
    out = F.filter_layers(layers, F.Filters())
    for name in ("routes", "regions", "relations", "mentions"):
        assert out[name] is layers[name]
    out = F.filter_layers(layers, F.Filters(layers=("events",), query="ulaanbaatar"))
    assert len(out["routes"]) == 0 and len(out["mentions"]) == 0


def test_the_count_line_says_what_a_filter_leaves_alone():
    assert F.unfiltered_by(F.Filters()) == []
    notes = F.unfiltered_by(F.Filters(types=("parade",)))
    assert notes == ["regions and routes: not filtered by event type"]
    assert F.unfiltered_by(F.Filters(types=("parade",), layers=("events",))) == []


def test_map_position_in_the_url_is_parsed_and_bad_values_ignored():
    assert F.parse_view({"c": "47.9187,106.9177", "z": "6"}) == (47.9187, 106.9177, 6)
    assert F.parse_view({"c": ["1,2"], "z": ["4"]}) == (1.0, 2.0, 4)
    for bad in (
        {"c": "91,0", "z": "5"},
        {"c": "10,20"},
        {"c": "x,y", "z": "5"},
        {"c": "1,2", "z": "40"},
        {"c": "nan,2", "z": "5"},
        {},
    ):
        assert F.parse_view(bad) is None, bad


def test_count_line_counts_the_other_layers_a_search_filters():
    layers = _layers()
    filters = F.Filters(query="ulaanbaatar")
    out = F.filter_layers(layers, filters)
    line = F.count_line(len(out["events"]), len(layers["events"]), filters, out, layers)
    assert line.startswith("0 of 4 events shown") and "1 of 2 routes" in line and "0 of 1 regions" in line
    off = F.Filters(layers=("routes",))
    line = F.count_line(0, 4, off, F.filter_layers(layers, off), layers)
    assert "(events layer off)" in line


def test_date_controls_brush_and_range():
    import datetime as dt

    from geo.app import dates

    span, window = (dt.date(1961, 7, 11), dt.date(2025, 12, 31)), (dt.date(2025, 8, 1), dt.date(2025, 9, 10))
    # Vega-Lite reports a temporal brush in epoch milliseconds.
    ms = [
        dt.datetime(2025, 8, 12, tzinfo=dt.UTC).timestamp() * 1000,
        dt.datetime(2025, 8, 22, 12, tzinfo=dt.UTC).timestamp() * 1000,
    ]
    assert dates.brush_range({"start": ms}) == (dt.date(2025, 8, 12), dt.date(2025, 8, 22))
    assert dates.brush_range({}) is None and dates.brush_range(None) is None
    state = {}
    dates.set_range(state, dt.date(2020, 1, 1), dt.date(2025, 8, 20), span, window)
    assert state[dates.ALL] is False and state[dates.FROM] == dt.date(2020, 1, 1)
    assert state[dates.SLIDER] == (window[0], dt.date(2025, 8, 20)), "the slider shows the range clipped to its window"
    assert dates.picked(state, span) == (dt.date(2020, 1, 1), dt.date(2025, 8, 20))
    state[dates.ALL] = True
    assert dates.picked(state, span) == (None, None)


def test_a_tick_on_the_map_keeps_the_setting_of_layers_it_does_not_list():
    from geo.app import state as appstate

    value = {"atlas_layers": {"seq": "1-1", "shown": ["regions", "routes"], "listed": ["regions", "routes", "events"]}}
    seq, layers = appstate.map_layer_report(value, ["events", "regions", "mentions"])
    assert seq == "1-1" and layers == ["regions", "routes", "mentions"]
    assert appstate.map_layer_report({"last_object_clicked_tooltip": None}, ["events"]) is None
