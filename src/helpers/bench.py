"""`make bench`: how long builds take, and how that compares with the work itself.

    python -m helpers.bench [--runs 5] [--batch 20 [63 ...]] [--notebook 03_par_index.ipynb]

Measures, each the median of several runs where it says so:
- parse time per report (helpers.ingest.read of the seed, in this process);
- the cold `make report` of the seed into an empty OUT (environment ready);
- the no-op `make report` right after it;
- one notebook changed: the runner after an edit of one notebook (made in a copy of
  notebooks/, never in the project's own), which re-runs it and what needs it;
- the time of each notebook run, and the peak memory of the whole build (all processes);
- the floor: the time the cells of every notebook run take (measured in a build that
  runs one notebook at a time, so that nothing competes) plus the start of the kernels
  the build needs (one per worker, with the notebooks' imports), divided by the cores
  used; then the cold build divided by the floor. Also the floor as the performance
  goal first defined it (a kernel start for each notebook run, without the imports),
  which is the looser of the two;
- batches of synthetic copies of the seed (other provinces of one year, 63 a year, in a
  temporary folder, never in data/raw/) built with `make -jN` (N: the cores): their time
  and CPU time per report, and where one report's CPU goes (measured in this process on
  the batch's outputs: each stage of the pipeline, each chart theme split into drawing,
  layout and saving, the comparison with the batch's other provinces).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
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
# The provinces of the synthetic batches (the seed's text with another name and year): the
# 63 provinces and cities of 2022, so that a batch of 63 is one year of every province
PROVINCES = ["An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh",
             "Bến Tre", "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau",
             "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
             "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
             "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hồ Chí Minh", "Hưng Yên", "Khánh Hòa",
             "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An",
             "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên",
             "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
             "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế",
             "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái"]
YEARS = [2023, 2024, 2021]   # a 64th report is a province's next year (never the seed's)


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
    cpu: float = 0.0     # user + system seconds of the command and all it waited for


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env=None) -> Timed:
    """Run a command from the project root; wall time, CPU time and peak memory of its
    process tree."""
    # a make started by `make bench` must not inherit its parent's flags or job slots
    env = {k: v for k, v in (env or os.environ).items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    start, cpu = time.perf_counter(), children_cpu()
    process = subprocess.Popen(command, cwd=paths.PROJ_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    seconds = time.perf_counter() - start
    return Timed(seconds, memory.peak, output, process.returncode, children_cpu() - cpu)


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


def floors(cells: dict[str, float], kernel_start: float, warm_kernel: float,
           cores: int) -> tuple[float, float]:
    """The cold build's floor in seconds: the cells of every notebook run and one warm
    kernel per worker (the kernels the runner starts), over the cores; then the floor as the
    performance goal first defined it, with a kernel start for each notebook run instead
    (the looser of the two)."""
    work = sum(cells.values())
    return ((work + min(cores, len(cells)) * warm_kernel) / cores,
            (work + len(cells) * kernel_start) / cores)


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
        province = PROVINCES[index % len(PROVINCES)]
        year = YEARS[index // len(PROVINCES) % len(YEARS)]

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


def warm_kernel_seconds(runs: int) -> list[float]:
    """Time to a kernel ready for a notebook of a batch: started, answering, the
    notebooks' imports done (what each kernel of a build pays once)."""
    modules = run.kernels.imported_modules(paths.NOTEBOOKS / s.notebook for s in run.PIPELINE)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        kernel = run.kernels.start_kernel(modules)
        times.append(time.perf_counter() - start)
        run.kernels.stop_kernel(kernel)
    return times


# --- where a report's CPU goes ---------------------------------------------------------

OWN_THEMES = ("par_index", "online_services", "public_investment", "scorecard")


class Costs(dict):
    """CPU seconds of this process by stage, in the order the stages were first met."""

    def clock(self, stage: str, work):
        start = time.process_time()
        result = work()
        self[stage] = self.get(stage, 0.0) + time.process_time() - start
        return result


def chart_costs(costs: Costs, label: str, source, themes, folder: Path) -> None:
    """What the registry's draw-and-save loop does for these themes, step by step (the
    files go to `folder`, a scratch folder)."""
    import matplotlib

    from .charts import registry
    from .formats import LANGS
    for theme in themes:
        for chart_ in registry.REGISTRY[theme]:
            for lang in LANGS:
                spec = costs.clock(f"{label}: data and texts",
                                   lambda: chart_.build(source, lang))
                if spec is None:
                    continue
                for narrow in (False, True):
                    fig = costs.clock(f"{label}: drawing the figures",
                                      lambda: registry.render(spec, narrow))
                    with matplotlib.rc_context(registry.STYLE):
                        costs.clock(f"{label}: layout (once per figure)",
                                    lambda: registry.lay_out(fig))
                    for fmt in ("png",) if narrow else ("png", "svg"):
                        step = "phone PNG" if narrow else fmt.upper()
                        costs.clock(f"{label}: saving {step}", lambda: registry.save_as(
                            fig, folder / f"{chart_.name}.{fmt}", fmt))


def report_costs(raw: Path, report_id: str, batch_out: Path, folder: Path) -> Costs:
    """Where one report's CPU goes, stage by stage, measured in this process (imports
    done) as its notebooks and the runner do it: on scratch copies of its tables, and on
    the batch's outputs for the comparison with the other reports and the pages."""
    from . import audit, charts, data, html, ingest, pages, trends
    from .formats import LANGS
    charts.THEMES   # noqa: B018 - the charts are registered on import
    costs = Costs()
    costs.clock("01_ingest: read the report, write its tables", lambda: ingest.run(raw, folder))
    costs.clock("02_audit: checks and findings", lambda: (
        audit.run(report_id, folder), audit.write_findings(report_id, folder)))
    source = costs.clock("03-06: the report's data layer", lambda: data.load(report_id, folder))
    chart_costs(costs, "03-06 charts", source, OWN_THEMES, folder)
    tables = costs.clock("07_trends: every report's tables, first read in a kernel",
                         lambda: trends.load(batch_out))
    costs.clock("07_trends: every report's tables, read again in the same kernel",
                lambda: trends.load(batch_out))
    chart_costs(costs, f"07_trends comparison ({len(tables[0])} reports)",
                charts.comparisons.load(report_id, tables=tables), ("trends",), folder)
    costs.clock("10-11: the brief and the appendix, 2 languages", lambda: [
        pages.build(report_id, document, lang, batch_out)
        for document in ("brief", "appendix") for lang in LANGS])
    executed = sorted(paths.executed_notebooks_dir(report_id, batch_out).glob("1[01]_*.ipynb"))
    costs.clock("runner: the 4 pages exported as HTML (nbconvert)", lambda: [
        html.export(notebook, folder / f"{notebook.stem}.html") for notebook in executed])
    return costs


def import_seconds() -> float:
    """CPU seconds a kernel spends importing what the notebooks import."""
    modules = run.kernels.imported_modules(paths.NOTEBOOKS / s.notebook for s in run.PIPELINE)
    code = ("import importlib, time\nstart = time.process_time()\n"
            f"for name in {list(modules)!r}:\n"
            "    try:\n        importlib.import_module(name)\n"
            "    except ImportError:\n        pass\n"
            "print(time.process_time() - start)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=paths.NOTEBOOKS, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def print_costs(costs: Costs, per_report_cpu: float) -> None:
    print("  where one report's CPU goes (CPU s in one process, imports done; the comparison "
          "with every report of the batch):")
    for stage, seconds in costs.items():
        print(f"    {stage:<66} {seconds:6.2f}")
    print(f"    {'sum':<66} {sum(costs.values()):6.2f}  (the batch: {per_report_cpu:.2f} CPU s "
          "per report, kernels, papermill and publishing included)")


# --- the report --------------------------------------------------------------------------

def batch_line(size: int, result: Timed, built: int, cores: int) -> str:
    return (f"batch of {size} synthetic reports (make -j{cores} report, empty OUT): "
            f"{result.seconds:.1f} s ({result.seconds / 60:.1f} min), "
            f"{result.seconds / size:.2f} s and {result.cpu / size:.2f} CPU s per report, "
            f"{built} of {size} built, peak memory {result.peak_bytes / 2**20:.0f} MiB")


def run_batch(size: int, workdir: Path, cores: int, warm: float) -> tuple[float, float]:
    """A batch of `size` synthetic reports into an empty OUT; (seconds, CPU s) per report."""
    raw, out = workdir / f"batch-{size}-raw", workdir / f"batch-{size}-out"
    reports = synthetic_copies(SEED, raw, size)
    print(f"load average before the batch of {size}: {load_average()}")
    result = make_report(reports, out, jobs=cores)
    built = len(run.published_reports(out))
    print(batch_line(size, result, built, cores))
    runs_in_batch: dict[str, list[float]] = {}
    cells = 0.0
    for folder in sorted((out / "reports" / "notebooks").iterdir()):
        for name, times in notebook_times(folder.name, out).items():
            runs_in_batch.setdefault(name, []).append(times["notebook"])
            cells += times["cells"]
    print("  time per notebook run in the batch (median): " + ", ".join(
        f"{name} {median(values):.2f} s" for name, values in runs_in_batch.items()))
    notebook_runs = sum(len(values) for values in runs_in_batch.values())
    kernels = max(cores, -(-notebook_runs // run.kernels.PER_KERNEL))
    floor = (cells + kernels * warm) / cores
    print(f"  floor of the batch (cells as timed in the batch itself, {cores} at once, and "
          f"{kernels} kernel starts of {warm:.2f} s) = {floor * cores:.1f} s / {cores} cores "
          f"= {floor:.1f} s; batch / floor = {result.seconds / floor:.2f}x")
    first = reports[0]
    from . import ingest
    report_id = ingest.read(first).report_id
    scratch = workdir / f"batch-{size}-costs"
    print_costs(report_costs(first, report_id, out, scratch), result.cpu / size)
    print(f"load average after the batch of {size}: {load_average()}")
    return result.seconds / size, result.cpu / size


def bench(runs: int, batches: list[int], notebook: str | None, keep: Path | None) -> None:
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
              f"({', '.join(task.name for task in tasks)}); {cores} at once, up to "
              f"{run.kernels.PER_KERNEL} in one kernel")

        parse = parse_seconds(SEED, 7)
        print(f"parse per report (helpers.ingest.read of the seed): "
              f"{median(parse) * 1000:.1f} ms (median of {len(parse)})")

        # Cold builds alternate with builds that run one notebook at a time (for the floor),
        # so that both see the machine in the same state.
        colds, peaks, per_notebook, cells, out = [], [], {}, {}, workdir / "cold"
        cold_cpu = []
        for index in range(runs):
            out = workdir / f"cold-{index}"
            result = make_report([SEED], out)
            colds.append(result.seconds)
            cold_cpu.append(result.cpu)
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
              f"{median(colds):.2f} s (median of {runs}: {seconds_list(colds)}), "
              f"{median(cold_cpu):.1f} CPU s")

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

        kernel, warm = kernel_start_seconds(5), warm_kernel_seconds(5)
        print(f"kernel start (to the kernel answering): {median(kernel):.2f} s; with the "
              f"notebooks' imports (a warm kernel): {median(warm):.2f} s (medians of 5); "
              f"the imports alone: {import_seconds():.2f} CPU s")
        work = {name: median(values) for name, values in cells.items()}
        floor, per_run = floors(work, median(kernel), median(warm), cores)
        print("floor: the cells of each notebook run (timed in builds running one notebook at "
              f"a time, median of {runs}) and one warm kernel per worker:")
        for name, seconds in work.items():
            print(f"  {name:<26} {seconds:6.2f} s")
        print(f"floor = ({sum(work.values()):.2f} s + {min(cores, len(work))} x "
              f"{median(warm):.2f} s) / {cores} cores = {floor:.2f} s")
        print(f"cold build / floor = {median(colds) / floor:.2f}x")
        print(f"floor with a kernel start per notebook run = ({sum(work.values()):.2f} s + "
              f"{len(work)} x {median(kernel):.2f} s) / {cores} cores = {per_run:.2f} s; "
              f"cold build / that floor = {median(colds) / per_run:.2f}x")

        per_report = {size: run_batch(size, workdir, cores, median(warm)) for size in batches}
        if len(per_report) > 1:
            sizes = sorted(per_report)
            small, large = per_report[sizes[0]], per_report[sizes[-1]]
            print(f"cost per report, {sizes[-1]} reports against {sizes[0]}: "
                  f"{large[0] / small[0]:.2f}x the time, {large[1] / small[1]:.2f}x the CPU")
        print(f"load average at end: {load_average()}")
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--batch", type=int, nargs="*", default=[20],
                        help="sizes of the synthetic batches (none: no batch; default 20; "
                             "`--batch 20 63` for one year of every province too)")
    parser.add_argument("--notebook", default=None,
                        help="the notebook to edit (default: the 03_ step, else the last)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the bench's outputs in this folder")
    args = parser.parse_args(argv)
    bench(args.runs, [size for size in args.batch if size > 0], args.notebook, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
