"""A first build reports its named stages (the app shows them in a progress bar), and says when it is current."""

from __future__ import annotations

from pathlib import Path

from geo import layers
from geo.layers import cache as build_stage

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_build_reports_each_stage_in_order_and_a_current_build_none(isolated_build):
    signature = layers.dataset_signature(DATA)
    assert not layers.is_current(signature, DATA)
    seen: list[tuple[float, str]] = []
    result = layers.build(DATA, progress=lambda fraction, text: seen.append((fraction, text)))
    assert result.built and result.counts["events"] > 0
    assert [text for _, text in seen] == [text for _, _, text in build_stage.STAGES]
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] < 1
    assert layers.is_current(signature, DATA)
    seen.clear()
    assert layers.build(DATA, progress=lambda fraction, text: seen.append((fraction, text))).built is False
    assert seen == []
    assert not layers.is_current("another signature", DATA)
