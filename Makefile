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

.PHONY: help venv report test lab clean system-deps bench

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
	@$(PY) -m ipykernel install --sys-prefix --name cchc --display-name "CCHC (project .venv)" >/dev/null
	@touch $@

venv: $(STAMP) ## Create the virtual environment (.venv, pinned versions) if missing

report: $(STAMP) ## Build processed data, figures and HTML for REPORTS into OUT (only what changed)
	@bash scripts/up-to-date.sh $(call quote,$(STAMPS)) $(REPORT_ARGS) || \
	  $(PY) -m helpers.run --out $(call quote,$(OUT)) --stamps $(call quote,$(STAMPS)) \
	    $(if $(JOBS),--jobs $(call quote,$(JOBS))) -- $(REPORT_ARGS)
	@cat $(call quote,$(STAMPS)/summary.txt)

bench: $(STAMP) ## Time cold, no-op and one-notebook builds, batches (BATCH="20 63"); compare with the floor
	$(PY) -m helpers.bench $(if $(BATCH),--batch $(BATCH))

system-deps: ## Install what the browser tests need (Debian chromium, fonts) when missing
	@bash scripts/system-deps.sh

test: $(STAMP) system-deps ## Run the test suite
	$(PY) -m pytest

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean: ## Remove built outputs under OUT (processed data, figures, reports); never data/raw/
	@test $(call quote,$(abspath $(OUT))) != "/"
	rm -rf $(call quote,$(OUT))/data/processed/* $(call quote,$(OUT))/figures/* \
	  $(call quote,$(OUT))/reports/* $(call quote,$(BUILD))

.PHONY: template
template: $(STAMP) ## Write an empty data-entry workbook: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]
	@test -n "$(PROVINCE)" -a -n "$(YEAR)" || { echo 'usage: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]' >&2; exit 2; }
	$(PY) -m helpers.workbook --province "$(PROVINCE)" --year "$(YEAR)" --out "$(OUT)"
