"""The pipeline and the plan: which notebooks run for a report, with what, and where their
outputs go (always inside OUT)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..errors import ReportError
from ..formats import LANGS


def message(name: str, **values) -> str:
    """A message of the command line (text/cli.yml), in its language (CCHC_LANG)."""
    from ..text import cli_message   # imported when needed: the runner starts light
    return cli_message(name, **values)


KERNEL = "python3"
# <province-slug>_<year>: it names folders and files, never "all" (the combined tables)
REPORT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*_[0-9]{4}")


@dataclass(frozen=True)
class Step:
    notebook: str               # file name in notebooks/
    per_language: bool = False  # run once per language, with a `lang` parameter
    html: str = ""              # export the executed notebook as this leadership document
    #                             ("brief": <id>_<lang>.html, "appendix": <id>_<lang>_appendix.html)
    raw: bool = False           # takes the raw report file (`report`) instead of `report_id`
    # Notebooks whose outputs this one reads. None: every notebook before it (always safe).
    # Naming them lets independent notebooks run in parallel.
    needs: tuple[str, ...] | None = None
    compares: bool = False      # also reads the other reports' processed data (trends):
    #                             runs once its `needs` are done in every report of the build


PIPELINE = (
    Step("01_ingest.ipynb", raw=True),
    Step("02_audit.ipynb"),
    Step("07_trends.ipynb", needs=("01_ingest.ipynb",), compares=True),
    # The charts: each saves its figures in both languages; they only read the
    # processed tables and the audit, so they can run side by side. Listed longest first
    # (times from `make bench`), so that two workers finish them about together.
    Step("06_scorecard.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("04_online_services.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("03_par_index.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("05_public_investment.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("10_brief.ipynb", per_language=True, html="brief"),
    Step("11_appendix.ipynb", per_language=True, html="appendix",
         needs=("01_ingest.ipynb", "02_audit.ipynb", "07_trends.ipynb", "06_scorecard.ipynb",
                "04_online_services.ipynb", "03_par_index.ipynb",
                "05_public_investment.ipynb")),
)


@dataclass
class Task:
    """One notebook run for one report (and one language)."""
    name: str                   # executed notebook name without .ipynb, e.g. 10_brief_vi
    step: Step
    lang: str | None
    parameters: dict            # without `out`, which is the staging folder at run time
    needs: tuple[str, ...]      # names of the tasks that must run first
    across: bool = False        # compares reports, or needs a task that does


@dataclass
class Outcome:
    report: str
    report_id: str | None = None
    failures: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)          # tasks executed
    up_to_date: list[str] = field(default_factory=list)   # tasks skipped: nothing changed
    reasons: list[str] = field(default_factory=list)      # why tasks ran: inputs changed
    seconds: dict[str, float] = field(default_factory=dict)



# --- outputs stay inside OUT -------------------------------------------------------------

def checked_out_root(out=None) -> Path:
    """The output root, refused when it is a file or lies in data/raw/ (immutable)."""
    root = paths.out_root(out)
    if root.exists() and not root.is_dir():
        raise ReportError("the output root is a file, not a folder", path=root)
    if paths.inside(root, paths.RAW):
        raise ReportError("the output root lies inside data/raw/, which is never written",
                          path=root, hint="choose another OUT")
    return root


def check_report_id(report_id: str) -> None:
    """A report id names folders and files: <province-slug>_<year>, nothing else."""
    if not REPORT_ID.fullmatch(report_id or ""):
        raise ReportError(f"report id {report_id!r} cannot name output files (expected "
                          "<province-slug>_<year>: a-z, 0-9 and '-', then '_' and 4 digits)")


def check_inside(targets, root: Path) -> None:
    """Every output path must lie inside OUT (after resolving symbolic links)."""
    for target in targets:
        if not paths.inside(Path(target), root):
            raise ReportError("this output would be written outside OUT", path=target,
                              hint=f"OUT is {root}")


def report_dirs(report_id: str, root: Path) -> list[Path]:
    """The folders that belong to one report (replaced as a whole when it is rebuilt)."""
    return [paths.processed_dir(report_id, root), paths.figures_dir(report_id, root),
            paths.executed_notebooks_dir(report_id, root)]


def html_path(report_id: str, lang: str, out=None, document: str = "brief") -> Path:
    name = f"{report_id}_{lang}.html" if document == "brief" else \
        f"{report_id}_{lang}_{document}.html"
    return paths.reports_dir(out) / name


def failed_dir(report_id: str, out=None) -> Path:
    return paths.reports_dir(out) / "failed" / report_id


def build_dir(out=None) -> Path:
    """The runner's own state inside OUT: published builds, staging, lock, make's stamp."""
    return paths.out_root(out) / ".build"


def html_outputs(task: Task, report_id: str, root: Path) -> list[Path]:
    return [html_path(report_id, task.lang or LANGS[0], root, task.step.html)] \
        if task.step.html else []


def task_outputs(task: Task, report_id: str, root: Path) -> list[Path]:
    """The files a task leaves besides those its notebook writes itself."""
    executed = paths.executed_notebooks_dir(report_id, root) / f"{task.name}.ipynb"
    return [executed, *html_outputs(task, report_id, root)]


# --- the plan ----------------------------------------------------------------------------

def plan(report: Path, report_id: str, langs=LANGS, pipeline=None) -> list[Task]:
    """The notebook runs of one report, in pipeline order, with what each needs."""
    pipeline = PIPELINE if pipeline is None else tuple(pipeline)
    tasks: list[Task] = []
    names_of: dict[str, list[str]] = {}
    across: set[str] = set()
    for index, step in enumerate(pipeline):
        if Path(step.notebook).name != step.notebook or not step.notebook.endswith(".ipynb"):
            raise ReportError(f"pipeline step {step.notebook!r} must be a notebook file name "
                              "in notebooks/")
        if step.needs is None:
            needed = [name for earlier in pipeline[:index] for name in names_of[earlier.notebook]]
        else:
            missing = [n for n in step.needs if n not in names_of]
            if missing:
                raise ReportError(f"pipeline step {step.notebook} needs {', '.join(missing)}, "
                                  "which is not an earlier step")
            needed = [name for n in step.needs for name in names_of[n]]
        names_of[step.notebook] = []
        for lang in (langs if step.per_language else (None,)):
            name = Path(step.notebook).stem + (f"_{lang}" if lang else "")
            parameters = {"report": str(report)} if step.raw else {"report_id": report_id}
            if lang:
                parameters["lang"] = lang
            is_across = step.compares or any(n in across for n in needed)
            if is_across:
                across.add(name)
            tasks.append(Task(name, step, lang, parameters, tuple(needed), is_across))
            names_of[step.notebook].append(name)
    return tasks


