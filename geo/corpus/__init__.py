"""Corpus ingest and the store: geoparse many articles on Dask (`ingest`) into a GeoPackage or PostGIS
store of mentions (`store`), queried by the app for the current view."""
