import pytest

from geo.dataset import reviews as review_mod


def test_missing_file_means_no_reviews(tmp_path):
    assert review_mod.read_reviews(tmp_path / "mention_reviews.csv") == {}


def test_save_merges_and_later_decisions_win(tmp_path):
    path = tmp_path / "mention_reviews.csv"
    review_mod.save_reviews(path, [review_mod.Review("Georgia", "reject")])
    review_mod.save_reviews(
        path,
        [review_mod.Review("georgia", "correct", "Georgia", 42.0, 43.5, "GE"), review_mod.Review("Bank", "reject")],
    )
    stored = review_mod.read_reviews(path)
    assert set(stored) == {"georgia", "bank"}
    assert stored["georgia"].decision == "correct" and stored["georgia"].country == "GE"


@pytest.mark.parametrize(
    "line, message",
    [
        ("Paris,maybe,,,,,", "decision must be one of"),
        ("Paris,correct,Paris,,2.35,FR,", "needs lat and lon"),
        ("Paris,correct,Paris,95,2.35,FR,", "outside -90..90"),
        ("Paris,correct,Paris,north,2.35,FR,", "is not a number"),
        (",reject,,,,,", "text is empty"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "mention_reviews.csv"
    path.write_text("text,decision,place,lat,lon,country,note\nRome,accept,,,,,\n" + line + "\n", encoding="utf-8")
    with pytest.raises(review_mod.ReviewError) as err:
        review_mod.read_reviews(path)
    assert f"{path}:3:" in str(err.value) and message in str(err.value)


def test_apply_drops_rejections_and_moves_corrections():
    reviews = {
        "bank": review_mod.Review("Bank", "reject"),
        "georgia": review_mod.Review("Georgia", "correct", "Georgia", 42.0, 43.5, "GE"),
    }
    rows = [
        {"text": "Bank", "name": "Bank", "lat": 1, "lon": 1, "country": "XX"},
        {"text": "GEORGIA", "name": "Georgia", "lat": 33, "lon": -83, "country": "US"},
        {"text": "Tbilisi", "name": "Tbilisi", "lat": 41.7, "lon": 44.8, "country": "GE"},
    ]
    out = review_mod.apply_reviews(rows, reviews)
    assert [r["text"] for r in out] == ["GEORGIA", "Tbilisi"]
    assert (out[0]["lat"], out[0]["country"], out[0]["reviewed"]) == (42.0, "GE", True)
    assert out[1]["reviewed"] is False
