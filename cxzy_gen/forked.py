"""Worker processes forked from this one, for the steps that use every core (parsing the data files, hashing and
rendering the pages, writing a demo board): a map over items whose results come back in the items' order, and that
fails, never hangs, when a worker dies.

A worker killed from outside (the kernel's out-of-memory killer on a big board, an operator's `kill`) takes its task
with it: `multiprocessing.Pool` then waits for that task forever, and a build in CI hangs until the job's time limit.
`concurrent.futures.ProcessPoolExecutor` notices the death and fails every waiting task (BrokenProcessPool); here that
becomes `WorkerDied`, a message in Chinese. The workers are forked (they inherit what the parent holds, nothing is
pickled on the way in) all at once when the pool is made, before the executor starts its own thread; each is killed
when the process that forked it dies, so a build killed outright leaves none behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_PR_SET_PDEATHSIG = 1  # prctl(2)


class WorkerDied(RuntimeError):
    """A worker process ended before its work was done (killed, most often for want of memory)."""

    def __init__(self) -> None:
        super().__init__("一个工作进程意外退出（多半是内存不足，被系统终止）")


def can_fork() -> bool:
    """Whether workers may be forked here: the platform forks, and no other thread runs (a fork beside a running
    thread may copy a lock that thread holds, held for ever in the child)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Forked:
    """`jobs` worker processes forked now; `map` runs a module-level function over items in them; `close` ends them."""

    def __init__(self, jobs: int) -> None:
        context = multiprocessing.get_context("fork")
        self.executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
        )
        self.executor.submit(int).result()  # fork them all now, while this process has no other thread

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self.close(abandon=kind is not None)

    def map(self, task: Callable[[Item], Result], items: Iterable[Item], chunksize: int = 1) -> Iterator[Result]:
        """`task(item)` for each item, in the items' order; raises WorkerDied when a worker dies meanwhile."""
        assert self.executor is not None, "closed"
        try:
            results = self.executor.map(task, items, chunksize=chunksize)
        except BrokenProcessPool:
            raise WorkerDied() from None
        return _checked(results)

    def close(self, abandon: bool = False) -> None:
        """End the workers once they are done; `abandon`: at once, dropping work not begun and stopping work under way
        (an error ended the step: their results are not wanted)."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # (Python 3.11 has no public way to stop the workers or to wait for the pool's thread when a worker died.)
        thread = getattr(executor, "_executor_manager_thread", None)
        if abandon:
            processes = list(getattr(executor, "_processes", None) or {})
            executor.shutdown(wait=False, cancel_futures=True)
            for pid in processes:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
        executor.shutdown(wait=True)
        if thread is not None:
            thread.join()  # a later step may fork again: no thread of this pool is left running


class Aside(Generic[Result]):
    """`task(*args)` begun now in one process forked for it (no thread, no pool), while this one goes on: for work done
    on a core that would be idle while the build works on one (a memory page either process writes to after the fork,
    if only a reference count, is copied then: worth it for a task of a second or more). `result()` waits for what
    it returned, sent back pickled through a pipe; where no fork is safe (a thread runs, or no fork at all), or the
    process failed or was killed, the task runs in this process when `result()` is asked instead. `close()` ends the
    process if its result is not wanted after all (an error stopped the step)."""

    def __init__(self, task: Callable[..., Result], *args: object) -> None:
        self.task, self.args = task, args
        self.pid: int | None = None
        self.pipe: int | None = None
        if not can_fork():
            return
        parent = os.getpid()
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the forked process: do the task, send the result, and leave without running anything else
            status = 1
            try:
                os.close(reading)
                _die_with_parent(parent)
                data = pickle.dumps(task(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writing, "wb") as sink:
                    sink.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(writing)
        self.pid, self.pipe = pid, reading

    def result(self) -> Result:
        if self.pipe is not None:
            with os.fdopen(self.pipe, "rb") as source:
                self.pipe = None
                data = source.read()
            self._reap()
            if data:
                try:
                    return pickle.loads(data)
                except Exception:  # cut short (killed while writing): done here instead
                    pass
        return self.task(*self.args)

    def close(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        self._reap()

    def _reap(self) -> None:
        pid, self.pid = self.pid, None
        if pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)

    def __enter__(self) -> Aside[Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when the process that forked it dies (Linux's PR_SET_PDEATHSIG). A build killed outright
    (SIGKILL, or SIGTERM from a CI runner's time limit) cannot stop its workers; without this they would wait for work
    for ever, each holding its copy of the build's memory."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _checked(results: Iterator[Result]) -> Iterator[Result]:
    try:
        yield from results
    except BrokenProcessPool:
        raise WorkerDied() from None
