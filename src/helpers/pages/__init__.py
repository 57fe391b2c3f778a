"""The leadership pages of a report, per language: the brief and the appendix.

- `brief`: what a leader needs in three minutes (lead, key figures, the report's own
  assessment with its figures, data warnings, tasks, the charts of the three stories);
- `appendix`: everything else (every chart, form table, finding, check, the methodology);
- `cards`: the key-figure cards both show; `page`: what a page reads (the data layer,
  figures.json, trends.json) and its title block; `common`: HTML elements, references a
  reader can follow on paper, charts with their phone variant and data, sources.

Every phrase is in `src/helpers/text/` (`pages.yml`, `brief.yml`, `appendix.yml`); every
figure comes from the processed tables; every string from a report is HTML-escaped.
The pages never import the plotting code: they read `figures/<report_id>/figures.json`.

    page = pages.brief.build("thai-nguyen_2022", "vi", out)
    page.show()      # in a notebook; `make report` exports it as reports/<id>_<lang>.html
"""
from . import appendix, brief, cards, page  # noqa: F401

BUILDERS = {"brief": brief.build, "appendix": appendix.build}


def build(report_id: str, document: str, lang: str = "vi", out=None):
    """One document ('brief' or 'appendix') of one report in one language."""
    if document not in BUILDERS:
        raise ValueError(f"unknown document '{document}' (use {', '.join(BUILDERS)})")
    return BUILDERS[document](report_id, lang, out)
