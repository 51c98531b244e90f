"""Vendored assets and how the page gets them: inlined as `data:` URIs (exports, read-only installs) or
served by Streamlit's static file server from `static/` beside app.py.

`static` is a link to `build/static` (ignored by git): the vendored files of `geo/assets/` are copied there,
and published data files (`publish_data`) are written there, never into the package's source folders.
When that folder cannot be written (a read-only install), the app inlines assets and data instead.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from pathlib import Path

from geo import config
from geo.web import fonts

ASSETS = config.ASSETS_DIR
VENDOR = ASSETS / "vendor"


def _data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


# Files the map needs, in load order: (name, path under geo/assets).
MAP_SCRIPTS = (
    ("leaflet", "vendor/leaflet.js"),
    ("atlas_basemap", "basemap.js"),
    ("atlas_labels_data", "labels/labels.js"),
    ("atlas_labels", "labels.js"),
    ("atlas_symbols", "symbols.js"),
    ("atlas_symbol_runtime", "atlas-symbols.js"),
    ("atlas", "atlas.js"),
    ("atlas_select", "atlas-select.js"),
    ("atlas_explorer", "atlas-explorer.js"),
    ("atlas_marks", "atlas-marks.js"),
    ("atlas_time", "atlas-time.js"),
)
MAP_STYLES = (("leaflet_css", "vendor/leaflet.css"), ("atlas_fonts", "fonts/atlas-cjk.css"), ("atlas_css", "atlas.css"))
# Streamlit serves the app folder's `static/` under this path.
SERVED_BASE = "/app/static"
STATIC_LINK = config.PROJECT_ROOT / "static"


def data_uri(mime: str, payload: bytes) -> str:
    """`payload` as a `data:` URI (no request leaves the page to read it)."""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


@functools.lru_cache(maxsize=1)
def inline_asset_links() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(default_js, default_css) with every asset inlined as a data: URI: for single-file exports."""
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    # Leaflet's CSS points at image files; inline the two the layer control uses.
    for name in ("layers.png", "layers-2x.png"):
        uri = data_uri("image/png", (VENDOR / "images" / name).read_bytes())
        css = css.replace(f"url(images/{name})", f"url({uri})")
    js = tuple((name, data_uri("text/javascript", (ASSETS / path).read_bytes())) for name, path in MAP_SCRIPTS)
    styles = (
        ("leaflet_css", data_uri("text/css", css.encode("utf-8"))),
        ("atlas_fonts", data_uri("text/css", fonts.inline_css().encode("utf-8"))),  # the subset only
        ("atlas_css", data_uri("text/css", (ASSETS / "atlas.css").read_bytes())),
    )
    return js, styles


def static_dir() -> Path | None:
    """The folder Streamlit serves as `static/` (by default `build/static`, which `static` links to),
    when it can be written; None otherwise (a read-only install): then pages inline what they need."""
    try:
        target = STATIC_LINK.resolve()
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return None
    return target


def serving_available() -> bool:
    """Whether assets and published data can be served as static files (else they are inlined)."""
    return _prepared_static() is not None


@functools.lru_cache(maxsize=1)
def _prepared_static() -> Path | None:
    """Copy the vendored assets into the served folder once per process (only the files whose bytes
    differ), so Streamlit serves them from inside `static/` (it refuses links that lead outside)."""
    root = static_dir()
    if root is None:
        return None
    out = root / "assets"
    for src in sorted(ASSETS.rglob("*")):
        if not src.is_file() or "cache" in src.relative_to(ASSETS).parts or src.suffix == ".pyc":
            continue
        dst = out / src.relative_to(ASSETS)
        data = src.read_bytes()
        if dst.is_file() and dst.read_bytes() == data:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dst)
    return root


def published_dir() -> Path | None:
    """Where published data files and script bundles are written (served as `static/published/`)."""
    root = _prepared_static()
    return root / "published" if root is not None else None


def served_asset_links(base: str = SERVED_BASE):
    """(default_js, default_css) as URLs on the app's own static file server: the browser caches
    them, and reruns do not re-send ~1 MB of inlined assets. The scripts go as one file
    (`script_bundle`): st_folium loads scripts one after another, each a round trip. Inlined when
    static serving is not available."""
    bundle = script_bundle()
    if bundle is None:
        return inline_asset_links()
    js = (("atlas_bundle", f"{base}/{bundle}"),)
    css = tuple((name, f"{base}/assets/{path}") for name, path in MAP_STYLES)
    return js, css


@functools.lru_cache(maxsize=1)
def script_bundle() -> str | None:
    """MAP_SCRIPTS joined into one published file (path relative to `static/`), named by content hash so
    browsers may cache it; built once per process, the sources' licence headers kept."""
    text = b"".join((ASSETS / path).read_bytes() + b"\n;\n" for _, path in MAP_SCRIPTS)
    name = f"map-{hashlib.sha256(text).hexdigest()[:20]}.js"
    if write_published(name, text) is None:
        return None
    return f"published/{name}"


def write_published(name: str, content: bytes) -> tuple[Path, bool] | None:
    """Write `content` to the published folder unless it is there (names are content hashes); atomically,
    as other sessions or processes may be reading the folder. (path, whether it was written), or None
    when nothing can be served."""
    folder = published_dir()
    if folder is None:
        return None
    path = folder / name
    if path.is_file():
        return path, False
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return path, True
