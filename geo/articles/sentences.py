"""The one sentence splitter: sentence spans of an article's text, in code-point offsets of the text as
stored (the offsets citations use). Used by the mentions layer, the corpus ingest and the event drafter.
"""

from __future__ import annotations

import bisect
import functools
import re

SENTENCE_MAX = 400  # characters kept around a mention when the sentence runs on (tables, lists)

ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "gen",
    "gov",
    "lt",
    "col",
    "capt",
    "sgt",
    "rep",
    "sen",
    "prof",
    "rev",
    "no",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "approx",
    "est",
}
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|(?:[ \t]*\r?\n)+")
_NEXT_LOWER = re.compile(r"\s*[a-z]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in code points, whitespace trimmed, `end` exclusive.

    A sentence ends at ``.``, ``!``, ``?`` followed by space and a capital (or digit/quote), or at a
    line break. Abbreviations ("Mr.", "U.S.", "Sept.") and initials ("J. Smith") do not end one, nor
    does a line break inside a sentence (hard-wrapped text, page breaks): one after a line without
    closing punctuation, followed by a lower-case word.

    Examples
    --------
    >>> t = "Mr. Lee met the U.S. envoy. They agreed.\\nNext line"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Mr. Lee met the U.S. envoy.', 'They agreed.', 'Next line']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group().startswith("."):
            w = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
            word = (w.group(1) if w else "").lower()
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        elif "\n" in m.group():
            before = text[start : m.start()].rstrip()
            if before and before[-1] not in ".!?…:;\"”'’" and _NEXT_LOWER.match(text, m.end()):
                continue  # a wrapped line: the sentence goes on
        _add(text, start, m.start() if "\n" in m.group() else m.end(), spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))


@functools.lru_cache(maxsize=16)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(text))


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] with white space folded, trimmed to SENTENCE_MAX characters
    either side of the span.

    Examples
    --------
    >>> sentence_at("Storms hit Lyon today! Next line", 11, 15)
    'Storms hit Lyon today!'
    """
    spans = _spans(text)
    i = bisect.bisect_right(spans, (start, len(text) + 1)) - 1
    s, e = spans[i] if i >= 0 and spans[i][0] <= start < spans[i][1] else (start, end)
    while i + 1 < len(spans) and e < end:  # a span across a boundary takes the sentences it touches
        i += 1
        e = spans[i][1]
    s, e = max(s, start - SENTENCE_MAX), min(e, end + SENTENCE_MAX)
    return " ".join(text[s:e].split())
