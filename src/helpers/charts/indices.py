"""PAR INDEX and SIPAS over the years: score and rank, the report's figures beside the
published ones (data: `analysis.index_history`)."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .. import analysis
from ..data import ReportData
from ..formats import date_text, ordinal
from .registry import chart
from .style import (COLOUR, Spec, grid, num, number_axis, pct, put_legend, source_line, tr)


def _index_name(index: str, lang: str) -> str:
    return tr(lang, f"name_{index}")


def _score_text(score, index: str, lang: str) -> str:
    if index == "SIPAS":
        return pct(score, lang)
    return num(score, lang, 2) + tr(lang, "points")


def _rank_text(rank, of, lang: str) -> str:
    return ordinal(rank, lang) if lang == "en" else num(rank, lang, 0)


def index_spec(data: ReportData, index: str, lang: str) -> Spec | None:
    history = analysis.index_history(data, index)
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
                 previous=year - 1)
    fact_ids = [f for f in stated["fact_ids"].str.cat(sep=";").split(";") if f] + \
        [f for f in own[own["origin"] == "implied"]["fact_ids"].str.cat(sep=";").split(";") if f]
    source = source_line(data, lang, fact_ids=fact_ids, urls=urls)
    return Spec(title=title, caption=caption, alt=alt, source=source, notes=notes,
                references=urls, size=(11, 5.2), narrow_size=(4.0, 6.2), data=history,
                draw=lambda fig, narrow: _draw_index(fig, history, index, lang, narrow))


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
                        change=num(abs(score_change), lang, 2), unit=tr(lang, "points"),
                        verb2="" if same_way else _verb(rank_change, lang) + " ",
                        places=num(abs(rank_change), lang, 0),
                        previous=year - 1))
    elif rank_change is not None:
        parts.append(tr(lang, "index_rank_change", verb=_verb(rank_change, lang),
                        places=num(abs(rank_change), lang, 0), previous=year - 1))
    return ", ".join(parts)


def _verb(change: float, lang: str) -> str:
    return tr(lang, "up") if change >= 0 else tr(lang, "down")


def _index_notes(data, history, index: str, year: int, lang: str) -> list[str]:
    notes = []
    own = history[history["series"] == "province"]
    for row in own[(own["origin"] == "implied") & (own["evidence"] != "")].itertuples():
        notes.append(tr(lang, "implied_note", year=int(row.year), rank=num(row.rank, lang, 0),
                        evidence=row.evidence))
    if history["published_after_report"].astype(bool).any():
        notes.append(tr(lang, "after_report_note", date=date_text(data.meta.get("date"), lang)))
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
            notes.append(tr(lang, "units_note"))
    return notes


MARKERS = {"report": dict(marker="o", ms=8, mfc=COLOUR["report"], mec=COLOUR["report"]),
           "implied": dict(marker="D", ms=7, mfc=COLOUR["implied"], mec=COLOUR["report"]),
           "published": dict(marker="o", ms=13, mfc="none", mec=COLOUR["published"], mew=2)}
AFTER_REPORT_SHADE = "#EDEDED"


def _draw_index(fig: Figure, history: pd.DataFrame, index: str, lang: str,
                narrow: bool) -> None:
    (ax_score, ax_rank), legend_ax = grid(fig, *((2, 1) if narrow else (1, 2)), legend=True)
    for ax, column in ((ax_score, "score"), (ax_rank, "rank")):
        _draw_index_panel(ax, history, column, index, lang)
    ax_score.set_title(tr(lang, "score_panel"))
    ax_score.set_ylabel(tr(lang, "sipas_axis" if index == "SIPAS" else "score_axis"))
    ax_rank.set_title(tr(lang, "rank_panel"))
    of = _rank_of(history)
    ax_rank.set_ylim(of + 1, 0)
    ax_rank.set_yticks(sorted({1, *range(10, of, 10), of}))
    ax_rank.set_ylabel(tr(lang, "rank_axis", of=num(of, lang, 0)))
    first, last = int(history["year"].min()), int(history["year"].max())
    years = list(range(first, last + 1))
    after = history.loc[history["published_after_report"].astype(bool), "year"]
    for ax in (ax_score, ax_rank):
        ax.set_xlim(first - 0.6, last + 0.6)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel(tr(lang, "year_axis"))
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        if not after.empty:   # what the report's authors could not know yet
            ax.axvspan(int(after.min()) - 0.5, last + 0.6, color=AFTER_REPORT_SHADE, lw=0,
                       zorder=0)
    number_axis(ax_score, lang, "y", percent=index == "SIPAS")
    put_legend(legend_ax, _index_legend(history, lang), 1 if narrow else 3)


def _rank_of(history: pd.DataFrame) -> int:
    """How many provinces the ranks are among (63 when no source says)."""
    rank_of = history["rank_of"].dropna()
    return int(rank_of.max()) if not rank_of.empty else 63


def _segments(frame: pd.DataFrame, column: str):
    """Runs of consecutive years: a line never joins two points across a missing year."""
    frame = frame.sort_values("year")
    run = (frame["year"].diff() != 1).cumsum()
    return [group for _, group in frame.groupby(run)]


def _draw_index_panel(ax, history, column: str, index: str, lang: str) -> None:
    line = analysis.trajectory(history, column)
    for segment in _segments(line, column):
        ax.plot(segment["year"], segment[column], color=COLOUR["report"], lw=2, zorder=2)
    national = history[(history["series"] == "national_average") & history[column].notna()]
    for segment in _segments(national, column):
        ax.plot(segment["year"], segment[column], color=COLOUR["context"], lw=1.3, ls="--",
                marker="s", ms=5, zorder=1)
    leaders = history[(history["series"] == "leader") & history[column].notna()]
    if not leaders.empty:
        ax.plot(leaders["year"] - 0.18, leaders[column], ls="none", marker="^", ms=6,
                color=COLOUR["context"], zorder=1)
    own = history[(history["series"] == "province") & history[column].notna()]
    for origin in ("published", "implied", "report"):
        points = own[own["origin"] == origin]
        ax.plot(points["year"], points[column], ls="none", zorder=3, **MARKERS[origin])
    if column == "score":
        values = list(line[column])
        low = min(history["score"].dropna().min(), min(values, default=100))
        high = max(history["score"].dropna().max(), max(values, default=0))
        ax.set_ylim(low - 2, min(high + 2, 100.5))
        ax.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10], integer=True))
    _label_points(ax, line, column, index, lang, last_year=history["year"].max(),
                  of=_rank_of(history))


def _label_points(ax, line, column: str, index: str, lang: str, last_year: int,
                  of: int) -> None:
    """Each point's value beside it, inside the panel: under a rank in the top half (rank 1
    is the top edge), centred on the last year's point (the right edge), and under a score
    too close to the year before's, whose label is above."""
    bottom, top = ax.get_ylim()
    close = abs(top - bottom) * 0.08
    before = None                                   # (year, value, under) of the last label
    for year, value in zip(line["year"], line[column]):
        if column == "rank":
            under = value <= of / 2
            text = num(value, lang, 0)
        else:
            under = (before is not None and year - before[0] == 1 and not before[2]
                     and abs(value - before[1]) < close)
            text = _score_text(value, index, lang).replace(tr(lang, "points"), "")
        last = year == last_year
        ax.annotate(text, (year, value), xytext=(0 if last else 9, -11 if under else 10),
                    textcoords="offset points", ha="center" if last else "left",
                    va="top" if under else "bottom", fontsize=9, color=COLOUR["report"],
                    fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        before = (year, value, under)


def _index_legend(history: pd.DataFrame, lang: str) -> list:
    own_origins = set(history.loc[history["series"] == "province", "origin"])
    handles = [Line2D([], [], ls="none", label=tr(lang, f"origin_{o}"), **MARKERS[o])
               for o in ("report", "implied", "published") if o in own_origins]
    if (history["series"] == "national_average").any():
        handles.append(Line2D([], [], color=COLOUR["context"], ls="--", marker="s", ms=5,
                              label=tr(lang, "national")))
    leaders = history[history["series"] == "leader"]
    if not leaders.empty:
        handles.append(Line2D([], [], color=COLOUR["context"], ls="none", marker="^", ms=6,
                              label=tr(lang, "leaders", year=int(leaders["year"].iloc[0]))))
    if history["published_after_report"].astype(bool).any():
        handles.append(Patch(color=AFTER_REPORT_SHADE, label=tr(lang, "after_report")))
    return handles


@chart("par_index", "par_index")
def par_index(data: ReportData, lang: str) -> Spec | None:
    return index_spec(data, "PAR_INDEX", lang)


@chart("par_index", "sipas")
def sipas(data: ReportData, lang: str) -> Spec | None:
    return index_spec(data, "SIPAS", lang)
