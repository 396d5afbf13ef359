# Two commands on a fresh machine: `make demo` (a real MNIST study) and `make test` (the whole suite).
# Both create the virtualenv on first use. torch is pinned and installed first so pip never pulls a
# newer CUDA build as a dependency of something else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/nettune optimize dataset=mnist trials=6 max_epochs_per_trial=3 data_fraction=0.25 \
		trial_timeout=60 mode=health run_name=quickstart

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) optimization_results logs .pytest_cache
