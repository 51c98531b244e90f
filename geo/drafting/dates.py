"""Dates in a clause, resolved against the article's publication date.

Forms: explicit dates ("3 September 2025", "Sept. 3", "September 2-3", "2025-09-03"), month and
year ("in June 2024", "last month", "in March"), years ("in 2011"), weekdays ("on Wednesday": the
latest such day on or before publication, the next one under future wording), "yesterday",
"today", "earlier" (in news copy: earlier that day), "N days/weeks ago", "earlier this year".
A clause without a date is never given one: `resolve` falls back to the publication month and
flags ``date-not-stated``. Dates after "since", "until", "before" do not date the event itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "a couple of": 2,
    "a few": 3,
    "several": 3,
}

_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY = r"(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*(?:[-–]|to|and|through|until)\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)?"
_DAY_B = _DAY.replace("d1", "e1").replace("d2", "e2")
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("decade", re.compile(r"\b(?:the\s+)?(?P<y>(?:19|20)\d0)s\b")),
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("dmy", re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MON + _YEAR + r"\b")),
    (
        "mdy",
        re.compile(r"\b" + _MON + r"\s+" + _DAY_B + r"(?![\d,]*\d{3})" + _YEAR + r"\b"),
    ),
    (
        "my",
        re.compile(
            r"\b(?P<pre>(?i:in|since|until|by|before|after|from|during|of|last|next|this|early|late|mid-?))?\s*"
            + _MON
            + r"(?:\s+(?P<year>(?:19|20)\d\d))?\b"
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>yesterday|today|tonight|tomorrow|this morning|this afternoon|this evening|"
            r"last night|earlier today|earlier this (?:week|month|year)|later this (?:week|month|year)|"
            r"last (?:week|month|year)|next (?:week|month|year)|this (?:week|month|year)|earlier)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d+|an?|one|two|three|four|five|six|seven|a couple of|a few|several)\s+"
            r"(?P<unit>day|week|month|year)s?\s+(?:ago|earlier)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "wd",
        re.compile(
            r"\b(?P<pre>(?i:on|last|next|this|since|until|by|before)\s+)?(?P<wd>Monday|Tuesday|Wednesday|"
            r"Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?P<pre>(?i:in|since|until|by|before|after|from|during|of|early|late|mid-?))?\s*"
            r"(?P<y>(?:19|20)\d\d)(?:\s*[-–]\s*(?P<y2>(?:19|20)\d\d))?\b(?![-–/]\d|\s*(?:km|%|people|troops))"
        ),
    ),
]
# Words before a date that make it a bound or a background point, not the event's own date.
NOT_EVENT_DATE = {"since", "until", "by", "before", "after", "from", "of"}
_BOUND_BEFORE = re.compile(r"\b(?:since|until|ever since)\b[^,.;:]{0,30}$", re.IGNORECASE)
FUTURE = re.compile(
    r"\b(?:will|shall|is set to|are set to|is due to|are due to|is expected to|are expected to|"
    r"plans? to|planned|scheduled|upcoming|next|going to|to be held)\b",
    re.IGNORECASE,
)


@dataclass
class DateMention:
    start: int
    end: int
    date: str
    end_date: str | None
    precision: str
    flags: list[str] = field(default_factory=list)
    bound: bool = False  # "since 2019": a bound, not the event's date


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if d:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}" if m else f"{y:04d}"


def _safe_day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for(m: int, d: int | None, pub: date, future: bool) -> int:
    """Year of a month (and day) written without one: the nearest past occurrence, or next under future wording."""
    y = pub.year
    probe = _safe_day(y, m, d or 1) or date(y, m, 1)
    if future and probe < pub.replace(day=1) and (pub - probe).days > 31:
        return y + 1
    if not future and probe > pub and (probe - pub).days > 62:
        return y - 1
    return y


def _weekday(wd: int, pre: str, pub: date, future: bool) -> date:
    back = (pub.weekday() - wd) % 7
    if pre == "next" or (future and pre != "last"):
        ahead = (wd - pub.weekday()) % 7
        return pub + timedelta(days=ahead or (7 if pre == "next" else 0))
    if pre == "last" and back == 0:
        back = 7
    return pub - timedelta(days=back)


def _rel(word: str, pub: date) -> tuple[str, str, list[str]] | None:
    w = word.lower()
    if w in (
        "today",
        "tonight",
        "this morning",
        "this afternoon",
        "this evening",
        "earlier today",
        "earlier",
    ):
        return _iso(pub.year, pub.month, pub.day), "day", []
    if w in ("yesterday", "last night"):
        d = pub - timedelta(days=1)
        return _iso(d.year, d.month, d.day), "day", []
    if w == "tomorrow":
        d = pub + timedelta(days=1)
        return _iso(d.year, d.month, d.day), "day", []
    unit = w.split()[-1]
    shift = {"last": -1, "next": 1}.get(w.split()[0], 0)
    if unit == "week":
        d = pub + timedelta(weeks=shift)
        return _iso(d.year, d.month), "month", ["approximate-date"]
    if unit == "month":
        d = pub + relativedelta(months=shift)
        return _iso(d.year, d.month), "month", []
    if unit == "year":
        return _iso(pub.year + shift), "year", []
    return None


def find_dates(text: str, published: date, offset: int = 0) -> list[DateMention]:
    """Date expressions in `text`, resolved against `published`, earliest first.

    Examples
    --------
    >>> [m.date for m in find_dates("They met on 3 September 2025.", date(2025, 9, 4))]
    ['2025-09-03']
    """
    future = bool(FUTURE.search(text))
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            g = m.groupdict()
            pre = (g.get("pre") or "").lower().strip()
            if pre:
                s = m.start("pre")
            core_s = next(
                (m.start(k) for k in ("d1", "mon", "e1", "y", "wd", "rel", "n") if g.get(k)),
                s,
            )
            if not free(core_s, e):
                continue
            got = _resolve(kind, g, pre, published, future)
            if got is None:
                continue
            d, end_d, prec, flags = got
            taken.append((core_s, e))
            bound = pre in NOT_EVENT_DATE or bool(_BOUND_BEFORE.search(text, max(0, s - 40), s))
            out.append(DateMention(offset + core_s, offset + e, d, end_d, prec, flags, bound))
    return sorted(out, key=lambda x: x.start)


def _resolve(kind: str, g: dict, pre: str, pub: date, future: bool):
    if kind == "iso":
        if _safe_day(int(g["y"]), int(g["m"]), int(g["d"])) is None:
            return None
        return _iso(int(g["y"]), int(g["m"]), int(g["d"])), None, "day", []
    if kind in ("dmy", "mdy"):
        m = MONTHS[g["mon"].lower().rstrip(".")]
        d1, d2 = (g.get("d1"), g.get("d2")) if kind == "dmy" else (g.get("e1"), g.get("e2"))
        d1 = int(d1)
        if d2 and int(d2) <= d1:
            d1, d2 = int(d2), None  # "killed 5 and 4 March": only the second number is a day
        y = int(g["year"]) if g.get("year") else _year_for(m, d1, pub, future)
        if _safe_day(y, m, d1) is None:
            return None
        end = None
        if d2 and _safe_day(y, m, int(d2)) and int(d2) > d1:
            end = _iso(y, m, int(d2))
        return _iso(y, m, d1), end, "day", [] if g.get("year") else ["year-inferred"]
    if kind == "my":
        if g["mon"] in ("May", "March") and not (g.get("year") or pre):
            return None  # a bare "May"/"March" is too often a verb or a name
        m = MONTHS[g["mon"].lower().rstrip(".")]
        if g.get("year"):
            return _iso(int(g["year"]), m), None, "month", []
        if not pre and not g["mon"][0].isupper():
            return None
        return (
            _iso(_year_for(m, None, pub, future or pre == "next"), m),
            None,
            "month",
            ["year-inferred"],
        )
    if kind == "rel":
        r = _rel(g["rel"], pub)
        return None if r is None else (r[0], None, r[1], r[2])
    if kind == "ago":
        raw = g["n"].lower()
        n = int(raw) if raw.isdigit() else NUMBERS.get(raw, 1)
        unit = g["unit"].lower()
        if unit == "day":
            d = pub - timedelta(days=n)
            return _iso(d.year, d.month, d.day), None, "day", []
        d = pub - (
            relativedelta(weeks=n)
            if unit == "week"
            else relativedelta(months=n)
            if unit == "month"
            else relativedelta(years=n)
        )
        if unit == "year":
            return _iso(d.year), None, "year", ["approximate-date"]
        return _iso(d.year, d.month), None, "month", ["approximate-date"]
    if kind == "wd":
        d = _weekday(WEEKDAYS[g["wd"].lower()], pre, pub, future)
        return _iso(d.year, d.month, d.day), None, "day", []
    if kind == "decade":
        y = int(g["y"])
        return _iso(y), _iso(y + 9), "year", []
    if kind == "year":
        y = int(g["y"])
        if not (1900 <= y <= pub.year + 10):
            return None
        end = g.get("y2")
        return _iso(y), (_iso(int(end)) if end and int(end) > y else None), "year", []
    return None


@dataclass
class DateResult:
    date: str
    end_date: str | None
    precision: str
    flags: list[str]


def fallback(published: date) -> DateResult:
    """The coarse context of a report that states no date: the publication month, flagged.

    Examples
    --------
    >>> fallback(date(2024, 5, 8))
    DateResult(date='2024-05', end_date=None, precision='month', flags=['date-not-stated'])
    """
    return DateResult(_iso(published.year, published.month), None, "month", ["date-not-stated"])


def resolve(mentions: list[DateMention], anchor: int) -> DateResult | None:
    """The event date among `mentions` (already limited to the draft's clause): the one nearest `anchor`
    (the trigger), skipping bounds such as "since 2019"; None when there is none.

    Examples
    --------
    >>> ms = find_dates("Since 2019 they met twice; the last time on 4 May 2024.", date(2024, 5, 8))
    >>> resolve(ms, 30).date
    '2024-05-04'
    """
    usable = [m for m in mentions if not m.bound]
    if not usable:
        return None
    best = min(
        usable,
        key=lambda m: (min(abs(m.start - anchor), abs(m.end - anchor)), -len(m.date)),
    )
    return DateResult(best.date, best.end_date, best.precision, list(best.flags))
