"""The report's own assessment: its strengths, shortfalls and next year's tasks, item by item.

A CCHC report's narrative ends with a general assessment (what went well, what fell
short) and the direction for next year, as bulleted lists under headings that each
province words its own way. `read()` finds those three sections and their items;
`table()` gives each item its theme (the reform area) and the form rows and narrative
facts that put a figure on it. What is recognised is data, in `assessment.yml`
beside this module: the heading families, the lines that end the narrative
(signature, appendix), the theme keywords and the figure links.

How a section is read:

- a heading is a short line (no sentence break) whose words, after its numbering
  (`III.`, `1.`, `2.1.`, `a)`) and a final ':' are removed, start like one of a
  family's patterns, in any case. Its level: 1 for a roman numeral or a line in
  capitals, 2 for `1.`, 3 for `1.1.`, one below the numbered heading above it when
  it has no number;
- a section runs to the next heading of another family, the next heading of its own
  family or numbered heading at the same or a higher level, or a line of `stops`;
- its items are marked by the first kind of bullet found in it (`-`, `+`, `•`, `a)`,
  `1)`); lines with another mark belong to the item above them (joined, their mark
  kept). Numbered lines (`1.`, deeper than the heading) are the items of a section
  without bullets, and head groups of bullets otherwise. With no mark at all, each
  paragraph is an item. Lines before the first item introduce the list and are
  skipped. A line that starts in lower case, or follows a line ending with ':', is
  the same item cut by a page break (joined); any other line after an item is
  reported, not guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pandas as pd

from . import catalogue, facts, location
from .paths import PACKAGE
from .report import Problem
from .text import t
from .yamlfile import read_yaml

SPEC_FILE = PACKAGE / "assessment.yml"
SECTIONS = ("strength", "shortfall", "task")
FAMILIES = ("assessment", *SECTIONS, "other")
GENERAL = "general"
COLUMNS = ["report_id", "section", "item", "text_vi", "line", "location", "theme",
           "indicator_ids", "fact_ids"]
HEADING_WORDS = 20   # a heading is short; a longer line is a sentence

_ROMAN = re.compile(r"^(?P<num>[IVX]{1,4})[.)]\s+(?P<rest>\S.*)$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)(?P<dot>\.)?\s+(?P<rest>\S.*)$")
_BULLET = re.compile(r"^(?:(?P<sym>[-–—+•·●▪◦○])\s*|(?P<star>\*)\s+|(?P<letter>[a-zđ])[).]\s+"
                     r"|(?P<digit>\d{1,2})\)\s+)(?P<rest>\S.*)$")
_SAME_MARK = {"–": "-", "—": "-", "·": "•", "●": "•", "▪": "•", "○": "◦"}
# bold or italic marks of a converted document ('**1. Ưu điểm**'), not a '* ' bullet
_EMPHASIS = re.compile(r"^(?:\*\*|__|\*(?=\S)|_(?=\S))+|(?:\*\*|__|(?<=\S)\*|(?<=\S)_)+$")
_SENTENCE_BREAK = re.compile(r"[.;:!?]\s+\S")


@dataclass(frozen=True)
class Theme:
    id: str
    section: str            # the catalogue's form section (I-VII); '' for general
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Link:
    name: str
    patterns: tuple[re.Pattern, ...]
    indicators: tuple[str, ...]
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    headings: dict[str, tuple[re.Pattern, ...]]
    stops: tuple[re.Pattern, ...]
    themes: tuple[Theme, ...]
    links: tuple[Link, ...]
    quoting: dict[str, tuple[str, ...]]       # words the brief's shortened quotes use


@dataclass(frozen=True)
class Line:
    """One narrative line, classified."""

    number: int
    text: str                # as in the report
    kind: str                # 'heading', 'marked', 'numbered', 'stop' or 'text'
    body: str = ""           # without numbering or bullet mark
    mark: str = ""           # the kind of bullet: '-', '+', '•', 'a)', '1)', '1.'...
    level: int = 0           # of a heading or numbered line
    family: str = ""         # of a heading


@dataclass(frozen=True)
class Item:
    section: str
    item: int
    text: str
    line: int
    location: str = ""   # where the item is in the raw file (helpers.location)

    def placed(self, location: str) -> Item:
        """The item with its location (kept when it has one)."""
        return self if self.location else replace(self, location=location)


@dataclass
class Reading:
    items: list[Item] = field(default_factory=list)
    headings: dict[str, Line] = field(default_factory=dict)   # section -> its heading
    problems: list[Problem] = field(default_factory=list)

    def count(self, section: str) -> int:
        return sum(item.section == section for item in self.items)


# --- the specification ---------------------------------------------------------------------

def _compiled(patterns) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns or ())


@lru_cache(maxsize=None)
def spec(path: str | None = None) -> Spec:
    """assessment.yml, checked: every theme and link names known rows and facts."""
    where = path or SPEC_FILE
    data = read_yaml(where)
    missing = [name for name in FAMILIES if name not in data["headings"]]
    if missing:
        raise ValueError(f"{where}: no heading patterns for {missing}")
    themes = tuple(Theme(id=entry["id"], section=entry.get("section", ""),
                         patterns=_compiled(entry["patterns"])) for entry in data["themes"])
    ids = [theme.id for theme in themes]
    if len(set(ids)) != len(ids) or GENERAL not in ids:
        raise ValueError(f"{where}: theme ids must be unique and include '{GENERAL}'")
    links = tuple(Link(name=entry["name"], patterns=_compiled(entry["patterns"]),
                       indicators=tuple(entry.get("indicators") or ()),
                       facts=tuple(entry.get("facts") or ())) for entry in data["links"])
    known_facts = {fact.id for fact in facts.specs()}
    for link in links:
        unknown = [i for i in link.indicators if catalogue.entry(i) is None] + \
                  [f for f in link.facts if f not in known_facts]
        if unknown:
            raise ValueError(f"{where}: link '{link.name}' names unknown ids {unknown}")
    return Spec(headings={name: _compiled(data["headings"][name]) for name in FAMILIES},
                stops=_compiled(data["stops"]), themes=themes, links=links,
                quoting={key: tuple(words) for key, words in data["quoting"].items()})


def theme_ids() -> list[str]:
    return [theme.id for theme in spec().themes]


def theme_name(theme: str, lang: str) -> str:
    return t(f"assessment.theme_{theme}", lang)


def section_name(section: str, lang: str) -> str:
    return t(f"assessment.section_{section}", lang)


# --- lines ---------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower case, single spaces, no emphasis marks or final ':' / '.': what patterns see."""
    plain = _EMPHASIS.sub("", text.strip()).strip()
    return re.sub(r"\s+", " ", plain).casefold().rstrip(" :.")


def heading_family(body: str) -> str:
    """The family of a heading's words ('' when none, or when the words are a sentence)."""
    plain = _EMPHASIS.sub("", body.strip()).strip().rstrip(" :.")
    if not plain or len(plain.split()) > HEADING_WORDS or _SENTENCE_BREAK.search(plain):
        return ""
    words = normalise(plain)
    for family in FAMILIES:
        if any(pattern.match(words) for pattern in spec().headings[family]):
            return family
    return ""


def classify(number: int, text: str, parent_level: int = 1) -> Line:
    """One narrative line: a heading (with its family and level), a marked or numbered
    line, a line that ends the assessment, or plain text."""
    plain = _EMPHASIS.sub("", text.strip()).strip()
    bullet = _BULLET.match(plain)
    if bullet is None and any(p.match(normalise(plain)) for p in spec().stops):
        return Line(number, text, "stop")
    roman, numbered = _ROMAN.match(plain), _NUMBERED.match(plain)
    if roman:
        body, level = roman["rest"], 1
    elif numbered and (numbered["dot"] or "." in numbered["num"]):
        body, level = numbered["rest"], 1 + numbered["num"].count(".") + 1
    elif bullet:
        mark = _mark(bullet)
        family = heading_family(bullet["rest"])
        if family and (bullet["letter"] or plain.rstrip(" *_").endswith(":")):
            return Line(number, text, "heading", bullet["rest"], mark, parent_level + 1, family)
        return Line(number, text, "marked", bullet["rest"], mark)
    else:
        family = heading_family(plain)
        if family:
            level = 1 if plain.isupper() else parent_level + 1
            return Line(number, text, "heading", plain, "", level, family)
        return Line(number, text, "text", plain)
    family = heading_family(body)
    kind = "heading" if family else "numbered"
    return Line(number, text, kind, body, f"{level}.", level, family)


def _mark(bullet: re.Match) -> str:
    if bullet["sym"]:
        return _SAME_MARK.get(bullet["sym"], bullet["sym"])
    if bullet["star"]:
        return "*"
    return "a)" if bullet["letter"] else "1)"


def classify_all(narrative: list[tuple[int, str]]) -> list[Line]:
    """Every line classified; a heading without a number sits below the numbered one above."""
    lines, level = [], 1
    for number, text in narrative:
        line = classify(number, text, level)
        if line.kind in ("heading", "numbered") and (line.mark.endswith(".") or line.level == 1):
            level = line.level
        lines.append(line)
    return lines


# --- sections and items ---------------------------------------------------------------------

def read(narrative: list[tuple[int, str]]) -> Reading:
    """The items of the three sections, and the problems met finding them."""
    lines = classify_all(narrative)
    reading = Reading()
    for section, index in _section_headings(lines).items():
        reading.headings[section] = lines[index]
        body = _section_body(lines, index)
        items = _items(section, body, reading.problems)
        reading.items += items
        if not items:
            reading.problems.append(problem(
                "assessment_section_empty", lines[index].number, line=str(lines[index].number),
                section=lambda lang, s=section: section_name(s, lang),
                heading=_EMPHASIS.sub("", lines[index].text.strip())))
    reading.problems += section_problems(set(reading.headings))
    return reading


def _section_headings(lines: list[Line]) -> dict[str, int]:
    """Which heading opens each section (see the module's docstring and assessment.yml)."""
    found = {family: [i for i, line in enumerate(lines)
                      if line.kind == "heading" and line.family == family]
             for family in FAMILIES}
    anchor = found["assessment"][-1] if found["assessment"] else None
    chosen: dict[str, int] = {}
    for section in ("strength", "shortfall"):
        if anchor is not None:
            after = [i for i in found[section] if i > anchor]
            if after:
                chosen[section] = after[0]
        elif found[section]:
            chosen[section] = found[section][-1]
    start = max([*chosen.values(), anchor if anchor is not None else -1])
    later = [i for i in found["task"] if i > start]
    if start >= 0 and later:            # the first after the assessment
        chosen["task"] = later[0]
    elif start < 0 and found["task"]:                 # no assessment: the outermost one
        top = min(lines[i].level for i in found["task"])
        chosen["task"] = [i for i in found["task"] if lines[i].level == top][-1]
    return {section: chosen[section] for section in SECTIONS if section in chosen}


def _section_body(lines: list[Line], index: int) -> list[Line]:
    heading = lines[index]
    body = []
    for line in lines[index + 1:]:
        if line.kind == "stop":
            break
        if line.kind == "heading" and (line.family != heading.family
                                       or line.level <= heading.level):
            break
        if line.kind == "numbered" and line.level <= heading.level:
            break
        body.append(line)
    return body


def _items(section: str, body: list[Line], problems: list[Problem]) -> list[Item]:
    """The first kind of bullet marks the items; numbered lines (`1.`) do only in a
    section without bullets, else they head groups of bullets."""
    bullets = [line.mark for line in body if line.kind == "marked"]
    numbers = [line.mark for line in body if line.kind == "numbered"]
    item_mark = (bullets or numbers or [None])[0]
    pieces: list[list[str]] = []
    starts: list[int] = []
    open_item = False
    for line in body:
        if line.kind == "heading" or (line.kind == "numbered" and bullets):
            open_item = False               # a sub-heading: its own family's, or numbered
            continue
        marked = line.kind in ("marked", "numbered")
        if (marked and line.mark == item_mark) or (item_mark is None and not open_item
                                                   and not line.body.endswith(":")):
            pieces.append([line.body])
            starts.append(line.number)
            open_item = True
        elif not open_item:
            continue                        # introduces the list
        elif marked:
            pieces[-1].append(line.text.strip())
        elif continues(pieces[-1][-1], line.body):
            pieces[-1].append(line.body)
        elif item_mark is None:
            pieces.append([line.body])
            starts.append(line.number)
        else:
            problems.append(problem("assessment_loose_text", line.number,
                                    section=lambda lang: section_name(section, lang),
                                    line=str(line.number), snippet=line.body[:80]))
            open_item = False
    return [Item(section, n, " ".join(parts), line)
            for n, (parts, line) in enumerate(zip(pieces, starts), start=1)]


def continues(previous: str, text: str) -> bool:
    """A line that goes on with the item above it: the item stopped at ':', or the line
    starts in lower case (a sentence cut by a page break)."""
    return previous.rstrip().endswith(":") or text[:1].islower()


def section_problems(present: set[str], sheet: str = "") -> list[Problem]:
    """No section at all, or some of them missing: one problem. `sheet`: the items came
    from that sheet of the data-entry workbook, not from headings."""
    missing = [section for section in SECTIONS if section not in present]
    wording, where = ("_sheet", {"sheet": sheet}) if sheet else ("", {})
    if len(missing) == len(SECTIONS):
        return [problem("no_assessment", None, wording, **where)]
    if missing:
        return [problem("assessment_section_missing", None, wording, **where,
                        sections=lambda lang: "; ".join(section_name(s, lang)
                                                        for s in missing))]
    return []


def problem(kind: str, at: int | None, wording: str = "", **values) -> Problem:
    """A warning worded by text/assessment.yml (`issue_<kind><wording>`); a value may
    depend on the language."""
    def worded(lang: str) -> str:
        return t(f"assessment.issue_{kind}{wording}", lang,
                 **{k: v(lang) if callable(v) else v for k, v in values.items()})
    return Problem(kind=kind, line=at, severity="warning", message_en=worded("en"),
                   message_vi=worded("vi"))


# --- themes and figures ---------------------------------------------------------------------

def theme_of(text: str) -> str:
    """The theme whose pattern comes first in the text (its subject); 'general' if none."""
    words = normalise(text)
    best = None
    for order, theme in enumerate(spec().themes):
        for pattern in theme.patterns:
            match = pattern.search(words)
            if match:
                key = (match.start(), -len(match.group()), order)
                if best is None or key < best[0]:
                    best = (key, theme.id)
    return best[1] if best else GENERAL


@lru_cache(maxsize=None)
def _components(ind_id: str) -> tuple[str, ...]:
    """A catalogue row and every row under it, in catalogue order."""
    rows = catalogue.load()
    inside, result = {ind_id}, []
    for row_id, parent in zip(rows["indicator_id"], rows["parent"]):
        if row_id == ind_id or parent in inside:
            inside.add(row_id)
            result.append(row_id)
    return tuple(result)


def figures_of(text: str) -> tuple[list[str], list[str]]:
    """The form rows and facts the links of assessment.yml give a text (all candidates)."""
    words = normalise(text)
    rows: list[str] = []
    stated: list[str] = []
    for link in spec().links:
        if any(pattern.search(words) for pattern in link.patterns):
            rows += [row for ind in link.indicators for row in _components(ind)]
            stated += list(link.facts)
    return list(dict.fromkeys(rows)), list(dict.fromkeys(stated))


def link(text: str, indicators: pd.DataFrame | None, stated: pd.DataFrame | None
         ) -> tuple[str, str]:
    """`indicator_ids`, `fact_ids` of a text: the linked rows that have a value in the
    report and the linked facts it states, '; '-separated."""
    rows, fact_ids = figures_of(text)
    valued = set() if indicators is None else set(
        indicators.loc[indicators["value"].notna(), "indicator_id"])
    found = set() if stated is None else set(stated["fact_id"])
    return ("; ".join(row for row in rows if row in valued),
            "; ".join(fact for fact in fact_ids if fact in found))


def table(report_id: str, items: list[Item], indicators: pd.DataFrame | None,
          stated: pd.DataFrame | None, given: dict[int, dict] | None = None) -> pd.DataFrame:
    """assessment.csv: one row per item, with its theme and figures.

    `given` (by position in `items`): the `theme`, `indicator_ids` or `fact_ids` an
    analyst typed (the data-entry workbook); the rules fill in those left empty.
    """
    records = []
    for position, item in enumerate(items):
        typed = (given or {}).get(position, {})
        indicator_ids, fact_ids = link(item.text, indicators, stated)
        records.append({"report_id": report_id, "section": item.section, "item": item.item,
                        "text_vi": item.text, "line": item.line,
                        "location": item.location or location.line(item.line),
                        "theme": typed.get("theme") or theme_of(item.text),
                        "indicator_ids": typed.get("indicator_ids") or indicator_ids,
                        "fact_ids": typed.get("fact_ids") or fact_ids})
    frame = pd.DataFrame(records, columns=COLUMNS)
    return frame.astype({"item": "int64", "line": "int64"})


def issue_records(problems: list[Problem], sheet: str = "") -> list[dict]:
    """Problems as rows of parse_issues.csv (none of them concerns one form row); `sheet`:
    the workbook sheet whose rows their lines are."""
    return [{"severity": p.severity, "kind": p.kind, "indicator_id": "", "form": None,
             "line": p.line, "message_en": p.message_en, "message_vi": p.message_vi,
             "location": location.sheet_row(sheet, p.line) if sheet and p.line else ""}
            for p in problems]


def counts(frame: pd.DataFrame) -> dict[str, int]:
    """Items per section, every section present (0 when it has none)."""
    return {section: int((frame["section"] == section).sum()) for section in SECTIONS}
