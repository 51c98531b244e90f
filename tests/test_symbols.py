"""Event type symbols: one mapping in geo/web/symbols.py, vendored icons with their licence, the map payload
carrying each event's symbol and the legend listing the types."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sample_layers import sample_layers

from geo.drafting import vocabulary
from geo.web import mapview, symbols

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = [
    "meeting",
    "visit",
    "travel",
    "agreement",
    "statement",
    "military",
    "attack",
    "casualties",
    "ceremony",
    "protest",
    "sanctions",
    "election",
    "disaster",
    "economic",
    "other",
]


def test_vocabulary_is_fixed_and_every_icon_is_vendored_with_its_licence():
    assert list(symbols.TYPES) == VOCABULARY
    for key, (_, icon) in symbols.TYPES.items():
        assert (symbols.ICONS_DIR / f"{icon}.svg").is_file(), key
    assert "MIT License" in (ROOT / "geo/assets/vendor/LICENSE-tabler-icons.txt").read_text(encoding="utf-8")
    assert "tabler" in (ROOT / "NOTICE.md").read_text(encoding="utf-8").lower()


def test_every_type_of_the_dataset_has_a_deliberate_symbol():
    types = set(pd.read_csv(ROOT / "data" / "events.csv", dtype=str, keep_default_na=False)["type"])
    unmapped = sorted(
        t
        for t in types
        if " ".join(t.lower().split()) not in symbols.TYPES and " ".join(t.lower().split()) not in vocabulary.SYNONYMS
    )
    assert not unmapped, f"types that would fall to 'other' silently: {unmapped}"
    assert symbols.symbol_for("Casualty  Report") == "casualties"
    assert symbols.symbol_for("something new") == "other"
    assert all(target in symbols.TYPES for target in vocabulary.SYNONYMS.values())
    assert tuple(symbols.TYPES) == vocabulary.TYPES  # one vocabulary, one symbol per word


def test_generated_script_is_current():
    assert (ROOT / "geo/assets/symbols.js").read_text(encoding="utf-8") == symbols.symbols_js(), (
        "run python -m geo.web.symbols"
    )
    svg = symbols.icon_svg("meeting")
    assert "currentColor" not in svg and "<script" not in svg


def test_payload_carries_each_events_symbol_and_legend_lists_the_types():
    layers = sample_layers()
    payload = mapview.build_payload(layers)
    events = next(spec for spec in payload["layers"] if spec["kind"] == "events")
    at = events["fields"].index("symbol")
    kind = events["fields"].index("type")
    got = {row[events["fields"].index("id")]: row[at] for row in events["rows"]}
    assert got == {"e1": "ceremony", "e2": "meeting", "e3": "travel", "e4": "casualties"}
    assert all(row[at] == symbols.symbol_for(row[kind]) for row in events["rows"])
    legend = [(item["symbol"], item["label"]) for item in payload["legend"] if item["shape"] == "symbol"]
    assert legend == [
        ("meeting", "Meeting, talks"),
        ("travel", "Travel"),
        ("casualties", "Casualties"),
        ("ceremony", "Ceremony, parade"),
    ]
    # A filtered view lists only the types still shown.
    published = mapview.publish_data(layers)
    view = mapview.view_payload(published, {**layers, "events": layers["events"].iloc[[2]]})
    assert [i["symbol"] for i in view["legend"] if i["shape"] == "symbol"] == ["travel"]
