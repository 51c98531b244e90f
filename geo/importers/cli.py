"""`python -m geo import FILE --from FORMAT --to DIR [options]`: the subcommand (registered by geo.cli).

`--from` names the format, so the date filter is `--since` / `--until` (the issue's `--from`/`--to`
dates). Exit 0 when the folder was written (or nothing new was found), 2 when nothing was written.
"""

from __future__ import annotations

import argparse
import sys

from geo.importers.writer import READERS


def _date(text: str) -> str:
    from geo.importers.common import parse_date

    iso = parse_date(text)
    if not iso or len(iso) != 10:
        raise argparse.ArgumentTypeError(f"expected a day YYYY-MM-DD, got {text!r}")
    return iso


def _where(text: str) -> tuple[str, str]:
    col, sep, value = text.partition("=")
    if not sep or not col.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return col.strip(), value.strip()


def add_parser(sub) -> None:
    """Register the `import` subcommand on geo.cli's subparsers."""
    p = sub.add_parser("import", help="import ACLED, GDELT, GeoJSON, KML, GeoPackage or CSV into a dataset folder")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--from", dest="fmt", required=True, choices=sorted(READERS), help="format of FILE")
    p.add_argument("--to", dest="to", required=True, metavar="DIR", help="dataset folder to write or add to")
    p.add_argument("--map", default="", metavar="FIELD=COLUMN,…", help="name the columns: title=name,date=when")
    p.add_argument("--crs", default="", metavar="EPSG:…", help="CSV: coordinate system of x/y (transformed to WGS84)")
    p.add_argument("--bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"), help="only what lies in this box")
    p.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD", help="only events on/after this day")
    p.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD", help="only events on/before this day")
    p.add_argument("--where", type=_where, action="append", default=[], metavar="COLUMN=VALUE",
                   help="only rows whose source column has this value (repeatable; case-insensitive)")  # fmt: skip
    p.add_argument("--prefix", default="", help="id prefix (default: the format name, e.g. acled-RUS1001)")
    p.add_argument("--layer", default="", help="GeoPackage/KML: import only this layer")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from geo.errors import UserError as CliError
    from geo.importers.common import FormatError, ImportFailed, Options, parse_mapping
    from geo.importers.writer import import_file

    try:
        opts = Options(mapping=parse_mapping(args.map), crs=args.crs, bbox=tuple(args.bbox) if args.bbox else None,
                       since=args.since or "", until=args.until or "", where=args.where, prefix=args.prefix, layer=args.layer,
                       progress=not args.quiet and sys.stderr.isatty())  # fmt: skip
        report = import_file(args.file, args.fmt, args.to, opts)
    except (FormatError, ImportFailed) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"import failed: {exc.strerror or exc} ({exc.filename or ''})") from None
    for line in report.lines():
        print(line)
    print(f"{args.to}: {report.total_events:,} events in total" if report.mapped else f"{args.to}: unchanged")
    return 0
