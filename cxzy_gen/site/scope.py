"""Who one build is for, and the one audience rule every record, field and name goes through (pure).

The 党务公开条例 levels: 向社会公开 (anyone), 党内公开 (party members), 本单位公开 (one unit: `unit`), 特定对象公开
(named organisations or people: `to`). A build for a unit's board shows that unit's 本单位公开 records and nothing
of another unit's; a build for named readers shows the 特定对象公开 records addressed to them (or to their unit).
Some fields are narrower than their record by default, to protect people: a member's 民主评议 grade and the
reason a nomination was revoked are 党内公开 unless the record says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxzy_gen.records import basics as m  # the audiences without the model's weight: the CLI and build.py import Scope

if TYPE_CHECKING:
    from cxzy_gen.records.dataset import Dataset
    from cxzy_gen.records.models import Record


class ScopeError(ValueError):
    """A build asked for an audience it did not name (no unit, unknown readers): a usage error, in Chinese."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The readers of one build: an audience level, the unit for 本单位公开, the named readers for 特定对象公开."""

    audience: m.Audience = m.Audience.PUBLIC
    unit: str | None = None
    to: tuple[str, ...] = ()
    # The campaign office's own view for `cxzy audit`: every record counts, whatever its audience. Never a site
    # build (no one board is for every reader); only `office()` makes it.
    everything: bool = False

    @classmethod
    def office(cls) -> Scope:
        """The campaign office (创先争优活动办公室) inspecting every unit: it sees every record, whatever its audience."""
        return cls(m.Audience.SPECIFIC, everything=True)


def check_scope(scope: Scope, ds: Dataset) -> None:
    """Raise ScopeError unless the scope names what its audience needs, and only ids the data has."""
    check_readers(scope, ds.units, ds.members)


def check_readers(scope: Scope, units: Container[str], members: Container[str]) -> None:
    """`check_scope` against the unit and member ids of any version of the data (`cxzy diff` reads snapshots)."""
    a = scope.audience
    if scope.everything:
        return
    if a is m.Audience.UNIT and scope.unit is None:
        raise ScopeError("「本单位公开」要用 --unit 指明是哪个单位的公开栏")
    if a is m.Audience.SPECIFIC and not scope.to:
        raise ScopeError("「特定对象公开」要用 --to 指明公开对象（单位或党员编号，可写多个）")
    if scope.unit is not None and a.rank < m.Audience.UNIT.rank:
        raise ScopeError(f"--unit 只用于「本单位公开」或「特定对象公开」，「{a.value}」的公开栏不分单位")
    if scope.to and a is not m.Audience.SPECIFIC:
        raise ScopeError("--to 只用于「特定对象公开」")
    if scope.unit is not None and scope.unit not in units:
        raise ScopeError(f"找不到单位「{scope.unit}」（--unit 写单位编号，即 units/ 下的文件夹名）")
    unknown = [t for t in scope.to if t not in units and t not in members]
    if unknown:
        raise ScopeError(f"找不到公开对象「{'、'.join(unknown)}」（--to 写单位或党员编号）")


def describe(scope: Scope, names: dict[str, str]) -> str:
    """The audience as the page says it: 「本单位公开（一团一连党支部）」. `names` are the units and members the build
    shows; one it does not show is named by its id, so a name never reaches a page through the audience line."""
    if scope.everything:
        return "全部记录（活动办公室督查用，不对外公开）"
    if scope.audience is m.Audience.UNIT and scope.unit:
        return f"{scope.audience.value}（{names.get(scope.unit, scope.unit)}）"
    if scope.audience is m.Audience.SPECIFIC:
        whom = "、".join(names.get(t, t) for t in scope.to)
        board = f"，{names.get(scope.unit, scope.unit)}公开栏" if scope.unit else ""
        return f"{scope.audience.value}（{whom}{board}）"
    return scope.audience.value


# Fields that are narrower than their record unless the record sets their own audience.
PROTECTED_DEFAULT = m.Audience.PARTY


class Readers:
    """The one audience rule: may this build's readers see something of level `level`, kept in `unit`'s folder,
    addressed to `audience_to`? Used for units, members, records and the fields and names inside them."""

    def __init__(self, scope: Scope, unit_of: Callable[[str], str | None]) -> None:
        """`unit_of(id)`: the unit folder of a member id (None for anything else): a member named as a reader
        reads what is addressed to their unit too."""
        self.scope = scope
        self.named = frozenset(scope.to) | {unit for t in scope.to if (unit := unit_of(t)) is not None}

    @classmethod
    def of(cls, scope: Scope, ds: Dataset) -> Readers:
        return cls(scope, lambda t: ds.members[t].folder_unit if t in ds.members else None)

    def may_see(self, level: m.Audience, unit: str, audience_to: list[str] | tuple[str, ...] = ()) -> bool:
        if self.scope.everything:
            return True
        return m.may_see(self.scope.audience, self.scope.unit, self.named, level, unit, audience_to)

    def record(self, record: Record) -> bool:
        from cxzy_gen.records.models import Unit

        home = record.id if isinstance(record, Unit) else record.folder_unit
        return self.may_see(record.level, home, record.audience_to)

    def field(self, record: Record, own: m.Audience | None) -> bool:
        """A protected field of a shown record: its own audience, else 党内公开, never wider than the record."""
        level = max(record.level, own or PROTECTED_DEFAULT, key=lambda x: x.rank)
        home = record.folder_unit
        return self.may_see(level, home, record.audience_to)
