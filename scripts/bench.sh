#!/usr/bin/env bash
# make bench (BENCH_SMALL=1: make bench-small): benchmarks on PostgreSQL (see docs/benchmarks.md).
# stdout: `name value unit` lines; progress on stderr. Settings: BENCH_* variables, listed in bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bench.run "$@"
