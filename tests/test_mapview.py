import json
import re

from sample_layers import sample_layers

from geo.web import assets, escape, mapview
from geo.web import payload as map_payload


def test_escape_html_neutralises_markup_and_template_literals():
    out = escape.escape_html('<img src=x onerror="a()"> `${x}` &')
    assert "<" not in out and ">" not in out and '"' not in out
    assert "`" not in out and "$" not in out
    assert out.startswith("&lt;img")


def test_script_json_cannot_close_the_script_element():
    payload = {"title": "</script><script>alert(1)</script>", "line": "a\u2028b", "cdata": "<!--"}
    text = escape.script_json(payload)
    assert "</script" not in text.lower() and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == payload


def test_payload_is_compact_and_keeps_non_ascii_text():
    layers = sample_layers(actor_name="Xi Jinping")
    payload = map_payload.build_payload(layers)
    kinds = [spec["kind"] for spec in payload["layers"]]
    assert kinds == ["regions", "routes", "relations", "events"]
    events = next(spec for spec in payload["layers"] if spec["kind"] == "events")
    assert len(events["rows"]) == 4
    assert set(events["fields"]) >= {"lat", "lon", "id", "title", "actors"}
    labels = [item["label"] for item in payload["legend"]]
    assert "Xi Jinping" in labels
    # Popups name actors with their native-script names.
    assert {"id": "xi", "label": "Xi Jinping (习近平)"} in payload["actors"]
    # Exact places carry no uncertainty ring; the regional one does.
    rings = {row[2]: row[events["fields"].index("uncertainty_km")] for row in events["rows"]}
    assert rings["e1"] == 0 and rings["e4"] == 120.0


def test_visible_limits_layers():
    payload = map_payload.build_payload(sample_layers(), visible=["events"])
    assert [spec["kind"] for spec in payload["layers"]] == ["events"]


def test_rendered_map_uses_no_outside_assets():
    html = mapview.make_map(sample_layers()).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "expected the vendored assets to be linked"
    assert all(url.startswith("data:") for url in urls), [u[:60] for u in urls if not u.startswith("data:")]
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_online_tiles_are_off_unless_switched_on(monkeypatch):
    monkeypatch.delenv("GEO_ONLINE_TILES", raising=False)
    assert '"onlineTiles":false' in mapview.make_map(sample_layers()).get_root().render()
    monkeypatch.setenv("GEO_ONLINE_TILES", "1")
    assert '"onlineTiles":true' in mapview.make_map(sample_layers()).get_root().render()


def test_bounds_cover_points_and_routes():
    (south, west), (north, east) = map_payload.data_bounds(sample_layers())
    assert south < 39.1 and north > 70 and west < 36.3 and east > 125.7


def test_bounds_leave_out_a_far_outlier_event():
    import geopandas as gpd
    from shapely.geometry import Point

    layers = sample_layers()
    events = layers["events"]
    many = gpd.GeoDataFrame(
        {col: list(events[col]) * 6 for col in events.columns if col != "geometry"},
        geometry=list(events.geometry) * 5 + [Point(-77.04, 38.9)] * 2 + list(events.geometry)[:2],
        crs=4326,
    )
    (south, west), (north, east) = map_payload.data_bounds({"events": many})
    assert west > 0, "a few far-away events should not pull the frame around the world"


def test_served_assets_are_local_paths_that_exist():
    from geo import config

    html = mapview.make_map(sample_layers(), served_assets=True).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith(assets.SERVED_BASE + "/") for url in urls), urls
    # Streamlit serves the app folder's static/: every URL is a file inside it (not a link out of it).
    static = (config.PROJECT_ROOT / "static").resolve()
    for url in urls:
        served = (static / url[len(assets.SERVED_BASE) + 1 :]).resolve()
        assert served.is_file() and served.is_relative_to(static), url
    css = static / "assets" / "atlas.css"
    assert css.read_bytes() == (config.ASSETS_DIR / "atlas.css").read_bytes()
    # The scripts go as one bundle, in load order, with Leaflet's licence header kept.
    bundle = (static / assets.script_bundle()).read_text(encoding="utf-8")
    parts = [(config.ASSETS_DIR / path).read_text(encoding="utf-8") for _, path in assets.MAP_SCRIPTS]
    assert [bundle.index(part) for part in parts] == sorted(bundle.index(part) for part in parts)
    assert bundle.startswith("/* @preserve\n * Leaflet 1.9.4")
    # Nothing is written into the package's source folders.
    assert not (config.ASSETS_DIR / "cache").exists()


def test_unwritable_static_inlines_assets_and_data(tmp_path, monkeypatch):
    """When static/ cannot be written (a read-only install), the map inlines its assets and the data
    becomes a data: URI, so the page still works with no request out."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(assets, "STATIC_LINK", blocker / "static")
    assets._prepared_static.cache_clear()
    assets.script_bundle.cache_clear()
    try:
        assert assets.static_dir() is None and not assets.serving_available()
        js, css = assets.served_asset_links()
        assert all(url.startswith("data:") for _, url in js + css)
        published = mapview.publish_data(sample_layers())
        assert published.path is None and published.url.startswith("data:application/json;base64,")
        assert mapview.touch_published(published)
    finally:
        assets._prepared_static.cache_clear()
        assets.script_bundle.cache_clear()


def test_published_files_in_use_survive_pruning(tmp_path, monkeypatch):
    """Old payload files are pruned beyond the newest few, but never one used within the hour: an open
    page or another session may still fetch it."""
    import os
    import time

    monkeypatch.setattr(assets, "published_dir", lambda: tmp_path)
    monkeypatch.setattr(mapview, "_KEEP_PUBLISHED", 2)
    published = mapview.publish_data(sample_layers())
    day_ago = time.time() - 86400
    old = []
    for n in range(4):
        f = tmp_path / f"atlas-old{n}.json"
        f.write_text("{}")
        os.utime(f, (day_ago - n, day_ago - n))
        old.append(f)
    os.utime(published.path, (day_ago - 10, day_ago - 10))  # oldest of all …
    assert mapview.touch_published(published)  # … until a rerun uses it again
    mapview._prune_published(tmp_path)
    left = sorted(f.name for f in tmp_path.glob("atlas-*.json"))
    assert left == sorted([published.path.name, "atlas-old0.json"])

    published.path.unlink()
    assert not mapview.touch_published(published)
