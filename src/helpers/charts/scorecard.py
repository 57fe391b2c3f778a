"""The rest of the report as small multiples: institutions, procedures, civil service;
staffing, reductions since 2015, financial autonomy, digital government."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .. import analysis
from ..data import ReportData
from .registry import chart
from .style import (Spec, capitalised, hbars, message_panel, num, pct, source_line, tr,
                    wrap_balanced)


def _drawn(panels: list[dict]) -> pd.DataFrame:
    """One row per bar: the panel, the form row(s) and the value drawn."""
    rows = []
    for panel in panels:
        for source, value in zip(panel.get("sources", panel["ids"]), panel["values"]):
            rows.append({"panel": panel["area"], "value": value,
                         "origin": panel.get("origin", "report"), "source": source})
    return pd.DataFrame(rows, columns=["panel", "value", "origin", "source"])

REFORM_AREAS = ("institutions", "procedures_changed", "procedures_by_level", "civil_service")
ORGANISATION_AREAS = ("staffing", "cuts_since_2015", "autonomy", "digital")


def _area_panel(card: pd.DataFrame, area: str, lang: str) -> dict:
    rows = card[card["area"] == area]
    unit = rows["unit"].iloc[0]
    values = [None if pd.isna(v) else v for v in rows["value"]]
    texts = None
    if unit == "percent":
        texts = [tr(lang, "no_data") if v is None else pct(v, lang, d)
                 for v, d in zip(values, rows["decimals"])]
    return {"area": area, "title": tr(lang, f"area_{area}"), "labels": list(rows[f"label_{lang}"]),
            "values": values, "texts": texts, "percent": unit == "percent",
            "axis": (tr(lang, "pct_axis") if unit == "percent"
                     else capitalised(rows[f"unit_{lang}"].iloc[0])),
            "ids": list(rows["indicator_id"])}


def _staffing_panel(staff: pd.DataFrame, lang: str) -> dict:
    return {"area": "staffing", "origin": "recomputed",
            "sources": [f"{p} / {a}" for p, a in zip(staff["present_id"], staff["assigned_id"])],
            "title": tr(lang, "area_staffing"), "labels": list(staff[f"label_{lang}"]),
            "values": list(staff["pct_filled"]), "percent": True,
            "texts": [f"{pct(p, lang)} ({num(n, lang)}/{num(d, lang)})"
                      for p, n, d in zip(staff["pct_filled"], staff["present"],
                                         staff["assigned"])],
            "axis": tr(lang, "staffing_axis"),
            "ids": list(staff["assigned_id"]) + list(staff["present_id"])}


def _draw_panels(fig: Figure, panels: list[dict], lang: str, narrow: bool) -> None:
    axes = fig.subplots(*((4, 1) if narrow else (2, 2))).ravel()
    for ax, panel in zip(axes, panels):
        if not panel["labels"]:
            message_panel(ax, tr(lang, "no_data"))
            ax.set_title(panel["title"])
            continue
        hbars(ax, panel["labels"], panel["values"], lang, texts=panel["texts"],
              percent=panel["percent"], xmax=100 if panel["percent"] else None,
              label_width=16 if narrow else 30)
        ax.set_title(wrap_balanced(panel["title"], 44))
        ax.set_xlabel(panel["axis"])
        ax.tick_params(axis="y", labelsize=8.5)


def _panels_alt(panels: list[dict], lang: str) -> str:
    items = []
    for panel in panels:
        texts = panel["texts"] or [tr(lang, "no_data") if v is None else
                                   (pct(v, lang) if panel["percent"] else num(v, lang))
                                   for v in panel["values"]]
        items.append(f"{panel['title']}: " + ", ".join(f"{l} {t}" for l, t in
                                                        zip(panel["labels"], texts)))
    return tr(lang, "scorecard_alt", items=". ".join(items))


def _empty_note(panels: list[dict], lang: str) -> list[str]:
    empty = [l for p in panels for l, v in zip(p["labels"], p["values"]) if v is None]
    return [tr(lang, "empty_rows", labels="; ".join(empty))] if empty else []


@chart("scorecard", "scorecard_reform")
def scorecard_reform_spec(data: ReportData, lang: str) -> Spec:
    card = analysis.scorecard(data)
    panels = [_area_panel(card, area, lang) for area in REFORM_AREAS]
    parts = [tr(lang, key, n=num(data.value(ind), lang))
             for key, ind in (("reform_docs", "II.1"), ("reform_new", "III.1.2"),
                              ("reform_abolished", "III.1.3"), ("reform_recruited", "V.2"))
             if data.value(ind) is not None]
    title = tr(lang, "reform_title", year=data.year, parts=", ".join(parts))
    rows = [i for p in panels for i in p["ids"]] + ["V.2"]   # V.2: recruited, in the title
    return Spec(title=title, data=_drawn(panels),
                caption=tr(lang, "reform_caption"), alt=_panels_alt(panels, lang),
                source=source_line(data, lang, rows=rows), notes=_empty_note(panels, lang),
                size=(12, 8), narrow_size=(4.0, 14.0),
                draw=lambda fig, narrow: _draw_panels(fig, panels, lang, narrow))


@chart("scorecard", "scorecard_organisation")
def scorecard_organisation_spec(data: ReportData, lang: str) -> Spec:
    card = analysis.scorecard(data)
    staff = analysis.staffing(data)
    panels = [_staffing_panel(staff, lang)] + [_area_panel(card, area, lang)
                                               for area in ORGANISATION_AREAS[1:]]
    civil = staff[staff["group"] == "IV.2"]
    state_funded, total = data.value("VI.2.5"), data.value("VI.2.1")
    if not civil.empty and state_funded is not None and total is not None:
        title = tr(lang, "org_title", pct=pct(civil["pct_filled"].iloc[0], lang),
                   n=num(state_funded, lang), total=num(total, lang))
    else:
        title = tr(lang, "org_title_short")
    status = analysis.digital_status(data)
    notes = _empty_note(panels, lang)
    if not status.empty:
        notes.append(tr(lang, "status_note", items="; ".join(
            f"{l}: {s}" for l, s in zip(status[f"label_{lang}"], status[f"status_{lang}"]))))
    rows = [i for p in panels for i in p["ids"]] + ["VI.2.1"] + list(status["indicator_id"])
    return Spec(title=title, data=_drawn(panels),
                caption=tr(lang, "org_caption"), alt=_panels_alt(panels, lang),
                source=source_line(data, lang, rows=rows), notes=notes, size=(12, 8.5),
                narrow_size=(4.0, 14.0),
                draw=lambda fig, narrow: _draw_panels(fig, panels, lang, narrow))


# --- registry, drawing and saving ----------------------------------------------------------------
