"""One cell's text or value → a data value, the way people type it in Excel and WPS (dates five ways, 是/否, lists with 、)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug puts day 0 here)


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and says what was expected."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text: numbers without a needless .0, dates as YYYY-MM-DD, white space trimmed."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),  # 2011-03-05, 2011/3/5, 2011.3.5
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),  # 2011年3月5日
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20110305
]


def date(value: Any) -> dt.date:
    """A date typed as 2011/3/5, 2011-03-05, 2011年3月5日, 2011.3.5, stored by Excel as a date, or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"「{text(value)}」不是日期")
    s = text(value).replace("．", ".").replace("－", "-").replace("／", "/")
    if s.isdigit() and len(s) <= 6:  # a serial number that came through CSV as text
        return date(int(s))
    for pattern in _DATE_PATTERNS:
        found = pattern.match(s)
        if found:
            try:
                return dt.date(*(int(g) for g in found.groups()))
            except ValueError:
                raise CellError(f"「{s}」不是存在的日期") from None
    raise CellError(f"「{s}」不是日期（提示：写成 2011-03-05、2011/3/5、2011.3.5 或 2011年3月5日）")


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),  # 1975-03, 1975/3, 1975.3
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?$"),  # 1975年3月
    re.compile(r"^(\d{4})(\d{2})$"),  # 197503
]


def year_month(value: Any, *, year_alone: bool = False) -> str:
    """出生年月 and 入党时间 as YYYY-MM (or YYYY when `year_alone` and only a year is given).

    A cell typed 1975.10 that Excel keeps as the number 1975.1 is read as October, as people mean it.
    """
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, float) and not value.is_integer():
        year = int(value)
        month = round((value - year) * 100)
        if 1 <= month <= 12:
            return f"{year}-{month:02d}"
        raise CellError(f"「{text(value)}」不是年月（提示：写成 1975-03 或 1975.03）")
    s = text(value).replace("．", ".").replace("－", "-")
    if year_alone and re.fullmatch(r"\d{4}(\s*年)?", s):
        return s[:4]
    for pattern in _MONTH_PATTERNS:
        found = pattern.match(s)
        if found:
            year, month = int(found.group(1)), int(found.group(2))
            if 1 <= month <= 12:
                return f"{year}-{month:02d}"
    full = next((p.match(s) for p in _DATE_PATTERNS if p.match(s)), None)
    if full:  # a whole date where a month is asked for: keep the month
        return f"{int(full.group(1))}-{int(full.group(2)):02d}"
    hint = "写成 1998-07 或只写年份 1998" if year_alone else "写成 1975-03、1975.03 或 1975年3月"
    raise CellError(f"「{s}」不是年月（提示：{hint}）")


def integer(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(f"「{text(value)}」不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = text(value).replace(",", "").replace("，", "")
    if re.fullmatch(r"-?\d{1,9}", s):
        return int(s)
    raise CellError(f"「{s}」不是整数")


def amount(value: Any) -> int | float:
    """A vote count, or a percentage (with or without %) where only percentages are published."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else float(value)
    s = text(value).rstrip("%％").strip()
    try:
        number = float(s)
    except ValueError:
        raise CellError(f"「{text(value)}」不是数") from None
    return int(number) if number.is_integer() else number


TRUE = {"是", "√", "✓", "✔", "true", "True", "TRUE", "y", "Y", "yes", "1", "有"}
FALSE = {"否", "×", "✗", "false", "False", "FALSE", "n", "N", "no", "0", "无"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = text(value)
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise CellError(f"「{s}」应填「是」或「否」")


def items(value: Any) -> list[str]:
    """A list typed in one cell: 带头致富、维护团场连队稳定 (、，,；; or new lines between items)."""
    return [part.strip() for part in re.split(r"[、，,；;\n]+", text(value)) if part.strip()]


def choice(value: Any, allowed: tuple[str, ...]) -> str:
    s = re.sub(r"\s+", "", text(value))
    if s in allowed:
        return s
    raise CellError(f"「{text(value)}」不在可选的取值中：{'、'.join(allowed)}")
