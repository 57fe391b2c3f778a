"""The leadership narrative: cards, sentences, order, languages, sources, escaping.

These tests build the narrative straight from processed tables written into a
temporary OUT (no kernel, no audit; every chart theme recorded in figures.json with
nothing drawn), so they also show that the page degrades gracefully while the audit is
missing or a theme has no chart. Expected figures
are read by hand from the reports (line numbers of the raw files in comments).
"""
from __future__ import annotations

import json
import re
import shutil
import string
import unicodedata
from html.parser import HTMLParser

import pandas as pd
import pytest

from helpers import figures, ingest, narrative, paths, store
from helpers.errors import ReportError

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def processed(tmp_path_factory, seed, synthetic):
    out = tmp_path_factory.mktemp("narrative")
    for ingested in (seed, synthetic):
        ingest.write(ingested, out)
        record_no_charts(ingested.report_id, out)
    return out


def record_no_charts(report_id, out):
    for theme in narrative.THEMES_SHOWN:
        figures.record_theme(report_id, theme, [], [], out)


def test_a_theme_missing_from_figures_json_is_a_build_error(seed, tmp_path):
    ingest.write(seed, tmp_path)
    figures.record_theme(seed.report_id, "par_index", [], [], tmp_path)
    with pytest.raises(ReportError, match="no charts recorded for 'online_services'"):
        narrative.load(seed.report_id, "en", tmp_path)


def card_values(report_id, lang, out):
    data = narrative.load(report_id, lang, out)
    return {card.key: card for card in narrative.cards(data, lang)}


def changes(card):
    return [(str(text), trend) for text, trend in card.changes]


class Text(HTMLParser):
    """The visible text of a page, leaving out elements marked in another language."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang, self.skip, self.parts = lang, [], []

    def handle_starttag(self, tag, attrs):
        other = dict(attrs).get("lang") not in (None, self.lang)
        if tag not in ("img", "meta", "br"):
            self.skip.append(other or (self.skip[-1] if self.skip else False))

    def handle_endtag(self, tag):
        if tag not in ("img", "meta", "br") and self.skip:
            self.skip.pop()

    def handle_data(self, data):
        if not (self.skip and self.skip[-1]):
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = Text(lang)
    parser.feed(html)
    return " ".join(parser.parts)


def has_vietnamese_letters(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.category(ch) == "Mn" for ch in decomposed) or "đ" in text.lower()


# --- headline cards ----------------------------------------------------------------------

def test_seed_cards_in_vietnamese(processed):
    cards = card_values("thai-nguyen_2022", "vi", processed)
    assert 5 <= len(cards) <= 7
    # line 17: "đạt 89,20 điểm và xếp vị trí thứ 6/63 ... tăng 3,59 điểm và tăng 6 bậc"
    assert cards["par_index"].value == "89,20 điểm"
    assert changes(cards["par_index"]) == [("tăng 3,59 điểm so với năm 2020", 1),
                                           ("xếp thứ 6/63, tăng 6 bậc so với năm 2020", 1)]
    # line 19: SIPAS "đạt 89,42% xếp thứ 11/63 và tăng 13 bậc"
    assert cards["sipas"].value == "89,42%"
    assert changes(cards["sipas"]) == [("xếp thứ 11/63, tăng 13 bậc so với năm 2020", 1)]
    # Biểu mẫu 7 rows 6.4.1 = 946.181 and 6.4.2 = 381.829: 381829/946181 = 40.35%
    assert cards["online_share"].value == "40,35%"
    assert str(cards["online_share"].details[0]) == "381.829 trên 946.181 hồ sơ"
    # line 275: level 4 "đạt 90%", target "đạt 55%"
    assert cards["level4"].value == "90%"
    assert changes(cards["level4"]) == [("chỉ tiêu 55%: vượt 35 điểm phần trăm", 1)]
    # line 109: on time 99,68%, to 15/12/2022
    assert cards["on_time"].value == "99,68%"
    assert str(cards["on_time"].details[0]) == "số liệu đến ngày 15/12/2022"
    # Biểu mẫu 6 row 1: 87,2% = 5.223.285 / 5.992.283 million VND
    assert cards["disbursement"].value == "87,2%"
    assert str(cards["disbursement"].details[0]) == \
        "5.223 trên 5.992 tỷ đồng kế hoạch Thủ tướng giao"


def test_seed_cards_in_english(processed):
    cards = card_values("thai-nguyen_2022", "en", processed)
    assert cards["par_index"].value == "89.20 points"
    assert changes(cards["par_index"]) == [("up 3.59 points on 2020", 1),
                                           ("ranked 6 of 63, up 6 places on 2020", 1)]
    assert cards["sipas"].value == "89.42%"
    assert cards["online_share"].value == "40.35%"
    assert str(cards["online_share"].details[0]) == "381,829 of 946,181 dossiers"
    assert cards["on_time"].value == "99.68%"
    assert cards["disbursement"].value == "87.2%"
    assert str(cards["disbursement"].details[0]) == \
        "VND 5,223 of 5,992 billion, the Prime Minister's plan"


def test_synthetic_cards_follow_its_own_figures(processed):
    cards = card_values("bac-kan_2023", "vi", processed)
    # synthetic line 17: "84,37 điểm ... thứ 41/63 ... tăng 1,62 điểm và giảm 2 bậc"
    assert cards["par_index"].value == "84,37 điểm"
    assert changes(cards["par_index"]) == [("tăng 1,62 điểm so với năm 2021", 1),
                                           ("xếp thứ 41/63, giảm 2 bậc so với năm 2021", -1)]
    # Biểu mẫu 7: 118.402 / 261.935 = 45,20%
    assert cards["online_share"].value == "45,20%"
    # line 77: 72% against a target of 50%
    assert changes(cards["level4"]) == [("chỉ tiêu 50%: vượt 22 điểm phần trăm", 1)]
    assert cards["disbursement"].value == "72,5%"


def test_every_card_names_its_source(processed):
    for lang, form_word in (("vi", "Biểu mẫu 7, dòng 6.4.1-6.4.2"),
                            ("en", "Form 7, rows 6.4.1-6.4.2")):
        cards = card_values("thai-nguyen_2022", lang, processed)
        assert all(str(card.source) for card in cards.values())
        assert str(cards["online_share"].source) == form_word
    cards = card_values("thai-nguyen_2022", "vi", processed)
    assert str(cards["par_index"].source) == "thuyết minh báo cáo, dòng 17 của tệp"
    assert str(cards["disbursement"].source) == "Biểu mẫu 6, dòng 1, 1.1, 1.2"


def test_a_card_is_flagged_when_the_audit_disputes_its_figures(processed):
    data = narrative.load("thai-nguyen_2022", "en", processed)
    data.audit = pd.DataFrame([
        {"status": "failed", "indicators": "VII.6.4; VII.6.4.2; VII.6.4.1", "facts": ""},
        {"status": "passed", "indicators": "VI.1; VI.1.2; VI.1.1", "facts": ""}])
    cards = {card.key: card for card in narrative.cards(data, "en")}
    assert cards["online_share"].flagged
    assert not cards["disbursement"].flagged
    assert "#data-quality" in str(narrative.render_card(cards["online_share"], "en"))


# --- the page ----------------------------------------------------------------------------

def test_sections_come_in_the_agreed_order_with_a_table_of_contents(processed):
    html = narrative.build("thai-nguyen_2022", "vi", processed).html()
    anchors = ["headline", "par-index", "online-services", "public-investment", "other-areas",
               "trends", "data-quality", "methodology"]
    positions = [html.index(f'<section class="chapter" id="{a}"') for a in anchors]
    assert positions == sorted(positions)
    assert html.index('<header class="title-block">') < positions[0]
    for anchor in anchors:
        assert f'href="#{anchor}"' in html


def test_title_block_names_province_year_report_and_date(processed):
    html = narrative.build("thai-nguyen_2022", "vi", processed).html()
    # title of the seed: No. 301/BC-UBND of 19/12/2022, Thái Nguyên 2022
    assert "Cải cách hành chính tỉnh Thái Nguyên năm 2022" in html
    assert "Báo cáo số 301/BC-UBND ngày 19/12/2022" in html
    english = narrative.build("thai-nguyen_2022", "en", processed).html()
    assert "report No. 301/BC-UBND of 19 December 2022" in english


def test_sentences_carry_the_recomputed_rate_and_say_when_the_form_differs(processed):
    html = narrative.build("thai-nguyen_2022", "en", processed).html()
    assert "Of 946,181 dossiers received, 381,829 were submitted online: 40.35%." in html
    # Biểu mẫu 7 row 6.4 states 29% (line 551)
    assert "The form states this rate as 29%" in html
    # the synthetic report is consistent: no such remark
    assert "The form states" not in narrative.build("bac-kan_2023", "en", processed).html()


def test_without_audit_or_charts_each_part_says_so(processed):
    for lang in ("vi", "en"):
        html = narrative.build("bac-kan_2023", lang, processed).html()
        # every theme but the comparison across years, which has no chart to miss
        expected = len(narrative.THEMES) - 1
        assert html.count(str(narrative.t("no_charts", lang))) == expected
        assert str(narrative.t("quality_missing", lang)) in html


def test_english_page_has_no_vietnamese_words_except_names(processed):
    for report_id in ("thai-nguyen_2022", "bac-kan_2023"):
        page = narrative.build(report_id, "en", processed)
        text = visible_text(page.html(), "en")
        province = narrative.load(report_id, "en", processed).province
        words = [w for w in re.findall(r"\w+", text.replace(province, "")) if
                 has_vietnamese_letters(w)]
        assert words == [], words[:10]


def test_vietnamese_page_has_no_english_sentences(processed):
    page = narrative.build("thai-nguyen_2022", "vi", processed)
    text = re.sub(r"https?://\S+", "", visible_text(page.html(), "vi"))
    english = re.findall(r"\b(?:the|and|of|with|from|points|places|rank|share|source)\b",
                         text, flags=re.IGNORECASE)
    assert english == []


def test_numbers_in_the_page_follow_the_language(processed):
    vi = narrative.build("thai-nguyen_2022", "vi", processed).html()
    en = narrative.build("thai-nguyen_2022", "en", processed).html()
    for figure_vi, figure_en in (("946.181", "946,181"), ("40,35%", "40.35%"),
                                 ("89,20", "89.20"), ("99,68%", "99.68%")):
        assert figure_vi in vi and figure_vi not in en
        assert figure_en in en and figure_en not in vi


# --- escaping ----------------------------------------------------------------------------

@pytest.fixture()
def hostile(processed, tmp_path):
    """A copy of the seed's processed tables with a hostile string in every text field."""
    out = tmp_path / "out"
    source = paths.processed_dir("thai-nguyen_2022", processed)
    target = paths.processed_dir("thai-nguyen_2022", out)
    shutil.copytree(source, target)
    meta = json.loads((target / "report.json").read_text(encoding="utf-8"))
    meta.update(province=HOSTILE, number=HOSTILE, source_file=HOSTILE)
    store.write_json(target / "report.json", meta)
    indicators = ingest.load_indicators("thai-nguyen_2022", out)
    extra = indicators.iloc[[-1]].copy()
    extra[["indicator_id", "code", "label_raw", "label_vi", "in_catalogue"]] = \
        ["VII.6.6", "6.6", HOSTILE, HOSTILE, False]
    store.write_table(pd.concat([indicators, extra], ignore_index=True),
                      target / "indicators.csv")
    issues = pd.DataFrame([{"severity": "warning", "kind": "unknown_row",
                            "indicator_id": "VII.6.6", "form": 7, "line": 560,
                            "message_en": HOSTILE, "message_vi": HOSTILE}])
    store.write_table(issues, target / "parse_issues.csv", parquet=False)
    store.write_table(pd.DataFrame([{"check_id": HOSTILE, "kind": "rate", "severity": "error",
                                     "status": "failed", "indicators": HOSTILE, "facts": "",
                                     "message_en": HOSTILE, "message_vi": HOSTILE,
                                     "lines": HOSTILE}]), target / "audit.csv")
    record_no_charts("thai-nguyen_2022", out)
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_strings_from_the_data_are_escaped(hostile, lang):
    html = narrative.build("thai-nguyen_2022", lang, hostile).html()
    assert "<script" not in html
    # province (title, sentences), number, file, unknown row label, reading problem, audit
    assert html.count(ESCAPED) >= 6


def test_only_web_addresses_become_links():
    assert "href" not in str(narrative.link("javascript:alert(1)"))
    assert str(narrative.link('https://example.org/a?b=1&c="x"')).startswith(
        '<a href="https://example.org/a?b=1&amp;c=&#34;x&#34;">')
    assert str(narrative.link("https://example.org/long/path", short=True)).endswith(
        ">example.org</a>")
