"""Building reports: every report read and checked, one job graph over all their notebook
runs, then each report that succeeded published as a whole (see publishing.py)."""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import paths
from ..errors import ReportError
from .execute import import_exporter, run_task
from .fingerprints import (Hashes, changed_inputs, fingerprint_of, sha, static_inputs,
                           task_inputs)
from .kernels import PER_KERNEL, KernelPool, imported_modules
from .parameters import check_parameters
from .pipeline import (LANGS, PIPELINE, Outcome, Task, build_dir, check_inside,
                       check_report_id, checked_out_root, failed_dir, message, plan,
                       report_dirs, task_outputs)
from .progress import Progress
from .publishing import (locked, outputs_intact, publish, published_reports,
                         read_manifest, recover, retire, stage, write_summaries)
from .scheduling import Job, default_jobs, run_jobs
from .stamps import check_writable, clear_stamp, take_snapshot, write_stamp


@dataclass
class Build:
    """One report in a build: its plan, its last good build, its staging folder."""
    outcome: Outcome
    report: Path
    report_id: str
    sha: str
    tasks: list[Task]
    langs: tuple[str, ...] = LANGS
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


def prepare(report, root: Path, langs, pipeline, outcome: Outcome | None = None,
            say: Callable[[str], None] | None = None) -> Build:
    """Read the report and check everything that can be checked before a notebook runs.

    The languages of its last good build are built too (`--lang en` after a change of the
    data must not leave the Vietnamese HTML of the old data beside the new tables)."""
    from .. import ingest
    outcome = outcome or Outcome(report=str(report))
    parsed = ingest.read(report)   # a bad report fails here, before anything is written
    report_id = outcome.report_id = parsed.report_id
    check_report_id(report_id)
    if parsed.unverified and say:
        say(message("unverified", report=report_id, why=parsed.unverified))
    path = paths.resolve_report(report)
    recorded = read_manifest(report_id, root)
    langs = tuple(lang for lang in LANGS if lang in langs or lang in recorded.get("langs", ()))
    tasks = plan(path, report_id, langs, pipeline)
    for task in tasks:   # every notebook's parameters, before any notebook runs
        check_parameters(paths.NOTEBOOKS / task.step.notebook,
                         {**task.parameters, "out": str(root)})
    check_inside([*report_dirs(report_id, root), failed_dir(report_id, root), build_dir(root),
                  paths.processed_dir("all", root), paths.reports_dir(root) / "index.html",
                  *(p for task in tasks for p in task_outputs(task, report_id, root))], root)
    return Build(outcome, path, report_id, parsed.report.sha256, tasks, langs, recorded)


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
            build.staging = stage(build.report_id, root, copy_current=not build.cold)
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
        return run_task(task, build.report_id, staging, root, kernels,
                        expected=task.name in build.surely_stale)

    key = f"{build.report_id}/{task.name}"
    after = tuple(f"{other.report_id}/{name}" for other in builds if other is not build
                  for name in task.needs) if task.step.compares else ()
    return Job(key, tuple(f"{build.report_id}/{name}" for name in task.needs),
               build.report_id, work, after)


def build_reports(reports, out=None, langs=LANGS, jobs: int | None = None, pipeline=None,
                  stamps: Path | None = None, say: Callable[[str], None] | None = None,
                  selection: list[str] | None = None, per_kernel: int = PER_KERNEL,
                  progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Bring the outputs of several reports up to date, the notebooks of all of them sharing
    `jobs` workers. A failed report keeps its previous outputs; the others still build.
    A report published before whose raw file is gone is taken out of view. `say` gets the
    runner's notes (reports removed, raw files not verified); `progress` a line per
    notebook run as it ends.

    Each kernel runs up to `per_kernel` notebooks, one after another, each in a fresh
    namespace (1: a kernel of its own for each notebook, as in JupyterLab).

    With `stamps`, make's stamp is written there when every report is up to date (and
    cleared when one failed); `selection`: the reports as make named them (none: all)."""
    say = say or (lambda text: None)
    try:
        root = checked_out_root(out)
        unknown = [lang for lang in langs if lang not in LANGS]
        if unknown:
            raise ReportError(f"unknown language(s) {', '.join(unknown)}; "
                              f"choose from {', '.join(LANGS)}")
        problem = check_writable(Path(stamps)) if stamps is not None else None
        if problem:
            raise ReportError(f"make's stamp cannot be written there ({problem})", path=stamps,
                              hint="give --stamps a folder this user may write")
    except ReportError as exc:
        return [Outcome(str(report), failures=[f"{report}: {exc}"]) for report in reports]
    hashes = Hashes()   # every input is read once, as the build starts
    selection = [str(report) for report in reports] if selection is None else selection
    snapshot = take_snapshot(selection, hashes) if stamps is not None else None
    workers = jobs or default_jobs()
    likely = _likely_work(reports, root, hashes)
    steps = PIPELINE if pipeline is None else pipeline
    ahead = min(workers, default_jobs(), _most_notebooks(reports, steps, langs))
    kernels = KernelPool(workers, expected=ahead if likely else 0,
                         per_kernel=per_kernel, warm_up=imported_modules(
                             paths.NOTEBOOKS / step.notebook for step in steps))
    kernels.fill()   # they boot while the reports are read
    try:
        with locked(build_dir(root) / "build.lock"):
            recover(root)   # what an interrupted build left
            outcomes, builds = _prepare_all(reports, root, langs, pipeline, say)
            removed = _retire_removed(root, builds, say)
            _run_builds(builds, root, workers, kernels, hashes, progress)
            write_summaries(root, rewrite=removed or any(b.staging and not b.failed
                                                         for b in builds))
    except OSError as exc:   # e.g. OUT or one of its folders is read-only
        failure = message("failed_out", folder=str(root), error=f"{exc.strerror or exc}"
                          + (f": {exc.filename}" if exc.filename else ""))
        return [Outcome(str(report), failures=[failure]) for report in reports]
    finally:
        kernels.close()
    if snapshot is not None:
        _stamp(Path(stamps), snapshot, builds, outcomes, root, say)
    return outcomes


def _most_notebooks(reports, steps, langs) -> int:
    """The notebooks the build would run were every report stale: no more kernels than
    that are started ahead."""
    return len(reports) * sum(len(langs) if step.per_language else 1 for step in steps)


def _likely_work(reports, root: Path, hashes: Hashes) -> bool:
    """A guess, made before the reports are read, that notebooks will run: a report not
    published from this very raw file, or a change of the code or data since. Kernels are
    started ahead only then (an up-to-date OUT starts none, nor does a raw file that is
    not there: it fails before any notebook)."""
    published = {}
    for report_id in published_reports(root):
        manifest = read_manifest(report_id, root)
        published[manifest.get("raw")] = manifest
    code = hashes.code()
    for report in reports:
        path = paths.resolve_report(report)
        if not path.is_file():
            continue
        manifest = published.get(str(path), {})
        if manifest.get("raw_sha") != hashes.of(path) or manifest.get("code") != code:
            return True
    return False


def _prepare_all(reports, root: Path, langs, pipeline,
                 say) -> tuple[list[Outcome], list[Build]]:
    """An outcome per report, and a build per report that passed every check. Whatever goes
    wrong while one report is read is that report's failure, named by its file."""
    outcomes: list[Outcome] = []
    builds: list[Build] = []
    for report in reports:
        outcome = Outcome(str(report))
        outcomes.append(outcome)
        try:
            build = prepare(report, root, langs, pipeline, outcome, say)
        except ReportError as exc:   # the report's id, once it is known, else its file
            name = outcome.report_id or ("" if exc.path else str(report))
            outcome.failures.append(f"{name}: {exc}" if name else str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - one unreadable report, the others build
            outcome.failures.append(message("failed_unreadable", path=str(report),
                                            error=f"{type(exc).__name__}: {exc}"))
            continue
        twin = next((b for b in builds if b.report_id == build.report_id), None)
        if twin is not None:
            outcome.failures.append(message("failed_twin", path=str(report),
                                            report=build.report_id, other=str(twin.report)))
            continue
        builds.append(build)
    return outcomes, builds


def _retire_removed(root: Path, builds: list[Build], say) -> bool:
    """Take out of view each report published before whose raw file is gone (or now holds
    another report); True when one was."""
    in_run = {str(build.report): build.report_id for build in builds}
    removed = False
    for report_id in published_reports(root):
        if report_id in in_run.values():
            continue
        raw = read_manifest(report_id, root).get("raw")
        if raw and Path(raw).exists() and in_run.get(raw, report_id) == report_id:
            continue
        folder = retire(report_id, root)
        say(message("run_removed", report=report_id, path=str(raw), folder=str(folder)))
        removed = True
    return removed


def _run_builds(builds: list[Build], root: Path, workers: int, kernels: KernelPool,
                hashes: Hashes, progress: Callable[[str], None] | None = None) -> None:
    """Run what is stale in every build, then publish each report that succeeded."""
    code = hashes.code()
    for build in builds:
        build.static = {task.name: static_inputs(task, build.sha, hashes)
                        for task in build.tasks}
        build.surely_stale = surely_stale(build, root)
        build.cold = len(build.surely_stale) == len(build.tasks)
    kernels.expect(sum(len(build.surely_stale) for build in builds))
    if any(task.step.html for build in builds for task in build.tasks
           if task.name in build.surely_stale):
        threading.Thread(target=import_exporter, daemon=True).start()
    job_list = [_task_job(build, task, builds, root, kernels)
                for build in builds for task in build.tasks]
    by_id = {build.report_id: build for build in builds}
    said = Progress(len(job_list), len(builds), progress) if progress else None

    def ended(job: Job, result) -> None:
        if said is None:
            return
        if result is None:
            said.dropped()
            return
        report_id, name = job.key.split("/", 1)
        state = "failed" if result[0] else \
            "ran" if name in by_id[report_id].outcome.ran else "up_to_date"
        said.ended(report_id, name, state, result[1])

    try:
        for key, (error, seconds) in run_jobs(job_list, workers, ended).items():
            report_id, name = key.split("/", 1)
            if name in by_id[report_id].outcome.ran:
                by_id[report_id].outcome.seconds[name] = seconds
            if error:
                by_id[report_id].outcome.failures.append(error)
        for build in builds:
            _finish(build, root, code)
    finally:
        for build in builds:
            if build.staging is not None and build.staging.exists():
                shutil.rmtree(build.staging, ignore_errors=True)


def _finish(build: Build, root: Path, code: str) -> None:
    """Publish a report whose notebooks all succeeded; leave a failed one as it was."""
    if build.failed:
        done = set(build.outcome.ran) | set(build.outcome.up_to_date)
        skipped = [task.name for task in build.tasks if task.name not in done]
        if skipped:
            build.outcome.failures.append(message("failed_not_run", report=build.report_id,
                                                  tasks=", ".join(skipped)))
        return
    if build.staging is not None:   # else everything was up to date
        manifest = {"raw": str(build.report), "raw_sha": build.sha, "code": code,
                    "langs": list(build.langs), "tasks": build.prints, "inputs": build.inputs}
        try:
            publish(build.report_id, build.staging, root, manifest)
        except OSError as exc:
            build.outcome.failures.append(message(
                "failed_publish", report=build.report_id,
                error=f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")))
            return
    shutil.rmtree(failed_dir(build.report_id, root), ignore_errors=True)   # stale now


def _stamp(folder: Path, snapshot, builds: list[Build], outcomes: list[Outcome],
                 root: Path, say) -> None:
    """make's stamp after a build in which every report is up to date; else none."""
    try:
        if any(outcome.failures for outcome in outcomes):
            clear_stamp(folder)
            return
        built = {build.report: build.sha for build in builds}   # raw files as they were read
        sums = {path: built.get(file.resolve(), digest)
                for path, (file, digest) in snapshot.files.items()}
        write_stamp(folder, snapshot.listed, sums,
                          message("run_all_up_to_date", count=len(outcomes), folder=str(root)))
    except OSError as exc:
        say(message("run_stamp_not_written", folder=str(folder), error=exc.strerror or str(exc)))


def build_report(report: str | Path, out=None, langs=LANGS, jobs: int | None = None,
                 pipeline=None, per_kernel: int = PER_KERNEL) -> Outcome:
    """Bring one report's outputs up to date; on failure, leave the previous ones as they were."""
    return build_reports([report], out, langs, jobs, pipeline, per_kernel=per_kernel)[0]
