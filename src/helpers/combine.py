"""Every report of an output folder in one table: `data/processed/all/`.

    python -m helpers.combine [--out DIR]

Each report's processed tables (`indicators`, `facts`, and `audit` where the audit
has run) are stacked with the report's `province` and `year` (from its
report.json) beside `report_id`, so that years and provinces can be compared.
`reports.csv` lists the reports that went in.

The tables are rebuilt from the report folders as they are on disk, so they always
describe exactly the reports present in OUT (a removed report disappears from them).
Each report's file is read once per process while it stays the same file (a kernel that
runs the comparisons of many reports of a batch reads every report once, not once per
report: `_read`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths, store

ALL = "all"                       # the folder of the combined tables
TABLES = ("indicators", "facts", "audit")
REPORT_COLUMNS = ["report_id", "province", "year", "number", "date", "source_file"]


def combined_dir(out=None) -> Path:
    return paths.processed_dir(ALL, out)


def report_ids(out=None) -> list[str]:
    """The reports processed into OUT (folders holding a report.json), sorted."""
    root = combined_dir(out).parent
    if not root.is_dir():
        return []
    return sorted(folder.name for folder in root.iterdir()
                  if folder.is_dir() and folder.name != ALL and not folder.name.startswith(".")
                  and (folder / "report.json").is_file())


def reports(out=None) -> pd.DataFrame:
    """One row per processed report: report_id, province, year, number, date, source file."""
    rows = []
    for report_id in report_ids(out):
        meta = _read(paths.processed_dir(report_id, out) / "report.json")
        rows.append({column: meta.get(column) for column in REPORT_COLUMNS})
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["province", "year"], kind="stable").reset_index(drop=True)


def collect(table: str, out=None) -> pd.DataFrame:
    """One table of every report, with `province` and `year` after `report_id`.

    Reports without that table (e.g. no audit yet) are skipped; an empty frame
    comes back when no report has it.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table '{table}' (one of {', '.join(TABLES)})")
    index = reports(out)
    frames = []
    for meta in index.to_dict("records"):
        path = paths.processed_dir(meta["report_id"], out) / f"{table}.csv"
        if path.exists():
            frames.append(_read(path, meta["report_id"], meta["province"], meta["year"]))
    if not frames:
        return pd.DataFrame(columns=["report_id", "province", "year"])
    return pd.concat(frames, ignore_index=True)


def _read(path: Path, *report):
    """A report's table with `report` (its id, province and year) in front, or its
    report.json (no `report`): read once while it is the same file, the same contents
    behind the same real path, inode, size and modification time (processed files are
    replaced, never edited in place). Callers must not change what they get."""
    real = Path(path).resolve()
    parquet = real.with_suffix(".parquet")
    source = parquet if real.suffix == ".csv" and parquet.exists() else real
    stat = source.stat()
    return _read_file(str(real), (stat.st_ino, stat.st_size, stat.st_mtime_ns), report)


@lru_cache(maxsize=1024)
def _read_file(path: str, identity: tuple, report: tuple):
    if not report:
        return store.read_json(Path(path))
    frame = store.read_table(Path(path)).drop(columns=["report_id", "province", "year"],
                                              errors="ignore")
    for position, (column, value) in enumerate(zip(("report_id", "province", "year"), report)):
        frame.insert(position, column, value)
    return frame


def write(out=None) -> list[Path]:
    """Rebuild data/processed/all/ from every report in OUT; returns the files written.

    The folder is replaced as a whole; with no processed report nothing is written.
    """
    index = reports(out)
    if index.empty:
        return []
    written = []
    target = combined_dir(out)
    with store.building_dir(target) as build:
        store.write_table(index, build / "reports.csv", parquet=False)
        written.append(target / "reports.csv")
        for table in TABLES:
            frame = collect(table, out)
            if frame.empty:
                continue
            store.write_table(frame, build / f"{table}.csv")
            written.append(target / f"{table}.csv")
    return written


def load(table: str, out=None) -> pd.DataFrame:
    """A combined table as written by `write` (`reports`, `indicators`, `facts`, `audit`)."""
    return store.read_table(combined_dir(out) / f"{table}.csv")


def main(argv=None) -> int:
    import argparse

    from .text import cli_lang, t
    lang = cli_lang()
    parser = argparse.ArgumentParser(prog="python -m helpers.combine",
                                     description=t("cli.combine_description", lang))
    parser.add_argument("--out", default=None, help=t("cli.output_help", lang))
    args = parser.parse_args(argv)
    written = write(args.out)
    count = len(report_ids(args.out))
    print(t("cli.combine_done", lang, count=count, files=", ".join(str(p) for p in written))
          if written else t("cli.combine_nothing", lang, count=count))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
