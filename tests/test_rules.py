"""Every cross-record rule, the personal-identifier check and the field errors: one bad input per row,
with the exact code, a distinctive part of the message, the file and the line it must point at.

Each row edits a copy of tests/fixtures/mini in place (so line numbers stay put) and names the
offending line by a piece of its text in the edited file: the expected line is found in the text,
independently of the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import DataCopy

from cxzy_gen.problems import Severity
from cxzy_gen.records.pii import find_pii, is_id_card
from cxzy_gen.records.rules import RULES

SITE = "site.yaml"
SHI = "units/shi-dw/unit.yaml"
LIAN = "units/lian-1/unit.yaml"
QIYE = "units/qiye-1/unit.yaml"
SHEQU = "units/shequ-1/unit.yaml"
LIAN_MEMBERS = "units/lian-1/members.yaml"
SHEQU_MEMBERS = "units/shequ-1/members.yaml"
C = "units/lian-1/2011/commitments.yaml"
R = "units/lian-1/2011/reviews.yaml"
A = "units/lian-1/2011/appraisals.yaml"
H = "units/shi-dw/2011/commendations.yaml"

Edit = Callable[[DataCopy], Any]


def put(rel: str, keys: tuple[str | int, ...], value: Any = None, *, raw: str | None = None) -> Edit:
    """Replace an existing one-line value."""
    return lambda d: d.set(rel, keys, value, raw=raw)


def add(rel: str, keys: tuple[str | int, ...], key: str, value: Any = None, *, raw: str | None = None) -> Edit:
    """Add a field to the mapping at `keys`."""
    return lambda d: d.add(rel, keys, key, value, raw=raw)


def drop(rel: str, keys: tuple[str | int, ...]) -> Edit:
    return lambda d: d.delete(rel, keys)


def sub(rel: str, old: str, new: str) -> Edit:
    return lambda d: d.replace(rel, old, new)


def write(rel: str, text: str) -> Edit:
    return lambda d: d.write(rel, text)


@dataclass(frozen=True)
class Row:
    edits: list[Edit]
    file: str
    code: str
    message: str  # a distinctive fragment of the message
    at: str  # a piece of the offending line's text in the edited file
    after: str | None = None  # find `at` only from the line containing this on (disambiguates list items)
    nth: int = 1  # ... and take its nth occurrence
    column: str | None = None  # when given: the problem's column is where this text starts on that line
    severity: Severity = Severity.ERROR
    also: tuple[str, ...] = field(default_factory=tuple)  # codes of other problems the same edit must give


def check(d: DataCopy, row: Row) -> None:
    for edit in row.edits:
        edit(d)
    dataset, problems, _ = d.load()
    shown = "\n".join(p.as_text() for p in problems)
    line = d.line_of(row.file, row.at, row.after, row.nth)
    matching = [p for p in problems if (p.file, p.line, p.code) == (d.file(row.file), line, row.code) and row.message in p.message]
    assert len(matching) == 1, f"expected {row.code} at {row.file}:{line} with {row.message!r}; got:\n{shown}"
    (p,) = matching
    assert p.severity is row.severity, shown
    if row.column is not None:
        assert p.column == d.column_of(row.file, row.column, row.after, row.nth), shown
    others = sorted(q.code for q in problems if q is not p)
    assert others == sorted(row.also), f"unexpected other problems:\n{shown}"
    # a dataset comes back exactly when nothing is an error
    assert (dataset is None) == any(q.is_error for q in problems)


def table(rows: dict[str, Row]) -> Any:
    return pytest.mark.parametrize("row", [pytest.param(r, id=name) for name, r in rows.items()])


# ---------------------------------------------------------------- ids_unique

IDS_UNIQUE = {
    "member_id_reused_in_another_unit": Row(
        [put(SHEQU_MEMBERS, ("members", 1, "id"), "lian1-sun")],
        SHEQU_MEMBERS,
        "E-ID-DUP",
        "编号「lian1-sun」已被 data/units/lian-1/members.yaml:7 使用",
        "id: lian1-sun",
        column="lian1-sun",
    ),
    "member_id_differs_only_in_case": Row(
        [put(SHEQU_MEMBERS, ("members", 1, "id"), "LIAN1-Sun")],
        SHEQU_MEMBERS,
        "E-ID-DUP",
        "编号「LIAN1-Sun」已被 data/units/lian-1/members.yaml:7 使用",
        "id: LIAN1-Sun",
    ),
    "member_id_equals_a_unit_id": Row(
        [put(SHEQU_MEMBERS, ("members", 1, "id"), "qiye-1")],
        SHEQU_MEMBERS,
        "E-ID-DUP",
        "「qiye-1」已被 data/units/qiye-1/unit.yaml:1",
        "id: qiye-1",
    ),
    "unit_folder_differs_only_in_case": Row(
        [write("units/Lian-1/unit.yaml", "id: Lian-1\nname: 同名连队\nkind: 党支部\ntype: 团场连队\nparent: shi-dw\n")],
        "units/lian-1/unit.yaml",
        "E-ID-DUP",
        "「lian-1」已被 data/units/Lian-1/unit.yaml:1 使用",
        "id: lian-1",
    ),
    "commitment_id_reused_in_same_file": Row(
        [put(C, ("commitments", 1, "id"), "lian1-2011-c01")],
        C,
        "E-ID-DUP",
        f"已被 data/{C}:3 使用",
        "id: lian1-2011-c01",
        nth=2,
        column="lian1-2011-c01",
    ),
    "commitment_id_differs_only_in_case": Row(
        [put(C, ("commitments", 2, "id"), "Lian1-2011-C01")],
        C,
        "E-ID-DUP",
        "编号「Lian1-2011-C01」已被",
        "id: Lian1-2011-C01",
    ),
    "review_id_equals_commitment_id": Row(
        [put(R, ("reviews", 1, "id"), "lian1-2011-c02")],
        R,
        "E-ID-DUP",
        f"已被 data/{C}:21 使用",
        "id: lian1-2011-c02",
    ),
    "commendation_id_equals_member_id": Row(
        [put(H, ("commendations", 2, "id"), "qy1-ma")],
        H,
        "E-ID-DUP",
        "已被 data/units/qiye-1/members.yaml:",
        "id: qy1-ma",
    ),
    "rectification_id_repeated": Row(
        [put(R, ("reviews", 0, "rectifications", 1, "id"), "z1")],
        R,
        "E-ID-DUP",
        "整改事项编号「z1」在本点评中重复",
        "- id: z1",
        nth=2,
        column="z1",
    ),
    "rectification_id_repeated_in_other_case": Row(
        [put(R, ("reviews", 0, "rectifications", 1, "id"), "Z1")],
        R,
        "E-ID-DUP",
        "整改事项编号「Z1」在本点评中重复",
        "- id: Z1",
    ),
}


@table(IDS_UNIQUE)
def test_ids_unique(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_same_rectification_id_in_two_reviews_is_fine(mini: DataCopy) -> None:
    mini.write(
        R,
        mini.text(R)
        + "    rectifications:\n      - id: z1\n        item: 补齐学习记录\n        deadline: 2011-07-31\n        status: 未开始\n",
    )
    assert mini.problems() == []


# ---------------------------------------------------------------- references_resolve

REFERENCES = {
    "parent_missing": Row(
        [put(LIAN, ("parent",), "shi-d")],
        LIAN,
        "E-REF",
        "单位「shi-d」不存在",
        "parent: shi-d",
        column="shi-d",
        also=("E-REF",),  # lian-1 has left the tree, so shi-dw may no longer commend its member
    ),
    "parent_is_a_member": Row(
        [put(LIAN, ("parent",), "shi-wang")],
        LIAN,
        "E-REF",
        "单位「shi-wang」是党员，这里应填单位编号",
        "parent:",
        also=("E-REF",),  # lian-1 has left the tree, so shi-dw may no longer commend its member
    ),
    "secretary_missing": Row([put(LIAN, ("secretary",), "lian1-qian")], LIAN, "E-REF", "党员「lian1-qian」不存在", "secretary:"),
    "secretary_is_a_unit": Row(
        [put(LIAN, ("secretary",), "lian-1")], LIAN, "E-REF", "党员「lian-1」是单位，这里应填党员编号", "secretary:"
    ),
    "commitment_subject_missing_with_hint": Row(
        [put(C, ("commitments", 2, "subject"), "lian1-zhuo")],
        C,
        "E-REF",
        "找不到编号为「lian1-zhuo」的单位或党员（提示：是不是「lian1-zhou」？）",
        "subject: lian1-zhuo",
    ),
    "commitment_subject_missing_no_hint": Row(
        [put(C, ("commitments", 2, "subject"), "nobody")], C, "E-REF", "找不到编号为「nobody」的单位或党员", "subject: nobody"
    ),
    "commitment_responsible_missing": Row(
        [put(C, ("commitments", 1, "responsible"), "lian1-song")], C, "E-REF", "党员「lian1-song」不存在", "responsible: lian1-song"
    ),
    "commitment_responsible_is_a_unit": Row(
        [put(C, ("commitments", 0, "responsible"), "lian-1")], C, "E-REF", "党员「lian-1」是单位", "responsible: lian-1"
    ),
    "review_target_missing": Row(
        [put(R, ("reviews", 1, "target"), "lian1-sn")], R, "E-REF", "找不到编号为「lian1-sn」", "target: lian1-sn"
    ),
    "reviewer_member_missing": Row(
        [put(R, ("reviews", 0, "reviewer", "member"), "shi-wong")],
        R,
        "E-REF",
        "党员「shi-wong」不存在",
        "member: shi-wong",
        column="shi-wong",
    ),
    "reviewer_member_is_a_unit": Row(
        [put(R, ("reviews", 1, "reviewer", "member"), "shi-dw")], R, "E-REF", "党员「shi-dw」是单位，这里应填党员编号", "member: shi-dw"
    ),
    "appraisal_target_missing": Row(
        [put(A, ("appraisals", 1, "target"), "lian1-sum")], A, "E-REF", "「lian1-sum」的单位或党员", "target: lian1-sum"
    ),
    "commendation_nominee_missing": Row(
        [put(H, ("commendations", 2, "nominee"), "qy1-mao")], H, "E-REF", "找不到编号为「qy1-mao」", "nominee: qy1-mao"
    ),
    "commendation_nominated_by_missing": Row(
        [put(H, ("commendations", 2, "nominated_by"), "qiye-9")], H, "E-REF", "单位「qiye-9」不存在", "nominated_by: qiye-9"
    ),
    "commendation_nominated_by_is_a_member": Row(
        [put(H, ("commendations", 0, "nominated_by"), "lian1-zhao")], H, "E-REF", "单位「lian1-zhao」是党员", "nominated_by: lian1-zhao"
    ),
    "commendation_awarding_unit_is_a_member": Row(
        [add(H, ("commendations", 1), "awarding_unit", "shi-wang")],
        H,
        "E-REF",
        "单位「shi-wang」是党员，这里应填单位编号",
        "awarding_unit: shi-wang",
        also=("E-FILE",),  # and it is not the folder's unit: records_in_their_folder says where it would go
    ),
    "audience_to_missing": Row(
        [add(C, ("commitments", 0), "audience", "特定对象公开"), add(C, ("commitments", 0), "audience_to", ["lian-1", "lian-2"])],
        C,
        "E-REF",
        "找不到编号为「lian-2」的单位或党员（提示：是不是「lian-1」？）",
        "audience_to:",
        column="lian-2",
    ),
    "audience_to_on_a_member": Row(
        [add(LIAN_MEMBERS, ("members", 0), "audience", "特定对象公开"), add(LIAN_MEMBERS, ("members", 0), "audience_to", ["ghost"])],
        LIAN_MEMBERS,
        "E-REF",
        "「ghost」",
        "audience_to:",
    ),
}


@table(REFERENCES)
def test_references_resolve(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- unit_tree

UNIT_TREE = {
    "root_unit_missing": Row(
        [put(SITE, ("root_unit",), "shi-xx")], SITE, "E-TREE", "根单位「shi-xx」不存在（提示：units/shi-xx/unit.yaml）", "root_unit:"
    ),
    "second_root": Row(
        [drop(QIYE, ("parent",))],
        QIYE,
        "E-TREE",
        "单位「qiye-1」没有上级党组织",
        "id: qiye-1",
        also=("E-REF",),  # qiye-1 has left the tree, so shi-dw may no longer commend its member
    ),
    "root_has_a_parent": Row(
        [add(SHI, (), "parent", "lian-1")],
        SHI,
        "E-TREE",
        "根单位不能有上级党组织",
        "parent: lian-1",
        also=("E-TREE", "E-TREE"),  # and shi-dw → lian-1 → shi-dw is a loop, reported by both units on it
    ),
    "cycle_of_two": Row(
        [put(LIAN, ("parent",), "qiye-1"), put(QIYE, ("parent",), "lian-1")],
        LIAN,
        "E-TREE",
        "隶属关系形成循环：lian-1 → qiye-1 → lian-1",
        "parent: qiye-1",
        also=("E-TREE", "E-REF", "E-REF"),  # qiye-1 reports the loop too; shi-dw's commendations now reach outside its tree
    ),
    "cycle_of_one": Row(
        [put(SHEQU, ("parent",), "shequ-1")], SHEQU, "E-TREE", "隶属关系形成循环：shequ-1 → shequ-1", "parent: shequ-1", also=("E-REF",)
    ),
}


@table(UNIT_TREE)
def test_unit_tree(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_unit_below_a_cycle_is_not_called_part_of_it(mini: DataCopy) -> None:
    mini.set(LIAN, ("parent",), "qiye-1")
    mini.set(QIYE, ("parent",), "lian-1")
    mini.set(SHEQU, ("parent",), "lian-1")
    problems = [p for p in mini.problems() if p.code == "E-TREE"]
    assert sorted(p.file for p in problems) == [mini.file(LIAN), mini.file(QIYE)]
    assert all("shequ-1" not in p.message and "→" in p.message for p in problems)


# ---------------------------------------------------------------- records_in_their_folder

FOLDER = {
    "commitment_subject_in_other_unit": Row(
        [put(C, ("commitments", 2, "subject"), "sq1-liu")],
        C,
        "E-FILE",
        "「sq1-liu」不属于单位「lian-1」，这条记录应放在 units/shequ-1/ 下",
        "subject: sq1-liu",
    ),
    "review_target_other_unit": Row(
        [put(R, ("reviews", 1, "target"), "qy1-ma")], R, "E-FILE", "这条记录应放在 units/qiye-1/ 下", "target: qy1-ma"
    ),
    "appraisal_target_other_unit": Row(
        [put(A, ("appraisals", 0, "target"), "shequ-1")], A, "E-FILE", "「shequ-1」不属于单位「lian-1」", "target: shequ-1"
    ),
    "commendation_awarded_by_other_unit": Row(
        [add(H, ("commendations", 0), "awarding_unit", "lian-1")],
        H,
        "E-FILE",
        "表彰由「lian-1」作出，应放在 units/lian-1/ 下",
        "awarding_unit: lian-1",
    ),
    "commendation_nominee_outside_awarding_unit": Row(
        [
            write(
                "units/lian-1/2011/commendations.yaml",
                "commendations:\n  - id: lian1-2011-h01\n    year: 2011\n    title: 优秀共产党员\n"
                "    nominee: sq1-liu\n    nominated_by: shequ-1\n    deeds: 热心服务。\n    status: 推荐\n",
            )
        ],
        "units/lian-1/2011/commendations.yaml",
        "E-REF",
        "推荐对象「sq1-liu」不在表彰单位「lian-1」的管辖范围内",
        "nominee: sq1-liu",
    ),
}


@table(FOLDER)
def test_records_in_their_folder(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- records_in_their_year

YEAR = {
    "commitment_of_2010": Row(
        [put(C, ("commitments", 1, "proposed"), "2010-12-20")],
        C,
        "E-FILE",
        "这条记录属于 2010 年，却放在 2011/ 文件夹里（提示：移到 2010/ 下）",
        "proposed: 2010-12-20",
    ),
    "review_of_2012": Row([put(R, ("reviews", 1, "date"), "2012-01-05")], R, "E-FILE", "属于 2012 年", "date: 2012-01-05"),
    "appraisal_of_2010": Row([put(A, ("appraisals", 1, "date"), "2010-12-25")], A, "E-FILE", "属于 2010 年", "date: 2010-12-25"),
    "commendation_of_2012": Row([put(H, ("commendations", 2, "year"), 2012)], H, "E-FILE", "属于 2012 年", "year: 2012"),
}


@table(YEAR)
def test_records_in_their_year(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- dates_in_order

DATES = {
    "branch_check_before_signed": Row(
        [
            add(C, ("commitments", 1), "signed", {"by": "孙秀英", "date": "2011-04-01"}),
            add(C, ("commitments", 1), "branch_check", {"by": "赵国强", "date": "2011-03-30"}),
        ],
        C,
        "E-DATE",
        "支部审核日期（2011-03-30）早于本人签字日期（2011-04-01）",
        "date: 2011-03-30",
    ),
    "response_before_review": Row(
        [add(R, ("reviews", 0), "response", {"text": "马上改。", "date": "2011-06-01"})],
        R,
        "E-DATE",
        "整改答复日期（2011-06-01）早于点评日期（2011-06-20）",
        "date: 2011-06-01",
    ),
    "publicized_before_proposed": Row(
        [put(C, ("commitments", 0, "publicized", "date"), "2011-02-01")],
        C,
        "E-DATE",
        "公示日期（2011-02-01）早于提出日期（2011-02-20）",
        "date: 2011-02-01",
        column="2011-02-01",
    ),
    "deadline_before_publicized": Row(
        [put(C, ("commitments", 0, "deadline"), "2011-02-25")],
        C,
        "E-DATE",
        "完成时限（2011-02-25）早于公示日期（2011-03-01）",
        "deadline: 2011-02-25",
    ),
    "deadline_before_proposed_unpublicized": Row(
        [put(C, ("commitments", 2, "deadline"), "2011-04-01")],
        C,
        "E-DATE",
        "完成时限（2011-04-01）早于提出日期（2011-04-10）",
        "deadline: 2011-04-01",
    ),
    "progress_before_proposed": Row(
        [put(C, ("commitments", 0, "progress", 0, "date"), "2011-01-10")],
        C,
        "E-DATE",
        "践诺进展日期（2011-01-10）早于提出日期（2011-02-20）",
        "date: 2011-01-10",
    ),
    "outcome_before_proposed": Row(
        [put(C, ("commitments", 1, "outcome", "date"), "2011-03-01")],
        C,
        "E-DATE",
        "完成认定日期（2011-03-01）早于提出日期（2011-04-01）",
        "date: 2011-03-01",
        after="lian1-2011-c02",
    ),
    "remedial_before_proposed": Row(
        [put(C, ("commitments", 2, "remedial", "date"), "2011-04-01")],
        C,
        "E-DATE",
        "补课日期（2011-04-01）早于提出日期",
        "date: 2011-04-01",
    ),
    "review_before_summary": Row(
        [put(R, ("reviews", 0, "summary", "submitted"), "2011-06-25")],
        R,
        "E-DATE",
        "点评日期（2011-06-20）早于总结提交日期（2011-06-25）",
        "date: 2011-06-20",
    ),
    "signature_before_review": Row(
        [put(R, ("reviews", 0, "signature", "date"), "2011-06-19")], R, "E-DATE", "签字日期（2011-06-19）早于点评日期", "date: 2011-06-19"
    ),
    "feedback_before_review": Row(
        [put(R, ("reviews", 0, "feedback", "date"), "2011-06-01")], R, "E-DATE", "反馈日期（2011-06-01）早于点评日期", "date: 2011-06-01"
    ),
    "rectification_deadline_before_review": Row(
        [put(R, ("reviews", 0, "rectifications", 1, "deadline"), "2011-06-01")],
        R,
        "E-DATE",
        "整改时限（2011-06-01）早于点评日期（2011-06-20）",
        "deadline: 2011-06-01",
    ),
    "rectification_done_before_review": Row(
        [put(R, ("reviews", 0, "rectifications", 0, "done"), "2011-06-02")],
        R,
        "E-DATE",
        "整改完成日期（2011-06-02）早于点评日期",
        "done: 2011-06-02",
    ),
    "window_end_equals_start": Row(
        [put(H, ("commendations", 0, "publicity", "end"), "2011-06-20")],
        H,
        "E-DATE",
        "公示结束（2011-06-20）应晚于公示开始（2011-06-20）",
        "end: 2011-06-20",
    ),
    "window_end_before_start": Row(
        [put(H, ("commendations", 0, "publicity", "end"), "2011-06-19")],
        H,
        "E-DATE",
        "公示结束（2011-06-19）应晚于",
        "end: 2011-06-19",
    ),
    "window_end_and_working_days": Row(
        [add(H, ("commendations", 0, "publicity"), "working_days", 5)],
        H,
        "E-VALUE",
        "公示期要写 end（结束日期）或 working_days（工作日数）之一",
        "publicity:",
    ),
    "window_neither_end_nor_working_days": Row(
        [drop(H, ("commendations", 1, "publicity", "working_days"))],
        H,
        "E-VALUE",
        "不能都写或都不写",
        "publicity:",
        after="shi-2011-h02",
    ),
    "objection_before_window": Row(
        [put(H, ("commendations", 0, "objections", 0, "received"), "2011-06-19")],
        H,
        "E-DATE",
        "异议收到日期（2011-06-19）早于公示开始（2011-06-20）",
        "received: 2011-06-19",
    ),
    "annual_commitment_after_march_is_a_warning": Row(
        [put(C, ("commitments", 0, "proposed"), "2011-04-05"), put(C, ("commitments", 0, "publicized", "date"), "2011-04-06")],
        C,
        "E-DATE",
        "年度承诺一般在 1—3 月提出，这条在 4 月",
        "proposed: 2011-04-05",
        severity=Severity.WARNING,
    ),
}


@table(DATES)
def test_dates_in_order(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_equal_dates_are_in_order(mini: DataCopy) -> None:
    mini.set(C, ("commitments", 0, "publicized", "date"), "2011-02-20")
    mini.set(C, ("commitments", 0, "deadline"), "2011-02-20")
    mini.set(C, ("commitments", 0, "progress", 0, "date"), "2011-02-20")
    mini.set(H, ("commendations", 0, "objections", 0, "received"), "2011-06-20")
    mini.set(R, ("reviews", 0, "summary", "submitted"), "2011-06-20")
    assert mini.problems() == []


def test_annual_commitment_in_march_is_fine(mini: DataCopy) -> None:
    mini.set(C, ("commitments", 0, "proposed"), "2011-03-31")
    mini.set(C, ("commitments", 0, "publicized", "date"), "2011-03-31")
    assert mini.problems() == []


# ---------------------------------------------------------------- focus_fits_unit_type

FOCUS = {
    "enterprise_focus_on_farm_unit": Row(
        [put(C, ("commitments", 0, "focus", 1), "技术创新")],
        C,
        "E-FOCUS",
        "「技术创新」不是团场连队的承诺方向；可选：带头致富、带领职工群众共同致富、维护团场连队稳定",
        "focus:",
        column="技术创新",
    ),
    "community_focus_for_farm_member": Row(
        [put(C, ("commitments", 1, "focus", 0), "服务社区群众")],
        C,
        "E-FOCUS",
        "「服务社区群众」不是团场连队的承诺方向",
        "focus: [服务社区群众]",
    ),
    "focus_that_does_not_exist": Row(
        [put(C, ("commitments", 1, "focus", 0), "发家致富")], C, "E-VALUE", "「发家致富」不在允许的取值中", "focus: [发家致富]"
    ),
}


@table(FOCUS)
def test_focus_fits_unit_type(mini: DataCopy, row: Row) -> None:
    check(mini, row)


@pytest.mark.parametrize(("unit", "focus"), [("units/qiye-1", "节能减排"), ("units/shequ-1", "参与社区建设"), ("units/shi-dw", "改进作风")])
def test_focus_allowed_for_each_unit_type(mini: DataCopy, unit: str, focus: str) -> None:
    member = {"units/qiye-1": "qy1-he", "units/shequ-1": "sq1-chen", "units/shi-dw": "shi-li"}[unit]
    mini.write(
        f"{unit}/2011/commitments.yaml",
        f"commitments:\n  - id: x-{member}\n    kind: 即时承诺\n    subject: {member}\n    focus: [{focus}]\n"
        "    title: 一件实事\n    measures: 按计划推进。\n    proposed: 2011-05-01\n    deadline: 2011-06-01\n",
    )
    assert mini.problems() == []


# ---------------------------------------------------------------- fields_fit_subject

SUBJECT = {
    "five_lead_on_unit": Row(
        [add(C, ("commitments", 0), "five_lead", ["带头学习提高"])], C, "E-SUBJECT", "「五带头」是对党员的要求", "five_lead:"
    ),
    "post_duty_on_unit": Row([add(C, ("commitments", 0), "post_duty", True)], C, "E-SUBJECT", "只用于党员个人承诺", "post_duty: true"),
    "volunteer_on_unit": Row([add(C, ("commitments", 0), "volunteer", True)], C, "E-SUBJECT", "结合设岗定责、志愿服务", "volunteer: true"),
    "five_good_on_member": Row(
        [add(C, ("commitments", 1), "five_good", ["工作业绩好"])],
        C,
        "E-SUBJECT",
        "「五个好」是对党组织的要求",
        "five_good:",
        after="lian1-2011-c02",
    ),
    "term_commitment_by_member": Row(
        [put(C, ("commitments", 2, "kind"), "任期承诺")], C, "E-SUBJECT", "任期承诺只由党组织作出", "kind: 任期承诺"
    ),
    "grade_for_unit": Row([add(A, ("appraisals", 0), "grade", "优秀")], A, "E-SUBJECT", "民主评议等次只评党员", "grade: 优秀"),
    "dimensions_for_unit": Row(
        [add(A, ("appraisals", 0), "dimensions", {"party_spirit": {"good": 42, "fair": 0, "average": 0, "poor": 0}})],
        A,
        "E-SUBJECT",
        "分项评议（党性观念、联系服务群众、先锋模范作用）只用于党员",
        "dimensions:",
    ),
    "probationary_member_graded": Row(
        [add(LIAN_MEMBERS, ("members", 1), "probationary", True)],
        A,
        "E-SUBJECT",
        "「孙秀英」是预备党员：预备党员参加民主评议，但不评定等次",
        "grade: 优秀",
    ),
    "five_good_for_member": Row(
        [
            add(
                A,
                ("appraisals", 1),
                "five_good",
                {"leadership": {"satisfied": 15, "fairly_satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0}},
            )
        ],
        A,
        "E-SUBJECT",
        "「五个好」分项评议只用于党组织",
        "five_good:",
    ),
    "organisation_title_for_member": Row(
        [put(H, ("commendations", 1, "nominee"), "sq1-liu")], H, "E-SUBJECT", "「先进基层党组织」的推荐对象应是党组织", "nominee: sq1-liu"
    ),
    "member_title_for_unit": Row(
        [put(H, ("commendations", 0, "nominee"), "lian-1")],
        H,
        "E-SUBJECT",
        "「优秀共产党员」的推荐对象应是党员，不是党组织",
        "nominee: lian-1",
    ),
    "worker_title_for_unit": Row(
        [put(H, ("commendations", 2, "nominee"), "qiye-1")], H, "E-SUBJECT", "「优秀党务工作者」的推荐对象应是党员", "nominee: qiye-1"
    ),
}


@table(SUBJECT)
def test_fields_fit_subject(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- nominee_named_once

NOMINEE = {
    "no_nominee": Row([drop(H, ("commendations", 2, "nominee"))], H, "E-MISSING", "缺少推荐对象", "title: 优秀党务工作者"),
    "both_nominees": Row(
        [add(H, ("commendations", 2), "external", {"name": "马兰", "unit": "兵团某公司"})],
        H,
        "E-VALUE",
        "nominee（编号）和 external（数据以外的推荐对象）只能写一个",
        "external:",
    ),
}


@table(NOMINEE)
def test_nominee_named_once(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_open_titles_external_nominees_and_upward_recommendations_validate(mini: DataCopy) -> None:
    mini.write(
        H,
        mini.text(H)
        + """  - id: shi-2011-h04
    year: 2011
    title: 全国优秀共产党员
    tier: 全国
    external:
      name: 马兰
      unit: 兵团某研究院
      post: 研究员
      gender: 女
      ethnicity: 回族
      born: 1965-04
      joined: 1988-07
    nominated_by: shi-dw
    recommended_to: 中共中央
    deeds: 长期扎根基层。
    status: 推荐
""",
    )
    assert mini.problems() == []


# ---------------------------------------------------------------- photos_usable
# (the photo rule's hostile cases — links, truncated and disguised files — are in test_photos.py)

PHOTOS = {
    "photo_outside_the_data_folder": Row(
        [add(H, ("commendations", 0), "photo", "../../etc/passwd")], H, "E-PHOTO", "照片不能在数据文件夹以外", "photo:"
    ),
    "photo_missing": Row([add(H, ("commendations", 0), "photo", "photos/nobody.jpg")], H, "E-PHOTO", "找不到文件", "photo:"),
}


@table(PHOTOS)
def test_photos_usable(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- forms_filled

FORMS = {
    "empty_opinion": Row(
        [
            sub(
                R,
                "      achievements: 承诺事项推进有力。\n      problems: 党员活动室建设滞后。\n      direction: 加快活动室建设。\n",
                "      sections: []\n",
            )
        ],
        R,
        "E-MISSING",
        "点评意见是空的",
        "opinion:",
    ),
    "heading_twice": Row(
        [
            sub(
                R,
                "      direction: 加快活动室建设。\n",
                "      direction: 加快活动室建设。\n      sections:\n        - heading: 廉洁自律\n          text: 好。\n"
                "        - heading: 廉洁自律\n          text: 较好。\n",
            )
        ],
        R,
        "E-VALUE",
        "栏目「廉洁自律」重复",
        "- heading: 廉洁自律",
        nth=2,
    ),
    "joined_before_eighteen": Row(
        [add(LIAN_MEMBERS, ("members", 1), "born", "1990-05")],
        LIAN_MEMBERS,
        "E-DATE",
        "入党时间（2003年）距出生年月（1990年5月）不满 18 年",
        "joined: 2003",
    ),
}


@table(FORMS)
def test_forms_filled(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_review_with_own_headings_and_response_validates(mini: DataCopy) -> None:
    mini.write(
        R,
        mini.text(R)
        .replace(
            "      direction: 加快活动室建设。\n",
            "      direction: 加快活动室建设。\n      sections:\n        - heading: 廉洁自律\n          text: 严格执行各项规定。\n",
        )
        .replace("    rectifications:\n", "    response:\n      text: 按期建成活动室。\n      date: 2011-06-25\n    rectifications:\n", 1),
    )
    assert mini.problems() == []


# ---------------------------------------------------------------- tallies_add_up

TALLIES = {
    "satisfaction_too_many": Row(
        [put(A, ("appraisals", 0, "satisfaction", "satisfied"), 31)],
        A,
        "E-TALLY",
        "「满意度测评」各档合计 43 票，应为 42 票（参评 42 人：党员 12 + 群众 30）",
        "satisfaction:",
    ),
    "satisfaction_too_few": Row(
        [put(A, ("appraisals", 0, "respondents", "non_members"), 31)], A, "E-TALLY", "各档合计 42 票，应为 43 票", "satisfaction:"
    ),
    "dimension_off": Row(
        [put(A, ("appraisals", 1, "dimensions", "serving_masses", "poor"), 1)],
        A,
        "E-TALLY",
        "「联系服务群众够不够」各档合计 16 票，应为 15 票",
        "serving_masses:",
    ),
    "no_respondents": Row(
        [put(A, ("appraisals", 1, "respondents", "members"), 0), put(A, ("appraisals", 1, "respondents", "non_members"), 0)],
        A,
        "E-TALLY",
        "参评人数为 0",
        "respondents:",
        after="lian1-2011-a02",
    ),
    "abstained_and_invalid_are_not_in_the_tally": Row(
        [add(A, ("appraisals", 0), "abstained", 1), add(A, ("appraisals", 0), "invalid", 2)],
        A,
        "E-TALLY",
        "「满意度测评」各档合计 42 票，应为 39 票（参评 42 人：党员 12 + 群众 30 − 弃权 1 − 无效 2）",
        "satisfaction:",
    ),
    "unknown_counts_in_the_tally": Row(
        [add(A, ("appraisals", 0, "satisfaction"), "unknown", 2)], A, "E-TALLY", "各档合计 44 票，应为 42 票", "satisfaction:"
    ),
    "other_groups_count_as_respondents": Row(
        [add(A, ("appraisals", 0, "respondents"), "groups", [{"name": "服务对象", "count": 3}])],
        A,
        "E-TALLY",
        "各档合计 42 票，应为 45 票（参评 45 人：党员 12 + 群众 30 + 服务对象 3）",
        "satisfaction:",
    ),
    "more_void_than_respondents": Row(
        [add(A, ("appraisals", 0), "invalid", 50)], A, "E-TALLY", "弃权票和无效票合计 50 张，多于参评人数 42 人", "invalid: 50"
    ),
    "percentages_not_100": Row(
        [add(A, ("appraisals", 0), "percent_only", True)], A, "E-TALLY", "「满意度测评」各档百分比合计 42%，应为 100%", "satisfaction:"
    ),
    "fraction_of_a_vote": Row(
        [put(A, ("appraisals", 0, "satisfaction", "satisfied"), 29.5)],
        A,
        "E-VALUE",
        "「满意度测评」的「满意」不是整数票数（提示：原件只有百分比时，写 percent_only: true）",
        "satisfaction:",
    ),
    "five_good_item_off": Row(
        [
            add(
                A,
                ("appraisals", 0),
                "five_good",
                {"leadership": {"satisfied": 40, "fairly_satisfied": 1, "basically_satisfied": 0, "dissatisfied": 0}},
            )
        ],
        A,
        "E-TALLY",
        "「领导班子好」各档合计 41 票，应为 42 票",
        "leadership:",
    ),
    "merged_more_than_collected": Row(
        [add(A, ("appraisals", 0), "opinions", {"collected": 12, "merged": 15})],
        A,
        "E-VALUE",
        "归纳合并后 15 条，多于征集的 12 条",
        "merged: 15",
    ),
    "answered_more_than_merged": Row(
        [add(A, ("appraisals", 0), "opinions", {"collected": 12, "merged": 5, "answered": 6})],
        A,
        "E-VALUE",
        "已答复 6 条，多于意见建议 5 条",
        "answered: 6",
    ),
    "no_result_at_all": Row(
        [drop(A, ("appraisals", 0, "satisfaction")), drop(A, ("appraisals", 0, "summary"))],
        A,
        "E-MISSING",
        "评议没有结果：要有满意度测评、分项评议或民主评议等次之一",
        "respondents:",
    ),
}


def test_real_forms_validate(mini: DataCopy) -> None:
    """Percentages only with 不了解, 弃权/无效票, more groups, opinions counted, 五个好 item by item: all as real forms have them."""
    mini.write(
        A,
        """appraisals:
  - id: lian1-2011-a01
    target: lian-1
    date: 2011-06-25
    method: 问卷调查
    respondents:
      members: 12
      non_members: 30
      groups:
        - name: 服务对象
          count: 8
    percent_only: true
    abstained: 1
    invalid: 2
    satisfaction:
      satisfied: 62.5
      fairly_satisfied: 25.3
      basically_satisfied: 8.1
      dissatisfied: 1.1
      unknown: 3
    five_good:
      leadership:
        satisfied: 70
        fairly_satisfied: 20
        basically_satisfied: 10
        dissatisfied: 0
    opinions:
      collected: 23
      merged: 9
      answered: 9
  - id: lian1-2011-a02
    target: lian1-sun
    date: 2011-06-25
    method: 会议
    respondents:
      members: 10
      non_members: 5
    invalid: 1
    dimensions:
      party_spirit:
        good: 11
        fair: 2
        average: 0
        poor: 0
        unknown: 1
""",
    )
    mini.write(LIAN_MEMBERS, mini.text(LIAN_MEMBERS).replace("    joined: 2003\n", "    joined: 2010-07\n    probationary: true\n"))
    assert mini.problems() == []


@table(TALLIES)
def test_tallies_add_up(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- audience_targets

AUDIENCE = {
    "specific_without_targets": Row(
        [add(C, ("commitments", 1), "audience", "特定对象公开")],
        C,
        "E-AUDIENCE",
        "「特定对象公开」要在 audience_to 里列出公开对象",
        "audience: 特定对象公开",
    ),
    "targets_without_specific": Row(
        [add(R, ("reviews", 1), "audience_to", ["lian-1"])], R, "E-AUDIENCE", "只有「特定对象公开」才列公开对象", "audience_to:"
    ),
    "file_default_specific_points_at_each_record": Row(
        [sub(A, "appraisals:\n", "audience: 特定对象公开\nappraisals:\n")],
        A,
        "E-AUDIENCE",
        "要在 audience_to 里列出公开对象",
        "- id: lian1-2011-a01",
        also=("E-AUDIENCE",),
    ),
}


@table(AUDIENCE)
def test_audience_targets(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_specific_audience_with_targets_is_fine(mini: DataCopy) -> None:
    mini.add(R, ("reviews", 1), "audience", "特定对象公开")
    mini.add(R, ("reviews", 1), "audience_to", ["lian-1", "shi-wang"])
    dataset, problems, _ = mini.load()
    assert problems == [] and dataset is not None
    review = next(r for r in dataset.reviews if r.id == "lian1-2011-r02")
    assert review.audience_to == ["lian-1", "shi-wang"]


# ---------------------------------------------------------------- names_within_audience

ZHOU_PARTY = add(LIAN_MEMBERS, ("members", 2), "audience", "党内公开")  # 周立新 (lian1-zhou): 党内公开
NAMES = {
    "party_member_in_public_measures": Row(
        [ZHOU_PARTY, put(C, ("commitments", 1, "measures"), "由周立新组织党员义务劳动。")],
        C,
        "E-NAME",
        "字段「践诺措施」写了党员「周立新」（lian1-zhou）的姓名，而其公开范围是「党内公开」，社会公众能看到本条记录",
        "measures: 由周立新",
    ),
    "spaced_and_zero_width_in_a_progress_note": Row(
        [ZHOU_PARTY, put(C, ("commitments", 0, "progress", 0, "note"), "周 立\u200b新 完成滴灌设备安装。")],
        C,
        "E-NAME",
        "字段「践诺进展 › 进展情况」写了党员「周立新」",
        "note: ",
        after="lian1-2011-c01",
    ),
    "markdown_emphasis_and_a_character_reference": Row(
        [ZHOU_PARTY, put(C, ("commitments", 1, "evaluation", "leader"), "**&#21608;**立*新*带头作用明显。")],
        C,
        "E-NAME",
        "字段「评诺 › 领导点评」写了党员「周立新」",
        "leader: ",
    ),
    "full_width_latin_name": Row(
        [
            put(LIAN_MEMBERS, ("members", 2, "name"), "Li Ming"),
            ZHOU_PARTY,
            put(C, ("commitments", 1, "progress", 0, "note"), "由ＬＩ ＭＩＮＧ一起维修。"),
        ],
        C,
        "E-NAME",
        "字段「践诺进展 › 进展情况」写了党员「Li Ming」",
        "note: 由",
    ),
    "a_members_own_duties_name_another": Row(
        [ZHOU_PARTY, put(LIAN_MEMBERS, ("members", 1, "duties"), "协助周立新检修农机")],
        LIAN_MEMBERS,
        "E-NAME",
        "字段「岗位职责（设岗定责）」写了党员「周立新」",
        "duties: 协助",
    ),
    "a_member_of_a_party_only_unit_in_public_deeds": Row(
        [add(SHEQU, (), "audience", "党内公开"), put(H, ("commendations", 0, "deeds"), "与刘明一起带头维修农机。")],
        H,
        "E-NAME",
        "而其所在单位「shequ-1」公开范围是「党内公开」",
        "deeds: 与刘明",
    ),
    "a_unit_member_in_a_party_review_opinion": Row(
        [
            add(LIAN_MEMBERS, ("members", 2), "audience", "本单位公开"),
            put(R, ("reviews", 1, "opinion", "problems"), "与周立新配合不够。"),
        ],
        R,
        "E-NAME",
        "全体党员能看到本条记录（党内公开），却不应看到这位党员",
        "problems: 与周立新",
    ),
    "a_unit_board_only_unit_in_a_public_commitment": Row(
        [add(SHEQU, (), "audience", "本单位公开"), put(C, ("commitments", 1, "measures"), "与城区第一社区党支部共建。")],
        C,
        "E-NAME",
        "写了单位「城区第一社区党支部」（shequ-1）的名称，而其公开范围是「本单位公开」，社会公众能看到本条记录",
        "measures: 与城区",
    ),
    "rectification_item_and_objection_handling": Row(
        [ZHOU_PARTY, put(H, ("commendations", 0, "objections", 0, "handling"), "经周立新核实，反映不属实。")],
        H,
        "E-NAME",
        "字段「异议及处理 › 处理情况」写了党员「周立新」",
        "handling: 经周立新",
    ),
    "specific_reader_of_the_record_is_not_a_reader_of_the_member": Row(
        [
            add(LIAN_MEMBERS, ("members", 2), "audience", "特定对象公开"),
            add(LIAN_MEMBERS, ("members", 2), "audience_to", ["shi-dw"]),
            add(C, ("commitments", 1), "audience", "特定对象公开"),
            add(C, ("commitments", 1), "audience_to", ["lian-1"]),
            put(C, ("commitments", 1, "measures"), "由周立新组织。"),
        ],
        C,
        "E-NAME",
        "公开对象「lian-1」能看到本条记录（特定对象公开），却不应看到这位党员",
        "measures: 由周立新",
    ),
}


@table(NAMES)
def test_names_within_audience(mini: DataCopy, row: Row) -> None:
    check(mini, row)


@pytest.mark.parametrize(
    "edits",
    [
        # The record is no wider than the member: its readers may see them.
        pytest.param(
            [ZHOU_PARTY, put(R, ("reviews", 1, "opinion", "problems"), "与周立新配合不够。")], id="party_record_names_party_member"
        ),
        # The same readers on both sides of a 特定对象公开.
        pytest.param(
            [
                add(LIAN_MEMBERS, ("members", 2), "audience", "特定对象公开"),
                add(LIAN_MEMBERS, ("members", 2), "audience_to", ["lian-1"]),
                add(C, ("commitments", 1), "audience", "特定对象公开"),
                add(C, ("commitments", 1), "audience_to", ["lian-1"]),
                put(C, ("commitments", 1, "measures"), "由周立新组织。"),
            ],
            id="same_specific_readers",
        ),
        # A public member of the same name: the name tells the public nothing.
        pytest.param(
            [ZHOU_PARTY, put(SHEQU_MEMBERS, ("members", 1, "name"), "周立新"), put(C, ("commitments", 1, "measures"), "由周立新组织。")],
            id="a_public_member_has_the_same_name",
        ),
        # Part of a public member's longer name, or only the given name: not the member's whole name.
        pytest.param(
            [
                ZHOU_PARTY,
                put(SHEQU_MEMBERS, ("members", 1, "name"), "周立新华"),
                put(C, ("commitments", 1, "measures"), "由周立新华组织。"),
            ],
            id="inside_a_longer_public_name",
        ),
        pytest.param([ZHOU_PARTY, put(C, ("commitments", 1, "measures"), "立新同志组织，周师傅帮忙。")], id="given_name_or_surname_alone"),
        # Names a record carries as such are withheld by the build, not refused (see test_audiences).
        pytest.param(
            [
                ZHOU_PARTY,
                sub(R, "audience: 党内公开", "audience: 向社会公开"),
                put(R, ("reviews", 0, "rectifications", 0, "verified_by"), "周立新"),
            ],
            id="a_verifier_is_withheld_not_refused",
        ),
    ],
)
def test_names_that_tell_a_reader_nothing_new_are_not_refused(mini: DataCopy, edits: list[Edit]) -> None:
    for edit in edits:
        edit(mini)
    dataset, problems, _ = mini.load()
    assert [p.as_text() for p in problems] == [] and dataset is not None


# ---------------------------------------------------------------- statuses_consistent

STATUS = {
    "not_done_without_reason": Row(
        [drop(C, ("commitments", 2, "outcome", "reason"))],
        C,
        "E-STATUS",
        "「未完成」要写明原因（reason）",
        "outcome:",
        after="lian1-2011-c03",
    ),
    "partly_done_without_reason": Row(
        [put(C, ("commitments", 1, "outcome", "result"), "部分完成")],
        C,
        "E-STATUS",
        "「部分完成」要写明原因",
        "outcome:",
        after="lian1-2011-c02",
    ),
    "remedial_after_done_is_a_warning": Row(
        [put(C, ("commitments", 2, "outcome", "result"), "已完成")],
        C,
        "E-STATUS",
        "已完成的承诺不需要补课",
        "remedial:",
        severity=Severity.WARNING,
    ),
    "rectification_done_without_date": Row(
        [drop(R, ("reviews", 0, "rectifications", 0, "done"))], R, "E-STATUS", "整改「已完成」要写完成日期（done）", "status: 已完成"
    ),
    "rectification_date_but_not_done": Row(
        [add(R, ("reviews", 0, "rectifications", 1), "done", raw="2011-07-01")],
        R,
        "E-STATUS",
        "写了完成日期，状态却是「整改中」",
        "done: 2011-07-01",
    ),
    "publicizing_without_window": Row(
        [drop(H, ("commendations", 1, "publicity"))], H, "E-STATUS", "状态「公示中」要先有公示期（publicity）", "status: 公示中"
    ),
    "awarded_without_window": Row(
        [drop(H, ("commendations", 0, "publicity")), drop(H, ("commendations", 0, "objections"))],
        H,
        "E-STATUS",
        "状态「已表彰」要先有公示期",
        "status: 已表彰",
    ),
    "awarded_without_decision": Row(
        [drop(H, ("commendations", 0, "decision"))], H, "E-STATUS", "「已表彰」要写表彰决定文号（decision）", "status: 已表彰"
    ),
    "revoked_without_reason": Row(
        [put(H, ("commendations", 2, "status"), "撤销")],
        H,
        "E-STATUS",
        "「撤销」要写撤销原因（revoked_reason）",
        "status: 撤销",
        also=("E-STATUS",),  # and its date
    ),
    "secretary_from_another_unit_is_a_warning": Row(
        [put(LIAN, ("secretary",), "shi-li")],
        LIAN,
        "E-REF",
        "书记「李文清」（shi-li）不是本单位党员",
        "secretary: shi-li",
        severity=Severity.WARNING,
    ),
}


@table(STATUS)
def test_statuses_consistent(mini: DataCopy, row: Row) -> None:
    check(mini, row)


# ---------------------------------------------------------------- personal identifiers (E-PII)


def id_card(first17: str) -> str:
    """A 身份证号 with its check digit, by ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11): independent of rules.py."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


VALID_ID = id_card("65010219800101123")
WRONG_CHECK_DIGIT = VALID_ID[:17] + str((int(VALID_ID[17]) + 1) % 10 if VALID_ID[17] != "X" else 0)
ID_WITH_X = next(c for c in (id_card(f"65010219800115{n:03d}") for n in range(1000)) if c.endswith("X"))

PII = {
    "id_card_in_text": Row(
        [put(C, ("commitments", 0, "title"), f"全连棉花单产提高（责任人身份证{VALID_ID}）")],
        C,
        "E-PII",
        "字段「title」含有身份证号 650102…",
        "title:",
        column="全连",
    ),
    "id_card_with_x": Row(
        [put(LIAN_MEMBERS, ("members", 1, "duties"), f"证件号码{ID_WITH_X.lower()}")], LIAN_MEMBERS, "E-PII", "身份证号 650102…", "duties:"
    ),
    "id_card_as_bare_number": Row(
        [put(C, ("commitments", 2, "measures"), raw=VALID_ID)] if VALID_ID[-1] != "X" else [],
        C,
        "E-PII",
        "字段「measures」含有身份证号",
        "measures: 6501",
        also=("E-VALUE",),  # and a number is not text
    ),
    "mobile_inside_chinese_text": Row(
        [put(R, ("reviews", 1, "opinion", "direction"), "坚持每周学习，有事打13912345678联系。")],
        R,
        "E-PII",
        "字段「direction」含有手机号 139…",
        "direction:",
        after="lian1-2011-r02",
    ),
    "mobile_with_plus_86": Row(
        [put(A, ("appraisals", 0, "summary"), "群众满意。联系人：+86 13912345678")], A, "E-PII", "手机号 139…", "summary:"
    ),
    "mobile_with_86_and_no_plus": Row([put(A, ("appraisals", 0, "summary"), "联系人8613912345678")], A, "E-PII", "手机号 139…", "summary:"),
    "mobile_with_dashes": Row(
        [put(H, ("commendations", 0, "deeds"), "带头维修农机（电话 139-1234-5678）。")], H, "E-PII", "手机号 139…", "deeds:"
    ),
    "mobile_with_spaces": Row([put(H, ("commendations", 0, "deeds"), "电话 139 1234 5678")], H, "E-PII", "手机号 139…", "deeds:"),
    "mobile_as_bare_yaml_int": Row(
        [put(LIAN_MEMBERS, ("members", 2, "post"), raw="13912345678")],
        LIAN_MEMBERS,
        "E-PII",
        "字段「post」含有手机号 139…",
        "post: 13912345678",
        column="13912345678",
        also=("E-VALUE",),  # and a number is not text
    ),
    "mobile_in_site_title": Row([put(SITE, ("title",), "公开栏 咨询15000000000")], SITE, "E-PII", "字段「title」含有手机号 150…", "title:"),
    "mobile_in_a_multi_line_text": Row(
        [sub(C, "      组织党员示范户与职工结对帮扶。\n", "      组织党员示范户与职工结对帮扶，\n      联系13912345678。\n")],
        C,
        "E-PII",
        "字段「measures」含有手机号",
        "measures: |",
    ),
    "mobile_in_an_unknown_field_is_still_found": Row(
        [add(LIAN_MEMBERS, ("members", 0), "phone", "13912345678")],
        LIAN_MEMBERS,
        "E-PII",
        "字段「phone」含有手机号",
        "phone:",
        also=("E-FIELD",),
    ),
}


@table(PII)
def test_personal_identifiers(mini: DataCopy, row: Row) -> None:
    assert row.edits, "this row needs a 身份证号 without X"
    check(mini, row)


@pytest.mark.parametrize(
    ("rel", "keys", "value"),
    [
        pytest.param(C, ("commitments", 0, "title"), f"编号{WRONG_CHECK_DIGIT}", id="id_card_wrong_check_digit"),
        pytest.param(C, ("commitments", 0, "title"), f"编号{VALID_ID}9", id="nineteen_digits"),
        pytest.param(C, ("commitments", 0, "title"), "联系电话 0999-1234567", id="landline_with_area_code"),
        pytest.param(C, ("commitments", 0, "title"), "电话0991-2345678转8", id="landline_with_extension"),
        pytest.param(C, ("commitments", 0, "title"), "产量 12345678901 公斤", id="eleven_digits_not_mobile_prefix"),
        pytest.param(C, ("commitments", 0, "title"), "编号139123456789", id="twelve_digits"),
        pytest.param(SHI, ("contact", "phone"), "13912345678", id="mobile_in_unit_office_contact"),
        pytest.param(SITE, ("contact", "phone"), "+86 139-1234-5678", id="mobile_in_site_office_contact"),
    ],
)
def test_not_personal_identifiers(mini: DataCopy, rel: str, keys: tuple[str | int, ...], value: str) -> None:
    mini.set(rel, keys, value)
    assert [p.as_text() for p in mini.problems()] == []


def test_id_card_check_digit_matches_independent_computation() -> None:
    assert is_id_card(VALID_ID) and is_id_card(ID_WITH_X) and is_id_card(ID_WITH_X.lower())
    assert not is_id_card(WRONG_CHECK_DIGIT)
    assert find_pii(f"甲{WRONG_CHECK_DIGIT}乙") == []
    assert find_pii(f"甲{VALID_ID}乙13812345678丙") == ["身份证号 650102…", "手机号 138…"]


# ---------------------------------------------------------------- field errors (pydantic → problems)

FIELDS = {
    "unknown_field_spelling_suggestion": Row(
        [add(C, ("commitments", 2), "responsibel", "lian1-zhou")],
        C,
        "E-FIELD",
        "未知字段「responsibel」（提示：是不是「responsible」（责任人（党员编号））？）",
        "responsibel:",
        column="responsibel",
    ),
    "unknown_field_lists_fields": Row(
        [add(LIAN_MEMBERS, ("members", 0), "xyz", "1")],
        LIAN_MEMBERS,
        "E-FIELD",
        "未知字段「xyz」（提示：这里可用的字段有 id、audience",
        "xyz:",
    ),
    "chinese_key_for_english": Row(
        [add(C, ("commitments", 2), "承诺事项", "整理活动室")],
        C,
        "E-FIELD",
        "字段名用英文，「承诺事项」应写作「title」",
        "承诺事项:",
    ),
    "chinese_key_in_nested_mapping": Row(
        [add(R, ("reviews", 0, "reviewer"), "职务", "书记")], R, "E-FIELD", "「职务」应写作「title」", "职务:"
    ),
    "chinese_key_in_site": Row([add(SITE, (), "站点名称", "公开栏")], SITE, "E-FIELD", "「站点名称」应写作「title」", "站点名称:"),
    "missing_required_field": Row(
        [drop(C, ("commitments", 2, "deadline"))],
        C,
        "E-MISSING",
        "缺少必填字段「deadline」（完成时限）",
        "- id: lian1-2011-c03",
        column="id:",
    ),
    "missing_required_nested_field": Row(
        [drop(R, ("reviews", 1, "reviewer", "title"))],
        R,
        "E-MISSING",
        "缺少必填字段「title」（职务）",
        "reviewer:",
        after="lian1-2011-r02",
    ),
    "missing_required_unit_field": Row([drop(QIYE, ("type",))], QIYE, "E-MISSING", "缺少必填字段「type」（单位类型）", "id: qiye-1"),
    "wrong_enum_value": Row(
        [put(C, ("commitments", 0, "kind"), "年度计划")],
        C,
        "E-VALUE",
        "「kind」（承诺类别）的值「年度计划」不在允许的取值中：年度承诺、即时承诺、任期承诺",
        "kind: 年度计划",
    ),
    "wrong_literal_value": Row(
        [put(C, ("commitments", 0, "publicized", "how"), "黑板报")],
        C,
        "E-VALUE",
        "「how」（公示方式）的值「黑板报」不在允许的取值中：党员大会、党小组会、公开栏、局域网",
        "how:",
    ),
    "site_address_without_scheme": Row(
        [add(SITE, (), "url", "dangwu.example.org/cxzy")],
        SITE,
        "E-VALUE",
        "「url」（网站地址）的值「dangwu.example.org/cxzy」格式不对（提示：公开栏发布后的完整网址，如 https://dangwu.example.org/cxzy/",
        "url:",
    ),
    "wrong_unit_type": Row(
        [put(QIYE, ("type",), "国企")],
        QIYE,
        "E-VALUE",
        "不在允许的取值中：团场连队、社区、企业、机关、事业单位、窗口单位·服务行业",
        "type:",
    ),
    "bad_date": Row(
        [put(C, ("commitments", 0, "deadline"), "年底")],
        C,
        "E-VALUE",
        "「deadline」（完成时限）的值「年底」不是有效日期（提示：写成 2011-03-15 这样的格式）",
        "deadline:",
        column="年底",
    ),
    "date_in_chinese_format": Row(
        [put(R, ("reviews", 1, "date"), raw="2011年6月21日")], R, "E-VALUE", "「2011年6月21日」不是有效日期", "date: 2011年6月21日"
    ),
    "text_as_bare_number": Row(
        [put(QIYE, ("name",), raw="12345")],
        QIYE,
        "E-VALUE",
        "「name」（名称）的值「12345」应为文字（提示：纯数字或日期当作文字时请加引号）",
        "name: 12345",
    ),
    "text_as_bare_date": Row([put(C, ("commitments", 2, "title"), raw="2011-05-31")], C, "E-VALUE", "应为文字", "title: 2011-05-31"),
    "empty_text": Row([put(QIYE, ("name",), raw='""')], QIYE, "E-VALUE", "「name」（名称）不能为空", "name:"),
    "number_as_text": Row(
        [put(A, ("appraisals", 0, "respondents", "members"), "十二")],
        A,
        "E-VALUE",
        "「members」（党员人数）的值「十二」应为整数",
        "members:",
    ),
    "negative_count": Row([put(A, ("appraisals", 0, "respondents", "members"), -1)], A, "E-VALUE", "应不小于 0", "members: -1"),
    "bool_as_text": Row([put(C, ("commitments", 1, "post_duty"), "是的")], C, "E-VALUE", "应为 true（是）或 false（否）", "post_duty:"),
    "list_expected": Row(
        [put(C, ("commitments", 0, "focus"), raw="带头致富")], C, "E-VALUE", "「focus」（承诺方向）应为列表", "focus: 带头致富"
    ),
    "mapping_expected": Row(
        [sub(C, "    publicized:\n      date: 2011-03-01\n      how: 公开栏\n", "    publicized: 2011-03-01\n")],
        C,
        "E-VALUE",
        "「publicized」（公示）应为「字段: 值」的映射",
        "publicized: 2011-03-01",
    ),
    "id_with_chinese": Row([put(C, ("commitments", 0, "id"), "承诺一")], C, "E-ID", "「id」（编号）「承诺一」不能作编号", "id: 承诺一"),
    "id_path_trick_dotdot": Row(
        [put(C, ("commitments", 1, "id"), "../x")], C, "E-ID", "「../x」不能作编号：只用英文字母、数字、- 和 _", "id: ../x"
    ),
    "id_path_trick_slash": Row([put(R, ("reviews", 1, "id"), "a/b")], R, "E-ID", "「a/b」不能作编号", "id: a/b"),
    "id_leading_dot": Row([put(A, ("appraisals", 1, "id"), ".hidden")], A, "E-ID", "「.hidden」不能作编号", "id: .hidden"),
    "id_too_long": Row([put(H, ("commendations", 2, "id"), "h" * 65)], H, "E-ID", "最长 64 个字符", "id: hhh"),
    "reference_path_trick": Row([put(C, ("commitments", 2, "subject"), "../lian-1")], C, "E-ID", "「subject」", "subject: ../lian-1"),
    "rectification_id_bad": Row(
        [put(R, ("reviews", 0, "rectifications", 0, "id"), "整改 1")], R, "E-ID", "「整改 1」不能作编号", "- id: 整改 1"
    ),
    "audience_value_wrong": Row(
        [sub(C, "audience: 向社会公开\n", "audience: 全体公开\n")],
        C,
        "E-VALUE",
        "「全体公开」不在允许的取值中：向社会公开、党内公开、本单位公开、特定对象公开",
        "audience:",
    ),
}


@table(FIELDS)
def test_field_errors(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_field_errors_in_one_file_are_all_reported(mini: DataCopy) -> None:
    mini.set(C, ("commitments", 0, "kind"), "年度计划")
    mini.set(C, ("commitments", 1, "deadline"), "年底")
    mini.add(C, ("commitments", 2), "responsibel", "lian1-zhou")
    problems = mini.problems()
    assert [(p.line, p.code) for p in problems] == [
        (mini.line_of(C, "kind: 年度计划"), "E-VALUE"),
        (mini.line_of(C, "deadline: 年底"), "E-VALUE"),
        (mini.line_of(C, "responsibel:"), "E-FIELD"),
    ]


# ---------------------------------------------------------------- 评选表彰: procedure, nominees, quotas

PROCEDURE = {
    "window_shorter_than_the_site_requires_by_its_end": Row(
        [put(H, ("commendations", 0, "publicity", "end"), raw="2011-06-22")],
        H,
        "E-PROCEDURE",
        "公示期（2011-06-20 至 2011-06-22）只有 3 个工作日，本站规定至少 5 个工作日",
        "end: 2011-06-22",
    ),
    "window_shorter_than_the_site_requires_in_working_days": Row(
        [put(H, ("commendations", 1, "publicity", "working_days"), 2)],
        H,
        "E-PROCEDURE",
        "只有 2 个工作日，本站规定至少 5 个工作日",
        "working_days: 2",
    ),
    "a_one_day_window_over_a_weekend_counts_its_working_days": Row(
        # Friday to Sunday: three days, one of them a working day.
        [
            put(H, ("commendations", 0, "publicity", "start"), raw="2011-06-24"),
            put(H, ("commendations", 0, "objections", 0, "received"), raw="2011-06-24"),
        ],
        H,
        "E-PROCEDURE",
        "公示期（2011-06-24 至 2011-06-26）只有 1 个工作日",
        "end: 2011-06-26",
    ),
    "awarded_before_the_window_ends": Row(
        [put(H, ("commendations", 0, "decided"), raw="2011-06-25")],
        H,
        "E-PROCEDURE",
        "表彰决定日期（2011-06-25）早于公示结束（2011-06-26）：公示期满、异议处理完毕后才能表彰",
        "decided: 2011-06-25",
    ),
    "awarded_with_an_objection_not_settled": Row(
        [drop(H, ("commendations", 0, "objections", 0, "resolved_on")), put(H, ("commendations", 0, "objections", 0, "resolved"), False)],
        H,
        "E-PROCEDURE",
        "2011-06-22 收到的异议还没有办结，不能表彰",
        "received: 2011-06-22",
    ),
    "objection_settled_after_the_decision": Row(
        [put(H, ("commendations", 0, "objections", 0, "resolved_on"), raw="2011-06-28")],
        H,
        "E-PROCEDURE",
        "异议在表彰决定（2011-06-27）之后才办结（2011-06-28）",
        "resolved_on: 2011-06-28",
    ),
    "awarded_without_a_decision_date": Row(
        [drop(H, ("commendations", 0, "decided"))], H, "E-PROCEDURE", "「已表彰」要写表彰决定日期（decided）", "status: 已表彰"
    ),
    "a_decision_on_a_nomination_not_awarded": Row(
        [add(H, ("commendations", 1), "decision", "师党发〔2011〕21号")],
        H,
        "E-STATUS",
        "还没有表彰（状态「公示中」），不能写表彰决定（decision）",
        "decision: 师党发〔2011〕21号",
    ),
    "revoked_without_a_date": Row(
        [put(H, ("commendations", 2, "status"), "撤销"), add(H, ("commendations", 2), "revoked_reason", "调离。")],
        H,
        "E-STATUS",
        "「撤销」要写撤销日期（revoked_on）",
        "status: 撤销",
    ),
    "objection_settled_before_it_came_in": Row(
        [put(H, ("commendations", 0, "objections", 0, "resolved_on"), raw="2011-06-21")],
        H,
        "E-DATE",
        "异议办结日期（2011-06-21）早于收到日期（2011-06-22）",
        "resolved_on: 2011-06-21",
    ),
    "settled_date_on_an_open_objection": Row(
        [put(H, ("commendations", 1, "status"), "公示中"), put(H, ("commendations", 0, "objections", 0, "resolved"), False)],
        H,
        "E-STATUS",
        "写了办结日期（resolved_on），「是否办结」却是 false",
        "resolved: false",
        also=("E-PROCEDURE",),  # and, being 已表彰, an objection not settled
    ),
}


@table(PROCEDURE)
def test_commendation_procedure(mini: DataCopy, row: Row) -> None:
    check(mini, row)


NOMINEE = {
    "graded_unqualified_that_year": Row(
        [put(A, ("appraisals", 1, "grade"), "不合格")],
        H,
        "E-NOMINEE",
        "孙秀英 2011 年民主评议等次为「不合格」",
        "nominee: lian1-sun",
    ),
    "graded_basic_is_a_warning_when_the_site_says_so": Row(
        [
            put(A, ("appraisals", 1, "grade"), "基本合格"),
            sub(SITE, "default_audience:", "commendation: {nominee_checks: warning}\ndefault_audience:"),
        ],
        H,
        "E-NOMINEE",
        "孙秀英 2011 年民主评议等次为「基本合格」",
        "nominee: lian1-sun",
        severity=Severity.WARNING,
    ),
    "an_overdue_commitment": Row(
        [drop(C, ("commitments", 1, "outcome"))],
        H,
        "E-NOMINEE",
        "孙秀英 有逾期未完成的承诺 1 项：「春播期间为五户职工义务维修农机」（时限 2011-05-15）",
        "nominee: lian1-sun",
    ),
    "the_units_satisfaction_below_the_threshold": Row(
        [sub(SITE, "default_audience:", "commendation: {min_satisfaction: 98}\ndefault_audience:")],
        H,
        "E-NOMINEE",
        "一团一连党支部 2011-06-25 群众满意率 97.6%，低于本站规定的 98%",
        "nominee: lian1-sun",
    ),
}


@table(NOMINEE)
def test_nominees_qualify(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_a_revoked_nomination_is_not_judged(mini: DataCopy) -> None:
    """A nomination taken back is no longer a nominee: its grade does not make a problem."""
    put(A, ("appraisals", 1, "grade"), "不合格")(mini)
    put(H, ("commendations", 0, "status"), "撤销")(mini)
    mini.replace(
        H, "    decided: 2011-06-27\n    decision: 师党发〔2011〕20号\n", "    revoked_on: 2011-06-27\n    revoked_reason: 评议不合格。\n"
    )
    _, problems, _ = mini.load()
    assert problems == []


QUOTA = {
    "more_than_the_share_of_members": Row(
        [
            put(H, ("commendations", 2, "title"), "优秀共产党员"),
            sub(SITE, "default_audience:", "commendation: {quotas: {优秀共产党员: {share: 5}}}\ndefault_audience:"),
        ],
        H,
        "E-QUOTA",
        "第九师党委 2011 年推荐「优秀共产党员」2 个，超出名额：最多 1 个（9 名党员的 5%）",
        "title: 优秀共产党员",
        nth=2,
    ),
    "more_than_the_number": Row(
        [sub(SITE, "default_audience:", "commendation: {quotas: {先进基层党组织: {max: 0}}}\ndefault_audience:")],
        H,
        "E-QUOTA",
        "推荐「先进基层党组织」1 个，超出名额：最多 0 个",
        "title: 先进基层党组织",
    ),
}


@table(QUOTA)
def test_quotas_respected(mini: DataCopy, row: Row) -> None:
    check(mini, row)


def test_quotas_within_the_share_pass(mini: DataCopy) -> None:
    # 3 units under the 师: 30 % of them rounds up to one 先进基层党组织.
    sub(SITE, "default_audience:", "commendation: {quotas: {先进基层党组织: {share: 30}, 优秀共产党员: {share: 5}}}\ndefault_audience:")(
        mini
    )
    _, problems, _ = mini.load()
    assert problems == []


def test_every_rule_has_a_table() -> None:
    """A new rule in rules.py needs its table here."""
    tested = {
        "ids_unique": IDS_UNIQUE,
        "references_resolve": REFERENCES,
        "unit_tree": UNIT_TREE,
        "records_in_their_folder": FOLDER,
        "records_in_their_year": YEAR,
        "dates_in_order": DATES,
        "focus_fits_unit_type": FOCUS,
        "fields_fit_subject": SUBJECT,
        "tallies_add_up": TALLIES,
        "nominee_named_once": NOMINEE,
        "photos_usable": PHOTOS,
        "forms_filled": FORMS,
        "audience_targets": AUDIENCE,
        "names_within_audience": NAMES,
        "statuses_consistent": STATUS,
        "commendation_procedure": PROCEDURE,
        "nominees_qualify": NOMINEE,
        "quotas_respected": QUOTA,
    }
    assert sorted(r.__name__ for r in RULES) == sorted(tested)
    assert all(tested.values())
