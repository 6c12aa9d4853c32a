"""Working days (工作日) by China's official holiday calendar, for 公示 windows given as a number of working days.

The calendar is the maintained `chinesecalendar` package (import name `chinese_calendar`), which knows the
State Council's holidays and the weekend days that are worked in lieu (调休). For a date outside the years it
covers, Monday–Friday stands in, and the calendar says so once, so the build can warn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar

from cxzy_gen.records import models as m


@dataclass
class WorkdayCalendar:
    """Answers "is this a working day?" and remembers the years it had to guess (Monday–Friday)."""

    guessed_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package has no official calendar for
            self.guessed_years.add(day.year)
            return day.weekday() < 5

    def nth_workday(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day counted from `start` (the start itself counts when it is a working day)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == n:
                    return day
            day += dt.timedelta(days=1)

    def count(self, first: dt.date, last: dt.date) -> int:
        """How many working days from `first` to `last`, both included."""
        return sum(self.is_workday(first + dt.timedelta(days=i)) for i in range((last - first).days + 1))

    def window_end(self, window: m.Window) -> dt.date:
        """A 公示 window's last day: the end it gives, else the last of its working days."""
        return window.end if window.end is not None else self.nth_workday(window.start, window.working_days or 1)

    def warning(self) -> str | None:
        """One build warning naming the years counted as Monday–Friday, or None."""
        if not self.guessed_years:
            return None
        years = "、".join(str(y) for y in sorted(self.guessed_years))
        return (
            f"{years} 年不在节假日日历（chinesecalendar {_version()}）的范围内，"
            "这些年份的公示期按周一至周五为工作日计算（提示：升级 chinesecalendar 后重新生成）"
        )


def _version() -> str:
    return getattr(chinese_calendar, "__version__", "")
