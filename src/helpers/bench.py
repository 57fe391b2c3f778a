"""`make bench`: how long builds take, and how that compares with the work itself.

    python -m helpers.bench [--runs 3] [--batch 20] [--notebook 10_narrative.ipynb]

Measures, each the median of several runs where it says so:
- parse time per report (helpers.ingest.read of the seed, in this process);
- the cold `make report` of the seed into an empty OUT (environment ready);
- the no-op `make report` right after it;
- one notebook changed: the runner after an edit of one notebook (made in a copy of
  notebooks/, never in the project's own), which re-runs it and what needs it;
- the time of each notebook run, and the peak memory of the whole build (all processes);
- the floor: for each notebook run, one kernel start plus the time its cells take
  (measured in a build that runs one notebook at a time, so that nothing competes),
  summed and divided by the cores used; then the cold build divided by the floor;
- a batch of synthetic copies of the seed (other provinces and years, in a temporary
  folder, never in data/raw/) built with `make -j2`, and its time per report.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import paths, run

SEED = paths.RAW / "thai-nguyen_2022_bc-301-ubnd.txt"
# Provinces and years for the synthetic batch (the seed's text with another name and year)
PROVINCES = ["Bắc Giang", "Bắc Ninh", "Cao Bằng", "Điện Biên", "Hà Giang", "Hà Nam",
             "Hải Dương", "Hòa Bình", "Hưng Yên", "Lai Châu", "Lạng Sơn", "Lào Cai",
             "Nam Định", "Ninh Bình", "Phú Thọ", "Quảng Ninh", "Sơn La", "Thái Bình",
             "Tuyên Quang", "Yên Bái"]
YEARS = [2021, 2022, 2023]


# --- measuring -------------------------------------------------------------------------

def median(values) -> float:
    return statistics.median(values) if values else float("nan")


class PeakMemory:
    """Samples the resident memory of a process and all its descendants (from /proc)."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.every)


def tree_rss(root: int) -> int:
    """Bytes of resident memory of `root` and its descendants."""
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[1])
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        rss[int(entry.name)] = int(found[1]) * 1024 if found else 0
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in family)


@dataclass
class Timed:
    seconds: float
    peak_bytes: int
    output: str
    returncode: int


def timed(command: list[str], env=None) -> Timed:
    """Run a command from the project root; wall time and peak memory of its process tree."""
    # a make started by `make bench` must not inherit its parent's flags or job slots
    env = {k: v for k, v in (env or os.environ).items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=paths.PROJ_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    seconds = time.perf_counter() - start
    return Timed(seconds, memory.peak, output, process.returncode)


def make_report(reports: list[Path], out: Path, jobs: int | None = None) -> Timed:
    result = timed(["make", "--no-print-directory", *([f"-j{jobs}"] if jobs else []),
                    "report", "REPORTS=" + " ".join(str(r) for r in reports), f"OUT={out}"])
    if result.returncode != 0:
        raise SystemExit(f"make report failed:\n{result.output}")
    return result


def notebook_times(report_id: str, out: Path) -> dict[str, dict[str, float]]:
    """Per executed notebook: its wall time and the summed time of its cells (papermill's
    own records in the executed notebook)."""
    found = {}
    for path in sorted(paths.executed_notebooks_dir(report_id, out).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = [cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
                 for cell in notebook["cells"] if cell["cell_type"] == "code"]
        total = notebook["metadata"].get("papermill", {}).get("duration") or 0.0
        found[path.stem] = {"notebook": float(total), "cells": float(sum(cells))}
    return found


def kernel_start_seconds(runs: int) -> list[float]:
    """Time from asking for a kernel to the kernel answering (what each notebook pays)."""
    from jupyter_client.manager import KernelManager
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        manager = KernelManager(kernel_name=run.KERNEL)
        manager.start_kernel(cwd=str(paths.NOTEBOOKS),
                             extra_arguments=["--IPKernelApp.log_level=ERROR"])
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        times.append(time.perf_counter() - start)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return times


def parse_seconds(report: Path, runs: int) -> list[float]:
    from . import ingest
    ingest.read(report)  # warm: imports and the catalogue
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        ingest.read(report)
        times.append(time.perf_counter() - start)
    return times


# Runs the runner with notebooks/ taken from another folder (an edited copy): the bench never
# edits the project's own notebooks, which others may be working on.
RUN_WITH_NOTEBOOKS = ("import sys; from pathlib import Path; from helpers import paths; "
                      "paths.NOTEBOOKS = Path(sys.argv[1]); from helpers import run; "
                      "sys.exit(run.main(sys.argv[2:]))")


def edited_notebooks(folder: Path, notebook: str, edits: int) -> Path:
    """A copy of notebooks/ in which `notebook` ends with `edits` more markdown cells: an
    edit that changes the notebook (and so its fingerprint), not what it computes."""
    import nbformat
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(paths.NOTEBOOKS, folder)
    document = nbformat.read(str(folder / notebook), as_version=4)
    document.cells += [nbformat.v4.new_markdown_cell(f"Edit {n + 1} (bench).")
                       for n in range(edits)]
    nbformat.write(document, str(folder / notebook))
    return folder


def ran_tasks(output: str) -> str:
    found = re.findall(r"ran (.+?) \(", output)
    return "; ".join(found) or "nothing"


# --- the synthetic batch ---------------------------------------------------------------

def synthetic_copies(seed: Path, folder: Path, count: int) -> list[Path]:
    """`count` copies of the seed under `folder`, each with another province and year in its
    title and appendix header (the province's name replaced throughout). Never written into
    data/raw/."""
    from .report import parse_report
    if paths.inside(folder, paths.RAW):
        raise ValueError("synthetic reports are never written into data/raw/")
    text = seed.read_text(encoding="utf-8")
    name = parse_report(seed).province
    heading = re.compile(rf"(cải cách hành chính tỉnh ){re.escape(name)}( năm )\d{{4}}",
                         re.IGNORECASE)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        province, year = PROVINCES[index % len(PROVINCES)], YEARS[index % len(YEARS)]

        def retitle(match, province=province, year=year):
            new = province.upper() if match[0].isupper() else province
            return f"{match[1]}{new}{match[2]}{year}"

        copy = heading.sub(retitle, text)
        copy = copy.replace(name, province).replace(name.upper(), province.upper())
        target = folder / f"synthetic-{index + 1:02d}_{year}.txt"
        target.write_text(copy, encoding="utf-8")
        made.append(target)
    return made


# --- the report --------------------------------------------------------------------------

def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    return [f"machine: nproc {nproc}, CPU {model}, Python {platform.python_version()}",
            *("  " + line for line in free.splitlines())]


def seconds_list(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench(runs: int, batch: int, notebook: str | None, keep: Path | None) -> None:
    from . import ingest
    cores = run.default_jobs()
    report_id = ingest.read(SEED).report_id
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-")) if keep is None else keep
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(*machine(), sep="\n")
        print(f"load average at start: {load_average()}")
        tasks = run.plan(SEED, report_id, run.LANGS)
        print(f"pipeline: {len(tasks)} notebook runs per report "
              f"({', '.join(task.name for task in tasks)}); {cores} at once")

        parse = parse_seconds(SEED, 7)
        print(f"parse per report (helpers.ingest.read of the seed): "
              f"{median(parse) * 1000:.1f} ms (median of {len(parse)})")

        # Cold builds alternate with builds that run one notebook at a time (for the floor),
        # so that both see the machine in the same state.
        colds, peaks, per_notebook, cells, out = [], [], {}, {}, workdir / "cold"
        for index in range(runs):
            out = workdir / f"cold-{index}"
            result = make_report([SEED], out)
            colds.append(result.seconds)
            peaks.append(result.peak_bytes)
            for name, times in notebook_times(report_id, out).items():
                per_notebook.setdefault(name, []).append(times["notebook"])
            serial = workdir / f"serial-{index}"
            result = timed([sys.executable, "-m", "helpers.run", "--jobs", "1", "--out",
                            str(serial), str(SEED)])
            if result.returncode != 0:
                raise SystemExit(f"serial build failed:\n{result.output}")
            for name, times in notebook_times(report_id, serial).items():
                cells.setdefault(name, []).append(times["cells"])
        print(f"cold make report (1 report, empty OUT, environment ready): "
              f"{median(colds):.2f} s (median of {runs}: {seconds_list(colds)})")

        noops = [make_report([SEED], out).seconds for _ in range(max(5, runs))]
        print(f"no-op make report: {median(noops):.3f} s (median of {len(noops)}: "
              f"{', '.join(f'{v:.3f}' for v in noops)})")

        changed = notebook or next((s.notebook for s in run.PIPELINE
                                    if s.notebook.startswith("03_")), run.PIPELINE[-1].notebook)
        one, reran = [], ""
        for edits in range(1, runs + 1):
            folder = edited_notebooks(workdir / "notebooks-edited", changed, edits)
            result = timed([sys.executable, "-c", RUN_WITH_NOTEBOOKS, str(folder),
                            "--out", str(out), str(SEED)])
            if result.returncode != 0:
                raise SystemExit(f"build after an edit failed:\n{result.output}")
            one.append(result.seconds)
            reran = ran_tasks(result.output)
        print(f"one notebook changed ({changed} edited): {median(one):.2f} s (median of "
              f"{runs}: {seconds_list(one)}); ran {reran}")

        print("time per notebook run in the cold builds (kernel start to shutdown, median):")
        for name, values in per_notebook.items():
            print(f"  {name:<26} {median(values):6.2f} s")
        print(f"peak memory of a cold build (all its processes): {max(peaks) / 2**20:.0f} MiB")

        kernel = kernel_start_seconds(5)
        work = {name: median(kernel) + median(values) for name, values in cells.items()}
        floor = sum(work.values()) / cores
        print(f"kernel start (to the kernel answering): {median(kernel):.2f} s "
              f"(median of {len(kernel)})")
        print("floor, per notebook run: one kernel start + the time of its cells (cells timed "
              f"in builds running one notebook at a time, median of {runs}):")
        for name, seconds in work.items():
            print(f"  {name:<26} {seconds:6.2f} s")
        print(f"floor = {sum(work.values()):.2f} s / {cores} cores = {floor:.2f} s")
        print(f"cold build / floor = {median(colds) / floor:.2f}x")

        if batch:
            reports = synthetic_copies(SEED, workdir / "batch-raw", batch)
            result = make_report(reports, workdir / "batch-out", jobs=cores)
            built = len(run.published_reports(workdir / "batch-out"))
            print(f"batch of {batch} synthetic reports (make -j{cores} report, empty OUT): "
                  f"{result.seconds:.1f} s, {result.seconds / batch:.2f} s per report, "
                  f"{built} of {batch} built, peak memory {result.peak_bytes / 2**20:.0f} MiB")
            runs_in_batch: dict[str, list[float]] = {}
            batch_work = 0.0
            for folder in sorted((workdir / "batch-out" / "reports" / "notebooks").iterdir()):
                for name, times in notebook_times(folder.name, workdir / "batch-out").items():
                    runs_in_batch.setdefault(name, []).append(times["notebook"])
                    batch_work += median(kernel) + times["cells"]
            print("  time per notebook run in the batch (median): " + ", ".join(
                f"{name} {median(values):.2f} s" for name, values in runs_in_batch.items()))
            print(f"  floor of the batch (cells as timed in the batch itself, {cores} at once) "
                  f"= {batch_work:.1f} s / {cores} cores = {batch_work / cores:.1f} s; "
                  f"batch / floor = {result.seconds / (batch_work / cores):.2f}x")
        print(f"load average at end: {load_average()}")
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--batch", type=int, default=20,
                        help="synthetic reports in the batch (0: no batch; default 20)")
    parser.add_argument("--notebook", default=None,
                        help="the notebook to edit (default: the 03_ step, else the last)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the bench's outputs in this folder")
    args = parser.parse_args(argv)
    bench(args.runs, args.batch, args.notebook, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
