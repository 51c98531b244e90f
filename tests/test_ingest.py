"""Corpus ingest on Dask: reading corpora, determinism across worker counts,
idempotency, GeoPackage vs PostGIS, and the CLI.

The corpus is a handful of short articles written for these tests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from geopandas.testing import assert_geodataframe_equal
from postgis_fixture import postgis_url  # noqa: F401  (fixture)

from geo.articles import sentences
from geo.articles.sources import Article
from geo.cli import main
from geo.corpus import ingest, store

ARTICLES = {
    "floods.txt": (
        "Flooding closed roads around Lyon on Monday. Officials in Marseille said the storm "
        "would move east towards Nice overnight.\n"
    ),
    "ports.md": (
        "# Ports reopen after strike\n\n"
        "Cargo ships returned to Rotterdam on Tuesday after a week-long strike. Traders in "
        "Antwerp and Hamburg welcomed the news.\n"
    ),
    "rail.html": (
        "<html><head><title>Rail link opens</title></head><body>"
        "<p>A new rail link between Nairobi and Mombasa opened this week.</p>"
        "<p>Passengers travelling from Kampala will be able to connect next year.</p></body></html>"
    ),
    "sport/festival.txt": (
        "The festival drew large crowds to Melbourne, while Sydney hosted a smaller event "
        "near the harbour. Organisers in Adelaide plan a third stage.\n"
    ),
    "README.md": "Notes about this folder: not an article, never ingested (Paris).\n",
}


def write_corpus(folder: Path, articles: dict[str, str] = ARTICLES) -> Path:
    for name, text in articles.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def jsonl(tmp_path) -> Path:
    path = tmp_path / "corpus.jsonl"
    lines = [
        {"id": "b", "text": "Talks resumed in Geneva, diplomats in Vienna said.", "date": "2025-05-02"},
        {"id": "a", "text": "Heavy snow fell on Oslo and Stockholm.", "title": "Snow", "date": "2025-01-20"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def export(st) -> bytes:
    return st.read_layer("mentions").to_json(sort_keys=True).encode()


# ---------------------------------------------------------------------------
# Reading corpora


def test_read_folder_ids_hashes_titles(corpus):
    arts = ingest.read_corpus(corpus)
    assert [a.id for a in arts] == ["floods.txt", "ports.md", "rail.html", "sport/festival.txt"]
    by_id = {a.id: a for a in arts}
    assert by_id["floods.txt"].sha256 == hashlib.sha256((corpus / "floods.txt").read_bytes()).hexdigest()
    assert by_id["ports.md"].title == "Ports reopen after strike"
    assert by_id["rail.html"].title == "Rail link opens"
    assert "<p>" not in by_id["rail.html"].text and "Nairobi" in by_id["rail.html"].text
    assert by_id["floods.txt"].title == ""


def test_read_folder_uses_manifest_titles_and_dates(corpus):
    (corpus / "sources.csv").write_text("file,title,date\nfloods.txt,Storm report,2025-10-04\n", encoding="utf-8")
    a = {a.id: a for a in ingest.read_corpus(corpus)}["floods.txt"]
    assert (a.title, a.date) == ("Storm report", "2025-10-04")


def test_read_jsonl_sorted_with_optional_fields(jsonl):
    arts = ingest.read_corpus(jsonl)
    assert [(a.id, a.title, a.date) for a in arts] == [("a", "Snow", "2025-01-20"), ("b", "", "2025-05-02")]
    assert arts[0].sha256 == hashlib.sha256(arts[0].text.encode()).hexdigest()


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "x"}\n', r"corpus.jsonl:1: expected a JSON object with 'id' and 'text'"),
        ('{"id": "x", "text": "a"}\n{"id": "x", "text": "b"}\n', "article id 'x' appears more than once"),
        ("not json\n", "corpus.jsonl:1:"),
    ],
)
def test_bad_jsonl_is_one_line_error(tmp_path, content, message):
    path = tmp_path / "corpus.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ingest.IngestError, match=message):
        ingest.read_corpus(path)


def test_identical_texts_are_ingested_once():
    a = Article("a", "h1", text="same")
    b = Article("b", "h1", text="same")
    c = Article("c", "h2", text="other")
    assert ingest.new_articles([a, b, c], known=set()) == [a, c]
    assert ingest.new_articles([a, b, c], known={"h2"}) == [a]


def test_sentence_at_picks_the_sentence():
    text = "First one here. Storms hit Lyon today! Then calm.\nNext line"
    start = text.index("Lyon")
    assert sentences.sentence_at(text, start, start + 4) == "Storms hit Lyon today!"
    start = text.index("Next")
    assert sentences.sentence_at(text, start, start + 4) == "Next line"


# ---------------------------------------------------------------------------
# Dask ingest (real geoparser)


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results(corpus, tmp_path):
    one = store.open_store(str(tmp_path / "one.gpkg"))
    two = store.open_store(str(tmp_path / "two.gpkg"))
    r1 = ingest.ingest(corpus, one, workers=1, processes=False)
    r2 = ingest.ingest(corpus, two, workers=2, processes=True)  # real worker processes
    assert (r1.new, r2.new) == (4, 4) and r1.mentions == r2.mentions > 0
    assert export(one) == export(two)
    gdf = one.read_layer("mentions")
    assert {"Lyon", "Marseille", "Rotterdam", "Nairobi", "Melbourne"} <= set(gdf.text)
    assert "README.md" not in set(gdf.article)
    assert list(gdf.columns[:9]) == store.MENTION_COLUMNS
    row = gdf[gdf.text == "Lyon"].iloc[0]
    assert row.sentence == "Flooding closed roads around Lyon on Monday."
    assert 45 < row.geometry.y < 46 and 4 < row.geometry.x < 5
    prov = one.articles()
    assert list(prov.article) == ["floods.txt", "ports.md", "rail.html", "sport/festival.txt"]
    assert prov.set_index("article").n_mentions.sum() == len(gdf)
    assert prov.set_index("article").loc["rail.html", "title"] == "Rail link opens"


def test_second_run_ingests_nothing_new(corpus, tmp_path):
    st = store.open_store(str(tmp_path / "s.gpkg"))
    first = ingest.ingest(corpus, st, workers=1, processes=False)
    before = export(st)
    again = ingest.ingest(corpus, st, workers=1, processes=False)
    assert (again.seen, again.skipped, again.new, again.mentions) == (4, 4, 0, 0)
    assert export(st) == before
    write_corpus(corpus, {"extra.txt": "Ferries to Helsinki were cancelled.\n"})
    third = ingest.ingest(corpus, st, workers=1, processes=False)
    assert (third.new, third.skipped) == (1, 4)
    assert len(st.read_layer("mentions")) == first.mentions + third.mentions


def test_gpkg_and_postgis_ingests_match(corpus, tmp_path, postgis_url):  # noqa: F811
    gpkg = store.open_store(str(tmp_path / "s.gpkg"))
    pg = store.open_store(postgis_url)
    ingest.ingest(corpus, gpkg, workers=1, processes=False)
    ingest.ingest(corpus, pg, workers=2, processes=False)
    assert_geodataframe_equal(gpkg.read_layer("mentions"), pg.read_layer("mentions"))
    assert ingest.ingest(corpus, pg, workers=1, processes=False).new == 0


def test_injected_parser_and_worker_errors(corpus, tmp_path):
    from geo.geoparse.geocode import Toponym

    def stand_in(text):  # a minimal parser: every "Lyon" is a place
        i = text.find("Lyon")
        return [Toponym("Lyon", i, i + 4, "Lyon", 45.75, 4.85, "FR", "city", 1.0)] if i >= 0 else []

    st = store.open_store(str(tmp_path / "s.gpkg"))
    r = ingest.ingest(corpus, st, workers=2, processes=False, parse=stand_in)
    assert (r.new, r.mentions) == (4, 1)

    def broken(text):
        if "Rotterdam" in text:
            raise ValueError("bad input")
        return []

    with pytest.raises(ingest.IngestError, match=r"geoparsing failed: article 'ports.md': ValueError: bad input"):
        ingest.ingest(corpus, store.open_store(str(tmp_path / "t.gpkg")), workers=1, processes=False, parse=broken)


# ---------------------------------------------------------------------------
# CLI


def test_cli_ingest_then_store_export(corpus, tmp_path, capsys):
    gpkg, out = tmp_path / "cli.gpkg", tmp_path / "mentions.geojson"
    args = ["ingest", str(corpus), "--workers", "1", "--threads", "--store", str(gpkg), "--quiet"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("4 new article(s), 0 already stored")
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("0 new article(s), 4 already stored, 0 mention(s)")
    assert main(["store-export", str(out), "--store", str(gpkg), "--bbox", "-10", "35", "30", "60"]) == 0
    features = json.loads(out.read_text())["features"]
    assert features and all(-10 <= f["geometry"]["coordinates"][0] <= 30 for f in features)
    assert {f["properties"]["text"] for f in features} >= {"Lyon", "Rotterdam"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ingest", "/nonexistent/corpus"], "no such file or folder"),
        (["ingest", "{corpus}", "--store", "x.sqlite"], "expected a .gpkg path or a postgresql:// URL"),
        (["ingest", "{corpus}", "--workers", "0", "--store", "{tmp}/s.gpkg"], "--workers must be at least 1"),
        (["store-export", "{tmp}/out.csv"], "expected a .geojson or .gpkg output file"),
    ],
)
def test_cli_errors_are_one_line_exit_2(corpus, tmp_path, capsys, argv, message):
    argv = [a.format(corpus=corpus, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
