"""Key figures stated in a report's narrative, each with the sentence it came from.

The figures to look for, their labels, units and periods are in `facts.yml`;
this module turns the narrative into sentences and applies those patterns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .errors import ReportError
from .numbers import parse_number
from .paths import FACTS_SPEC_FILE

NUM = r"\d[\d.,]*\d|\d"
DATE = r"\d{1,2}/\d{1,2}/\d{4}"
ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
            "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
ORD = r"\d+|" + "|".join(ORDINALS)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int  # the raw-file line the sentence starts on


@dataclass(frozen=True)
class FactSpec:
    id: str
    label_vi: str
    label_en: str
    unit: str
    period: str
    pattern: re.Pattern
    anchor: str          # lower-case words every matching sentence contains
    indicator: str = ""


@lru_cache(maxsize=None)
def specs(path: str | None = None) -> tuple[FactSpec, ...]:
    with open(path or FACTS_SPEC_FILE, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    result = []
    for entry in entries:
        source = (entry["pattern"].replace("NUM", f"(?:{NUM})")
                  .replace("DATE", f"(?:{DATE})").replace("ORD", f"(?:{ORD})"))
        result.append(FactSpec(id=entry["id"], label_vi=entry["label_vi"],
                               label_en=entry["label_en"], unit=entry["unit"],
                               period=str(entry["period"]), indicator=entry.get("indicator", ""),
                               pattern=re.compile(source, re.IGNORECASE),
                               anchor=_anchor(entry["pattern"])))
    return tuple(result)


def _anchor(pattern: str) -> str:
    """The longest run of plain words in a pattern: a cheap test before the regex runs."""
    plain = re.sub(r"\(\?P<\w+>|\(\?:|\\.|NUM|DATE|ORD", "\x00", pattern)
    runs = re.split(r"[\x00()\[\]?*+.|{}^$]", plain)
    return max((run.strip() for run in runs), key=len).lower()


def sentences(narrative: list[tuple[int, str]]) -> list[Sentence]:
    """Narrative lines -> sentences; a sentence cut by a page break is joined again.

    A line that does not end a sentence and is followed by a line starting in lower
    case continues on that line (the report's page breaks fall mid-sentence). Each
    sentence keeps the raw-file line it starts on.
    """
    paragraphs: list[list[tuple[int, str]]] = []  # each: (line number, text) pieces
    for line_no, text in narrative:
        if paragraphs and _continues(paragraphs[-1][-1][1], text):
            paragraphs[-1].append((line_no, text))
        else:
            paragraphs.append([(line_no, text)])
    result = []
    for pieces in paragraphs:
        text = " ".join(piece for _, piece in pieces)
        starts, offset = [], 0
        for line_no, piece in pieces:
            starts.append((offset, line_no))
            offset += len(piece) + 1
        for start, part in _split(text):
            line = max(line_no for begin, line_no in starts if begin <= start)
            result.append(Sentence(text=part, line=line))
    return result


def _continues(previous: str, text: str) -> bool:
    return bool(previous) and previous[-1] not in ".:;!?" and text[:1].islower()


def _split(paragraph: str) -> list[tuple[int, str]]:
    """Split at '. ' (or '; ') when the next word starts with a capital letter or a dash.

    Returns (offset in the paragraph, sentence) pairs.
    """
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        following = paragraph[match.end():match.end() + 1]
        if following.isupper() or following in "-+":
            parts.append((start, paragraph[start:match.start()].strip()))
            start = match.end()
    parts.append((start, paragraph[start:].strip()))
    return [(offset, part) for offset, part in parts if part]


def extract(narrative: list[tuple[int, str]], report_year: int,
            problems: list[ReportError] | None = None) -> list[dict]:
    """Every fact of `facts.yml` found in the narrative (first matching sentence wins).

    A figure whose number cannot be read is left out; its error goes to `problems`
    when a list is given (the report is still usable), else it is raised.
    """
    found = []
    all_sentences = sentences(narrative)
    lowered = [sentence.text.lower() for sentence in all_sentences]
    for spec in specs():
        for sentence, lower in zip(all_sentences, lowered):
            if spec.anchor not in lower:
                continue
            match = spec.pattern.search(sentence.text)
            if match:
                try:
                    found.append(_fact(spec, match, sentence, report_year))
                except ReportError as exc:
                    if problems is None:
                        raise
                    problems.append(exc)
                break
    return found


def _fact(spec: FactSpec, match: re.Match, sentence: Sentence, report_year: int) -> dict:
    raw = match["value"]
    try:
        value = float(ORDINALS[raw.lower()]) if raw.lower() in ORDINALS else parse_number(raw)
    except ReportError as exc:
        raise ReportError(f"fact '{spec.id}': {exc.message}", line=sentence.line) from None
    groups = match.groupdict()
    if groups.get("sign") and groups["sign"].lower() == "giảm":
        value = -value
    return {
        "fact_id": spec.id, "label_vi": spec.label_vi, "label_en": spec.label_en,
        "value": value, "value_raw": raw, "unit": spec.unit,
        "period": _period(spec.period, groups.get("period"), report_year),
        "indicator_id": spec.indicator, "sentence": sentence.text, "line": sentence.line,
    }


def _period(rule: str, captured: str | None, report_year: int) -> str:
    if captured:
        day, month, year = (int(part) for part in captured.split("/"))
        return f"{year:04d}-{month:02d}-{day:02d}"
    if rule == "report_year":
        return str(report_year)
    if rule == "previous_year":
        return str(report_year - 1)
    return rule
