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
- A client is ready once the kernel has answered and IOPub has carried the end of that
  request (`_ready_client_class`), not after 0.2 s of silence on IOPub.
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
    from traitlets import default

    class KernelManager(AsyncKernelManager):
        """Remembers the clients nbclient makes, to close them after the notebook (nbclient
        leaves them open when it did not start the kernel itself); its clients are
        `_ready_client_class()`."""
        clients: tuple = ()

        @default("client_factory")
        def _ready_clients(self):
            return _ready_client_class()

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.clients = (*self.clients, made)
            return made

    return KernelManager


@lru_cache(maxsize=1)
def _ready_client_class():
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """Ready once the kernel has answered `kernel_info` and IOPub has carried the end
        of that request (its 'idle' status): IOPub is then connected, and what the kernel
        wrote there before has been read. jupyter_client's own client then also waits for
        0.2 s of silence on IOPub, before every notebook run. nbclient takes into a cell
        only the messages its own requests caused, so the silence adds nothing."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply" and \
                        await self._iopub_done(reply["parent_header"].get("msg_id")):
                    self._handle_kernel_info_reply(reply)
                    return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        async def _iopub_done(self, request: str | None) -> bool:
            """Whether IOPub carries the request's 'idle' status (a message at least every
            0.2 s until then); if not, IOPub is not connected yet."""
            while True:
                try:
                    message = await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    return False
                if message["msg_type"] == "status" and \
                        message["content"].get("execution_state") == "idle" and \
                        message["parent_header"].get("msg_id") == request:
                    return True

    return ReadyClient


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
    in `code` is raised here. Only the shell channel is opened: the code prints nothing."""
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
        # Side by side: each stop waits for its process to end (about 0.1 s)
        stopping = [self._starter.submit(stop_kernel, kernel) for kernel in idle]
        stopping += [self._starter.submit(stop_kernel, future.result()) for future in starting
                     if not future.cancelled() and future.exception() is None]
        for future in stopping:
            future.result()
        self._starter.shutdown(wait=True)
