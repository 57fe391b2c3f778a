"""The shapes every route into the suite shares: the processed tables' columns, what a
reader of raw reports returns, and one issue row.

Readers (`report` for text, `workbook` for the data-entry workbook, ...) and the ingest
all import this module; the readers never import `ingest`, which picks a reader by the
file's suffix (`ingest.READERS`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # types only: this module stays light (the runner imports it)
    import pandas as pd

    from .report import ParsedReport

# The formats a raw report may come in (file suffix -> what it is). `make report` looks for
# these in data/raw/; `ingest.READERS` has a reader for each.
REPORT_FORMATS = {".txt": "text report", ".xlsx": "data-entry workbook",
                  ".docx": "Word document",
                  ".doc": "Word document"}   # an old .doc is found, to be refused with a message

INDICATOR_COLUMNS = [
    "report_id", "indicator_id", "form", "code", "code_raw", "parent", "label_vi", "label_en",
    "unit", "unit_raw", "value", "value_raw", "value_label_vi", "value_label_en",
    "formula_numerator", "formula_denominator", "decimals", "note", "line", "location",
    "label_raw", "in_catalogue",
]
FACT_COLUMNS = ["report_id", "fact_id", "label_vi", "label_en", "value", "value_raw", "unit",
                "period", "indicator_id", "sentence", "line", "location"]
ISSUE_COLUMNS = ["severity", "kind", "indicator_id", "form", "line", "message_en", "message_vi",
                 "location"]
# Numbers written the Vietnamese way, as the messages and the workbook's help show them
NUMBER_EXAMPLES = {"thousands": "1.234", "decimals": "99,65"}


@dataclass
class Reading:
    """What a reader gives for one raw file: the report as parsed and, when the format holds
    the narrative's figures and assessment itself (the workbook's sheets), those (facts as
    rows of FACT_COLUMNS) and the problems met reading them (issue rows)."""
    report: ParsedReport
    facts: list[dict] | None = None      # None: found in the narrative by helpers.facts
    issues: list[dict] = field(default_factory=list)
    # the report's own assessment when the format holds it apart from the narrative (the
    # workbook's sheet): its items (assessment.Item) and what the analyst typed for each
    # (theme, ids; by position). None: read from the narrative by helpers.assessment
    assessment: list | None = None
    assessment_given: dict | None = None


@dataclass
class Ingested:
    """One report's processed tables, as written to data/processed/<report_id>/."""
    report: ParsedReport
    indicators: pd.DataFrame
    facts: pd.DataFrame
    issues: pd.DataFrame
    unverified: str = ""   # why the raw file was not checked against a sha256 ("": it was)
    # the report's own strengths, shortfalls and tasks (assessment.COLUMNS)
    assessment: pd.DataFrame | None = None

    @property
    def report_id(self) -> str:
        return self.report.report_id


def issue(severity: str, kind: str, messages: dict[str, str], indicator_id: str = "",
          form: int | None = None, line: int | None = None, location: str = "") -> dict:
    """One row of parse_issues.csv; `messages` is the problem in each language
    ({'en': ..., 'vi': ...}, e.g. from helpers.text.both); `location` where it is in the
    raw file (a helpers.location code; the ingest fills it in from `line` when the route
    has lines)."""
    return {"severity": severity, "kind": kind, "indicator_id": indicator_id, "form": form,
            "line": line, "message_en": messages["en"], "message_vi": messages["vi"],
            "location": location}
