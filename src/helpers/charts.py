"""THE plotting style of the suite, and every chart of the analysis notebooks.

One style for all charts: the Okabe-Ito colour-blind-safe palette, DejaVu Sans (it
ships with matplotlib and carries every Vietnamese diacritic), a title that states
the finding, axis labels with units, and under the chart a source line naming the
report, its forms and rows. Numbers are formatted per language by helpers.numbers;
labels come from the indicator catalogue or facts.yml; every number in a title,
caption or alt text is read from the processed tables, never typed.

The registry `figures(report_id, lang)` lists the figures in reading order with
their paths, titles, captions, alt texts and source lines (the leadership HTML uses
it); `make_theme` draws one theme's figures and saves them as PNG and SVG in both
languages; `make_all` draws every theme.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import analysis, catalogue, facts, paths, store
from .formats import format_number, format_percent

LANGS = ("vi", "en")
DPI = 150
FONT = "DejaVu Sans"
# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
           "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
           "purple": "#CC79A7", "grey": "#7F7F7F", "light": "#D9D9D9"}
COLOUR = {"report": PALETTE["blue"], "implied": PALETTE["sky"], "published": PALETTE["orange"],
          "context": PALETTE["grey"], "differs": PALETTE["vermillion"],
          "text": "#333333"}
BASIS_COLOUR = {"pm": PALETTE["purple"], "provincial": PALETTE["green"]}  # the two plans
STYLE = {
    "font.family": FONT, "font.size": 10, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 10, "axes.spines.top": False,
    "axes.spines.right": False, "axes.edgecolor": "#555555", "axes.labelcolor": "#222222",
    "xtick.color": "#333333", "ytick.color": "#333333", "legend.frameon": False,
    "legend.fontsize": 9, "svg.hashsalt": "cchc", "figure.facecolor": "white",
}
THEMES = ("par_index", "online_services", "public_investment", "scorecard")
FIGURE_NAMES = {
    "par_index": ("par_index", "sipas"),
    "online_services": ("procedure_funnel", "online_dossiers", "level4_target",
                        "online_payment_portal", "on_time_by_level"),
    "public_investment": ("investment_disbursement", "investment_rates"),
    "scorecard": ("scorecard_reform", "scorecard_organisation"),
}

TEXT = {
    "vi": {
        "source": "Nguồn: {doc}", "report": "Báo cáo {number}", "report_nonumber":
            "Báo cáo CCHC {province} năm {year}",
        "form": "Biểu mẫu {form}, dòng {rows}", "narrative": "phần thuyết minh, dòng {lines}",
        "narrative_many": "phần thuyết minh, dòng {lines}",
        "published": "nguồn công bố: {sites}",
        "year_axis": "Năm đánh giá", "score_axis": "Điểm (thang 100)",
        "sipas_axis": "Mức độ hài lòng (%)", "rank_axis": "Thứ hạng trên {of} tỉnh, thành phố",
        "score_panel": "Điểm", "rank_panel": "Thứ hạng (1 = cao nhất)",
        "origin_report": "Báo cáo nêu", "origin_implied": "Suy ra từ mức thay đổi báo cáo nêu",
        "origin_published": "Nguồn công bố", "national": "Trung bình cả nước (nguồn công bố)",
        "leaders": "5 tỉnh dẫn đầu năm {year} (nguồn công bố)",
        "name_PAR_INDEX": "Chỉ số CCHC (PAR INDEX)", "name_SIPAS": "Chỉ số hài lòng (SIPAS)",
        "index_title": "{name} của {province}: {parts}",
        "index_score_rank": "{score}, hạng {rank}/{of} năm {year}",
        "index_change": "{verb} {change}{unit} và {verb2}{places} bậc so với năm {prev}",
        "index_rank_change": "{verb} {places} bậc so với năm {prev}",
        "up": "tăng", "down": "giảm", "points": " điểm",
        "index_caption": "{name} của {province} qua các năm: năm {year} theo báo cáo, năm {prev} "
                         "suy ra từ mức thay đổi báo cáo nêu, các năm khác theo nguồn công bố; "
                         "thứ hạng vẽ trên trục đảo ngược (hạng 1 ở trên cùng).",
        "index_alt": "Biểu đồ đường {name} của {province}. Điểm: {scores}. Thứ hạng: {ranks}.",
        "no_reference": "Dữ liệu tham chiếu không có số liệu công bố cho {province}; biểu đồ chỉ "
                        "gồm số liệu của báo cáo.",
        "no_leaders": "Dữ liệu tham chiếu không có danh sách 5 tỉnh dẫn đầu năm {year}.",
        "leaders_note": "5 tỉnh dẫn đầu năm {year}: {list}.",
        "units_note": "Điểm PAR INDEX được công bố bằng “điểm” ở một số năm và bằng “%” ở các "
                      "năm khác; cả hai cùng thang 100.",
        "no_index": "Báo cáo không nêu {name} và dữ liệu tham chiếu không có số liệu cho {province}.",
        "stage_all": None, "stage_online": None,
        "stage_eligible": "TTHC đủ điều kiện trực tuyến mức 3 và 4",
        "stage_used": "TTHC mức 3, 4 có phát sinh hồ sơ trực tuyến",
        "procedures_axis": "Số thủ tục hành chính",
        "funnel_title": "{online}/{all} TTHC được cung cấp trực tuyến; {used} TTHC ({pct}) có "
                        "phát sinh hồ sơ trực tuyến",
        "funnel_title_short": "Thủ tục hành chính từ tổng số đến có hồ sơ trực tuyến",
        "funnel_caption": "Số thủ tục hành chính ở từng bước, từ tổng số thuộc thẩm quyền của "
                          "tỉnh đến số có ít nhất một hồ sơ nộp trực tuyến; tỷ lệ trong ngoặc "
                          "tính trên tổng số TTHC.",
        "funnel_alt": "Biểu đồ thanh ngang: {stages}.",
        "funnel_missing": "Thiếu số liệu cho: {stages}.",
        "from_counts": "Tính từ số liệu (dòng {num}/{den})",
        "as_reported": "Tỷ lệ biểu mẫu ghi (dòng {row})",
        "dossiers_axis": "% hồ sơ",
        "dossiers_title_differs": "Tính từ số hồ sơ, {pct} hồ sơ được tiếp nhận trực tuyến "
                                  "({num}/{den}); biểu mẫu ghi {reported}",
        "dossiers_title": "{pct} hồ sơ TTHC được tiếp nhận trực tuyến ({num}/{den})",
        "dossiers_caption": "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: tính lại từ số hồ sơ "
                            "trực tuyến và tổng số hồ sơ, bên cạnh tỷ lệ biểu mẫu ghi.",
        "differs_note": "{label}. Biểu mẫu ghi {reported}; tính lại từ số liệu của chính biểu "
                        "mẫu được {pct}.",
        "formula_note": " Ô công thức của biểu mẫu dùng {a}/{b}.",
        "audit_note": " Phần kiểm tra số liệu cũng ghi nhận sai lệch này.",
        "rate_alt": "Biểu đồ thanh ngang: {items}.",
        "level4_title": "Tỷ lệ hồ sơ giải quyết trực tuyến mức độ 4 đạt {achieved}, {cmp} chỉ "
                        "tiêu {target}",
        "level4_title_alone": "Tỷ lệ hồ sơ giải quyết trực tuyến mức độ 4 đạt {achieved}",
        "above": "vượt", "below": "thấp hơn", "equal": "bằng",
        "no_target": "Báo cáo không nêu chỉ tiêu.",
        "level4_caption": "Tỷ lệ hồ sơ giải quyết trực tuyến mức độ 4 mà báo cáo nêu, so với "
                          "chỉ tiêu tỉnh giao.",
        "payment_title": "Thanh toán trực tuyến: {p1} TTHC có phí ({n1}/{d1}); Cổng DVC quốc "
                         "gia: {p2} TTHC trực tuyến ({n2}/{d2})",
        "payment_title_short": "Thanh toán trực tuyến và tích hợp Cổng dịch vụ công quốc gia",
        "payment_caption": "Tỷ lệ TTHC triển khai thanh toán trực tuyến và tỷ lệ TTHC trực tuyến "
                           "đã tích hợp lên Cổng dịch vụ công quốc gia: tính lại từ số liệu, bên "
                           "cạnh tỷ lệ biểu mẫu ghi.",
        "pct_axis": "Tỷ lệ (%)", "procedures_pct_axis": "% thủ tục hành chính",
        "resolved_panel": "Hồ sơ đã giải quyết", "on_time_panel": "Tỷ lệ giải quyết đúng hạn",
        "on_time_axis": "% hồ sơ đúng hạn",
        "on_time_title": "Tỷ lệ hồ sơ giải quyết đúng hạn từ {low} đến {high} ở cả ba cấp",
        "on_time_title_one": "Tỷ lệ hồ sơ giải quyết đúng hạn: {values}",
        "on_time_caption": "Số hồ sơ TTHC đã giải quyết và tỷ lệ giải quyết đúng hạn theo cấp: "
                           "sở, ngành, cấp huyện, cấp xã.",
        "month_axis": "Cuối tháng (năm {year})",
        "billion_axis": "Tỷ đồng (lũy kế từ đầu năm)", "billion": "tỷ đồng",
        "plan_label": "{label}: {amount} tỷ đồng",
        "point_mid_year": "{date} (nguồn công bố)", "point_to_date": "{date}",
        "point_year_end": "{date} (ước)",
        "legend_report": "Báo cáo nêu", "legend_estimate": "Ước tính của báo cáo",
        "legend_published": "Nguồn công bố",
        "invest_title": "Đến {date}, đã giải ngân {amount} tỷ đồng: {pct_pm} kế hoạch Thủ tướng "
                        "giao, {pct_prov} kế hoạch tỉnh giao",
        "invest_title_short": "Giải ngân vốn đầu tư công đến {date}: {amount} tỷ đồng",
        "invest_caption": "Vốn đầu tư công giải ngân lũy kế (tỷ đồng) so với hai kế hoạch: kế "
                          "hoạch Thủ tướng Chính phủ giao và kế hoạch tỉnh giao.",
        "invest_alt": "Biểu đồ đường: {points}; kế hoạch Thủ tướng giao {pm} tỷ đồng, kế hoạch "
                      "tỉnh giao {prov} tỷ đồng.",
        "no_mid_year": "Dữ liệu tham chiếu không có số giải ngân giữa năm {year} của {province}.",
        "estimate_note": "Số đến {date} là ước tính của báo cáo.",
        "pct_plan_axis": "% kế hoạch", "full_plan": "100% kế hoạch",
        "basis_pm": "So với kế hoạch Thủ tướng giao", "basis_provincial":
            "So với kế hoạch tỉnh giao",
        "rates_title": "Ước cả năm giải ngân {pct_pm} kế hoạch Thủ tướng giao và {pct_prov} kế "
                       "hoạch tỉnh giao",
        "rates_title_short": "Tỷ lệ giải ngân vốn đầu tư công so với kế hoạch",
        "rates_caption": "Tỷ lệ giải ngân so với hai kế hoạch ở từng thời điểm.",
        "rates_note": "Tỷ lệ của các thời điểm trong báo cáo tính từ số tiền báo cáo nêu; điểm "
                      "giữa năm giữ tỷ lệ như nguồn đã công bố.",
        "rates_alt": "Biểu đồ cột: {items}.",
        "no_plan": "Báo cáo không nêu {label}.",
        "area_institutions": "Thể chế: văn bản QPPL",
        "area_procedures_changed": "TTHC thay đổi trong năm",
        "area_procedures_by_level": "TTHC theo cấp chính quyền",
        "area_civil_service": "Tuyển dụng và bổ nhiệm",
        "area_staffing": "Biên chế có mặt so với được giao",
        "area_cuts_since_2015": "Tinh giản so với năm 2015",
        "area_autonomy": "Tự chủ tài chính của ĐVSN công lập",
        "area_digital": "Chính quyền số: kết nối và văn bản điện tử",
        "staffing_axis": "% số được giao",
        "reform_title": "Năm {year}: {parts}",
        "reform_docs": "ban hành {n} VBQPPL", "reform_new": "công bố mới {n} TTHC",
        "reform_abolished": "bãi bỏ, thay thế {n} TTHC",
        "reform_recruited": "tuyển dụng {n} công chức",
        "reform_caption": "Các chỉ tiêu khác của báo cáo: văn bản QPPL, thủ tục hành chính, "
                          "tuyển dụng và bổ nhiệm.",
        "org_title": "Biên chế công chức có mặt bằng {pct} số được giao; {n}/{total} ĐVSN do "
                     "Nhà nước bảo đảm chi thường xuyên",
        "org_title_short": "Tổ chức bộ máy, biên chế, tự chủ tài chính và chính quyền số",
        "org_caption": "Biên chế có mặt so với được giao, tỷ lệ tinh giản so với năm 2015, tự "
                       "chủ tài chính của đơn vị sự nghiệp và các chỉ tiêu chính quyền số.",
        "scorecard_alt": "Bốn biểu đồ thanh ngang nhỏ. {items}.",
        "status_note": "Trạng thái: {items}.",
        "empty_rows": "Không có số liệu: {labels}.",
        "no_data": "Không có số liệu",
        "not_drawn": "Không vẽ vì báo cáo thiếu số liệu: {names}",
    },
    "en": {
        "source": "Source: {doc}", "report": "Report {number}", "report_nonumber":
            "{province} administrative reform report {year}",
        "form": "Biểu mẫu {form}, rows {rows}", "narrative": "narrative, line {lines}",
        "narrative_many": "narrative, lines {lines}",
        "published": "published sources: {sites}",
        "year_axis": "Year assessed", "score_axis": "Score (out of 100)",
        "sipas_axis": "Satisfaction (%)", "rank_axis": "Rank among {of} provinces",
        "score_panel": "Score", "rank_panel": "Rank (1 = best)",
        "origin_report": "Stated in the report",
        "origin_implied": "Implied by the change the report states",
        "origin_published": "Published source", "national": "National average (published)",
        "leaders": "Top five in {year} (published)",
        "name_PAR_INDEX": "PAR Index", "name_SIPAS": "SIPAS satisfaction index",
        "index_title": "{province}'s {name}: {parts}",
        "index_score_rank": "{score}, {rank} of {of} in {year}",
        "index_change": "{verb} {change}{unit} and {verb2}{places} places on {prev}",
        "index_rank_change": "{verb} {places} places on {prev}",
        "up": "up", "down": "down", "points": " points",
        "index_caption": "{province}'s {name} over the years: {year} as the report states it, "
                         "{prev} implied by the change the report states, other years from "
                         "published sources; rank on an inverted axis (1st at the top).",
        "index_alt": "Line chart of {province}'s {name}. Score: {scores}. Rank: {ranks}.",
        "no_reference": "The reference data holds no published figures for {province}; the chart "
                        "shows the report's figures only.",
        "no_leaders": "The reference data has no list of the top five for {year}.",
        "leaders_note": "Top five in {year}: {list}.",
        "units_note": "Published PAR Index scores are given in points in some years and in "
                      "percent in others; both are on a 0-100 scale.",
        "no_index": "The report states no {name} and the reference data has none for {province}.",
        "stage_all": None, "stage_online": None,
        "stage_eligible": "Eligible for online provision (levels 3 and 4)",
        "stage_used": "Level 3-4 procedures that received an online dossier",
        "procedures_axis": "Administrative procedures",
        "funnel_title": "{online} of {all} procedures are offered online; {used} ({pct}) "
                        "received an online dossier",
        "funnel_title_short": "Administrative procedures, from all to those used online",
        "funnel_caption": "Administrative procedures at each step, from all those under the "
                          "province's authority to those that received at least one online "
                          "dossier; shares in brackets are of all procedures.",
        "funnel_alt": "Horizontal bar chart: {stages}.",
        "funnel_missing": "No figures for: {stages}.",
        "from_counts": "From the counts (rows {num}/{den})",
        "as_reported": "Rate stated in the form (row {row})",
        "dossiers_axis": "% of dossiers",
        "dossiers_title_differs": "From the dossier counts, {pct} of dossiers were received "
                                  "online ({num} of {den}); the form reports {reported}",
        "dossiers_title": "{pct} of dossiers were received online ({num} of {den})",
        "dossiers_caption": "Share of administrative dossiers received online: recomputed from "
                            "the online and total dossier counts, beside the rate the form states.",
        "differs_note": "{label}. The form states {reported}; its own figures give {pct}.",
        "formula_note": " The form's formula cell uses {a}/{b}.",
        "audit_note": " The data audit flags this difference too.",
        "rate_alt": "Horizontal bar chart: {items}.",
        "level4_title": "{achieved} of dossiers were processed fully online (level 4), {cmp} "
                        "the {target} target",
        "level4_title_alone": "{achieved} of dossiers were processed fully online (level 4)",
        "above": "above", "below": "below", "equal": "equal to",
        "no_target": "The report states no target.",
        "level4_caption": "Share of dossiers processed fully online (level 4) as the report "
                          "states it, against the province's target.",
        "payment_title": "Online payment: {p1} of fee-charging procedures ({n1} of {d1}); "
                         "national portal: {p2} of online procedures ({n2} of {d2})",
        "payment_title_short": "Online payment and integration with the national portal",
        "payment_caption": "Share of procedures offering online payment and share of online "
                           "procedures integrated with the National Public Service Portal: "
                           "recomputed from the counts, beside the rates the form states.",
        "pct_axis": "Share (%)", "procedures_pct_axis": "% of procedures",
        "resolved_panel": "Dossiers resolved", "on_time_panel": "Share resolved on time",
        "on_time_axis": "% of dossiers on time",
        "on_time_title": "{low} to {high} of dossiers were resolved on time at every level",
        "on_time_title_one": "Share of dossiers resolved on time: {values}",
        "on_time_caption": "Administrative dossiers resolved and the share resolved on time, by "
                           "level: provincial departments, districts, communes.",
        "month_axis": "End of month ({year})",
        "billion_axis": "Billion VND (cumulative since 1 January)", "billion": "billion VND",
        "plan_label": "{label}: {amount} billion VND",
        "point_mid_year": "{date} (published)", "point_to_date": "{date}",
        "point_year_end": "{date} (estimate)",
        "legend_report": "Stated in the report", "legend_estimate": "The report's estimate",
        "legend_published": "Published source",
        "invest_title": "By {date}, {amount} billion VND disbursed: {pct_pm} of the Prime "
                        "Minister's plan, {pct_prov} of the provincial plan",
        "invest_title_short": "Public investment disbursed by {date}: {amount} billion VND",
        "invest_caption": "Public investment disbursed to date (billion VND, cumulative) against "
                          "two plans: the one set by the Prime Minister and the one set by the "
                          "province.",
        "invest_alt": "Line chart: {points}; Prime Minister's plan {pm} billion VND, provincial "
                      "plan {prov} billion VND.",
        "no_mid_year": "The reference data has no mid-{year} disbursement figure for {province}.",
        "estimate_note": "The figure for {date} is the report's estimate.",
        "pct_plan_axis": "% of plan", "full_plan": "100% of plan",
        "basis_pm": "Against the Prime Minister's plan",
        "basis_provincial": "Against the provincial plan",
        "rates_title": "The year-end estimate is {pct_pm} of the Prime Minister's plan and "
                       "{pct_prov} of the provincial plan",
        "rates_title_short": "Public investment disbursed as a share of plan",
        "rates_caption": "Disbursement as a share of each of the two plans, at each date.",
        "rates_note": "Shares at the report's dates are computed from the amounts it states; the "
                      "mid-year point keeps the shares as published.",
        "rates_alt": "Bar chart: {items}.",
        "no_plan": "The report states no {label}.",
        "area_institutions": "Institutions: legal documents",
        "area_procedures_changed": "Procedures changed in the year",
        "area_procedures_by_level": "Procedures by level of government",
        "area_civil_service": "Recruitment and appointments",
        "area_staffing": "Staff in post against posts assigned",
        "area_cuts_since_2015": "Reductions since 2015",
        "area_autonomy": "Financial autonomy of public service units",
        "area_digital": "Digital government: connections and e-documents",
        "staffing_axis": "% of posts assigned",
        "reform_title": "{year}: {parts}",
        "reform_docs": "{n} legal documents issued", "reform_new": "{n} procedures newly published",
        "reform_abolished": "{n} abolished or replaced",
        "reform_recruited": "{n} civil servants recruited",
        "reform_caption": "The report's other figures: legal documents, administrative "
                          "procedures, recruitment and appointments.",
        "org_title": "{pct} of civil-servant posts are filled; the State funds the running "
                     "costs of {n} of {total} public service units",
        "org_title_short": "Organisation, staffing, financial autonomy and digital government",
        "org_caption": "Staff in post against posts assigned, reductions since 2015, financial "
                       "autonomy of public service units and digital-government indicators.",
        "scorecard_alt": "Four small horizontal bar charts. {items}.",
        "status_note": "Status: {items}.",
        "empty_rows": "No figures for: {labels}.",
        "no_data": "No figures",
        "not_drawn": "Not drawn, the report lacks their figures: {names}",
    },
}


@dataclass(frozen=True)
class FigureInfo:
    """One saved figure in one language, as the leadership HTML needs it."""

    name: str            # file stem without language, e.g. "par_index"
    theme: str           # one of THEMES
    lang: str
    png: Path
    svg: Path
    title: str           # the finding
    caption: str
    alt: str             # what the chart shows, with its key numbers
    source: str          # the source line printed under the chart
    notes: tuple[str, ...] = ()       # printed under the chart, above the source
    references: tuple[str, ...] = ()  # full URLs of published sources used


@dataclass
class Spec:
    """A figure ready to draw: its texts and a function that draws it on a Figure."""

    name: str
    theme: str
    title: str
    caption: str
    alt: str
    source: str
    draw: Callable[[Figure], None]
    size: tuple[float, float] = (10.0, 5.0)
    notes: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


# --- formatting ----------------------------------------------------------------------------

def tr(lang: str, key: str, **values) -> str:
    """The text `key` in `lang`, filled with already formatted values."""
    return TEXT[lang][key].format(**values)


def num(value, lang: str, decimals: int | None = None) -> str:
    return format_number(value, lang, decimals)


def pct(value, lang: str, decimals: int = 2) -> str:
    return format_percent(value, lang, decimals)


def billions(value_million: float, lang: str) -> str:
    """An amount in million VND shown in billion VND, without decimals: 1234567 -> '1.235'."""
    return format_number(value_million / 1000, lang, 0)


def reported_pct(value: float, decimals: int, lang: str) -> str:
    """A rate as the report wrote it (its own number of decimals)."""
    return format_percent(value, lang, decimals)


def date_text(value, lang: str) -> str:
    """'30/11/2022' (vi) or '30 Nov 2022' (en)."""
    stamp = pd.Timestamp(value)
    if lang == "vi":
        return f"{stamp.day:02d}/{stamp.month:02d}/{stamp.year}"
    return f"{stamp.day} {MONTHS['en'][stamp.month - 1]} {stamp.year}"


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def short_label(ind_id: str, lang: str) -> str:
    return catalogue.label(ind_id, lang, short=True)


def fact_label(fact_id: str, lang: str) -> str:
    for spec in facts.specs():
        if spec.id == fact_id:
            return spec.label_vi if lang == "vi" else spec.label_en
    return fact_id


def level_name(ind_id: str, lang: str) -> str:
    """'Tỷ lệ hồ sơ đúng hạn: sở, ngành' -> 'Sở, ngành' (the part after the colon)."""
    return capitalised(short_label(ind_id, lang).split(": ")[-1])


def number_axis(ax, lang: str, axis: str = "x", percent: bool = False) -> None:
    """Tick labels in the language's number format."""
    fmt = FuncFormatter(lambda v, _pos: (format_number(v, lang, 0) + ("%" if percent else "")))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


# --- source lines ------------------------------------------------------------------------

def report_name(data: analysis.ReportData, lang: str) -> str:
    number = data.meta.get("number")
    if number:
        return tr(lang, "report", number=number)
    return tr(lang, "report_nonumber", province=data.province, year=data.year)


def row_ranges(ids: list[str]) -> str:
    """Row codes of one form, consecutive siblings joined: 6.4.1, 6.4.2 -> '6.4.1-6.4.2'."""
    entries = [catalogue.entry(i) for i in ids]
    codes = [(e["parent"], e["code"]) if e is not None else ("", i) for e, i in zip(entries, ids)]
    runs: list[list[tuple[str, str]]] = []
    for parent, code in codes:
        last = runs[-1][-1] if runs else None
        if last and last[0] == parent and _next_sibling(last[1], code):
            runs[-1].append((parent, code))
        else:
            runs.append([(parent, code)])
    return ", ".join(run[0][1] if len(run) == 1 else f"{run[0][1]}-{run[-1][1]}" for run in runs)


def _next_sibling(code: str, other: str) -> bool:
    head, _, last = code.rpartition(".")
    other_head, _, other_last = other.rpartition(".")
    return (head == other_head and last.isdigit() and other_last.isdigit()
            and int(other_last) == int(last) + 1)


def source_line(data: analysis.ReportData, lang: str, rows=(), fact_ids=(), urls=()) -> str:
    """'Nguồn: Báo cáo 301/BC-UBND, Biểu mẫu 7, dòng 6.4.1-6.4.2; ...' (rows in form order)."""
    parts = []
    by_form: dict[int, list[str]] = {}
    order = {ind: n for n, ind in enumerate(catalogue.load().index)}
    for ind_id in sorted(dict.fromkeys(rows), key=lambda i: order.get(i, len(order))):
        entry = catalogue.entry(ind_id)
        if entry is not None:
            by_form.setdefault(int(entry["form"]), []).append(ind_id)
    for form, ids in sorted(by_form.items()):
        parts.append(tr(lang, "form", form=form, rows=row_ranges(ids)))
    lines = sorted({int(row["line"]) for f in fact_ids
                    if (row := data.fact_row(f)) is not None})
    if lines:
        parts.append(tr(lang, "narrative" if len(lines) == 1 else "narrative_many",
                        lines=", ".join(str(n) for n in lines)))
    sites = list(dict.fromkeys(analysis.domain(u) for u in urls if u))
    text = tr(lang, "source", doc=report_name(data, lang) + (", " if parts else "")
              + "; ".join(parts))
    if sites:
        text += "; " + tr(lang, "published", sites=", ".join(sites))
    return text


# --- drawing primitives ----------------------------------------------------------------------

def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(part, width) for part in text.split("\n"))


def wrap_balanced(text: str, width: int) -> str:
    """As few lines as `width` allows, of even length ('ĐVSN tự bảo đảm một phần chi TX'
    breaks in the middle, not before its last word)."""
    lines = len(textwrap.wrap(text, width)) or 1
    for narrower in range(math.ceil(len(text) / lines), width + 1):
        if len(textwrap.wrap(text, narrower)) <= lines:
            return textwrap.fill(text, narrower)
    return textwrap.fill(text, width)


TITLE_CHARS_PER_INCH = 8.6     # 13 pt bold DejaVu Sans
FOOTER_CHARS_PER_INCH = 15.0   # 8 pt


def title_text(spec: Spec) -> str:
    return wrap_balanced(spec.title, int(spec.size[0] * TITLE_CHARS_PER_INCH))


def footer_text(spec: Spec) -> str:
    width = int(spec.size[0] * FOOTER_CHARS_PER_INCH)
    return "\n".join(wrap(line, width) for line in [*spec.notes, spec.source])


def new_figure(spec: Spec) -> Figure:
    """A figure of the spec's size plus room for its title and footer lines."""
    extra = 0.24 * title_text(spec).count("\n") + 0.16 * (footer_text(spec).count("\n") + 1)
    fig = Figure(figsize=(spec.size[0], spec.size[1] + extra), layout="constrained", dpi=DPI)
    fig.get_layout_engine().set(w_pad=0.12, h_pad=0.1)
    return fig


def grid(fig: Figure, nrows: int = 1, ncols: int = 1, legend: bool = False, **share):
    """Axes in a grid, plus (when asked) a row under them that holds only the legend."""
    spec = fig.add_gridspec(nrows + int(legend), ncols,
                            height_ratios=[1] * nrows + ([0.001] if legend else []))
    axes = []
    for r in range(nrows):
        for c in range(ncols):
            axes.append(fig.add_subplot(spec[r, c], **({"sharey": axes[0]} if axes and
                                                       share.get("sharey") else {})))
    legend_ax = None
    if legend:
        legend_ax = fig.add_subplot(spec[nrows, :])
        legend_ax.set_axis_off()
    return axes, legend_ax


def put_legend(legend_ax, handles, ncols: int = 3) -> None:
    legend_ax.legend(handles=handles, loc="center", ncols=min(ncols, len(handles)),
                     frameon=False)


def finish(fig: Figure, spec: Spec) -> None:
    """Title (the finding) on top; notes and the source line at the bottom, left-aligned."""
    fig.suptitle(title_text(spec), x=0.01, ha="left", fontsize=13, fontweight="bold",
                 color="#111111")
    fig.supxlabel(footer_text(spec), x=0.01, ha="left", fontsize=8, color="#444444",
                  linespacing=1.35)


def hbars(ax, labels, values, lang, colours=None, texts=None, percent=False, xmax=None,
          label_width=34) -> None:
    """Horizontal bars, first item on top, each with its value written at the end."""
    positions = list(range(len(labels)))[::-1]
    colours = colours or [COLOUR["report"]] * len(labels)
    drawn = [0 if v is None else v for v in values]
    ax.barh(positions, drawn, color=colours, height=0.62)
    top = xmax if xmax is not None else max(drawn + [1]) * 1.0
    ax.set_xlim(0, top * 1.32 if xmax is None else xmax * 1.32)
    for y, value, text in zip(positions, values, texts or [None] * len(values)):
        shown = text if text is not None else (
            TEXT[lang]["no_data"] if value is None
            else (pct(value, lang) if percent else num(value, lang)))
        ax.text((0 if value is None else value) + top * 0.015, y, shown, va="center",
                ha="left", fontsize=9, color=COLOUR["text"])
    ax.set_yticks(positions, [wrap_balanced(label, label_width) for label in labels])
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10], integer=True))
    if percent:
        ax.set_xticks([t for t in range(0, int((xmax or 100)) + 1, 20)])
        ax.spines["bottom"].set_bounds(0, xmax or 100)
    number_axis(ax, lang, "x", percent)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def message_panel(ax, text: str) -> None:
    ax.text(0.5, 0.5, wrap(text, 40), ha="center", va="center", transform=ax.transAxes,
            fontsize=10, color=COLOUR["context"])
    ax.set_axis_off()


# --- (a) PAR INDEX and SIPAS ------------------------------------------------------------------

def _index_name(index: str, lang: str) -> str:
    return TEXT[lang][f"name_{index}"]


def _score_text(score, index: str, lang: str) -> str:
    if index == "SIPAS":
        return pct(score, lang)
    return num(score, lang, 2) + TEXT[lang]["points"]


def _rank_text(rank, of, lang: str) -> str:
    return ordinal_en(int(rank)) if lang == "en" else num(rank, lang, 0)


def index_spec(data, governance, index: str, lang: str) -> Spec | None:
    history = analysis.index_history(data, governance, index)
    name = _index_name(index, lang)
    if history[history["series"] == "province"].empty:
        return None
    prefix = analysis.INDICES[index]
    own = history[history["series"] == "province"]
    stated = own[own["origin"] == "report"]
    year = int(stated["year"].iloc[0]) if not stated.empty else int(own["year"].max())
    title = tr(lang, "index_title", name=name, province=data.province,
               parts=_index_title_parts(data, prefix, index, year, lang))
    notes = _index_notes(data, history, index, year, lang)
    published = history[history["origin"] == "published"]
    urls = list(dict.fromkeys(published["source"]))
    scores = analysis.trajectory(history, "score")
    ranks = analysis.trajectory(history, "rank")
    alt = tr(lang, "index_alt", name=name, province=data.province,
             scores="; ".join(f"{int(r.year)}: {_score_text(r.score, index, lang)}"
                              for r in scores.itertuples()) or "–",
             ranks="; ".join(f"{int(r.year)}: {num(r.rank, lang, 0)}"
                             for r in ranks.itertuples()) or "–")
    caption = tr(lang, "index_caption", name=name, province=data.province, year=year,
                 prev=year - 1)
    fact_ids = [f for f in stated["fact_ids"].str.cat(sep=";").split(";") if f] + \
        [f for f in own[own["origin"] == "implied"]["fact_ids"].str.cat(sep=";").split(";") if f]
    source = source_line(data, lang, fact_ids=fact_ids, urls=urls)
    return Spec(name=analysis.INDICES[index], theme="par_index", title=title, caption=caption,
                alt=alt, source=source, notes=notes, references=urls, size=(11, 5.2),
                draw=lambda fig: _draw_index(fig, history, index, lang))


def _index_title_parts(data, prefix: str, index: str, year: int, lang: str) -> str:
    score, rank, of = (data.fact(f"{prefix}_{k}") for k in ("score", "rank", "rank_of"))
    parts = []
    if score is not None and rank is not None:
        parts.append(tr(lang, "index_score_rank", score=_score_text(score, index, lang),
                        rank=_rank_text(rank, of, lang), of=num(of, lang, 0) if of else "–",
                        year=year))
    score_change = data.fact(f"{prefix}_score_change")
    rank_change = data.fact(f"{prefix}_rank_change")
    if score_change is not None and rank_change is not None:
        same_way = (score_change >= 0) == (rank_change >= 0)
        parts.append(tr(lang, "index_change", verb=_verb(score_change, lang),
                        change=num(abs(score_change), lang, 2), unit=TEXT[lang]["points"],
                        verb2="" if same_way else _verb(rank_change, lang) + " ",
                        places=num(abs(rank_change), lang, 0),
                        prev=year - 1))
    elif rank_change is not None:
        parts.append(tr(lang, "index_rank_change", verb=_verb(rank_change, lang),
                        places=num(abs(rank_change), lang, 0), prev=year - 1))
    return ", ".join(parts)


def _verb(change: float, lang: str) -> str:
    return TEXT[lang]["up"] if change >= 0 else TEXT[lang]["down"]


def _index_notes(data, history, index: str, year: int, lang: str) -> list[str]:
    notes = []
    if history[(history["series"] == "province") & (history["origin"] == "published")].empty:
        notes.append(tr(lang, "no_reference", province=data.province))
    if index == "PAR_INDEX":
        leaders = history[history["series"] == "leader"].sort_values("rank")
        if leaders.empty:
            notes.append(tr(lang, "no_leaders", year=year))
        else:
            listed = "; ".join(f"{num(r.rank, lang, 0)}. {r.province} {num(r.score, lang, 2)}"
                               for r in leaders.itertuples())
            notes.append(tr(lang, "leaders_note", year=year, list=listed))
        units = set(history.loc[history["score"].notna(), "score_unit"]) - {""}
        if len(units) > 1:
            notes.append(TEXT[lang]["units_note"])
    return notes


MARKERS = {"report": dict(marker="o", ms=8, mfc=COLOUR["report"], mec=COLOUR["report"]),
           "implied": dict(marker="D", ms=7, mfc=COLOUR["implied"], mec=COLOUR["report"]),
           "published": dict(marker="o", ms=13, mfc="none", mec=COLOUR["published"], mew=2)}


def _draw_index(fig: Figure, history: pd.DataFrame, index: str, lang: str) -> None:
    (ax_score, ax_rank), legend_ax = grid(fig, 1, 2, legend=True)
    for ax, column in ((ax_score, "score"), (ax_rank, "rank")):
        _draw_index_panel(ax, history, column, index, lang)
    ax_score.set_title(TEXT[lang]["score_panel"])
    ax_score.set_ylabel(TEXT[lang]["sipas_axis" if index == "SIPAS" else "score_axis"])
    ax_rank.set_title(TEXT[lang]["rank_panel"])
    rank_of = history["rank_of"].dropna()
    of = int(rank_of.max()) if not rank_of.empty else 63
    ax_rank.set_ylim(of + 1, 0)
    ax_rank.set_yticks(sorted({1, *range(10, of, 10), of}))
    ax_rank.set_ylabel(tr(lang, "rank_axis", of=num(of, lang, 0)))
    first, last = int(history["year"].min()), int(history["year"].max())
    years = list(range(first, last + 1))
    for ax in (ax_score, ax_rank):
        ax.set_xlim(first - 0.6, last + 0.6)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel(TEXT[lang]["year_axis"])
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    number_axis(ax_score, lang, "y", percent=index == "SIPAS")
    put_legend(legend_ax, _index_legend(history, lang))


def _draw_index_panel(ax, history, column: str, index: str, lang: str) -> None:
    line = analysis.trajectory(history, column)
    years, values = list(line["year"]), list(line[column])
    for (y0, v0), (y1, v1) in zip(zip(years, values), zip(years[1:], values[1:])):
        ax.plot([y0, y1], [v0, v1], color=COLOUR["report"], lw=2,
                ls="-" if y1 - y0 == 1 else ":", zorder=2)
    national = history[(history["series"] == "national_average") & history[column].notna()]
    if not national.empty:
        ax.plot(national["year"], national[column], color=COLOUR["context"], lw=1.3, ls="--",
                marker="s", ms=5, zorder=1)
    leaders = history[(history["series"] == "leader") & history[column].notna()]
    if not leaders.empty:
        ax.plot(leaders["year"] - 0.18, leaders[column], ls="none", marker="^", ms=6,
                color=COLOUR["context"], zorder=1)
    own = history[(history["series"] == "province") & history[column].notna()]
    for origin in ("published", "implied", "report"):
        points = own[own["origin"] == origin]
        ax.plot(points["year"], points[column], ls="none", zorder=3, **MARKERS[origin])
    for year, value in zip(years, values):
        text = (_score_text(value, index, lang).replace(TEXT[lang]["points"], "")
                if column == "score" else num(value, lang, 0))
        ax.annotate(text, (year, value), xytext=(9, 7), textcoords="offset points",
                    fontsize=9, color=COLOUR["report"], fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    if column == "score":
        low = min(history["score"].dropna().min(), min(values, default=100))
        high = max(history["score"].dropna().max(), max(values, default=0))
        ax.set_ylim(low - 2, min(high + 2, 100.5))
        ax.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10], integer=True))


def _index_legend(history: pd.DataFrame, lang: str) -> list:
    own_origins = set(history.loc[history["series"] == "province", "origin"])
    handles = [Line2D([], [], ls="none", label=TEXT[lang][f"origin_{o}"], **MARKERS[o])
               for o in ("report", "implied", "published") if o in own_origins]
    if (history["series"] == "national_average").any():
        handles.append(Line2D([], [], color=COLOUR["context"], ls="--", marker="s", ms=5,
                              label=TEXT[lang]["national"]))
    leaders = history[history["series"] == "leader"]
    if not leaders.empty:
        handles.append(Line2D([], [], color=COLOUR["context"], ls="none", marker="^", ms=6,
                              label=tr(lang, "leaders", year=int(leaders["year"].iloc[0]))))
    return handles


# --- (b) online services and dossiers --------------------------------------------------------

def _stage_label(stage: str, ids: str, lang: str) -> str:
    text = TEXT[lang][f"stage_{stage}"]
    return text if text is not None else short_label(ids.split(";")[0], lang)


def funnel_spec(data, lang: str) -> Spec | None:
    funnel = analysis.procedure_funnel(data)
    if funnel.empty:
        return None
    values = dict(zip(funnel["stage"], funnel["value"]))
    shares = dict(zip(funnel["stage"], funnel["pct_of_all"]))
    if {"all", "online", "used"} <= set(values):
        title = tr(lang, "funnel_title", online=num(values["online"], lang),
                   all=num(values["all"], lang), used=num(values["used"], lang),
                   pct=pct(shares["used"], lang))
    else:
        title = TEXT[lang]["funnel_title_short"]
    labels = [_stage_label(s, i, lang) for s, i in zip(funnel["stage"], funnel["indicator_ids"])]
    texts = [num(v, lang) + ("" if pd.isna(p) or stage == "all" else f" ({pct(p, lang)})")
             for stage, v, p in zip(funnel["stage"], funnel["value"], funnel["pct_of_all"])]
    notes = []
    missing = [s for s, _ in analysis.FUNNEL if s not in values]
    if missing:
        notes.append(tr(lang, "funnel_missing", stages="; ".join(
            _stage_label(s, ";".join(ids), lang) for s, ids in analysis.FUNNEL if s in missing)))
    rows = [i for ids in funnel["indicator_ids"] for i in ids.split(";")]
    colours = [COLOUR["context"] if s == "all" else COLOUR["report"] for s in funnel["stage"]]

    def draw(fig):
        ax = fig.subplots()
        hbars(ax, labels, list(funnel["value"]), lang, colours=colours, texts=texts,
              label_width=30)
        ax.set_xlabel(TEXT[lang]["procedures_axis"])

    return Spec(name="procedure_funnel", theme="online_services", title=title,
                caption=TEXT[lang]["funnel_caption"],
                alt=tr(lang, "funnel_alt", stages="; ".join(f"{l}: {t}"
                                                           for l, t in zip(labels, texts))),
                source=source_line(data, lang, rows=rows), notes=notes, draw=draw,
                size=(10, 4.2))


def _rate_rows(check: dict, lang: str) -> tuple[list[str], list, list[str], list[str]]:
    """Bars for one rate: recomputed from the counts, and as the form states it."""
    labels, values, texts, colours = [], [], [], []
    num_code = catalogue.entry(check["numerator_id"])["code"] if check["numerator_id"] else ""
    den_code = catalogue.entry(check["denominator_id"])["code"] if check["denominator_id"] else ""
    if check["recomputed"] is not None:
        labels.append(tr(lang, "from_counts", num=num_code, den=den_code))
        values.append(check["recomputed"])
        texts.append(f"{pct(check['recomputed'], lang)} ({num(check['numerator'], lang)}/"
                     f"{num(check['denominator'], lang)})")
        colours.append(COLOUR["report"])
    if check["reported"] is not None:
        labels.append(tr(lang, "as_reported", row=catalogue.entry(check["indicator_id"])["code"]))
        values.append(check["reported"])
        texts.append(reported_pct(check["reported"], check["decimals"], lang))
        colours.append(COLOUR["differs"] if check["differs"] else COLOUR["context"])
    return labels, values, texts, colours


def _differs_note(check: dict, lang: str) -> str:
    text = tr(lang, "differs_note", label=short_label(check["indicator_id"], lang),
              reported=reported_pct(check["reported"], check["decimals"], lang),
              pct=pct(check["recomputed"], lang))
    a, b = check["formula_numerator"], check["formula_denominator"]
    if a is not None and b is not None and (a, b) != (check["numerator"], check["denominator"]):
        text += tr(lang, "formula_note", a=num(a, lang), b=num(b, lang))
    if check["audit_status"] == "failed":
        text += TEXT[lang]["audit_note"]
    return text


def _rate_sources(checks: list[dict]) -> list[str]:
    return [i for c in checks for i in (c["indicator_id"], c["numerator_id"], c["denominator_id"])
            if i]


def online_dossiers_spec(data, lang: str) -> Spec | None:
    check = analysis.online_dossier_share(data)
    if check["recomputed"] is None and check["reported"] is None:
        return None
    labels, values, texts, colours = _rate_rows(check, lang)
    if check["recomputed"] is None:
        title = tr(lang, "dossiers_title", pct=reported_pct(check["reported"], check["decimals"],
                                                             lang), num="–", den="–")
    else:
        key = "dossiers_title_differs" if check["differs"] else "dossiers_title"
        title = tr(lang, key, pct=pct(check["recomputed"], lang),
                   num=num(check["numerator"], lang), den=num(check["denominator"], lang),
                   reported=reported_pct(check["reported"], check["decimals"], lang)
                   if check["reported"] is not None else "–")
    notes = [_differs_note(check, lang)] if check["differs"] else []

    def draw(fig):
        ax = fig.subplots()
        hbars(ax, labels, values, lang, colours=colours, texts=texts, percent=True, xmax=100)
        ax.set_xlabel(TEXT[lang]["dossiers_axis"])

    return Spec(name="online_dossiers", theme="online_services", title=title,
                caption=TEXT[lang]["dossiers_caption"],
                alt=tr(lang, "rate_alt", items="; ".join(f"{l}: {t}"
                                                         for l, t in zip(labels, texts))),
                source=source_line(data, lang, rows=_rate_sources([check])), notes=notes,
                draw=draw, size=(10, 3.4))


def level4_spec(data, lang: str) -> Spec | None:
    frame = analysis.level4_processing(data)
    values = dict(zip(frame["kind"], frame["value"]))
    if "achieved" not in values:
        return None
    achieved = pct(values["achieved"], lang, 0 if values["achieved"].is_integer() else 2)
    notes = []
    if "target" in values:
        target = pct(values["target"], lang, 0 if values["target"].is_integer() else 2)
        cmp = ("above" if values["achieved"] > values["target"] else
               "below" if values["achieved"] < values["target"] else "equal")
        title = tr(lang, "level4_title", achieved=achieved, target=target, cmp=TEXT[lang][cmp])
    else:
        title = tr(lang, "level4_title_alone", achieved=achieved)
        notes.append(TEXT[lang]["no_target"])
    labels = [fact_label(f, lang) for f in frame["fact_id"]]
    texts = [pct(v, lang, 0 if v.is_integer() else 2) for v in frame["value"]]
    colours = [COLOUR["report"] if k == "achieved" else COLOUR["context"] for k in frame["kind"]]

    def draw(fig):
        ax = fig.subplots()
        hbars(ax, labels, list(frame["value"]), lang, colours=colours, texts=texts,
              percent=True, xmax=100, label_width=36)
        ax.set_xlabel(TEXT[lang]["dossiers_axis"])

    return Spec(name="level4_target", theme="online_services", title=title,
                caption=TEXT[lang]["level4_caption"],
                alt=tr(lang, "rate_alt", items="; ".join(f"{l}: {t}"
                                                         for l, t in zip(labels, texts))),
                source=source_line(data, lang, fact_ids=list(frame["fact_id"])), notes=notes,
                draw=draw, size=(10, 3.2))


def payment_portal_spec(data, lang: str) -> Spec | None:
    checks = [c for c in analysis.payment_and_portal(data).to_dict("records")
              if c["recomputed"] is not None or c["reported"] is not None]
    checks = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in c.items()}
              for c in checks]
    if not checks:
        return None
    by_id = {c["indicator_id"]: c for c in checks}
    pay, portal = (by_id.get(i) for i in analysis.PAYMENT_AND_PORTAL)
    if pay and portal and pay["recomputed"] is not None and portal["recomputed"] is not None:
        title = tr(lang, "payment_title", p1=pct(pay["recomputed"], lang),
                   n1=num(pay["numerator"], lang), d1=num(pay["denominator"], lang),
                   p2=pct(portal["recomputed"], lang), n2=num(portal["numerator"], lang),
                   d2=num(portal["denominator"], lang))
    else:
        title = TEXT[lang]["payment_title_short"]
    notes = [_differs_note(c, lang) for c in checks if c["differs"]]
    groups = [(short_label(c["indicator_id"], lang), *_rate_rows(c, lang)) for c in checks]

    def draw(fig):
        axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
        for ax, (group, labels, values, texts, colours) in zip(axes, groups):
            hbars(ax, labels, values, lang, colours=colours, texts=texts, percent=True,
                  xmax=100)
            ax.set_title(group)
        axes[-1].set_xlabel(TEXT[lang]["procedures_pct_axis"])

    items = "; ".join(f"{g}: " + ", ".join(f"{l} {t}" for l, t in zip(ls, ts))
                      for g, ls, _, ts, _ in groups)
    return Spec(name="online_payment_portal", theme="online_services", title=title,
                caption=TEXT[lang]["payment_caption"], alt=tr(lang, "rate_alt", items=items),
                source=source_line(data, lang, rows=_rate_sources(checks)), notes=notes,
                draw=draw, size=(10, 2.3 + 1.9 * len(groups)))


def on_time_spec(data, lang: str) -> Spec | None:
    frame = analysis.on_time_by_level(data)
    if frame.empty:
        return None
    checks = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in c.items()}
              for c in frame.to_dict("records")]
    levels = [level_name(c["indicator_id"], lang) for c in checks]
    rates = [c["reported"] if c["reported"] is not None else c["recomputed"] for c in checks]
    rate_texts = [reported_pct(c["reported"], c["decimals"], lang) if c["reported"] is not None
                  else pct(c["recomputed"], lang) for c in checks]
    if len(checks) == 3:
        title = tr(lang, "on_time_title", low=rate_texts[rates.index(min(rates))],
                   high=rate_texts[rates.index(max(rates))])
    else:
        title = tr(lang, "on_time_title_one", values=", ".join(
            f"{lv} {t}" for lv, t in zip(levels, rate_texts)))
    notes = [_differs_note(c, lang) for c in checks if c["differs"]]
    resolved = [c["resolved"] for c in checks]

    def draw(fig):
        (ax_count, ax_rate), _ = grid(fig, 1, 2, sharey=True)
        hbars(ax_count, levels, resolved, lang, colours=[COLOUR["context"]] * len(levels),
              label_width=18)
        ax_count.set_title(TEXT[lang]["resolved_panel"])
        ax_count.set_xlabel(capitalised(catalogue.entry(checks[0]["denominator_id"])
                                        [f"unit_{lang}"]))
        hbars(ax_rate, levels, rates, lang, texts=rate_texts, percent=True, xmax=100,
              colours=[COLOUR["differs"] if c["differs"] else COLOUR["report"] for c in checks])
        ax_rate.set_title(TEXT[lang]["on_time_panel"])
        ax_rate.set_xlabel(TEXT[lang]["on_time_axis"])

    alt = tr(lang, "rate_alt", items="; ".join(
        f"{lv}: {num(r, lang)} – {t}" for lv, r, t in zip(levels, resolved, rate_texts)))
    return Spec(name="on_time_by_level", theme="online_services", title=title,
                caption=TEXT[lang]["on_time_caption"], alt=alt,
                source=source_line(data, lang, rows=_rate_sources(checks)), notes=notes,
                draw=draw, size=(10, 3.6))


# --- (c) public investment ---------------------------------------------------------------------

def _point_label(row, lang: str) -> str:
    if pd.isna(row["date"]):
        return TEXT[lang][f"point_{row['point']}"].format(date="–")
    return tr(lang, f"point_{row['point']}", date=date_text(row["date"], lang))


def _investment_common(data, lang: str):
    plans = analysis.investment_plans(data)
    progress = analysis.investment_progress(data, analysis.load_context(data.report_id))
    notes = []
    if (progress["point"] == "mid_year").sum() == 0:
        notes.append(tr(lang, "no_mid_year", year=data.year, province=data.province))
    for basis, _, fact_id in analysis.INVESTMENT_PLANS:
        if basis not in set(plans["basis"]):
            notes.append(tr(lang, "no_plan", label=fact_label(fact_id, lang)))
    rows = [s for s in list(plans["source"]) + list(progress["source"]) if s]
    form_rows = [s for s in rows if catalogue.entry(s) is not None]
    fact_ids = [s for s in rows if catalogue.entry(s) is None and not s.startswith("http")]
    for point, _, fact_id in analysis.INVESTMENT_POINTS:   # the narrative gives the dates
        if data.fact_row(fact_id) is not None:
            fact_ids.append(fact_id)
    urls = [s for s in rows if s.startswith("http")]
    source = source_line(data, lang, rows=form_rows, fact_ids=fact_ids, urls=urls)
    return plans, progress, notes, source, urls


def investment_spec(data, lang: str) -> Spec | None:
    plans, progress, notes, source, urls = _investment_common(data, lang)
    if progress.empty:
        return None
    plan = dict(zip(plans["basis"], plans["amount_million"]))
    to_date = progress[progress["point"] == "to_date"]
    main = to_date.iloc[0] if not to_date.empty else progress.iloc[-1]
    when = date_text(main["date"], lang) if not pd.isna(main["date"]) else "–"
    if not pd.isna(main["pct_pm"]) and not pd.isna(main["pct_provincial"]):
        title = tr(lang, "invest_title", date=when, amount=billions(main["amount_million"], lang),
                   pct_pm=pct(main["pct_pm"], lang, 1), pct_prov=pct(main["pct_provincial"],
                                                                     lang, 1))
    else:
        title = tr(lang, "invest_title_short", date=when,
                   amount=billions(main["amount_million"], lang))
    estimate = progress[progress["point"] == "year_end"]
    if not estimate.empty and not pd.isna(estimate["date"].iloc[0]):
        notes.append(tr(lang, "estimate_note", date=date_text(estimate["date"].iloc[0], lang)))
    points = "; ".join(f"{_point_label(r, lang)}: {billions(r['amount_million'], lang)} "
                       f"{TEXT[lang]['billion']}" for _, r in progress.iterrows())
    alt = tr(lang, "invest_alt", points=points,
             pm=billions(plan["pm"], lang) if "pm" in plan else "–",
             prov=billions(plan["provincial"], lang) if "provincial" in plan else "–")
    return Spec(name="investment_disbursement", theme="public_investment", title=title,
                caption=TEXT[lang]["invest_caption"], alt=alt, source=source, notes=notes,
                references=urls, size=(10, 5),
                draw=lambda fig: _draw_investment(fig, plans, progress, lang))


MONTHS = {"vi": [f"T{m}" for m in range(1, 13)],
          "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec"]}
ESTIMATE_MARKER = dict(marker="o", ms=8, mfc="white", mec=COLOUR["report"], mew=2)


def _draw_investment(fig: Figure, plans, progress, lang: str) -> None:
    (ax,), legend_ax = grid(fig, legend=True)
    dated = progress.dropna(subset=["date"]).sort_values("date")
    ax.plot(dated["date"], dated["amount_billion"], color=COLOUR["report"], lw=1.5, zorder=2)
    styles = {"report": MARKERS["report"], "estimate": ESTIMATE_MARKER,
              "published": MARKERS["published"]}
    for origin, style in styles.items():
        points = dated[dated["origin"] == origin]
        ax.plot(points["date"], points["amount_billion"], ls="none", zorder=3, **style)
    for n, (_, row) in enumerate(dated.iterrows()):
        last = n == len(dated) - 1
        ax.annotate(f"{_short_date(row['date'], lang)}: {billions(row['amount_million'], lang)}",
                    (row["date"], row["amount_billion"]),
                    xytext=(-12, 8) if last else (0, -22), textcoords="offset points",
                    ha="right" if last else "center", va="bottom" if last else "top", fontsize=9, color=COLOUR["report"],
                    fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    top = max([*plans["amount_billion"], *dated["amount_billion"], 1])
    handles = [Line2D([], [], ls="none", label=TEXT[lang][f"legend_{o}"], **styles[o])
               for o in ("report", "estimate", "published") if (dated["origin"] == o).any()]
    for _, plan in plans.iterrows():
        colour = BASIS_COLOUR[plan["basis"]]
        fact_id = dict((b, f) for b, _, f in analysis.INVESTMENT_PLANS)[plan["basis"]]
        ax.axhline(plan["amount_billion"], color=colour, lw=1.4, ls="--", zorder=1)
        ax.text(0.01, plan["amount_billion"] + top * 0.015,
                tr(lang, "plan_label", label=fact_label(fact_id, lang),
                   amount=billions(plan["amount_million"], lang)),
                transform=ax.get_yaxis_transform(), fontsize=9, color=COLOUR["text"],
                va="bottom")
    ax.set_ylim(0, top * 1.15)
    year = int(dated["date"].dt.year.max()) if not dated.empty else None
    if year:
        ax.set_xlim(pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31) + pd.Timedelta(days=8))
        month_ends = [pd.Timestamp(year, m, 1) + pd.offsets.MonthEnd(0) for m in range(1, 13)]
        ax.set_xticks(month_ends, MONTHS[lang])
        ax.set_xlabel(tr(lang, "month_axis", year=year))
    number_axis(ax, lang, "y")
    ax.set_ylabel(TEXT[lang]["billion_axis"])
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    put_legend(legend_ax, handles)


def _short_date(value, lang: str) -> str:
    stamp = pd.Timestamp(value)
    return f"{stamp.day}/{stamp.month}" if lang == "vi" else f"{stamp.day} {MONTHS['en'][stamp.month - 1]}"


def investment_rates_spec(data, lang: str) -> Spec | None:
    plans, progress, notes, source, urls = _investment_common(data, lang)
    shares = progress.dropna(subset=["pct_pm", "pct_provincial"], how="all")
    if shares.empty:
        return None
    year_end = shares[shares["point"] == "year_end"]
    if not year_end.empty and not year_end[["pct_pm", "pct_provincial"]].isna().any(axis=None):
        title = tr(lang, "rates_title", pct_pm=pct(year_end["pct_pm"].iloc[0], lang, 1),
                   pct_prov=pct(year_end["pct_provincial"].iloc[0], lang, 1))
    else:
        title = TEXT[lang]["rates_title_short"]
    if (shares["origin"] == "published").any():
        notes.append(TEXT[lang]["rates_note"])
    labels = [_point_label(r, lang) for _, r in shares.iterrows()]
    items = "; ".join(
        f"{l}: {TEXT[lang]['basis_pm']} {pct(r['pct_pm'], lang, 1)}, "
        f"{TEXT[lang]['basis_provincial']} {pct(r['pct_provincial'], lang, 1)}"
        for l, (_, r) in zip(labels, shares.iterrows()))

    def draw(fig):
        (ax,), legend_ax = grid(fig, legend=True)
        width = 0.38
        xs = range(len(shares))
        for offset, basis in ((-width / 2, "pm"), (width / 2, "provincial")):
            colour = BASIS_COLOUR[basis]
            values = shares[f"pct_{basis}"]
            bars = ax.bar([x + offset for x in xs], values.fillna(0), width, color=colour,
                          label=TEXT[lang][f"basis_{basis}"])
            for bar, value in zip(bars, values):
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 1.5,
                        TEXT[lang]["no_data"] if pd.isna(value) else pct(value, lang, 1),
                        ha="center", va="bottom", fontsize=9, color=COLOUR["text"])
        ax.axhline(100, color=PALETTE["black"], lw=1, ls="--", label=TEXT[lang]["full_plan"])
        ax.set_xticks(list(xs), labels)
        ax.set_ylim(0, max(110, shares[["pct_pm", "pct_provincial"]].max().max() * 1.15))
        number_axis(ax, lang, "y", percent=True)
        ax.set_ylabel(TEXT[lang]["pct_plan_axis"])
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        put_legend(legend_ax, ax.get_legend_handles_labels()[0], 3)

    return Spec(name="investment_rates", theme="public_investment", title=title,
                caption=TEXT[lang]["rates_caption"], alt=tr(lang, "rates_alt", items=items),
                source=source, notes=notes, references=urls, draw=draw, size=(10, 5))


# --- (d) scorecard -----------------------------------------------------------------------------

REFORM_AREAS = ("institutions", "procedures_changed", "procedures_by_level", "civil_service")
ORGANISATION_AREAS = ("staffing", "cuts_since_2015", "autonomy", "digital")


def _area_panel(card: pd.DataFrame, area: str, lang: str) -> dict:
    rows = card[card["area"] == area]
    unit = rows["unit"].iloc[0]
    values = [None if pd.isna(v) else v for v in rows["value"]]
    texts = None
    if unit == "percent":
        texts = [TEXT[lang]["no_data"] if v is None else reported_pct(v, d, lang)
                 for v, d in zip(values, rows["decimals"])]
    return {"title": TEXT[lang][f"area_{area}"], "labels": list(rows[f"label_{lang}"]),
            "values": values, "texts": texts, "percent": unit == "percent",
            "axis": (TEXT[lang]["pct_axis"] if unit == "percent"
                     else capitalised(rows[f"unit_{lang}"].iloc[0])),
            "ids": list(rows["indicator_id"])}


def _staffing_panel(staff: pd.DataFrame, lang: str) -> dict:
    return {"title": TEXT[lang]["area_staffing"], "labels": list(staff[f"label_{lang}"]),
            "values": list(staff["pct_filled"]), "percent": True,
            "texts": [f"{pct(p, lang)} ({num(n, lang)}/{num(d, lang)})"
                      for p, n, d in zip(staff["pct_filled"], staff["present"],
                                         staff["assigned"])],
            "axis": TEXT[lang]["staffing_axis"],
            "ids": list(staff["assigned_id"]) + list(staff["present_id"])}


def _draw_panels(fig: Figure, panels: list[dict], lang: str) -> None:
    axes = fig.subplots(2, 2).ravel()
    for ax, panel in zip(axes, panels):
        if not panel["labels"]:
            message_panel(ax, TEXT[lang]["no_data"])
            ax.set_title(panel["title"])
            continue
        hbars(ax, panel["labels"], panel["values"], lang, texts=panel["texts"],
              percent=panel["percent"], xmax=100 if panel["percent"] else None, label_width=30)
        ax.set_title(wrap_balanced(panel["title"], 44))
        ax.set_xlabel(panel["axis"])
        ax.tick_params(axis="y", labelsize=8.5)


def _panels_alt(panels: list[dict], lang: str) -> str:
    items = []
    for panel in panels:
        texts = panel["texts"] or [TEXT[lang]["no_data"] if v is None else
                                   (pct(v, lang) if panel["percent"] else num(v, lang))
                                   for v in panel["values"]]
        items.append(f"{panel['title']}: " + ", ".join(f"{l} {t}" for l, t in
                                                        zip(panel["labels"], texts)))
    return tr(lang, "scorecard_alt", items=". ".join(items))


def _empty_note(panels: list[dict], lang: str) -> list[str]:
    empty = [l for p in panels for l, v in zip(p["labels"], p["values"]) if v is None]
    return [tr(lang, "empty_rows", labels="; ".join(empty))] if empty else []


def scorecard_reform_spec(data, lang: str) -> Spec:
    card = analysis.scorecard(data)
    panels = [_area_panel(card, area, lang) for area in REFORM_AREAS]
    parts = [tr(lang, key, n=num(data.value(ind), lang))
             for key, ind in (("reform_docs", "II.1"), ("reform_new", "III.1.2"),
                              ("reform_abolished", "III.1.3"), ("reform_recruited", "V.2"))
             if data.value(ind) is not None]
    title = tr(lang, "reform_title", year=data.year, parts=", ".join(parts))
    rows = [i for p in panels for i in p["ids"]] + ["V.2"]   # V.2: recruited, in the title
    return Spec(name="scorecard_reform", theme="scorecard", title=title,
                caption=TEXT[lang]["reform_caption"], alt=_panels_alt(panels, lang),
                source=source_line(data, lang, rows=rows), notes=_empty_note(panels, lang),
                size=(12, 8), draw=lambda fig: _draw_panels(fig, panels, lang))


def scorecard_organisation_spec(data, lang: str) -> Spec:
    card = analysis.scorecard(data)
    staff = analysis.staffing(data)
    panels = [_staffing_panel(staff, lang)] + [_area_panel(card, area, lang)
                                               for area in ORGANISATION_AREAS[1:]]
    civil = staff[staff["group"] == "IV.2"]
    state_funded, total = data.value("VI.2.5"), data.value("VI.2.1")
    if not civil.empty and state_funded is not None and total is not None:
        title = tr(lang, "org_title", pct=pct(civil["pct_filled"].iloc[0], lang),
                   n=num(state_funded, lang), total=num(total, lang))
    else:
        title = TEXT[lang]["org_title_short"]
    status = analysis.digital_status(data)
    notes = _empty_note(panels, lang)
    if not status.empty:
        notes.append(tr(lang, "status_note", items="; ".join(
            f"{l}: {s}" for l, s in zip(status[f"label_{lang}"], status[f"status_{lang}"]))))
    rows = [i for p in panels for i in p["ids"]] + ["VI.2.1"] + list(status["indicator_id"])
    return Spec(name="scorecard_organisation", theme="scorecard", title=title,
                caption=TEXT[lang]["org_caption"], alt=_panels_alt(panels, lang),
                source=source_line(data, lang, rows=rows), notes=notes, size=(12, 8.5),
                draw=lambda fig: _draw_panels(fig, panels, lang))


# --- registry, drawing and saving ----------------------------------------------------------------

def specs(data: analysis.ReportData, theme: str, lang: str) -> list[Spec]:
    """The figures of one theme for one report and language, in reading order."""
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use 'vi' or 'en')")
    if theme == "par_index":
        governance = analysis.load_governance()
        found = [index_spec(data, governance, index, lang) for index in analysis.INDICES]
    elif theme == "online_services":
        found = [funnel_spec(data, lang), online_dossiers_spec(data, lang),
                 level4_spec(data, lang), payment_portal_spec(data, lang),
                 on_time_spec(data, lang)]
    elif theme == "public_investment":
        found = [investment_spec(data, lang), investment_rates_spec(data, lang)]
    elif theme == "scorecard":
        found = [scorecard_reform_spec(data, lang), scorecard_organisation_spec(data, lang)]
    else:
        raise ValueError(f"unknown theme '{theme}' (one of {', '.join(THEMES)})")
    return [spec for spec in found if spec is not None]


def figure_paths(report_id: str, name: str, lang: str, out=None) -> tuple[Path, Path]:
    folder = paths.figures_dir(report_id, out)
    return folder / f"{name}_{lang}.png", folder / f"{name}_{lang}.svg"


def info(spec: Spec, report_id: str, lang: str, out=None) -> FigureInfo:
    png, svg = figure_paths(report_id, spec.name, lang, out)
    return FigureInfo(name=spec.name, theme=spec.theme, lang=lang, png=png, svg=svg,
                      title=spec.title, caption=spec.caption, alt=spec.alt, source=spec.source,
                      notes=tuple(spec.notes), references=tuple(spec.references))


def figures(report_id: str, lang: str, out=None) -> list[FigureInfo]:
    """Every figure of a report in one language, in reading order (nothing is drawn)."""
    data = analysis.load(report_id, out)
    return [info(spec, report_id, lang, out) for theme in THEMES
            for spec in specs(data, theme, lang)]


def render(spec: Spec) -> Figure:
    """Draw one figure in the house style (not saved)."""
    with matplotlib.rc_context(STYLE):
        fig = new_figure(spec)
        spec.draw(fig)
        finish(fig, spec)
    return fig


def save(fig: Figure, png: Path, svg: Path) -> None:
    """PNG at DPI and SVG, each written to a temporary name and moved into place."""
    with matplotlib.rc_context(STYLE):
        for target, fmt in ((png, "png"), (svg, "svg")):
            metadata = {"Software": None} if fmt == "png" else {"Date": None}
            with store.atomic_path(target) as tmp:
                fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata)


def make_theme(report_id: str, theme: str, out=None, langs=LANGS) -> list[FigureInfo]:
    """Draw and save one theme's figures in every language; returns them (langs in order).

    A figure the data cannot support this time is not drawn, and an old file of that
    name is removed, so the folder never mixes current and stale charts.
    """
    data = analysis.load(report_id, out)
    made = []
    for lang in langs:
        drawn = set()
        for spec in specs(data, theme, lang):
            figure_info = info(spec, report_id, lang, out)
            save(render(spec), figure_info.png, figure_info.svg)
            made.append(figure_info)
            drawn.add(spec.name)
        for name in set(FIGURE_NAMES[theme]) - drawn:
            for stale in figure_paths(report_id, name, lang, out):
                stale.unlink(missing_ok=True)
    return made


def make_all(report_id: str, out=None, langs=LANGS) -> list[FigureInfo]:
    return [f for theme in THEMES for f in make_theme(report_id, theme, out, langs)]


def show(made: list[FigureInfo], lang: str, theme: str | None = None) -> None:
    """In a notebook: each figure of `lang` as saved (PNG) with its caption; then the
    theme's figures that were not drawn because the report lacks their data."""
    from IPython.display import Image, Markdown, display
    shown = [f for f in made if f.lang == lang]
    for figure_info in shown:
        display(Image(filename=str(figure_info.png)))
        display(Markdown(f"*{figure_info.caption}*"))
    if theme is not None:
        missing = [n for n in FIGURE_NAMES[theme] if n not in {f.name for f in shown}]
        if missing:
            display(Markdown(tr(lang, "not_drawn", names=", ".join(f"`{n}`" for n in missing))))
