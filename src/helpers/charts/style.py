"""THE plotting style: colours, fonts, the figure frame (title, notes, source line) and the
drawing primitives every chart shares.

Okabe-Ito colour-blind-safe colours, DejaVu Sans (it carries every Vietnamese
diacritic), a title that states the finding, numbers written per language, and under
each chart its notes and a source line naming the report, its forms and rows. Text from
the data is drawn literally: matplotlib's math mode is off (a `$` in a province's name
is a dollar sign, not a formula).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import catalogue, facts, text
from ..reference import domain
from ..data import ReportData
from ..formats import format_number, format_percent
from ..outline import section_of

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
    "text.parse_math": False, "text.usetex": False,
    # glyphs hinted to the pixel grid, at full size: crisp labels, and PNGs about a
    # quarter lighter than with matplotlib's default (hinted at 8x, then scaled down)
    "text.hinting": "default", "text.hinting_factor": 1,
}


NARROW_WIDTH = 4.0   # inches: a 9 pt label shown 360 CSS px wide stays >= 11 CSS px


@dataclass
class Spec:
    """A figure ready to draw: its texts, the data it draws and a function that draws it.

    `draw(fig, narrow)` draws on a figure of `size` (inches), or of `narrow_size` for
    phones when `narrow` is true (panels stacked; the title, notes and source are then
    given as text under the image instead of inside it).
    `data` is the table of the values drawn, each with its `origin` (report, recomputed,
    implied, published, estimate) and `source`: it is saved beside the chart as CSV.
    """

    title: str
    caption: str
    alt: str
    source: str
    draw: Callable[[Figure, bool], None]
    size: tuple[float, float] = (10.0, 5.0)
    narrow_size: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None


# --- words and numbers --------------------------------------------------------------------

def tr(lang: str, key: str, **values) -> str:
    """The chart text `key` (text/charts.yml) in `lang`, filled with the values."""
    return text.t(f"charts.{key}", lang, **values)


def num(value, lang: str, decimals: int | None = None) -> str:
    return format_number(value, lang, decimals)


def pct(value, lang: str, decimals: int = 2) -> str:
    return format_percent(value, lang, decimals)


def capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def short_label(ind_id: str, lang: str) -> str:
    return catalogue.label(ind_id, lang, short=True)


def fact_label(fact_id: str, lang: str) -> str:
    for spec in facts.specs():
        if spec.id == fact_id:
            return spec.label_vi if lang == "vi" else spec.label_en
    return fact_id


def level_name(ind_id: str, lang: str) -> str:
    """A sub-row's level: the part of its short label after the colon, capitalised."""
    return capitalised(short_label(ind_id, lang).split(": ")[-1])


def number_axis(ax, lang: str, axis: str = "x", percent: bool = False) -> None:
    """Tick labels in the language's number format."""
    fmt = FuncFormatter(lambda v, _pos: (format_number(v, lang, 0) + ("%" if percent else "")))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


# --- source lines -------------------------------------------------------------------------

def report_name(data: ReportData, lang: str) -> str:
    number = data.meta.get("number")
    if number:
        return tr(lang, "report", number=number)
    return tr(lang, "report_nonumber", province=data.province, year=data.year)


def source_line(data: ReportData, lang: str, rows=(), fact_ids=(), urls=()) -> str:
    """'Source: Report 301/BC-UBND, section II.5.1; Form 7, rows 6.4.1-6.4.2' (rows in form
    order; narrative figures by the report's numbered section, as on paper)."""
    parts = []
    sections = narrative_sections(data, fact_ids)
    if sections is not None:
        parts.append(tr(lang, "narrative", sections=", ".join(sections), count=len(sections))
                     if sections else tr(lang, "narrative_unnumbered"))
    parts += [tr(lang, "form", form=form, rows=catalogue.row_ranges(ids), count=len(ids))
              for form, ids in catalogue.by_form(
                  [i for i in rows if catalogue.entry(i) is not None]).items()]
    sites = list(dict.fromkeys(domain(u) for u in urls if u))
    words = tr(lang, "source", doc=report_name(data, lang) + (", " if parts else "")
               + "; ".join(parts))
    if sites:
        words += "; " + tr(lang, "published", sites=", ".join(sites))
    return words


def narrative_sections(data: ReportData, fact_ids) -> list[str] | None:
    """The numbered sections of the narrative that state these facts (None: no fact; [] the
    report's narrative has no numbered sections)."""
    lines = [row["line"] for f in dict.fromkeys(fact_ids)
             if (row := data.fact_row(f)) is not None]
    if not lines:
        return None
    outline = data.meta.get("sections") or []
    found = [section["number"] for line in lines
             if (section := section_of(outline, line)) is not None]
    return list(dict.fromkeys(found))


# --- the frame and the primitives ---------------------------------------------------------

def wrap(words: str, width: int) -> str:
    return "\n".join(textwrap.fill(part, width, break_long_words=False)
                     for part in words.split("\n"))


def wrap_balanced(words: str, width: int) -> str:
    """As few lines as `width` allows, of even length (a label breaks in its middle, not
    before its last word); a word is never cut (30/06/2022)."""
    lines = len(textwrap.wrap(words, width, break_long_words=False)) or 1
    for narrower in range(math.ceil(len(words) / lines), width + 1):
        if len(textwrap.wrap(words, narrower, break_long_words=False)) <= lines:
            return textwrap.fill(words, narrower, break_long_words=False)
    return textwrap.fill(words, width, break_long_words=False)


TITLE_CHARS_PER_INCH = 8.6     # 13 pt bold DejaVu Sans
FOOTER_CHARS_PER_INCH = 15.0   # 8 pt


def title_text(spec: Spec) -> str:
    return wrap_balanced(spec.title, int(spec.size[0] * TITLE_CHARS_PER_INCH))


def footer_text(spec: Spec) -> str:
    width = int(spec.size[0] * FOOTER_CHARS_PER_INCH)
    return "\n".join(wrap(line, width) for line in [*spec.notes, spec.source])


def narrow_size(spec: Spec) -> tuple[float, float]:
    """The phone variant's size: NARROW_WIDTH wide, as tall as the spec says (or as the
    wide figure's height)."""
    return spec.narrow_size or (NARROW_WIDTH, spec.size[1])


def new_figure(spec: Spec, narrow: bool = False) -> Figure:
    """A figure of the spec's size plus room for its title and footer lines (the narrow
    variant has neither: the page gives them as text)."""
    if narrow:
        fig = Figure(figsize=narrow_size(spec), layout="constrained", dpi=DPI)
    else:
        extra = 0.24 * title_text(spec).count("\n") + 0.16 * (footer_text(spec).count("\n")
                                                             + 1)
        fig = Figure(figsize=(spec.size[0], spec.size[1] + extra), layout="constrained",
                     dpi=DPI)
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
    for y, value, shown in zip(positions, values, texts or [None] * len(values)):
        if shown is None:
            shown = (tr(lang, "no_data") if value is None
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


def message_panel(ax, message: str) -> None:
    ax.text(0.5, 0.5, wrap(message, 40), ha="center", va="center", transform=ax.transAxes,
            fontsize=10, color=COLOUR["context"])
    ax.set_axis_off()


def strip(ax, names, values, texts, highlight: str, lang: str, inverted: bool = False) -> None:
    """One figure across many places on one line: a grey dot per place, the highlighted
    place in colour and named above its dot, the places at the two ends named below theirs
    (`inverted`: the smallest value on the right, as for ranks). Places with the same value
    share a dot, so a label says who else has it. The marks are the same few whatever the
    number of places, so the figure costs the same to draw for 3 or 63."""
    ax.scatter(values, [0] * len(values), s=34, color=COLOUR["context"], alpha=0.55,
               edgecolors="white", linewidths=0.6, zorder=2)
    low, high = min(values), max(values)
    pad = (high - low) * 0.06 or max(abs(high) * 0.05, 1)
    ax.set_xlim((high + pad, low - pad) if inverted else (low - pad, high + pad))
    ax.set_ylim(-1, 1)
    ax.axhline(0, color=COLOUR["context"], linewidth=0.6, alpha=0.5, zorder=1)
    ax.set_axis_off()
    left, right = ax.get_xlim()

    def align(value) -> str:
        share = (value - left) / (right - left)
        return "left" if share < 0.2 else "right" if share > 0.8 else "center"

    def others_at(value, but: str) -> list[str]:
        return [name for name, v in zip(names, values) if v == value and name != but]

    own = values[names.index(highlight)] if highlight in names else None
    ends = [("left", high if inverted else low), ("right", low if inverted else high)]
    for side, value in ends[:1] if low == high else ends:
        if value == own:
            continue            # the highlighted label says who else has it
        index = values.index(value)
        more = len(others_at(value, names[index]))
        name = tr(lang, "strip_more", name=names[index], n=more) if more else names[index]
        ax.annotate(f"{name}\n{texts[index]}", (value, 0), ha=side, va="top",
                    textcoords="offset points", xytext=(0, -8), fontsize=8,
                    color=COLOUR["text"])
    if own is not None:
        index, same = names.index(highlight), others_at(own, highlight)
        label = f"{highlight}: {texts[index]}"
        if same:
            label += "\n" + (tr(lang, "strip_same", names=", ".join(same)) if len(same) <= 2
                             else tr(lang, "strip_same_many", n=len(same)))
        ax.scatter([own], [0], s=80, color=COLOUR["report"], edgecolors="white",
                   linewidths=0.8, zorder=3)
        ax.annotate(label, (own, 0), ha=align(own), va="bottom", textcoords="offset points",
                    xytext=(0, 8), fontsize=9, fontweight="bold", color=COLOUR["report"],
                    linespacing=1.1)
