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
_RANK_CHANGE = re.compile(r"(tăng|giảm) (\d+) bậc")


def _digits_after_point(text: str) -> int:
    text = (text or "").strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def _stated_rank_change(evidence: str) -> float:
    """Places gained as the source words it, when it says it exactly once; else NaN."""
    found = _RANK_CHANGE.findall(evidence or "")
    if len(found) != 1:
        return float("nan")
    direction, places = found[0]
    return float(places) * (-1 if direction == "giảm" else 1)


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
