"""The gazetteer index as one compact, reproducible file: columns of numbers and newline-joined strings.

`dumps` turns the dict `gazetteer.build_index` returns into bytes that depend only on its content (no
pickle memo, no set order, no time stamps), optionally gzip-compressed; `loads` reads them back into
read-only views that look like the dict's values (a sequence of place tuples, mappings of name keys), built
lazily so loading costs a decompression and a few splits, not half a million Python tuples.

Layout of the payload (before compression): the magic line, one JSON header line (the index key, the
feature and country names, the section lengths), then the sections back to back: place names as one text
with character offsets, coded columns, and for each name table its keys (sorted, newline-joined), entry
counts and entries. Numbers are little-endian.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path

MAGIC = b"ATLAS-GAZETTEER 2\n"
_SCALE = 100_000  # coordinates are stored rounded to 5 decimals, as the builder rounds them
# gzip settings of the shipped file; part of the format: the same content always gives the same bytes (no
# time stamp or file name in the header). Level 6: 5 MB; decompresses in ~0.1 s (xz: 4 MB but ~0.6 s).
_GZIP_LEVEL = 6
_GZIP_MAGIC = b"\x1f\x8b"


def _ints(code: str, values) -> bytes:
    arr = array(code, values)
    if sys.byteorder != "little":
        arr.byteswap()
    return arr.tobytes()


def _from_bytes(code: str, raw: bytes) -> array:
    arr = array(code)
    arr.frombytes(raw)
    if sys.byteorder != "little":
        arr.byteswap()
    return arr


def _text(strings) -> bytes:
    out = []
    for s in strings:
        if "\n" in s:
            raise ValueError(f"gazetteer string holds a newline: {s!r}")
        out.append(s)
    return "\n".join(out).encode("utf-8")


def _split(raw: bytes, count: int) -> list[str]:
    return raw.decode("utf-8").split("\n") if count else []


def _multimap(mapping: Mapping, pairs: bool) -> list[bytes]:
    keys = sorted(mapping)  # looked up by bisection: loading needs no hash table of 400k keys
    counts, values = [], []
    for key in keys:
        entries = mapping[key]
        for entry in entries:
            values.append(entry[0] * 2 + entry[1] if pairs else entry)
        counts.append(len(entries))
    return [_text(keys), _ints("H", counts), _ints("i", values)]


def _joined(strings: list[str]) -> list[bytes]:
    """Strings as one text and the offsets (in characters) where each starts: read back by slicing."""
    offsets = [0]
    for s in strings:
        offsets.append(offsets[-1] + len(s))
    return ["".join(strings).encode("utf-8"), _ints("I", offsets)]


def dumps(data: dict, key: str, compress: bool = True) -> bytes:
    """The index `data` (from `gazetteer.build_index`) as bytes; `key` names the sources it was built from.

    Parameters
    ----------
    data : dict
        ``places`` (tuples name, lat, lon, country, feature, population, geonameid), ``names`` (key ->
        (place, alt) pairs), ``adjectival`` (key -> places), ``common`` (keys).
    key : str
        The index version and source versions; `read_key` returns it without reading the rest.
    compress : bool
        gzip-compress the payload (the shipped file); False for a quick local cache.

    Returns
    -------
    bytes
        The same bytes for the same content, on every run and machine.
    """
    places = data["places"]
    features = sorted({p[4] for p in places})
    code = {f: i for i, f in enumerate(features)}
    countries = sorted({p[3] for p in places})
    country_code = {c: i for i, c in enumerate(countries)}
    sections = [
        *_joined([p[0] for p in places]),
        _ints("H", (country_code[p[3]] for p in places)),
        bytes(code[p[4]] for p in places),
        _ints("i", (round(p[1] * _SCALE) for p in places)),
        _ints("i", (round(p[2] * _SCALE) for p in places)),
        _ints("q", (p[5] for p in places)),
        _ints("i", (-1 if p[6] is None else p[6] for p in places)),
        *_multimap(data["names"], pairs=True),
        *_multimap(data["adjectival"], pairs=False),
        _text(sorted(data["common"])),
    ]
    header = {
        "key": key,
        "version": data["version"],
        "features": features,
        "countries": countries,
        "places": len(places),
        "names": len(data["names"]),
        "adjectival": len(data["adjectival"]),
        "common": len(data["common"]),
        "sections": [len(s) for s in sections],
    }
    payload = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n" + b"".join(sections)
    return gzip.compress(payload, compresslevel=_GZIP_LEVEL, mtime=0) if compress else payload


def _open(path: Path):
    with open(path, "rb") as fh:
        compressed = fh.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def read_key(path: Path | str) -> str | None:
    """The key stored in an index file (reads only its start).

    Parameters
    ----------
    path : Path or str
        An index file, compressed or not.

    Returns
    -------
    str or None
        The key, or None when the file is missing, damaged or not an index.
    """
    try:
        with _open(Path(path)) as fh:
            if fh.readline() != MAGIC:
                return None
            return json.loads(fh.readline())["key"]
    except (OSError, EOFError, zlib.error, ValueError, KeyError):
        return None


class Places(Sequence):
    """Place tuples (name, lat, lon, country, feature, population, geonameid), made on access."""

    def __init__(self, text, starts, countries, country_codes, features, codes, lats, lons, pops, gids) -> None:
        self._cols = (text, starts, countries, country_codes, features, codes, lats, lons, pops, gids)

    def __len__(self) -> int:
        return len(self._cols[1]) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        text, starts, countries, country_codes, features, codes, lats, lons, pops, gids = self._cols
        gid = gids[i]
        return (
            text[starts[i] : starts[i + 1]],
            lats[i] / _SCALE,
            lons[i] / _SCALE,
            countries[country_codes[i]],
            features[codes[i]],
            pops[i],
            None if gid < 0 else gid,
        )


class MultiMap(Mapping):
    """Name key -> tuple of entries (place, alt) pairs or place numbers, read from offset columns. Keys are
    sorted and found by bisection, so loading builds no hash table; after `HASH_AFTER` lookups (a corpus
    being parsed, not a dataset's few places) a key -> position table is built once, for speed."""

    HASH_AFTER = 5_000

    def __init__(self, keys: list[str], offsets: array, values: array, pairs: bool) -> None:
        self._keys = keys
        self._offsets, self._values, self._pairs = offsets, values, pairs
        self._pos: dict[str, int] | None = None
        self._lookups = 0

    def _find(self, key) -> int:
        if self._pos is not None:
            return self._pos.get(key, -1)
        self._lookups += 1
        if self._lookups > self.HASH_AFTER:
            self._pos = dict(zip(self._keys, range(len(self._keys)), strict=True))
        i = bisect.bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def _entries(self, i: int) -> tuple:
        span = self._values[self._offsets[i] : self._offsets[i + 1]]
        return tuple((v >> 1, v & 1) for v in span) if self._pairs else tuple(span)

    def __getitem__(self, key: str):
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self._entries(i)

    def get(self, key, default=None):
        i = self._find(key)
        return default if i < 0 else self._entries(i)

    def __contains__(self, key) -> bool:
        return self._find(key) >= 0

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _offsets(raw_counts: bytes) -> array:
    return array("I", itertools.accumulate(_from_bytes("H", raw_counts), initial=0))


def loads(raw: bytes) -> dict:
    """Read bytes written by `dumps` (compressed or not) back into the index dict (with lazy views).

    Parameters
    ----------
    raw : bytes
        A file's content.

    Returns
    -------
    dict
        ``key``, ``version``, ``places`` (a `Places`), ``names`` and ``adjectival`` (`MultiMap`),
        ``common`` (frozenset).
    """
    if raw[:2] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    if not raw.startswith(MAGIC):
        raise ValueError("not a gazetteer index file")
    end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : end])
    pos, parts = end + 1, []
    for size in header["sections"]:
        parts.append(raw[pos : pos + size])
        pos += size
    (
        names,
        starts,
        countries,
        codes,
        lats,
        lons,
        pops,
        gids,
        n_keys,
        n_counts,
        n_vals,
        a_keys,
        a_counts,
        a_vals,
        common,
    ) = parts
    places = Places(
        names.decode("utf-8"),
        _from_bytes("I", starts),
        tuple(header["countries"]),
        _from_bytes("H", countries),
        tuple(header["features"]),
        codes,
        _from_bytes("i", lats),
        _from_bytes("i", lons),
        _from_bytes("q", pops),
        _from_bytes("i", gids),
    )
    return {
        "key": header["key"],
        "version": header["version"],
        "places": places,
        "names": MultiMap(_split(n_keys, header["names"]), _offsets(n_counts), _from_bytes("i", n_vals), True),
        "adjectival": MultiMap(
            _split(a_keys, header["adjectival"]), _offsets(a_counts), _from_bytes("i", a_vals), False
        ),
        "common": frozenset(_split(common, header["common"])),
    }


def load(path: Path | str) -> dict:
    """`loads` of a file.

    Parameters
    ----------
    path : Path or str
        An index file written from `dumps`.

    Returns
    -------
    dict
        As `loads` returns it.
    """
    return loads(Path(path).read_bytes())
