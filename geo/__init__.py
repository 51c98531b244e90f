"""Briefing Atlas: news articles → geocoded layers → offline Leaflet map."""


def __getattr__(name):  # `geo.load_layers` (public API), imported lazily: geopandas costs ~1.5 s at start-up
    if name == "load_layers":
        from geo.layers import load_layers

        return load_layers
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
