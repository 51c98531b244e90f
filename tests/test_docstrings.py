"""The examples in the package's docstrings run and show what they claim (numpydoc `Examples`)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for p in (ROOT / "geo").rglob("*.py")
    if p.name not in {"__main__.py"} and "assets" not in p.parts
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples name the project's data/ folder
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_public_api_has_examples():
    """The public entry points carry a numpydoc Examples section."""
    from geo.dataset import load
    from geo.geoparse import geocode
    from geo.layers import cache as build

    for fn in (build.load_layers, geocode.parse, geocode.geocode_place, load.validate_path):
        assert "Examples\n" in (fn.__doc__ or ""), fn.__qualname__
