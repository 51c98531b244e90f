"""Geoparser benchmark: `bench_geoparse` runs the geoparser over a gold JSONL and scores it with the
shared scorer (`../shared/geoparse/score.py`, relative to the repository root)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geo import config
from geo.geoparse.mentions import toponym_dict

DEFAULT_SCORER = config.PROJECT_ROOT.parent / "shared" / "geoparse" / "score.py"


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_geoparse(
    gold_path: str | Path, scorer: str | Path | None = None, pred_path: str | Path | None = None, quiet: bool = False
) -> dict:
    """Run the geoparser on every article of `gold_path` and score it with score.py."""
    from geo.geoparse import gazetteer, geocode

    gold_path = Path(gold_path)
    scorer = Path(scorer) if scorer else DEFAULT_SCORER
    if not gold_path.is_file():
        raise FileNotFoundError(f"gold file not found: {gold_path}")
    if not scorer.is_file():
        raise FileNotFoundError(f"scorer not found: {scorer}")

    t0 = time.perf_counter()
    gazetteer.get()
    load_s = time.perf_counter() - t0

    articles = []
    with open(gold_path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                articles.append((rec["id"], rec["text"]))

    tmpdir = None
    if pred_path is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="geoparse-")
        pred_path = Path(tmpdir.name) / "pred.jsonl"
    t1 = time.perf_counter()
    with open(pred_path, "w", encoding="utf-8") as out:
        for aid, text in articles:
            tops = geocode.parse(text)
            out.write(json.dumps({"id": aid, "toponyms": [toponym_dict(t) for t in tops]}, ensure_ascii=False) + "\n")
    parse_s = time.perf_counter() - t1

    proc = subprocess.run(
        [sys.executable, str(scorer), str(gold_path), str(pred_path), "--json"], capture_output=True, text=True
    )
    if tmpdir is not None:
        tmpdir.cleanup()
    if proc.returncode != 0:
        raise RuntimeError(f"scorer failed: {proc.stderr.strip() or proc.stdout.strip()}")
    scores = json.loads(proc.stdout)
    result = {
        "benchmark": "geoparse",
        "gold": str(gold_path),
        "articles": len(articles),
        "precision": scores.get("precision"),
        "recall": scores.get("recall"),
        "f1": scores.get("f1"),
        "acc161": scores.get("acc161", scores.get("acc@161")),
        "median_km": scores.get("median_error_km"),
        "e2e_acc161": scores.get("e2e_acc161"),
        "articles_per_s": round(len(articles) / parse_s, 1) if parse_s > 0 else None,
        "index_load_s": round(load_s, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "scorer": scores,
    }
    if not quiet:
        print(format_result(result))
    return result


def format_result(r: dict) -> str:
    def f(x, nd=3):
        return "n/a" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))

    return (
        f"geoparse {r['articles']} articles: P={f(r['precision'])} R={f(r['recall'])} F1={f(r['f1'])} "
        f"acc@161={f(r['acc161'])} median_km={f(r['median_km'], 1)} e2e_acc@161={f(r['e2e_acc161'])} | "
        f"{f(r['articles_per_s'], 1)} articles/s, index load {f(r['index_load_s'], 2)} s, "
        f"peak RSS {f(r['peak_rss_mb'], 0)} MB"
    )
