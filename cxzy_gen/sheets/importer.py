"""`cxzy import`: rows of a spreadsheet → records in the unit's YAML files, checked by the same rules as `cxzy validate`.

Each row becomes one record. A row with a 编号 (or, without one, the same natural key: a member's name, a
commitment's subject and title, …) updates that record; other rows are new records with new ids. Only the
columns the sheet has are written; every other field, comment and record stays byte for byte. The result is
validated as a whole in a scratch copy of the data folder; nothing is written unless every row passes
(with `partial`, the rows that pass are written and the rest reported).
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records import models as m
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.sheets import cells
from cxzy_gen.sheets import yamlfile as yf
from cxzy_gen.sheets.columns import KINDS, KNOWN_SECTIONS, SECTION_PREFIX, Column, ListSheet, SheetKind, natural_key, year_of
from cxzy_gen.sheets.table import SheetError, Table, column_letter, normalise, read_workbook


class ImportError_(Exception):
    """The import cannot start (bad file, unknown unit, data with errors): one Chinese message."""


@dataclass
class Mapping:
    """A mapping file for odd headers: header → standard header (or 忽略), opinion headings, the sheet to read."""

    columns: dict[str, str] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    sheet: str | None = None


IGNORE = {"忽略", "不导入", "ignore"}
EXAMPLE_ID = "示例"  # the template's example row has this 编号 and is never imported


def read_mapping(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportError_(f"读不了对照文件 {path}：{exc}") from None
    if not isinstance(data, dict) or not set(data) <= {"columns", "sections", "sheet"}:
        raise ImportError_(f"对照文件 {path} 只能有 columns（列名对照）、sections（点评栏目）和 sheet（工作表名）三项")
    columns = data.get("columns") or {}
    sections = data.get("sections") or []
    if not isinstance(columns, dict) or not isinstance(sections, list):
        raise ImportError_(f"对照文件 {path}：columns 要写成「原列名: 标准列名」，sections 要写成列表")
    return Mapping({normalise(k): normalise(v) for k, v in columns.items()}, [normalise(s) for s in sections], data.get("sheet"))


@dataclass
class Row:
    number: int
    values: dict[tuple[str, ...], Any]  # path → value (None: the cell was blank: remove the field)
    columns: dict[tuple[str, ...], int]  # path → column number, for messages
    sections: list[tuple[str, str]]
    section_columns: dict[str, int]
    record_id: str | None = None
    file: Path | None = None
    index: int = -1  # position in the file's list once placed
    # The record's lists given in list sheets (a list sheet that does not name the record leaves its list alone).
    lists: dict[tuple[str, ...], list[ListRow]] = field(default_factory=dict)


@dataclass
class ListRow:
    """One row of a list sheet: one item of a record's list."""

    number: int
    values: dict[str, Any]  # field → value (None: blank)
    columns: dict[str, int]  # field → column number
    where: _Where


@dataclass
class ImportResult:
    problems: list[Problem]
    written: list[Path]
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def import_sheet(
    source: Path, kind_name: str, unit: str, data_dir: Path, *, partial: bool = False, mapping: Mapping | None = None
) -> ImportResult:
    kind = KINDS[kind_name]
    mapping = mapping or Mapping()
    ds, before, _ = load_dataset(data_dir)
    if ds is None:
        raise ImportError_("数据目录本身有错误，先运行 cxzy validate 改正后再导入")
    if unit not in ds.units:
        raise ImportError_(f"找不到单位「{unit}」（提示：--unit 写单位编号，即 data/units/ 下的文件夹名）")
    lookup = _headers(kind, mapping)

    def known(header: str) -> bool:
        if header in lookup or header in mapping.columns:
            return True
        heading = header.removeprefix(SECTION_PREFIX)
        return kind.name == "reviews" and (header != heading or heading in KNOWN_SECTIONS or heading in mapping.sections)

    list_known = {ls.title: _list_known(ls, mapping) for ls in kind.lists}
    try:
        table, list_tables = read_workbook(source, known, mapping.sheet, list_known)
    except SheetError as exc:
        raise ImportError_(str(exc)) from None
    where = _Where(source, table)
    problems: list[Problem] = []
    columns, sections = _match_columns(kind, table, lookup, mapping, where, problems)
    rows: list[Row] = []
    id_column = next((c for c, column in columns.items() if column.path == ("id",)), None)
    for number, values in table.rows:
        if id_column is not None and cells.text(values.get(id_column, "")) == EXAMPLE_ID:
            continue  # the template's example row
        row = _read_row(kind, number, values, columns, sections, ds, unit, where, problems)
        if row is not None:
            rows.append(row)
    bad_rows = {p.line for p in problems if p.is_error}
    orphans = False  # a list row whose record is not in the main sheet
    for ls in kind.lists:
        if ls.title in list_tables:
            bad, lost = _read_list(kind, ls, list_tables[ls.title], rows, ds, data_dir, unit, source, problems, mapping)
            bad_rows |= bad
            orphans |= lost
    result = ImportResult(problems, [])
    if (bad_rows or orphans) and not partial:
        result.rejected = len(bad_rows)
        return result
    rows = [r for r in rows if r.number not in bad_rows]
    baseline = {_problem_key(p, data_dir) for p in before}
    while True:
        mapped: list[tuple[Problem, int | None]] = []
        files, stats = _apply(kind, rows, ds, unit, data_dir, where, mapped)
        mapped += [_locate(p, rows, kind, where, files) for p in _check(files, data_dir, baseline)]
        failing = {n for p, n in mapped if p.is_error and n is not None}
        unplaced = [p for p, n in mapped if p.is_error and n is None]
        if not failing and not unplaced:
            problems.extend(p for p, _ in mapped)
            break
        if not partial or unplaced:
            problems.extend(p for p, _ in mapped)
            result.rejected = len(failing | bad_rows)
            return result
        problems.extend(p for p, n in mapped if n in failing)
        bad_rows |= failing
        rows = [r for r in rows if r.number not in failing]
    result.rejected = len(bad_rows)
    result.added, result.updated, result.unchanged = stats
    for path, text in files.items():
        yf.write_atomic(path, text)
        result.written.append(path)
    return result


# ---------------------------------------------------------------- headers


def _headers(kind: SheetKind, mapping: Mapping) -> dict[str, Column]:
    """Every header (standard, alias, a two-row group·sub, or a sub alone where unambiguous) → its column."""
    out: dict[str, Column] = {}
    subs: dict[str, list[Column]] = {}
    for c in kind.columns:
        out[normalise(c.header)] = c
        for alias in c.aliases:
            out.setdefault(normalise(alias), c)
        if c.group:
            subs.setdefault(normalise(c.sub), []).append(c)
    for sub, cs in subs.items():
        if len(cs) == 1 or cs[0].group == "满意度测评":  # 满意 alone means the satisfaction survey
            out.setdefault(sub, cs[0])
    for odd, standard in mapping.columns.items():
        if standard in IGNORE:
            out.pop(odd, None)
        elif standard in out:
            out[odd] = out[standard]
    return out


@dataclass
class _Where:
    file: Path
    table: Table

    def problem(self, row: int, column: int | None, code: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
        header = self.table.headers.get(column or 0, "")
        at = f"第 {row} 行" + (f" {column_letter(column)} 列「{header}」" if column else "")
        return Problem(str(self.file), row, column or 1, code, f"工作表「{self.table.sheet}」{at}：{message}", severity)


def _match_columns(
    kind: SheetKind, table: Table, lookup: dict[str, Column], mapping: Mapping, where: _Where, problems: list[Problem]
) -> tuple[dict[int, Column], dict[int, str]]:
    columns: dict[int, Column] = {}
    sections: dict[int, str] = {}
    seen: dict[str, int] = {}
    first = table.header_rows[0]
    for number, header in table.headers.items():
        if mapping.columns.get(header) in IGNORE:
            continue
        column = lookup.get(header)
        if column is None and kind.name == "reviews":
            heading = header.removeprefix(SECTION_PREFIX)
            if header.startswith(SECTION_PREFIX) or heading in KNOWN_SECTIONS or heading in mapping.sections:
                sections[number] = heading
                continue
        if column is None:
            problems.append(
                where.problem(
                    first,
                    number,
                    "E-SHEET",
                    "不认识这一列，没有导入（提示：在对照文件 --mapping 的 columns 里写明它对应哪个列名，或写「忽略」）",
                    Severity.WARNING,
                )
            )
            continue
        if column.header in seen:
            problems.append(where.problem(first, number, "E-SHEET", f"与 {column_letter(seen[column.header])} 列都是「{column.header}」"))
            continue
        seen[column.header] = number
        columns[number] = column
    missing = [c.header for c in kind.columns if c.required and c.header not in seen]
    if missing and kind.name != "commendations":
        problems.append(where.problem(first, None, "E-SHEET", f"缺少必填的列：{'、'.join(missing)}"))
    return columns, sections


# ---------------------------------------------------------------- rows


def _read_row(
    kind: SheetKind,
    number: int,
    raw: dict[int, Any],
    columns: dict[int, Column],
    sections: dict[int, str],
    ds: Dataset,
    unit: str,
    where: _Where,
    problems: list[Problem],
) -> Row | None:
    row = Row(number, {}, {}, [], {})
    for c, column in columns.items():
        row.columns[column.path] = c
        value = raw.get(c)
        if cells.is_blank(value):
            row.values[column.path] = None
            continue
        try:
            row.values[column.path] = _parse(column, value, ds, unit)
        except cells.CellError as exc:
            problems.append(where.problem(number, c, "E-SHEET", str(exc)))
    for c, heading in sections.items():
        value = raw.get(c)
        row.section_columns[heading] = c
        if not cells.is_blank(value):
            row.sections.append((heading, cells.text(value)))
    if kind.name == "commendations":
        _external_nominee(row, raw, ds, where, problems)
    for path, value in list(row.values.items()):
        if isinstance(value, _Unresolved):
            what = {"unit": "党组织", "member": "党员"}.get(next(c.refers for c in columns.values() if c.path == path), "党员或党组织")
            problems.append(where.problem(number, row.columns[path], "E-REF", f"找不到名为「{value}」的{what}（提示：填编号，或检查姓名）"))
            row.values[path] = str(value)
    if kind.name == "members" and ("probationary",) in row.values and row.values[("probationary",)] is False:
        row.values[("probationary",)] = None  # 正式党员 is the default: not written
    return row


def _parse(column: Column, value: Any, ds: Dataset, unit: str) -> Any:
    k = column.kind
    if k in {"text", "markdown"}:
        return cells.text(value)
    if k == "date":
        return cells.date(value)
    if k == "month":
        return cells.year_month(value)
    if k == "joined":
        return cells.year_month(value, year_alone=True)
    if k == "int":
        return cells.integer(value)
    if k == "amount":
        return cells.amount(value)
    if k == "bool":
        if column.path == ("probationary",) and cells.text(value) in {"预备党员", "预备"}:
            return True
        if column.path == ("probationary",) and cells.text(value) in {"正式党员", "正式"}:
            return False
        return cells.boolean(value)
    if k == "choice":
        return cells.choice(value, column.choices)
    if k == "list":
        found = cells.items(value)
        if column.choices:
            for item in found:
                cells.choice(item, column.choices)
        return found
    if k == "groups":
        return _groups(value)
    if k == "ref":
        return resolve(cells.text(value), column.refers, ds, unit)
    if k == "refs":
        found = [resolve(name, column.refers, ds, unit) for name in cells.items(value)]
        lost = [str(x) for x in found if isinstance(x, _Unresolved)]
        if lost:
            raise cells.CellError(f"找不到名为「{'」「'.join(lost)}」的党员或党组织（提示：填编号，或检查名称）")
        return [str(x) for x in found]
    raise AssertionError(k)


def _groups(value: Any) -> list[dict[str, Any]]:
    out = []
    for part in re.split(r"[；;\n]+", cells.text(value)):
        if not part.strip():
            continue
        found = re.fullmatch(r"\s*(.+?)\s*[:：]?\s*(\d+)\s*人?\s*", part)
        if not found:
            raise cells.CellError(f"「{part.strip()}」要写成「群体名称 人数」，如「服务对象 8」")
        out.append({"name": found.group(1), "count": int(found.group(2))})
    return out


class _Unresolved(str):
    """A name that is no id in the data: kept as typed; a commendation may name an outside nominee this way."""


def resolve(name: str, refers: str, ds: Dataset, unit: str) -> str:
    """An id, or a member's or unit's name (the unit's own members first) → its id."""
    if (refers in {"unit", "any"} and name in ds.units) or (refers in {"member", "any"} and name in ds.members):
        return name
    found: list[str] = []
    if refers in {"member", "any"}:
        own = [mid for mid, p in ds.members.items() if p.name == name and p.folder_unit == unit]
        found = own or [mid for mid, p in ds.members.items() if p.name == name]
    if not found and refers in {"unit", "any"}:
        found = [uid for uid, u in ds.units.items() if name in {u.name, u.short_name}]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise cells.CellError(f"「{name}」有 {len(found)} 个同名的（{'、'.join(found)}），请填编号")
    return _Unresolved(name)


def _external_nominee(row: Row, raw: dict[int, Any], ds: Dataset, where: _Where, problems: list[Problem]) -> None:
    nominee = row.values.get(("nominee",))
    external = {p: v for p, v in row.values.items() if p[0] == "external"}
    if isinstance(nominee, _Unresolved):
        if external.get(("external", "unit")) is None:
            c = row.columns[("nominee",)]
            problems.append(where.problem(row.number, c, "E-REF", f"找不到「{nominee}」（提示：数据以外的推荐对象，请同时填「所在单位」）"))
            return
        row.values[("nominee",)] = None
        row.values[("external", "name")] = str(nominee)
        row.columns[("external", "name")] = row.columns[("nominee",)]
    elif ("nominee",) in row.values:
        for path in external:
            row.values[path] = None  # a nominee in the data has no outside details
        row.values[("external", "name")] = None


# ---------------------------------------------------------------- list sheets


def _list_known(ls: ListSheet, mapping: Mapping) -> Any:
    headers = {normalise(ls.key), *(normalise(c.header) for c in ls.columns)}
    return lambda header: mapping.columns.get(header, header) in headers


ROW_NUMBER = re.compile(r"第?\s*(\d{1,7})\s*行?")


def _read_list(
    kind: SheetKind,
    ls: ListSheet,
    table: Table,
    rows: list[Row],
    ds: Dataset,
    data_dir: Path,
    unit: str,
    source: Path,
    problems: list[Problem],
    mapping: Mapping,
) -> tuple[set[int], bool]:
    """Each row of a list sheet → an item of the record it names. Returns the main sheet's rows whose items
    are bad, and whether some row names no record of the main sheet (or the key column is missing).
    The mapping file's `columns` rename odd headers here too."""
    where = _Where(source, table)
    first = table.header_rows[0]
    by_header = {normalise(c.header): c for c in ls.columns}
    headers = {n: mapping.columns.get(h, h) for n, h in table.headers.items() if mapping.columns.get(h) not in IGNORE}
    key_col = next((n for n, h in headers.items() if h == normalise(ls.key)), None)
    columns = {n: by_header[h] for n, h in headers.items() if h in by_header}
    for n, h in headers.items():
        if n != key_col and h not in by_header:
            problems.append(where.problem(first, n, "E-SHEET", "不认识这一列，没有导入", Severity.WARNING))
    if key_col is None:
        problems.append(where.problem(first, None, "E-SHEET", f"缺少「{ls.key}」列：不知道每一行属于「{kind.label}」表的哪条记录"))
        return set(), True
    # A record is named by its 编号 (as typed in the main sheet, or that of the record the row updates) or its row number.
    by_key: dict[str, Row] = {}
    ids = _existing_ids(kind, data_dir, unit)
    for row in rows:
        given = row.values.get(("id",))
        known_id = given or ids.get(natural_key(kind, _nested(row.values)))
        if known_id:
            by_key.setdefault(str(known_id).casefold(), row)
    by_number = {row.number: row for row in rows}
    bad: set[int] = set()
    lost = False
    for number, values in table.rows:
        key = cells.text(values.get(key_col, ""))
        if key == EXAMPLE_ID:
            continue  # the template's example row
        parent = by_key.get(key.casefold())
        found = ROW_NUMBER.fullmatch(key) if parent is None else None
        if found:
            parent = by_number.get(int(found.group(1)))
        if parent is None:
            lost = True
            why = (
                f"没填「{ls.key}」"
                if not key
                else f"「{kind.label}」表里没有编号为「{key}」的记录，也没有第 {key} 行"
                if found
                else f"「{kind.label}」表里没有编号为「{key}」的记录"
            )
            problems.append(where.problem(number, key_col, "E-REF", f"{why}（提示：填「{kind.label}」表里这条记录的编号或行号）"))
            continue
        item = ListRow(number, {}, {}, where)
        for n, column in columns.items():
            name = column.path[0]
            item.columns[name] = n
            value = values.get(n)
            if cells.is_blank(value):
                item.values[name] = None
                continue
            try:
                item.values[name] = _parse(column, value, ds, unit)
            except cells.CellError as exc:
                problems.append(where.problem(number, n, "E-SHEET", str(exc)))
                bad.add(parent.number)
        parent.lists.setdefault(ls.path, []).append(item)
    return bad, lost


def _existing_ids(kind: SheetKind, data_dir: Path, unit: str) -> dict[tuple[str, ...], str]:
    """The unit's records of this kind: natural key → id (the first record with that key)."""
    folder = data_dir / "units" / unit
    paths = [folder / kind.file] if not kind.yearly else sorted(folder.glob(f"[0-9][0-9][0-9][0-9]/{kind.file}"))
    out: dict[tuple[str, ...], str] = {}
    for path in paths:
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for record in data.get(kind.list_key) or []:
                if isinstance(record, dict) and "id" in record:
                    out.setdefault(natural_key(kind, record), str(record["id"]))
    return out


def _put_list(record: Any, model: Any, path: tuple[str, ...], items: list[ListRow]) -> None:
    """Replace the record's list by the sheet's items, keeping every item that is unchanged as it was written."""
    item_model = m.model_in(model.model_fields[path[0]].annotation)
    assert item_model is not None, path
    order = list(item_model.model_fields)
    new = []
    for item in items:
        # A blank cell leaves the field out; 否 is written as false (as the export shows a false that is written).
        new.append({k: item.values[k] for k in sorted(item.values, key=order.index) if item.values[k] is not None})
    old = _get(record, path) or []
    kept = [old[i] if i < len(old) and _same_item(item_model, old[i], v) else v for i, v in enumerate(new)]
    if len(old) != len(new) or any(k is not o for k, o in zip(kept, old, strict=False)):
        yf.put(record, model, path, kept or None)


def _same_item(item_model: Any, old: Any, new: dict[str, Any]) -> bool:
    try:
        return bool(item_model.model_validate(yf.plain(old)).model_dump() == item_model.model_validate(new).model_dump())
    except ValidationError:
        return False


# ---------------------------------------------------------------- placing rows into files


def _target_file(kind: SheetKind, data_dir: Path, unit: str, year: int | None) -> Path:
    return data_dir / kind.layout.path(unit, year or "")


def _apply(
    kind: SheetKind, rows: list[Row], ds: Dataset, unit: str, data_dir: Path, where: _Where, located: list[tuple[Problem, int | None]]
) -> tuple[dict[Path, str], tuple[int, int, int]]:
    """The new text of every file the rows change (unchanged files are left out) and (added, updated, unchanged)."""
    model = kind.model
    docs: dict[Path, Any] = {}
    originals: dict[Path, str] = {}
    existing = _existing_records(kind, data_dir, unit)

    def doc_for(path: Path) -> Any:
        if path not in docs:
            if path.is_file():
                originals[path] = path.read_text(encoding="utf-8")
                docs[path] = yf.load(originals[path])
            else:
                depth = len(path.relative_to(data_dir).parts)
                docs[path] = yf.new_file(kind.name, depth, kind.list_key)
        return docs[path]

    problems: list[Problem] = []
    added = updated = unchanged = 0
    used_ids = {r.id.casefold() for r in ds.records()}
    for row in rows:
        values = dict(row.values)
        given_id = values.get(("id",))
        match = None
        if given_id:
            match = existing.get(("id", given_id.casefold()))
            if match is None and given_id.casefold() in used_ids:
                other = next(r for r in ds.records() if r.id.casefold() == given_id.casefold())
                problems.append(
                    where.problem(
                        row.number,
                        row.columns.get(("id",)),
                        "E-ID-DUP",
                        f"编号「{given_id}」已是单位「{other.folder_unit}」的记录，不能导入到「{unit}」（提示：换一个编号，或用 --unit {other.folder_unit}）",
                    )
                )
                continue
        else:
            key = natural_key(kind, _nested(values))
            match = existing.get(("key", key))
        if match is not None:
            path, index = match
            record = doc_for(path)[kind.list_key][index]
            year = year_of(kind, _merged_view(record, values)) if kind.yearly else None
            if kind.yearly and _target_file(kind, data_dir, unit, year) != path:
                problems.append(
                    where.problem(
                        row.number, None, "E-FILE", f"「{record['id']}」在 {path.parent.name} 年的文件里，改日期不能把它移到 {year} 年"
                    )
                )
                continue
            changed = _update(record, model, values, row, kind)
            row.record_id, row.file, row.index = str(record["id"]), path, index
            updated += changed
            unchanged += not changed
            continue
        year = year_of(kind, _nested(values))
        if kind.yearly and year is None:
            date_column = {"commitments": "提出日期", "reviews": "点评日期", "appraisals": "评议日期", "commendations": "年度"}[kind.name]
            problems.append(where.problem(row.number, None, "E-MISSING", f"缺少「{date_column}」，不知道记在哪一年"))
            continue
        path = _target_file(kind, data_dir, unit, year)
        doc = doc_for(path)
        new_id = given_id or _new_id(kind, unit, year, doc[kind.list_key], used_ids)
        used_ids.add(new_id.casefold())
        record = yf.CommentedMap()
        record["id"] = new_id
        values.pop(("id",), None)
        _update(record, model, values, row, kind)
        doc[kind.list_key].append(record)
        row.record_id, row.file, row.index = new_id, path, len(doc[kind.list_key]) - 1
        existing[("id", new_id.casefold())] = (path, row.index)
        existing[("key", natural_key(kind, yf.plain(record)))] = (path, row.index)
        added += 1
    files = {}
    for path, doc in docs.items():
        text = yf.dump(doc)
        original = originals.get(path)
        if original is None or "\n\n  - " in original:  # the file's style: a blank line between records
            text = re.sub(r"(?<!:)(?<!\n)\n(  - )", r"\n\n\1", text)
        if original != text:
            files[path] = text
    located += [(p, p.line) for p in problems]  # each of these is about one row of the main sheet
    return files, (added, updated, unchanged)


def _nested(values: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in values.items():
        if value is None:
            continue
        current = out
        for key in path[:-1]:
            current = current.setdefault(key, {})
        current[path[-1]] = value
    return out


def _merged_view(record: Any, values: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    view = yf.plain(record)
    for path, value in values.items():
        if len(path) == 1:
            view[path[0]] = value
    return view


def _existing_records(kind: SheetKind, data_dir: Path, unit: str) -> dict[tuple[str, Any], tuple[Path, int]]:
    """The unit's records of this kind, by id (case-folded) and by natural key → (file, index)."""
    folder = data_dir / "units" / unit
    paths = [folder / kind.file] if not kind.yearly else sorted(folder.glob(f"[0-9][0-9][0-9][0-9]/{kind.file}"))
    out: dict[tuple[str, Any], tuple[Path, int]] = {}
    for path in paths:
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, record in enumerate(data.get(kind.list_key) or []):
            if isinstance(record, dict) and "id" in record:
                out[("id", str(record["id"]).casefold())] = (path, i)
                out.setdefault(("key", natural_key(kind, record)), (path, i))
    return out


def _new_id(kind: SheetKind, unit: str, year: int | None, records: list[Any], used: set[str]) -> str:
    """The next id in the file's own pattern (lian1-2011-c07), or <unit>-<year>-<letter><nn> / <unit>-m<nn>."""
    prefix = f"{unit}-m" if year is None else f"{unit}-{year}-{kind.letter}"
    if year is None:  # members: the unit's own prefix (hl1-yanfu → hl1-m01)
        prefixes = {str(r.get("id", "")).split("-")[0] for r in records if "-" in str(r.get("id", ""))}
        if len(prefixes) == 1:
            prefix = f"{prefixes.pop()}-m"
    numbers = [0]
    for record in records:
        found = re.fullmatch(r"(.+?)(\d+)", str(record.get("id", "")))
        if found and (year is None or f"-{year}-{kind.letter}" in found.group(1)):
            prefix = found.group(1)
            numbers.append(int(found.group(2)))
    n = max(numbers) + 1
    while f"{prefix}{n:02d}".casefold() in used:
        n += 1
    return f"{prefix}{n:02d}"


def _update(record: Any, model: Any, values: dict[tuple[str, ...], Any], row: Row, kind: SheetKind) -> bool:
    """Write the row's values into the record where they differ; True when anything changed."""
    before = yf.plain(record)
    for path, value in values.items():
        if path == ("id",):
            continue
        if _same(_get(before, path), value, kind, path):
            continue
        yf.put(record, model, path, value)
    if row.section_columns:
        sections = [{"heading": h, "text": t} for h, t in row.sections]
        old = _get(before, ("opinion", "sections")) or []
        if [(s.get("heading"), str(s.get("text", "")).rstrip("\n")) for s in old] != [(h, t.rstrip("\n")) for h, t in row.sections]:
            yf.put(record, model, ("opinion", "sections"), sections or None)
    for path, items in row.lists.items():
        _put_list(record, model, path, items)
    return yf.plain(record) != before


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _same(old: Any, new: Any, kind: SheetKind, path: tuple[str, ...]) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, str) and isinstance(new, str):
        return old.rstrip("\n").strip() == new.rstrip("\n").strip()
    if path in {("joined",), ("external", "joined"), ("born",), ("external", "born")}:
        return str(old) == str(new)
    if isinstance(old, list) and isinstance(new, list):
        return [yf.plain(x) for x in old] == [yf.plain(x) for x in new]
    return bool(old == new and type(old) is type(new)) or (isinstance(old, int | float) and isinstance(new, int | float) and old == new)


# ---------------------------------------------------------------- validating the result


def _problem_key(p: Problem, root: Path) -> tuple[str, str, str]:
    try:
        rel = Path(p.file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = p.file
    return (rel, p.code, p.message)


def _check(files: dict[Path, str], data_dir: Path, baseline: set[tuple[str, str, str]]) -> list[Problem]:
    """Problems the new files bring (not there before), found by the full validation in a scratch copy."""
    with tempfile.TemporaryDirectory(prefix="cxzy-import-") as tmp:
        scratch = Path(tmp) / "data"
        shutil.copytree(data_dir, scratch, ignore=shutil.ignore_patterns(".git"))
        for path, text in files.items():
            target = scratch / path.relative_to(data_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _, after, _ = load_dataset(scratch)
        out = []
        for p in after:
            key = _problem_key(p, scratch)
            if key in baseline:
                continue
            out.append(Problem(str(data_dir / key[0]), p.line, p.column, p.code, p.message, p.severity))
        return out


def _locate(p: Problem, rows: list[Row], kind: SheetKind, where: _Where, files: dict[Path, str]) -> tuple[Problem, int | None]:
    """A problem in a written file, pointed back at the row (and column) it came from: a row of the main sheet, or of
    a list sheet for a problem inside one item of a list; with the main sheet's row (None when no row is to blame)."""
    path = Path(p.file)
    text = files.get(path)
    if text is None:
        return p, None
    doc = yf.load(text)
    records: Any = doc.get(kind.list_key) or []
    starts = [records.lc.item(i)[0] + 1 for i in range(len(records))]
    index = max((i for i, s in enumerate(starts) if s <= p.line), default=-1)
    row = next((r for r in rows if r.file == path and r.index == index), None)
    if row is None:
        return p, None
    keys = _keys_at(records[index], p.line) if index >= 0 else []
    message = f"{p.message}（记录「{row.record_id}」）"
    if len(keys) >= 2 and (str(keys[0]),) in row.lists and isinstance(keys[1], int):
        items = row.lists[(str(keys[0]),)]
        if keys[1] < len(items):
            item = items[keys[1]]
            column = item.columns.get(str(keys[2])) if len(keys) > 2 else None
            return item.where.problem(item.number, column, p.code, message, p.severity), row.number
    keys = list(itertools.takewhile(lambda k: isinstance(k, str), keys))  # main sheet columns hold no list items
    column = None
    for n in range(len(keys), 0, -1):
        column = row.columns.get(tuple(str(k) for k in keys[:n]))
        if column is not None:
            break
    if column is None and keys[:2] == ["opinion", "sections"]:
        column = next(iter(row.section_columns.values()), None)
    if column is None and keys:  # a problem of a group (a tally): its first column
        column = min((c for path_, c in row.columns.items() if path_[: len(keys)] == tuple(keys)), default=None)
    return where.problem(row.number, column, p.code, message, p.severity), row.number


def _keys_at(record: Any, line: int) -> list[str | int]:
    """The key path inside `record` (keys of maps, indexes of lists) whose line is the last one at or before `line` (1-based)."""
    keys: list[str | int] = []
    current: Any = record
    while True:
        best: str | int | None = None
        if isinstance(current, yf.CommentedMap):
            for key in current:
                if current.lc.key(key)[0] + 1 <= line:
                    best = str(key)
        elif isinstance(current, yf.CommentedSeq):
            for i in range(len(current)):
                if current.lc.item(i)[0] + 1 <= line:
                    best = i
        if best is None:
            break
        keys.append(best)
        current = current[best]
    return keys


def summary_line(result: ImportResult) -> Iterator[str]:
    if result.written:
        yield f"已导入：新增 {result.added} 条，更新 {result.updated} 条，未变 {result.unchanged} 条"
        for path in result.written:
            yield f"  写入 {path}"
    elif result.ok:
        yield f"数据没有变化（{result.unchanged} 条与表格一致）"
    if result.rejected:
        yield (
            f"有问题的 {result.rejected} 行没有导入"
            if result.written
            else f"有 {result.rejected} 行有问题，全部未导入（提示：改正后重新导入；加 --partial 可先导入没有问题的行）"
        )
