"""A narrative figure is taken only from a sentence it can belong to: about the province
(not a district, a commune, a department or another province), a rank within its ranking,
a percentage within 0-100, a number that reads one way, a date that exists. Otherwise it is
recorded and left out, and a later sentence may give it.

The narratives below are synthetic: sentences invented for these tests (their figures are
no report's). Expected values are read by hand from the sentences.
"""
from __future__ import annotations

import pytest

from conftest import SYNTHETIC_WORDING
from derived import DECOY, decoy_line, with_decoy
from helpers import facts, ingest

BAC_KAN = facts.Subject("Bắc Kạn")
# Invented: the province's own PAR INDEX sentence (read by hand: 84,31 points, 35th of 63,
# up 1,20 points and 2 places)
PROVINCE_PAR = ("Theo kết quả công bố, tỉnh Bắc Kạn đạt 84,31 điểm và xếp thứ 35/63 tỉnh, "
                "thành phố, tăng 1,20 điểm và tăng 2 bậc so với năm 2021.")


def found(sentences: list[str], subject: facts.Subject | None = BAC_KAN, year: int = 2023):
    """The facts of a narrative of these sentences (one a line) and the refusals."""
    refused: list[facts.Refusal] = []
    stated = facts.extract(list(enumerate(sentences, start=1)), year, refused, subject)
    return {fact["fact_id"]: fact for fact in stated}, refused


def test_a_district_sentence_before_the_provinces_gives_nothing():
    district = ("Chỉ số CCHC năm 2022 của huyện Chợ Đồn đạt 70,50 điểm, xếp thứ 8/8 đơn vị "
                "cấp huyện, tăng 2,15 điểm và tăng 1 bậc so với năm 2021.")
    got, refused = found([district, PROVINCE_PAR])
    assert {key: got[key]["value"] for key in (
        "par_index_score", "par_index_rank", "par_index_rank_of", "par_index_score_change",
        "par_index_rank_change")} == {"par_index_score": 84.31, "par_index_rank": 35,
                                      "par_index_rank_of": 63, "par_index_score_change": 1.2,
                                      "par_index_rank_change": 2}
    assert {fact["line"] for fact in got.values()} == {2}
    assert [(r.kind, r.line, r.values["fact"], r.values["subject"], r.values["kind"])
            for r in refused][:3] == [
        ("fact_other_subject", 1, "par_index_score", "huyện Chợ Đồn", "district"),
        ("fact_other_subject", 1, "par_index_rank", "huyện Chợ Đồn", "district"),
        ("fact_other_subject", 1, "par_index_rank_of", "huyện Chợ Đồn", "district")]
    assert {r.values["fact"] for r in refused} == {
        "par_index_score", "par_index_rank", "par_index_rank_of", "par_index_score_change",
        "par_index_rank_change"}


@pytest.mark.parametrize("sentence, kind, words", [
    ("Chỉ số CCHC của xã Bằng Vân đạt 91,20 điểm, xếp thứ 1/108.", "commune", "xã Bằng Vân"),
    ("Năm 2022, Sở Nội vụ đạt 92,04 điểm và xếp thứ 1/19 sở, ngành.", "department",
     "Sở Nội vụ"),
    ("Chỉ số CCHC năm 2022 của tỉnh Cao Bằng đạt 81,90 điểm và xếp thứ 52/63.",
     "other_province", "tỉnh Cao Bằng"),
    ("Chỉ số CCHC của thị xã Phổ Yên đạt 88,75 điểm và xếp thứ 2/9.", "district",
     "thị xã Phổ Yên"),
    # the provincial capital bears the province's name but is a district-level city
    ("Chỉ số CCHC của thành phố Bắc Kạn đạt 87,10 điểm và xếp thứ 1/8.", "district",
     "thành phố Bắc Kạn"),
])
def test_each_kind_of_other_subject_is_recognised(sentence, kind, words):
    got, refused = found([sentence])
    assert "par_index_score" not in got
    first = refused[0]
    assert (first.values["fact"], first.values["kind"], first.values["subject"]) == \
        ("par_index_score", kind, words)


def test_the_province_named_generically_or_by_its_name_is_the_province():
    # 'các sở, ngành' and 'cấp huyện' name no one; the last subject before the figure counts
    sentence = ("Sau khi các sở, ngành và UBND cấp huyện triển khai, Chỉ số CCHC năm 2022 "
                "của tỉnh Bắc Kạn đạt 84,31 điểm và xếp thứ 35/63.")
    got, refused = found([sentence])
    assert (got["par_index_score"]["value"], refused) == (84.31, [])
    generic = "Chỉ số CCHC năm 2022 của tỉnh đạt 84,31 điểm và xếp thứ 35/63."
    assert found([generic])[0]["par_index_rank"]["value"] == 35


def test_a_centrally_run_city_is_its_own_province_and_its_districts_are_not():
    hanoi = facts.Subject("Hà Nội", "thành phố")
    district = "Chỉ số CCHC của quận Ba Đình đạt 90,12 điểm và xếp thứ 1/30."
    own = "Chỉ số CCHC của thành phố Hà Nội đạt 86,50 điểm và xếp thứ 14/63."
    got, refused = found([district, own], hanoi)
    assert got["par_index_score"]["value"] == 86.5 and got["par_index_score"]["line"] == 2
    assert refused[0].values["kind"] == "district"


def test_without_a_province_no_subject_is_checked():
    district = "Chỉ số CCHC của huyện Chợ Đồn đạt 70,50 điểm, xếp thứ 8/8."
    assert found([district], subject=None)[0]["par_index_score"]["value"] == 70.5


def test_a_sentence_without_vi_tri_still_gives_the_index():
    # the patterns' optional words are never what a sentence must contain
    got, _ = found(["Tỉnh Bắc Kạn đạt 84,31 điểm, xếp thứ 35/63 tỉnh, thành phố."])
    assert (got["par_index_score"]["value"], got["par_index_rank"]["value"]) == (84.31, 35)


def test_a_percentage_over_100_is_left_out_and_a_later_sentence_gives_it():
    sipas = ("Kết quả Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan "
             "hành chính nhà nước tỉnh Bắc Kạn năm 2022 đạt {}% xếp thứ 37/63 và tăng 5 bậc "
             "so với năm 2021.")
    got, refused = found([sipas.format("189,42"), sipas.format("83,16")])
    assert (got["sipas_score"]["value"], got["sipas_score"]["line"]) == (83.16, 2)
    assert got["sipas_rank"]["line"] == 1       # the first sentence's rank fits its ranking
    assert [(r.kind, r.values["fact"], r.values["value"], r.values["high"]) for r in refused] \
        == [("fact_out_of_range", "sipas_score", "189,42", 100)]


def test_a_share_of_a_plan_may_pass_100():
    sentence = ("- Ước lũy kế thanh toán vốn từ đầu năm đến hết tháng báo cáo (31/12/2023): "
                "6.500.000/5.400.000 triệu đồng, đạt 120,4% so với số kế hoạch vốn do Thủ "
                "tướng Chính phủ giao.")
    got, refused = found([sentence])
    assert (got["investment_estimate_pct_pm"]["value"], refused) == (120.4, [])


def test_a_rank_beyond_its_ranking_leaves_out_rank_and_ranking():
    wrong = "Tỉnh Bắc Kạn đạt 84,31 điểm và xếp thứ 70/63 tỉnh, thành phố."
    got, refused = found([wrong, PROVINCE_PAR])
    assert got["par_index_score"]["line"] == 1          # the score itself may be right
    assert (got["par_index_rank"]["value"], got["par_index_rank"]["line"]) == (35, 2)
    assert got["par_index_rank_of"]["line"] == 2
    assert [(r.kind, r.values["fact"], r.values["rank"], r.values["of"]) for r in refused] == [
        ("fact_rank_out_of_range", "par_index_rank", 70, 63),
        ("fact_rank_out_of_range", "par_index_rank_of", 70, 63)]
    zero = "Tỉnh Bắc Kạn đạt 84,31 điểm và xếp thứ 0/63 tỉnh, thành phố."
    assert "par_index_rank" not in found([zero])[0]


def test_a_count_that_reads_two_ways_is_left_out_a_percentage_is_not():
    sentences = ["Tính đến ngày 15/12/2023, tổng số hồ sơ được tiếp nhận là 1,000 hồ sơ, tỷ lệ "
                 "hồ sơ giải quyết đúng hạn đạt 99,650%.",
                 "Tính đến ngày 15/12/2023, tổng số hồ sơ được tiếp nhận là 12.345 hồ sơ."]
    got, refused = found(sentences)
    assert (got["dossiers_received"]["value"], got["dossiers_received"]["line"]) == (12345, 2)
    assert got["dossiers_on_time_pct"]["value"] == 99.65
    assert [(r.kind, r.values["value"], r.values["thousand"], r.values["decimal"])
            for r in refused] == [("ambiguous_fact", "1,000", 1000, 1)]


def test_a_date_that_does_not_exist_leaves_the_figure_out():
    sentences = ["Tính đến ngày 31/11/2023, tổng số hồ sơ được tiếp nhận là 12.345 hồ sơ.",
                 "Tính đến ngày 30/11/2023, tổng số hồ sơ được tiếp nhận là 12.300 hồ sơ."]
    got, refused = found(sentences)
    assert (got["dossiers_received"]["value"], got["dossiers_received"]["period"]) == \
        (12300, "2023-11-30")
    assert [(r.kind, r.values["date"]) for r in refused] == [("fact_invalid_date", "31/11/2023")]


# --- through the ingest: facts.csv and parse_issues.csv -----------------------------------

def test_the_decoy_report_keeps_the_provinces_figures_and_records_the_district(tmp_path):
    report = with_decoy(SYNTHETIC_WORDING, tmp_path / "decoy_lang-son_2023.txt")
    got = ingest.read(report)
    stated = got.facts.set_index("fact_id")["value"]
    # read by hand from the Lạng Sơn fixture, lines 17-19: 84,37 points, 41st of 63, up 1,62
    # points and down 2 places; SIPAS 83,16%, 37th of 63, up 5 places
    assert stated[["par_index_score", "par_index_rank", "par_index_rank_of",
                   "par_index_score_change", "par_index_rank_change", "sipas_score",
                   "sipas_rank", "sipas_rank_of", "sipas_rank_change"]].tolist() == \
        [84.37, 41, 63, 1.62, -2, 83.16, 37, 63, 5]
    # ... and every other fact as the fixture without the decoy gives it
    plain = ingest.read(SYNTHETIC_WORDING).facts.set_index("fact_id")["value"]
    assert stated.to_dict() == plain.to_dict()
    line = decoy_line(report)
    assert list(got.issues["kind"]) == ["fact_other_subject"]   # the decoy's line, once
    issue = got.issues.iloc[0]
    assert (issue["line"], issue["location"], issue["severity"], issue["indicator_id"]) == \
        (line, f"line:{line}", "warning", "")
    # its 5 PAR INDEX figures and 4 SIPAS figures, as DECOY writes them
    assert issue["message_en"] == (
        "'PAR Index score' (70,50), 'PAR Index rank' (9), 'Provinces ranked on the PAR Index' "
        "(11), 'Change in PAR Index score on the year before' (2,15), 'Change in PAR Index "
        "rank on the year before (places up)' (1), 'SIPAS satisfaction index' (81,20), "
        "'SIPAS rank' (3), 'Provinces ranked on SIPAS' (11), 'Change in SIPAS rank on the "
        "year before (places up)' (2) are stated of huyện Chi Lăng (a district), not of the "
        "province; they are left out (a later sentence about the province may give them)")
    assert "huyện Chi Lăng (cấp huyện)" in issue["message_vi"]
    assert "70,50" in DECOY and "81,20%" in DECOY


def test_a_refused_figure_is_an_error_in_parse_issues_and_in_the_audit(tmp_path):
    from helpers import audit
    text = SYNTHETIC_WORDING.read_text(encoding="utf-8")
    assert text.count("năm 2022 đạt 83,16% xếp thứ") == 1
    report = tmp_path / "sipas_lang-son_2023.txt"
    report.write_text(text.replace("năm 2022 đạt 83,16% xếp thứ", "năm 2022 đạt 183,16% xếp thứ"),
                      encoding="utf-8")
    got = ingest.read(report)
    assert "sipas_score" not in set(got.facts["fact_id"])
    issue = got.issues.set_index("kind").loc["fact_out_of_range"]
    assert issue["severity"] == "error"
    assert "outside what it can be (0 to 100)" in issue["message_en"]
    assert "(từ 0 đến 100)" in issue["message_vi"]
    checks = audit.audit(got.indicators, got.facts, got.issues)
    failed = checks[checks["check_id"].str.startswith("parse:fact_out_of_range")]
    assert list(failed["severity"]) == ["error"] and list(failed["status"]) == ["failed"]
