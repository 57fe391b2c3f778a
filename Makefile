# CCHC report analytics. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Reports to build (default: every report in data/raw/, text or workbook) and the output root.
REPORTS ?= $(filter-out data/raw/~$$%,$(wildcard data/raw/*.txt data/raw/*.xlsx))
OUT ?= $(CURDIR)

# Incremental builds: one stamp per report in OUT/.build/stamps/, newer than everything the
# report's outputs depend on. When a stamp is older, helpers.run re-runs only the notebooks
# whose own inputs changed (it keeps a fingerprint per notebook). `make -j2` builds two
# reports at once; each also runs independent notebooks in parallel.
BUILD := $(OUT)/.build
FAILED := $(BUILD)/failed.list
BUILD_INPUTS := $(STAMP) $(wildcard notebooks/*.ipynb data/raw/reference/*) \
  $(shell find src/helpers -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '.*')
stamp_of = $(BUILD)/stamps/$(notdir $(basename $(1))).done

# The rule of one report: its raw file (and provenance sidecar) plus BUILD_INPUTS. A failed
# report is listed in $(FAILED) so that the others still build; `report` then fails.
define report_rule
$(call stamp_of,$(1)): $(wildcard $(1) $(basename $(1)).meta.json) $(BUILD_INPUTS) | forget-failures
	@mkdir -p "$$(@D)"
	@if $(PY) -m helpers.run --out "$(OUT)" "$(1)"; then touch "$$@"; \
	  else echo "$(1)" >> "$(FAILED)"; fi
endef
$(foreach report,$(REPORTS),$(eval $(call report_rule,$(report))))

.PHONY: help venv report test lab clean system-deps bench forget-failures

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

report: $(foreach report,$(REPORTS),$(call stamp_of,$(report))) ## Build processed data, figures and HTML for REPORTS into OUT (only what changed)
	@test -n "$(strip $(REPORTS))" || { echo "no reports to build (data/raw/ has none)" >&2; exit 2; }
	@if [ -s "$(FAILED)" ]; then \
	  echo "$$(wc -l < "$(FAILED)") of $(words $(REPORTS)) report(s) failed:" >&2; \
	  sed 's/^/  /' "$(FAILED)" >&2; exit 1; fi
	@echo "$(words $(REPORTS)) report(s) up to date in $(OUT)"

forget-failures:
	@rm -f "$(FAILED)"

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
