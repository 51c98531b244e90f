"""An article added in the app: its place mentions for the map and the review table, kept apart from
names that merely contain a place ("Power of Siberia 2", "Bank of China": the geoparser marks those
toponyms `embedded`; they stay in its output for scoring, but are no place of the article)."""

from __future__ import annotations

from geo.dataset import reviews as review_mod


def added_mentions(name: str, text: str, reviews: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(places, names containing a place) of one article, as mention-layer rows after `reviews`.

    Examples
    --------
    >>> places, inside = added_mentions("a.txt", "Builders of the Power of Siberia 2 pipeline visited Irkutsk.")
    >>> [r["text"] for r in places], [r["text"] for r in inside]
    (['Irkutsk'], ['Siberia'])
    """
    from geo.geoparse import geocode
    from geo.geoparse import mentions as mention_mod

    toponyms = geocode.parse(text)
    literal = [t for t in toponyms if t.kind != "embedded"]
    embedded = [t for t in toponyms if t.kind == "embedded"]
    places = review_mod.apply_reviews(mention_mod.mention_rows(name, text, literal), reviews or {})
    inside = mention_mod.mention_rows(name, text, embedded)
    return places, inside


def bounds(rows: list[dict]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the rows' points, or None without any.

    Examples
    --------
    >>> bounds([{"lat": 1, "lon": 2}, {"lat": -3, "lon": 5}])
    [[-3.0, 2.0], [1.0, 5.0]]
    """
    pts = [(float(r["lat"]), float(r["lon"])) for r in rows if r.get("lat") is not None and r.get("lon") is not None]
    if not pts:
        return None
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def view_for(box: list[list[float]], width_px: int = 900, height_px: int = 620) -> tuple[list[float], int]:
    """Centre and zoom (Web Mercator, 256 px tiles) that fit `box` in a map of the given size.

    Examples
    --------
    >>> view_for([[40.0, 100.0], [50.0, 110.0]])[1]
    5
    """
    import math

    (south, west), (north, east) = box
    centre = [round((south + north) / 2, 4), round((west + east) / 2, 4)]

    def y(lat: float) -> float:
        s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
        return math.log((1 + s) / (1 - s)) / (4 * math.pi)

    dx = max(east - west, 1e-6) / 360.0
    dy = max(abs(y(north) - y(south)), 1e-6)
    zoom = min(math.log2(width_px * 0.8 / 256 / dx), math.log2(height_px * 0.8 / 256 / dy))
    return centre, int(max(2, min(9, math.floor(zoom))))
