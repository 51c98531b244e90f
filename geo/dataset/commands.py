"""Command-line handlers for writing the dataset: `python -m geo accept` and `python -m geo undo`.

Kept apart from `geo.dataset.accept` (pure row building) so the app imports no argparse code.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from geo.dataset import writer
from geo.dataset.accept import AcceptError, accept


def load_drafts(path: Path | str) -> list[dict]:
    """Drafts from a JSON file: a list of events, `{"events": [...]}`, or JSONL of such objects.

    Examples
    --------
    >>> load_drafts("missing.json")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    AcceptError: missing.json: cannot read file
    """
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AcceptError(f"{p}: cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in raw.splitlines() if ln.strip()]
        try:  # JSONL: one {"events": [...]} or event per line
            data = [json.loads(ln) for ln in lines]
        except json.JSONDecodeError:
            raise AcceptError(f"{p}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("events"), list):
            out += item["events"]
        else:
            out.append(item)
    return out


def _os_message(exc: OSError) -> str:
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)


def cmd_accept(args) -> int:
    """`python -m geo accept DRAFTS.json --article FILE`: print what was written, or refuse (exit 2)."""
    try:
        if args.published and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.published):
            raise AcceptError(f"--published {args.published!r} is not YYYY-MM-DD")
        drafts = load_drafts(args.drafts)
        if not drafts:
            raise AcceptError(f"{args.drafts}: no drafts to accept")
        res = accept(
            drafts,
            args.article,
            args.author,
            args.data,
            args.sources,
            args.published or "",
            args.title or "",
            label=str(args.drafts),
        )
    except AcceptError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except OSError as exc:  # read-only folder, disk full …: the writer has rolled back
        sys.stderr.write(f"error: cannot write the dataset: {_os_message(exc)}; the dataset is unchanged\n")
        return 2
    if not res.ok:
        for e in res.errors:
            print(e, file=sys.stderr)
        sys.stderr.write(f"error: {res.message}; the dataset is unchanged\n")
        return 2
    print(f"accepted {res.acceptance_id} (author {args.author}):")
    for name, n in res.written.items():
        print(f"  {name}: +{n}")
    return 0


def cmd_undo(args) -> int:
    """`python -m geo undo --author NAME`: remove that author's last acceptance."""
    try:
        res = writer.undo_last(args.data, args.author, args.sources)
    except OSError as exc:
        sys.stderr.write(f"error: cannot write the dataset: {_os_message(exc)}; the dataset is unchanged\n")
        return 2
    if not res.ok:
        for e in res.errors:
            print(e, file=sys.stderr)
        sys.stderr.write(f"error: {res.message}\n")
        return 2
    print(res.message + "".join(f"\n  {k}: -{n}" for k, n in res.written.items()))
    return 0


def register(sub) -> None:
    """Add the `accept` and `undo` subcommands to the CLI's subparsers."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        user = "unknown"
    p = sub.add_parser(
        "accept",
        help="write drafted events of an article into the dataset (validated, atomic)",
    )
    p.add_argument(
        "drafts",
        metavar="DRAFTS.json",
        help="drafts as printed by `geo draft` (list, or JSONL)",
    )
    p.add_argument(
        "--article",
        required=True,
        metavar="FILE",
        help="the article the drafts' offsets refer to",
    )
    p.add_argument("--data", metavar="DIR", help="dataset folder (default: $GEO_DATA_DIR or data/)")
    p.add_argument(
        "--sources",
        metavar="DIR",
        help="article folder (default: $GEO_SOURCES_DIR or seeds/)",
    )
    p.add_argument("--published", metavar="YYYY-MM-DD", help="publication date for the manifest")
    p.add_argument(
        "--title",
        metavar="T",
        help="article title for the manifest (default: file name)",
    )
    p.add_argument(
        "--author",
        default=f"cli:{user}",
        help="who accepts (for undo; default cli:USER)",
    )
    p.set_defaults(func=cmd_accept)
    p = sub.add_parser("undo", help="remove an author's last acceptance")
    p.add_argument("--author", default=f"cli:{user}", help="whose acceptance (default cli:USER)")
    p.add_argument("--data", metavar="DIR", help="dataset folder")
    p.add_argument("--sources", metavar="DIR", help="article folder")
    p.set_defaults(func=cmd_undo)
