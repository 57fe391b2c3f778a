"""Across years and provinces: a province's headline figures over its reports, and the
provinces of one year side by side (data: `helpers.trends` over `helpers.combine`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import text, trends
from .registry import LOADERS, chart
from .style import COLOUR, Spec, strip, wrap, wrap_balanced


@dataclass(frozen=True)
class Tables:
    """What the comparison charts of one report read: the combined tables of OUT."""

    report_id: str
    reports: pd.DataFrame
    long: pd.DataFrame

    @property
    def this(self) -> pd.DataFrame:
        return self.reports[self.reports["report_id"] == self.report_id]


def load(report_id: str, out=None, tables=None) -> Tables:
    reports, long = tables if tables is not None else trends.load(out)
    return Tables(report_id, reports, long)


LOADERS["trends"] = load


def tr(lang: str, key: str, **values) -> str:
    return text.t(f"trends.{key}", lang, **values)


def _names(reports: pd.DataFrame, report_ids, lang: str) -> str:
    names = []
    for row in reports[reports["report_id"].isin(list(report_ids))].to_dict("records"):
        key = "report" if row.get("number") else "report_nonumber"
        names.append(tr(lang, key, number=row.get("number") or "", province=row["province"],
                        year=int(row["year"])))
    return "; ".join(names)


def _source(reports: pd.DataFrame, report_ids, lang: str) -> str:
    return tr(lang, "source", reports=_names(reports, report_ids, lang))


def _grid(fig, count: int, narrow: bool, most: int = 3):
    """`count` panels, `most` to a line (one on a phone); the cells left over are hidden."""
    columns = 1 if narrow else min(most, count)
    lines = -(-count // columns)
    axes = fig.subplots(lines, columns, squeeze=False)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    return list(axes.flat)[:count]


def _texts(group: pd.DataFrame, lang: str) -> list[str]:
    """Each value of a panel as its report wrote it ('85,40')."""
    unit = group["unit"].iloc[0]
    return [trends.value_text(value, unit, lang, decimals)
            for value, decimals in zip(group["value"], group["decimals"])]


def _drawn(groups: list[pd.DataFrame]) -> pd.DataFrame:
    """The values drawn, each with the report it comes from."""
    if not groups:
        return pd.DataFrame()
    rows = pd.concat(groups, ignore_index=True)
    return rows[["key", "province", "year", "period", "value", "unit"]].assign(
        origin="report", source=rows["report_id"])


@chart("trends", "trends")
def trends_spec(tables: Tables, lang: str) -> Spec | None:
    """The headline figures of one province over the years (None: fewer than two years)."""
    if tables.this.empty:
        return None
    series_frame = trends.series(tables.long, tables.report_id)
    groups = trends.panels(series_frame)
    if not groups:
        return None
    province = series_frame["province"].iloc[-1]
    years = sorted(series_frame["year"].unique())
    alt = "; ".join(tr(lang, "alt", label=trends.label(group.iloc[0], lang), values=", ".join(
        f"{x} {shown}" for x, shown in zip(trends.x_labels(group), _texts(group, lang))))
        for group in groups)

    def draw(fig, narrow):
        for ax, group in zip(_grid(fig, len(groups), narrow), groups):
            unit = group["unit"].iloc[0]
            x = trends.x_labels(group)
            ax.plot(x, group["value"], marker="o", color=COLOUR["report"])
            for xi, value, shown in zip(x, group["value"], _texts(group, lang)):
                ax.annotate(shown, (xi, value), ha="center",
                            textcoords="offset points", xytext=(0, 7), fontsize=9,
                            color=COLOUR["text"])
            change = trends.change_text(group["change"].iloc[-1], unit, lang)
            title = trends.label(group.iloc[0], lang) + (f" ({change})" if change else "")
            ax.set_title(wrap(title, 40), fontsize=10)
            # the values are written on the points; a y scale would only add noise
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            if unit == "rank":
                ax.invert_yaxis()
            ax.margins(x=0.25, y=0.4)

    lines = -(-len(groups) // 3)
    return Spec(
        title=tr(lang, "trends_title", province=province, n=len(years),
                 years=", ".join(str(y) for y in years)),
        caption=tr(lang, "trends_caption", province=province), alt=alt,
        source=_source(tables.reports, series_frame["report_id"].unique(), lang), draw=draw,
        size=(4.2 * min(3, len(groups)), 0.8 + 2.9 * lines),
        narrow_size=(4.0, 0.4 + 2.6 * len(groups)), data=_drawn(groups))


@chart("trends", "comparison")
def comparison_spec(tables: Tables, lang: str) -> Spec | None:
    """The headline figures of one year across provinces (None: fewer than two provinces):
    a line per figure, a dot per province, the report's province named, and the two ends."""
    if tables.this.empty:
        return None
    year, province = int(tables.this["year"].iloc[0]), tables.this["province"].iloc[0]
    comparison_frame = trends.comparison(tables.long, year)
    groups = trends.panels(comparison_frame)
    if not groups:
        return None
    others = [name for name in comparison_frame["province"].unique() if name != province]

    def draw(fig, narrow):
        for ax, group in zip(_grid(fig, len(groups), narrow, most=2), groups):
            strip(ax, list(group["province"]), list(group["value"]), _texts(group, lang),
                  province, lang, inverted=group["unit"].iloc[0] == "rank")
            ax.set_title(wrap_balanced(trends.label(group.iloc[0], lang), 46), fontsize=10)

    alt = "; ".join(tr(lang, "alt", label=trends.label(group.iloc[0], lang), values=", ".join(
        f"{name} {shown}" for name, shown in _named(group, _texts(group, lang), province)))
        for group in groups)
    lines = -(-len(groups) // 2)
    return Spec(
        title=tr(lang, "comparison_title", year=year, province=province,
                 others=trends.others_text(others, lang)),
        caption=tr(lang, "comparison_caption", year=year, province=province),
        alt=alt, source=_comparison_source(tables, comparison_frame, year, lang), draw=draw,
        size=(9.0, 0.3 + 1.3 * lines), narrow_size=(4.0, 0.3 + 1.4 * len(groups)),
        data=_drawn(groups))


def _named(group: pd.DataFrame, shown: list[str], province: str) -> list[tuple[str, str]]:
    """What a strip names: the report's province, then the lowest and the highest value."""
    names, values = list(group["province"]), list(group["value"])
    picked = [names.index(province)] if province in names else []
    picked += [i for i in (values.index(min(values)), values.index(max(values)))
               if i not in picked]
    return [(names[i], shown[i]) for i in dict.fromkeys(picked)]


def _comparison_source(tables: Tables, frame: pd.DataFrame, year: int, lang: str) -> str:
    """Every report by name while they are few; else the report's own and a count (each
    value's report is named in the chart's data table)."""
    report_ids = list(frame["report_id"].unique())
    if len(report_ids) <= trends.NAMED_PROVINCES + 1:
        return _source(tables.reports, report_ids, lang)
    own = _names(tables.reports, [tables.report_id], lang)
    return tr(lang, "source_many", own=own, year=year, count=len(report_ids) - 1)
