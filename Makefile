# Two commands matter: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_EXTRAS := aws,ui,reports
TEST_EXTRAS := aws,ui,reports,test,dev,infra
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format bench install install-test system-deps lock lock-upgrade synth clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions with hashes from the lock files (scripts/lock.sh writes them), then the package
# itself without dependencies: a fresh machine gets the versions the suite was run with.
$(VENV)/.installed-run: requirements/run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

## run: create .venv, install, make sample data if missing, serve the dashboards
run: install
	$(BIN)/workbench run

## system-deps: Debian packages the test suite drives (headless Chromium for browser tests)
system-deps:
	@bash scripts/install-system-deps.sh

## test: install what tests need (system packages included) and run every test
test: install-test system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check workbench tests benchmarks scripts lambdas infra lifecycle
	$(BIN)/ruff format --check workbench tests benchmarks scripts lambdas infra lifecycle
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff format workbench tests benchmarks scripts lambdas infra lifecycle
	$(BIN)/ruff check --fix workbench tests benchmarks scripts lambdas infra lifecycle

## synth: write the CloudFormation templates of infra/ to infra/cdk.out (offline, no credentials)
synth: install-test
	cd infra && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 ../$(BIN)/python app.py
	@ls infra/cdk.out/*.template.json

## bench: print performance figures (see benchmarks/README.md)
bench: install-test
	$(BIN)/python -m benchmarks

## lock: re-resolve requirements/*.lock after pyproject.toml changed (other pins stay)
lock: install-test
	UV=$(BIN)/uv bash scripts/lock.sh

## lock-upgrade: move every locked package to the newest release pyproject.toml allows
lock-upgrade: install-test
	UV=$(BIN)/uv bash scripts/lock.sh --upgrade

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
