"""Shared fixtures. Tests read the source articles from ../shared/seeds when present."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"

# Point the package at the shared articles for every test (the app reads GEO_SOURCES_DIR).
if SHARED_SEEDS.is_dir():
    os.environ.setdefault("GEO_SOURCES_DIR", str(SHARED_SEEDS))


@pytest.fixture
def seeds_dir() -> Path:
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"source articles not available: {SHARED_SEEDS} is absent")
    return SHARED_SEEDS


@pytest.fixture
def isolated_build(tmp_path, monkeypatch) -> Path:
    """A private build folder so tests never touch the developer's build/."""
    build = tmp_path / "build"
    monkeypatch.setenv("GEO_BUILD_DIR", str(build))
    return build
