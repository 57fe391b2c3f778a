"""Building reports: every report read and checked, one job graph over all their notebook
runs, then each report that succeeded published as a whole."""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..errors import ReportError
from .execute import import_exporter, run_task
from .fingerprints import (Hashes, changed_inputs, fingerprint_of, manifest_path,
                           output_files, outputs_intact, read_manifest, sha, static_inputs,
                           task_inputs)
from .kernels import KernelPool
from .parameters import check_parameters
from .pipeline import (LANGS, Outcome, Task, build_dir, check_inside, check_report_id,
                       checked_out_root, failed_dir, message, plan, report_dirs,
                       task_outputs)
from .publishing import locked, publish, stage, write_summaries
from .scheduling import Job, default_jobs, run_jobs


@dataclass
class Build:
    """One report in a build: its plan, its last good build, its staging folder."""
    outcome: Outcome
    report: Path
    report_id: str
    sha: str
    tasks: list[Task]
    recorded: dict = field(default_factory=dict)      # the manifest of the last good build
    staging: Path | None = None
    cold: bool = False          # staged from nothing: every task runs
    surely_stale: set[str] = field(default_factory=set)
    prints: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    static: dict[str, dict[str, str]] = field(default_factory=dict)   # as the build starts
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def failed(self) -> bool:
        return bool(self.outcome.failures)


def prepare(report, root: Path, langs, pipeline, outcome: Outcome | None = None) -> Build:
    """Read the report and check everything that can be checked before a notebook runs."""
    from .. import ingest
    outcome = outcome or Outcome(report=str(report))
    parsed = ingest.read(report)   # a bad report fails here, before anything is written
    report_id = outcome.report_id = parsed.report_id
    check_report_id(report_id)
    path = paths.resolve_report(report)
    tasks = plan(path, report_id, tuple(langs), pipeline)
    for task in tasks:   # every notebook's parameters, before any notebook runs
        check_parameters(paths.NOTEBOOKS / task.step.notebook,
                         {**task.parameters, "out": str(root)})
    check_inside([*report_dirs(report_id, root), failed_dir(report_id, root), build_dir(root),
                  *(p for task in tasks for p in task_outputs(task, report_id, root))], root)
    return Build(outcome, path, report_id, parsed.report.sha256, tasks)


def surely_stale(build: Build, root: Path) -> set[str]:
    """The tasks that will run whatever the other reports hold: all of them without a good
    build or with an output gone; else those whose inputs changed, and what needs them."""
    if not build.recorded or not outputs_intact(build.report_id, root):
        return {task.name for task in build.tasks}
    recorded = build.recorded.get("tasks", {})
    prints: dict[str, str] = {}
    stale: set[str] = set()
    for task in build.tasks:
        if task.across:   # depends on the other reports too: known to run when a need does
            prints[task.name] = "not known yet"
            if any(name in stale for name in task.needs):
                stale.add(task.name)
            continue
        prints[task.name] = fingerprint_of(task_inputs(task, build.static[task.name], prints))
        if prints[task.name] != recorded.get(task.name) or any(n in stale for n in task.needs):
            stale.add(task.name)
    return stale


def _reports_in_out(root: Path) -> list[str]:
    base = paths.processed_dir("x", root).parent
    return sorted(p.name for p in base.iterdir()
                  if (p / "report.json").is_file()) if base.is_dir() else []


def _others(build: Build, task: Task, builds: list[Build], root: Path) -> str:
    """For a step that compares reports: the fingerprints, in every other report, of the
    steps it needs (as this run leaves them, else as OUT holds them)."""
    in_run = {other.report_id: other for other in builds if other is not build}
    lines = []
    for report_id in sorted((set(_reports_in_out(root)) | set(in_run)) - {build.report_id}):
        other = in_run.get(report_id)
        recorded = (other.recorded if other else read_manifest(report_id, root)).get("tasks", {})
        for name in task.needs:
            current = other.prints.get(name) if other and not other.failed else None
            lines.append(f"{report_id}/{name}:{current or recorded.get(name, 'unknown')}")
    return sha("\n".join(lines).encode())


def _link_others(build: Build, builds: list[Build], root: Path) -> None:
    """Show a comparing step the other reports' processed data inside the staging folder:
    the new data of those rebuilt in this run, else what OUT holds (read only)."""
    targets = {report_id: paths.processed_dir(report_id, root)
               for report_id in _reports_in_out(root)}
    for other in builds:
        if other.staging is not None and not other.failed and \
                paths.processed_dir(other.report_id, other.staging).is_dir():
            targets[other.report_id] = paths.processed_dir(other.report_id, other.staging)
    targets.pop(build.report_id, None)
    for report_id, target in targets.items():
        link = paths.processed_dir(report_id, build.staging)
        if target.is_dir() and not link.exists() and not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target, target_is_directory=True)


def _staging(build: Build, root: Path) -> Path:
    """The report's staging folder, made by the first task that has to run."""
    with build.lock:
        if build.staging is None:
            shutil.rmtree(failed_dir(build.report_id, root), ignore_errors=True)  # older failures
            build.staging = stage(build.report_id, root, build.tasks,
                                  copy_current=not build.cold)
        return build.staging


def _reasons(build: Build, task: Task) -> list[str]:
    """Why a task runs, in a few words."""
    if not build.recorded:
        return [message("reason_first_build")]
    recorded = build.recorded.get("inputs", {}).get(task.name)
    if recorded is None:
        return [message("reason_not_built_before")]
    changed = changed_inputs(recorded, build.inputs[task.name])
    return [message("reason_changed", input=key) for key in changed] or \
        [message("reason_outputs_missing")]


def _task_job(build: Build, task: Task, builds: list[Build], root: Path,
              kernels: KernelPool) -> Job:
    """A job that brings one task up to date: it decides once what it needs has run."""

    def work() -> str | None:
        try:
            return bring_up_to_date()
        except Exception as exc:  # noqa: BLE001 - the report fails, the others go on
            return message("failed_step", report=build.report_id, notebook=task.step.notebook,
                           error=f"{type(exc).__name__}: {exc}")

    def bring_up_to_date() -> str | None:
        others = _others(build, task, builds, root) if task.step.compares else ""
        inputs = task_inputs(task, build.static[task.name], build.prints, others)
        with build.lock:
            build.inputs[task.name] = inputs
            build.prints[task.name] = fingerprint_of(inputs)
        current = build.recorded.get("tasks", {}).get(task.name) == build.prints[task.name]
        if current and not build.cold and all(
                p.exists() for p in task_outputs(task, build.report_id, root)):
            build.outcome.up_to_date.append(task.name)
            return None
        with build.lock:
            build.outcome.reasons += [r for r in _reasons(build, task)
                                      if r not in build.outcome.reasons]
            build.outcome.ran.append(task.name)
        staging = _staging(build, root)
        if task.step.compares:
            _link_others(build, builds, root)
        kernel = kernels.take(expected=task.name in build.surely_stale)
        return run_task(task, build.report_id, staging, root, kernel)

    key = f"{build.report_id}/{task.name}"
    after = tuple(f"{other.report_id}/{name}" for other in builds if other is not build
                  for name in task.needs) if task.step.compares else ()
    return Job(key, tuple(f"{build.report_id}/{name}" for name in task.needs),
               build.report_id, work, after)


def build_reports(reports, out=None, langs=LANGS, jobs: int | None = None, pipeline=None,
                  stamps: Path | None = None) -> list[Outcome]:
    """Bring the outputs of several reports up to date, the notebooks of all of them sharing
    `jobs` workers. A failed report keeps its previous outputs; the others still build.
    With `stamps`, touch <stamps>/<report file stem>.done for each report up to date."""
    try:
        root = checked_out_root(out)
        unknown = [lang for lang in langs if lang not in LANGS]
        if unknown:
            raise ReportError(f"unknown language(s) {', '.join(unknown)}; "
                              f"choose from {', '.join(LANGS)}")
    except ReportError as exc:
        return [Outcome(str(report), failures=[f"{report}: {exc}"]) for report in reports]
    workers = jobs or default_jobs()
    kernels = KernelPool(workers, expected=workers)
    kernels.fill()   # they boot (about half a second each) while the reports are read
    try:
        outcomes, builds = _prepare_all(reports, root, langs, pipeline)
        with locked(build_dir(root) / "build.lock"):
            _run_builds(builds, root, workers, kernels)
            write_summaries(root, rewrite=any(b.staging and not b.failed for b in builds))
    finally:
        kernels.close()
    for outcome in outcomes if stamps is not None else []:
        if not outcome.failures:
            stamp = Path(stamps) / f"{Path(outcome.report).stem}.done"
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
    return outcomes


def _prepare_all(reports, root: Path, langs, pipeline) -> tuple[list[Outcome], list[Build]]:
    """An outcome per report, and a build per report that passed every check."""
    outcomes: list[Outcome] = []
    builds: list[Build] = []
    for report in reports:
        outcome = Outcome(str(report))
        outcomes.append(outcome)
        try:
            build = prepare(report, root, langs, pipeline, outcome)
        except ReportError as exc:   # the report's id, once it is known, else its file
            outcome.failures.append(f"{outcome.report_id or report}: {exc}")
            continue
        twin = next((b for b in builds if b.report_id == build.report_id), None)
        if twin is not None:
            outcome.failures.append(message("failed_twin", path=str(report),
                                            report=build.report_id, other=str(twin.report)))
            continue
        builds.append(build)
    return outcomes, builds


def _run_builds(builds: list[Build], root: Path, workers: int, kernels: KernelPool) -> None:
    """Run what is stale in every build, then publish each report that succeeded."""
    hashes = Hashes()
    for build in builds:   # every file is read once, as the build starts
        build.static = {task.name: static_inputs(task, build.sha, hashes)
                        for task in build.tasks}
        build.recorded = read_manifest(build.report_id, root)
        build.surely_stale = surely_stale(build, root)
        build.cold = len(build.surely_stale) == len(build.tasks)
    kernels.expect(sum(len(build.surely_stale) for build in builds))
    if any(task.step.html for build in builds for task in build.tasks
           if task.name in build.surely_stale):
        threading.Thread(target=import_exporter, daemon=True).start()
    job_list = [_task_job(build, task, builds, root, kernels)
                for build in builds for task in build.tasks]
    by_id = {build.report_id: build for build in builds}
    try:
        for key, (error, seconds) in run_jobs(job_list, workers).items():
            report_id, name = key.split("/", 1)
            if name in by_id[report_id].outcome.ran:
                by_id[report_id].outcome.seconds[name] = seconds
            if error:
                by_id[report_id].outcome.failures.append(error)
        for build in builds:
            _finish(build, root)
    finally:
        for build in builds:
            if build.staging is not None:
                shutil.rmtree(build.staging, ignore_errors=True)


def _finish(build: Build, root: Path) -> None:
    """Publish a report whose notebooks all succeeded; leave a failed one as it was."""
    if build.failed:
        done = set(build.outcome.ran) | set(build.outcome.up_to_date)
        skipped = [task.name for task in build.tasks if task.name not in done]
        if skipped:
            build.outcome.failures.append(message("failed_not_run", report=build.report_id,
                                                  tasks=", ".join(skipped)))
        return
    if build.staging is not None:   # else everything was up to date
        publish(build.report_id, build.staging, root, build.tasks)
        manifest = {"tasks": build.prints, "inputs": build.inputs,
                    "files": output_files(build.report_id, root, build.tasks)}
        from .. import store
        store.write_json(manifest_path(build.report_id, root), manifest)
    shutil.rmtree(failed_dir(build.report_id, root), ignore_errors=True)   # stale now


def build_report(report: str | Path, out=None, langs=LANGS, jobs: int | None = None,
                 pipeline=None) -> Outcome:
    """Bring one report's outputs up to date; on failure, leave the previous ones as they were."""
    return build_reports([report], out, langs, jobs, pipeline)[0]
