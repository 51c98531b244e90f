"""Shared fixtures. Tests read the source articles from ../shared/seeds when present."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import needs
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"

# Point the package at the shared articles for every test (the app reads GEO_SOURCES_DIR).
if SHARED_SEEDS.is_dir():
    os.environ.setdefault("GEO_SOURCES_DIR", str(SHARED_SEEDS))

# Tests never write into the developer's build/: one private build folder per test session, and one
# cache folder (the gazetteer index takes ~15 s to build) shared by every build of the session.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="atlas-tests-"))
os.environ.setdefault("GEO_BUILD_DIR", str(_SESSION_DIR / "build"))
os.environ.setdefault("GEO_CACHE_DIR", str(_SESSION_DIR / "cache"))


@pytest.fixture
def seeds_dir() -> Path:
    if not SHARED_SEEDS.is_dir():
        needs.missing(f"source articles not available: {SHARED_SEEDS} is absent")
    return SHARED_SEEDS


@pytest.fixture
def isolated_build(tmp_path, monkeypatch) -> Path:
    """A private build folder so tests never touch the developer's build/."""
    build = tmp_path / "build"
    monkeypatch.setenv("GEO_BUILD_DIR", str(build))
    return build


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory) -> Path:
    """One private build folder for the whole session, for tests that run the CLI or the app on the
    curated dataset (pass it as GEO_BUILD_DIR). The first user pays the build (~25 s), later ones reuse it."""
    build = tmp_path_factory.mktemp("shared-build")
    # Reuse the developer's gazetteer index (read-only copy): it is the slow part of a first build and
    # does not depend on the dataset. A stale version is simply rebuilt by geo.gazetteer.
    from geo import config

    developer_build = Path(os.environ.get("GEO_BUILD_DIR") or config.PROJECT_ROOT / "build")
    for index in developer_build.glob("gazetteer-v*.pkl"):
        shutil.copy2(index, build / index.name)
    return build
