"""The narrative's numbered sections: references a reader can follow on the printed report.

A CCHC report numbers its narrative: "II. KẾT QUẢ THỰC HIỆN", "6. Xây dựng và phát triển
chính quyền điện tử", "6.8. Kết quả cung cấp dịch vụ công trực tuyến". `sections` lists
them with their full number ("II.6.8") and the raw line they start on; `section_of`
names the section a line of the narrative belongs to.
"""
from __future__ import annotations

import re

_HEADING = re.compile(r"^(?P<number>[IVX]+|[0-9]+(?:\.[0-9]+)*)\.\s+(?P<title>\S.*)$")
_ROMAN = re.compile(r"^[IVX]+$")
_TITLE_WORDS = 25   # a heading's title is short; the rest of a long line is its first sentence


def sections(narrative: list[tuple[int, str]]) -> list[dict]:
    """[{'number': 'II.6.8', 'title': <the heading's words>, 'line': 271}, ...]"""
    found, part = [], ""
    for line, words in narrative:
        match = _HEADING.match(words.strip())
        if not match or "\t" in words or not match["title"][0].isupper():
            continue
        number = match["number"]
        if _ROMAN.match(number):
            part, full = number, number
        elif part:
            full = f"{part}.{number}"
        else:
            full = number
        title = match["title"].split(": ", 1)[0] if ": " in match["title"] else match["title"]
        found.append({"number": full, "title": " ".join(title.split()[:_TITLE_WORDS]),
                      "line": int(line)})
    return found


def section_of(outline: list[dict], line) -> dict | None:
    """The section a narrative line belongs to: the last heading at or before it."""
    try:
        line = int(line)
    except (TypeError, ValueError):
        return None
    before = [section for section in outline if section["line"] <= line]
    return before[-1] if before else None
