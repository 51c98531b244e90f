"""What the drafter needs to know about an article first: is it English, and when was it published."""

from __future__ import annotations

import re
from datetime import date

_ENGLISH = {
    "the",
    "a",
    "an",
    "and",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "be",
    "been",
    "that",
    "this",
    "it",
    "its",
    "as",
    "not",
    "but",
    "or",
    "which",
    "who",
    "he",
    "she",
    "they",
    "their",
    "his",
    "her",
    "said",
    "will",
    "would",
    "after",
    "over",
    "more",
    "than",
}
_WORDS = re.compile(r"[^\W\d_]+")


class DraftingError(ValueError):
    """Input the drafter cannot work on (no publication date, not English); the message says why."""


def check_english(text: str) -> None:
    """Raise DraftingError unless `text` reads as English (share of common English function words).

    Examples
    --------
    >>> check_english("The minister said that the talks were over.")
    >>> check_english("Der Minister sagte, dass die Gespräche in Berlin beendet seien und morgen weitergehen.")
    Traceback (most recent call last):
    ...
    geo.drafting.inputs.DraftingError: only English articles are supported; this text does not read as English
    """
    words = [w.lower() for w in _WORDS.findall(text[:20000])]
    if len(words) < 8:
        return
    ascii_share = sum(w.isascii() for w in words) / len(words)
    english = sum(w in _ENGLISH for w in words) / len(words)
    if ascii_share < 0.5 or english < 0.15:
        raise DraftingError("only English articles are supported; this text does not read as English")


_META = re.compile(
    r"<meta\b[^>]*?(?:property|name|itemprop)\s*=\s*[\"'](?:article:published_time|date|pubdate|"
    r"publishdate|datePublished|dc\.date|DC\.date\.issued|og:published_time|sailthru\.date)[\"'][^>]*>",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"content\s*=\s*[\"'](\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_DATELINE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})\b"
)


def _iso_date(s: str) -> date | None:
    from dateutil import parser as dparser

    try:
        return (
            dparser.parse(s, dayfirst=True, default=None).date()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s)
            else date.fromisoformat(s)
        )
    except (ValueError, OverflowError, TypeError):
        return None


def publication_date(
    text: str,
    manifest_date: str | None = None,
    published: str | None = None,
    html: str | None = None,
) -> tuple[date, str]:
    """The publication date and where it came from: `published` (--published), the manifest's date, an
    HTML ``<meta>`` date, a dateline in the first lines; else DraftingError saying so.

    A dateline can be wrong (a misprinted year), which is why it comes last.

    Examples
    --------
    >>> publication_date("Paris, 4 March 2024 - Talks began.")
    (datetime.date(2024, 3, 4), 'dateline')
    """
    for value, origin in ((published, "--published"), (manifest_date, "manifest")):
        if value:
            d = _iso_date(str(value).strip()[:10])
            if d is None:
                raise DraftingError(f"{origin}: {value!r} is not a date (expected YYYY-MM-DD)")
            return d, origin
    if html:
        for m in _META.finditer(html):
            c = _CONTENT.search(m.group())
            if c and (d := _iso_date(c.group(1))):
                return d, "html meta"
    m = _DATELINE.search(text[:300])
    if m and (d := _iso_date(m.group(1))):
        return d, "dateline"
    raise DraftingError(
        "no publication date: give --published YYYY-MM-DD (or a manifest date, an HTML <meta> "
        "date or a dateline in the article)"
    )
