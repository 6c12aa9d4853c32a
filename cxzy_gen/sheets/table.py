"""A spreadsheet file → rows under a recognised header: .xlsx (Excel, WPS, LibreOffice) and .csv (UTF-8, GBK/GB18030).

Real forms put a title row above the header, merge header cells (a group over 满意/比较满意/…), and start with
序号; this module finds the header among the first rows, spreads merged cells, and joins two-row headers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxzy_gen.sheets.cells import is_blank, text
from cxzy_gen.sheets.columns import GROUP_SEP

MAX_BYTES = 20_000_000
HEADER_SCAN = 12  # the header is among the first rows
IGNORED_HEADERS = {"序号", "编号序号", "No", "NO", "no", "#"}


class SheetError(Exception):
    """The file cannot be read as a table at all (wrong format, encoding, no header); the message is Chinese."""


@dataclass
class Table:
    """The rows of one sheet under its header. `headers` maps a column number (1-based) to its normalised header."""

    file: Path
    sheet: str
    headers: dict[int, str]
    header_rows: tuple[int, ...]
    rows: list[tuple[int, dict[int, Any]]] = field(default_factory=list)  # (row number, column number → raw value)


def normalise(header: Any) -> str:
    """A header as compared: no spaces or line breaks, no 「*」 or 「（必填）」 marks, half-width brackets made full-width."""
    s = text(header).replace("(", "（").replace(")", "）")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[*＊]|（必填）|（选填）|[:：]$", "", s)
    return s


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(path: Path, known: Callable[[str], bool], sheet: str | None = None) -> Table:
    """The first sheet (or `sheet`) whose header has at least two `known` headers."""
    return read_workbook(path, known, sheet)[0]


def read_workbook(
    path: Path, known: Callable[[str], bool], sheet: str | None = None, others: dict[str, Callable[[str], bool]] | None = None
) -> tuple[Table, dict[str, Table]]:
    """The main table (as `read_table`) and the sheets named in `others` that the workbook has (a list sheet each,
    found by its name, its header by its own `known`). A CSV file has only the main table."""
    others = others or {}
    grids = _grids(path)
    found: dict[str, Table] = {}
    for name, grid in grids:
        if name in others and name != sheet:
            table = _find_header(path, name, grid, others[name])
            if table is None:
                raise SheetError(f"{path.name} 的工作表「{name}」里找不到表头（提示：不要删改这张表第一行的列名）")
            found[name] = table
    candidates = [g for g in grids if g[0] not in found]
    if sheet is not None:
        candidates = [g for g in grids if g[0] == sheet]
        if not candidates:
            raise SheetError(f"{path.name} 里没有名为「{sheet}」的工作表")
    for name, grid in candidates:
        table = _find_header(path, name, grid, known)
        if table is not None:
            return table, found
    names = "、".join(f"「{n}」" for n, _ in candidates)
    raise SheetError(f"{path.name} 的工作表{names}里找不到表头（提示：表头要在前 {HEADER_SCAN} 行，列名如 姓名、承诺事项、完成时限）")


def _grids(path: Path) -> list[tuple[str, Grid]]:
    if not path.is_file():
        raise SheetError(f"找不到文件 {path}")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise SheetError(f"{path.name} 超过 {MAX_BYTES // 1_000_000} MB，请按单位拆分后再导入")
    suffix = path.suffix.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix in {".xls", ".et", ".ett", ".wps"}:
        raise SheetError(
            f"{path.name} 是旧版 Excel（.xls）或 WPS 表格（.et）格式，cxzy 读不了"
            "（提示：在 WPS 或 Excel 里「文件 → 另存为」，文件类型选「Excel 工作簿（*.xlsx）」后再导入）"
        )
    if data[:2] == b"PK":
        return _xlsx_grids(path, data)
    if suffix in {".csv", ".txt"}:
        return [("CSV", _csv_rows(path, data))]
    raise SheetError(f"{path.name} 不是 .xlsx 或 .csv 文件（提示：在 WPS 或 Excel 里另存为 .xlsx 或 CSV）")


Grid = list[list[Any]]


def _xlsx_grids(path: Path, data: bytes) -> list[tuple[str, Grid]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SheetError(
            f"{path.name} 打不开，文件可能已损坏（{type(exc).__name__}）（提示：用 WPS 或 Excel 打开后重新另存为 .xlsx）"
        ) from None
    grids = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        grid: Grid = [list(row) for row in ws.iter_rows(values_only=True)]
        # A merged cell holds its value in the top-left corner only: spread it over the range (for headers).
        for merged in ws.merged_cells.ranges:
            value = ws.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
                row = grid[r - 1]
                row.extend([None] * (merged.max_col - len(row)))
                for c in range(merged.min_col, merged.max_col + 1):
                    row[c - 1] = value
        grids.append((ws.title, grid))
    return grids


def decode(data: bytes) -> str:
    """CSV bytes as saved by Excel/WPS: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SheetError("CSV 文件的编码是 UTF-16，但内容有损坏（提示：用 WPS 或 Excel 重新另存为「CSV UTF-8」）") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SheetError("CSV 文件的编码认不出：既不是 UTF-8，也不是 GBK/GB18030（提示：用 WPS 或 Excel 另存为「CSV UTF-8」）") from None


def _csv_rows(path: Path, data: bytes) -> Grid:
    content = decode(data)
    sample = content[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]


def _find_header(path: Path, name: str, grid: Grid, known: Callable[[str], bool]) -> Table | None:
    for index, row in enumerate(grid[:HEADER_SCAN]):
        cells = {c + 1: normalise(v) for c, v in enumerate(row) if not is_blank(v)}
        hits = sum(known(h) for h in set(cells.values()))
        if hits < 2:
            continue
        headers = dict(cells)
        header_rows: tuple[int, ...] = (index + 1,)
        below = grid[index + 1] if index + 1 < len(grid) else []
        subs = {c + 1: normalise(v) for c, v in enumerate(below) if not is_blank(v)}
        # A two-row header: a group over sub-headers (merged, or written once with blanks to its right).
        joined = _two_row(headers, subs, known)
        if joined is not None:
            headers, header_rows = joined, (index + 1, index + 2)
        headers = {c: h for c, h in headers.items() if h not in IGNORED_HEADERS}
        table = Table(path, name, headers, header_rows)
        for number, row in enumerate(grid[header_rows[-1] :], start=header_rows[-1] + 1):
            values = {c + 1: v for c, v in enumerate(row) if c + 1 in headers and not is_blank(v)}
            if values:
                table.rows.append((number, values))
        return table
    return None


def _two_row(top: dict[int, str], below: dict[int, str], known: Callable[[str], bool]) -> dict[int, str] | None:
    if not below:
        return None
    filled: dict[int, str] = {}
    last = ""
    for c in range(1, max([*top, *below]) + 1):
        if c in top:
            last = top[c]
        elif c not in below:
            last = ""
        filled[c] = top.get(c, last if c in below else "")
    joined: dict[int, str] = {}
    hits = 0
    for c in sorted(set(filled) | set(below)):
        group, sub = filled.get(c, ""), below.get(c, "")
        if sub and group and sub != group:
            name = f"{group}{GROUP_SEP}{sub}"
            if not (known(name) or known(sub)):
                return None  # a data row, not the second row of a header
            hits += 1
            joined[c] = name if known(name) else sub
        elif group:
            joined[c] = group
        elif sub:
            if not known(sub):
                return None
            joined[c] = sub
    return joined if hits else None
