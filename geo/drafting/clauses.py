"""Sentences and clauses: where one report of an event starts and ends.

`split_sentences` is the project's one sentence splitter (code-point spans, abbreviations and
initials kept whole, line breaks end a sentence). `split_clauses` cuts a sentence where a second
event may start ("...for talks, securing a deal, while X arrived ... after visiting ..."); the drafter
merges back the pieces that hold no trigger.
"""

from __future__ import annotations

import re

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


# Places where a second event can begin inside a sentence.
_CUT = re.compile(
    r"\s*;\s*"
    r"|,?\s+(?:while|whereas|but|as well as)\s+"
    r"|,\s+and\s+(?!others\b)|\s+and\s+(?=(?:a|an|then|also|later|[a-z]{3,}ed)\b)"
    r"|,?\s+(?=(?:after|before)\s+[a-z]+ing\b)"
    r"|,\s+(?=(?!according\b)[a-z]+ing\b)"
    r"|,\s+(?=which\s)"
    r"|,\s+(?=(?:and\s+)?(?:during|at)\s+which\b)"
)


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Candidate clause spans of the sentence ``text[start:end]`` (absolute offsets).

    Examples
    --------
    >>> t = "The ministers met for talks, signing a trade deal, while the army withdrew."
    >>> [t[s:e] for s, e in split_clauses(t, 0, len(t))]
    ['The ministers met for talks', 'signing a trade deal', 'the army withdrew.']
    """
    out: list[tuple[int, int]] = []
    s = start
    for m in _CUT.finditer(text, start, end):
        if m.start() > s:
            out.append((s, m.start()))
        s = m.end()
    if s < end:
        out.append((s, end))
    return out or [(start, end)]


def is_heading(text: str, start: int, end: int) -> bool:
    """Headlines, section titles and questions: a line without closing punctuation, or a question.

    Examples
    --------
    >>> t = "Storm hits coast\\nWinds rose overnight."
    >>> is_heading(t, 0, 16), is_heading(t, 17, len(t))
    (True, False)
    """
    s = text[start:end].rstrip("\"'”’) ")
    if s.endswith("?"):
        return True
    line_end = text.find("\n", end)
    line_start = text.rfind("\n", 0, start) + 1
    alone = not text[line_start:start].strip() and (line_end == -1 or line_end == end or end == len(text))
    return alone and not s.endswith((".", "!", "…", ":"))
