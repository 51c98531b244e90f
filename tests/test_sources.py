"""Provenance: the manifest matches the articles, every span resolves and supports its claim, and no
article sentence is copied into the repository."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

from geo.articles import sources
from geo.articles.sources import SourceRef
from geo.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def _csv(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_manifest_matches_article_files(seeds_dir):
    manifest = sources.read_manifest(ROOT / "seeds" / "sources.csv")
    assert manifest, "seeds/sources.csv lists no article"
    for name, art in manifest.items():
        assert sources.sha256_file(seeds_dir / name) == art.sha256, name
        assert art.title and art.date and art.kind


def _span_rows() -> list[tuple[str, dict]]:
    rows = [(f"citations.csv {r['layer']}/{r['item']}", r) for r in _csv("citations.csv") if r["file"]]
    rows += [(f"figures.csv {r['event_id']}/{r['name']}", r) for r in _csv("figures.csv") if r["file"]]
    return rows


@pytest.mark.parametrize("label,row", _span_rows(), ids=[label for label, _ in _span_rows()])
def test_every_span_resolves_and_mentions_its_evidence(seeds_dir, label, row):
    manifest = sources.read_manifest(ROOT / "seeds" / "sources.csv")
    ref = SourceRef(
        file=row["file"],
        sha256=manifest[row["file"]].sha256,
        start=int(row["start"]),
        end=int(row["end"]),
        evidence=row["evidence"],
    )
    text = sources.passage(ref, folder=seeds_dir)
    assert text is not None, f"{label}: span {ref.label()} does not resolve"
    assert row["evidence"], f"{label}: a seed span needs an evidence word"
    assert sources.mentions_evidence(text, row["evidence"]), f"{label}: {text!r} lacks {row['evidence']!r}"


def test_each_event_span_ties_to_the_event_text(seeds_dir):
    """Honest link: some evidence word is both in the cited span and in the event's own title/summary/
    place/actor names — a span about something else cannot pass."""
    ds, errors = load_dataset(DATA, resolve=False)
    assert not errors, [str(e) for e in errors]
    names = {a.id: a.name for a in ds.actors}
    for e in ds.events:
        own = " ".join([e.title, e.summary, e.place] + [names[a] for a in e.actors])
        spans = [s for s in e.sources if s.is_span]
        assert spans, f"{e.id}: no article span"
        linked = [
            s
            for s in spans
            if sources.mentions_evidence(sources.passage(s, seeds_dir) or "", s.evidence)
            and sources.mentions_evidence(own, s.evidence)
        ]
        assert linked, f"{e.id}: no span whose evidence word also appears in the event"


def test_figures_values_appear_in_their_spans(seeds_dir):
    ds, _ = load_dataset(DATA, resolve=False)
    words = {4: "four"}
    for e in ds.events:
        for f in e.figures:
            span = sources.passage(f.source, seeds_dir)
            assert span, f"{e.id}/{f.name}: figure span does not resolve"
            value = int(f.value)
            forms = {f"{value:,}", str(value), words.get(value, "\0")}
            assert any(form in span for form in forms), f"{e.id}/{f.name}: {value} not in {span!r}"


def test_passage_needs_matching_sha_and_file(tmp_path):
    (tmp_path / "a.txt").write_bytes("Zürich ist schön.\r\nZeile zwei".encode())
    sha = sources.sha256_file(tmp_path / "a.txt")
    ref = SourceRef(file="a.txt", sha256=sha, start=0, end=6)
    assert sources.passage(ref, tmp_path) == "Zürich"
    # offsets are code points into the undecoded-newline text
    assert sources.passage(SourceRef("a.txt", sha, 17, 19), tmp_path) == "\r\n"
    assert sources.passage(SourceRef("a.txt", "0" * 64, 0, 6), tmp_path) is None
    assert sources.passage(SourceRef("missing.txt", sha, 0, 6), tmp_path) is None
    assert sources.passage(SourceRef("a.txt", sha, 5, 500), tmp_path) is None
    assert sources.passage(SourceRef(citation="Background"), tmp_path) is None
    assert sources.passage(ref.to_dict(), tmp_path) == "Zürich"


def test_evidence_matching_is_loose_about_quotes_and_case():
    assert sources.mentions_evidence("China\u2019s PARADE", "china's parade")
    assert sources.mentions_evidence("the Kursk region", "Donbas|kursk")
    assert not sources.mentions_evidence("the Kursk region", "Donbas")
    assert not sources.mentions_evidence("anything", "")


def _shingles(text: str, n: int = 10) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_ten_word_run_of_the_articles_is_in_the_repo(seeds_dir):
    ref: dict[str, str] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        for s in _shingles(path.read_text(encoding="utf-8")):
            ref[s] = path.name
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    copied = []
    for name in listed:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        hits = _shingles(path.read_text(encoding="utf-8", errors="ignore")) & ref.keys()
        if hits:
            copied.append(f"{name}: {sorted(hits)[0]!r}")
    assert not copied, "article text copied into the repo:\n" + "\n".join(copied)
