"""Versions: every build records the dataset as it was, so a briefing can say what changed since.

A version is one gzipped JSON file, `build/history/<id>.json.gz`:

    {"format": "atlas-version/1", "id": "3fa2c1d0e9b8", "time": "2026-11-29T19:05:12+00:00",
     "times": [...], "data_dir": "/…/data", "counts": {"events": 38, …}, "rows": {"events": [...], …}}

`id` is the first 12 hex digits of the rows' content hash (`geo.dataset.diff.rows_digest`), so building
the same content twice is one version; `times` lists every build that produced it (the first is
`time`). Versions are pruned by count per dataset folder (`GEO_HISTORY_KEEP`, default 50). A version
file can be copied to another machine (`geo versions save ID FILE`, `geo versions load FILE`), so a
`since=<id>` link works there too.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import sys
import uuid
import warnings
from pathlib import Path
from typing import Any

from geo import config

FORMAT = "atlas-version/1"
ID_LENGTH = 12
DEFAULT_KEEP = 50
MAX_TIMES = 100  # build times kept per version (the newest)


class VersionError(ValueError):
    """A version that cannot be found or read; the message names the id or file."""


def history_dir() -> Path:
    """Folder of the recorded versions (`<build dir>/history`).

    Examples
    --------
    >>> history_dir().name
    'history'
    """
    return config.build_dir() / "history"


def keep_count() -> int:
    """How many versions to keep per dataset folder (`GEO_HISTORY_KEEP`, default 50, at least 1).

    Examples
    --------
    >>> os.environ["GEO_HISTORY_KEEP"] = "10"; keep_count()
    10
    >>> del os.environ["GEO_HISTORY_KEEP"]; keep_count()
    50
    """
    raw = os.environ.get("GEO_HISTORY_KEEP", "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_KEEP
    except ValueError:
        warnings.warn(f"GEO_HISTORY_KEEP={raw!r} is not a whole number; keeping {DEFAULT_KEEP} versions")
        return DEFAULT_KEEP


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(path: Path, record: dict, packed: bool = True) -> None:
    """Atomic (a reader never sees half a file); gzipped unless `packed` is False."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(gzip.compress(data, compresslevel=6) if packed else data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_file(path: Path | str) -> dict:
    """A version record from a file (gzipped or plain JSON), checked against its id. Raises VersionError.

    Examples
    --------
    >>> record = read_file("build/history/3fa2c1d0e9b8.json.gz")  # doctest: +SKIP
    >>> record["id"]  # doctest: +SKIP
    '3fa2c1d0e9b8'
    """
    from geo.dataset.diff import rows_digest

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VersionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
        record = json.loads(text)
    except (OSError, ValueError, EOFError) as exc:  # bad gzip (an OSError), UTF-8 or JSON
        raise VersionError(f"{path}: not a version file ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise VersionError(f"{path}: not a version file (expected format {FORMAT!r})")
    rows = record.get("rows")
    if not isinstance(rows, dict) or not all(isinstance(v, list) for v in rows.values()):
        raise VersionError(f"{path}: version has no rows")
    if rows_digest(rows)[:ID_LENGTH] != record.get("id"):
        raise VersionError(f"{path}: content does not match its id {record.get('id')!r} (file altered?)")
    if not isinstance(record.get("times"), list) or not record["times"]:
        record["times"] = [record.get("time") or _now()]
    record["time"] = record["times"][0]
    return record


# Each version is two files: `<id>.json.gz` (the record with its rows, written once) and `<id>.head.json`
# (the record without rows, rewritten when the same content is built again), so listing and pruning
# never unpack the rows.


def _paths(version_id: str) -> tuple[Path, Path]:
    return history_dir() / f"{version_id}.json.gz", history_dir() / f"{version_id}.head.json"


def _header(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("rows", "path")}


def _read_header(version_id: str) -> dict | None:
    """The header of a stored version (rebuilt from the record when the header file is missing/damaged)."""
    body, head = _paths(version_id)
    try:
        rec = json.loads(head.read_text(encoding="utf-8"))
        if isinstance(rec, dict) and rec.get("id") == version_id and rec.get("times"):
            return rec
    except (OSError, ValueError):
        pass
    try:
        rec = _header(read_file(body))
    except VersionError:
        return None
    _write(head, rec, packed=False)
    return rec


def _store(record: dict) -> dict:
    """Put a record into the history, merging its build times with a stored copy; returns the header."""
    body, head = _paths(record["id"])
    old = _read_header(record["id"]) if body.is_file() else None
    if old is None:
        _write(body, _header(record) | {"rows": record["rows"]})
        header = _header(record)
    else:
        times = sorted(set(old["times"]) | set(record["times"]))[-MAX_TIMES:]
        # The same content built from another folder (a copy of the dataset) is the same version of both.
        folders = sorted(set(_folders(old)) | set(_folders(record)))
        header = old | {"times": times, "time": old["time"], "data_dirs": folders}
    _write(head, header, packed=False)
    return header


def _folders(header: dict) -> list[str]:
    """The dataset folders a version was built from (`data_dirs`; older headers name one `data_dir`)."""
    return list(header.get("data_dirs") or [header.get("data_dir")])


def record(rows: dict[str, list[dict]], data_dir: Path | str | None = None, signature: str = "") -> dict | None:
    """Record a build's rows as a version and prune the folder's history; never fails the build.

    Returns the version's header (id, time, times, data_dir, counts), or None (with a warning) when the
    history could not be written.

    Examples
    --------
    >>> rec = record({"events": []}, "data")  # doctest: +SKIP
    >>> len(rec["id"])  # doctest: +SKIP
    12
    """
    from geo.dataset.diff import rows_digest

    folder = str(Path(data_dir or config.data_dir()).resolve())
    now = _now()
    rec = {
        "format": FORMAT,
        "id": rows_digest(rows)[:ID_LENGTH],
        "time": now,
        "times": [now],
        "data_dir": folder,
        "data_dirs": [folder],
        "signature": signature,
        "counts": {k: len(v) for k, v in rows.items()},
        "rows": rows,
    }
    try:
        header = _store(rec)
        prune(folder)
    except OSError as exc:
        warnings.warn(f"version history not written ({history_dir()}): {exc.strerror or exc}")
        return None
    return header


def record_dataset(ds, data_dir: Path | str | None = None, signature: str = "") -> dict | None:
    """`record` for a resolved `geo.dataset.Dataset` (the hook in `geo.layers.cache`).

    Examples
    --------
    >>> from geo import dataset as ev
    >>> record_dataset(ev.load_valid("data"))["counts"]["events"]  # doctest: +SKIP
    38
    """
    from geo.dataset import claims as claims_mod
    from geo.dataset.diff import dataset_rows

    found, _ = claims_mod.load_claims(ds.folder, ds)
    return record(dataset_rows(ds, found), data_dir or ds.folder, signature)


def _headers() -> list[dict]:
    """Every stored version's header, most recently built first."""
    folder = history_dir()
    ids = sorted({p.name.split(".")[0] for p in folder.glob("*.json.gz")}) if folder.is_dir() else []
    out = []
    for version_id in ids:
        rec = _read_header(version_id)
        if rec is None:
            warnings.warn(f"{_paths(version_id)[0]}: unreadable version skipped")
            continue
        out.append(rec | {"path": str(_paths(version_id)[0])})
    return sorted(out, key=lambda r: (max(r["times"]), r["id"]), reverse=True)


def list_versions(data_dir: Path | str | None = None) -> list[dict]:
    """Version headers (id, time, times, data_dir, counts), newest first; only one folder's when given.

    Examples
    --------
    >>> [v["id"] for v in list_versions("data")]  # doctest: +SKIP
    ['3fa2c1d0e9b8', '91b0aa27c4de']
    """
    items = _headers()
    if data_dir is not None:
        folder = str(Path(data_dir).resolve())
        items = [v for v in items if folder in _folders(v)]
    return items


def prune(data_dir: Path | str) -> list[str]:
    """Delete a folder's versions beyond `keep_count()` (least recently built first); returns their ids.

    Examples
    --------
    >>> prune("data")  # doctest: +SKIP
    ['91b0aa27c4de']
    """
    dropped = []
    folder = str(Path(data_dir).resolve())
    for rec in list_versions(data_dir)[keep_count() :]:
        others = [f for f in _folders(rec) if f != folder]
        if others:  # still a version of another folder: only this folder lets go of it
            _write(_paths(rec["id"])[1], rec | {"data_dirs": others, "data_dir": others[0]}, packed=False)
        else:
            for path in _paths(rec["id"]):
                path.unlink(missing_ok=True)
        dropped.append(rec["id"])
    return dropped


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$")


def _moment(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text)  # 3.11 reads a trailing "Z"
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def resolve(spec: str, data_dir: Path | str | None = None) -> dict:
    """The version a `since=` value names: an id or unique prefix (4+ hex digits), or a date/time meaning
    the version current just before it (the last one built before that moment). Raises VersionError.

    With `data_dir`, a date looks only at that folder's versions (when it has any).

    Examples
    --------
    >>> resolve("3fa2")["id"]  # doctest: +SKIP
    '3fa2c1d0e9b8'
    >>> resolve("2026-11-01", "data")["time"] < "2026-11-01"  # doctest: +SKIP
    True
    """
    spec = (spec or "").strip()
    if _DATE.match(spec):
        try:
            moment = _moment(spec)
        except ValueError:
            raise VersionError(f"{spec!r} is not a valid date") from None
        items = (list_versions(data_dir) if data_dir is not None else []) or _headers()
        best, best_time = None, None
        for rec in items:
            for t in rec["times"]:
                when = _moment(t)
                if when < moment and (best_time is None or when > best_time):
                    best, best_time = rec, when
        if best is None:
            raise VersionError(f"no version was built before {spec}")
        return _full(best["id"])
    if not re.fullmatch(r"[0-9a-fA-F]{4,64}", spec):
        raise VersionError(f"{spec!r} is neither a version id (4+ hex digits) nor a date (YYYY-MM-DD)")
    prefix = spec.lower()[:ID_LENGTH]
    found = sorted(history_dir().glob(f"{prefix}*.json.gz")) if history_dir().is_dir() else []
    if not found:
        raise VersionError(f"no version {spec!r} in {history_dir()} (see `python -m geo versions`)")
    if len(found) > 1:
        ids = ", ".join(p.name.split(".")[0] for p in found[:5])
        raise VersionError(f"version prefix {spec!r} is ambiguous: {ids}")
    return _full(found[0].name.split(".")[0])


def _full(version_id: str) -> dict:
    """A stored version with its rows and its current build times."""
    rec = read_file(_paths(version_id)[0])
    header = _read_header(version_id) or {}
    return rec | {k: header[k] for k in ("time", "times") if k in header}


def save(spec: str, out: Path | str) -> dict:
    """Copy a version (id, prefix or date) to a file that `load` can bring into another history;
    returns its header. Raises VersionError.

    Examples
    --------
    >>> save("3fa2", "/tmp/v.json.gz")["id"]  # doctest: +SKIP
    '3fa2c1d0e9b8'
    """
    rec = resolve(spec)
    out = Path(out)
    try:
        _write(out, rec)
    except OSError as exc:
        raise VersionError(f"cannot write {out}: {exc.strerror or exc}") from None
    return _header(rec)


def load(path: Path | str) -> dict:
    """Bring a saved version file into this machine's history; returns its header. Raises VersionError.

    Examples
    --------
    >>> load("/tmp/v.json.gz")["id"]  # doctest: +SKIP
    '3fa2c1d0e9b8'
    """
    rec = read_file(path)
    try:
        return _store(rec)
    except OSError as exc:
        raise VersionError(f"cannot write into {history_dir()}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------
# Command line


def _counts_text(counts: dict[str, Any]) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def cmd_versions(args) -> int:
    """`python -m geo versions [list|save ID FILE|load FILE]` (parser in geo.dataset.diff.add_parser)."""
    from geo.errors import UserError as CliError

    want = {"list": 0, "save": 2, "load": 1}[args.action]
    if len(args.args) != want:
        usage = {"list": "versions [list]", "save": "versions save ID FILE", "load": "versions load FILE"}
        raise CliError(f"usage: python -m geo {usage[args.action]}")
    try:
        if args.action == "save":
            rec = save(args.args[0], args.args[1])
            print(f"{args.args[1]}: version {rec['id']}  {_counts_text(rec['counts'])}")
        elif args.action == "load":
            rec = load(args.args[0])
            print(f"{rec['id']}  {rec['time']}  {_counts_text(rec['counts'])} (loaded into {history_dir()})")
        else:
            items = list_versions(args.data)
            if not items:
                sys.stderr.write(f"no versions in {history_dir()} (each build records one)\n")
            for rec in items:
                print(f"{rec['id']}  {max(rec['times'])}  {_counts_text(rec['counts'])}  {rec['data_dir']}")
    except VersionError as exc:
        raise CliError(str(exc)) from None
    return 0
