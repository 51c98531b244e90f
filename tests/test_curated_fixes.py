"""Corrections to the curated data (issue 15, item 5) and the journey status vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

from geo import dataset as events
from geo.dataset import csvtext

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def rows(name: str) -> list[dict]:
    return [r for _, r in csvtext.records((DATA / name).read_text("utf-8"))[1]]


def test_journeys_have_their_own_statuses(tmp_path):
    def route(kind: str, status: str) -> dict:
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            "properties": {"id": "r", "name": "R", "kind": kind, "status": status},
        }

    for kind, status, ok in [
        ("rail journey", "completed", True),
        ("rail journey", "under way", True),
        ("rail journey", "operational", False),
        ("gas pipeline", "completed", True),  # a line may be completed too; a journey is never operational
        ("gas pipeline", "operational", True),
    ]:
        path = tmp_path / "routes.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [route(kind, status)]}))
        errors = events.validate_path(path)
        assert (not errors) == ok, (kind, status, errors)
        if not ok and "journey" in kind:
            assert "planned, under way, completed" in str(errors[0])
    kim = next(
        f
        for f in json.loads((DATA / "routes.geojson").read_text())["features"]
        if f["properties"]["id"] == "kim-train-2025"
    )
    assert kim["properties"]["status"] == "completed"


def test_dated_relations_carry_their_own_evidence():
    cites = {}
    for r in rows("citations.csv"):
        if r["layer"] == "relations":
            cites.setdefault(r["item"], []).append(r)
    for rel in rows("relations.csv"):
        if len(rel["date"]) == 10:  # a day-exact date needs a background citation or an article span of its own
            assert rel["id"] in cites, rel["id"]
    background = {r["item"] for r in rows("citations.csv") if r["layer"] == "relations" and r["citation"]}
    assert {"rel-russia-dprk-pact", "rel-china-dprk-alliance", "rel-trump-putin-meeting"} <= background


def test_corrected_events_stay_vague_and_agree_with_figures():
    ev = {r["id"]: r for r in rows("events.csv")}
    for eid in ("lukashenka-xi-meeting", "belarus-arms-industry-cooperation"):
        assert ev[eid]["place_precision"] == "country" and len(ev[eid]["date"]) < 10
    doves = next(f for f in rows("figures.csv") if f["event_id"] == "victory-day-parade" and f["name"] == "doves")
    assert f"{doves['qualifier']} {int(doves['value']):,} doves" in ev["victory-day-parade"]["summary"]
    kursk_cited = [
        r for r in rows("citations.csv") if r["item"] == "dprk-troops-for-russia" and "Kursk" in r["evidence"]
    ]
    assert "Kursk" not in ev["dprk-troops-for-russia"]["summary"] or kursk_cited
    story = (DATA / "stories" / "default.toml").read_text("utf-8")
    assert "well over 15,000" not in story and "short distance" not in story and "more than 15,000" in story
