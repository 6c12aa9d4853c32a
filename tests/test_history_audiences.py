"""History text by the records a commit changed (issue 10, item 2): one data file holds records of different
audiences, and each commit's row, author and message follow what that commit changed — on unit and member pages'
修订记录, on the 变更记录 page and in every other file of the build. Real git repositories, real builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from git_helpers import GitRepo
from sitekit import html, text_of
from test_audiences import _every_byte

from cxzy_gen.build import build
from cxzy_gen.git.history import History
from cxzy_gen.records import models as m
from cxzy_gen.site.scope import Scope

COMMITMENTS = "units/lian-1/2011/commitments.yaml"  # public by its file default; c03 (周立新's) made 党内公开
A = m.Audience

# (message, author) of each commit, by what it changed in the one mixed file.
ONLY_PARTY = ("党内：周立新补课情况已核实", ("党内作者甲", "a@example.org"))
ONLY_PUBLIC = ("一连：滴灌进展更新", ("公开作者乙", "b@example.org"))
BOTH = ("一连：两项承诺同时更新", ("两者作者丙", "c@example.org"))
NARROWED = ("一连：孙秀英承诺改为党内公开", ("收窄作者丁", "d@example.org"))
BY_HIDDEN = ("钱内部：滴灌验收完毕", ("钱内部", "q@example.org"))  # 钱内部 is a 党内公开 member


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, dict[str, str]]:
    r = GitRepo(tmp_path_factory.mktemp("history") / "site")
    r.replace(COMMITMENTS, "  - id: lian1-2011-c03\n", "  - id: lian1-2011-c03\n    audience: 党内公开\n")
    r.append("units/lian-1/members.yaml", "  - id: lian1-qian\n    name: 钱内部\n    post: 保管员\n    audience: 党内公开\n")
    shas = {"init": r.commit("导入数据")}
    r.replace(COMMITMENTS, "      note: 重新承诺六月底前完成。\n", "      note: 重新承诺六月底前完成，已核实。\n")
    shas["party"] = r.commit(ONLY_PARTY[0], author=ONLY_PARTY[1])
    r.replace(COMMITMENTS, "        note: 完成滴灌设备安装。\n", "        note: 完成滴灌设备安装并试水。\n")
    shas["public"] = r.commit(ONLY_PUBLIC[0], author=ONLY_PUBLIC[1])
    r.replace(COMMITMENTS, "    measures: 组织党员义务劳动。\n", "    measures: 组织党员义务劳动两次。\n")
    r.replace(COMMITMENTS, "        note: 完成滴灌设备安装并试水。\n", "        note: 完成滴灌设备安装并试水成功。\n")
    shas["both"] = r.commit(BOTH[0], author=BOTH[1])
    r.replace(COMMITMENTS, "  - id: lian1-2011-c02\n", "  - id: lian1-2011-c02\n    audience: 党内公开\n")
    shas["narrowed"] = r.commit(NARROWED[0], author=NARROWED[1])
    r.replace(COMMITMENTS, "      - date: 2011-05-10\n", "      - date: 2011-05-11\n")
    shas["by_hidden"] = r.commit(BY_HIDDEN[0], author=BY_HIDDEN[1])
    return r, shas


def _build(r: GitRepo, out: Path, scope: Scope, search: bool = False) -> Path:
    if not out.exists():
        build(r.data, out, dt.date(2011, 7, 4), scope, archive=History.load(r.data), search=search)
    return out


@pytest.fixture(scope="module")
def public(repo: tuple[GitRepo, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public build, its search index too: the tests below look for hidden history in every byte of it."""
    return _build(repo[0], tmp_path_factory.mktemp("public") / "out", Scope(A.PUBLIC), search=True)


@pytest.fixture(scope="module")
def party(repo: tuple[GitRepo, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The party build, where what the public may not see is looked for on the pages (without a search index)."""
    return _build(repo[0], tmp_path_factory.mktemp("party") / "out", Scope(A.PARTY))


def _revision_cells(page: Path) -> list[str]:
    section = html(page).find("section", class_="revisions")
    return [text_of(tr) for tr in section.select("tbody tr")] if section else []


def _row(rows: list[str], sha: str) -> str | None:
    return next((row for row in rows if sha[:7] in row), None)


def test_a_commit_that_changed_only_a_narrower_record_is_in_no_file_of_a_wider_build(
    repo: tuple[GitRepo, dict[str, str]], public: Path, party: Path
) -> None:
    _, shas = repo
    everything = _every_byte(public)
    assert shas["party"][:7] not in everything
    assert ONLY_PARTY[0] not in everything and ONLY_PARTY[1][0] not in everything
    # The party may see the record, so the row, its author and its reason.
    row = _row(_revision_cells(party / "units/lian-1/index.html"), shas["party"])
    assert row is not None and ONLY_PARTY[1][0] in row and f"修改原因：{ONLY_PARTY[0]}" in row


def test_a_commit_that_changed_only_shown_records_shows_its_reason_although_the_file_holds_narrower_ones(
    repo: tuple[GitRepo, dict[str, str]], public: Path
) -> None:
    _, shas = repo
    for page in (public / "units/lian-1/index.html", public / "changes/index.html"):
        rows = [text_of(tr) for tr in html(page).select("tbody tr")]
        row = _row(rows, shas["public"])
        assert row is not None and f"修改原因：{ONLY_PUBLIC[0]}" in row and ONLY_PUBLIC[1][0] in row, page


def test_a_commit_that_changed_shown_and_hidden_records_is_listed_without_its_reason(
    repo: tuple[GitRepo, dict[str, str]], public: Path, party: Path
) -> None:
    _, shas = repo
    row = _row(_revision_cells(public / "units/lian-1/index.html"), shas["both"])
    assert row is not None and BOTH[1][0] in row and "提交说明涉及公开范围更窄的记录" in row
    assert BOTH[0] not in _every_byte(public)
    row = _row(_revision_cells(party / "units/lian-1/index.html"), shas["both"])
    assert row is not None and f"修改原因：{BOTH[0]}" in row


def test_a_record_narrowed_out_takes_its_history_with_it(repo: tuple[GitRepo, dict[str, str]], public: Path, party: Path) -> None:
    """孙秀英's commitment is 党内公开 now: the commit that narrowed it, and what it said, are not on the public site;
    the member page of 孙秀英 (public) lists no change to that commitment either."""
    _, shas = repo
    everything = _every_byte(public)
    assert NARROWED[0] not in everything and NARROWED[1][0] not in everything
    for page in (public / "units/lian-1/index.html", public / "members/lian1-sun/index.html"):
        assert _row(_revision_cells(page), shas["narrowed"]) is None  # (its id is still named as the data version)
    assert _row(_revision_cells(party / "members/lian1-sun/index.html"), shas["narrowed"]) is not None


def test_a_units_board_sees_the_history_of_its_own_restricted_records(repo: tuple[GitRepo, dict[str, str]], tmp_path: Path) -> None:
    r, shas = repo
    own = _build(r, tmp_path / "lian", Scope(A.UNIT, "lian-1"))
    other = _build(r, tmp_path / "shequ", Scope(A.UNIT, "shequ-1"))
    # A 党内公开 record is seen by every unit board (本单位公开 is narrower than 党内公开 and includes it).
    assert _row(_revision_cells(own / "units/lian-1/index.html"), shas["party"]) is not None
    assert ONLY_PARTY[0] in _every_byte(other)


def test_a_hidden_members_name_as_author_or_in_a_shown_reason_is_withheld(
    repo: tuple[GitRepo, dict[str, str]], public: Path, party: Path
) -> None:
    """钱内部 (党内公开) changed a public record: the public sees the change and its reason, not their name."""
    _, shas = repo
    for page in (public / "units/lian-1/index.html", public / "changes/index.html"):
        row = _row([text_of(tr) for tr in html(page).select("tbody tr")], shas["by_hidden"])
        assert (
            row is not None and "修改原因：（不在本公开范围）：滴灌验收完毕" in row and "（不在本公开范围）" in row.split("修改原因")[1]
        ), page
    assert "钱内部" not in _every_byte(public)
    row = _row(_revision_cells(party / "units/lian-1/index.html"), shas["by_hidden"])
    assert row is not None and f"修改原因：{BY_HIDDEN[0]}" in row and "钱内部" in row.split("修改原因")[1]
