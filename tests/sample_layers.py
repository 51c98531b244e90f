"""Small hand-made layers in the layer contract (docs/layers.md), independent of the curated data."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point, box


def sample_layers(title: str = "Parade in Beijing", summary: str = "A parade.", actor_name: str = "Xi Jinping") -> dict:
    events = gpd.GeoDataFrame(
        {
            "id": ["e1", "e2", "e3", "e4"],
            "title": [title, "Summit in Tianjin", "Train leaves Pyongyang", "Losses in the Kursk region"],
            "summary": [summary, "Leaders meet.", "A long train ride.", "Reported losses."],
            "date": ["2025-09-03", "2025-08-31", "2025-09-01", "2025"],
            "date_precision": ["day", "day", "day", "year"],
            "place": ["Beijing", "Tianjin", "Pyongyang", "Kursk Oblast"],
            "place_precision": ["city", "city", "city", "region"],
            "uncertainty_km": [0.0, 0.0, 0.0, 120.0],
            "region_id": ["", "", "", ""],
            "type": ["parade", "summit", "travel", "casualty report"],
            "actors": [["xi"], ["xi", "putin"], ["kim"], ["kim"]],
        },
        geometry=[Point(116.397, 39.907), Point(117.2, 39.13), Point(125.75, 39.03), Point(36.2, 51.7)],
        crs=4326,
    )
    actors = gpd.GeoDataFrame(
        {
            "id": ["xi", "putin", "kim"],
            "name": [actor_name, "Vladimir Putin", "Kim Jong Un"],
            "native_name": ["习近平", "Путин", "김정은"],
            "colour": ["#d55e00", "#009e73", "#0072b2"],
        },
        geometry=[Point(116.4, 39.9), Point(37.6, 55.75), Point(125.75, 39.03)],
        crs=4326,
    )
    routes = gpd.GeoDataFrame(
        {
            "id": ["pos2"],
            "name": ["Pipeline"],
            "status": ["MoU signed"],
            "approximate": [True],
            "description": [""],
        },
        geometry=[LineString([(68.4, 70.4), (92.9, 56.0), (106.9, 47.9), (111.9, 43.6)])],
        crs=4326,
    )
    regions = gpd.GeoDataFrame(
        {
            "id": ["kursk"],
            "name": ["Kursk Oblast"],
            "kind": ["admin1"],
            "approximate": [True],
            "description": [""],
        },
        geometry=[box(34.5, 50.9, 38.5, 52.4)],
        crs=4326,
    )
    relations = gpd.GeoDataFrame(
        {
            "id": ["r1"],
            "source": ["putin"],
            "target": ["kim"],
            "type": ["pact"],
            "date": ["2024-06"],
            "summary": [""],
        },
        geometry=[LineString([(37.6, 55.75), (125.75, 39.03)])],
        crs=4326,
    )
    return {"events": events, "actors": actors, "routes": routes, "regions": regions, "relations": relations}
