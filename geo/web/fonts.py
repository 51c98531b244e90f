"""Vendored CJK web fonts (Noto Sans SC / KR, SIL OFL 1.1) for the app, the map and exported pages.

`tools/make_fonts.py` writes geo/assets/fonts/: a subset with every Chinese and Korean character of the
dataset and the UI (`atlas-cjk.woff2`, `atlas-cjk-bold.woff2`), unicode-range slices that browsers fetch
only for other characters (`chunks/`), and a stylesheet declaring them as the family "Atlas CJK". The
app's theme font (.streamlit/config.toml: "Source Sans, Atlas CJK, sans-serif") and the map's font stack
(atlas.css) name that family after their Latin font, so CJK characters, and only they, come from it.

Exported single-file pages cannot carry the slices (4 MB); they inline the subset only (`inline_css`).
See docs/fonts.md.
"""

from __future__ import annotations

import base64
import functools

from geo import config

FONTS_DIR = config.ASSETS_DIR / "fonts"
FAMILY = "Atlas CJK"
SUBSET_FILES = {400: "atlas-cjk.woff2", 700: "atlas-cjk-bold.woff2"}
MAP_CSS = "fonts/atlas-cjk.css"  # path under geo/assets (served as /app/static/assets/…)


def app_import(base: str = "/app/static/assets") -> str:
    """A CSS `@import` of the app stylesheet, for the first line of a page `<style>` block.

    Examples
    --------
    >>> app_import()
    '@import url("/app/static/assets/fonts/atlas-cjk.css");'
    """
    return f'@import url("{base}/{MAP_CSS}");'


@functools.lru_cache(maxsize=1)
def inline_css() -> str:
    """@font-face rules for "Atlas CJK" with the subset fonts as data: URIs (no slices), for exports.

    Examples
    --------
    >>> inline_css().count("@font-face")
    2
    """
    rules = []
    for weight, name in SUBSET_FILES.items():
        data = base64.b64encode((FONTS_DIR / name).read_bytes()).decode("ascii")
        rules.append(
            f"@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:{weight};"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}"
        )
    return "\n".join(rules) + "\n"
