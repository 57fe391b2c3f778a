"""Kernels: started ahead of the notebooks that use them, and stopped with their clients.

- A start that fails is tried again (START_ATTEMPTS in all): a kernel that dies on start
  (`ZMQError: Address already in use` when another process took one of the ports it was
  given, among thousands of starts in a batch) is replaced by a new one with new ports.
  A kernel is handed out only once it has answered.
- In a batch (`per_kernel` > 1) a kernel runs several notebooks one after another: it
  imports what the notebooks import before it is handed the first, and each notebook
  starts in a fresh namespace (warm.py), as it would in a kernel of its own; after
  `per_kernel` notebooks, or a failure, the kernel is replaced. With `per_kernel` 1 each
  notebook has a new kernel of its own, as in JupyterLab.
"""
from __future__ import annotations

import ast
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import paths
from .pipeline import KERNEL

# The kernel's own log (not the notebook's output): errors only. What C code writes to the
# process's stdout and stderr goes to the terminal only, not into the notebook: ipykernel
# reads it in a thread of its own and gives it to whatever request the kernel serves when
# it reads it, which in a warm kernel may be the next notebook's first cell.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--IPKernelApp.capture_fd_output=False"]
START_ATTEMPTS = 3
START_TIMEOUT = 60          # seconds for a started kernel to answer
PER_KERNEL = 100            # notebooks a kernel runs in a build (its memory stays flat)
WARM = "__import__('helpers.run.warm', fromlist=['warm'])"


class KernelStartError(RuntimeError):
    """No kernel could be started (after START_ATTEMPTS tries)."""


@dataclass(eq=False)
class Kernel:
    """A started kernel that has answered; `runs`: the notebooks run in it so far."""
    manager: object
    warm: bool = False
    runs: int = 0


def start_kernel(warm_up: tuple[str, ...] | None = None) -> Kernel:
    """A kernel process, started in notebooks/ (papermill's own `cwd` would change the
    directory of the whole process, which parallel runs share), once it has answered; with
    `warm_up`, these modules imported and a fresh namespace ready for a notebook. A kernel
    that dies on start or does not answer is replaced, up to START_ATTEMPTS times."""
    from jupyter_core.utils import run_sync
    failures = []
    for _ in range(START_ATTEMPTS):
        manager = _kernel_manager_class()(kernel_name=KERNEL)
        try:
            run_sync(manager.start_kernel)(cwd=str(paths.NOTEBOOKS),
                                           extra_arguments=KERNEL_ARGUMENTS)
            code = None if warm_up is None else \
                f"{WARM}.warm({list(warm_up)!r}); {WARM}.fresh()"
            run_sync(_answer)(manager, code)
            return Kernel(manager, warm=warm_up is not None)
        except Exception as exc:  # noqa: BLE001 - tried again, then reported
            failures.append(f"{type(exc).__name__}: {exc}")
            _stop_quietly(manager)
    raise KernelStartError(f"the kernel did not start ({START_ATTEMPTS} attempts: "
                           + "; ".join(failures) + ")")


async def _answer(manager, code: str | None) -> None:
    """Wait until the kernel answers; then run `code` in it, silently (no output, no
    history, no execution count). An error in `code` is raised here."""
    from jupyter_client.manager import AsyncKernelManager
    client = AsyncKernelManager.client(manager)   # not kept among the notebooks' clients
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=START_TIMEOUT)
        if code is not None:
            _raise_on_error(await client.execute_interactive(
                code, silent=True, store_history=False, timeout=START_TIMEOUT,
                output_hook=lambda message: None))
    finally:
        client.stop_channels()


@lru_cache(maxsize=1)
def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        """Remembers the clients nbclient makes, to close them after the notebook (nbclient
        leaves them open when it did not start the kernel itself)."""
        clients: tuple = ()

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.clients = (*self.clients, made)
            return made

    return KernelManager


def close_clients(kernel: Kernel) -> None:
    """Close the channels nbclient opened for a notebook (the kernel goes on)."""
    manager = kernel.manager
    clients, manager.clients = manager.clients, ()
    for client in clients:
        client.stop_channels()


def stop_kernel(kernel: Kernel) -> None:
    from jupyter_core.utils import run_sync
    close_clients(kernel)
    run_sync(kernel.manager.shutdown_kernel)(now=True)


def _stop_quietly(manager) -> None:
    try:
        stop_kernel(Kernel(manager))
    except Exception:  # noqa: BLE001 - a kernel that never started may have nothing to stop
        pass


def fresh(kernel: Kernel) -> None:
    """A fresh namespace in a warm kernel, for its next notebook."""
    from jupyter_core.utils import run_sync
    run_sync(_run_silently)(kernel.manager, f"{WARM}.fresh()")


async def _run_silently(manager, code: str) -> None:
    """Run `code` in a kernel that has answered before, and wait for its reply; an error
    in `code` is raised here. Only the shell channel is opened: the code prints nothing,
    and a client listening on IOPub would first wait for 0.2 s of silence there (a third
    of a second per notebook run). The notebook's own client still waits for that silence
    before its first cell."""
    from jupyter_client.manager import AsyncKernelManager
    client = AsyncKernelManager.client(manager)   # not kept among the notebooks' clients
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        sent = client.execute(code, silent=True, store_history=False)
        while True:
            reply = await client.get_shell_msg(timeout=START_TIMEOUT)
            if reply["parent_header"].get("msg_id") == sent:
                break
        _raise_on_error(reply)
    finally:
        client.stop_channels()


def _raise_on_error(reply: dict) -> None:
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")


def imported_modules(notebooks) -> tuple[str, ...]:
    """The modules the notebooks import, in a form `importlib` takes (for `from a import b`
    both a and a.b: b may be a module)."""
    from .parameters import parse_python
    found: dict[str, None] = {}
    for notebook in notebooks:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for cell in cells if cell["cell_type"] == "code"
                         for line in "".join(cell["source"]).splitlines())
        try:
            tree = parse_python(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
                found.update((f"{node.module}.{alias.name}", None) for alias in node.names)
    return tuple(found)


class KernelPool:
    """Kernels started ahead of the notebooks that will use them: a kernel's start-up
    (about half a second of CPU, more with the imports of a warm kernel) then overlaps the
    wait for the notebooks a task needs. At most `size` kernels live at once, and no more
    are started ahead than the notebooks `expected` to run. With `per_kernel` > 1 a kernel
    given back after a notebook that succeeded runs the next one (warm kernels importing
    `warm_up`)."""

    def __init__(self, size: int, expected: int, per_kernel: int = 1,
                 warm_up: tuple[str, ...] = ()):
        self.size, self.expected = max(1, size), expected
        self.per_kernel = max(1, per_kernel)
        self.warm_up = warm_up if self.per_kernel > 1 else None
        self._idle: list[Kernel] = []
        self._starting: list[Future] = []
        self._in_use = 0
        self._closed = False
        self._lock = threading.Lock()
        self._starter = ThreadPoolExecutor(max_workers=self.size,
                                           thread_name_prefix="kernel-start")

    def fill(self) -> None:
        """Start kernels in the background up to what is expected."""
        with self._lock:
            while not self._closed and \
                    len(self._idle) + len(self._starting) + self._in_use < self.size and \
                    len(self._idle) + len(self._starting) < self.expected:
                self._starting.append(self._starter.submit(start_kernel, self.warm_up))

    def expect(self, count: int) -> None:
        """Now it is known how many notebooks will run: stop the kernels not needed."""
        with self._lock:
            self.expected = count
            keep = max(min(self.size, count), 0)
            extra = self._idle[keep:]
            self._idle = self._idle[:keep]
        for kernel in extra:
            stop_kernel(kernel)
        self.fill()

    def take(self, expected: bool) -> Kernel:
        """A kernel for a notebook about to run (`expected`: one counted in advance)."""
        with self._lock:
            if expected:
                self.expected = max(0, self.expected - 1)
            kernel = self._idle.pop(0) if self._idle else None
            starting = self._starting.pop(0) if kernel is None and self._starting else None
            self._in_use += 1
        self.fill()
        try:
            return kernel or (starting.result() if starting else start_kernel(self.warm_up))
        except BaseException:
            with self._lock:
                self._in_use -= 1
            self.fill()
            raise

    def give_back(self, kernel: Kernel, reusable: bool) -> None:
        """After a notebook: the kernel runs the next one when the notebook succeeded and
        the kernel has runs left; else it is stopped."""
        kernel.runs += 1
        close_clients(kernel)
        keep = reusable and kernel.warm and kernel.runs < self.per_kernel
        if keep:
            try:
                fresh(kernel)
            except Exception:  # noqa: BLE001 - a kernel that cannot be reset is replaced
                keep = False
        with self._lock:
            self._in_use -= 1
            keep = keep and not self._closed
            if keep:
                self._idle.append(kernel)
        if not keep:
            stop_kernel(kernel)
        self.fill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            starting, self._starting = self._starting, []
        for future in starting:
            future.cancel()
        for kernel in idle:
            stop_kernel(kernel)
        for future in starting:
            if not future.cancelled() and future.exception() is None:
                stop_kernel(future.result())
        self._starter.shutdown(wait=True)
