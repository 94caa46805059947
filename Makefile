# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Debian's chromium package: the browser tests (tests/browser/) drive it through Playwright
CHROMIUM := /usr/bin/chromium

.PHONY: run test chromium app golden bench bench-app screenshots lint format docs calibrate validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: compare every bundled scenario with the baseline into outputs/comparison (replacing it)
run: $(STAMP)
	$(PY) run_sim.py --force

## test: the whole test suite, the browser tests (tests/browser/) in Chromium included
test: $(STAMP) chromium
	$(PY) -m pytest

## chromium: make sure Debian's chromium is at $(CHROMIUM) for the browser tests (Playwright drives it
## through executable_path; its own browser download cannot work offline). Installs the package when
## missing, as root with apt-get; otherwise warns loudly and goes on (the browser tests then skip).
chromium:
	@if [ -x $(CHROMIUM) ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
		|| echo "!!! WARNING: installing chromium failed: the browser tests will SKIP !!!" >&2; \
	else \
		echo "!!! WARNING: $(CHROMIUM) is missing and cannot be installed here (needs root and apt-get):" \
			"the browser tests will SKIP !!!" >&2; \
	fi

## app: the web app for planners on http://127.0.0.1:8765 (see README, "Web app")
app: $(STAMP)
	$(PY) run_sim.py app

## golden: rewrite tests/golden/ from the current code (only when a change of results is intended;
## tests/test_golden.py checks every bundled scenario against these files exactly)
golden: $(STAMP)
	$(PY) tests/golden/regenerate.py

## bench: kernel, whole-run and reference speeds side by side, memory per resident, sweeps on Dask,
## and the web app's speeds (bench-app)
bench: $(STAMP) bench-app
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/bench_sweep.py

## bench-app: the web app in Chromium: first page render, and press-run-to-results of 2 designs
## against the baseline (5,000 residents, 10 years, 16 replicates), cold and warm, beside the CLI
bench-app: $(STAMP) chromium
	$(PY) benchmarks/bench_app.py

## screenshots: copy the browser tests' current screenshots (outputs/test-artifacts/screenshots/,
## written by `make test`) into docs/screenshots/ for the README
screenshots:
	@test -n "$$(ls outputs/test-artifacts/screenshots/*.png 2>/dev/null)" \
		|| { echo "no screenshots yet: run the browser tests first (make test)" >&2; exit 1; }
	mkdir -p docs/screenshots
	cp outputs/test-artifacts/screenshots/*.png docs/screenshots/

## calibrate: fit the free parameters to the targets into outputs/calibration (replacing it), sample
## their posterior (posterior.csv: block-conditional ABC, about 10 min more on 2 cores), then
## install the fit as calibration/fitted.toml, keeping the previous one in outputs/calibration/fitted.previous.toml
calibrate: $(STAMP)
	$(PY) run_sim.py calibrate --force --install --posterior

## validate: every calibration target against the model -> outputs/validation/ (replacing it)
validate: $(STAMP)
	$(PY) run_sim.py validate --force

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests benchmarks run_sim.py
	$(VENV)/bin/ruff format --check sim tests benchmarks run_sim.py

format: $(STAMP)
	$(VENV)/bin/ruff format sim tests benchmarks run_sim.py

## docs: regenerate docs/parameters.md from the scenario schema
docs: $(STAMP)
	$(PY) -m sim.docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
