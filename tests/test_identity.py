"""Change rules by record identity: every way a published record could leave the boards that showed it.

A real repository holds tests/fixtures/mini on main; each case edits the working tree and is judged as of
2011-06-28 by `check_change`, the function behind `cxzy validate --base`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from git_helpers import GitRepo

from cxzy_gen.git.changes import check_change

C = "units/lian-1/2011/commitments.yaml"
A = "units/lian-1/2011/appraisals.yaml"
H = "units/shi-dw/2011/commendations.yaml"
TODAY = dt.date(2011, 6, 28)
AMENDMENT = "    amendments:\n      - date: 2011-06-28\n        note: 调整。\n"


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("identity") / "site")
    r.commit("导入数据", author=("张红", "zhang@example.org"))
    return r


@pytest.fixture
def repo(committed: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    r = committed.copy(tmp_path / "site")
    monkeypatch.chdir(r.root)
    return r


def found(today: dt.date = TODAY) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in check_change(Path("data"), "main", today)]


def cut_record(r: GitRepo, rel: str, record_id: str) -> str:
    """Remove one list item from a records file and return its text (to put it elsewhere)."""
    lines = r.read(rel).splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {record_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:")), len(lines))
    r.write(rel, "".join(lines[:start] + lines[end:]))
    return "".join(lines[start:end])


def move_to(r: GitRepo, rel: str, record_id: str, target: str, list_key: str) -> None:
    text = cut_record(r, rel, record_id)
    if r.path(target).exists():
        r.append(target, text)
    else:
        r.write(target, f"{list_key}:\n{text}")


Edit = Callable[[GitRepo], object]

REFUSED: dict[str, tuple[Edit, list[str]]] = {
    "published appraisal deleted": (
        lambda r: r.remove_record(A, "lian1-2011-a01"),
        ["评议「lian1-2011-a01」", "已于 2011-06-25 评议并公布结果，不能删除", "withdrawn"],
    ),
    "announced appraisal rewritten without a note": (
        lambda r: r.replace(A, "summary: 群众满意率百分之九十七。", "summary: 群众满意率百分之百。"),
        ["评议「lian1-2011-a01」", "不能直接改写「评议结果」"],
    ),
    "published commitment moved to another unit's folder": (
        lambda r: move_to(r, C, "lian1-2011-c01", "units/shequ-1/2011/commitments.yaml", "commitments"),
        ["承诺「lian1-2011-c01」", "从「一团一连党支部」的文件夹移到了", "放回原来的文件夹"],
    ),
    "published commitment moved to another year's file of its unit": (
        lambda r: move_to(r, C, "lian1-2011-c01", "units/shequ-1/2010/commitments.yaml", "commitments"),
        ["承诺「lian1-2011-c01」", "移到了"],
    ),
    "awarded commendation moved into another unit's folder": (
        lambda r: move_to(r, H, "shi-2011-h01", "units/lian-1/2011/commendations.yaml", "commendations"),
        ["表彰推荐「shi-2011-h01」", "从「第九师党委」的文件夹移到了「一团一连党支部」的文件夹"],
    ),
    "awarding unit changed in place": (
        lambda r: r.replace(H, "    nominated_by: lian-1\n", "    nominated_by: lian-1\n    awarding_unit: lian-1\n" + AMENDMENT),
        ["表彰推荐「shi-2011-h01」", "授予单位却从「第九师党委」改成了「一团一连党支部」"],
    ),
    "record audience narrowed (with an amendment)": (
        lambda r: r.replace(
            C, "    title: 全连棉花单产提高百分之五\n", "    title: 全连棉花单产提高百分之五\n    audience: 党内公开\n" + AMENDMENT
        ),
        ["承诺「lian1-2011-c01」", "原来在「向社会公开」的公开栏上", "只在「党内公开」", "记录本身的 audience 改了"],
    ),
    "record audience narrowed to specific": (
        lambda r: r.replace(
            C,
            "    title: 全连棉花单产提高百分之五\n",
            "    title: 全连棉花单产提高百分之五\n    audience: 特定对象公开\n    audience_to: [lian-1]\n" + AMENDMENT,
        ),
        ["承诺「lian1-2011-c01」", "只在「特定对象公开」"],
    ),
    "file audience narrowed": (
        lambda r: r.replace(C, "audience: 向社会公开\n", "audience: 本单位公开\n"),
        ["承诺「lian1-2011-c01」", "只在「本单位公开」", "文件开头的 audience 改了"],
    ),
    "file audience removed while the site default is narrower": (
        lambda r: (
            r.replace(C, "audience: 向社会公开\n", ""),
            r.replace("site.yaml", "default_audience: 向社会公开", "default_audience: 党内公开"),
        ),
        ["承诺「lian1-2011-c01」", "只在「党内公开」"],
    ),
    "site default narrowed": (
        lambda r: r.replace("site.yaml", "default_audience: 向社会公开", "default_audience: 党内公开"),
        ["评议「lian1-2011-a01」", "只在「党内公开」", "site.yaml 的 default_audience 改了"],
    ),
    "unit audience narrowed": (
        lambda r: r.replace("units/lian-1/unit.yaml", "type: 团场连队\n", "type: 团场连队\naudience: 党内公开\n"),
        ["承诺「lian1-2011-c01」", "只在「党内公开」", "所属单位或记录所涉及的单位、党员的公开范围改了"],
    ),
    "member audience narrowed hides their commendation": (
        lambda r: r.replace("units/lian-1/members.yaml", "    name: 孙秀英\n", "    name: 孙秀英\n    audience: 党内公开\n"),
        ["表彰推荐「shi-2011-h01」", "只在「党内公开」"],
    ),
    "member deleted takes their commendation off every board": (
        lambda r: r.remove_record("units/lian-1/members.yaml", "lian1-sun"),
        ["表彰推荐「shi-2011-h01」", "不再出现在任何公开栏上"],
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_every_way_off_the_board_is_refused(repo: GitRepo, case: str) -> None:
    edit, fragments = REFUSED[case]
    edit(repo)
    messages = [msg for code, msg in found() if code == "E-PUBLISHED"]
    assert any(all(f in msg for f in fragments) for msg in messages), messages


ALLOWED: dict[str, Edit] = {
    "audience widened": lambda r: r.replace("units/lian-1/2011/reviews.yaml", "audience: 党内公开\n", "audience: 向社会公开\n"),
    "an unpublished nomination moved": lambda r: move_to(r, H, "shi-2011-h03", "units/qiye-1/2011/commendations.yaml", "commendations"),
    "a record not yet published narrowed": lambda r: r.replace(H, "    nominee: qy1-ma\n", "    nominee: qy1-ma\n    audience: 党内公开\n"),
}


@pytest.mark.parametrize("case", list(ALLOWED))
def test_what_stays_visible_is_allowed(repo: GitRepo, case: str) -> None:
    ALLOWED[case](repo)
    assert [msg for code, msg in found() if code == "E-PUBLISHED"] == []


def test_before_publication_an_appraisal_may_be_deleted(repo: GitRepo) -> None:
    repo.remove_record(A, "lian1-2011-a01")
    assert [msg for code, msg in found(dt.date(2011, 6, 24)) if code == "E-PUBLISHED"] == []
