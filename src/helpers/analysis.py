"""Data preparation for the analysis stories: processed tables in, small tidy DataFrames out.

Every function here is pure: it takes the processed tables of one report (and the
reference tables where a story needs them) and returns a small DataFrame that a chart,
a notebook or a narrative sentence can use directly. Nothing is drawn or written here.

Which rows make up a story is stated once, in the constants below (indicator ids of
the catalogue and fact ids of facts.yml); the values always come from the tables.
"""
from __future__ import annotations

import pandas as pd

from . import catalogue
from .data import ReportData, number as _number
from .formats import as_date
from . import reference
from .reference import NATIONAL_AVERAGE
from .report import slugify

INDICES = {"PAR_INDEX": "par_index", "SIPAS": "sipas"}   # reference name -> fact prefix

# Procedures, from all of them to those that received an online dossier.
FUNNEL = (
    ("all", ("III.1.4",)),
    ("eligible", ("VII.6.1.1", "VII.6.2.1")),
    ("online", ("VII.6.3.1",)),
    ("used", ("VII.6.1.3", "VII.6.2.3")),
)
ONLINE_DOSSIERS = "VII.6.4"
PAYMENT_AND_PORTAL = ("VII.6.5", "VII.6.3")
ON_TIME_BY_LEVEL = ("III.3.1", "III.3.2", "III.3.3")
LEVEL4 = ("level4_online_processing_pct", "level4_online_processing_target_pct")

INVESTMENT_PLANS = (("pm", "VI.1.1", "investment_plan_pm"),
                    ("provincial", None, "investment_plan_provincial"))
INVESTMENT_POINTS = (("to_date", "VI.1.2", "investment_disbursed"),
                     ("year_end", None, "investment_estimate_year_end"))
# The shares of each point that the narrative states (kept as written), by plan
STATED_SHARES = {"to_date": {"pm": "investment_disbursed_pct_pm",
                             "provincial": "investment_disbursed_pct_provincial"},
                 "year_end": {"pm": "investment_estimate_pct_pm"}}
CONTEXT_METRICS = {   # reference metric -> what it is
    "amount": "public_investment_disbursed_estimate",
    "pct_pm": "public_investment_disbursed_pct_of_pm_plan",
    "pct_provincial": "public_investment_disbursed_pct_of_provincial_plan",
}

# The compact scorecard: area -> rows of the forms (one unit per area).
SCORECARD = (
    ("institutions", ("II.1", "II.2.1", "II.2.2.2", "II.3.1", "II.3.2.2")),
    ("procedures_changed", ("III.1.2", "III.1.3", "III.1.1")),
    ("procedures_by_level", ("III.1.4.1", "III.1.4.2", "III.1.4.3")),
    ("civil_service", ("V.2.1", "V.2.2", "V.2.4", "V.2.5", "V.3")),
    ("cuts_since_2015", ("IV.1.5.4", "IV.2.5", "IV.3.4")),
    ("autonomy", ("VI.2.2", "VI.2.3", "VI.2.4", "VI.2.5")),
    ("digital", ("VII.5.1.1", "VII.5.1.2", "VII.5.1.3", "VII.5.2.1", "VII.5.2.2",
                 "VII.5.2.3", "VII.5.3.1", "VII.5.3.2", "VII.5.3.3")),
)
STAFFING = (("IV.2", "IV.2.1", "IV.2.2"), ("IV.3", "IV.3.1", "IV.3.2"))  # group, assigned, present
DIGITAL_STATUS = ("VII.1", "VII.2", "VII.4")


# --- (a) PAR INDEX and SIPAS over time -------------------------------------------------

INDEX_COLUMNS = ["index", "series", "province", "year", "score", "score_unit", "rank",
                 "rank_of", "origin", "source", "fact_ids", "evidence", "published_after_report"]

def index_history(data: ReportData, index: str = "PAR_INDEX") -> pd.DataFrame:
    """Score and rank by year: the report's statements, then the published figures.

    `series` is `province`, `national_average` or `leader`; `origin` is `report` (a
    figure the report states), `implied` (a year's rank or score implied by a change that
    the report or a published source states, with the words in `evidence`) or `published`
    (a row of the reference table, with its URL in `source`). Nothing is interpolated: a
    year without a value has no row. `published_after_report` marks what was announced
    after the report's date (an index is announced the year after the year it assesses).
    National averages are kept for the years the province's series spans; leaders are the
    top five of the year the report assesses.
    """
    prefix = INDICES[index]
    rows = _index_from_report(data, prefix, index)
    slug = slugify(data.province)
    published = data.governance[data.governance["index"] == index]
    for _, ref in published[published["slug"] == slug].iterrows():
        rows.append(_reference_row(ref, index, "province"))
    rows += implied_by_sources(rows)
    years = [row["year"] for row in rows]
    if years:
        national = published[(published["province"] == NATIONAL_AVERAGE)
                             & published["assessment_year"].between(min(years), max(years))]
        rows += [_reference_row(ref, index, "national_average") for _, ref in national.iterrows()]
        assessed = _assessed_year(data, prefix)
        rows += [_reference_row(ref, index, "leader")
                 for _, ref in leaders(published, assessed, slug).iterrows()]
    report_year = as_date(data.meta.get("date"))
    for row in rows:   # an index is announced the year after the year it assesses
        announced = row.pop("announced", None)
        row["published_after_report"] = bool(report_year and announced
                                              and announced > report_year.year)
    frame = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    frame["evidence"] = [v if isinstance(v, str) else "" for v in frame["evidence"]]
    order = {"report": 0, "implied": 1, "published": 2}
    return (frame.assign(_o=frame["origin"].map(order))
            .sort_values(["series", "year", "_o", "rank"]).drop(columns="_o")
            .reset_index(drop=True))


def leaders(published: pd.DataFrame, year: int | None, own_slug: str, top: int = 5,
            ) -> pd.DataFrame:
    """The top provinces of `year` (not the report's own), when the list published starts at 1."""
    of_year = published[published["assessment_year"] == year]
    if not (of_year["rank"] == 1).any():
        return of_year.iloc[0:0]
    return of_year[(of_year["rank"] <= top) & (of_year["slug"] != own_slug)]


def _assessed_year(data: ReportData, prefix: str) -> int | None:
    for fact_id in (f"{prefix}_score", f"{prefix}_rank"):
        row = data.fact_row(fact_id)
        if row is not None and str(row["period"]).isdigit():
            return int(row["period"])
    return None


def _index_from_report(data: ReportData, prefix: str, index: str) -> list[dict]:
    year = _assessed_year(data, prefix)
    score, rank = data.fact(f"{prefix}_score"), data.fact(f"{prefix}_rank")
    if year is None or (score is None and rank is None):
        return []
    rank_of = data.fact(f"{prefix}_rank_of")
    unit = "percent" if index == "SIPAS" else "points"
    base = {"index": index, "series": "province", "province": data.province,
            "score_unit": unit, "rank_of": rank_of, "source": data.meta.get("number") or ""}
    rows = [{**base, "year": year, "score": score, "rank": rank, "origin": "report",
             "fact_ids": ";".join(f for f in (f"{prefix}_score", f"{prefix}_rank")
                                  if data.fact(f) is not None)}]
    score_change = data.fact(f"{prefix}_score_change")
    rank_change = data.fact(f"{prefix}_rank_change")
    previous_score = score - score_change if score is not None and score_change is not None \
        else None
    # a rank change counts places gained: the year before, the rank number was larger by it
    previous_rank = rank + rank_change if rank is not None and rank_change is not None else None
    if previous_score is not None or previous_rank is not None:
        used = [f for f, v in ((f"{prefix}_score_change", previous_score),
                               (f"{prefix}_rank_change", previous_rank)) if v is not None]
        rows.append({**base, "year": year - 1,
                     "score": None if previous_score is None else round(previous_score, 2),
                     "rank": previous_rank, "origin": "implied", "fact_ids": ";".join(used)})
    return rows


def _reference_row(ref: pd.Series, index: str, series: str) -> dict:
    return {"index": index, "series": series, "province": ref["province"],
            "year": int(ref["assessment_year"]), "score": _number(ref["score"]),
            "score_unit": ref["score_unit"] or "",
            "rank": _number(ref["rank"]), "rank_of": _number(ref["rank_of"]),
            "origin": "published", "source": ref["source_url"], "fact_ids": "",
            "evidence": ref["evidence"], "announced": int(ref["assessment_year"]) + 1}


def implied_by_sources(rows: list[dict]) -> list[dict]:
    """Ranks implied by a change a published source states (6th, "up 3 places on 2022":
    9th in 2022), for a year without a rank inside the years the series has (a gap is
    filled; the series is not extended)."""
    known = {row["year"] for row in rows if row["rank"] is not None and not pd.isna(row["rank"])}
    if not known:
        return []
    implied = []
    for row in rows:
        if row["origin"] != "published" or row["rank"] is None or pd.isna(row["rank"]):
            continue
        for gained, year in reference.stated_rank_changes(row.get("evidence") or ""):
            if year is None or year in known or not min(known) < year < max(known):
                continue
            # places gained since `year`: the rank number was larger by them then
            implied.append({**row, "year": year, "score": None, "rank": row["rank"] + gained,
                            "origin": "implied", "evidence": str(row["evidence"]).strip()})
            known.add(year)
    return implied


def trajectory(history: pd.DataFrame, column: str) -> pd.DataFrame:
    """One value per year for the province's line: the report's figure first, then what the
    report's own stated change implies, else published; `segment` numbers the runs of
    consecutive years (a line never joins two points across a year without a value)."""
    own = history[(history["series"] == "province") & history[column].notna()]
    order = {"report": 0, "implied": 1, "published": 2}
    own = own.assign(_o=own["origin"].map(order)).sort_values(["year", "_o"], kind="stable")
    line = own.drop_duplicates("year", keep="first")[["year", column, "origin",
                                                       "published_after_report"]]
    line = line.sort_values("year").reset_index(drop=True)
    line["segment"] = (line["year"].diff() != 1).cumsum()
    return line


# --- (b) online services and dossiers ---------------------------------------------------

def procedure_funnel(data: ReportData) -> pd.DataFrame:
    """Procedures from all to those with an online dossier; stages whose rows are empty drop."""
    rows = []
    for stage, ids in FUNNEL:
        values = [data.value(i) for i in ids]
        if any(v is None for v in values):
            continue
        rows.append({"stage": stage, "indicator_ids": ";".join(ids), "value": sum(values)})
    frame = pd.DataFrame(rows, columns=["stage", "indicator_ids", "value"])
    if not frame.empty and frame.iloc[0]["stage"] == "all" and frame.iloc[0]["value"]:
        frame["pct_of_all"] = frame["value"] / frame.iloc[0]["value"] * 100
    else:
        frame["pct_of_all"] = float("nan")
    return frame


RATE_COLUMNS = ["indicator_id", "reported", "decimals", "numerator_id", "denominator_id",
                "numerator", "denominator", "recomputed", "difference", "differs",
                "formula_numerator", "formula_denominator", "audit_status", "audit_severity"]


def rate_check(data: ReportData, ind_id: str) -> dict:
    """A reported rate beside the rate recomputed from the rows the catalogue names
    (`ReportData.rate`), with the audit's verdict on it when the audit has run."""
    rate = data.rate(ind_id)
    record = rate.record() if rate is not None else {
        "indicator_id": ind_id, "reported": data.value(ind_id),
        "decimals": data.decimals(ind_id), "numerator_id": "", "denominator_id": "",
        "numerator": None, "denominator": None, "recomputed": None, "difference": None,
        "differs": False, "formula_numerator": None, "formula_denominator": None}
    verdict = audit_verdict(data.audit, ind_id)
    record["audit_status"] = None if verdict is None else verdict["status"]
    record["audit_severity"] = None if verdict is None else verdict["severity"]
    return record


def rate_checks(data: ReportData, ids) -> pd.DataFrame:
    return pd.DataFrame([rate_check(data, i) for i in ids], columns=RATE_COLUMNS)


def audit_verdict(audit: pd.DataFrame | None, ind_id: str) -> dict | None:
    """The audit's check of this rate against its components (None without an audit)."""
    if audit is None or audit.empty or "check_id" not in audit.columns:
        return None
    found = audit[audit["check_id"] == f"rate:{ind_id}"]
    if found.empty:
        return None
    row = found.iloc[0]
    return {"status": str(row["status"]), "severity": str(row.get("severity", ""))}


def online_dossier_share(data: ReportData) -> dict:
    """Share of dossiers received online, from the counts, beside the reported rate."""
    return rate_check(data, ONLINE_DOSSIERS)


def level4_processing(data: ReportData) -> pd.DataFrame:
    """Level-4 online processing rate and its target (narrative facts); missing ones drop."""
    rows = []
    for kind, fact_id in zip(("achieved", "target"), LEVEL4):
        row = data.fact_row(fact_id)
        if row is not None and _number(row["value"]) is not None:
            rows.append({"kind": kind, "fact_id": fact_id, "value": _number(row["value"]),
                         "line": int(row["line"])})
    return pd.DataFrame(rows, columns=["kind", "fact_id", "value", "line"])


def payment_and_portal(data: ReportData) -> pd.DataFrame:
    """Online payment and national-portal integration: reported and recomputed rates."""
    return rate_checks(data, PAYMENT_AND_PORTAL)


def on_time_by_level(data: ReportData) -> pd.DataFrame:
    """On-time resolution at department, district and commune level, with dossier counts."""
    frame = rate_checks(data, ON_TIME_BY_LEVEL)
    frame["resolved"] = frame["denominator"]
    frame["on_time"] = frame["numerator"]
    return frame[frame["reported"].notna() | frame["recomputed"].notna()].reset_index(drop=True)


# --- (c) public investment ----------------------------------------------------------------

def investment_plans(data: ReportData) -> pd.DataFrame:
    """The two plans disbursement is measured against, in million and billion VND."""
    rows = []
    for basis, ind_id, fact_id in INVESTMENT_PLANS:
        amount, where = _form_or_fact(data, ind_id, fact_id)
        if amount is not None:
            rows.append({"basis": basis, "amount_million": amount,
                         "amount_billion": amount / 1000, "source": where})
    return pd.DataFrame(rows, columns=["basis", "amount_million", "amount_billion", "source"])


def _form_or_fact(data: ReportData, ind_id: str | None, fact_id: str):
    """A value from its form row when the form has it, else from the narrative fact."""
    if ind_id and data.value(ind_id) is not None:
        return data.value(ind_id), ind_id
    if data.fact(fact_id) is not None:
        return data.fact(fact_id), fact_id
    return None, None


def investment_progress(data: ReportData) -> pd.DataFrame:
    """Cumulative disbursement at each dated point, with its share of each plan.

    The report's points (to date, estimated to year end) come with the shares the
    narrative states, as written (87,2%, 57%), else shares computed from its amounts (one
    decimal); a mid-year point from the reference data of the same province and year
    keeps the shares it was published with.
    """
    plans = investment_plans(data).set_index("basis")["amount_million"]
    rows = []
    for point, ind_id, fact_id in INVESTMENT_POINTS:
        amount, where = _form_or_fact(data, ind_id, fact_id)
        if amount is None:
            continue
        fact_row = data.fact_row(fact_id)
        period = str(fact_row["period"]) if fact_row is not None else ""
        row = {"point": point, "date": pd.to_datetime(period, errors="coerce"),
               "amount_million": amount, "origin": "report" if point == "to_date" else
               "estimate", "source": where}
        for basis in ("pm", "provincial"):
            stated = STATED_SHARES.get(point, {}).get(basis)
            if stated and data.fact(stated) is not None:
                row[f"pct_{basis}"] = data.fact(stated)
                row[f"pct_{basis}_decimals"] = data.fact_decimals(stated)
            elif basis in plans:
                row[f"pct_{basis}"] = amount / plans[basis] * 100
        rows.append(row)
    rows = _mid_year_point(data) + rows
    frame = pd.DataFrame(rows, columns=["point", "date", "amount_million", "pct_pm",
                                        "pct_provincial", "pct_pm_decimals",
                                        "pct_provincial_decimals", "origin", "source"])
    for column in ("pct_pm_decimals", "pct_provincial_decimals"):   # computed: one decimal
        frame[column] = frame[column].fillna(1).astype(int)
    frame["amount_billion"] = frame["amount_million"] / 1000
    return frame


def _mid_year_point(data: ReportData) -> list[dict]:
    """A published point of the same year from the province's context figures; its shares
    are of the plans as they stood then, kept as published."""
    context = data.context
    if context.empty:
        return []
    in_year = context[context["period_end"].dt.year == data.year]
    found = {}
    for key, metric in CONTEXT_METRICS.items():
        match = in_year[in_year["metric"] == metric]
        if not match.empty:
            found[key] = match.iloc[0]
    if "amount" not in found:
        return []
    amount = found["amount"]
    factor = 1000 if amount["unit"] == "billion_vnd" else 1
    return [{"point": "mid_year", "date": amount["period_end"],
             "amount_million": float(amount["value"]) * factor,
             "pct_pm": float(found["pct_pm"]["value"]) if "pct_pm" in found else None,
             "pct_provincial": (float(found["pct_provincial"]["value"])
                                if "pct_provincial" in found else None),
             **{f"{k}_decimals": _digits_after_point(found[k]["value_raw"])
                for k in ("pct_pm", "pct_provincial") if k in found},
             "origin": "published", "source": amount["source_url"]}]


def _digits_after_point(written: str) -> int:
    """Digits after the point of a number as a source file writes it ('49.5' -> 1)."""
    written = str(written).strip()
    return len(written.split(".", 1)[1]) if "." in written else 0


# --- (d) the rest of the report as a scorecard ---------------------------------------------

def scorecard(data: ReportData) -> pd.DataFrame:
    """The rows of the compact scorecard, tidy: one row per indicator, labels from the catalogue."""
    rows = []
    for area, ids in SCORECARD:
        for ind_id in ids:
            entry = catalogue.entry(ind_id)
            row = data.row(ind_id)
            rows.append({
                "area": area, "indicator_id": ind_id, "form": int(entry["form"]),
                "code": entry["code"], "label_vi": catalogue.label(ind_id, "vi", short=True),
                "label_en": catalogue.label(ind_id, "en", short=True), "unit": entry["unit"],
                "unit_vi": entry["unit_vi"], "unit_en": entry["unit_en"],
                "value": data.value(ind_id), "value_raw": "" if row is None else row["value_raw"],
                "decimals": 0 if row is None else int(_number(row["decimals"]) or 0),
            })
    return pd.DataFrame(rows)


def staffing(data: ReportData) -> pd.DataFrame:
    """Posts assigned against people in post, for civil servants and public employees."""
    rows = []
    for group, assigned_id, present_id in STAFFING:
        assigned, present = data.value(assigned_id), data.value(present_id)
        if assigned is None or present is None:
            continue
        rows.append({"group": group, "assigned_id": assigned_id, "present_id": present_id,
                     "label_vi": catalogue.label(group, "vi", short=True),
                     "label_en": catalogue.label(group, "en", short=True),
                     "assigned": assigned, "present": present,
                     "pct_filled": present / assigned * 100 if assigned else None})
    return pd.DataFrame(rows, columns=["group", "assigned_id", "present_id", "label_vi",
                                       "label_en", "assigned", "present", "pct_filled"])


def digital_status(data: ReportData) -> pd.DataFrame:
    """The status rows of digital government (architecture, online meetings, LGSP), decoded."""
    rows = []
    for ind_id in DIGITAL_STATUS:
        row = data.row(ind_id)
        if row is None or _number(row["value"]) is None:
            continue
        rows.append({"indicator_id": ind_id,
                     "label_vi": catalogue.label(ind_id, "vi", short=True),
                     "label_en": catalogue.label(ind_id, "en", short=True),
                     "status_vi": row["value_label_vi"], "status_en": row["value_label_en"]})
    return pd.DataFrame(rows, columns=["indicator_id", "label_vi", "label_en", "status_vi",
                                       "status_en"])
