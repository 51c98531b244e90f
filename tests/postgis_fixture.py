"""Store fixtures shared by test_store.py and test_ingest.py (a helper module, like sample_layers.py).

PostGIS tests need a server: `.ci/postgis.sh` starts one and prints its URL, which CI
exports as GEO_TEST_POSTGIS_URL. Each test gets a private schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import needs
import pytest

POSTGIS_ENV = "GEO_TEST_POSTGIS_URL"


def postgis_url_or_skip() -> str:
    url = os.environ.get(POSTGIS_ENV, "").strip()
    if not url:
        needs.missing(f"PostGIS tests need a server: set {POSTGIS_ENV} (CI runs .ci/postgis.sh)")
    try:
        import psycopg
    except ImportError:
        needs.missing("PostGIS tests need psycopg (pip install -r requirements.txt)")
    try:
        with psycopg.connect(url, connect_timeout=3) as con:
            if con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
                needs.missing(f"{POSTGIS_ENV} database has no postgis extension")
    except psycopg.Error as exc:
        needs.missing(f"PostGIS server at {POSTGIS_ENV} unreachable: {str(exc).strip().splitlines()[0]}")
    return url


@pytest.fixture
def postgis_url():
    """A URL whose search_path puts a fresh schema first (the store writes there)."""
    import psycopg

    from geo.corpus import store

    base = postgis_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema},public')}"
    yield url
    store._engine(url).dispose()
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")
