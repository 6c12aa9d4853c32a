"""Limits wherever input enters, exit codes, the output swap at every instant, concurrent builds and `serve`.

Each class is tried with several hostile variants; every CLI run asserts the exit code and that no traceback
reached the user.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DataCopy
from git_helpers import GitRepo
from sitekit import SITE, copy_data, make_site

from cxzy_gen.cli import main
from cxzy_gen.site import write as w

C = "units/lian-1/2011/commitments.yaml"
MEMBERS = "units/lian-1/members.yaml"


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, text


# ---------------------------------------------------------------- numbers, dates, SOURCE_DATE_EPOCH


@pytest.mark.parametrize(
    ("keys", "raw"),
    [
        ((MEMBERS, ("members", 0, "joined")), "0x" + "f" * 4000),
        ((MEMBERS, ("members", 0, "joined")), ":".join(["59"] * 1500)),  # base-60, YAML 1.1
        ((MEMBERS, ("members", 0, "joined")), "9" * 5000),
        ((MEMBERS, ("members", 0, "joined")), "0b" + "1" * 5000),
        ((C, ("commitments", 0, "title")), "0x" + "f" * 4000),
        ((C, ("commitments", 0, "title")), "1" + "_0" * 3000),
        ((C, ("commitments", 0, "title")), "1.5e" + "9" * 400),
    ],
)
def test_huge_numbers_are_problems_not_crashes(mini: DataCopy, keys: tuple[str, tuple[str | int, ...]], raw: str) -> None:
    rel, path = keys
    mini.set(rel, path, raw=raw)
    started = time.monotonic()
    problems = mini.problems()
    assert time.monotonic() - started < 10
    assert all(len(p.message) < 400 for p in problems)
    if path[-1] == "joined":
        assert [p.code for p in problems] == ["E-VALUE"] and "「joined」" in problems[0].message


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1900-05-01", "2101-01-01"])
def test_implausible_years_are_refused_and_build_exits_1(mini: DataCopy, day: str) -> None:
    mini.set(C, ("commitments", 0, "deadline"), raw=day)
    problems = mini.problems()
    assert any(p.code == "E-VALUE" and day in p.message and "1921–2100" in p.message for p in problems), problems
    code, out = run(["build", "--data", "data", "--out", "public", "--today", "2011-06-28"])
    assert code == 1 and "E-VALUE" in out and not Path("public").exists()


@pytest.mark.parametrize("epoch", ["abc", "1.5", "-1", "1e9", "٣٣٣", "99999999999999999999", "253402300800", " ", "1309190400x"])
def test_a_malformed_source_date_epoch_is_a_clear_usage_error(mini: DataCopy, epoch: str) -> None:
    for args in (["build", "--data", "data", "--out", "public", "--no-search"], ["validate", "--data", "data", "--base", "HEAD"]):
        code, out = run(args, env={"SOURCE_DATE_EPOCH": epoch})
        if epoch.strip() == "":
            continue  # empty means unset
        assert code == 2 and "SOURCE_DATE_EPOCH" in out, out


def test_a_build_date_out_of_range_is_refused(mini: DataCopy) -> None:
    code, out = run(["build", "--data", "data", "--out", "public", "--today", "9999-12-31"])
    assert code == 2 and "1921–2100" in out


# ---------------------------------------------------------------- files: size on every path, special files


def test_a_fifo_data_file_is_reported_not_skipped(mini: DataCopy) -> None:
    os.mkfifo(mini.path("units/lian-1/2011/reviews.yaml.tmp.yaml"))
    os.mkfifo(mini.path("units/lian-1/2012.yaml"))
    code, out = run(["validate", "--data", "data"])
    assert code == 1 and out.count("不是普通文件") == 2


def test_base_and_diff_refuse_a_huge_blob_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = GitRepo(tmp_path / "site")
    big = "audience: 向社会公开\ncommitments: []\n# " + "很" * (12 * 1024 * 1024) + "\n"  # ~36 MB
    r.write("units/lian-1/2012/commitments.yaml", big)
    r.commit("导入数据（含一个巨大的文件）")
    r.git("branch", "base")
    r.write("units/lian-1/2012/commitments.yaml", "audience: 向社会公开\ncommitments: []\n")
    monkeypatch.chdir(r.root)
    for args in (["diff", "--base", "base"], ["validate", "--base", "base"]):
        started = time.monotonic()
        code, out = run(args)
        assert time.monotonic() - started < 20, args
        assert code in (0, 1) and "Traceback" not in out
    from cxzy_gen.git.plumbing import show_file, tree_files

    assert tree_files(r.root, "base", "data")["units/lian-1/2012/commitments.yaml"] is None
    assert show_file(r.root, "base", "data/units/lian-1/2012/commitments.yaml") is None
    assert show_file(r.root, "base", "data/site.yaml") is not None


def test_many_unknown_references_against_many_members_is_fast(mini: DataCopy) -> None:
    members = "".join(f"  - id: m{i:05d}\n    name: 党员{i}\n    roles: [党员]\n" for i in range(20000))
    mini.write(MEMBERS, mini.text(MEMBERS) + members)
    items = "".join(
        f"  - id: x-c{i:04d}\n    kind: 即时承诺\n    subject: nobody{i:04d}\n    title: 承诺{i}\n    measures: 做好。\n    proposed: 2011-03-01\n    deadline: 2011-05-01\n"
        for i in range(1500)
    )
    mini.write("units/lian-1/2012/commitments.yaml", "audience: 向社会公开\ncommitments:\n" + items)
    started = time.monotonic()
    problems = mini.problems()
    assert time.monotonic() - started < 30
    assert sum(p.code == "E-REF" for p in problems) >= 1500, [p.as_text() for p in problems if p.code != "E-REF"][:5]


# ---------------------------------------------------------------- exit codes and a full disk


def test_a_refused_out_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_data(SITE, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/keep.txt").write_text("x", encoding="utf-8")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for out in ("notes", "afile", "."):
        code, text = run(["build", "--data", "data", "--out", out, "--today", "2011-06-28"])
        assert code == 2, (out, text)
    assert (tmp_path / "notes/keep.txt").read_text(encoding="utf-8") == "x"


def test_a_full_disk_is_a_clear_error_and_the_old_site_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(SITE, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    make_site(data, tmp_path / "public", search=False)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "public").rglob("*"))
    real = Path.write_bytes
    calls = {"n": 0}

    def full(self: Path, data: bytes) -> int:  # type: ignore[override]
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    code, text = run(["build", "--data", "data", "--out", "public", "--today", "2011-06-29", "--no-cache"])
    assert code == 1 and "磁盘空间不足" in text and "保持原样" in text
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "public").rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


# ---------------------------------------------------------------- the swap: never missing, killed anywhere, serialised

_CHILD = """
import os, signal, sys
from pathlib import Path
from cxzy_gen.site import write as w
step = sys.argv[2]
def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)
real_exchange = w._exchange
if step == "writing":
    def files():
        yield "index.html", b"new"
        die()
    w.write(files(), Path(sys.argv[1]))
if step == "before-swap":
    w._exchange = lambda a, b: die()
if step == "after-swap":
    w._exchange = lambda a, b: (real_exchange(a, b), die())[0]
w.write([("index.html", b"new"), ("units/x/index.html", b"new")], Path(sys.argv[1]))
"""


@pytest.mark.parametrize("step", ["writing", "before-swap", "after-swap"])
def test_a_build_killed_at_any_step_of_the_swap_leaves_a_whole_site(tmp_path: Path, step: str) -> None:
    out = tmp_path / "public"
    w.write([("index.html", b"old"), ("units/y/index.html", b"old")], out)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(out), step], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL
    page = (out / "index.html").read_bytes()
    assert page in (b"old", b"new") and (out / w.MARKER).is_file()
    assert (out / "units/y/index.html").exists() == (page == b"old")
    # the next build cleans what the killed one left, and nothing else is beside the output
    w.write([("index.html", b"next")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
    assert (out / "index.html").read_bytes() == b"next"


_CHILD_SPARE = """
import os, signal, sys
from pathlib import Path
from cxzy_gen.site import write as w
out, keep, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)
real_exchange = w._exchange
spare = w.Spare(keep, {"index.html", "units/z/index.html"})
if step == "writing":
    def files():
        yield "index.html", b"new"
        die()
    w.write(files(), out, spare=spare)
if step == "removing":
    w._remove_others = die
if step == "before-swap":
    w._exchange = lambda a, b: die()
if step == "after-swap":
    w._exchange = lambda a, b: (real_exchange(a, b), die())[0]
if step == "keeping":
    w._keep_or_remove = lambda previous, keep: die()
w.write([("index.html", b"new"), ("units/x/index.html", b"new")], out, spare=spare)
"""


@pytest.mark.parametrize("step", ["writing", "removing", "before-swap", "after-swap", "keeping"])
def test_a_build_into_the_spare_killed_at_any_step_leaves_a_whole_site(tmp_path: Path, step: str) -> None:
    """The same with the output before last (kept in the cache) brought up to date instead of a new folder."""
    out, keep = tmp_path / "public", tmp_path / "cache" / "site"
    w.write([("index.html", b"older"), ("units/z/index.html", b"older")], out)
    w.write([("index.html", b"old"), ("units/y/index.html", b"old")], out, spare=w.Spare(keep))
    assert (keep / "units/z/index.html").read_bytes() == b"older"  # the output replaced, kept for the next build
    done = subprocess.run([sys.executable, "-c", _CHILD_SPARE, str(out), str(keep), step], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL
    page = (out / "index.html").read_bytes()
    assert page in (b"old", b"new") and (out / w.MARKER).is_file()
    site = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = ["index.html", "units/x/index.html"] if page == b"new" else ["index.html", "units/y/index.html"]
    assert site == sorted([*expected, w.MARKER])
    # the next build cleans what the killed one left, and nothing else is beside the output
    held = {p.relative_to(keep).as_posix() for p in keep.rglob("*") if p.is_file()} - {w.MARKER} if keep.is_dir() else None
    w.write([("index.html", b"next")], out, spare=w.Spare(keep, held))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "public"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == sorted(["index.html", w.MARKER])
    assert (out / "index.html").read_bytes() == b"next"


def test_the_output_is_never_missing_while_builds_swap(tmp_path: Path) -> None:
    out = tmp_path / "public"
    w.write([("index.html", b"0")], out)
    missing: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (out / "index.html").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(60):
            w.write([("index.html", str(i).encode()), ("units/a/index.html", b"x")], out)
    finally:
        stop.set()
        watcher.join()
    assert missing == []


def test_concurrent_builds_take_turns(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    cmd = [sys.executable, "-m", "cxzy_gen", "build", "--data", str(data), "--out", str(tmp_path / "public"), "--quiet", "--no-cache"]
    procs = [
        subprocess.Popen([*cmd, "--today", f"2011-06-{day}"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for day in (27, 28, 29)
    ]
    results = [(p.wait(timeout=300), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert all("Traceback" not in err for _, err in results)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "public"]
    assert (tmp_path / "public/index.html").is_file()


# ---------------------------------------------------------------- serve: Host header and odd paths


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, threading.Event]]:
    """One preview server for the module's requests: they only read, and each test looks for a traceback itself."""
    from cxzy_gen.site.serve import serve

    data = copy_data(SITE, tmp_path_factory.mktemp("serve") / "data")
    said: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, kwargs={"data_dir": data, "port": 0, "today": dt.date(2011, 6, 28), "say": said.append, "stop": stop}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not any("预览地址" in s for s in said):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    port = int(re.search(r":(\d+)/", next(s for s in said if "预览地址" in s)).group(1))  # type: ignore[union-attr]
    yield port, stop
    stop.set()


def _request(port: int, path: str, host: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.putrequest("GET", path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", "localhost:1", "", None])
def test_serve_refuses_other_host_names(server: tuple[int, threading.Event], host: str | None, capfd: pytest.CaptureFixture[str]) -> None:
    port, _ = server
    assert _request(port, "/index.html", None if host is None else host.format(port=port)) == 421
    assert _request(port, "/index.html", f"127.0.0.1:{port}") == 200
    assert _request(port, "/index.html", f"localhost:{port}") == 200
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("path", ["/%00", "/index.html%00.css", "/%ff%fe", "/..%2f..%2fetc/passwd", "/%c0%ae%c0%ae/", "/" + "a" * 5000])
def test_serve_answers_odd_paths_without_a_traceback(
    server: tuple[int, threading.Event], path: str, capfd: pytest.CaptureFixture[str]
) -> None:
    port, _ = server
    assert _request(port, path, f"127.0.0.1:{port}") in (404, 414)
    assert _request(port, "/", f"127.0.0.1:{port}") == 200
    assert "Traceback" not in capfd.readouterr().err


# ---------------------------------------------------------------- the swap without renameat2


class _NoExchange:
    """A C library whose renameat2 answers as an old kernel or a file system without RENAME_EXCHANGE does."""

    def __init__(self, err: int) -> None:
        self.err, self.calls = err, 0

    def renameat2(self, *_: object) -> int:
        self.calls += 1
        ctypes.set_errno(self.err)
        return -1


@pytest.mark.parametrize("err", [errno.ENOSYS, errno.EINVAL, errno.ENOTSUP], ids=["ENOSYS", "EINVAL", "ENOTSUP"])
def test_without_the_atomic_exchange_the_site_is_still_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    libc = _NoExchange(err)
    monkeypatch.setattr(w.ctypes, "CDLL", lambda *a, **k: libc)
    out = tmp_path / "public"
    w.write([("index.html", b"old"), ("units/gone/index.html", b"old")], out)
    w.write([("index.html", b"new"), ("units/kept/index.html", b"new")], out)
    assert libc.calls == 1  # the exchange was tried, refused, and the rename way taken
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        ["index.html", "units/kept/index.html", w.MARKER]
    )
    assert (out / "index.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]  # no .public-old-*/-new-* left beside it


def test_without_renameat2_at_all_the_site_is_still_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(w.ctypes, "CDLL", lambda *a, **k: object())  # a C library without renameat2 (old glibc, musl)
    out = tmp_path / "public"
    w.write([("index.html", b"old"), ("units/gone/index.html", b"old")], out)
    w.write([("index.html", b"new")], out)
    assert (out / "index.html").read_bytes() == b"new" and not (out / "units").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_without_the_exchange_a_failed_rename_puts_the_previous_site_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(w.ctypes, "CDLL", lambda *a, **k: _NoExchange(errno.ENOSYS))
    out = tmp_path / "public"
    w.write([("index.html", b"old"), ("units/y/index.html", b"old")], out)
    real = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(dst)) == out and ".public-new-" in str(src):  # the new site moving in fails
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(w.os, "rename", rename)
    with pytest.raises(OSError):
        w.write([("index.html", b"new")], out)
    monkeypatch.setattr(w.os, "rename", real)
    assert (out / "index.html").read_bytes() == b"old" and (out / "units/y/index.html").read_bytes() == b"old"
    assert (out / w.MARKER).is_file()
    w.write([("index.html", b"next")], out)  # the next build cleans what the failed one left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
