"""Benchmark: import a synthetic GDELT 2.0 events file of N rows; print the time and the peak memory.

    python benchmarks/import_gdelt.py --rows 1000000 [--keep DIR]

The file is generated (not a real export): 61 tab-separated columns per row, points spread over the
globe, every ActionGeo_Type and CAMEO root, an http(s) SOURCEURL per row. The import runs as a child
process (`python -m geo import … --quiet`), so the peak resident set size (ru_maxrss of the child) is
the importer's own, validation included. The machine is shared: run the full size once.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACTORS = ["FRANCE", "RUSSIA", "CHINA", "UNITED STATES", "POLICE", "PROTESTER", "GOVERNMENT", "MILITARY", "", "UKRAINE"]


def generate(path: Path, rows: int, seed: int = 1) -> int:
    """Write `rows` synthetic GDELT 2.0 lines to `path`; returns the file size in bytes."""
    from geo.importers.gdelt import COLUMNS_V2

    rng = random.Random(seed)
    index = {c: i for i, c in enumerate(COLUMNS_V2)}
    template = [""] * len(COLUMNS_V2)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(rows):
            r = list(template)
            root = rng.randint(1, 20)
            r[index["GLOBALEVENTID"]] = str(1_000_000_000 + n)
            r[index["SQLDATE"]] = f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            r[index["Actor1Name"]], r[index["Actor2Name"]] = (rng.choice(ACTORS), rng.choice(ACTORS))
            r[index["EventRootCode"]] = f"{root:02d}"
            r[index["EventBaseCode"]] = r[index["EventCode"]] = f"{root:02d}{rng.randint(0, 9)}"
            r[index["NumMentions"]] = str(rng.randint(1, 50))
            r[index["ActionGeo_Type"]] = str(rng.randint(1, 5))
            r[index["ActionGeo_FullName"]] = f"Place {n % 5000}, Region {n % 300}, Country {n % 200}"
            r[index["ActionGeo_Lat"]] = f"{rng.uniform(-60, 70):.4f}"
            r[index["ActionGeo_Long"]] = f"{rng.uniform(-180, 180):.4f}"
            r[index["DATEADDED"]] = "20250101000000"
            r[index["SOURCEURL"]] = f"https://news.example.org/{n}.html"
            fh.write("\t".join(r) + "\n")
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated file and dataset here")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    src, out = work / "events.export.tsv", work / "dataset"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    size = generate(src, args.rows)
    print(f"generated {args.rows:,} rows, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geo", "import", str(src), "--from", "gdelt", "--to", str(out),
                           "--quiet"], env=env, capture_output=True, check=False, text=True)  # fmt: skip
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
    print(f"import: exit {proc.returncode}, {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), "
          f"peak RSS {peak_mb:.0f} MB (limit 1024 MB)")  # fmt: skip
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if proc.returncode == 0 and peak_mb <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
