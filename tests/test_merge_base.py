"""`--base` means the merge base: a branch that has fallen behind main is judged by its own change only.

The setting is a real office's: a shared repository (a bare `origin`), one office's clone working on a branch,
and another office publishing a commitment on main meanwhile. The branch is then checked the way each forge
and the pre-commit hook check it: from the branch head (Gitea, GitLab, pre-commit) and from the merge commit
of the branch into main (GitHub's `pull_request` checkout).
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from git_helpers import ISOLATED, GitRepo

from cxzy_gen.git.changes import ChangeError, check_change
from cxzy_gen.git.diff import diff_data, format_markdown, format_text
from cxzy_gen.git.plumbing import GitError, merge_base

ROOT = Path(__file__).resolve().parent.parent
C = "units/lian-1/2011/commitments.yaml"
M = "units/shequ-1/members.yaml"
TODAY = dt.date(2011, 6, 28)
C99 = (
    "  - id: lian1-2011-c99\n    kind: 即时承诺\n    subject: lian-1\n    title: 六月底前修好连队文化室屋顶\n"
    "    measures: 党员义务劳动。\n    proposed: 2011-05-20\n    deadline: 2011-06-30\n"
    "    publicized:\n      date: 2011-05-25\n      how: 公开栏\n"
)


@pytest.fixture
def behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A clone on branch `lian-1-members` whose origin/main has moved on with a published commitment."""
    office = GitRepo(tmp_path / "office")
    office.commit("导入数据")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office.root), str(origin)], check=True)
    office.git("remote", "add", "origin", str(origin))

    mine = GitRepo.clone(origin, tmp_path / "mine")
    mine.checkout("lian-1-members", new=True)
    mine.replace(M, "name: 刘明", "name: 刘铭")  # a typo fixed in another unit's member list
    mine.commit("社区：改正党员姓名")

    office.append(C, C99)  # meanwhile another office publishes a commitment on main
    office.commit("一连：公示即时承诺 c99")
    office.git("push", "-q", "origin", "main")
    mine.git("fetch", "-q", "origin")
    monkeypatch.chdir(mine.root)
    return mine


def test_the_base_is_where_the_branch_left_main(behind: GitRepo) -> None:
    base = merge_base(behind.root, "origin/main")
    assert base.sha == behind.git("rev-parse", "HEAD~1") != base.tip == behind.git("rev-parse", "origin/main")
    assert base.label == f"origin/main 的分叉点（{base.sha[:7]}）"


def test_a_branch_behind_main_passes_and_its_summary_lists_only_its_own_change(behind: GitRepo) -> None:
    problems = check_change(Path("data"), "origin/main", TODAY)
    assert [p for p in problems if p.code != "E-ID-REUSED"] == []  # the renamed member is the branch's own warning
    assert [p.code for p in problems] == ["E-ID-REUSED"] and "刘明" in problems[0].message
    report = diff_data(Path("data"), "origin/main")
    text = format_text(report)
    assert "c99" not in text and "删除" not in text
    assert [(u.unit, [c.id for c in u.changes]) for u in report.units] == [("shequ-1", ["sq1-liu"])] and not report.site
    assert "刘明 → 刘铭" in text
    assert "c99" not in format_markdown(report)


def test_deleting_what_was_published_before_the_branch_started_is_still_refused(behind: GitRepo) -> None:
    behind.remove_record(C, "lian1-2011-c01")
    assert "E-PUBLISHED" in [p.code for p in check_change(Path("data"), "origin/main", TODAY)]


def test_from_the_merge_commit_the_base_is_main(behind: GitRepo) -> None:
    """GitHub checks out the branch merged into main: the merge base is then main's tip itself."""
    behind.git("merge", "-q", "--no-ff", "-m", "test merge", "origin/main")
    base = merge_base(behind.root, "origin/main")
    assert base.sha == base.tip and base.label == f"origin/main（{base.sha[:7]}）"
    report = diff_data(Path("data"), "origin/main")
    assert [(u.unit, [c.id for c in u.changes]) for u in report.units] == [("shequ-1", ["sq1-liu"])] and not report.site
    assert [p.code for p in check_change(Path("data"), "origin/main", TODAY)] == ["E-ID-REUSED"]


def test_unrelated_histories_say_so(behind: GitRepo, tmp_path: Path) -> None:
    other = GitRepo(tmp_path / "other")
    other.commit("另一个仓库")
    behind.git("fetch", "-q", str(other.root), "main:other")
    with pytest.raises(GitError, match="没有共同的历史"):
        merge_base(behind.root, "other")
    with pytest.raises(ChangeError, match="没有共同的历史"):
        check_change(Path("data"), "other", TODAY)


@pytest.mark.parametrize("hook", ["cxzy-validate", "cxzy-validate-change"])
def test_the_pre_commit_hooks_pass_on_a_branch_behind_main(behind: GitRepo, hook: str) -> None:
    """Each hook's `entry` from .pre-commit-hooks.yaml, run as pre-commit runs it (no file names), in the clone."""
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks[hook]["pass_filenames"] is False
    program, *args = shlex.split(hooks[hook]["entry"])
    assert program == "cxzy"
    env = {**ISOLATED, "PATH": os.environ["PATH"], "SOURCE_DATE_EPOCH": "1309190400"}  # 2011-06-28 in China
    done = subprocess.run([sys.executable, "-m", "cxzy_gen", *args], cwd=behind.root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "E-PUBLISHED" not in done.stdout + done.stderr and "c99" not in done.stdout + done.stderr
    behind.remove_record(C, "lian1-2011-c01")  # the same hook still stops a real deletion
    done = subprocess.run([sys.executable, "-m", "cxzy_gen", *args], cwd=behind.root, env=env, capture_output=True, text=True)
    if hook == "cxzy-validate-change":
        assert done.returncode == 1 and "E-PUBLISHED 承诺「lian1-2011-c01」" in done.stdout
