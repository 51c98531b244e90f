"""Corpus ingest: articles -> geoparsed mentions in the store, on Dask.

`ingest(source, ...)` reads a folder of articles (.txt/.md/.html) or a JSONL file of
`{"id", "text"[, "title", "date"]}` lines, drops articles whose content SHA-256 the
store already holds, geoparses the rest on a Dask cluster (a LocalCluster with N
workers, or an existing scheduler), and appends mentions plus provenance to the store.

Output does not depend on the cluster: rows are sorted by (article, start, end)
before writing and reads sort the same way, so 1 and 2 workers export identically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.articles import sources
from geo.articles.sources import Article
from geo.corpus import store as store_mod

BATCH = 2000  # articles per Dask round trip: bounds driver memory, and a crash loses at most one batch


class IngestError(Exception):
    """A corpus problem worth one line to the user."""


@dataclass(frozen=True)
class IngestResult:
    seen: int  # articles in the corpus
    skipped: int  # already in the store, or a duplicate of another article's content
    new: int  # articles written this run
    mentions: int  # mentions written this run
    parse_seconds: float  # geoparsing on the cluster, workers already warm
    seconds: float  # the whole run: reading, cluster start-up, parsing, writing


# ---------------------------------------------------------------------------
# Reading the corpus


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _title(path: Path, raw: str) -> str:
    """A title when the file states one: an HTML <title> or a Markdown first heading."""
    if path.suffix.lower() in {".html", ".htm"}:
        m = re.search(r"<title[^>]*>(.*?)</title>", raw, re.I | re.S)
        if m:
            from html import unescape

            return " ".join(unescape(m.group(1)).split())
    elif path.suffix.lower() == ".md":
        for line in raw.splitlines():
            if line.strip():
                return line.lstrip("#").strip() if line.startswith("#") else ""
    return ""


def read_folder(folder: Path) -> list[Article]:
    from geo.articles import reading

    manifest = (
        sources.read_manifest(folder / sources.MANIFEST_NAME) if (folder / sources.MANIFEST_NAME).is_file() else {}
    )
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in reading.TEXT_SUFFIXES and not p.name.upper().startswith("README")
    )
    out = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            text = reading.read_article(path)
        except ValueError as exc:
            raise IngestError(str(exc)) from None
        data = path.read_bytes()
        meta = manifest.get(rel) or Article(rel, "")
        title = meta.title or _title(path, data.decode("utf-8-sig", "replace"))
        out.append(Article(rel, _sha256(data), title=title, date=meta.date, text=text))
    return out


def read_jsonl(path: Path) -> list[Article]:
    out = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    aid, text = str(rec["id"]), rec["text"]
                    if not isinstance(text, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    raise IngestError(f"{path}:{n}: expected a JSON object with 'id' and 'text'") from None
                out.append(
                    Article(
                        aid,
                        _sha256(text.encode("utf-8")),
                        title=str(rec.get("title") or ""),
                        date=str(rec.get("date") or ""),
                        text=text,
                    )
                )
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise IngestError(f"{path}: not valid UTF-8 text") from None
    return out


def read_corpus(source: str | Path) -> list[Article]:
    """Articles sorted by id; ids must be unique."""
    p = Path(source)
    if p.is_dir():
        arts = read_folder(p)
    elif p.is_file() and p.suffix.lower() in {".jsonl", ".ndjson"}:
        arts = read_jsonl(p)
    elif not p.exists():
        raise IngestError(f"{p}: no such file or folder")
    else:
        raise IngestError(f"{p}: expected a folder of articles or a .jsonl file")
    arts.sort(key=lambda a: a.id)
    dup = next((a.id for a, b in zip(arts, arts[1:]) if a.id == b.id), None)
    if dup is not None:
        raise IngestError(f"{p}: article id {dup!r} appears more than once")
    return arts


def new_articles(arts: list[Article], known: set[str]) -> list[Article]:
    """Articles whose content is not in the store yet (first id wins among identical texts)."""
    seen, out = set(known), []
    for a in arts:
        if a.sha256 not in seen:
            seen.add(a.sha256)
            out.append(a)
    return out


# ---------------------------------------------------------------------------
# Geoparsing (runs on the workers)


def mention_rows(article: Article, parse: Callable) -> list[dict]:
    """The article's place mentions as store rows (mention_mod.mention_rows plus the article's hash and date)."""
    from geo.geoparse import mentions as mention_mod

    try:
        toponyms = parse(article.text)
    except Exception as exc:  # name the article: the traceback stays on the worker
        raise RuntimeError(f"article {article.id!r}: {type(exc).__name__}: {exc}") from None
    return mention_mod.mention_rows(
        article.id, article.text, toponyms, sha256=article.sha256, date=article.date or None
    )


def _warm_up(parse: Callable) -> None:
    # Load the gazetteer on each worker before the clock and the progress bar start.
    parse("Paris and London.")


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None, processes: bool):
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise IngestError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None
        with client:
            yield client
        return
    # One thread per worker: the geoparser is pure Python, so threads would share one GIL.
    try:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    except RuntimeError as exc:  # spawned workers re-import an unguarded __main__ script
        raise IngestError(
            f"cannot start {workers} local Dask worker process(es): {exc}; a script that calls "
            "ingest() needs an `if __name__ == '__main__':` guard (or use threads)"
        ) from None
    with cluster, Client(cluster) as client:
        yield client


def _parse_on(client, arts: list[Article], parse: Callable, progress: bool) -> list[dict]:
    import dask.bag as db
    from distributed import progress as show_progress

    nworkers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    nparts = max(1, min(len(arts), max(4 * nworkers, len(arts) // 50)))  # ~50 articles a task
    bag = db.from_sequence(arts, npartitions=nparts).map(mention_rows, parse=parse).flatten()
    try:
        bag = bag.persist()
        if progress:
            with contextlib.redirect_stdout(sys.stderr):  # distributed draws its bar on stdout
                show_progress(bag)
            sys.stderr.write("\n")
        return bag.compute()
    except Exception as exc:  # worker-side failures arrive here; report them as one line
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IngestError(f"geoparsing failed: {detail}") from None


# ---------------------------------------------------------------------------
# Writing


def to_frames(arts: list[Article], rows: list[dict], now: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Mentions sorted by (article, start, end) and one provenance row per article."""
    rows = sorted(rows, key=lambda r: (r["article"], r["start"], r["end"]))
    df = pd.DataFrame(rows, columns=store_mod.MENTION_COLUMNS + store_mod.EXTRA_COLUMNS + ["lon", "lat"])
    mentions = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326"
    )
    counts = df.groupby("article").size() if len(df) else pd.Series(dtype="int64")
    articles = pd.DataFrame(
        [
            {
                "article": a.id,
                "sha256": a.sha256,
                "title": a.title,
                "date": a.date or None,
                "ingested_at": now,
                "n_mentions": int(counts.get(a.id, 0)),
            }
            for a in arts
        ],
        columns=store_mod.ARTICLE_COLUMNS,
    )
    return mentions, articles


def ingest(
    source: str | Path,
    store=None,
    workers: int = 1,
    scheduler: str | None = None,
    parse: Callable | None = None,
    processes: bool = True,
    progress: bool = False,
    batch: int = BATCH,
) -> IngestResult:
    """Geoparse the new articles of `source` into `store` (default: `open_store()`)."""
    t0 = time.perf_counter()
    if parse is None:
        from geo.geoparse.geocode import parse
    if workers < 1:
        raise IngestError("--workers must be at least 1")
    store = store if store is not None else store_mod.open_store()
    arts = read_corpus(source)
    todo = new_articles(arts, store.ingested_hashes())
    n_mentions, parse_s = 0, 0.0
    if todo:
        with _client(workers, scheduler, processes) as client:
            try:
                client.run(_warm_up, parse)
            except Exception as exc:
                raise IngestError(f"the geoparser failed to start on a worker: {type(exc).__name__}: {exc}") from None
            for i in range(0, len(todo), batch):
                chunk = todo[i : i + batch]
                t1 = time.perf_counter()
                rows = _parse_on(client, chunk, parse, progress)
                parse_s += time.perf_counter() - t1
                now = datetime.now(UTC).isoformat(timespec="seconds")
                mentions, articles = to_frames(chunk, rows, now)
                store.write_mentions(mentions, articles)
                n_mentions += len(mentions)
    return IngestResult(len(arts), len(arts) - len(todo), len(todo), n_mentions, parse_s, time.perf_counter() - t0)
