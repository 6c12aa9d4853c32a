"""`cxzy diff`: what a change request changes, in the words of the domain, from real git repositories."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_helpers import GitRepo

from cxzy_gen.cli import main
from cxzy_gen.git.diff import DiffError, diff_data, field_changes, format_json, format_markdown, format_text, render
from cxzy_gen.records import models as m

COMMITMENTS = "units/lian-1/2011/commitments.yaml"
REVIEWS = "units/lian-1/2011/reviews.yaml"
COMMENDATIONS = "units/shi-dw/2011/commendations.yaml"

NEW_COMMITMENTS = "".join(
    f"""  - id: lian1-2011-c1{i}
    kind: 即时承诺
    subject: lian1-zhou
    title: 夏管期间巡查条田第 {i} 片
    measures: 每周巡查两次。
    proposed: 2011-06-0{i}
    deadline: 2011-08-31
"""
    for i in (1, 2, 3)
)
NEW_NOMINEE = """  - id: shi-2011-h04
    year: 2011
    title: 优秀共产党员
    nominee: lian1-zhou
    nominated_by: lian-1
    deeds: 植保工作突出。
    publicity:
      start: 2011-06-24
      working_days: 5
    status: 推荐
"""


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("diff") / "site")
    r.replace(REVIEWS, "        status: 已完成\n        done: 2011-06-28\n        verified_by: 师党委组织部\n", "        status: 整改中\n")
    r.commit("导入数据")
    return r


@pytest.fixture
def repo(committed: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """main holds the mini data with both rectifications of review r01 still open; the working tree is the change."""
    r = committed.copy(tmp_path / "site")
    monkeypatch.chdir(r.root)
    return r


def close_both_rectifications(r: GitRepo) -> None:
    r.replace(
        REVIEWS,
        "        deadline: 2011-06-30\n        status: 整改中\n",
        "        deadline: 2011-06-30\n        status: 已完成\n        done: 2011-06-28\n",
    )
    r.replace(
        REVIEWS,
        "        deadline: 2011-09-30\n        status: 整改中\n",
        "        deadline: 2011-09-30\n        status: 已完成\n        done: 2011-06-29\n",
    )


def test_the_summary_line_speaks_the_domain(repo: GitRepo) -> None:
    repo.append(COMMITMENTS, NEW_COMMITMENTS)
    close_both_rectifications(repo)
    repo.append(COMMENDATIONS, NEW_NOMINEE)
    report = diff_data(Path("data"), "main")
    assert [(u.name, "；".join(u.summary)) for u in report.units] == [
        (
            "第九师党委",
            "拟表彰名单新增 1 人（公示 5 个工作日）；"
            # the nominee's record at hand for the reviewer, counting the commitments this change adds
            "推荐对象周立新（优秀共产党员）：承诺 4 项（未完成 1，未认定 3），领导点评 0 次，2011 年民主评议无等次",
        ),
        ("一团一连党支部", "新增承诺 3 条；点评 lian1-2011-r01 整改事项 2 项改为已完成"),
    ]
    text = format_text(report)
    assert "一团一连党支部：新增承诺 3 条；点评 lian1-2011-r01 整改事项 2 项改为已完成\n" in text
    assert "    整改事项「z1」 › 整改状态：整改中 → 已完成\n" in text
    assert "    整改事项「z1」 › 完成日期：新增 2011-06-28\n" in text
    assert "    推荐对象（单位或党员编号）：周立新（lian1-zhou）\n" in text


def test_changed_fields_show_old_and_new_values_with_chinese_titles(repo: GitRepo) -> None:
    repo.replace(COMMITMENTS, "deadline: 2011-11-30", "deadline: 2011-12-31")
    repo.replace(COMMITMENTS, "      how: 公开栏\n", "      how: 局域网\n")
    text = format_text(diff_data(Path("data"), "main"))
    assert "一团一连党支部：修改承诺 lian1-2011-c01（完成时限、公示）\n" in text
    assert (
        "  修改承诺 lian1-2011-c01「全连棉花单产提高百分之五」\n    完成时限：2011-11-30 → 2011-12-31\n    公示 › 公示方式：公开栏 → 局域网\n"
        in text
    )


def test_commendation_status_moves_are_named(repo: GitRepo) -> None:
    repo.replace(
        COMMENDATIONS, "    status: 推荐\n", "    publicity:\n      start: 2011-06-24\n      end: 2011-06-30\n    status: 公示中\n"
    )
    (unit,) = diff_data(Path("data"), "main").units
    assert unit.summary == ["表彰推荐 shi-2011-h03（优秀党务工作者 马丽）状态：推荐 → 公示中（公示 2011-06-24 至 2011-06-30）"]


def test_additions_and_deletions_of_people_name_them(repo: GitRepo) -> None:
    repo.append("units/lian-1/members.yaml", "  - id: lian1-qian\n    name: 钱新\n    roles: [党员]\n")
    repo.remove_record("units/shequ-1/members.yaml", "sq1-liu")
    report = diff_data(Path("data"), "main")
    assert {u.unit: u.summary for u in report.units} == {
        "lian-1": ["新增党员 1 人（钱新）"],
        "shequ-1": ["删除党员 1 人（刘明）"],
    }


def test_progress_signature_withdrawal_and_amendments(repo: GitRepo) -> None:
    repo.replace(
        COMMITMENTS,
        "        note: 完成滴灌设备安装。\n",
        "        note: 完成滴灌设备安装。\n      - date: 2011-06-10\n        note: 覆盖八成。\n",
    )
    repo.replace(
        COMMITMENTS,
        "    title: 五月底前整理好连队党员活动室\n",
        "    title: 五月底前整理好连队党员活动室\n    withdrawn:\n      date: 2011-06-25\n      reason: 活动室改建，另行承诺。\n",
    )
    repo.replace(
        REVIEWS,
        "      direction: 坚持每周学习。\n",
        "      direction: 坚持每周学习。\n    signature:\n      by: 赵国强\n      date: 2011-06-21\n",
    )
    repo.replace(REVIEWS, "      problems: 党员活动室建设滞后。\n", "      problems: 党员活动室建设进度滞后。\n")
    repo.replace(REVIEWS, "    rating: 较好\n", "    rating: 较好\n    amendments:\n      - date: 2011-06-25\n        note: 更正笔误。\n")
    (unit,) = diff_data(Path("data"), "main").units
    assert unit.summary == [
        "承诺 lian1-2011-c01 新增践诺进展 1 条",
        "撤回承诺 lian1-2011-c03（活动室改建，另行承诺。）",
        "点评 lian1-2011-r01 新增更正说明 1 条",
        "修改点评 lian1-2011-r01（点评意见）",
        "点评 lian1-2011-r02 已由赵国强签字",
    ]


def test_a_record_moved_to_another_file_is_matched_by_id(repo: GitRepo) -> None:
    repo.remove_record(COMMITMENTS, "lian1-2011-c03")
    repo.write(
        "units/lian-1/2012/commitments.yaml",
        "commitments:\n  - id: lian1-2011-c03\n    kind: 即时承诺\n    subject: lian1-zhou\n    title: 五月底前整理好连队党员活动室\n"
        "    measures: 组织党员义务劳动。\n    proposed: 2011-04-10\n    deadline: 2011-05-31\n"
        "    outcome:\n      result: 未完成\n      date: 2011-06-05\n      reason: 活动室装修推迟。\n      objective: true\n"
        "    remedial:\n      date: 2011-06-20\n      note: 重新承诺六月底前完成。\n",
    )
    (unit,) = diff_data(Path("data"), "main").units
    assert unit.summary == ["承诺 lian1-2011-c03 从 units/lian-1/2011/commitments.yaml 移到 units/lian-1/2012/commitments.yaml"]
    (change,) = unit.changes
    assert change.action == "modified" and change.moved and change.fields == []


def test_site_settings_are_listed_apart(repo: GitRepo) -> None:
    repo.replace("site.yaml", "publicity_working_days: 5", "publicity_working_days: 7")
    report = diff_data(Path("data"), "main")
    assert report.units == []
    assert "站点设置：\n  公示期（工作日）：5 → 7\n" in format_text(report)
    assert format_text(report).startswith("与 main（")
    assert "涉及站点设置" in format_text(report)


def test_no_change(repo: GitRepo) -> None:
    report = diff_data(Path("data"), "main")
    assert report.empty
    assert format_text(report).endswith("相比，数据没有变化。\n")


def test_markdown_is_the_change_request_comment(repo: GitRepo) -> None:
    repo.append(COMMITMENTS, NEW_COMMITMENTS.replace("每周巡查两次。", "每周巡查 *两次* <b>"))
    md = format_markdown(diff_data(Path("data"), "main"))
    assert md.startswith("## 数据变更说明\n\n与 main（")
    assert "\n### 一团一连党支部（lian-1）\n\n新增承诺 3 条\n\n- **新增承诺 lian1-2011-c11「夏管期间巡查条田第 1 片」**\n" in md
    assert "  - 践诺措施：每周巡查 \\*两次\\* \\<b\\>\n" in md  # user text cannot inject markup


def test_json_carries_whole_values(repo: GitRepo) -> None:
    close_both_rectifications(repo)
    data = json.loads(format_json(diff_data(Path("data"), "main")))
    (unit,) = data["units"]
    (record,) = unit["records"]
    assert record["kind"] == "review" and record["action"] == "modified" and record["file"] == REVIEWS
    assert record["fields"][:2] == [
        {"path": "rectifications.0.status", "label": "整改事项「z1」 › 整改状态", "old": "整改中", "new": "已完成"},
        {"path": "rectifications.0.done", "label": "整改事项「z1」 › 完成日期", "old": None, "new": "2011-06-28"},
    ]


def test_the_base_may_be_any_commit_of_the_history(repo: GitRepo) -> None:
    first = repo.git("rev-parse", "HEAD")
    repo.append(COMMITMENTS, NEW_COMMITMENTS)
    repo.commit("新增承诺")
    assert diff_data(Path("data"), "main").empty
    assert diff_data(Path("data"), first).units[0].summary == ["新增承诺 3 条"]
    assert diff_data(Path("data"), "HEAD~1").base.startswith("HEAD~1（")


def test_a_base_that_does_not_exist_says_what_to_fetch(repo: GitRepo) -> None:
    with pytest.raises(DiffError, match=r"找不到基准版本「origin/main」.*fetch-depth: 0"):
        diff_data(Path("data"), "origin/main")


def test_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with pytest.raises(DiffError, match="不在 git 仓库中"):
        diff_data(tmp_path / "data", "main")


def test_cli_diff(repo: GitRepo) -> None:
    repo.append(COMMITMENTS, NEW_COMMITMENTS)
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "--base", "main", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "新增承诺 3 条" in result.output and result.output.startswith("## 数据变更说明")
    result = runner.invoke(main, ["diff", "--base", "main", "--format", "json"])
    assert json.loads(result.output)["units"][0]["summary"] == ["新增承诺 3 条"]
    result = runner.invoke(main, ["diff", "--base", "no-such-ref"])
    assert result.exit_code == 2 and "找不到基准版本「no-such-ref」" in result.output


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"title": "甲"}, {"title": "乙"}, [("title",), "承诺事项", "甲", "乙"]),
        ({"deadline": dt.date(2011, 5, 1)}, {"deadline": "2011-05-01"}, None),  # quoted or not: the same date
        ({"focus": []}, {}, None),  # an empty list is no list
        (
            {"publicized": {"date": "2011-03-01", "how": "公开栏"}},
            {"publicized": {"date": "2011-03-02", "how": "公开栏"}},
            [("publicized", "date"), "公示 › 公示日期", "2011-03-01", "2011-03-02"],
        ),
        ({}, {"outcome": {"result": "已完成"}}, [("outcome",), "完成情况", None, {"result": "已完成"}]),
        (
            {"progress": [{"date": "2011-05-01", "note": "一"}]},
            {"progress": [{"date": "2011-05-01", "note": "二"}]},
            [("progress", 0, "note"), "践诺进展 第 1 项 › 进展情况", "一", "二"],
        ),
    ],
)
def test_field_changes(old: dict, new: dict, expected: list | None) -> None:
    changes = [(f.keys, f.label, f.old, f.new) for f in field_changes(m.Commitment, old, new)]
    assert changes == ([tuple(expected)] if expected else [])


def test_field_changes_match_list_items_by_id() -> None:
    old = {"rectifications": [{"id": "a", "status": "整改中"}, {"id": "b", "status": "未开始"}]}
    new = {"rectifications": [{"id": "b", "status": "未开始"}, {"id": "c", "status": "未开始"}]}
    changes = [(f.keys, f.label, f.old, f.new) for f in field_changes(m.Review, old, new)]
    assert changes == [
        (("rectifications", 1), "整改事项「c」", None, {"id": "c", "status": "未开始"}),
        (("rectifications",), "整改事项「a」", {"id": "a", "status": "整改中"}, None),
    ]


def test_render_keeps_values_on_one_short_line() -> None:
    assert render({"date": dt.date(2011, 3, 1), "how": "公开栏"}, m.Publication) == "公示日期 2011-03-01，公示方式 公开栏"
    assert render("第一行\n第二行") == "第一行 第二行"
    assert render("字" * 100) == "字" * 59 + "…"
    assert render(True) == "是" and render(None) == "（空）"


def test_an_unreadable_file_is_named_not_reported_as_deleted(repo: GitRepo) -> None:
    repo.replace(REVIEWS, "    rating: 较好\n", "    rating: 较好\n  amendments: [\n")
    report = diff_data(Path("data"), "main")
    assert report.units == [] and report.unreadable == [REVIEWS]
    assert "无法读取、未比较：units/lian-1/2011/reviews.yaml（先用 cxzy validate 找出错误）" in format_text(report)


def test_an_added_nominee_comes_with_their_record(repo: GitRepo) -> None:
    """The reviewer sees the nominee's commitments, reviews and 评议 grade without opening another file."""
    repo.append(COMMENDATIONS, NEW_NOMINEE.replace("shi-2011-h04", "shi-2011-h05").replace("lian1-zhou", "lian1-sun"))
    (unit,) = diff_data(Path("data"), "main").units
    assert unit.summary[1] == "推荐对象孙秀英（优秀共产党员）：承诺 1 项（已完成 1），领导点评 1 次，2011 年民主评议「优秀」"
    assert "推荐对象孙秀英" in format_markdown(diff_data(Path("data"), "main"))


PARTY_MEMBER = """  - id: lian1-qian
    name: 钱内部
    post: 保管员
    audience: 党内公开
"""


def test_for_a_public_audience_no_narrower_record_or_hidden_name_is_in_the_report(repo: GitRepo) -> None:
    """A 党内公开 member is added, signs a public review and verifies its rectification; a 党内公开 commitment is added.
    `--audience 向社会公开` lists the public review without the member's name or id, and not the party's commitment."""
    repo.append("units/lian-1/members.yaml", PARTY_MEMBER)
    repo.replace(REVIEWS, "audience: 党内公开\n", "audience: 向社会公开\n")
    close_both_rectifications(repo)
    repo.replace(REVIEWS, "        done: 2011-06-28\n", "        done: 2011-06-28\n        verified_by: 钱内部\n")
    repo.append(COMMITMENTS, NEW_COMMITMENTS.replace("    deadline: 2011-08-31\n", "    deadline: 2011-08-31\n    audience: 党内公开\n", 1))
    runner = CliRunner()
    everything = runner.invoke(main, ["diff", "--base", "main", "--format", "json"])
    assert everything.exit_code == 0 and "钱内部" in everything.output and "lian1-2011-c11" in everything.output
    for fmt in ("text", "markdown", "json"):
        public = runner.invoke(main, ["diff", "--base", "main", "--format", fmt, "--audience", "向社会公开"])
        assert public.exit_code == 0, public.output
        assert "钱内部" not in public.output and "lian1-qian" not in public.output, fmt
        assert "lian1-2011-c11" not in public.output and "lian1-2011-c12" in public.output, fmt  # the public ones stay
        assert "lian1-2011-r01" in public.output, fmt  # public now: new to the public's eyes
    # The verifier's name is replaced in the record itself, not only cut off by a short rendering.
    report = diff_data(Path("data"), "main", m.Audience.PUBLIC)
    (review,) = [c for u in report.units for c in u.changes if c.id == "lian1-2011-r01"]
    assert [x.get("verified_by") for x in review.snap.data["rectifications"]] == ["（不在本公开范围）", None]
    party = runner.invoke(main, ["diff", "--base", "main", "--audience", "party"])
    assert "钱内部" in party.output and "lian1-2011-c11" in party.output
