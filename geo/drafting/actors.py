"""Actors in a passage: the dataset's actors (names, native names, short forms, demonyms) and
proposals for people, organisations and states the dataset does not have yet.

Short forms: a person's family name alone ("Putin"; the first word of Chinese and Korean names:
"Xi", "Kim"), the name without titles ("President Xi Jinping"), hyphen/space variants ("Kim Jong-un").
When a short form fits several actors, the one whose full name the article uses most wins.
States: a country toponym or demonym ("Russian") of the geoparser maps onto the state actor of that country.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FAMILY_NAME_FIRST = {
    "CN",
    "KP",
    "KR",
    "VN",
    "TW",
    "HK",
    "MO",
    "KH",
}  # Japanese names appear given-name first in English
TITLES = (
    "President|Prime Minister|Premier|Chancellor|Minister|Foreign Minister|Defence Minister|Defense Minister|"
    "Secretary|Secretary-General|Secretary of State|General|Gen\\.|Admiral|Colonel|Commander|Leader|leader|"
    "King|Queen|Prince|Crown Prince|Emperor|Pope|Governor|Mayor|Senator|Sen\\.|Rep\\.|Ambassador|Envoy|"
    "Spokesman|Spokeswoman|spokesman|spokeswoman|Chairman|Chairwoman|Chair|Director|CEO|Dr\\.|Mr\\.|Mrs\\.|Ms\\.|"
    "analyst|Analyst|minister|president|chief|Chief|Judge|Justice|Vice President|Speaker|Marshal|Field Marshal"
)
ORG_HEADS = (
    "Ministry|Agency|Party|Army|Navy|Air Force|Council|Committee|Commission|Organisation|Organization|Union|"
    "Service|Bureau|Institute|Corporation|Company|Bank|Fund|Forces|Front|Movement|Assembly|Parliament|"
    "Congress|Senate|Court|Office|Department|Authority|Association|Federation|League|Group|Guard|Police|"
    "University|Daily|Times|Post|News|Agency|Alliance|Coalition|Brigade|Battalion|Administration"
)
_NAME = r"[A-Z][\w'’\-]+(?:\s+(?:[A-Z][\w'’\-]+|de|al|bin|van|von|der|la))*"
_PERSON_CUE = re.compile(r"\b(?:" + TITLES + r")\s+(?P<name>" + _NAME + r")")
_ORG = re.compile(
    r"\b(?:[Tt]he\s+)?(?P<name>(?:[A-Z][\w'’\-]+\s+){0,5}(?:"
    + ORG_HEADS
    + r")(?:\s+of\s+(?:the\s+)?[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)*)?)\b"
)
_BASED = re.compile(r"^(?:[A-Z][\w'’]*[\s-])*?[\w'’]+-based\s+")
_TITLE_WORDS = set(TITLES.replace("\\.", "").replace("|", " ").lower().split())


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    native_name: str
    kind: str
    country: str


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).replace("’", "'")
    return " ".join(re.sub(r"[\-‐]", " ", s).split()).casefold()


def load_actors(data_dir: str | Path | None) -> list[Actor]:
    """Actors of a dataset folder's actors.csv (empty when the file is absent).

    Examples
    --------
    >>> load_actors("/nonexistent")
    []
    """
    if data_dir is None:
        return []
    path = Path(data_dir) / "actors.csv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Actor(
                r.get("id", ""),
                r.get("name", ""),
                r.get("native_name", "") or "",
                r.get("kind", ""),
                (r.get("country", "") or "").upper(),
            )
            for r in csv.DictReader(fh)
            if r.get("id") and r.get("name")
        ]


class ActorIndex:
    """Aliases of the dataset's actors, resolved once per article (see `for_text`)."""

    def __init__(self, actors: list[Actor]):
        self.actors = actors
        self.by_country = {a.country: a for a in actors if a.kind == "state" and a.country}
        self.aliases: dict[str, list[Actor]] = {}
        for a in actors:
            for alias in self._aliases(a):
                lst = self.aliases.setdefault(_norm(alias), [])
                if a not in lst:
                    lst.append(a)
        keys = sorted(self.aliases, key=len, reverse=True)
        alt = "|".join(re.escape(k).replace(r"\ ", r"[\s\-]+") for k in keys if k)
        self._rx = re.compile(r"(?<![\w])(?:" + alt + r")(?![\w])", re.IGNORECASE) if alt else None

    @staticmethod
    def _aliases(a: Actor) -> list[str]:
        out = [a.name]
        if a.native_name:
            out.append(a.native_name)
        bare = re.sub(r"\s*\(.*?\)", "", a.name).strip()
        out.append(bare)
        if a.kind == "person":
            parts = bare.split()
            if len(parts) > 1:
                out.append(parts[0] if a.country in FAMILY_NAME_FIRST else parts[-1])
        elif a.kind == "organisation" and 2 <= len(a.id) <= 6 and a.id.isalpha():
            out.append(a.id.upper())  # "SCO", "NATO": short ids of organisations are their acronyms
        return [x for x in out if x]

    def for_text(self, text: str) -> list[tuple[int, int, Actor]]:
        """Every actor mention in the article: (start, end, actor); ambiguous short forms settled by the
        article's use of full names."""
        if self._rx is None:
            return []
        hits = []
        full_uses: dict[str, int] = {}
        for m in self._rx.finditer(text):
            word = m.group()
            if word[0].islower() and word.isascii():
                continue  # names are capitalised; "kim" inside prose is not an actor
            cands = self.aliases.get(_norm(word), [])
            hits.append((m.start(), m.end(), cands))
            if len(cands) == 1:
                full_uses[cands[0].id] = full_uses.get(cands[0].id, 0) + 1
        out = []
        for s, e, cands in hits:
            if not cands:
                continue
            best = max(cands, key=lambda a: (full_uses.get(a.id, 0), a.kind == "person"))
            out.append((s, e, best))
        return out

    def state_for(self, country: str) -> Actor | None:
        return self.by_country.get(country or "")


def new_actors(text: str, start: int, end: int, known: set[str], toponym_names: set[str]) -> list[dict]:
    """People and organisations named in ``text[start:end]`` that are not known actors.

    People need a title cue ("Minister Ana Lopez", "an analyst, Ana Lopez"); organisations a head word
    ("... Ministry", "... Party", "Ministry of Defence"). `known` holds normalised names already matched.

    Examples
    --------
    >>> new_actors("Defence Minister Ana Lopez met the Green Party.", 0, 47, set(), set())
    [{'name': 'Ana Lopez', 'kind': 'person'}, {'name': 'Green Party', 'kind': 'organisation'}]
    """
    seg = text[start:end]
    out: list[dict] = []
    seen = set(known)
    for m in _PERSON_CUE.finditer(seg):
        name = _strip_titles(m.group("name"))
        fresh = name and _norm(name) not in seen and name not in toponym_names and not _ORG.fullmatch(name)
        if fresh and not any(_norm(name) in k or k in _norm(name) for k in seen if len(k) > 3):
            out.append({"name": name, "kind": "person"})
            seen.add(_norm(name))
    for m in _ORG.finditer(seg):
        name = _BASED.sub("", m.group("name").strip())  # "the Paris-based Agency X" -> "Agency X"
        name = re.split(r"['’]s\s+", name)[-1]  # "Keir Starmer's Labour Party" -> "Labour Party"
        words = name.split()
        if len(words) < 2 or _norm(name) in seen:
            continue
        if any(_norm(name) in k or k in _norm(name) for k in seen if len(k) > 3):
            continue
        out.append({"name": name, "kind": "organisation"})
        seen.add(_norm(name))
    return out


def _strip_titles(name: str) -> str:
    words = name.split()
    while words and words[0].lower().rstrip(".") in _TITLE_WORDS:
        words.pop(0)
    while words and words[-1].endswith(("'s", "’s")):
        words[-1] = words[-1][:-2]
    return " ".join(words) if len(words) >= 1 else ""


def norm(s: str) -> str:
    """Case- and hyphen-insensitive form of a name (for comparisons).

    Examples
    --------
    >>> norm("Kim Jong-un") == norm("KIM JONG UN")
    True
    """
    return _norm(s)
