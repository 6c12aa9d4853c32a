"""What a build needs before it reads any record, without the model's weight (pydantic): the audiences, the id
pattern and the years a date may fall in. `models` and `rules` take these from here, so there is one of each."""

from __future__ import annotations

import re
from enum import StrEnum

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
ID_RE = re.compile(ID_PATTERN)
# Every date in the data falls in these years: the party's founding to the end of the century. A year 9999
# (or 0001) is a typing slip, and computing 公示 windows and deadlines from it would overflow.
MIN_YEAR, MAX_YEAR = 1921, 2100
MAX_FILE_BYTES = 4 * 1024 * 1024  # a data file larger than this is refused unread


class Audience(StrEnum):
    """公开范围, from the broadest to the narrowest (党务公开条例 2017)."""

    PUBLIC = "向社会公开"
    PARTY = "党内公开"
    UNIT = "本单位公开"
    SPECIFIC = "特定对象公开"

    @property
    def rank(self) -> int:
        """0 for the broadest audience; a build for rank r shows records of rank ≤ r."""
        return _RANKS[self]

    @property
    def mark(self) -> str | None:
        """The mark a record of this audience carries on screen and on paper; none for 向社会公开."""
        return None if self is Audience.PUBLIC else self.value


_RANKS = {level: rank for rank, level in enumerate(Audience)}  # (asked for every record a build shows)


def may_see(
    reader: Audience,
    reader_unit: str | None,
    named: frozenset[str] | set[str],
    level: Audience,
    home: str,
    audience_to: list[str] | tuple[str, ...] = (),
) -> bool:
    """The one audience rule: may readers of level `reader` (the board of `reader_unit`; the units and members
    `named` as readers, each member with their unit) see something of level `level`, kept in `home`'s folder,
    addressed to `audience_to`? `site.scope.Readers` asks it for a build, the validation rule E-NAME for every
    reader a record could have."""
    if level is Audience.PUBLIC:
        return True
    if level is Audience.PARTY:
        return reader.rank >= Audience.PARTY.rank
    if level is Audience.UNIT:
        return reader.rank >= Audience.UNIT.rank and reader_unit is not None and home == reader_unit
    return reader is Audience.SPECIFIC and not named.isdisjoint(audience_to)
