# One virtual environment, made from the project's own files; every target uses it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo run chat test lint typecheck catalogs bench fuzz clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Try the bot in this terminal: SQLite file, the fictional sample registry, Indonesian first.
demo: $(STAMP)
	$(BIN)/helpline chat --sample

## Run the Telegram bot (needs TELEGRAM_BOT_TOKEN; without it, use `make demo`).
run: $(STAMP)
	$(BIN)/helpline run

## Everything CI checks: lint, types, layer contracts, catalogs, then the tests.
test: $(STAMP)
	$(BIN)/ruff check bot console flows storage tests scripts bench
	$(BIN)/ruff format --check bot console flows storage tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/catalogs.py check
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot console flows storage tests scripts bench
	$(BIN)/ruff format --check bot console flows storage tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy

catalogs: $(STAMP)
	$(BIN)/python scripts/catalogs.py update

## Benchmarks (not tests): prints tables; README "Performance" records them. BENCH_ARGS=--quick
bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench $(BENCH_ARGS)

## Fuzz the service (not part of `make test`): FUZZ_INPUTS per database (default 10,000), on SQLite
## and on PostgreSQL at HELPLINE_FUZZ_DATABASE_URL or HELPLINE_TEST_DATABASE_URL (its tables are
## dropped). Prints inputs, time, exceptions and invariant breaks with the shortest failing input.
FUZZ_INPUTS ?= 10000
fuzz: $(STAMP)
	FUZZ_INPUTS=$(FUZZ_INPUTS) PYTHONPATH=. $(BIN)/python -m tests.fuzz

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
