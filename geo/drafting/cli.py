"""`python -m geo draft | cite | bench events`: thin wrappers over the drafting stage.

Registered by geo/cli.py (`register(sub)`); user errors raise geo.cli.CliError (one line, exit 2).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from pathlib import Path


def _err(msg: str):
    from geo.errors import UserError as CliError

    return CliError(msg)


def _data_dir(args) -> Path:
    from geo import config

    d = getattr(args, "data", None) or None
    if d:
        p = Path(d)
        if not p.is_dir():
            raise _err(f"--data {d}: not a folder")
        return p
    return config.data_dir()


def _manifest_date(path: Path, data_dir: Path) -> str | None:
    from geo import config

    for folder in (data_dir, config.sources_dir(), config.PROJECT_ROOT / "seeds"):
        f = Path(folder) / "sources.csv"
        if f.is_file():
            with open(f, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row.get("file") == path.name and row.get("date"):
                        return row["date"]
    return None


def _read(path: str) -> tuple[str, str | None]:
    """Article text (as the drafter reads it) and, for HTML, the raw markup (for its <meta> date)."""
    from geo.articles import reading

    try:
        text = reading.read_article(path)
    except ValueError as exc:
        raise _err(str(exc)) from None
    html = None
    if Path(path).suffix.lower() in (".html", ".htm"):
        html = Path(path).read_bytes().decode("utf-8", errors="replace")
    return text, html


def cmd_draft(args: argparse.Namespace) -> int:
    from geo.drafting.drafter import DraftingError, draft, publication_date

    data_dir = _data_dir(args)
    if args.corpus:
        return _draft_corpus(args, data_dir)
    if not args.file:
        raise _err("give an article FILE or --corpus IN.jsonl -o OUT.jsonl")
    text, html = _read(args.file)
    try:
        pub, origin = publication_date(text, _manifest_date(Path(args.file), data_dir), args.published, html)
        drafts = draft(text, pub, data_dir=data_dir)
    except DraftingError as exc:
        raise _err(f"{args.file}: {exc}") from None
    if origin in ("dateline", "html meta"):
        # a dateline can be misprinted: say where relative dates were anchored
        sys.stderr.write(f"publication date {pub.isoformat()} from the {origin}; give --published to override\n")
    if not drafts:
        sys.stderr.write("no events found\n")
    json.dump(drafts, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _draft_corpus(args, data_dir: Path) -> int:
    from geo.drafting.drafter import DraftingError, draft, publication_date
    from geo.geoparse import gazetteer

    if args.file:
        raise _err("give either FILE or --corpus, not both")
    if not args.output:
        raise _err("--corpus needs -o OUT.jsonl")
    from geo.articles import reading

    records = [
        (n, str(rec["id"]), rec["text"], rec.get("published")) for n, rec in reading.read_jsonl_corpus(args.corpus)
    ]
    gazetteer.get()
    t0 = time.perf_counter()
    lines, empty = [], 0
    for n, aid, text, published in records:
        try:
            pub, _ = publication_date(text, None, published or args.published)
            events = draft(text, pub, data_dir=data_dir)
        except DraftingError as exc:
            raise _err(f"{args.corpus}:{n} (id {aid}): {exc}") from None
        empty += not events
        lines.append(json.dumps({"id": aid, "events": events}, ensure_ascii=False))
    dt = time.perf_counter() - t0
    try:
        Path(args.output).write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    except OSError as exc:
        raise _err(f"cannot write {args.output}: {exc.strerror or exc}") from None
    sys.stderr.write(
        f"{len(records)} articles in {dt:.2f} s ({len(records) / max(dt, 1e-9):.1f} articles/s), "
        f"{empty} with no events found -> {args.output}\n"
    )
    return 0


def cite(path: str, phrase: str) -> dict:
    """Offsets of `phrase` in the article file: code points of the file decoded as UTF-8 (BOM dropped,
    line ends untouched), the text whose bytes the SHA-256 covers.

    Returns ``{"sha256", "matches": [[start, end], ...]}``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt"); _ = open(p, "wb").write("x\\r\\ny".encode())
    >>> cite(p, "y")["matches"]
    [[3, 4]]
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _err(f"{path}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _err(f"{path}: not valid UTF-8 text (byte {exc.start})") from None
    if not phrase:
        raise _err("the phrase is empty")
    matches, i = [], text.find(phrase)
    while i >= 0:
        matches.append([i, i + len(phrase)])
        i = text.find(phrase, i + 1)
    return {"sha256": hashlib.sha256(data).hexdigest(), "matches": matches}


def cmd_cite(args: argparse.Namespace) -> int:
    res = cite(args.file, args.phrase)
    m = res["matches"]
    if not m:
        sys.stderr.write(f"{args.file}: phrase not found: {args.phrase!r}\n")
        return 2
    if len(m) == 1:
        print(
            json.dumps(
                {
                    "file": Path(args.file).name,
                    "start": m[0][0],
                    "end": m[0][1],
                    "sha256": res["sha256"],
                }
            )
        )
        return 0
    sys.stderr.write(f"{args.file}: the phrase occurs {len(m)} times; cite a longer phrase. Candidates:\n")
    print(
        json.dumps(
            {
                "file": Path(args.file).name,
                "sha256": res["sha256"],
                "candidates": [{"start": s, "end": e} for s, e in m],
            }
        )
    )
    return 1


def cmd_bench_events(args: argparse.Namespace) -> int:
    from geo.drafting.score import bench

    try:
        result = bench(args.gold, data_dir=_data_dir(args))
    except OSError as exc:
        raise _err(f"cannot read {args.gold}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise _err(str(exc)) from None
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        for k, v in result.items():
            print(f"{k:>20}: {v}")
    return 0


def register(sub) -> None:
    """Add the `draft` and `cite` subcommands to geo/cli.py's subparsers."""
    p = sub.add_parser("draft", help="draft events from an article (JSON list), or a JSONL corpus")
    p.add_argument("file", nargs="?", metavar="ARTICLE", help="article (.txt, .md, .html)")
    p.add_argument(
        "--published",
        metavar="YYYY-MM-DD",
        help="publication date (else manifest, HTML meta, dateline)",
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        help="dataset folder whose actors are matched (default: data/)",
    )
    p.add_argument(
        "--corpus",
        metavar="IN.jsonl",
        help='JSONL of {"id", "text", "published"} lines',
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT.jsonl",
        help='output JSONL of {"id", "events"} lines',
    )
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser(
        "cite",
        help="start, end and SHA-256 of a phrase in an article (or the candidates)",
    )
    p.add_argument("file", metavar="ARTICLE")
    p.add_argument("phrase", metavar="PHRASE")
    p.set_defaults(func=cmd_cite)
