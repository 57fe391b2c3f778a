"""Build everything for one report or many: execute the notebooks, export the HTML.

Notebooks are executed through papermill's Python API (one kernel start per
notebook, no command-line start-up), after their parameters have been checked:
papermill itself only warns about unknown parameters.

    python -m helpers.run [--out DIR] [--lang vi en] REPORT [REPORT ...]
"""
from __future__ import annotations

import argparse
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ReportError

LANGS = ("vi", "en")
KERNEL = "python3"


@dataclass(frozen=True)
class Step:
    notebook: str            # file name in notebooks/
    per_language: bool = False
    html: bool = False       # export the executed notebook as leadership HTML


PIPELINE = (
    Step("01_ingest.ipynb"),
    Step("02_audit.ipynb"),
)


@dataclass
class Outcome:
    report: str
    report_id: str | None = None
    failures: list[str] = field(default_factory=list)


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares in its `parameters` cell (name -> info)."""
    import papermill as pm
    return pm.inspect_notebook(str(notebook))


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse unknown or mistyped parameters before anything runs."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportError(f"unknown parameter(s) {', '.join(unknown)}; this notebook takes "
                          f"{', '.join(sorted(declared)) or 'none'}", path=notebook)
    for name, value in parameters.items():
        expected = (declared[name].get("inferred_type_name") or "").strip()
        if expected in ("str", "int", "float", "bool") and type(value).__name__ != expected:
            raise ReportError(f"parameter '{name}' must be {expected}, got "
                              f"{type(value).__name__} {value!r}", path=notebook)


def execute(notebook: Path, output: Path, parameters: dict) -> Path:
    """Run one notebook with checked parameters; the executed copy is written to `output`."""
    import papermill as pm
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
                        cwd=str(paths.NOTEBOOKS), progress_bar=False,
                        shutdown_kernel="immediate")
    return output


def build_report(report: str | Path, out=None, langs=LANGS) -> Outcome:
    """Every step of the pipeline for one report; stops at that report's first failure."""
    from . import ingest
    outcome = Outcome(report=str(report))
    out_root = paths.out_root(out)
    try:
        parsed = ingest.read(report)   # fail fast, with a clear message, on a bad report
    except ReportError as exc:
        outcome.failures.append(f"{report}: {exc}")
        return outcome
    report_id = outcome.report_id = parsed.report_id
    for step in PIPELINE:
        for lang in (langs if step.per_language else (None,)):
            name = Path(step.notebook).stem + (f"_{lang}" if lang else "")
            executed = paths.executed_notebooks_dir(report_id, out_root) / f"{name}.ipynb"
            params = {"out": str(out_root)}
            params.update({"report": str(paths.resolve_report(report))}
                          if step.notebook.startswith("01_") else {"report_id": report_id})
            if lang:
                params["lang"] = lang
            try:
                execute(paths.NOTEBOOKS / step.notebook, executed, params)
            except Exception as exc:  # noqa: BLE001 - reported, then the next report runs
                outcome.failures.append(f"{report_id}: {step.notebook}"
                                        f"{f' ({lang})' if lang else ''} failed: "
                                        f"{_short(exc)}")
                return outcome
    return outcome


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="*", help="report files (default: all in data/raw/)")
    parser.add_argument("--out", default=None, help="output root (default: the repository)")
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS)
    args = parser.parse_args(argv)
    reports = args.reports or [str(p) for p in paths.raw_reports()]
    if not reports:
        print("no reports to build (data/raw/ has none)", file=sys.stderr)
        return 2
    outcomes = []
    for report in reports:
        print(f"building {report}", flush=True)
        outcome = build_report(report, args.out, tuple(args.lang))
        outcomes.append(outcome)
        for failure in outcome.failures:
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
    failed = [o for o in outcomes if o.failures]
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} report(s) built"
          + (f", {len(failed)} failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - last resort: a message, not a bare traceback
        traceback.print_exc()
        sys.exit(1)
