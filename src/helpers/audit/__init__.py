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

Findings (findings.csv): the failed checks grouped by root cause, in plain words, in the
order that matters to a reader (`findings`); `load_findings(report_id, out)` gives them
in order, `touches(findings, id)` says whether a finding above `note` names a form row
or a fact (a headline card it touches gets a warning; a note never does).

The modules: `figures` (form rows and facts, and how a message writes them), `check`
(one verdict), `forms` (rates, totals, formula cells, plausibility, the same quantity
twice), `narrative` (facts against the forms, relations.yml), `published` (facts against
published figures), `table` (the whole audit, audit.csv), `findings` (grouping, severity,
order, findings.csv), `wording` (a finding's title and detail), `notebook` (what the
audit notebook shows).
"""
from __future__ import annotations

from .check import COLUMNS, KINDS, SEVERITIES
from .figures import Figure, figures
from .findings import FINDING_SEVERITIES, FINDINGS_FILE, flagged_ids, touches
from .findings import COLUMNS as FINDING_COLUMNS
from .findings import load as load_findings
from .findings import ordered as ordered_findings
from .findings import write as write_findings
from .narrative import relations
from .notebook import failed_markdown, findings_markdown, passed_markdown
from .table import AUDIT_FILE, audit, failed, load, passed, run, summary

__all__ = ["AUDIT_FILE", "COLUMNS", "FINDINGS_FILE", "FINDING_COLUMNS", "FINDING_SEVERITIES",
           "KINDS", "SEVERITIES", "Figure", "audit", "failed", "failed_markdown", "figures",
           "findings_markdown", "flagged_ids", "load", "load_findings", "ordered_findings",
           "passed", "passed_markdown", "relations", "run", "summary", "touches",
           "write_findings"]
