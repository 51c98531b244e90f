"""The timeline spec and its focus window: pure functions, tested without Streamlit."""

from geo.web import timeline


def test_timeline_opens_on_the_busy_stretch_and_stacks_same_day_events():
    import pandas as pd

    busy = [f"2025-09-0{1 + i % 3}" for i in range(20)]  # 20 events over three days
    background = ["1961-07-11", "2024-06-19", "2024-10-01", "2025-01-01", "2025-03-01"]
    dates = busy + background
    events = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(len(dates))],
            "date": dates,
            "title": "t",
            "type": ["talks" if i % 2 else "visit" for i in range(len(dates))],
        }
    )
    frame, spec = timeline.timeline_chart(events, ["talks", "visit"])
    lo, hi = (pd.Timestamp(d) for d in spec["encoding"]["x"]["scale"]["domain"])
    assert lo <= pd.Timestamp("2025-09-01") and hi >= pd.Timestamp("2025-09-03")
    assert (hi - lo).days <= 16, (lo, hi)  # two weeks and a day each side, not a year or six decades
    assert spec["title"]["text"].startswith("5 more outside this view")
    # Same day, same type: each circle has its own offset, centred on the row.
    for _, group in frame.groupby(["start", "type"]):
        assert group["stack"].nunique() == len(group)
        assert abs(group["stack"].sum()) < 0.5
    assert frame["stack"].abs().max() <= 11
    # Everything inside the window: no note.
    _, compact = timeline.timeline_chart(events.iloc[:20], ["talks", "visit"])
    assert "title" not in compact
