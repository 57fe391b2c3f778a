"""Ingest: one raw report -> data/processed/<report_id>/ (indicators, facts, metadata).

The catalogue decides what each row is; the report's own cells are kept beside the
decoded values (`value_raw`, `label_raw`, `unit_raw`, `line`) so that every number
can be traced back to its line in the raw file.

Check reports without building anything else (nothing is written unless --out is given):

    python -m helpers.ingest [--out DIR] REPORT [REPORT ...]

A fatal problem prints one clear message and exits 1; recoverable problems are
listed, recorded in parse_issues.csv, and the exit code is 0.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from . import catalogue, facts, paths, store, workbook
from .errors import ReportError
from .numbers import NumberError, parse_cell
from .report import ParsedReport, Problem, Row, parse_report, sha256_of
from .schema import FACT_COLUMNS, INDICATOR_COLUMNS, ISSUE_COLUMNS, Ingested, Reading, issue

# A note cell holding only a number or a formula is a value that a stray tab moved or split.
_VALUE_IN_NOTE = re.compile(r"(?=.*[0-9])[0-9.,% ]+|\$?\s*\(.*/.*\)\s*\*\s*100.*")


def read_text_report(path: Path) -> Reading:
    return Reading(parse_report(path))


# The one place that says which reader reads which file (schema.REPORT_FORMATS lists the
# suffixes): a reader takes the file's path and returns a schema.Reading. Any other suffix
# goes to the text reader, which names what the file is (a PDF, a Word file, ...).
READERS = {".txt": read_text_report, ".xlsx": workbook.reading}


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
    """Parse a report into its tables (nothing is written), with the reader its suffix names."""
    path = paths.resolve_report(path)
    reading = READERS.get(path.suffix.lower(), read_text_report)(path)
    verify_checksum(reading.report.path, reading.report.sha256)
    return tables(reading.report, reading.facts, reading.issues)


def tables(parsed: ParsedReport, entered_facts: list[dict] | None = None,
           more_issues: list[dict] = ()) -> Ingested:
    """A parsed report -> its tables; the parser's problems become issue rows. The facts are
    found in the narrative unless the reader gives them (`entered_facts`, the workbook's);
    `more_issues`: the reader's own issue rows, listed last."""
    issues = [_problem_issue(problem) for problem in parsed.problems]
    indicators = pd.DataFrame([_indicator(parsed, row, issues) for row in parsed.rows],
                              columns=INDICATOR_COLUMNS)
    _check_coverage(parsed, indicators, issues)
    if entered_facts is None:
        unreadable: list[ReportError] = []
        stated = facts.extract(parsed.narrative, parsed.year, unreadable)
        issues += [issue("error", "unreadable_fact", {
            "en": f"a figure of the narrative cannot be read ({exc.message}); it is left out: "
                  "correct the number's format (Vietnamese: '1.893', '99,65')",
            "vi": f"không đọc được một số liệu trong phần thuyết minh ({exc.message}); số liệu "
                  "này bị bỏ qua"}, line=exc.line) for exc in unreadable]
        entered_facts = [{"report_id": parsed.report_id, **fact} for fact in stated]
    issues += list(more_issues)
    return Ingested(report=parsed, indicators=indicators,
                    facts=pd.DataFrame(entered_facts, columns=FACT_COLUMNS),
                    issues=pd.DataFrame(issues, columns=ISSUE_COLUMNS))


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
        "decimals": cell.decimals, "note": row.note, "line": row.line, "label_raw": row.label,
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
                              line=line, kind="form_cut_off",
                              hint="copy the whole form from the original document")
        missing = [ind for ind in ids if ind not in present]
        for ind in missing:
            issues.append(issue("warning", "missing_row", {
                "en": f"row {ind} of the template is missing from the report, so it has no "
                      "value: check the original document",
                "vi": f"báo cáo thiếu dòng {ind} của biểu mẫu nên chỉ tiêu này không có số "
                      "liệu: hãy đối chiếu với báo cáo gốc"}, ind, int(form)))


def _problem_issue(problem: Problem) -> dict:
    ind_id = (catalogue.indicator_id(problem.form, problem.code)
              if problem.form and problem.code else "")
    return issue(problem.severity, problem.kind,
                 {"en": problem.message_en, "vi": problem.message_vi},
                 ind_id, problem.form, problem.line)


def _issue(severity: str, kind: str, ind_id: str, row: Row, en: str, vi: str) -> dict:
    return issue(severity, kind, {"en": en, "vi": vi}, ind_id, row.form, row.line)


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
    if paths.inside(target, paths.RAW):
        raise ReportError("refusing to write outputs under data/raw/ (raw data is immutable)",
                          path=target, kind="out_in_raw", hint="choose another OUT folder")
    with store.building_dir(target) as build:
        store.write_table(ingested.indicators, build / "indicators.csv")
        store.write_table(ingested.facts, build / "facts.csv")
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
        for row in issues.to_dict("records"):
            print(f"{row['severity'].upper()} {_where(ingested, row)}: "
                  f"{row['message_en']}", file=sys.stderr, flush=True)
    if len(args.reports) > 1:
        print(f"{len(args.reports) - failed} of {len(args.reports)} report(s) read"
              + (f", {failed} failed" if failed else ""))
    return 1 if failed else 0


def _where(ingested: Ingested, issue: dict) -> str:
    parts = [str(ingested.report.path)]
    if pd.notna(issue["form"]):
        parts.append(f"Biểu mẫu {int(issue['form'])}")
    if pd.notna(issue["line"]):
        parts.append(f"line {int(issue['line'])}")
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
