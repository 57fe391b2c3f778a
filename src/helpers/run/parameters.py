"""A notebook's parameters: read from its `parameters` cell, checked before anything runs
(papermill itself only warns about unknown parameters, and silently skips a line it
cannot read)."""
from __future__ import annotations

import ast
import difflib
import json
import re
import threading
from functools import lru_cache
from pathlib import Path

from ..errors import ReportError

_AST_LOCK = threading.Lock()


def parse_python(source: str) -> ast.AST:
    """ast.parse, one thread at a time: CPython 3.11 can fail parsing in two threads at
    once ("AST constructor recursion depth mismatch", python/cpython#106905)."""
    with _AST_LOCK:
        return ast.parse(source)


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
                tree = parse_python("".join(cell["source"]))
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
