"""Where the gazetteer index comes from: the prebuilt file shipped with the package, else a local build.

The shipped file (`gazetteer-index.gz`, ~5 MB) is written by ``python -m geo gazetteer build-index`` and is
byte-for-byte reproducible from the pinned source packages; a test rebuilds it and compares the bytes. It is
used only while its key equals `gazetteer.index_key()` (index version, source package versions, tables.json,
labels data): after any change to those the index is built once (~10 s) into `geo.config.cache_dir()`, as
before, until the shipped file is rebuilt with the command above.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from geo.geoparse import gazetteer, index_file

BUNDLED = Path(__file__).with_name("gazetteer-index.gz")


def _load_current(path: Path, key: str) -> dict | None:
    if index_file.read_key(path) != key:
        return None
    try:
        return index_file.load(path)
    except (OSError, EOFError, ValueError, KeyError):  # truncated or damaged file: build instead
        return None


def load_or_build() -> dict:
    """The index for the installed sources: the shipped file, a cached local build, or a new build.

    Returns
    -------
    dict
        The index (`gazetteer.build_index` layout; read-only views when loaded from a file).
    """
    key = gazetteer.index_key()
    data = _load_current(BUNDLED, key)
    if data is not None:
        return data
    path = gazetteer.index_path()
    data = _load_current(path, key) if path.is_file() else None
    if data is not None:
        return data
    data = gazetteer.build_index()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(index_file.dumps(data, key, compress=False))  # local cache: no time spent compressing
    os.replace(tmp, path)
    for old in path.parent.glob("gazetteer-v*"):  # indexes of other versions are dead weight
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
    return data


def bundled_bytes() -> bytes:
    """Build the index from the installed sources.

    Returns
    -------
    bytes
        What `gazetteer-index.gz` must hold for the installed sources (compressed, reproducible).
    """
    return index_file.dumps(gazetteer.build_index(), gazetteer.index_key(), compress=True)


def cmd_build_index(args: argparse.Namespace) -> int:
    """``python -m geo gazetteer build-index``: write the shipped index, or with ``--check`` compare it.

    Parameters
    ----------
    args : argparse.Namespace
        ``check`` (bool) and ``out`` (a path, or None for the shipped file).

    Returns
    -------
    int
        0 when written or matching, 1 when ``--check`` finds a difference.
    """
    out = Path(args.out) if args.out else BUNDLED
    fresh = bundled_bytes()
    if args.check:
        same = out.is_file() and out.read_bytes() == fresh
        sys.stderr.write(f"{out}: {'matches' if same else 'DIFFERS from'} the sources ({gazetteer.index_key()})\n")
        return 0 if same else 1
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    tmp.write_bytes(fresh)
    os.replace(tmp, out)
    sys.stderr.write(f"wrote {out} ({len(fresh) / 1e6:.1f} MB, {gazetteer.index_key()})\n")
    return 0


def register(sub) -> None:
    """Add ``gazetteer build-index [--check] [--out FILE]`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of ``python -m geo``.
    """
    p = sub.add_parser("gazetteer", help="the gazetteer index")
    actions = p.add_subparsers(dest="gazetteer_command", metavar="ACTION")
    actions.required = True
    b = actions.add_parser(
        "build-index",
        help="rebuild the shipped index (geo/geoparse/gazetteer-index.gz) from the installed source packages",
    )
    b.add_argument("--check", action="store_true", help="only compare: exit 1 if the file differs")
    b.add_argument("--out", metavar="FILE", help="write here instead of the shipped file")
    b.set_defaults(func=cmd_build_index)
