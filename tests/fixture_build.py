"""The session's build (the `built` fixture): made once per test run, in its own process.

The first worker of a run that collects a test needing it starts this file as a script
(`start`); the build then runs while the tests that do not need it run (conftest.py orders
them first). Every worker's `built` fixture waits for the result (`wait`). In its own
process the build cannot see what tests monkeypatch, and workers (pytest -n) share it. It is
left to finish even when the worker that started it is done (another may still wait for
it); Ctrl-C stops it with the run (one process group).
Its files are under the run's temporary root: built/ (the OUT), built.json (the failures,
written last), built.log (what the runner printed).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent
WAIT_AT_MOST = 30 * 60      # seconds: the build on a busy 2-core machine takes a few minutes
_started: list[subprocess.Popen] = []


def shared_root(tmp_path_factory) -> Path:
    """The run's temporary root, the same for every worker of a pytest -n run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def start(root: Path) -> None:
    """Start the build unless a worker of this run already did."""
    try:
        claim = os.open(root / "built.started", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(claim)
    with open(root / "built.log", "wb") as log:
        _started.append(subprocess.Popen([sys.executable, str(Path(__file__)), str(root)],
                                         stdout=log, stderr=subprocess.STDOUT, cwd=TESTS))


def wait(root: Path) -> Path:
    """The built OUT, once the build is done; the test fails if the build failed."""
    result, deadline = root / "built.json", time.monotonic() + WAIT_AT_MOST
    if not (root / "built.started").exists():
        start(root)
    while not result.exists():
        if _started and _started[0].poll() is not None and not result.exists():
            break               # ended without a result: killed
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if not result.exists():
        log = (root / "built.log").read_text(encoding="utf-8", errors="replace")
        raise AssertionError(f"the session's build gave no result; its log:\n{log[-3000:]}")
    failures = json.loads(result.read_text(encoding="utf-8"))
    assert failures == [], failures
    return root / "built"


def build(root: Path) -> None:
    """Run the pipeline for the three reports into root/built; built.json says how it went."""
    sys.path.insert(0, str(TESTS))
    failures: list[str] = []
    try:
        from conftest import SEED, SYNTHETIC, SYNTHETIC_WORDING
        from helpers import run
        outcomes = run.build_reports((SEED, SYNTHETIC, SYNTHETIC_WORDING), root / "built")
        failures = [failure for outcome in outcomes for failure in outcome.failures]
    except BaseException as exc:  # noqa: BLE001 - every way it ends is a result
        failures = [f"{type(exc).__name__}: {exc}"]
        raise
    finally:
        partial = root / "built.json.tmp"
        partial.write_text(json.dumps(failures), encoding="utf-8")
        os.replace(partial, root / "built.json")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
