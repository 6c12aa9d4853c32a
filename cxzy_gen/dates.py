"""China's date: the one calendar every date in cxzy is read in, whatever time zone the machine or a commit uses.

A board speaks as of a day in China (Asia/Shanghai, UTC+8 all year: no daylight saving since 1991). A CI runner
on UTC, or a merge made by a forge whose server runs on UTC, would otherwise date a change made between 00:00
and 08:00 Beijing time to the day before.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def china_date(moment: dt.datetime) -> dt.date:
    """The day in China at a moment (a naive moment is taken as China time)."""
    return moment.astimezone(CHINA).date() if moment.tzinfo is not None else moment.date()


def today_in_china() -> dt.date:
    """Today's date in China, wherever the program runs."""
    return dt.datetime.now(CHINA).date()
