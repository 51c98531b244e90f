"""Reviewing drafted events before they are accepted: the editable table, a draft from a selection,
the passages to highlight. Pure logic; the Streamlit panel is `geo.app.review`.

A review row is what a person edits (decision, date, place, actors, type, title, summary); `to_drafts`
turns the rows marked "accept" back into drafts for `geo.dataset.accept.accept_text`, keeping each
draft's exact span, figures and new actors. Offsets count code points of the stored article text.
"""

from __future__ import annotations

import datetime as dt
import re

from geo.dataset import selection
from geo.drafting.vocabulary import TYPES

DECISIONS = ("pending", "accept", "reject")
COLUMNS = ("decision", "date", "end_date", "title", "type", "place", "actors", "summary", "confidence", "passage")
PASSAGE_CHARS = 140
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _actors_text(actors) -> str:
    return "; ".join(str(a).strip() for a in actors or [] if str(a).strip())


def passage(text: str, draft: dict, limit: int = PASSAGE_CHARS) -> str:
    """The draft's passage on one line, cut to `limit` characters.

    Examples
    --------
    >>> passage("Hi.\\r\\nTalks began.", {"start": 5, "end": 17})
    'Talks began.'
    """
    words = " ".join(text[int(draft["start"]) : int(draft["end"])].split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def review_rows(drafts: list[dict], text: str) -> list[dict]:
    """One editable row per draft (same order), every draft pending.

    Examples
    --------
    >>> rows = review_rows([{"start": 0, "end": 5, "date": "2026-03-10", "title": "T", "type": "visit",
    ...                      "place": "Irkutsk", "actors": ["Mongolia"], "confidence": 0.7}], "Talks")
    >>> rows[0]["decision"], rows[0]["actors"], rows[0]["passage"]
    ('pending', 'Mongolia', 'Talks')
    """
    rows = []
    for d in drafts:
        rows.append(
            {
                "decision": "pending",
                "date": str(d.get("date") or ""),
                "end_date": str(d.get("end_date") or ""),
                "title": str(d.get("title") or ""),
                "type": d.get("type") if d.get("type") in TYPES else "other",
                "place": str(d.get("place") or ""),
                "actors": _actors_text(d.get("actors")),
                "summary": str(d.get("summary") or ""),
                "confidence": round(float(d.get("confidence") or 0), 2),
                "passage": passage(text, d),
            }
        )
    return rows


def check_row(row: dict, n: int) -> list[str]:
    """What is missing or malformed in an accepted row (empty when it can be accepted).

    Examples
    --------
    >>> check_row({"decision": "accept", "date": "March", "title": "", "type": "visit", "place": "Kursk"}, 2)
    ["draft 2: the date must be YYYY, YYYY-MM or YYYY-MM-DD, not 'March'", 'draft 2: a title is required']
    """
    problems = []
    date = str(row.get("date") or "").strip()
    end = str(row.get("end_date") or "").strip()
    if not _DATE.match(date):
        problems.append(f"draft {n}: the date must be YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}")
    if end and not _DATE.match(end):
        problems.append(f"draft {n}: the end date must be YYYY, YYYY-MM or YYYY-MM-DD, not {end!r}")
    if not str(row.get("title") or "").strip():
        problems.append(f"draft {n}: a title is required")
    if not str(row.get("place") or "").strip() and row.get("lat") is None:
        problems.append(f"draft {n}: a place is required (pick a candidate or click the map)")
    if str(row.get("type") or "") not in TYPES:
        problems.append(f"draft {n}: the type must be one of {', '.join(TYPES)}")
    return problems


def apply_row(draft: dict, row: dict, place: dict | None = None) -> dict:
    """The draft with a review row's edits; `place` (name, lat, lon, precision) when the place was
    picked from the candidates or on the map. A place name typed by hand drops the draft's
    coordinates (the dataset geocodes the name) unless it is one of the candidates.

    Examples
    --------
    >>> d = {"start": 0, "end": 4, "place": "A", "lat": 1.0, "lon": 2.0, "place_candidates": []}
    >>> out = apply_row(d, {"date": "2026", "title": "T", "type": "visit", "place": "B", "actors": "X; Y"})
    >>> out["place"], "lat" in out, out["actors"]
    ('B', False, ['X', 'Y'])
    """
    out = {k: v for k, v in draft.items() if k not in ("place_candidates", "trigger")}
    out.update(
        date=str(row.get("date") or "").strip(),
        end_date=str(row.get("end_date") or "").strip() or None,
        title=str(row.get("title") or "").strip(),
        type=str(row.get("type") or "other"),
        summary=str(row.get("summary") or "").strip(),
        actors=[a.strip() for a in str(row.get("actors") or "").split(";") if a.strip()],
    )
    name = str(row.get("place") or "").strip()
    if place is not None:
        out.update(
            place=place.get("name") or name,
            lat=place.get("lat"),
            lon=place.get("lon"),
            place_precision=place.get("precision") or out.get("place_precision") or "approximate",
        )
    elif name != str(draft.get("place") or ""):
        match = next((c for c in draft.get("place_candidates") or [] if c.get("name") == name), None)
        out["place"] = name
        if match:
            out.update(lat=match.get("lat"), lon=match.get("lon"), place_precision=match.get("precision"))
        else:
            out.pop("lat", None)
            out.pop("lon", None)
    if not out["summary"]:
        out.pop("summary")
    return out


def to_drafts(drafts: list[dict], rows: list[dict], places: dict | None = None) -> tuple[list[dict], list[str]]:
    """The accepted drafts with their edits, and what stops them (empty when all can be written).

    Parameters
    ----------
    drafts : list of dict
        The drafts as drafted (or made from a selection), in table order.
    rows : list of dict
        The review table's rows, same order.
    places : dict or None
        Draft index -> place picked from the candidates or on the map.

    Examples
    --------
    >>> to_drafts([{"start": 0, "end": 1}], [{"decision": "reject"}])
    ([], [])
    """
    accepted, problems = [], []
    for n, (d, row) in enumerate(zip(drafts, rows, strict=False), 1):
        if row.get("decision") != "accept":
            continue
        issues = check_row(row, n)
        problems += issues
        if not issues:
            accepted.append(apply_row(d, row, (places or {}).get(n - 1)))
    return accepted, problems


def _overlap(d: dict, start: int, end: int) -> int:
    return max(0, min(int(d["end"]), end) - max(int(d["start"]), start))


def _place_in(passage: str) -> dict:
    """The first place the geoparser finds in `passage` (not a name that merely contains one)."""
    from geo.geoparse import geocode

    for t in geocode.parse(passage):
        if t.kind != "embedded":
            return {
                "name": t.name,
                "lat": float(t.lat),
                "lon": float(t.lon),
                "precision": {"city": "city", "country": "country"}.get(t.feature or "", "approximate"),
            }
    return {}


def draft_from_selection(
    text: str, start16: int, end16: int, published: dt.date | None, drafter=None, drafts: list[dict] | None = None
) -> dict:
    """A pre-filled draft for a passage the user selected in the rendered article.

    `start16`/`end16` are the browser's UTF-16 offsets in the rendered text (CR LF shown as LF); the
    draft's span is converted to code points of the stored `text` and trimmed of surrounding
    white space. Fields come from the draft of `drafts` that overlaps the selection most, else from
    drafting the passage alone (`drafter`, default the event drafter); without any, the date is the
    publication date, flagged, and the place the first the geoparser finds in the passage.

    Examples
    --------
    >>> t = "Hi 😀\\r\\nTalks in Kursk."
    >>> d = draft_from_selection(t, 6, 21, dt.date(2026, 3, 1), drafter=lambda s, p: [])
    >>> t[d["start"]:d["end"]], d["date"], d["flags"]
    ('Talks in Kursk.', '2026-03-01', ['from-selection', 'date-not-stated'])
    """
    start, end = selection.selection_to_span(text, int(start16), int(end16))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise ValueError("the selection holds no text")
    if drafter is None:
        from geo.drafting.drafter import draft as drafter
    near = sorted((d for d in drafts or [] if _overlap(d, start, end)), key=lambda d: -_overlap(d, start, end))
    if near:
        found, offset = [near[0]], 0
    else:
        found, offset = (drafter(text[start:end], published) if published else []), start
    base = dict(found[0]) if found else {}
    figures = [
        {**f, "start": int(f["start"]) + offset, "end": int(f["end"]) + offset}
        for f in base.get("figures") or []
        if "start" in f and "end" in f
    ]
    figures = [f for f in figures if start <= f["start"] and f["end"] <= end]  # the selection's own
    if not base.get("place"):
        spot = _place_in(text[start:end])
        if spot:
            base.update(
                place=spot["name"],
                lat=spot["lat"],
                lon=spot["lon"],
                place_precision=spot["precision"],
                place_candidates=[spot],
            )
    flags = ["from-selection"] + ([] if found else ["date-not-stated"])
    out = {
        "start": start,
        "end": end,
        "date": base.get("date") or (published.isoformat() if published else ""),
        "end_date": base.get("end_date"),
        "date_precision": base.get("date_precision") or "day",
        "place": base.get("place") or "",
        "lat": base.get("lat"),
        "lon": base.get("lon"),
        "place_precision": base.get("place_precision") or "",
        "actors": list(base.get("actors") or []),
        "type": base.get("type") or "other",
        "figures": figures,
        "confidence": 1.0,
        "flags": flags,
        "new_actors": list(base.get("new_actors") or []),
        "place_candidates": list(base.get("place_candidates") or []),
    }
    out["title"] = base.get("title") or "Event" + (f" in {out['place']}" if out["place"] else "") + f", {out['date']}"
    return out


def highlights(text: str, drafts: list[dict], rows: list[dict] | None = None) -> list[dict]:
    """Each draft's passage as UTF-16 offsets in the rendered text (what the page highlights).

    Examples
    --------
    >>> highlights("😀 ab", [{"start": 2, "end": 4}])
    [{'n': 1, 'start': 3, 'end': 5, 'decision': 'pending'}]
    """
    out = []
    for n, d in enumerate(drafts, 1):
        s16, e16 = selection.span_to_utf16(text, int(d["start"]), int(d["end"]))
        decision = (rows[n - 1].get("decision") if rows and n - 1 < len(rows) else None) or "pending"
        out.append({"n": n, "start": s16, "end": e16, "decision": decision})
    return out
