"""Build everything for one report or many: execute the notebooks, export the HTML.

    python -m helpers.run [--out DIR] [--lang vi en] [--jobs N] [--per-kernel N]
                          [--stamps DIR] [REPORT ...]

Without REPORT, every report in data/raw/ (any file name; what cannot be read is refused
by name). Messages in English, or in Vietnamese when CCHC_LANG=vi.

1. Checks first. Each report is read (a bad report fails here, before anything is
   written) and every notebook's parameters are checked against its `parameters` cell
   (papermill itself only warns about unknown parameters). Outputs must stay inside OUT.
2. Only what changed runs. Each notebook run has a fingerprint: the notebook, the
   `helpers` modules it imports, the raw report, the package data (catalogue, facts.yml,
   templates), the reference data, the pinned packages, the fingerprints of the runs it
   needs and, for a step that compares reports, those of the same runs in the other
   reports. The last good build's fingerprints are kept in its manifest, with their
   parts, so that the runner can say what changed.
3. One job graph for all the reports. Notebooks run through papermill's Python API, up
   to --jobs at once (default: N under `make -jN`, else the CPUs), each once the runs it
   needs are done; a step that compares reports also waits for those runs in the other
   reports. Kernels are started ahead of time, with what the notebooks import already
   imported, and each runs up to --per-kernel notebooks one after another, each in a
   fresh namespace (kernels.py). A report's notebooks run in its staging folder
   (OUT/.build/staging/), which starts as a copy of its current outputs. A line per
   notebook run says how it ended.
4. All or nothing, per report. When all its notebooks succeeded, the staging folder
   becomes the report's published build with one switch (publishing.py): its processed
   data, figures, executed notebooks and HTML change together, even if the process is
   killed. When one fails, none of them changes (the previous good outputs stay, all from
   one build), the failed notebook is kept in reports/failed/<report_id>/, the error names
   the report, the notebook and the cell, and the other reports still build.
5. Reports whose raw file is gone are taken out of view; with --stamps, make's stamp
   records what was built (stamps.py).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import paths
from .build import build_reports
from .kernels import PER_KERNEL
from .pipeline import LANGS, message
from .scheduling import make_jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.run",
                                     description=message("run_description"))
    parser.add_argument("reports", nargs="*", help=message("run_reports_help"))
    parser.add_argument("--out", default=None, help=message("output_help"))
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS,
                        help=message("run_lang_help"))
    parser.add_argument("--jobs", type=int, default=None, help=message("run_jobs_help"))
    parser.add_argument("--per-kernel", type=int, default=PER_KERNEL,
                        help=message("run_per_kernel_help", default=PER_KERNEL))
    parser.add_argument("--stamps", type=Path, default=None, help=message("run_stamps_help"))
    args = parser.parse_args(argv)
    reports = args.reports or [str(p) for p in paths.raw_reports()]
    if not reports:
        print(message("run_no_reports"), file=sys.stderr)
        return 2
    start = time.perf_counter()
    outcomes = build_reports(reports, args.out, tuple(args.lang), args.jobs or make_jobs(),
                             stamps=args.stamps, selection=args.reports,
                             say=lambda note: print(note, file=sys.stderr, flush=True),
                             per_kernel=args.per_kernel,
                             progress=lambda line: print(line, flush=True))
    for outcome in outcomes:
        name = outcome.report_id or outcome.report
        for failure in outcome.failures:
            print(message("run_failed", error=failure), file=sys.stderr, flush=True)
        if not outcome.failures and outcome.ran:
            why = ", ".join(outcome.reasons[:4]) + (", ..." if len(outcome.reasons) > 4 else "")
            print(message("run_built", report=name, tasks=", ".join(outcome.ran), reasons=why),
                  flush=True)
        elif not outcome.failures:
            print(message("run_up_to_date", report=name), flush=True)
    failed = sum(1 for outcome in outcomes if outcome.failures)
    print(message("run_summary_failed" if failed else "run_summary", done=len(outcomes) - failed,
                  count=len(outcomes), failed=failed, seconds=time.perf_counter() - start),
          file=sys.stderr if failed else sys.stdout)
    index = paths.reports_dir(args.out) / "index.html"
    if index.is_file():
        print(message("run_where", index=str(index), index_en=str(index.with_name(
            "index_en.html"))), flush=True)
    return 1 if failed else 0
