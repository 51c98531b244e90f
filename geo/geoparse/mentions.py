"""Geoparser output as rows: `mention_rows` (the mentions layer and the corpus store) and `toponym_dict`
(`geo extract`'s JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.geoparse.geocode import Toponym


def toponym_dict(t) -> dict:
    return {
        "text": t.text,
        "start": t.start,
        "end": t.end,
        "name": t.name,
        "lat": t.lat,
        "lon": t.lon,
        "country": t.country,
        "feature": t.feature,
        "score": t.score,
        "kind": t.kind,
    }


def mention_rows(article: str, text: str, toponyms: list[Toponym], **extra) -> list[dict]:
    """Toponyms of one article as mention-layer rows (with the sentence quoted), plus `extra` columns.

    Examples
    --------
    >>> from geo.geoparse.geocode import parse
    >>> rows = mention_rows("a.txt", "Storms hit Lyon.", parse("Storms hit Lyon."))
    >>> rows[0]["name"], rows[0]["sentence"]
    ('Lyon', 'Storms hit Lyon.')
    """
    from geo.articles.sentences import sentence_at

    return [
        {
            "article": article,
            "text": t.text,
            "start": int(t.start),
            "end": int(t.end),
            "name": t.name,
            "country": t.country or "",
            "feature": t.feature or "",
            "score": float(t.score),
            "sentence": sentence_at(text, t.start, t.end),
            **extra,
            "lat": float(t.lat),
            "lon": float(t.lon),
        }
        for t in toponyms
    ]
