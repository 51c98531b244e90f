"""Matching actor names as articles write them to the dataset's actors.

"President Xi Jinping", "Xi", "习近平" and "xi" all name the actor `xi`: matched by id, name,
native name, the name without a leading title, or a person's family name when only one actor has it
(a short form shared by two actors is ambiguous and left unmatched).
"""

from __future__ import annotations

import re
import unicodedata

TITLES = (
    "president",
    "prime minister",
    "premier",
    "chairman",
    "general secretary",
    "leader",
    "minister",
    "foreign minister",
    "defence minister",
    "defense minister",
    "king",
    "queen",
    "chancellor",
    "mr",
    "mrs",
    "ms",
    "dr",
    "general",
    "marshal",
    "supreme leader",
    "secretary",
    "secretary-general",
)


def normalise(name: str) -> str:
    """Case-folded name with dots and commas as spaces and single spaces (for comparison only).

    Examples
    --------
    >>> normalise("  Kim Jong-Un,  Jr. ")
    'kim jong-un jr'
    """
    s = unicodedata.normalize("NFKC", name or "").casefold().replace("\u2019", "'")
    s = re.sub(r"[.,]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _without_title(name: str) -> str:
    s = normalise(name)
    for t in sorted(TITLES, key=len, reverse=True):
        if s.startswith(t + " "):
            return s[len(t) + 1 :]
    return s


def actor_index(actors: list[dict]) -> dict[str, str]:
    """Lookup from normalised names and short forms to actor ids (ambiguous short forms left out).

    Examples
    --------
    >>> idx = actor_index([{"id": "xi", "name": "Xi Jinping", "native_name": "习近平", "kind": "person"}])
    >>> idx["xi"], idx["习近平"], idx["jinping"]
    ('xi', 'xi', 'xi')
    """
    full: dict[str, str] = {}
    short: dict[str, set[str]] = {}
    for a in actors:
        aid = (a.get("id") or "").strip()
        for key in (aid, a.get("name"), a.get("native_name")):
            if key and normalise(key):
                full.setdefault(normalise(key), aid)
        words = normalise(a.get("name") or "").split()
        if (a.get("kind") or "").strip() == "person" and len(words) > 1:
            for w in (
                words[0],
                words[-1],
            ):  # "Xi" (family name first) and "Putin" (family name last)
                short.setdefault(w, set()).add(aid)
    out = {k: next(iter(v)) for k, v in short.items() if len(v) == 1}
    out.update(full)
    return out


def match_actor(name: str, index: dict[str, str]) -> str | None:
    """The id of the actor called `name` (also "President Xi Jinping", "Xi"), or None.

    Examples
    --------
    >>> match_actor("President Xi Jinping", {"xi jinping": "xi"})
    'xi'
    """
    for key in (normalise(name), _without_title(name)):
        if key in index:
            return index[key]
    return None
