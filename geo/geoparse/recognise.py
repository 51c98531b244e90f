"""Recognition: text -> candidate place-name spans.

This stage knows nothing about coordinates. `mentions()` finds capitalised word
sequences (and runs of uncased scripts such as Chinese), and keeps the longest
sub-spans that the caller's `known` predicate accepts (the geocoder passes the
gazetteer's name test). Each mention carries the surface cues the geocoder uses to
decide whether it is a place: sentence position, neighbouring words, and the
enclosing capitalised sequence (for organisation and person names).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

# ---------------------------------------------------------------------------
# Mentions


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    sentence_initial: bool  # first word of a sentence, line or quotation
    prev_word: str  # word before the mention ("" if none)
    next_word: str  # word after the mention
    seq_before: str  # capitalised words joined to the mention on the left ("Bank of")
    seq_after: str  # capitalised words joined on the right ("Post")
    after_comma: str  # capitalised words right after ", " ("Paris, Texas" -> "Texas")
    all_caps_context: bool  # the surrounding line is upper case (headline, dateline)


# Words, abbreviations with dots (U.S., D.C.), and possessive-free names.
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’](?!s\b)[^\W\d_]+)*")
# Lower-case words allowed inside a multi-word place name.
NAME_CONNECTORS = {
    "of",
    "de",
    "del",
    "della",
    "di",
    "du",
    "da",
    "do",
    "dos",
    "das",
    "la",
    "le",
    "les",
    "los",
    "las",
    "el",
    "al",
    "von",
    "van",
    "der",
    "den",
    "upon",
    "on",
    "sur",
    "y",
    "the",
    "and",
    "en",
    "am",
    "an",
    "im",
}
# Connectors that bind capitalised words into one proper name for context purposes.
_SEQ_CONNECTORS = NAME_CONNECTORS - {"and", "the", "on", "en", "an", "am", "im"}
_ABBREV_DOT = {"St", "Ste", "Mt", "Ft", "Pt", "Sta"}
_UNCASED_MAX = 12


def _is_cap(tok: str) -> bool:
    c = tok[0]
    return c.isupper() or (c.isalpha() and c.lower() == c.upper())


def _is_uncased(tok: str) -> bool:
    c = tok[0]
    return c.isalpha() and c.lower() == c.upper()


def _gap_ok(text: str, a_end: int, b_start: int, a_tok: str) -> bool:
    """Can two tokens belong to one name? Single space/hyphen, or 'St. X'."""
    gap = text[a_end:b_start]
    if gap in (" ", "-", "\u00a0"):
        return True
    if gap == ". " and a_tok in _ABBREV_DOT:
        return True
    if gap == "" and a_tok.endswith("."):
        return False
    return False


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘([«—–-":
        i -= 1
    return i < 0 or text[i] in ".!?\n\r:;•|"


def _line_upper(text: str, start: int, end: int) -> bool:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return _upper_line(text[a : b if b >= 0 else len(text)])


@functools.lru_cache(maxsize=512)
def _upper_line(line: str) -> bool:
    # cached: every mention on a long line asks the same question (drafting speed)
    letters = [c for c in line if c.isalpha() and c.lower() != c.upper()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def mentions(text: str, known: Callable[[str], bool], max_words: int = 6) -> list[Mention]:
    """Longest spans of capitalised words (or uncased-script runs) that `known` accepts."""
    toks = tokens(text)
    n = len(toks)
    joined = [i + 1 < n and _gap_ok(text, toks[i][2], toks[i + 1][1], toks[i][0]) for i in range(n)]
    out: list[Mention] = []
    i = 0
    while i < n:
        tok, s, e = toks[i]
        if not _is_cap(tok):
            i += 1
            continue
        if _is_uncased(tok) and len(tok) > 1:
            out.extend(_uncased(text, tok, s, known, toks, i))
            i += 1
            continue
        best = None
        j = i
        while j < n and j - i < max_words:
            tj = toks[j][0]
            if j > i and not (_is_cap(tj) or tj.lower() in NAME_CONNECTORS):
                break
            if _is_cap(tj) and (
                known(text[s : toks[j][2]])
                or (text[toks[j][2] : toks[j][2] + 1] == "." and known(text[s : toks[j][2] + 1]))
            ):
                best = j
            if not joined[j]:
                break
            j += 1
        if best is None:
            i += 1
            continue
        m = _make(text, toks, joined, i, best)
        # abbreviations written with their full stop ("Calif."), and names that
        # include a comma ("Washington, D.C.")
        if text[m.end : m.end + 1] == "." and not m.text.endswith(".") and known(text[m.start : m.end + 1]):
            m = replace(m, text=text[m.start : m.end + 1], end=m.end + 1)
        elif m.after_comma and known(text[m.start : m.end + 2 + len(m.after_comma)]):
            e = m.end + 2 + len(m.after_comma)
            if text[e : e + 1] == "." and known(text[m.start : e + 1]):
                e += 1
            m = replace(m, text=text[m.start : e], end=e, after_comma="")
            while best + 1 < n and toks[best + 1][1] < e:
                best += 1
        out.append(m)
        i = best + 1
    return out


def _uncased(text, tok, s, known, toks, i) -> list[Mention]:
    """Greedy longest match inside a run of an uncased script (no spaces between words)."""
    found = []
    k = 0
    while k < len(tok):
        for L in range(min(_UNCASED_MAX, len(tok) - k), 1, -1):
            if known(tok[k : k + L]):
                a, b = s + k, s + k + L
                found.append(Mention(tok[k : k + L], a, b, False, "", "", "", "", "", False))
                k += L
                break
        else:
            k += 1
    return found


def _make(text, toks, joined, i, j) -> Mention:
    s, e = toks[i][1], toks[j][2]
    # capitalised sequence the mention sits in (organisation / person cues)
    a = i
    while a > 0 and joined[a - 1] and (_is_cap(toks[a - 1][0]) or toks[a - 1][0] in _SEQ_CONNECTORS):
        a -= 1
    while a < i and not _is_cap(toks[a][0]):
        a += 1
    b = j
    while b + 1 < len(toks) and joined[b] and (_is_cap(toks[b + 1][0]) or toks[b + 1][0] in _SEQ_CONNECTORS):
        b += 1
    while b > j and not _is_cap(toks[b][0]):
        b -= 1
    seq_before = text[toks[a][1] : s].strip() if a < i else ""
    seq_after = text[e : toks[b][2]].strip() if b > j else ""
    prev_word = toks[i - 1][0] if i > 0 else ""
    next_word = toks[j + 1][0] if j + 1 < len(toks) else ""
    after_comma = ""
    if text[e : e + 2] == ", " and j + 1 < len(toks) and _is_cap(toks[j + 1][0]):
        k = j + 1
        while k + 1 < len(toks) and joined[k] and _is_cap(toks[k + 1][0]) and k - j < 4:
            k += 1
        after_comma = text[toks[j + 1][1] : toks[k][2]]
    return Mention(
        text=text[s:e],
        start=s,
        end=e,
        sentence_initial=_sentence_initial(text, s),
        prev_word=prev_word,
        next_word=next_word,
        seq_before=seq_before,
        seq_after=seq_after,
        after_comma=after_comma,
        all_caps_context=_line_upper(text, s, e),
    )
