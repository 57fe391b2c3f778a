"""Findings: the failed checks of audit.csv grouped by root cause, for a reader.

A finding is one root cause seen from every side: the rate of Form 7, row 6.5, its
formula cell, the operands of that formula and the narrative's copy of the same rate are
one finding. Grouping is driven by data only:

- each failed check is about one or two figures (from its id: `rate:VII.6.5`,
  `same:IV.1.5~VI.2.1`, `narrative:<fact>~<row>`, a relation of relations.yml);
- a narrative fact counts as the form row facts.yml links it to;
- formula cells dividing by the same number that is not the catalogue's base
  (`formula:X:b~<base>`) share that root cause;
- checks about a common figure are one finding.

Severity by kind: `contradiction` (the report's figures cannot all be true: a failed
check of severity error), `check` (a rounding, a definition or a date: warning; a value
that cannot be read), `note` (a published source differs: info). Order: what changes
most for a reader first: findings touching a headline figure (headline.yml, in the
brief's card order), then the others, each by severity and where it first appears in
the report; notes last.

    write(report_id, out) -> findings.csv (+ parquet) beside audit.csv
    load(report_id, out)  -> the findings, in order
    touches(findings, id) -> True when a finding above `note` names that row or fact
"""
from __future__ import annotations


import pandas as pd

from .. import catalogue, ingest, location, paths, store
from ..formats import LANGS
from .figures import figures
from .narrative import relations
from .wording import Parsed, words

COLUMNS = ["finding_id", "severity", "title_vi", "title_en", "detail_vi", "detail_en",
           "indicators", "facts", "checks", "lines", "locations"]
FINDING_SEVERITIES = ("contradiction", "check", "note")
FINDINGS_FILE = "findings.csv"
_OF_CHECK = {"error": "contradiction", "warning": "check", "info": "note"}


# --- what each failed check is about ------------------------------------------------------

def parse(row: dict) -> Parsed:
    """The role of a failed check and the figures it is about, from its id."""
    check_id, kind = row["check_id"], row["kind"]
    rest = check_id.split(":", 1)[1]
    if kind == "parse":
        issue_kind, _, where = rest.partition(":")
        return Parsed(row, "parse", where.split(":")[0] or check_id, issue_kind)
    if kind in ("rate", "total", "plausibility"):
        return Parsed(row, kind, rest)
    if kind == "formula":
        rate, _, operand = rest.partition(":")
        if not operand:
            return Parsed(row, "formula", rate)
        which, _, other = operand.partition("~")
        entry = catalogue.entry(rate) or {}
        if which == "b" and other == entry.get("base"):
            return Parsed(row, "base", rate, other, which)
        return Parsed(row, "operand", rate, other, which)
    if kind == "same_quantity":
        first, _, second = rest.partition("~")
        return Parsed(row, "same", first, second)
    if kind == "narrative":
        by_id = {relation.id: relation for relation in relations()}
        if rest in by_id:
            relation = by_id[rest]
            return Parsed(row, "sum" if relation.is_sum else "share", relation.reported,
                          relation.id)
        fact, _, linked = rest.partition("~")
        return Parsed(row, "fact_row", fact, linked)
    return Parsed(row, kind, rest.split("~")[0])


def _keys(check: Parsed, links: dict[str, str]) -> set[str]:
    """The figures a check is about, a fact counted as the row it is linked to."""
    def canon(item: str) -> str:
        return links.get(item) or item

    keys = {canon(check.subject)}
    if check.role in ("same", "fact_row"):
        keys.add(canon(check.other))
    if check.role == "base":
        keys.add(f"base:{check.other}:{check.row['reported']}")
    return keys


def group(checks: list[Parsed], links: dict[str, str]) -> list[list[Parsed]]:
    """Checks about a common figure in one group (in audit order)."""
    parent = list(range(len(checks)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, check in enumerate(checks):
        for key in _keys(check, links):
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[Parsed]] = {}
    for i, check in enumerate(checks):
        groups.setdefault(root(i), []).append(check)
    return list(groups.values())


def severity(checks: list[Parsed]) -> str:
    """The most serious kind among the checks (a parse problem is at most a `check`)."""
    kinds = []
    for check in checks:
        found = _OF_CHECK.get(check.row["severity"], "note")
        if check.role == "parse" and found == "contradiction":
            found = "check"
        kinds.append(found)
    return min(kinds, key=FINDING_SEVERITIES.index)


# --- headline figures and order -------------------------------------------------------------

def headline_rank(ids: set[str]) -> int | None:
    """The position of the first headline card the ids touch; None when none."""
    for rank, (_, card_ids) in enumerate(catalogue.headline()):
        if ids & card_ids:
            return rank
    return None


def _split(text) -> list[str]:
    return [part.strip() for part in str(text or "").split(";") if part.strip()] \
        if isinstance(text, str) else []


def _order_key(record: dict) -> tuple:
    ids = set(_split(record["indicators"])) | set(_split(record["facts"]))
    rank = headline_rank(ids)
    lines = [int(n) for n in _split(record["lines"])]
    return (record["severity"] == "note", rank is None, rank or 0,
            FINDING_SEVERITIES.index(record["severity"]), min(lines) if lines else 10 ** 9)


# --- the table ---------------------------------------------------------------------------------

def build(checks: pd.DataFrame, indicators: pd.DataFrame, facts: pd.DataFrame,
          issues: pd.DataFrame | None = None, sections: list[dict] | None = None
          ) -> pd.DataFrame:
    """The findings of one report's audit table (nothing is read or written here).
    `sections` is the narrative's outline (report.json's `sections`, helpers.outline):
    a finding names the section a narrative figure is in."""
    failed = checks[checks["status"] == "failed"]
    parsed = [parse(row) for row in failed.to_dict("records")]
    links = {row["fact_id"]: row["indicator_id"] for row in facts.to_dict("records")
             if isinstance(row.get("indicator_id"), str) and row["indicator_id"]}
    figs = figures(indicators, facts, sections)
    records = []
    for members in group(parsed, links):
        text = words(members, figs, links, issues)
        records.append({
            "severity": severity(members),
            **{f"title_{lang}": text.title[lang] for lang in LANGS},
            **{f"detail_{lang}": text.detail[lang] for lang in LANGS},
            "indicators": _joined(members, "indicators"),
            "facts": _joined(members, "facts"),
            "checks": "; ".join(member.row["check_id"] for member in members),
            "lines": "; ".join(str(n) for n in sorted({int(n) for member in members
                                                       for n in _split(member.row["lines"])})),
            "locations": location.joined(code for member in members
                                         for code in location.split(member.row.get("locations"))),
        })
    records.sort(key=_order_key)
    for number, record in enumerate(records, start=1):
        record["finding_id"] = f"F{number:02d}"
    return pd.DataFrame(records, columns=COLUMNS)


def _joined(members: list[Parsed], column: str) -> str:
    return "; ".join(dict.fromkeys(item for member in members
                                   for item in _split(member.row[column])))


def write(report_id: str, out=None) -> pd.DataFrame:
    """Build the findings from audit.csv and write findings.csv (+ parquet) beside it."""
    from .table import load as load_checks   # table imports nothing from here
    folder = paths.processed_dir(report_id, out)
    issues_file = folder / "parse_issues.csv"
    frame = build(load_checks(report_id, out), ingest.load_indicators(report_id, out),
                  ingest.load_facts(report_id, out),
                  store.read_table(issues_file) if issues_file.exists() else None,
                  ingest.load_metadata(report_id, out).get("sections"))
    store.write_table(frame, folder / FINDINGS_FILE)
    return frame


def ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings in reading order (as build() numbers them)."""
    if findings.empty:
        return findings
    keys = [_order_key(record) for record in findings.to_dict("records")]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return findings.iloc[order].reset_index(drop=True)


def load(report_id: str, out=None) -> pd.DataFrame:
    """findings.csv of a report, in reading order."""
    frame = store.read_table(paths.processed_dir(report_id, out) / FINDINGS_FILE)
    return ordered(frame.fillna(""))


def above_note(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[findings["severity"] != "note"]


def flagged_ids(findings: pd.DataFrame) -> set[str]:
    """Every form row and fact that a finding above `note` names."""
    found = above_note(findings)
    return {item for column in ("indicators", "facts") for text in found[column]
            for item in _split(text)}


def touches(findings: pd.DataFrame, item_id: str) -> bool:
    """True when a finding above `note` names this form row or narrative fact."""
    return item_id in flagged_ids(findings)

