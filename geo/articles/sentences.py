"""The one sentence splitter: sentence boundaries of an article's text, in code-point offsets of the
text as stored (the offsets citations use).

A boundary is `.`, `!` or `?` (with closing quotes or brackets) followed by white space, or a line
break. Abbreviations such as "U.S." followed by a capitalised word still split; a wrong split only
shortens the quoted passage, it never moves a span.
"""

from __future__ import annotations

import re

SENTENCE_MAX = 400  # characters kept around a mention when the sentence runs on (tables, lists)
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+|\n")
# Abbreviations that do not end a sentence before a capitalised word.
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Capt|St|Mt|Jr|Sr|No|vs|etc|i\.e|e\.g)"
                              r"|\b[A-Z])\.[\"'”’)\]]*\s+$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, in order, trimmed of surrounding white space.

    Examples
    --------
    >>> text = "Storms hit Lyon. Dr. Roux said so.\\nNext line"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Storms hit Lyon.', 'Dr. Roux said so.', 'Next line']
    """
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] != "\n" and _NO_SPLIT_BEFORE.search(text, max(0, m.start() - 6), m.end()):
            continue
        _add(text, start, m.start() + len(m.group(0).rstrip()), spans)  # keeps closing quotes
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] with white space folded, trimmed to SENTENCE_MAX characters
    either side of the span.

    Examples
    --------
    >>> sentence_at("Storms hit Lyon today! Next line", 11, 15)
    'Storms hit Lyon today!'
    """
    lo = max(0, start - SENTENCE_MAX)
    s = lo
    for m in _BOUNDARY.finditer(text, lo, start):
        s = m.end()
    m = _BOUNDARY.search(text, end)
    e = m.start() + 1 if m and text[m.start()] != "\n" else (m.start() if m else len(text))
    e = min(e, end + SENTENCE_MAX)
    return " ".join(text[s:e].split())
