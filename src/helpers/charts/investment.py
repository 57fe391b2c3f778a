"""Public-investment disbursement against the two plans: the Prime Minister's and the
province's (data: `analysis.investment_plans`, `analysis.investment_progress`)."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import analysis, catalogue
from ..data import ReportData
from ..formats import date_text, format_billions, month_labels, short_date
from .indices import MARKERS
from .registry import chart
from .style import (BASIS_COLOUR, COLOUR, PALETTE, Spec, fact_label, grid, number_axis, pct,
                    put_legend, source_line, tr, wrap_balanced)


def _drawn(plans: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The plans and the dated points a chart draws, amounts in million VND."""
    plan_rows = plans.assign(point="plan_" + plans["basis"], origin="report")
    columns = ["point", "date", "amount_million", "pct_pm", "pct_provincial", "origin",
               "source"]
    return pd.concat([plan_rows.reindex(columns=columns), points.reindex(columns=columns)],
                     ignore_index=True)

def _point_label(row, lang: str) -> str:
    if pd.isna(row["date"]):
        return tr(lang, f"point_{row['point']}", date="–")
    return tr(lang, f"point_{row['point']}", date=date_text(row["date"], lang))


def _investment_common(data, lang: str):
    plans = analysis.investment_plans(data)
    progress = analysis.investment_progress(data)
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


@chart("public_investment", "investment_disbursement")
def investment_spec(data: ReportData, lang: str) -> Spec | None:
    plans, progress, notes, source, urls = _investment_common(data, lang)
    if progress.empty:
        return None
    plan = dict(zip(plans["basis"], plans["amount_million"]))
    to_date = progress[progress["point"] == "to_date"]
    main = to_date.iloc[0] if not to_date.empty else progress.iloc[-1]
    when = date_text(main["date"], lang) if not pd.isna(main["date"]) else "–"
    if not pd.isna(main["pct_pm"]) and not pd.isna(main["pct_provincial"]):
        title = tr(lang, "invest_title", date=when,
                   amount=format_billions(main["amount_million"], lang),
                   pct_pm=pct(main["pct_pm"], lang, main["pct_pm_decimals"]),
                   pct_prov=pct(main["pct_provincial"], lang, main["pct_provincial_decimals"]))
    else:
        title = tr(lang, "invest_title_short", date=when,
                   amount=format_billions(main["amount_million"], lang))
    estimate = progress[progress["point"] == "year_end"]
    if not estimate.empty and not pd.isna(estimate["date"].iloc[0]):
        notes.append(tr(lang, "estimate_note", date=date_text(estimate["date"].iloc[0], lang)))
    points = "; ".join(f"{_point_label(r, lang)}: {format_billions(r['amount_million'], lang)} "
                       f"{tr(lang, 'billion')}" for _, r in progress.iterrows())
    alt = tr(lang, "invest_alt", points=points,
             pm=format_billions(plan["pm"], lang) if "pm" in plan else "–",
             prov=format_billions(plan["provincial"], lang) if "provincial" in plan else "–")
    return Spec(title=title, data=_drawn(plans, progress),
                caption=tr(lang, "invest_caption"), alt=alt, source=source, notes=notes,
                references=urls, size=(10, 5), narrow_size=(4.0, 4.0),
                draw=lambda fig, narrow: _draw_investment(fig, plans, progress, lang, narrow))


ESTIMATE_MARKER = dict(marker="o", ms=8, mfc="white", mec=COLOUR["report"], mew=2)


def _draw_investment(fig: Figure, plans, progress, lang: str, narrow: bool) -> None:
    (ax,), legend_ax = grid(fig, legend=True)
    dated = progress.dropna(subset=["date"]).sort_values("date")
    actual = dated[dated["origin"] != "estimate"]
    ax.plot(actual["date"], actual["amount_billion"], color=COLOUR["report"], lw=1.5, zorder=2)
    if len(actual) and (dated["origin"] == "estimate").any():   # an estimate: dashed
        ahead = pd.concat([actual.tail(1), dated[dated["origin"] == "estimate"]])
        ax.plot(ahead["date"], ahead["amount_billion"], color=COLOUR["report"], lw=1.5,
                ls="--", zorder=2)
    styles = {"report": MARKERS["report"], "estimate": ESTIMATE_MARKER,
              "published": MARKERS["published"]}
    for origin, style in styles.items():
        points = dated[dated["origin"] == origin]
        ax.plot(points["date"], points["amount_billion"], ls="none", zorder=3, **style)
    for n, (_, row) in enumerate(dated.iterrows()):
        last = n == len(dated) - 1
        ax.annotate(f"{short_date(row['date'], lang)}: {format_billions(row['amount_million'], lang)}",
                    (row["date"], row["amount_billion"]),
                    xytext=(-12, 8) if last else (0, -22), textcoords="offset points",
                    ha="right" if last else "center", va="bottom" if last else "top", fontsize=9, color=COLOUR["report"],
                    fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    top = max([*plans["amount_billion"], *dated["amount_billion"], 1])
    handles = [Line2D([], [], ls="none", label=tr(lang, f"legend_{o}"), **styles[o])
               for o in ("report", "estimate", "published") if (dated["origin"] == o).any()]
    for _, plan in plans.iterrows():
        colour = BASIS_COLOUR[plan["basis"]]
        fact_id = dict((b, f) for b, _, f in analysis.INVESTMENT_PLANS)[plan["basis"]]
        ax.axhline(plan["amount_billion"], color=colour, lw=1.4, ls="--", zorder=1)
        label = tr(lang, "plan_label", label=fact_label(fact_id, lang),
                   amount=format_billions(plan["amount_million"], lang))
        ax.text(0.01, plan["amount_billion"] + top * 0.015,
                wrap_balanced(label, 34) if narrow else label,
                transform=ax.get_yaxis_transform(), fontsize=9, color=COLOUR["text"],
                va="bottom")
    ax.set_ylim(0, top * 1.15)
    year = int(dated["date"].dt.year.max()) if not dated.empty else None
    if year:
        ax.set_xlim(pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31) + pd.Timedelta(days=8))
        month_ends = [pd.Timestamp(year, m, 1) + pd.offsets.MonthEnd(0) for m in range(1, 13)]
        labels = month_labels(lang)
        if narrow:   # every third month: twelve labels do not fit a phone's width
            labels = [label if (n + 1) % 3 == 0 else "" for n, label in enumerate(labels)]
        ax.set_xticks(month_ends, labels)
        ax.set_xlabel(tr(lang, "month_axis", year=year))
    number_axis(ax, lang, "y")
    ax.set_ylabel(tr(lang, "billion_axis"))
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    put_legend(legend_ax, handles, 1 if narrow else 3)


@chart("public_investment", "investment_rates")
def investment_rates_spec(data: ReportData, lang: str) -> Spec | None:
    plans, progress, notes, source, urls = _investment_common(data, lang)
    shares = progress.dropna(subset=["pct_pm", "pct_provincial"], how="all")
    if shares.empty:
        return None
    year_end = shares[shares["point"] == "year_end"]
    if not year_end.empty and not year_end[["pct_pm", "pct_provincial"]].isna().any(axis=None):
        end = year_end.iloc[0]
        title = tr(lang, "rates_title", pct_pm=pct(end["pct_pm"], lang, end["pct_pm_decimals"]),
                   pct_prov=pct(end["pct_provincial"], lang, end["pct_provincial_decimals"]))
    else:
        title = tr(lang, "rates_title_short")
    published = shares[shares["origin"] == "published"]
    if not published.empty:
        notes.append(tr(lang, "rates_note", date=date_text(published["date"].iloc[0], lang)))
    labels = [_point_label(r, lang) for _, r in shares.iterrows()]
    items = "; ".join(
        f"{l}: {tr(lang, 'basis_pm')} {pct(r['pct_pm'], lang, r['pct_pm_decimals'])}, "
        f"{tr(lang, 'basis_provincial')} "
        f"{pct(r['pct_provincial'], lang, r['pct_provincial_decimals'])}"
        for l, (_, r) in zip(labels, shares.iterrows()))

    def draw(fig, narrow):
        (ax,), legend_ax = grid(fig, legend=True)
        width = 0.38
        xs = range(len(shares))
        for offset, basis in ((-width / 2, "pm"), (width / 2, "provincial")):
            colour = BASIS_COLOUR[basis]
            values = shares[f"pct_{basis}"]
            bars = ax.bar([x + offset for x in xs], values.fillna(0), width, color=colour,
                          label=tr(lang, f"basis_{basis}"))
            for bar, value, decimals, origin in zip(bars, values,
                                                     shares[f"pct_{basis}_decimals"],
                                                     shares["origin"]):
                if origin == "estimate":   # an estimate is drawn unlike what happened
                    bar.set(facecolor="white", edgecolor=colour, hatch="///", linewidth=1.2)
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 1.5,
                        tr(lang, "no_data") if pd.isna(value) else pct(value, lang, decimals),
                        ha="center", va="bottom", fontsize=9, color=COLOUR["text"])
        ax.axhline(100, color=PALETTE["black"], lw=1, ls="--", label=tr(lang, "full_plan"))
        ax.set_xticks(list(xs), [wrap_balanced(label, 11) for label in labels] if narrow
                      else labels)
        ax.set_ylim(0, max(110, shares[["pct_pm", "pct_provincial"]].max().max() * 1.15))
        number_axis(ax, lang, "y", percent=True)
        ax.set_ylabel(tr(lang, "pct_plan_axis"))
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        handles = ax.get_legend_handles_labels()[0]
        if (shares["origin"] == "estimate").any():
            handles.append(Patch(facecolor="white", edgecolor=COLOUR["context"], hatch="///",
                                 label=tr(lang, "legend_estimate")))
        put_legend(legend_ax, handles, 1 if narrow else 4)

    return Spec(title=title, data=_drawn(plans, shares),
                caption=tr(lang, "rates_caption"), alt=tr(lang, "rates_alt", items=items),
                source=source, notes=notes, references=urls, draw=draw, size=(10, 5),
                narrow_size=(4.0, 4.2))
