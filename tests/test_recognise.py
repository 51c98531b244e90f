"""Recognition: reading article files and finding candidate place-name spans."""

from __future__ import annotations

import pytest

from geo.articles import reading
from geo.articles.reading import read_article
from geo.geoparse.recognise import mentions

KNOWN = {
    "new york",
    "york",
    "paris",
    "texas",
    "bank",
    "china",
    "st. louis",
    "u.s.",
    "washington",
    "курск",
    "平壤",
    "russian",
    "bosnia and herzegovina",
    "bosnia",
}


def known(s: str) -> bool:
    return " ".join(s.lower().replace("-", " ").split()) in KNOWN


def spans(text):
    return [(m.text, text[m.start : m.end]) for m in mentions(text, known)]


def test_longest_match_wins_and_offsets_are_exact():
    text = "She moved from New York to St. Louis last spring."
    got = mentions(text, known)
    assert [m.text for m in got] == ["New York", "St. Louis"]
    for m in got:
        assert text[m.start : m.end] == m.text


def test_possessive_and_hyphenated_modifiers():
    text = "China's exports rose while Russian-backed forces and U.S.-led talks stalled."
    assert [m.text for m in mentions(text, known)] == ["China", "Russian", "U.S."]


def test_connectors_join_multiword_names_but_not_lowercase_words():
    assert [m.text for m in mentions("Delegates from Bosnia and Herzegovina arrived.", known)] == [
        "Bosnia and Herzegovina"
    ]
    # lower-case "paris" is not a name
    assert mentions("the plaster of paris set quickly", known) == []


def test_context_cues_for_organisations_and_people():
    m = mentions("He works for the Bank of China in Paris, Texas.", known)
    china = [x for x in m if x.text == "China"][0]
    assert china.seq_before == "Bank of"
    paris = [x for x in m if x.text == "Paris"][0]
    assert paris.prev_word == "in" and paris.after_comma == "Texas"
    wp = mentions("A reporter for The Washington Post called.", known)[0]
    assert wp.text == "Washington" and wp.seq_after == "Post"


def test_sentence_initial_flag():
    m = mentions("Paris is big. So is York.", known)
    assert m[0].sentence_initial is True
    assert m[1].text == "York" and m[1].sentence_initial is False


def test_uncased_scripts_and_cyrillic():
    got = [m.text for m in mentions("Делегация прибыла в Курск. 代表团抵达平壤。", known)]
    assert got == ["Курск", "平壤"]


# --- reading files ---------------------------------------------------------


def test_read_plain_text_with_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffTroops moved near Kursk.".encode("utf-8"))
    assert read_article(p) == "Troops moved near Kursk."


def test_read_html_strips_tags_scripts_and_entities(tmp_path):
    p = tmp_path / "a.html"
    p.write_text(
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>var Paris = 'Texas';</script><p>Talks in Geneva &amp; Vienna&nbsp;ended.</p>"
        "<p>Next&#58; Oslo</p></body></html>",
        encoding="utf-8",
    )
    text = read_article(p)
    assert text == "Talks in Geneva & Vienna ended.\n\nNext: Oslo"  # entities decoded, no-break space folded
    assert "var Paris" not in text and "color" not in text and "<p>" not in text


@pytest.mark.parametrize(
    "name,data,why",
    [
        ("a.txt", b"abc\x00def", "binary"),
        ("b.txt", b"caf\xe9 au lait", "UTF-8"),
        ("c.pdf", b"%PDF-1.4 hello", "unsupported"),
        ("d.png", b"\x89PNG\r\n", "unsupported"),
    ],
)
def test_read_refuses_non_text(tmp_path, name, data, why):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(ValueError) as err:
        read_article(p)
    assert name in str(err.value) and why in str(err.value)


def test_read_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        read_article(tmp_path / "missing.txt")


def test_html_to_text_keeps_block_breaks():
    assert reading.html_to_text("<p>One</p><p>Two</p>") == "One\n\nTwo"  # a block ends a paragraph
