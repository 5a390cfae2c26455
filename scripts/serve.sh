#!/usr/bin/env bash
# make serve: the production web server (docs/deploy.md). Needs the production environment: DEBUG=0, SECRET_KEY,
# PAYMENT_CALLBACK_SECRET, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and the HTTPS settings — the deploy check below
# refuses to start without them. Background jobs run separately: `make workers` (Celery) or `manage.py scheduler`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG="${DEBUG:-0}"

$PY manage.py check --deploy --fail-level WARNING
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0   # whitenoise serves var/static with hashed names and far-future caching
exec .venv/bin/gunicorn wuye.wsgi:application --config gunicorn.conf.py
