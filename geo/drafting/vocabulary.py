"""The fixed event-type vocabulary and the mapping from free type words onto it.

Importers (ACLED, GDELT, the curated CSV) call `normalise_type` so every layer speaks the
same fifteen words. The mapping table is documented in docs/events.md.
"""

from __future__ import annotations

TYPES: tuple[str, ...] = (
    "meeting",
    "visit",
    "travel",
    "agreement",
    "statement",
    "military",
    "attack",
    "casualties",
    "ceremony",
    "protest",
    "sanctions",
    "election",
    "disaster",
    "economic",
    "other",
)

# Free type words (the curated dataset's own, and common synonyms) -> vocabulary word.
SYNONYMS: dict[str, str] = {
    # the curated dataset's words (data/events.csv)
    "parade": "ceremony",
    "summit": "meeting",
    "talks": "meeting",
    "treaty": "agreement",
    "deployment": "military",
    "casualty report": "casualties",
    "strike": "attack",
    "security": "military",
    "policy": "economic",
    "analysis": "statement",
    # common synonyms from other sources
    "conference": "meeting",
    "negotiation": "meeting",
    "negotiations": "meeting",
    "trip": "visit",
    "tour": "visit",
    "journey": "travel",
    "pact": "agreement",
    "deal": "agreement",
    "memorandum": "agreement",
    "accord": "agreement",
    "speech": "statement",
    "announcement": "statement",
    "exercise": "military",
    "drills": "military",
    "battles": "attack",
    "battle": "attack",
    "violence against civilians": "attack",
    "explosions/remote violence": "attack",
    "airstrike": "attack",
    "killed": "casualties",
    "fatalities": "casualties",
    "funeral": "ceremony",
    "commemoration": "ceremony",
    "inauguration": "ceremony",
    "protests": "protest",
    "riots": "protest",
    "demonstration": "protest",
    "embargo": "sanctions",
    "vote": "election",
    "referendum": "election",
    "flood": "disaster",
    "earthquake": "disaster",
    "storm": "disaster",
    "trade": "economic",
    "tariffs": "economic",
    "investment": "economic",
    "strategic developments": "other",
    "consultation": "meeting",
    "shelling": "attack",
    "bombing": "attack",
    "riot": "protest",
    "sanction": "sanctions",
}


def normalise_type(word: str | None) -> str:
    """Vocabulary word for a free event-type word; unknown or empty words give ``"other"``.

    Parameters
    ----------
    word : str or None
        A type as written by a source (case and surrounding space ignored).

    Returns
    -------
    str
        One of `TYPES`.

    Examples
    --------
    >>> normalise_type("Parade"), normalise_type("casualty report"), normalise_type("meeting")
    ('ceremony', 'casualties', 'meeting')
    """
    key = " ".join(str(word or "").lower().split())
    if key in TYPES:
        return key
    if key in SYNONYMS:
        return SYNONYMS[key]
    if key.endswith("s") and key[:-1] in TYPES:
        return key[:-1]
    if key.endswith("s") and key[:-1] in SYNONYMS:  # "summits", "treaties" stay plural-proof
        return SYNONYMS[key[:-1]]
    return "other"
