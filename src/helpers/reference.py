"""The published figures in data/raw/reference/, read in one place with one set of types.

- `governance()`: PAR INDEX, SIPAS, PAPI and PCI scores and ranks
  (`governance_indices.csv`): `assessment_year`, `rank` and `rank_of` as numbers,
  `score` as a number with `score_decimals` (the digits the source wrote: the audit's
  tolerance), `slug` (the province's slug), the source's address and words, and
  `rank_change_stated`: the places gained on the year before when the source's words
  say it once ("tăng 11 bậc" +11, "giảm 2 bậc" -2), else empty.
- `context(province)`: other dated figures about one province, from
  `<province_slug>_context.csv` (`thai_nguyen_context.csv`): the one naming rule.

An empty cell is no figure (NaN), never zero: it is not evidence. Like a report, each
file is checked against the sha256 of its `.meta.json` sidecar before it is used.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from . import paths
from .errors import ReportError
from .report import sha256_of, slugify

GOVERNANCE_FILE = "governance_indices.csv"
GOVERNANCE_COLUMNS = ["index", "assessment_year", "province", "score", "score_unit", "rank",
                      "rank_of", "source_url", "evidence"]
CONTEXT_COLUMNS = ["metric", "value", "unit", "period_end", "source_url", "evidence"]
NATIONAL_AVERAGE = "National average"
# A rank change in a source's words: "tăng 3 bậc so với năm 2022" (the year optional),
# "up 3 places on 2022"; a gain is positive.
_RANK_CHANGE = re.compile(
    r"(?P<verb>tăng|giảm|up|down|climbing|falling)\s+(?P<places>\d+|[a-z]+)\s+"
    r"(?:bậc|places?)(?:\s+(?:so với năm|on|over|from)\s+(?P<year>(?:19|20)\d{2}))?",
    re.IGNORECASE)
_GAIN = re.compile(r"^(?:up|climbing|t)", re.IGNORECASE)   # the first verb of each pair gains
_PLACES_IN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                    "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _digits_after_point(text: str) -> int:
    text = (text or "").strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def stated_rank_changes(evidence: str) -> list[tuple[int, int | None]]:
    """Every rank change a source's words state: (places gained, the year compared with or
    None); a fall is negative."""
    found = []
    for match in _RANK_CHANGE.finditer(evidence or ""):
        words = match["places"].lower()
        places = int(words) if words.isdigit() else _PLACES_IN_WORDS.get(words)
        if places is not None:
            year = int(match["year"]) if match["year"] else None
            found.append((places if _GAIN.match(match["verb"]) else -places, year))
    return found


def _stated_rank_change(evidence: str) -> float:
    """Places gained as the source words it, when it says it exactly once; else NaN."""
    found = stated_rank_changes(evidence)
    return float(found[0][0]) if len(found) == 1 else float("nan")


def verify(path: Path) -> None:
    """The file must match the sha256 its sidecar records (raw data is immutable)."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.exists():
        return
    try:
        expected = json.loads(sidecar.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        raise ReportError(f"its sidecar {sidecar.name} is not a readable JSON object",
                          path=path, kind="sidecar", hint="restore the sidecar") from None
    actual = sha256_of(path)
    if expected and expected != actual:
        raise ReportError(f"checksum mismatch: the file's sha256 is {actual}, its sidecar "
                          f"{sidecar.name} records {expected}", path=path, kind="checksum",
                          hint="reference data is raw and immutable: restore the file, or "
                               "record a refreshed copy with a new sidecar")


@lru_cache(maxsize=8)
def _governance(path: str, mtime_ns: int) -> pd.DataFrame:
    verify(Path(path))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    frame = raw.copy()
    for column in ("assessment_year", "score", "rank", "rank_of"):
        frame[column] = pd.to_numeric(raw[column].str.strip().replace("", None),
                                      errors="raise")
    frame["assessment_year"] = frame["assessment_year"].astype(int)
    frame["score_decimals"] = raw["score"].map(_digits_after_point)
    frame["slug"] = frame["province"].map(slugify)
    frame["rank_change_stated"] = raw["evidence"].map(_stated_rank_change)
    return frame


def governance(folder: Path | None = None) -> pd.DataFrame:
    """Every row of governance_indices.csv, typed (an empty table when the file is absent)."""
    path = (folder or paths.REFERENCE) / GOVERNANCE_FILE
    if not path.exists():
        return pd.DataFrame(columns=[*GOVERNANCE_COLUMNS, "score_decimals", "slug",
                                     "rank_change_stated"])
    return _governance(str(path), path.stat().st_mtime_ns).copy()


def context_file(province: str, folder: Path | None = None) -> Path:
    """data/raw/reference/<province_slug>_context.csv: dated figures about one province."""
    return (folder or paths.REFERENCE) / f"{slugify(province).replace('-', '_')}_context.csv"


def context(province: str, folder: Path | None = None) -> pd.DataFrame:
    """The province's dated context figures (`value` a number, `period_end` a date); an
    empty table when it has none."""
    path = context_file(province, folder) if province else None
    if path is None or not path.exists():
        return pd.DataFrame(columns=CONTEXT_COLUMNS)
    verify(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    frame["value_raw"] = frame["value"]
    frame["value"] = pd.to_numeric(frame["value"].str.strip().replace("", None))
    frame["period_end"] = pd.to_datetime(frame["period_end"], errors="coerce")
    return frame


def domain(url: str) -> str:
    """'https://www.vccinews.com/prode/1.html' -> 'vccinews.com' (for source lines)."""
    host = urlparse(str(url)).netloc or str(url)
    return host[4:] if host.startswith("www.") else host
