"""Invented news-style articles (written for these tests) with hand-made gold events.

Each gold event names a phrase of its passage; the span is that phrase's offsets, found at run time.
Used by tests/test_drafting_unseen.py and by `python tests/drafting_samples.py OUT.jsonl` (a gold file
for `python -m geo bench events`).
"""

from __future__ import annotations

import json
import sys

ARTICLES = [
    {
        "id": "flood",
        "published": "2024-05-08",
        "text": (
            "Floods kill 14 in northern Italy\n"
            "Flash floods swept through the city of Bologna on Monday, killing at least 14 people, "
            "according to the regional civil protection agency.\n"
            "Rescue teams evacuated about 3,000 residents from villages near Modena, officials said on Tuesday.\n"
            "Prime Minister Giorgia Meloni visited Bologna yesterday and promised emergency funds."
        ),
        "events": [
            {
                "phrase": "Flash floods swept",
                "date": "2024-05-06",
                "date_precision": "day",
                "place": "Bologna",
                "lat": 44.49,
                "lon": 11.34,
                "type": "disaster",
                "actors": [],
            },
            {
                "phrase": "Rescue teams evacuated",
                "date": "2024-05",
                "date_precision": "month",
                "place": "Modena",
                "lat": 44.65,
                "lon": 10.93,
                "type": "disaster",
                "actors": [],
            },
            {
                "phrase": "Prime Minister Giorgia Meloni visited",
                "date": "2024-05-07",
                "date_precision": "day",
                "place": "Bologna",
                "lat": 44.49,
                "lon": 11.34,
                "type": "visit",
                "actors": ["Giorgia Meloni"],
            },
        ],
    },
    {
        "id": "election",
        "published": "2023-10-16",
        "text": (
            "Voters in Poland went to the polls on Sunday in a parliamentary election that opposition leader "
            "Donald Tusk called the most important since 1989.\n"
            "Turnout reached 74 percent, the electoral commission in Warsaw said.\n"
            "Thousands of supporters rallied in Krakow on Saturday evening."
        ),
        "events": [
            {
                "phrase": "Voters in Poland went to the polls",
                "date": "2023-10-15",
                "date_precision": "day",
                "place": "Poland",
                "lat": 52.0,
                "lon": 20.0,
                "type": "election",
                "actors": ["Donald Tusk"],
            },
            {
                "phrase": "Turnout reached 74 percent",
                "date": "2023-10",
                "date_precision": "month",
                "place": "Warsaw",
                "lat": 52.23,
                "lon": 21.01,
                "type": "election",
                "actors": [],
            },
            {
                "phrase": "Thousands of supporters rallied",
                "date": "2023-10-14",
                "date_precision": "day",
                "place": "Krakow",
                "lat": 50.06,
                "lon": 19.94,
                "type": "protest",
                "actors": [],
            },
        ],
    },
    {
        "id": "sanctions",
        "published": "2022-03-02",
        "text": (
            "The European Union imposed new sanctions on Belarus on Wednesday, freezing the assets of 22 officials.\n"
            "Foreign ministers met in Brussels last month to discuss the measures, and they signed a joint "
            "statement in Vienna on 24 February.\n"
            "Exports worth $2 billion are affected, the European Commission estimated."
        ),
        "events": [
            {
                "phrase": "The European Union imposed new sanctions",
                "date": "2022-03-02",
                "date_precision": "day",
                "place": None,
                "lat": None,
                "lon": None,
                "type": "sanctions",
                "actors": ["European Union", "Belarus"],
            },
            {
                "phrase": "Foreign ministers met in Brussels",
                "date": "2022-02",
                "date_precision": "month",
                "place": "Brussels",
                "lat": 50.85,
                "lon": 4.35,
                "type": "meeting",
                "actors": [],
            },
            {
                "phrase": "they signed a joint statement",
                "date": "2022-02-24",
                "date_precision": "day",
                "place": "Vienna",
                "lat": 48.21,
                "lon": 16.37,
                "type": "agreement",
                "actors": [],
            },
        ],
    },
    {
        "id": "clash",
        "published": "2020-06-17",
        "text": (
            "Soldiers from India and China clashed in the Galwan Valley in Ladakh on Monday night.\n"
            "Twenty Indian soldiers were killed in the fighting, the Indian Army said in a statement.\n"
            "Defence Minister Rajnath Singh will travel to Leh next week, his office announced."
        ),
        "events": [
            {
                "phrase": "Soldiers from India and China clashed",
                "date": "2020-06-15",
                "date_precision": "day",
                "place": "Ladakh",
                "lat": 34.5,
                "lon": 77.5,
                "type": "attack",
                "actors": ["India", "China"],
            },
            {
                "phrase": "Twenty Indian soldiers were killed",
                "date": "2020-06",
                "date_precision": "month",
                "place": None,
                "lat": None,
                "lon": None,
                "type": "casualties",
                "actors": ["India", "Indian Army"],
            },
            {
                "phrase": "Defence Minister Rajnath Singh will travel",
                "date": "2020-06",
                "date_precision": "month",
                "place": "Leh",
                "lat": 34.16,
                "lon": 77.58,
                "type": "travel",
                "actors": ["Rajnath Singh"],
            },
        ],
    },
    {
        "id": "economy",
        "published": "2023-07-28",
        "text": (
            "NAIROBI, July 28 (Staff report)\n"
            "Kenya's central bank raised its benchmark interest rate to 10.5 percent on Wednesday, its third "
            "increase this year.\n"
            "Finance officials from Kenya and Tanzania signed a trade agreement in Arusha last week, cutting tariffs "
            "on maize.\n"
            "Governor Kamau Thugge told reporters that inflation had eased."
        ),
        "events": [
            {
                "phrase": "Kenya's central bank raised",
                "date": "2023-07-26",
                "date_precision": "day",
                "place": None,
                "lat": None,
                "lon": None,
                "type": "economic",
                "actors": ["Kenya"],
            },
            {
                "phrase": "Finance officials from Kenya and Tanzania signed",
                "date": "2023-07",
                "date_precision": "month",
                "place": "Arusha",
                "lat": -3.37,
                "lon": 36.68,
                "type": "agreement",
                "actors": ["Kenya", "Tanzania"],
            },
            {
                "phrase": "Governor Kamau Thugge told reporters",
                "date": None,
                "date_precision": None,
                "place": None,
                "lat": None,
                "lon": None,
                "type": "statement",
                "actors": ["Kamau Thugge"],
            },
        ],
    },
    {
        "id": "funeral",
        "published": "2022-09-20",
        "text": (
            "World leaders attended the state funeral of the queen at Westminster Abbey in London yesterday.\n"
            "About 2,000 guests were present, and more than a million people lined the streets, police estimated.\n"
            "The coffin later travelled to Windsor, where a private burial took place in the evening."
        ),
        "events": [
            {
                "phrase": "World leaders attended the state funeral",
                "date": "2022-09-19",
                "date_precision": "day",
                "place": "London",
                "lat": 51.5,
                "lon": -0.13,
                "type": "ceremony",
                "actors": [],
            },
            {
                "phrase": "The coffin later travelled to Windsor",
                "date": "2022-09",
                "date_precision": "month",
                "place": "Windsor",
                "lat": 51.48,
                "lon": -0.61,
                "type": "travel",
                "actors": [],
            },
        ],
    },
]


def gold_records() -> list[dict]:
    """The articles as gold records (spans from the phrases; `phrase` dropped)."""
    out = []
    for a in ARTICLES:
        evs = []
        for ev in a["events"]:
            start = a["text"].index(ev["phrase"])
            line_end = a["text"].find("\n", start)
            end = line_end if line_end >= 0 else len(a["text"])
            evs.append({k: v for k, v in ev.items() if k != "phrase"} | {"start": start, "end": end})
        out.append(
            {
                "id": a["id"],
                "text": a["text"],
                "published": a["published"],
                "events": evs,
            }
        )
    return out


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records())
