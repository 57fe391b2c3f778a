"""The analyst in JupyterLab: the project's kernel, notebooks in the form Lab saves, a quiet
terminal, and `make lab` as root.

What Lab does on opening a notebook was read off JupyterLab 4.6 itself (headless Chromium,
every notebook of notebooks/ opened, the tab watched for its modified mark, then saved): it
writes the kernel it started into `kernelspec` and that kernel's `language_info` (with the
Python version) into the metadata, and the server writes the file with nbformat (sorted
keys, one-space indentation, UTF-8 as is, a final newline). `helpers.lab.as_lab_saves` does
the same here without a browser.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers import lab, paths

NOTEBOOKS = lab.committed_notebooks()


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_names_the_project_kernel(notebook):
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    assert metadata["kernelspec"] == {"display_name": "CCHC (project .venv)",
                                      "language": "python", "name": "cchc"}


def test_the_project_kernel_is_installed_and_runs_this_python():
    """`make venv` (helpers.lab install) puts the kernel in the .venv: Lab finds it there."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(lab.KERNEL_NAME)
    assert spec.display_name == lab.KERNEL_DISPLAY_NAME and spec.language == "python"
    assert Path(spec.resource_dir).is_relative_to(Path(sys.prefix))
    assert Path(spec.argv[0]) == Path(sys.executable)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_read_and_written_back_as_lab_does_is_byte_identical(notebook):
    """Lab's kernel reports the Python it runs; the notebooks record the team's Python
    (see the next test), so the comparison takes the version the notebook holds."""
    text = notebook.read_text(encoding="utf-8")
    recorded = json.loads(text)["metadata"]["language_info"]["version"]
    assert lab.as_lab_saves(text, {**lab.language_info(), "version": recorded}) == text


def test_the_notebooks_record_one_python_of_the_environments_series():
    """All notebooks were saved by one Python, of the series environment.yml installs (with
    another release of it, Lab writes its own version on opening)."""
    versions = {json.loads(p.read_text(encoding="utf-8"))["metadata"]["language_info"]["version"]
                for p in NOTEBOOKS}
    assert len(versions) == 1
    environment = yaml.safe_load((paths.PROJ_ROOT / "environment.yml").read_text(
        encoding="utf-8"))
    series = next(d for d in environment["dependencies"]
                  if isinstance(d, str) and d.startswith("python=")).split("=")[1]
    assert versions.pop().startswith(series + ".")


def test_what_lab_rewrites_is_caught(tmp_path):
    """Each way a saved notebook differs from what Lab writes makes the check fail."""
    good = NOTEBOOKS[0].read_text(encoding="utf-8")
    language = {**lab.language_info(), "version": json.loads(good)["metadata"][
        "language_info"]["version"]}
    notebook = json.loads(good)
    assert lab.as_lab_saves(good, language) == good
    other_kernel = json.loads(good)
    other_kernel["metadata"]["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                              "language": "python", "name": "python3"}
    short_language = json.loads(good)
    short_language["metadata"]["language_info"] = {"name": "python"}
    variants = {
        "another kernel": json.dumps(other_kernel, indent=1, sort_keys=True,
                                     ensure_ascii=False) + "\n",
        "language_info as nbformat leaves it": json.dumps(
            short_language, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        "two-space indentation": json.dumps(notebook, indent=2, sort_keys=True,
                                            ensure_ascii=False) + "\n",
        "no final newline": good.rstrip("\n"),
        "escaped Vietnamese": json.dumps(notebook, indent=1, sort_keys=True) + "\n",
    }
    for name, text in variants.items():
        assert lab.as_lab_saves(text, language) != text, name
    no_ids = json.loads(good)
    no_ids["nbformat_minor"] = 4
    for cell in no_ids["cells"]:
        del cell["id"]
    with pytest.raises(ValueError, match="without id"):
        lab.as_lab_saves(json.dumps(no_ids), language)


def test_the_rewrite_gives_an_old_notebook_ids_once_and_lab_s_form(tmp_path):
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x: int = 1")])
    old.nbformat_minor = 4
    del old.cells[0]["id"]
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(old, indent=2), encoding="utf-8")
    assert lab.main(["check", str(path)]) == 1
    assert lab.rewrite(path) is True
    first = path.read_text(encoding="utf-8")
    assert json.loads(first)["nbformat_minor"] == 5 and json.loads(first)["cells"][0]["id"]
    assert lab.rewrite(path) is False           # the ids stay: Lab finds nothing to change
    assert path.read_text(encoding="utf-8") == first
    assert lab.main(["check", str(path)]) == 0


def _kernel_log(config) -> str:
    """What a kernel started by a kernel manager with `config` writes on the terminal."""
    from jupyter_client.manager import KernelManager
    manager = KernelManager(kernel_name=lab.KERNEL_NAME, config=config)
    log = tempfile.TemporaryFile()
    manager.start_kernel(stdout=log, stderr=log)
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
    log.seek(0)
    return log.read().decode()


@pytest.mark.slow
def test_kernels_of_jupyter_apps_in_the_venv_say_nothing_about_encryption():
    """Lab and nbconvert read the .venv's Jupyter configuration (helpers.lab install): their
    kernels talk over encrypted sockets, so no kernel warns on the terminal that it does not.
    Without it (the control), the warning is there."""
    from jupyter_core.application import JupyterApp
    from traitlets.config import Config
    app = JupyterApp()
    app.load_config_file()          # jupyter_config.json, from the .venv's etc/jupyter too
    assert app.config.KernelManager.transport_encryption == "auto"
    assert "without encryption" not in _kernel_log(app.config)
    assert "without encryption" in _kernel_log(Config())


def test_make_lab_starts_as_root():
    """Containers and the team's machines run as root; Lab refuses root unless allowed."""
    shown = subprocess.run(["make", "-n", "--no-print-directory", "-o", ".venv/.installed",
                            "-o", lab_setup(), "lab"],
                           cwd=paths.PROJ_ROOT, capture_output=True, text=True, check=True,
                           env={k: v for k, v in os.environ.items() if k != "MAKEFLAGS"})
    command = shown.stdout.strip().splitlines()[-1]
    assert "jupyter lab" in command and "--notebook-dir=notebooks" in command
    assert "--ServerApp.allow_root=True" in command


def lab_setup() -> str:
    return ".venv/etc/jupyter/jupyter_config.json"
