"""Disambiguation: mentions -> places with coordinates.

Pipeline: `recognise.mentions` (spans the gazetteer knows) -> recognition filters
(common words, person names, sentence-initial words) -> candidate scoring with
population / feature-class priors, country context from the rest of the document,
"Paris, Texas" qualifiers and spatial coherence -> one sense per name per document.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from geo.geoparse import gazetteer, recognise
from geo.geoparse.gazetteer import Place, normalize


@dataclass(frozen=True)
class Toponym:
    text: str
    start: int
    end: int
    name: str
    lat: float
    lon: float
    country: str
    feature: str
    score: float
    kind: str = "literal"  # literal | adjectival | embedded (a place word inside an organisation name)


# ---------------------------------------------------------------------------
# General-English word lists (not places when capitalised)

STOP_WORDS = set(
    """
a an the and or but if of in on at to for from by with as is it its this that these those he she we
they you i me my our your his her their them us who what when where why how which there here all any
some no not yes one two three four five six seven eight nine ten first last new old more most many
much very also just only even so then than now today tomorrow yesterday said says say will would can
could should may might must do does did has have had be been being was were are am mr mrs ms dr sir
lord lady saint st mount mt king queen prince princess president minister governor mayor senator
general captain chief judge police army navy court church street road avenue north south east west
central upper lower great little big january february march april may june july august september
october november december monday tuesday wednesday thursday friday saturday sunday god jesus
christ allah news times post daily press world national international city state county university
college school hospital center centre park lake river island beach valley hill hills bay port
airport station hall house tower club union party government republic kingdom empire federal english
""".split()
)

# Words before a capitalised name that mark a person.
PERSON_TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "pres",
    "minister",
    "senator",
    "sen",
    "rep",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "general",
    "gen",
    "col",
    "colonel",
    "capt",
    "captain",
    "lt",
    "sgt",
    "officer",
    "coach",
    "pope",
    "king",
    "queen",
    "prince",
    "princess",
    "rev",
    "father",
    "brother",
    "sister",
    "saint",
    "professor",
    "prof",
    "chancellor",
    "secretary",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "chairman",
    "ceo",
    "director",
    "by",
}
# Head words that make a capitalised sequence an organisation, building or event.
ORG_WORDS = {
    "bank",
    "university",
    "college",
    "school",
    "institute",
    "academy",
    "post",
    "times",
    "herald",
    "tribune",
    "journal",
    "gazette",
    "news",
    "press",
    "daily",
    "chronicle",
    "telegraph",
    "guardian",
    "observer",
    "record",
    "star",
    "sun",
    "globe",
    "mail",
    "express",
    "fc",
    "united",
    "city",
    "rovers",
    "club",
    "company",
    "corp",
    "corporation",
    "inc",
    "ltd",
    "group",
    "council",
    "police",
    "department",
    "ministry",
    "agency",
    "authority",
    "airport",
    "airlines",
    "airways",
    "hospital",
    "church",
    "cathedral",
    "museum",
    "zoo",
    "stadium",
    "arena",
    "hotel",
    "party",
    "league",
    "association",
    "federation",
    "committee",
    "commission",
    "board",
    "court",
    "foundation",
    "society",
    "saints",
    "giants",
    "rangers",
    "county",
    "street",
    "avenue",
    "road",
    "square",
    "bridge",
    "station",
    "port",
    "harbor",
    "harbour",
    "center",
    "centre",
    "park",
    "festival",
    "olympics",
    "games",
    "cup",
    "open",
    "marathon",
    "government",
    "administration",
    "office",
    "service",
    "services",
    "network",
    "television",
    "tv",
    "radio",
    "magazine",
    "review",
    "house",
    "senate",
    "assembly",
    "parliament",
    "congress",
    "army",
    "navy",
    "force",
    "forces",
    "guard",
    "embassy",
    "consulate",
    "mission",
    "region",
    "state",
    "province",
}
LOCATIVE = {
    "in",
    "at",
    "from",
    "near",
    "to",
    "into",
    "across",
    "outside",
    "inside",
    "around",
    "throughout",
    "toward",
    "towards",
    "via",
    "through",
    "between",
    "within",
    "of",
}

SMALL_PLACE = 5000  # towns below this need a locative cue ("in X") or a qualifier ("X, Texas")
CTX_W = 4.0  # weight of the document's country distribution
ALT_PENALTY = 0.7  # a match through an alternate name is a little less likely


def _prior(p: Place, alt: bool) -> float:
    return gazetteer.feature_prior(p) - (ALT_PENALTY if alt else 0.0)


# ---------------------------------------------------------------------------
# Single names


def geocode_place(name: str, country: str | None = None) -> Place | None:
    """Most likely place for a bare name, optionally within a country (ISO2).

    Examples
    --------
    >>> place = geocode_place("Kursk")
    >>> place.country, round(place.lat)
    ('RU', 52)

    Used for curated data: prefers the main-name match, then the larger place; a city
    beats the admin-1 region of the same name in the same country ("Kursk").
    """
    gz = gazetteer.get()
    cands = gz.candidates(name)
    if country:
        cands = [(p, a) for p, a in cands if p.country == country.upper()]
    if not cands:
        return None
    cities = {(p.country, normalize(p.name)) for p, _ in cands if p.feature == "city" and p.population >= 10000}

    def key(pa):
        p, alt = pa
        s = _prior(p, alt)
        if p.feature == "admin1" and (p.country, normalize(name)) in cities:
            s -= 3.0
        return s

    return max(cands, key=key)[0]


# ---------------------------------------------------------------------------
# Documents


def _recognise(
    m: recognise.Mention, cands: list[tuple[Place, bool]], adjectival: bool, gz, persons: set[str]
) -> tuple[bool, str]:
    """Is this mention a place reference? Returns (keep, kind)."""
    words = m.text.split()
    low = m.text.lower()
    best = max(cands, key=lambda pa: _prior(*pa))[0]
    major = best.feature in ("country", "continent", "region", "sea", "admin1") or best.population >= 1_000_000
    big = major or best.population >= 100_000
    # Upper-case words in mixed-case text are acronyms (NATO, APC); only country
    # abbreviations (US, UK, UAE) are place names.
    letters = [c for c in m.text if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and not m.all_caps_context:
        if not (m.sentence_initial and len(letters) > 4 and big):  # "BEIJING -" datelines
            ok = any(p.feature in ("country", "region") for p, _ in cands)
            return (True, "literal") if ok else (False, "")
    uncased = m.text[:1].isalpha() and m.text[:1].lower() == m.text[:1].upper()
    if low in STOP_WORDS or (len(words) == 1 and len(m.text) < 3 and not uncased):
        return False, ""
    if normalize(m.text) in persons and not major:
        return False, ""  # surname of a person named earlier in the document
    prev = m.prev_word.lower().rstrip(".")
    if prev in PERSON_TITLES and not m.seq_before and not adjectival and not m.sentence_initial and not major:
        return False, ""
    kind = "adjectival" if adjectival else "literal"
    seq_words = m.seq_after.split()
    if m.seq_before:
        before_words = m.seq_before.split()
        last = before_words[-1].lower().rstrip(".")
        if last in ("of", "de", "del", "du", "la"):
            if not big:
                return False, ""  # "Department of Commerce"
            kind = "embedded"  # "Bank of China", "University of Texas"
        elif last in PERSON_TITLES or last in STOP_WORDS:
            pass  # "The Washington Post", "North Texas"
        elif not (adjectival or major):
            return False, ""  # "George Washington", "Kevin Paris": a person's name
        else:
            kind = "embedded"
    if seq_words and kind != "embedded":
        head = seq_words[0].lower()
        if head in ORG_WORDS or seq_words[-1].lower() in ORG_WORDS:
            kind = "embedded" if not adjectival else kind
        elif adjectival or major or head in STOP_WORDS:
            pass  # "Syrian Army", "Texas Governor"
        else:
            return False, ""  # "Jordan Henderson", "Florence Welch"
    # hamlets: many share their names with people and things; want a locative cue
    if best.feature == "city" and best.population < SMALL_PLACE and prev not in LOCATIVE and not m.after_comma:
        return False, ""
    # phrases of ordinary words matched only through a foreign city's alternate name
    # ("White House" is also a name of Casablanca)
    if len(words) > 1 and all(alt for _, alt in cands) and all(gz.is_common_word(w) for w in words):
        return False, ""
    # ordinary English words ("Bath", "Mobile") need a locative cue unless they are major places
    if not adjectival and len(words) == 1 and not major and kind != "embedded":
        if gz.is_common_word(m.text) and prev not in LOCATIVE:
            return False, ""
    return True, kind


def _person_names(ments: list[recognise.Mention]) -> set[str]:
    """Surnames of people in the document: the last word of 'Title Name' / 'First Last'."""
    out = set()
    for m in ments:
        prev = m.prev_word.lower().rstrip(".")
        if prev in PERSON_TITLES and m.prev_word[:1].isupper() and not m.seq_after:
            out.add(normalize(m.text.split()[-1]))
        if m.seq_before and not m.seq_after:
            last = m.seq_before.split()[-1]
            if last[:1].isupper() and last.lower() not in STOP_WORDS and last.lower() not in PERSON_TITLES:
                out.add(normalize(m.text))
    return out


def _qualifier_countries(m: recognise.Mention, gz) -> set[str]:
    """Countries named right after a comma ("Paris, Texas" -> US)."""
    if not m.after_comma:
        return set()
    return {p.country for p, _ in gz.candidates(m.after_comma) if p.feature in ("country", "admin1") and p.country}


def _qualifier_places(m: recognise.Mention, gz) -> list[Place]:
    if not m.after_comma:
        return []
    return [p for p, _ in gz.candidates(m.after_comma) if p.feature in ("country", "admin1")]


def parse(text: str) -> list[Toponym]:
    """Place mentions in `text`, geocoded: recognise candidate spans, look them up in the gazetteer and
    disambiguate with the document's context (`geo extract` prints this as JSON).

    Parameters
    ----------
    text : str
        The article text; offsets are code points of it.

    Returns
    -------
    list of Toponym
        In text order, each with its span, the place's name, lat/lon (WGS84), country, feature and a score.

    Examples
    --------
    >>> [(t.text, t.country) for t in parse("Talks in Geneva ended; delegates flew to Nairobi.")]
    [('Geneva', 'CH'), ('Nairobi', 'KE')]
    """
    gz = gazetteer.get()
    ments = recognise.mentions(text, gz.has)
    persons = _person_names(ments)
    kept: list[tuple[recognise.Mention, list[tuple[Place, bool]], str]] = []
    for m in ments:
        cands = gz.candidates(m.text)
        if not cands:
            continue
        adjectival = gz.is_adjectival(m.text)
        keep, kind = _recognise(m, cands, adjectival, gz, persons)
        if keep:
            kept.append((m, cands, kind))

    # Document context: countries of the unambiguous or dominant readings.
    ctx: Counter[str] = Counter()
    first_pick: dict[str, Place] = {}
    for m, cands, _ in kept:
        key = normalize(m.text)
        best = max(cands, key=lambda pa: _prior(*pa))[0]
        first_pick[key] = best
    for m, _cands, _ in kept:
        best = first_pick[normalize(m.text)]
        if best.country:
            ctx[best.country] += 1
    for m, _, _ in kept:
        for cc in _qualifier_countries(m, gz):
            ctx[cc] += 2

    # Score candidates once per name (one sense per name per document).
    chosen: dict[str, tuple[Place, float]] = {}
    qualified: dict[str, list[Place]] = {}
    for m, _, _ in kept:
        q = _qualifier_places(m, gz)
        if q:
            qualified.setdefault(normalize(m.text), q)
    anchors = [p for p in first_pick.values() if p.feature in ("city", "admin1") and p.population >= 0]
    for m, cands, _ in kept:
        key = normalize(m.text)
        if key in chosen:
            continue
        own = first_pick[key].country
        total = sum(ctx.values()) - (1 if own else 0)
        best, best_s = None, -1e9
        for p, alt in cands:
            s = _prior(p, alt)
            if total > 0 and p.country:
                share = (ctx[p.country] - (1 if p.country == own else 0)) / total
                s += CTX_W * share
            for q in qualified.get(key, ()):
                if q.country == p.country and (q.feature == "country" or _near(p, q, 600)):
                    s += 5.0
            if p.feature == "city" and anchors:
                near = sum(1 for a in anchors if a is not first_pick[key] and _near(p, a, 300))
                s += 0.5 * min(near, 3)
            if s > best_s:
                best, best_s = p, s
        chosen[key] = (best, best_s)

    out = []
    for m, _cands, kind in kept:
        p, s = chosen[normalize(m.text)]
        conf = 1 / (1 + math.exp(-(s - 5.0)))
        out.append(Toponym(m.text, m.start, m.end, p.name, p.lat, p.lon, p.country, p.feature, round(conf, 3), kind))
    return out


def _near(a: Place, b: Place, km: float) -> bool:
    return haversine_km(a.lat, a.lon, b.lat, b.lon) <= km


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))
