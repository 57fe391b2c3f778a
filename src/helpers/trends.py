"""Years and provinces side by side, from the combined tables of `helpers.combine`.

- `series`: for one report's province, every indicator and narrative fact over the
  years it has reports for, with the change on the previous report (`change`: the
  difference, in the row's own unit, so percentage points for a percent; and
  `change_pct` for counts and amounts only).
- `comparison`: for one report's year, every indicator and fact across the provinces
  that have a report for that year.
- `overview`: says in plain words what can be compared, including that there is
  nothing to compare yet when a province has one report or a year one province.

Indicators are keyed by `indicator_id`, facts by `fact_id`; a province is recognised
by the slug of its report_id (`bac-kan_2024` -> `bac-kan`), so 'Bắc Kạn' and
'Bac Kan' typed on a workbook's cover are the same province.
"""
from __future__ import annotations

import pandas as pd

from . import catalogue
from .errors import ReportError
from .formats import format_number

DIFFERENCE_UNITS = {"count", "percent", "million_vnd", "points", "rank", "places"}
RELATIVE_UNITS = {"count", "million_vnd"}     # a % change means something for these only
# The headline figures charted over the years and across provinces (ids, not values).
HEADLINES = ("par_index_score", "par_index_rank", "sipas_score", "dossiers_on_time_pct",
             "VII.6.4", "level4_online_processing_pct", "VI.1")
LONG_COLUMNS = ["kind", "key", "label_vi", "label_en", "unit", "report_id", "province",
                "province_id", "year", "period", "value", "position"]


def province_id(report_id: str) -> str:
    """'bac-kan_2024' -> 'bac-kan'."""
    return str(report_id).rsplit("_", 1)[0]


def long_table(indicators: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Indicators (headings left out) and facts of combined tables in one long frame."""
    parts = []
    if not indicators.empty:
        rows = indicators[indicators["unit"] != "heading"]
        parts.append(pd.DataFrame({
            "kind": "indicator", "key": rows["indicator_id"], "label_vi": rows["label_vi"],
            "label_en": rows["label_en"], "unit": rows["unit"], "report_id": rows["report_id"],
            "province": rows["province"], "year": rows["year"],
            "period": rows["year"].astype(str), "value": rows["value"]}))
    if not facts.empty:
        parts.append(pd.DataFrame({
            "kind": "fact", "key": facts["fact_id"], "label_vi": facts["label_vi"],
            "label_en": facts["label_en"], "unit": facts["unit"],
            "report_id": facts["report_id"], "province": facts["province"],
            "year": facts["year"], "period": facts["period"].astype(str),
            "value": facts["value"]}))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    # figures keep the order of the forms and of facts.yml, not the alphabet
    frame["position"] = frame["key"].map({key: i for i, key in
                                          enumerate(dict.fromkeys(frame["key"]))})
    frame["province_id"] = frame["report_id"].map(province_id)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame[LONG_COLUMNS]


def series(long: pd.DataFrame, report_id: str) -> pd.DataFrame:
    """Every figure of the report's province over its years, with year-on-year change.

    `previous_year` is the year of the province's previous report (reports need not
    be consecutive). Figures with no value in any year are left out.
    """
    rows = long[long["province_id"] == province_id(report_id)]
    rows = rows.sort_values(["position", "year"], kind="stable").copy()
    rows = rows[rows.groupby(["kind", "key"])["value"].transform("count") > 0]
    grouped = rows.groupby(["kind", "key"], sort=False)
    rows["previous_year"] = grouped["year"].shift(1).astype("Int64")
    rows["previous_value"] = grouped["value"].shift(1)
    numeric = rows["unit"].isin(DIFFERENCE_UNITS)
    rows["change"] = (rows["value"] - rows["previous_value"]).where(numeric)
    relative = rows["unit"].isin(RELATIVE_UNITS) & (rows["previous_value"] != 0)
    rows["change_pct"] = (rows["change"] / rows["previous_value"] * 100).where(relative)
    return rows.reset_index(drop=True)


def comparison(long: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every figure of every province that has a report for `year`."""
    rows = long[long["year"] == int(year)]
    rows = rows[rows.groupby(["kind", "key"])["value"].transform("count") > 0]
    return rows.sort_values(["position", "province"], kind="stable").reset_index(drop=True)


def years_of(long: pd.DataFrame, report_id: str) -> list[int]:
    rows = long[long["province_id"] == province_id(report_id)]
    return sorted(int(year) for year in rows["year"].unique())


def provinces_in(long: pd.DataFrame, year: int) -> list[str]:
    rows = long[long["year"] == int(year)]
    return sorted(rows["province"].unique())


def overview(reports: pd.DataFrame, report_id: str, lang: str = "vi") -> list[str]:
    """Two sentences: what there is to compare across years and across provinces."""
    this = reports[reports["report_id"] == report_id]
    if this.empty:
        raise ReportError(f"report '{report_id}' is not among the processed reports "
                          f"({', '.join(reports['report_id']) or 'none'})",
                          hint="build it first: make report")
    province, year = this["province"].iloc[0], int(this["year"].iloc[0])
    years = sorted(int(y) for y in reports.loc[reports["report_id"].map(province_id)
                                               == province_id(report_id), "year"])
    others = sorted(reports.loc[(reports["year"] == year)
                                & (reports["report_id"] != report_id), "province"])
    vi = lang == "vi"
    if len(years) > 1:
        listed = ", ".join(str(y) for y in years)
        across_years = (f"{province} có báo cáo của {len(years)} năm ({listed}): các chỉ tiêu "
                        "được so sánh qua các năm dưới đây." if vi else
                        f"{province} has reports for {len(years)} years ({listed}): its "
                        "figures are compared across the years below.")
    else:
        across_years = (f"Mới có một báo cáo của {province} (năm {year}): chưa có gì để so "
                        "sánh qua các năm." if vi else
                        f"There is only one report for {province} ({year}): nothing to "
                        "compare across years yet.")
    if others:
        listed = ", ".join(others)
        across_provinces = (f"Năm {year} còn có báo cáo của {listed}: so sánh giữa các tỉnh, "
                            "thành phố ở dưới." if vi else
                            f"For {year} there are also reports for {listed}: the provinces "
                            "are compared below.")
    else:
        across_provinces = (f"Năm {year} mới có báo cáo của {province}: chưa có tỉnh, thành "
                            "phố nào khác để so sánh." if vi else
                            f"For {year}, only {province} has a report: no other province "
                            "to compare with yet.")
    return [across_years, across_provinces]


def label(row: pd.Series | dict, lang: str) -> str:
    """The short catalogue label of an indicator, the facts.yml label of a fact."""
    if row["kind"] == "indicator":
        return catalogue.label(row["key"], lang, short=True)
    return row[f"label_{lang}"]


def _shown(value, unit: str, key: str, kind: str, lang: str) -> str:
    if pd.isna(value):
        return "–"
    if kind == "indicator" and unit in ("enum", "boolean"):
        return catalogue.enum_labels(key, lang).get(float(value), format_number(value, lang))
    return _value_text(value, unit, lang)


def _decimals(value: float) -> int:
    value = round(float(value), 6)   # 78.4 - 72.5 is 5.900000000000006
    return 0 if value.is_integer() else 1 if round(value, 1) == value else 2


def _signed(value, lang: str, suffix: str = "") -> str:
    if pd.isna(value):
        return ""
    if round(float(value), 6) == 0:
        return "±0" + suffix
    text = format_number(abs(value), lang, _decimals(abs(value)))
    return ("+" if value > 0 else "−") + text + suffix


CHANGE_WORDS = {
    "vi": {"unchanged": "không đổi", "up": "tăng {n} bậc", "down": "giảm {n} bậc",
           "percent": " điểm %", "points": " điểm"},
    "en": {"unchanged": "unchanged", "up": "up {n} places", "down": "down {n} places",
           "percent": " pp", "points": " points"},
}


def change_text(change, unit: str, lang: str = "vi") -> str:
    """A year-on-year change in words: a rank moving from 41 to 35 is 'up 6 places';
    a percentage changes by percentage points ('+8 pp'); empty when there is none."""
    if pd.isna(change):
        return ""
    words = CHANGE_WORDS[lang]
    if round(float(change), 6) == 0:
        return words["unchanged"]
    if unit == "rank":   # a smaller rank number is a better place
        n = format_number(abs(change), lang, _decimals(abs(change)))
        return (words["up"] if change < 0 else words["down"]).format(n=n)
    return _signed(change, lang, words.get(unit, ""))


def series_table(series_frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The series as a reader sees it: one row per figure, one column per year, and the
    latest change (and % change where it means something), numbers formatted per language."""
    if series_frame.empty:
        return pd.DataFrame()
    rows = []
    change_name = "Thay đổi so với năm trước" if lang == "vi" else "Change on previous year"
    for (kind, key), group in series_frame.groupby(["kind", "key"], sort=False):
        first = group.iloc[0]
        record = {"Chỉ tiêu" if lang == "vi" else "Figure": label(first, lang),
                  "Mã" if lang == "vi" else "Id": key}
        for _, row in group.iterrows():
            record[str(row["year"])] = _shown(row["value"], row["unit"], key, kind, lang)
        last = group.iloc[-1]
        change = change_text(last["change"], last["unit"], lang)
        if not pd.isna(last["change_pct"]) and round(float(last["change"]), 6) != 0:
            change += f" ({_signed(last['change_pct'], lang, '%')})"
        record[change_name] = change
        rows.append(record)
    return pd.DataFrame(rows)


def comparison_table(comparison_frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """One row per figure, one column per province, numbers formatted per language."""
    if comparison_frame.empty:
        return pd.DataFrame()
    rows = []
    for (kind, key), group in comparison_frame.groupby(["kind", "key"], sort=False):
        first = group.iloc[0]
        record = {"Chỉ tiêu" if lang == "vi" else "Figure": label(first, lang),
                  "Mã" if lang == "vi" else "Id": key}
        for _, row in group.iterrows():
            record[row["province"]] = _shown(row["value"], row["unit"], key, kind, lang)
        rows.append(record)
    return pd.DataFrame(rows)


def headlines(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the headline figures, in the order of HEADLINES."""
    rows = frame[frame["key"].isin(HEADLINES)].copy()
    rows["order"] = rows["key"].map({key: i for i, key in enumerate(HEADLINES)})
    return rows.sort_values(["order", "year", "province"], kind="stable").drop(columns="order")


# --------------------------------------------------------------------------- charts

FIGURES = ("trends", "comparison")
TEXT = {
    "vi": {
        "trends_title": "{province}: các chỉ số chính qua {n} báo cáo ({years})",
        "trends_caption": "Mỗi ô là một chỉ số chính trong các báo cáo của {province}, kèm "
                          "mức thay đổi so với báo cáo trước. Chỉ số CCHC và Chỉ số hài lòng "
                          "ghi theo năm đánh giá (năm trước năm báo cáo); thứ hạng vẽ trên trục "
                          "đảo ngược (hạng 1 ở trên cùng).",
        "comparison_title": "Năm {year}: {province} so với {others}",
        "comparison_caption": "Các chỉ số chính của các tỉnh, thành phố có báo cáo năm {year}; "
                              "{province} tô đậm. Thứ hạng: số nhỏ hơn là tốt hơn.",
        "source": "Nguồn: {reports}", "report": "Báo cáo {number} ({province}, {year})",
        "report_nonumber": "Báo cáo CCHC {province} năm {year}",
        "alt": "{label}: {values}",
    },
    "en": {
        "trends_title": "{province}: headline figures across {n} reports ({years})",
        "trends_caption": "Each panel is a headline figure of {province}'s reports, with its "
                          "change on the previous report. The PAR Index and SIPAS are shown "
                          "for the year assessed (the year before the report); ranks are on an "
                          "inverted axis (1st at the top).",
        "comparison_title": "{year}: {province} beside {others}",
        "comparison_caption": "Headline figures of the provinces with a report for {year}; "
                              "{province} highlighted. Ranks: lower is better.",
        "source": "Source: {reports}", "report": "Report {number} ({province}, {year})",
        "report_nonumber": "{province} administrative reform report {year}",
        "alt": "{label}: {values}",
    },
}


def load(out=None):
    """The processed reports of OUT as (reports, long table) for `series` and `comparison`."""
    from . import combine
    reports = combine.reports(out)
    return reports, long_table(combine.collect("indicators", out), combine.collect("facts", out))


def _value_text(value, unit: str, lang: str) -> str:
    text = format_number(value, lang, _decimals(value))
    return text + "%" if unit == "percent" else text


def _x_labels(group: pd.DataFrame) -> list[str]:
    """A fact refers to its period (PAR INDEX of 2022 is in the 2023 report); else the year."""
    periods = group["period"].astype(str)
    if group["kind"].iloc[0] == "fact" and periods.str.fullmatch(r"\d{4}").all():
        return list(periods)
    return [str(year) for year in group["year"]]


def _source(reports: pd.DataFrame, report_ids, lang: str) -> str:
    names = []
    for row in reports[reports["report_id"].isin(list(report_ids))].to_dict("records"):
        key = "report" if row.get("number") else "report_nonumber"
        names.append(TEXT[lang][key].format(number=row.get("number"), province=row["province"],
                                            year=row["year"]))
    return TEXT[lang]["source"].format(reports="; ".join(names))


def _panels(frame: pd.DataFrame) -> list[pd.DataFrame]:
    rows = headlines(frame.dropna(subset=["value"]))
    return [group for _, group in rows.groupby("key", sort=False) if len(group) > 1]


def _grid(fig, count: int):
    columns = min(3, count)
    lines = -(-count // columns)
    axes = fig.subplots(lines, columns, squeeze=False)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    return list(axes.flat)[:count]


def trends_spec(series_frame: pd.DataFrame, reports: pd.DataFrame, lang: str = "vi"):
    """The headline figures of one province over the years (None: fewer than two years)."""
    from . import charts
    panels = _panels(series_frame)
    if not panels:
        return None
    province = series_frame["province"].iloc[-1]
    years = sorted(series_frame["year"].unique())
    alt = "; ".join(TEXT[lang]["alt"].format(
        label=label(group.iloc[0], lang),
        values=", ".join(f"{x} {_value_text(v, group['unit'].iloc[0], lang)}"
                         for x, v in zip(_x_labels(group), group["value"])))
        for group in panels)

    def draw(fig):
        for ax, group in zip(_grid(fig, len(panels)), panels):
            unit = group["unit"].iloc[0]
            x = _x_labels(group)
            ax.plot(x, group["value"], marker="o", color=charts.COLOUR["report"])
            for xi, value in zip(x, group["value"]):
                ax.annotate(_value_text(value, unit, lang), (xi, value), ha="center",
                            textcoords="offset points", xytext=(0, 7), fontsize=9,
                            color=charts.COLOUR["text"])
            change = change_text(group["change"].iloc[-1], unit, lang)
            title = label(group.iloc[0], lang) + (f" ({change})" if change else "")
            ax.set_title(charts.wrap(title, 40), fontsize=10)
            # the values are written on the points; a y scale would only add noise
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            if unit == "rank":
                ax.invert_yaxis()
            ax.margins(x=0.25, y=0.4)

    lines = -(-len(panels) // 3)
    return charts.Spec(
        name="trends", theme="trends",
        title=TEXT[lang]["trends_title"].format(province=province, n=len(years),
                                                years=", ".join(str(y) for y in years)),
        caption=TEXT[lang]["trends_caption"].format(province=province), alt=alt,
        source=_source(reports, series_frame["report_id"].unique(), lang), draw=draw,
        size=(4.2 * min(3, len(panels)), 0.8 + 2.9 * lines))


def comparison_spec(comparison_frame: pd.DataFrame, reports: pd.DataFrame, province: str,
                    lang: str = "vi"):
    """The headline figures of one year across provinces (None: fewer than two provinces)."""
    from . import charts
    panels = _panels(comparison_frame)
    if not panels:
        return None
    year = int(comparison_frame["year"].iloc[0])
    others = [name for name in comparison_frame["province"].unique() if name != province]
    alt = "; ".join(TEXT[lang]["alt"].format(
        label=label(group.iloc[0], lang),
        values=", ".join(f"{name} {_value_text(v, group['unit'].iloc[0], lang)}"
                         for name, v in zip(group["province"], group["value"])))
        for group in panels)

    def draw(fig):
        for ax, group in zip(_grid(fig, len(panels)), panels):
            unit = group["unit"].iloc[0]
            colours = [charts.COLOUR["report"] if name == province else charts.COLOUR["context"]
                       for name in group["province"]]
            charts.hbars(ax, list(group["province"]), list(group["value"]), lang,
                         colours=colours, texts=[_value_text(v, unit, lang)
                                                 for v in group["value"]],
                         percent=unit == "percent", xmax=100 if unit == "percent" else None,
                         label_width=16)
            ax.set_title(charts.wrap(label(group.iloc[0], lang), 34), fontsize=10)

    lines = -(-len(panels) // 3)
    provinces = comparison_frame["province"].nunique()
    return charts.Spec(
        name="comparison", theme="trends",
        title=TEXT[lang]["comparison_title"].format(year=year, province=province,
                                                    others=", ".join(others)),
        caption=TEXT[lang]["comparison_caption"].format(year=year, province=province),
        alt=alt, source=_source(reports, comparison_frame["report_id"].unique(), lang),
        draw=draw, size=(4.4 * min(3, len(panels)), 0.9 + lines * (0.9 + 0.45 * provinces)))


def specs(report_id: str, lang: str, tables=None, out=None) -> list:
    """The trend and comparison figures this report can have now (possibly none)."""
    reports, long = tables if tables is not None else load(out)
    this = reports[reports["report_id"] == report_id]
    if this.empty:
        return []
    found = [trends_spec(series(long, report_id), reports, lang),
             comparison_spec(comparison(long, int(this["year"].iloc[0])), reports,
                             this["province"].iloc[0], lang)]
    return [spec for spec in found if spec is not None]


def figures(report_id: str, lang: str, out=None, tables=None) -> list:
    """The report's trend and comparison figures in one language, with their titles,
    captions, alt texts and source lines, as the leadership HTML needs them (nothing is
    drawn; `make_figures` saves them)."""
    from . import charts
    return [charts.info(spec, report_id, lang, out)
            for spec in specs(report_id, lang, tables, out)]


def make_figures(report_id: str, out=None, langs=("vi", "en"), tables=None) -> list:
    """Draw and save the report's trend and comparison figures (PNG + SVG) in every language.

    A figure the reports cannot support now is not drawn and an old file of it is removed,
    so figures/<report_id>/ never shows a stale comparison.
    """
    from . import charts
    tables = tables if tables is not None else load(out)
    made = []
    for lang in langs:
        drawn = set()
        for spec in specs(report_id, lang, tables):
            figure_info = charts.info(spec, report_id, lang, out)
            charts.save(charts.render(spec), figure_info.png, figure_info.svg)
            made.append(figure_info)
            drawn.add(spec.name)
        for name in set(FIGURES) - drawn:
            for stale in charts.figure_paths(report_id, name, lang, out):
                stale.unlink(missing_ok=True)
    return made
