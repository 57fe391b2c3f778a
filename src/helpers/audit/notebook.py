"""What the audit notebook shows: the findings first, then the checks (failed, passed),
each in English, then in Vietnamese."""
from __future__ import annotations

import pandas as pd

from .. import location
from ..formats import LANGS
from ..text import t
from .check import KINDS, SEVERITIES
from .table import failed, passed


def findings_markdown(findings: pd.DataFrame) -> str:
    """The findings in reading order: severity, title, detail, and the checks behind each."""
    if findings.empty:
        return f"{t('audit.no_findings', 'en')} / {t('audit.no_findings', 'vi')}"
    parts = []
    for row in findings.to_dict("records"):
        label = {lang: t(f"audit.severity_{row['severity']}", lang) for lang in LANGS}
        lines = _places(row)
        parts.append(f"**{row['finding_id']} · {label['en']} / {label['vi']}**: "
                     f"{row['title_en']}\n  <br>*{row['title_vi']}*\n"
                     f"  <br>{row['detail_en']}\n  <br>*{row['detail_vi']}*\n"
                     f"  <br><small>`{row['checks']}`{lines}</small>\n")
    return "\n".join(parts)


def failed_markdown(frame: pd.DataFrame) -> str:
    """Failed checks as a list, errors first; each in English, then in Vietnamese."""
    found = failed(frame)
    if found.empty:
        return f"{t('audit.nothing_failed', 'en')} / {t('audit.nothing_failed', 'vi')}"
    parts = []
    for severity in SEVERITIES:
        group = found[found["severity"] == severity]
        if group.empty:
            continue
        parts.append(f"### {t(f'audit.heading_{severity}', 'en')} ({len(group)})\n"
                     f"*{t(f'audit.heading_{severity}', 'vi')}*\n")
        parts += [_bullet(row) for row in group.to_dict("records")]
    return "\n".join(parts)


def passed_markdown(frame: pd.DataFrame, skip_kinds=("plausibility",)) -> str:
    """Passed checks as a list (kinds in `skip_kinds` are only counted)."""
    done = passed(frame)
    parts = []
    for kind in KINDS:
        group = done[done["kind"] == kind]
        if group.empty:
            continue
        parts.append(f"### {kind} ({len(group)})\n")
        if kind in skip_kinds:
            said = {lang: t("audit.passed_example", lang, count=len(group),
                            example=group[f"message_{lang}"].iloc[0]) for lang in LANGS}
            parts.append(f"- {said['en']}\n  <br>*{said['vi']}*")
            continue
        parts += [_bullet(row) for row in group.to_dict("records")]
    return "\n".join(parts)


def _places(row: dict) -> str:
    """' (line 17; line 20)': where the figures are in the raw file, in English."""
    words = location.describe_all(row.get("locations"), "en")
    return f" ({t('audit.on_places', 'en', places=words)})" if words else ""


def _bullet(row: dict) -> str:
    lines = _places(row)
    return (f"- `{row['check_id']}`{lines}: {row['message_en']}\n"
            f"  <br>*{row['message_vi']}*")
