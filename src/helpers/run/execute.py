"""Executing one notebook run: papermill in a kernel of the pool, the HTML export, and a
failure described by report, notebook and cell."""
from __future__ import annotations

import os
from pathlib import Path

from .. import paths
from .kernels import start_kernel, stop_kernel
from .parameters import check_parameters
from .pipeline import KERNEL, LANGS, Task, failed_dir, html_path, message


def execute(notebook: Path, output: Path, parameters: dict, check: bool = True,
            kernel=None) -> Path:
    """Run one notebook with checked parameters; the executed copy is written to `output`.

    On failure papermill still writes the executed notebook, with an error banner, and
    raises PapermillExecutionError. The kernel (a `kernels.Kernel`, else a new one) is
    shut down at the end.
    """
    kernel = kernel or start_kernel()
    try:
        return run_notebook(kernel, notebook, output, parameters, check)
    finally:
        stop_kernel(kernel)


def run_notebook(kernel, notebook: Path, output: Path, parameters: dict,
                 check: bool = True) -> Path:
    """Run one notebook in a started kernel, which goes on running afterwards."""
    import papermill as pm
    if check:
        check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(notebook), str(output), parameters=parameters,
                        kernel_name=KERNEL, km=kernel.manager, progress_bar=False,
                        request_save_on_cell_execute=False, shutdown_kernel="immediate")
    return output


def describe_failure(report_id: str, notebook: str, exc: BaseException,
                     kept: Path | None) -> str:
    """The report, the notebook, the cell and the error in one line; where the executed
    notebook was kept."""
    from papermill.exceptions import PapermillExecutionError
    if isinstance(exc, PapermillExecutionError):
        first_line = next((line.strip() for line in (exc.source or "").splitlines()
                           if line.strip()), "")
        text = message("failed_cell", report=report_id, notebook=notebook,
                       cell=str(exc.cell_index), execution=str(exc.exec_count),
                       source=repr(first_line[:60]), error=f"{exc.ename}: {exc.evalue}")
    else:
        text = message("failed_other", report=report_id, notebook=notebook,
                       error=f"{type(exc).__name__}: {_last_line(exc)}")
    return text + (message("failed_kept", path=str(kept)) if kept else "")


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def import_exporter() -> None:
    """Import nbconvert while the first notebooks run, not when the first HTML is due."""
    from .. import html  # noqa: F401
    import nbconvert  # noqa: F401


def _export_html(executed: Path, target: Path) -> None:
    from .. import html
    html.export(executed, target)


def run_task(task: Task, report_id: str, staging: Path, root: Path, kernels=None,
             expected: bool = True) -> str | None:
    """Execute one task in the staging folder, in a kernel of the pool `kernels` (else a
    new one; `expected`: a run the pool counted on); a failure message, or None on
    success."""
    executed = paths.executed_notebooks_dir(report_id, staging) / f"{task.name}.ipynb"
    running = executed.with_name(f".{task.name}.running.ipynb")
    parameters = {**task.parameters, "out": str(staging)}
    kernel = None
    try:
        kernel = kernels.take(expected) if kernels is not None else start_kernel()
        try:
            run_notebook(kernel, paths.NOTEBOOKS / task.step.notebook, running, parameters,
                         check=False)
        except BaseException:
            _give_back(kernels, kernel, reusable=False)
            raise
        _give_back(kernels, kernel, reusable=True)
        os.replace(running, executed)
        if task.step.html:
            _export_html(executed, html_path(report_id, task.lang or LANGS[0], staging,
                                             task.step.html))
        return None
    except Exception as exc:  # noqa: BLE001 - reported with the report, notebook and cell
        kept = None
        if running.exists():
            kept = failed_dir(report_id, root) / f"{task.name}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(running, kept)
        return describe_failure(report_id, task.step.notebook, exc, kept)


def _give_back(kernels, kernel, reusable: bool) -> None:
    if kernels is not None:
        kernels.give_back(kernel, reusable)
    else:
        stop_kernel(kernel)
