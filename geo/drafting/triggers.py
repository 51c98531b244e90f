"""Trigger words per event type (general English news vocabulary), and the clause's modality.

A trigger is a verb or noun that reports an event of a type ("met", "talks" -> meeting; "killed" ->
casualties). Reporting verbs ("said", "told") are weak: they make a `statement` only when nothing
else in the sentence is an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# type -> words (inflected forms written out; matched case-insensitively as whole words).
LEXICON: dict[str, str] = {
    "casualties": "killed killing dead died dies death deaths wounded injured injuring casualties casualty "
    "fatalities death_toll bodies lost_their_lives",
    "attack": "attack attacks attacked attacking airstrike airstrikes air_strike air_strikes strike strikes "
    "bombed bombing bombings shelled shelling shelled raid raids raided ambush ambushed "
    "clash clashes clashed fighting fought invaded invasion offensive assault shot shooting "
    "gunmen explosion explosions blast rocket_fire opened_fire drone_strike kidnapped abducted hostages",
    "disaster": "earthquake earthquakes quake flood floods flooded flooding flash_floods hurricane typhoon "
    "cyclone storm storms tornado wildfire wildfires landslide landslides drought eruption erupted "
    "tsunami heatwave evacuated evacuation evacuations collapsed",
    "election": "election elections elected re-elected vote votes voted voting voters ballot ballots polls "
    "referendum runoff run-off electoral turnout inaugurated conceded concedes",
    "protest": "protest protests protested protesting protesters protestors demonstration demonstrations "
    "demonstrators rally rallies rallied marched riot riots rioting strikers walkout sit-in",
    "sanctions": "sanction sanctions sanctioned embargo embargoes blacklisted blacklist asset_freeze "
    "froze_assets export_controls",
    "agreement": "agreement agreements agreed deal deals pact pacts treaty treaties memorandum accord accords "
    "signed signing sign signs alliance ceasefire truce contract contracts partnership agree agrees",
    "ceremony": "parade parades ceremony ceremonies celebration celebrations commemoration commemorated "
    "anniversary funeral inauguration sworn festival celebrated marked",
    "meeting": "met meet meets meeting meetings talks summit summits conference negotiations negotiated "
    "discussed discussion discussions sidelines held_talks hosted_a_meeting dialogue",
    "visit": "visit visits visited visiting toured tour inspected trip hosts hosted hosting host welcomed "
    "welcomes received receives attended attends attending state_visit",
    "travel": "arrived arrives arriving arrival travelled traveled travelling traveling flew departed left_for "
    "journey crossed returned train travel travels arrive depart departs departing fly flies flying landed",
    "military": "troops soldiers deployed deployment deployments mobilised mobilized drills exercises "
    "manoeuvres maneuvers missile_test missile_tests launched warships warplanes "
    "military_cooperation security_measures lockdown curfew supplied weapons withdrew "
    "withdrawal withdraw deploy deploys",
    "economic": "tariff tariffs investment investments invested loan loans inflation interest_rate interest_rates "
    "rate_hike rate_cut bailout stimulus devalued devaluation defaulted budget subsidies merger acquisition "
    "layoffs privatisation privatization nationalised nationalized",
    "other": "arrested arrests detained charged sentenced convicted acquitted resigned resigns resignation "
    "appointed dismissed sacked released freed extradited",
    "statement": "said says say told stated announced announces announcement declared warned warns urged "
    "called_for condemned criticised criticized criticism accused denied responded reiterated "
    "speech statement signalled signaled insisted vowed pledged described",
}
# When several triggers share a clause: these types win over the first-trigger rule.
DOMINANT = ("casualties", "attack", "disaster", "sanctions", "protest", "election")
WEAK = {"statement"}
# Plain reporting verbs: they attribute other claims; alone they make no draft (a statement needs a
# stronger word: announced, warned, accused, pledged …).
REPORTING = {"said", "says", "say", "told", "stated", "described", "responded"}
LIGHT_VERBS = {
    "host",
    "hosts",
    "hosted",
    "hosting",
    "held",
    "holds",
    "hold",
    "holding",
    "staged",
    "stages",
    "attended",
    "attends",
    "attending",
    "organised",
    "organized",
}
_WORD_TYPE: dict[str, str] = {}
# Multi-word triggers are written with "_" in LEXICON ("death_toll").
for _type, _words in LEXICON.items():
    for _w in _words.split():
        _WORD_TYPE.setdefault(_w.lower().replace("_", " "), _type)
# Capitalised forms that are names, not triggers ("March", "Trade Minister" is fine: lower-case only for these).
_LOWER_ONLY = {
    "march",
    "marched",
    "rally",
    "sign",
    "host",
    "trip",
    "deal",
    "train",
    "tour",
    "fire",
}

MODAL = re.compile(
    r"\b(?:may|might|could|would|potential|possible|possibly|likely|expected|if|whether|"
    r"plans?|planning|considering|seem|seems|inevitable|hopes?)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(?:not|no|never|denied|didn't|did not|won't)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Trigger:
    start: int
    end: int
    word: str
    type: str
    governed: bool  # follows a preposition/article: a noun the clause is about, not its main verb


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*")
_GOVERNORS = {"to", "at", "for", "of", "before", "during", "after", "on", "in", "from", "about", "the", "a", "an"}
# First word of a multi-word trigger -> the phrases starting with it (as word tuples), longest first.
_PHRASE_HEADS: dict[str, list[tuple[str, ...]]] = {}
for _w in sorted(_WORD_TYPE, key=lambda w: -len(w.split())):
    if " " in _w:
        _PHRASE_HEADS.setdefault(_w.split()[0], []).append(tuple(_w.split()))


def find_triggers(text: str, start: int, end: int) -> list[Trigger]:
    """Triggers in ``text[start:end]`` (absolute offsets), in reading order.

    One pass over the words with dictionary look-ups (a regex alternation of every trigger is slow).

    Examples
    --------
    >>> [(t.word, t.type) for t in find_triggers("Floods killed 12 people.", 0, 24)]
    [('Floods', 'disaster'), ('killed', 'casualties')]
    """
    toks = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text, start, end)]
    out = []
    i = 0
    while i < len(toks):
        s0, _e0, low = toks[i]
        hit = None
        for phrase in _PHRASE_HEADS.get(low, ()):
            k = len(phrase)
            if tuple(t[2] for t in toks[i : i + k]) == phrase and all(
                text[toks[j][1] : toks[j + 1][0]].isspace() for j in range(i, i + k - 1)
            ):
                hit = (k, " ".join(phrase))
                break
        if hit is None and low in _WORD_TYPE:
            hit = (1, low)
        nxt = toks[i + hit[0]][2] if hit is not None and i + hit[0] < len(toks) else ""
        if hit is not None and hit[0] == 1 and nxt in _IDIOM_NEXT.get(low, ()):
            hit = None  # "landslide victory", "a flood of requests": not a disaster
        if hit is None or (low in _LOWER_ONLY and text[s0].isupper() and hit[0] == 1):
            i += 1
            continue
        k, key = hit
        e = toks[i + k - 1][1]
        before = [t[2] for t in toks[max(0, i - 3) : i]]
        gov = any(w in _GOVERNORS for w in before) and not _SENTENCE_BREAK.search(text, toks[max(0, i - 3)][0], s0)
        out.append(Trigger(s0, e, text[s0:e], _WORD_TYPE[key], gov))
        i += k
    return out


_IDIOM_NEXT = {
    "landslide": {"victory", "win", "majority", "defeat", "election"},
    "flood": {"of"},
    "storm": {"of"},
    "wave": {"of"},
    "attack": {"ads", "ad", "dog"},
}
_SENTENCE_BREAK = re.compile(r"[.;:!?]")


def event_type(triggers: list[Trigger]) -> Trigger | None:
    """The trigger that names the clause's event: a dominant type (deaths, attacks, disasters …) first,
    then the first trigger that is not a governed noun, then the first one; reporting verbs last."""
    strong = [t for t in triggers if t.type not in WEAK]
    if not strong:
        return triggers[0] if triggers else None
    for kind in DOMINANT:
        for t in strong:
            if t.type == kind:
                return t
    free = [t for t in strong if not t.governed]
    head = (free or strong)[0]
    if head.word.lower() in LIGHT_VERBS:  # "hosting a parade", "held talks": the noun names the event
        nxt = next(
            (t for t in strong if t.start > head.start and t.word.lower() not in LIGHT_VERBS),
            None,
        )
        if nxt is not None and nxt.start - head.end <= 40:
            return Trigger(head.start, head.end, head.word, nxt.type, head.governed)
    return head
