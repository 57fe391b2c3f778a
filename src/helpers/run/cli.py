"""Build everything for one report or many: execute the notebooks, export the HTML.

    python -m helpers.run [--out DIR] [--lang vi en] [--jobs N] [REPORT ...]

1. Checks first. Each report is read (a bad report fails here, before anything is
   written) and every notebook's parameters are checked against its `parameters` cell
   (papermill itself only warns about unknown parameters). Outputs must stay inside OUT.
2. Only what changed runs. Each notebook run has a fingerprint: the notebook, the
   `helpers` modules it imports, the raw report, the package data (catalogue, facts.yml,
   templates), the reference data, the pinned packages, the fingerprints of the runs it
   needs and, for a step that compares reports, those of the same runs in the other
   reports. The last good build's fingerprints are kept in OUT/.build/manifests/, with
   their parts, so that the runner can say what changed.
3. One job graph for all the reports. Notebooks run through papermill's Python API, each
   in its own kernel (started ahead of time), up to --jobs at once (default: N under
   `make -jN`, else the CPUs), each once the runs it needs are done; a step that compares
   reports also waits for those runs in the other reports. A report's notebooks run in its
   staging folder (OUT/.build/staging/), which starts as a copy of its current outputs.
4. All or nothing, per report. When all its notebooks succeeded, the staged outputs
   replace the report's processed data, figures, executed notebooks and HTML. When one
   fails, none of them changes (the previous good outputs stay, all from one build),
   the failed notebook is kept in reports/failed/<report_id>/, the error names the
   report, the notebook and the cell, and the other reports still build.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import paths
from .build import build_reports
from .pipeline import LANGS
from .scheduling import make_jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="*", help="report files (default: all in data/raw/)")
    parser.add_argument("--out", default=None, help="output root (default: the repository)")
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS)
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks run at once (default: N under `make -jN`, "
                             "else the number of CPUs)")
    parser.add_argument("--stamps", type=Path, default=None,
                        help="touch <stamps>/<report file stem>.done for each report built "
                             "or up to date (used by make)")
    args = parser.parse_args(argv)
    reports = args.reports or [str(p) for p in paths.raw_reports()]
    if not reports:
        print("no reports to build (data/raw/ has none)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    outcomes = build_reports(reports, args.out, tuple(args.lang), args.jobs or make_jobs(),
                             stamps=args.stamps)
    for outcome in outcomes:
        name = outcome.report_id or outcome.report
        for failure in outcome.failures:
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
        if not outcome.failures and outcome.ran:
            why = ", ".join(outcome.reasons[:4]) + (", ..." if len(outcome.reasons) > 4 else "")
            print(f"built {name}: ran {', '.join(outcome.ran)} ({why})", flush=True)
        elif not outcome.failures:
            print(f"{name}: up to date", flush=True)
    failed = sum(1 for outcome in outcomes if outcome.failures)
    print(f"{len(outcomes) - failed} of {len(outcomes)} report(s) up to date"
          + (f", {failed} failed" if failed else "") + f" ({time.perf_counter() - start:.1f} s)",
          file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
