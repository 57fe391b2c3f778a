"""The chart registry and the one draw-and-save loop.

A chart is a function `build(source, lang) -> Spec | None` registered under its theme
and name with `@chart(theme, name)`; `source` is what the theme's loader gives (the
report's `ReportData` for the report's own themes). The order of registration is the
reading order. `draw_theme` draws a theme's charts in every language, saves each as
PNG and SVG with the CSV of the data it draws, removes the files of a chart the data
no longer supports, and records the theme in `figures/<report_id>/figures.json`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib

from .. import data as data_layer
from .. import figures, paths, store
from ..figures import FigureInfo
from ..formats import LANGS
from .style import STYLE, Spec, finish, new_figure, tr

THEMES = ("par_index", "online_services", "public_investment", "scorecard", "trends")


@dataclass(frozen=True)
class Chart:
    theme: str
    name: str
    build: Callable[[object, str], Spec | None]


REGISTRY: dict[str, list[Chart]] = {theme: [] for theme in THEMES}
LOADERS: dict[str, Callable] = {}   # theme -> loader(report_id, out); default: the report


def chart(theme: str, name: str):
    """Register a chart builder under `theme` as `name` (its files: `<name>_<lang>.png`)."""
    if theme not in REGISTRY:
        raise ValueError(f"unknown theme '{theme}' (one of {', '.join(THEMES)})")

    def register(build):
        if any(c.name == name for charts in REGISTRY.values() for c in charts):
            raise ValueError(f"a chart named '{name}' is registered twice")
        REGISTRY[theme].append(Chart(theme, name, build))
        return build
    return register


def names(theme: str) -> list[str]:
    return [c.name for c in REGISTRY[theme]]


def figure_paths(report_id: str, name: str, lang: str, out=None) -> tuple[Path, Path]:
    folder = paths.figures_dir(report_id, out)
    return folder / f"{name}_{lang}.png", folder / f"{name}_{lang}.svg"


def narrow_path(report_id: str, name: str, lang: str, out=None) -> Path:
    return paths.figures_dir(report_id, out) / f"{name}_{lang}_narrow.png"


def data_path(report_id: str, name: str, out=None) -> Path:
    return paths.figures_dir(report_id, out) / f"{name}.csv"


def render(spec: Spec, narrow: bool = False):
    """Draw one figure in the house style (not saved); `narrow`: the phone variant."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    with matplotlib.rc_context(STYLE):
        fig = new_figure(spec, narrow)
        # the PNG's canvas from the start: the layout and the PNG then share one renderer,
        # and the texts measured for the layout are not measured again for the PNG
        FigureCanvasAgg(fig)
        spec.draw(fig, narrow)
        if not narrow:
            finish(fig, spec)
    return fig


def lay_out(fig) -> None:
    """Run the figure's constrained layout once, as saving the PNG would (the renderer of
    the PNG, at the style's DPI), and keep it: the saves that follow only draw. Without
    this, each save lays the figure out again (twice per save), the costliest part of a
    save; the PNG is the same to the byte, and the SVG takes the PNG's layout instead of
    one measured with its own text metrics (positions within a point of each other)."""
    engine = fig.get_layout_engine()
    if engine is None:
        return
    if fig.axes:   # as Figure.draw does
        engine.execute(fig)
    fig.set_layout_engine(None)


def save(fig, png: Path, svg: Path | None = None) -> None:
    """PNG at the style's DPI (and SVG), each written to a temporary name and moved into
    place; the figure is laid out once, before the first."""
    with matplotlib.rc_context(STYLE):
        lay_out(fig)
    for target, fmt in ((png, "png"), (svg, "svg")):
        if target is not None:
            save_as(fig, target, fmt)


def save_as(fig, target: Path, fmt: str) -> None:
    """One file of a figure laid out already: `fmt` png or svg (no date in either)."""
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    with matplotlib.rc_context(STYLE), store.atomic_path(target) as tmp:
        fig.savefig(tmp, format=fmt, metadata=metadata)


def load_source(report_id: str, theme: str, out=None):
    return LOADERS.get(theme, data_layer.load)(report_id, out)


def specs(source, theme: str, lang: str) -> list[tuple[Chart, Spec]]:
    """The charts of one theme that the data supports, in reading order (nothing drawn)."""
    found = [(c, c.build(source, lang)) for c in REGISTRY[theme]]
    return [(c, spec) for c, spec in found if spec is not None]


def _remove(report_id: str, name: str, out=None) -> None:
    for lang in LANGS:
        for stale in (*figure_paths(report_id, name, lang, out),
                      narrow_path(report_id, name, lang, out)):
            stale.unlink(missing_ok=True)
    data_path(report_id, name, out).unlink(missing_ok=True)


def draw_theme(report_id: str, theme: str, out=None, source=None,
               langs=LANGS) -> list[FigureInfo]:
    """Draw and save one theme's charts in every language; record them in figures.json.

    A chart the data cannot support this time is not drawn, and its old files are
    removed, so the folder never mixes current and stale charts.
    """
    source = source if source is not None else load_source(report_id, theme, out)
    made, entries, not_drawn = [], [], []
    for chart_ in REGISTRY[theme]:
        built = {lang: chart_.build(source, lang) for lang in langs}
        if any(spec is None for spec in built.values()):
            _remove(report_id, chart_.name, out)
            not_drawn.append(chart_.name)
            continue
        entry = {"name": chart_.name, "theme": theme, "references": [], "data": None}
        first = next(iter(built.values()))
        if first.data is not None:
            csv = data_path(report_id, chart_.name, out)
            store.write_table(first.data, csv, parquet=False)
            entry["data"] = csv.name
        for lang, spec in built.items():
            png, svg = figure_paths(report_id, chart_.name, lang, out)
            narrow = narrow_path(report_id, chart_.name, lang, out)
            save(render(spec), png, svg)
            save(render(spec, narrow=True), narrow)
            entry["references"] = list(dict.fromkeys(spec.references))
            entry[lang] = {"png": png.name, "svg": svg.name, "narrow": narrow.name,
                           "title": spec.title,
                           "caption": spec.caption, "alt": spec.alt, "source": spec.source,
                           "notes": list(spec.notes)}
            made.append(FigureInfo(chart_.name, theme, lang, png, svg, narrow,
                                   png.with_name(entry["data"]) if entry["data"] else None,
                                   spec.title, spec.caption, spec.alt, spec.source,
                                   tuple(spec.notes), tuple(spec.references)))
        entries.append(entry)
    figures.record_theme(report_id, theme, entries, not_drawn, out)
    return made


def show(made: list[FigureInfo], lang: str, theme: str | None = None) -> None:
    """In a notebook: each figure of `lang` as saved (PNG) with its caption; then the
    theme's charts that were not drawn because the report lacks their data."""
    from IPython.display import Image, Markdown, display
    shown = [f for f in made if f.lang == lang]
    for figure_info in shown:
        display(Image(filename=str(figure_info.png)))
        display(Markdown(f"*{figure_info.caption}*"))
    if theme is not None:
        missing = [n for n in names(theme) if n not in {f.name for f in shown}]
        if missing:
            display(Markdown(tr(lang, "not_drawn", names=", ".join(f"`{n}`" for n in missing))))
