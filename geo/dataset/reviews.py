"""Analyst review of geoparser output: accept, reject or correct a place, kept as curated overrides.

A review is keyed by the mention as written (case-insensitive), so one decision fixes that name in
every article — the "one sense per name" rule the geocoder itself follows within a document.
Stored in `<dataset>/mention_reviews.csv`:

    text,decision,place,lat,lon,country,note
    Georgia,correct,Georgia (country),42.0,43.5,GE,the article is about the Caucasus
    Bank,reject,,,,,a river bank, not a place

Sits between `geo/geocode` (which proposes) and `geo/layers` (which draws what survives).
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo import config

FILE_NAME = "mention_reviews.csv"
FIELDS = ("text", "decision", "place", "lat", "lon", "country", "note")
DECISIONS = ("accept", "reject", "correct")


@dataclass(frozen=True)
class Review:
    text: str
    decision: str
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    country: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        return " ".join(self.text.split()).casefold()


class ReviewError(ValueError):
    """A bad line in the reviews file; the message names file and line."""


def reviews_path(data_dir: Path | str | None = None) -> Path:
    return Path(data_dir or config.data_dir()) / FILE_NAME


def _number(value: str, low: float, high: float, what: str, where: str) -> float | None:
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise ReviewError(f"{where}: {what} {value!r} is not a number") from None
    if math.isnan(number) or not low <= number <= high:
        raise ReviewError(f"{where}: {what} {value!r} is outside {low:g}..{high:g}")
    return number


def read_reviews(path: Path) -> dict[str, Review]:
    """Reviews by key. A missing file means no reviews; a bad line raises ReviewError naming it."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8-sig")
    reviews: dict[str, Review] = {}
    reader = csv.DictReader(io.StringIO(text))
    missing = {"text", "decision"} - set(reader.fieldnames or ())
    if missing:
        raise ReviewError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    for row in reader:
        where = f"{path}:{reader.line_num}"
        decision = (row.get("decision") or "").strip().lower()
        if decision not in DECISIONS:
            raise ReviewError(f"{where}: decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        lat = _number(row.get("lat") or "", -90, 90, "lat", where)
        lon = _number(row.get("lon") or "", -180, 180, "lon", where)
        if decision == "correct" and (lat is None or lon is None):
            raise ReviewError(f"{where}: a correction needs lat and lon")
        review = Review(
            text=(row.get("text") or "").strip(),
            decision=decision,
            place=(row.get("place") or "").strip(),
            lat=lat,
            lon=lon,
            country=(row.get("country") or "").strip(),
            note=(row.get("note") or "").strip(),
        )
        if not review.text:
            raise ReviewError(f"{where}: text is empty")
        reviews[review.key] = review
    return reviews


def save_reviews(path: Path, new: Iterable[Review]) -> int:
    """Merge `new` into the file (later decisions win) atomically; returns the number stored."""
    merged = read_reviews(path)
    for review in new:
        merged[review.key] = review
    return _write(path, merged)


def remove_reviews(path: Path, keys: Iterable[str]) -> int:
    """Undo saved reviews: drop those keyed `keys` (the geoparser's own choice applies again)
    atomically; returns how many were removed."""
    merged = read_reviews(path)
    gone = [k for k in dict.fromkeys(keys) if merged.pop(k, None) is not None]
    if gone:
        _write(path, merged)
    return len(gone)


def _write(path: Path, merged: dict[str, Review]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".reviews-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FIELDS)
            for review in sorted(merged.values(), key=lambda r: r.key):
                writer.writerow(
                    [
                        review.text,
                        review.decision,
                        review.place,
                        "" if review.lat is None else review.lat,
                        "" if review.lon is None else review.lon,
                        review.country,
                        review.note,
                    ]
                )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(merged)


def apply_reviews(mentions: Iterable[dict], reviews: dict[str, Review]) -> list[dict]:
    """Mentions (dicts with text/name/lat/lon/country) after the analysts' decisions."""
    out = []
    for mention in mentions:
        review = reviews.get(" ".join(str(mention.get("text", "")).split()).casefold())
        if review is None or review.decision == "accept":
            out.append({**mention, "reviewed": review is not None})
        elif review.decision == "correct":
            out.append(
                {
                    **mention,
                    "name": review.place or mention.get("name"),
                    "lat": review.lat,
                    "lon": review.lon,
                    "country": review.country,
                    "feature": "reviewed",
                    "reviewed": True,
                }
            )
    return out
