"""Ingest: one raw report -> data/processed/<report_id>/ (indicators, facts, assessment,
metadata).

The catalogue decides what each row is; the report's own cells are kept beside the
decoded values (`value_raw`, `label_raw`, `unit_raw`, `line`, `location`) so that every
number can be traced back to its place in the raw file. A report is a text file (.txt,
`report`), a Word document (.docx, `word`) or a filled data-entry workbook (.xlsx,
`workbook`); all three give the same tables.

Check reports without building anything else (nothing is written unless --out is given):

    python -m helpers.ingest [--out DIR] REPORT [REPORT ...]

A fatal problem prints one clear message and exits 1; recoverable problems are
listed, recorded in parse_issues.csv, and the exit code is 0.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import assessment, catalogue, facts, location, outline, paths, store
from .errors import ReportError
from .numbers import NumberError, parse_cell
from .report import ParsedReport, Problem, Row, parse_report, sha256_of
from .text import t

INDICATOR_COLUMNS = [
    "report_id", "indicator_id", "form", "code", "code_raw", "parent", "label_vi", "label_en",
    "unit", "unit_raw", "value", "value_raw", "value_label_vi", "value_label_en",
    "formula_numerator", "formula_denominator", "decimals", "note", "line", "location",
    "label_raw", "in_catalogue",
]
FACT_COLUMNS = ["report_id", "fact_id", "label_vi", "label_en", "value", "value_raw", "unit",
                "period", "indicator_id", "sentence", "line", "location"]
ISSUE_COLUMNS = ["severity", "kind", "indicator_id", "form", "line", "message_en", "message_vi"]
# A note cell holding only a number or a formula is a value that a stray tab moved or split.
_VALUE_IN_NOTE = re.compile(r"(?=.*[0-9])[0-9.,% ]+|\$?\s*\(.*/.*\)\s*\*\s*100.*")


@dataclass
class Ingested:
    report: ParsedReport
    indicators: pd.DataFrame
    facts: pd.DataFrame
    issues: pd.DataFrame
    # the report's own strengths, shortfalls and tasks (assessment.COLUMNS)
    assessment: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=assessment.COLUMNS))

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
    try:
        expected = store.read_json(sidecar).get("sha256")
    except (OSError, ValueError, AttributeError):
        raise ReportError(f"its provenance sidecar {sidecar.name} is not a readable JSON "
                          "object", path=path, kind="sidecar",
                          hint="restore the sidecar (title, issuer, number, date, sha256)"
                          ) from None
    if expected and expected != sha256:
        raise ReportError(f"checksum mismatch: the file's sha256 is {sha256}, its sidecar "
                          f"{sidecar.name} records {expected}", path=path, kind="checksum",
                          hint="raw data is immutable; restore the original file")


def read(path: Path | str) -> Ingested:
    """Parse a report into its tables (nothing is written).

    .xlsx: a data-entry workbook; .docx (and .doc, to refuse it clearly): a Word
    document; anything else: a text report.
    """
    resolved = paths.resolve_report(path)
    suffix = resolved.suffix.lower()
    if suffix == ".xlsx":
        from . import workbook
        return workbook.read(resolved)
    if suffix in paths.WORD_SUFFIXES:
        from . import word
        parsed = word.parse_document(resolved)
    else:
        parsed = parse_report(resolved)
    verify_checksum(parsed.path, parsed.sha256)
    return tables(parsed)


def tables(parsed: ParsedReport, narrative_assessment: bool = True) -> Ingested:
    """A parsed text report -> its tables; the parser's problems become issue rows.

    narrative_assessment False: the assessment is not read from the narrative (the
    data-entry workbook has a sheet of its own for it).
    """
    issues = [_problem_issue(problem) for problem in parsed.problems]
    indicators = pd.DataFrame([_indicator(parsed, row, issues) for row in parsed.rows],
                              columns=INDICATOR_COLUMNS)
    _check_coverage(parsed, indicators, issues)
    unreadable: list[ReportError] = []
    stated = facts.extract(parsed.narrative, parsed.year, unreadable)
    issues += [{"severity": "error", "kind": "unreadable_fact", "indicator_id": "",
                "form": None, "line": exc.line,
                "message_en": f"a figure of the narrative cannot be read ({exc.message}); it is "
                              "left out: correct the number's format (Vietnamese: '1.893', "
                              "'99,65')",
                "message_vi": f"không đọc được một số liệu trong phần thuyết minh "
                              f"({exc.message}); số liệu này bị bỏ qua"}
               for exc in unreadable]
    found = pd.DataFrame([{"report_id": parsed.report_id, **fact,
                           "location": parsed.location_of(fact["line"])} for fact in stated],
                         columns=FACT_COLUMNS)
    reading = (assessment.read(parsed.narrative) if narrative_assessment
               else assessment.Reading())
    issues += [_problem_issue(problem) for problem in reading.problems]
    return Ingested(report=parsed, indicators=indicators, facts=found,
                    issues=pd.DataFrame(issues, columns=ISSUE_COLUMNS),
                    assessment=assessment.table(parsed.report_id, reading.items, indicators,
                                                found))


def _indicator(parsed: ParsedReport, row: Row, issues: list[dict]) -> dict:
    ind_id = catalogue.indicator_id(row.form, row.code)
    entry = catalogue.entry(ind_id)
    try:
        cell = parse_cell(row.value)
    except NumberError as exc:
        issues.append(_issue("error", "unreadable_value", ind_id, row,
                             f"value '{row.value}' of row {row.code_raw} cannot be read as a "
                             f"number ({exc.message}); it is left empty: check the original "
                             "document",
                             f"không đọc được giá trị '{row.value}' của dòng {row.code_raw} "
                             "thành số; ô được để trống: hãy đối chiếu với báo cáo gốc"))
        cell = parse_cell("")
    record = {
        "report_id": parsed.report_id, "indicator_id": ind_id, "form": row.form,
        "code": row.code, "code_raw": row.code_raw, "unit_raw": row.unit,
        "value": cell.value, "value_raw": row.value,
        "formula_numerator": cell.numerator, "formula_denominator": cell.denominator,
        "decimals": cell.decimals, "note": row.note, "line": row.line,
        "location": row.location or location.line(row.line), "label_raw": row.label,
        "in_catalogue": entry is not None, "value_label_vi": "", "value_label_en": "",
    }
    if _VALUE_IN_NOTE.fullmatch(row.note):
        issues.append(_issue("warning", "shifted_cells", ind_id, row,
                             f"the note cell of row {row.code_raw} holds only a value "
                             f"('{row.note}'): the row's cells may be shifted or its value "
                             "split by a tab; check the row",
                             f"ô ghi chú của dòng {row.code_raw} chỉ có một giá trị "
                             f"('{row.note}'): các ô có thể bị lệch hoặc giá trị bị tách bởi "
                             "dấu tab; hãy kiểm tra dòng này"))
    if entry is None:
        issues.append(_issue("warning", "unknown_row", ind_id, row,
                             f"row {row.code_raw} '{row.label}' is not in the indicator "
                             "catalogue; it is kept with its own label. If the code is a typo, "
                             "correct it; if the template has a new row, add it to "
                             "src/helpers/indicators.csv",
                             f"dòng {row.code_raw} '{row.label}' không có trong danh mục chỉ "
                             "tiêu; vẫn được giữ lại. Nếu mã bị gõ sai, hãy sửa; nếu biểu mẫu "
                             "có dòng mới, hãy thêm vào src/helpers/indicators.csv"))
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
    if entry["unit"] == "percent" and cell.value is not None and not 0 <= cell.value <= 100:
        issues.append(_issue("warning", "percent_out_of_range", ind_id, row,
                             f"the percentage {row.value} is outside 0-100; check it against "
                             "the original report (the audit checks it too)",
                             f"tỷ lệ {row.value} nằm ngoài khoảng 0-100; hãy đối chiếu với "
                             "báo cáo gốc"))
    if row.extra:
        issues.append(_issue("warning", "extra_cells", ind_id, row,
                             f"cells beyond the note column ignored: {row.extra}",
                             f"bỏ qua các ô thừa sau cột ghi chú: {row.extra}"))
    return record


def _check_coverage(parsed: ParsedReport, indicators: pd.DataFrame, issues: list[dict]) -> None:
    """Catalogue rows the report does not have.

    A form whose last rows are missing is cut off: fatal, because the last row read
    may itself be cut short. A row missing in the middle of a form is recorded.
    """
    expected = catalogue.load()
    present = set(indicators["indicator_id"])
    for form, rows in expected.groupby("form", sort=True):
        ids = list(rows["indicator_id"])
        found = [i for i, ind in enumerate(ids) if ind in present]
        tail = ids[found[-1] + 1:] if found else ids
        if tail:
            last = ids[found[-1]] if found else None
            line = (int(indicators.loc[indicators["indicator_id"] == last, "line"].iloc[0])
                    if last else None)
            stops = f"the form stops after row {last}" if last else "the form has no rows"
            raise ReportError(f"{stops}: its last {len(tail)} row(s), {tail[0]} to {tail[-1]}, "
                              "are missing (file cut off, or a page lost in conversion?)",
                              path=parsed.path, form=int(form),
                              line=line, location=parsed.location_of(line) or None,
                              kind="form_cut_off",
                              hint="copy the whole form from the original document")
        missing = [ind for ind in ids if ind not in present]
        for ind in missing:
            issues.append({"severity": "warning", "kind": "missing_row", "indicator_id": ind,
                           "form": int(form), "line": None,
                           "message_en": f"row {ind} of the template is missing from the "
                                         "report, so it has no value: check the original "
                                         "document",
                           "message_vi": f"báo cáo thiếu dòng {ind} của biểu mẫu nên chỉ tiêu "
                                         "này không có số liệu: hãy đối chiếu với báo cáo gốc"})


def _problem_issue(problem: Problem) -> dict:
    ind_id = (catalogue.indicator_id(problem.form, problem.code)
              if problem.form and problem.code else "")
    return {"severity": problem.severity, "kind": problem.kind, "indicator_id": ind_id,
            "form": problem.form, "line": problem.line, "message_en": problem.message_en,
            "message_vi": problem.message_vi}


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
        "sections": outline.sections(parsed.narrative),
    }


def write(ingested: Ingested, out=None) -> Path:
    """Write the processed tables for one report; the folder is replaced as a whole."""
    target = paths.processed_dir(ingested.report_id, out)
    if paths.inside(target, paths.RAW):
        raise ReportError("refusing to write outputs under data/raw/ (raw data is immutable)",
                          path=target, kind="out_in_raw", hint="choose another OUT folder")
    with store.building_dir(target) as build:
        store.write_table(ingested.indicators, build / "indicators.csv")
        store.write_table(ingested.facts, build / "facts.csv")
        store.write_table(ingested.assessment, build / "assessment.csv")
        store.write_table(ingested.issues, build / "parse_issues.csv", parquet=False)
        store.write_json(build / "report.json", metadata(ingested.report))
    return target


def run(path: Path | str, out=None) -> Ingested:
    """Read and write one report; the raw file must be the same afterwards."""
    ingested = read(path)
    write(ingested, out)
    raw = ingested.report.path
    if sha256_of(raw) != ingested.report.sha256:
        raise ReportError("the raw file changed while it was being ingested", path=raw,
                          kind="checksum", hint="raw data is immutable; restore the original")
    return ingested


def load_indicators(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / "indicators.csv")


def load_facts(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / "facts.csv")


def load_assessment(report_id: str, out=None) -> pd.DataFrame:
    return store.read_table(paths.processed_dir(report_id, out) / "assessment.csv")


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", help="report files (paths, or names in data/raw/)")
    parser.add_argument("--out", default=None,
                        help="also write data/processed/<report_id>/ under this output root")
    args = parser.parse_args(argv)
    failed = 0
    for report in args.reports:
        try:
            ingested = run(report, args.out) if args.out else read(report)
        except ReportError as exc:
            failed += 1
            print(f"ERROR {exc}", file=sys.stderr, flush=True)
            continue
        issues = ingested.issues
        print(f"{ingested.report_id}: {len(ingested.indicators)} rows, {len(ingested.facts)} "
              f"facts, {len(issues)} problem(s) recorded"
              + (f"; written to {paths.processed_dir(ingested.report_id, args.out)}"
                 if args.out else ""), flush=True)
        print(f"{ingested.report_id}: "
              + t("assessment.cli_items", "en", **assessment.counts(ingested.assessment)),
              flush=True)
        for issue in issues.to_dict("records"):
            print(f"{issue['severity'].upper()} {_where(ingested, issue)}: "
                  f"{issue['message_en']}", file=sys.stderr, flush=True)
    if len(args.reports) > 1:
        print(f"{len(args.reports) - failed} of {len(args.reports)} report(s) read"
              + (f", {failed} failed" if failed else ""))
    return 1 if failed else 0


def _where(ingested: Ingested, issue: dict) -> str:
    parts = [str(ingested.report.path)]
    if pd.notna(issue["form"]):
        parts.append(f"Biểu mẫu {int(issue['form'])}")
    if pd.notna(issue["line"]):
        parts.append(location.describe(ingested.report.location_of(int(issue["line"])), "en"))
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
