"""Reports derived in code from the synthetic fixtures (invented figures, for tests only):
a decoy sentence about a district before the province's own, and a province whose name
holds TeX's math marks. Written where a test asks, never into data/raw/."""
from __future__ import annotations

from pathlib import Path

# Invented: a district's index and satisfaction sentences, each stated of huyện Chi Lăng
# (figures that no report gives), put before the province's own PAR INDEX paragraph.
DECOY = ("- Theo kết quả đánh giá của tỉnh, Chỉ số CCHC năm 2022 của huyện Chi Lăng đạt 70,50 "
         "điểm, xếp thứ 9/11 đơn vị cấp huyện, tăng 2,15 điểm và tăng 1 bậc so với năm 2021; "
         "Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của UBND huyện Chi Lăng "
         "năm 2022 đạt 81,20% xếp thứ 3/11 và tăng 2 bậc so với năm 2021.")
PROVINCE_PARAGRAPH = "- Thực hiện Kế hoạch của Bộ Nội vụ về triển khai Đề án xác định chỉ số CCHC"
MATH_PROVINCE = "Cao $\\frac{Bằng$"


def with_decoy(source: Path, target: Path) -> Path:
    """`source` with DECOY as a paragraph of its own just before the province's PAR INDEX
    paragraph; the decoy's line is `decoy_line(target)`."""
    text = Path(source).read_text(encoding="utf-8")
    assert text.count(PROVINCE_PARAGRAPH) == 1
    target.write_text(text.replace(PROVINCE_PARAGRAPH, DECOY + "\n\n" + PROVINCE_PARAGRAPH),
                      encoding="utf-8")
    return target


def decoy_line(path: Path) -> int:
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    return lines.index(DECOY) + 1


def with_province(source: Path, target: Path, old: str, new: str = MATH_PROVINCE) -> Path:
    """`source` with its province renamed everywhere (title, appendix header, sentences)."""
    text = Path(source).read_text(encoding="utf-8")
    assert old in text and old.upper() in text
    target.write_text(text.replace(old, new).replace(old.upper(), new.upper()),
                      encoding="utf-8")
    return target
