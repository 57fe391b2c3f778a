"""JupyterLab and the committed notebooks: the project's kernel, and the form Lab saves.

`make venv` installs the kernel `cchc` ("CCHC (project .venv)", the .venv's Python) and
every notebook in notebooks/ names it, so that Lab starts the project's environment, not
another Python it finds. When Lab opens a notebook it writes into its metadata the kernel
it started (`kernelspec`) and what that kernel reports about its language
(`language_info`, with the Python version); the server then saves the notebook with
nbformat (one-space indentation, sorted keys, UTF-8 as is, a final newline). A notebook
committed in exactly that form is not marked modified when it is opened.

    python -m helpers.lab install          # the kernel and the kernel transport setting
    python -m helpers.lab check [FILES]    # notebooks not in Lab's form (exit 1)
    python -m helpers.lab write [FILES]    # rewrite them in Lab's form
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import paths
from .text import cli_message as message

KERNEL_NAME = "cchc"
KERNEL_DISPLAY_NAME = "CCHC (project .venv)"
KERNELSPEC = {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL_NAME}
NBFORMAT = (4, 5)           # what Lab 4 writes (4.5: every cell has an id)
# Jupyter's configuration for this environment: the Jupyter applications started from the
# .venv (Lab, nbconvert --execute) encrypt the traffic with their kernels (CurveZMQ keys
# made by the kernel manager) instead of each kernel warning, on the terminal, that it
# runs over TCP without encryption.
JUPYTER_CONFIG = {"KernelManager": {"transport_encryption": "auto"}}


def language_info() -> dict:
    """What the project's kernel (ipykernel on this Python) reports about its language;
    Lab copies it into the notebook's metadata when the kernel starts."""
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)


def as_lab_saves(text: str, language: dict | None = None) -> str:
    """A notebook's file as Lab saves it after opening it with the project's kernel."""
    import nbformat
    notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    if (notebook.nbformat, notebook.nbformat_minor) != NBFORMAT or any(
            "id" not in cell for cell in notebook.cells):
        # Lab would upgrade it and give each cell a new random id on every opening
        raise ValueError(message("lab_without_ids", version=f"{notebook.nbformat}."
                                 f"{notebook.nbformat_minor}"))
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = language or language_info()
    written = nbformat.writes(notebook, version=nbformat.NO_CONVERT)
    return written if written.endswith("\n") else written + "\n"


def rewrite(path: Path) -> bool:
    """Write one notebook in Lab's form (upgrading it and giving its cells ids if needed);
    True when it changed."""
    import nbformat
    before = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(before, as_version=NBFORMAT[0])
    if notebook.nbformat_minor < NBFORMAT[1] or any("id" not in c for c in notebook.cells):
        notebook = nbformat.v4.upgrade(notebook, from_minor=notebook.nbformat_minor)
        notebook.nbformat_minor = NBFORMAT[1]
    after = as_lab_saves(nbformat.writes(notebook))
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


def committed_notebooks() -> list[Path]:
    return sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def install() -> None:
    """The project's kernel (this Python) and the Jupyter configuration of this environment."""
    import zmq
    from ipykernel.kernelspec import install as install_kernel
    install_kernel(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME,
                   prefix=sys.prefix)
    config = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    # pyzmq's wheels have CurveZMQ; without it, Jupyter keeps its default (and the warning)
    settings = JUPYTER_CONFIG if zmq.has("curve") else {}
    config.write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.lab", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("install", "check", "write"))
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks (default: every notebook in notebooks/)")
    args = parser.parse_args(argv)
    if args.command == "install":
        install()
        return 0
    notebooks = args.notebooks or committed_notebooks()
    if args.command == "write":
        for path in notebooks:
            if rewrite(path):
                print(f"rewrote {path}")
        return 0
    differ = [path for path in notebooks if not in_lab_form(path)]
    for path in differ:
        print(message("lab_not_in_form", path=str(path)), file=sys.stderr)
    return 1 if differ else 0


def in_lab_form(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    try:
        return as_lab_saves(text) == text
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
