# CCHC report analytics. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Reports to build (default: every report in data/raw/: text, Word or workbook; an old .doc
# is included so that it is refused with a message) and the output root.
REPORTS ?= $(filter-out data/raw/~$$%,$(wildcard data/raw/*.txt data/raw/*.xlsx data/raw/*.docx data/raw/*.doc))
OUT ?= $(CURDIR)

# Incremental builds. Each report has a stamp, OUT/.build/stamps/<report file stem>.done,
# touched when its outputs are up to date. When a stamp is missing or older than a report,
# a notebook, a helper, the reference data or the environment, one runner process brings
# every report of REPORTS up to date: it re-runs only the notebooks whose own inputs changed
# (a fingerprint per notebook), up to JOBS at once across reports (default: the CPUs), and
# builds the other reports when one fails. A no-op `make report` never starts Python.
BUILD := $(OUT)/.build
JOBS ?=
BUILD_INPUTS := $(STAMP) $(wildcard notebooks/*.ipynb data/raw/reference/*) \
  $(shell find src/helpers -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '.*')
REPORT_STAMPS := $(foreach report,$(REPORTS),$(BUILD)/stamps/$(notdir $(basename $(report))).done)

.PHONY: help venv report test lab clean system-deps bench

help: ## List the targets (this message)
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: REPORTS='data/raw/a.txt ...' (default: all in data/raw/), OUT=<dir> (default: here)"
	@echo "             JOBS=<n> notebooks at once (default: n of make -jn, else the CPUs)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name cchc --display-name "CCHC (project .venv)" >/dev/null
	@touch $@

venv: $(STAMP) ## Create the virtual environment (.venv, pinned versions) if missing

report: $(REPORT_STAMPS) ## Build processed data, figures and HTML for REPORTS into OUT (only what changed)
	@test -n "$(strip $(REPORTS))" || { echo "no reports to build (data/raw/ has none)" >&2; exit 2; }
	@echo "$(words $(REPORTS)) report(s) up to date in $(OUT)"

# One recipe for every stamp (`&:`): one process, whose parallelism spans all reports.
$(REPORT_STAMPS) &: $(wildcard $(REPORTS) $(addsuffix .meta.json,$(basename $(REPORTS)))) $(BUILD_INPUTS)
	@$(PY) -m helpers.run --out "$(OUT)" --stamps "$(BUILD)/stamps" $(if $(JOBS),--jobs $(JOBS)) $(REPORTS)

bench: $(STAMP) ## Time cold, no-op and one-notebook builds, a 20-report batch; compare with the floor
	$(PY) -m helpers.bench

system-deps: ## Install what the browser tests need (Debian chromium, fonts) when missing
	@bash scripts/system-deps.sh

test: $(STAMP) system-deps ## Run the test suite
	$(PY) -m pytest

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean: ## Remove built outputs under OUT (processed data, figures, reports); never data/raw/
	@test "$(abspath $(OUT))" != "/"
	rm -rf "$(OUT)/data/processed/"* "$(OUT)/figures/"* "$(OUT)/reports/"* "$(BUILD)"

.PHONY: template
template: $(STAMP) ## Write an empty data-entry workbook: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]
	@test -n "$(PROVINCE)" -a -n "$(YEAR)" || { echo 'usage: make template PROVINCE="Thái Nguyên" YEAR=2023 [OUT=dir]' >&2; exit 2; }
	$(PY) -m helpers.workbook --province "$(PROVINCE)" --year "$(YEAR)" --out "$(OUT)"
