"""Staging and publishing: a report's notebooks run in a staging folder, and a complete
build is published with one switch; then the summaries of every report are rewritten.

Each published build of a report is a folder, OUT/.build/reports/<report_id>/v-<n>/, laid
out like OUT itself (data/processed/<report_id>/, figures/<report_id>/,
reports/notebooks/<report_id>/, reports/<report_id>_<lang>.html) with the build's
manifest.json. `current` beside it is a link to the published one. What readers open in
OUT are links through `current` (data/processed/<report_id> ->
../../.build/reports/<report_id>/current/data/processed/<report_id>, ...): they never
change, and replacing `current` (one rename) switches the tables, figures, executed
notebooks, HTML and manifest of the report at once. A process killed at any instant leaves
either the old build or the new one in view; `recover` removes what it left behind.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .. import paths
from .pipeline import build_dir, failed_dir, report_dirs

CURRENT = "current"
MANIFEST = "manifest.json"


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


# --- where a report's builds are ---------------------------------------------------------

def versions_dir(report_id: str, root: Path) -> Path:
    """OUT/.build/reports/<report_id>/: the report's published build and the link to it."""
    return build_dir(root) / "reports" / report_id


def current_dir(report_id: str, root: Path) -> Path:
    """The published build of a report (through the `current` link)."""
    return versions_dir(report_id, root) / CURRENT


def published_reports(root: Path) -> list[str]:
    """The reports with a published build in OUT."""
    folder = build_dir(root) / "reports"
    return sorted(p.name for p in folder.iterdir()
                  if (p / CURRENT).is_dir()) if folder.is_dir() else []


def public_paths(report_id: str, root: Path) -> list[Path]:
    """What readers open in OUT: the report's folders, and its HTML files (those of the
    published build, and those in OUT: links to an older build, or from before versions).
    Never a path in a folder that a link takes out of OUT (the build refuses such an OUT,
    and nothing is touched there)."""
    reports = paths.reports_dir(root)
    names = {p.name for p in (current_dir(report_id, root) / reports.relative_to(root))
             .glob(f"{report_id}_*.html")}
    names |= {p.name for p in reports.glob(f"{report_id}_*.html")}
    found = [*report_dirs(report_id, root), *(reports / name for name in sorted(names))]
    return [path for path in found if paths.inside(path.parent, root)]


def _link_target(public: Path, report_id: str, root: Path) -> str:
    """The relative link a public path holds: through `current` to the same place."""
    inside = current_dir(report_id, root) / public.relative_to(root)
    return os.path.relpath(inside, public.parent)


def _is_our_link(public: Path, report_id: str, root: Path) -> bool:
    return public.is_symlink() and os.readlink(public) == _link_target(public, report_id, root)


def read_manifest(report_id: str, root: Path) -> dict:
    """The manifest of the report's published build: the fingerprints of its notebook runs
    and what they were made of, its raw file and its files; {} when there is none."""
    try:
        return json.loads(manifest_path(report_id, root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def manifest_path(report_id: str, root: Path) -> Path:
    return current_dir(report_id, root) / MANIFEST


def outputs_intact(report_id: str, root: Path) -> bool:
    """The published build has every file it was published with, all in view."""
    manifest = read_manifest(report_id, root)
    current = current_dir(report_id, root)
    return bool(manifest) and links_intact(report_id, root) and \
        all((current / rel).is_file() for rel in manifest.get("files", []))


def links_intact(report_id: str, root: Path) -> bool:
    """Every output of the published build is in view through its link."""
    current = current_dir(report_id, root)
    return all(_is_our_link(public, report_id, root)
               for public in public_paths(report_id, root)
               if os.path.lexists(current / public.relative_to(root)))


# --- staging -----------------------------------------------------------------------------

def stage(report_id: str, root: Path, copy_current: bool) -> Path:
    """A new staging root laid out like OUT; with `copy_current`, holding a copy of the
    report's published build (its notebooks that do not run keep their outputs)."""
    from .. import store   # pandas: imported once kernels are starting
    folder = build_dir(root) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{report_id}.", dir=folder))
    os.chmod(staging, store.DIR_MODE)   # it becomes the published folder: readable by all
    current = current_dir(report_id, root)
    if copy_current and current.is_dir():
        shutil.copytree(current, staging, symlinks=True, dirs_exist_ok=True,
                        ignore=lambda folder, names: [MANIFEST] if Path(folder) == current
                        else [])
    return staging


def staged_files(report_id: str, staging: Path) -> list[str]:
    """The report's own files in a staging folder, relative to it (for the manifest)."""
    return sorted(str(p.relative_to(staging)) for p in staging.rglob("*")
                  if p.is_file() and not p.is_symlink() and p.name != MANIFEST)


def _only_own_outputs(report_id: str, staging: Path) -> None:
    """Drop what a comparing step was shown of the other reports (links to their data)."""
    from .. import store
    processed = paths.processed_dir(report_id, staging).parent
    for entry in processed.iterdir() if processed.is_dir() else []:
        if entry.name != report_id:
            store.remove(entry)


# --- publishing --------------------------------------------------------------------------

def publish(report_id: str, staging: Path, root: Path, manifest: dict) -> None:
    """Publish a complete staged build: it becomes a version of the report, with its
    manifest (plus the list of its files), `current` is switched to it (one rename), then
    the public links are checked and older versions go."""
    from .. import store
    _only_own_outputs(report_id, staging)
    store.write_json(staging / MANIFEST, {**manifest, "files": staged_files(report_id, staging)})
    versions = versions_dir(report_id, root)
    versions.mkdir(parents=True, exist_ok=True)
    version = versions / f"v-{time.time_ns()}"
    os.replace(staging, version)
    switch = versions / f"{CURRENT}.new"
    if os.path.lexists(switch):
        os.unlink(switch)
    os.symlink(version.name, switch)
    os.replace(switch, versions / CURRENT)   # the switch: old build or new, never a mix
    link_public(report_id, root)
    prune_versions(report_id, root)


def link_public(report_id: str, root: Path) -> None:
    """Make each public path of the report a link through `current` when the published
    build has it, and remove it when it has not. The links themselves never change from
    one build to the next; an old real folder in the way (from before versions) is moved
    aside."""
    current = current_dir(report_id, root)
    for public in public_paths(report_id, root):
        if _is_our_link(public, report_id, root):
            if not os.path.lexists(current / public.relative_to(root)):
                os.unlink(public)
            continue
        if not os.path.lexists(current / public.relative_to(root)):
            if os.path.lexists(public):
                _set_aside(public, report_id, root)
            continue
        if public.is_dir() and not public.is_symlink():
            _set_aside(public, report_id, root)
        public.parent.mkdir(parents=True, exist_ok=True)
        link = public.with_name(f".{public.name}.link.tmp")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(_link_target(public, report_id, root), link)
        os.replace(link, public)


def _set_aside(path: Path, report_id: str, root: Path) -> None:
    """Move an output that is not part of the published build out of view (removed with
    the old versions)."""
    versions = versions_dir(report_id, root)
    versions.mkdir(parents=True, exist_ok=True)
    os.replace(path, versions / f"aside-{time.time_ns()}-{path.name}")


def prune_versions(report_id: str, root: Path) -> None:
    """Remove every build of the report but the published one."""
    from .. import store
    versions = versions_dir(report_id, root)
    keep = os.readlink(versions / CURRENT) if (versions / CURRENT).is_symlink() else None
    for entry in versions.iterdir():
        if entry.name not in (CURRENT, keep):
            store.remove(entry)


# --- repairs and removals ----------------------------------------------------------------

def recover(root: Path) -> None:
    """Repair what an interrupted build left (run under the build lock, before building):
    staging folders, builds never switched to, public links missing or left over, the
    temporary files and folders of helpers.store."""
    from .. import store
    shutil.rmtree(build_dir(root) / "staging", ignore_errors=True)
    folder = build_dir(root) / "reports"
    for versions in sorted(folder.iterdir()) if folder.is_dir() else []:
        if (versions / CURRENT).is_dir():
            link_public(versions.name, root)
            prune_versions(versions.name, root)
        else:                          # never published: nothing of it is in view
            _unlink_public(versions.name, root)
            shutil.rmtree(versions)
    for place in (paths.processed_dir("x", root).parent, paths.reports_dir(root),
                  paths.figures_dir("x", root).parent,
                  paths.executed_notebooks_dir("x", root).parent):
        if paths.inside(place, root):
            store.remove_leftovers(place)


def _unlink_public(report_id: str, root: Path) -> None:
    for public in public_paths(report_id, root):
        if _is_our_link(public, report_id, root):
            os.unlink(public)


def retire(report_id: str, root: Path) -> Path:
    """Take a report whose raw file is gone out of view: its builds (or, from before
    versions, its folders and HTML) move to OUT/.build/removed/<report_id>/."""
    target = build_dir(root) / "removed" / report_id
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _unlink_public(report_id, root)
    versions = versions_dir(report_id, root)
    if versions.exists():
        os.replace(versions, target)
    target.mkdir(exist_ok=True)
    failed = failed_dir(report_id, root)
    for public in [*public_paths(report_id, root), *([failed] if paths.inside(failed, root)
                                                     else [])]:
        if os.path.lexists(public):
            os.replace(public, target / str(public.relative_to(root)).replace("/", "__"))
    return target


def write_summaries(root: Path, rewrite: bool) -> None:
    """What covers every report of OUT, rewritten after a report changed (or when missing):
    data/processed/all/ (helpers.combine) and reports/index.html (helpers.html)."""
    from .. import combine, html
    if rewrite or not combine.combined_dir(root).exists():
        combine.write(root)
    if rewrite or not (paths.reports_dir(root) / "index.html").exists():
        html.write_index(root)
