"""Where things live. Every path the package uses is resolved here, once.

Environment variables override the defaults so tests, the CLI and the app can
point at another dataset without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def data_dir() -> Path:
    """Curated dataset folder (`GEO_DATA_DIR`, default `data/`)."""
    return Path(os.environ.get("GEO_DATA_DIR") or PROJECT_ROOT / "data")


def sources_dir() -> Path:
    """Folder holding the article files (`GEO_SOURCES_DIR`, default `seeds/`)."""
    return Path(os.environ.get("GEO_SOURCES_DIR") or PROJECT_ROOT / "seeds")


def build_dir() -> Path:
    """Ignored folder for built artifacts (`GEO_BUILD_DIR`, default `build/`)."""
    return Path(os.environ.get("GEO_BUILD_DIR") or PROJECT_ROOT / "build")


def cache_dir() -> Path:
    """Caches that do not depend on the dataset, e.g. the gazetteer index (`GEO_CACHE_DIR`,
    default `build/cache`). Separate from the build folder so a fresh build reuses them."""
    return Path(os.environ.get("GEO_CACHE_DIR") or build_dir() / "cache")


def online_tiles_enabled() -> bool:
    """Online OpenStreetMap tiles are off unless `GEO_ONLINE_TILES=1` is set."""
    return os.environ.get("GEO_ONLINE_TILES", "").strip().lower() in {"1", "true", "yes", "on"}
