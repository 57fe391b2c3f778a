"""Every folder of the project, resolved from one root.

Notebooks run from `notebooks/` in JupyterLab and from anywhere under papermill;
resolving paths here (never relative to the working directory) keeps both the same.
`OUT` is where built outputs go: the repository by default, any folder when a
user or a test passes one.
"""
from __future__ import annotations

import os
from pathlib import Path

from .schema import REPORT_FORMATS

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA = PROJ_ROOT / "data"
RAW = DATA / "raw"
REFERENCE = RAW / "reference"
NOTEBOOKS = PROJ_ROOT / "notebooks"
PACKAGE = Path(__file__).resolve().parent
CATALOGUE_FILE = PACKAGE / "indicators.csv"
FACTS_SPEC_FILE = PACKAGE / "facts.yml"
RELATIONS_FILE = PACKAGE / "relations.yml"
HEADLINE_FILE = PACKAGE / "headline.yml"
TEMPLATES = PACKAGE / "templates"


def out_root(out: str | os.PathLike | None = None) -> Path:
    """The output root: `out` if given, else $CCHC_OUT, else the repository."""
    chosen = out or os.environ.get("CCHC_OUT") or PROJ_ROOT
    return Path(chosen).expanduser().resolve()


def processed_dir(report_id: str, out=None) -> Path:
    return out_root(out) / "data" / "processed" / report_id


def figures_dir(report_id: str, out=None) -> Path:
    return out_root(out) / "figures" / report_id


def reports_dir(out=None) -> Path:
    return out_root(out) / "reports"


def executed_notebooks_dir(report_id: str, out=None) -> Path:
    return reports_dir(out) / "notebooks" / report_id


def raw_reports() -> list[Path]:
    """Every report in data/raw/: text reports and filled data-entry workbooks (.xlsx), the
    formats of schema.REPORT_FORMATS.

    Sidecars, reference data and Excel's lock files (`~$name.xlsx`) are excluded. Anything
    else with such a name is listed (a link to a device, a broken link), so that reading
    refuses it by name.
    """
    found = [p for suffix in REPORT_FORMATS for p in RAW.glob(f"*{suffix}")]
    return sorted(p for p in found if not p.is_dir() and not p.name.startswith(("~$", ".")))


def entry_templates_dir(out=None) -> Path:
    """Where `make template` writes empty data-entry workbooks (never data/raw/)."""
    return out_root(out) / "data" / "templates"


def locate_report(report: str | os.PathLike) -> Path:
    """A report given as a path, or as a file name inside data/raw/ (links not followed)."""
    path = Path(report).expanduser()
    if not path.is_absolute() and not os.path.lexists(path) and os.path.lexists(RAW / path):
        path = RAW / path
    return path


def resolve_report(report: str | os.PathLike) -> Path:
    """A report given as a path, or as a file name inside data/raw/, fully resolved."""
    return locate_report(report).resolve()


def inside(path: Path, root: Path) -> bool:
    """True when `path` lies under `root` (used to keep outputs inside OUT)."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
