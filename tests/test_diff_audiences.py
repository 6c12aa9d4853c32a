"""`cxzy diff` for the readers of one board (issue 10, item 2): the same readers as `cxzy build` takes them
(`--audience` with `--unit` and `--to`), the same audience rule, names withheld by identity and in free text, and a
record whose audience changed shown as leaving or entering that view — never as deleted or added, and never with
what the narrower version says. Real git repositories in temporary folders; every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_helpers import GitRepo

from cxzy_gen.cli import main

COMMITMENTS = "units/lian-1/2011/commitments.yaml"
REVIEWS = "units/lian-1/2011/reviews.yaml"
LIAN_MEMBERS = "units/lian-1/members.yaml"
SHEQU_UNIT = "units/shequ-1/unit.yaml"

RESTRICTED = """  - id: c-lian-only
    kind: 即时承诺
    subject: lian-1
    audience: 本单位公开
    title: 连队内部承诺甲
    measures: 由周立新组织。
    proposed: 2011-04-03
    deadline: 2011-12-31
  - id: c-for-qiye
    kind: 即时承诺
    subject: lian-1
    audience: 特定对象公开
    audience_to: [qiye-1]
    title: 只给企业看的承诺乙
    measures: 措施。
    proposed: 2011-04-03
    deadline: 2011-12-31
"""


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("diff-audiences") / "site")
    r.commit("导入数据")
    return r


@pytest.fixture
def repo(committed: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    r = committed.copy(tmp_path / "site")
    monkeypatch.chdir(r.root)
    return r


def diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["diff", "--base", "main", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


FORMATS = ("text", "markdown", "json")


@pytest.mark.parametrize(
    ("readers", "shown", "absent"),
    [
        (["--audience", "本单位公开", "--unit", "lian-1"], ["c-lian-only", "连队内部承诺甲"], ["c-for-qiye", "只给企业看的承诺乙"]),
        (["--audience", "unit", "--unit", "shequ-1"], [], ["c-lian-only", "c-for-qiye", "连队内部承诺甲"]),
        (["--audience", "特定对象公开", "--to", "qiye-1"], ["c-for-qiye", "只给企业看的承诺乙"], ["c-lian-only"]),
        (["--audience", "specific", "--to", "qy1-ma"], ["c-for-qiye"], ["c-lian-only"]),  # a member of qiye-1
        (["--audience", "specific", "--to", "lian-1"], [], ["c-for-qiye", "c-lian-only"]),
        (["--audience", "党内公开"], [], ["c-for-qiye", "c-lian-only"]),
    ],
)
def test_a_diff_for_one_board_shows_what_that_board_would(repo: GitRepo, readers: list[str], shown: list[str], absent: list[str]) -> None:
    repo.append(COMMITMENTS, RESTRICTED)
    for fmt in FORMATS:
        code, out = diff("--format", fmt, *readers)
        assert code == 0, out
        assert [t for t in shown if t not in out] == [], fmt
        assert [t for t in absent if t in out] == [], fmt


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "本单位公开"], "「本单位公开」要用 --unit 指明是哪个单位的公开栏"),
        (["--audience", "特定对象公开"], "「特定对象公开」要用 --to 指明公开对象"),
        (["--audience", "本单位公开", "--unit", "no-such-unit"], "找不到单位「no-such-unit」"),
        (["--audience", "本单位公开", "--unit", "lian1-zhou"], "找不到单位「lian1-zhou」"),  # a member is no board
        (["--audience", "特定对象公开", "--to", "nobody"], "找不到公开对象「nobody」"),
        (["--audience", "党内公开", "--unit", "lian-1"], "--unit 只用于「本单位公开」或「特定对象公开」"),
        (["--audience", "党内公开", "--to", "lian-1"], "--to 只用于「特定对象公开」"),
        (["--unit", "lian-1"], "--unit、--to 要与 --audience 一起用"),
    ],
)
def test_a_diff_for_one_board_must_say_whose(repo: GitRepo, args: list[str], message: str) -> None:
    code, out = diff(*args)
    assert code == 2 and message in out, out


def test_a_name_in_free_text_is_withheld_from_readers_who_may_not_see_that_member(repo: GitRepo) -> None:
    """周立新 becomes 本单位公开; a public commitment of the unit names them in its measures (spelt with a zero-width
    space). Another unit's board does not get the name, their own board does."""
    repo.replace(LIAN_MEMBERS, "    name: 周立新\n", "    name: 周立新\n    audience: 本单位公开\n")
    repo.commit("周立新本单位公开")
    repo.replace(COMMITMENTS, "      组织党员示范户与职工结对帮扶。\n", "      组织党员示范户与职工结对帮扶，周立\u200b新负责。\n")
    for fmt in FORMATS:
        code, out = diff("--format", fmt, "--audience", "unit", "--unit", "shequ-1")
        assert code == 0 and "（不在本公开范围）" in out and "周立" not in out and "lian1-zhou" not in out, (fmt, out)
        code, out = diff("--format", fmt, "--audience", "unit", "--unit", "lian-1")
        assert code == 0 and "周立\u200b新负责" in out.replace("\\u200b", "\u200b"), (fmt, out)


def test_a_hidden_units_name_in_free_text_is_withheld(repo: GitRepo) -> None:
    repo.replace(SHEQU_UNIT, "name: 城区第一社区党支部\n", "name: 城区第一社区党支部\naudience: 本单位公开\n")
    repo.commit("社区党支部本单位公开")
    repo.replace(COMMITMENTS, "      组织党员示范户与职工结对帮扶。\n", "      组织党员示范户与职工结对帮扶，与城区第一社区党支部共建。\n")
    for fmt in FORMATS:
        code, out = diff("--format", fmt, "--audience", "public")
        assert code == 0 and "与（不在本公开范围）共建" in out and "城区第一社区" not in out, (fmt, out)
        code, out = diff("--format", fmt, "--audience", "unit", "--unit", "shequ-1")
        assert code == 0 and "与城区第一社区党支部共建" in out, (fmt, out)


def test_a_namesake_who_may_be_seen_is_not_withheld(repo: GitRepo) -> None:
    """The reviewer of a public review is a public member by id; a party-only member has the same name."""
    repo.replace(REVIEWS, "audience: 党内公开\n", "audience: 向社会公开\n")
    repo.commit("点评向社会公开")
    repo.append(LIAN_MEMBERS, "  - id: lian1-qian\n    name: 王建华\n    post: 保管员\n    audience: 党内公开\n")
    repo.replace(REVIEWS, "      problems: 党员活动室建设滞后。\n", "      problems: 党员活动室建设仍然滞后。\n")
    code, out = diff("--format", "json", "--audience", "public")
    assert code == 0, out
    assert "lian1-qian" not in out
    (review,) = [r for u in json.loads(out)["units"] for r in u["records"] if r["id"] == "lian1-2011-r01"]
    assert review["title"] == "王建华点评一团一连党支部"  # the reviewer (shi-wang, public) keeps the name


def test_a_record_narrowed_out_of_a_view_is_said_to_leave_it_without_its_new_content(repo: GitRepo) -> None:
    repo.replace(COMMITMENTS, "    title: 全连棉花单产提高百分之五\n", "    title: 改后只在党内公开的标题\n    audience: 党内公开\n")
    for fmt in FORMATS:
        code, out = diff("--format", fmt, "--audience", "向社会公开")
        assert code == 0, out
        assert "lian1-2011-c01" in out and "改后只在党内公开的标题" not in out, fmt
        assert "删除" not in out and '"removed"' not in out, fmt
        if fmt == "json":
            (record,) = [r for u in json.loads(out)["units"] for r in u["records"]]
            assert (record["action"], record["fields"]) == ("hidden", [])
            assert record["title"] == "全连棉花单产提高百分之五"  # what these readers saw before
        else:
            assert "不再向此范围公开" in out, fmt
    # The party sees the record changed, not leaving.
    code, out = diff("--audience", "党内公开")
    assert code == 0
    assert "改后只在党内公开的标题" in out and "不再向此范围公开" not in out


def test_a_record_widened_into_a_view_is_said_to_enter_it_with_its_content(repo: GitRepo) -> None:
    repo.replace(REVIEWS, "audience: 党内公开\n", "audience: 向社会公开\n")
    for fmt in FORMATS:
        code, out = diff("--format", fmt, "--audience", "public")
        assert code == 0, out
        assert "lian1-2011-r01" in out and "党员活动室建设滞后" in out, fmt  # the content these readers may now see
        assert "新增点评" not in out and '"added"' not in out, fmt
        if fmt != "json":
            assert "新向此范围公开" in out, fmt
        else:
            assert {r["action"] for u in json.loads(out)["units"] for r in u["records"]} == {"shown"}
    code, out = diff("--audience", "party")  # nothing changed for the party
    assert "数据没有变化" in out


def test_narrowing_a_member_or_a_unit_takes_what_is_shown_with_them_out_of_the_view(repo: GitRepo) -> None:
    repo.replace(LIAN_MEMBERS, "    name: 周立新\n", "    name: 周立新\n    audience: 党内公开\n")
    repo.replace(SHEQU_UNIT, "name: 城区第一社区党支部\n", "name: 城区第一社区党支部\naudience: 党内公开\n")
    code, out = diff("--format", "json", "--audience", "public")
    assert code == 0, out
    actions = {(r["id"], r["action"]) for u in json.loads(out)["units"] for r in u["records"]}
    # the member and their commitment; the unit, its members and the nomination of the unit
    assert {("lian1-zhou", "hidden"), ("lian1-2011-c03", "hidden"), ("shequ-1", "hidden"), ("sq1-liu", "hidden")} <= actions
    assert ("shi-2011-h02", "hidden") in actions
    assert all(action == "hidden" for _, action in actions)
    code, out = diff("--audience", "public")
    assert "删除" not in out and "不再向此范围公开" in out


def test_a_deleted_record_is_still_deleted_for_a_board(repo: GitRepo) -> None:
    repo.remove_record(COMMITMENTS, "lian1-2011-c02")
    code, out = diff("--format", "json", "--audience", "public")
    assert code == 0, out
    assert [(r["id"], r["action"]) for u in json.loads(out)["units"] for r in u["records"]] == [("lian1-2011-c02", "removed")]


APPRAISALS = "units/lian-1/2011/appraisals.yaml"
COMMENDATIONS = "units/shi-dw/2011/commendations.yaml"


def test_protected_fields_follow_the_builds_rule(repo: GitRepo) -> None:
    """A member's 民主评议 grade and the reason a nomination was revoked are 党内公开 unless the record says otherwise:
    a public report leaves them out on both sides, as a public build does."""
    repo.replace(APPRAISALS, "    grade: 优秀\n", "    grade: 合格\n")
    repo.replace(
        COMMENDATIONS,
        "    deeds: 党务台账规范完整。\n    status: 推荐\n",
        "    deeds: 党务台账规范完整。\n    status: 撤销\n    revoked_on: 2011-06-25\n    revoked_reason: 内部原因甲\n",
    )
    for fmt in FORMATS:
        code, out = diff("--format", fmt, "--audience", "public")
        assert code == 0, out
        assert "合格" not in out and "民主评议等次" not in out and "grade" not in out and "内部原因甲" not in out, (fmt, out)
        assert "shi-2011-h03" in out, fmt  # the status itself is public
        code, out = diff("--format", fmt, "--audience", "party")
        assert "合格" in out and "内部原因甲" in out, (fmt, out)
    # Decided wider for this record: the public sees the grade.
    repo.replace(APPRAISALS, "    grade: 合格\n", "    grade: 合格\n    grade_audience: 向社会公开\n")
    repo.commit("等次向社会公开")
    repo.replace(APPRAISALS, "    grade: 合格\n", "    grade: 基本合格\n")
    code, out = diff("--audience", "public")
    assert "合格 → 基本合格" in out, out
