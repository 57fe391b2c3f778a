"""The charts: every expected figure saved for both reports in both languages, in one style,
with texts in the right language and numbers formatted for it."""
import re
import shutil
import struct
import xml.etree.ElementTree as ET

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from helpers import charts, data, figures, ingest, paths, store
from helpers.catalogue import row_ranges
from helpers.charts.style import BASIS_COLOUR, DPI, FONT
from helpers.formats import LANGS

REPORTS = ("thai-nguyen_2022", "bac-kan_2023")
OWN_THEMES = ("par_index", "online_services", "public_investment", "scorecard")
EXPECTED = [name for theme in OWN_THEMES for name in charts.names(theme)]


def drawn(report_id, lang, out, themes=OWN_THEMES):
    """The figures a build recorded in figures/<report_id>/figures.json."""
    return figures.read(report_id, lang, themes, out)


def report_data(ingested, facts=None):
    return data.of_tables(ingested.report_id, ingest.metadata(ingested.report),
                          ingested.indicators, ingested.facts if facts is None else facts)
VIETNAMESE = re.compile("[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]",
                        re.IGNORECASE)
ENGLISH_WORDS = re.compile(r"\b(the|of|and|by|to|from|were|are|is|in)\b")
VIETNAMESE_WORDS = re.compile(r"\b(của|và|năm|được|hồ sơ|kế hoạch|tỷ đồng|so với|đạt)\b")


def png_dpi(path) -> float:
    """Dots per inch from the PNG's pHYs chunk (pixels per metre)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    at = data.index(b"pHYs")
    x_per_metre, y_per_metre, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1, "pHYs unit must be the metre"
    return min(x_per_metre, y_per_metre) * 0.0254


@pytest.mark.parametrize("report_id", REPORTS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_expected_figure_is_saved_as_png_and_svg(built, report_id, lang):
    made = drawn(report_id, lang, built)
    assert [f.name for f in made] == EXPECTED
    for figure in made:
        assert figure.png == paths.figures_dir(report_id, built) / f"{figure.name}_{lang}.png"
        assert figure.png.stat().st_size > 10_000, figure.png
        assert png_dpi(figure.png) >= 150 - 0.5, figure.png
        assert figure.svg.stat().st_size > 10_000, figure.svg
        assert ET.parse(figure.svg).getroot().tag.endswith("svg")
        assert figure.theme in charts.THEMES
        assert figure.title and figure.caption and figure.alt and figure.source
        assert figure.csv == paths.figures_dir(report_id, built) / f"{figure.name}.csv"
        drawn_data = store.read_table(figure.csv)
        assert len(drawn_data) and {"origin", "source"} <= set(drawn_data.columns)


def test_no_temporary_files_are_left_beside_the_figures(built):
    for report_id in REPORTS:
        leftovers = [p.name for p in paths.figures_dir(report_id, built).iterdir()
                     if p.suffix not in (".png", ".svg", ".csv") and p.name != "figures.json"]
        assert leftovers == []


@pytest.mark.parametrize("report_id", REPORTS)
def test_texts_are_in_their_own_language(built, report_id):
    for vi, en in zip(drawn(report_id, "vi", built), drawn(report_id, "en", built)):
        assert vi.name == en.name
        for text in (vi.title, vi.caption, vi.alt):
            assert VIETNAMESE.search(text), text
            assert not ENGLISH_WORDS.search(text), text
        for text in (en.title, en.caption):
            assert not VIETNAMESE_WORDS.search(text), text
        assert ENGLISH_WORDS.search(en.title + " " + en.caption), en.title
        assert vi.source.startswith("Nguồn: Báo cáo ") and en.source.startswith("Source: Report ")


def test_numbers_are_formatted_per_language_and_taken_from_the_data(built):
    vi = {f.name: f for f in drawn("thai-nguyen_2022", "vi", built)}
    en = {f.name: f for f in drawn("thai-nguyen_2022", "en", built)}
    # Biểu mẫu 7 rows 6.4.1-6.4.2: 381.829 of 946.181 dossiers online (40,35%); row 6.4 says 29%
    assert "40,35%" in vi["online_dossiers"].title and "381.829/946.181" in vi["online_dossiers"].title
    assert "40.35%" in en["online_dossiers"].title and "381,829 of 946,181" in en["online_dossiers"].title
    assert "29%" in en["online_dossiers"].title
    # narrative line 17: 89,20 points, 6th of 63, up 3,59 points and 6 places
    assert "89,20 điểm, hạng 6/63" in vi["par_index"].title
    assert "89.20 points, 6th of 63" in en["par_index"].title and "3.59" in en["par_index"].title
    # narrative line 197: 5.223.285 million VND by 30/11/2022 = 5.223 billion
    assert "5.223 tỷ đồng" in vi["investment_disbursement"].title
    assert "5,223 billion VND" in en["investment_disbursement"].title


def test_source_lines_name_the_form_and_rows(built):
    en = {f.name: f for f in drawn("thai-nguyen_2022", "en", built)}
    assert en["online_dossiers"].source == ("Source: Report 301/BC-UBND, Form 7, "
                                            "rows 6.4, 6.4.1-6.4.2")
    # line 275 lies in section II.6.8 of the narrative: a reference a reader can follow
    assert en["level4_target"].source == "Source: Report 301/BC-UBND, section II.6.8"
    assert "vccinews.com" in en["par_index"].source
    assert any(u.startswith("https://") for u in en["par_index"].references)


def test_a_report_without_reference_rows_says_so(built):
    en = {f.name: f for f in drawn("bac-kan_2023", "en", built)}
    assert any("no published figures for Bắc Kạn" in n for n in en["par_index"].notes)
    assert any("no mid-2023 disbursement figure" in n for n in en["investment_disbursement"].notes)


def test_differences_between_reported_and_recomputed_rates_are_said(built):
    en = {f.name: f for f in drawn("thai-nguyen_2022", "en", built)}
    notes = " ".join(en["online_payment_portal"].notes)
    assert "states 61%" in notes and "65.84%" in notes and "states 100%" in notes
    assert en["online_dossiers"].notes and "566/1,933" in en["online_dossiers"].notes[0]
    agreeing = {f.name: f for f in drawn("bac-kan_2023", "en", built)}
    assert agreeing["online_dossiers"].notes == ()


def test_a_missing_optional_fact_is_skipped_and_noted(seed, tmp_path):
    facts = seed.facts[seed.facts["fact_id"] != "level4_online_processing_target_pct"]
    level4 = {c.name: s for c, s in charts.specs(report_data(seed, facts), "online_services",
                                                 "en")}["level4_target"]
    assert "The report states no target." in level4.notes
    assert "target" not in level4.title
    png, svg = tmp_path / "level4.png", tmp_path / "level4.svg"
    charts.save(charts.render(level4), png, svg)
    assert png.stat().st_size > 0 and svg.stat().st_size > 0


def test_a_figure_without_data_is_not_drawn_and_its_old_file_goes(built, tmp_path):
    out = tmp_path / "out"
    source = paths.processed_dir("bac-kan_2023", built)
    target = paths.processed_dir("bac-kan_2023", out)
    shutil.copytree(source, target)
    facts = ingest.load_facts("bac-kan_2023", out)
    store.write_table(facts[~facts["fact_id"].str.startswith("level4_")], target / "facts.csv")
    stale_png, _ = charts.figure_paths("bac-kan_2023", "level4_target", "vi", out)
    stale_png.parent.mkdir(parents=True)
    stale_png.write_bytes(b"old")
    made = charts.draw_theme("bac-kan_2023", "online_services", out)
    assert "level4_target" not in {f.name for f in made}
    assert not stale_png.exists()
    assert {f.name for f in made} == set(charts.names("online_services")) - {"level4_target"}
    recorded = store.read_json(paths.figures_dir("bac-kan_2023", out) / "figures.json")
    assert recorded["themes"]["online_services"]["not_drawn"] == ["level4_target"]


def test_the_style_font_carries_vietnamese_and_the_palette_is_colour_blind_safe():
    path = font_manager.findfont(FONT, fallback_to_default=False)
    font = FT2Font(path)
    assert all(font.get_char_index(ord(c)) for c in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐ")
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                 "#CC79A7"}
    used = {charts.COLOUR[k] for k in ("report", "implied", "published", "differs")}
    used |= set(BASIS_COLOUR.values())
    assert used <= okabe_ito
    assert DPI >= 150


def test_row_ranges_join_consecutive_rows():
    assert row_ranges(["VII.6.4.1", "VII.6.4.2"]) == "6.4.1-6.4.2"
    assert row_ranges(["III.1.4.1", "III.1.4.2", "III.1.4.3", "III.3.1"]) == \
        "1.4.1-1.4.3, 3.1"


def test_unknown_theme_or_language_is_refused(seed):
    with pytest.raises(ValueError, match="unknown theme"):
        charts.registry.chart("weather", "rain")
    with pytest.raises(ValueError, match="unknown language"):
        charts.specs(report_data(seed), "scorecard", "fr")


def test_each_chart_is_registered_once_in_its_theme():
    with pytest.raises(ValueError, match="registered twice"):
        charts.registry.chart("scorecard", "par_index")(lambda source, lang: None)


def test_text_from_the_data_is_drawn_literally(seed, tmp_path):
    # a province written with TeX's math marks is a name, not a formula: with math text
    # on, matplotlib refuses to draw the unbalanced '$\frac{' at all
    name = "Cao $\\frac{Bằng$"
    meta = {**ingest.metadata(seed.report), "province": name}
    source = data.of_tables(seed.report_id, meta, seed.indicators, seed.facts)
    for chart_, spec in charts.specs(source, "par_index", "en"):
        assert name in spec.title
        figure = charts.render(spec)
        charts.save(figure, tmp_path / f"{chart_.name}.png", tmp_path / f"{chart_.name}.svg")
        assert name in figure._suptitle.get_text().replace("\n", " ")


def test_lines_never_cross_a_year_without_a_value(seed):
    from matplotlib.lines import Line2D
    source = report_data(seed)
    spec = {c.name: s for c, s in charts.specs(source, "par_index", "en")}["par_index"]
    figure = charts.render(spec)
    score_axes = figure.axes[0]
    joined = [line for line in score_axes.get_lines() if isinstance(line, Line2D)
              and line.get_linestyle() != "None" and len(line.get_xdata()) > 1]
    assert joined
    for line in joined:
        years = [float(x) for x in line.get_xdata()]
        assert all(b - a == 1 for a, b in zip(years, years[1:])), years
    csv = spec.data
    implied = csv[(csv["year"] == 2022) & (csv["origin"] == "implied")].iloc[0]
    assert implied["rank"] == 9 and "tăng 3 bậc so với năm 2022" in implied["evidence"]


def test_every_chart_has_a_phone_variant_without_sideways_scrolling(built):
    from PIL import Image
    for figure in drawn("thai-nguyen_2022", "vi", built):
        assert figure.narrow is not None and figure.narrow.exists(), figure.name
        width, height = Image.open(figure.narrow).size
        # 4 inches at 150 dpi: shown 360 CSS px wide, a 9 pt label is 11 CSS px or more
        assert width <= 4.05 * DPI, (figure.name, width)


@pytest.mark.slow     # draws and saves every online chart twice, wide and narrow
def test_a_figure_is_laid_out_once_and_its_png_is_as_matplotlib_saves_it(seed, tmp_path):
    """`save` runs the constrained layout once (then only draws): the PNG is byte for byte
    the one a plain savefig writes, which lays the figure out again for each file."""
    import matplotlib
    from helpers.charts import registry
    for narrow in (False, True):
        for chart_, spec in charts.specs(report_data(seed), "online_services", "en"):
            plain = charts.render(spec, narrow)
            with matplotlib.rc_context(charts.STYLE):
                plain.savefig(tmp_path / "plain.png", format="png",
                              metadata={"Software": None})
            laid_out = charts.render(spec, narrow)
            executed = []
            engine = laid_out.get_layout_engine()
            original = engine.execute
            engine.execute = lambda fig: executed.append(fig) or original(fig)
            charts.save(laid_out, tmp_path / "once.png", tmp_path / "once.svg")
            assert len(executed) == 1 and laid_out.get_layout_engine() is None
            assert (tmp_path / "once.png").read_bytes() == \
                (tmp_path / "plain.png").read_bytes(), chart_.name
    assert registry.lay_out(laid_out) is None   # laid out already: nothing to do


def test_value_labels_of_an_index_chart_stay_inside_their_panel_and_apart(seed):
    """The seed's SIPAS ranks 2 sit at the top edge, and its scores 90,29% and 90,23% of
    two years in a row are close: each label must still be read whole and alone, on a
    wide chart and on a phone's. (The labels are as long in English: '90.29%'.)"""
    from matplotlib.text import Annotation
    source = report_data(seed)
    for lang in ("vi",):
        for chart_, spec in charts.specs(source, "par_index", lang):
            for narrow in (False, True):
                figure = charts.render(spec, narrow)
                figure.canvas.draw()
                renderer = figure.canvas.get_renderer()
                for axes in figure.axes:
                    labels = [text for text in axes.texts if isinstance(text, Annotation)]
                    boxes = [label.get_window_extent(renderer) for label in labels]
                    panel = axes.get_window_extent(renderer)
                    where = (chart_.name, lang, narrow)
                    for label, box in zip(labels, boxes):
                        assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, \
                            (where, label.get_text())
                        assert panel.y0 - 1 <= box.y0 and box.y1 <= panel.y1 + 1, \
                            (where, label.get_text())
                    for i, box in enumerate(boxes):
                        for j in range(i + 1, len(boxes)):
                            assert not box.overlaps(boxes[j]), \
                                (where, labels[i].get_text(), labels[j].get_text())


def test_the_online_dossiers_chart_says_where_the_forms_rate_comes_from_without_row_codes(seed):
    """Form 7, row 6.4 writes '$(566/1933)*100=29\\%$' (line 551); its rows 6.4.1 and 6.4.2
    count 946,181 and 381,829 dossiers. The title gives both figures, so the note only says
    how the form worked out its 29%; bars are named in words, not by row-code fractions."""
    specs = {c.name: s for c, s in charts.specs(report_data(seed), "online_services", "en")}
    spec = specs["online_dossiers"]
    assert "40.35%" in spec.title and "29%" in spec.title
    assert spec.notes[0].startswith("The form works out 29% as 566/1,933, not from these counts.")
    assert "From the form's own counts: 40.35% (381,829/946,181)" in spec.alt
    assert "Stated in the form (row 6.4): 29%" in spec.alt
    assert not re.search(r"\d\.\d/\d", spec.alt + " ".join(spec.notes))
