"""Reading and writing processed files: UTF-8 with BOM for Excel, written atomically.

Every file is written to a temporary name beside its target and moved into place,
so a reader never sees half a file and a failed run leaves the last good one.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_FILE_MODE = 0o666 & ~_umask()
DIR_MODE = 0o777 & ~_umask()
# What the helpers below leave beside a target while they work: .<name>.<random>.tmp files,
# .<name>.<random>.build and .<name>.old folders.
_LEFTOVER_SUFFIXES = (".tmp", ".build", ".old")


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; move it onto `target` if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, _FILE_MODE)  # mkstemp makes 0600; outputs are ordinary files
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: Path, data) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_table(frame: pd.DataFrame, path: Path, parquet: bool = True) -> Path:
    """CSV in UTF-8 with BOM (Excel shows Vietnamese right), plus Parquet beside it."""
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    if parquet:
        with atomic_path(path.with_suffix(".parquet")) as tmp:
            frame.to_parquet(tmp, index=False)
    return path


def read_table(path: Path) -> pd.DataFrame:
    """A processed table (Parquet when present: types kept; else the CSV)."""
    path = Path(path)
    parquet = path.with_suffix(".parquet")
    if parquet.exists():
        return pd.read_parquet(parquet)
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def replace_dir(build: Path, target: Path) -> None:
    """Put a fully built folder in place of `target` (the old one is removed only after;
    a link in its place is replaced by the folder, never followed)."""
    target = Path(target)
    old = target.with_name(f".{target.name}.old")
    remove(old)
    if os.path.lexists(target):
        os.replace(target, old)
    os.replace(build, target)
    remove(old)


def remove(path: Path) -> None:
    """Remove a file, a link (not what it points to) or a folder, if there."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def remove_leftovers(folder: Path) -> None:
    """Remove what an interrupted atomic_path, building_dir or replace_dir left in a folder."""
    folder = Path(folder)
    for entry in folder.iterdir() if folder.is_dir() else []:
        if entry.name.startswith(".") and entry.name.endswith(_LEFTOVER_SUFFIXES):
            remove(entry)


@contextmanager
def building_dir(target: Path):
    """A temporary folder beside `target`; it replaces `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".build", dir=target.parent))
    os.chmod(build, DIR_MODE)
    try:
        yield build
        replace_dir(build, target)
    finally:
        if build.exists():
            shutil.rmtree(build)
