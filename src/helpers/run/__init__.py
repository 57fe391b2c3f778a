"""The runner: build everything for one report or many (`python -m helpers.run`; see cli.py).

Split the way papermill spreads its work:

- `pipeline`: the notebooks of a report (PIPELINE), the plan of its runs, where outputs go;
- `parameters`: a notebook's parameters, read and checked before anything runs;
- `fingerprints`: what each run depends on, hashed; the manifest of the last good build;
- `kernels`: kernels started ahead of the notebooks that use them (a failed start tried
  again), in a batch warm and reused for several notebooks; `warm`: what such a kernel
  runs inside, a fresh namespace before each notebook;
- `execute`: one notebook run (papermill), its HTML, a failure described;
- `scheduling`: the job graph over every report, on a few workers;
- `progress`: a line per notebook run as it ends, and the time left of a batch;
- `publishing`: staging, publishing a report's build with one switch, repairs, removals,
  the summaries of every report;
- `stamps`: make's stamp, what the last good build was made of;
- `build`: the build of many reports, from checks to publishing;
- `cli`: the command line.
"""
from __future__ import annotations

import sys

# jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which
# compiles a grammar at import time (~1 s per process). Notebooks never carry IRIs.
sys.modules.setdefault("rfc3987_syntax", None)

from .build import Build, build_report, build_reports, prepare, surely_stale  # noqa: E402
from .cli import main  # noqa: E402
from .execute import describe_failure, execute, run_notebook, run_task  # noqa: E402
from .fingerprints import (Hashes, changed_inputs, fingerprints, helper_sources,  # noqa: E402
                           static_inputs)
from .kernels import (PER_KERNEL, Kernel, KernelPool, KernelStartError,  # noqa: E402
                      start_kernel, stop_kernel)
from .parameters import accepted_types, check_parameters, notebook_parameters  # noqa: E402
from .pipeline import (KERNEL, LANGS, PIPELINE, Outcome, Step, Task, build_dir,  # noqa: E402
                       check_inside, check_report_id, checked_out_root, failed_dir,
                       html_path, plan)
from .publishing import (current_dir, manifest_path, published_reports,  # noqa: E402
                         read_manifest, recover)
from .scheduling import Job, default_jobs, make_jobs, run_jobs  # noqa: E402

__all__ = [
    "Build", "build_report", "build_reports", "prepare", "surely_stale", "main",
    "describe_failure", "execute", "run_notebook", "run_task", "Hashes", "changed_inputs", "fingerprints",
    "helper_sources", "manifest_path", "read_manifest", "static_inputs", "PER_KERNEL",
    "Kernel", "KernelPool", "KernelStartError", "start_kernel", "stop_kernel", "accepted_types", "check_parameters",
    "notebook_parameters", "KERNEL", "LANGS", "PIPELINE", "Outcome", "Step", "Task",
    "build_dir", "check_inside", "check_report_id", "checked_out_root", "failed_dir",
    "html_path", "plan", "current_dir", "published_reports", "recover", "Job",
    "default_jobs", "make_jobs", "run_jobs",
]
