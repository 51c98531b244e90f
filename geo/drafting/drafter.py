"""Draft events from an article: one draft per reported event, with its exact supporting span.

Pipeline per article: geoparse once (toponyms reused per sentence) -> sentences -> clauses ->
triggers -> per draft: date (clause, else sentence, else flagged publication month), place, actors,
type, figures, neutral title, confidence.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from geo.drafting import actors as actors_mod
from geo.drafting import clauses, dates, figures, places, triggers
from geo.drafting.inputs import DraftingError, check_english, publication_date  # noqa: F401 (public API)


class Context:
    """Per-dataset lookups (actors, place overrides), built once and reused for every article."""

    def __init__(self, data_dir: str | Path | None = None, actors: list | None = None):
        self.actors = actors if actors is not None else actors_mod.load_actors(data_dir)
        self.index = actors_mod.ActorIndex(self.actors)
        self.overrides = places.load_overrides(data_dir)


_CONTEXTS: dict = {}


def _context(data_dir, actors) -> Context:
    if data_dir is None:
        from geo import config

        data_dir = config.data_dir()
    if actors is not None:
        return Context(data_dir, actors)
    key = str(data_dir)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = Context(data_dir)
    return _CONTEXTS[key]


def _in(trigs: list, s: int, e: int) -> list:
    return [t for t in trigs if s <= t.start and t.end <= e]


def _groups(text: str, s: int, e: int, sentence_trigs: list) -> list[tuple[int, int, list]]:
    """Clause groups of one sentence that each report an event: (start, end, triggers)."""
    groups: list[list] = []
    pending = None
    weak: list = []
    for cs, ce in clauses.split_clauses(text, s, e):
        trig = _in(sentence_trigs, cs, ce)
        strong = [t for t in trig if t.type not in triggers.WEAK]
        weak += [t for t in trig if t.type in triggers.WEAK]
        if strong:
            groups.append([pending if pending is not None else cs, ce, trig])
            pending = None
        elif groups:
            groups[-1][1] = ce
            groups[-1][2] = groups[-1][2] + trig
        elif pending is None:
            pending = cs
    if not groups and any(t.word.lower() not in triggers.REPORTING for t in weak):
        return [(s, e, weak)]
    if len(groups) == 1:
        return [(s, e, groups[0][2])]
    return [(a, b, t) for a, b, t in groups]


def draft(
    text: str,
    published: date | str,
    actors: list | None = None,
    data_dir: str | Path | None = None,
) -> list[dict]:
    """Event drafts of an article.

    Parameters
    ----------
    text : str
        Article text; offsets are code points into it.
    published : date or str
        Publication date (YYYY-MM-DD); relative dates resolve against it.
    actors : list of geo.drafting.actors.Actor, optional
        Known actors; default: the dataset's actors.csv in `data_dir`.
    data_dir : str or Path, optional
        Dataset folder whose actors.csv and places.csv are used (default: ``GEO_DATA_DIR`` or ``data/``).

    Returns
    -------
    list of dict
        Drafts with start, end, date, end_date, date_precision, place, lat, lon, place_precision,
        actors, type, title, figures, confidence, flags, new_actors, place_candidates.

    Examples
    --------
    >>> [d["type"] for d in draft("Floods killed 12 people in Lyon on Monday.", "2024-05-08", actors=[])]
    ['casualties']
    """
    from geo.geoparse import geocode

    if isinstance(published, str):
        published = date.fromisoformat(published[:10])
    if not text.strip():
        return []
    check_english(text)
    ctx = _context(data_dir, actors)
    toponyms = geocode.parse(text)
    hits = ctx.index.for_text(text)
    main = places.main_place(toponyms, ctx.overrides, text)
    out: list[dict] = []
    memo: dict = {"dates": {}, "place": None, "places": {}}
    sentences = clauses.split_sentences(text)
    all_trigs = triggers.find_triggers(text, 0, len(text))  # once per article; filtered per clause
    for (
        s,
        e,
    ) in sentences:  # event nouns located anywhere in the article ("the parade in Beijing")
        _remember_places(text, _in(all_trigs, s, e), toponyms, ctx, memo["places"])
    for s, e in sentences:
        if clauses.is_heading(text, s, e):
            continue
        groups = _groups(text, s, e, _in(all_trigs, s, e))
        if not groups:
            continue
        mentions = dates.find_dates(text[s:e], published, offset=s)
        claim = figures.claimant(text[s:e])
        for gs, ge, trig in groups:
            d = _draft_one(
                text,
                s,
                e,
                gs,
                ge,
                trig,
                len(groups),
                published,
                mentions,
                claim,
                toponyms,
                hits,
                main,
                ctx,
                memo,
            )
            if d and not _repeat_mention(d, text, out):
                out.append(d)
            if d:
                d.pop("_head", None)
    return out


def _repeat_mention(d: dict, text: str, earlier: list[dict]) -> bool:
    """A later "at the parade" with no date of its own refers back to a drafted parade: not a new event."""
    head = d.get("_head")
    if head is None or not head.governed or not _definite(text, head):
        return False
    if not ({"date-not-stated", "date-from-earlier-mention"} & set(d["flags"])):
        return False
    return any(e["trigger"].lower() == head.word.lower() and e["type"] == d["type"] for e in earlier)


def _draft_one(text, s, e, gs, ge, trig, n_groups, published, mentions, claim, toponyms, hits, main, ctx, memo):
    """One draft for the clause group ``text[gs:ge]`` of the sentence ``text[s:e]`` (None without a trigger)."""
    head = triggers.event_type(trig)
    if head is None:
        return None
    when = _date_for(text, s, gs, ge, trig, head, n_groups, published, mentions, memo)
    place, cands, place_flags = _place_for(text, s, e, gs, ge, trig, head, n_groups, toponyms, main, ctx, memo)
    flags = when.flags + place_flags
    names, new = _actors(text, gs, ge, toponyms, hits, ctx)
    clause = text[gs:ge]
    if triggers.MODAL.search(clause):
        flags.append("hypothetical")
    if triggers.NEGATION.search(clause):
        flags.append("negated")
    figs = figures.find_figures(text, gs, ge, skip=[(m.start, m.end) for m in mentions], claimed_by=claim)
    d = {
        "start": gs,
        "end": ge,
        "date": when.date,
        "end_date": when.end_date,
        "date_precision": when.precision,
        "place": place["name"] if place else None,
        "lat": place["lat"] if place else None,
        "lon": place["lon"] if place else None,
        "place_precision": place["precision"] if place else None,
        "actors": names,
        "type": head.type,
        "title": "",
        "figures": figs,
        "confidence": 0.0,
        "flags": flags,
        "new_actors": new,
        "place_candidates": cands,
        "trigger": head.word,
    }
    d["title"] = title(d, text[s:e])
    d["_head"] = head
    d["confidence"] = confidence(d, head)
    return d


def _flagged(r: dates.DateResult, flag: str) -> dates.DateResult:
    return dates.DateResult(r.date, r.end_date, r.precision, r.flags + [flag])


def _date_for(text, s, gs, ge, trig, head, n_groups, published, mentions, memo) -> dates.DateResult:
    """The clause's own date, else one it shares or refers back to, else the flagged publication month."""
    own = [m for m in mentions if gs <= m.start < ge]
    when = dates.resolve(own, head.start) or (dates.resolve(mentions, head.start) if n_groups == 1 else None)
    _remember_dates(text, trig, own if n_groups > 1 else mentions, memo["dates"])
    if when is None and memo.get("sentence") == s and memo.get("last_date") and _shares_time(text, gs):
        # ", securing a deal" / "while X arrived": a participle or "while" clause shares its sentence's time
        when = _flagged(memo["last_date"], "date-from-sentence")
    if when is None:
        # "the parade" refers back to a parade reported earlier with its date
        prior = next(
            (memo["dates"][t.word.lower()] for t in trig if t.word.lower() in memo["dates"] and _definite(text, t)),
            None,
        )
        if prior is not None:
            when = _flagged(prior, "date-from-earlier-mention")
    if when is None and _PROGRESSIVE.search(text, gs, ge):
        # news copy: "officials are meeting", "X is hosting" -- happening as the article is published
        when = dates.DateResult(published.isoformat(), None, "day", ["date-from-publication"])
    if when is not None:
        memo["sentence"], memo["last_date"] = s, when
        return when
    return dates.fallback(published)


def _place_for(text, s, e, gs, ge, trig, head, n_groups, toponyms, main, ctx, memo):
    """(place, candidates, flags): the clause's best place, else the located event noun, the previous
    report's place, or the article's main place (approximate)."""
    place, cands = places.best_place(text, toponyms, gs, ge, head.start, ctx.overrides)
    if place is None and n_groups == 1:
        place, cands = places.best_place(text, toponyms, s, e, head.start, ctx.overrides)
    if place is None or (place["precision"] != "city" and not _governs_in(text, place, gs, ge)):
        # "at the parade": the parade located elsewhere in the article ("the parade in Beijing") is where
        # this happens, unless the clause itself says "in <place>"
        for t in trig:
            prior = _located(memo["places"], t.word) if _definite(text, t) else None
            if prior is not None and not (gs <= prior[1] < ge):
                cands = [dict(prior[0])] + [c for c in cands if c["name"] != prior[0]["name"]]
                return dict(prior[0]), cands, ["place-from-earlier-mention"]
    prev = memo["place"]
    if place is not None:
        memo["place"] = (place, ge)
        return place, cands, []
    if prev is not None and (prev[1] >= s or (gs - prev[1] <= 200 and _PRONOUN.match(text, s))):
        return dict(prev[0]), [dict(prev[0])], ["place-from-context"]  # the passage goes on about that scene
    if main is not None:
        return dict(main, precision="approximate"), [dict(main)], ["place-not-stated"]
    return None, [], []


_PARTICIPLE = re.compile(r"(?!according\b)[a-z]+ing\b")
_WHILE_BEFORE = re.compile(r"\b(?:while|as)\s*$")


def _shares_time(text: str, gs: int) -> bool:
    return bool(_PARTICIPLE.match(text, gs) or _WHILE_BEFORE.search(text, max(0, gs - 8), gs))


_PROGRESSIVE = re.compile(r"\b(?:is|are)\s+(?!set\b|due\b|going\b)(?:\w+ly\s+)?[a-z]{3,}ing\b")
_PRONOUN = re.compile(r"[\"“']?(?:He|She|They|It|We|The two|Both)\b")


def _governs_in(text: str, place: dict, gs: int, ge: int) -> bool:
    i = text.find(place["name"], gs, ge)
    return i > 0 and bool(re.search(r"\b(?:in|at|inside)\s+(?:the\s+)?$", text[max(gs, i - 12) : i]))


def _definite(text: str, head) -> bool:
    return bool(
        re.search(
            r"\b(?:the|this|that|its|their|his|her)\s+(?:[\w-]+\s+){0,2}$",
            text[max(0, head.start - 40) : head.start],
            re.IGNORECASE,
        )
    )


_AT = re.compile(r"\s+(?:held\s+|staged\s+)?(?:in|at)\s+(?:the\s+)?$")


def _remember_places(text: str, trig: list, toponyms: list, ctx, memo: dict) -> None:
    """Count the cities written right after an event noun ("the parade in Beijing", "a summit at Tianjin")."""
    for t in trig:
        for tp in toponyms:
            if (
                0 < tp.start - t.end <= 25
                and tp.feature == "city"
                and places.usable(tp, text)
                and _AT.search(text, t.end, tp.start)
            ):
                seen = memo.setdefault(t.word.lower(), {})
                cand = places.candidate(tp, ctx.overrides)
                n, first, _ = seen.get(cand["name"], (0, tp.start, cand))
                seen[cand["name"]] = (n + 1, first, cand)
                break


def _located(memo: dict, word: str) -> tuple[dict, int] | None:
    """The city an event noun is most often located in across the article (first mention breaks ties)."""
    seen = memo.get(word.lower())
    if not seen:
        return None
    _n, first, cand = max(seen.values(), key=lambda v: (v[0], -v[1]))
    return cand, first


def _remember_dates(text: str, trig: list, mentions: list, memo: dict) -> None:
    """Remember the date written right next to an event noun ("the parade on Wednesday")."""
    for t in trig:
        near = [m for m in mentions if not m.bound and (0 <= m.start - t.end <= 25 or 0 <= t.start - m.end <= 3)]
        if near:
            m = near[0]
            memo.setdefault(
                t.word.lower(),
                dates.DateResult(m.date, m.end_date, m.precision, list(m.flags)),
            )


def _actors(text, gs, ge, toponyms, hits, ctx) -> tuple[list[str], list[dict]]:
    names: list[str] = []
    new: list[dict] = []
    for s, _e, a in hits:
        if gs <= s < ge and a.name not in names:
            names.append(a.name)
    for t in toponyms:
        if gs <= t.start < ge and t.feature == "country":
            st = ctx.index.state_for(t.country)
            if st is not None:
                if st.name not in names:
                    names.append(st.name)
            elif t.name not in names:
                names.append(t.name)
                new.append({"name": t.name, "kind": "state"})
    known = {actors_mod.norm(n) for n in names} | {actors_mod.norm(text[s:e]) for s, e, _ in hits if gs <= s < ge}
    for cand in actors_mod.new_actors(text, gs, ge, known, {t.text for t in toponyms}):
        names.append(cand["name"])
        new.append(cand)
    if _HE_SHE.match(text, gs):
        # "He responded ...": the person named last before this clause
        prior = [a for s, _, a in hits if s < gs and a.kind == "person"]
        if prior and prior[-1].name not in names:
            names.insert(0, prior[-1].name)
    return names, new


_HE_SHE = re.compile(r"[\"“']?(?:He|She)\b")


_TITLE_NOUN = {
    "economic": "economic measure",
    "military": "military activity",
    "casualties": "casualties reported",
    "other": "event",
}


def title(d: dict, sentence: str) -> str:
    """A neutral title from the draft's fields ("Xi Jinping, Vladimir Putin: meeting in Beijing, 2025-09-02").

    Examples
    --------
    >>> title({"actors": ["A", "B"], "type": "meeting", "place": "Oslo", "place_precision": "city",
    ...        "date": "2024-05"}, "A met B.")
    'A, B: meeting in Oslo, 2024-05'
    """
    who = ", ".join(d["actors"][:3]) + (" and others" if len(d["actors"]) > 3 else "")
    what = _TITLE_NOUN.get(d["type"], d["type"])
    if d.get("place") and d.get("place_precision") != "approximate":
        what += f" in {d['place']}"
    t = f"{who}: {what}, {d['date']}" if who else f"{what[0].upper()}{what[1:]}, {d['date']}"
    return t if t.strip() != sentence.strip() else t + " (draft)"


def confidence(d: dict, head) -> float:
    """0..1: higher when the date, place and actors are stated and the trigger is a main verb."""
    c = 0.45
    c += 0.15 if "date-not-stated" not in d["flags"] else 0.0
    c += 0.15 if "place-not-stated" not in d["flags"] and d["place"] else 0.0
    c += 0.1 if d["actors"] else 0.0
    c += 0.1 if not head.governed else 0.0
    c -= 0.2 if "hypothetical" in d["flags"] else 0.0
    c -= 0.1 if d["type"] == "statement" else 0.0
    return round(min(0.95, max(0.05, c)), 2)
