"""Skips that say what is missing, and that become failures under GEO_STRICT_TESTS=1 (set by .ci/run), so a
green CI means every test ran."""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("GEO_STRICT_TESTS", "").strip() in {"1", "true", "yes"}


def missing(reason: str):
    """Skip the test because `reason` names something absent (the articles, the scorer, a PostGIS server,
    Chromium); under GEO_STRICT_TESTS=1 fail instead."""
    if STRICT:
        pytest.fail(f"GEO_STRICT_TESTS=1 and {reason}", pytrace=False)
    pytest.skip(reason)
