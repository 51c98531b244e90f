"""Import: ACLED, GDELT, GeoJSON/KML/GeoPackage or any CSV → a valid dataset folder (`python -m geo import`).

Modules: `common` (report, records, ids, links, type vocabulary), one reader per format (`acled`, `gdelt`,
`vector`, `table`), `writer` (staging, merge, validation, swap) and `cli` (the subcommand). The entry
point is `geo.importers.writer.import_file`; docs/importing.md describes options and mapping tables.
"""


def __getattr__(name):  # `geo.importers.import_file`, imported lazily like `geo.load_layers`
    if name == "import_file":
        from geo.importers.writer import import_file

        return import_file
    raise AttributeError(f"module 'geo.importers' has no attribute {name!r}")
