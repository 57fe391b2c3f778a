"""Fingerprints: what each notebook run depends on, hashed, and the manifest of the last
good build that records them (so that only what changed runs, and the runner can say why)."""
from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .. import paths
from .parameters import parse_python
from .pipeline import KERNEL, Task

FINGERPRINT_VERSION = "2"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    """The sha256 of a file, read in pieces (a big file is never held in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


class Hashes:
    """File hashes, each computed once per build (by the file's real path)."""

    def __init__(self):
        self._cache: dict[Path, str] = {}
        self._shared: dict[str, str] | None = None

    def of(self, path: Path) -> str:
        path = Path(path).resolve()
        if path not in self._cache:
            self._cache[path] = file_sha(path) if path.is_file() else "missing"
        return self._cache[path]

    def code(self) -> str:
        """One hash of everything but the raw reports that a build reads: the notebooks,
        the package (its code and data), the reference data and the pinned packages."""
        files = sorted([*paths.NOTEBOOKS.glob("*.ipynb"),
                        *(p for p in paths.PACKAGE.rglob("*.py") if "__pycache__" not in p.parts),
                        *shared_inputs()])
        return sha(json.dumps([[str(p), self.of(p)] for p in files]
                              + [pinned_packages()]).encode())

    def shared(self) -> dict[str, str]:
        """The inputs every notebook has: package data, reference data, pinned packages."""
        if self._shared is None:
            self._shared = {str(p.relative_to(paths.PROJ_ROOT)): self.of(p)
                            for p in shared_inputs()}
            self._shared["pinned packages"] = sha(pinned_packages().encode())
        return self._shared


def module_file(module: str) -> Path | None:
    """The source file of a `helpers` module, or None when the name is not a module."""
    base = paths.PACKAGE.joinpath(*module.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_helpers(tree: ast.AST, package: str) -> set[str]:
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
        wanted = imported_helpers(parse_python(_notebook_code(notebook)), "helpers")
    except SyntaxError:
        return sorted(p for p in paths.PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    todo = sorted(wanted | {"helpers"} | {f"helpers.{m}" for m in extra_modules})
    seen: dict[str, Path] = {}
    while todo:
        module = todo.pop()
        source = module_file(module)
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
    tree = parse_python(Path(source).read_text(encoding="utf-8"))
    return frozenset(imported_helpers(tree, package))


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
    return sha(json.dumps(inputs, sort_keys=True).encode())


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
