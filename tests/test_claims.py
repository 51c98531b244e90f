"""Disputed claims (issue 16): the conflict rule for figures, dates and places; claims.csv read with
file:line errors; `disputed(event)` derived from the claims; rival claims in `geo synth`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks import synth
from geo import dataset as ev
from geo.config import PROJECT_ROOT
from geo.dataset import claims as cl

HEADER = "event_id,field,value,claimed_by,file,start,end,evidence,citation,url\n"


def fig(value, qualifier="", unit="soldiers", claimed_by="x", name="killed"):
    return {"name": name, "value": value, "qualifier": qualifier, "unit": unit, "claimed_by": claimed_by}


@pytest.mark.parametrize(
    "a, b, conflict",
    [
        (("about", 600), ("more than", 2000), True),  # the two examples
        (("about", 600), ("more than", 600), False),
        (("about", 600), ("about", 700), False),  # [480, 720] and [560, 840] overlap
        (("about", 600), ("about", 1000), True),  # [480, 720] and [800, 1200]
        (("up to", 600), ("at least", 600), False),  # both allow exactly 600
        (("fewer than", 600), ("at least", 600), True),
        (("", 600), ("more than", 600), True),  # exactly 600 is not more than 600
        (("exactly", 600), ("", 600), False),
        (("", 600), ("", 650), True),
        (("more than", 10), ("more than", 50000), False),  # open-ended claims always overlap
        (("over", 600), ("about", 500), True),  # "over" = "more than": (600, ∞) misses [400, 600]
        (("Around", 600), ("MORE  THAN", 2000), True),  # case and spacing do not matter
        (("nearly", 1000), ("more than", 1000), True),
        (("tens of", 600), ("more than", 2000), True),  # unknown qualifier: read as "about"
    ],
)
def test_figure_rule(a, b, conflict):
    assert cl.figures_conflict(fig(a[1], a[0]), fig(b[1], b[0])) is conflict
    assert cl.figures_conflict(fig(b[1], b[0]), fig(a[1], a[0])) is conflict  # symmetric


def test_figures_in_different_units_are_not_compared():
    assert not cl.figures_conflict(fig(600, unit="soldiers"), fig(90000, unit="civilians"))
    assert cl.figures_conflict(fig(600, unit=""), fig(90000, unit="civilians"))


@pytest.mark.parametrize(
    "a, b, conflict",
    [
        ("2025-09", "2025-09-03", False),  # a partial date covers its month
        ("2025-09", "2025-10-01", True),
        ("2025", "2025-12-31", False),
        ("2024", "2025-01", True),
        ("2025-09-01/2025-09-05", "2025-09-05", False),
        ("2025-09-01/2025-09-05", "2025-09-06", True),
    ],
)
def test_date_rule(a, b, conflict):
    assert cl.dates_conflict(cl.date_interval(a), cl.date_interval(b)) is conflict


def test_date_interval_errors_and_end_date():
    assert cl.date_interval("2025-09-03", "2025-09-10") == ("2025-09-03", "2025-09-10")
    assert "not ISO" in cl.date_interval("3 Sept")
    assert "ends before it starts" in cl.date_interval("2025-09-05/2025-09-01")


def test_place_rule():
    beijing, tianjin = (39.9075, 116.3972, 10.0), (39.1422, 117.1767, 10.0)
    assert cl.places_conflict(beijing, tianjin)
    assert not cl.places_conflict(beijing, (39.95, 116.5, 10.0))  # ~10 km
    near, far = (beijing[0] + 0.40, beijing[1], 0.5), (beijing[0] + 0.50, beijing[1], 0.5)
    assert 44 < cl.distance_km(*beijing[:2], *near[:2]) < 45 and 55 < cl.distance_km(*beijing[:2], *far[:2]) < 56
    assert not cl.places_conflict(beijing, near)
    assert cl.places_conflict(beijing, far)
    assert not cl.places_conflict(beijing, (39.1422, 117.1767, 150.0))  # inside a region's ring


def test_disputed_on_a_layer_row():
    row = {
        "id": "e",
        "date": "2025",
        "end_date": "",
        "figures": [
            fig(600, "about", claimed_by="Seoul"),
            fig(2000, "more than", claimed_by="Kyiv"),
            fig(600, "more than", claimed_by="Other"),
            fig(3, name="wounded"),
        ],
    }
    found = cl.disputed(row)
    assert [(c.field, c.a, c.b) for c in found] == [
        ("figure:killed", "about 600 soldiers (Seoul)", "more than 2,000 soldiers (Kyiv)")
    ]
    row["figures"] = row["figures"][:1] + row["figures"][2:]
    assert cl.disputed(row) == []


@pytest.fixture(scope="module", autouse=True)
def gazetteer_index():
    cache = Path(os.environ["GEO_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    for index in (PROJECT_ROOT / "build" / "cache").glob("gazetteer-v*.pkl"):
        if not (cache / index.name).exists():
            shutil.copy2(index, cache / index.name)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """data/ plus a rival casualty figure and a claims.csv with agreeing and conflicting dates and places."""
    folder = tmp_path_factory.mktemp("claims") / "data"
    shutil.copytree(PROJECT_ROOT / "data", folder, ignore=shutil.ignore_patterns("stories"))
    with open(folder / "figures.csv", "a", encoding="utf-8") as fh:
        fh.write("dprk-losses-kursk,killed,2000,soldiers,more than,A rival claimant,,,,\n")
    (folder / "claims.csv").write_text(
        HEADER
        + 'putin-xi-talks,date,2025-09,Outlet A,,,,,"Ref A",\n'  # agrees (covers 2 Sep)
        + 'putin-xi-talks,date,2025-08-30,Outlet B,,,,,"Ref B",\n'  # conflicts
        + 'putin-xi-talks,place,Tianjin,Outlet C,,,,,"Ref C",\n'  # ~110 km from Beijing
        + 'xi-welcomes-putin-kim,place,"39.95, 116.45",Outlet D,,,,,"Ref D",\n',  # a few km: agrees
        encoding="utf-8",
    )
    ds, errors = ev.load_dataset(folder)
    assert errors == []
    claims, claim_errors = cl.load_claims(folder, ds)
    assert claim_errors == []
    return {e.id: e for e in ds.events}, claims


def test_disputed_is_derived_from_claims(dataset):
    events, claims = dataset
    assert len(claims) == 4
    talks = cl.disputed(events["putin-xi-talks"], claims)
    # the event's own date against B, A against B (claims are compared with each other too), the place
    assert [(c.field, c.a, c.b) for c in talks] == [
        ("date", "2025-09-02 (dataset)", "2025-08-30 (Outlet B)"),
        ("date", "2025-09 (Outlet A)", "2025-08-30 (Outlet B)"),
        ("place", "Beijing (dataset)", "Tianjin (Outlet C)"),
    ]
    assert [c.b_source for c in talks] == [{"citation": f"Ref {x}", "url": ""} for x in "BBC"]
    assert talks[0].a_source["file"]  # the event's own source, for the side-by-side view
    kursk = cl.disputed(events["dprk-losses-kursk"], claims)
    assert [c.field for c in kursk] == ["figure:killed"]
    assert kursk[0].a_source["file"]  # the original figure's article span, for the side-by-side view
    assert cl.disputed(events["xi-welcomes-putin-kim"], claims) == []
    disputed = sorted(e for e in events if cl.disputed(events[e], claims))
    assert disputed == ["dprk-losses-kursk", "putin-xi-talks"]


def test_claims_csv_errors_name_file_and_line(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(
        HEADER
        + 'e1,date,2025-09,Outlet,,,,,"Ref",\n'  # line 2: fine
        + 'e1,time,2025-09,Outlet,,,,,"Ref",\n'  # 3: unknown field
        + 'e1,date,Sept 2025,Outlet,,,,,"Ref",\n'  # 4: not a date
        + 'nope,date,2025-09,Outlet,,,,,"Ref",\n'  # 5: unknown event
        + 'e1,place,Beijing,,,,,,"Ref",\n'  # 6: no claimant
        + "e1,place,Beijing,Outlet,,,,,,\n"  # 7: no source
        + '"e1",place,"95, 10",Outlet,,,,,"Ref\nwith a line break",\n'  # 8-9: coordinates out of range
        + 'e1,date,2025-09-05/2025-09-01,Outlet,,,,,"Ref",\n',  # 10: reversed range
        encoding="utf-8",
    )
    claims, errors = cl.read_claims(path, event_ids={"e1"})
    assert [c.where for c in claims] == [f"{path}:2"]
    got = {e.line: e.message for e in errors}
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 10]
    assert "'time' is not one of date, place" in got[3]
    assert "not ISO" in got[4] and "unknown event id 'nope'" in got[5] and "claimed_by is required" in got[6]
    assert "needs its source" in got[7] and "out of range" in got[8] and "ends before" in got[10]
    assert all(str(e).startswith(f"{path}:{e.line}: ") for e in errors)


def test_claims_csv_bad_file_and_unknown_place(tmp_path, dataset):
    path = tmp_path / "claims.csv"
    path.write_bytes(HEADER.encode("utf-16"))
    claims, errors = cl.read_claims(path)
    assert claims == [] and "UTF-16" in str(errors[0]) and str(errors[0]).startswith(str(path))
    path.write_text("event_id,value\n", encoding="utf-8")
    assert "missing required column(s): field, claimed_by" in str(cl.read_claims(path)[1][0])
    folder = tmp_path / "ds"
    shutil.copytree(PROJECT_ROOT / "data", folder, ignore=shutil.ignore_patterns("stories"))
    (folder / "claims.csv").write_text(
        HEADER + 'putin-xi-talks,place,Qxzzyvville,Outlet,,,,,"Ref",\n', encoding="utf-8"
    )
    ds, _ = ev.load_dataset(folder, resolve=False)
    claims, errors = cl.load_claims(folder, ds)
    assert claims == [] and [str(e) for e in errors] == [
        f"{folder / 'claims.csv'}:2: cannot resolve place 'Qxzzyvville'; add it to places.csv or give lat/lon"
    ]


def test_synth_makes_rival_figures_some_disputed(tmp_path):
    synth.generate(1500, tmp_path, seed=2)
    ds, errors = ev.load_dataset(tmp_path, resolve=False)
    assert errors == []
    rivals = [e for e in ds.events if len({f.name for f in e.figures}) < len(e.figures)]
    disputed = [e for e in rivals if cl.disputed(e)]
    assert rivals and disputed and len(disputed) < len(rivals)  # some rivals agree, some conflict
    assert all(len({f.claimed_by for f in e.figures}) == len(e.figures) for e in rivals)
    assert not any(cl.disputed(e) for e in ds.events if e not in rivals)
