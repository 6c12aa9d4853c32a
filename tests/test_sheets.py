"""Spreadsheets in and out (cxzy import, export, template): files written by openpyxl as a real user's would be,
every bad cell reported with its sheet, row and column, the round trip byte for byte, CSV in three encodings."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import get_origin

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DataCopy
from openpyxl.utils import get_column_letter
from pydantic import BaseModel
from sitekit import DEMO

from cxzy_gen.cli import main
from cxzy_gen.records import models
from cxzy_gen.sheets import cells
from cxzy_gen.sheets.columns import KINDS, unwrap
from cxzy_gen.sheets.export import FIT_ONE_PAGE, PER_PAGE, export_sheet, template_sheet, write_csv, write_xlsx
from cxzy_gen.sheets.importer import ImportError_, Mapping, import_sheet
from cxzy_gen.sheets.table import normalise

MEMBERS = "units/lian-1/members.yaml"
C = "units/lian-1/2011/commitments.yaml"


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def snapshot(data: Path) -> dict[str, bytes]:
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*.yaml"))}


def workbook(path: Path, rows: list[list[object]], *, title: str | None = None, merge: list[str] = ()) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "党员名单"
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    for cells_ in merge:
        ws.merge_cells(cells_)
    book.save(path)
    return path


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "typed", ["2011/3/5", "2011-03-05", "2011年3月5日", "2011.3.5", "2011. 3. 5", 40607, 40607.0, "40607", dt.datetime(2011, 3, 5)]
)
def test_dates_as_people_type_them(typed: object) -> None:
    assert cells.date(typed) == dt.date(2011, 3, 5)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2011/2/30", "「2011/2/30」不是存在的日期"), ("三月五日", "「三月五日」不是日期（提示：写成 2011-03-05"), ("是", "「是」不是日期")],
)
def test_impossible_dates_are_named(typed: object, message: str) -> None:
    with pytest.raises(cells.CellError, match=message):
        cells.date(typed)


@pytest.mark.parametrize(
    ("typed", "year_alone", "expected"),
    [("1975-03", False, "1975-03"), ("1975.3", False, "1975-03"), (1975.1, False, "1975-10"), ("1975年3月", False, "1975-03"),
     (dt.datetime(1975, 3, 1), False, "1975-03"), ("1998", True, "1998"), (1998, True, "1998"), ("1998.07", True, "1998-07")],
)  # fmt: skip
def test_year_and_month(typed: object, year_alone: bool, expected: str) -> None:
    assert cells.year_month(typed, year_alone=year_alone) == expected


# ---------------------------------------------------------------- import


def test_import_members_from_a_real_looking_workbook(mini: DataCopy, tmp_path: Path) -> None:
    """A title row above the header, 序号, headers as offices write them (职务, 入党年月, 是否预备党员), dates four ways."""
    before = mini.text(MEMBERS).replace("members:\n", "# 一连党员名单（2011 年 3 月核对）\nmembers:\n")
    mini.write(MEMBERS, before)
    book = workbook(
        tmp_path / "名单.xlsx",
        [
            ["序号", "姓名", "性别", "民族", "出生年月", "职务", "入党年月", "是否预备党员"],
            [1, "孙秀英", "女", "汉族", "1979.05", "农机手、机务副队长", "2003年7月", "否"],
            [2, "李新华", "男", "回族", dt.datetime(1990, 10, 1), "职工", "2011.7", "是"],
            [3, "周立新", "男", "汉族", "1981-02", "植保员", 2006, None],
        ],
        title="一团一连党员名单",
        merge=["A1:H1"],
    )
    result = import_sheet(book, "members", "lian-1", mini.root)
    assert result.ok, result.problems
    assert (result.added, result.updated) == (1, 2)
    text = mini.text(MEMBERS)
    assert text.startswith(
        "# 一连党员名单（2011 年 3 月核对）\nmembers:\n  - id: lian1-zhao\n    name: 赵国强\n"
    )  # comment, untouched record
    assert "    name: 孙秀英\n    gender: 女\n    ethnicity: 汉族\n    born: 1979-05\n    post: 农机手、机务副队长\n" in text
    assert (
        "  - id: lian1-m01\n    name: 李新华\n    gender: 男\n    ethnicity: 回族\n    born: 1990-10\n    post: 职工\n    joined: 2011-07\n    probationary: true\n"
        in text
    )
    assert "    joined: 2006\n" in text and "probationary: false" not in text
    assert mini.problems() == []
    # The same sheet again: the same ids, nothing new, not a byte changed.
    again = import_sheet(book, "members", "lian-1", mini.root)
    assert (again.added, again.updated, again.written) == (0, 0, [])
    assert mini.text(MEMBERS) == text


def test_every_bad_row_is_reported_with_sheet_row_and_column_and_nothing_is_written(mini: DataCopy, tmp_path: Path) -> None:
    before = snapshot(mini.root)
    book = workbook(
        tmp_path / "承诺.xlsx",
        [
            ["承诺类别", "承诺主体", "承诺事项", "践诺措施", "提出日期", "完成时限", "公示方式"],
            # Due after 孙秀英's 七一 award (2011-06-27): an open commitment due before it would make her nomination E-NOMINEE.
            ["即时承诺", "孙秀英", "修好三台播种机", "利用休息时间检修", "2011-04-02", "2011/7/30", None],
            ["即时承诺", "孙秀英", "帮五户职工春灌", None, "2011年4月3日", "2011.3.1", None],
            ["临时承诺", "钱多多", "整理党员活动室", None, "四月", "2011-05-01", "黑板"],
        ],
    )
    result = import_sheet(book, "commitments", "lian-1", mini.root)
    shown = [(p.line, p.column, p.code, p.message) for p in result.problems]
    assert not result.ok and result.written == []
    assert (
        4,
        1,
        "E-SHEET",
        "工作表「党员名单」第 4 行 A 列「承诺类别」：「临时承诺」不在可选的取值中：年度承诺、即时承诺、任期承诺",
    ) in shown
    assert (
        4,
        2,
        "E-REF",
        "工作表「党员名单」第 4 行 B 列「承诺主体」：找不到名为「钱多多」的党员或党组织（提示：填编号，或检查姓名）",
    ) in shown
    assert (
        4,
        5,
        "E-SHEET",
        "工作表「党员名单」第 4 行 E 列「提出日期」：「四月」不是日期（提示：写成 2011-03-05、2011/3/5、2011.3.5 或 2011年3月5日）",
    ) in shown
    assert (
        4,
        7,
        "E-SHEET",
        "工作表「党员名单」第 4 行 G 列「公示方式」：「黑板」不在可选的取值中：党员大会、党小组会、公开栏、局域网",
    ) in shown
    assert result.rejected == 1
    assert snapshot(mini.root) == before
    # Row 4 fixed: now the data rules run, and row 3's deadline before its proposal is pointed at its cell.
    fixed = workbook(tmp_path / "承诺2.xlsx", [[c.value for c in r] for r in openpyxl.load_workbook(book).active.iter_rows()][:3])
    result = import_sheet(fixed, "commitments", "lian-1", mini.root)
    assert [(p.line, p.column, p.code) for p in result.problems if p.is_error] == [(3, 6, "E-DATE")]
    (p,) = [p for p in result.problems if p.is_error]
    assert p.message.startswith("工作表「党员名单」第 3 行 F 列「完成时限」：完成时限（2011-03-01）早于提出日期（2011-04-03）")
    assert snapshot(mini.root) == before
    # --partial: the good row goes in, the bad one is reported.
    partial = import_sheet(fixed, "commitments", "lian-1", mini.root, partial=True)
    assert partial.added == 1 and partial.rejected == 1 and not partial.ok
    assert "修好三台播种机" in mini.text(C) and "帮五户职工春灌" not in mini.text(C)
    assert mini.problems() == []


def test_cli_import_exit_codes_and_no_traceback(mini: DataCopy, tmp_path: Path) -> None:
    old = tmp_path / "旧表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    code, out = cli("import", str(old), "--kind", "members", "--unit", "lian-1")
    assert code == 1 and "另存为" in out and "Traceback" not in out
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, out = cli("import", str(broken), "--kind", "members", "--unit", "lian-1")
    assert code == 1 and "打不开" in out
    code, out = cli("import", str(old), "--kind", "members", "--unit", "no-such-unit")
    assert code == 1 and "找不到单位「no-such-unit」" in out
    good = workbook(tmp_path / "ok.xlsx", [["姓名", "性别"], ["孙秀英", "女"]])
    code, out = cli("import", str(good), "--kind", "members", "--unit", "lian-1")
    assert code == 0 and "更新 1 条" in out


def test_cli_partial_writes_the_good_rows_and_still_fails(mini: DataCopy, tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "承诺.xlsx",
        [
            ["承诺类别", "承诺主体", "承诺事项", "提出日期", "完成时限"],
            ["即时承诺", "孙秀英", "修好三台播种机", "2011-04-02", "2011/7/30"],  # due after her award: no E-NOMINEE
            ["即时承诺", "孙秀英", "帮五户职工春灌", "2011年4月3日", "2011.3.1"],
        ],
    )
    code, out = cli("import", str(book), "--kind", "commitments", "--unit", "lian-1")
    assert code == 1 and "有 1 行有问题，全部未导入" in out and "修好三台播种机" not in mini.text(C)
    code, out = cli("import", str(book), "--kind", "commitments", "--unit", "lian-1", "--partial")
    assert code == 1 and "新增 1 条" in out and "有问题的 1 行没有导入" in out
    assert "工作表「党员名单」第 3 行 E 列「完成时限」" in out
    assert "修好三台播种机" in mini.text(C) and "帮五户职工春灌" not in mini.text(C)


def test_cli_csv_export_says_what_it_leaves_out(mini: DataCopy, tmp_path: Path) -> None:
    code, out = cli("export", "--kind", "commitments", "--unit", "lian-1", "--format", "csv", "--out", str(tmp_path / "c.csv"))
    assert code == 0 and "CSV 只有主表，践诺进展 2 条没有导出（提示：要这些明细，用 --format xlsx）" in out
    code, out = cli("export", "--kind", "commitments", "--unit", "lian-1", "--out", str(tmp_path / "c.xlsx"))
    assert code == 0 and "CSV" not in out


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_the_encodings_offices_save(mini: DataCopy, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes("姓名,性别,民族,出生年月,岗位\r\n孙秀英,女,汉族,1979/5,农机手\r\n".encode(encoding))
    result = import_sheet(path, "members", "lian-1", mini.root)
    assert result.ok and result.updated == 1
    assert "    gender: 女\n    ethnicity: 汉族\n    born: 1979-05\n" in mini.text(MEMBERS)


def test_a_mapping_file_for_odd_headers(mini: DataCopy, tmp_path: Path) -> None:
    book = workbook(tmp_path / "m.xlsx", [["党员", "现在的岗位", "联系电话"], ["孙秀英", "机务副队长", "（不导入）"]])
    result = import_sheet(book, "members", "lian-1", mini.root, mapping=Mapping({"党员": "姓名", "现在的岗位": "岗位", "联系电话": "忽略"}))
    assert result.ok and result.updated == 1 and "post: 机务副队长" in mini.text(MEMBERS)
    assert "联系电话" not in mini.text(MEMBERS)


def test_unknown_columns_are_warned_not_imported(mini: DataCopy, tmp_path: Path) -> None:
    book = workbook(tmp_path / "m.xlsx", [["姓名", "岗位", "备注"], ["孙秀英", "机务副队长", "随便写写"]])
    result = import_sheet(book, "members", "lian-1", mini.root)
    assert result.ok
    (warning,) = result.problems
    assert (warning.line, warning.column, warning.code, warning.is_error) == (1, 3, "E-SHEET", False)
    assert "C 列「备注」：不认识这一列，没有导入" in warning.message


# Fields with no column of their own, and where they go instead.
NO_COLUMN = {
    ("reviews", "opinion.sections"): "the form's own headings: a column each (点评栏目·工作思路 …)",
    ("appraisals", "grade_votes.unknown"): "a 民主评议 grade ballot has no 不了解",
    ("commendations", "external.name"): "the 推荐对象 column, with 所在单位 for a nominee from outside the data",
}


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, info in model.model_fields.items():
        sub = models.model_in(info.annotation)
        if sub is not None and get_origin(unwrap(info.annotation)) is not list:
            yield from _leaves(sub, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_field_of_a_record_can_be_filled_in_a_sheet(kind: str) -> None:
    """A party-affairs worker never needs YAML for a field: each is a column, a list sheet, or named in NO_COLUMN."""
    k = KINDS[kind]
    have = {c.path for c in k.columns} | {ls.path for ls in k.lists}
    missing = [".".join(p) for p in _leaves(k.model) if p not in have and (kind, ".".join(p)) not in NO_COLUMN]
    assert missing == []
    owners: dict[str, set[tuple[str, ...]]] = {}
    for c in k.columns:
        for h in (c.header, *c.aliases):
            owners.setdefault(normalise(h), set()).add(c.path)
    assert [h for h, paths in owners.items() if len(paths) > 1] == [], "a header or alias of two columns"
    for ls in k.lists:
        assert {c.path[0] for c in ls.columns} == set(models.model_in(k.model.model_fields[ls.path[0]].annotation).model_fields)  # type: ignore[union-attr]


# ---------------------------------------------------------------- export and the round trip


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    return Path(shutil.copytree(DEMO, tmp_path / "data"))


ROUND_TRIP = [
    ("members", "hongliu-lian-1"),
    ("commitments", "hongliu-lian-1"),
    ("reviews", "hongliu-lian-1"),
    ("reviews", "shi-yiyuan"),  # the hospital's own 点评意见表 headings and the members' answers
    ("appraisals", "hongliu-lian-1"),
    ("appraisals", "baiyang-gongdian"),  # percentages only, another respondent group
    ("appraisals", "shi"),  # 五个好 item by item, opinions counted
    ("commendations", "shi"),
    ("commendations", "tuan-hongliu"),  # a nominee from outside the data
]


@pytest.mark.parametrize(("kind", "unit"), ROUND_TRIP)
def test_importing_an_unchanged_export_changes_no_byte(demo: Path, tmp_path: Path, kind: str, unit: str) -> None:
    before = snapshot(demo)
    sheet = export_sheet(kind, demo, unit)
    assert sheet.rows
    for fmt, writer in (("xlsx", write_xlsx), ("csv", write_csv)):
        out = tmp_path / f"{kind}.{fmt}"
        writer(sheet, out)
        result = import_sheet(out, kind, unit, demo)
        assert result.ok, [p.as_text() for p in result.problems]
        assert (result.added, result.updated, result.written) == (0, 0, []), fmt
        assert result.unchanged == len(sheet.rows)
    # A GBK re-save of the CSV (as Excel on a Chinese Windows does) imports the same.
    gbk = tmp_path / f"{kind}-gbk.csv"
    gbk.write_bytes((tmp_path / f"{kind}.csv").read_bytes().decode("utf-8-sig").encode("gbk"))
    result = import_sheet(gbk, kind, unit, demo)
    assert result.ok and result.written == []
    assert snapshot(demo) == before


def fields_out(names: tuple[str, ...]) -> re.Pattern[str]:
    """A record's top-level fields (a line, or a block below it) in a data file."""
    return re.compile(rf"\n    ({'|'.join(names)}):(?: .*)?\n(?:      .*\n)*")


AMENDMENT = "    amendments:\n      - date: 2011-07-02\n        note: 完成时限原写错，经支部大会同意更正。\n"


@pytest.mark.parametrize(
    ("kind", "unit", "lists"),
    [
        ("commitments", "hongliu-lian-1", ("progress", "amendments")),
        ("reviews", "hongliu-lian-1", ("rectifications",)),
        ("reviews", "shi-yiyuan", ("rectifications",)),
        ("commendations", "shi", ("objections", "nominated")),
        ("commendations", "tuan-baiyang", ("objections",)),  # an objection with `resolved: false` written out
        ("commitments", "jiguan-1", ("remedial", "evaluation")),  # fields that had no column before
    ],
)
def test_lists_and_fields_come_back_from_the_sheets_byte_for_byte(
    demo: Path, tmp_path: Path, kind: str, unit: str, lists: tuple[str, ...]
) -> None:
    """Export, take the lists (and some fields) out of the unit's files, import the export: back, byte for byte."""
    files = sorted((demo / "units" / unit).glob(f"2011/{kind}.yaml"))
    if "amendments" in lists:  # the demo data has no correction yet: one, as an office would add it
        text = files[0].read_text(encoding="utf-8")
        first = re.search(r"  - id: \S+\n", text)
        assert first is not None
        files[0].write_text(text[: first.end()] + AMENDMENT + text[first.end() :], encoding="utf-8")
    before = snapshot(demo)
    sheet = export_sheet(kind, demo, unit)
    exported = {lt.spec.path[0]: lt for lt in sheet.lists}
    for name in lists:
        assert exported[name].rows if name in exported else any(c.path[0] == name for c in sheet.columns), name
    out = tmp_path / f"{kind}.xlsx"
    write_xlsx(sheet, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == sheet.kind.label
    assert {lt.spec.title for lt in sheet.lists} <= set(book.sheetnames)
    for path in files:
        stripped = fields_out(lists).sub("\n", path.read_text(encoding="utf-8"))
        assert stripped != path.read_text(encoding="utf-8")
        path.write_text(stripped, encoding="utf-8")
    result = import_sheet(out, kind, unit, demo)
    assert result.ok, [p.as_text() for p in result.problems]
    assert result.updated > 0
    assert snapshot(demo) == before
    # And the unchanged export once more: not a byte moves.
    again = import_sheet(out, kind, unit, demo)
    assert again.ok and again.written == [] and snapshot(demo) == before


def progress_book(path: Path, main: list[list[object]], progress: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "公开承诺"
    for row in main:
        ws.append(row)
    ws2 = book.create_sheet("践诺进展")
    ws2.append(["一连 践诺进展"])  # a title row, as the export writes
    for row in progress:
        ws2.append(row)
    book.save(path)
    return path


# Due after 孙秀英's 七一 award (2011-06-27): an open commitment due before it would make her nomination E-NOMINEE.
MAIN = [
    ["编号", "承诺类别", "承诺主体", "承诺事项", "提出日期", "完成时限"],
    [None, "即时承诺", "孙秀英", "修好三台播种机", "2011-04-02", "2011/7/30"],
]


def test_a_list_sheet_keyed_by_id_or_row_number(mini: DataCopy, tmp_path: Path) -> None:
    book = progress_book(
        tmp_path / "承诺.xlsx",
        MAIN,
        [["承诺编号", "日期", "进展情况"], ["2", "2011/4/10", "修好第一台"], ["第2行", 40653, "修好第二、三台"]],  # an Excel serial date
    )
    result = import_sheet(book, "commitments", "lian-1", mini.root)
    assert result.ok, [p.as_text() for p in result.problems]
    text = mini.text(C)
    assert (
        "    title: 修好三台播种机\n    proposed: 2011-04-02\n    deadline: 2011-07-30\n    progress:\n"
        "      - date: 2011-04-10\n        note: 修好第一台\n      - date: 2011-04-20\n        note: 修好第二、三台\n" in text
    )
    assert mini.problems() == []


def test_a_list_sheet_replaces_the_lists_of_the_records_it_names_only(mini: DataCopy, tmp_path: Path) -> None:
    out = tmp_path / "承诺.xlsx"
    write_xlsx(export_sheet("commitments", mini.root, "lian-1"), out)
    book = openpyxl.load_workbook(out)
    progress = book["践诺进展"]
    assert [c.value for c in progress[3]] == ["lian1-2011-c01", dt.datetime(2011, 5, 10), "完成滴灌设备安装。"]
    progress.delete_rows(3, progress.max_row)  # every row gone: no record is named, no list changes
    book.save(out)
    before = snapshot(mini.root)
    result = import_sheet(out, "commitments", "lian-1", mini.root)
    assert result.ok and result.written == [] and snapshot(mini.root) == before
    progress.append(["lian1-2011-c02", "2011-04-25", "又维修两台。"])  # only c02's list is replaced
    book.save(out)
    result = import_sheet(out, "commitments", "lian-1", mini.root)
    assert result.ok and result.updated == 1
    text = mini.text(C)
    assert "    progress:\n      - date: 2011-05-10\n        note: 完成滴灌设备安装。\n  - id: lian1-2011-c02\n" in text
    assert "    progress:\n      - date: 2011-04-25\n        note: 又维修两台。\n    evaluation:\n" in text
    assert mini.problems() == []


def test_a_mapping_file_renames_a_list_sheets_headers_too(mini: DataCopy, tmp_path: Path) -> None:
    book = progress_book(
        tmp_path / "承诺.xlsx",
        MAIN,
        [["所属承诺", "时间", "完成情况", "经办人"], ["2", "2011/4/10", "修好第一台", "老王"]],
    )
    mapping = Mapping({"所属承诺": "承诺编号", "时间": "日期", "完成情况": "进展情况", "经办人": "忽略"})
    result = import_sheet(book, "commitments", "lian-1", mini.root, mapping=mapping)
    assert result.ok and result.problems == [], [p.as_text() for p in result.problems]
    assert "    progress:\n      - date: 2011-04-10\n        note: 修好第一台\n" in mini.text(C) and "老王" not in mini.text(C)


def test_bad_list_rows_are_named_with_their_sheet_row_and_column(mini: DataCopy, tmp_path: Path) -> None:
    before = snapshot(mini.root)
    book = progress_book(
        tmp_path / "承诺.xlsx",
        MAIN,
        [
            ["承诺编号", "日期", "进展情况"],
            ["2", "四月十日", "修好第一台"],
            ["lian1-2011-c99", "2011-04-12", "没有这条承诺"],
            ["2", "2011-03-01", "早于提出日期"],
        ],
    )
    result = import_sheet(book, "commitments", "lian-1", mini.root)
    shown = [(p.line, p.column, p.code, p.message) for p in result.problems if p.is_error]
    assert not result.ok and result.written == []
    assert shown == [
        (
            3,
            2,
            "E-SHEET",
            "工作表「践诺进展」第 3 行 B 列「日期」：「四月十日」不是日期（提示：写成 2011-03-05、2011/3/5、2011.3.5 或 2011年3月5日）",
        ),
        (
            4,
            1,
            "E-REF",
            "工作表「践诺进展」第 4 行 A 列「承诺编号」：「公开承诺」表里没有编号为「lian1-2011-c99」的记录（提示：填「公开承诺」表里这条记录的编号或行号）",
        ),
    ]
    assert snapshot(mini.root) == before
    # The bad rows fixed: the data rules run, and a progress date before the proposal is pointed at its cell.
    book = progress_book(tmp_path / "承诺2.xlsx", MAIN, [["承诺编号", "日期", "进展情况"], ["2", "2011-03-01", "早于提出日期"]])
    result = import_sheet(book, "commitments", "lian-1", mini.root)
    (p,) = [p for p in result.problems if p.is_error]
    assert (p.line, p.column, p.code) == (3, 2, "E-DATE")
    assert p.message.startswith("工作表「践诺进展」第 3 行 B 列「日期」：践诺进展日期（2011-03-01）早于提出日期（2011-04-02）"), p.message
    assert snapshot(mini.root) == before
    # --partial: the commitment whose progress is wrong stays out with it.
    result = import_sheet(book, "commitments", "lian-1", mini.root, partial=True)
    assert result.rejected == 1 and result.written == [] and snapshot(mini.root) == before


def test_the_export_is_laid_out_for_printing(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "评议.xlsx"
    sheet = export_sheet("appraisals", demo, "shi")
    write_xlsx(sheet, out)
    ws = openpyxl.load_workbook(out).active
    width = sum(c.width for c in sheet.columns)
    assert width > FIT_ONE_PAGE  # 五个好 item by item: too wide for one legible page
    assert ws.page_setup.fitToWidth == math.ceil(width / PER_PAGE)
    assert ws["A1"].value == "第十九师党委 群众评议"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.freeze_panes == "A4"  # below the two-row header
    assert ws.print_title_rows.replace("$", "") == "2:3"
    groups = {str(r) for r in ws.merged_cells.ranges}
    assert f"A1:{get_column_letter(ws.max_column)}1" in groups
    headers = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    c = headers.index("领导班子好") + 1
    assert f"{get_column_letter(c)}2:{get_column_letter(c + 3)}2" in groups  # the group merged over its grades
    assert [ws.cell(3, c + i).value for i in range(4)] == ["满意", "比较满意", "基本满意", "不满意"]
    assert "A2:A3" in groups and ws.column_dimensions["A"].width == 16
    # Each list sheet is laid out for printing too.
    sheet = export_sheet("commendations", demo, "shi")
    write_xlsx(sheet, out)
    objections = openpyxl.load_workbook(out)["异议及处理"]
    assert objections["A1"].value == "第十九师党委 评选表彰 · 异议及处理"
    assert objections.page_setup.orientation == "landscape" and int(objections.page_setup.paperSize) == 9
    assert objections.freeze_panes == "A3" and objections.print_title_rows.replace("$", "") == "2:2"
    assert [objections.cell(2, c).value for c in range(1, 7)] == ["表彰编号", "收到日期", "反映内容", "处理情况", "是否办结", "办结日期"]
    assert objections.cell(3, 1).value in {
        r[0] for r in [[c.value for c in row] for row in openpyxl.load_workbook(out).active.iter_rows(min_row=3)]
    }


# ---------------------------------------------------------------- the template


@pytest.mark.parametrize("kind", ["members", "commitments", "reviews", "appraisals", "commendations"])
def test_template_has_headers_dropdowns_an_example_and_notes(mini: DataCopy, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.xlsx"
    code, _ = cli("template", "--kind", kind, "--out", str(out))
    assert code == 0
    book = openpyxl.load_workbook(out)
    ws = book.worksheets[0]
    sheet = template_sheet(kind)
    closed = [c for c in sheet.columns if c.choices or c.kind == "bool"]
    validated = {str(rng).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}
    letters = {get_column_letter(i + 1) for i, c in enumerate(sheet.columns) if c in closed}
    assert validated == letters
    values = book["取值"]
    assert values.sheet_state == "hidden"
    first = 4 if any(c.group for c in sheet.columns) else 3
    assert ws.cell(first, 1).value == "示例"
    notes = book["填写说明"]
    assert [notes.cell(3, c).value for c in range(1, 5)] == ["列名", "必填", "怎么填", "可选的取值"]
    assert [notes.cell(r, 1).value for r in range(4, 4 + len(sheet.columns))] == [c.header for c in sheet.columns]
    # A sheet per list inside the records, keyed by the record's 编号, with its own example row, drop-downs and notes.
    assert book.sheetnames == [sheet.kind.label, "填写说明", *(lt.spec.title for lt in sheet.lists), "取值"]
    explained = [notes.cell(r, 1).value for r in range(1, notes.max_row + 1)]
    for lt in sheet.lists:
        page = book[lt.spec.title]
        assert [page.cell(2, c).value for c in range(1, len(lt.columns) + 1)] == [c.header for c in lt.columns]
        assert page.cell(3, 1).value == "示例" and page.freeze_panes == "A3"
        dropdowns = {get_column_letter(i + 1) for i, c in enumerate(lt.columns) if c.choices or c.kind == "bool"}
        assert {
            str(r).rstrip("0123456789").split(":")[0].rstrip("0123456789")
            for dv in page.data_validations.dataValidation
            for r in dv.sqref.ranges
        } == dropdowns
        heading = explained.index(f"「{lt.spec.title}」表：{lt.spec.note}")
        assert explained[heading + 1 : heading + 1 + len(lt.columns)] == [c.header for c in lt.columns]
    assert [lt.spec.title for lt in sheet.lists][-1] == "更正说明"
    # A template with only its example row imports nothing.
    before = snapshot(mini.root)
    result = import_sheet(out, kind, "lian-1", mini.root)
    assert result.ok and result.written == [] and snapshot(mini.root) == before


def test_import_refuses_a_row_whose_id_belongs_to_another_unit(mini: DataCopy, tmp_path: Path) -> None:
    book = workbook(tmp_path / "m.xlsx", [["编号", "姓名"], ["sq1-chen", "陈某"]])
    result = import_sheet(book, "members", "lian-1", mini.root)
    (p,) = [p for p in result.problems if p.is_error]
    assert (p.line, p.column, p.code) == (2, 1, "E-ID-DUP") and "已是单位「shequ-1」的记录" in p.message


def test_unreadable_file_is_one_clear_error(mini: DataCopy, tmp_path: Path) -> None:
    text = tmp_path / "x.txt"
    text.write_bytes(b"\xff\xfe\x00\xd8")  # UTF-16 with a broken surrogate
    with pytest.raises(ImportError_):
        import_sheet(text, "members", "lian-1", mini.root)
