"""Figures in a passage: value, unit, qualifier, and who claims them.

"about 600 soldiers" -> 600 soldiers, qualifier "about"; "$400 billion" -> 400000000000 USD;
"2,000 km" -> 2000 km. The claimant comes from "according to X" or "X said/estimated/reported".
Years, ordinals, dates and percentages of nothing are not figures.
"""

from __future__ import annotations

import re

QUALIFIERS = (
    "more than|over|at least|about|around|roughly|approximately|nearly|almost|up to|as many as|fewer than|"
    "less than|under|some|an estimated|estimated|close to|just over|just under|exactly|a total of"
)
SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "m": 1e6,
    "bn": 1e9,
    "k": 1e3,
}
CURRENCY = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_NUM = re.compile(
    r"(?:(?P<qual>" + QUALIFIERS + r")\s+)?(?P<cur>US\$|\$|€|£|¥)?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m|k)\b)?"
    r"(?P<pct>\s*(?:%|per\s?cent|percent))?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[ \t]+([A-Za-z][A-Za-z\-/]*)")
_STOP = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "from",
    "by",
    "with",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "that",
    "this",
    "these",
    "those",
    "it",
    "its",
    "their",
    "his",
    "her",
    "who",
    "which",
    "when",
    "where",
    "while",
    "than",
    "then",
    "after",
    "before",
    "during",
    "per",
    "each",
}
_BREAK = {
    "since",
    "ago",
    "later",
    "earlier",
    "before",
    "after",
    "until",
    "into",
    "onto",
    "against",
    "across",
}
_MEASURE = {
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "metres",
    "meters",
    "tonnes",
    "tons",
    "hectares",
    "kg",
    "mph",
    "km/h",
    "degrees",
    "mm",
    "cm",
    "feet",
    "barrels",
    "megawatts",
    "mw",
    "gw",
}
_CLAIM_AFTER = re.compile(
    r"\baccording to\s+(?P<who>(?:the\s+)?[^,.;]{2,80}?)(?=[,.;]|\s+which\b|\s+who\b|$)",
    re.IGNORECASE,
)
_CLAIM_BEFORE = re.compile(
    r"(?P<who>(?:[A-Z][\w'’\-]*|the|of|for|and)(?:\s+(?:[A-Z][\w'’\-]*|of|the|for|and|on|'s|’s))*)\s+"
    r"(?:said|says|estimated|estimates|reported|reports|claimed|claims|believes|believed|announced|told)\b"
)
_CLAIM_SAID_BY = re.compile(
    r"\b(?:said|says|reported|estimated)\s+(?P<who>(?:the\s+)?[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*)"
)


def claimant(sentence: str) -> str:
    """Who the sentence attributes its claims to ("according to X", "X said"), or "".

    Examples
    --------
    >>> claimant("Some 40 people died, according to the regional health ministry.")
    'the regional health ministry'
    >>> claimant("The Red Cross said 40 people died.")
    'Red Cross'
    """
    m = _CLAIM_AFTER.search(sentence)
    if m:
        return m.group("who").strip()
    m = _CLAIM_BEFORE.search(sentence)
    if m:
        who = m.group("who").strip()
        words = who.split()
        while words and words[0].lower() in _STOP:
            words.pop(0)
        if words and words[0][0].isupper() and who.lower() not in ("he", "she", "they", "it"):
            return " ".join(words)
    m = _CLAIM_SAID_BY.search(sentence)
    who = m.group("who").strip() if m else ""
    return "" if who.split(" ")[0].lower() in _WHEN_WORDS else who  # "officials said Thursday"


def find_figures(
    text: str,
    start: int,
    end: int,
    skip: list[tuple[int, int]] = (),
    claimed_by: str = "",
) -> list[dict]:
    """Figures in ``text[start:end]`` as ``{value, unit, qualifier, claimed_by, start, end}``.

    `skip` holds spans (dates) whose numbers are not figures.

    Examples
    --------
    >>> [(f["value"], f["unit"], f["qualifier"]) for f in find_figures("About 600 soldiers and $4 billion.", 0, 34)]
    [(600, 'soldiers', 'about'), (4000000000, 'USD', '')]
    """
    out = []
    for m in _NUM.finditer(text, start, end):
        s, e = m.start(), m.end()
        if any(a <= m.start("num") < b for a, b in skip):
            continue
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-–/."):
            continue
        raw = m.group("num").replace(",", "")
        value = float(raw)
        tail = text[m.end("num") : m.end("num") + 3]
        if re.match(r"(?:st|nd|rd|th)\b", tail):
            continue
        scale = (m.group("scale") or "").lower()
        if scale == "m" and not m.group("cur"):  # "600 m" is metres, not millions, without a currency
            scale = ""
        value *= SCALE.get(scale, 1)
        if m.group("cur"):
            unit = CURRENCY[m.group("cur")]
        elif m.group("pct"):
            unit = "percent"
        else:
            unit = ""
            if scale == "" and m.group("scale"):
                unit = "m"
            if not unit:
                unit, e = _unit_after(text, e, end)
        is_year = not m.group("cur") and not scale and "," not in m.group("num") and 1900 <= value <= 2100
        if is_year and not m.group("qual") and unit not in _MEASURE:
            continue
        if not unit and not m.group("qual") and not m.group("cur"):
            continue  # a bare number: a count of what, nobody can tell
        value = int(value) if value == int(value) else value
        out.append(
            {
                "value": value,
                "unit": unit,
                "qualifier": (m.group("qual") or "").lower(),
                "claimed_by": claimed_by,
                "start": s,
                "end": e,
            }
        )
    out += _word_figures(text, start, end, claimed_by)
    return sorted(out, key=lambda f: f["start"])


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUM = re.compile(
    r"(?:(?P<qual>" + QUALIFIERS + r")\s+)?\b(?P<num>(?:" + "|".join(_NUMBER_WORDS) + r")(?:-(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?)\b",
    re.IGNORECASE,
)


_VERBS = {
    "struck",
    "hit",
    "hits",
    "was",
    "were",
    "is",
    "are",
    "has",
    "have",
    "had",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "must",
    "should",
    "did",
    "do",
    "does",
    "left",
    "fell",
    "rose",
    "died",
    "came",
    "went",
    "took",
    "made",
    "said",
    "says",
    "told",
    "lost",
    "won",
    "met",
    "ran",
    "fled",
    "began",
    "shook",
    "killed",
}
_WHEN_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
    "on",
    "in",
    "last",
    "this",
    "earlier",
    "later",
    "yesterday",
}
_PRONOUNS = {"i", "we", "you", "he", "she", "it", "they", "them", "us", "him", "her", "its", "their"}
_PLURALS = {"people", "children", "men", "women", "police", "personnel", "cattle", "sheep", "staff", "crew"}


def _word_figures(text: str, start: int, end: int, claimed_by: str) -> list[dict]:
    """Counts written in words ("at least four people", "Twenty soldiers"): a plural noun must follow."""
    out = []
    for m in _WORD_NUM.finditer(text, start, end):
        parts = m.group("num").lower().split("-")
        value = sum(_NUMBER_WORDS.get(p, 0) for p in parts)
        if parts[0] in ("zero", "one"):
            continue  # "one of them", "one day": rarely a count
        unit, e = _unit_after(text, m.end(), end)
        if not (unit.endswith("s") or unit in _PLURALS) or (unit in _MEASURE and not m.group("qual")):
            continue
        qual = (m.group("qual") or "").lower()
        out.append(
            {"value": value, "unit": unit, "qualifier": qual, "claimed_by": claimed_by, "start": m.start(), "end": e}
        )
    return out


def _unit_after(text: str, pos: int, end: int) -> tuple[str, int]:
    """The counted noun after a number: the last word of a short noun group ("North Korean soldiers")."""
    unit, upto, prev_cap = "", pos, False
    for i in range(3):
        m = _WORD.match(text, upto, end)
        if not m:
            break
        w = m.group(1)
        low = w.lower()
        if (
            low in _STOP
            or low in _BREAK
            or (i and (low.endswith(("ed", "ing")) or (w[0].isupper() and unit.islower() and not prev_cap)))
        ):
            break
        if (i and low in _VERBS) or low in _WHEN_WORDS or low in _PRONOUNS:
            break
        unit, upto, prev_cap = low, m.end(), w[0].isupper()
        if low in _MEASURE or (low.endswith("s") and not low.endswith(("ss", "us", "is")) and not w[0].isupper()):
            break  # a plural noun ends the counted group ("600 soldiers", "80,000 peace doves")
    return unit, (upto if unit else pos)
