"""WCAG AA contrast of the text the map draws, read from geo/assets/atlas.css.

axe-core checks contrast in the browser tests, but leaves text over the map undecided ("incomplete"):
it cannot tell what lies behind a label on a canvas and a basemap. Place names are drawn on a halo of
their own (text-shadow in the land or sea colour), so the halo is the background they are read on;
popups, the legend and the list of events in view sit on white panels.
"""

from __future__ import annotations

import re

import pytest

from geo import config

CSS = (config.ASSETS_DIR / "atlas.css").read_text(encoding="utf-8")
AA_TEXT = 4.5  # WCAG 2.x AA for normal-size text (the labels are 11-15 px)


def declared(selector: str, prop: str) -> str:
    """The last value of `prop` in a rule whose selector list holds exactly `selector`."""
    value = None
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)):
        if selector in [s.strip() for s in selectors.split(",")]:
            for name, found in re.findall(r"(--?[\w-]+|[\w-]+)\s*:\s*([^;]+)", body):
                if name == prop:
                    value = found.strip()
    assert value is not None, f"{prop} not declared for {selector} in atlas.css"
    return value


def rgb(colour: str) -> tuple[float, float, float]:
    hexa = colour.strip().lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", hexa), colour
    return tuple(int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour: str) -> float:
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


LAND_HALO = declared(".atlas-label", "--halo")
SEA_HALO = declared(".atlas-label-water", "--halo")
LAKE_HALO = declared(".atlas-label-lake", "--halo")

# (what, text colour, the colour behind it)
PAIRS = [
    ("place names", declared(".atlas-label", "color"), LAND_HALO),
    ("country names", declared(".atlas-label-country", "color"), LAND_HALO),
    ("capitals", declared(".atlas-label-capital", "color"), LAND_HALO),
    ("admin-1 regions", declared(".atlas-label-admin1", "color"), LAND_HALO),
    ("physical features on land", declared(".atlas-label-land", "color"), LAND_HALO),
    ("seas", declared(".atlas-label-water", "color"), SEA_HALO),
    ("lakes", declared(".atlas-label-water", "color"), LAKE_HALO),
    ("popup text", declared(".atlas-popup", "color"), "#ffffff"),
    ("popup details", declared(".atlas-popup-meta", "color"), "#ffffff"),
    ("popup event id", declared(".atlas-popup-id", "color"), "#ffffff"),
    ("events in view", declared(".atlas-events-item", "color"), "#ffffff"),
    (
        "events in view, focused",
        declared(".atlas-events-item", "color"),
        declared(".atlas-events-item:focus", "background"),
    ),
    ("events in view note", declared(".atlas-events-note", "color"), "#ffffff"),
    ("map notice", declared(".atlas-notice", "color"), declared(".atlas-notice", "background")),
]


@pytest.mark.parametrize("what, text, behind", PAIRS, ids=[p[0] for p in PAIRS])
def test_map_text_meets_wcag_aa(what, text, behind):
    assert contrast(text, behind) >= AA_TEXT, f"{what}: {text} on {behind} is {contrast(text, behind):.2f}:1"
