"""The runner: parameter checks, outputs kept inside OUT, incremental and parallel runs,
all-or-nothing publishing, and what a failed notebook leaves behind.

Tests that need built outputs copy the session's `built` OUT; only the failure tests start
kernels, and only for a notebook that fails at once.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from conftest import SEED, SYNTHETIC
from helpers import bench, paths, run
from helpers.errors import ReportError
from helpers.run.fingerprints import imported_helpers

SEED_ID = "thai-nguyen_2022"


def write_notebook(path: Path, parameters: str, *code: str) -> Path:
    """A notebook with a `parameters` cell and code cells, as the team writes them."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, *(nbformat.v4.new_code_cell(source) for source in code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


@pytest.fixture
def typed(tmp_path):
    return write_notebook(tmp_path / "typed.ipynb", "\n".join([
        'report_id: str = "x"  # help: the report',
        "year: int = 2022  # help: a year",
        "share: float = 0.5  # help: a share",
        "draft: bool = False  # help: a flag",
        'note: Optional[str] = None  # help: optional text',
        "langs: list[str] = []  # help: languages",
    ]))


# --- parameter checks ------------------------------------------------------------------

def test_declared_parameters_of_the_right_types_pass(typed):
    run.check_parameters(typed, {"report_id": "thai-nguyen_2022", "year": 2023, "share": 0.25,
                                 "draft": True, "note": None, "langs": ["vi"]})
    run.check_parameters(typed, {"share": 1})   # an int is a fine float
    run.check_parameters(typed, {"note": "text"})


def test_an_unknown_parameter_is_refused_with_a_suggestion(typed):
    with pytest.raises(ReportError) as error:
        run.check_parameters(typed, {"reportid": "thai-nguyen_2022"})
    assert "unknown parameter(s) 'reportid' (did you mean 'report_id'?)" in str(error.value)
    assert str(typed) in str(error.value)


@pytest.mark.parametrize("name, value, expected", [
    ("year", "2022", "str"),        # a year typed as text
    ("year", True, "bool"),         # bool is an int in Python, never here
    ("year", 2022.0, "float"),
    ("share", "0.5", "str"),
    ("report_id", 2022, "int"),
    ("report_id", None, "NoneType"),
    ("draft", 1, "int"),
    ("langs", "vi", "str"),
])
def test_a_mistyped_parameter_is_refused(typed, name, value, expected):
    with pytest.raises(ReportError) as error:
        run.check_parameters(typed, {name: value})
    assert f"parameter '{name}' must be" in str(error.value)
    assert f"got {expected}" in str(error.value)


def test_a_parameter_without_annotation_or_with_an_unknown_type_is_refused(tmp_path):
    bare = write_notebook(tmp_path / "bare.ipynb", 'report_id = "x"  # help: no annotation')
    with pytest.raises(ReportError, match="no type annotation"):
        run.check_parameters(bare, {"report_id": "y"})
    odd = write_notebook(tmp_path / "odd.ipynb", 'when: datetime = None  # help: odd type')
    with pytest.raises(ReportError, match="cannot check"):
        run.check_parameters(odd, {"when": "2022"})


def test_a_parameter_line_papermill_cannot_read_is_refused_not_ignored(tmp_path):
    # papermill's reader skips `str | None`: the name would silently not be a parameter
    union = write_notebook(tmp_path / "union.ipynb",
                           'report_id: str = "x"  # help: r\nnote: str | None = None  # help: n')
    with pytest.raises(ReportError, match="cannot read the parameter line.* of note"):
        run.check_parameters(union, {"report_id": "y"})


@pytest.mark.parametrize("annotation, accepted", [
    ("str", (str,)), ("int", (int,)), ("float", (int, float)), ("bool", (bool,)),
    ("Optional[int]", (int, type(None))), ("str | None", (str, type(None))),
    ("dict[str, int]", (dict,)), ("datetime", None), ("Any", None),
])
def test_annotations_the_runner_understands(annotation, accepted):
    assert run.accepted_types(annotation) == accepted


def test_every_pipeline_notebook_takes_exactly_what_the_runner_passes(tmp_path):
    """A notebook that renamed a parameter would otherwise run silently on its default."""
    build = run.prepare(SEED, tmp_path, run.LANGS, None)   # checks every task, runs nothing
    assert [task.name for task in build.tasks][0] == "01_ingest"
    for notebook in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        for name, info in run.notebook_parameters(notebook).items():
            assert run.accepted_types(str(info["inferred_type_name"])), (notebook.name, name)
    assert not any(tmp_path.iterdir())   # nothing was written


@pytest.mark.slow
def test_a_bad_parameter_fails_before_any_notebook_runs(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.NOTEBOOKS / "01_ingest.ipynb", notebooks)
    write_notebook(notebooks / "02_typo.ipynb",
                   'reportid: str = "x"  # help: misspelt\nout: str = ""  # help: o',
                   "raise SystemExit('never runs')")
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    pipeline = (run.Step("01_ingest.ipynb", raw=True), run.Step("02_typo.ipynb"))
    outcome = run.build_report(SEED, tmp_path / "out", pipeline=pipeline)
    assert len(outcome.failures) == 1
    assert outcome.failures[0].startswith(f"{SEED_ID}: ")
    assert "02_typo.ipynb: unknown parameter(s) 'report_id' (did you mean 'reportid'?)" \
        in outcome.failures[0]
    assert outcome.ran == []
    assert not (tmp_path / "out" / "data").exists()   # not even the ingest ran


# --- outputs never escape OUT ----------------------------------------------------------

@pytest.mark.parametrize("report_id", ["../escape_2022", "a/b_2022", "", "Thai-Nguyen_2022",
                                       ".hidden_2022", "x_", "tỉnh_2022", "/abs_2022", "all",
                                       "thai-nguyen_2022/..", "thai--nguyen_2022"])
def test_report_ids_that_cannot_name_files_are_refused(report_id):
    with pytest.raises(ReportError, match="cannot name output files"):
        run.check_report_id(report_id)


def test_good_report_ids_pass():
    for report_id in ("thai-nguyen_2022", "ba-ria-vung-tau_2023", "bac-kan_2024"):
        run.check_report_id(report_id)


def test_an_output_root_in_data_raw_or_on_a_file_is_refused(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setattr(paths, "RAW", raw)   # never risk writing under the real data/raw/
    with pytest.raises(ReportError, match="inside data/raw/"):
        run.checked_out_root(raw / "sub")
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match="is a file"):
        run.checked_out_root(afile)


@pytest.mark.slow
def test_an_output_folder_linked_outside_out_is_refused_before_anything_runs(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    outcome = run.build_report(SEED, out)
    assert len(outcome.failures) == 1 and "outside OUT" in outcome.failures[0]
    assert outcome.ran == []
    assert list(elsewhere.iterdir()) == []
    assert not (out / "data").exists()


def test_check_inside():
    root = Path("/tmp/out-root")
    run.check_inside([root / "figures" / "x.png"], root)
    with pytest.raises(ReportError, match="outside OUT"):
        run.check_inside([root / ".." / "elsewhere.png"], root)


# --- the plan and the fingerprints -----------------------------------------------------

PIPE = (
    run.Step("01_ingest.ipynb", raw=True),
    run.Step("02_audit.ipynb"),
    run.Step("03_chart.ipynb", needs=("01_ingest.ipynb",)),
    run.Step("07_trends.ipynb", needs=("01_ingest.ipynb",), compares=True),
    run.Step("10_narrative.ipynb", per_language=True, html="brief"),
)


def test_plan_names_parameters_and_needs():
    tasks = {task.name: task for task in run.plan(Path("/r.txt"), "x_2022", ("vi", "en"), PIPE)}
    assert list(tasks) == ["01_ingest", "02_audit", "03_chart", "07_trends", "10_narrative_vi",
                           "10_narrative_en"]
    assert tasks["01_ingest"].parameters == {"report": "/r.txt"}
    assert tasks["10_narrative_en"].parameters == {"report_id": "x_2022", "lang": "en"}
    assert tasks["02_audit"].needs == ("01_ingest",)          # default: every step before
    assert tasks["03_chart"].needs == ("01_ingest",)          # named: may run beside 02
    assert tasks["10_narrative_vi"].needs == ("01_ingest", "02_audit", "03_chart", "07_trends")
    # comparing steps, and those that need them, run after every report's own steps
    assert [name for name, task in tasks.items() if task.across] == [
        "07_trends", "10_narrative_vi", "10_narrative_en"]


def test_plan_refuses_a_need_that_is_not_an_earlier_step_and_paths_as_notebooks():
    with pytest.raises(ReportError, match="not an earlier step"):
        run.plan(Path("/r.txt"), "x_2022", pipeline=(run.Step("02.ipynb", needs=("03.ipynb",)),
                                                     run.Step("03.ipynb")))
    with pytest.raises(ReportError, match="notebook file name"):
        run.plan(Path("/r.txt"), "x_2022", pipeline=(run.Step("../escape.ipynb"),))


def test_a_notebook_depends_on_the_helpers_it_imports_and_theirs(tmp_path):
    notebook = write_notebook(tmp_path / "n.ipynb", 'report_id: str = "x"  # help: r',
                              "%matplotlib inline\nimport helpers.ingest as ingest")
    sources = {p.relative_to(paths.PACKAGE).as_posix() for p in run.helper_sources(notebook)}
    assert {"__init__.py", "ingest.py", "report.py", "catalogue.py", "numbers.py",
            "paths.py"} <= sources
    assert not {"bench.py", "html.py"} & sources
    assert not [source for source in sources if source.startswith("run/")]
    numbers_only = write_notebook(tmp_path / "m.ipynb", 'x: int = 1  # help: x',
                                  "from helpers import numbers")
    assert "ingest.py" not in {p.name for p in run.helper_sources(numbers_only)}
    assert "html.py" in {p.name for p in run.helper_sources(numbers_only, ("html",))}


def test_imports_are_followed_into_sub_packages(tmp_path):
    texts = write_notebook(tmp_path / "t.ipynb", 'x: int = 1  # help: x',
                           "from helpers.text import t")
    sources = {p.relative_to(paths.PACKAGE).as_posix() for p in run.helper_sources(texts)}
    assert {"text/__init__.py", "formats.py", "__init__.py"} <= sources
    runner = write_notebook(tmp_path / "r.ipynb", 'x: int = 1  # help: x',
                            "from helpers import run")
    sources = {p.relative_to(paths.PACKAGE).as_posix() for p in run.helper_sources(runner)}
    # the package's __init__ imports its modules, and they import theirs (relative imports)
    assert {"run/__init__.py", "run/build.py", "run/pipeline.py", "run/publishing.py",
            "paths.py", "errors.py", "formats.py"} <= sources


def test_relative_imports_resolve_inside_the_package():
    import ast
    tree = ast.parse("from . import paths\nfrom .errors import ReportError\nimport os")
    assert imported_helpers(tree, "helpers") == {
        "helpers", "helpers.paths", "helpers.errors", "helpers.errors.ReportError"}


def test_fingerprints_change_with_a_notebook_and_what_needs_it(tmp_path, monkeypatch):
    for name in ("01_ingest", "02_audit", "03_chart", "07_trends", "10_narrative"):
        write_notebook(tmp_path / f"{name}.ipynb", 'report_id: str = "x"  # help: r',
                       "from helpers import numbers")
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path)
    tasks = run.plan(Path("/r.txt"), "x_2022", ("vi",), PIPE)
    before = run.fingerprints(tasks, "sha-of-report")
    assert before == run.fingerprints(tasks, "sha-of-report")   # stable
    write_notebook(tmp_path / "03_chart.ipynb", 'report_id: str = "x"  # help: r', "1 + 1")
    after = run.fingerprints(tasks, "sha-of-report")
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["03_chart", "10_narrative_vi"]
    # another report's data changes only what compares reports, and what follows it
    others = run.fingerprints(tasks, "sha-of-report", others="another report changed")
    assert sorted(n for n in after if after[n] != others[n]) == ["07_trends", "10_narrative_vi"]
    # a new raw report changes everything
    new_raw = run.fingerprints(tasks, "another sha")
    assert all(new_raw[name] != after[name] for name in after)


# --- running notebooks in parallel -------------------------------------------------------

def test_jobs_run_after_what_they_need_and_side_by_side():
    order, lock = [], threading.Lock()
    together = threading.Barrier(2, timeout=30)   # b and c must be running at the same time

    def work(key, meet=False):
        def job():
            if meet:
                together.wait()
            with lock:
                order.append(key)
        return job

    jobs = [run.Job("a", (), "r", work("a")), run.Job("b", ("a",), "r", work("b", True)),
            run.Job("c", ("a",), "r", work("c", True)), run.Job("d", ("b", "c"), "r", work("d"))]
    results = run.run_jobs(jobs, workers=2)
    assert order[0] == "a" and order[-1] == "d" and set(order[1:3]) == {"b", "c"}
    assert all(error is None for error, _ in results.values())


def test_after_a_failure_the_report_stops_and_the_others_go_on():
    ran = []

    def job(key, error=None):
        return lambda: ran.append(key) or error

    jobs = [run.Job("r1/a", (), "r1", job("r1/a", "r1/a failed")),
            run.Job("r1/b", ("r1/a",), "r1", job("r1/b")),
            run.Job("r2/a", (), "r2", job("r2/a")),
            run.Job("r2/b", ("r2/a",), "r2", job("r2/b"))]
    heard = []
    results = run.run_jobs(jobs, workers=1,
                           on_end=lambda job, result: heard.append((job.key, result)))
    assert ran == ["r1/a", "r2/a", "r2/b"]
    assert results["r1/a"][0] == "r1/a failed" and "r1/b" not in results
    # each job is heard of as it ends: with its result, or None when it was dropped
    assert [key for key, _ in heard] == ["r1/a", "r1/b", "r2/a", "r2/b"]
    assert dict(heard)["r1/b"] is None and dict(heard)["r1/a"] == results["r1/a"]


def test_a_comparing_job_waits_for_the_other_reports_even_when_they_fail():
    ran = []

    def job(key, error=None):
        return lambda: ran.append(key) or error

    jobs = [run.Job("b/07", ("b/01",), "b", job("b/07"), after=("a/01",)),
            run.Job("a/01", (), "a", job("a/01", "a/01 failed")),
            run.Job("b/01", (), "b", job("b/01"))]
    results = run.run_jobs(jobs, workers=1)
    assert ran == ["a/01", "b/01", "b/07"]
    assert results["b/07"][0] is None


def test_a_failure_message_names_report_notebook_cell_and_error(tmp_path):
    error = PapermillExecutionError(cell_index=5, exec_count=3, source="\nraise ValueError('x')",
                                    ename="ValueError", evalue="no audit table", traceback=[])
    kept = tmp_path / "failed.ipynb"
    text = run.describe_failure(SEED_ID, "03_par_index.ipynb", error, kept)
    assert text == (f"{SEED_ID}: notebook 03_par_index.ipynb failed at cell 5 (In [3]: "
                    f"\"raise ValueError('x')\") of the executed notebook: ValueError: "
                    f"no audit table; executed notebook kept in {kept}")


# --- built outputs: incremental, all or nothing, failures ------------------------------

@pytest.fixture
def rebuilt(built, tmp_path):
    """A private copy of the session's built OUT (its published builds included)."""
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    return out


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every output file as readers see it (through the links into the published build; not
    the runner's own state) with its size and modification time."""
    found = {}
    for folder, dirs, files in os.walk(out, followlinks=True):
        dirs[:] = [name for name in dirs if name != ".build"]
        for name in files:
            path = Path(folder) / name
            found[str(path.relative_to(out))] = (path.stat().st_size, path.stat().st_mtime_ns)
    return found


def test_a_build_with_nothing_changed_runs_no_notebook(rebuilt):
    before = snapshot(rebuilt)
    outcomes = run.build_reports([SEED, SYNTHETIC], rebuilt)
    assert [(o.failures, o.ran) for o in outcomes] == [([], []), ([], [])]
    assert len(outcomes[0].up_to_date) == len(run.plan(SEED, SEED_ID))
    assert snapshot(rebuilt) == before


def test_a_missing_output_file_makes_the_next_build_start_from_nothing(rebuilt):
    build = run.prepare(SEED, rebuilt, run.LANGS, None)
    build.recorded = run.read_manifest(SEED_ID, rebuilt)
    hashes = run.Hashes()
    build.static = {t.name: run.static_inputs(t, build.sha, hashes) for t in build.tasks}
    assert run.surely_stale(build, rebuilt) == set()
    (rebuilt / build.recorded["files"][0]).unlink()
    assert run.surely_stale(build, rebuilt) == {t.name for t in build.tasks}


def failing_copy(notebooks: Path, name: str) -> Path:
    """A copy of the project's notebooks in which `name` raises in its first cell after the
    parameters."""
    shutil.copytree(paths.NOTEBOOKS, notebooks)
    target = notebooks / name
    notebook = nbformat.read(str(target), as_version=4)
    first = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get(
        "tags", []))
    notebook.cells.insert(first + 1, nbformat.v4.new_code_cell(
        "raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(notebook, str(target))
    return target


@pytest.mark.slow
def test_a_failed_rebuild_keeps_the_previous_outputs_and_the_failed_notebook(
        rebuilt, tmp_path, monkeypatch):
    html_steps = [step.notebook for step in run.PIPELINE if step.html]
    assert html_steps, "the pipeline exports HTML"
    failing_copy(tmp_path / "notebooks", html_steps[0])
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path / "notebooks")
    before = snapshot(rebuilt)
    html_files = sorted(p for p in (rebuilt / "reports").glob(f"{SEED_ID}_*.html"))
    assert html_files

    outcome = run.build_report(SEED, rebuilt)

    stem = Path(html_steps[0]).stem
    assert outcome.failures and sorted(set(outcome.ran)) == sorted(
        t.name for t in run.plan(SEED, SEED_ID) if t.step.notebook == html_steps[0])
    message = next(f for f in outcome.failures if "deliberate failure" in f)
    assert message.startswith(f"{SEED_ID}: notebook {html_steps[0]} failed at cell ")
    assert "RuntimeError: deliberate failure for the test" in message
    # every output of the report is as it was: same bytes, same times (nothing looks fresh)
    after = {k: v for k, v in snapshot(rebuilt).items() if not k.startswith("reports/failed/")}
    assert after == before
    # the executed notebook that failed is kept for debugging, with its error and cell
    kept = sorted((rebuilt / "reports" / "failed" / SEED_ID).glob(f"{stem}*.ipynb"))
    assert kept and str(kept[0]) in " ".join(outcome.failures)
    cells = [cell for cell in nbformat.read(str(kept[0]), as_version=4).cells   # no banners
             if "papermill-error-cell-tag" not in cell.metadata.get("tags", [])]
    failed_at = next(i for i, c in enumerate(cells)
                     if any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    assert f"failed at cell {failed_at} " in message
    assert not list((run.build_dir(rebuilt) / "staging").iterdir())   # no staging left

    # once the notebook is fixed, a build clears the failure and changes nothing else
    monkeypatch.undo()
    again = run.build_report(SEED, rebuilt)
    assert again.failures == [] and again.ran == []
    assert not (rebuilt / "reports" / "failed" / SEED_ID).exists()


@pytest.mark.slow
def test_a_first_build_that_fails_publishes_nothing(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.NOTEBOOKS / "01_ingest.ipynb", notebooks)
    write_notebook(notebooks / "02_fails.ipynb",
                   'report_id: str = "x"  # help: r\nout: str = ""  # help: o',
                   "raise ValueError('broken analysis')")
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    pipeline = (run.Step("01_ingest.ipynb", raw=True), run.Step("02_fails.ipynb", html="brief"))
    out = tmp_path / "out"
    outcome = run.build_report(SEED, out, pipeline=pipeline)
    assert "01_ingest" in outcome.ran and len(outcome.failures) == 1
    # cells: parameters, papermill's injected parameters, then the one that raises
    assert "02_fails.ipynb failed at cell 2 (In [3]" in outcome.failures[0]
    assert "ValueError: broken analysis" in outcome.failures[0]
    # the ingest succeeded, but nothing of the report is published: all or nothing
    assert not paths.processed_dir(SEED_ID, out).exists()
    assert not list(paths.reports_dir(out).glob(f"{SEED_ID}*.html"))
    assert SEED_ID not in (paths.reports_dir(out) / "index.html").read_text(encoding="utf-8")
    assert (run.failed_dir(SEED_ID, out) / "02_fails.ipynb").is_file()


def test_several_reports_one_failing_the_others_build_and_the_count_is_given(
        rebuilt, capsys, monkeypatch):
    monkeypatch.delenv("CCHC_LANG", raising=False)
    missing = paths.PROJ_ROOT / "tests" / "fixtures" / "no-such-report.txt"
    code = run.main(["--out", str(rebuilt), str(missing), str(SEED), str(SYNTHETIC)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"FAILED {missing}" in captured.err
    assert "2 of 3 report(s) up to date, 1 failed" in captured.err
    # a line per notebook run as it ends, counted against all the runs of the build
    runs = [*run.plan(SEED, SEED_ID), *run.plan(SYNTHETIC, "bac-kan_2023")]
    lines = [line for line in captured.out.splitlines() if line.startswith("[")]
    assert len(lines) == len(runs)
    assert lines[-1].startswith(f"[{len(runs)}/{len(runs)}] ")
    assert f"] {SEED_ID} 01_ingest: up to date" in captured.out
    # then where to look
    index = rebuilt / "reports" / "index.html"
    assert captured.out.rstrip().endswith(f"see the results: {index} (Vietnamese), "
                                          f"{index.with_name('index_en.html')} (English)")


def test_progress_lines_give_the_seconds_and_the_time_left_of_a_batch(monkeypatch):
    from helpers.run.progress import Progress
    monkeypatch.delenv("CCHC_LANG", raising=False)
    now, lines = [0.0], []
    progress = Progress(total=40, reports=4, say=lines.append, clock=lambda: now[0])
    now[0] = 30.0
    progress.ended("bac-kan_2023", "01_ingest", "ran", 2.04)
    progress.ended("bac-kan_2023", "02_audit", "up_to_date", 0.0)
    now[0] = 90.0
    progress.ended("bac-kan_2023", "03_par_index", "failed", 4.5)
    progress.dropped(7)
    now[0] = 96.0
    progress.ended("cao-bang_2023", "01_ingest", "ran", 3.0)
    assert lines == [
        "[1/40] bac-kan_2023 01_ingest: ran (2.0 s); about 20 min left",    # 30 s a run
        "[2/40] bac-kan_2023 02_audit: up to date",
        "[3/40] bac-kan_2023 03_par_index: failed (4.5 s); about 18 min left",
        "[4/33] cao-bang_2023 01_ingest: ran (3.0 s); about 12 min left"]   # 24 s a run
    alone = []
    one = Progress(total=2, reports=1, say=alone.append, clock=lambda: 0.0)
    one.ended(SEED_ID, "01_ingest", "ran", 1.0)
    assert alone == [f"[1/2] {SEED_ID} 01_ingest: ran (1.0 s)"]   # one report: no estimate
    monkeypatch.setenv("CCHC_LANG", "vi")
    progress.ended("cao-bang_2023", "02_audit", "ran", 1.5)
    assert lines[-1] == "[5/33] cao-bang_2023 02_audit: đã chạy (1,5 giây); còn khoảng 9 phút"


def test_make_says_what_it_installs_in_the_words_of_the_text_layer(monkeypatch):
    from helpers.text import t
    for lang in ("vi", "en"):
        for key in ("install_first_run", "install_again"):
            said = subprocess.run(["bash", "scripts/say.sh", key], cwd=paths.PROJ_ROOT,
                                  capture_output=True, text=True, check=True,
                                  env={**os.environ, "CCHC_LANG": lang}).stdout
            assert said == t(f"cli.{key}", lang) + "\n"
    makefile = (paths.PROJ_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "say.sh install_first_run" in makefile and "say.sh install_again" in makefile


def make(*arguments: str) -> subprocess.CompletedProcess:
    # -o: never (re)install the environment from a test
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", *arguments],
                          cwd=paths.PROJ_ROOT, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "MAKEFLAGS"})


def test_the_runner_leaves_at_once_with_its_output_and_exit_code(tmp_path):
    """`python -m helpers.run` skips the interpreter's teardown: what it printed into a
    pipe still arrives whole, with its exit code."""
    missing = tmp_path / "no-such-report.txt"
    result = subprocess.run([sys.executable, "-m", "helpers.run", "--out", str(tmp_path / "out"),
                             str(missing)], cwd=paths.PROJ_ROOT, capture_output=True,
                            text=True, env={**os.environ, "CCHC_LANG": "en"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert any("no-such-report.txt" in line for line in lines[:-1])
    assert "0 of 1 report(s) up to date, 1 failed" in lines[-1]


@pytest.mark.long
def test_make_report_fails_for_a_bad_report_builds_the_rest_and_is_then_a_no_op(rebuilt):
    missing = "tests/fixtures/no-such-report.txt"
    first = make("report", f"REPORTS={missing} {SEED}", f"OUT={rebuilt}")
    assert first.returncode != 0
    assert "no-such-report.txt" in first.stderr and "1 failed" in first.stderr
    assert not (rebuilt / ".build" / "stamps" / "inputs.list").exists()   # next make retries
    again = make("report", f"REPORTS={SEED}", f"OUT={rebuilt}")
    assert again.returncode == 0
    assert f"{SEED_ID}: up to date" in again.stdout   # the runner ran: nothing to do
    assert again.stdout.strip().endswith(f"1 report(s) up to date in {rebuilt}")
    third = make("report", f"REPORTS={SEED}", f"OUT={rebuilt}")
    assert third.returncode == 0
    assert third.stdout.strip() == f"1 report(s) up to date in {rebuilt}"   # no runner started


# --- the bench's synthetic batch -----------------------------------------------------------

def test_synthetic_copies_are_other_provinces_and_years_never_in_data_raw(tmp_path,
                                                                            monkeypatch):
    from helpers import ingest
    copies = bench.synthetic_copies(SEED, tmp_path / "batch", 4)
    ids = [ingest.read(copy).report_id for copy in copies]
    assert len(set(ids)) == 4 and SEED_ID not in ids
    monkeypatch.setattr(paths, "RAW", tmp_path / "raw")
    with pytest.raises(ValueError, match="never"):
        bench.synthetic_copies(SEED, tmp_path / "raw" / "batch", 1)
    assert not (tmp_path / "raw").exists()


def test_the_floors_count_one_warm_kernel_per_worker_or_a_start_per_notebook():
    cells = {"01_ingest": 1.0, "03_par_index": 3.0, "10_brief_vi": 2.0}
    strict, per_run = bench.floors(cells, kernel_start=0.5, warm_kernel=1.2, cores=2)
    assert strict == pytest.approx((6.0 + 2 * 1.2) / 2)
    assert per_run == pytest.approx((6.0 + 3 * 0.5) / 2)
    assert bench.floors({"01_ingest": 1.0}, 0.5, 1.2, cores=2)[0] == pytest.approx(2.2 / 2)


def test_notebook_times_read_papermill_records(built):
    times = bench.notebook_times(SEED_ID, built)
    assert "01_ingest" in times
    assert all(t["notebook"] > 0 and 0 < t["cells"] <= t["notebook"] for t in times.values())


def test_build_state_is_json(built):
    manifest = json.loads(run.manifest_path(SEED_ID, built).read_text(encoding="utf-8"))
    assert set(manifest) == {"raw", "raw_sha", "code", "langs", "tasks", "inputs", "files"}
    assert set(manifest["tasks"]) == {task.name for task in run.plan(SEED, SEED_ID)}
