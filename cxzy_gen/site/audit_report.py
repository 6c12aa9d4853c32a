"""督查 → the report upward (报送): text for the screen, JSON for programs, CSV and an A4 xlsx sheet for Excel/WPS.

One table model (`table`) feeds CSV and xlsx, so both carry the same columns, rows and totals.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from cxzy_gen.site.audit import KINDS, Audit, Check, CheckResult, Item, UnitAudit, pct

KIND_LABELS = {kind: label for kind, (_, label) in KINDS.items()}

# ---------------------------------------------------------------- text


def as_text(a: Audit) -> str:
    lines = [
        f"督查报告：{a.title}",
        f"{a.year} 年度，按 {a.today.isoformat()} 的情况；公开范围：{a.audience.value}",
        _overall(a.totals, a.coverage, a.score),
        "",
        "单位｜" + "｜".join(c.value for c in Check) + "｜得分｜含下级得分",
    ]
    for ua in a.units.values():
        cells = [f"{ua.checks[c].percent}（{ua.checks[c].ok}/{ua.checks[c].due}）" for c in Check]
        lines.append("　" * ua.depth + f"{ua.ref.name}｜" + "｜".join(cells) + f"｜{_num(ua.score)}｜{_num(ua.subtree_score)}")
    for ua in a.units.values():
        lines += ["", f"== {ua.ref.name}（{ua.ref.id}，{ua.kind}，党员 {ua.members} 名）得分 {_num(ua.score)} =="]
        for c in Check:
            r = ua.checks[c]
            parts = "；".join(f"{p.label} {p.ok}/{p.ok + p.gap}" + (f"（未到期 {p.pending}）" if p.pending else "") for p in r.parts)
            lines.append(f"{c.value}：{r.percent}（已做到 {r.ok}，缺项 {r.gap}，未到期 {r.pending}）" + (f"　{parts}" if parts else ""))
            lines += [f"  - {i.text}" for i in r.gaps]
        lines.append("时间节点：")
        for ms in ua.milestones:
            lacking = f"，尚缺：{'、'.join(_who(ref) for ref in ms.lacking)}" if ms.lacking else ""
            lines.append(f"  - {ms.label}（{ms.deadline.isoformat()} 前）：{ms.state.value}{lacking}")
        if ua.overdue:
            lines.append("逾期：")
            lines += [
                f"  - {o.what}「{o.title}」（{o.subject.name}）超过时限 {o.days} 天（时限 {o.deadline.isoformat()}）" for o in ua.overdue
            ]
        if ua.remedial:
            lines.append("需要补课：")
            lines += [f"  - {r.subject.name}：{r.reason}" for r in ua.remedial]
        if ua.reminders:
            lines.append(f"提醒（逾期和 {a.today.isoformat()} 起 30 天内到期）：")
            lines += [f"  - {r.due.isoformat()} {r.label}：{r.text}" for r in ua.reminders]
    return "\n".join(lines) + "\n"


def _overall(totals: dict[Check, CheckResult], coverage: float | None, score: float | None) -> str:
    ok = sum(r.ok for r in totals.values())
    gap = sum(r.gap for r in totals.values())
    pending = sum(r.pending for r in totals.values())
    return f"总覆盖率 {_num(coverage, '%')}（已做到 {ok} 项，缺项 {gap} 项，未到期 {pending} 项）；平均得分 {_num(score)}"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f}{unit}"


def _who(ref: Any) -> str:
    return "党组织" if ref.kind == "unit" else ref.name


# ---------------------------------------------------------------- JSON


def as_json(a: Audit) -> str:
    return json.dumps(to_dict(a), ensure_ascii=False, indent=2) + "\n"


def to_dict(a: Audit) -> dict[str, Any]:
    return {
        "title": a.title,
        "year": a.year,
        "today": a.today.isoformat(),
        "audience": a.audience.value,
        "scope": a.scope,
        "coverage": a.coverage,
        "score": a.score,
        "totals": _checks(a.totals, with_gaps=False),
        "units": [_unit(ua) for ua in a.units.values()],
    }


def _checks(checks: dict[Check, CheckResult], with_gaps: bool = True) -> dict[str, Any]:
    out = {}
    for c, r in checks.items():
        entry: dict[str, Any] = {
            "name": c.value,
            "ok": r.ok,
            "gap": r.gap,
            "pending": r.pending,
            "ratio": None if r.ratio is None else round(r.ratio, 4),
            "parts": [{"kind": p.kind, "name": p.label, "ok": p.ok, "gap": p.gap, "pending": p.pending} for p in r.parts],
        }
        if with_gaps:
            entry["gaps"] = [_item(i) for i in r.gaps]
        out[c.key] = entry
    return out


def _item(i: Item) -> dict[str, Any]:
    return {
        "kind": i.kind,
        "subject": i.subject.id,
        "name": i.subject.name,
        "text": i.text,
        "due": i.due.isoformat() if i.due else None,
        "record": i.record,
    }


def _unit(ua: UnitAudit) -> dict[str, Any]:
    return {
        "id": ua.ref.id,
        "name": ua.ref.name,
        "parent": ua.parent,
        "depth": ua.depth,
        "kind": ua.kind,
        "members": ua.members,
        "score": ua.score,
        "checks": _checks(ua.checks),
        "subtree": {"members": ua.subtree_members, "score": ua.subtree_score, "checks": _checks(ua.subtree, with_gaps=False)},
        "milestones": [
            {
                "key": ms.key,
                "name": ms.label,
                "deadline": ms.deadline.isoformat(),
                "state": ms.state.key,
                "lacking": [ref.id for ref in ms.lacking],
            }
            for ms in ua.milestones
        ],
        "overdue": [
            {
                "what": o.what,
                "record": o.record,
                "title": o.title,
                "subject": o.subject.id,
                "deadline": o.deadline.isoformat(),
                "days": o.days,
            }
            for o in ua.overdue
        ],
        "remedial": [{"subject": r.subject.id, "name": r.subject.name, "reason": r.reason, "record": r.record} for r in ua.remedial],
        "reminders": [{"due": r.due.isoformat(), "days": r.days, "text": r.text} for r in ua.reminders],
    }


# ---------------------------------------------------------------- one table for CSV and xlsx


def header() -> list[str]:
    cols = ["单位编号", "单位名称", "上级单位", "党员数"]
    for c in Check:
        cols += [f"{c.value}·已做到", f"{c.value}·应做到", f"{c.value}·覆盖率(%)"]
    return [*cols, "得分", "含下级得分", "缺项数", "未按期的时间节点", "逾期事项", "缺项明细", "统计日期"]


def table(a: Audit) -> list[list[Any]]:
    """One row per unit (tree order), then the totals row; every row carries the date."""
    rows = []
    for ua in a.units.values():
        cells: list[Any] = [ua.ref.id, ua.ref.name, ua.parent or "", ua.members]
        for c in Check:
            cells += _check_cells(ua.checks[c])
        gaps = ua.gaps
        cells += [
            ua.score,
            ua.subtree_score,
            len(gaps),
            "；".join(f"{ms.label}（缺 {len(ms.lacking)}）" for ms in ua.missed),
            "；".join(f"{o.what}「{o.title}」逾期 {o.days} 天" for o in ua.overdue),
            "；".join(i.text for i in gaps),
            a.today.isoformat(),
        ]
        rows.append(cells)
    total: list[Any] = ["合计", f"{len(a.units)} 个单位", "", sum(ua.members for ua in a.units.values())]
    for c in Check:
        total += _check_cells(a.totals[c])
    total += [
        a.score,
        None,
        sum(len(ua.gaps) for ua in a.units.values()),
        sum(len(ua.missed) for ua in a.units.values()),
        sum(len(ua.overdue) for ua in a.units.values()),
        f"总覆盖率 {pct(None if a.coverage is None else a.coverage / 100)}",
        a.today.isoformat(),
    ]
    rows.append(total)
    return rows


def _check_cells(r: CheckResult) -> list[Any]:
    return [r.ok, r.due, None if r.ratio is None else round(100 * r.ratio, 1)]


def as_csv(a: Audit) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel and WPS read the Chinese correctly; CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header())
    for row in table(a):
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- xlsx: the sheet an inspector prints and sends up

TITLE_ROWS = 2  # the sheet's title and the line with the date; the column headings follow
WIDTHS = {"单位编号": 14, "单位名称": 24, "上级单位": 12, "党员数": 7, "得分": 7, "含下级得分": 9, "缺项数": 7}
WIDE = {"未按期的时间节点": 28, "逾期事项": 32, "缺项明细": 60, "统计日期": 11}


def as_xlsx(a: Audit) -> bytes:
    """Two sheets: 督查汇总 (one row per unit, the four checks, the gaps, a totals row and the date; A4 landscape,
    headings frozen and repeated on every printed page) and 缺项明细 (one row per named gap)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    stamp = dt.datetime.combine(a.today, dt.time())
    wb.properties.created = wb.properties.modified = stamp  # the same data and date give the same file
    wb.properties.creator = "cxzy"
    wb.properties.title = f"{a.year} 年度创先争优「四有」督查汇总"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    band = PatternFill("solid", fgColor="F6F1EA")

    ws = wb.active
    assert ws is not None
    ws.title = "督查汇总"
    cols = header()
    ws.append([f"{a.year} 年度创先争优「四有」督查汇总表 · {a.title}"])
    ws.append([f"按 {a.today.isoformat()} 的情况统计；公开范围：{a.audience.value}；{_overall(a.totals, a.coverage, a.score)}"])
    ws.append(cols)
    rows = table(a)
    for row in rows:
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    first, last = TITLE_ROWS + 1, TITLE_ROWS + 1 + len(rows)
    for cells in ws.iter_rows(min_row=first, max_row=last):
        for cell in cells:
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if cell.row == first:
                cell.font = Font(bold=True)
                cell.fill = band
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif cell.row == last:
                cell.font = Font(bold=True)
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
    for i, name in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, WIDE.get(name, 10))
    ws.freeze_panes = f"C{first + 1}"  # the headings and the unit's id and name stay in view
    ws.auto_filter.ref = f"A{first}:{get_column_letter(len(cols))}{last - 1}"  # sort and filter the units, not the totals
    _print_setup(ws, f"{first}:{first}")

    gaps = wb.create_sheet("缺项明细")
    gaps.append(["单位编号", "单位名称", "检查项", "要求", "对象", "缺项", "时限", "统计日期"])
    for ua in a.units.values():
        for item in ua.gaps:
            label = KIND_LABELS[item.kind]
            due = item.due.isoformat() if item.due else ""
            gaps.append([ua.ref.id, ua.ref.name, item.check.value, label, item.subject.name, item.text, due, a.today.isoformat()])
    for cell in gaps[1]:
        cell.font = Font(bold=True)
        cell.fill = band
    for i, width in enumerate((14, 24, 12, 18, 10, 60, 11, 11), start=1):
        gaps.column_dimensions[get_column_letter(i)].width = width
    gaps.freeze_panes = "A2"
    gaps.auto_filter.ref = f"A1:H{gaps.max_row}"
    _print_setup(gaps, "1:1")

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _print_setup(ws: Any, title_rows: str) -> None:
    """A4 landscape, as wide as the page, the headings repeated on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


FORMATS: dict[str, Callable[[Audit], str | bytes]] = {"text": as_text, "json": as_json, "csv": as_csv, "xlsx": as_xlsx}
