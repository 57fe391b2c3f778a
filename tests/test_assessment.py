"""The report's own assessment: strengths, shortfalls and next year's tasks (assessment.csv).

Golden files are typed by hand: the seed's items were counted and located by reading
data/raw/thai-nguyen_2022_bc-301-ubnd.txt (lines 277-331); the synthetic fixture's by
reading tests/fixtures/synthetic_wording_lang-son_2023.txt, its forms and
src/helpers/assessment.yml.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from pandas.testing import assert_frame_equal

from helpers import assessment, assessment_sheet, audit, ingest, paths, workbook
from helpers.errors import ReportError

from conftest import FIXTURES, SEED, read_golden

WORDING = FIXTURES / "synthetic_wording_lang-son_2023.txt"
GENERATED = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _raw_lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


# --- the seed ----------------------------------------------------------------------------------

def test_seed_has_5_strengths_5_shortfalls_11_tasks_where_the_report_has_them(seed):
    golden = read_golden("thai-nguyen_2022_assessment.csv")
    got = seed.assessment
    assert list(got.columns) == assessment.COLUMNS
    assert assessment.counts(got) == {"strength": 5, "shortfall": 5, "task": 11}
    assert list(zip(got["section"], got["item"], got["line"])) == \
        [(s, int(i), int(n)) for s, i, n in zip(golden["section"], golden["item"],
                                                golden["line"])]
    assert list(got["theme"]) == list(golden["theme"])
    for text, start in zip(got["text_vi"], golden["starts"]):
        assert text.startswith(start), (text, start)


def test_seed_items_are_the_report_lines_without_their_bullet(seed):
    raw = _raw_lines(SEED)
    for item in seed.assessment.to_dict("records"):
        assert "- " + item["text_vi"] == raw[item["line"] - 1].strip()


def test_seed_online_payment_shortfall_gets_the_online_payment_figures(seed):
    item = seed.assessment.set_index(["section", "item"]).loc[("shortfall", 2)]
    assert item["text_vi"].startswith("Tỷ lệ hồ sơ thanh toán trực tuyến còn thấp")
    assert item["indicator_ids"] == "VII.6.5; VII.6.5.1; VII.6.5.2"
    assert item["fact_ids"] == "online_payment_pct"


def test_seed_links_name_only_rows_with_a_value_and_stated_facts(seed):
    valued = set(seed.indicators.loc[seed.indicators["value"].notna(), "indicator_id"])
    stated = set(seed.facts["fact_id"])
    for item in seed.assessment.to_dict("records"):
        rows = [i for i in item["indicator_ids"].split("; ") if i]
        found = [f for f in item["fact_ids"].split("; ") if f]
        assert set(rows) <= valued and set(found) <= stated, item
    # an item that names no figure has none: task 4 (land and buildings)
    task = seed.assessment.set_index(["section", "item"]).loc[("task", 4)]
    assert (task["indicator_ids"], task["fact_ids"]) == ("", "")


def test_seed_signature_block_and_recipients_are_not_tasks(seed):
    raw = _raw_lines(SEED)
    signature = raw.index("Nơi nhận:") + 1
    assert seed.assessment["line"].max() < signature


# --- a report worded differently ------------------------------------------------------------

def test_report_worded_differently_gives_its_hand_read_items():
    got = ingest.read(WORDING)
    assert got.issues.empty, got.issues
    golden = read_golden("synthetic_wording_lang-son_2023_assessment.csv")
    golden["item"] = golden["item"].astype("int64")
    golden["line"] = golden["line"].astype("int64")
    columns = list(golden.columns)
    assert_frame_equal(got.assessment[columns].reset_index(drop=True), golden[columns])


def test_report_worded_differently_keeps_its_forms_and_facts(synthetic):
    # only the narrative's assessment and the province differ from its parent
    got = ingest.read(WORDING)
    columns = [c for c in ingest.INDICATOR_COLUMNS
               if c not in ("report_id", "line", "location")]
    assert_frame_equal(got.indicators[columns], synthetic.indicators[columns])
    assert got.report_id == "lang-son_2023"


# --- recognising headings and bullets -------------------------------------------------------

FAMILY_WORDS = {
    "assessment": ["Đánh giá chung", "Nhận xét, đánh giá", "Đánh giá kết quả thực hiện"],
    "strength": ["Ưu điểm", "Kết quả đạt được", "Mặt tích cực", "Những kết quả nổi bật",
                 "Những ưu điểm"],
    "shortfall": ["Những tồn tại, hạn chế và nguyên nhân", "Hạn chế", "Tồn tại, hạn chế",
                  "Khó khăn, vướng mắc", "Những hạn chế, yếu kém"],
    "task": ["Nhiệm vụ trọng tâm năm 2024", "Phương hướng, nhiệm vụ, giải pháp",
             "Phương hướng, nhiệm vụ năm 2024", "Nhiệm vụ, giải pháp trong thời gian tới"],
}
NUMBERINGS = ["", "III. ", "IV. ", "1. ", "2. ", "2.1. ", "a) ", "b. "]
CASES = {"as is": str, "upper": str.upper, "lower": str.lower}


@GENERATED
@given(family=st.sampled_from(sorted(FAMILY_WORDS)), data=st.data(),
       numbering=st.sampled_from(NUMBERINGS), case=st.sampled_from(sorted(CASES)),
       colon=st.booleans(), bold=st.booleans())
def test_heading_family_is_recognised_however_it_is_numbered_and_written(
        family, data, numbering, case, colon, bold):
    words = CASES[case](data.draw(st.sampled_from(FAMILY_WORDS[family])))
    text = numbering + words + (":" if colon else "")
    text = f"**{text}**" if bold else text
    line = assessment.classify(10, text)
    assert (line.kind, line.family) == ("heading", family), text


@pytest.mark.parametrize("text", [
    # sentences that start like a heading are not headings
    "Hạn chế việc tiếp nhận hồ sơ giấy tại bộ phận một cửa. Tuy nhiên vẫn còn nhiều khó khăn",
    "Kết quả đạt được: toàn tỉnh đã cung cấp nhiều dịch vụ công trực tuyến",
    "Nhiệm vụ của các sở, ngành là triển khai đầy đủ, kịp thời các văn bản của Trung ương "
    "về cải cách hành chính trên địa bàn tỉnh trong năm tới và những năm tiếp theo",
    # a bullet whose words are a family's is an item unless it ends with ':'
    "- Hạn chế tình trạng hồ sơ trễ hạn",
    "+ Khó khăn về kinh phí",
    "Trong năm 2022, công tác CCHC của tỉnh tiếp tục đạt được những kết quả tích cực:",
])
def test_sentences_and_items_are_not_headings(text):
    assert assessment.classify(5, text).kind != "heading"


@pytest.mark.parametrize("text, family", [("- Hạn chế:", "shortfall"),
                                          ("* Nguyên nhân:", "other"),
                                          ("a) Ưu điểm", "strength"),
                                          ("V. KIẾN NGHỊ, ĐỀ XUẤT", "other")])
def test_marked_or_lettered_headings(text, family):
    assert (assessment.classify(5, text).kind, assessment.classify(5, text).family) == \
        ("heading", family)


MARKS = {"-": "-", "–": "-", "+": "+", "•": "•", "●": "•", "* ": "*", "a) ": "a)",
         "b. ": "a)", "3) ": "1)"}


@GENERATED
@given(mark=st.sampled_from(sorted(MARKS)), space=st.booleans(),
       body=st.sampled_from(["Công tác kiểm tra CCHC được tăng cường.",
                             "Tỷ lệ hồ sơ thanh toán trực tuyến còn thấp",
                             "Một số phần mềm chưa kết nối liên thông;"]))
def test_bullets_of_every_kind_give_their_text_without_the_mark(mark, space, body):
    text = mark + (" " if space or mark.endswith(" ") else "") + body
    line = assessment.classify(7, text)
    assert (line.kind, line.mark, line.body) == ("marked", MARKS[mark], body), text


@pytest.mark.parametrize("text", ["Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "**KT. CHỦ TỊCH",
                                  "PHÓ CHỦ TỊCH**", "(Có các biểu mẫu kèm theo)",
                                  "Trên đây là báo cáo công tác cải cách hành chính năm 2023",
                                  "PHỤ LỤC", "Biểu mẫu 1"])
def test_signature_and_appendix_lines_end_the_assessment(text):
    assert assessment.classify(3, text).kind == "stop"


# --- whole assessments, generated -----------------------------------------------------------

ITEMS = ["Công tác chỉ đạo, điều hành được tăng cường, bám sát kế hoạch.",
         "Tỷ lệ hồ sơ thanh toán trực tuyến còn thấp; việc trả kết quả qua bưu chính còn ít.",
         "Một số đơn vị chưa bám sát nhiệm vụ được giao",
         "Việc tinh giản biên chế được thực hiện đúng lộ trình đã đề ra.",
         "Tiếp tục đẩy mạnh chuyển đổi số, xây dựng chính quyền số.",
         "Đẩy mạnh tuyên truyền về cải cách hành chính trên địa bàn tỉnh."]
SUBS = ["Nhiều người dân chưa quen thanh toán điện tử;", "Hạ tầng ở cấp xã chưa đồng bộ."]
ITEM_MARKS = ["- ", "– ", "+ ", "• ", "* ", "a) ", "1) "]
STOPS = [["(Có các biểu mẫu kèm theo)"], ["Nơi nhận:", "- Như trên;", "- Lưu: VT."],
         ["Trên đây là báo cáo công tác cải cách hành chính năm 2023."],
         ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], ["PHỤ LỤC"]]


def _mark(style: str, n: int) -> str:
    if style == "a) ":
        return f"{'abcdeg'[n]}) "
    if style == "1) ":
        return f"{n + 1}) "
    return style


@st.composite
def sections(draw, section: str):
    """(lines, expected item texts) of one section's body."""
    style = draw(st.sampled_from(ITEM_MARKS))
    sub = "- " if style.strip() == "+" else "+ "
    lines = ["Trong năm, công tác cải cách hành chính có những kết quả sau:"] \
        if draw(st.booleans()) else []
    expected = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        text = draw(st.sampled_from(ITEMS))
        split = draw(st.booleans()) and re.search(r" (?=[a-zđ])", text[12:])
        if split:       # a page break inside the item: the rest starts in lower case
            at = 12 + split.start()
            lines += [_mark(style, n) + text[:at], "", text[at + 1:]]
        else:
            lines.append(_mark(style, n) + text)
        subs = draw(st.lists(st.sampled_from(SUBS), max_size=2))
        lines += [sub + s for s in subs]
        expected.append(" ".join([text] + [sub + s for s in subs]))
    return lines, [(section, text) for text in expected]


@st.composite
def assessments(draw):
    """A narrative ending with an assessment worded, numbered and bulleted at random."""
    def heading(family: str, number: str) -> str:
        words = draw(st.sampled_from(FAMILY_WORDS[family]))
        words = CASES[draw(st.sampled_from(sorted(CASES)))](words)
        colon = ":" if draw(st.booleans()) else ""
        return f"{number}{words}{colon}"

    anchor = draw(st.booleans())
    roman = draw(st.booleans())
    sub = draw(st.sampled_from([("1. ", "2. "), ("a) ", "b) "), ("", "")]))
    lines = ["II. KẾT QUẢ THỰC HIỆN", "1. Cải cách thể chế",
             "- Ban hành 27 văn bản QPPL.", ""]
    expected = []
    if anchor:
        lines.append(heading("assessment", "III. " if roman else ""))
        numbers = sub
    else:
        numbers = ("III. ", "IV. ") if roman else ("", "")
    for section, number in (("strength", numbers[0]), ("shortfall", numbers[1])):
        body, items = draw(sections(section))
        lines += [heading(section, number), *body, ""]
        expected += items
    body, items = draw(sections("task"))
    lines += [heading("task", "V. " if roman else ""), "", *body, ""]
    expected += items
    lines += draw(st.sampled_from(STOPS)) + ["", "Nguyễn Văn A"]
    return [(n, text) for n, text in enumerate(lines, start=1) if text.strip()], expected


@GENERATED
@given(case=assessments())
def test_generated_assessments_are_read_item_by_item(case):
    narrative, expected = case
    reading = assessment.read(narrative)
    assert [(item.section, item.text) for item in reading.items] == expected, narrative
    assert reading.problems == []


def test_numbered_items_under_a_roman_heading_are_items():
    narrative = list(enumerate(["IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024",
                                "1. Tiếp tục cải cách thủ tục hành chính.",
                                "2. Đẩy mạnh chuyển đổi số.", "Nơi nhận:"], start=1))
    reading = assessment.read(narrative)
    assert [(i.section, i.item, i.text, i.line) for i in reading.items] == [
        ("task", 1, "Tiếp tục cải cách thủ tục hành chính.", 2),
        ("task", 2, "Đẩy mạnh chuyển đổi số.", 3)]


def test_numbered_lines_above_bullets_head_groups_of_items():
    narrative = list(enumerate(["IV. NHIỆM VỤ NĂM 2024", "1. Về cải cách thể chế:",
                                "- Rà soát văn bản QPPL.", "- Kiểm tra văn bản QPPL.",
                                "2. Về cải cách thủ tục hành chính:",
                                "- Đơn giản hóa thủ tục hành chính.", "Nơi nhận:"], start=1))
    reading = assessment.read(narrative)
    assert [(i.item, i.text, i.line) for i in reading.items] == [
        (1, "Rà soát văn bản QPPL.", 3), (2, "Kiểm tra văn bản QPPL.", 4),
        (3, "Đơn giản hóa thủ tục hành chính.", 6)]
    assert reading.problems[0].kind == "assessment_section_missing"


def test_causes_after_the_shortfalls_are_not_shortfalls():
    narrative = list(enumerate(["2. Những tồn tại, hạn chế và nguyên nhân",
                                "- Tỷ lệ hồ sơ trực tuyến còn thấp.",
                                "Nguyên nhân:", "- Hạ tầng chưa đồng bộ."], start=1))
    reading = assessment.read(narrative)
    assert [i.text for i in reading.items] == ["Tỷ lệ hồ sơ trực tuyến còn thấp."]


# --- what is missing is recorded, not fatal -------------------------------------------------

def _seed_without(tmp_path, first: int, last: int, name="thai-nguyen_2022.txt"):
    """The seed with raw lines first..last (1-based) left out."""
    lines = _raw_lines(SEED)
    path = tmp_path / name
    path.write_text("\n".join(lines[:first - 1] + lines[last:]), encoding="utf-8")
    return path


def test_a_report_without_the_sections_gets_an_empty_table_and_a_warning(tmp_path, seed):
    path = _seed_without(tmp_path, 277, 331)      # III. ĐÁNH GIÁ CHUNG ... the last task
    got = ingest.run(path, tmp_path / "out")
    assert got.assessment.empty and list(got.assessment.columns) == assessment.COLUMNS
    issue = got.issues.iloc[-1]
    assert (issue["kind"], issue["severity"]) == ("no_assessment", "warning")
    assert "Ưu điểm" in issue["message_en"] and issue["message_vi"]
    written = paths.processed_dir("thai-nguyen_2022", tmp_path / "out") / "assessment.csv"
    assert written.read_text(encoding="utf-8-sig").strip() == ",".join(assessment.COLUMNS)
    assert written.with_suffix(".parquet").exists()
    assert_frame_equal(got.indicators, seed.indicators.assign(
        line=got.indicators["line"], location=got.indicators["location"]))
    checks = audit.audit(got.indicators, got.facts, got.issues)
    assert "parse:no_assessment:" in set(checks["check_id"])


def test_a_section_present_but_empty_is_recorded_with_its_line(tmp_path):
    path = _seed_without(tmp_path, 294, 304)      # the shortfalls' bullets
    got = ingest.read(path)
    issue = got.issues.set_index("kind").loc["assessment_section_empty"]
    assert int(issue["line"]) == 293 and "Tồn tại, hạn chế" in issue["message_en"]
    assert assessment.counts(got.assessment) == {"strength": 5, "shortfall": 0, "task": 11}


def test_a_missing_section_is_recorded():
    narrative = list(enumerate(["IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024",
                                "- Tiếp tục cải cách thủ tục hành chính."], start=1))
    reading = assessment.read(narrative)
    assert [p.kind for p in reading.problems] == ["assessment_section_missing"]
    assert "Strengths; Shortfalls" in reading.problems[0].message_en


def test_a_line_that_is_not_an_item_is_recorded_not_guessed():
    narrative = list(enumerate(["1. Ưu điểm", "- Công tác kiểm tra được tăng cường.",
                                "Công tác tuyên truyền còn hạn chế."], start=1))
    reading = assessment.read(narrative)
    assert [i.text for i in reading.items] == ["Công tác kiểm tra được tăng cường."]
    assert [(p.kind, p.line) for p in reading.problems if p.kind != "assessment_section_missing"] \
        == [("assessment_loose_text", 3)]


# --- themes and figures come from assessment.yml --------------------------------------------

def test_theme_is_that_of_the_first_keyword():
    assert assessment.theme_of("Tỷ lệ hồ sơ thanh toán trực tuyến còn thấp; việc giải quyết "
                               "thủ tục hành chính còn chậm") == "digital_government"
    assert assessment.theme_of("Việc giải quyết thủ tục hành chính còn chậm; tỷ lệ thanh toán "
                               "trực tuyến còn thấp") == "procedures"
    assert assessment.theme_of("Tổ chức tổng kết năm") == "general"


def test_themes_and_links_follow_the_yaml(tmp_path, monkeypatch):
    spec = tmp_path / "assessment.yml"
    text = assessment.SPEC_FILE.read_text(encoding="utf-8")
    spec.write_text(text + "  - name: postal service\n    patterns: ['bưu chính']\n"
                    "    indicators: [III.2]\n    facts: [procedures_joint_levels]\n",
                    encoding="utf-8")
    custom = assessment.spec(str(spec))
    monkeypatch.setattr(assessment, "spec", lambda: custom)
    rows, found = assessment.figures_of("Trả kết quả qua dịch vụ bưu chính công ích")
    assert rows == ["III.2", "III.2.1", "III.2.2", "III.2.3"]
    assert found == ["procedures_joint_levels"]


def test_a_link_to_an_unknown_row_or_fact_is_refused(tmp_path):
    spec = tmp_path / "assessment.yml"
    spec.write_text(assessment.SPEC_FILE.read_text(encoding="utf-8")
                    + "  - name: typo\n    patterns: ['x']\n    indicators: [VII.9.9]\n"
                    "    facts: [no_such_fact]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"typo.*VII\.9\.9.*no_such_fact"):
        assessment.spec(str(spec))


def test_every_theme_has_its_names_in_both_languages():
    for theme in assessment.theme_ids():
        assert assessment.theme_name(theme, "vi") and assessment.theme_name(theme, "en")
    sections = {s.section for s in assessment.spec().themes} - {""}
    assert sections == {"I", "II", "III", "IV", "V", "VI", "VII"}


# --- the check-only command -----------------------------------------------------------------

def test_check_only_command_prints_the_items_per_section(capsys):
    assert ingest.main([str(SEED)]) == 0
    assert "assessment: 5 strength(s), 5 shortfall(s), 11 task(s) read" in \
        capsys.readouterr().out


# --- the data-entry workbook ----------------------------------------------------------------

@pytest.fixture(scope="module")
def template_once(tmp_path_factory):
    return workbook.template("Lạng Sơn", 2023, path=tmp_path_factory.mktemp("t") / "entry.xlsx")


@pytest.fixture
def template(template_once, tmp_path):
    """An empty workbook for each test (a copy of one written once)."""
    return Path(shutil.copy(template_once, tmp_path / "entry.xlsx"))


def _type_items(path, rows: list[dict], drop_sheet=False):
    book = load_workbook(path)
    sheet = book[assessment_sheet.name()]
    if drop_sheet:
        book.remove(sheet)
    col = {key: i for i, (key, *_rest) in enumerate(assessment_sheet.columns(), start=1)}
    for number, row in enumerate(rows, start=workbook.FIRST_ROW):
        for key, value in row.items():
            sheet.cell(number, col[key]).value = value
    book.save(path)
    return path


def test_template_sheet_lists_sections_and_themes_to_choose_from(template):
    sheet = load_workbook(template)[assessment_sheet.name()]
    lists = {next(iter(v.sqref.ranges)).min_col: v.formula1
             for v in sheet.data_validations.dataValidation}
    assert lists == {1: '"strength,shortfall,task"',
                     4: '"' + ",".join(assessment.theme_ids()) + '"'}


def test_workbook_items_take_names_typed_ids_and_their_own_order(template):
    got = ingest.read(_type_items(template, [
        {"section": "task", "item": 2, "text": "Đẩy mạnh giải ngân vốn đầu tư công."},
        {"section": "Mặt tích cực", "text": "Tỷ lệ hồ sơ thanh toán trực tuyến tăng.",
         "theme": "Cải cách thủ tục hành chính", "indicator_ids": "VII.6.5, VII.6.5.1"},
        {"section": "shortfall", "text": "Hạ tầng chưa đồng bộ.", "fact_ids": "bogus_fact"},
        {"section": "TASK", "item": 1, "text": "Tiếp tục đẩy mạnh chuyển đổi số."},
    ]))
    items = got.assessment.set_index(["section", "item"])
    assert list(items.index) == [("strength", 1), ("shortfall", 1), ("task", 1), ("task", 2)]
    assert items.loc[("strength", 1), "theme"] == "procedures"            # as typed
    assert items.loc[("strength", 1), "indicator_ids"] == "VII.6.5; VII.6.5.1"
    assert items.loc[("task", 1), "theme"] == "digital_government"        # by the rules
    assert items.loc[("task", 2), "line"] == workbook.FIRST_ROW
    assert list(got.issues["kind"]) == ["assessment_unknown_id"]
    assert "bogus_fact" in got.issues.iloc[0]["message_en"]


@pytest.mark.parametrize("row, words", [
    ({"section": "ưu", "text": "Công tác kiểm tra được tăng cường."}, "'ưu' is not one of"),
    ({"section": "task"}, "an item without its text"),
    ({"section": "task", "item": "hai", "text": "Tiếp tục."}, "not a whole number"),
])
def test_workbook_entries_that_cannot_be_read_are_refused_with_their_row(template, row, words):
    with pytest.raises(ReportError, match=words) as caught:
        ingest.read(_type_items(template, [row]))
    assert f"row {workbook.FIRST_ROW}" in str(caught.value)


def test_a_workbook_without_items_or_without_the_sheet_warns(template):
    assert list(ingest.read(template).issues["kind"]) == ["no_assessment"]
    older = ingest.read(_type_items(template, [], drop_sheet=True))
    assert older.assessment.empty and list(older.issues["kind"]) == ["no_assessment"]
    assert assessment_sheet.name() in older.issues.iloc[0]["message_vi"]


def test_seed_items_typed_into_the_workbook_link_like_the_text(seed, template):
    rows = [{"section": r["section"], "item": r["item"], "text": r["text_vi"]}
            for r in seed.assessment.to_dict("records")]
    got = ingest.read(_type_items(template, rows))
    # the template's forms are empty here, so only the themes can be compared
    assert list(got.assessment["theme"]) == list(seed.assessment["theme"])
    assert set(got.assessment["indicator_ids"]) == {""}
    assert isinstance(got.assessment, pd.DataFrame)
