"""THE charts of the suite: one style, one registry, one draw-and-save loop.

- `style`: colours, fonts, the figure frame (title, notes, source line), primitives;
- `registry`: `@chart(theme, name)` and `draw_theme`, which draws a theme's charts in
  both languages, saves PNG + SVG + the CSV of the data drawn, and records them in
  `figures/<report_id>/figures.json` (the pages read that file, never this package);
- one module per theme: `indices` (PAR INDEX, SIPAS), `online` (online services and
  dossiers), `investment` (public investment), `scorecard` (the rest of the report),
  `comparisons` (across years and provinces).

Adding a chart: a function `build(data, lang) -> Spec | None` in its theme's module,
decorated with `@chart(theme, name)`; texts in `src/helpers/text/charts.yml`.

    made = charts.draw_theme("thai-nguyen_2022", "online_services", out)
    charts.show(made, "vi", "online_services")
"""
from __future__ import annotations

from . import comparisons, indices, investment, online, scorecard  # noqa: F401  (registers)
from .registry import (REGISTRY, THEMES, draw_theme, figure_paths, load_source, names, render,
                       save, show, specs)
from .style import COLOUR, PALETTE, STYLE, Spec


def make_all(report_id: str, out=None) -> list:
    """Draw every theme of the report (the comparisons too)."""
    return [f for theme in THEMES for f in draw_theme(report_id, theme, out)]


__all__ = ["COLOUR", "PALETTE", "REGISTRY", "STYLE", "THEMES", "Spec", "draw_theme",
           "figure_paths", "load_source", "make_all", "names", "render", "save", "show", "specs"]
