"""What a build says while it runs: one line per notebook run as it ends (the report, the
notebook, ran or up to date, its seconds), counted against all the runs of the build, and
in a build of several reports the time left, estimated from the pace so far."""
from __future__ import annotations

import threading
import time
from typing import Callable

from .pipeline import message


def time_left(seconds: float) -> str:
    """'about 12 min left' (from a minute on), else 'about 40 s left'."""
    if seconds >= 60:
        return message("progress_left_minutes", minutes=round(seconds / 60))
    return message("progress_left_seconds", seconds=max(1, round(seconds / 10) * 10))


class Progress:
    """Counts the notebook runs of a build as they end and says each in one line."""

    def __init__(self, total: int, reports: int, say: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.reports, self.say, self.clock = total, reports, say, clock
        self.done = 0
        self.started = clock()
        self._lock = threading.Lock()

    def ended(self, report_id: str, task: str, state: str, seconds: float) -> None:
        """A run ended: `state` is "ran", "up_to_date" or "failed"."""
        with self._lock:
            self.done += 1
            line = message(f"progress_{state}", done=self.done, total=self.total,
                           report=report_id, notebook=task, seconds=seconds)
            left = self.total - self.done
            if self.reports > 1 and left and state != "up_to_date":
                pace = (self.clock() - self.started) / self.done
                line += message("progress_left", left=time_left(pace * left))
            self.say(line)

    def dropped(self, count: int = 1) -> None:
        """Runs that will not happen (their report failed): no longer counted."""
        with self._lock:
            self.total -= count
