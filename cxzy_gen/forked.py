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
from typing import BinaryIO, Generic, TypeVar

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
        self.source: BinaryIO | None = None
        if not can_fork():
            return
        parent = os.getpid()
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the forked process: do the task, send each result, and leave without running anything else
            status = 1
            try:
                os.close(reading)
                _die_with_parent(parent)
                with os.fdopen(writing, "wb") as sink:
                    for value in self._results():
                        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                        sink.write(len(data).to_bytes(8, "little") + data)
                        sink.flush()
                status = 0
            finally:
                os._exit(status)
        os.close(writing)
        self.pid, self.source = pid, os.fdopen(reading, "rb")

    def _results(self) -> Iterator[object]:
        yield self.task(*self.args)

    def _receive(self) -> tuple[bool, object]:
        """The next result sent back, if the process sent it whole (else it failed, or was killed: False)."""
        if self.source is None:
            return False, None
        size = self.source.read(8)
        if len(size) == 8:
            data = self.source.read(int.from_bytes(size, "little"))
            if len(data) == int.from_bytes(size, "little"):
                try:
                    return True, pickle.loads(data)
                except Exception:  # (whole, yet it does not unpickle here: the task is done here instead)
                    pass
        self.close()
        return False, None

    def result(self) -> Result:
        done, value = self._receive()
        self.close()
        return value if done else self.task(*self.args)  # type: ignore[return-value]

    def close(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        if self.source is not None:
            self.source.close()
            self.source = None
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


class Steps(Aside[Result]):
    """An `Aside` whose task is a generator: `next()` gives what it yielded next, each sent back as soon as it is made,
    so this process can use the first while the task goes on to the next. Where the process failed, was killed, or
    could not be forked, the task runs here from then on (what was already received skipped: the task must yield the
    same each time), one step at each `next()`, from whichever thread asks."""

    def __init__(self, task: Callable[..., Iterator[Result]], *args: object) -> None:
        self.steps = task  # (before the fork: the process runs it)
        self.received = 0
        self.here: Iterator[Result] | None = None
        super().__init__(task, *args)  # type: ignore[arg-type]

    def _results(self) -> Iterator[object]:
        yield from self.steps(*self.args)

    @property
    def forked(self) -> bool:
        """Whether the task runs in a process of its own (so far)."""
        return self.source is not None

    def next(self) -> Result:
        if self.here is None:
            done, value = self._receive()
            if done:
                self.received += 1
                return value  # type: ignore[return-value]
            self.here = self.steps(*self.args)
            for _ in range(self.received):
                next(self.here)
        return next(self.here)


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
