"""Checks of the narrative against published figures: PAR INDEX and SIPAS scores, ranks
and their changes (data/raw/reference/governance_indices.csv)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..formats import LANGS, missing
from ..reference import domain, governance
from ..report import slugify
from ..text import t
from .check import Check, EPSILON, agrees, failed_check, passed_check
from .figures import Figure, cite, num, per_lang, say, signed, value_of

REFERENCE_SERIES = {"par_index": "PAR_INDEX", "sipas": "SIPAS"}
# A published source that gives another figure is not a contradiction inside the report:
# the check fails as a note.
NOTE = "info"


@dataclass(frozen=True)
class Published:
    """One published row of helpers.reference.governance(): index, year, province, and the
    score with the digits the source wrote."""

    row: dict

    def number(self, column: str) -> float | None:
        value = self.row.get(column)
        return None if missing(value) else float(value)

    def decimals(self, column: str) -> int:
        return int(self.row.get(f"{column}_decimals") or 0)

    @property
    def source(self) -> str:
        return domain(self.row.get("source_url") or "")

    @property
    def year(self) -> int:
        return int(self.row["assessment_year"])

    @property
    def where(self) -> str:
        return f"{self.source}, {self.year}"

    def quoted_rank_change(self) -> float | None:
        """The places gained as the source words it (helpers.reference reads the words)."""
        return self.number("rank_change_stated")


def reference_checks(figs: dict[str, Figure], province: str | None,
                     reference: pd.DataFrame | None = None) -> list[Check]:
    """The narrative's PAR INDEX and SIPAS facts against `reference` (by default
    helpers.reference.governance(): typed, an empty cell is no figure)."""
    reference = governance() if reference is None else reference
    if not province or reference.empty:
        return []
    slug = slugify(province)
    rows = [r for r in reference.to_dict("records") if r["slug"] == slug]
    checks = []
    for prefix, index in REFERENCE_SERIES.items():
        anchor = figs.get(f"{prefix}_rank") or figs.get(f"{prefix}_score")
        if anchor is None or not anchor.period.isdigit():
            continue
        year = int(anchor.period)
        same_year = _published(rows, index, year)
        previous = _published(rows, index, year - 1)
        ranked = [Published(r) for r in reference.to_dict("records")
                  if r["index"] == index and r["assessment_year"] == year]
        checks += _reference_series(prefix, figs, same_year, previous, ranked)
    return checks


def _published(rows: list[dict], index: str, year: int) -> Published | None:
    for row in rows:
        if row["index"] == index and row["assessment_year"] == year:
            return Published(row)
    return None


def _reference_series(prefix: str, figs: dict[str, Figure], same_year: Published | None,
                      previous: Published | None, ranked: list[Published]) -> list[Check]:
    score, rank = figs.get(f"{prefix}_score"), figs.get(f"{prefix}_rank")
    checks = []
    if same_year is not None:
        for name, column in (("score", "score"), ("rank", "rank"), ("rank_of", "rank_of")):
            fig = figs.get(f"{prefix}_{name}")
            published = same_year.number(column)
            if fig is not None and fig.value is not None and published is not None:
                tol = (fig.tolerance + 0.5 * 10 ** -same_year.decimals(column)
                       if name == "score" else 0.0)
                checks.append(_against_published(f"reference:{prefix}_{name}", fig, fig.value,
                                                 published, tol, same_year, [fig]))
    change = figs.get(f"{prefix}_score_change")
    if score is not None and change is not None and previous is not None \
            and score.value is not None and change.value is not None \
            and previous.number("score") is not None:
        implied = score.value - change.value
        tol = score.tolerance + change.tolerance + 0.5 * 10 ** -previous.decimals("score")
        checks.append(_score_change(prefix, score, change, implied, previous, tol))
    rank_change = figs.get(f"{prefix}_rank_change")
    if rank_change is not None and rank_change.value is not None:
        check = _rank_change(prefix, rank_change, rank, same_year, previous)
        if check is not None:
            checks.append(check)
    if score is not None and rank is not None and score.value is not None \
            and rank.value is not None:
        check = _score_between_neighbours(prefix, score, rank, ranked)
        if check is not None:
            checks.append(check)
    return checks


def _against_published(check_id: str, fig: Figure, reported: float, published: float,
                       tol: float, source: Published, involved: list[Figure]) -> Check:
    decimals = source.decimals("score") if "score" in check_id else 0
    values = dict(said=per_lang(value_of, fig), where=source.where,
                  published={lang: num(published, lang, decimals) for lang in LANGS})
    if agrees(reported, published, tol):
        return passed_check(check_id, "reference",
                            say("published_agrees", label=fig.label, **values),
                            involved, reported, published, tol)
    return failed_check(check_id, "reference", NOTE,
                        say("published_differs", fact=per_lang(cite, fig), **values),
                   involved, reported, published, tol)


def _score_change(prefix: str, score: Figure, change: Figure, implied: float,
                  previous: Published, tol: float) -> Check:
    check_id = f"reference:{prefix}_score_change"
    published = previous.number("score")
    d = max(score.decimals, previous.decimals("score"))
    values = dict(previous_year=previous.year, where=previous.where,
                  published={lang: num(published, lang, d) for lang in LANGS},
                  arithmetic={lang: f"{value_of(score, lang)} − "
                                    f"({signed(change.value, lang, change.decimals)}) "
                                    f"= {num(implied, lang, d)}" for lang in LANGS})
    if agrees(implied, published, tol):
        return passed_check(check_id, "reference", say("score_change_agrees", label=score.label,
                                                       **values),
                       [score, change], implied, published, tol)
    return failed_check(check_id, "reference", NOTE, say(
        "score_change_differs", implied={lang: num(implied, lang, d) for lang in LANGS},
        **values), [score, change], implied, published, tol)


def _rank_change(prefix: str, change: Figure, rank: Figure | None,
                 same_year: Published | None, previous: Published | None) -> Check | None:
    """Places gained: the published previous rank minus this year's, else the source's words."""
    check_id = f"reference:{prefix}_rank_change"
    now = same_year.number("rank") if same_year is not None else None
    if now is None and rank is not None:
        now = rank.value
    before = previous.number("rank") if previous is not None else None
    if before is not None and now is not None:
        expected, source = before - now, previous
        how = say("rank_move", before=before, year=previous.year, now=now)
    elif same_year is not None and same_year.quoted_rank_change() is not None:
        expected, source = same_year.quoted_rank_change(), same_year
        how = say("as_source_words_it")
    else:
        return None
    values = dict(label=change.label, how=how, where=source.where,
                  said=per_lang(signed, change.value),
                  published=per_lang(signed, expected))
    if agrees(change.value, expected, 0):
        return passed_check(check_id, "reference", say("rank_change_agrees", **values),
                            [change], change.value, expected, 0.0)
    return failed_check(check_id, "reference", NOTE, say("rank_change_differs", **values),
                        [change], change.value, expected, 0.0)


def _score_between_neighbours(prefix: str, score: Figure, rank: Figure,
                              ranked: list[Published]) -> Check | None:
    """The score fits between the published scores of the places just above and below."""
    above = _at_rank(ranked, rank.value - 1)
    below = _at_rank(ranked, rank.value + 1)
    if above is None and below is None:
        return None
    check_id = f"reference:{prefix}_score~neighbours"
    tol = score.tolerance
    high = above.number("score") if above is not None else None
    low = below.number("score") if below is not None else None
    fits = ((high is None or score.value <= high + tol + EPSILON)
            and (low is None or score.value >= low - tol - EPSILON))
    sources = ", ".join(sorted({p.source for p in (above, below) if p is not None}))
    span = {lang: " – ".join(
        t("audit.rank_score", lang, rank=p.number("rank"),
          score=num(p.number("score"), lang, p.decimals("score")))
        for p in (above, below) if p is not None) for lang in LANGS}
    values = dict(span=span, sources=sources, head=say(
        "score_at_rank", label=score.label, score=per_lang(value_of, score),
        rank=per_lang(value_of, rank)))
    expected = high if high is not None and score.value > high else low
    if fits:
        return passed_check(check_id, "reference", say("neighbours_agree", **values),
                            [score, rank], score.value)
    return failed_check(check_id, "reference", NOTE, say("neighbours_differ", **values),
                        [score, rank], score.value, expected, tol)


def _at_rank(ranked: list[Published], rank: float) -> Published | None:
    for published in ranked:
        if published.number("rank") == rank and published.number("score") is not None:
            return published
    return None


