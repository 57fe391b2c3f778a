"""Ingest: the parser matches hand-read golden files, row by row and fact by fact."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import ingest, report
from helpers.errors import ReportError

from conftest import FIXTURES, SEED, SYNTHETIC, read_golden


def _num(text: str):
    return None if text == "" else float(text)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None
    return b is not None and a == pytest.approx(b)


def _compare_with_golden(indicators: pd.DataFrame, golden: pd.DataFrame) -> list[str]:
    problems = []
    if list(indicators["indicator_id"]) != list(golden["indicator_id"]):
        problems.append("row order or set differs: "
                        f"{set(indicators['indicator_id']) ^ set(golden['indicator_id'])}")
    for (_, got), (_, want) in zip(indicators.iterrows(), golden.iterrows()):
        where = want["indicator_id"]
        if int(got["form"]) != int(want["form"]) or got["code"] != want["code"]:
            problems.append(f"{where}: form/code {got['form']}/{got['code']}")
        if got["value_raw"] != want["value_raw"]:
            problems.append(f"{where}: value_raw {got['value_raw']!r} != {want['value_raw']!r}")
        for column, golden_column in (("value", "value"), ("formula_numerator", "numerator"),
                                      ("formula_denominator", "denominator")):
            if not _same(got[column], _num(want[golden_column])):
                problems.append(f"{where}: {column} {got[column]!r} != {want[golden_column]!r}")
        if got["note"] != want["note"]:
            problems.append(f"{where}: note {got['note']!r} != {want['note']!r}")
    return problems


def test_seed_matches_the_hand_read_golden_file(seed):
    golden = read_golden("thai-nguyen_2022_indicators.csv")
    assert len(seed.indicators) == len(golden) == 153
    assert _compare_with_golden(seed.indicators, golden) == []


def test_synthetic_report_matches_its_golden_file(synthetic):
    golden = read_golden("synthetic_bac-kan_2023_indicators.csv")
    assert _compare_with_golden(synthetic.indicators, golden) == []


def test_report_identity(seed):
    parsed = seed.report
    assert parsed.report_id == "thai-nguyen_2022"
    assert (parsed.province, parsed.year) == ("Thái Nguyên", 2022)
    assert (parsed.number, parsed.date) == ("301/BC-UBND", "2022-12-19")


def test_synthetic_identity(synthetic):
    assert synthetic.report_id == "bac-kan_2023"
    assert (synthetic.report.number, synthetic.report.date) == ("215/BC-UBND", "2023-12-15")


@pytest.mark.parametrize("text, slug", [
    ("Thái Nguyên", "thai-nguyen"), ("Đắk Lắk", "dak-lak"), ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
    ("Thừa Thiên Huế", "thua-thien-hue"), ("Hồ Chí Minh", "ho-chi-minh"),
])
def test_slug_folds_diacritics_and_d(text, slug):
    assert report.slugify(text) == slug


def test_every_row_is_in_the_catalogue_and_nothing_is_flagged(seed):
    assert seed.indicators["in_catalogue"].all()
    assert seed.issues.empty


def test_enum_rows_carry_their_decoded_label(seed):
    rows = seed.indicators.set_index("indicator_id")
    assert rows.loc["I.6.2", "value_label_vi"] == "Phát phiếu"
    assert rows.loc["I.6.2", "value_label_en"] != ""
    assert rows.loc["VII.4", "value_label_vi"] == "Hoàn thành"
    assert rows.loc["I.6", "value_label_vi"] == "Có"


def test_empty_cells_stay_empty_never_zero(seed):
    rows = seed.indicators.set_index("indicator_id")
    for ind in ("V.2.3", "VI.2.4.1", "VI.2.6", "VII.3"):
        assert math.isnan(rows.loc[ind, "value"]), ind
    assert rows.loc["II.1.2", "value"] == 0  # a written 0 is a 0


# Figures read by hand from the narrative: (fact_id, value, period, words of its sentence).
SEED_FACTS = [
    ("par_index_score", 89.20, "2021", "đạt 89,20 điểm và xếp vị trí thứ 6/63"),
    ("par_index_rank", 6, "2021", "xếp vị trí thứ 6/63 tỉnh, thành phố"),
    ("par_index_rank_of", 63, "2021", "thứ 6/63"),
    ("par_index_score_change", 3.59, "2021", "tăng 3,59 điểm và tăng 6 bậc so với năm 2020"),
    ("par_index_rank_change", 6, "2021", "tăng 6 bậc so với năm 2020"),
    ("par_index_region_rank", 1, "2021", "xếp thứ nhất so với 14 tỉnh"),
    ("sipas_score", 89.42, "2021", "năm 2021 đạt 89,42% xếp thứ 11/63"),
    ("sipas_rank", 11, "2021", "xếp thứ 11/63"),
    ("sipas_rank_of", 63, "2021", "xếp thứ 11/63"),
    ("sipas_rank_change", 13, "2021", "tăng 13 bậc so với năm 2020"),
    ("investment_plan_pm", 5992283, "2022", "Thủ tướng Chính phủ giao: 5.992.283 triệu đồng"),
    ("investment_plan_provincial", 9176744, "2022", "toàn tỉnh: 9.176.744 triệu đồng"),
    ("investment_disbursed", 5223285, "2022-11-30", "(30/11/2022): 5.223.285/5.992.283"),
    ("investment_disbursed_pct_pm", 87.2, "2022-11-30", "đạt 87,2% so với số kế hoạch vốn"),
    ("investment_disbursed_pct_provincial", 57, "2022-11-30", "đạt 57% so với kế hoạch tỉnh giao"),
    ("investment_estimate_year_end", 7225500, "2022-12-31", "(31/12/2022): 7.225.500/5.992.283"),
    ("investment_estimate_pct_pm", 120.6, "2022-12-31", "đạt 120,6% so với số kế hoạch"),
    ("dossiers_received", 946181, "2022-12-15", "tổng số hồ sơ được tiếp nhận là 946.181 hồ sơ"),
    ("dossiers_on_time_pct", 99.68, "2022-12-15", "đúng hạn đạt 99,68%"),
    ("online_services_total", 1758, "2022", "cung cấp 1.758 dịch vụ công trực tuyến"),
    ("online_services_national_portal", 1013, "2022", "Cổng dịch vụ công quốc gia 1.013"),
    ("online_payment_pct", 61, "2022", "thanh toán trực tuyến là 61%"),
    ("procedures_with_fees", 887, "2022", "là 887 TTHC"),
    ("procedures_online_payment", 584, "2022", "Cổng DVC của tỉnh là 584 TTHC"),
    ("level4_online_processing_pct", 90, "2022", "trực tuyến mức độ 4 toàn tỉnh đạt 90%"),
    ("level4_online_processing_target_pct", 55, "2022", "mức độ 4 đạt 55%"),
    ("procedures_total", 1893, "2022-12-14", "là: 1.893 TTHC"),
    ("public_service_units", 792, "2022", "tổng số là 792 đơn vị (giảm 110 đơn vị"),
    ("civil_servants_recruited", 48, "2022", "tuyển dụng là 48 người"),
    ("public_employees_recruited", 229, "2022", "Số viên chức được tuyển dụng: 229 người"),
    ("inspected_districts", 5, "2022", "05 đơn vị cấp huyện"),
    ("gov_tasks_assigned", 149, "2022", "được giao 149 nhiệm vụ"),
]


@pytest.mark.parametrize("fact_id, value, period, words", SEED_FACTS,
                         ids=[f[0] for f in SEED_FACTS])
def test_seed_narrative_fact(seed, fact_id, value, period, words):
    facts = seed.facts.set_index("fact_id")
    assert fact_id in facts.index
    fact = facts.loc[fact_id]
    assert fact["value"] == pytest.approx(value)
    assert fact["period"] == period
    assert words in fact["sentence"]
    assert fact["line"] > 0


def test_a_sentence_broken_by_a_page_break_is_joined(seed):
    sentence = seed.facts.set_index("fact_id").loc["par_index_rank_change", "sentence"]
    assert "xếp thứ nhất so với 14 tỉnh khu vực Trung du Miền núi phía Bắc" in sentence


def test_synthetic_facts_match_their_golden_file(synthetic):
    golden = read_golden("synthetic_bac-kan_2023_facts.csv")
    facts = synthetic.facts.set_index("fact_id")
    problems = [f"{row.fact_id}: missing" if row.fact_id not in facts.index else
                f"{row.fact_id}: {facts.loc[row.fact_id, 'value']} != {row.value}"
                for row in golden.itertuples()
                if row.fact_id not in facts.index
                or facts.loc[row.fact_id, "value"] != pytest.approx(float(row.value))]
    assert problems == []


def test_written_files_are_utf8_with_bom_and_round_trip(seed, tmp_path):
    target = ingest.write(seed, tmp_path)
    raw = (target / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Thủ tục".encode("utf-8") in raw
    back = pd.read_csv(target / "indicators.csv", encoding="utf-8-sig")
    assert len(back) == 153
    assert (target / "indicators.parquet").exists() and (target / "facts.csv").exists()
    assert ingest.load_metadata("thai-nguyen_2022", tmp_path)["sha256"] == seed.report.sha256


def test_checksum_mismatch_is_refused(tmp_path):
    copy = tmp_path / SEED.name
    copy.write_bytes(SEED.read_bytes() + b"\n")
    sidecar = ingest.sidecar_of(SEED)
    ingest.sidecar_of(copy).write_bytes(sidecar.read_bytes())
    with pytest.raises(ReportError, match="checksum mismatch"):
        ingest.read(copy)


def test_raw_sidecar_checksum_is_the_file_s(seed):
    assert ingest.verify_checksum(SEED, seed.report.sha256) == ""


def test_parsing_one_report_benchmark(benchmark):
    """Timing lives in `make bench` (pytest-benchmark); here it only has to run."""
    benchmark(ingest.read, SEED)


def test_an_unreadable_narrative_figure_is_left_out_and_recorded(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace(
        "hồ sơ được tiếp nhận là 946.181 hồ sơ", "hồ sơ được tiếp nhận là 946.18.1 hồ sơ")
    copy = tmp_path / "thai-nguyen_2022_edited.txt"
    copy.write_text(text, encoding="utf-8")
    result = ingest.read(copy)
    assert "dossiers_received" not in set(result.facts["fact_id"])
    assert "par_index_score" in set(result.facts["fact_id"])
    issue = result.issues[result.issues["kind"] == "unreadable_fact"].iloc[0]
    assert issue["severity"] == "error" and "946.18.1" in issue["message_en"]
    assert issue["line"] == 109  # the sentence's line in the raw file


def test_messages_of_the_command_line_are_english_unless_cchc_lang_is_vi(monkeypatch, capsys):
    error = ReportError("broken", path="r.txt", form=3, line=12)
    assert str(error) == "r.txt, Form 3, line 12: broken"
    monkeypatch.setenv("CCHC_LANG", "vi")
    assert ReportError("broken", path="r.txt", form=3, line=12).where == \
        "r.txt, Biểu mẫu 3, dòng 12"
    assert ingest.main([str(FIXTURES / "bad" / "unknown_row.txt")]) == 0
    printed = capsys.readouterr()
    assert "CẢNH BÁO" in printed.err and "không có trong danh mục chỉ tiêu" in printed.err
    assert "dòng" in printed.out
