"""Ingest: one raw report -> data/processed/<report_id>/ (indicators, facts, metadata).

The catalogue decides what each row is; the report's own cells are kept beside the
decoded values (`value_raw`, `label_raw`, `unit_raw`, `line`) so that every number
can be traced back to its line in the raw file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import catalogue, facts, paths, store
from .errors import ReportError
from .numbers import NumberError, parse_cell
from .report import ParsedReport, Row, parse_report

INDICATOR_COLUMNS = [
    "report_id", "indicator_id", "form", "code", "code_raw", "parent", "label_vi", "label_en",
    "unit", "unit_raw", "value", "value_raw", "value_label_vi", "value_label_en",
    "formula_numerator", "formula_denominator", "decimals", "note", "line", "label_raw",
    "in_catalogue",
]
FACT_COLUMNS = ["report_id", "fact_id", "label_vi", "label_en", "value", "value_raw", "unit",
                "period", "indicator_id", "sentence", "line"]
ISSUE_COLUMNS = ["severity", "kind", "indicator_id", "form", "line", "message_en", "message_vi"]


@dataclass
class Ingested:
    report: ParsedReport
    indicators: pd.DataFrame
    facts: pd.DataFrame
    issues: pd.DataFrame

    @property
    def report_id(self) -> str:
        return self.report.report_id


def sidecar_of(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".meta.json")


def verify_checksum(path: Path, sha256: str) -> None:
    """If the raw report has a provenance sidecar, the file must still match it."""
    sidecar = sidecar_of(path)
    if not sidecar.exists():
        return
    expected = store.read_json(sidecar).get("sha256")
    if expected and expected != sha256:
        raise ReportError(f"checksum mismatch: the file's sha256 is {sha256}, its sidecar "
                          f"{sidecar.name} records {expected}", path=path,
                          hint="raw data is immutable; restore the original file")


def read(path: Path | str) -> Ingested:
    """Parse a report into its tables (nothing is written); .xlsx: a data-entry workbook."""
    if paths.resolve_report(path).suffix.lower() == ".xlsx":
        from . import workbook
        return workbook.read(paths.resolve_report(path))
    parsed = parse_report(paths.resolve_report(path))
    verify_checksum(parsed.path, parsed.sha256)
    issues: list[dict] = []
    indicators = pd.DataFrame([_indicator(parsed, row, issues) for row in parsed.rows],
                              columns=INDICATOR_COLUMNS)
    _check_coverage(parsed, indicators, issues)
    found = [{"report_id": parsed.report_id, **fact}
             for fact in facts.extract(parsed.narrative, parsed.year)]
    return Ingested(report=parsed, indicators=indicators,
                    facts=pd.DataFrame(found, columns=FACT_COLUMNS),
                    issues=pd.DataFrame(issues, columns=ISSUE_COLUMNS))


def _indicator(parsed: ParsedReport, row: Row, issues: list[dict]) -> dict:
    ind_id = catalogue.indicator_id(row.form, row.code)
    entry = catalogue.entry(ind_id)
    try:
        cell = parse_cell(row.value)
    except NumberError as exc:
        issues.append(_issue("error", "unreadable_value", ind_id, row,
                             f"value '{row.value}' cannot be read as a number: {exc.message}",
                             f"không đọc được giá trị '{row.value}' thành số"))
        cell = parse_cell("")
    record = {
        "report_id": parsed.report_id, "indicator_id": ind_id, "form": row.form,
        "code": row.code, "code_raw": row.code_raw, "unit_raw": row.unit,
        "value": cell.value, "value_raw": row.value,
        "formula_numerator": cell.numerator, "formula_denominator": cell.denominator,
        "decimals": cell.decimals, "note": row.note, "line": row.line, "label_raw": row.label,
        "in_catalogue": entry is not None, "value_label_vi": "", "value_label_en": "",
    }
    if entry is None:
        issues.append(_issue("warning", "unknown_row", ind_id, row,
                             f"row {row.code_raw} '{row.label}' is not in the indicator "
                             "catalogue; it is kept with its own label",
                             f"dòng {row.code_raw} '{row.label}' không có trong danh mục chỉ "
                             "tiêu; vẫn được giữ lại"))
        record.update(parent="", label_vi=row.label, label_en="", unit="")
        return record
    record.update(parent=entry["parent"], label_vi=entry["label_vi"],
                  label_en=entry["label_en"], unit=entry["unit"])
    if entry["unit"] in ("enum", "boolean") and cell.value is not None:
        labels_vi = catalogue.enum_labels(ind_id, "vi")
        if cell.value in labels_vi:
            record["value_label_vi"] = labels_vi[cell.value]
            record["value_label_en"] = catalogue.enum_labels(ind_id, "en")[cell.value]
        else:
            issues.append(_issue("error", "enum_value", ind_id, row,
                                 f"value {row.value} is not one of the codes {entry['enum_vi']}",
                                 f"giá trị {row.value} không thuộc các mã {entry['enum_vi']}"))
    if row.extra:
        issues.append(_issue("warning", "extra_cells", ind_id, row,
                             f"cells beyond the note column ignored: {row.extra}",
                             f"bỏ qua các ô thừa sau cột ghi chú: {row.extra}"))
    return record


def _check_coverage(parsed: ParsedReport, indicators: pd.DataFrame, issues: list[dict]) -> None:
    """Catalogue rows the report does not have: a cut-off form is fatal, a gap is recorded."""
    expected = catalogue.load()
    present = set(indicators["indicator_id"])
    for form, rows in expected.groupby("form", sort=True):
        missing = [ind for ind in rows["indicator_id"] if ind not in present]
        if not missing:
            continue
        last_present = [ind for ind in rows["indicator_id"] if ind in present]
        tail = list(rows["indicator_id"])[len(rows) - len(missing):]
        if missing == tail and last_present:
            last_line = int(indicators.loc[indicators["indicator_id"] == last_present[-1],
                                           "line"].iloc[0])
            raise ReportError(f"the form stops after row {last_present[-1]}; rows "
                              f"{missing[0]} to {missing[-1]} are missing (file cut off?)",
                              path=parsed.path, form=int(form), line=last_line)
        for ind in missing:
            issues.append({"severity": "warning", "kind": "missing_row", "indicator_id": ind,
                           "form": int(form), "line": None,
                           "message_en": f"row {ind} of the template is missing from the report",
                           "message_vi": f"thiếu dòng {ind} của biểu mẫu"})


def _issue(severity: str, kind: str, ind_id: str, row: Row, en: str, vi: str) -> dict:
    return {"severity": severity, "kind": kind, "indicator_id": ind_id, "form": row.form,
            "line": row.line, "message_en": en, "message_vi": vi}


def metadata(parsed: ParsedReport) -> dict:
    return {
        "report_id": parsed.report_id, "province": parsed.province, "year": parsed.year,
        "number": parsed.number, "date": parsed.date, "title": parsed.title,
        "source_file": parsed.path.name, "sha256": parsed.sha256,
        "form_titles": {str(k): v for k, v in sorted(parsed.form_titles.items())},
        "form_lines": {str(k): v for k, v in sorted(parsed.form_lines.items())},
    }


def write(ingested: Ingested, out=None) -> Path:
    """Write the processed tables for one report; the folder is replaced as a whole."""
    target = paths.processed_dir(ingested.report_id, out)
    with store.building_dir(target) as build:
        store.write_table(ingested.indicators, build / "indicators.csv")
        store.write_table(ingested.facts, build / "facts.csv")
        store.write_table(ingested.issues, build / "parse_issues.csv", parquet=False)
        store.write_json(build / "report.json", metadata(ingested.report))
    return target


def run(path: Path | str, out=None) -> Ingested:
    ingested = read(path)
    write(ingested, out)
    return ingested


def load_indicators(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / "indicators.csv")


def load_facts(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / "facts.csv")


def load_metadata(report_id: str, out=None) -> dict:
    return store.read_json(paths.processed_dir(report_id, out) / "report.json")


def rows_per_form(indicators: pd.DataFrame, form_titles: dict | None = None) -> pd.DataFrame:
    """What was read, form by form: rows, values, empty cells, formula cells."""
    valued = indicators[indicators["unit"] != "heading"]
    summary = pd.DataFrame({
        "rows": indicators.groupby("form").size(),
        "with_value": valued.groupby("form")["value"].count(),
        "empty": valued.groupby("form")["value"].apply(lambda s: int(s.isna().sum())),
        "formula_cells": indicators.groupby("form")["formula_denominator"].count(),
    }).fillna(0).astype(int)
    if form_titles:
        summary.insert(0, "title", [form_titles.get(str(f), "") for f in summary.index])
    return summary.reset_index()
