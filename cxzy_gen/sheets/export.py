"""`cxzy export` and `cxzy template`: records → a sheet formatted for printing (A4 landscape, frozen header,
column widths), or an empty workbook with drop-down lists, an example row and a notes sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.header_footer import _HeaderFooterPart as _Text
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.sheets.columns import BOOL_CHOICES, KINDS, SECTION_PREFIX, Column, ListSheet, SheetKind
from cxzy_gen.sheets.importer import EXAMPLE_ID, ImportError_, resolve


@dataclass
class Sheet:
    """What goes on the page: a title, the columns (two-row headers where grouped) and the rows of values;
    in a workbook, one more sheet for each list inside the records (践诺进展, 整改事项, 异议及处理, 更正说明)."""

    title: str
    kind: SheetKind
    columns: list[Column]
    rows: list[list[Any]]
    lists: list[ListTable] = field(default_factory=list)
    name: str = ""  # the worksheet's name (the kind's label when empty)


@dataclass
class ListTable:
    """The rows of one list sheet: the record's 编号, then the item's fields."""

    spec: ListSheet
    rows: list[list[Any]]

    @property
    def columns(self) -> list[Column]:
        key = Column(self.spec.key, ("id",), "text", note=self.spec.note, required=True, width=16)
        return [key, *self.spec.columns]


def export_sheet(kind_name: str, data_dir: Path, unit: str | None) -> Sheet:
    kind = KINDS[kind_name]
    ds, _, _ = load_dataset(data_dir)
    if ds is None:
        raise ImportError_("数据目录有错误，先运行 cxzy validate 改正后再导出")
    if unit is not None and unit not in ds.units:
        raise ImportError_(f"找不到单位「{unit}」（提示：--unit 写单位编号，即 data/units/ 下的文件夹名）")
    units = [unit] if unit else sorted(ds.units)
    records: list[tuple[str, dict[str, Any]]] = []
    for uid in units:
        folder = data_dir / "units" / uid
        paths = [folder / kind.file] if not kind.yearly else sorted(folder.glob(f"[0-9][0-9][0-9][0-9]/{kind.file}"))
        for path in paths:
            if path.is_file():
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                records += [(uid, r) for r in data.get(kind.list_key) or [] if isinstance(r, dict)]
    sections: list[str] = []
    if kind.name == "reviews":
        for _, r in records:
            for s in (r.get("opinion") or {}).get("sections") or []:
                if s.get("heading") not in sections:
                    sections.append(str(s.get("heading")))
    wanted = [c for c in kind.columns if c.required or c.path == ("id",) or any(_value(r, c, ds, u) is not None for u, r in records)]
    section_columns = [Column(f"{SECTION_PREFIX}{h}", ("opinion", "sections"), "markdown", width=30) for h in sections]
    if section_columns:  # the form's own headings stand after the three standard parts
        at = max((i for i, c in enumerate(wanted) if c.path[0] == "opinion"), default=len(wanted) - 1) + 1
        wanted[at:at] = section_columns
    rows = [[_cell(r, c, ds, u) for c in wanted] for u, r in records]
    lists = [
        ListTable(ls, [[str(r["id"]), *(_cell(item, c, ds, u) for c in ls.columns)] for u, r in records for item in _get(r, ls.path) or []])
        for ls in kind.lists
    ]
    place = ds.units[unit].name if unit else ds.site.title
    return Sheet(f"{place} {kind.label}", kind, wanted, rows, lists)


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _value(record: dict[str, Any], column: Column, ds: Dataset, unit: str) -> Any:
    if column.path == ("nominee",):
        return record.get("nominee") or _get(record, ("external", "name"))
    return _get(record, column.path)


def _cell(record: dict[str, Any], column: Column, ds: Dataset, unit: str) -> Any:
    """A field as a person reads it in the sheet; names for references when the name leads back to the same id."""
    if column.header.startswith(SECTION_PREFIX):
        heading = column.header.removeprefix(SECTION_PREFIX)
        found = [s.get("text") for s in (_get(record, ("opinion", "sections")) or []) if s.get("heading") == heading]
        return str(found[0]).rstrip("\n") if found else None
    value = _value(record, column, ds, unit)
    if value is None:
        return None
    if column.kind == "ref":
        if column.path == ("nominee",) and not record.get("nominee"):
            return str(value)
        return _name(str(value), column, ds, unit)
    if column.kind == "refs":
        return "、".join(_name(str(v), column, ds, unit) for v in value)
    if column.kind == "bool":
        return BOOL_CHOICES[0] if value else BOOL_CHOICES[1]
    if column.kind == "list":
        return "、".join(str(v) for v in value)
    if column.kind == "groups":
        return "；".join(f"{g['name']} {g['count']}" for g in value)
    if column.kind in {"month", "joined", "text", "choice"}:
        return str(value)
    if column.kind == "markdown":
        return str(value).rstrip("\n")
    return value


def _name(value: str, column: Column, ds: Dataset, unit: str) -> str:
    """A reference as its name where the name leads back to the same id on import, else the id."""
    name = ds.units[value].name if value in ds.units else ds.members[value].name if value in ds.members else None
    try:
        return name if name and resolve(name, column.refers, ds, unit) == value else value
    except ValueError:
        return value


# ---------------------------------------------------------------- writing


def write_csv(sheet: Sheet, out: Path) -> None:
    """UTF-8 with a BOM, so Excel and WPS open it with the Chinese intact; one header row (group·sub)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")


def write_xlsx(sheet: Sheet, out: Path, *, template: bool = False) -> None:
    """The main sheet, then a sheet per list (with its own title, header and print setup); for the template, an
    example row on each, drop-down lists, and the notes sheet."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    values = book.create_sheet("取值") if template else None
    pages = [(ws, sheet)]
    for lt in sheet.lists:
        pages.append(
            (
                book.create_sheet(lt.spec.title),
                Sheet(f"{sheet.title} · {lt.spec.title}", sheet.kind, lt.columns, lt.rows, name=lt.spec.title),
            )
        )
    ws.title = sheet.kind.label
    n = 0
    for page, part in pages:
        first_data = _header(page, part)
        _rows(page, part, first_data)
        if template:
            assert values is not None
            _example(page, part, first_data)
            n = _dropdowns(values, page, part, first_data, n)
        _print_setup(page, part, first_data)
    if template:
        assert values is not None
        values.sheet_state = "hidden"
        book.move_sheet(values, len(book.worksheets))  # last, behind the notes
        _notes(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic_bytes(out, buffer.getvalue())


def _rows(ws: Worksheet, sheet: Sheet, first_data: int) -> None:
    for r, row in enumerate(sheet.rows, start=first_data):
        # Row heights set here: spreadsheet programs do not always grow a wrapped row on their own.
        lines = max([1, *(_lines(v, c.width) for v, c in zip(row, sheet.columns, strict=True))])
        ws.row_dimensions[r].height = 16 * min(lines, 30)
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, value)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def _lines(value: Any, width: int) -> int:
    """About how many lines a value takes in a column of `width` (a Chinese character is two width units)."""
    if not isinstance(value, str):
        return 1
    return sum(max(1, math.ceil(sum(2 if ord(ch) > 0x2E7F else 1 for ch in part) / max(width - 1, 1))) for part in value.split("\n"))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _header(ws: Worksheet, sheet: Sheet) -> int:
    """Title row, then the header: one row, or two where columns are grouped (the group merged over its columns)."""
    n = len(sheet.columns)
    ws.cell(1, 1, sheet.title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    if n > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 24
    grouped = any(c.group for c in sheet.columns)
    rows = (2, 3) if grouped else (2,)
    for c, column in enumerate(sheet.columns, start=1):
        for r in rows:
            cell = ws.cell(r, c)
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if not grouped:
            ws.cell(2, c, column.header)
        elif column.group:
            ws.cell(2, c, column.group)
            ws.cell(3, c, column.sub)
        else:
            ws.cell(2, c, column.header)
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
        ws.column_dimensions[get_column_letter(c)].width = column.width
    if grouped:  # merge each run of the same group
        c = 1
        while c <= n:
            group = sheet.columns[c - 1].group
            end = c
            while end < n and group and sheet.columns[end].group == group:
                end += 1
            if group and end > c:
                ws.merge_cells(start_row=2, start_column=c, end_row=2, end_column=end)
            c = end + 1
    return rows[-1] + 1


FIT_ONE_PAGE = 260  # column width units that still print legibly on one A4 landscape page
PER_PAGE = 160


def _print_setup(ws: Worksheet, sheet: Sheet, first_data: int) -> None:
    ws.freeze_panes = f"A{first_data}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # One page wide while the print stays readable; a sheet of many columns (the template) spans a few pages.
    total = sum(c.width for c in sheet.columns)
    ws.page_setup.fitToWidth = 1 if total <= FIT_ONE_PAGE else math.ceil(total / PER_PAGE)
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"2:{first_data - 1}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter = HeaderFooterItem(center=_Text("第 &P 页，共 &N 页"))


# ---------------------------------------------------------------- the blank template


EXAMPLES: dict[str, dict[str, Any]] = {
    "members": {
        "姓名": "张建华",
        "性别": "男",
        "民族": "汉族",
        "出生年月": "1975-03",
        "岗位": "连队指导员",
        "党内职务": "书记",
        "入党时间": "1998-07",
    },
    "commitments": {
        "承诺类别": "年度承诺",
        "承诺主体": "张建华",
        "承诺方向": "带头致富",
        "五带头": "带头争创佳绩、带头服务群众",
        "承诺事项": "带动五户职工学会膜下滴灌技术",
        "践诺措施": "春播前办两期培训班，每户上门指导",
        "责任人": "张建华",
        "提出日期": dt.date(2011, 3, 1),
        "完成时限": dt.date(2011, 10, 31),
        "公示日期": dt.date(2011, 3, 5),
        "公示方式": "公开栏",
    },
    "reviews": {
        "点评日期": dt.date(2011, 6, 20),
        "点评方式": "集中点评",
        "结合会议或考核": "半年总结考核",
        "点评领导": "王建国",
        "点评领导职务": "团党委书记",
        "被点评对象": "一连党支部",
        "成绩": "承诺事项推进有力",
        "问题": "党员活动室建设滞后",
        "努力方向": "九月底前建好活动室",
        "评价等次": "较好",
    },
    "appraisals": {
        "被评议对象": "一连党支部",
        "评议日期": dt.date(2011, 6, 25),
        "评议方式": "问卷调查",
        "党员人数": 12,
        "群众人数": 30,
        "满意度测评·满意": 30,
        "满意度测评·比较满意": 8,
        "满意度测评·基本满意": 3,
        "满意度测评·不满意": 1,
    },
    "commendations": {
        "年度": 2011,
        "表彰称号": "优秀共产党员",
        "表彰级别": "团处级",
        "推荐对象": "张建华",
        "推荐单位": "一连党支部",
        "主要事迹": "带头推广节水灌溉，帮助困难职工增收",
        "公示开始": dt.date(2011, 6, 20),
        "公示工作日数": 5,
        "状态": "推荐",
    },
}


LIST_EXAMPLES: dict[str, dict[str, Any]] = {
    "践诺进展": {"日期": dt.date(2011, 5, 10), "进展情况": "办完第一期培训班，五户职工都已参加"},
    "整改事项": {
        "整改事项编号": "r1",
        "整改事项": "建好党员活动室",
        "整改时限": dt.date(2011, 9, 30),
        "整改状态": "整改中",
    },
    "异议及处理": {
        "收到日期": dt.date(2011, 6, 22),
        "反映内容": "来信反映事迹材料中个别数字不准确",
        "处理情况": "组织部门逐项核实，材料属实，已向反映人说明",
        "是否办结": "是",
        "办结日期": dt.date(2011, 6, 24),
    },
    "更正说明": {"更正日期": dt.date(2011, 7, 2), "更正说明": "完成时限原写 9 月 30 日，经支部大会同意改为 10 月 31 日"},
}


def template_sheet(kind_name: str) -> Sheet:
    kind = KINDS[kind_name]
    return Sheet(f"{kind.label}（填写模板）", kind, list(kind.columns), [], [ListTable(ls, []) for ls in kind.lists])


def _example(ws: Worksheet, sheet: Sheet, row: int) -> None:
    if sheet.name:  # a list sheet: the example item belongs to the example record
        example = {sheet.columns[0].header: EXAMPLE_ID, **LIST_EXAMPLES[sheet.name]}
    else:
        example = {"编号": EXAMPLE_ID, **EXAMPLES[sheet.kind.name]}
    grey = Font(italic=True, color="808080")
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row, c, example.get(column.header))
        cell.font = grey
        cell.border = BORDER
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def _dropdowns(values: Worksheet, ws: Worksheet, sheet: Sheet, first: int, n: int) -> int:
    """A drop-down for every closed set, from a hidden sheet of allowed values (long lists do not fit a formula).
    `n` columns of that sheet are taken already; returns how many are taken now."""
    for c, column in enumerate(sheet.columns, start=1):
        options = column.choices or (BOOL_CHOICES if column.kind == "bool" else ())
        if not options:
            continue
        n += 1
        letter = get_column_letter(n)
        values.cell(1, n, column.header)
        for i, option in enumerate(options, start=2):
            values.cell(i, n, option)
        # a list column takes several values (带头致富、维护团场连队稳定): offer the list, do not refuse typing
        multi = column.kind == "list"
        dv = DataValidation(
            type="list",
            formula1=f"'取值'!${letter}$2:${letter}${len(options) + 1}",
            allow_blank=True,
            showErrorMessage=not multi,
            errorTitle="取值不对",
            error=f"请从下拉列表里选：{'、'.join(options)}",
            promptTitle=column.header,
            prompt="可选多项，用顿号（、）隔开" if multi else "从下拉列表里选",
            showInputMessage=True,
        )
        ws.add_data_validation(dv)
        col_letter = get_column_letter(c)
        dv.add(f"{col_letter}{first}:{col_letter}{first + 999}")
    return n


def _notes(book: Workbook, sheet: Sheet) -> None:
    """Each column of the main sheet explained; then, under a heading each, the columns of every list sheet."""
    notes = book.create_sheet("填写说明", 1)

    def explained(columns: list[Column]) -> list[list[Any]]:
        return [
            [c.header, "是" if c.required else "", _how(c), "、".join(c.choices or (BOOL_CHOICES if c.kind == "bool" else ()))]
            for c in columns
        ]

    heads = {3}
    rows = [["列名", "必填", "怎么填", "可选的取值"], *explained(sheet.columns)]
    for lt in sheet.lists:
        rows.append([])
        rows.append([f"「{lt.spec.title}」表：{lt.spec.note}"])
        heads.add(3 + len(rows) - 1)
        rows += explained(lt.columns)
    widths = (22, 6, 60, 40)
    for r, row in enumerate(rows, start=3):
        if r in heads and len(row) == 1:  # a list sheet's heading across the four columns
            notes.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            notes.row_dimensions[r].height = 15 * _lines(row[0], sum(widths))
        elif row:
            notes.row_dimensions[r].height = 15 * max(_lines(v, w) for v, w in zip(row, widths, strict=True))
        for c, value in enumerate(row, start=1):
            cell = notes.cell(r, c, value)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if r in heads:
                cell.font = Font(bold=True)
                cell.fill = HEAD_FILL
    notes.cell(1, 1, f"{sheet.kind.label}：填写说明").font = Font(bold=True, size=14)
    notes.cell(2, 1, GENERAL_NOTE + (LISTS_NOTE if sheet.lists else ""))
    notes.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    notes.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    notes.row_dimensions[2].height = 120 if sheet.lists else 90
    for letter, width in zip("ABCD", widths, strict=True):
        notes.column_dimensions[letter].width = width
    notes.page_setup.orientation = "landscape"
    notes.page_setup.paperSize = notes.PAPERSIZE_A4
    notes.page_setup.fitToWidth = 1
    notes.page_setup.fitToHeight = 0
    notes.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    notes.print_title_rows = "3:3"


LISTS_NOTE = (
    "一条记录可以有多条的内容（践诺进展、整改事项、异议及处理、更正说明）各填在同名的工作表里：每条一行，"
    "第一列填它属于哪条记录——主表里那条记录的编号，新记录还没有编号时填它在主表中的行号。"
    "导入时，明细表里出现的记录，它的这一项按明细表整个替换（顺序照表）；明细表里没出现的记录保持原样。"
)


GENERAL_NOTE = (
    "每行一条记录，从灰色示例行下面开始填（示例行编号为「示例」，导入时跳过，可以删掉）。"
    "日期可以写 2011-03-05、2011/3/5、2011.3.5 或 2011年3月5日；年月写 1975-03 或 1975.03。"
    "有下拉箭头的列从列表里选。姓名、单位可以直接写中文名称，同名时写编号。"
    "表格不要改列名，不要合并数据行的单元格；填好后交信息化管理员用 cxzy import 导入，检查通过才会写入。"
    "表格中不要填身份证号、手机号。"
)


def _how(column: Column) -> str:
    kind_text = {
        "date": "日期",
        "month": "年月，如 1975-03",
        "joined": "年份或年月，如 1998 或 1998-07",
        "int": "整数",
        "amount": "票数（整数）；只公布百分比时填百分数",
        "bool": "是 / 否",
        "list": "可填多项，用顿号（、）隔开",
        "groups": "群体名称和人数",
        "ref": "名称或编号",
        "refs": "名称或编号，多个用顿号（、）隔开",
    }.get(column.kind, "")
    parts = [p for p in (kind_text, column.note) if p]
    if column.group:
        parts.insert(0, f"「{column.group}」中的「{column.sub}」")
    return "；".join(parts)
