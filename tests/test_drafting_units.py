"""Unit tests of the drafting stage on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from geo.drafting import actors, clauses, dates, figures, triggers
from geo.drafting.vocabulary import TYPES, normalise_type

PUB = date(2024, 5, 8)  # a Wednesday


def _dates(s: str, pub: date = PUB):
    return [(m.date, m.end_date, m.precision) for m in dates.find_dates(s, pub) if not m.bound]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The talks opened on 3 September 2023 in Oslo.", ("2023-09-03", None, "day")),
        ("Envoys met on Sept. 3, 2023.", ("2023-09-03", None, "day")),
        ("The summit ran on April 2-3.", ("2024-04-02", "2024-04-03", "day")),
        ("The ministers met on Monday.", ("2024-05-06", None, "day")),
        ("The ministers met on Wednesday.", ("2024-05-08", None, "day")),
        ("The ministers will meet on Friday.", ("2024-05-10", None, "day")),
        ("Storms hit the coast yesterday.", ("2024-05-07", None, "day")),
        ("Prices rose last month.", ("2024-04", None, "month")),
        ("A pact was signed in June 2022.", ("2022-06", None, "month")),
        ("The law passed earlier this year.", ("2024", None, "year")),
        ("They met three days ago.", ("2024-05-05", None, "day")),
        ("Plans for 2021-2023 were drawn.", ("2021", "2023", "year")),
        ("The vote is on 2024-06-09.", ("2024-06-09", None, "day")),
    ],
)
def test_date_forms(text, expected):
    assert _dates(text)[0] == expected


def test_dates_bounds_and_year_inference():
    assert _dates("the first visit since 2019") == []
    # a day-month without a year, well after publication, belongs to the previous year
    assert _dates("The fire started on 20 December.")[0][0] == "2023-12-20"
    assert _dates("May prices rose") == []  # bare "May" is not a date on its own


def test_no_date_is_flagged_not_invented():
    fb = dates.fallback(PUB)
    assert (fb.date, fb.precision, fb.flags) == (
        "2024-05",
        "month",
        ["date-not-stated"],
    )
    assert dates.resolve([], 0) is None


def test_type_vocabulary_and_mapping():
    assert len(TYPES) == 15 and "other" in TYPES
    assert [
        normalise_type(w)
        for w in (
            "Parade",
            "summit",
            "casualty report",
            "strike",
            "treaty",
            "zzz",
            None,
        )
    ] == ["ceremony", "meeting", "casualties", "attack", "agreement", "other", "other"]
    for word in (
        "parade",
        "summit",
        "talks",
        "agreement",
        "treaty",
        "deployment",
        "casualty report",
        "statement",
        "visit",
        "travel",
        "security",
        "strike",
        "policy",
        "analysis",
    ):
        assert normalise_type(word) in TYPES


@pytest.mark.parametrize(
    "sentence, kind",
    [
        ("Gunmen attacked a bus depot, officials said.", "attack"),
        ("Three people died when the bridge collapsed.", "casualties"),
        ("The two presidents held talks over dinner.", "meeting"),
        ("Thousands of workers protested outside the factory.", "protest"),
        ("Parliament voted to impose an embargo on the regime.", "sanctions"),
        ("A magnitude 6 earthquake shook the island.", "disaster"),
        ("The city is hosting a parade for the anniversary.", "ceremony"),
        ("The spokesman said the plan was final.", "statement"),
    ],
)
def test_trigger_types(sentence, kind):
    head = triggers.event_type(triggers.find_triggers(sentence, 0, len(sentence)))
    assert head is not None and head.type == kind


def test_figures_and_claimants():
    s = "More than 15,000 troops and about 600 armoured vehicles moved 2,000 km, according to the defence ministry."
    claim = figures.claimant(s)
    got = [(f["value"], f["unit"], f["qualifier"]) for f in figures.find_figures(s, 0, len(s), claimed_by=claim)]
    assert got == [
        (15000, "troops", "more than"),
        (600, "vehicles", "about"),
        (2000, "km", ""),
    ]
    assert claim == "the defence ministry"
    s2 = "The Coast Guard said 40 migrants were rescued and a $3.5 million fund was set up."
    f2 = figures.find_figures(s2, 0, len(s2), claimed_by=figures.claimant(s2))
    assert [(f["value"], f["unit"], f["claimed_by"]) for f in f2] == [
        (40, "migrants", "Coast Guard"),
        (3500000, "USD", "Coast Guard"),
    ]
    s3 = "In 1999 the 3rd fleet sailed."
    assert figures.find_figures(s3, 0, len(s3)) == []


def _index():
    return actors.ActorIndex(
        [
            actors.Actor("mori", "Hana Mori", "森花", "person", "JP"),
            actors.Actor("diaz", "Carla Diaz", "", "person", "ES"),
            actors.Actor("pak", "Pak Sun Hui", "박순희", "person", "KP"),
            actors.Actor(
                "opec",
                "Organization of the Petroleum Exporting Countries",
                "",
                "organisation",
                "",
            ),
            actors.Actor("spain", "Spain", "España", "state", "ES"),
        ]
    )


def test_actor_short_forms_and_native_names():
    text = "Minister Hana Mori met Diaz. Later Mori and 박순희 spoke; Pak left. OPEC and España agreed."
    got = [a.id for _, _, a in _index().for_text(text)]
    assert got == ["mori", "diaz", "mori", "pak", "pak", "opec", "spain"]
    assert _index().state_for("ES").id == "spain"


def test_ambiguous_short_form_follows_full_names():
    idx = actors.ActorIndex(
        [
            actors.Actor("a", "Lee Min", "", "person", "KR"),
            actors.Actor("b", "Jordan Lee", "", "person", "US"),
        ]
    )
    text = "Jordan Lee arrived. Jordan Lee spoke. Lee left."
    assert [a.id for _, _, a in idx.for_text(text)][-1] == "b"


def test_new_actors_with_kinds():
    s = "Foreign Minister Ana Lopez met officials of the Ministry of Water and the Green Party."
    got = actors.new_actors(s, 0, len(s), set(), set())
    assert {"name": "Ana Lopez", "kind": "person"} in got
    assert {"name": "Ministry of Water", "kind": "organisation"} in got
    assert {"name": "Green Party", "kind": "organisation"} in got


def test_sentences_and_clauses():
    t = "Dr. Ruiz met the U.S. envoy in Lima. Both sides signed a deal.\nHeadline without stop"
    spans = clauses.split_sentences(t)
    assert [t[s:e] for s, e in spans] == [
        "Dr. Ruiz met the U.S. envoy in Lima.",
        "Both sides signed a deal.",
        "Headline without stop",
    ]
    assert clauses.is_heading(t, *spans[2]) and not clauses.is_heading(t, *spans[0])
    u = "The leaders held talks and a water deal was signed, while rebels attacked a convoy."
    parts = [u[s:e] for s, e in clauses.split_clauses(u, 0, len(u))]
    assert parts == [
        "The leaders held talks",
        "a water deal was signed",
        "rebels attacked a convoy.",
    ]


def test_wrapped_lines_do_not_end_sentences():
    t = "The envoy met the foreign\nminister in Lima on Friday.\r\nShort headline\r\n\r\nA new paragraph starts here."
    got = [t[s:e] for s, e in clauses.split_sentences(t)]
    assert got == [
        "The envoy met the foreign\nminister in Lima on Friday.",
        "Short headline",
        "A new paragraph starts here.",
    ]


@pytest.mark.parametrize(
    "module",
    ["actors", "clauses", "dates", "drafter", "figures", "inputs", "places", "score", "triggers", "vocabulary", "cli"],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"geo.drafting.{module}"))
    assert result.failed == 0 and result.attempted > 0


def test_counts_in_words_and_claimant_after_said():
    s = "Shelling killed at least four people and twenty-one soldiers, officials said Friday."
    got = figures.find_figures(s, 0, len(s), claimed_by=figures.claimant(s))
    assert [(f["value"], f["unit"], f["qualifier"], f["claimed_by"]) for f in got] == [
        (4, "people", "at least", ""),
        (21, "soldiers", "", ""),
    ]
    assert figures.find_figures("one of the envoys left", 0, 22) == []


def test_capital_as_government_is_not_the_place():
    from types import SimpleNamespace as T

    from geo.drafting import places

    s = "Ministers in Vienna agreed sanctions against Moscow."
    ts = [
        T(text="Vienna", name="Vienna", start=13, end=19, lat=48.2, lon=16.37, feature="city", kind="literal"),
        T(text="Moscow", name="Moscow", start=45, end=51, lat=55.75, lon=37.6, feature="city", kind="literal"),
    ]
    assert places.best_place(s, ts, 0, len(s), 40, {})[0]["name"] == "Vienna"
    s2 = "Moscow said the talks failed."
    t2 = [T(text="Moscow", name="Moscow", start=0, end=6, lat=55.75, lon=37.6, feature="city", kind="literal")]
    assert places.best_place(s2, t2, 0, len(s2), 12, {})[0] is None


def test_place_after_a_disaster_verb_and_counted_noun_group():
    from types import SimpleNamespace as T

    from geo.drafting import places

    s = "A strong earthquake struck southern Chile, officials said."
    i = s.index("Chile")
    ts = [T(text="Chile", name="Chile", start=i, end=i + 5, lat=-30.0, lon=-71.0, feature="country", kind="literal")]
    best = places.best_place(s, ts, 0, len(s), 20, {})[0]
    assert best["name"] == "Chile" and best["precision"] == "country"
    s2 = "A 6.8 tremor shook 50 bus passengers."
    assert [(f["value"], f["unit"]) for f in figures.find_figures(s2, 0, len(s2))] == [
        (6.8, "tremor"),
        (50, "passengers"),
    ]


def test_figurative_disaster_words_and_base_verb_forms():
    s = "The party won a landslide victory and its leader will travel to the capital."
    got = [(t.word, t.type) for t in triggers.find_triggers(s, 0, len(s))]
    assert ("landslide", "disaster") not in got and ("travel", "travel") in got
    s2 = "A landslide buried the village."
    assert [t.type for t in triggers.find_triggers(s2, 0, len(s2))] == ["disaster"]


def test_possessive_person_is_not_part_of_an_organisation_name():
    s = "Maria Silva's Green Party won."
    assert actors.new_actors(s, 0, len(s), set(), set()) == [{"name": "Green Party", "kind": "organisation"}]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Talks ran from June 3 to 5.", ("2024-06-03", "2024-06-05", "day")),
        ("Floods hit between 2 and 4 March.", ("2024-03-02", "2024-03-04", "day")),
        ("The plant was built in the 1990s.", ("1990", "1999", "year")),
    ],
)
def test_date_ranges_and_decades(text, expected):
    assert _dates(text)[0] == expected
