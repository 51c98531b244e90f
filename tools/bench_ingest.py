"""Ingest throughput on this machine: 1 vs 2 Dask workers, processes vs threads.

    python tools/bench_ingest.py [--copies 10] [--postgis URL]

The corpus is the GeoWebNews texts, read from ../shared (beside the repository) at run time (evaluation
only: nothing is copied into the repository). Each copy gets a marker line so its
content hash differs and the store ingests it again. Every run writes a fresh
GeoPackage; the exports are hashed to check that all runs agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import ingest, store

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "geoparse" / "geowebnews.jsonl"


def make_corpus(gold: Path, copies: int, out: Path) -> tuple[int, int]:
    recs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    chars = 0
    with open(out, "w", encoding="utf-8") as fh:
        for k in range(copies):
            for r in recs:
                text = r["text"] + (f"\n\n[copy {k}]" if k else "")
                chars += len(text)
                fh.write(json.dumps({"id": f"{k:03d}-{int(r['id']):04d}", "text": text}) + "\n")
    return copies * len(recs), chars


def digest(st) -> str:
    return hashlib.sha256(st.read_layer("mentions").to_json(sort_keys=True).encode()).hexdigest()[:16]


def serial_baseline(corpus: Path) -> float:
    from geo.geoparse.geocode import parse

    arts = ingest.read_corpus(corpus)
    parse("Paris and London.")
    t0 = time.perf_counter()
    for a in arts:
        ingest.mention_rows(a, parse)
    return len(arts) / (time.perf_counter() - t0)


def cpu_seconds() -> float:
    """CPU used by this process and its reaped children (the worker processes)."""
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def run(corpus: Path, url: str, workers: int, processes: bool) -> dict:
    st = store.open_store(url)
    load = os.getloadavg()[0]
    cpu0 = cpu_seconds()
    r = ingest.ingest(corpus, st, workers=workers, processes=processes)
    cpu = cpu_seconds() - cpu0  # other users of the machine do not inflate this one
    return {
        "workers": workers,
        "mode": "processes" if processes else "threads",
        "new": r.new,
        "mentions": r.mentions,
        "parse_s": r.parse_seconds,
        "total_s": r.seconds,
        "parse_rate": r.new / r.parse_seconds,
        "total_rate": r.new / r.seconds,
        "cpu_s": cpu,
        "load": load,
        "digest": digest(st),
    }


VIEWPORTS = {"city (New Orleans)": (-90.3, 29.8, -89.9, 30.1), "continent (Europe)": (-10.0, 35.0, 30.0, 60.0)}


def explain_viewports(pg) -> None:
    """EXPLAIN ANALYZE of the app's viewport query on the ingested table."""
    from sqlalchemy import text

    with pg.engine.begin() as con:
        con.exec_driver_sql(f"ANALYZE {pg.schema}.mentions")
        for label, bbox in VIEWPORTS.items():
            sql, params = store.viewport_query(pg.schema, bbox)
            plan = [r[0] for r in con.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params)]
            print(f"\nviewport {label} {bbox}:\n    " + "\n    ".join(plan))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--postgis", metavar="URL", help="also ingest with 2 workers into this PostGIS database")
    args = ap.parse_args()
    if not args.gold.is_file():
        sys.stderr.write(
            f"error: {args.gold} not found (the GeoWebNews corpus lives in ../shared beside the repository)\n"
        )
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        n, chars = make_corpus(args.gold, args.copies, corpus)
        print(
            f"corpus: {n} articles, {chars / 1e6:.2f} M characters; {os.cpu_count()} CPUs; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        print(f"serial baseline (no Dask, one process): {serial_baseline(corpus):.0f} articles/s")
        rows = []
        for workers, processes in [(1, True), (2, True), (1, False), (2, False)]:
            rows.append(run(corpus, str(Path(tmp) / f"s{workers}{processes}.gpkg"), workers, processes))
        if args.postgis:
            from urllib.parse import quote

            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgis, autocommit=True) as con:
                con.execute(f"CREATE SCHEMA {schema}")
            url = f"{args.postgis}?options={quote(f'-csearch_path={schema},public')}"
            try:
                row = run(corpus, url, 2, True)
                row["mode"] += " → PostGIS"
                rows.append(row)
                explain_viewports(store.open_store(url))
            finally:
                store._engine(url).dispose()
                with psycopg.connect(args.postgis, autocommit=True) as con:
                    con.execute(f"DROP SCHEMA {schema} CASCADE")
    print(
        "\n| workers | mode | articles | mentions | geoparse s | articles/s (geoparse) | total s | articles/s (total) | CPU s | load before | export sha256[:16] |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['workers']} | {r['mode']} | {r['new']} | {r['mentions']} | {r['parse_s']:.2f} | "
            f"{r['parse_rate']:.0f} | {r['total_s']:.2f} | {r['total_rate']:.0f} | {r['cpu_s']:.1f} | {r['load']:.1f} | `{r['digest']}` |"
        )
    same = len({r["digest"] for r in rows}) == 1
    print(f"\nidentical exports across runs: {'yes' if same else 'NO'}; load average after: {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
