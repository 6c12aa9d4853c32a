"""The archive under attack: commits crafted to forge another author, date or commit, or to break the build.

Commits are real objects in a temporary repository. Those git itself would refuse to make are written with
`git hash-object --literally`, as a hostile push could deliver them; `git commit-tree` with environment
variables sets odd identities for the property test.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from git_helpers import ISOLATED, GitRepo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxzy_gen.git import history as h
from cxzy_gen.git.commits import MAX_BODY, MAX_NAME, MAX_SUBJECT, clean_line, parse_commit, split_message

COMMITMENTS = "units/lian-1/2011/commitments.yaml"
REAL = ("真作者", "real@example.org")


def _git(root: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    done = subprocess.run(
        ["git", *args], cwd=root, input=input, capture_output=True, check=True, env={**os.environ, **ISOLATED, **(env or {})}
    )
    return done.stdout.strip()


def craft(r: GitRepo, raw_headers: bytes, message: bytes) -> str:
    """Stage a change to a data file and commit it as a hand-written commit object; returns its id."""
    r.append(COMMITMENTS, "# 一处修改\n")
    _git(r.root, "add", "-A")
    tree = _git(r.root, "write-tree")
    parent = _git(r.root, "rev-parse", "HEAD")
    obj = b"tree " + tree + b"\nparent " + parent + b"\n" + raw_headers + b"\n" + message
    sha = _git(r.root, "hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=obj).decode()
    _git(r.root, "update-ref", "HEAD", sha)
    return sha


def ident(role: str, name: str = REAL[0], email: str = REAL[1], when: str = "1300000000 +0800") -> bytes:
    return f"{role} {name} <{email}> {when}\n".encode()


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("hostile") / "site")
    r.commit("导入数据", author=("张红", "zhang@example.org"), date="2011-03-01T09:00:00+08:00")
    return r


@pytest.fixture
def repo(committed: GitRepo, tmp_path: Path) -> GitRepo:
    return committed.copy(tmp_path / "site")


def _head_revision(r: GitRepo) -> h.Revision:
    history = h.History.load(r.data)
    assert history.available, history.reason
    return history.for_file(f"data/{COMMITMENTS}")[0]


# ---------------------------------------------------------------- forging another author, date or commit


FORGERIES = [
    # the old reader split on these separators: a message carrying them spoke for the next fields
    "伪造\x1f"
    + "f" * 40
    + "\x1f\x1f假作者\x1fx@x\x1f2011-01-01T00:00:00+08:00\x1f假作者\x1fx@x\x1f2011-01-01T00:00:00+08:00\x1f假标题\x1f",
    "伪造\x1e" + "f" * 40 + "\x1f\x1f假作者\x1fx@x\x1f2011-01-01T00:00:00+08:00",
    # a message that looks like commit headers, or like this reader's own log records
    "正常标题\n\nauthor 假作者 <x@x> 1000000000 +0800\ncommitter 假作者 <x@x> 1000000000 +0800",
    "正常标题\ncxzy-commit " + "f" * 40 + "\nM\ndata/units/lian-1/unit.yaml",
    "\n\n\ncxzy-commit " + "e" * 40,
    "标题\r\nauthor 假作者 <x@x> 1000000000 +0800\r\n",
]


@pytest.mark.parametrize("message", FORGERIES)
def test_a_message_cannot_speak_for_another_field(repo: GitRepo, message: str) -> None:
    sha = craft(repo, ident("author") + ident("committer"), message.encode())
    rev = _head_revision(repo)
    assert rev.sha == sha and rev.author == REAL[0] and rev.commit.committer == REAL[0]
    assert rev.commit.authored == dt.datetime(2011, 3, 13, 15, 6, 40, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert rev.commit.defects == ()
    assert "假作者" not in rev.author and not any(ch in rev.subject for ch in "\x1e\x1f\r\n\0")
    assert len(h.History.load(repo.data).commits) == 2  # no commit conjured from the message


def test_a_nul_in_a_message_is_read_as_text(repo: GitRepo) -> None:
    # git refuses NUL in messages it writes; a hand-made object can still carry one
    sha = craft(repo, ident("author") + ident("committer"), b"\x00cxzy-commit " + b"f" * 40 + b"\x00M\x00data/x.yaml\x00")
    rev = _head_revision(repo)
    assert rev.sha == sha and rev.author == REAL[0]
    assert h.History.load(repo.data).commits[0].sha == sha


# ---------------------------------------------------------------- bad fields: shown as such, never fatal


@pytest.mark.parametrize(
    ("headers", "defect"),
    [
        (ident("author", when="1300000000 +9959") + ident("committer"), "作者时区「+9959」无效"),
        (ident("author", when="1300000000 -1599") + ident("committer"), "作者时区「-1599」无效"),
        (ident("author", when="1300000000 +0860") + ident("committer"), "作者时区「+0860」无效"),
        (ident("author", when="99999999999999999999 +0800") + ident("committer"), "作者时间超出范围"),
        (ident("author", when="253402300799 +1400") + ident("committer"), "作者时间超出范围"),
        (b"author \xe6\x97\xa0\xe9\x82\xae\xe7\xae\xb1 1300000000 +0800\n" + ident("committer"), "作者信息无法识别"),
        (ident("committer"), "缺少作者信息"),
        (ident("author") + ident("author", name="第二作者") + ident("committer"), "重复的作者"),
        (ident("author") + ident("committer", when="1300000000 +9959"), "提交者时区「+9959」无效"),
    ],
)
def test_a_bad_commit_is_shown_as_such_and_the_build_goes_on(repo: GitRepo, tmp_path: Path, headers: bytes, defect: str) -> None:
    from cxzy_gen.build import build
    from cxzy_gen.records.models import Audience

    craft(repo, headers, "更新承诺".encode())
    rev = _head_revision(repo)
    assert any(defect in d for d in rev.commit.defects), rev.commit.defects
    out = tmp_path / "public"
    build(repo.data, out, dt.date(2011, 7, 4), Audience.PUBLIC, archive=h.History.load(repo.data), search=False)  # history is not searched
    soup = BeautifulSoup((out / "units/lian-1/index.html").read_text(encoding="utf-8"), "html.parser")
    notes = [n.get_text() for n in soup.select(".revisions .defect")]
    assert any(defect in n for n in notes), notes


@pytest.mark.parametrize("number", ["9" * 30, "1" * 5000, "٣٣"])
def test_huge_or_odd_request_numbers_are_not_request_numbers(repo: GitRepo, number: str) -> None:
    repo.append(COMMITMENTS, "# 修改\n")
    repo.commit(f"一连：更新 (#{number})")
    repo.append(COMMITMENTS, "# 再改\n")
    repo.commit(f"Merge pull request #{number} from x/y")
    history = h.History.load(repo.data)
    assert history.commits and all(r.approval is None for r in history.recent_revisions(10))


def test_a_huge_message_is_cut_and_read_in_bounded_memory(repo: GitRepo) -> None:
    body = ("很长的说明" * 400_000).encode()  # 6 MB
    craft(repo, ident("author") + ident("committer"), "标题".encode() + b"\n\n" + body)
    rev = _head_revision(repo)
    assert rev.subject == "标题" and len(rev.commit.body) <= MAX_BODY and rev.commit.body.endswith("…")
    assert "提交说明过长，只显示开头" in rev.commit.defects


def test_huge_names_and_subjects_are_bounded(repo: GitRepo) -> None:
    craft(repo, ident("author", name="名" * 5000) + ident("committer", email="e" * 5000 + "@x"), ("题" * 5000).encode())
    rev = _head_revision(repo)
    assert len(rev.author) == MAX_NAME and len(rev.subject) == MAX_SUBJECT and len(rev.commit.committer_email) <= 254


@pytest.mark.parametrize("name", ["张三\u202e\u2066", "张\x1b三\x00", "张\u200f三\x7f", "张\u2028三"])
def test_controls_and_bidi_marks_leave_names(repo: GitRepo, name: str) -> None:
    craft(repo, ident("author", name=name) + ident("committer"), "修改".encode())
    assert _head_revision(repo).author in ("张三", "张 三")


def test_a_declared_encoding_is_honoured(repo: GitRepo) -> None:
    craft(repo, ident("author", name="x") + ident("committer") + b"encoding GBK\n", "更新承诺进展".encode("gbk"))
    assert _head_revision(repo).subject == "更新承诺进展"


def test_personal_identifiers_in_names_and_messages_are_never_printed(repo: GitRepo, tmp_path: Path) -> None:
    from cxzy_gen.build import build
    from cxzy_gen.records.models import Audience

    craft(repo, ident("author", name="张三 13812345678") + ident("committer"), "联系 138-1234-5678 的张三".encode())
    out = tmp_path / "public"
    build(repo.data, out, dt.date(2011, 7, 4), Audience.PUBLIC, archive=h.History.load(repo.data), search=False)  # history is not searched
    for page in ("units/lian-1/index.html", "changes/index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "13812345678" not in text and "1234-5678" not in text
        assert h.PII_NAME in text and h.PII_MESSAGE in text


# ---------------------------------------------------------------- the property: random messages and names


_texts = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=300)
_names = st.text(st.characters(codec="utf-8", exclude_characters="\0\n<>"), min_size=1, max_size=80)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(messages=st.lists(st.tuples(_names, _texts, st.integers(0, 4102444800), st.integers(-12 * 60, 14 * 60)), min_size=1, max_size=4))
def test_any_message_and_name_is_read_back_exactly_as_git_has_it(repo: GitRepo, messages: list[tuple[str, str, int, int]]) -> None:
    made: list[tuple[str, int, int]] = []
    for name, message, when, offset in messages:
        repo.append(COMMITMENTS, "# x\n")
        _git(repo.root, "add", "-A")
        tree = _git(repo.root, "write-tree").decode()
        parent = _git(repo.root, "rev-parse", "HEAD").decode()
        tz = f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": "a@x", "GIT_AUTHOR_DATE": f"@{when} {tz}"}
        env |= {"GIT_COMMITTER_NAME": "审批", "GIT_COMMITTER_EMAIL": "c@x", "GIT_COMMITTER_DATE": f"@{when} {tz}"}
        try:
            sha = _git(repo.root, "commit-tree", tree, "-p", parent, input=message.encode(), env=env).decode()
        except subprocess.CalledProcessError:
            continue  # git refuses this identity itself (e.g. a name of only punctuation)
        _git(repo.root, "update-ref", "HEAD", sha)
        made.append((sha, when, offset))
    history = h.History.load(repo.data)
    assert history.available
    by_sha = {c.sha: c for c in history.commits}
    expected = _git(repo.root, "rev-list", "HEAD").decode().split()
    assert [c.sha for c in history.commits] == expected  # every commit once, nothing conjured, in order
    for sha, when, offset in made:
        commit = by_sha[sha]
        stored_name = _git(repo.root, "log", "-1", "--format=%an", sha).decode("utf-8", "replace")
        stored = _git(repo.root, "cat-file", "commit", sha)
        message = stored.partition(b"\n\n")[2].decode("utf-8", "replace")
        assert commit.defects == ()
        assert commit.author == (clean_line(stored_name, MAX_NAME) or "（未署名）")
        assert commit.committer == "审批" and commit.author_email == "a@x"
        assert commit.authored.timestamp() == when and commit.authored.utcoffset() == dt.timedelta(minutes=offset)
        assert (commit.subject, commit.body) == split_message(message)
        for text in (commit.author, commit.subject):
            assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u202e\u2066\u2028" for ch in text)


def test_parse_commit_never_raises_on_garbage() -> None:
    for raw in (b"", b"\n\n", b"author\ncommitter", b"author <> x +0800\n\n", b"\xff\xfe\x00" * 100, b"parent zz\n\nx"):
        commit = parse_commit("a" * 40, raw)
        assert commit.defects
