"""Key figures stated in a report's narrative, each with the sentence it came from.

The figures to look for, their labels, units, periods and checks are in `facts.yml`;
this module turns the narrative into sentences and applies those patterns. A figure that
fails a check (about a district rather than the province, a rank beyond its ranking, a
percentage over 100, a number that reads two ways, a date that does not exist) is a
`Refusal`: left out and recorded, and a later sentence may give the figure.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache


from .errors import ReportError
from .numbers import parse_number, reads_two_ways, two_readings
from .paths import FACTS_SPEC_FILE
from .report import slugify
from .yamlfile import read_yaml

NUM = r"\d[\d.,]*\d|\d"
DATE = r"\d{1,2}/\d{1,2}/\d{4}"
ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
            "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
ORD = r"\d+|" + "|".join(ORDINALS)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
# Capital letters of the Vietnamese (Latin) alphabet: a name starts with one
_CAPITALS = "".join(char for char in map(chr, range(0x41, 0x1F00))
                    if char.isalpha() and char.isupper())
PROVINCE = "province"   # the subject a report speaks of when it names none


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
    subject: str = ""    # 'province': the figure must be the province's own
    rank_of: str = ""    # the fact (same sentence) this rank must not exceed
    bounds: tuple[float | None, float | None] = (None, None)


@dataclass(frozen=True)
class Refusal:
    """A figure found and left out: `kind` names the phrase `ingest.<kind>` that says why,
    `values` fill it in (`fact` the fact's id, `value` as written, ...)."""

    kind: str
    line: int
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Subject:
    """Whom a report speaks of: its province, and whether it is a `tỉnh` or a `thành phố`."""

    province: str
    kind: str = "tỉnh"


def _spec_file(path: str | None) -> dict:
    return read_yaml(path or FACTS_SPEC_FILE)


@lru_cache(maxsize=None)
def specs(path: str | None = None) -> tuple[FactSpec, ...]:
    spec_file = _spec_file(path)
    unit_bounds = spec_file.get("bounds", {})
    result = []
    for entry in spec_file["facts"]:
        source = (entry["pattern"].replace("NUM", f"(?:{NUM})")
                  .replace("DATE", f"(?:{DATE})").replace("ORD", f"(?:{ORD})"))
        low, high = entry.get("bounds", unit_bounds.get(entry["unit"], (None, None)))
        result.append(FactSpec(id=entry["id"], label_vi=entry["label_vi"],
                               label_en=entry["label_en"], unit=entry["unit"],
                               period=str(entry["period"]), indicator=entry.get("indicator", ""),
                               pattern=re.compile(source, re.IGNORECASE),
                               anchor=_anchor(entry["pattern"]),
                               subject=entry.get("subject", ""),
                               rank_of=entry.get("rank_of", ""), bounds=(low, high)))
    known = {spec.id for spec in result}
    for spec in result:
        if spec.rank_of and spec.rank_of not in known:
            raise ValueError(f"facts.yml: {spec.id} is ranked out of an unknown fact "
                             f"'{spec.rank_of}'")
    return tuple(result)


@lru_cache(maxsize=None)
def subject_kinds(path: str | None = None) -> dict[str, tuple[str, ...]]:
    """facts.yml's `subjects`: kind -> the words (regular expressions) that name one."""
    return {kind: tuple(words) for kind, words in _spec_file(path)["subjects"].items()}


@lru_cache(maxsize=None)
def _mentions(path: str | None = None) -> re.Pattern:
    """A word of `subjects` followed by a name in capitals ('huyện Định Hóa')."""
    words = sorted({word for kinds in subject_kinds(path).values() for word in kinds},
                   key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?P<word>(?i:{'|'.join(words)}))\s+(?=[{_CAPITALS}])")


def _anchor(pattern: str) -> str:
    """The longest run of plain words that every match contains: a cheap test before the
    regex runs. Groups (optional ones, alternatives, the figure) and a character made
    optional by '?' or '*' are left out."""
    plain = re.sub(r"\\.|NUM|DATE|ORD", "\x00", pattern)
    while (inner := re.sub(r"\([^()]*\)[?*+]?", "\x00", plain)) != plain:
        plain = inner
    plain = re.sub(r".[?*]\??", "\x00", plain)
    runs = re.split(r"[\x00\[\]+.|{}^$]", plain)
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


# --- whom a sentence speaks of -------------------------------------------------------------

def subject_of(text: str, end: int, about: Subject) -> tuple[str, str]:
    """The last subject `text` names before position `end`: (kind, its words as written),
    ('province', '') when it names none. Kinds: 'province' (the report's own), and those
    of facts.yml's `subjects` (district, commune, department, other_province)."""
    found = (PROVINCE, "")
    own = slugify(about.province)
    for match in _mentions().finditer(text, 0, end):
        word = " ".join(match["word"].lower().split())
        name = _name_at(text, match.end(), end)
        if word == about.kind and (slugify(text[match.end():]) + "-").startswith(own + "-"):
            found = (PROVINCE, f"{match['word']} {name}")
            continue
        kind = next(kind for kind, words in subject_kinds().items()
                    if any(re.fullmatch(pattern, word, re.IGNORECASE) for pattern in words))
        found = (kind, f"{match['word']} {name}")
    return found


def _name_at(text: str, start: int, end: int) -> str:
    """The name that starts at `start` (before `end`): its words in capitals, and the word
    after a one-word start ('Định Hóa', 'Nội vụ' of 'Sở Nội vụ'), for a message."""
    words = []
    for word in text[start:end].split():
        core = word.rstrip(",.;:()")
        capital = core[:1].isupper()
        if not core or not (capital or len(words) == 1 and words[0][:1].isupper()):
            break
        words.append(core)
        if core != word or not capital:
            break
    return " ".join(words)


# --- finding the facts ----------------------------------------------------------------------

def extract(narrative: list[tuple[int, str]], report_year: int,
            problems: list | None = None, about: Subject | None = None) -> list[dict]:
    """Every fact of `facts.yml` found in the narrative: the first figure that passes its
    checks wins. `about`: the report's province (for facts that must be its own; None:
    no subject is checked).

    A figure refused by a check is left out; its `Refusal` goes to `problems` when a list
    is given (the report is still usable), else a ReportError is raised.
    """
    found = []
    all_sentences = sentences(narrative)
    lowered = [sentence.text.lower() for sentence in all_sentences]
    by_id = {spec.id: spec for spec in specs()}
    ranked_by = {spec.rank_of: spec for spec in specs() if spec.rank_of}
    for spec in specs():
        fact = None
        for sentence, lower in zip(all_sentences, lowered):
            if spec.anchor not in lower:
                continue
            position = 0
            while fact is None and (match := spec.pattern.search(sentence.text, position)):
                position = match.end("value")   # a later figure of the sentence
                refusal = _refusal(spec, match, sentence, about, by_id, ranked_by)
                if refusal is None:
                    fact = _fact(spec, match, sentence, report_year)
                elif problems is None:
                    raise ReportError(f"fact '{spec.id}' refused ({refusal.kind}): "
                                      f"{refusal.values}", line=sentence.line)
                else:
                    problems.append(refusal)
            if fact is not None:
                found.append(fact)
                break
    return found


def _refusal(spec: FactSpec, match: re.Match, sentence: Sentence, about: Subject | None,
             by_id: dict, ranked_by: dict) -> Refusal | None:
    """Why this figure cannot be the fact, or None when it passes every check."""
    raw = match["value"]

    def refused(why: str, **values) -> Refusal:
        return Refusal(why, sentence.line, {"fact": spec.id, "value": raw, **values})

    if reads_two_ways(raw, spec.unit):
        thousand, decimal = two_readings(raw)
        return refused("ambiguous_fact", thousand=thousand, decimal=decimal)
    try:
        value = _value(spec, match)
    except ReportError as exc:
        return refused("unreadable_fact", problem=exc.message)
    if about is not None and spec.subject == PROVINCE:
        kind, words = subject_of(sentence.text, match.start("value"), about)
        if kind != PROVINCE:
            return refused("fact_other_subject", subject=words, kind=kind)
    low, high = spec.bounds
    if (low is not None and value < low) or (high is not None and value > high):
        return refused("fact_out_of_range", low=low, high=high)
    rank = _rank_pair(spec, sentence, match.start(), by_id, ranked_by)
    if rank is not None and not 1 <= rank[0] <= rank[1]:
        return refused("fact_rank_out_of_range", rank=rank[0], of=rank[1])
    if match.groupdict().get("period"):
        try:
            _date(match["period"])
        except ValueError:
            return refused("fact_invalid_date", date=match["period"])
    return None


def _value(spec: FactSpec, match: re.Match) -> float:
    raw = match["value"]
    value = float(ORDINALS[raw.lower()]) if raw.lower() in ORDINALS else parse_number(raw)
    groups = match.groupdict()
    if groups.get("sign") and groups["sign"].lower() == "giảm":
        value = -value
    return value


def _rank_pair(spec: FactSpec, sentence: Sentence, start: int, by_id: dict,
               ranked_by: dict) -> tuple[float, float] | None:
    """(rank, out of) as the sentence states them from `start` (where the figure's match
    begins), for a rank or the size of its ranking; None when it does not state both."""
    if spec.rank_of:
        rank_spec, of_spec = spec, by_id[spec.rank_of]
    elif spec.id in ranked_by:
        rank_spec, of_spec = ranked_by[spec.id], spec
    else:
        return None
    values = []
    for one in (rank_spec, of_spec):
        match = one.pattern.search(sentence.text, start)
        try:
            values.append(_value(one, match) if match else None)
        except ReportError:
            return None
    return None if None in values else (values[0], values[1])


def _fact(spec: FactSpec, match: re.Match, sentence: Sentence, report_year: int) -> dict:
    groups = match.groupdict()
    return {
        "fact_id": spec.id, "label_vi": spec.label_vi, "label_en": spec.label_en,
        "value": _value(spec, match), "value_raw": match["value"], "unit": spec.unit,
        "period": _period(spec.period, groups.get("period"), report_year),
        "indicator_id": spec.indicator, "sentence": sentence.text, "line": sentence.line,
    }


def _date(text: str) -> dt.date:
    """'30/11/2022' -> that day; ValueError when there is no such day (31/02/2022)."""
    day, month, year = (int(part) for part in text.split("/"))
    return dt.date(year, month, day)


def _period(rule: str, captured: str | None, report_year: int) -> str:
    if captured:
        return _date(captured).isoformat()
    if rule == "report_year":
        return str(report_year)
    if rule == "previous_year":
        return str(report_year - 1)
    return rule
