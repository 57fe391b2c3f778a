"""The figures of a report as described by files: `figures/<report_id>/figures.json`.

Each chart notebook records, beside the images it saves, what it drew for its theme:
every figure's name, its files (PNG, SVG per language, and the CSV of the data
drawn), and its texts per language (title, caption, alt text, notes, source line),
plus the names of the theme's charts that the data could not support. The leadership
pages read this file (never the plotting code): a theme missing from it is a build
error, not a silent omission.

Paths are relative to the figures folder, so that a built folder can be moved whole.
Several chart notebooks of one report run at once: each replaces only its own theme's
entries, under a lock.
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import paths, store
from .errors import ReportError

MANIFEST = "figures.json"
TEXT_FIELDS = ("title", "caption", "alt", "source", "notes")


@dataclass(frozen=True)
class FigureInfo:
    """One saved figure in one language, as the pages need it."""

    name: str
    theme: str
    lang: str
    png: Path
    svg: Path
    narrow: Path | None   # the phone variant: panels stacked, no title or footer inside
    csv: Path | None
    title: str
    caption: str
    alt: str
    source: str
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


def manifest_path(report_id: str, out=None) -> Path:
    return paths.figures_dir(report_id, out) / MANIFEST


@contextmanager
def _locked(path: Path):
    """The manifest's folder locked while one theme rewrites it (no lock file left)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)   # closing releases the lock


def _read(path: Path) -> dict:
    if not path.exists():
        return {"themes": {}, "figures": []}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ReportError(f"{MANIFEST} cannot be read ({exc})", path=path, kind="figures",
                          hint="run the chart notebooks again") from None


def record_theme(report_id: str, theme: str, entries: list[dict], not_drawn: list[str],
                 out=None) -> Path:
    """Replace one theme's figures in the manifest (the other themes stay as they are)."""
    path = manifest_path(report_id, out)
    with _locked(path):
        manifest = _read(path)
        manifest["report_id"] = report_id
        manifest["themes"][theme] = {"drawn": [e["name"] for e in entries],
                                     "not_drawn": list(not_drawn)}
        manifest["figures"] = [f for f in manifest["figures"] if f["theme"] != theme] + entries
        store.write_json(path, manifest)
    return path


def read(report_id: str, lang: str, themes, out=None) -> list[FigureInfo]:
    """The figures of `themes` in `lang`, in the themes' order; an error when a theme
    has no entry or a file it lists is missing."""
    folder = paths.figures_dir(report_id, out)
    manifest = _read(manifest_path(report_id, out))
    found = []
    for theme in themes:
        if theme not in manifest["themes"]:
            raise ReportError(f"no charts recorded for '{theme}' in {MANIFEST}: the notebook "
                              "that draws them has not run", path=folder / MANIFEST,
                              kind="figures", hint="run `make report` (or that notebook)")
        for entry in (f for f in manifest["figures"] if f["theme"] == theme):
            texts = entry[lang]
            info = FigureInfo(
                name=entry["name"], theme=theme, lang=lang, png=folder / texts["png"],
                svg=folder / texts["svg"],
                narrow=folder / texts["narrow"] if texts.get("narrow") else None,
                csv=folder / entry["data"] if entry.get("data") else None,
                title=texts["title"], caption=texts["caption"], alt=texts["alt"],
                source=texts["source"], notes=tuple(texts.get("notes", ())),
                references=tuple(entry.get("references", ())))
            absent = [p for p in (info.png, info.svg, info.narrow, info.csv)
                      if p and not p.exists()]
            if absent:
                raise ReportError(f"{MANIFEST} lists {absent[0].name}, which is missing",
                                  path=folder / MANIFEST, kind="figures",
                                  hint="run `make report` again")
            found.append(info)
    return found
