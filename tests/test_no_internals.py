"""No internals on screen (issue 20): names, not ids, in popups; a legend of the colours drawn."""

from __future__ import annotations

from sample_layers import sample_layers

from geo.web import payload as map_payload


def _events_spec(layers):
    spec = map_payload.build_payload(layers)
    return spec, next(s for s in spec["layers"] if s["kind"] == "events")


def test_legend_lists_only_the_actor_colours_dots_are_drawn_in():
    layers = sample_layers()
    spec, _ = _events_spec(layers)
    labels = [item["label"] for item in spec["legend"] if item["shape"] == "dot"]
    # Putin is only ever a second actor (e2: xi, putin): his colour is on no dot.
    assert "Xi Jinping" in labels and "Kim Jong Un" in labels
    assert not any("Putin" in label for label in labels)
    layers["events"].at[1, "actors"] = ["putin", "xi"]
    spec, _ = _events_spec(layers)
    assert any("Putin" in item["label"] for item in spec["legend"])


def test_an_event_placed_in_a_region_shows_the_regions_name():
    layers = sample_layers()
    layers["events"].at[3, "place"] = "kursk"
    layers["events"].at[3, "region_id"] = "kursk"
    _, events = _events_spec(layers)
    places = [row[events["fields"].index("place")] for row in events["rows"]]
    assert "Kursk Oblast" in places and "kursk" not in places
