"""The job graph: notebook runs on a few worker threads, each once what it needs has
succeeded; after a failure the rest of that report does not start."""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable


@dataclass
class Job:
    key: str                    # unique in one run
    needs: tuple[str, ...]      # keys that must succeed first (keys not in the run: done)
    group: str                  # after a failure, the group's pending jobs do not start
    work: Callable[[], str | None]   # returns a failure message, or None
    after: tuple[str, ...] = ()      # keys that must have finished, failed or been dropped


def run_jobs(jobs: list[Job], workers: int,
             on_end: Callable[[Job, tuple[str | None, float] | None], None] | None = None
             ) -> dict[str, tuple[str | None, float]]:
    """Run jobs on `workers` threads, each once what it needs has succeeded and what it
    comes after has ended, in list order otherwise. Returns, per job that ran: its failure
    (or None) and its seconds. `on_end` hears of each job as it ends: with its result, or
    with None when it is dropped after a failure in its group."""
    workers = max(1, workers)
    on_end = on_end or (lambda job, result: None)
    keys = {job.key for job in jobs}
    pending, running = list(jobs), {}
    succeeded: set[str] = set()
    ended: set[str] = set()            # succeeded, failed, or dropped after a failure
    failed_groups: set[str] = set()
    results: dict[str, tuple[str | None, float]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending or running:
            for job in pending:
                if job.group in failed_groups:
                    ended.add(job.key)
                    on_end(job, None)
            pending = [job for job in pending if job.group not in failed_groups]
            for job in list(pending):
                if len(running) >= workers:
                    break
                if all(k in succeeded or k not in keys for k in job.needs) and \
                        all(k in ended or k not in keys for k in job.after):
                    pending.remove(job)
                    running[pool.submit(_timed, job.work)] = job
            if not running:
                break   # nothing can start (cannot happen with needs inside one group)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                results[job.key] = future.result()
                ended.add(job.key)
                on_end(job, results[job.key])
                if results[job.key][0] is None:
                    succeeded.add(job.key)
                else:
                    failed_groups.add(job.group)
    return results


def _timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def make_jobs() -> int | None:
    """N when started by `make -jN` (make passes -jN to its recipes in MAKEFLAGS)."""
    found = re.search(r"(?:^|\s)-j(\d+)", os.environ.get("MAKEFLAGS", ""))
    return int(found[1]) if found else None


def default_jobs() -> int:
    """Notebooks run at once: the CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
