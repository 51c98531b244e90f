"""Disambiguation and the full pipeline, on hand-written sentences; CLI round trips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import needs
import pytest

from geo.geoparse.geocode import geocode_place, parse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCORER = PROJECT_ROOT.parent / "shared" / "geoparse" / "score.py"


def near(obj, lat, lon, tol=1.5):
    return abs(obj.lat - lat) <= tol and abs(obj.lon - lon) <= tol


def found(text):
    return {t.text: t for t in parse(text)}


# --- geocode_place ---------------------------------------------------------


@pytest.mark.parametrize(
    "name,country,lat,lon,cc",
    [
        ("Beijing", None, 39.9, 116.4, "CN"),
        ("Tianjin", None, 39.1, 117.2, "CN"),
        ("Pyongyang", None, 39.0, 125.75, "KP"),
        ("Sinuiju", None, 40.1, 124.4, "KP"),
        ("Ulaanbaatar", None, 47.9, 106.9, "MN"),
        ("Ulan Bator", None, 47.9, 106.9, "MN"),
        ("Blagoveshchensk", "RU", 50.3, 127.5, "RU"),
        ("Kursk", None, 51.73, 36.19, "RU"),
    ],
)
def test_geocode_place(name, country, lat, lon, cc):
    p = geocode_place(name, country)
    assert p is not None and p.country == cc and near(p, lat, lon, 0.3)


def test_geocode_place_city_beats_same_named_region_and_respects_country():
    assert geocode_place("Kursk").feature == "city"
    assert geocode_place("Paris", "US").country == "US"
    assert geocode_place("Paris", "ZZ") is None
    assert geocode_place("Nowhereville Qx") is None


# --- disambiguation with document context ----------------------------------


def test_paris_france_by_default_and_paris_texas_with_context():
    assert near(found("The summit opened in Paris on Monday.")["Paris"], 48.85, 2.35)
    tx = found("The rodeo in Paris, Texas, drew fans from Dallas and Houston.")["Paris"]
    assert tx.country == "US" and near(tx, 33.66, -95.56)


def test_georgia_country_or_us_state_from_context():
    ge = found("Georgia sent envoys to Armenia and Azerbaijan after talks in Tbilisi.")["Georgia"]
    assert ge.country == "GE" and ge.feature == "country"
    us = found("Voters in Atlanta and Savannah say Georgia will decide the Senate, unlike Alabama.")["Georgia"]
    assert us.country == "US" and us.feature == "admin1"


def test_one_sense_per_name_per_document():
    tops = [
        t for t in parse("Springfield officials met. Later, Springfield, Illinois, voted.") if t.text == "Springfield"
    ]
    assert len({(t.lat, t.lon) for t in tops}) == 1


def test_other_scripts_in_running_text():
    got = found("Репортаж из Курск. 记者从平壤报道。")
    assert got["Курск"].country == "RU" and near(got["Курск"], 51.73, 36.19)
    assert got["平壤"].country == "KP"


# --- recognition decisions --------------------------------------------------


def test_metonymy_counts_as_a_place():
    got = found("Beijing said on Tuesday that Moscow had agreed.")
    assert got["Beijing"].country == "CN" and got["Moscow"].country == "RU"


def test_adjectival_forms_are_places_but_plural_demonyms_are_not():
    got = found("The Syrian army shelled the town while the Russians watched.")
    assert got["Syrian"].country == "SY" and got["Syrian"].kind == "adjectival"
    assert "Russians" not in got


def test_place_words_inside_organisation_names_are_marked_embedded():
    got = found("A loan from the Bank of China was reported by The Washington Post.")
    assert got["China"].kind == "embedded" and got["China"].country == "CN"
    assert got["Washington"].kind == "embedded"
    assert "Bank" not in got and "Post" not in got


def test_person_names_are_not_places():
    got = found("Coach Jordan Henderson met Mr. Sutton. Later Henderson spoke to President Lincoln.")
    assert "Henderson" not in got and "Lincoln" not in got and "Sutton" not in got


def test_acronyms_are_not_places_but_country_abbreviations_are():
    got = found("NATO and the APC met US and UK officials.")
    assert "NATO" not in got and "APC" not in got
    assert got["US"].country == "US" and got["UK"].country == "GB"


def test_common_words_need_a_locative_cue():
    assert "Mobile" not in found("Mobile phones are cheap now.")
    assert found("The storm hit the port of Mobile, Alabama, overnight.")["Mobile"].country == "US"


def test_offsets_and_score_range():
    text = "Flights from Tokyo to Nairobi resumed."
    for t in parse(text):
        assert text[t.start : t.end] == t.text and 0.0 <= t.score <= 1.0
    assert set(found(text)) == {"Tokyo", "Nairobi"}


# --- CLI ------------------------------------------------------------------


def run_cli(*args, cwd=PROJECT_ROOT):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_cli_extract_file(tmp_path):
    p = tmp_path / "note.html"
    p.write_text("<p>Talks moved from Geneva to Nairobi.</p><script>Berlin</script>", encoding="utf-8")
    r = run_cli("extract", str(p))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [t["text"] for t in out] == ["Geneva", "Nairobi"]
    assert set(out[0]) >= {"text", "start", "end", "name", "lat", "lon", "country", "feature", "score"}


def test_cli_refuses_binary_with_one_line_error(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(b"\x00\x01\x02binary")
    r = run_cli("extract", str(p))
    assert r.returncode == 2
    assert "blob.txt" in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_corpus_roundtrip_is_accepted_by_the_scorer(tmp_path):
    if not SCORER.is_file():
        needs.missing(f"scorer not available: {SCORER}")
    docs = [
        {"id": "a", "text": "Rain fell on Lisbon and Madrid."},
        {"id": "b", "text": "The Kenyan team flew to Oslo."},
    ]
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold_tops = {
        "a": [("Lisbon", 38.72, -9.14), ("Madrid", 40.42, -3.70)],
        "b": [("Kenyan", 1.0, 38.0), ("Oslo", 59.91, 10.75)],
    }
    with open(gold, "w", encoding="utf-8") as fh:
        for d in docs:
            tops = []
            for word, lat, lon in gold_tops[d["id"]]:
                s = d["text"].index(word)
                tops.append({"start": s, "end": s + len(word), "text": word, "lat": lat, "lon": lon, "type": "Literal"})
            fh.write(json.dumps({"id": d["id"], "text": d["text"], "toponyms": tops}) + "\n")
    out = tmp_path / "out.jsonl"
    r = run_cli("extract", "--corpus", str(corpus), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "articles/s" in r.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    s = subprocess.run([sys.executable, str(SCORER), str(gold), str(out), "--json"], capture_output=True, text=True)
    assert s.returncode == 0, s.stderr
    scores = json.loads(s.stdout)
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0 and scores["e2e_acc161"] == 1.0


def test_cli_corpus_rejects_malformed_line(tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": "x"}\n', encoding="utf-8")
    r = run_cli("extract", "--corpus", str(corpus), "-o", str(tmp_path / "o.jsonl"))
    assert r.returncode == 2 and "bad.jsonl:1" in r.stderr and "Traceback" not in r.stderr


def test_state_abbreviations_and_comma_names():
    got = found("Prices in Fresno, Calif., rose. He then flew to Washington, D.C. for talks.")
    assert got["Calif."].country == "US" and got["Calif."].feature == "admin1"
    assert near(got["Washington, D.C."], 38.9, -77.0, 0.5)
    assert near(got["Fresno"], 36.75, -119.77, 0.5)


def test_county_names_resolve_with_state_context():
    oc = found("Fires near Orange County spread toward Los Angeles and San Diego.")["Orange County"]
    assert oc.country == "US" and near(oc, 33.7, -117.8, 1.0)
