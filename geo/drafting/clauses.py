"""Sentences and clauses: where one report of an event starts and ends.

Sentences come from the project's one splitter (`geo.articles.sentences`). `split_clauses` cuts a sentence where a second
event may start ("...for talks, securing a deal, while X arrived ... after visiting ..."); the drafter
merges back the pieces that hold no trigger.
"""

from __future__ import annotations

import re

from geo.articles.sentences import split_sentences  # noqa: F401  (the one splitter; re-exported for the drafter)

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
