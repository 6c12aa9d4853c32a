"""Working days (工作日) by China's official holiday calendar, for 公示 windows given as a number of working days.

The calendar is the maintained `chinesecalendar` package (import name `chinese_calendar`), which knows the
State Council's holidays and the weekend days that are worked in lieu (调休). For a date outside the years it
covers, Monday–Friday stands in, and the calendar says so once, so the build can warn.

On top of it, a site's region adds the regional public holidays the national calendar does not have
(`site.yaml` `region`), and `extra_holidays` / `extra_workdays` follow each year's official notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar

from cxzy_gen.records import models as m

# Regional public holidays, from the regional government's notice for each year. 新疆: 《新疆维吾尔自治区
# 全民节日及纪念日放假办法》 gives 肉孜节 one day and 古尔邦节 three; the dates follow the Islamic calendar and
# are announced each year by 自治区人民政府办公厅. 2011: 肉孜节 8月31日, 古尔邦节 11月6日至8日 (the notice
# for 2011). Years not listed here must be given in site.yaml `extra_holidays` from that year's notice; the
# build warns when a site in the region is built for such a year.
REGIONAL_HOLIDAYS: dict[str, dict[int, tuple[tuple[str, dt.date, dt.date], ...]]] = {
    "新疆": {
        2011: (
            ("肉孜节", dt.date(2011, 8, 31), dt.date(2011, 8, 31)),
            ("古尔邦节", dt.date(2011, 11, 6), dt.date(2011, 11, 8)),
        ),
    },
}


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


@dataclass
class WorkdayCalendar:
    """Answers "is this a working day?" and remembers the years it had to guess (Monday–Friday, or no regional table)."""

    region: str | None = None
    extra_holidays: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()
    guessed_years: set[int] = field(default_factory=set)
    unlisted_region_years: set[int] = field(default_factory=set)

    @classmethod
    def for_site(cls, site: m.Site) -> WorkdayCalendar:
        """The calendar a site counts its 公示 windows and deadlines by."""
        return cls(site.region, frozenset(site.extra_holidays), frozenset(site.extra_workdays))

    def regional_holidays(self, year: int) -> set[dt.date]:
        if self.region is None:
            return set()
        listed = REGIONAL_HOLIDAYS.get(self.region, {}).get(year)
        if listed is None:
            if not any(d.year == year for d in self.extra_holidays):
                self.unlisted_region_years.add(year)
            return set()
        return {d for _, first, last in listed for d in _days(first, last)}

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays or day in self.regional_holidays(day.year):
            return False
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

    def warnings(self) -> list[str]:
        """Build warnings: the years counted as Monday–Friday, and the years the region's holidays are not known for."""
        found = []
        if self.guessed_years:
            years = "、".join(str(y) for y in sorted(self.guessed_years))
            found.append(
                f"{years} 年不在节假日日历（chinesecalendar {_version()}）的范围内，"
                "这些年份的公示期按周一至周五为工作日计算（提示：升级 chinesecalendar 后重新生成）"
            )
        if self.unlisted_region_years:
            years = "、".join(str(y) for y in sorted(self.unlisted_region_years))
            found.append(
                f"{self.region} {years} 年的地方节日（如肉孜节、古尔邦节）不在内置表中，公示期没有扣除这些节日"
                "（提示：按当年的放假通知在 site.yaml 的 extra_holidays 里写明放假日期）"
            )
        return found


def _version() -> str:
    return getattr(chinese_calendar, "__version__", "")
