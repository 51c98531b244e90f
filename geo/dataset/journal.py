"""Crash-safe replacement of several files at once, and the dataset's write lock.

Crash safety: a *rollback journal*. The new contents are first written as `.NAME.atlas-new` next
to each target (same folder, so `os.replace` is atomic) and fsynced; each current file gets a hard
link `.NAME.atlas-old`; then `<data>/.atlas-journal.json` lists the targets and is fsynced; only
then are the files replaced one by one. Deleting the journal is the commit point. A writer that
finds a journal (after a crash, or an exception mid-swap in this process) puts every `.atlas-old`
back, removes files that did not exist before, and deletes the journal: the dataset is the previous
valid one, never half of each. A single directory swap was not chosen because the dataset folder
also holds files this module does not own (stories, reviews) and the articles live in another
folder (`GEO_SOURCES_DIR`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from pathlib import Path

LOCK_NAME = ".atlas.lock"
JOURNAL_NAME = ".atlas-journal.json"


@contextlib.contextmanager
def lock(data_dir: Path | str):
    """Hold the dataset's exclusive write lock (blocks until free).

    Examples
    --------
    >>> import tempfile
    >>> with lock(tempfile.mkdtemp()):
    ...     pass
    """
    folder = Path(data_dir)
    with open(folder / LOCK_NAME, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _side(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}.{suffix}")


def recover(data_dir: Path | str, *other_dirs: Path | str) -> bool:
    """Roll back an interrupted swap (call with the lock held); True when a journal was found.
    Leftover temp files are also removed from `other_dirs` (the sources folder).

    Examples
    --------
    >>> import tempfile
    >>> recover(tempfile.mkdtemp())
    False
    """
    folder = Path(data_dir)
    journal = folder / JOURNAL_NAME
    found = journal.is_file()
    dirs = {folder, *(Path(d) for d in other_dirs if Path(d).is_dir())}
    if found:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        for entry in entries:
            target = Path(entry["path"])
            dirs.add(target.parent)
            old = _side(target, "atlas-old")
            if entry["existed"]:
                if old.exists():
                    os.replace(old, target)
            else:
                target.unlink(missing_ok=True)
            _side(target, "atlas-new").unlink(missing_ok=True)
        for d in dirs:
            _fsync_dir(d)
        journal.unlink()
        _fsync_dir(folder)
    for d in dirs:  # leftovers of a writer that died before its journal existed, or after commit
        for stale in list(d.glob(".*.atlas-new")) + list(d.glob(".*.atlas-old")):
            stale.unlink(missing_ok=True)
    _side(journal, "tmp").unlink(missing_ok=True)  # a journal that was never completed
    for stage in folder.glob(".atlas-stage-*"):
        shutil.rmtree(stage, ignore_errors=True)
    return found


def _swap_one(new: Path, target: Path) -> None:
    """One atomic file replacement (a seam for crash tests)."""
    os.replace(new, target)


def swap(data_dir: Path, contents: dict[Path, bytes | None]) -> None:
    """Replace every target with its new content (None = delete) through the rollback journal."""
    entries = []
    for target, data in contents.items():
        if data is not None:
            _write_synced(_side(target, "atlas-new"), data)
        existed = target.exists()
        if existed:
            old = _side(target, "atlas-old")
            old.unlink(missing_ok=True)
            try:
                os.link(target, old)
            except OSError:  # no hard links on this filesystem: a copy does the same job
                shutil.copy2(target, old)
        entries.append({"path": str(target.resolve()), "existed": existed})
    journal = data_dir / JOURNAL_NAME
    tmp = _side(journal, "tmp")
    _write_synced(tmp, json.dumps(entries).encode())
    os.replace(tmp, journal)
    _fsync_dir(data_dir)
    try:
        for target, data in contents.items():
            if data is None:
                target.unlink(missing_ok=True)
            else:
                _swap_one(_side(target, "atlas-new"), target)
        for d in {t.parent for t in contents}:
            _fsync_dir(d)
    except BaseException:
        recover(data_dir)  # back to the previous valid dataset, then report the failure
        raise
    journal.unlink()  # the commit point
    _fsync_dir(data_dir)
    for target in contents:
        _side(target, "atlas-old").unlink(missing_ok=True)
