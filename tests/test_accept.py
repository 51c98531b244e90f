"""`geo accept`: drafts become valid rows (ids, summaries, actors, figures, citations, article copy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.dataset import accept, csvtext, writer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
# A made-up article (written for this test); offsets below are found, not hard-coded.
ARTICLE = (
    "Harbin, 3 September 2025.\r\n"
    "On Tuesday President Xi Jinping received Vladimir Putin in Harbin for talks on energy.\r\n"
    "According to the ministry, 12,000 troops took part in an exercise near Vladivostok, Olga Example said. 🚢\r\n"
)


@pytest.fixture
def dataset(tmp_path) -> tuple[Path, Path, Path]:
    data, src = tmp_path / "data", tmp_path / "src"
    shutil.copytree(ROOT / "data", data)
    src.mkdir()
    for art in SEEDS.glob("*.txt") if SEEDS.is_dir() else []:  # lets the validator check the seed spans too
        shutil.copy(art, src / art.name)
    article = tmp_path / "report.txt"
    article.write_bytes(ARTICLE.encode("utf-8"))
    return data, src, article


def drafts(text: str) -> list[dict]:
    s1 = text.index("On Tuesday")
    e1 = text.index("energy.") + len("energy.")
    s2 = text.index("According")
    e2 = text.index("said.") + len("said.")
    f = text.index("12,000")
    return [
        {
            "start": s1,
            "end": e1,
            "date": "2025-09-02",
            "date_precision": "day",
            "place": "Harbin",
            "lat": 45.75,
            "lon": 126.65,
            "place_precision": "city",
            "actors": ["President Xi Jinping", "Putin"],
            "type": "meeting",
            "title": "Xi and Putin meet in Harbin",
            "figures": [],
            "confidence": 0.8,
        },
        {
            "start": s2,
            "end": e2,
            "date": "2025-09",
            "date_precision": "month",
            "place": "Vladivostok",
            "place_precision": "city",
            "actors": ["Olga Example"],
            "new_actors": [{"name": "Olga Example", "kind": "person"}],
            "type": "military",
            "title": "Exercise near Vladivostok",
            "confidence": 0.6,
            "figures": [
                {
                    "value": 12000,
                    "unit": "troops",
                    "qualifier": "",
                    "claimed_by": "the ministry",
                    "start": f,
                    "end": f + len("12,000 troops"),
                }
            ],
        },
    ]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


def rows(path: Path) -> list[dict]:
    return [r for _, r in csvtext.records(path.read_text("utf-8"))[1]]


def files(*folders: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for f in folders
        for p in sorted(f.rglob("*"))
        if p.is_file() and p.name != writer.LOCK_NAME
    }


def test_cli_accept_two_drafts_writes_valid_rows(dataset, tmp_path):
    data, src, article = dataset
    (tmp_path / "drafts.json").write_text(json.dumps(drafts(ARTICLE)), encoding="utf-8")
    proc = run_cli(
        "accept",
        str(tmp_path / "drafts.json"),
        "--article",
        str(article),
        "--data",
        str(data),
        "--sources",
        str(src),
        "--published",
        "2025-09-03",
        "--title",
        "Test report",
        "--author",
        "t",
    )
    assert proc.returncode == 0, proc.stderr
    assert "events.csv: +2" in proc.stdout and "actors.csv: +1" in proc.stdout
    ev = {r["id"]: r for r in rows(data / "events.csv")}
    meet, drill = (
        ev["2025-09-02-xi-and-putin-meet-in-harbin"],
        ev["2025-09-exercise-near-vladivostok"],
    )
    # the geocoder puts "Harbin" where the draft does: no coordinate columns are added to events.csv
    assert csvtext.header_of((data / "events.csv").read_text("utf-8")) == csvtext.header_of(
        (ROOT / "data" / "events.csv").read_text("utf-8")
    )
    assert meet["actors"] == "xi;putin"  # "President Xi Jinping" and "Putin" matched to existing ids
    assert drill["actors"] == "olga-example"
    assert {
        "id": "olga-example",
        "name": "Olga Example",
        "kind": "person",
    }.items() <= rows(data / "actors.csv")[-1].items()
    for sentence in ARTICLE.split("\r\n"):  # summaries are built from fields, not copied
        assert not sentence or sentence[:30] not in meet["summary"] + drill["summary"]
    manifest = rows(src / "sources.csv")
    new = manifest[-1]
    assert new["title"] == "Test report" and new["date"] == "2025-09-03"
    assert (src / new["file"]).read_bytes() == ARTICLE.encode("utf-8")  # CRLF and the emoji kept
    assert {r["file"] for r in manifest} >= {
        "000_53339dbecfd33ada.txt",
        "004_96cc514147719b82.txt",
    }
    cites = [r for r in rows(data / "citations.csv") if r["item"] in (meet["id"], drill["id"])]
    assert len(cites) == 2 and all(r["file"] == new["file"] and len(r["evidence"]) <= 40 for r in cites)
    fig = rows(data / "figures.csv")[-1]
    assert (fig["event_id"], fig["name"], fig["value"], fig["claimed_by"]) == (
        drill["id"],
        "troops",
        "12000",
        "the ministry",
    )
    assert ARTICLE[int(fig["start"]) : int(fig["end"])].startswith("12,000") and fig["evidence"] == "12,000"
    assert writer.validate_staged(data, src, {}) == []
    undo = run_cli("undo", "--author", "t", "--data", str(data), "--sources", str(src))
    assert undo.returncode == 0, undo.stderr
    assert not {meet["id"], drill["id"]} & {r["id"] for r in rows(data / "events.csv")}
    assert "olga-example" not in {r["id"] for r in rows(data / "actors.csv")}
    assert not (src / new["file"]).exists() and new["file"] not in {r["file"] for r in rows(src / "sources.csv")}
    assert writer.validate_staged(data, src, {}) == []
    again = run_cli("undo", "--author", "t", "--data", str(data), "--sources", str(src))
    assert again.returncode == 2 and "nothing to undo" in again.stderr


def test_cli_refuses_invalid_accept_with_file_line_and_changes_nothing(dataset, tmp_path):
    data, src, article = dataset
    bad = drafts(ARTICLE)
    bad[1]["new_actors"] = [{"name": "Olga Example", "kind": "alien"}]  # not an actor kind
    bad[0]["date"] = "2025-02-30"  # impossible date
    (tmp_path / "drafts.json").write_text(json.dumps(bad), encoding="utf-8")
    before = files(data, src)
    proc = run_cli(
        "accept",
        str(tmp_path / "drafts.json"),
        "--article",
        str(article),
        "--data",
        str(data),
        "--sources",
        str(src),
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    n_actors = len(rows(ROOT / "data" / "actors.csv")) + 2  # header + rows + the new one
    n_events = len(rows(ROOT / "data" / "events.csv")) + 2
    assert f"{data / 'actors.csv'}:{n_actors}: kind 'alien' is not one of person, state, organisation" in lines
    assert f"{data / 'events.csv'}:{n_events}: impossible date '2025-02-30'" in lines
    assert "unchanged" in lines[-1] and "Traceback" not in proc.stderr
    assert files(data, src) == before


def test_cli_bad_input_messages(dataset, tmp_path):
    data, _, article = dataset
    (tmp_path / "broken.json").write_text('[{"start": 1,\n "end": }]', encoding="utf-8")
    proc = run_cli(
        "accept",
        str(tmp_path / "broken.json"),
        "--article",
        str(article),
        "--data",
        str(data),
    )
    assert proc.returncode == 2 and f"{tmp_path / 'broken.json'}:2: not valid JSON" in proc.stderr
    (tmp_path / "far.json").write_text(json.dumps([dict(drafts(ARTICLE)[0], end=10_000)]), encoding="utf-8")
    proc = run_cli(
        "accept",
        str(tmp_path / "far.json"),
        "--article",
        str(article),
        "--data",
        str(data),
    )
    assert proc.returncode == 2 and "draft 1: span" in proc.stderr and "outside the article" in proc.stderr


def test_ids_stable_and_unique(dataset):
    data, _, _ = dataset
    two = drafts(ARTICLE)
    same = [two[0], dict(two[0])]  # two drafts with one date and title
    _, ids_a = accept.build_rows(same, ARTICLE, data)
    _, ids_b = accept.build_rows(same, ARTICLE, data)
    assert ids_a == ids_b and len(set(ids_a)) == 2 and ids_a[1] == ids_a[0] + "-2"
    existing = rows(data / "events.csv")[0]
    clash = dict(two[0], date=existing["date"], title="x")
    taken = {r["id"] for r in rows(data / "events.csv")}
    _, ids_c = accept.build_rows([clash], ARTICLE, data)
    assert ids_c[0] not in taken
    assert accept.slug("Ünïcode — and  spaces!") == "unicode-and-spaces"


def test_actor_matching_short_forms_and_native_names():
    actors = [
        {"id": "xi", "name": "Xi Jinping", "native_name": "习近平", "kind": "person"},
        {
            "id": "kim-jong-un",
            "name": "Kim Jong Un",
            "native_name": "김정은",
            "kind": "person",
        },
        {"id": "kim-yo", "name": "Kim Yo Jong", "kind": "person"},
        {"id": "russia", "name": "Russia", "kind": "state"},
    ]
    idx = accept.actor_index(actors)
    assert accept.match_actor("President Xi Jinping", idx) == "xi"
    assert accept.match_actor("Xi", idx) == "xi" and accept.match_actor("习近平", idx) == "xi"
    assert accept.match_actor("Kim", idx) is None  # two Kims: ambiguous short form left unmatched
    assert accept.match_actor("Kim Jong Un", idx) == "kim-jong-un" and accept.match_actor("russia", idx) == "russia"


def test_two_cli_accepts_at_once_both_land(dataset, tmp_path):
    data, src, article = dataset
    procs = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for n, d in enumerate(drafts(ARTICLE)):
        path = tmp_path / f"d{n}.json"
        path.write_text(json.dumps([d]), encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "geo",
                    "accept",
                    str(path),
                    "--article",
                    str(article),
                    "--data",
                    str(data),
                    "--sources",
                    str(src),
                    "--author",
                    f"user{n}",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    got = {r["id"] for r in rows(data / "events.csv")}
    assert {
        "2025-09-02-xi-and-putin-meet-in-harbin",
        "2025-09-exercise-near-vladivostok",
    } <= got
    assert len([r for r in rows(src / "sources.csv") if r["title"] == "report"]) == 1  # one article, one row
    assert writer.validate_staged(data, src, {}) == []


def test_browser_selection_offsets_become_code_point_spans():
    from geo.dataset import selection

    shown = selection.rendered(ARTICLE)
    assert "\r" not in shown
    for phrase in ("Harbin", "Olga Example said. 🚢", "🚢", "12,000 troops"):
        # a browser's offsets: UTF-16 units of the rendered text
        start16 = len(shown[: shown.index(phrase)].encode("utf-16-le")) // 2
        end16 = start16 + len(phrase.encode("utf-16-le")) // 2
        s, e = selection.selection_to_span(ARTICLE, start16, end16)
        assert ARTICLE[s:e] == phrase
        assert selection.span_to_utf16(ARTICLE, s, e) == (start16, end16)
    ship = ARTICLE.index("🚢")
    s16, _ = selection.span_to_utf16(ARTICLE, ship, ship + 1)
    assert selection.selection_to_span(ARTICLE, s16 + 1, s16 + 1) == (ship, ship + 1)  # half a pair widens
    line2 = ARTICLE.index("On Tuesday")
    r = line2 - 1  # its rendered offset: one CR LF before it became LF
    assert selection.selection_to_span(ARTICLE, r - 1, r) == (line2 - 2, line2)  # the rendered LF is CR LF
    assert selection.selection_to_span(ARTICLE, 0, r - 1) == (0, line2 - 2)  # line 1 ends before its CR
    with pytest.raises(ValueError):
        selection.selection_to_span(ARTICLE, 5, 10_000)


def test_coordinates_written_only_when_the_name_does_not_say_where():
    assert not accept._needs_coordinates("Harbin", 45.75, 126.65)
    assert accept._needs_coordinates("Harbin", 39.9, 116.4)  # picked on the map elsewhere: keep the point
    assert accept._needs_coordinates("", 39.9, 116.4)
    assert not accept._needs_coordinates("Harbin", None, None)
