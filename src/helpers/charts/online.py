"""Online public services and dossiers: procedures from all to those used online, the
share of dossiers received online, level-4 processing against its target, online payment
and the national portal, on-time resolution by level (data: `helpers.analysis`)."""
from __future__ import annotations

import pandas as pd

from .. import analysis, catalogue, text
from ..data import ReportData
from ..formats import format_recomputed
from .registry import chart
from .style import (COLOUR, Spec, capitalised, fact_label, grid, hbars, level_name, num, pct,
                    short_label, source_line, tr, wrap_balanced)


def recomputed(check: dict, lang: str) -> str:
    """A rate recomputed from its counts, written as every page writes it."""
    return format_recomputed(check["recomputed"], lang, check["decimals"])


def rate_data(checks: list[dict]) -> pd.DataFrame:
    """The rates a chart draws: each recomputed from its counts and as the form states it."""
    rows = []
    for c in checks:
        if c["recomputed"] is not None:
            rows.append({"indicator_id": c["indicator_id"], "what": "rate",
                         "value": c["recomputed"], "numerator": c["numerator"],
                         "denominator": c["denominator"], "origin": "recomputed",
                         "source": f"{c['numerator_id']} / {c['denominator_id']}"})
        if c["reported"] is not None:
            rows.append({"indicator_id": c["indicator_id"], "what": "rate",
                         "value": c["reported"], "origin": "report",
                         "source": c["indicator_id"]})
    return pd.DataFrame(rows, columns=["indicator_id", "what", "value", "numerator",
                                       "denominator", "origin", "source"])

def _stage_label(stage: str, ids: str, lang: str) -> str:
    """The catalogue's label for a stage that is one form row; a phrase for the others."""
    key = f"charts.stage_{stage}"
    return tr(lang, f"stage_{stage}") if text.has(key) else short_label(ids.split(";")[0], lang)


@chart("online_services", "procedure_funnel")
def funnel_spec(data: ReportData, lang: str) -> Spec | None:
    funnel = analysis.procedure_funnel(data)
    if funnel.empty:
        return None
    values = dict(zip(funnel["stage"], funnel["value"]))
    shares = dict(zip(funnel["stage"], funnel["pct_of_all"]))
    if {"all", "online", "used"} <= set(values):
        title = tr(lang, "funnel_title", online=num(values["online"], lang),
                   all=num(values["all"], lang), used=num(values["used"], lang),
                   pct=pct(shares["used"], lang))
    else:
        title = tr(lang, "funnel_title_short")
    labels = [_stage_label(s, i, lang) for s, i in zip(funnel["stage"], funnel["indicator_ids"])]
    texts = [num(v, lang) + ("" if pd.isna(p) or stage == "all" else f" ({pct(p, lang)})")
             for stage, v, p in zip(funnel["stage"], funnel["value"], funnel["pct_of_all"])]
    notes = []
    missing = [s for s, _ in analysis.FUNNEL if s not in values]
    if missing:
        notes.append(tr(lang, "funnel_missing", stages="; ".join(
            _stage_label(s, ";".join(ids), lang) for s, ids in analysis.FUNNEL if s in missing)))
    rows = [i for ids in funnel["indicator_ids"] for i in ids.split(";")]
    colours = [COLOUR["context"] if s == "all" else COLOUR["report"] for s in funnel["stage"]]

    def draw(fig, narrow):
        ax = fig.subplots()
        hbars(ax, labels, list(funnel["value"]), lang, colours=colours, texts=texts,
              label_width=16 if narrow else 30)
        ax.set_xlabel(tr(lang, "procedures_axis"))

    drawn = funnel.assign(origin="report", source=funnel["indicator_ids"])
    return Spec(title=title, data=drawn,
                caption=tr(lang, "funnel_caption"),
                alt=tr(lang, "funnel_alt", stages="; ".join(f"{l}: {t}"
                                                           for l, t in zip(labels, texts))),
                source=source_line(data, lang, rows=rows), notes=notes, draw=draw,
                size=(10, 4.2), narrow_size=(4.0, 4.0))


def _rate_rows(check: dict, lang: str) -> tuple[list[str], list, list[str], list[str]]:
    """Bars for one rate: recomputed from the counts, and as the form states it."""
    labels, values, texts, colours = [], [], [], []
    if check["recomputed"] is not None:
        labels.append(tr(lang, "from_counts"))
        values.append(check["recomputed"])
        texts.append(f"{recomputed(check, lang)} ({num(check['numerator'], lang)}/"
                     f"{num(check['denominator'], lang)})")
        colours.append(COLOUR["report"])
    if check["reported"] is not None:
        labels.append(tr(lang, "as_reported", row=catalogue.entry(check["indicator_id"])["code"]))
        values.append(check["reported"])
        texts.append(pct(check["reported"], lang, check["decimals"]))
        colours.append(COLOUR["differs"] if check["differs"] else COLOUR["context"])
    return labels, values, texts, colours


def _differs_note(check: dict, lang: str, said: bool = False) -> str:
    """Why a rate's two figures differ. `said`: the title already gives both figures."""
    reported = pct(check["reported"], lang, check["decimals"])
    note = "" if said else tr(lang, "differs_note", reported=reported,
                              label=short_label(check["indicator_id"], lang),
                              pct=recomputed(check, lang))
    a, b = check["formula_numerator"], check["formula_denominator"]
    if a is not None and b is not None and (a, b) != (check["numerator"], check["denominator"]):
        note += tr(lang, "formula_note", reported=reported, a=num(a, lang), b=num(b, lang))
    if check["audit_status"] == "failed":
        note += tr(lang, "audit_note")
    return note.strip()


def _rate_sources(checks: list[dict]) -> list[str]:
    return [i for c in checks for i in (c["indicator_id"], c["numerator_id"], c["denominator_id"])
            if i]


@chart("online_services", "online_dossiers")
def online_dossiers_spec(data: ReportData, lang: str) -> Spec | None:
    check = analysis.online_dossier_share(data)
    if check["recomputed"] is None and check["reported"] is None:
        return None
    labels, values, texts, colours = _rate_rows(check, lang)
    if check["recomputed"] is None:
        title = tr(lang, "dossiers_title", pct=pct(check["reported"], lang, check["decimals"]),
                   num="–", den="–")
    else:
        key = "dossiers_title_differs" if check["differs"] else "dossiers_title"
        title = tr(lang, key, pct=recomputed(check, lang),
                   num=num(check["numerator"], lang), den=num(check["denominator"], lang),
                   reported=pct(check["reported"], lang, check["decimals"])
                   if check["reported"] is not None else "–")
    note = _differs_note(check, lang, said=check["recomputed"] is not None) \
        if check["differs"] else ""
    notes = [note] if note else []

    def draw(fig, narrow):
        ax = fig.subplots()
        hbars(ax, labels, values, lang, colours=colours, texts=texts, percent=True, xmax=100,
              label_width=16 if narrow else 34)
        ax.set_xlabel(tr(lang, "dossiers_axis"))

    return Spec(title=title, data=rate_data([check]),
                caption=tr(lang, "dossiers_caption"),
                alt=tr(lang, "rate_alt", items="; ".join(f"{l}: {t}"
                                                         for l, t in zip(labels, texts))),
                source=source_line(data, lang, rows=_rate_sources([check])), notes=notes,
                draw=draw, size=(10, 3.4), narrow_size=(4.0, 3.4))


@chart("online_services", "level4_target")
def level4_spec(data: ReportData, lang: str) -> Spec | None:
    frame = analysis.level4_processing(data)
    values = dict(zip(frame["kind"], frame["value"]))
    if "achieved" not in values:
        return None
    achieved = pct(values["achieved"], lang, 0 if values["achieved"].is_integer() else 2)
    notes = []
    if "target" in values:
        target = pct(values["target"], lang, 0 if values["target"].is_integer() else 2)
        cmp = ("above" if values["achieved"] > values["target"] else
               "below" if values["achieved"] < values["target"] else "equal")
        title = tr(lang, "level4_title", achieved=achieved, target=target, cmp=tr(lang, cmp))
    else:
        title = tr(lang, "level4_title_alone", achieved=achieved)
        notes.append(tr(lang, "no_target"))
    labels = [fact_label(f, lang) for f in frame["fact_id"]]
    texts = [pct(v, lang, 0 if v.is_integer() else 2) for v in frame["value"]]
    colours = [COLOUR["report"] if k == "achieved" else COLOUR["context"] for k in frame["kind"]]

    def draw(fig, narrow):
        ax = fig.subplots()
        hbars(ax, labels, list(frame["value"]), lang, colours=colours, texts=texts,
              percent=True, xmax=100, label_width=16 if narrow else 36)
        ax.set_xlabel(tr(lang, "dossiers_axis"))

    drawn = frame.assign(origin="report", source=frame["fact_id"])
    return Spec(title=title, data=drawn,
                caption=tr(lang, "level4_caption"),
                alt=tr(lang, "rate_alt", items="; ".join(f"{l}: {t}"
                                                         for l, t in zip(labels, texts))),
                source=source_line(data, lang, fact_ids=list(frame["fact_id"])), notes=notes,
                draw=draw, size=(10, 3.2), narrow_size=(4.0, 3.4))


@chart("online_services", "online_payment_portal")
def payment_portal_spec(data: ReportData, lang: str) -> Spec | None:
    checks = [c for c in analysis.payment_and_portal(data).to_dict("records")
              if c["recomputed"] is not None or c["reported"] is not None]
    checks = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in c.items()}
              for c in checks]
    if not checks:
        return None
    by_id = {c["indicator_id"]: c for c in checks}
    pay, portal = (by_id.get(i) for i in analysis.PAYMENT_AND_PORTAL)
    if pay and portal and pay["recomputed"] is not None and portal["recomputed"] is not None:
        title = tr(lang, "payment_title", p1=pct(pay["recomputed"], lang),
                   n1=num(pay["numerator"], lang), d1=num(pay["denominator"], lang),
                   p2=pct(portal["recomputed"], lang), n2=num(portal["numerator"], lang),
                   d2=num(portal["denominator"], lang))
    else:
        title = tr(lang, "payment_title_short")
    notes = [_differs_note(c, lang) for c in checks if c["differs"]]
    groups = [(short_label(c["indicator_id"], lang), *_rate_rows(c, lang)) for c in checks]

    def draw(fig, narrow):
        axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
        for ax, (group, labels, values, texts, colours) in zip(axes, groups):
            hbars(ax, labels, values, lang, colours=colours, texts=texts, percent=True,
                  xmax=100, label_width=16 if narrow else 34)
            ax.set_title(wrap_balanced(group, 30) if narrow else group)
        axes[-1].set_xlabel(tr(lang, "procedures_pct_axis"))

    items = "; ".join(f"{g}: " + ", ".join(f"{l} {t}" for l, t in zip(ls, ts))
                      for g, ls, _, ts, _ in groups)
    return Spec(title=title, data=rate_data(checks),
                caption=tr(lang, "payment_caption"), alt=tr(lang, "rate_alt", items=items),
                source=source_line(data, lang, rows=_rate_sources(checks)), notes=notes,
                draw=draw, size=(10, 2.3 + 1.9 * len(groups)),
                narrow_size=(4.0, 1.0 + 2.6 * len(groups)))


@chart("online_services", "on_time_by_level")
def on_time_spec(data: ReportData, lang: str) -> Spec | None:
    frame = analysis.on_time_by_level(data)
    if frame.empty:
        return None
    checks = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in c.items()}
              for c in frame.to_dict("records")]
    levels = [level_name(c["indicator_id"], lang) for c in checks]
    rates = [c["reported"] if c["reported"] is not None else c["recomputed"] for c in checks]
    rate_texts = [pct(c["reported"], lang, c["decimals"]) if c["reported"] is not None
                  else recomputed(c, lang) for c in checks]
    if len(checks) == 3:
        title = tr(lang, "on_time_title", low=rate_texts[rates.index(min(rates))],
                   high=rate_texts[rates.index(max(rates))])
    else:
        title = tr(lang, "on_time_title_one", values=", ".join(
            f"{lv} {t}" for lv, t in zip(levels, rate_texts)))
    notes = [_differs_note(c, lang) for c in checks if c["differs"]]
    resolved = [c["resolved"] for c in checks]

    def draw(fig, narrow):
        (ax_count, ax_rate), _ = grid(fig, *((2, 1) if narrow else (1, 2)), sharey=True)
        hbars(ax_count, levels, resolved, lang, colours=[COLOUR["context"]] * len(levels),
              label_width=18)
        ax_count.set_title(tr(lang, "resolved_panel"))
        ax_count.set_xlabel(capitalised(catalogue.entry(checks[0]["denominator_id"])
                                        [f"unit_{lang}"]))
        hbars(ax_rate, levels, rates, lang, texts=rate_texts, percent=True, xmax=100,
              colours=[COLOUR["differs"] if c["differs"] else COLOUR["report"] for c in checks])
        ax_rate.set_title(tr(lang, "on_time_panel"))
        ax_rate.set_xlabel(tr(lang, "on_time_axis"))

    alt = tr(lang, "rate_alt", items="; ".join(
        f"{lv}: {num(r, lang)} – {t}" for lv, r, t in zip(levels, resolved, rate_texts)))
    drawn = pd.concat([rate_data(checks), pd.DataFrame(
        [{"indicator_id": c["denominator_id"], "what": "resolved", "value": c["resolved"],
          "origin": "report", "source": c["denominator_id"]} for c in checks])],
        ignore_index=True)
    return Spec(title=title, data=drawn,
                caption=tr(lang, "on_time_caption"), alt=alt,
                source=source_line(data, lang, rows=_rate_sources(checks)), notes=notes,
                draw=draw, size=(10, 3.6), narrow_size=(4.0, 5.6))
