"""`cxzy validate --base`: rules on the change itself, each refusal asserted with its code, place and message.

Every case starts from a real repository whose main branch holds tests/fixtures/mini, edits the working
tree the way a party-affairs worker would, and judges the change as of 2011-06-28.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_helpers import GitRepo

from cxzy_gen.cli import main
from cxzy_gen.git.changes import ChangeError, check_change
from cxzy_gen.problems import Severity

C = "units/lian-1/2011/commitments.yaml"
R = "units/lian-1/2011/reviews.yaml"
A = "units/lian-1/2011/appraisals.yaml"
H = "units/shi-dw/2011/commendations.yaml"
TODAY = dt.date(2011, 6, 28)
AMENDMENT = "    amendments:\n      - date: 2011-06-28\n        note: 原文笔误，更正。\n"
AMEND_HINT = "确需更正时，改正后在 amendments 里追加一条更正说明（date 更正日期，note 写明改了什么、为什么）"
C03_REST = (
    "    measures: 组织党员义务劳动。\n    proposed: 2011-04-10\n    deadline: 2011-05-31\n"
    "    outcome:\n      result: 未完成\n      date: 2011-06-05\n      reason: 活动室装修推迟。\n      objective: true\n"
    "    remedial:\n      date: 2011-06-20\n      note: 重新承诺六月底前完成。\n"
)


def c03(subject: str) -> str:
    return f"  - id: lian1-2011-c03\n    kind: 即时承诺\n    subject: {subject}\n    title: 五月底前整理好连队党员活动室\n{C03_REST}"


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("changes") / "site")
    r.commit("导入数据", author=("张红", "zhang@example.org"))
    return r


@pytest.fixture
def repo(committed: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    r = committed.copy(tmp_path / "site")
    monkeypatch.chdir(r.root)
    return r


def problems(today: dt.date = TODAY) -> list[tuple[str, str, str]]:
    return [(f"{p.file}:{p.line}:{p.column}", p.code, p.message) for p in check_change(Path("data"), "main", today)]


Edit = Callable[[GitRepo], object]

# (edit of the working tree, the one refusal expected: place, code, message)
REFUSED: dict[str, tuple[Edit, tuple[str, str, str]]] = {
    "a published commitment deleted": (
        lambda r: r.remove_record(C, "lian1-2011-c01"),
        (
            f"data/{C}:2:1",
            "E-PUBLISHED",
            "承诺「lian1-2011-c01」（全连棉花单产提高百分之五）已于 2011-03-01 公示，不能删除"
            "（提示：保留这条记录，加上 withdrawn（date 撤回日期，reason 撤回原因），它会在公开栏上标明已撤回）",
        ),
    ),
    "a published commitment rewritten": (
        lambda r: (
            r.replace(C, "title: 全连棉花单产提高百分之五", "title: 全连棉花单产提高百分之十"),
            r.replace(C, "deadline: 2011-11-30", "deadline: 2011-12-31"),
        ),
        (
            f"data/{C}:8:12",
            "E-PUBLISHED",
            f"承诺「lian1-2011-c01」（全连棉花单产提高百分之五）已于 2011-03-01 公示，不能直接改写「承诺事项」「完成时限」（提示：{AMEND_HINT}；要作废就保留原文，加 withdrawn 撤回）",
        ),
    ),
    "a published progress entry rewritten": (
        lambda r: r.replace(C, "note: 完成滴灌设备安装。", "note: 完成全部滴灌设备安装。"),
        (
            f"data/{C}:20:15",
            "E-PUBLISHED",
            f"承诺「lian1-2011-c01」（全连棉花单产提高百分之五）已于 2011-03-01 公示，不能直接改写「践诺进展 第 1 项 › 进展情况」（提示：{AMEND_HINT}；要作废就保留原文，加 withdrawn 撤回）",
        ),
    ),
    "a signed review deleted": (
        lambda r: r.remove_record(R, "lian1-2011-r01"),
        (
            f"data/{R}:2:1",
            "E-SIGNED",
            "点评「lian1-2011-r01」（王建华点评一团一连党支部）已于 2011-06-20 由王建华签字，不能删除"
            "（提示：保留这条记录，加上 withdrawn（date 撤回日期，reason 撤回原因），它会在公开栏上标明已撤回）",
        ),
    ),
    "a signed review rewritten": (
        lambda r: r.replace(R, "problems: 党员活动室建设滞后。", "problems: 无。"),
        (
            f"data/{R}:17:17",
            "E-SIGNED",
            f"点评「lian1-2011-r01」（王建华点评一团一连党支部）已于 2011-06-20 由王建华签字，不能直接改写「点评意见 › 问题」（提示：{AMEND_HINT}；要作废就保留原文，加 withdrawn 撤回）",
        ),
    ),
    "a signature removed": (
        lambda r: r.replace(R, "    signature:\n      by: 王建华\n      date: 2011-06-20\n", ""),
        (
            f"data/{R}:3:5",
            "E-SIGNED",
            f"点评「lian1-2011-r01」（王建华点评一团一连党支部）已于 2011-06-20 由王建华签字，不能直接改写「签字」（提示：{AMEND_HINT}；要作废就保留原文，加 withdrawn 撤回）",
        ),
    ),
    "a rectification of a signed review removed": (
        lambda r: r.replace(R, "      - id: z2\n        item: 完善承诺台账\n        deadline: 2011-09-30\n        status: 整改中\n", ""),
        (
            f"data/{R}:26:5",
            "E-SIGNED",
            f"点评「lian1-2011-r01」（王建华点评一团一连党支部）已于 2011-06-20 由王建华签字，不能直接改写「整改事项「z2」」（提示：{AMEND_HINT}；要作废就保留原文，加 withdrawn 撤回）",
        ),
    ),
    "a commendation in 公示 deleted": (
        lambda r: r.remove_record(H, "shi-2011-h02"),
        (
            f"data/{H}:2:1",
            "E-PUBLISHED",
            "表彰推荐「shi-2011-h02」（先进基层党组织 城区第一社区党支部）已过推荐阶段（状态「公示中」），不能删除"
            "（提示：保留这条记录，把 status 改为「撤销」并在 revoked_reason 写明原因）",
        ),
    ),
    "the deeds of an awarded commendation rewritten": (
        lambda r: r.replace(H, "deeds: 带头维修农机，帮助职工春播。", "deeds: 带头维修农机。"),
        (
            f"data/{H}:8:12",
            "E-PUBLISHED",
            f"表彰推荐「shi-2011-h01」（优秀共产党员 孙秀英）已过推荐阶段（状态「已表彰」），不能直接改写「主要事迹」（提示：{AMEND_HINT}；要作废就把 status 改为「撤销」）",
        ),
    ),
    "an objection's content rewritten": (
        lambda r: r.replace(H, "summary: 反映其农机维修收费。", "summary: 无。"),
        (
            f"data/{H}:14:18",
            "E-PUBLISHED",
            f"表彰推荐「shi-2011-h01」（优秀共产党员 孙秀英）已过推荐阶段（状态「已表彰」），不能直接改写「异议及处理 第 1 项 › 反映内容」（提示：{AMEND_HINT}；要作废就把 status 改为「撤销」）",
        ),
    ),
    "已表彰 back to 推荐": (
        lambda r: r.replace(H, "    status: 已表彰\n", "    status: 推荐\n"),
        (
            f"data/{H}:18:13",
            "E-STATUS-BACK",
            "表彰推荐「shi-2011-h01」（优秀共产党员 孙秀英）的状态从「已表彰」退回「推荐」：状态只能向前（推荐 → 公示中 → 已表彰，或改为撤销）"
            "（提示：表彰有误或需要重新公示时，把状态改为「撤销」并写明 revoked_reason，再另建新编号的推荐记录）",
        ),
    ),
    "a rectification reopened": (
        lambda r: r.replace(R, "        status: 已完成\n        done: 2011-06-28\n", "        status: 整改中\n"),
        (
            f"data/{R}:30:17",
            "E-STATUS-BACK",
            "点评「lian1-2011-r01」（王建华点评一团一连党支部）的整改事项「z1」从「已完成」退回「整改中」：整改状态只能向前（未开始 → 整改中 → 已完成）"
            "（提示：验收发现问题没有解决时，新增一条整改事项并写明原因，原事项保持不变）",
        ),
    ),
    "an outcome removed": (
        lambda r: r.replace(C, "    outcome:\n      result: 已完成\n      date: 2011-05-15\n", ""),
        (
            f"data/{C}:21:5",
            "E-STATUS-BACK",
            "承诺「lian1-2011-c02」（春播期间为五户职工义务维修农机）已认定为「已完成」，不能删去完成情况（提示：认定有误时改写 outcome，并在 amendments 里追加一条更正说明）",
        ),
    ),
    "an id given to another subject": (
        lambda r: r.replace(C, "    subject: lian1-zhou\n", "    subject: lian1-sun\n"),
        (
            f"data/{C}:49:14",
            "E-ID-REUSED",
            "编号「lian1-2011-c03」原来是承诺（承诺主体「周立新」），现在成了承诺（承诺主体「孙秀英」）：一个编号只能指一条记录"
            "（提示：新记录请另起一个从未用过的编号；原记录已公示的，保留原记录并撤回）",
        ),
    ),
    "a nominee swapped for someone from outside the data": (
        lambda r: r.replace(H, "    nominee: qy1-ma\n", "    external:\n      name: 马兰\n      unit: 兵团某公司党委\n"),
        (
            f"data/{H}:31:5",
            "E-ID-REUSED",
            "编号「shi-2011-h03」原来是表彰推荐（推荐对象「马丽」、表彰称号「优秀党务工作者」），"
            "现在成了表彰推荐（推荐对象「马兰（兵团某公司党委）」、表彰称号「优秀党务工作者」）：一个编号只能指一条记录"
            "（提示：新记录请另起一个从未用过的编号；原记录已公示的，保留原记录并撤回）",
        ),
    ),
    "an id given to another kind of record": (
        lambda r: (
            r.remove_record(C, "lian1-2011-c03"),
            r.append(
                A,
                "  - id: lian1-2011-c03\n    target: lian-1\n    date: 2011-06-26\n    method: 会议\n    respondents: {members: 1, non_members: 0}\n    grade: 优秀\n",
            ),
        ),
        (
            f"data/{A}:34:9",
            "E-ID-REUSED",
            "编号「lian1-2011-c03」原来是承诺（承诺主体「周立新」），现在成了评议（被评议单位或党员编号「一团一连党支部」）：一个编号只能指一条记录"
            "（提示：新记录请另起一个从未用过的编号；原记录已公示的，保留原记录并撤回）",
        ),
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused(repo: GitRepo, case: str) -> None:
    edit, expected = REFUSED[case]
    edit(repo)
    assert problems() == [expected]


def move_c02(r: GitRepo) -> None:
    text = r.read(C)
    moved = text[text.index("  - id: lian1-2011-c02") : text.index("  - id: lian1-2011-c03")]
    r.remove_record(C, "lian1-2011-c02")
    r.write("units/lian-1/2012/commitments.yaml", "commitments:\n" + moved)


ALLOWED: dict[str, Edit] = {
    "a new progress entry on a published commitment": lambda r: r.replace(
        C, "        note: 完成滴灌设备安装。\n", "        note: 完成滴灌设备安装。\n      - date: 2011-06-10\n        note: 覆盖八成。\n"
    ),
    "a published commitment withdrawn": lambda r: r.replace(
        C,
        "    responsible: lian1-zhao\n",
        "    responsible: lian1-zhao\n    withdrawn:\n      date: 2011-06-28\n      reason: 种植计划调整。\n",
    ),
    "a published commitment amended with a dated note": lambda r: (
        r.replace(C, "deadline: 2011-11-30", "deadline: 2011-12-31"),
        r.replace(C, "    responsible: lian1-zhao\n", "    responsible: lian1-zhao\n" + AMENDMENT),
    ),
    "an outcome found for a published commitment": lambda r: r.replace(
        C,
        "        note: 完成滴灌设备安装。\n",
        "        note: 完成滴灌设备安装。\n    outcome:\n      result: 部分完成\n      date: 2011-06-27\n      reason: 天气原因。\n",
    ),
    "an unpublished commitment deleted": lambda r: r.remove_record(C, "lian1-2011-c03"),
    "an unpublished commitment rewritten": lambda r: r.replace(
        C, "title: 五月底前整理好连队党员活动室", "title: 六月底前整理好连队党员活动室"
    ),
    "a signed review amended": lambda r: (
        r.replace(R, "problems: 党员活动室建设滞后。", "problems: 党员活动室建设进度滞后。"),
        r.replace(R, "    rating: 较好\n", "    rating: 较好\n" + AMENDMENT),
    ),
    "a rectification of a signed review closed": lambda r: r.replace(
        R, "        status: 整改中\n", "        status: 已完成\n        done: 2011-06-27\n        verified_by: 连队党支部\n"
    ),
    "a rectification added to a signed review": lambda r: r.replace(
        R,
        "        deadline: 2011-09-30\n        status: 整改中\n",
        "        deadline: 2011-09-30\n        status: 整改中\n      - id: z3\n        item: 补齐学习记录\n        deadline: 2011-07-31\n        status: 未开始\n",
    ),
    "a signed review withdrawn": lambda r: r.replace(
        R, "    rating: 较好\n", "    rating: 较好\n    withdrawn:\n      date: 2011-06-28\n      reason: 点评对象有误。\n"
    ),
    "an unsigned review rewritten": lambda r: r.replace(R, "problems: 学习记录不全。", "problems: 学习笔记不全。"),
    "an unsigned review deleted": lambda r: r.remove_record(R, "lian1-2011-r02"),
    "a nomination not yet in 公示 deleted": lambda r: r.remove_record(H, "shi-2011-h03"),
    "a commendation in 公示 revoked": lambda r: r.replace(
        H, "    status: 公示中\n", "    status: 撤销\n    revoked_reason: 群众反映问题经核实。\n"
    ),
    "a nomination put up for 公示": lambda r: r.replace(
        H, "    status: 推荐\n", "    publicity:\n      start: 2011-06-28\n      working_days: 5\n    status: 公示中\n"
    ),
    "an objection received and handled": lambda r: r.replace(
        H,
        "    status: 公示中\n",
        "    objections:\n      - received: 2011-06-27\n        summary: 反映材料不实。\n        handling: 已核实。\n        resolved: true\n    status: 公示中\n",
    ),
    "an id restored for the same record": lambda r: (r.remove_record(C, "lian1-2011-c03"), r.append(C, c03("lian1-zhou"))),
    "an announced appraisal amended": lambda r: r.replace(
        A, "    summary: 群众满意率百分之九十七。\n", "    summary: 群众满意率 97%。\n" + AMENDMENT
    ),
    "a published record moved to another file": lambda r: move_c02(r),
}


@pytest.mark.parametrize("case", list(ALLOWED))
def test_allowed(repo: GitRepo, case: str) -> None:
    ALLOWED[case](repo)
    assert problems() == []


def test_a_commitment_publicized_later_than_today_is_not_yet_protected(repo: GitRepo) -> None:
    repo.remove_record(C, "lian1-2011-c01")
    assert problems(today=dt.date(2011, 2, 28)) == []
    assert [code for _, code, _ in problems(today=dt.date(2011, 3, 1))] == ["E-PUBLISHED"]


def test_a_nomination_whose_window_has_started_is_protected(repo: GitRepo) -> None:
    repo.replace(H, "    status: 推荐\n", "    publicity:\n      start: 2011-06-27\n      working_days: 5\n    status: 推荐\n")
    repo.commit("公示马丽")
    repo.remove_record(H, "shi-2011-h03")
    ((_, code, message),) = problems()
    assert code == "E-PUBLISHED" and "已于 2011-06-27 开始公示，不能删除" in message
    assert problems(today=dt.date(2011, 6, 26)) == []


def test_a_withdrawal_is_final_unless_amended(repo: GitRepo) -> None:
    repo.replace(
        C,
        "    responsible: lian1-zhao\n",
        "    responsible: lian1-zhao\n    withdrawn:\n      date: 2011-06-20\n      reason: 种植计划调整。\n",
    )
    repo.commit("撤回承诺")
    repo.replace(C, "      reason: 种植计划调整。\n", "      reason: 改作他用。\n")
    ((place, code, message),) = problems()
    assert (place, code) == (f"data/{C}:15:15", "E-PUBLISHED")
    assert "不能直接改写「撤回 › 撤回原因」" in message
    repo.replace(C, "      reason: 改作他用。\n", "      reason: 改作他用。\n" + AMENDMENT)
    assert problems() == []


def test_existing_amendments_are_never_edited(repo: GitRepo) -> None:
    repo.replace(C, "    responsible: lian1-zhao\n", "    responsible: lian1-zhao\n" + AMENDMENT)
    repo.commit("更正")
    repo.replace(C, "note: 原文笔误，更正。", "note: 没有更正。")
    assert problems() == [
        (
            f"data/{C}:15:15",
            "E-PUBLISHED",
            "承诺「lian1-2011-c01」（全连棉花单产提高百分之五）已有的更正说明不能修改或删除（提示：恢复原来的更正说明，有新情况就在后面追加一条）",
        )
    ]


def test_an_id_deleted_in_history_is_not_reused_for_another_record(repo: GitRepo) -> None:
    repo.checkout("tidy", new=True)
    repo.remove_record(C, "lian1-2011-c03")
    repo.commit("删除未公示的承诺", author=("李明", "li@example.org"), date="2011-06-26T10:00:00+08:00")
    repo.checkout("main")
    repo.merge("tidy", "Merge branch 'tidy'", by=("王审批", "shi-admin@example.org"))
    removed = repo.git("rev-parse", "--short", "HEAD^2")
    repo.append(C, c03("lian1-sun"))
    assert problems() == [
        (
            f"data/{C}:47:9",
            "E-ID-REUSED",
            f"编号「lian1-2011-c03」曾是承诺（承诺主体「周立新」），在提交 {removed}（2011-06-26，李明：删除未公示的承诺）中删除；"
            "删除过的编号不能再用于另一条记录（提示：给这条承诺另起一个从未用过的编号）",
        )
    ]


def test_an_id_deleted_in_history_may_come_back_as_the_same_record(repo: GitRepo) -> None:
    repo.remove_record(C, "lian1-2011-c03")
    repo.commit("误删")
    repo.append(C, c03("lian1-zhou"))
    assert problems() == []


def test_an_id_that_only_a_rectification_had_is_free(repo: GitRepo) -> None:
    repo.append(C, c03("lian1-zhou").replace("lian1-2011-c03", "z1").replace("五月底前", "七月底前"))
    assert problems() == []


def test_a_member_renamed_is_a_warning(repo: GitRepo) -> None:
    repo.replace("units/lian-1/members.yaml", "name: 周立新", "name: 周利新")
    ((place, code, message),) = problems()
    assert (place, code) == ("data/units/lian-1/members.yaml:14:11", "E-ID-REUSED")
    assert message.startswith("编号「lian1-zhou」原来是党员（姓名「周立新」），现在成了党员（姓名「周利新」）")
    assert "如果只是改正姓名错别字，可以忽略本警告" in message
    (problem,) = check_change(Path("data"), "main", TODAY)
    assert problem.severity is Severity.WARNING


def test_a_file_that_does_not_parse_hides_nothing_and_accuses_nothing(repo: GitRepo) -> None:
    repo.replace(R, "    rating: 较好\n", "    rating: 较好\n  amendments: [\n")
    assert problems() == []


def test_a_shallow_clone_warns_that_history_is_incomplete(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    monkeypatch.chdir(clone)
    with (clone / "data" / C).open("a", encoding="utf-8") as f:
        f.write(c03("lian1-zhou").replace("lian1-2011-c03", "lian1-2011-c09"))
    ((place, code, message),) = [(f"{p.file}:{p.line}", p.code, p.message) for p in check_change(Path("data"), "origin/main", TODAY)]
    assert (place, code) == (f"data/{C}:62", "E-HISTORY")
    assert "fetch-depth: 0" in message


def test_an_unknown_base_says_what_to_fetch(repo: GitRepo) -> None:
    with pytest.raises(ChangeError, match="找不到基准版本「origin/main」"):
        check_change(Path("data"), "origin/main", TODAY)


def test_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with pytest.raises(ChangeError, match="不在 git 仓库中"):
        check_change(tmp_path / "data", "main", TODAY)


def test_cli_validate_with_base(repo: GitRepo) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--base", "main", "--today", "2011-06-28"])
    assert result.exit_code == 0, result.output
    repo.remove_record(C, "lian1-2011-c01")
    result = runner.invoke(main, ["validate", "--base", "main", "--today", "2011-06-28", "--format", "github"])
    assert result.exit_code == 1
    assert f"::error file=data/{C},line=2,col=1::E-PUBLISHED 承诺「lian1-2011-c01」" in result.output
    result = runner.invoke(main, ["validate", "--base", "no-such-ref"])
    assert result.exit_code == 2 and "找不到基准版本「no-such-ref」" in result.output


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("template", ["github-actions.yml", "gitea-actions.yml", "gitlab-ci.yml"])
def test_ci_templates_check_the_change_and_publish(template: str) -> None:
    import yaml

    text = (ROOT / "cxzy_gen" / "ci" / template).read_text(encoding="utf-8")
    assert isinstance(yaml.safe_load(text), dict)
    for command in (
        'cxzy validate --base "$BASE"',
        'cxzy diff --base "$BASE" --format markdown',
        "cxzy build",
        "rsync -a --delete --delay-updates public/",
    ):
        assert command in text, command
    assert "fetch-depth: 0" in text or "GIT_DEPTH: 0" in text


def test_pre_commit_hooks() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks["cxzy-validate"]["entry"] == "cxzy validate"
    assert hooks["cxzy-validate-change"]["entry"] == "cxzy validate --base origin/main"
    assert all(h["language"] == "python" and h["pass_filenames"] is False for h in hooks.values())


def test_a_bulk_import_is_checked_against_history_too(repo: GitRepo) -> None:
    import cxzy_gen.git.changes as changes

    repo.remove_record(C, "lian1-2011-c03")
    repo.commit("删除未公示的承诺")
    members = "".join(f"  - id: lian1-new{i}\n    name: 新党员{i}\n    roles: [党员]\n" for i in range(250))
    repo.append("units/lian-1/members.yaml", members)
    repo.append(C, c03("lian1-sun"))
    (problem,) = changes.check_change(Path("data"), "main", TODAY)
    assert problem.code == "E-ID-REUSED" and "曾是承诺（承诺主体「周立新」）" in problem.message
