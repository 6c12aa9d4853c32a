"""Builds with the cache (.cxzy-cache): byte-identical to a cold build after every kind of change, and the cache
never trusted across a change of cxzy, its schema, the templates, the build date or the audience."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel
from sitekit import files

import cxzy_gen
from cxzy_gen import cache as cache_mod
from cxzy_gen.build import BuildResult, build
from cxzy_gen.cli import main
from cxzy_gen.demo import generate
from cxzy_gen.git.history import History
from cxzy_gen.git.source import HistorySource
from cxzy_gen.records import layout
from cxzy_gen.records import models as m
from cxzy_gen.records.validate import display_path, load_dataset
from cxzy_gen.site import reuse as reuse_module
from cxzy_gen.site import search as search_module
from cxzy_gen.site.scope import Scope
from cxzy_gen.site.write import take_over

END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("board") / "board"
    generate(24, 3, out, years=1, seed=3)
    return out


@pytest.fixture
def board(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "board"
    shutil.copytree(pristine, copy)
    return copy


class Builds:
    """Builds one board with the cache into one output folder, and cold (no cache, fresh folder) to compare.

    `search=False` leaves the Pagefind index out of both, where the test's subject is not the index."""

    def __init__(self, board: Path, tmp: Path, search: bool = True) -> None:
        self.data, self.tmp = board / "data", tmp
        self.out, self.cache = tmp / "public", tmp / "cache"
        self.search = search
        self.cold_runs = 0

    def incremental(self, today: dt.date = END, audience: m.Audience = m.Audience.PUBLIC, templates: Path | None = None) -> BuildResult:
        return build(
            self.data, self.out, today, audience, templates, archive=HistorySource(self.data), cache=self.cache, search=self.search
        )

    def assert_same_as_cold(self, today: dt.date = END, audience: m.Audience = m.Audience.PUBLIC, templates: Path | None = None) -> None:
        self.cold_runs += 1
        cold = self.tmp / f"cold{self.cold_runs}"
        build(self.data, cold, today, audience, templates, archive=History.load(self.data), search=self.search)
        ours, theirs = _comparable(files(self.out)), _comparable(files(cold))
        assert sorted(ours) == sorted(theirs)
        assert [name for name in ours if ours[name] != theirs[name]] == []


# Pagefind's compressed wasm file, like its filter files (sitekit.UNSTABLE), is not byte-reproducible from run to run.
_PAGEFIND_WASM = re.compile(r"pagefind/[^/]+/wasm\.[^/]+\.pagefind$")


def _comparable(site: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in site.items() if not _PAGEFIND_WASM.match(name)}


def edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, (path, pattern)
    path.write_text(changed, encoding="utf-8")


def test_every_incremental_build_is_byte_identical_to_a_cold_build(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    units = b.data / "units"
    first = b.incremental()
    assert not first.unchanged
    b.assert_same_as_cold()

    again = b.incremental()
    assert again.unchanged and again.pages == first.pages and again.files == first.files
    b.assert_same_as_cold()

    edit(units / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 改过的承诺事项")  # one commitment edited
    assert not b.incremental().unchanged
    b.assert_same_as_cold()

    new = units / "u09999"  # a unit added
    new.mkdir()
    (new / "unit.yaml").write_text(
        "id: u09999\nname: 新成立的党支部\nkind: 党支部\ntype: 社区\nparent: u00000\nsecretary: u09999-m001\n", encoding="utf-8"
    )
    (new / "members.yaml").write_text("members:\n- id: u09999-m001\n  name: 新党员\n  roles: [书记]\n", encoding="utf-8")
    b.incremental()
    b.assert_same_as_cold()

    (units / "u00006" / "2025" / "reviews.yaml").unlink()  # a file deleted
    shutil.rmtree(units / "u09999")  # and a unit removed again
    b.incremental()
    b.assert_same_as_cold()

    edit(units / "u00007" / "unit.yaml", r"^parent: u00001$", "parent: u00000")  # a unit moved in the tree
    b.incremental()
    b.assert_same_as_cold()

    edit(b.data / "site.yaml", r"^publicity_working_days: 5$", "publicity_working_days: 5\ndefault_audience: 党内公开")
    b.incremental()  # cached records take their audience from the file and site.yaml anew
    b.assert_same_as_cold()

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text('{% extends "default:base.html" %}{% block footer %}<p>甲</p>{% endblock %}', encoding="utf-8")
    b.incremental(templates=templates)  # a template added
    b.assert_same_as_cold(templates=templates)
    (templates / "base.html").write_text('{% extends "default:base.html" %}{% block footer %}<p>乙</p>{% endblock %}', encoding="utf-8")
    assert not b.incremental(templates=templates).unchanged  # a template changed
    b.assert_same_as_cold(templates=templates)

    later = END + dt.timedelta(days=3)  # the build date changed
    assert not b.incremental(today=later, templates=templates).unchanged
    b.assert_same_as_cold(today=later, templates=templates)

    assert not b.incremental(today=later, audience=m.Audience.PARTY, templates=templates).unchanged  # the audience changed
    b.assert_same_as_cold(today=later, audience=m.Audience.PARTY, templates=templates)


def test_a_new_commit_is_a_change_even_when_the_files_are_the_same(board: Path, tmp_path: Path) -> None:
    import subprocess

    b = Builds(board, tmp_path)
    b.incremental()
    before = _inodes(b.out)
    git = ["git", "-c", "user.name=测试", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "空提交"], cwd=board, check=True)
    assert not b.incremental().unchanged  # the data version and the change log follow HEAD
    after = _inodes(b.out)
    # only they: every page's footer takes the data version from the one script, so the pages stay as they were
    changed = sorted(name for name in after if before.get(name) != after[name] and name != ".cxzy-site")
    assert changed == ["assets/version.js", "changes/index.html"]
    b.assert_same_as_cold()


def test_nothing_changed_reads_neither_the_files_nor_the_git_log(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    b = Builds(board, tmp_path, search=False)
    first = b.incremental()
    monkeypatch.setattr(cache_mod, "SETTLED_SECONDS", 0)  # the files were just written: let them count as settled
    b.incremental()  # the stamp now vouches for the folder states

    def refuse(*args: object) -> None:
        raise AssertionError("read although nothing changed")

    monkeypatch.setattr(cache_mod, "data_digest", refuse)
    monkeypatch.setattr(History, "load", refuse)
    again = b.incremental()
    assert again.unchanged and again.pages == first.pages


def _same_size_same_mtime_edit(path: Path) -> None:
    """Change a file's bytes but not its size or modification time (as a careless copy or `touch -r` would)."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"^  title: (.)", lambda m: "  title: " + ("甲" if m.group(1) != "甲" else "乙"), text, count=1, flags=re.MULTILINE)
    assert changed != text and len(changed.encode()) == len(text.encode())
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    monkeypatch.setattr(cache_mod, "SETTLED_SECONDS", 0)
    assert b.incremental().unchanged
    _same_size_same_mtime_edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml")
    assert not b.incremental().unchanged  # the change time moved: the files were read and differ
    b.assert_same_as_cold()


def test_files_changed_just_now_are_read_not_trusted(tmp_path: Path) -> None:
    """A state taken within SETTLED_SECONDS of a change could miss a second write in the same clock tick: the stamp
    keeps no folder state for it, so the next build reads the files."""
    import pickle

    data = tmp_path / "data"
    data.mkdir()
    (data / "site.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".cxzy-site").write_text("cxzy\n", encoding="utf-8")
    stamp = cache_mod.BuildStamp(tmp_path / "cache", tmp_path / "out", ["x"], ".cxzy-site", [data])
    assert not stamp.states[0].settled
    stamp.save("report")
    assert pickle.loads(stamp.path.read_bytes())[3] == {}
    old = dt.datetime(2020, 1, 1).timestamp()
    os.utime(data / "site.yaml", (old, old))  # the change time is still now: not settled
    assert not cache_mod.FolderState.of(data).settled


def test_in_a_changed_folder_only_the_files_whose_state_changed_are_read(
    board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp keeps each settled file's lstat and digest: when the data folder changed, the build's look at it reads
    only the files whose lstat is not the one kept (an edit, even one that keeps the size and modification time, moves
    the change time), and still sees every change."""
    b = Builds(board, tmp_path, search=False)
    b.incremental()
    monkeypatch.setattr(cache_mod, "SETTLED_SECONDS", 0)  # the files were just written: let them count as settled
    assert b.incremental().unchanged  # (the stamp now has every file's state)
    read: list[str] = []
    original = cache_mod._file_bytes

    def reading(path: str, st: os.stat_result | None) -> bytes:
        read.append(os.path.relpath(path, b.data))
        return original(path, st)

    monkeypatch.setattr(cache_mod, "_file_bytes", reading)
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 只读这一个文件")
    _same_size_same_mtime_edit(b.data / "units" / "u00007" / "2025" / "commitments.yaml")
    assert not b.incremental().unchanged
    assert sorted(read) == ["units/u00005/2025/commitments.yaml", "units/u00007/2025/commitments.yaml"]
    b.assert_same_as_cold()
    read.clear()
    assert b.incremental().unchanged and read == []


def test_a_file_read_just_after_a_change_is_not_vouched_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within SETTLED_SECONDS of being read could change again in the same clock tick unseen: its digest
    is not kept for the next look, which reads it again; a settled file's is kept, and used while its lstat stays."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "site.yaml").write_text("a: 1\n", encoding="utf-8")
    seen: cache_mod.FileDigests = {}
    first = cache_mod.data_digest(data, {}, seen)
    assert seen == {}
    monkeypatch.setattr(cache_mod, "SETTLED_SECONDS", 0)
    assert cache_mod.data_digest(data, {}, seen) == first and set(seen) == {"site.yaml"}
    (stat_kept, _) = seen["site.yaml"]
    forged = {"site.yaml": (stat_kept, b"\0" * 20)}  # a kept digest stands for the file while its lstat is the same
    assert cache_mod.data_digest(data, forged) != first
    (data / "site.yaml").write_text("a: 2\n", encoding="utf-8")
    assert cache_mod.data_digest(data, forged) == cache_mod.data_digest(data) != first  # the state moved: read again


def test_a_new_commit_is_seen_by_the_history_source(board: Path, tmp_path: Path) -> None:
    import subprocess

    b = Builds(board, tmp_path)
    b.incremental()
    assert b.incremental().unchanged
    git = ["git", "-c", "user.name=测试", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "空提交"], cwd=board, check=True)
    source = HistorySource(b.data)
    assert not build(b.data, b.out, END, archive=source, cache=b.cache).unchanged
    assert source.head == source.load().head
    b.assert_same_as_cold()


@pytest.mark.parametrize("dies", [False, True], ids=["read aside", "the process aside dies"])
def test_the_history_is_read_aside_while_the_records_are_read(
    board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dies: bool
) -> None:
    """git's history is read by a process of its own while the build reads its records (`forked.Aside`), and the pages
    show it as a build that read it itself does; when that process dies, the build reads the history itself."""
    build_pid = os.getpid()
    read_in = tmp_path / "read-in"
    real = History.load.__func__  # type: ignore[attr-defined]

    def load(cls: type[History], data_dir: Path, ref: str = "HEAD") -> History:
        if dies and os.getpid() != build_pid:
            os._exit(3)
        with read_in.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return real(cls, data_dir, ref)  # type: ignore[no-any-return]

    monkeypatch.setattr(History, "load", classmethod(load))
    b = Builds(board, tmp_path, search=False)
    b.incremental()
    readers = [int(pid) for pid in read_in.read_text().split()]
    if dies:
        assert readers == [build_pid]  # the process aside died before reading it: the build read it itself
    else:
        assert len(readers) == 1 and readers[0] != build_pid, readers  # read once, by another process
    b.assert_same_as_cold()
    assert any(page.name == "index.html" and "修订记录" in page.read_text(encoding="utf-8") for page in (b.out / "members").rglob("*"))


def test_the_cxzy_program_ends_without_freeing_what_its_build_made(board: Path, tmp_path: Path) -> None:
    """`cxzy build` (`cli.run`) ends at once after a build, its output flushed (through a pipe, so buffered): exit handlers
    do not run, nothing is freed. A build stopped by bad data, and every other command, ends as usual."""
    import subprocess
    import sys

    def cxzy(*args: str) -> subprocess.CompletedProcess[str]:
        script = (
            "import atexit, sys\n"
            "atexit.register(print, '退出处理已运行')\n"
            f"sys.argv = ['cxzy', *{list(args)!r}]\n"
            "from cxzy_gen.cli import run\n"
            "run()\n"
        )
        return subprocess.run([sys.executable, "-c", script], cwd=board, capture_output=True, text=True, env={**os.environ, "CI": "true"})

    out = str(tmp_path / "site")
    built = cxzy("build", "--today", "2025-12-31", "--out", out, "--no-search")
    assert built.returncode == 0, built.stderr
    assert "已生成" in built.stdout and "退出处理已运行" not in built.stdout
    assert (tmp_path / "site/index.html").is_file() and not list(tmp_path.glob("*.lock"))
    unchanged = cxzy("build", "--today", "2025-12-31", "--out", out, "--no-search")  # nothing built: the usual end
    assert unchanged.returncode == 0 and "没有变化" in unchanged.stdout and "退出处理已运行" in unchanged.stdout
    (board / "data/units").joinpath(sorted(p.name for p in (board / "data/units").iterdir())[0], "unit.yaml").write_text(
        "id: [\n", encoding="utf-8"
    )
    refused = cxzy("build", "--today", "2025-12-31", "--out", out, "--no-search")
    assert refused.returncode == 1 and "E-YAML" in refused.stderr and "退出处理已运行" in refused.stdout


def test_cli_build_with_nothing_changed_loads_no_pipeline(board: Path, tmp_path: Path) -> None:
    """`cxzy build` with nothing changed answers from the stamp without importing pydantic, Jinja2 or Markdown."""
    import subprocess
    import sys

    out = tmp_path / "site"
    script = (
        "import sys\n"
        "from cxzy_gen.cli import main\n"
        f"try: main(['build', '--today', '2025-12-31', '--out', {str(out)!r}, '--no-search'])\n"
        "except SystemExit as e: assert not e.code, e.code\n"
        "print(sorted(m for m in ('pydantic', 'jinja2', 'markdown', 'yaml') if m in sys.modules))\n"
    )
    env = {**os.environ, "CI": "true"}
    first = subprocess.run([sys.executable, "-c", script], cwd=board, env=env, capture_output=True, text=True, check=True)
    assert "已生成" in first.stdout and "pydantic" in first.stdout
    second = subprocess.run([sys.executable, "-c", script], cwd=board, env=env, capture_output=True, text=True, check=True)
    assert "没有变化" in second.stdout and second.stdout.rstrip().endswith("[]"), second.stdout


def _inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def test_only_the_pages_whose_inputs_changed_are_written_again(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    before = _inodes(b.out)
    before_bytes = {name: (b.out / name).read_bytes() for name in before if name.endswith(".html")}
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 只改这一项承诺")
    b.incremental()
    after = _inodes(b.out)
    pages = [name for name in after if name.endswith(".html")]
    rewritten = [name for name in pages if before.get(name) != after[name]]
    assert "units/u00005/index.html" in rewritten  # the unit's page shows the commitment
    assert "units/u00009/index.html" not in rewritten and "search/index.html" not in rewritten
    assert 0 < len(rewritten) < len(pages) // 4, rewritten
    assert all((b.out / name).read_bytes() != before_bytes[name] for name in rewritten if name in before_bytes)  # only changed bytes
    search = [name for name in after if name.startswith("pagefind/")]
    assert any(before.get(name) != after[name] for name in search)  # the title is searched: indexed again
    b.assert_same_as_cold()


def test_the_search_index_is_taken_over_when_its_records_are_the_same(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text('{% extends "default:base.html" %}{% block footer %}<p>甲</p>{% endblock %}', encoding="utf-8")
    b.incremental(templates=templates)
    before = _inodes(b.out)
    before_bytes = {name: (b.out / name).read_bytes() for name in before if name.endswith(".html")}
    (templates / "base.html").write_text('{% extends "default:base.html" %}{% block footer %}<p>乙</p>{% endblock %}', encoding="utf-8")
    assert not b.incremental(templates=templates).unchanged
    after = _inodes(b.out)
    html = [name for name in after if name.endswith(".html")]
    assert "index.html" in html and "<p>乙</p>".encode() in (b.out / "index.html").read_bytes()
    # every page is rendered again; those with new bytes (the footer's) are written, the rest kept as they were
    assert [n for n in html if before[n] != after[n]] == [n for n in html if (b.out / n).read_bytes() != before_bytes[n]]
    assert before["index.html"] != after["index.html"]
    search = [name for name in after if name.startswith("pagefind/")]
    assert search and all(before[name] == after[name] for name in search)  # the same records: the same index
    b.assert_same_as_cold(templates=templates)


def _search_shards(out: Path) -> dict[str, dict[str, str]]:
    """Each search shard of a built site (pagefind/shards.json): the URL and content of each record it holds."""
    names = json.loads((out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    held: dict[str, dict[str, str]] = {}
    for name in names:
        for fragment in (out / "pagefind" / name).glob("fragment/*.pf_fragment"):
            record = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
            held.setdefault(name.rstrip("/"), {})[record["url"]] = record["content"]
    return held


def test_a_change_in_one_unit_indexes_only_its_search_shard_again(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "SHARD_RECORDS", 40)  # the small board in several shards
    b = Builds(board, tmp_path)
    b.incremental()
    held = _search_shards(b.out)
    assert len(held) >= 4
    (mine,) = [name for name, urls in held.items() if any(url.startswith("units/u00005/") for url in urls)]
    before = _inodes(b.out)
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 只改这一个分片")
    assert not b.incremental().unchanged
    after = _inodes(b.out)
    search = [name for name in after if name.startswith("pagefind/")]
    again = {name.split("/")[1] for name in search if before.get(name) != after[name]}
    assert again == {mine}  # the unit's shard indexed again (its files are new)...
    others = [name for name in search if name.split("/")[1] not in (mine, "shards.json")]
    assert others and all(before[name] == after[name] for name in others)  # ...every other shard's files taken over
    assert before["pagefind/shards.json"] == after["pagefind/shards.json"]
    assert any("只改这一个分片" in re.sub(r"[\s\u200b]", "", content) for content in _search_shards(b.out)[mine].values())
    b.assert_same_as_cold()
    # Again: now the writer brings the output before last up to date, and the unchanged shards there are kept whole.
    before = after
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 再改这一个分片")
    linked: list[str] = []
    monkeypatch.setattr(reuse_module, "take_over", lambda source, target: linked.append(str(target)) or take_over(source, target))
    b.incremental()
    assert [name.rpartition("/pagefind/")[2] for name in linked if "/pagefind/" in name] == ["shards.json"]  # shards moved whole
    after = _inodes(b.out)
    assert {name.split("/")[1] for name in after if name.startswith("pagefind/") and before.get(name) != after[name]} == {mine}
    assert all(before[name] == after[name] for name in others)
    b.assert_same_as_cold()
    # A unit added lands in one shard too; a cold build of the same data makes the same shards.
    new = b.data / "units" / "u09999"
    new.mkdir()
    (new / "unit.yaml").write_text(
        "id: u09999\nname: 新成立的党支部\nkind: 党支部\ntype: 社区\nparent: u00000\nsecretary: u09999-m001\n", encoding="utf-8"
    )
    (new / "members.yaml").write_text("members:\n- id: u09999-m001\n  name: 新党员\n  roles: [书记]\n", encoding="utf-8")
    before = _inodes(b.out)
    b.incremental()
    after = _inodes(b.out)
    again = {
        name.split("/")[1] for name in after if name.startswith("pagefind/") and name.count("/") > 1 and before.get(name) != after[name]
    }
    assert len(again) == 1
    b.assert_same_as_cold()


def test_the_changed_search_shard_is_listed_and_indexed_aside(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild lists its search records, hashes the shards and indexes the one shard whose records changed in a process
    of its own, begun before the pages are planned: every shard's hash comes back and the changed shard's name, never a
    record, and the shard is in the index folder without this process indexing anything."""
    from cxzy_gen.build import pagefind_binary
    from cxzy_gen.site.derive import derive

    binary = pagefind_binary()
    if binary is None:
        pytest.skip("pagefind[bin] is not installed")
    monkeypatch.setattr(search_module, "SHARD_RECORDS", 40)
    b = Builds(board, tmp_path)
    b.incremental()
    (mine,) = [name for name, urls in _search_shards(b.out).items() if any(url.startswith("units/u00005/") for url in urls)]
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 只改这一个分片")
    dataset, _, _ = load_dataset(b.data)
    assert dataset is not None
    views = derive(dataset, END, Scope(m.Audience.PUBLIC))
    here: list[object] = []
    with reuse_module.Incremental(b.cache, b.out) as incremental:
        incremental.list_search(views, binary)
        listing = incremental.listing
        assert listing is not None and listing.pid not in (None, os.getpid())  # forked
        monkeypatch.setattr(search_module, "index_bundle", lambda *args: here.append(args))  # (in this process only)
        indexing = incremental.index_search()
        assert incremental.indexed == {mine} and indexing.names == [mine] and indexing.thread is None
        indexing.work()  # waits for the process aside
        bundle = indexing.folder / "pagefind"
        assert [p.name for p in bundle.iterdir()] == [mine] and (bundle / mine / "pagefind-entry.json").is_file()
        assert here == []
    assert not indexing.folder.exists() and listing.pid is None  # (the build did not take it: removed, the process ended)
    digests, _ = reuse_module.list_search(views, binary, {})
    assert incremental.digests == digests and len(digests) >= 4


def test_a_search_index_aside_that_dies_is_made_by_the_build(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process that indexes the changed search shards dies after listing them (killed for memory, say): the build
    lists and indexes them itself, and the site is a cold build's."""
    monkeypatch.setattr(search_module, "SHARD_RECORDS", 40)
    b = Builds(board, tmp_path)
    b.incremental()
    parent, steps = os.getpid(), reuse_module.search_steps
    done_here: list[int] = []

    def dies_after_listing(*args: Any) -> Iterator[Any]:
        listed = steps(*args)
        yield next(listed)
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        done_here.append(os.getpid())
        yield from listed

    monkeypatch.setattr(reuse_module, "search_steps", dies_after_listing)
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 索引进程中途退出")
    b.incremental()
    assert done_here == [parent]
    b.assert_same_as_cold()


def test_an_output_file_changed_by_hand_is_written_again(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    page = b.out / "units" / "u00009" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>hand-made</p></body>"))
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 另一处改动")
    b.incremental()
    assert b"hand-made" not in page.read_bytes()
    b.assert_same_as_cold()


def test_nothing_is_taken_over_through_a_folder_replaced_by_a_link(board: Path, tmp_path: Path) -> None:
    """A folder of the previous output swapped for a link to a copy elsewhere: the new site ties no file to that copy."""
    b = Builds(board, tmp_path)
    b.incremental()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(b.out / "units", elsewhere)
    (b.out / "units").symlink_to(elsewhere, target_is_directory=True)
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 换了链接之后")
    b.incremental()
    assert not (b.out / "units").is_symlink()
    outside = {(st.st_dev, st.st_ino) for st in (p.stat() for p in elsewhere.rglob("*") if p.is_file())}
    inside = {(st.st_dev, st.st_ino) for st in (p.stat() for p in (b.out / "units").rglob("*") if p.is_file())}
    assert inside and not inside & outside
    b.assert_same_as_cold()


def _spare(b: Builds) -> Path:
    (folder,) = b.cache.glob("site-*")
    return folder


def _change(b: Builds, n: int) -> None:
    edit(b.data / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", f"  title: 第{n}次改动")


def test_the_output_before_last_is_brought_up_to_date_instead_of_written_whole(board: Path, tmp_path: Path) -> None:
    """From the third build on, the writer takes the output before last (kept in the cache) and writes only what
    differs: an unchanged page keeps its file (inode) there, and nothing else is left beside the output."""
    b = Builds(board, tmp_path)
    b.incremental()
    _change(b, 1)
    b.incremental()
    spare = _spare(b)
    assert (spare / "units/u00009/index.html").is_file()  # the first output, kept for the next build
    held = {name: (spare / name).stat() for name in ("units/u00009/index.html", "units/u00005/index.html")}
    old = (spare / "units/u00005/index.html").read_bytes()
    _change(b, 2)
    b.incremental()
    kept = (b.out / "units/u00009/index.html").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (held["units/u00009/index.html"].st_ino, held["units/u00009/index.html"].st_mtime_ns)
    assert (b.out / "units/u00005/index.html").read_bytes() != old  # written again (its inode may be the freed one's)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board", "cache", "public"]  # nothing left beside the output
    b.assert_same_as_cold()
    # a unit removed: its pages leave the folder brought up to date, and so do the folders they leave empty
    shutil.rmtree(b.data / "units" / "u00023")
    b.incremental()
    b.incremental()  # (the data unchanged: the stamp answers)
    _change(b, 3)
    b.incremental()
    assert not (b.out / "units/u00023").exists() and not list((b.out / "members").glob("u00023-*"))
    b.assert_same_as_cold()


def test_the_first_rebuild_after_an_output_written_whole_links_its_spare_aside(
    board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no spare folder (the output was written whole), the spare is made aside by linking the last output's files
    (`reuse.link_copy`, in the process that looks at the spare): the build's own process then links only what changed,
    the unchanged search shards are moved in whole, and the site is a cold build's."""
    from cxzy_gen.site import write as write_module

    monkeypatch.setattr(search_module, "SHARD_RECORDS", 40)
    b = Builds(board, tmp_path)
    b.incremental()
    assert not list(b.cache.glob("site-*"))  # the output was written whole: there is no spare
    before = _inodes(b.out)
    pages = [name for name in before if name.endswith(".html")]
    linked: list[str] = []

    def spy(source: Path, target: Path) -> None:
        linked.append(str(target))
        take_over(source, target)

    monkeypatch.setattr(write_module, "take_over", spy)
    monkeypatch.setattr(reuse_module, "take_over", spy)
    _change(b, 1)
    assert not b.incremental().unchanged
    assert len(linked) < len(pages) // 10, len(linked)  # (without the spare linked aside: every unchanged page and shard file)
    after = _inodes(b.out)
    shards = {name.split("/")[1] for name in after if name.count("/") > 1 and name.startswith("pagefind/")}
    again = {
        name.split("/")[1] for name in after if name.count("/") > 1 and name.startswith("pagefind/") and before.get(name) != after[name]
    }
    assert len(again) == 1 and len(shards) >= 4  # one shard indexed again, the others' files the same
    assert before["units/u00009/index.html"] == after["units/u00009/index.html"]
    assert _inodes(_spare(b)) == before  # the first output, kept for the next build
    assert not list(b.cache.glob("trash-*/copy-*"))
    b.assert_same_as_cold()


def test_the_spare_linked_aside_leaves_out_what_it_cannot_trust(board: Path, tmp_path: Path) -> None:
    """`link_copy` links only plain paths through real folders of the output: a path leading out and a folder replaced
    by a link (to the same files, moved) are left out, and what is made is moved into place whole. A file changed by
    hand since is linked as it is, found so by the look, and written again: the site is a cold build's."""
    out, spare, work = tmp_path / "public", tmp_path / "cache" / "site-x", tmp_path / "cache" / "trash-x"
    (out / "units" / "a").mkdir(parents=True)
    (out / "elsewhere").mkdir()
    (tmp_path / "outside.html").write_bytes(b"outside")
    for rel in ("index.html", "units/a/index.html", "elsewhere/page.html"):
        (out / rel).write_bytes(rel.encode())
    shutil.move(out / "elsewhere", tmp_path / "moved")
    (out / "elsewhere").symlink_to(tmp_path / "moved", target_is_directory=True)
    files = ["index.html", "units/a/index.html", "elsewhere/page.html", "../outside.html", "units/../../outside.html", "/etc/passwd"]
    assert reuse_module.link_copy(out, spare, work, files)
    assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*") if p.is_file()) == ["index.html", "units/a/index.html"]
    assert (spare / "index.html").stat().st_ino == (out / "index.html").stat().st_ino
    assert not list(work.iterdir())  # moved whole
    # an output that is itself a link (which the writer refuses): nothing is linked
    (tmp_path / "linked-out").symlink_to(out, target_is_directory=True)
    assert not reuse_module.link_copy(tmp_path / "linked-out", tmp_path / "cache" / "site-y", work, files)
    assert not (tmp_path / "cache" / "site-y").exists() and not list(work.iterdir())
    # with a spare there already, nothing is linked and the look says so
    found, made = reuse_module.look_at_spare(spare, work, out, files)
    assert not made and set(found) == {"index.html", "units/a/index.html"}
    shutil.rmtree(spare)
    found, made = reuse_module.look_at_spare(spare, work, out, files)
    assert made and set(found) == {"index.html", "units/a/index.html"}
    # in a build: an output page changed by hand before the first rebuild comes back as the data says
    b = Builds(board, tmp_path / "site", search=False)
    (tmp_path / "site").mkdir()
    b.incremental()
    page = b.out / "units" / "u00009" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>hand-made</p></body>"))
    _change(b, 1)
    b.incremental()
    assert b"hand-made" not in page.read_bytes()
    b.assert_same_as_cold()
    _change(b, 2)  # the output it replaced (with the hand edit) is now the spare, brought up to date by the next build
    b.incremental()
    assert b"hand-made" not in page.read_bytes()
    b.assert_same_as_cold()


def test_a_unit_added_renders_only_the_pages_that_show_it(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's context holds only the names it may print (no table of every unit and member), so a new unit does not
    change the hash of every page."""
    from cxzy_gen.site import reuse

    b = Builds(board, tmp_path, search=False)
    b.incremental()
    seen: list[reuse.Incremental] = []
    real = reuse.Incremental.__init__

    def spy(self: reuse.Incremental, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        seen.append(self)

    monkeypatch.setattr(reuse.Incremental, "__init__", spy)
    new = b.data / "units" / "u09999"
    new.mkdir()
    (new / "unit.yaml").write_text(
        "id: u09999\nname: 新成立的党支部\nkind: 党支部\ntype: 社区\nparent: u00001\nsecretary: u09999-m001\n", encoding="utf-8"
    )
    (new / "members.yaml").write_text("members:\n- id: u09999-m001\n  name: 新党员\n  roles: [书记]\n", encoding="utf-8")
    b.incremental()
    (incremental,) = seen
    rendered = {page.url for page in incremental.todo}
    assert {"units/u00009/index.html", "members/u00009-m001/index.html"} <= {page.url for page in incremental.pages}
    assert {"units/u09999/index.html", "members/u09999-m001/index.html", "units/u00001/index.html"} <= rendered
    assert "units/u00009/index.html" not in rendered and "members/u00009-m001/index.html" not in rendered
    assert len(rendered) < len(incremental.pages) // 4, sorted(rendered)
    b.assert_same_as_cold()


def _build_three_times(b: Builds) -> None:
    """Three builds, each after a change: from then on the output and the spare folder both hold a built site."""
    b.incremental()
    for n in (1, 2):
        _change(b, n)
        b.incremental()


def _edit_in_both(b: Builds, rel: str, old: bytes, new: bytes) -> None:
    """A file edited by hand in place (the same inode: a link shared by both folders, or not) in the output and the spare."""
    for folder in (b.out, _spare(b)):
        with (folder / rel).open("r+b") as f:
            data = f.read().replace(old, new, 1)
            f.seek(0)
            f.write(data)


def test_a_hand_edit_never_comes_back_through_the_spare(board: Path, tmp_path: Path) -> None:
    """An output page edited by hand (in place: the same inode, which the spare may share) becomes part of the spare
    two builds later; its state no longer matches what was recorded, so it is written again."""
    b = Builds(board, tmp_path)
    _build_three_times(b)
    _edit_in_both(b, "units/u00009/index.html", b"</body>", b"<p>hand-made</p></body>")
    for n in (3, 4, 5):
        _change(b, n)
        b.incremental()
        assert b"hand-made" not in (b.out / "units" / "u00009" / "index.html").read_bytes(), n
    b.assert_same_as_cold()


def test_a_search_shard_edited_by_hand_is_indexed_again(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shard whose records did not change but whose files were edited in place, in the output and in the spare (which
    may share them), is neither kept nor taken over: it is indexed again, and the site is a cold build's."""
    monkeypatch.setattr(search_module, "SHARD_RECORDS", 40)
    b = Builds(board, tmp_path)
    _build_three_times(b)
    held = _search_shards(b.out)
    (other, *_) = [name for name, urls in held.items() if not any(url.startswith("units/u00005/") for url in urls)]
    _edit_in_both(b, f"pagefind/{other}/pagefind-entry.json", b"{", b'{"hand-made":1,')
    _change(b, 3)
    b.incremental()
    assert b"hand-made" not in (b.out / "pagefind" / other / "pagefind-entry.json").read_bytes()
    b.assert_same_as_cold()


def _trash(b: Builds) -> list[Path]:
    """What the spare's last search index was set aside in (`reuse.Incremental._set_aside`), to be removed next build."""
    return sorted(p for folder in b.cache.glob("trash-*") for p in folder.iterdir())


def test_the_spare_search_index_is_set_aside_and_removed_by_the_next_build(board: Path, tmp_path: Path) -> None:
    """The spare's search index, but for the shards kept, is moved out of the spare whole (not removed file by file
    while the writer waits) and removed when the next build looks at the spare: one such folder at a time, never
    followed through a link."""
    b = Builds(board, tmp_path)
    _build_three_times(b)  # the third build brings the spare up to date: its index (the shard changed) is set aside
    (first,) = _trash(b)
    assert list(first.rglob("*.pf_fragment")) and not (_spare(b) / "pagefind").is_symlink()
    b.assert_same_as_cold()
    _change(b, 3)
    b.incremental()
    (second,) = _trash(b)  # the first is gone, this build's own is there
    assert second != first and not first.exists() and list(second.rglob("*.pf_fragment"))
    b.assert_same_as_cold()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("不能删", encoding="utf-8")
    (trash,) = b.cache.glob("trash-*")
    shutil.rmtree(trash)
    trash.symlink_to(outside, target_is_directory=True)  # the trash made a link by someone
    _change(b, 4)
    b.incremental()
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "不能删" and list(outside.iterdir()) == [outside / "keep.txt"]
    assert not trash.is_symlink() and len(_trash(b)) == 1
    b.assert_same_as_cold()


def test_a_spare_with_links_and_strays_gives_a_clean_site(board: Path, tmp_path: Path) -> None:
    """The spare folder as someone left it (a folder swapped for a link to elsewhere, a stray file, a file swapped for a
    link): the new output holds no link and nothing the build did not make, and ties no file to the outside."""
    b = Builds(board, tmp_path)
    b.incremental()
    _change(b, 1)
    b.incremental()
    spare = _spare(b)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(spare / "members", elsewhere)  # copies: files of their own, with the same times and sizes
    shutil.rmtree(spare / "members")
    (spare / "members").symlink_to(elsewhere, target_is_directory=True)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    (spare / "units" / "stray.html").write_bytes(b"stray")
    (spare / "units" / "u00009" / "index.html").unlink()
    (spare / "units" / "u00009" / "index.html").symlink_to(tmp_path / "board" / "data" / "site.yaml")
    outside = {(st.st_dev, st.st_ino) for st in (p.stat() for p in elsewhere.rglob("*") if p.is_file())}
    _change(b, 2)
    b.incremental()
    assert not [p for p in b.out.rglob("*") if p.is_symlink()]
    assert not (b.out / "units" / "stray.html").exists()
    inside = {(st.st_dev, st.st_ino) for st in (p.stat() for p in b.out.rglob("*") if p.is_file())}
    assert not inside & outside
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before  # what the link led to is untouched
    b.assert_same_as_cold()


def test_the_workers_hash_the_pages_as_one_process_does(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big site's pages are hashed by the build's worker processes, a share each: the same hashes, in the pages' order,
    as one process makes; and a rebuild with workers after an edit is a cold build's site."""
    from cxzy_gen.cache import folder_digest
    from cxzy_gen.site import render
    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import plan
    from cxzy_gen.site.reuse import Incremental, page_hashes

    dataset, _, _ = load_dataset(board / "data")
    assert dataset is not None
    pages = plan(derive(dataset, dt.date(2025, 12, 31), Scope(m.Audience.PUBLIC)))
    with Incremental(tmp_path / "cache", tmp_path / "out") as incremental, render.Workers(pages, render.environment(), jobs=2) as workers:
        assert workers.pool is not None
        incremental.hash_pages(pages, None, workers)
        assert incremental.compare() == list(range(len(pages)))  # (nothing built before: every page is rendered)
    assert incremental.hashes == page_hashes(pages, folder_digest(None)) and None not in incremental.hashes
    monkeypatch.setattr(render, "default_jobs", lambda pages: 2)
    b = Builds(board, tmp_path)
    b.incremental()
    _change(b, 1)
    b.incremental()
    b.assert_same_as_cold()
    first = _inodes(_spare(b))  # the first output, kept for the next build
    _change(b, 2)  # the third build brings it up to date
    b.incremental()
    b.assert_same_as_cold()
    now = _inodes(b.out)
    kept = {name for name in first if now.get(name) == first[name]}
    assert "units/u00009/index.html" in kept and any(name.startswith("pagefind/") for name in kept)  # pages and search shards
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("cold")) == ["board", "cache", "public"]


def test_a_page_that_cannot_be_hashed_is_always_rendered() -> None:
    from cxzy_gen.site.plan import Page
    from cxzy_gen.site.reuse import page_hashes

    pages = [Page("a.html", "404.html", {"x": 1}), Page("b.html", "404.html", {"x": lambda: 1}), Page("c.html", "404.html", {"x": 1})]
    first, unhashable, third = page_hashes(pages, "-")
    assert unhashable is None and first is not None and third is not None and first != third  # the URL counts too


def test_search_hashes_follow_every_field_of_every_record(tmp_path: Path) -> None:
    """A shard's records, each field changed alone (or the records reordered), change its hash; equal records made of
    other string objects (as records read from the cache and parsed afresh are) do not; nor does anything but the
    binary's own file change it."""
    from cxzy_gen.site.reuse import search_hash
    from cxzy_gen.site.search import SearchRecord

    binary = tmp_path / "pagefind"
    binary.write_bytes(b"binary")

    def record(n: int, **change: object) -> SearchRecord:
        fields: dict[str, object] = {
            "url": f"members/u{n}/index.html",
            "title": "".join(["张", "三"]),
            "content": " ".join(["张三", "党员"]),
            "filters": {"类别": ["党员"], "单位": ["".join(["一", "连"])]},
            "unit": f"u{n}",
        }
        return SearchRecord(**{**fields, **change})  # type: ignore[arg-type]

    base = search_hash([record(1), record(2)], binary)
    assert base is not None and search_hash([record(1), record(2)], binary) == base
    changed = [
        [record(1, url="members/u9/index.html"), record(2)],
        [record(1, title="李四"), record(2)],
        [record(1, content="张三 书记"), record(2)],
        [record(1, filters={"类别": ["党员"], "单位": ["二连"]}), record(2)],
        [record(1, filters={"类别": ["党员"], "单位": ["一连"], "年度": ["2011 年"]}), record(2)],
        [record(1, unit="u9"), record(2)],
        [record(2), record(1)],
        [record(1)],
    ]
    hashes = [search_hash(records, binary) for records in changed]
    assert base not in hashes and len(set(hashes)) == len(hashes)
    binary.write_bytes(b"another binary")
    assert search_hash([record(1), record(2)], binary) != base
    binary.unlink()
    assert search_hash([record(1), record(2)], binary) is None


def test_state_hashes_follow_dates_choices_and_views_within_views() -> None:
    """Each kind of value a page's context holds, changed alone, changes the hash; an equal copy does not."""
    import dataclasses
    import datetime as dt

    from cxzy_gen.records import models as m
    from cxzy_gen.site.derive import CommitmentStatus, Ref
    from cxzy_gen.site.reuse import state_hash

    @dataclasses.dataclass(slots=True)
    class Row:  # a view holding a view, a date and a choice, as the site's views do
        ref: Ref
        day: dt.date
        status: CommitmentStatus
        audience: m.Audience
        notes: list[str]

    def row(**change: object) -> Row:
        fields: dict[str, object] = {
            "ref": Ref("member", "a-1", "张三"),
            "day": dt.date(2011, 6, 28),
            "status": CommitmentStatus.DONE,
            "audience": m.Audience.PARTY,
            "notes": ["一"],
        }
        return Row(**{**fields, **change})  # type: ignore[arg-type]

    same = state_hash(row())
    assert same is not None and state_hash(row()) == same
    variants = [
        row(ref=Ref("member", "a-1", "张四")),
        row(day=dt.date(2011, 6, 29)),
        row(status=CommitmentStatus.OVERDUE),
        row(audience=m.Audience.PUBLIC),
        row(notes=["一", "二"]),
    ]
    digests = [state_hash(v) for v in variants]
    assert None not in digests and len({same, *digests}) == len(variants) + 1


def test_the_collector_does_not_run_while_pages_are_hashed(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing makes and drops a great many small objects and no cyclic garbage: the collector is paused meanwhile (its
    runs were a sixth of the hashing time at 师 scale), and is on again afterwards, as it was."""
    import gc

    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import plan

    dataset, _, _ = load_dataset(board / "data")
    assert dataset is not None
    pages = plan(derive(dataset, dt.date(2025, 12, 31), Scope(m.Audience.PUBLIC)))
    runs: list[tuple[int, int]] = []  # the collections begun so far, before and after each page is hashed
    started = 0
    real = reuse_module._page_hash

    def page_hash(*args: object) -> bytes | None:
        before = started
        digest = real(*args)  # type: ignore[arg-type]
        runs.append((before, started))
        return digest

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        started += phase == "start"

    monkeypatch.setattr(reuse_module, "_page_hash", page_hash)
    threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(50)  # (a collection every few pages, were it not paused)
    gc.callbacks.append(count)
    try:
        hashes = reuse_module.page_hashes(pages, "-")
        assert len(runs) == len(pages) > 100 and None not in hashes
        assert runs[0][0] == runs[-1][1] and gc.isenabled()  # (the hasher's own start may see one)
        gc.disable()
        reuse_module.page_hashes(pages[:10], "-")
        assert not gc.isenabled()  # a caller's paused collector stays paused
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
        gc.enable()


def test_page_hashes_follow_every_field_of_a_record(board: Path) -> None:
    """A record's whole state counts, however deep (a progress note inside a commitment), and is the same in every process."""
    import subprocess
    import sys

    from cxzy_gen.site.reuse import state_hash

    dataset, _, _ = load_dataset(board / "data")
    assert dataset is not None
    commitment = next(c for c in dataset.commitments if c.progress)
    digest = state_hash(commitment)
    changed = commitment.model_copy(deep=True)
    changed.progress[-1].note = (changed.progress[-1].note or "") + "。"
    assert state_hash(changed) != digest and state_hash(commitment.model_copy(deep=True)) == digest
    script = (
        "import sys; from pathlib import Path\n"
        "from cxzy_gen.records.validate import load_dataset\n"
        "from cxzy_gen.site.reuse import state_hash\n"
        "ds, _, _ = load_dataset(Path(sys.argv[1]))\n"
        f"print(state_hash(next(c for c in ds.commitments if c.id == {commitment.id!r})).hex())\n"
    )
    other = subprocess.run([sys.executable, "-c", script, str(board / "data")], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == digest.hex()  # no set order or address leaks into the hash


def test_a_record_read_through_the_cache_is_hashed_by_its_origin(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record read through the cache has an origin (its file's kind and bytes, its place, its resolved audience),
    the same whether the file was parsed or taken from the cache, and the page hashes use it in place of the fields.
    It changes with the file's bytes, its path, and the site's default audience for a record that has none of its own."""
    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import plan
    from cxzy_gen.site.reuse import Hasher, page_hashes

    data, cache = board / "data", cache_mod.RecordCache(tmp_path / "cache")
    parsed, _, _ = load_dataset(data, cache)
    assert parsed is not None and cache.misses > 0 and cache.hits == 0
    assert set(parsed.origins) == {id(r) for r in parsed.records()} and all(parsed.origins[id(r)][0] is r for r in parsed.records())
    cached_store = cache_mod.RecordCache(tmp_path / "cache")
    cached, _, _ = load_dataset(data, cached_store)
    assert cached is not None and cached_store.hits > 0 and cached_store.misses == 0
    origin = {(r.source_file, r.source_keys): parsed.origins[id(r)][1] for r in parsed.records()}
    assert origin == {(r.source_file, r.source_keys): cached.origins[id(r)][1] for r in cached.records()}
    assert len(set(origin.values())) == len(origin)
    uncached, _, _ = load_dataset(data)
    assert uncached is not None and uncached.origins == {}

    commitment = cached.commitments[0]
    assert Hasher(cached.origins).hash(commitment) == cached.origins[id(commitment)][1] != Hasher().hash(commitment)
    pages = plan(derive(cached, END, Scope(m.Audience.PUBLIC)))
    assert page_hashes(pages, "-", cached.origins) != page_hashes(pages, "-")  # (the records' hashes are their origins)

    def origins() -> dict[tuple[str, tuple[str | int, ...]], bytes]:
        ds, _, _ = load_dataset(data, cache_mod.RecordCache(tmp_path / "cache"))
        assert ds is not None
        return {(r.source_file, r.source_keys): ds.origins[id(r)][1] for r in ds.records()}

    path = data / "units" / "u00005" / "2025" / "commitments.yaml"
    in_file = {key for key in origin if key[0] == display_path(path)}
    assert len(in_file) > 1
    edit(path, r"^  title: .*$", "  title: 改过的承诺事项")  # one commitment's title
    now = origins()
    assert {key for key in origin if now[key] != origin[key]} == in_file  # every record of the file, and only those

    own = {(r.source_file, r.source_keys) for r in cached.records() if "audience:" in _record_text(r)}
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "default_audience: 党内公开\n", encoding="utf-8")
    later = origins()
    assert own and {key for key in now if later[key] == now[key]} == own  # only records with an audience of their own keep it

    monkeypatch.chdir(data)  # the file as the validator names it (relative to the working directory) is part of a record's place
    assert set(origins().values()).isdisjoint(later.values())


def _record_text(record: m.Record) -> str:
    """The YAML text of one record: an entry of a list file, or a whole unit.yaml."""
    text = Path(record.source_file).read_text(encoding="utf-8")
    return re.split(r"(?m)^- ", text)[int(record.source_keys[1]) + 1] if record.source_keys else text


def test_nothing_changes_a_record_once_it_is_validated(board: Path, tmp_path: Path) -> None:
    """Records are hashed by their origin in place of their fields, which is sound only while nothing changes a record
    after validation: deriving the views for every audience, planning, the inspection, the audit and rendering every
    page leave each record's whole state (its fields, however deep, and its place) as it was."""
    from cxzy_gen.site.audit import audit, inspection
    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import plan
    from cxzy_gen.site.render import environment, render
    from cxzy_gen.site.reuse import state_hash

    ds, _, _ = load_dataset(board / "data", cache_mod.RecordCache(tmp_path / "cache"))
    assert ds is not None and ds.origins
    before = [state_hash(r) for r in ds.records()]
    assert None not in before
    history = History.load(board / "data")
    for audience in (m.Audience.PUBLIC, m.Audience.PARTY):
        views = derive(ds, END, Scope(audience))
        pages = plan(views, history, inspection(ds, views))
        assert sum(1 for _ in render(pages, environment())) == len(pages)
    audit(derive(ds, END, Scope.office()))
    assert [state_hash(r) for r in ds.records()] == before


def _models(value: object) -> Iterator[BaseModel]:
    """Every pydantic model within a value (a record, and the models, lists and dicts it holds), however deep."""
    if isinstance(value, BaseModel):
        yield value
        value = list(value.__dict__.values())
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _models(item)


def test_models_with_the_same_fields_share_one_fields_set(board: Path, tmp_path: Path) -> None:
    """A typed model's fields-set (pydantic's: the fields its file gave) is one object for every model with the same
    fields, whether its file was parsed, taken from the cache or read without one; it holds the names pydantic gives
    when the file is typed alone, plus the audience a record without one of its own is given (as pydantic's own
    assignment added it). It cannot be added to, and a copy of the model has a set of its own."""
    data, store = board / "data", cache_mod.RecordCache(tmp_path / "cache")
    parsed, _, _ = load_dataset(data, store)
    cached_store = cache_mod.RecordCache(tmp_path / "cache")
    cached, _, _ = load_dataset(data, cached_store)
    uncached, _, _ = load_dataset(data)
    assert parsed and cached and uncached and store.misses and cached_store.hits and not cached_store.misses
    for ds in (parsed, cached, uncached):
        models = [model for record in ds.records() for model in _models(record)]
        objects: dict[frozenset[str], set[int]] = {}
        for model in models:
            objects.setdefault(frozenset(model.__pydantic_fields_set__), set()).add(id(model.__pydantic_fields_set__))
        assert len(models) > 500 and len(objects) < len(models) / 10
        assert all(len(ids) == 1 for ids in objects.values())

    path = data / "units" / "u00005" / "2025" / "commitments.yaml"
    where = layout.place("units/u00005/2025/commitments.yaml")
    assert where is not None
    alone = where.file.model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    given = [(entry.model_fields_set, [model.model_fields_set for model in _models(entry)]) for entry in alone.commitments]  # type: ignore[attr-defined]
    for ds in (parsed, cached, uncached):
        mine = [c for c in ds.commitments if c.source_file == display_path(path)]
        assert len(mine) == len(given) > 1
        for record, (fields, inner) in zip(mine, given, strict=True):
            assert set(record.model_fields_set) == fields | {"audience"}
            assert [set(model.model_fields_set) for model in _models(record)][1:] == inner[1:]

    record = cached.commitments[0]
    shared = record.__pydantic_fields_set__
    with pytest.raises(AttributeError):
        shared.add("note")  # type: ignore[attr-defined]
    copy = record.model_copy(update={"title": "改过的标题"})
    assert copy.model_fields_set == shared and copy.__pydantic_fields_set__ is not shared
    copy.__pydantic_fields_set__.add("note")
    assert "note" not in shared


# ---------------------------------------------------------------- never trusted across …


def _records_cache(b: Builds) -> cache_mod.RecordCache:
    return cache_mod.RecordCache(b.cache)


def test_the_cache_is_not_trusted_across_a_cxzy_version(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    warm = _records_cache(b)
    load_dataset(b.data, warm)
    assert warm.hits > 0 and warm.misses == 0
    monkeypatch.setattr(cxzy_gen, "__version__", "9.9.9")
    cache_mod.code_key.cache_clear()
    try:
        assert not b.incremental().unchanged
        cold = _records_cache(b)
        assert cold.path.name != warm.path.name
    finally:
        monkeypatch.undo()
        cache_mod.code_key.cache_clear()


def test_the_cache_is_not_trusted_across_a_schema_change(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The models (the schema) are part of cxzy's source, which the key hashes: an edited copy gives another key."""
    b = Builds(board, tmp_path)
    b.incremental()
    before = cache_mod.code_key()
    package = tmp_path / "package"
    shutil.copytree(cache_mod.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    models = package / "records" / "models.py"
    models.write_text(models.read_text(encoding="utf-8").replace("max_length=2000", "max_length=1000"), encoding="utf-8")
    monkeypatch.setattr(cache_mod, "PACKAGE", package)
    cache_mod.code_key.cache_clear()
    try:
        assert cache_mod.code_key() != before
        assert not b.incremental().unchanged
        assert [p.name for p in b.cache.glob("records-*.pack")] == [f"records-{cache_mod.code_key()}.pack"]  # the old pack is gone
    finally:
        monkeypatch.undo()
        cache_mod.code_key.cache_clear()
    assert cache_mod.code_key() == before


@pytest.mark.parametrize(
    "change",
    ["template", "date", "audience", "unit"],
)
def test_the_build_stamp_is_not_trusted_across(change: str, board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path, search=False)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "404.html").write_text('{% extends "default:404.html" %}', encoding="utf-8")
    b.incremental(templates=templates)
    assert b.incremental(templates=templates).unchanged
    if change == "template":
        (templates / "404.html").write_text('{% extends "default:404.html" %}{# 改动 #}', encoding="utf-8")
        result = b.incremental(templates=templates)
    elif change == "date":
        result = b.incremental(today=END + dt.timedelta(days=1), templates=templates)
    elif change == "audience":
        result = b.incremental(audience=m.Audience.PARTY, templates=templates)
    else:  # the same audience for another unit's board is another site
        b.incremental(audience=Scope(m.Audience.UNIT, "u00001"), templates=templates)  # type: ignore[arg-type]
        result = b.incremental(audience=Scope(m.Audience.UNIT, "u00002"), templates=templates)  # type: ignore[arg-type]
    assert not result.unchanged


def test_an_output_folder_changed_by_hand_is_built_again(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    shutil.rmtree(b.out)
    assert not b.incremental().unchanged
    b.assert_same_as_cold()


def test_a_damaged_or_unwritable_cache_is_ignored(board: Path, tmp_path: Path) -> None:
    b = Builds(board, tmp_path)
    b.incremental()
    for entry in b.cache.iterdir():
        entry.write_bytes(b"\x00garbage")
    assert not b.incremental().unchanged
    b.assert_same_as_cold()
    shutil.rmtree(b.cache)
    b.cache.write_text("a file, not a folder", encoding="utf-8")
    assert not b.incremental().unchanged
    b.assert_same_as_cold()


def test_cli_build_reports_an_unchanged_site_and_can_skip_the_cache(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(board)
    runner = CliRunner()
    args = ["build", "--today", "2025-12-31", "--out", str(tmp_path / "site")]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert (board / ".cxzy-cache").is_dir()
    second = runner.invoke(main, args)
    assert second.exit_code == 0 and "没有变化" in second.output
    third = runner.invoke(main, [*args, "--no-cache"])
    assert third.exit_code == 0 and "已生成" in third.output
    quiet = runner.invoke(main, [*args, "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    checked = runner.invoke(main, ["validate", "--cache", str(tmp_path / "c2")])
    assert checked.exit_code == 0 and (tmp_path / "c2").is_dir()


def test_progress_is_told_files_read_and_pages_written(board: Path, tmp_path: Path) -> None:
    from cxzy_gen.build import Progress

    seen: dict[str, list[tuple[int, int]]] = {"files": [], "pages": []}
    progress = Progress(files=lambda d, t: seen["files"].append((d, t)), pages=lambda d, t: seen["pages"].append((d, t)))
    result = build(board / "data", tmp_path / "out", END, progress=progress, search=False)
    assert seen["files"][-1][0] == seen["files"][-1][1] > 0
    assert seen["pages"][-1][0] == seen["pages"][-1][1] >= result.pages


def test_progress_stays_quiet_in_ci_and_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxzy_gen.cli import _terminal_progress

    monkeypatch.setenv("CI", "true")
    assert _terminal_progress() is None
    monkeypatch.delenv("CI")
    assert _terminal_progress() is None  # pytest's stderr is not a terminal


def test_pages_that_show_a_unit_in_passing_do_not_follow_its_records(board: Path) -> None:
    """组织架构 and the year's table show each unit by its head (`UnitHead`: no members, no records), as a member's
    page shows the member's unit: a commitment's title changed leaves their hashes as they were, so they are not
    rendered again, while the unit's own page is. Were the whole unit view in their context, every record change
    anywhere would render 组织架构 again."""
    from cxzy_gen.site.derive import UnitHead, derive
    from cxzy_gen.site.plan import TREE, plan, unit_url, year_url
    from cxzy_gen.site.reuse import page_hashes

    def hashes() -> dict[str, bytes | None]:
        dataset, _, _ = load_dataset(board / "data")
        assert dataset is not None
        pages = plan(derive(dataset, END, Scope(m.Audience.PUBLIC)))
        member = next(p for p in pages if p.template == "member.html")
        tree = next(p for p in pages if p.url == TREE)
        assert isinstance(member.context["unit"], UnitHead)
        assert all(isinstance(u, UnitHead) for u in tree.context["units"].values())
        return {page.url: digest for page, digest in zip(pages, page_hashes(pages, "salt"), strict=True)}

    before = hashes()
    edit(board / "data" / "units" / "u00005" / "2025" / "commitments.yaml", r"^  title: .*$", "  title: 只改了标题")
    after = hashes()
    assert after[TREE] == before[TREE] and after[year_url(2025)] == before[year_url(2025)]
    assert after[unit_url("u00005")] != before[unit_url("u00005")]
