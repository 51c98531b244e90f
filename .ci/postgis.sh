#!/usr/bin/env bash
# Local PostgreSQL + PostGIS for the store tests (Debian, run as root, no stdin needed).
# Installs the server if missing, starts the cluster on loopback only, creates the
# database `atlas_test` with PostGIS and a password login, and prints the URL on stdout
# (everything else goes to stderr), so CI can do:
#   export GEO_TEST_POSTGIS_URL="$(.ci/postgis.sh)"
# Safe to run again: every step checks before it acts.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
DB="atlas_test"
ROLE="atlas"
PASSWORD="atlas"   # test-only credential for a loopback-only server

if ! dpkg -s "postgresql-${PG_VERSION}-postgis-3" >/dev/null 2>&1; then
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    postgresql "postgresql-${PG_VERSION}-postgis-3" >&2
fi

# The Debian package creates "main" on install; a trimmed image may not have it.
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main"{f=1} END{exit !f}'; then
  pg_createcluster "$PG_VERSION" main >&2
fi
# Loopback only: the test credential must never be reachable from outside.
CONF_D="/etc/postgresql/${PG_VERSION}/main/conf.d"
mkdir -p "$CONF_D"
echo "listen_addresses = '127.0.0.1'" > "$CONF_D/atlas-test.conf"

if ! pg_ctlcluster "$PG_VERSION" main status >/dev/null 2>&1; then
  pg_ctlcluster "$PG_VERSION" main start >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main"{print $3}')"

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "postgis.sh: server on port $PORT did not come up" >&2; exit 1; }

as_postgres() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }

if [ -z "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
  as_postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ -z "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  as_postgres -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi
# The extension needs a superuser; the tests then run as the unprivileged owner.
as_postgres -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2

echo "postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DB}"
