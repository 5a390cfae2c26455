# Wuye — every set-up step lives here, so a fresh clone needs only Python 3.11, make and the machine's services.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/wuye

.PHONY: run serve workers test test-sqlite test-postgres bench bench-small fuzz e2e chaos soak lint fmt messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## run: start the product on SQLite with the demo community and the scheduler (http://127.0.0.1:8000)
run: $(STAMP)
	@bash scripts/run.sh

## serve: production web server (gunicorn, gunicorn.conf.py) after the deploy check, migrations and collectstatic;
## needs the production environment (docs/deploy.md)
serve: $(STAMP)
	@bash scripts/serve.sh

## workers: WORKERS (default 2) Celery workers and one beat against CELERY_BROKER_URL (default redis://127.0.0.1:6379/0)
workers: $(STAMP)
	@bash scripts/workers.sh

## test: the whole suite on SQLite, then on PostgreSQL when DATABASE_URL is set or a local server answers
test: $(STAMP)
	@bash scripts/test.sh

test-sqlite: $(STAMP)
	DATABASE_URL= $(BIN)/pytest

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest

## bench: benchmarks on PostgreSQL; prints `name value unit` and writes var/bench/latest.json
bench: $(STAMP)
	@bash scripts/bench.sh

## bench-small: the same at a small scale on a fresh database (wuye_bench_ci); fails when a generator or target breaks
bench-small: $(STAMP)
	@BENCH_SMALL=1 bash scripts/bench.sh

## fuzz: every operation of the OpenAPI document fuzzed by schemathesis as a staff member and as an owner (no 5xx,
## answers as documented); FUZZ_EXAMPLES per operation and caller (default 6). On SQLite: the handlers and schemas
## are what is fuzzed, and the suite proves both databases behave alike.
fuzz: $(STAMP)
	DATABASE_URL= $(BIN)/pytest fuzz -p no:cacheprovider

## e2e: browser journeys (e2e/): Playwright for Python driving Debian's chromium, installed with apt when missing
## (skipped with a message where it cannot be); screenshots and pages of failures under var/e2e/
e2e: $(STAMP)
	@bash scripts/e2e.sh

## chaos: desk payments, ticket actions and a billing run against gunicorn + the scheduler while PostgreSQL is
## restarted (twice) and gunicorn workers are SIGKILLed; then nothing lost or doubled, ledgers match, the run done
## (CHAOS_DATABASE_URL, default wuye_chaos; CHAOS_SECONDS). Restarts the machine's PostgreSQL: not in CI.
chaos: $(STAMP)
	$(BIN)/python -m chaos.run chaos

## soak: SOAK_SECONDS (600) of mixed traffic at SOAK_RPS (20): 0 errors, p95 stable, worker memory flat (±10 %)
soak: $(STAMP)
	$(BIN)/python -m chaos.run soak

## lint: ruff, Django system checks, migrations in step with the models
lint: $(STAMP)
	$(BIN)/ruff check wuye tests bench fuzz e2e chaos
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(BIN)/ruff check --fix wuye tests bench fuzz e2e chaos

## messages: refresh and compile translations (needs GNU gettext; the compiled .mo files are committed)
messages: $(STAMP)
	cd wuye && ../$(BIN)/python ../manage.py makemessages -l zh_Hans -l en --no-obsolete
	cd wuye && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
