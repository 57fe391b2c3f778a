"""Kernels: started ahead of the notebooks that will use them, and stopped with their
clients."""
from __future__ import annotations

import threading
from functools import lru_cache

from .. import paths
from .pipeline import KERNEL

# the kernel's own log (not the notebook's output): errors only
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def start_kernel():
    """A kernel process, started in notebooks/ (papermill's own `cwd` would change the
    directory of the whole process, which parallel runs share). Returns at once; the kernel
    boots on its own."""
    from jupyter_core.utils import run_sync
    manager = _kernel_manager_class()(kernel_name=KERNEL)
    run_sync(manager.start_kernel)(cwd=str(paths.NOTEBOOKS), extra_arguments=KERNEL_ARGUMENTS)
    return manager


@lru_cache(maxsize=1)
def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        """Remembers the clients nbclient makes, to close them with the kernel (nbclient
        leaves them open when it did not start the kernel itself)."""
        clients: tuple = ()

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.clients = (*self.clients, made)
            return made

    return KernelManager


def stop_kernel(manager) -> None:
    from jupyter_core.utils import run_sync
    for client in manager.clients:
        client.stop_channels()
    run_sync(manager.shutdown_kernel)(now=True)


class KernelPool:
    """Kernels started ahead of the notebooks that will use them: a kernel's start-up
    (about half a second of CPU) then overlaps the wait for the notebooks a task needs.
    At most `size` wait at once, and no more than the notebooks `expected` to run."""

    def __init__(self, size: int, expected: int):
        self.size, self.expected = size, expected
        self._waiting: list = []
        self._lock = threading.Lock()

    def fill(self) -> None:
        with self._lock:
            while len(self._waiting) < min(self.size, self.expected):
                self._waiting.append(start_kernel())

    def expect(self, count: int) -> None:
        """Now it is known how many notebooks will run: stop the kernels not needed."""
        with self._lock:
            self.expected = count
            keep = max(min(self.size, count), 0)
            self._waiting, extra = self._waiting[:keep], self._waiting[keep:]
        for manager in extra:
            stop_kernel(manager)
        self.fill()

    def take(self, expected: bool):
        """A kernel for a notebook about to run (`expected`: one counted in advance)."""
        with self._lock:
            if expected:
                self.expected = max(0, self.expected - 1)
            manager = self._waiting.pop(0) if self._waiting else None
        self.fill()
        return manager or start_kernel()

    def close(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for manager in waiting:
            stop_kernel(manager)
