"""All-or-nothing writes to the curated dataset: append accepted rows, validate, swap in, undo.

Every write goes through one sequence, under an exclusive `fcntl.flock` on `<data>/.atlas.lock`:

1. roll back whatever a crashed writer left (see *Crash safety*);
2. read the current files (under the lock, so two writers never work from the same old copy:
   no lost update) and compute each changed file's new content;
3. stage the changed dataset in `<data>/.atlas-stage-*/` (changed files written, the rest
   symlinked) and validate it with `geo.dataset.load_dataset(..., lean=True)`, the same check as
   `python -m geo validate`; on any error, refuse with the validator's `file:line` messages and
   touch nothing;
4. swap the new files in.

Crash safety: see `geo.dataset.journal` (a rollback journal; deleting it is the commit point).
A single directory swap was not chosen because the dataset folder also holds files this module
does not own (stories, reviews) and the articles live in another folder (`GEO_SOURCES_DIR`).

Undo journal: `<data>/acceptances.jsonl` gets one line per acceptance (id, author, time, the rows
and article it added), written in the same swap; `undo_last` removes the author's last acceptance
still in force and appends an `{"undo": id}` line.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from geo import config
from geo.dataset import csvtext, journal
from geo.dataset.journal import JOURNAL_NAME, LOCK_NAME, lock, recover  # noqa: F401  (the writer's API)

LOG_NAME = "acceptances.jsonl"
ROW_FILES = ("actors.csv", "events.csv", "citations.csv", "figures.csv")
MANIFEST_NAME = "sources.csv"
_ENV_LOCK = threading.Lock()  # validation points GEO_SOURCES_DIR at the stage: one thread at a time


@dataclass
class Change:
    """What one acceptance adds.

    `rows` maps a dataset file (events.csv, citations.csv, figures.csv, actors.csv) to new row
    dicts; `article_name`/`article_bytes` is the article file for the sources folder and
    `manifest_row` its sources.csv row (both optional)."""

    author: str
    rows: dict[str, list[dict]] = field(default_factory=dict)
    article_name: str = ""
    article_bytes: bytes = b""
    manifest_row: dict | None = None


@dataclass
class Result:
    """Outcome of a write: `ok`, the validator's messages when refused, what was written."""

    ok: bool
    errors: list[str] = field(default_factory=list)
    acceptance_id: str = ""
    written: dict[str, int] = field(default_factory=dict)
    message: str = ""
    event_ids: list[str] = field(default_factory=list)  # events added (or removed, for an undo)


@contextlib.contextmanager
def _sources_env(path: Path):
    with _ENV_LOCK:
        before = os.environ.get("GEO_SOURCES_DIR")
        os.environ["GEO_SOURCES_DIR"] = str(path)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("GEO_SOURCES_DIR", None)
            else:
                os.environ["GEO_SOURCES_DIR"] = before


def validate_staged(data_dir: Path, sources_dir: Path, contents: dict[Path, bytes | None]) -> list[str]:
    """Validator messages (`file:line: message`, real paths) for the dataset with `contents` applied.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> validate_staged(d, d, {})[0].endswith("(the events file is required)")
    True
    """
    from geo import dataset as events

    stage = Path(tempfile.mkdtemp(prefix=".atlas-stage-", dir=data_dir))
    try:
        sdata = stage / "data"
        same = sources_dir.resolve() == data_dir.resolve()
        ssrc = sdata if same else stage / "sources"
        sdata.mkdir()
        ssrc.mkdir(exist_ok=True)
        for real, staged in ((data_dir, sdata), (sources_dir, ssrc)):
            if real.is_dir():
                for p in real.iterdir():
                    if p.is_file() and not p.name.startswith(".") and not (staged / p.name).exists():
                        (staged / p.name).symlink_to(p.resolve())
        for target, data in contents.items():
            base = sdata if target.parent.resolve() == data_dir.resolve() else ssrc
            (base / target.name).unlink(missing_ok=True)
            if data is not None:
                (base / target.name).write_bytes(data)
        with _sources_env(ssrc):
            _, errors = events.load_dataset(sdata, lean=True)
        out = []
        for e in errors:
            text = str(e).replace(str(sdata), str(data_dir))
            out.append(text.replace(str(ssrc), str(sources_dir)) if not same else text)
        return out
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _read(path: Path) -> str | None:
    return path.read_bytes().decode("utf-8") if path.is_file() else None


def manifest_file(data_dir: Path, sources_dir: Path) -> Path:
    """Where this dataset's manifest rows are written: `<data>/sources.csv` when it exists, else
    `<sources>/sources.csv` (the lookup order of `geo.articles.sources.manifest_path`).

    Examples
    --------
    >>> manifest_file(Path("/nonexistent/d"), Path("/nonexistent/s")).name
    'sources.csv'
    """
    own = data_dir / MANIFEST_NAME
    return own if own.is_file() else sources_dir / MANIFEST_NAME


def _manifest_text(path: Path) -> str | None:
    """Current manifest text; a sources folder without one starts from the project's seeds/ copy,
    which it would otherwise hide."""
    text = _read(path)
    fallback = config.PROJECT_ROOT / "seeds" / MANIFEST_NAME
    if text is None and fallback.is_file() and fallback.resolve() != path.resolve():
        text = _read(fallback)
    return text


def _log_entries(data_dir: Path) -> list[dict]:
    text = _read(data_dir / LOG_NAME) or ""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _log_append(data_dir: Path, entry: dict) -> bytes:
    text = _read(data_dir / LOG_NAME) or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return (text + json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _commit(data_dir: Path, sources_dir: Path, contents: dict[Path, bytes | None]) -> list[str]:
    errors = validate_staged(data_dir, sources_dir, contents)
    if not errors:
        for target in contents:  # e.g. a sources folder that does not exist yet; only once valid
            target.parent.mkdir(parents=True, exist_ok=True)
        journal.swap(data_dir, contents)
    return errors


ARTICLE = "@article"  # placeholder for the article's file name in rows built before the name is known


def article_name(sha256: str, taken: set[str], suffix: str = ".txt") -> str:
    """`NNN_<first 16 hex of the SHA-256><suffix>`, NNN one more than the highest number taken.

    Examples
    --------
    >>> article_name("ab" * 32, {"000_x.txt", "004_y.txt"})
    '005_abababababababab.txt'
    """
    numbers = [int(n.split("_", 1)[0]) for n in taken if n.split("_", 1)[0].isdigit()]
    return f"{max(numbers, default=-1) + 1:03d}_{sha256[:16]}{suffix}"


def _name_article(change: Change, data: Path, sources: Path) -> Change:
    """Give an unnamed article its file name (under the lock, so two writers never take one number):
    the existing name when the manifest already lists the same content, else the next free number.
    Replaces the `@article` placeholder in the rows and the manifest row."""
    if change.article_name or not change.article_bytes:
        return change
    import hashlib

    sha = hashlib.sha256(change.article_bytes).hexdigest()
    _, recs = csvtext.records(_manifest_text(manifest_file(data, sources)) or "")
    same = [r.get("file", "").strip() for _, r in recs if r.get("sha256", "").strip().lower() == sha]
    taken = {r.get("file", "").strip() for _, r in recs} | (
        {p.name for p in sources.iterdir()} if sources.is_dir() else set()
    )
    name = same[0] if same else article_name(sha, taken)
    sub = lambda row: {k: (name if v == ARTICLE else v) for k, v in row.items()}
    rows = {k: [sub(r) for r in v] for k, v in change.rows.items()}
    mrow = sub(dict(change.manifest_row, sha256=sha)) if change.manifest_row else None
    return Change(change.author, rows, name, change.article_bytes, mrow)


def _dirs(data_dir, sources_dir) -> tuple[Path, Path]:
    return Path(data_dir or config.data_dir()), Path(sources_dir or config.sources_dir())


def apply_changes(data_dir: Path | str | None, sources_dir: Path | str | None, change: Change) -> Result:
    """Append `change` to the dataset atomically if the result validates.

    Parameters
    ----------
    data_dir, sources_dir : path or None
        Dataset folder and article folder (None: `GEO_DATA_DIR` / `GEO_SOURCES_DIR`).
    change : Change
        Rows, article and manifest row to add, and the author (for undo).

    Returns
    -------
    Result
        `ok` False with the validator's `file:line` messages when refused (nothing written).

    Examples
    --------
    >>> ch = Change(author="ana", rows={"events.csv": [{"id": "x", "title": "T", "summary": "S",
    ...                                                 "date": "2025-09-03", "place": "Beijing"}]})
    >>> apply_changes("data", None, ch).ok  # doctest: +SKIP
    True
    """
    data, sources = _dirs(data_dir, sources_dir)
    if not data.is_dir():
        return Result(False, [f"{data}: not a folder"])
    with lock(data):
        recover(data, sources)
        contents: dict[Path, bytes | None] = {}
        written: dict[str, int] = {}
        from geo import dataset as ev

        change = _name_article(change, data, sources)
        for name in ROW_FILES:
            rows = change.rows.get(name) or []
            if rows:
                kind = ev.FILES[name]
                header = ev.COLUMNS[kind][0] + ev.COLUMNS[kind][1]
                contents[data / name] = csvtext.append_rows(_read(data / name), rows, header).encode("utf-8")
                written[name] = len(rows)
        added_article = False
        if change.article_name:
            if "/" in change.article_name or "\\" in change.article_name or change.article_name.startswith("."):
                return Result(False, [f"{change.article_name}: not a plain file name"])
            target = sources / change.article_name
            if target.is_file():
                if target.read_bytes() != change.article_bytes:
                    return Result(False, [f"{target}: exists with other content"])
            else:
                contents[target] = change.article_bytes
                added_article = True
        manifest_row = None
        if change.manifest_row:
            mpath = manifest_file(data, sources)
            text = _manifest_text(mpath)
            _, recs = csvtext.records(text or "")
            if not any(r.get("file", "").strip() == change.manifest_row.get("file") for _, r in recs):
                header = ev.COLUMNS["manifest"][0] + ev.COLUMNS["manifest"][1]
                contents[mpath] = csvtext.append_rows(text, [change.manifest_row], header).encode("utf-8")
                manifest_row = change.manifest_row
                written[MANIFEST_NAME] = 1
        if added_article:
            written["article"] = 1
        acceptance = uuid.uuid4().hex[:12]
        entry = {
            "id": acceptance,
            "author": change.author,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rows": {k: v for k, v in change.rows.items() if v},
            "article": change.article_name if added_article else "",
            "manifest_row": manifest_row,
        }
        contents[data / LOG_NAME] = _log_append(data, entry)
        errors = _commit(data, sources, contents)
        if errors:
            return Result(False, errors, message=f"refused: {len(errors)} validation error(s)")
        added = [r.get("id", "") for r in change.rows.get("events.csv", [])]
        return Result(True, [], acceptance, written, f"accepted {acceptance}", added)


def _last_of(entries: list[dict], author: str) -> dict | None:
    undone = {e["undo"] for e in entries if "undo" in e}
    mine = [e for e in entries if "undo" not in e and e.get("author") == author and e.get("id") not in undone]
    return mine[-1] if mine else None


def last_acceptance(data_dir: Path | str | None, author: str) -> dict | None:
    """The author's last acceptance still in force (its journal entry), or None.

    Examples
    --------
    >>> import tempfile
    >>> last_acceptance(tempfile.mkdtemp(), "ana") is None
    True
    """
    return _last_of(_log_entries(_dirs(data_dir, None)[0]), author)


def _referenced(data: Path, name: str, skip: set[Path]) -> bool:
    """Whether any dataset file still names the article `name` (cheap textual check)."""
    for p in data.iterdir():
        wanted = p.is_file() and p not in skip and p.suffix in (".csv", ".geojson") and p.name != MANIFEST_NAME
        if wanted and name in p.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def undo_last(data_dir: Path | str | None, author: str, sources_dir: Path | str | None = None) -> Result:
    """Remove `author`'s last acceptance (what of it is still present), atomically and validated.

    Events are removed by id together with their citations and figures; actors, the manifest row
    and the article file only when nothing left refers to them.

    Examples
    --------
    >>> import tempfile
    >>> undo_last(tempfile.mkdtemp(), "ana").message
    "nothing to undo for 'ana'"
    """
    data, sources = _dirs(data_dir, sources_dir)
    with lock(data):
        recover(data, sources)
        entry = _last_of(_log_entries(data), author)
        if entry is None:
            return Result(False, [], message=f"nothing to undo for {author!r}")
        rows = entry.get("rows", {})
        event_ids = {r.get("id") for r in rows.get("events.csv", [])}
        actor_ids = {r.get("id") for r in rows.get("actors.csv", [])}
        contents: dict[Path, bytes | None] = {}
        removed: dict[str, int] = {}
        texts = {name: _read(data / name) for name in ROW_FILES}

        def drop(name: str, pred) -> None:
            if texts[name] is None:
                return
            texts[name], gone = csvtext.drop_rows(texts[name], pred)
            if gone:
                contents[data / name] = texts[name].encode("utf-8")
                removed[name] = len(gone)

        drop("events.csv", lambda r: r.get("id", "").strip() in event_ids)
        drop(
            "citations.csv",
            lambda r: r.get("layer", "").strip() == "events" and r.get("item", "").strip() in event_ids,
        )
        drop("figures.csv", lambda r: r.get("event_id", "").strip() in event_ids)
        _, left = csvtext.records(texts["events.csv"] or "")
        used = {a.strip() for _, r in left for a in r.get("actors", "").split(";")}
        _, rels = csvtext.records(_read(data / "relations.csv") or "")
        used |= {r.get(k, "").strip() for _, r in rels for k in ("source", "target")}
        drop("actors.csv", lambda r: r.get("id", "").strip() in actor_ids - used)
        article = entry.get("article") or ""
        mrow = entry.get("manifest_row") or {}
        name = mrow.get("file") or article
        skip = {data / n for n in ROW_FILES}  # those are checked in their edited form
        if name and not _referenced(data, name, skip) and not any(name in (t or "") for t in texts.values()):
            mpath = manifest_file(data, sources)
            if mrow and mpath.is_file():
                text, gone = csvtext.drop_rows(_read(mpath) or "", lambda r: r.get("file", "").strip() == name)
                if gone:
                    contents[mpath] = text.encode("utf-8")
                    removed[MANIFEST_NAME] = len(gone)
            if article and (sources / article).is_file():
                contents[sources / article] = None
                removed["article"] = 1
        contents[data / LOG_NAME] = _log_append(
            data,
            {
                "undo": entry["id"],
                "author": author,
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        errors = _commit(data, sources, contents)
        if errors:
            return Result(
                False,
                errors,
                entry["id"],
                message=f"undo refused: {len(errors)} validation error(s)",
            )
        note = "" if removed else " (nothing of it was left in the dataset)"
        return Result(True, [], entry["id"], removed, f"undid {entry['id']}{note}", sorted(event_ids))
