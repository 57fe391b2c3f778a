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
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

# Not `store`: it imports pandas, and the runner starts the kernels before anything heavy.
from . import paths  # noqa: E402
from .errors import ReportError  # noqa: E402

LANGS = ("vi", "en")
KERNEL = "python3"
# <province-slug>_<year>: it names folders and files, never "all" (the combined tables)
REPORT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*_[0-9]{4}")
FINGERPRINT_VERSION = "2"
# the kernel's own log (not the notebook's output): errors only
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


@dataclass(frozen=True)
class Step:
    notebook: str               # file name in notebooks/
    per_language: bool = False  # run once per language, with a `lang` parameter
    html: str = ""              # export the executed notebook as this leadership document
    #                             ("brief": <id>_<lang>.html, "appendix": <id>_<lang>_appendix.html)
    raw: bool = False           # takes the raw report file (`report`) instead of `report_id`
    # Notebooks whose outputs this one reads. None: every notebook before it (always safe).
    # Naming them lets independent notebooks run in parallel.
    needs: tuple[str, ...] | None = None
    compares: bool = False      # also reads the other reports' processed data (trends):
    #                             runs once its `needs` are done in every report of the build


PIPELINE = (
    Step("01_ingest.ipynb", raw=True),
    Step("02_audit.ipynb"),
    Step("07_trends.ipynb", needs=("01_ingest.ipynb",), compares=True),
    # The charts: each saves its figures in both languages; they only read the
    # processed tables and the audit, so they can run side by side. Listed longest first
    # (times from `make bench`), so that two workers finish them about together.
    Step("06_scorecard.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("04_online_services.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("03_par_index.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("05_public_investment.ipynb", needs=("01_ingest.ipynb", "02_audit.ipynb")),
    Step("10_brief.ipynb", per_language=True, html="brief"),
    Step("11_appendix.ipynb", per_language=True, html="appendix",
         needs=("01_ingest.ipynb", "02_audit.ipynb", "07_trends.ipynb", "06_scorecard.ipynb",
                "04_online_services.ipynb", "03_par_index.ipynb",
                "05_public_investment.ipynb")),
)


@dataclass
class Task:
    """One notebook run for one report (and one language)."""
    name: str                   # executed notebook name without .ipynb, e.g. 10_brief_vi
    step: Step
    lang: str | None
    parameters: dict            # without `out`, which is the staging folder at run time
    needs: tuple[str, ...]      # names of the tasks that must run first
    across: bool = False        # compares reports, or needs a task that does


@dataclass
class Outcome:
    report: str
    report_id: str | None = None
    failures: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)          # tasks executed
    up_to_date: list[str] = field(default_factory=list)   # tasks skipped: nothing changed
    reasons: list[str] = field(default_factory=list)      # why tasks ran: inputs changed
    seconds: dict[str, float] = field(default_factory=dict)


# --- parameters ------------------------------------------------------------------------

_SIMPLE_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
                 "list": (list, tuple), "dict": (dict,), "None": (type(None),)}


@lru_cache(maxsize=64)
def _inspect(notebook: str, mtime_ns: int) -> dict[str, dict]:
    import papermill as pm
    return pm.inspect_notebook(notebook)


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares in its `parameters` cell (name -> info).

    A line papermill cannot read (e.g. the annotation `str | None`) would leave its name
    out, silently: such a parameter is refused here.
    """
    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError("notebook not found", path=notebook)
    declared = _inspect(str(notebook), notebook.stat().st_mtime_ns)
    unread = sorted(set(_assigned_in_parameters_cell(notebook)) - set(declared))
    if unread:
        raise ReportError(f"papermill cannot read the parameter line(s) of {', '.join(unread)}",
                          path=notebook, hint="one `name: type = literal  # help: ...` per "
                          "line; write Optional[str], not str | None")
    return declared


def _assigned_in_parameters_cell(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = _parse("".join(cell["source"]))
            except SyntaxError as exc:
                raise ReportError(f"the parameters cell is not valid Python: {exc.msg}",
                                  path=notebook) from None
            return [target.id for node in tree.body
                    for target in (node.targets if isinstance(node, ast.Assign)
                                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
                    if isinstance(target, ast.Name)]
    return []


def accepted_types(annotation: str) -> tuple[type, ...] | None:
    """Python types a parameter annotation accepts; None when the runner cannot check it.

    Understands str, int, float, bool, list[...], dict[...], and Optional[...] (papermill
    cannot read `str | None`). A float parameter accepts an int; bool is never an int.
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
        hints = [f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else "")
                 for name in unknown
                 for close in [difflib.get_close_matches(name, list(declared), n=1)]]
        raise ReportError(f"unknown parameter(s) {', '.join(hints)}; this notebook takes "
                          f"{', '.join(sorted(declared)) or 'none'}", path=notebook)
    for name, value in parameters.items():
        annotation = str(declared[name].get("inferred_type_name") or "None")
        if annotation == "None":
            raise ReportError(f"parameter '{name}' has no type annotation in the parameters "
                              "cell", path=notebook, hint=f"write e.g. `{name}: str = ...`")
        accepted = accepted_types(annotation)
        if accepted is None:
            raise ReportError(f"parameter '{name}' is annotated '{annotation}', a type the "
                              "runner cannot check", path=notebook,
                              hint="use str, int, float, bool, list, dict or Optional[...]")
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
    """A report id names folders and files: <province-slug>_<year>, nothing else."""
    if not REPORT_ID.fullmatch(report_id or ""):
        raise ReportError(f"report id {report_id!r} cannot name output files (expected "
                          "<province-slug>_<year>: a-z, 0-9 and '-', then '_' and 4 digits)")


def check_inside(targets, root: Path) -> None:
    """Every output path must lie inside OUT (after resolving symbolic links)."""
    for target in targets:
        if not paths.inside(Path(target), root):
            raise ReportError("this output would be written outside OUT", path=target,
                              hint=f"OUT is {root}")


def report_dirs(report_id: str, root: Path) -> list[Path]:
    """The folders that belong to one report (replaced as a whole when it is rebuilt)."""
    return [paths.processed_dir(report_id, root), paths.figures_dir(report_id, root),
            paths.executed_notebooks_dir(report_id, root)]


def html_path(report_id: str, lang: str, out=None, document: str = "brief") -> Path:
    name = f"{report_id}_{lang}.html" if document == "brief" else \
        f"{report_id}_{lang}_{document}.html"
    return paths.reports_dir(out) / name


def failed_dir(report_id: str, out=None) -> Path:
    return paths.reports_dir(out) / "failed" / report_id


def build_dir(out=None) -> Path:
    """The runner's own state inside OUT: manifests, staging, lock, make's stamps."""
    return paths.out_root(out) / ".build"


def html_outputs(task: Task, report_id: str, root: Path) -> list[Path]:
    return [html_path(report_id, task.lang or LANGS[0], root, task.step.html)] \
        if task.step.html else []


def task_outputs(task: Task, report_id: str, root: Path) -> list[Path]:
    """The files a task leaves besides those its notebook writes itself."""
    executed = paths.executed_notebooks_dir(report_id, root) / f"{task.name}.ipynb"
    return [executed, *html_outputs(task, report_id, root)]


# --- the plan ----------------------------------------------------------------------------

def plan(report: Path, report_id: str, langs=LANGS, pipeline=None) -> list[Task]:
    """The notebook runs of one report, in pipeline order, with what each needs."""
    pipeline = PIPELINE if pipeline is None else tuple(pipeline)
    tasks: list[Task] = []
    names_of: dict[str, list[str]] = {}
    across: set[str] = set()
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
            parameters = {"report": str(report)} if step.raw else {"report_id": report_id}
            if lang:
                parameters["lang"] = lang
            is_across = step.compares or any(n in across for n in needed)
            if is_across:
                across.add(name)
            tasks.append(Task(name, step, lang, parameters, tuple(needed), is_across))
            names_of[step.notebook].append(name)
    return tasks


# --- fingerprints ------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Hashes:
    """File hashes, each computed once per build."""

    def __init__(self):
        self._cache: dict[Path, str] = {}
        self._shared: dict[str, str] | None = None

    def of(self, path: Path) -> str:
        path = Path(path)
        if path not in self._cache:
            self._cache[path] = _sha(path.read_bytes()) if path.is_file() else "missing"
        return self._cache[path]

    def shared(self) -> dict[str, str]:
        """The inputs every notebook has: package data, reference data, pinned packages."""
        if self._shared is None:
            self._shared = {str(p.relative_to(paths.PROJ_ROOT)): self.of(p)
                            for p in shared_inputs()}
            self._shared["pinned packages"] = _sha(pinned_packages().encode())
        return self._shared


_AST_LOCK = threading.Lock()


def _parse(source: str) -> ast.AST:
    """ast.parse, one thread at a time: CPython 3.11 can fail parsing in two threads at
    once ("AST constructor recursion depth mismatch", python/cpython#106905)."""
    with _AST_LOCK:
        return ast.parse(source)


def _module_file(module: str) -> Path | None:
    """The source file of a `helpers` module, or None when the name is not a module."""
    base = paths.PACKAGE.joinpath(*module.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_helpers(tree: ast.AST, package: str) -> set[str]:
    """Every `helpers...` name an AST imports (`package` resolves relative imports).
    `from helpers import x` yields both helpers and helpers.x: x may be a module."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "helpers")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                module = ".".join(parts[: len(parts) - node.level + 1]
                                  + ([node.module] if node.module else []))
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
    """The `helpers` source files a notebook depends on: its imports, followed through the
    package. A notebook the runner cannot parse depends on every module."""
    try:
        wanted = _imported_helpers(_parse(_notebook_code(notebook)), "helpers")
    except SyntaxError:
        return sorted(p for p in paths.PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    todo = sorted(wanted | {"helpers"} | {f"helpers.{m}" for m in extra_modules})
    seen: dict[str, Path] = {}
    while todo:
        module = todo.pop()
        source = _module_file(module)
        if source is None or module in seen:
            continue
        seen[module] = source
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))   # parent packages
        package = module if source.name == "__init__.py" else ".".join(parts[:-1])
        todo.extend(_module_imports(str(source), source.stat().st_mtime_ns, package))
    return sorted(set(seen.values()))


@lru_cache(maxsize=256)
def _module_imports(source: str, mtime_ns: int, package: str) -> frozenset[str]:
    """The helpers a module imports (parsed once per version of the file)."""
    tree = _parse(Path(source).read_text(encoding="utf-8"))
    return frozenset(_imported_helpers(tree, package))


def shared_inputs() -> list[Path]:
    """Files any notebook may read: the package data (catalogue, facts.yml, templates) and
    the reference data."""
    package_data = [p for p in paths.PACKAGE.rglob("*") if p.is_file()
                    and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    reference = [p for p in paths.REFERENCE.rglob("*") if p.is_file()]
    return sorted(package_data + reference)


def pinned_packages() -> str:
    """The dependencies pinned in pyproject.toml (its other settings change no output)."""
    import tomllib
    with open(paths.PROJ_ROOT / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle).get("project", {})
    return json.dumps(project.get("dependencies", []), sort_keys=True)


def static_inputs(task: Task, report_sha: str, hashes: Hashes) -> dict[str, str]:
    """The inputs of a task known before anything runs: its notebook, the helpers it
    imports, the raw report, the shared inputs and its parameters."""
    notebook = paths.NOTEBOOKS / task.step.notebook
    modules = helper_sources(notebook, ("html",) if task.step.html else ())
    return {"runner": f"{FINGERPRINT_VERSION} {KERNEL}",
            f"notebooks/{task.step.notebook}": hashes.of(notebook),
            "raw report": report_sha,
            "parameters": json.dumps(task.parameters, sort_keys=True, ensure_ascii=False),
            **hashes.shared(),
            **{f"src/helpers/{p.relative_to(paths.PACKAGE)}": hashes.of(p) for p in modules}}


def task_inputs(task: Task, static: dict[str, str], prints: dict[str, str],
                others: str = "") -> dict[str, str]:
    """What a task's fingerprint is made of (input -> hash): its static inputs, the
    fingerprints (`prints`) of the tasks it needs and, for a step that compares reports,
    `others`: the fingerprints of the same steps in the other reports."""
    inputs = {**static, **{f"needs {name}": prints[name] for name in task.needs}}
    if task.step.compares:
        inputs["other reports"] = others
    return inputs


def fingerprint_of(inputs: dict[str, str]) -> str:
    return _sha(json.dumps(inputs, sort_keys=True).encode())


def fingerprints(tasks: list[Task], report_sha: str, hashes: Hashes | None = None,
                 others: str = "") -> dict[str, str]:
    """A fingerprint per task: it changes when anything the task's outputs depend on does."""
    hashes = hashes or Hashes()
    prints: dict[str, str] = {}
    for task in tasks:
        static = static_inputs(task, report_sha, hashes)
        prints[task.name] = fingerprint_of(task_inputs(task, static, prints, others))
    return prints


def changed_inputs(recorded: dict[str, str], inputs: dict[str, str]) -> list[str]:
    """The inputs that differ from the last good build (what a task it needs reran for is
    named by that task)."""
    changed = sorted(key for key in set(recorded) | set(inputs)
                     if recorded.get(key) != inputs.get(key))
    return [key for key in changed if not key.startswith("needs ")] or changed


def manifest_path(report_id: str, root: Path) -> Path:
    return build_dir(root) / "manifests" / f"{report_id}.json"


def read_manifest(report_id: str, root: Path) -> dict:
    try:
        return json.loads(manifest_path(report_id, root).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def outputs_intact(report_id: str, root: Path) -> bool:
    """Every file the last good build of the report left is still there."""
    manifest = read_manifest(report_id, root)
    return bool(manifest) and all((root / rel).exists() for rel in manifest.get("files", []))


def _output_files(report_id: str, root: Path, tasks: list[Task]) -> list[str]:
    files = [p for folder in report_dirs(report_id, root) if folder.is_dir()
             for p in folder.rglob("*") if p.is_file()]
    files += [p for task in tasks for p in task_outputs(task, report_id, root) if p.exists()]
    return sorted({str(p.relative_to(root)) for p in files})


# --- executing one notebook ------------------------------------------------------------

def start_kernel():
    """A kernel process, started in notebooks/ (papermill's own `cwd` would change the
    directory of the whole process, which parallel runs share). Returns at once; the kernel
    boots on its own."""
    from jupyter_core.utils import run_sync
    manager = _kernel_manager_class()(kernel_name=KERNEL)
    run_sync(manager.start_kernel)(cwd=str(paths.NOTEBOOKS), extra_arguments=KERNEL_ARGUMENTS)
    return manager


@lru_cache(maxsize=1)
def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        """Remembers the clients nbclient makes, to close them with the kernel (nbclient
        leaves them open when it did not start the kernel itself)."""
        clients: tuple = ()

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.clients = (*self.clients, made)
            return made

    return KernelManager


def stop_kernel(manager) -> None:
    from jupyter_core.utils import run_sync
    for client in manager.clients:
        client.stop_channels()
    run_sync(manager.shutdown_kernel)(now=True)


class KernelPool:
    """Kernels started ahead of the notebooks that will use them: a kernel's start-up
    (about half a second of CPU) then overlaps the wait for the notebooks a task needs.
    At most `size` wait at once, and no more than the notebooks `expected` to run."""

    def __init__(self, size: int, expected: int):
        self.size, self.expected = size, expected
        self._waiting: list = []
        self._lock = threading.Lock()

    def fill(self) -> None:
        with self._lock:
            while len(self._waiting) < min(self.size, self.expected):
                self._waiting.append(start_kernel())

    def expect(self, count: int) -> None:
        """Now it is known how many notebooks will run: stop the kernels not needed."""
        with self._lock:
            self.expected = count
            keep = max(min(self.size, count), 0)
            self._waiting, extra = self._waiting[:keep], self._waiting[keep:]
        for manager in extra:
            stop_kernel(manager)
        self.fill()

    def take(self, expected: bool):
        """A kernel for a notebook about to run (`expected`: one counted in advance)."""
        with self._lock:
            if expected:
                self.expected = max(0, self.expected - 1)
            manager = self._waiting.pop(0) if self._waiting else None
        self.fill()
        return manager or start_kernel()

    def close(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for manager in waiting:
            stop_kernel(manager)


def execute(notebook: Path, output: Path, parameters: dict, check: bool = True,
            kernel=None) -> Path:
    """Run one notebook with checked parameters; the executed copy is written to `output`.

    On failure papermill still writes the executed notebook, with an error banner, and
    raises PapermillExecutionError. The kernel (from start_kernel, else a new one) is
    shut down at the end.
    """
    import papermill as pm
    if check:
        check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    kernel = kernel or start_kernel()
    try:
        pm.execute_notebook(str(notebook), str(output), parameters=parameters,
                            kernel_name=KERNEL, km=kernel, progress_bar=False,
                            request_save_on_cell_execute=False, shutdown_kernel="immediate")
    finally:
        stop_kernel(kernel)
    return output


def describe_failure(report_id: str, notebook: str, exc: BaseException,
                     kept: Path | None) -> str:
    """The report, the notebook, the cell and the error in one line; where the executed
    notebook was kept."""
    from papermill.exceptions import PapermillExecutionError
    if isinstance(exc, PapermillExecutionError):
        first_line = next((line.strip() for line in (exc.source or "").splitlines()
                           if line.strip()), "")
        what = (f"failed at cell {exc.cell_index} (In [{exc.exec_count}]: {first_line[:60]!r}) "
                f"of the executed notebook: {exc.ename}: {exc.evalue}")
    else:
        what = f"failed: {type(exc).__name__}: {_last_line(exc)}"
    text = f"{report_id}: notebook {notebook} {what}"
    return text + (f"; executed notebook kept in {kept}" if kept else "")


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _import_exporter() -> None:
    """Import nbconvert while the first notebooks run, not when the first HTML is due."""
    from . import html  # noqa: F401
    import nbconvert  # noqa: F401


def _export_html(executed: Path, target: Path) -> None:
    from . import html
    html.export(executed, target)


def run_task(task: Task, report_id: str, staging: Path, root: Path,
             kernel=None) -> str | None:
    """Execute one task in the staging folder; a failure message, or None on success."""
    executed = paths.executed_notebooks_dir(report_id, staging) / f"{task.name}.ipynb"
    running = executed.with_name(f".{task.name}.running.ipynb")
    parameters = {**task.parameters, "out": str(staging)}
    try:
        execute(paths.NOTEBOOKS / task.step.notebook, running, parameters, check=False,
                kernel=kernel)
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


# --- running many notebooks ------------------------------------------------------------

@dataclass
class Job:
    key: str                    # unique in one run
    needs: tuple[str, ...]      # keys that must succeed first (keys not in the run: done)
    group: str                  # after a failure, the group's pending jobs do not start
    work: Callable[[], str | None]   # returns a failure message, or None
    after: tuple[str, ...] = ()      # keys that must have finished, failed or been dropped


def run_jobs(jobs: list[Job], workers: int) -> dict[str, tuple[str | None, float]]:
    """Run jobs on `workers` threads, each once what it needs has succeeded and what it
    comes after has ended, in list order otherwise. Returns, per job that ran: its failure
    (or None) and its seconds."""
    workers = max(1, workers)
    keys = {job.key for job in jobs}
    pending, running = list(jobs), {}
    succeeded: set[str] = set()
    ended: set[str] = set()            # succeeded, failed, or dropped after a failure
    failed_groups: set[str] = set()
    results: dict[str, tuple[str | None, float]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending or running:
            ended.update(job.key for job in pending if job.group in failed_groups)
            pending = [job for job in pending if job.group not in failed_groups]
            for job in list(pending):
                if len(running) >= workers:
                    break
                if all(k in succeeded or k not in keys for k in job.needs) and \
                        all(k in ended or k not in keys for k in job.after):
                    pending.remove(job)
                    running[pool.submit(_timed, job.work)] = job
            if not running:
                break   # nothing can start (cannot happen with needs inside one group)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                results[job.key] = future.result()
                ended.add(job.key)
                if results[job.key][0] is None:
                    succeeded.add(job.key)
                else:
                    failed_groups.add(job.group)
    return results


def _timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def make_jobs() -> int | None:
    """N when started by `make -jN` (make passes -jN to its recipes in MAKEFLAGS)."""
    found = re.search(r"(?:^|\s)-j(\d+)", os.environ.get("MAKEFLAGS", ""))
    return int(found[1]) if found else None


def default_jobs() -> int:
    """Notebooks run at once: the CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# --- staging and publishing -------------------------------------------------------------

@contextmanager
def _locked(path: Path):
    """An exclusive lock on a file: two builds into one OUT never overlap."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def stage(report_id: str, root: Path, tasks: list[Task], copy_current: bool) -> Path:
    """A new staging root; with `copy_current`, holding a copy of the report's outputs."""
    folder = build_dir(root) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f"{report_id}.*"):   # from an interrupted build
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{report_id}.", dir=folder))
    if copy_current:
        for source, target in zip(report_dirs(report_id, root), report_dirs(report_id, staging)):
            if source.is_dir():
                shutil.copytree(source, target, symlinks=True)
        for task in tasks:
            for path in html_outputs(task, report_id, root):
                if path.exists():
                    target = staging / path.relative_to(root)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    return staging


def publish(report_id: str, staging: Path, root: Path, tasks: list[Task]) -> None:
    """Move the staged outputs in place of the report's outputs."""
    for built, target in zip(report_dirs(report_id, staging), report_dirs(report_id, root)):
        if built.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            from . import store
            store.replace_dir(built, target)
        elif target.exists():
            shutil.rmtree(target)
    for task in tasks:
        for target in html_outputs(task, report_id, root):
            built = staging / target.relative_to(root)
            if built.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(built, target)
            else:
                target.unlink(missing_ok=True)


def write_summaries(root: Path, rewrite: bool) -> None:
    """What covers every report of OUT, rewritten after a report changed (or when missing):
    data/processed/all/ (helpers.combine) and reports/index.html (helpers.html)."""
    from . import combine, html
    if rewrite or not combine.combined_dir(root).exists():
        combine.write(root)
    if rewrite or not (paths.reports_dir(root) / "index.html").exists():
        html.write_index(root)


# --- building reports ---------------------------------------------------------------------

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
    from . import ingest
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
    return _sha("\n".join(lines).encode())


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
        return ["first build"]
    recorded = build.recorded.get("inputs", {}).get(task.name)
    if recorded is None:
        return ["not built before"]
    changed = changed_inputs(recorded, build.inputs[task.name])
    return [f"{key} changed" for key in changed] or ["outputs missing"]


def _task_job(build: Build, task: Task, builds: list[Build], root: Path,
              kernels: KernelPool) -> Job:
    """A job that brings one task up to date: it decides once what it needs has run."""

    def work() -> str | None:
        try:
            return bring_up_to_date()
        except Exception as exc:  # noqa: BLE001 - the report fails, the others go on
            return f"{build.report_id}: {task.step.notebook}: {type(exc).__name__}: {exc}"

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
        with _locked(build_dir(root) / "build.lock"):
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
            outcome.failures.append(f"{report}: report id {build.report_id} is already "
                                    f"built from {twin.report} in this run")
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
        threading.Thread(target=_import_exporter, daemon=True).start()
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
            build.outcome.failures.append(
                f"{build.report_id}: not run because of the failure: {', '.join(skipped)}; "
                "the report's previous outputs are unchanged")
        return
    if build.staging is not None:   # else everything was up to date
        publish(build.report_id, build.staging, root, build.tasks)
        manifest = {"tasks": build.prints, "inputs": build.inputs,
                    "files": _output_files(build.report_id, root, build.tasks)}
        from . import store
        store.write_json(manifest_path(build.report_id, root), manifest)
    shutil.rmtree(failed_dir(build.report_id, root), ignore_errors=True)   # stale now


def build_report(report: str | Path, out=None, langs=LANGS, jobs: int | None = None,
                 pipeline=None) -> Outcome:
    """Bring one report's outputs up to date; on failure, leave the previous ones as they were."""
    return build_reports([report], out, langs, jobs, pipeline)[0]


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


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - last resort: a message, not a bare traceback
        traceback.print_exc()
        sys.exit(1)
