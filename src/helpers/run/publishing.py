"""Staging and publishing: a report's notebooks run in a staging folder, and only a
complete build replaces its outputs; then the summaries of every report are rewritten."""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .. import paths
from .pipeline import Task, build_dir, html_outputs, report_dirs


@contextmanager
def locked(path: Path):
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
            from .. import store
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
    from .. import combine, html
    if rewrite or not combine.combined_dir(root).exists():
        combine.write(root)
    if rewrite or not (paths.reports_dir(root) / "index.html").exists():
        html.write_index(root)
