"""make's stamp: what the last good build was made of, so that a no-op `make report`
starts no Python.

After a build in which every report is up to date, the runner writes into the stamp
folder (OUT/.build/stamps/):

- inputs.list: the reports make asked for, then every file under the inputs of a build
  (SCOPE, and the reports named with their sidecars), each as "path\\x01link target",
  NUL-separated and sorted bytewise: exactly what scripts/up-to-date.sh gets from `find`;
- inputs.sha256: the content hash of each of those that is a regular file, in sha256sum's
  format, as the build read them (a raw file edited during the build keeps the hash that
  was built);
- summary.txt: the line `make report` prints when everything is up to date.

scripts/up-to-date.sh compares the first with `find` and checks the second with
`sha256sum --check`: any added, removed, renamed or changed file, or another choice of
reports, starts the runner; a copy with an older date is a change like any other.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from .fingerprints import Hashes

# The inputs of a build, relative to the project: the same list is in scripts/up-to-date.sh
SCOPE = ("data/raw", "notebooks", "src/helpers", "pyproject.toml")
SKIPPED = (b"__pycache__", b".ipynb_checkpoints")   # never looked into (find's -prune)
LISTING, SUMS, SUMMARY = "inputs.list", "inputs.sha256", "summary.txt"


def sidecar_argument(report: str) -> str:
    """The sidecar of a report named on the command line, as the shell writes it:
    ${report%.*}.meta.json."""
    return (report[:report.rindex(".")] if "." in report else report) + ".meta.json"


def starts(selection: list[str]) -> list[str]:
    """Where find starts: the inputs, each report named and its sidecar (a name that starts
    with '-' is given as ./name, so that find does not take it for an option)."""
    named = [f"./{report}" if report.startswith("-") else report for report in selection]
    return [*SCOPE, *(name for report in named for name in (report, sidecar_argument(report)))]


def listing(selection: list[str]) -> list[tuple[bytes, Path | None]]:
    """Every entry under the inputs, as find prints it ("path\\x01link target"), with the
    file a regular one holds (None for anything else: a device, a broken link)."""
    found: list[tuple[bytes, Path | None]] = []
    for start in starts(selection):
        base = paths.PROJ_ROOT / start if start in SCOPE else Path(start)
        _walk(os.fsencode(start), os.fsencode(base), found)
    return sorted(found, key=lambda entry: entry[0])


def _walk(shown: bytes, real: bytes, found: list) -> None:
    """find START \\( -name __pycache__ -o -name .ipynb_checkpoints \\) -prune -o ! -type d
    ! -name '*.pyc' -printf '%p\\001%l\\0', for one start point."""
    try:
        info = os.lstat(real)
    except OSError:
        return
    name = os.path.basename(shown.rstrip(b"/")) or shown
    if name in SKIPPED:
        return
    if stat.S_ISDIR(info.st_mode):
        with os.scandir(real) as entries:
            names = [entry.name for entry in entries]
        for child in names:
            _walk(shown.rstrip(b"/") + b"/" + child, real + b"/" + child, found)
        return
    if name.endswith(b".pyc"):
        return
    target = os.readlink(real) if stat.S_ISLNK(info.st_mode) else b""
    regular = os.path.isfile(real)   # a link to a regular file is hashed through the link
    found.append((shown + b"\x01" + target, Path(os.fsdecode(real)) if regular else None))


@dataclass
class Snapshot:
    listed: bytes                           # inputs.list
    files: dict[bytes, tuple[Path, str]]    # each regular file listed: its file and hash


def take_snapshot(selection: list[str], hashes: Hashes) -> Snapshot:
    """The stamp's listing and the content hash of each regular file in it, read now."""
    entries = listing(selection)
    header = b"".join(os.fsencode(report) + b"\0" for report in selection) + b"\0"
    listed = header + b"".join(record + b"\0" for record, _ in entries)
    return Snapshot(listed, {record.split(b"\x01", 1)[0]: (file, hashes.of(file))
                             for record, file in entries if file})


def sums_line(path: bytes, digest: str) -> bytes:
    """One line of sha256sum's output (a name with a backslash or a line break escaped)."""
    if any(char in path for char in (b"\\", b"\n", b"\r")):
        escaped = path.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
        return b"\\" + digest.encode() + b"  " + escaped + b"\n"
    return digest.encode() + b"  " + path + b"\n"


def write_stamp(folder: Path, listed: bytes, sums: dict[bytes, str], summary: str) -> None:
    """Write the stamp; the listing last, so that a stamp cut short never matches."""
    folder.mkdir(parents=True, exist_ok=True)
    clear_stamp(folder)
    (folder / SUMS).write_bytes(b"".join(sums_line(p, d) for p, d in sorted(sums.items())))
    (folder / SUMMARY).write_text(summary + "\n", encoding="utf-8")
    temporary = folder / f".{LISTING}.tmp"
    temporary.write_bytes(listed)
    os.replace(temporary, folder / LISTING)


def clear_stamp(folder: Path) -> None:
    """No stamp: the next `make report` starts the runner."""
    (Path(folder) / LISTING).unlink(missing_ok=True)


def check_writable(folder: Path) -> str | None:
    """Why the stamp cannot be written in `folder` (None when it can)."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        probe = Path(folder) / ".probe.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None
