"""The published pages as plain files, to hand on: `make share DEST=<folder>`.

    python -m helpers.share [--out OUT] DEST

In OUT the briefs and appendices are links into the runner's published builds
(`OUT/.build/reports/<report_id>/current/`). This copies what they show now, and the index
pages, as ordinary files into DEST: a folder a leader can be sent, zipped or put on a share.
The pages are self-contained (charts and data embedded) and link to each other by name, so
they work from DEST as they are.

OUT is only read. DEST may not be the project's data/raw/ (never written), nor OUT or a
folder of OUT's outputs (data/, figures/, reports/, .build/), nor inside one of them. A
file of the same name in DEST is replaced (the name itself, even when it is a link); other
files in DEST stay. Every page is checked before the first is copied.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from . import paths, store
from .errors import ReportError
from .html import INDEX_FILES, REPORT_FILE
from .text import cli_message as message

# the folders of OUT that builds write (data/ holds data/processed/ and, in the project,
# data/raw/)
OUTPUT_FOLDERS = ("data", "figures", "reports", ".build")


def pages(out=None) -> list[Path]:
    """The published pages of OUT: every brief and appendix, then the index pages."""
    folder = paths.reports_dir(out)
    found = sorted(p for p in folder.glob("*.html") if REPORT_FILE.match(p.name)
                   and p.name not in INDEX_FILES.values()) if folder.is_dir() else []
    if not found:
        raise ReportError(message("share_nothing", folder=str(folder)), kind="nothing")
    indexes = [folder / name for name in INDEX_FILES.values()]
    for page in [*found, *indexes]:
        if not page.is_file():      # a link whose build is gone, a missing index
            raise ReportError(message("share_missing", file=str(page)), kind="missing")
    return [*found, *indexes]


def check_destination(dest: Path, out=None) -> Path:
    """DEST, resolved; refused inside data/raw/ or where OUT's outputs are."""
    dest = Path(dest).expanduser().resolve()
    root = paths.out_root(out)
    refused = [paths.RAW.resolve()] + [(root / name).resolve() for name in OUTPUT_FOLDERS]
    if dest == root or any(dest == folder or folder in dest.parents for folder in refused):
        raise ReportError(message("share_refused", folder=str(dest), out=str(root)),
                          kind="refused")
    if dest.exists() and not dest.is_dir():
        raise ReportError(message("share_not_a_folder", folder=str(dest)), kind="not_a_folder")
    return dest


def share(dest, out=None) -> list[Path]:
    """Copy the published pages of OUT into DEST as plain files; the files written."""
    dest = check_destination(dest, out)
    sources = pages(out)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        target = dest / source.name
        with store.atomic_path(target) as tmp:      # replaces a link by name, never its target
            shutil.copyfile(source, tmp)            # follows the link: the page itself
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.share",
                                     description=message("share_description"))
    parser.add_argument("dest", type=Path, help=message("share_dest_help"))
    parser.add_argument("--out", default=None, help=message("output_help"))
    args = parser.parse_args(argv)
    try:
        written = share(args.dest, args.out)
    except (ReportError, OSError) as exc:
        print(message("share_error", error=str(exc)), file=sys.stderr)
        return 1
    reports = {REPORT_FILE.match(p.name)["report_id"] for p in written
               if p.name not in INDEX_FILES.values()}
    print(message("share_done", count=len(written), reports=len(reports),
                  folder=str(written[0].parent)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
