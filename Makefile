# Two commands matter: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_EXTRAS := aws,ui,reports
TEST_EXTRAS := aws,ui,reports,test,dev,infra
PYTEST_ARGS ?= -n auto

.PHONY: run lab test lint format bench install install-test system-deps lock lock-upgrade synth clean

# Installs print one line each; their full output goes to $(VENV)/install.log (shown on failure).
INSTALL_LOG := $(VENV)/install.log
quietly = @echo "$(1)…"; { $(2); } >>$(INSTALL_LOG) 2>&1 || { tail -n 40 $(INSTALL_LOG); echo "Failed: see $(INSTALL_LOG)"; exit 1; }

$(BIN)/python:
	@echo "Creating $(VENV)…"
	@$(PYTHON) -m venv $(VENV)
	$(call quietly,Upgrading pip,$(BIN)/python -m pip install --quiet --upgrade pip)

# Exact versions with hashes from the lock files (scripts/lock.sh writes them), then the package
# itself without dependencies: a fresh machine gets the versions the suite was run with.
$(VENV)/.installed-run: requirements/run.lock pyproject.toml | $(BIN)/python
	$(call quietly,Installing the locked dependencies (requirements/run.lock),$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock)
	$(call quietly,Installing the workbench package,$(BIN)/pip install --quiet --no-deps -e .)
	@echo "Installed $$($(BIN)/pip list --format=freeze 2>/dev/null | wc -l) packages into $(VENV) (log: $(INSTALL_LOG))."
	@touch $@

$(VENV)/.installed-test: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(call quietly,Installing the locked test dependencies (requirements/dev.lock),$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock)
	$(call quietly,Installing the workbench package,$(BIN)/pip install --quiet --no-deps -e .)
	@echo "Installed $$($(BIN)/pip list --format=freeze 2>/dev/null | wc -l) packages into $(VENV) (log: $(INSTALL_LOG))."
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

## run: create .venv, install, make sample data if missing, serve the dashboards
run: install
	@$(BIN)/workbench run

## lab: JupyterLab (with the Voila preview) over notebooks/, on 127.0.0.1, with %load_ext workbench ready
lab: install
	@$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks

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
