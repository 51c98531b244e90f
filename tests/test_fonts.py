"""The vendored CJK fonts: size, coverage of the dataset's and the UI's characters (read from the font's
cmap), stylesheet consistency, and a deterministic build (tools/make_fonts.py) that matches the files."""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import unicodedata
from pathlib import Path

import needs
import pytest
from fontTools.ttLib import TTFont

from geo.web import fonts

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "geo" / "assets" / "fonts"
SUBSET_LIMIT = 500_000
# Repository text whose characters reach the page: the dataset, the stories and the UI strings.
TEXT_GLOBS = ("data/*.csv", "data/*.geojson", "data/stories/*.toml", "app.py", "geo/**/*.py")
# Defined here by Unicode names, not by the script's code point ranges, so the two can disagree.
CJK_NAMES = ("CJK ", "HANGUL ", "IDEOGRAPHIC ", "HIRAGANA ", "KATAKANA ", "BOPOMOFO ", "FULLWIDTH ")


def make_fonts():
    spec = importlib.util.spec_from_file_location("make_fonts", ROOT / "tools" / "make_fonts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def used_chars() -> set[str]:
    chars: set[str] = set()
    for pattern in TEXT_GLOBS:
        for path in ROOT.glob(pattern):
            chars.update(path.read_text(encoding="utf-8"))
    return chars


def cjk(chars) -> set[str]:
    return {ch for ch in chars if unicodedata.name(ch, "").startswith(CJK_NAMES)}


def cmap(name: str) -> set[int]:
    return set(TTFont(FONTS / name).getBestCmap())


def test_subset_is_small_and_covers_every_cjk_character_of_data_and_ui():
    needed = cjk(used_chars())
    assert {"习", "近", "平", "김", "정", "은", "壤"} <= needed  # the names the issue is about
    total = 0
    for name in fonts.SUBSET_FILES.values():
        total += (FONTS / name).stat().st_size
        missing = sorted(ch for ch in needed if ord(ch) not in cmap(name))
        assert not missing, f"{name} lacks {''.join(missing)!r}: run python tools/make_fonts.py"
    assert total <= SUBSET_LIMIT, f"subset fonts are {total} bytes"


def test_other_scripts_of_the_data_are_left_to_fonts_that_have_them():
    """Cyrillic is drawn by Streamlit's own Source Sans (the app) and system fonts (map); the subset does
    not carry it. This checks the claim for the app's bundled font instead of assuming it."""
    import streamlit

    media = glob.glob(
        os.path.join(os.path.dirname(streamlit.__file__), "static", "static", "media", "SourceSansVF-Upright*.woff2")
    )
    if not media:
        pytest.skip("Streamlit's Source Sans font file not found in this Streamlit version")
    source_sans = set(TTFont(media[0]).getBestCmap())
    cyrillic = {ch for ch in used_chars() if unicodedata.name(ch, "").startswith("CYRILLIC")}
    assert cyrillic, "the dataset has Russian, Belarusian and Ukrainian names"
    assert not sorted(ch for ch in cyrillic if ord(ch) not in source_sans)


def test_stylesheet_names_existing_files_and_slices_never_overlap_the_subset():
    css = (FONTS / "atlas-cjk.css").read_text(encoding="utf-8")
    faces = re.findall(r"font-family:'([^']+)'.*?src:url\(([^)]+)\).*?unicode-range:([^}]*)\}", css)
    assert {family for family, _, _ in faces} == {fonts.FAMILY}
    urls = [url for _, url, _ in faces]
    for url in urls:
        assert (FONTS / url).is_file(), url
    assert {p.name for p in (FONTS / "chunks").iterdir()} == {u.split("/")[-1] for u in urls if "/" in u}
    subset = cmap(fonts.SUBSET_FILES[400])
    for _, url, ranges in faces:
        covered = set()
        for part in ranges.split(","):
            lo, _, hi = part.strip()[2:].partition("-")
            covered.update(range(int(lo, 16), int(hi or lo, 16) + 1))
        if url in fonts.SUBSET_FILES.values():
            assert covered == subset, "the subset's unicode-range is exactly its characters"
        else:
            assert not covered & subset, f"{url} overlaps the subset: the browser would fetch it for nothing"
            assert min(covered) >= 0x1100 and 0x1F000 > max(covered) or max(covered) >= 0x20000, url  # CJK only
    assert (FONTS / "OFL.txt").read_text(encoding="utf-8").count("SIL Open Font License") >= 1
    notice = (ROOT / "NOTICE.md").read_text(encoding="utf-8")
    assert "geo/assets/fonts/" in notice and "OFL" in notice


def test_inline_css_for_exports_carries_the_subset_only():
    css = fonts.inline_css()
    assert css.count("data:font/woff2;base64,") == len(fonts.SUBSET_FILES)
    assert "chunks/" not in css


def test_build_is_deterministic_and_matches_the_vendored_files(tmp_path):
    tool = make_fonts()
    src = tool.CACHE
    if not all((src / f"noto-sans-{key}" / "package" / "package.json").is_file() for key in tool.PACKAGES):
        needs.missing(f"font sources not unpacked in {src}: run `python tools/make_fonts.py --fetch-only` (npm pack)")
    first, second = tmp_path / "a", tmp_path / "b"
    tool.build(src, first)
    tool.build(src, second)
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs between two builds"
        assert (first / name).read_bytes() == (FONTS / name).read_bytes(), (
            f"geo/assets/fonts/{name} is stale: run python tools/make_fonts.py"
        )
