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

from pathlib import Path

import pandas as pd

from . import catalogue, paths, store, text
from .errors import ReportError
from .formats import LANGS, format_number
from .numbers import decimals_written

DIFFERENCE_UNITS = {"count", "percent", "million_vnd", "points", "rank", "places"}
RELATIVE_UNITS = {"count", "million_vnd"}     # a % change means something for these only
# The headline figures charted over the years and across provinces (ids, not values).
HEADLINES = ("par_index_score", "par_index_rank", "sipas_score", "dossiers_on_time_pct",
             "VII.6.4", "level4_online_processing_pct", "VI.1")
# Up to this many other provinces are named in a sentence, a title or a source; more are counted.
NAMED_PROVINCES = 4
LONG_COLUMNS = ["kind", "key", "label_vi", "label_en", "unit", "report_id", "province",
                "province_id", "year", "period", "value", "decimals", "position"]


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
            "period": rows["year"].astype(str), "value": rows["value"],
            "decimals": pd.to_numeric(rows["decimals"], errors="coerce")}))
    if not facts.empty:
        parts.append(pd.DataFrame({
            "kind": "fact", "key": facts["fact_id"], "label_vi": facts["label_vi"],
            "label_en": facts["label_en"], "unit": facts["unit"],
            "report_id": facts["report_id"], "province": facts["province"],
            "year": facts["year"], "period": facts["period"].astype(str),
            "value": facts["value"],
            "decimals": facts["value_raw"].map(lambda raw: decimals_written(str(raw)))}))
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
    if len(years) > 1:
        across_years = text.t("trends.across_years_many", lang, province=province,
                              count=len(years), years=", ".join(str(y) for y in years))
    else:
        across_years = text.t("trends.across_years_one", lang, province=province, year=year)
    if others:
        across_provinces = text.t("trends.across_provinces_many", lang, year=year,
                                  others=others_text(others, lang))
    else:
        across_provinces = text.t("trends.across_provinces_none", lang, year=year,
                                  province=province)
    return [across_years, across_provinces]


def others_text(others: list[str], lang: str) -> str:
    """'Bắc Kạn, Cao Bằng' while they are few; '62 tỉnh, thành phố khác' beyond."""
    if len(others) <= NAMED_PROVINCES:
        return ", ".join(others)
    return text.t("trends.others_many", lang, count=len(others))


def label(row: pd.Series | dict, lang: str) -> str:
    """The short catalogue label of an indicator, the facts.yml label of a fact."""
    if row["kind"] == "indicator":
        return catalogue.label(row["key"], lang, short=True)
    return row[f"label_{lang}"]


def _shown(row, lang: str) -> str:
    value, unit, key = row["value"], row["unit"], row["key"]
    if pd.isna(value):
        return "–"
    if row["kind"] == "indicator" and unit in ("enum", "boolean"):
        return catalogue.enum_labels(key, lang).get(float(value), format_number(value, lang))
    return value_text(value, unit, lang, row["decimals"])


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


def change_text(change, unit: str, lang: str = "vi") -> str:
    """A year-on-year change in words: a rank moving from 41 to 35 is 'up 6 places';
    a percentage changes by percentage points ('+8 pp'); empty when there is none."""
    if pd.isna(change):
        return ""
    if round(float(change), 6) == 0:
        return text.t("trends.change_unchanged", lang)
    if unit == "rank":   # a smaller rank number is a better place
        n = format_number(abs(change), lang, _decimals(abs(change)))
        return text.t("trends.change_places_up" if change < 0 else "trends.change_places_down",
                      lang, n=n)
    if unit in ("percent", "points"):
        return text.t(f"trends.change_{unit}", lang, change=_signed(change, lang))
    return _signed(change, lang)


def series_table(series_frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The series as a reader sees it: one row per figure, one column per year, and the
    latest change (and % change where it means something), numbers formatted per language."""
    if series_frame.empty:
        return pd.DataFrame()
    rows = []
    change_name = text.t("trends.col_change", lang)
    for (_, key), group in series_frame.groupby(["kind", "key"], sort=False):
        first = group.iloc[0]
        record = {text.t("trends.col_figure", lang): label(first, lang),
                  text.t("trends.col_id", lang): key}
        for _, row in group.iterrows():
            record[str(row["year"])] = _shown(row, lang)
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
    for (_, key), group in comparison_frame.groupby(["kind", "key"], sort=False):
        first = group.iloc[0]
        record = {text.t("trends.col_figure", lang): label(first, lang),
                  text.t("trends.col_id", lang): key}
        for _, row in group.iterrows():
            record[row["province"]] = _shown(row, lang)
        rows.append(record)
    return pd.DataFrame(rows)


def headlines(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the headline figures, in the order of HEADLINES."""
    rows = frame[frame["key"].isin(HEADLINES)].copy()
    rows["order"] = rows["key"].map({key: i for i, key in enumerate(HEADLINES)})
    return rows.sort_values(["order", "year", "province"], kind="stable").drop(columns="order")


def load(out=None):
    """The processed reports of OUT as (reports, long table) for `series` and `comparison`."""
    from . import combine
    reports = combine.reports(out)
    return reports, long_table(combine.collect("indicators", out), combine.collect("facts", out))


def value_text(value, unit: str, lang: str, decimals=None) -> str:
    """A value as the trend tables and charts write it ('99,7%', '1.893', '85,40'): with the
    digits its report wrote after the decimal comma (`decimals`), never fewer than the value
    needs (up to two)."""
    needed = _decimals(value)
    if decimals is not None and not pd.isna(decimals):
        needed = max(needed, int(decimals))
    written = format_number(value, lang, needed)
    return written + "%" if unit == "percent" else written


def x_labels(group: pd.DataFrame) -> list[str]:
    """A fact refers to its period (PAR INDEX of 2022 is in the 2023 report); else the year."""
    periods = group["period"].astype(str)
    if group["kind"].iloc[0] == "fact" and periods.str.fullmatch(r"\d{4}").all():
        return list(periods)
    return [str(year) for year in group["year"]]


def panels(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The headline figures with a value in at least two reports, one frame each."""
    rows = headlines(frame.dropna(subset=["value"]))
    return [group for _, group in rows.groupby("key", sort=False) if len(group) > 1]


def write_overview(report_id: str, reports: pd.DataFrame, out=None) -> Path:
    """data/processed/<report_id>/trends.json: the overview sentences in every language, for
    the leadership pages (which read files, not this module)."""
    sentences = {lang: overview(reports, report_id, lang) for lang in LANGS}
    return store.write_json(paths.processed_dir(report_id, out) / "trends.json",
                            {"report_id": report_id, "overview": sentences})
