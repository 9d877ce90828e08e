# Two commands: `make run` and `make test`. Each sets itself up on a machine with Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := forecast

.PHONY: run test lint lab validate bench pages clean calibration

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the package metadata changes; the package itself is installed editable.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (forecast)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/forecast run

# --maxschedchunk=1: each of the two workers is given the next test when it is free, in the
# order tests/conftest.py sets (slow ones first), instead of a quarter of the suite at once.
# It is here, not in pyproject's addopts, so that `pytest -p no:xdist` still runs.
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 --maxschedchunk=1 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

validate: $(STAMP)
	$(BIN)/forecast validate

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# The default method's calibration of the shipped reference class, shipped as package data
# (tests/models/test_default.py checks it is current).
calibration: $(STAMP)
	$(BIN)/python -c "from forecast.models.default import write_shipped_calibration as w; \
	w('src/forecast/models/default_calibration.json')"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Every page of a run in headless Chromium (apt-get install chromium): images, links, console
# errors, no code on reviewer pages. `make pages RUN=outputs/runs/<id>` checks that run; without
# RUN the test makes a small run of its own.
pages: $(STAMP)
	FORECAST_BROWSER_RUN=$(RUN) $(BIN)/python -m pytest tests/run/test_browser.py -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
