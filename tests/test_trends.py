"""Trends and comparisons on the synthetic fixtures, against values worked out by hand.

The numbers below are read by hand from tests/fixtures/synthetic_bac-kan_2023.txt,
synthetic_bac-kan_2024.txt and synthetic_cao-bang_2023.txt (all invented), and the
changes computed by hand from them.
"""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from helpers import charts, combine, figures, ingest, paths, run, trends
from helpers.errors import ReportError


@pytest.fixture(scope="module")
def tables(several):
    return trends.load(several)


@pytest.fixture(scope="module")
def bac_kan(tables):
    _, long = tables
    frame = trends.series(long, "bac-kan_2024")
    return {(row["key"], row["year"]): row for row in frame.to_dict("records")}


def test_series_holds_the_two_years_of_the_province_only(tables):
    _, long = tables
    frame = trends.series(long, "bac-kan_2023")      # either report of the province
    assert set(frame["year"]) == {2023, 2024}
    assert set(frame["province"]) == {"Bắc Kạn"}
    assert trends.years_of(long, "bac-kan_2024") == [2023, 2024]
    assert trends.years_of(long, "cao-bang_2023") == [2023]


@pytest.mark.parametrize("key, before, after, change, change_pct", [
    # Biểu mẫu 6 row 1: 72,5 -> 78,4 (percentage points; no % change of a percentage)
    ("VI.1", 72.5, 78.4, 5.9, None),
    # Biểu mẫu 6 row 1.1: 2.184.517 -> 2.305.600 million VND
    ("VI.1.1", 2184517, 2305600, 121083, 121083 / 2184517 * 100),
    # Biểu mẫu 7 row 6.4.1: 261.935 -> 287.450 dossiers
    ("VII.6.4.1", 261935, 287450, 25515, 25515 / 261935 * 100),
    # Biểu mẫu 7 row 6.4, a formula cell: (118402/261935) = 45% -> (152349/287450) = 53%
    ("VII.6.4", 45, 53, 8, None),
    # Biểu mẫu 4 row 2.1: 1.347 -> 1.326 civil-servant posts
    ("IV.2.1", 1347, 1326, -21, -21 / 1347 * 100),
    # Biểu mẫu 1 row 2: 95,83% -> 100%
    ("I.2", 95.83, 100, 4.17, None),
    # Biểu mẫu 6 row 2.1: 421 both years
    ("VI.2.1", 421, 421, 0, 0),
    # narrative: "đạt 84,37 điểm và xếp vị trí thứ 41/63" -> "đạt 86,12 điểm ... thứ 35/63"
    ("par_index_score", 84.37, 86.12, 1.75, None),
    ("par_index_rank", 41, 35, -6, None),
    # narrative: "tổng số hồ sơ được tiếp nhận là 261.935" -> "287.450"
    ("dossiers_received", 261935, 287450, 25515, 25515 / 261935 * 100),
])
def test_values_and_year_on_year_changes(bac_kan, key, before, after, change, change_pct):
    first, second = bac_kan[(key, 2023)], bac_kan[(key, 2024)]
    assert first["value"] == pytest.approx(before)
    assert second["value"] == pytest.approx(after)
    assert second["previous_year"] == 2023 and pd.isna(first["previous_year"])
    assert second["change"] == pytest.approx(change)
    if change_pct is None:
        assert second["change_pct"] != second["change_pct"]      # NaN
    else:
        assert second["change_pct"] == pytest.approx(change_pct)


def test_facts_keep_the_period_they_refer_to(bac_kan):
    # PAR INDEX in the 2024 report is the index of 2023 (announced a year later)
    assert bac_kan[("par_index_score", 2024)]["period"] == "2023"
    assert bac_kan[("par_index_score", 2023)]["period"] == "2022"


def test_enum_rows_have_values_but_no_arithmetic_change(bac_kan):
    row = bac_kan[("I.6.2", 2024)]           # survey method: code 2 (combined) both years
    assert row["value"] == 2
    assert row["change"] != row["change"]


@pytest.mark.parametrize("key, lang, text", [
    ("VI.1", "vi", "+5,9 điểm %"), ("VI.1", "en", "+5.9 pp"),
    ("par_index_rank", "vi", "tăng 6 bậc"), ("par_index_rank", "en", "up 6 places"),
    ("par_index_score", "en", "+1.75 points"), ("VI.2.1", "en", "unchanged"),
    ("IV.2.1", "vi", "−21 (−1,56%)"),        # 21/1347 = 1,559...%
    ("VII.6.4.1", "en", "+25,515 (+9.74%)"),  # 25515/261935 = 9,740...%
])
def test_series_table_states_the_change_in_words_per_language(tables, key, lang, text):
    _, long = tables
    table = trends.series_table(trends.series(long, "bac-kan_2024"), lang)
    id_column = "Mã" if lang == "vi" else "Id"
    change_column = table.columns[-1]
    assert table.set_index(id_column).loc[key, change_column] == text


def test_series_table_has_one_column_per_year_with_formatted_values(tables):
    _, long = tables
    table = trends.series_table(trends.series(long, "bac-kan_2024"), "vi").set_index("Mã")
    assert (table.loc["VI.1.1", "2023"], table.loc["VI.1.1", "2024"]) == ("2.184.517",
                                                                          "2.305.600")
    assert table.loc["I.6.2", "2024"] == "Kết hợp"


def test_values_are_written_with_the_digits_their_report_wrote(tables):
    """The SIPAS index as each report writes it (line 19 of each fixture): Bắc Kạn 83,16%
    (2023) and 85,40% (2024), Cao Bằng 81,20% (2023). 85,40 is not shortened to 85,4, in
    the tables nor in the charts."""
    _, long = tables
    table = trends.series_table(trends.series(long, "bac-kan_2024"), "vi").set_index("Mã")
    assert (table.loc["sipas_score", "2023"], table.loc["sipas_score", "2024"]) == (
        "83,16%", "85,40%")
    across = trends.comparison_table(trends.comparison(long, 2023), "en").set_index("Id")
    assert across.loc["sipas_score", "Cao Bằng"] == "81.20%"
    comparison = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=tables), "en")
    assert "Cao Bằng 81.20%" in comparison.alt
    years = charts.comparisons.trends_spec(
        charts.comparisons.load("bac-kan_2024", tables=tables), "vi")
    assert "2022 83,16%, 2023 85,40%" in years.alt     # the years the index was measured
    assert trends.value_text(85.4, "points", "vi", 0) == "85,4"   # never fewer than needed


@pytest.mark.parametrize("key, bac_kan_value, cao_bang_value", [
    ("VI.1", 72.5, 66.3),               # Biểu mẫu 6 row 1 of each 2023 report
    ("VII.6.4", 45, 36),                # Biểu mẫu 7 row 6.4: 45% and (71402/198340) = 36%
    ("par_index_score", 84.37, 82.95),  # narrative: 84,37 and 82,95 điểm
    ("online_payment_pct", 64, 54),     # narrative: "thanh toán trực tuyến là 64%" / "54%"
])
def test_comparison_of_the_two_provinces_of_2023(tables, key, bac_kan_value, cao_bang_value):
    _, long = tables
    frame = trends.comparison(long, 2023)
    assert trends.provinces_in(long, 2023) == ["Bắc Kạn", "Cao Bằng"]
    values = frame[frame["key"] == key].set_index("province")["value"]
    assert values.to_dict() == pytest.approx({"Bắc Kạn": bac_kan_value,
                                              "Cao Bằng": cao_bang_value})
    assert set(frame["year"]) == {2023}


def test_comparison_table_has_one_column_per_province(tables):
    _, long = tables
    table = trends.comparison_table(trends.comparison(long, 2023), "en").set_index("Id")
    assert (table.loc["VI.1", "Bắc Kạn"], table.loc["VI.1", "Cao Bằng"]) == ("72.5%", "66.3%")


@pytest.mark.parametrize("report_id, lang, expected", [
    ("bac-kan_2024", "en", ["Bắc Kạn has reports for 2 years (2023, 2024)",
                            "For 2024, only Bắc Kạn has a report: no other province to "
                            "compare with yet."]),
    ("cao-bang_2023", "en", ["There is only one report for Cao Bằng (2023): nothing to "
                             "compare across years yet.", "For 2023 there are also reports "
                                                           "for Bắc Kạn"]),
    ("cao-bang_2023", "vi", ["Mới có một báo cáo của Cao Bằng (năm 2023): chưa có gì để so "
                             "sánh qua các năm.", "Năm 2023 còn có báo cáo của Bắc Kạn"]),
])
def test_overview_says_what_can_be_compared(tables, report_id, lang, expected):
    reports, _ = tables
    sentences = trends.overview(reports, report_id, lang)
    assert all(sentence.startswith(start) for sentence, start in zip(sentences, expected))


def test_a_single_report_has_nothing_to_compare(seed, tmp_path):
    ingest.write(seed, tmp_path)
    reports, long = trends.load(tmp_path)
    assert trends.overview(reports, "thai-nguyen_2022", "en") == [
        "There is only one report for Thái Nguyên (2022): nothing to compare across years yet.",
        "For 2022, only Thái Nguyên has a report: no other province to compare with yet."]
    tables = charts.comparisons.load("thai-nguyen_2022", tables=(reports, long))
    assert charts.specs(tables, "trends", "vi") == []
    stale = paths.figures_dir("thai-nguyen_2022", tmp_path) / "trends_vi.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    assert charts.draw_theme("thai-nguyen_2022", "trends", tmp_path) == []
    assert not stale.exists()           # no stale comparison left behind
    recorded = figures.read("thai-nguyen_2022", "vi", ["trends"], tmp_path)
    assert recorded == []               # recorded as a theme with nothing to draw


def test_an_unknown_report_is_a_clear_error(tables):
    reports, _ = tables
    with pytest.raises(ReportError, match="not among the processed reports"):
        trends.overview(reports, "ha-noi_2023")


@pytest.mark.slow     # draws every trend chart of three reports
def test_figures_in_both_languages(several, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    made = {report_id: charts.draw_theme(report_id, "trends", out)
            for report_id in ("bac-kan_2023", "bac-kan_2024", "cao-bang_2023")}
    names = {rid: sorted(f"{m.name}_{m.lang}" for m in found) for rid, found in made.items()}
    assert names == {
        "bac-kan_2023": ["comparison_en", "comparison_vi", "trends_en", "trends_vi"],
        "bac-kan_2024": ["trends_en", "trends_vi"],
        "cao-bang_2023": ["comparison_en", "comparison_vi"]}
    for found in made.values():
        for figure in found:
            assert figure.png.stat().st_size > 10_000 and figure.svg.stat().st_size > 10_000
    titles = {m.lang: m.title for m in made["bac-kan_2024"]}
    assert titles == {"vi": "Bắc Kạn: các chỉ số chính qua 2 báo cáo (2023, 2024)",
                      "en": "Bắc Kạn: headline figures across 2 reports (2023, 2024)"}
    assert "198/BC-UBND" in made["bac-kan_2024"][0].source   # the 2024 report's number
    listed = figures.read("bac-kan_2023", "vi", ["trends"], out)   # for the leadership HTML
    assert [(f.name, f.png) for f in listed] == [(m.name, m.png) for m in made["bac-kan_2023"]
                                                  if m.lang == "vi"]
    assert all(f.alt and f.caption for f in listed)


@pytest.mark.slow
def test_notebook_shows_series_comparison_and_charts(several, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(several, out)
    executed = run.execute(paths.NOTEBOOKS / "07_trends.ipynb", tmp_path / "07.ipynb",
                           {"report_id": "bac-kan_2023", "out": str(out), "lang": "en"})
    text = executed.read_text(encoding="utf-8")
    assert "Bắc Kạn has reports for 2 years (2023, 2024)" in text
    assert "For 2023 there are also reports for Cao Bằng" in text
    assert "image/png" in text
    assert (paths.figures_dir("bac-kan_2023", out) / "comparison_vi.png").exists()


def test_pipeline_runs_the_trends_notebook_for_every_report(built):
    for report_id in ("thai-nguyen_2022", "bac-kan_2023"):
        executed = paths.executed_notebooks_dir(report_id, built) / "07_trends.ipynb"
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
        shown = json.dumps([c.get("outputs") for c in cells], ensure_ascii=False)
        assert "chưa có gì để so sánh qua các năm" in shown   # one report per province


def _with_copies(tables, count: int):
    """The fixtures' tables plus `count` invented provinces for 2023, each a copy of Cao Bằng
    2023 under another name (values shifted by its number, so that the ends are known)."""
    reports, long = tables
    source_rows = long[long["report_id"] == "cao-bang_2023"]
    source_report = reports[reports["report_id"] == "cao-bang_2023"]
    longs, all_reports = [long], [reports]
    for number in range(1, count + 1):
        report_id, name = f"tinh-{number:02d}_2023", f"Tỉnh {number:02d}"
        longs.append(source_rows.assign(report_id=report_id, province=name,
                                        province_id=f"tinh-{number:02d}",
                                        value=source_rows["value"] - number / 10))
        all_reports.append(source_report.assign(report_id=report_id, province=name))
    return (pd.concat(all_reports, ignore_index=True), pd.concat(longs, ignore_index=True))


def test_a_comparison_names_a_few_provinces_and_counts_many(tables):
    few = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=tables), "en")
    assert few.title == "2023: Bắc Kạn beside Cao Bằng"
    assert few.source.count("Report ") == 2               # each report by its number
    many_tables = _with_copies(tables, 12)
    many = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=many_tables), "en")
    assert many.title == "2023: Bắc Kạn beside 13 other provinces"
    assert many.source.startswith("Source: Report ")
    assert many.source.endswith("the 2023 reports of 13 other provinces (each named in the "
                                "chart's data table)")
    assert many.data["source"].nunique() == 14            # and there they are, every one
    assert trends.overview(many_tables[0], "bac-kan_2023", "vi")[1] == (
        "Năm 2023 còn có báo cáo của 13 tỉnh, thành phố khác: so sánh giữa các tỉnh, thành "
        "phố ở dưới.")


def test_the_strip_of_many_provinces_names_the_province_and_the_two_ends(tables):
    spec = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=_with_copies(tables, 30)), "en")
    # Biểu mẫu 6 row 1: Bắc Kạn 72,5%; Cao Bằng 66,3%, so Tỉnh 30 is lowest at 63.3%
    disbursement = [part for part in spec.alt.split("; ") if part.startswith("Public inv")]
    assert disbursement == ["Public investment disbursement rate: Bắc Kạn 72.5%, "
                            "Tỉnh 30 63.3%"]              # Bắc Kạn is the highest as well


@pytest.mark.parametrize("copies", [0, 40])
def test_the_comparison_draws_the_same_few_marks_for_two_or_forty_provinces(tables, copies):
    spec = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=_with_copies(tables, copies)), "vi")
    fig = charts.render(spec)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(trends.panels(trends.comparison(
        _with_copies(tables, copies)[1], 2023)))
    for ax in panels:
        dots, highlight = ax.collections
        assert len(dots.get_offsets()) == copies + 2      # a dot per province
        assert len(highlight.get_offsets()) == 1
        assert len(ax.texts) <= 3                          # the province and the two ends
        assert any(t.get_text().startswith("Bắc Kạn: ") for t in ax.texts)


def test_places_sharing_a_dot_are_named_or_counted(tables):
    """Lạng Sơn's fixture is Bắc Kạn's report under another name: the same values, so its
    dot is hidden under Bắc Kạn's. The labels say who shares a dot."""
    reports, long = tables
    twin = long[long["report_id"] == "bac-kan_2023"].assign(
        report_id="lang-son_2023", province="Lạng Sơn", province_id="lang-son")
    cao_bang = long[long["report_id"] == "cao-bang_2023"]
    second = cao_bang.assign(report_id="tinh-01_2023", province="Tỉnh 01",
                             province_id="tinh-01")
    both = pd.concat([long, twin, second], ignore_index=True)
    more = pd.concat([reports, reports[reports["report_id"] == "bac-kan_2023"].assign(
        report_id="lang-son_2023", province="Lạng Sơn"), reports[reports["report_id"] ==
        "cao-bang_2023"].assign(report_id="tinh-01_2023", province="Tỉnh 01")])
    spec = charts.comparisons.comparison_spec(
        charts.comparisons.load("bac-kan_2023", tables=(more, both)), "en")
    fig = charts.render(spec)
    panel = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Public inv"))
    labels = sorted(text.get_text() for text in panel.texts)
    # Biểu mẫu 6 row 1: Bắc Kạn 72,5%, Cao Bằng 66,3%
    assert labels == ["Bắc Kạn: 72.5%\nsame as Lạng Sơn", "Cao Bằng and 1 more\n66.3%"]
