"""The shipped gazetteer index: a compact file that reproduces byte for byte from the installed sources, is
used while its key matches them, and gives way to a local build when they change."""

from __future__ import annotations

import pytest

from geo.geoparse import gazetteer, index_file, index_store

SMALL = {
    "version": gazetteer.INDEX_VERSION,
    "places": [
        ("Kursk", 51.73733, 36.18735, "RU", "city", 440052, 538560),
        ("Pyongyang", 39.03385, 125.75432, "KP", "city", 3222000, 1871859),
        ("Yellow Sea", 35.0, 123.0, "", "sea", 0, None),
        ("São Paulo", -23.5475, -46.63611, "BR", "city", 10021295, 3448439),
        ("평양", -0.00001, -179.99999, "KP", "admin1", 0, None),
    ],
    "names": {
        "kursk": ((0, 0),),
        "pyongyang": ((1, 0), (4, 1)),
        "yellow sea": ((2, 0),),
        "sao paulo": ((3, 0),),
        "평양": ((1, 1), (4, 0)),
    },
    "adjectival": {"north korean": (1, 4)},
    "common": frozenset({"kursk", "sao paulo"}),
}


@pytest.mark.parametrize("compress", [True, False])
def test_round_trip_gives_back_the_same_index(compress):
    raw = index_file.dumps(SMALL, "key-1", compress=compress)
    back = index_file.loads(raw)
    assert back["key"] == "key-1" and back["version"] == SMALL["version"]
    assert list(back["places"]) == SMALL["places"]
    assert back["places"][-1] == SMALL["places"][-1] and back["places"][1:3] == SMALL["places"][1:3]
    assert back["names"] == SMALL["names"] and back["adjectival"] == SMALL["adjectival"]
    assert back["common"] == SMALL["common"]
    assert "qwerty" not in back["names"] and back["names"].get("qwerty", ()) == ()
    with pytest.raises(KeyError):
        back["names"]["qwerty"]


def test_lookups_agree_before_and_after_the_key_table_is_built(monkeypatch):
    names = index_file.loads(index_file.dumps(SMALL, "k"))["names"]
    monkeypatch.setattr(index_file.MultiMap, "HASH_AFTER", 3)
    looked = [(key, names.get(key)) for key in list(SMALL["names"]) + ["none", "zzz", ""] for _ in range(2)]
    assert names._pos is not None, "the table is built after HASH_AFTER lookups"
    assert looked == [(key, SMALL["names"].get(key)) for key, _ in looked]


def test_bytes_depend_only_on_the_content():
    reordered = dict(
        SMALL,
        names=dict(reversed(list(SMALL["names"].items()))),
        common=frozenset(sorted(SMALL["common"], reverse=True)),
    )
    first = index_file.dumps(SMALL, "k")
    assert index_file.dumps(SMALL, "k") == first
    assert index_file.dumps(reordered, "k") == first, "name tables are written sorted"
    assert index_file.dumps(SMALL, "other") != first


def test_key_is_read_from_the_start_of_the_file(tmp_path):
    path = tmp_path / "index.gz"
    path.write_bytes(index_file.dumps(SMALL, "the-key"))
    assert index_file.read_key(path) == "the-key"
    path.write_bytes(b"not an index")
    assert index_file.read_key(path) is None
    assert index_file.read_key(tmp_path / "missing.gz") is None


def test_the_shipped_index_is_used_while_its_key_matches(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(gazetteer, "build_index", lambda: pytest.fail("the shipped index should be used"))
    assert index_file.read_key(index_store.BUNDLED) == gazetteer.index_key(), (
        "the shipped gazetteer index is out of date: run `python -m geo gazetteer build-index`"
    )
    data = index_store.load_or_build()
    assert data["key"] == gazetteer.index_key()
    assert gazetteer.Gazetteer(data).lookup("Kursk")[0].country == "RU"
    assert not (tmp_path / "cache").exists(), "nothing is built or cached"


def test_a_stale_shipped_index_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    stale = tmp_path / "stale.gz"
    stale.write_bytes(index_file.dumps(SMALL, "v0-some-older-sources"))
    monkeypatch.setattr(index_store, "BUNDLED", stale)
    monkeypatch.setattr(gazetteer, "build_index", lambda: dict(SMALL, places=SMALL["places"][:2]))
    data = index_store.load_or_build()
    assert len(data["places"]) == 2, "built from the sources, not read from the stale file"
    cached = gazetteer.index_path()
    assert cached.is_file() and index_file.read_key(cached) == gazetteer.index_key()
    monkeypatch.setattr(gazetteer, "build_index", lambda: pytest.fail("the local build is cached"))
    assert len(index_store.load_or_build()["places"]) == 2


@pytest.mark.slow
def test_the_shipped_index_reproduces_byte_for_byte_from_the_sources():
    """What CI checks: rebuilding from the pinned packages gives the committed file exactly."""
    shipped = index_store.BUNDLED.read_bytes()
    assert len(shipped) <= 10_000_000
    fresh = index_store.bundled_bytes()
    assert index_file.read_key(index_store.BUNDLED) == gazetteer.index_key(), (
        "sources changed: run `python -m geo gazetteer build-index` and commit the file"
    )
    assert fresh == shipped, "run `python -m geo gazetteer build-index` and commit geo/geoparse/gazetteer-index.gz"
