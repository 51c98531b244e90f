"""Scoring drafts against a gold file (`python -m geo bench events --gold GOLD.jsonl`).

Gold lines: ``{"id", "text", "published", "events": [{start, end, date, date_precision, lat, lon, actors,
type, ...}]}``; a gold event may list extra ``spans`` ([[start, end], ...]) when the article reports it in
several places. ``date: null`` means the article states no date: a draft is right there only when it
flags ``date-not-stated`` or finds the event's curated date (``curated``, when the gold gives it);
``lat: null`` likewise with ``place-not-stated`` or the curated point.
Pairing: one to one by span overlap, greedily (largest overlap first, then the better overlap ratio).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from geo.drafting.actors import norm
from geo.drafting.vocabulary import normalise_type

PLACE_KM = 161.0


def _spans(g: dict) -> list[tuple[int, int]]:
    return [tuple(x) for x in g.get("spans") or []] or [(g["start"], g["end"])]


def _overlap(d: dict, g: dict) -> tuple[int, float]:
    best = (0, 0.0)
    for s, e in _spans(g):
        o = min(d["end"], e) - max(d["start"], s)
        if o > 0:
            union = max(d["end"], e) - min(d["start"], s)
            best = max(best, (o, o / union))
    return best


def pair(drafts: list[dict], gold: list[dict]) -> list[tuple[int, int]]:
    """One-to-one (draft index, gold index) pairs, greedy by overlap.

    Examples
    --------
    >>> pair([{"start": 0, "end": 10}, {"start": 12, "end": 20}], [{"start": 0, "end": 20}])
    [(0, 0)]
    """
    cands = []
    for i, d in enumerate(drafts):
        for j, g in enumerate(gold):
            o, r = _overlap(d, g)
            if o > 0:
                cands.append((o, r, i, j))
    cands.sort(key=lambda c: (-c[0], -c[1]))
    used_d, used_g, out = set(), set(), []
    for _, _, i, j in cands:
        if i not in used_d and j not in used_g:
            used_d.add(i)
            used_g.add(j)
            out.append((i, j))
    return sorted(out)


def date_right(d: dict, g: dict) -> bool:
    """The draft's date agrees with the gold date at the gold's precision (and is at least that precise).

    Examples
    --------
    >>> g = {"date": "2024-05", "date_precision": "month"}
    >>> date_right({"date": "2024-05-02"}, g), date_right({"date": "2024"}, g)
    (True, False)
    """
    if not g.get("date"):
        cur = (g.get("curated") or {}).get("date") or ""
        return "date-not-stated" in (d.get("flags") or []) or bool(cur and d.get("date") and d["date"] == cur)
    n = {"year": 4, "month": 7, "day": 10}[
        g.get("date_precision") or {4: "year", 7: "month"}.get(len(g["date"]), "day")
    ]
    return bool(d.get("date")) and len(d["date"]) >= n and d["date"][:n] == g["date"][:n]


def place_right(d: dict, g: dict) -> bool:
    """Within 161 km of the gold point (or, where the article names no place, the draft says so).

    Examples
    --------
    >>> place_right({"lat": 48.9, "lon": 2.4}, {"lat": 48.85, "lon": 2.35})
    True
    """
    from geo.geoparse.geocode import haversine_km

    if g.get("lat") is None:
        cur = g.get("curated") or {}
        if (
            d.get("lat") is not None
            and cur.get("lat") is not None
            and haversine_km(d["lat"], d["lon"], cur["lat"], cur["lon"]) <= PLACE_KM
        ):
            return True
        return d.get("lat") is None or "place-not-stated" in (d.get("flags") or [])
    if d.get("lat") is None:
        return False
    return haversine_km(d["lat"], d["lon"], g["lat"], g["lon"]) <= PLACE_KM


def actor_f1(d: dict, g: dict) -> float:
    a, b = (
        {norm(x) for x in d.get("actors") or []},
        {norm(x) for x in g.get("actors") or []},
    )
    if not a and not b:
        return 1.0
    tp = len(a & b)
    return 0.0 if tp == 0 else 2 * tp / (len(a) + len(b))


def score(results: list[tuple[list[dict], list[dict]]]) -> dict:
    """Figures over articles, each a (drafts, gold events) pair."""
    n_d = n_g = n_m = place_ok = date_ok = type_ok = e2e = 0
    af1 = 0.0
    for drafts, gold in results:
        n_d += len(drafts)
        n_g += len(gold)
        for i, j in pair(drafts, gold):
            d, g = drafts[i], gold[j]
            n_m += 1
            p, t = place_right(d, g), date_right(d, g)
            place_ok += p
            date_ok += t
            e2e += p and t
            type_ok += normalise_type(d.get("type")) == normalise_type(g.get("type"))
            af1 += actor_f1(d, g)
    prec = n_m / n_d if n_d else 0.0
    rec = n_m / n_g if n_g else 0.0
    return {
        "articles": len(results),
        "gold_events": n_g,
        "drafts": n_d,
        "matched": n_m,
        "precision": round(prec, 3),
        "recall": round(rec, 3),
        "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0,
        "place_within_161km": round(place_ok / n_m, 3) if n_m else 0.0,
        "date_right": round(date_ok / n_m, 3) if n_m else 0.0,
        "actor_f1": round(af1 / n_m, 3) if n_m else 0.0,
        "type_accuracy": round(type_ok / n_m, 3) if n_m else 0.0,
        "e2e": round(e2e / n_g, 3) if n_g else 0.0,
    }


def read_gold(path: str | Path) -> list[dict]:
    """Gold records of a JSONL file; ValueError naming file and line for a bad line."""
    out = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec.get("text"), str) or not isinstance(rec.get("events"), list):
                    raise TypeError
                for ev in rec["events"]:
                    int(ev["start"]), int(ev["end"])
            except (ValueError, KeyError, TypeError, AttributeError):
                raise ValueError(
                    f'{path}:{n}: expected {{"id", "text", "published", "events": [...]}} with start/end on every event'
                ) from None
            out.append(rec)
    return out


def bench(path: str | Path, data_dir: str | Path | None = None, min_seconds: float = 2.0) -> dict:
    """Draft every gold article, score, and time the drafting (articles/s, gazetteer loaded beforehand;
    repeated until `min_seconds` have passed)."""
    from geo.drafting.drafter import draft
    from geo.geoparse import gazetteer

    gold = read_gold(path)
    gazetteer.get()
    draft(
        "Warm-up: the minister met envoys in Paris on Monday.",
        "2024-01-03",
        data_dir=data_dir,
    )
    results, t0 = [], time.perf_counter()
    for rec in gold:
        results.append(
            (
                draft(rec["text"], rec.get("published") or "", data_dir=data_dir),
                rec["events"],
            )
        )
    dt = time.perf_counter() - t0
    done = len(gold)
    while gold and dt < min_seconds:  # a small gold file is drafted again until the timing means something
        for rec in gold:
            draft(rec["text"], rec.get("published") or "", data_dir=data_dir)
        done += len(gold)
        dt = time.perf_counter() - t0
    out = score(results)
    out["seconds"] = round(dt, 3)
    out["articles_drafted"] = done
    out["articles_per_s"] = round(done / dt, 1) if dt > 0 else None
    return out
