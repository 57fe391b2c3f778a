"""The data layer: everything known about one report, read from its processed tables.

`load(report_id, out)` gives a `ReportData`: the report's metadata, its indicators
(one row per form row), the narrative's facts, the problems met while reading, the
audit and its findings (once they have run), the report's own assessment, and the
published reference figures (governance indices, the province's dated context).
Analysis, charts and narrative all read this one object; rates are recomputed in one
place (`ReportData.rate`). Nothing here draws or writes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import catalogue, paths, reference, store
from .formats import missing, recomputed_decimals
from .numbers import decimals_written


def number(value) -> float | None:
    """A float, or None for an empty cell, NaN or text that is not a number."""
    if missing(value):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


@dataclass(frozen=True)
class Rate:
    """A percent row beside the rate recomputed from the rows the catalogue names.

    `differs` when the reported rate is outside what the rounding it was written with
    can explain (a reported 29 stands for 28.5 to 29.5): the audit's rate check uses the
    same rule.
    """

    indicator_id: str
    numerator_id: str
    denominator_id: str
    numerator: float | None
    denominator: float | None
    reported: float | None
    decimals: int
    formula_numerator: float | None = None
    formula_denominator: float | None = None

    @property
    def recomputed(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator * 100

    @property
    def difference(self) -> float | None:
        if self.reported is None or self.recomputed is None:
            return None
        return self.reported - self.recomputed

    @property
    def differs(self) -> bool:
        difference = self.difference
        return difference is not None and abs(difference) > 0.5 * 10 ** -self.decimals + 1e-9

    def best(self) -> float | None:
        """The reported rate where the counts confirm it, else the recomputed one."""
        if self.reported is not None and not self.differs:
            return self.reported
        return self.recomputed if self.recomputed is not None else self.reported

    def best_decimals(self) -> int:
        if self.reported is not None and not self.differs:
            return self.decimals
        return recomputed_decimals(self.decimals)

    def record(self) -> dict:
        """One row of a table of rates (for notebooks)."""
        return {"indicator_id": self.indicator_id, "reported": self.reported,
                "decimals": self.decimals, "numerator_id": self.numerator_id,
                "denominator_id": self.denominator_id, "numerator": self.numerator,
                "denominator": self.denominator, "recomputed": self.recomputed,
                "difference": self.difference, "differs": self.differs,
                "formula_numerator": self.formula_numerator,
                "formula_denominator": self.formula_denominator}


@dataclass
class ReportData:
    report_id: str
    meta: dict
    indicators: pd.DataFrame              # indexed by indicator_id (first occurrence)
    facts: pd.DataFrame                   # indexed by fact_id
    issues: pd.DataFrame = field(default_factory=pd.DataFrame)
    audit: pd.DataFrame | None = None     # None until the audit has run
    findings: pd.DataFrame | None = None  # None until the audit has grouped its findings
    assessment: pd.DataFrame | None = None
    governance: pd.DataFrame = field(default_factory=reference.governance)
    context: pd.DataFrame = field(default_factory=pd.DataFrame)

    # -- the report
    @property
    def province(self) -> str:
        return str(self.meta.get("province") or self.report_id)

    @property
    def year(self) -> int:
        return int(self.meta["year"])

    # -- form rows
    def row(self, ind_id: str) -> pd.Series | None:
        return self.indicators.loc[ind_id] if ind_id in self.indicators.index else None

    def value(self, ind_id: str) -> float | None:
        row = self.row(ind_id)
        return None if row is None else number(row["value"])

    def decimals(self, ind_id: str) -> int:
        row = self.row(ind_id)
        return 0 if row is None else int(number(row["decimals"]) or 0)

    def rate(self, ind_id: str) -> Rate | None:
        """A percent row with its recomputation (None when the catalogue gives no formula)."""
        entry = catalogue.entry(ind_id)
        if entry is None or not entry["numerator"] or not entry["denominator"]:
            return None
        row = self.row(ind_id)
        return Rate(ind_id, entry["numerator"], entry["denominator"],
                    self.value(entry["numerator"]), self.value(entry["denominator"]),
                    self.value(ind_id), self.decimals(ind_id),
                    None if row is None else number(row["formula_numerator"]),
                    None if row is None else number(row["formula_denominator"]))

    # -- narrative facts
    def fact_row(self, fact_id: str) -> pd.Series | None:
        """The fact's row (value, period, sentence, line), when the narrative states it."""
        if fact_id not in self.facts.index:
            return None
        found = self.facts.loc[fact_id]
        return None if number(found["value"]) is None else found

    def fact(self, fact_id: str) -> float | None:
        found = self.fact_row(fact_id)
        return None if found is None else number(found["value"])

    def fact_decimals(self, fact_id: str) -> int:
        """Digits the narrative wrote after the decimal comma ('12,50' -> 2)."""
        found = self.fact_row(fact_id)
        return decimals_written(str(found["value_raw"])) if found is not None else 0

    def fact_year(self, fact_id: str) -> int | None:
        """The year a fact refers to (its period: a year, or a date of that year)."""
        found = self.fact_row(fact_id)
        try:
            return int(str(found["period"])[:4]) if found is not None else None
        except ValueError:
            return None


def _optional_table(path) -> pd.DataFrame | None:
    return store.read_table(path) if path.exists() else None


def of_tables(report_id: str, meta: dict, indicators: pd.DataFrame, facts: pd.DataFrame,
              **optional) -> ReportData:
    """A ReportData from tables in memory (the reference data read unless given)."""
    optional.setdefault("governance", reference.governance())
    optional.setdefault("context", reference.context(str(meta.get("province", ""))))
    return ReportData(
        report_id=report_id, meta=meta,
        indicators=indicators.drop_duplicates("indicator_id").set_index("indicator_id",
                                                                         drop=False),
        facts=facts.drop_duplicates("fact_id").set_index("fact_id", drop=False), **optional)


def load(report_id: str, out=None) -> ReportData:
    """Everything known about `report_id`, from data/processed/<report_id>/ and the
    reference data."""
    folder = paths.processed_dir(report_id, out)
    issues = _optional_table(folder / "parse_issues.csv")
    return of_tables(report_id, store.read_json(folder / "report.json"),
                     store.read_table(folder / "indicators.csv"),
                     store.read_table(folder / "facts.csv"),
                     issues=pd.DataFrame() if issues is None else issues,
                     audit=_optional_table(folder / "audit.csv"),
                     findings=_optional_table(folder / "findings.csv"),
                     assessment=_optional_table(folder / "assessment.csv"))
