"""`cxzy audit` against a hand-made data set (tests/fixtures/audit) whose right answers are worked out below by hand.

The data set, as of 2011-07-15 (after 七一, before the year end):

测试团场党委 tuan (secretary 王团 t-wang; 李干 t-li)
  commitments: tuan's own (published 02-20), 王团's (published 03-05, deadline 06-30, no outcome → overdue 15 days);
               李干 none → gap, 补课.
  reviews:     only 李干, by 陈师 who has no member id → reviewed, but the line of leadership cannot be checked (gap);
               tuan and 王团 not reviewed by 06-30 → gaps. 王团 reviewed 甲连 → the secretary check is met.
  appraisals:  tuan on 07-10 (after 06-30: not the phase appraisal), 王团 06-20 (合格); 李干 none.
  honours:     李干 优秀党务工作者, window 07-12..07-18 still open → pending (a reminder, 3 days).
               quota: 0 优秀 of 1 graded → met.
甲连党支部 lian-a (secretary 赵甲 a-zhao; 钱乙 a-qian; 孙丙 a-sun)
  commitments: lian-a's own (published), 赵甲's (not published; deadline 07-31 → reminder in 16 days),
               钱乙's 即时承诺 of 04-15 (未完成, no 补课 → 补课), 孙丙's proposed 08-01 (after the date: does not count).
  reviews:     lian-a by 王团 (tuan is lian-a's superior: on the line), 钱乙 by 赵甲 (own unit: on the line),
               孙丙 by 周丁 of 乙连 (not on the line: gap), 赵甲 on 07-20 (after the date: does not count → gap).
               rectifications of the lian-a review: 06-30 整改中 → overdue 15 days; 08-10 未开始 → reminder in 26 days.
  appraisals:  lian-a 06-25, 赵甲 合格, 钱乙 优秀, 孙丙 优秀 → the phase appraisal complete; 2 优秀 of 3 > a third → gap.
  honours:     孙丙 已表彰 on 06-20, after the window 06-13..06-19 → met.
乙连党支部 lian-b (no secretary; 周丁 b-zhou)
  commitments: 周丁's (published on 07-20, after the date → not published), a withdrawn one (does not count);
               lian-b's own none → gap, 补课.
  reviews, appraisals: none. honours: lian-b 先进基层党组织, window 05-31..06-07 closed, still no decision 30 days later → gap.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxzy_gen.build import inspect
from cxzy_gen.cli import main
from cxzy_gen.records import models as m
from cxzy_gen.site.audit import Audit, Check, MilestoneState, State, _has_result
from cxzy_gen.site.audit_report import as_csv, as_json, as_text, as_xlsx, header

DATA = Path(__file__).resolve().parent / "fixtures" / "audit"
TODAY = dt.date(2011, 7, 15)

# (ok, gap, pending) of each check, per unit, counted by hand from the story above.
CHECKS = {
    "tuan": {
        # 党员有承诺 1/2, 本级承诺 1/1, 已公示 2/2
        Check.COMMIT: (4, 1, 0),
        # 党组织受到点评 0/1, 党员受到点评 1/2, 书记点评 1/1, 隶属关系 0/1
        Check.REVIEW: (2, 3, 0),
        # 七一前: 党组织 0/1, 党员 1/2; 年底: 3 pending
        Check.APPRAISE: (1, 2, 3),
        # 公示中 1 pending; 评先比例 1/1
        Check.HONOUR: (1, 0, 1),
    },
    "lian-a": {
        Check.COMMIT: (5, 2, 0),  # 党员 2/3, 本级 1/1, 已公示 2/3
        Check.REVIEW: (6, 2, 0),  # 党组织 1/1, 党员 2/3, 书记 1/1, 隶属关系 2/3
        Check.APPRAISE: (4, 0, 4),  # 七一前 4/4; 年底 4 pending
        Check.HONOUR: (1, 1, 0),  # 公示后表彰 1/1; 评先比例 0/1
    },
    "lian-b": {
        Check.COMMIT: (1, 2, 0),  # 党员 1/1, 本级 0/1, 已公示 0/1
        Check.REVIEW: (0, 3, 0),  # 党组织 0/1, 党员 0/1, 没有登记书记 0/1
        Check.APPRAISE: (0, 2, 2),  # 七一前 0/2; 年底 2 pending
        Check.HONOUR: (0, 1, 0),  # 公示期满 30 天仍未决定
    },
}
GAPS = {
    "tuan": [
        "李干没有 2011 年的公开承诺",
        "党组织没有受到领导点评",
        "王团没有受到领导点评",
        "陈师（师党委副书记）点评李干：没有登记点评人的党员编号，无法核对隶属关系",
        "党组织没有七一前阶段评议结果",
        "李干没有七一前阶段评议结果",
    ],
    "lian-a": [
        "孙丙没有 2011 年的公开承诺",
        "承诺「帮扶三户困难职工」（赵甲）未公示",
        "赵甲没有受到领导点评",
        "周丁（乙连连长）点评孙丙：点评人不属于本级或上级党组织",
        "民主评议优秀 2 人，参评党员 3 人，超过三分之一",
    ],
    "lian-b": [
        "党组织没有 2011 年本级承诺",
        "承诺「连队道路硬化」（周丁）未公示",
        "党组织没有受到领导点评",
        "周丁没有受到领导点评",
        "没有登记党组织书记，无法核对书记是否点评",
        "党组织没有七一前阶段评议结果",
        "周丁没有七一前阶段评议结果",
        "乙连党支部（先进基层党组织）公示期满（2011-06-07），尚未作出表彰决定、未上光荣榜",
    ],
}


def _ratio(ok: int, gap: int) -> float | None:
    return ok / (ok + gap) if ok + gap else None


def _score(unit: dict[Check, tuple[int, int, int]]) -> float:
    ratios = [r for r in (_ratio(ok, gap) for ok, gap, _ in unit.values()) if r is not None]
    return round(100 * sum(ratios) / len(ratios), 1)


# Scores worked out: tuan (4/5 + 2/5 + 1/3 + 1/1) / 4 = 63.3; lian-a (5/7 + 6/8 + 4/4 + 1/2) / 4 = 74.1;
# lian-b (1/3 + 0 + 0 + 0) / 4 = 8.3. Everything together: 25 of 44 due items done = 56.8%.
SCORES = {"tuan": 63.3, "lian-a": 74.1, "lian-b": 8.3}
COVERAGE = 56.8
OVERDUE = {"tuan": [("承诺", "c-t-wang", 15)], "lian-a": [("整改", "z-late", 15)], "lian-b": []}
REMEDIAL = {
    "tuan": [("t-li", "没有作出 2011 年的承诺")],
    "lian-a": [("a-qian", "承诺「春播前检修全连农机」未完成，尚未补课"), ("a-sun", "没有作出 2011 年的承诺")],
    "lian-b": [("lian-b", "没有作出 2011 年的承诺")],
}
# Milestones: (key, state, who lacks it)
MILESTONES = {
    "tuan": [
        ("commit", "missed", ["t-li"]),
        ("phase-review", "missed", ["tuan", "t-wang"]),
        ("phase-appraisal", "missed", ["tuan", "t-li"]),
        ("year-end-review", "pending", ["tuan", "t-wang", "t-li"]),
        ("year-end-appraisal", "pending", ["tuan", "t-wang", "t-li"]),
    ],
    "lian-a": [
        ("commit", "missed", ["a-qian", "a-sun"]),  # 钱乙's is an 即时承诺 of April, not an annual one by March
        ("phase-review", "missed", ["a-zhao"]),
        ("phase-appraisal", "met", []),
        ("year-end-review", "pending", ["lian-a", "a-zhao", "a-qian", "a-sun"]),
        ("year-end-appraisal", "pending", ["lian-a", "a-zhao", "a-qian", "a-sun"]),
    ],
    "lian-b": [
        ("commit", "missed", ["lian-b"]),
        ("phase-review", "missed", ["lian-b", "b-zhou"]),
        ("phase-appraisal", "missed", ["lian-b", "b-zhou"]),
        ("year-end-review", "pending", ["lian-b", "b-zhou"]),
        ("year-end-appraisal", "pending", ["lian-b", "b-zhou"]),
    ],
}
# Reminders: (due, days left; negative = overdue)
REMINDERS = {
    "tuan": [("2011-06-30", -15), ("2011-07-18", 3)],
    "lian-a": [("2011-06-30", -15), ("2011-07-31", 16), ("2011-08-10", 26)],
    "lian-b": [],
}


@pytest.fixture(scope="module")
def report() -> Audit:
    return inspect(DATA, TODAY)


def test_the_hand_computed_scores_follow_from_the_hand_computed_counts() -> None:
    assert {uid: _score(c) for uid, c in CHECKS.items()} == SCORES


def test_each_unit_has_the_hand_computed_checks_gaps_and_score(report: Audit) -> None:
    assert list(report.units) == ["tuan", "lian-a", "lian-b"]
    for uid, expected in CHECKS.items():
        ua = report.units[uid]
        assert {c: (r.ok, r.gap, r.pending) for c, r in ua.checks.items()} == expected, uid
        assert [i.text for i in ua.gaps] == GAPS[uid], uid
        assert ua.score == SCORES[uid]
    assert report.coverage == COVERAGE


def test_the_subtree_rolls_up_every_unit_below(report: Audit) -> None:
    top = report.units["tuan"]
    for c in Check:
        assert (top.subtree[c].ok, top.subtree[c].gap, top.subtree[c].pending) == tuple(
            sum(CHECKS[u][c][i] for u in CHECKS) for i in range(3)
        )
    # (10/15 + 8/16 + 5/9 + 2/4) / 4
    assert top.subtree_score == round(100 * (10 / 15 + 8 / 16 + 5 / 9 + 2 / 4) / 4, 1) == 55.6
    assert top.subtree_members == 6
    assert report.units["lian-a"].subtree_score == SCORES["lian-a"]


def test_overdue_remedial_milestones_and_reminders(report: Audit) -> None:
    for uid, ua in report.units.items():
        assert [(o.what, o.record, o.days) for o in ua.overdue] == OVERDUE[uid]
        assert [(r.subject.id, r.reason) for r in ua.remedial] == REMEDIAL[uid]
        assert [(ms.key, ms.state.key, [r.id for r in ms.lacking]) for ms in ua.milestones] == MILESTONES[uid]
        assert [(r.due.isoformat(), r.days) for r in ua.reminders] == REMINDERS[uid]


def test_records_dated_after_the_date_do_not_count_and_earlier_dates_see_less() -> None:
    # On 2011-03-31 nothing of 七一 is due yet; only the March milestone and the publications count.
    march = inspect(DATA, dt.date(2011, 3, 31))
    lian_a = march.units["lian-a"]
    # 赵甲 (03-20) and lian-a (03-10) have committed; 钱乙 and 孙丙 are pending until the day ends; 赵甲's is unpublished.
    assert (lian_a.checks[Check.COMMIT].ok, lian_a.checks[Check.COMMIT].gap, lian_a.checks[Check.COMMIT].pending) == (3, 1, 2)
    assert lian_a.checks[Check.REVIEW].due == 0 and lian_a.checks[Check.APPRAISE].due == 0
    assert {ms.key: ms.state for ms in lian_a.milestones}["commit"] is MilestoneState.PENDING
    # On 2011-08-01 孙丙's commitment (proposed that day) and the 07-20 review of 赵甲 count.
    august = inspect(DATA, dt.date(2011, 8, 1))
    assert "孙丙没有 2011 年的公开承诺" not in [i.text for i in august.units["lian-a"].gaps]
    assert "赵甲没有受到领导点评" not in [i.text for i in august.units["lian-a"].gaps]


def test_one_unit_only(report: Audit) -> None:
    one = inspect(DATA, TODAY, unit="lian-b")
    assert list(one.units) == ["lian-b"] and one.scope == ["lian-b"]
    assert one.units["lian-b"].depth == 0 and one.units["lian-b"].parent is None
    assert one.coverage == round(100 * 1 / 9, 1)  # 1 done of 9 due


# ---------------------------------------------------------------- every output format carries the same answers


def test_json_carries_the_hand_computed_answers(report: Audit) -> None:
    doc = json.loads(as_json(report))
    assert doc["today"] == "2011-07-15" and doc["year"] == 2011 and doc["coverage"] == COVERAGE
    for unit in doc["units"]:
        uid = unit["id"]
        assert {c: (v["ok"], v["gap"], v["pending"]) for c, v in unit["checks"].items()} == {c.key: n for c, n in CHECKS[uid].items()}
        assert [g["text"] for c in unit["checks"].values() for g in c["gaps"]] == GAPS[uid]
        assert unit["score"] == SCORES[uid]
        assert [(o["what"], o["record"], o["days"]) for o in unit["overdue"]] == OVERDUE[uid]
        assert [(ms["key"], ms["state"], ms["lacking"]) for ms in unit["milestones"]] == MILESTONES[uid]
        assert [(r["subject"], r["reason"]) for r in unit["remedial"]] == REMEDIAL[uid]
        assert [(r["due"], r["days"]) for r in unit["reminders"]] == REMINDERS[uid]


def test_text_carries_the_hand_computed_answers(report: Audit) -> None:
    text = as_text(report)
    assert "总覆盖率 56.8%（已做到 25 项，缺项 19 项，未到期 10 项）" in text
    assert "测试团场党委｜80.0%（4/5）｜40.0%（2/5）｜33.3%（1/3）｜100.0%（1/1）｜63.3｜55.6" in text
    assert "　乙连党支部｜33.3%（1/3）｜0.0%（0/3）｜0.0%（0/2）｜0.0%（0/1）｜8.3｜8.3" in text
    for gaps in GAPS.values():
        for gap in gaps:
            assert f"  - {gap}\n" in text
    assert "承诺「走访全部连队」（王团）超过时限 15 天（时限 2011-06-30）" in text
    assert "整改「建好党员活动室」（甲连党支部）超过时限 15 天（时限 2011-06-30）" in text
    assert "3 月底前提出年度承诺（2011-03-31 前）：未按期完成，尚缺：钱乙、孙丙" in text


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel and WPS need the UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_unit_a_totals_row_and_the_date(report: Audit) -> None:
    rows = _csv_rows(as_csv(report))
    assert list(rows[0]) == header()
    assert [r["单位编号"] for r in rows] == ["tuan", "lian-a", "lian-b", "合计"]
    for row in rows[:-1]:
        uid = row["单位编号"]
        for c, (ok, gap, _) in CHECKS[uid].items():
            assert (int(row[f"{c.value}·已做到"]), int(row[f"{c.value}·应做到"])) == (ok, ok + gap)
            assert float(row[f"{c.value}·覆盖率(%)"]) == round(100 * ok / (ok + gap), 1)
        assert float(row["得分"]) == SCORES[uid]
        assert int(row["缺项数"]) == len(GAPS[uid])
        assert row["缺项明细"].split("；") == GAPS[uid]
        assert row["统计日期"] == "2011-07-15"
    total = rows[-1]
    assert (int(total["承诺有公示·已做到"]), int(total["承诺有公示·应做到"])) == (10, 15)
    assert int(total["缺项数"]) == 19 and int(total["党员数"]) == 6
    assert total["缺项明细"] == "总覆盖率 56.8%" and total["统计日期"] == "2011-07-15"


def test_xlsx_read_back_with_openpyxl(report: Audit, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "督查.xlsx"
    path.write_bytes(as_xlsx(report))
    wb = load_workbook(path)
    assert wb.sheetnames == ["督查汇总", "缺项明细"]
    ws = wb["督查汇总"]
    assert "2011 年度" in ws["A1"].value and "按 2011-07-15 的情况统计" in ws["A2"].value and "总覆盖率 56.8%" in ws["A2"].value
    cols = [c.value for c in ws[3]]
    assert cols == header()
    rows = [dict(zip(cols, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    assert [r["单位编号"] for r in rows] == ["tuan", "lian-a", "lian-b", "合计"]
    for row in rows[:-1]:
        uid = row["单位编号"]
        for c, (ok, gap, _) in CHECKS[uid].items():
            assert (row[f"{c.value}·已做到"], row[f"{c.value}·应做到"]) == (ok, ok + gap)
            assert row[f"{c.value}·覆盖率(%)"] == round(100 * ok / (ok + gap), 1)
        assert row["得分"] == SCORES[uid]  # numbers, so the inspector can sort
        assert row["缺项明细"].split("；") == GAPS[uid]
        assert row["统计日期"] == "2011-07-15"
    assert rows[-1]["缺项数"] == 19 and rows[-1]["得分"] == 55.6
    # Print-ready: A4 landscape, one page wide, headings frozen and repeated, widths set.
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$3:$3"
    assert ws.column_dimensions["B"].width == 24 and ws.auto_filter.ref == "A3:W6"  # 23 columns; the totals row (7) stays out of the sort
    detail = [[c.value for c in row] for row in wb["缺项明细"].iter_rows(min_row=2)]
    assert [(r[0], r[5]) for r in detail] == [(uid, gap) for uid, gaps in GAPS.items() for gap in gaps]


# ---------------------------------------------------------------- the command


def test_command_json_and_fail_under(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["audit", "--data", str(DATA), "--today", "2011-07-15"]
    ok = runner.invoke(main, [*args, "--format", "json", "--fail-under", "56.8"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["coverage"] == COVERAGE
    low = runner.invoke(main, [*args, "--fail-under", "57"])
    assert low.exit_code == 1
    assert "总覆盖率 56.8% 低于要求的 57%" in low.stderr
    out = tmp_path / "督查.csv"
    wrote = runner.invoke(main, [*args, "--format", "csv", "--out", str(out)])
    assert wrote.exit_code == 0 and len(_csv_rows(out.read_bytes())) == 4


def test_command_usage_errors() -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["audit", "--data", str(DATA), "--today", "2011-07-15", "--unit", "nope"])
    assert unknown.exit_code == 2 and "找不到单位 nope" in unknown.output
    xlsx = runner.invoke(main, ["audit", "--data", str(DATA), "--format", "xlsx"])
    assert xlsx.exit_code == 2 and "--out" in xlsx.output
    missing = runner.invoke(main, ["audit", "--data", "/nonexistent/data"])
    assert missing.exit_code == 2


def test_command_refuses_data_with_errors(tmp_path: Path) -> None:
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "site.yaml").write_text("title: x\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["audit", "--data", str(bad), "--today", "2011-07-15"])
    assert run.exit_code == 1
    assert "Traceback" not in run.output and "先改正数据再督查" in run.stderr


@pytest.mark.parametrize("template", ["github-actions.yml", "gitea-actions.yml", "gitlab-ci.yml"])
def test_ci_templates_hold_coverage_to_a_threshold(template: str) -> None:
    import yaml

    text = (Path(__file__).resolve().parent.parent / "cxzy_gen" / "ci" / template).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    job = doc["jobs"]["audit"] if "jobs" in doc else doc["audit"]
    commands = json.dumps(job, ensure_ascii=False)
    assert "cxzy audit" in commands and "--fail-under" in commands
    assert "CXZY_AUDIT_MIN" in text


def test_grade_votes_or_the_five_good_alone_are_a_result() -> None:
    """A 民主评议 tally of the grade column only, or an organisation appraised item by item only, has a result."""
    base = m.Appraisal(id="x", target="t", date=dt.date(2011, 6, 25), method="会议", respondents=m.Respondents(members=6))
    assert not _has_result(base)
    votes = m.GradeTally(excellent=1, qualified=5, basic=0, unqualified=0)
    assert _has_result(base.model_copy(update={"grade_votes": votes}))
    item = m.Satisfaction(satisfied=4, fairly_satisfied=2, basically_satisfied=0, dissatisfied=0)
    assert _has_result(base.model_copy(update={"five_good": m.FiveGoodTallies(leadership=item)}))
    assert not _has_result(base.model_copy(update={"five_good": m.FiveGoodTallies()}))


def test_nomination_quotas_from_site_yaml_are_counted_per_awarding_unit(tmp_path: Path) -> None:
    """site.yaml's quotas, counted by hand: tuan awards all three nominations; its subtree has 6 members and 2 units
    below. 优秀共产党员 at most 1 (20 % of 6 is 2, but max 1): 孙丙 counts, 钱乙's revoked nomination does not.
    先进基层党组织 50 % of 2 units below = 1: 乙连. 优秀党务工作者 has no quota: no item."""
    data = tmp_path / "audit"
    shutil.copytree(DATA, data)
    site = data / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8")
        + "commendation:\n  quotas:\n    优秀共产党员: {max: 1, share: 20}\n    先进基层党组织: {share: 50}\n",
        encoding="utf-8",
    )
    honours = data / "units/tuan/2011/commendations.yaml"
    honours.write_text(
        honours.read_text(encoding="utf-8")
        + """  - id: h-qian
    year: 2011
    title: 优秀共产党员
    nominee: a-qian
    nominated_by: lian-a
    deeds: 帮扶困难职工。
    publicity: {start: 2011-06-01, end: 2011-06-08}
    status: 撤销
    revoked_on: 2011-06-10
    revoked_reason: 本人申请退出。
""",
        encoding="utf-8",
    )
    report = inspect(data, TODAY)
    quota = {uid: [(i.state, i.text) for i in ua.items if i.kind == "nomination-quota"] for uid, ua in report.units.items()}
    assert quota == {
        "tuan": [(State.OK, "推荐「优秀共产党员」1 个，名额 1 个"), (State.OK, "推荐「先进基层党组织」1 个，名额 1 个")],
        "lian-a": [],
        "lian-b": [],
    }
    assert "推荐名额 2/2" in as_text(report)
