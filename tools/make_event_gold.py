"""Build the dev gold file for `python -m geo bench events` from the curated dataset and the seed articles.

    python tools/make_event_gold.py [--data data] [--seeds ../shared/seeds] [-o build/events-gold.jsonl]

The gold holds article text, so it is written at run time (to build/ by default) and never committed.
One gold event per (curated event, seed article it cites a span of); its spans are the cited spans.
Dates and places are what the cited PASSAGES (the cited spans) support, with the
publication date as context, not what background citations add:
- the date keeps the curated precision only as far as the passage supports it: day when it
  names that day ("3 September", the weekday within a week of publication) or it is the publication day
  (the latter only for events dated without a background citation);
  month when it names the month with the year, or the month is the publication month; year when it
  names the year or it is the publication year; otherwise the gold date is null ("not stated");
- the place is kept when the passage names it (its name, or a toponym as precise within 161 km of it); when the
  passage names only the country holding it, the gold place is that country (a country stays vague);
  otherwise null (the article does not say where).
Each gold event also keeps the curated values (`curated`): where the passage states no date or place, a draft
is right when it says so (flags ``date-not-stated`` / ``place-not-stated``) or when it finds the curated value.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# English names, lower case (the C locale's calendar names): January first, Monday first.
MONTH_NAMES = [name.lower() for name in calendar.month_name[1:]]
WEEKDAY_NAMES = [name.lower() for name in calendar.day_name]
GENERIC = {"oblast", "region", "province", "strip", "sea", "state", "county"}


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def supported_date(curated: str, text: str, published: date, background: bool = False) -> tuple[str | None, str | None]:
    """The curated date cut to the precision the article supports (see the module docstring); the
    publication day counts as stated only for events the curators dated from the articles alone."""
    low = text.lower()
    parts = [int(x) for x in curated.split("-")]
    y, m, d = (parts + [None, None])[:3]
    if d is not None:
        day = date(y, m, d)
        month = MONTH_NAMES[m - 1]
        named = re.search(rf"\b{d}(?:st|nd|rd|th)? {month}\b|\b{month[:3]}\w*\.? {d}(?!\d)", low)
        weekday = WEEKDAY_NAMES[day.weekday()] in low and abs((day - published).days) < 7
        if (day == published and not background) or named or weekday:
            return curated, "day"
    if m is not None:
        month = MONTH_NAMES[m - 1]
        if f"{month} {y}" in low or (y, m) == (published.year, published.month):
            return f"{y:04d}-{m:02d}", "month"
    if str(y) in text or y == published.year:
        return f"{y:04d}", "year"
    return None, None


def place_point(name: str, lat: str, lon: str, overrides: dict, regions: dict):
    """Coordinates of a curated place: lat/lon, places.csv, a region's representative point, the gazetteer."""
    from geo.geoparse import geocode

    if lat and lon:
        return float(lat), float(lon), name
    key = name.casefold()
    if key in overrides:
        return overrides[key]
    if key in regions:
        return regions[key]
    p = geocode.geocode_place(name)
    return (p.lat, p.lon, p.name) if p else (None, None, name)


def load_regions(path: Path) -> dict:
    if not path.is_file():
        return {}
    from shapely.geometry import shape

    out = {}
    for f in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        pr = f.get("properties") or {}
        pt = shape(f["geometry"]).representative_point()
        for k in (pr.get("id"), pr.get("name")):
            if k:
                out[str(k).casefold()] = (pt.y, pt.x, pr.get("name") or k)
    return out


# A country says where only after "in/at/across" or a motion word with "to" ("visit to China").
_WHERE = re.compile(
    r"(?:\b(?:in|at|inside|across|throughout)|\b(?:visit|trip|travel\w*|journey|arrived|deployed|sent)"
    r"\s+(?:\w+\s+){0,2}?(?:to|into))\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def stated_place(
    name: str,
    lat: float,
    lon: float,
    precision: str,
    passage: tuple[int, int],
    text: str,
    toponyms,
):
    """The curated place as far as the passage states it: itself (its name, or a toponym as precise within
    161 km), else the country holding it when the passage names only that, else None."""
    from geo.geoparse import geocode

    words = [w for w in name.replace("-", " ").split() if w.lower() not in GENERIC]
    if words and " ".join(words).lower() in text[passage[0] : passage[1]].lower():
        return name, lat, lon
    inside = [t for t in toponyms if passage[0] <= t.start < passage[1] and t.kind == "literal"]
    fine = precision not in ("country", "approximate")
    for t in inside:
        if geocode.haversine_km(t.lat, t.lon, lat, lon) <= 161 and (t.feature != "country" or not fine):
            return name, lat, lon
    home = geocode.geocode_place(name)
    for t in inside:
        if (
            t.feature == "country"
            and home is not None
            and t.country == home.country
            and _WHERE.search(text, max(0, t.start - 40), t.start)
        ):
            return t.name, t.lat, t.lon
    return None


def build(data: Path, seeds: Path) -> list[dict]:
    from geo.drafting.vocabulary import normalise_type
    from geo.geoparse import geocode

    events = {r["id"]: r for r in _rows(data / "events.csv")}
    actors = {r["id"]: r["name"] for r in _rows(data / "actors.csv")}
    cites = [r for r in _rows(data / "citations.csv") if r.get("layer") == "events"]
    manifest = _rows(data / "sources.csv") or _rows(ROOT / "seeds" / "sources.csv")
    overrides = {
        r["name"].casefold(): (float(r["lat"]), float(r["lon"]), r["name"]) for r in _rows(data / "places.csv")
    }
    regions = load_regions(data / "regions.geojson")
    out = []
    for src in manifest:
        path = seeds / src["file"]
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8-sig")
        published = date.fromisoformat(src["date"][:10])
        toponyms = geocode.parse(text)
        spans: dict[str, list] = {}
        for c in cites:
            if c.get("file") == src["file"] and c.get("start") and c["item"] in events:
                spans.setdefault(c["item"], []).append([int(c["start"]), int(c["end"])])
        background = {c["item"] for c in cites if not c.get("file") and c.get("citation")}
        gold = []
        for eid, sp in spans.items():
            ev = events[eid]
            sp.sort()
            cited = " … ".join(text[a:b] for a, b in sp)
            d, prec = supported_date(ev["date"], cited, published, background=eid in background)
            lat, lon, pname = place_point(
                ev.get("place") or "",
                ev.get("lat", ""),
                ev.get("lon", ""),
                overrides,
                regions,
            )
            got = None
            for a, b in [] if lat is None else sp:
                got = got or stated_place(
                    pname,
                    lat,
                    lon,
                    ev.get("place_precision") or "",
                    (a, b),
                    text,
                    toponyms,
                )
            curated = {
                "date": ev["date"],
                "lat": lat,
                "lon": lon,
                "place": ev.get("place") or "",
            }
            pname, lat, lon = got or (None, None, None)
            gold.append(
                {
                    "event_id": eid,
                    "start": sp[0][0],
                    "end": sp[0][1],
                    "spans": sp,
                    "date": d,
                    "date_precision": prec,
                    "place": pname,
                    "lat": lat,
                    "lon": lon,
                    "actors": [actors.get(a, a) for a in (ev.get("actors") or "").split(";") if a],
                    "type": normalise_type(ev.get("type")),
                    "dataset_type": ev.get("type") or "",
                    "curated": curated,
                }
            )
        gold.sort(key=lambda g: g["start"])
        out.append(
            {
                "id": src["file"],
                "text": text,
                "published": src["date"][:10],
                "events": gold,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--seeds", default=str(ROOT.parent / "shared" / "seeds"))
    ap.add_argument("-o", "--output", default=str(ROOT / "build" / "events-gold.jsonl"))
    a = ap.parse_args(argv)
    if not Path(a.seeds).is_dir():
        sys.stderr.write(f"error: seed articles not found: {a.seeds} is absent\n")
        return 2
    recs = build(Path(a.data), Path(a.seeds))
    Path(a.output).parent.mkdir(parents=True, exist_ok=True)
    with open(a.output, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    n = sum(len(r["events"]) for r in recs)
    sys.stderr.write(f"{len(recs)} articles, {n} gold events -> {a.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
