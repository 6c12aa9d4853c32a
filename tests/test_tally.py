"""cxzy tally: ballots → counts only; the ballot file must be outside the data repository; small tallies are flagged."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DataCopy
from sitekit import html, make_site, text_of

from cxzy_gen.cli import main
from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.sheets.importer import ImportError_
from cxzy_gen.sheets.tally import tally
from cxzy_gen.site.derive import derive

A = "units/lian-1/2011/appraisals.yaml"
SECRET = "支书对我有成见，这话只写在选票上"  # a ballot's own words: never to reach the data


def ballots(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["民主评议党员测评表（无记名）"])  # a title row, as printed forms have
    ws.append(["参评人类别", "党性观念强不强", "联系服务群众够不够", "发挥先锋模范作用明显不明显", "意见建议"])
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


SIX = [
    ["党员", "好", "好", "较好", None],
    ["党员", "好", "较好", "好", SECRET],
    ["党员", "较好", "好", "好", None],
    ["群众", "好", "一般", "不了解", None],
    ["服务对象", "好", "好", "好", None],
    ["群众", None, None, None, None],  # 弃权
    ["群众", "好", "很好", "好", None],  # 无效: not a grade
]


def test_ballots_become_counts(mini: DataCopy, tmp_path: Path) -> None:
    path = ballots(tmp_path / "outside" / "ballots.xlsx", SIX)
    result = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    assert result.ok, result.problems
    r = result.record
    assert r["respondents"] == {"members": 3, "non_members": 3, "groups": [{"name": "服务对象", "count": 1}]}
    assert (r["abstained"], r["invalid"]) == (1, 1)
    assert r["dimensions"]["party_spirit"] == {"good": 4, "fair": 1, "average": 0, "poor": 0}
    assert r["dimensions"]["serving_masses"] == {"good": 3, "fair": 1, "average": 1, "poor": 0}
    assert r["dimensions"]["exemplary_role"] == {"good": 3, "fair": 1, "average": 0, "poor": 0, "unknown": 1}
    assert r["opinions"] == {"collected": 1}
    warnings = [p.message for p in result.problems]
    assert (
        "工作表「Sheet」第 9 行 C 列「联系服务群众够不够」：「很好」不是可选的等次（好、较好、一般、差、不了解），这张票按无效票计"
        in warnings
    )
    text = mini.text(A)
    assert "  - id: lian1-2011-a03\n    target: lian1-zhou\n    date: 2011-12-10\n    method: 会议\n" in text
    assert SECRET not in text and "成见" not in text  # no ballot's words in the data
    assert mini.problems() == []
    # The record holds counts only: no field of the model could hold one ballot.
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    (a,) = [a for a in ds.appraisals if a.id == "lian1-2011-a03"]
    assert a.valid_ballots == 5 and a.dimensions is not None and a.dimensions.party_spirit is not None


def test_a_ballot_file_inside_the_data_repository_is_refused(mini: DataCopy, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(mini.root.parent)], check=True)
    before = mini.text(A)
    inside_data = ballots(mini.root / "units" / "lian-1" / "选票.xlsx", SIX)
    beside_data = ballots(mini.root.parent / "选票" / "b.xlsx", SIX)  # in the repository, outside data/
    link = tmp_path / "elsewhere" / "link.xlsx"  # a symlink from outside to a file inside
    link.parent.mkdir()
    os.symlink(inside_data, link)
    for path in (inside_data, beside_data, link):
        with pytest.raises(ImportError_, match="选票不能放进仓库"):
            tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    result = CliRunner().invoke(main, ["tally", str(link), "--target", "lian1-zhou", "--date", "2011-12-10"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith(f"{link}:1:1: E-BALLOT 选票文件 {link} 在数据仓库 ") and "选票不能放进仓库" in result.output
    assert mini.text(A) == before


def test_fewer_than_five_is_flagged_and_the_site_shows_only_the_total(mini: DataCopy, tmp_path: Path) -> None:
    path = ballots(tmp_path / "b.xlsx", SIX[:3])
    result = CliRunner().invoke(main, ["tally", str(path), "--target", "lian1-zhou", "--date", "2011-12-10", "--data", str(mini.root)])
    assert result.exit_code == 0, result.output
    assert "只有 3 人参评（少于 5 人）：公开栏只公布参评人数，不公布分项票数" in result.output
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    views = derive(ds, dt.date(2011, 12, 20), m.Audience.PARTY)
    (view,) = [v for v in views.appraisals if v.record.target == "lian1-zhou"]
    assert view.withheld and view.dimensions == [] and view.satisfaction is None


def test_dry_run_writes_nothing(mini: DataCopy, tmp_path: Path) -> None:
    before = mini.text(A)
    path = ballots(tmp_path / "b.xlsx", SIX)
    result = CliRunner().invoke(
        main, ["tally", str(path), "--target", "lian1-zhou", "--date", "2011-12-10", "--dry-run", "--data", str(mini.root)]
    )
    assert result.exit_code == 0 and "--dry-run，没有写入" in result.output
    assert mini.text(A) == before


def grade_ballots(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "民主评议"
    ws.append(header)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# A branch's sheet: one column per member (headed by the name), one row per ballot.
BRANCH = ["参评人类别", "赵国强", "孙秀英", "周立新"]
BRANCH_ROWS: list[list[object]] = [
    ["党员", "优秀", "合格", "优秀"],
    ["党员", "合格", "优秀", "合格"],
    ["党员", "合格", "合格", " 优 秀 "],  # spaces typed in the cell do not matter
    ["群众", "优秀", "基本合格", "优秀"],
    ["群众", "合格", "良好", "不合格"],  # 良好 is no grade: 孙秀英's ballot is invalid, 周立新's counts
    ["群众", "弃权", None, None],  # all blank or 弃权 for each of them: 弃权
    ["群众", "合格", "合格", "弃权"],  # 弃权 on one member's column, with other answers: still no answer for 周立新
]


def test_grades_are_counted_per_member_from_a_branch_sheet(mini: DataCopy, tmp_path: Path) -> None:
    before = mini.text(A)
    path = grade_ballots(tmp_path / "ballots" / "一连民主评议.xlsx", BRANCH, BRANCH_ROWS)
    sun = tally(path, "lian1-sun", dt.date(2011, 12, 10), "会议", mini.root)
    assert sun.ok, sun.problems
    assert sun.record["grade_votes"] == {"excellent": 1, "qualified": 3, "basic": 1, "unqualified": 0}
    assert (sun.record["abstained"], sun.record["invalid"]) == (1, 1)
    assert sun.record["respondents"] == {"members": 3, "non_members": 4}
    warnings = [p.message for p in sun.problems]
    assert warnings == [
        "工作表「民主评议」第 6 行 C 列「孙秀英」：「良好」不是可选的等次（优秀、合格、基本合格、不合格），这张票按无效票计"
    ]  # the other members' columns are no noise
    zhou = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    assert zhou.ok, zhou.problems
    assert zhou.record["grade_votes"] == {"excellent": 3, "qualified": 1, "basic": 0, "unqualified": 1}
    assert (zhou.record["abstained"], zhou.record.get("invalid")) == (2, None)
    text = mini.text(A)
    assert text.count("grade:") == before.count("grade:")  # the grade itself is decided by the branch, not by the tally
    assert "    grade_votes:\n      excellent: 1\n      qualified: 3\n      basic: 1\n      unqualified: 0\n" in text
    assert "良好" not in text
    assert mini.problems() == []
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    views = derive(ds, dt.date(2011, 12, 20), m.Audience.PARTY)
    (view,) = [v for v in views.appraisals if v.record.id == sun.record["id"]]
    (grades,) = [t for t in view.dimensions if t.title == "民主评议等次（票数）"]
    assert [(s.label, s.count) for s in grades.shares] == [("优秀", 1), ("合格", 3), ("基本合格", 1), ("不合格", 0)]


def test_a_grade_column_by_its_own_header_and_the_invalid_ballots_named(mini: DataCopy, tmp_path: Path) -> None:
    rows: list[list[object]] = [["党员", "好", g] for g in ("优秀", "合格", "合格", "基本合格", "合格")]
    rows += [["群众", "好", "差"], ["群众", None, "合格"], ["群众", None, None]]
    path = grade_ballots(tmp_path / "b.csv.xlsx", ["参评人类别", "党性观念强不强", "评定等次"], rows)
    result = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root, write=False)
    assert result.ok
    r = result.record
    assert r["grade_votes"] == {"excellent": 1, "qualified": 3, "basic": 1, "unqualified": 0}
    assert r["dimensions"]["party_spirit"] == {"good": 5, "fair": 0, "average": 0, "poor": 0}
    assert (r["abstained"], r["invalid"]) == (1, 2)
    assert [(p.line, p.column, p.message.split("：", 1)[1]) for p in result.problems] == [
        (7, 3, "「差」不是可选的等次（优秀、合格、基本合格、不合格），这张票按无效票计"),
        (8, 2, "没填，这张票按无效票计"),
    ]


def test_a_probationary_member_takes_part_but_is_not_graded(mini: DataCopy, tmp_path: Path) -> None:
    mini.write(
        "units/lian-1/members.yaml",
        mini.text("units/lian-1/members.yaml").replace("    joined: 2006\n", "    joined: 2006\n    probationary: true\n"),
    )
    path = grade_ballots(tmp_path / "b.xlsx", ["参评人类别", "党性观念强不强", "周立新"], [["党员", "好", "优秀"]] * 5)
    result = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    assert result.ok
    assert "grade_votes" not in result.record and result.record["dimensions"]["party_spirit"]["good"] == 5
    (p,) = result.problems
    assert (p.line, p.column, p.is_error) == (1, 3, False)
    assert p.message == "工作表「民主评议」第 1 行 C 列「周立新」：「周立新」是预备党员：预备党员参加民主评议，但不评定等次，这一列没有统计"
    only_grades = grade_ballots(tmp_path / "g.xlsx", ["参评人类别", "周立新"], [["党员", "优秀"]] * 5)
    with pytest.raises(ImportError_, match="是预备党员，不评定等次"):
        tally(only_grades, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    # Grade votes written by hand for a probationary member (or a unit) are refused by validate.
    text = mini.text(A)
    mini.write(
        A,
        text + "  - id: lian1-2011-a99\n    target: lian1-zhou\n    date: 2011-12-11\n    method: 会议\n"
        "    respondents: {members: 5}\n    grade_votes: {excellent: 1, qualified: 4, basic: 0, unqualified: 0}\n",
    )
    messages = [p.message for p in mini.problems()]
    assert any("预备党员参加民主评议，但不评定等次（提示：删去 grade_votes）" in x for x in messages), messages


def test_grade_votes_must_add_up_and_fewer_than_five_show_only_the_total(mini: DataCopy, tmp_path: Path) -> None:
    path = grade_ballots(tmp_path / "b.xlsx", BRANCH, BRANCH_ROWS[:3])
    result = CliRunner().invoke(main, ["tally", str(path), "--target", "lian1-zhou", "--date", "2011-12-10", "--data", str(mini.root)])
    assert result.exit_code == 0, result.output
    assert "只有 3 人参评（少于 5 人）" in result.output
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    (view,) = [v for v in derive(ds, dt.date(2011, 12, 20), m.Audience.PARTY).appraisals if v.record.grade_votes is not None]
    assert view.withheld and view.dimensions == []
    text = mini.text(A)
    mini.write(A, text.replace("      excellent: 2\n", "      excellent: 3\n"))
    assert any("「民主评议等次」各档合计 4 票，应为 3 票" in p.message for p in mini.problems())


def test_on_the_built_site_the_grade_votes_show_from_five_respondents_only(mini: DataCopy, tmp_path: Path) -> None:
    """Ballots tallied, the site built and read back: six respondents show the grade votes, three only the total."""
    six = grade_ballots(
        tmp_path / "six.xlsx", ["参评人类别", "周立新"], [["党员", g] for g in ("优秀", "优秀", "合格", "合格", "合格", "基本合格")]
    )
    three = grade_ballots(tmp_path / "three.xlsx", ["参评人类别", "周立新"], [["党员", "优秀"], ["群众", "合格"], ["群众", "不合格"]])
    many = tally(six, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    few = tally(three, "lian1-zhou", dt.date(2011, 12, 11), "会议", mini.root)
    assert many.ok and few.ok
    out = tmp_path / "public"
    make_site(mini.root, out, dt.date(2011, 12, 20), m.Audience.PARTY, search=False)  # grades and their votes are 党内公开 by default
    page = html(out / "members" / "lian1-zhou" / "index.html")
    shown = page.select_one(f"#a-{many.record['id']}")
    (table,) = [t for t in shown.select("table") if "民主评议等次（票数）" in text_of(t.caption)]
    assert text_of(table.caption) == "民主评议等次（票数）（共 6 票）"
    assert [th.get_text(strip=True) for th in table.select("thead th")] == ["优秀", "合格", "基本合格", "不合格"]
    assert [td.get_text(strip=True).split("（")[0] for td in table.select("td")] == ["2 票", "3 票", "1 票", "0 票"]
    withheld = page.select_one(f"#a-{few.record['id']}")
    assert withheld.select("table") == [] and "参评 3 人" in text_of(withheld) and "只公布参评总人数" in text_of(withheld)
    assert "不合格" not in text_of(withheld)


def test_a_two_row_header_with_each_member_over_their_questions(mini: DataCopy, tmp_path: Path) -> None:
    """周立新 merged over his questions, 孙秀英 over hers: each member's record counts only their own columns."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "测评表"
    ws.append(["参评人类别", "周立新", None, "孙秀英", None])
    ws.append([None, "党性观念强不强", "等次", "党性观念强不强", "等次"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    for row in (["党员", "好", "优秀", "较好", "合格"],) * 3 + (["群众", "较好", "合格", "好", "优秀"],) * 2:
        ws.append(list(row))
    path = tmp_path / "two-row.xlsx"
    book.save(path)
    result = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root, write=False)
    assert result.ok and result.problems == []
    assert result.record["dimensions"] == {"party_spirit": {"good": 3, "fair": 2, "average": 0, "poor": 0}}
    assert result.record["grade_votes"] == {"excellent": 3, "qualified": 2, "basic": 0, "unqualified": 0}


def test_all_members_of_a_branch_in_one_run(mini: DataCopy, tmp_path: Path) -> None:
    mini.write(
        "units/lian-1/members.yaml",
        mini.text("units/lian-1/members.yaml").replace("    joined: 2006\n", "    joined: 2006\n    probationary: true\n"),
    )
    path = grade_ballots(tmp_path / "branch.xlsx", [*BRANCH, "满意度测评"], [[*row, "满意"] for row in BRANCH_ROWS])
    before = mini.text(A)
    result = CliRunner().invoke(
        main, ["tally", str(path), "--target", "lian-1", "--all-members", "--date", "2011-12-10", "--data", str(mini.root)]
    )
    assert result.exit_code == 0, result.output
    assert "「周立新」是预备党员：预备党员参加民主评议，但不评定等次，这一列没有统计" in result.output
    assert "E 列「满意度测评」：这一列不是哪名党员的列（列名要写党员姓名），没有统计" in result.output
    assert "「lian1-zhao」收回评议表 7 张（弃权 1 张，无效 0 张）" in result.output
    assert "「lian1-sun」收回评议表 7 张（弃权 1 张，无效 1 张）" in result.output
    assert "评议记录 lian1-2011-a03、lian1-2011-a04：已写入" in result.output
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    added = {a.target: a for a in ds.appraisals if a.id in {"lian1-2011-a03", "lian1-2011-a04"}}
    assert set(added) == {"lian1-zhao", "lian1-sun"}  # 周立新, 预备党员, not graded: no record
    zhao = added["lian1-zhao"].grade_votes
    assert zhao is not None and (zhao.excellent, zhao.qualified, zhao.basic, zhao.unqualified) == (2, 4, 0, 0)
    assert added["lian1-zhao"].satisfaction is None
    assert mini.text(A).startswith(before) and mini.problems() == []
    for args, message in (
        (["--target", "lian1-sun", "--all-members"], "--all-members 要和党组织的编号一起用"),
        (["--target", "lian-1", "--all-members", "--id", "x1"], "不能用 --id 指定编号"),
    ):
        result = CliRunner().invoke(main, ["tally", str(path), *args, "--date", "2011-12-10", "--data", str(mini.root)])
        assert result.exit_code == 1 and message in result.output
