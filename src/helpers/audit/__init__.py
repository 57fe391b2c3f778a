"""Audit: check a report against itself, and against published figures, before anyone quotes it.

Every check is driven by data: the catalogue (`indicators.csv`: numerator, denominator,
parts, same_as, base), the narrative facts' links to form rows (`facts.yml`), the table
of narrative relations (`relations.yml`) and the published figures in
`data/raw/reference/`. No figure of any report is written here; every phrase is in
`text/audit.yml`.

    run(report_id, out)  -> the audit table, also written to data/processed/<id>/audit.csv
    load(report_id, out) -> the table read back

One row per check, passed checks included, so that a reader sees what was verified.
A check that cannot be made (a denominator of 0, empty parts) is kept as `passed` with
severity `info` and says why; failed checks are `error` (the figures contradict),
`warning` (a rounding slip, or probably a different definition or date) or `info`.

The modules: `figures` (form rows and facts, and how a message writes them), `check`
(one verdict), `forms` (rates, totals, formula cells, plausibility, the same quantity
twice), `narrative` (facts against the forms, relations.yml), `published` (facts against
published figures), `table` (the whole audit, audit.csv) and the lists the notebook shows.
"""
from __future__ import annotations

from .check import COLUMNS, KINDS, SEVERITIES
from .figures import Figure, figures
from .narrative import relations
from .table import (AUDIT_FILE, audit, failed, findings_markdown, load, passed,
                    passed_markdown, run, summary)

__all__ = ["AUDIT_FILE", "COLUMNS", "KINDS", "SEVERITIES", "Figure", "audit", "failed",
           "figures", "findings_markdown", "load", "passed", "passed_markdown", "relations",
           "run", "summary"]
