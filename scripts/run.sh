#!/usr/bin/env bash
# make run: migrate, build the demo community once, then serve with the scheduler beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
# The demo pays online through the simulated gateway (its "pay" button moves no money: never in production).
export WUYE_SIMULATED_PAYMENTS="${WUYE_SIMULATED_PAYMENTS:-1}"
PY=.venv/bin/python

$PY manage.py migrate --no-input -v 0
$PY manage.py seed_demo --no-progress

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [[ -n "${CELERY_BROKER_URL:-}" ]]; then
  echo "Background jobs: Celery worker + beat on ${CELERY_BROKER_URL}"
  .venv/bin/celery -A wuye worker --beat --loglevel INFO --concurrency 2 \
    --schedule var/celerybeat-schedule &
else
  echo "Background jobs: embedded scheduler"
  $PY manage.py scheduler &
fi
pids+=($!)

echo
echo "Wuye is starting on http://127.0.0.1:8000  (owner portal: /h5/, API docs: /api/docs, admin: /admin/)"
$PY manage.py runserver --noreload 127.0.0.1:8000
