"""Everything that reaches HTML: escaping (one place), vendored assets, the map payload, the folium map
(`mapview`), the story map and the single-file briefing."""
