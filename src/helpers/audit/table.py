"""The audit of one report as a table (audit.csv), and what the notebook shows of it."""
from __future__ import annotations

import pandas as pd

from .. import ingest, paths, store
from ..errors import ReportError
from ..formats import LANGS
from .check import COLUMNS, KINDS, SEVERITIES, Check, failed_check
from .. import location
from .figures import Figure, as_line, as_text, figures, no_words, say
from .forms import (formula_checks, plausibility_checks, rate_checks, same_quantity_checks,
                    total_checks)
from .narrative import narrative_checks
from .published import reference_checks

AUDIT_FILE = "audit.csv"


# --- parse issues -------------------------------------------------------------------------

def parse_checks(issues: pd.DataFrame | None, figs: dict[str, Figure]) -> list[Check]:
    """Every problem met while reading the report is a failed check of its own."""
    if issues is None or issues.empty:
        return []
    checks, seen = [], set()
    for issue in issues.to_dict("records"):
        ind = as_text(issue.get("indicator_id"))
        check_id = f"parse:{issue['kind']}:{ind}"
        if check_id in seen:
            check_id += f":{as_line(issue.get('line'))}"
        base, repeat = check_id, 1
        while check_id in seen:      # the same kind of problem twice on one line
            repeat += 1
            check_id = f"{base}:{repeat}"
        seen.add(check_id)
        fig = figs.get(ind) or Figure(id=ind, value=None, decimals=0,
                                      line=as_line(issue.get("line")),
                                      label={lang: ind for lang in LANGS}, unit=no_words(),
                                      location=location.of_row(issue))
        severity = issue["severity"] if issue["severity"] in SEVERITIES else "error"
        message = {lang: issue[f"message_{lang}"] for lang in LANGS}
        checks.append(failed_check(check_id, "parse", severity,
                                   say("while_reading", message=message), [fig]))
    return checks


# --- the whole audit ------------------------------------------------------------------------

def audit(indicators: pd.DataFrame, facts: pd.DataFrame, issues: pd.DataFrame | None = None,
          province: str | None = None, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """All checks of one report's processed tables (nothing is read or written here)."""
    figs = figures(indicators, facts)
    checks = [
        *parse_checks(issues, figs),
        *rate_checks(figs),
        *total_checks(figs),
        *formula_checks(indicators, figs),
        *plausibility_checks(figs),
        *same_quantity_checks(figs),
        *narrative_checks(facts, figs),
        *reference_checks(figs, province, reference),
    ]
    frame = pd.DataFrame([check.record() for check in checks], columns=COLUMNS)
    duplicated = frame.loc[frame["check_id"].duplicated(), "check_id"].tolist()
    if duplicated:
        raise ValueError(f"audit: check ids must be unique, repeated: {duplicated}")
    for column in ("reported", "expected", "difference", "tolerance"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def run(report_id: str, out=None) -> pd.DataFrame:
    """Audit one processed report and write data/processed/<report_id>/audit.csv (+ parquet)."""
    folder = paths.processed_dir(report_id, out)
    if not (folder / "indicators.csv").exists():
        raise ReportError(f"no processed tables for '{report_id}' in {folder}", path=folder,
                          hint="read the report first: make report, or run 01_ingest")
    indicators = ingest.load_indicators(report_id, out)
    facts = ingest.load_facts(report_id, out)
    issues_file = folder / "parse_issues.csv"
    issues = store.read_table(issues_file) if issues_file.exists() else None
    province = ingest.load_metadata(report_id, out).get("province")
    frame = audit(indicators, facts, issues, province)
    store.write_table(frame, folder / AUDIT_FILE)
    return frame


def load(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / AUDIT_FILE)


def failed(frame: pd.DataFrame) -> pd.DataFrame:
    """Failed checks, errors first, then warnings, then notes."""
    found = frame[frame["status"] == "failed"].copy()
    found["_order"] = found["severity"].map({s: n for n, s in enumerate(SEVERITIES)})
    return found.sort_values(["_order"], kind="stable").drop(columns="_order")


def passed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["status"] == "passed"]


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """How many checks of each kind passed and failed (by severity)."""
    counts = frame.assign(outcome=frame["status"].where(frame["status"] == "passed",
                                                        "failed: " + frame["severity"]))
    table = counts.pivot_table(index="kind", columns="outcome", values="check_id",
                               aggfunc="count", fill_value=0)
    order = [k for k in KINDS if k in table.index]
    return table.reindex(order)
