"""The place of a drafted event, from the toponyms the geoparser found in the whole article.

Per clause: candidates are the clause's toponyms (else the sentence's), demonyms ("Russian") and
names inside organisation names excluded. Scoring prefers a place governed by "in/at" (then
"to/near", then "from"), a city over a region over a country, and nearness to the trigger. A
country or region keeps its precision, and counts only when governed by a preposition ("in China";
"China said" names an actor); a continent never does. Without any candidate, the drafter takes the place of the report just
before (same passage), else the article's main place, flagged ``place-not-stated``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

PRECISION = {
    "city": "city",
    "admin1": "region",
    "admin2": "region",
    "region": "region",
    "sea": "region",
    "country": "country",
    "continent": "approximate",
}
_FEATURE_SCORE = {
    "city": 3.0,
    "admin1": 2.0,
    "admin2": 2.2,
    "region": 1.8,
    "sea": 1.5,
    "country": 1.0,
    "continent": 0.0,
}
_METONYM_BEFORE = re.compile(r"\bagainst\s+$", re.IGNORECASE)
_METONYM_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:said|says|warned|announced|accused|denied|insisted|responded|urged|"
    r"condemned|rejected|welcomed|demanded|has\s+(?:said|warned|announced|accused|denied))\b"
)
_CAPS_DATELINE = re.compile(r"(?m)^[ \t]*([A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+){0,2}),[ \t]")
_DATELINE_AFTER = re.compile(r"\s*(?:,|\(|—|–|-{1,2}\s)")
_MOTION = (
    r"(?:visit|visits|visited|visiting|trip|travel|travelled|traveled|journey|flew|went|came|returned|arrived|"
    r"deployed|sent|moved|headed|fled|evacuated|route|way|road|invasion|invaded)"
)
_GOVERN = [
    (  # "an earthquake struck southern Peru", "floods hit the north of Italy"
        re.compile(
            r"\b(?:struck|strikes|hit|hits|rocked|rocks|battered|ravaged|shook|swept\s+(?:through|across)|"
            r"flooded|invaded|attacked|bombed|shelled)\s+(?:the\s+)?(?:(?:north|south|east|west)(?:ern)?\s+"
            r"(?:of\s+)?|central\s+)?$",
            re.IGNORECASE,
        ),
        2.5,
    ),
    (
        re.compile(
            r"\b(?:in|at|inside|on|across|throughout)\s+(?:the\s+)?(?:[\w'’-]+\s+)?$",
            re.IGNORECASE,
        ),
        3.0,
    ),
    (
        re.compile(_MOTION + r"\s+(?:\w+\s+){0,2}?(?:to|into)\s+(?:the\s+)?$", re.IGNORECASE),
        2.5,
    ),
    (
        re.compile(r"\b(?:into|near|outside|towards?|off)\s+(?:the\s+)?$", re.IGNORECASE),
        2.0,
    ),
    (re.compile(r"\bto\s+(?:the\s+)?$", re.IGNORECASE), 0.8),
    (re.compile(r"\b(?:from|between|and)\s+(?:the\s+)?$", re.IGNORECASE), 0.5),
]


def load_overrides(data_dir: str | Path | None) -> dict[str, dict]:
    """places.csv of a dataset folder: name (case-folded) -> {name, lat, lon, precision}."""
    if data_dir is None:
        return {}
    path = Path(data_dir) / "places.csv"
    if not path.is_file():
        return {}
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            try:
                out[(r.get("name") or "").casefold()] = {
                    "name": r["name"],
                    "lat": float(r["lat"]),
                    "lon": float(r["lon"]),
                    "precision": r.get("precision") or "exact",
                }
            except (KeyError, TypeError, ValueError):
                continue
    return out


def candidate(t, overrides: dict[str, dict]) -> dict:
    """A toponym as a place candidate ``{name, lat, lon, precision}`` (a places.csv override wins)."""
    o = overrides.get(t.text.casefold())
    if o:
        return dict(o)
    return {
        "name": t.name,
        "lat": round(t.lat, 5),
        "lon": round(t.lon, 5),
        "precision": PRECISION.get(t.feature, "approximate"),
    }


_NAME_GOES_ON = re.compile(r"[ \t]+[A-Z][a-z]")


def usable(t, text: str | None = None) -> bool:
    """Toponyms that can be an event's place: not a demonym, not a word inside a longer name (the geoparser's
    "embedded", or a place word followed by more capitalised words: "Shanghai Cooperation Organisation")."""
    if t.kind != "literal":
        return False
    return text is None or not _NAME_GOES_ON.match(text, t.end)


def best_place(
    text: str,
    toponyms: list,
    start: int,
    end: int,
    anchor: int,
    overrides: dict[str, dict],
) -> tuple[dict | None, list[dict]]:
    """The best place in ``text[start:end]`` for an event whose trigger is at `anchor`, and all candidates.

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> ts = [T(text="France", name="France", start=20, end=26, lat=46.0, lon=2.0, feature="country", kind="literal"),
    ...       T(text="Lyon", name="Lyon", start=33, end=37, lat=45.7, lon=4.8, feature="city", kind="literal")]
    >>> best_place("The storm crossed France and hit Lyon.", ts, 0, 38, 4, {})[0]["name"]
    'Lyon'
    """
    inside = [t for t in toponyms if start <= t.start and t.end <= end and usable(t, text)]
    scored = []
    for t in inside:
        o = overrides.get(t.text.casefold())
        s = 4.0 if o and o.get("precision") == "exact" else _FEATURE_SCORE.get(t.feature, 0.5)
        gov = next(
            (bonus for rx, bonus in _GOVERN if rx.search(text, max(start, t.start - 45), t.start)),
            0.0,
        )
        if _METONYM_BEFORE.search(text, max(start, t.start - 12), t.start) or _METONYM_AFTER.match(text, t.end):
            continue  # "sanctions against Moscow", "Beijing said": a government, not a place
        if t.feature == "continent" or (t.feature == "country" and gov < 1.0):
            continue  # "China said", "US President": a country as an actor or a title, not where it happened
        s += gov
        s -= min(abs(t.start - anchor), 300) / 300.0
        scored.append((s, t))
    scored.sort(key=lambda st: -st[0])
    cands, seen = [], set()
    for _, t in scored:
        c = candidate(t, overrides)
        if c["name"] not in seen:
            seen.add(c["name"])
            cands.append(c)
    return (cands[0] if cands else None), cands


def main_place(toponyms: list, overrides: dict[str, dict], text: str | None = None) -> dict | None:
    """The article's main place: a dateline city ("KYIV, Ukraine (AP) —" at the start of a line in the first
    lines), else its most named city (first mention breaks ties), else its most named country.

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> ts = [T(text="Peru", name="Peru", lat=-10.0, lon=-76.0, feature="country", kind="literal", start=0, end=4),
    ...       T(text="Lima", name="Lima", lat=-12.05, lon=-77.04, feature="city", kind="literal", start=9, end=13)]
    >>> main_place(ts, {})["name"]
    'Lima'
    """
    if text is not None:
        m = _CAPS_DATELINE.search(text[:400])
        if m:  # "KYIV, Ukraine (AP) —": the recogniser may skip an all-capitals word, the gazetteer knows it
            from geo.geoparse import geocode

            p = geocode.geocode_place(m.group(1).title())
            if p is not None and p.feature == "city":
                return {"name": p.name, "lat": round(p.lat, 5), "lon": round(p.lon, 5), "precision": "city"}
        for t in toponyms:
            if t.start > 400:
                break
            line_start = text.rfind("\n", 0, t.start) + 1
            if t.feature == "city" and not text[line_start : t.start].strip() and _DATELINE_AFTER.match(text, t.end):
                return candidate(t, overrides)
    for feats in (("city",), ("admin1", "admin2", "region"), ("country",)):
        ts = [t for t in toponyms if t.feature in feats and usable(t)]
        if ts:
            counts = Counter(t.name for t in ts)
            top = max(counts.values())
            first = next(t for t in ts if counts[t.name] == top)
            return candidate(first, overrides)
    return None
