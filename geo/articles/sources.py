"""Source articles: the manifest, source references and passage lookup.

A claim in the dataset points at its evidence with a `SourceRef`: either a span of a seed article
(file name + SHA-256 + character span) or a short background citation for facts the articles do not
carry. Offsets are Python `str` (code-point) offsets into the article decoded as UTF-8, with newlines
left exactly as stored (no universal-newline translation).

The manifest (`sources.csv`: file, sha256, title, publisher, authors, date, kind) is looked up in the
dataset folder, then in `geo.config.sources_dir()`, then in the project's `seeds/` folder. Article
texts live in `sources_dir()` and are not committed.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import config

MANIFEST_NAME = "sources.csv"
MANIFEST_FIELDS = ("file", "sha256", "title", "publisher", "authors", "date", "kind")


@dataclass(frozen=True)
class SourceRef:
    """Evidence for a claim: a seed-article span, or a background citation."""

    file: str = ""
    sha256: str = ""
    start: int = 0
    end: int = 0
    evidence: str = ""  # word(s) the span must contain, `|`-separated alternatives
    citation: str = ""
    url: str = ""

    @property
    def is_span(self) -> bool:
        return bool(self.file)

    def to_dict(self) -> dict:
        if self.is_span:
            return {
                "file": self.file,
                "sha256": self.sha256,
                "start": self.start,
                "end": self.end,
                "evidence": self.evidence,
            }
        return {"citation": self.citation, "url": self.url}

    @classmethod
    def from_dict(cls, d: dict) -> SourceRef:
        return cls(
            file=str(d.get("file") or ""),
            sha256=str(d.get("sha256") or ""),
            start=int(d.get("start") or 0),
            end=int(d.get("end") or 0),
            evidence=str(d.get("evidence") or ""),
            citation=str(d.get("citation") or ""),
            url=str(d.get("url") or ""),
        )

    def label(self) -> str:
        return f"{self.file}:{self.start}-{self.end}" if self.is_span else self.citation


@dataclass(frozen=True)
class Article:
    """An article: its manifest row (file name, SHA-256 of its bytes, title, publisher, authors, date,
    kind) and, once read, its text. A corpus names articles by file or by an id of its own."""

    file: str
    sha256: str
    title: str = ""
    publisher: str = ""
    authors: str = ""
    date: str = ""
    kind: str = ""
    text: str = ""

    @property
    def id(self) -> str:
        return self.file


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(Path(path).read_bytes())


def manifest_candidates(data_dir: Path | None = None) -> list[Path]:
    paths = []
    if data_dir is not None:
        paths.append(Path(data_dir) / MANIFEST_NAME)
    paths += [config.sources_dir() / MANIFEST_NAME, config.PROJECT_ROOT / "seeds" / MANIFEST_NAME]
    return paths


def manifest_path(data_dir: Path | None = None) -> Path | None:
    """The first manifest found (dataset folder, sources_dir(), project seeds/), or None."""
    return next((p for p in manifest_candidates(data_dir) if p.is_file()), None)


def manifest_article(get) -> Article | str:
    """One manifest row -> an Article, or what is wrong with it. `get(column)` returns a stripped cell.
    The rules live here once; the lenient reader below and the dataset validator both use them."""
    if not get("file"):
        return "file is required"
    if not re.fullmatch(r"[0-9a-fA-F]{64}", get("sha256")):
        return f"sha256 {get('sha256')[:20]!r} is not a 64-digit hex digest"
    return Article(**{k: get(k) for k in MANIFEST_FIELDS})


def read_manifest(path: Path) -> dict[str, Article]:
    """Parse a manifest file leniently: every row with a file name (`geo validate` reports the rest)."""
    text = Path(path).read_bytes().decode("utf-8-sig")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        fields = {k: (row.get(k) or "").strip() for k in MANIFEST_FIELDS}
        if fields["file"] and fields["file"] not in out:  # a bad digest is reported by validation, not here
            out[fields["file"]] = Article(**fields)
    return out


def load_manifest(data_dir: Path | None = None) -> dict[str, Article]:
    path = manifest_path(data_dir)
    return read_manifest(path) if path else {}


@lru_cache(maxsize=32)
def _read_article(path: str, mtime_ns: int, size: int) -> tuple[str, str] | None:
    data = Path(path).read_bytes()
    try:
        return sha256_bytes(data), data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def article_text(file: str, sha256: str | None = None, folder: Path | None = None) -> str | None:
    """The article's text if the file is in `folder` (default sources_dir()) and, when a SHA-256 is
    given, its content matches it; else None."""
    path = Path(folder or config.sources_dir()) / file
    if not file or "/" in file or "\\" in file or not path.is_file():
        return None
    st = path.stat()
    got = _read_article(str(path), st.st_mtime_ns, st.st_size)
    if got is None or (sha256 and got[0] != sha256.lower()):
        return None
    return got[1]


def article_sha256(file: str, folder: Path | None = None) -> str | None:
    """SHA-256 of the article file if present in `folder` (default sources_dir())."""
    path = Path(folder or config.sources_dir()) / file
    if not file or not path.is_file():
        return None
    st = path.stat()
    got = _read_article(str(path), st.st_mtime_ns, st.st_size)
    return got[0] if got else sha256_file(path)


def passage(ref: SourceRef | dict, folder: Path | None = None) -> str | None:
    """The span text when the article is available and its SHA-256 matches the reference, else None."""
    if isinstance(ref, dict):
        ref = SourceRef.from_dict(ref)
    if not ref.is_span or not ref.sha256:
        return None
    text = article_text(ref.file, ref.sha256, folder)
    if text is None or not (0 <= ref.start < ref.end <= len(text)):
        return None
    return text[ref.start : ref.end]


def evidence_terms(evidence: str) -> list[str]:
    return [t.strip() for t in (evidence or "").split("|") if t.strip()]


def mentions_evidence(span: str, evidence: str) -> bool:
    """True when any `|`-separated evidence term occurs in the span (case-insensitive); quotes are
    compared loosely (’ vs ')."""
    norm = lambda s: s.casefold().replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = norm(span)
    return any(norm(t) in text for t in evidence_terms(evidence))


# ---------------------------------------------------------------------------
# Display (detail panel, exports): plain text only; callers escape for their medium.

SAFE_URL_SCHEMES = ("http", "https")


def safe_url(url: str | None) -> str:
    """`url` when it is a plain http(s) address (no spaces or control characters), else "".
    `javascript:`, `data:`, `vbscript:`, protocol-relative and relative links are never shown as links."""
    from urllib.parse import urlsplit

    text = str(url or "").strip()
    if not text or len(text) > 2000 or any(ord(c) < 33 or c in '"<>\\`' or ord(c) == 127 for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.netloc:
        return ""
    return text


def describe(ref: SourceRef | dict) -> str:
    """One line of plain text naming a source: the article's title (publisher) and character span, or
    the background citation and its URL. A URL that is not http(s) is left out (and said so)."""
    try:
        if isinstance(ref, dict):
            ref = SourceRef.from_dict(ref)
    except (TypeError, ValueError):
        return "unreadable source reference"
    if ref.is_span:
        art = None
        try:
            art = load_manifest().get(ref.file)
        except (OSError, UnicodeDecodeError, csv.Error):  # a broken manifest is reported by validation
            pass
        name = ref.file
        if art is not None and art.title:
            name = f"{art.title} ({art.publisher})" if art.publisher else art.title
        return f"{name}, characters {ref.start}–{ref.end}"
    text = ref.citation or "citation"
    if ref.url:
        url = safe_url(ref.url)
        text += f" — {url}" if url else " — (link not shown: only http/https addresses are)"
    return text


def passage_for(ref: SourceRef | dict) -> str | None:
    """The quoted passage for a span reference when its article is available (SHA-256 checked),
    else None; never raises (the detail panel must not fail on one odd reference)."""
    try:
        return passage(ref)
    except (OSError, TypeError, ValueError):
        return None
