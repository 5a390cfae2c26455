#!/usr/bin/env bash
# make workers: N Celery workers (WORKERS, default 2, one process each) and one beat against CELERY_BROKER_URL
# (default redis://127.0.0.1:6379/0). Ctrl-C (or TERM) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
WORKERS="${WORKERS:-2}"
# Like make run: without a SECRET_KEY this is a development start (DEBUG on); production sets its environment.
[ -n "${SECRET_KEY:-}" ] || export DEBUG="${DEBUG:-1}"
BIN=.venv/bin
pids=()
stop() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait; }
trap stop INT TERM EXIT
for i in $(seq 1 "$WORKERS"); do
    "$BIN/celery" -A wuye worker -c 1 -n "wuye$i@%h" --loglevel "${CELERY_LOGLEVEL:-info}" &
    pids+=("$!")
done
"$BIN/celery" -A wuye beat --loglevel "${CELERY_LOGLEVEL:-info}" --schedule var/celerybeat-schedule &
pids+=("$!")
echo "workers: $WORKERS worker(s) and beat on $CELERY_BROKER_URL (pids ${pids[*]})"
wait -n
