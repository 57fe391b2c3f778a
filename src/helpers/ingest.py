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
import stat
import sys
from pathlib import Path

import pandas as pd

from . import (assessment, catalogue, facts, location, outline, paths, schema, store, word,
               workbook)
from .errors import ReportError, where
from .formats import LANGS
from .numbers import NumberError, parse_cell, two_readings
from .report import ParsedReport, Problem, Row, parse_report, sha256_of
from .schema import (FACT_COLUMNS, INDICATOR_COLUMNS, ISSUE_COLUMNS, NUMBER_EXAMPLES, Ingested,
                     Reading, issue)
from .text import both, cli_lang, t

PERCENT_RANGE = (0, 100)
# Refused narrative figures recorded together when on one line (facts.Refusal.kind)
_PER_SENTENCE = ("fact_other_subject", "fact_rank_out_of_range")
MAX_REPORT_BYTES = 64 * 2**20   # a report's text is ~100 kB, a filled workbook ~200 kB
# A note cell holding only a number or a formula is a value that a stray tab moved or split.
_VALUE_IN_NOTE = re.compile(r"(?=.*[0-9])[0-9.,% ]+|\$?\s*\(.*/.*\)\s*\*\s*100.*")


def read_text_report(path: Path) -> Reading:
    return Reading(parse_report(path))


def read_word_report(path: Path) -> Reading:
    """A Word document (.docx; an old .doc is refused with how to save it as .docx)."""
    return Reading(word.parse_document(path))


# The one place that says which reader reads which file (schema.REPORT_FORMATS lists the
# suffixes): a reader takes the file's path and returns a schema.Reading. Any other suffix
# goes to the text reader, which names what the file is (a PDF, a Word file, ...).
READERS = {".txt": read_text_report, ".xlsx": workbook.reading, ".docx": read_word_report,
           ".doc": read_word_report}


def sidecar_of(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".meta.json")


def verify_checksum(path: Path, sha256: str) -> str:
    """If the raw report has a provenance sidecar, the file must still match it. Returns why
    it could not be verified ("" when it was): no sidecar, or one without a sha256."""
    sidecar = sidecar_of(path)
    if not sidecar.exists():
        return t("cli.unverified_no_sidecar", cli_lang(), file=sidecar.name)
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
    return "" if expected else t("cli.unverified_empty_sha", cli_lang(), file=sidecar.name)


def read(path: Path | str) -> Ingested:
    """Parse a report into its tables (nothing is written), with the reader its suffix names.

    Whatever goes wrong inside a reader (a corrupt workbook: broken XML, a bad index) is a
    ReportError naming the file. A text or Word report without a sidecar, or with a sidecar
    that records no sha256, is read; `Ingested.unverified` says why it was not verified."""
    check_file(paths.locate_report(path))   # named as given, before links are followed
    path = paths.resolve_report(path)
    reader = READERS.get(path.suffix.lower(), read_text_report)
    try:
        reading = reader(path)
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader's crash becomes a clear refusal
        what = schema.REPORT_FORMATS.get(path.suffix.lower(), "report")
        raise ReportError(f"cannot be read as a {what} ({type(exc).__name__}: {exc})",
                          path=path, kind="unreadable",
                          hint="the file is damaged: save it again from the program that "
                               "made it, or restore a copy") from None
    unverified = verify_checksum(reading.report.path, reading.report.sha256)
    ingested = tables(reading.report, reading.facts, reading.issues, reading.assessment,
                      reading.assessment_given)
    # a workbook's sidecar is optional (entered by hand, it has no original to match)
    ingested.unverified = "" if reader is workbook.reading else unverified
    return ingested


def check_file(path: Path) -> None:
    """A report must be a regular file of a report's size: a device (a link to /dev/zero),
    a pipe or a huge file is refused by name before anything reads it."""
    try:
        info = path.stat()
    except OSError:
        return   # missing: the reader says so
    if stat.S_ISDIR(info.st_mode):
        return   # the reader says so
    if not stat.S_ISREG(info.st_mode):
        raise ReportError("is not a regular file (a device, a pipe or a socket); it is not "
                          "read", path=path, kind="not_a_file",
                          hint="put the report file itself in data/raw/")
    if info.st_size > MAX_REPORT_BYTES:
        raise ReportError(f"is {info.st_size // 2**20} MiB, more than any report "
                          f"({MAX_REPORT_BYTES // 2**20} MiB at most); it is not read",
                          path=path, kind="too_big",
                          hint="check that this is the report and not another file")


def tables(parsed: ParsedReport, entered_facts: list[dict] | None = None,
           more_issues: list[dict] = (), entered_assessment: list | None = None,
           assessment_given: dict | None = None) -> Ingested:
    """A parsed report -> its tables; the parser's problems become issue rows.

    The facts and the report's own assessment are read from the narrative unless the reader
    gives them (the workbook's sheets): `entered_facts` (rows of facts.csv),
    `entered_assessment` (assessment.Item) with `assessment_given`, what the analyst typed
    for each item (by position). `more_issues`: the reader's own issue rows, listed last."""
    issues = [_problem_issue(problem) for problem in parsed.problems]
    indicators = pd.DataFrame([_indicator(parsed, row, issues) for row in parsed.rows],
                              columns=INDICATOR_COLUMNS)
    _check_coverage(parsed, indicators, issues)
    if entered_facts is None:
        refused: list[facts.Refusal] = []
        stated = facts.extract(parsed.narrative, parsed.year, refused,
                               facts.Subject(parsed.province, parsed.province_kind))
        issues += _refusal_issues(refused)
        entered_facts = [{"report_id": parsed.report_id, **fact,
                          "location": parsed.location_of(fact["line"])} for fact in stated]
    found = pd.DataFrame(entered_facts, columns=FACT_COLUMNS)
    if entered_assessment is None:
        reading = assessment.read(parsed.narrative)
        issues += [_problem_issue(problem) for problem in reading.problems]
        entered_assessment = [item.placed(parsed.location_of(item.line))
                              for item in reading.items]
    issues += list(more_issues)
    for row in issues:   # where a problem is: from its line, when the route has lines
        if not row.get("location") and row.get("line") is not None:
            row["location"] = parsed.locations.get(int(row["line"]), "")
    return Ingested(report=parsed, indicators=indicators, facts=found,
                    issues=pd.DataFrame(issues, columns=ISSUE_COLUMNS),
                    assessment=assessment.table(parsed.report_id, entered_assessment,
                                                indicators, found, assessment_given))


def _indicator(parsed: ParsedReport, row: Row, issues: list[dict]) -> dict:
    ind_id = catalogue.indicator_id(row.form, row.code)
    entry = catalogue.entry(ind_id)
    try:
        cell = parse_cell(row.value, entry["unit"] if entry is not None else None)
    except NumberError as exc:
        if exc.kind == "two_ways":
            thousand, decimal = two_readings(row.value)
            issues.append(_issue("error", "ambiguous_value", ind_id, row, value=row.value,
                                 thousand=thousand, decimal=decimal, **NUMBER_EXAMPLES))
        else:
            issues.append(_issue("error", "unreadable_value", ind_id, row,
                                 value=row.value, problem=exc.message))
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
        issues.append(_issue("warning", "shifted_cells", ind_id, row, note=row.note))
    if entry is None:
        issues.append(_issue("warning", "unknown_row", ind_id, row, label=row.label))
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
            issues.append(_issue("error", "enum_value", ind_id, row, value=row.value,
                                 codes=entry["enum_vi"]))
    lowest, highest = PERCENT_RANGE
    if entry["unit"] == "percent" and cell.value is not None and \
            not lowest <= cell.value <= highest:
        issues.append(_issue("warning", "percent_out_of_range", ind_id, row, value=row.value,
                             lowest=lowest, highest=highest))
    if row.extra:
        issues.append(_issue("warning", "extra_cells", ind_id, row, cells=str(row.extra)))
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
            issues.append(issue("warning", "missing_row", both("ingest.missing_row", indicator=ind),
                                ind, int(form)))


def _problem_issue(problem: Problem) -> dict:
    ind_id = (catalogue.indicator_id(problem.form, problem.code)
              if problem.form and problem.code else "")
    return issue(problem.severity, problem.kind,
                 {"en": problem.message_en, "vi": problem.message_vi},
                 ind_id, problem.form, problem.line)


def _issue(severity: str, kind: str, ind_id: str, row: Row, **values) -> dict:
    """An issue about one row: the phrase `ingest.<kind>`, with the row's printed code."""
    return issue(severity, kind, both(f"ingest.{kind}", code=row.code_raw, **values), ind_id,
                 row.form, row.line, row.location)


def _refusal_issues(refused: list[facts.Refusal]) -> list[dict]:
    """Narrative figures left out (facts.Refusal) as rows of parse_issues.csv: one per
    figure; the figures a line states of another subject, and a rank with the size of its
    ranking, in one."""
    groups: dict[tuple, list[facts.Refusal]] = {}
    for number, refusal in enumerate(refused):
        key = (refusal.kind, refusal.line, refusal.values.get("subject")) \
            if refusal.kind in _PER_SENTENCE else (number,)
        groups.setdefault(key, []).append(refusal)
    return [_refusal_issue(group) for group in groups.values()]


def _refusal_issue(group: list[facts.Refusal]) -> dict:
    """A warning when the report states the figures of another subject (they may be right,
    only not the province's), else an error (the figure cannot be right as written)."""
    first = group[0]
    specs = {spec.id: spec for spec in facts.specs()}
    messages = {}
    for lang in LANGS:
        labels = [getattr(specs[refusal.values["fact"]], f"label_{lang}") for refusal in group]
        words = {**first.values, **NUMBER_EXAMPLES, "label": labels[0], "count": len(group),
                 "figures": ", ".join(f"'{label}' ({refusal.values['value']})"
                                      for label, refusal in zip(labels, group))}
        if "kind" in first.values:
            words["kind"] = t(f"ingest.subject_{first.values['kind']}", lang)
        if first.kind == "fact_out_of_range":
            words["range"] = _range(first.values["low"], first.values["high"], lang)
        messages[lang] = t(f"ingest.{first.kind}", lang, **words)
    severity = "warning" if first.kind == "fact_other_subject" else "error"
    return issue(severity, first.kind, messages, line=first.line)


def _range(low: float | None, high: float | None, lang: str) -> str:
    if low is not None and high is not None:
        return t("ingest.range_between", lang, low=low, high=high)
    if low is not None:
        return t("ingest.range_at_least", lang, low=low)
    return t("ingest.range_at_most", lang, high=high)


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
    lang = cli_lang()
    parser = argparse.ArgumentParser(prog="python -m helpers.ingest",
                                     description=t("cli.ingest_description", lang))
    parser.add_argument("reports", nargs="+", help=t("cli.ingest_reports_help", lang))
    parser.add_argument("--out", default=None, help=t("cli.ingest_out_help", lang))
    args = parser.parse_args(argv)
    failed = 0
    for report in args.reports:
        try:
            ingested = run(report, args.out) if args.out else read(report)
        except ReportError as exc:
            failed += 1
            print(f"{t('cli.severity_error', lang)} {exc}", file=sys.stderr, flush=True)
            continue
        issues = ingested.issues
        summary = t("cli.ingest_read", lang, report=ingested.report_id,
                    rows=len(ingested.indicators), facts=len(ingested.facts),
                    problems=len(issues))
        if args.out:
            summary = t("cli.ingest_written", lang, summary=summary,
                        folder=str(paths.processed_dir(ingested.report_id, args.out)))
        print(summary, flush=True)
        print(f"{ingested.report_id}: "
              + t("assessment.cli_items", lang, **assessment.counts(ingested.assessment)),
              flush=True)
        if ingested.unverified:
            print(t("cli.unverified", lang, report=ingested.report_id, why=ingested.unverified),
                  file=sys.stderr, flush=True)
        for row in issues.to_dict("records"):
            print(t("cli.ingest_problem", lang, severity=t(f"cli.severity_{row['severity']}", lang),
                    where=_where(ingested, row, lang), message=row[f"message_{lang}"]),
                  file=sys.stderr, flush=True)
    if len(args.reports) > 1:
        print(t("cli.ingest_summary_failed" if failed else "cli.ingest_summary", lang,
                done=len(args.reports) - failed, count=len(args.reports), failed=failed))
    return 1 if failed else 0


def _where(ingested: Ingested, row: dict, lang: str) -> str:
    line = int(row["line"]) if pd.notna(row["line"]) else None
    return where(ingested.report.path, int(row["form"]) if pd.notna(row["form"]) else None,
                 line, lang, location.of_row(row) or None)


if __name__ == "__main__":
    sys.exit(main())
