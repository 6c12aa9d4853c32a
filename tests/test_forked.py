"""Worker processes that die (killed for memory, say) fail the step with a message; they never leave it waiting."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sitekit import SITE, copy_data, files, make_site

from cxzy_gen.cli import main
from cxzy_gen.demo import _generate_unit
from cxzy_gen.forked import Aside, Forked, Steps, WorkerDied, can_fork
from cxzy_gen.records.validate import Parsed, _parse_one

PARENT = os.getpid()


def _square(n: int) -> int:
    return n * n


def _die_at_seven(n: int) -> int:
    if n == 7 and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
    return n


def _parse_or_die(job: tuple[Path, type, bool]) -> Parsed:
    if job[0].name == "members.yaml" and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return _parse_one(job)  # type: ignore[arg-type]


def _demo_unit_or_die(job: tuple[Any, int]) -> Any:
    if job[1] == 150 and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return _generate_unit(job)


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the test run, when the step waits for ever (as multiprocessing.Pool did)."""

    def expired(*_: object) -> None:
        raise TimeoutError(f"still waiting after {seconds} s: a dead worker's task is waited for")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def _forks() -> None:
    if not can_fork():
        pytest.skip("this process cannot fork workers (another thread runs)")


def test_results_come_in_the_items_order_and_the_workers_end() -> None:
    with Forked(2) as pool:
        assert list(pool.map(_square, range(100), chunksize=7)) == [n * n for n in range(100)]
    assert multiprocessing.active_children() == [] and can_fork()  # no worker and no thread of the pool is left


def test_a_worker_killed_fails_the_map_instead_of_hanging() -> None:
    with _deadline(60), pytest.raises(WorkerDied, match="工作进程意外退出"), Forked(2) as pool:
        list(pool.map(_die_at_seven, range(50)))
    assert multiprocessing.active_children() == [] and can_fork()


def _where(n: int, wait: float = 0.0) -> tuple[int, int]:
    """Where the task ran, and its result; a forked process first waits `wait` seconds (to be killed meanwhile)."""
    import time

    if os.getpid() != PARENT:
        time.sleep(wait)
    return os.getpid(), n * n


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_task_aside_runs_in_a_process_of_its_own_and_comes_back() -> None:
    with Aside(_where, 12) as aside:
        pid = aside.pid
        assert pid is not None and pid != PARENT
        assert aside.result() == (pid, 144)
    assert _reaped(pid) and can_fork()  # no process and no thread left


def test_a_task_aside_killed_or_not_forked_is_done_here() -> None:
    with _deadline(60):
        killed = Aside(_where, 5, 60.0)
        assert killed.pid is not None
        os.kill(killed.pid, signal.SIGKILL)
        assert killed.result() == (PARENT, 25)  # done in this process (not waited for)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        aside = Aside(_where, 3)  # a thread runs: forking is unsafe, the task waits for result()
        assert aside.pid is None and aside.result() == (os.getpid(), 9)
    finally:
        stop.set()
        beside.join()


def test_a_task_aside_not_wanted_is_ended() -> None:
    aside = Aside(_where, 2, 60.0)
    pid = aside.pid
    assert pid is not None
    with _deadline(20):
        aside.close()
    assert _reaped(pid) and not _alive(pid)


def _counting(count: int, wait: float = 0.0) -> Iterator[tuple[int, int]]:
    """Where each step ran, and its number; a forked process waits `wait` seconds before each step but the first."""
    import time

    for n in range(count):
        if n and os.getpid() != PARENT:
            time.sleep(wait)
        yield os.getpid(), n


def test_steps_aside_come_back_one_by_one_from_a_process_of_their_own() -> None:
    with Steps(_counting, 3) as steps:
        pid = steps.pid
        assert pid is not None and pid != PARENT and steps.forked
        assert [steps.next() for _ in range(3)] == [(pid, 0), (pid, 1), (pid, 2)]
    assert _reaped(pid) and can_fork()


def test_steps_aside_go_on_here_when_their_process_dies_or_cannot_be_forked() -> None:
    with _deadline(60):
        steps = Steps(_counting, 3, 60.0)
        pid = steps.pid
        assert pid is not None and steps.next() == (pid, 0)
        os.kill(pid, signal.SIGKILL)
        assert steps.next() == (PARENT, 1) and not steps.forked  # the first step not made again
        assert steps.next() == (PARENT, 2)
        with pytest.raises(StopIteration):
            steps.next()
        assert _reaped(pid)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        steps = Steps(_counting, 2)  # a thread runs: forking is unsafe, each step is made when asked
        assert steps.pid is None and not steps.forked
        assert [steps.next(), steps.next()] == [(PARENT, 0), (PARENT, 1)]
    finally:
        stop.set()
        beside.join()


def _force_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxzy_gen.records import validate
    from cxzy_gen.site import render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(validate, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_a_render_worker_killed_fails_the_build_and_leaves_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cxzy build` says in Chinese that a worker died, exits 1, and the site built before is as it was, with nothing
    left beside it."""
    from cxzy_gen.site import render

    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    before = files(out)
    _force_workers(monkeypatch)
    real = render.render_page

    def render_page(page: render.Page, env: object) -> tuple[str, bytes]:
        if page.url == "units/index.html" and os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(page, env)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_page", render_page)
    args = ["build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-29", "--no-search", "--no-cache", "--quiet"]
    with _deadline(120):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "工作进程意外退出" in result.output and f"{out} 保持原样" in result.output and "Traceback" not in result.output
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
    assert multiprocessing.active_children() == [] and threading.active_count() == 1


def test_a_parsing_worker_killed_fails_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxzy_gen.records import validate

    data = copy_data(SITE, tmp_path / "data")
    _force_workers(monkeypatch)
    monkeypatch.setattr(validate, "_parse_one", _parse_or_die)  # (sent to the workers by name: a module-level function)
    with _deadline(120):
        result = CliRunner().invoke(main, ["validate", "--data", str(data), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "工作进程意外退出" in result.output and "没有完成" in result.output and "Traceback" not in result.output
    assert multiprocessing.active_children() == [] and threading.active_count() == 1


def test_a_demo_worker_killed_leaves_no_half_written_board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cxzy demo` writes beside its folder and moves the board in whole: a worker that dies leaves neither the folder
    nor anything beside it, and no git process waiting for the rest of its input."""
    from cxzy_gen import demo

    _force_workers(monkeypatch)
    monkeypatch.setattr(demo, "_generate_unit", _demo_unit_or_die)
    out = tmp_path / "board"
    with _deadline(120):
        result = CliRunner().invoke(main, ["demo", "--units", "200", "--members", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "工作进程意外退出" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == [] and threading.active_count() == 1
    monkeypatch.undo()
    out.mkdir()  # an empty folder given is used, and the board is whole
    assert demo.generate(3, 2, out).out == out and (out / ".git").is_dir() and (out / "data" / "site.yaml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["board"] and oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_build_forks_its_render_workers_after_its_parsing_workers_are_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsing pool's own thread is waited for when it closes: were it still running, the render workers could
    not be forked (`can_fork`) and a big build would render on one core."""
    _force_workers(monkeypatch)
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(threading.active_count())
        return real_fork()

    from cxzy_gen.records import validate

    real_read = validate.read_dataset
    after_reading: list[int] = []

    def read_dataset(*args: Any, **kw: Any) -> Any:
        read = real_read(*args, **kw)
        after_reading.append(threading.active_count())
        return read

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(validate, "read_dataset", read_dataset)
    make_site(SITE, tmp_path / "public", search=False)
    assert after_reading == [1]  # the parsing pool is gone, its thread too
    # two parsing workers, the cross-record rules' process, then two render workers: each forked beside no other thread
    assert forks == [1, 1, 1, 1, 1]


HOLDER = """
import time
from cxzy_gen.forked import Forked
pool = Forked(2)
print(" ".join(str(pid) for pid in pool.executor._processes), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's reaper is missing


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_the_workers_die_with_a_build_killed_outright() -> None:
    """SIGKILL (or a CI runner's SIGTERM) ends a build without its cleanup: its workers must not live on, waiting for
    work for ever with their copy of its memory."""
    import subprocess
    import sys
    import time

    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        workers = [int(pid) for pid in holder.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # (a failing run leaves nothing behind)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert left == []
