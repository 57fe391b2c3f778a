"""Kernels: a start that fails is tried again (a fault injected: the first kernel dies on
start, as with `ZMQError: Address already in use`), and in a batch one warm kernel runs
several notebooks, each in a fresh namespace, with the same outputs as a kernel of its
own for each notebook (the one-notebook-per-kernel mode, as in JupyterLab)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import SEED
from helpers import paths, run
from helpers.run import kernels
from helpers.run.execute import run_notebook
from test_run import write_notebook

SEED_ID = "thai-nguyen_2022"
# what a kernel prints when one of the ports it was given is taken (jupyter_client picks
# free ports, another process binds one of them first): it dies before it answers
DIES_ON_START = [sys.executable, "-c",
                 "import sys; sys.exit('zmq.error.ZMQError: Address already in use "
                 "(addr=tcp://127.0.0.1:50001)')"]


@pytest.fixture
def failing_starts(monkeypatch):
    """The first `count` kernels started die at once; returns the list of starts."""
    manager_class = kernels._kernel_manager_class()
    original = manager_class.format_kernel_cmd
    starts: list[bool] = []
    failing = {"count": 0}

    def kernel_command(self, extra_arguments=None):
        starts.append(len(starts) < failing["count"])
        return list(DIES_ON_START) if starts[-1] else original(self, extra_arguments)

    monkeypatch.setattr(manager_class, "format_kernel_cmd", kernel_command)

    def fail(count: int) -> list[bool]:
        failing["count"] = count
        return starts
    return fail


def answers(kernel: kernels.Kernel) -> bool:
    from jupyter_core.utils import run_sync
    run_sync(kernels._answer)(kernel.manager, "assert 1 + 1 == 2")
    return True


@pytest.mark.slow
def test_a_kernel_that_dies_on_start_is_replaced(failing_starts):
    starts = failing_starts(1)
    kernel = kernels.start_kernel()
    try:
        assert starts == [True, False]   # the first died, the second is the one handed out
        assert answers(kernel)
    finally:
        kernels.stop_kernel(kernel)


@pytest.mark.slow
def test_a_kernel_that_never_starts_is_a_clear_failure_of_the_notebook(failing_starts,
                                                                        tmp_path):
    starts = failing_starts(kernels.START_ATTEMPTS)
    with pytest.raises(kernels.KernelStartError) as raised:
        kernels.start_kernel()
    assert len(starts) == kernels.START_ATTEMPTS
    assert f"the kernel did not start ({kernels.START_ATTEMPTS} attempts" in str(raised.value)
    assert "Kernel died before replying" in str(raised.value)


@pytest.mark.slow
def test_a_build_whose_first_kernel_dies_on_start_builds_the_report(failing_starts, tmp_path,
                                                                     monkeypatch):
    from test_reliability import INGEST_ONLY, copy_report
    from conftest import SYNTHETIC
    starts = failing_starts(1)
    report = copy_report(SYNTHETIC, tmp_path / "raw")
    outcome = run.build_report(report, tmp_path / "out", pipeline=INGEST_ONLY)
    assert outcome.failures == [] and outcome.ran == ["01_ingest"]
    assert starts[0] is True and False in starts
    assert paths.processed_dir("bac-kan_2023", tmp_path / "out").is_dir()


@pytest.mark.slow
def test_a_build_starts_no_more_kernels_than_it_has_notebooks(failing_starts, tmp_path):
    """Kernels start ahead, while the reports are read, but never more than the notebooks
    the build can run: a report of one notebook starts one kernel, with two jobs."""
    from test_reliability import INGEST_ONLY, copy_report
    from conftest import SYNTHETIC
    starts = failing_starts(0)
    report = copy_report(SYNTHETIC, tmp_path / "raw")
    outcome = run.build_report(report, tmp_path / "out", pipeline=INGEST_ONLY, jobs=2)
    assert outcome.failures == [] and outcome.ran == ["01_ingest"]
    assert starts == [False]



def test_a_build_of_a_raw_file_that_is_not_there_starts_no_kernel(failing_starts, tmp_path):
    """It fails as its report is read, before any notebook: a kernel started for it would
    only be stopped again."""
    starts = failing_starts(0)
    outcome = run.build_report(tmp_path / "raw" / "no-such-report.txt", tmp_path / "out")
    assert outcome.failures and "no-such-report.txt" in outcome.failures[0]
    assert starts == []

# --- warm kernels: several notebooks, each in a fresh namespace ----------------------------

def test_imported_modules_are_what_the_notebooks_import():
    found = kernels.imported_modules([paths.NOTEBOOKS / "07_trends.ipynb"])
    assert {"pandas", "IPython.display", "helpers", "helpers.charts", "helpers.trends"} \
        <= set(found)


def test_a_pool_stops_its_kernels_side_by_side(monkeypatch):
    """Each stop waits for its kernel's process to end: closing the pool stops its idle
    kernels at the same time, not one after another."""
    import threading
    import time
    stops: list[tuple[float, float]] = []
    lock = threading.Lock()

    def stop(kernel):
        began = time.monotonic()
        time.sleep(0.3)
        with lock:
            stops.append((began, time.monotonic()))

    monkeypatch.setattr(kernels, "stop_kernel", stop)
    pool = kernels.KernelPool(2, expected=0)
    pool._idle = [kernels.Kernel(manager=None), kernels.Kernel(manager=None)]
    pool.close()
    assert len(stops) == 2
    (first_began, first_ended), (second_began, second_ended) = sorted(stops)
    assert second_began < first_ended   # they overlapped


@pytest.mark.slow
def test_code_run_between_notebooks_is_run_and_its_error_stops_the_kernel(monkeypatch):
    """The runner resets a warm kernel's namespace through the shell channel alone: the
    code has run once it answers, an error in it is raised, and a kernel whose reset
    fails is stopped, never handed to the next notebook."""
    from jupyter_core.utils import run_sync
    pool = kernels.KernelPool(1, expected=1, per_kernel=10, warm_up=("json",))
    try:
        kernel = pool.take(expected=True)
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            run_sync(kernels._run_silently)(kernel.manager, "1 / 0")
        run_sync(kernels._run_silently)(kernel.manager, "reached = True")
        run_sync(kernels._answer)(kernel.manager, "assert reached")
        monkeypatch.setattr(kernels, "WARM", "__import__('no_such_module')")
        pool.give_back(kernel, reusable=True)
        assert pool._idle == []
        assert not run_sync(kernel.manager.is_alive)()
    finally:
        pool.close()


@pytest.mark.slow
def test_a_notebooks_client_is_ready_once_its_kernel_has_answered_not_after_a_silence():
    """jupyter_client's own client is ready only after IOPub has been silent for 0.2 s, a
    wait before every notebook run. The runner's client is ready once IOPub has carried the
    end of its `kernel_info` request: its last read of IOPub gets that message, where the
    stock client's last read waits for silence. The kernel then runs code and its output
    comes back."""
    from queue import Empty

    from jupyter_core.utils import run_sync
    kernel = kernels.start_kernel(warm_up=())
    try:
        client = kernel.manager.client()
        client.start_channels()
        reads, read = [], client.iopub_channel.get_msg

        async def recorded(timeout=None):
            try:
                message = await read(timeout=timeout)
            except Empty:
                reads.append("silence")
                raise
            reads.append(message["msg_type"])
            return message
        client.iopub_channel.get_msg = recorded
        run_sync(client.wait_for_ready)(timeout=60)
        assert reads and reads[-1] == "status", reads
        printed = []
        run_sync(client.execute_interactive)(
            "print(6 * 7)", timeout=60,
            output_hook=lambda m: printed.append(m["content"].get("text", "")))
        assert "".join(printed).strip() == "42"
    finally:
        kernels.stop_kernel(kernel)


@pytest.mark.slow
def test_each_notebook_in_a_warm_kernel_starts_as_in_a_kernel_of_its_own(tmp_path):
    parameters = 'out: str = ""  # help: o'
    leaves = write_notebook(
        tmp_path / "leaves.ipynb", parameters,
        "import os, warnings\nimport pandas as pd\nimport matplotlib\n"
        "left_behind = 1\npd.set_option('display.max_colwidth', 7)\n"
        "matplotlib.rcParams['font.size'] = 31\nos.chdir(out)\n"
        "warnings.warn('shown in every notebook')")
    finds = write_notebook(
        tmp_path / "finds.ipynb", parameters,
        "import os, warnings\nimport pandas as pd\nimport matplotlib\n"
        "print('left_behind' in globals(), pd.get_option('display.max_colwidth'),"
        " matplotlib.rcParams['font.size'], os.getcwd())\n"
        "warnings.warn('shown in every notebook')")
    pool = kernels.KernelPool(1, expected=3, per_kernel=10,
                              warm_up=("pandas", "matplotlib", "no_such_module"))
    outputs = []
    try:
        for notebook in (leaves, finds, leaves):
            kernel = pool.take(expected=True)
            executed = run_notebook(kernel, notebook, tmp_path / f"run-{len(outputs)}.ipynb",
                                    {"out": str(tmp_path)}, check=False)
            pool.give_back(kernel, reusable=True)
            outputs.append(nbformat.read(str(executed), as_version=4))
        assert kernel.runs == 3                         # one kernel ran all three
    finally:
        pool.close()
    cells = [[cell for cell in notebook.cells if cell.cell_type == "code"]
             for notebook in outputs]
    # In [1], In [2], ... in every notebook (parameters, papermill's, the code)
    assert [[cell.execution_count for cell in notebook] for notebook in cells] == [[1, 2, 3]] * 3
    printed = "".join(o.get("text", "") for o in cells[1][-1].outputs if o.name == "stdout")
    assert printed.split() == ["False", "50", "10.0", str(paths.NOTEBOOKS)]
    warned = [[o for o in notebook[-1].outputs if o.get("name") == "stderr"]
              for notebook in cells]
    assert all("shown in every notebook" in "".join(o.text for o in found) for found in warned)


@pytest.mark.slow
def test_what_c_code_writes_late_never_lands_in_the_next_notebook(tmp_path, monkeypatch):
    """A notebook leaves C-level output to come (os.write on the process's stdout, 0.8 s
    after its last cell); the next notebook of the same warm kernel is then running. That
    text goes to the terminal: it is in no cell of either notebook. (ipykernel reads the
    process's own stdout only outside pytest: the kernels here start as from a terminal.)"""
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    parameters = 'out: str = ""  # help: o'
    leaves = write_notebook(
        tmp_path / "leaves.ipynb", parameters,
        "import os, threading\n"
        "threading.Timer(0.8, os.write, (1, b'written late by C code\\n')).start()")
    waits = write_notebook(tmp_path / "waits.ipynb", parameters,
                           "import time\ntime.sleep(1.5)", "print('done')")
    pool = kernels.KernelPool(1, expected=2, per_kernel=10, warm_up=())
    outputs = []
    try:
        for notebook in (leaves, waits):
            kernel = pool.take(expected=True)
            executed = run_notebook(kernel, notebook, tmp_path / f"run-{len(outputs)}.ipynb",
                                    {"out": str(tmp_path)}, check=False)
            pool.give_back(kernel, reusable=True)
            outputs.append(nbformat.read(str(executed), as_version=4))
        assert kernel.runs == 2
    finally:
        pool.close()
    texts = [output.get("text", "") for notebook in outputs for cell in notebook.cells
             if cell.cell_type == "code" for output in cell.outputs]
    assert "done\n" in texts
    assert not [text for text in texts if "written late" in text], texts


@pytest.mark.slow
def test_a_kernel_is_not_reused_after_a_failure_or_its_runs(tmp_path):
    pool = kernels.KernelPool(1, expected=4, per_kernel=2, warm_up=())
    try:
        first = pool.take(expected=True)
        pool.give_back(first, reusable=True)
        assert pool.take(expected=True) is first          # reused once ...
        pool.give_back(first, reusable=True)
        second = pool.take(expected=True)
        assert second is not first                         # ... then replaced (2 runs)
        pool.give_back(second, reusable=False)             # a failed notebook
        assert pool.take(expected=True) is not second
    finally:
        pool.close()
    assert not first.manager.has_kernel and not second.manager.has_kernel


# --- the batch mode's outputs are those of one kernel per notebook ----------------------

def readable_files(out: Path, report_id: str) -> dict[str, Path]:
    """A report's outputs as readers open them (through the links), by path in OUT."""
    found = {}
    for place in (paths.processed_dir(report_id, out), paths.figures_dir(report_id, out),
                  paths.executed_notebooks_dir(report_id, out)):
        for folder, _, names in os.walk(place, followlinks=True):
            for name in names:
                found[str((Path(folder) / name).relative_to(out))] = Path(folder) / name
    for html in paths.reports_dir(out).glob(f"{report_id}_*.html"):
        found[str(html.relative_to(out))] = html
    return found


def comparable(path: Path):
    """What must be equal: the bytes, but for figures.json (its order is that in which the
    chart notebooks ended) and an executed notebook (its cells' code, outputs and
    execution counts; not papermill's timings, nor the folder its parameters name)."""
    if path.name == "figures.json":
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return {**manifest, "figures": sorted(manifest["figures"], key=lambda f: f["name"])}
    if path.suffix == ".ipynb":   # papermill's parameters name each build's staging folder
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [(c["cell_type"], c.get("execution_count"), c.get("outputs"),
                 "injected-parameters" in c["metadata"].get("tags", []) or c["source"])
                for c in cells]
    return path.read_bytes()


@pytest.mark.slow
@pytest.mark.long
def test_a_report_built_in_warm_kernels_is_the_same_as_in_a_kernel_per_notebook(built,
                                                                                  tmp_path):
    """`built` (the session's OUT) ran in warm kernels, several notebooks each; here the
    seed alone with a kernel of its own for each notebook. Its comparisons are the same in
    both: no other report of its province or its year."""
    out = tmp_path / "out"
    outcome = run.build_report(SEED, out, per_kernel=1)
    assert outcome.failures == []
    alone, batch = readable_files(out, SEED_ID), readable_files(built, SEED_ID)
    assert sorted(alone) == sorted(batch)
    assert any(name.endswith(".parquet") for name in alone)
    assert any(name.endswith("_en.svg") for name in alone)
    differ = [name for name in alone if comparable(alone[name]) != comparable(batch[name])]
    assert differ == []
