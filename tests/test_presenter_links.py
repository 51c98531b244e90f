"""The link out of presenter mode: back to the explorer view it was entered from (geo/web/presenter.py)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from geo.web import presenter


def test_exit_keeps_the_explorers_filters_in_their_order_and_drops_presenter_params():
    query = [
        ("actor", "kim"),
        ("mode", "present"),
        ("q", "Beijing"),
        ("actor", "xi"),
        ("step", "4"),
        ("story", "default"),
        ("layers", "events,routes"),
    ]
    href = presenter.exit_href(query)
    assert href.startswith("?")
    assert parse_qsl(href[1:]) == [("actor", "kim"), ("q", "Beijing"), ("actor", "xi"), ("layers", "events,routes")]


def test_exit_without_filters_is_the_plain_explorer():
    assert presenter.exit_href([("mode", "present"), ("step", "2")]) == "?"
    assert presenter.exit_href([]) == "?"


def test_exit_link_encodes_text_from_the_url():
    href = presenter.exit_href([("q", 'a&b="<平壤>"#x'), ("mode", "notes")])
    assert "&b" not in href and "<" not in href and '"' not in href and "#" not in href
    assert parse_qsl(href[1:]) == [("q", 'a&b="<平壤>"#x')]


def test_map_script_names_the_map_and_every_stepping_key():
    script = presenter.map_script("map_abc123")
    assert script.rstrip(";").endswith(")") and "(map_abc123, {" in script
    for key in (*presenter.STEP_KEYS, presenter.PLAY_KEY, *presenter.BLANK_KEYS):
        assert f'"{key}": 1' in script
    assert "keyboard.disable()" in script
