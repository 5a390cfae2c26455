#!/usr/bin/env bash
# make test: SQLite always; PostgreSQL too when DATABASE_URL points at it or a local server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
PG_DEFAULT="postgresql://postgres@127.0.0.1:5432/wuye"

echo "== tests on SQLite =="
DATABASE_URL= $PYTEST "$@"

pg_url="${DATABASE_URL:-}"
if [[ -z "$pg_url" ]] && .venv/bin/python - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
PY
then
  pg_url="$PG_DEFAULT"
fi
if [[ "$pg_url" == postgres* ]]; then
  echo "== tests on PostgreSQL =="
  DATABASE_URL="$pg_url" $PYTEST "$@"
else
  echo "== PostgreSQL not available: skipped (set DATABASE_URL to run there too) =="
fi
