# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test golden bench lint format docs calibrate validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: compare every bundled scenario with the baseline into outputs/comparison (replacing it)
run: $(STAMP)
	$(PY) run_sim.py --force

## test: the whole test suite
test: $(STAMP)
	$(PY) -m pytest

## golden: rewrite tests/golden/ from the current code (only when a change of results is intended;
## tests/test_golden.py checks every bundled scenario against these files exactly)
golden: $(STAMP)
	$(PY) tests/golden/regenerate.py

## bench: kernel, whole-run and reference speeds side by side, memory per resident, and sweeps on Dask
bench: $(STAMP)
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/bench_sweep.py

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
