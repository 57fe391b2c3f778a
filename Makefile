# CCHC report analytics. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Reports to build: by default every report in data/raw/ (text, Word or workbook), found by the
# runner itself (so that any file name is built or refused by name, and never read by the
# shell); REPORTS='data/raw/a.txt ...' names some (make splits the list on spaces).
REPORTS ?=
OUT ?= $(CURDIR)
# a value as one word for the shell, whatever characters it holds
quote = '$(subst ','\'',$(1))'

# Incremental builds. After a build in which every report is up to date, the runner writes
# make's stamp, OUT/.build/stamps/: the files the build was made of (the raw reports, the
# notebooks, src/helpers/**, the reference data, pyproject.toml) with their content hashes.
# While nothing differs (scripts/up-to-date.sh: find and sha256sum), `make report` is done
# without starting Python. Otherwise one runner process brings every report up to date: it
# re-runs only the notebooks whose own inputs changed (a fingerprint per notebook), up to
# JOBS at once across reports (default: the CPUs), and builds the other reports when one
# fails.
BUILD := $(OUT)/.build
STAMPS := $(BUILD)/stamps
JOBS ?=
REPORT_ARGS := $(foreach report,$(REPORTS),$(call quote,$(report)))

.PHONY: help venv report test test-fast lab clean system-deps bench share

help: ## List the targets (this message)
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: REPORTS='data/raw/a.txt ...' (default: all in data/raw/, any names), OUT=<dir> (default: here)"
	@echo "             JOBS=<n> notebooks at once (default: n of make -jn, else the CPUs)"

$(STAMP): pyproject.toml
	@if test -x $(PY); then bash scripts/say.sh install_again; \
	  else bash scripts/say.sh install_first_run && $(PYTHON) -m venv $(VENV); fi
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

# The project's kernel `cchc` (this .venv's Python), which every notebook names, and the
# .venv's Jupyter configuration (helpers/lab.py)
LAB_SETUP := $(VENV)/etc/jupyter/jupyter_config.json
$(LAB_SETUP): $(STAMP) src/helpers/lab.py
	@$(PY) -m helpers.lab install

venv: $(STAMP) $(LAB_SETUP) ## Create the virtual environment (.venv, pinned versions) if missing

report: $(STAMP) ## Build processed data, figures and HTML for REPORTS into OUT (only what changed)
	@bash scripts/up-to-date.sh $(call quote,$(STAMPS)) $(REPORT_ARGS) || \
	  $(PY) -m helpers.run --out $(call quote,$(OUT)) --stamps $(call quote,$(STAMPS)) \
	    $(if $(JOBS),--jobs $(call quote,$(JOBS))) -- $(REPORT_ARGS)
	@cat $(call quote,$(STAMPS)/summary.txt)

bench: $(STAMP) ## Time cold, no-op and one-notebook builds, batches (BATCH="20 63"); compare with the floor
	$(PY) -m helpers.bench $(if $(BATCH),--batch $(BATCH))

system-deps: ## Install what the browser tests need (Debian chromium, fonts) when missing
	@bash scripts/system-deps.sh

# Tests run on every CPU (pytest-xdist); the notebooks of the session's build run in their own
# process while the tests that do not need them run (tests/fixture_build.py)
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Each test worker compiles the package and the test modules (assertions rewritten); where
# the machine says not to cache bytecode, that is paid again by every run
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE

test: $(LAB_SETUP) system-deps ## Run the whole test suite (what CI runs)
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_JOBS)

test-fast: $(LAB_SETUP) ## Every test but those that run notebooks or a browser (the edit-test loop)
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_JOBS) -m "not slow and not browser"

# Root may start it too (containers run as root); LAB_ARGS='--ip=0.0.0.0 --no-browser' in one
lab: $(LAB_SETUP) ## Open JupyterLab on notebooks/ with the project's kernel (also as root)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ServerApp.allow_root=True $(LAB_ARGS)

share: $(STAMP) ## Copy the pages as plain files to hand on: make share DEST=<folder> [OUT=dir]
	@test -n $(call quote,$(DEST)) || { echo 'usage: make share DEST=<folder> [OUT=dir]' >&2; exit 2; }
	@$(PY) -m helpers.share --out $(call quote,$(OUT)) -- $(call quote,$(DEST))

clean: ## Remove built outputs under OUT (processed data, figures, reports); never data/raw/
	@test $(call quote,$(abspath $(OUT))) != "/"
	rm -rf $(call quote,$(OUT))/data/processed/* $(call quote,$(OUT))/figures/* \
	  $(call quote,$(OUT))/reports/* $(call quote,$(BUILD))

.PHONY: template
template: $(STAMP) ## Write an empty data-entry workbook: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]
	@test -n "$(PROVINCE)" -a -n "$(YEAR)" || { echo 'usage: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]' >&2; exit 2; }
	$(PY) -m helpers.workbook --province "$(PROVINCE)" --year "$(YEAR)" --out "$(OUT)"
