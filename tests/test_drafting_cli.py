"""`python -m geo draft` and `python -m geo cite` (run in-process through geo.cli.main)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from geo.cli import main
from geo.drafting.drafter import draft


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ARTICLE = (
    "The interior minister met flood victims in Valencia on Friday, and a relief deal worth $50 million "
    "was signed.\nLater that night protesters rallied in Madrid, police said.\n"
)


def test_draft_prints_json_list(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    code, out, err = _run(capsys, "draft", str(f), "--published", "2024-11-04")
    assert code == 0, err
    drafts = json.loads(out)
    assert len(drafts) >= 3  # the meeting and the deal share a sentence but are two events
    keys = {
        "start",
        "end",
        "date",
        "end_date",
        "date_precision",
        "place",
        "lat",
        "lon",
        "place_precision",
        "actors",
        "type",
        "title",
        "figures",
        "confidence",
    }
    assert all(keys <= set(d) for d in drafts)
    first = drafts[0]
    assert first["date"] == "2024-11-01" and first["place"] == "Valencia"
    sentences = [ARTICLE[d["start"] : d["end"]] for d in drafts]
    assert all(d["title"] not in sentences and d["title"] not in ARTICLE for d in drafts)
    assert any(f["unit"] == "USD" and f["value"] == 50_000_000 for d in drafts for f in d["figures"])


def test_draft_without_publication_date_says_so(tmp_path, capsys):
    f = tmp_path / "b.txt"
    f.write_text("Rebels attacked a convoy near the border.", encoding="utf-8")
    code, _, err = _run(capsys, "draft", str(f))
    assert code == 2 and "no publication date" in err and "--published" in err


def test_draft_dateline_and_no_events(tmp_path, capsys):
    f = tmp_path / "c.txt"
    f.write_text(
        "LIMA, 4 March 2024\nThe weather was mild and the sky was blue over the hills.",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "draft", str(f))
    assert code == 0 and json.loads(out) == [] and "no events found" in err
    assert "publication date 2024-03-04 from the dateline" in err


def test_non_english_is_refused(tmp_path, capsys):
    f = tmp_path / "d.txt"
    f.write_text(
        "Der Minister traf sich am Montag in Berlin mit den Vertretern der Regierung und sprach über die Lage im Land.",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "draft", str(f), "--published", "2024-01-01")
    assert code == 2 and "only English" in err and "d.txt" in err


def test_draft_corpus(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    src.write_text(
        json.dumps({"id": "x", "text": ARTICLE, "published": "2024-11-04"})
        + "\n\n"
        + json.dumps({"id": "y", "text": "Nothing happened.", "published": "2024-11-04"})
        + "\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "draft", "--corpus", str(src), "-o", str(out))
    assert code == 0, err
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["x", "y"] and lines[0]["events"] and lines[1]["events"] == []
    src.write_text('{"id": "z"}\n', encoding="utf-8")
    code, _, err = _run(capsys, "draft", "--corpus", str(src), "-o", str(out))
    assert code == 2 and "in.jsonl:1" in err


def test_cite_unique_crlf_and_non_bmp(tmp_path, capsys):
    text = "Intro 🌍 line\r\nThe envoy arrived in Quito.\r\nThe envoy left."
    f = tmp_path / "e.txt"
    f.write_bytes(("\ufeff" + text).encode("utf-8"))
    code, out, _ = _run(capsys, "cite", str(f), "arrived in Quito")
    assert code == 0
    res = json.loads(out)
    assert text[res["start"] : res["end"]] == "arrived in Quito"
    assert res["start"] == text.index("arrived")  # code points: the emoji counts 1, CRLF counts 2
    assert res["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()


def test_cite_ambiguous_and_absent(tmp_path, capsys):
    f = tmp_path / "g.txt"
    f.write_text("The envoy arrived. The envoy left.", encoding="utf-8")
    code, out, err = _run(capsys, "cite", str(f), "The envoy")
    assert code == 1 and "2 times" in err
    assert [c["start"] for c in json.loads(out)["candidates"]] == [0, 19]
    code, _, err = _run(capsys, "cite", str(f), "ambassador")
    assert code == 2 and "not found" in err


def test_several_drafts_share_a_sentence():
    t = "The premiers met for talks in Hanoi on 2 May, signing a rice trade deal, while troops withdrew from the border."
    drafts = draft(t, "2024-05-03", actors=[])
    assert [d["type"] for d in drafts] == ["meeting", "agreement", "military"]
    assert drafts[1]["date"] == "2024-05-02" and "date-from-sentence" in drafts[1]["flags"]
    assert len({(d["start"], d["end"]) for d in drafts}) == 3


def test_empty_text_has_no_drafts():
    assert draft("   \n", "2024-01-01", actors=[]) == []


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday"])
def test_bad_published_value(tmp_path, capsys, bad):
    f = tmp_path / "h.txt"
    f.write_text("Rebels attacked a convoy.", encoding="utf-8")
    code, _, err = _run(capsys, "draft", str(f), "--published", bad)
    assert code == 2 and "--published" in err


def test_draft_offsets_are_code_points_with_crlf_and_non_bmp():
    t = "Résumé 🌊 update\r\nRebels attacked a convoy near Mosul on Monday.\r\nTroops withdrew from Kirkuk."
    drafts = draft(t, "2024-05-08", actors=[])
    assert [t[d["start"] : d["end"]] for d in drafts] == [
        "Rebels attacked a convoy near Mosul on Monday.",
        "Troops withdrew from Kirkuk.",
    ]
    assert drafts[0]["date"] == "2024-05-06" and drafts[0]["place"] == "Mosul"


def test_new_actors_and_dataset_names_in_drafts():
    from geo.drafting.actors import Actor

    known = [Actor("ruto", "William Ruto", "", "person", "KE"), Actor("kenya", "Kenya", "", "state", "KE")]
    t = "Ruto met Foreign Minister Lena Brandt of the Alpine Union in Nairobi on Tuesday, Kenyan officials said."
    d = draft(t, "2024-05-08", actors=known)[0]
    assert d["actors"][:2] == ["William Ruto", "Kenya"]  # short form and demonym resolved to dataset names
    assert {"name": "Lena Brandt", "kind": "person"} in d["new_actors"]
    assert {"name": "Alpine Union", "kind": "organisation"} in d["new_actors"]
    assert d["place"] == "Nairobi" and d["date"] == "2024-05-07" and d["type"] == "meeting"


def test_publication_date_order():
    from geo.drafting.drafter import DraftingError, publication_date

    html = '<html><head><meta property="article:published_time" content="2023-02-01T10:00:00Z"></head></html>'
    text = "ROME, 5 March 2021 - Talks began."
    assert publication_date(text, "2022-01-02", "2024-06-07", html)[1] == "--published"
    assert publication_date(text, "2022-01-02", None, html) == (date(2022, 1, 2), "manifest")
    assert publication_date(text, None, None, html) == (date(2023, 2, 1), "html meta")
    assert publication_date(text) == (date(2021, 3, 5), "dateline")
    with pytest.raises(DraftingError, match="no publication date"):
        publication_date("Talks began.")


def test_dateline_city_is_the_fallback_place():
    t = "QUITO, Ecuador (Wire) — Protesters blocked roads for a third day, organisers said.\nPolice arrested 40 people."
    drafts = draft(t, "2024-05-08", actors=[])
    assert drafts and all(d["place"] == "Quito" for d in drafts)
    assert "place-not-stated" in drafts[-1]["flags"] and drafts[-1]["place_precision"] == "approximate"


def test_he_or_she_takes_the_person_named_before():
    from geo.drafting.actors import Actor

    known = [Actor("okafor", "Ada Okafor", "", "person", "NG")]
    t = "Ada Okafor landed in Abuja on Monday. She met the governors on Tuesday."
    drafts = draft(t, "2024-05-08", actors=known)
    assert [d["actors"] for d in drafts] == [["Ada Okafor"], ["Ada Okafor"]]
    assert [d["date"] for d in drafts] == ["2024-05-06", "2024-05-07"]
