"""Build everything for one report or many: execute the notebooks, export the HTML.

    python -m helpers.run [--out DIR] [--lang vi en] [--jobs N] REPORT [REPORT ...]

For each report:

1. The report is read (a bad report fails here, before anything is written) and every
   notebook's parameters are checked against its `parameters` cell: papermill itself
   only warns about unknown parameters. Outputs must stay inside OUT.
2. Only the notebooks whose inputs changed run: each run has a fingerprint (the
   notebook, the `helpers` modules it imports, the raw report, the catalogue and other
   package data, the reference data, the pinned packages, the fingerprints of the
   notebooks it needs), kept in OUT/.build/manifests/<report_id>.json.
3. They run in a staging copy of the report's outputs (OUT/.build/staging/), through
   papermill's Python API, independent notebooks in parallel, one kernel each.
4. Only when every notebook succeeded do the staged outputs replace the report's
   processed data, figures, executed notebooks and HTML. A failed run changes none of
   them: the previous good outputs stay, all from one build. The failed notebook is
   kept in reports/failed/<report_id>/ for debugging.
"""
from __future__ import annotations

import sys

# jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which
# compiles a grammar at import time (~1 s per process). Notebooks never carry IRIs.
sys.modules.setdefault("rfc3987_syntax", None)

import argparse  # noqa: E402
import ast  # noqa: E402
import difflib  # noqa: E402
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from . import paths, store  # noqa: E402
from .errors import ReportError  # noqa: E402

LANGS = ("vi", "en")
KERNEL = "python3"
REPORT_ID = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
FINGERPRINT_VERSION = "1"


@dataclass(frozen=True)
class Step:
    notebook: str              # file name in notebooks/
    per_language: bool = False  # run once per language, with a `lang` parameter
    html: bool = False         # export the executed notebook as leadership HTML
    raw: bool = False          # takes the raw report file (`report`) instead of `report_id`
    # Notebooks whose outputs this one reads. None: every notebook before it (always safe).
    # Naming them lets independent notebooks run in parallel.
    needs: tuple[str, ...] | None = None


PIPELINE = (
    Step("01_ingest.ipynb", raw=True),
    Step("02_audit.ipynb"),
    # The charts: each saves its figures in both languages; they only read the
    # processed tables and the audit, so they can run side by side.
    Step("03_par_index.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("04_online_services.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("05_public_investment.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("06_scorecard.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("10_narrative.ipynb", per_language=True, html=True),
)


@dataclass
class Task:
    """One notebook run for one report (and one language)."""
    name: str                  # executed notebook name without .ipynb, e.g. 10_narrative_vi
    step: Step
    lang: str | None
    parameters: dict           # without `out`, which is the staging folder at run time
    needs: tuple[str, ...]     # names of the tasks that must run first


@dataclass
class Outcome:
    report: str
    report_id: str | None = None
    failures: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)          # task names executed
    up_to_date: list[str] = field(default_factory=list)   # task names skipped
    seconds: dict[str, float] = field(default_factory=dict)


# --- parameters ------------------------------------------------------------------------

_SIMPLE_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
                 "list": (list, tuple), "dict": (dict,), "None": (type(None),)}


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares in its `parameters` cell (name -> info)."""
    import papermill as pm
    return pm.inspect_notebook(str(notebook))


def _accepted_types(annotation: str) -> tuple[type, ...] | None:
    """Python types a parameter annotation accepts; None when the runner cannot check it.

    Understands str, int, float, bool, list[...], dict[...], and unions with None
    (`str | None`, `Optional[str]`). A float parameter accepts an int; bool is never an int.
    """
    text = annotation.strip()
    optional = re.fullmatch(r"(?:typing\.)?Optional\[(.+)\]", text)
    if optional:
        text = f"{optional[1]} | None"
    accepted: tuple[type, ...] = ()
    for option in (part.strip() for part in text.split("|")):
        base = re.sub(r"\[.*\]$", "", option)
        if base not in _SIMPLE_TYPES:
            return None
        accepted += _SIMPLE_TYPES[base]
    return accepted


def _type_ok(value, accepted: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in accepted:
        return False
    return isinstance(value, accepted)


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse unknown, unannotated or mistyped parameters before anything runs."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        hints = [f"'{name}' (did you mean '{close[0]}'?)" if close else f"'{name}'"
                 for name in unknown
                 for close in [difflib.get_close_matches(name, list(declared), n=1)]]
        raise ReportError(f"unknown parameter(s) {', '.join(hints)}; this notebook takes "
                          f"{', '.join(sorted(declared)) or 'none'}", path=notebook)
    for name, value in parameters.items():
        annotation = str(declared[name].get("inferred_type_name") or "None")
        if annotation == "None":
            raise ReportError(f"parameter '{name}' has no type annotation in the parameters "
                              "cell", path=notebook, hint=f"write e.g. `{name}: str = ...`")
        accepted = _accepted_types(annotation)
        if accepted is None:
            raise ReportError(f"parameter '{name}' is annotated '{annotation}', a type the "
                              "runner cannot check", path=notebook,
                              hint="use str, int, float, bool, list, dict or X | None")
        if not _type_ok(value, accepted):
            raise ReportError(f"parameter '{name}' must be {annotation}, got "
                              f"{type(value).__name__} {value!r}", path=notebook)


# --- outputs stay inside OUT -------------------------------------------------------------

def checked_out_root(out=None) -> Path:
    """The output root, refused when it is a file or lies in data/raw/ (immutable)."""
    root = paths.out_root(out)
    if root.exists() and not root.is_dir():
        raise ReportError("the output root is a file, not a folder", path=root)
    if paths.inside(root, paths.RAW):
        raise ReportError("the output root lies inside data/raw/, which is never written",
                          path=root, hint="choose another OUT")
    return root


def check_report_id(report_id: str) -> None:
    """A report id becomes folder and file names: lowercase letters, digits, - and _ only."""
    if not REPORT_ID.fullmatch(report_id or ""):
        raise ReportError(f"report id {report_id!r} cannot name output files (only a-z, 0-9, "
                          "'-' and '_' are allowed)")


def check_inside(targets, root: Path) -> None:
    """Every output path must lie inside OUT (after resolving symbolic links)."""
    for target in targets:
        if not paths.inside(Path(target), root):
            raise ReportError("this output would be written outside OUT", path=target,
                              hint=f"OUT is {root}")


def _report_dirs(report_id: str, root: Path) -> list[Path]:
    return [paths.processed_dir(report_id, root), paths.figures_dir(report_id, root),
            paths.executed_notebooks_dir(report_id, root)]


def html_path(report_id: str, lang: str, out=None) -> Path:
    return paths.reports_dir(out) / f"{report_id}_{lang}.html"


def failed_dir(report_id: str, out=None) -> Path:
    return paths.reports_dir(out) / "failed" / report_id


def build_dir(out=None) -> Path:
    """Runner state inside OUT: manifests, staging folders, locks, make's stamps."""
    return paths.out_root(out) / ".build"


def _task_outputs(task: Task, report_id: str, root: Path) -> list[Path]:
    found = [paths.executed_notebooks_dir(report_id, root) / f"{task.name}.ipynb"]
    if task.step.html:
        found.append(html_path(report_id, task.lang or LANGS[0], root))
    return found


# --- the plan ----------------------------------------------------------------------------

def plan(report: Path, report_id: str, langs=LANGS, pipeline=None) -> list[Task]:
    """The notebook runs of one report, in pipeline order, with what each needs."""
    pipeline = PIPELINE if pipeline is None else pipeline
    tasks: list[Task] = []
    names_of: dict[str, list[str]] = {}
    for index, step in enumerate(pipeline):
        if Path(step.notebook).name != step.notebook or not step.notebook.endswith(".ipynb"):
            raise ReportError(f"pipeline step {step.notebook!r} must be a notebook file name "
                              "in notebooks/")
        if step.needs is None:
            needed = [name for earlier in pipeline[:index] for name in names_of[earlier.notebook]]
        else:
            missing = [n for n in step.needs if n not in names_of]
            if missing:
                raise ReportError(f"pipeline step {step.notebook} needs {', '.join(missing)}, "
                                  "which is not an earlier step")
            needed = [name for n in step.needs for name in names_of[n]]
        names_of[step.notebook] = []
        for lang in (langs if step.per_language else (None,)):
            name = Path(step.notebook).stem + (f"_{lang}" if lang else "")
            parameters = ({"report": str(report)} if step.raw else {"report_id": report_id})
            if lang:
                parameters["lang"] = lang
            tasks.append(Task(name, step, lang, parameters, tuple(needed)))
            names_of[step.notebook].append(name)
    return tasks


# --- fingerprints ------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    return _sha(Path(path).read_bytes())


def _module_file(module: str) -> Path | None:
    """The source file of a `helpers` module, or None when the name is not a module."""
    parts = module.split(".")[1:]
    base = paths.PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_helpers(tree: ast.AST, package: str) -> set[str]:
    """Every `helpers...` name an AST imports (`package` resolves relative imports)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "helpers")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == "helpers":
                found.add(module)
                found.update(f"{module}.{a.name}" for a in node.names)
    return found


def _notebook_code(notebook: Path) -> str:
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code"
             for line in "".join(cell["source"]).splitlines()]
    # IPython magics and shell escapes are not Python
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def helper_sources(notebook: Path, extra_modules=()) -> list[Path]:
    """The `helpers` source files a notebook depends on: its imports, followed through
    the package (a module it cannot parse depends on every module)."""
    try:
        wanted = _imported_helpers(ast.parse(_notebook_code(notebook)), "helpers")
    except SyntaxError:
        return sorted(p for p in paths.PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    wanted |= {f"helpers.{m}" for m in extra_modules}
    seen: dict[str, Path] = {}
    todo = sorted(wanted | {"helpers"})
    while todo:
        module = todo.pop()
        source = _module_file(module)
        if source is None or module in seen:
            continue
        seen[module] = source
        parents = module.split(".")
        todo.extend(".".join(parents[:i]) for i in range(1, len(parents)))
        package = module if source.name == "__init__.py" else ".".join(parents[:-1])
        todo.extend(_imported_helpers(ast.parse(source.read_text(encoding="utf-8")), package))
    return sorted(set(seen.values()))


def shared_inputs() -> list[Path]:
    """Inputs every notebook may read: package data (catalogue, facts.yml, templates),
    the reference data, and the pinned packages."""
    package_data = [p for p in paths.PACKAGE.rglob("*") if p.is_file()
                    and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    reference = [p for p in paths.REFERENCE.rglob("*") if p.is_file()]
    return sorted(package_data + reference) + [paths.PROJ_ROOT / "pyproject.toml"]


def fingerprints(tasks: list[Task], report_sha: str) -> dict[str, str]:
    """A fingerprint per task: it changes when anything the task's outputs depend on does."""
    hashes: dict[Path, str] = {}

    def sha_of(path: Path) -> str:
        if path not in hashes:
            hashes[path] = _file_sha(path) if path.exists() else "missing"
        return hashes[path]

    shared = _sha("".join(f"{p.relative_to(paths.PROJ_ROOT)}:{sha_of(p)}\n"
                          for p in shared_inputs()).encode())
    result: dict[str, str] = {}
    for task in tasks:
        notebook = paths.NOTEBOOKS / task.step.notebook
        modules = helper_sources(notebook, ("html",) if task.step.html else ())
        parts = [FINGERPRINT_VERSION, KERNEL, f"notebook:{sha_of(notebook)}", f"report:{report_sha}",
                 f"shared:{shared}",
                 "parameters:" + json.dumps(task.parameters, sort_keys=True, ensure_ascii=False)]
        parts += [f"{p.relative_to(paths.PACKAGE)}:{sha_of(p)}" for p in modules]
        parts += [f"needs:{name}:{result[name]}" for name in task.needs]
        result[task.name] = _sha("\n".join(parts).encode())
    return result


def _manifest_path(report_id: str, root: Path) -> Path:
    return build_dir(root) / "manifests" / f"{report_id}.json"


def read_manifest(report_id: str, root: Path) -> dict:
    path = _manifest_path(report_id, root)
    try:
        return store.read_json(path)
    except (FileNotFoundError, ValueError):
        return {}


def stale_tasks(tasks: list[Task], prints: dict[str, str], report_id: str,
                root: Path) -> list[Task]:
    """Tasks whose fingerprint changed or whose outputs are gone. If any file the last
    build left is missing, everything is rebuilt."""
    manifest = read_manifest(report_id, root)
    if any(not (root / rel).exists() for rel in manifest.get("files", [])):
        return list(tasks)
    recorded = manifest.get("tasks", {})
    return [task for task in tasks
            if recorded.get(task.name) != prints[task.name]
            or not all(p.exists() for p in _task_outputs(task, report_id, root))]


def _output_files(report_id: str, root: Path, tasks: list[Task]) -> list[str]:
    files = [p for folder in _report_dirs(report_id, root) if folder.is_dir()
             for p in folder.rglob("*") if p.is_file()]
    files += [p for task in tasks for p in _task_outputs(task, report_id, root) if p.exists()]
    return sorted({str(p.relative_to(root)) for p in files})


# --- execution ---------------------------------------------------------------------------

def execute(notebook: Path, output: Path, parameters: dict, check: bool = True) -> Path:
    """Run one notebook with checked parameters; the executed copy is written to `output`.

    On failure papermill still writes the executed notebook (with an error banner) and
    raises PapermillExecutionError, which names the cell.
    """
    import papermill as pm
    if check:
        check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
                        cwd=None, progress_bar=False, request_save_on_cell_execute=False,
                        shutdown_kernel="immediate",
                        # the kernel's own log (not the notebook's output): only errors
                        extra_arguments=["--IPKernelApp.log_level=ERROR"],
                        # the kernel starts in notebooks/ (papermill's `cwd` would chdir the
                        # whole process, which parallel runs cannot share)
                        resources={"metadata": {"path": str(paths.NOTEBOOKS)}})
    return output


def describe_failure(report_id: str, notebook: str, exc: BaseException,
                     kept: Path | None) -> str:
    """report, notebook, cell and error in one line; where the executed notebook was kept."""
    from papermill.exceptions import PapermillExecutionError
    if isinstance(exc, PapermillExecutionError):
        first_line = next((line.strip() for line in (exc.source or "").splitlines()
                           if line.strip()), "")
        what = (f"failed at cell {exc.cell_index} (In [{exc.exec_count}]: {first_line[:60]!r}): "
                f"{exc.ename}: {exc.evalue}")
    else:
        what = f"failed: {type(exc).__name__}: {_short(exc)}"
    text = f"{report_id}: notebook {notebook} {what}"
    if kept is not None:
        text += f"; executed notebook kept in {kept}"
    return text


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _export_html(executed: Path, target: Path) -> None:
    from . import html
    html.export(executed, target)


def _run_task(task: Task, report_id: str, staging: Path, root: Path) -> str | None:
    """Execute one task in the staging folder; a failure message, or None on success."""
    executed = paths.executed_notebooks_dir(report_id, staging) / f"{task.name}.ipynb"
    running = executed.with_name(f".{task.name}.running.ipynb")
    parameters = {**task.parameters, "out": str(staging)}
    try:
        execute(paths.NOTEBOOKS / task.step.notebook, running, parameters, check=False)
        os.replace(running, executed)
        if task.step.html:
            _export_html(executed, html_path(report_id, task.lang or LANGS[0], staging))
        return None
    except Exception as exc:  # noqa: BLE001 - reported with the report, notebook and cell
        kept = None
        if running.exists():
            kept = failed_dir(report_id, root) / f"{task.name}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(running, kept)
        return describe_failure(report_id, task.step.notebook, exc, kept)


def run_tasks(tasks: list[Task], run_one, jobs: int) -> tuple[list[str], dict[str, float]]:
    """Run tasks with up to `jobs` at once, each after the tasks it needs. After a failure
    no new task starts (the report's staged outputs are discarded anyway)."""
    names = {task.name for task in tasks}
    pending = list(tasks)
    done: set[str] = set()
    running: dict = {}
    failures: list[str] = []
    seconds: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while pending or running:
            for task in list(pending):
                if failures or len(running) >= jobs:
                    break
                if all(n in done or n not in names for n in task.needs):
                    pending.remove(task)
                    running[pool.submit(_timed, run_one, task)] = task
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                error, seconds[task.name] = future.result()
                if error:
                    failures.append(error)
                else:
                    done.add(task.name)
    return failures, seconds


def _timed(function, task):
    start = time.perf_counter()
    result = function(task)
    return result, time.perf_counter() - start


# --- staging and publishing -------------------------------------------------------------

@contextmanager
def _locked(path: Path):
    """An exclusive lock on a file (two builds of one report never overlap)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage(report_id: str, root: Path, tasks: list[Task], copy_current: bool) -> Path:
    """A fresh staging root; with `copy_current`, holding a copy of the report's outputs."""
    folder = build_dir(root) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f"{report_id}.*"):  # from an interrupted build
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{report_id}.", dir=folder))
    if copy_current:
        for source, target in zip(_report_dirs(report_id, root), _report_dirs(report_id, staging)):
            if source.is_dir():
                shutil.copytree(source, target)
        for task in tasks:
            if task.step.html:
                source = html_path(report_id, task.lang or LANGS[0], root)
                if source.exists():
                    target = html_path(report_id, task.lang or LANGS[0], staging)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
    return staging


def _publish(report_id: str, staging: Path, root: Path, tasks: list[Task]) -> None:
    """Move the staged outputs in place of the report's outputs."""
    for built, target in zip(_report_dirs(report_id, staging), _report_dirs(report_id, root)):
        if built.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            store.replace_dir(built, target)
        elif target.exists():
            shutil.rmtree(target)
    for task in tasks:
        if task.step.html:
            lang = task.lang or LANGS[0]
            built, target = html_path(report_id, lang, staging), html_path(report_id, lang, root)
            if built.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(built, target)
            else:
                target.unlink(missing_ok=True)


def _write_index(root: Path) -> None:
    """reports/index.html lists every report's HTML; rewritten after each publish, under a
    lock, so that the last build to finish sees every report."""
    try:
        from . import html
    except ImportError:
        return
    write_index = getattr(html, "write_index", None)
    if write_index is None:
        return
    with _locked(build_dir(root) / "locks" / "index.lock"):
        write_index(root)


# --- one report, many reports -----------------------------------------------------------

def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_report(report: str | Path, out=None, langs=LANGS, jobs: int | None = None,
                 pipeline=None) -> Outcome:
    """Bring one report's outputs up to date; on failure, leave the previous ones as they were."""
    from . import ingest
    outcome = Outcome(report=str(report))
    try:
        root = checked_out_root(out)
        unknown = [lang for lang in langs if lang not in LANGS]
        if unknown:
            raise ReportError(f"unknown language(s) {', '.join(unknown)}; "
                              f"choose from {', '.join(LANGS)}")
        parsed = ingest.read(report)   # a bad report fails here, before anything is written
        report_id = outcome.report_id = parsed.report_id
        check_report_id(report_id)
        tasks = plan(paths.resolve_report(report), report_id, tuple(langs), pipeline)
        for task in tasks:   # every notebook's parameters, before any notebook runs
            check_parameters(paths.NOTEBOOKS / task.step.notebook,
                             {**task.parameters, "out": str(root)})
        check_inside([*_report_dirs(report_id, root), failed_dir(report_id, root),
                      build_dir(root)]
                     + [p for task in tasks for p in _task_outputs(task, report_id, root)], root)
    except ReportError as exc:
        outcome.failures.append(f"{outcome.report_id or report}: {exc}")
        return outcome

    sha = getattr(parsed.report, "sha256", None) or _file_sha(paths.resolve_report(report))
    prints = fingerprints(tasks, sha)
    with _locked(build_dir(root) / "locks" / f"{report_id}.lock"):
        stale = stale_tasks(tasks, prints, report_id, root)
        outcome.up_to_date = [t.name for t in tasks if t not in stale]
        if not stale:
            return outcome
        staging = _stage(report_id, root, tasks, copy_current=len(stale) < len(tasks))
        try:
            failures, outcome.seconds = run_tasks(
                stale, lambda task: _run_task(task, report_id, staging, root),
                jobs or default_jobs())
            outcome.ran = [t.name for t in stale if t.name in outcome.seconds]
            if failures:
                outcome.failures.extend(failures)
                return outcome
            _publish(report_id, staging, root, tasks)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        manifest = read_manifest(report_id, root)
        manifest["tasks"] = {**manifest.get("tasks", {}), **prints}
        manifest["files"] = _output_files(report_id, root, tasks)
        store.write_json(_manifest_path(report_id, root), manifest)
        shutil.rmtree(failed_dir(report_id, root), ignore_errors=True)
    _write_index(root)
    return outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="*", help="report files (default: all in data/raw/)")
    parser.add_argument("--out", default=None, help="output root (default: the repository)")
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS)
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks run at once (default: the number of CPUs)")
    args = parser.parse_args(argv)
    reports = args.reports or [str(p) for p in paths.raw_reports()]
    if not reports:
        print("no reports to build (data/raw/ has none)", file=sys.stderr)
        return 2
    failed = 0
    for report in reports:
        start = time.perf_counter()
        outcome = build_report(report, args.out, tuple(args.lang), args.jobs)
        name = outcome.report_id or report
        for failure in outcome.failures:
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
        if outcome.failures:
            failed += 1
        elif outcome.ran:
            print(f"built {name}: ran {', '.join(outcome.ran)} "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
        else:
            print(f"{name}: up to date", flush=True)
    if failed:
        print(f"{failed} of {len(reports)} report(s) failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - last resort: a message, not a bare traceback
        traceback.print_exc()
        sys.exit(1)
