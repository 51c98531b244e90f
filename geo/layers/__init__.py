"""Layers: the dataset as one GeoDataFrame per layer (EPSG:4326; `frames`), built into a cached
GeoPackage (`cache`), exported (`exports`) and filtered for a view (`filters`).

The public entry point is `load_layers`; see docs/layers.md for the layer contract.
"""

from geo.layers.cache import (
    BuildResult,
    build,
    build_if_needed,
    dataset_signature,
    describe_problem,
    gpkg_path,
    is_current,
    layer_counts,
    load_layers,
    read_gpkg,
    stored_signature,
    write_gpkg,
)
from geo.layers.exports import (
    EVENT_CSV_COLUMNS,
    events_csv_text,
    export,
    export_csv,
    export_geojson,
    export_kml,
    geojson_text,
    neutralise,
)
from geo.layers.frames import (
    COLUMNS,
    GEOMETRY_TYPES,
    LAYERS,
    LIST_COLUMNS,
    SCHEMA_VERSION,
    article_mentions,
    empty_layers,
    make_layers,
    mention_rows,
    mentions_frame,
)

__all__ = [
    "COLUMNS",
    "EVENT_CSV_COLUMNS",
    "GEOMETRY_TYPES",
    "LAYERS",
    "LIST_COLUMNS",
    "SCHEMA_VERSION",
    "BuildResult",
    "article_mentions",
    "build",
    "build_if_needed",
    "dataset_signature",
    "describe_problem",
    "empty_layers",
    "events_csv_text",
    "export",
    "export_csv",
    "export_geojson",
    "export_kml",
    "geojson_text",
    "gpkg_path",
    "is_current",
    "layer_counts",
    "load_layers",
    "make_layers",
    "mention_rows",
    "mentions_frame",
    "neutralise",
    "read_gpkg",
    "stored_signature",
    "write_gpkg",
]
