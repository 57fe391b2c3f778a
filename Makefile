# CCHC report analytics. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Reports to build (default: every report in data/raw/) and the output root.
REPORTS ?= $(wildcard data/raw/*.txt)
OUT ?= $(CURDIR)

.PHONY: help venv report test lab clean system-deps

help: ## List the targets (this message)
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: REPORTS='data/raw/a.txt ...' (default: all in data/raw/), OUT=<dir> (default: here)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name cchc --display-name "CCHC (project .venv)" >/dev/null
	@touch $@

venv: $(STAMP) ## Create the virtual environment (.venv, pinned versions) if missing

report: $(STAMP) ## Build processed data, figures and HTML for REPORTS into OUT
	$(PY) -m helpers.run $(REPORTS) --out "$(OUT)"

system-deps: ## Install what the browser tests need (Debian chromium, fonts) when missing
	@bash scripts/system-deps.sh

test: $(STAMP) system-deps ## Run the test suite
	$(PY) -m pytest

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean: ## Remove built outputs under OUT (processed data, figures, reports); never data/raw/
	@test "$(abspath $(OUT))" != "/"
	rm -rf "$(OUT)/data/processed/"* "$(OUT)/figures/"* "$(OUT)/reports/"*
