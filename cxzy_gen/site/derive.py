"""Dataset + build date + audience → views: what one build shows, with statuses, 公示 windows and roll-ups (pure).

Same dataset, date and audience in, same views out: nothing here reads the clock, the disk or the environment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from cxzy_gen.records import models as m
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.names import NameFinder, fold, withhold
from cxzy_gen.records.workdays import WorkdayCalendar
from cxzy_gen.site import asof
from cxzy_gen.site.notices import NomineeSource, Notice, build_notices
from cxzy_gen.site.scope import Readers, Scope, check_scope, describe

# ---------------------------------------------------------------- small values


@dataclass(frozen=True, slots=True)
class Ref:
    """A unit or a member as a page names and links it; "external" names a nominee from outside the data (no page)."""

    kind: Literal["unit", "member", "external"]
    id: str
    name: str


class CommitmentStatus(StrEnum):
    """承诺的状态 at the build date."""

    IN_PROGRESS = "进行中"
    DONE = "已完成"
    PARTIAL = "部分完成"
    NOT_DONE = "未完成"
    OVERDUE = "逾期"  # still open, past its deadline
    WITHDRAWN = "已撤回"

    @property
    def key(self) -> str:
        """An ASCII name for style classes."""
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        return self.value


class WindowStatus(StrEnum):
    UPCOMING = "未开始"
    OPEN = "公示中"
    CLOSED = "公示期满"

    @property
    def key(self) -> str:
        return self.name.lower()


def percent(part: float, whole: float) -> str:
    """A share as the board prints it: one decimal place, "—" when there is nothing to divide.

    Rounding never hides a count: a non-zero share below 0.05 % is 「不足 0.1%」, not 0.0 %, and a share short
    of the whole is 「超过 99.9%」, not 100.0 %."""
    if not whole:
        return "—"
    share = 100 * part / whole
    if part > 0 and share < 0.05:
        return "不足 0.1%"
    if part < whole and share >= 99.95:
        return "超过 99.9%"
    return f"{share:.1f}%"


@lru_cache(maxsize=1 << 16)
def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """lian-2 before lian-10: digits compare as numbers."""
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text) if t)


# ---------------------------------------------------------------- record views


@dataclass(slots=True)
class CommitmentView:
    """公开承诺 with its status at the build date."""

    record: m.Commitment
    subject: Ref
    responsible: Ref | None
    status: CommitmentStatus
    days_overdue: int

    @property
    def year(self) -> int:
        return self.record.proposed.year

    @property
    def cause(self) -> str | None:
        """Whether a commitment not (fully) kept failed for 客观原因 or 主观原因, where the outcome says."""
        outcome = self.record.outcome
        if outcome is None or outcome.objective is None:
            return None
        return "客观原因" if outcome.objective else "主观原因"


_RECTIFICATION_KEYS = {
    m.RectificationStatus.OPEN: "not-started",
    m.RectificationStatus.IN_PROGRESS: "in-progress",
    m.RectificationStatus.DONE: "done",
}


@dataclass(slots=True)
class RectificationView:
    """整改事项 with whether it is past its deadline and still open."""

    record: m.Rectification
    overdue: bool
    days_overdue: int

    @property
    def label(self) -> str:
        return "逾期" if self.overdue else self.record.status.value

    @property
    def key(self) -> str:
        return "overdue" if self.overdue else _RECTIFICATION_KEYS[self.record.status]

    @property
    def overdue_note(self) -> str | None:
        """The recorded state beside 逾期, with the days past the deadline."""
        return f"{self.record.status.value}，超过时限 {self.days_overdue} 天" if self.overdue else None


@dataclass(slots=True)
class ReviewView:
    """领导点评 (the 《点评意见表》) with its rectifications."""

    record: m.Review
    target: Ref
    reviewer: Ref | None  # the reviewing leader's own page, when this build shows it
    rectifications: list[RectificationView]

    @property
    def year(self) -> int:
        return self.record.date.year


@dataclass(frozen=True, slots=True)
class Share:
    label: str
    count: int | None  # None where only percentages are published
    percent: str


@dataclass(frozen=True, slots=True)
class TallyView:
    """One appraisal question's votes with their percentages (or the published percentages alone)."""

    title: str
    shares: tuple[Share, ...]
    total: int | None  # None where only percentages are published


@dataclass(slots=True)
class AppraisalView:
    """群众评议: tallies and percentages, never ballots."""

    record: m.Appraisal
    target: Ref
    satisfaction: TallyView | None
    satisfaction_rate: str | None  # 满意 + 比较满意 + 基本满意, of all votes
    dimensions: list[TallyView]  # a member's three questions, or an organisation's 五个好 item by item
    withheld: bool  # fewer than m.MIN_RESPONDENTS: the breakdown is not shown
    groups: list[tuple[str, int]]  # respondents by group (党员, 群众, others), non-empty groups only
    rate_definition: str = m.SATISFACTION_RATE_DEFINITION  # printed next to the rate

    @property
    def year(self) -> int:
        return self.record.date.year


@dataclass(frozen=True, slots=True)
class PublicityWindow:
    """公示期 at the build date: its end (given or counted in working days) and its status."""

    start: dt.date
    end: dt.date
    working_days: int | None
    status: WindowStatus
    days_left: int | None  # while open: calendar days until the end (0 on the last day)

    @property
    def label(self) -> str:
        if self.status is WindowStatus.OPEN:
            return "公示中（今天结束）" if self.days_left == 0 else f"公示中（{self.days_left} 天后结束）"
        return self.status.value


@dataclass(frozen=True, slots=True)
class CommendationState:
    """Where a commendation stands at the build date, decided once here: a style key and the words the board shows.

    Keys: nominated (推荐, no 公示 yet), upcoming (公示 not started), open (公示中), closed (公示期满, no decision yet),
    awarded (已表彰), revoked (已撤销)."""

    key: str
    label: str


@dataclass(slots=True)
class CommendationView:
    """评选表彰, with its 公示 window when it has one and its state at the build date."""

    record: m.Commendation
    nominee: Ref
    nominated_by: Ref
    awarding: Ref
    window: PublicityWindow | None
    state: CommendationState

    @property
    def year(self) -> int:
        return self.record.year

    @property
    def is_open(self) -> bool:
        """公示中 now, and not revoked: objections are being taken."""
        return (
            self.window is not None and self.window.status is WindowStatus.OPEN and self.record.status is not m.CommendationStatus.REVOKED
        )


# ---------------------------------------------------------------- roll-ups


@dataclass(slots=True)
class Tally:
    """A roll-up: commitments made and kept, reviews done, appraisals held, commendations."""

    commitments: int = 0
    kept: int = 0
    partial: int = 0
    not_kept: int = 0
    overdue: int = 0
    in_progress: int = 0
    reviews: int = 0
    appraisals: int = 0
    commendations: int = 0  # awarded (已表彰)
    rectifications: int = 0
    rectifications_done: int = 0
    rectifications_overdue: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def kept_percent(self) -> str:
        return percent(self.kept, self.commitments)


# ---------------------------------------------------------------- units and members


@dataclass(slots=True)
class UnitRecords:
    """Everything about one unit and its members that this build shows."""

    commitments: list[CommitmentView] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)
    appraisals: list[AppraisalView] = field(default_factory=list)
    received: list[CommendationView] = field(default_factory=list)  # the unit or its members commended
    awarded: list[CommendationView] = field(default_factory=list)  # commendations this unit makes (its 公示)


@dataclass(slots=True)
class UnitView:
    unit: m.Unit
    ref: Ref
    parent: Ref | None  # the nearest ancestor this build shows
    ancestors: list[Ref]  # from the top down to the parent
    children: list[Ref]
    depth: int
    secretary: Ref | None
    members: list[Ref]
    records: UnitRecords
    by_year: dict[int, Tally]  # this unit and its members, per year
    subtree: Tally  # this unit and everything under it, campaign year


@dataclass(slots=True)
class UnitHead:
    """A unit as the pages about something else show it (组织架构, the year's table, a member's page): its `UnitView` but
    for its members and records (the same objects), so such a page's hash (`reuse`) does not follow every record of the
    unit, and a change to one record does not render every member's page again."""

    unit: m.Unit
    ref: Ref
    parent: Ref | None
    ancestors: list[Ref]
    children: list[Ref]
    depth: int
    secretary: Ref | None
    by_year: dict[int, Tally]
    subtree: Tally


@dataclass(slots=True)
class MemberView:
    member: m.Member
    ref: Ref
    unit: Ref
    commitments: list[CommitmentView] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)
    appraisals: list[AppraisalView] = field(default_factory=list)
    commendations: list[CommendationView] = field(default_factory=list)


@dataclass
class Views:
    """What one build shows: every list is in a fixed order, so pages come out the same every time."""

    site: m.Site
    today: dt.date
    audience: m.Audience
    scope: Scope
    audience_label: str  # the readers as pages name them: 本单位公开（一团一连党支部）
    audience_notice: str | None  # on top of every page (and sheet) of a build narrower than 向社会公开
    units: dict[str, UnitView]  # in tree order (depth first, children by id)
    heads: dict[str, UnitHead]  # the same units, in the same order, without their members and records
    roots: list[str]
    members: dict[str, MemberView]
    commitments: list[CommitmentView]
    reviews: list[ReviewView]
    appraisals: list[AppraisalView]
    commendations: list[CommendationView]
    notices: list[Notice]  # 公示 notices, one per issuing organisation and batch
    years: dict[int, Tally]  # the whole site per year, newest first
    campaign: Tally  # site.campaign_year
    warnings: list[str]
    # Data files (as records name them) every record of which this build shows: only commits confined to
    # these may show their free-text message, which could speak of any record in the files they touched.
    open_files: frozenset[str] = frozenset()
    # The ids (case-folded) of every unit, member and record this build shows: what a commit changed is shown with
    # its message and author only where it changed one of these (`history.HistoryReaders`).
    shown_ids: frozenset[str] = frozenset()
    root: Path | None = None  # the data folder: photos beside records are read from it when the pages are written
    # The names only members this build hides have: withheld wherever history text (authors, approvers, messages)
    # would print them (`plan`), as in the records themselves.
    hidden_names: NameFinder = field(default_factory=lambda: NameFinder(()))


# ---------------------------------------------------------------- the derivation


def derive(ds: Dataset, today: dt.date, scope: Scope | m.Audience = m.Audience.PUBLIC) -> Views:
    """The views of `ds` for a build on `today` for the readers `scope` names (a bare level for 向社会公开 and 党内公开).

    Raises ScopeError when a 本单位公开 build names no unit or a 特定对象公开 build no readers."""
    if isinstance(scope, m.Audience):
        scope = Scope(scope)
    check_scope(scope, ds)
    audience = scope.audience
    calendar = WorkdayCalendar.for_site(ds.site)
    shown = _Visibility(ds, Readers.of(scope, ds))

    # As of `today` first (a record proposed later does not exist yet), then what these readers may see.
    commitments = [_commitment(shown.redact(c), shown, today) for c in _as_of(ds.commitments, asof.commitment, today) if shown.record(c)]
    reviews = [_review(shown.redact(r), shown, today) for r in _as_of(ds.reviews, asof.review, today) if shown.record(r)]
    appraisals = [_appraisal(shown.redact(a), shown) for a in _as_of(ds.appraisals, asof.appraisal, today) if shown.record(a)]
    commendations = [
        _commendation(shown.redact(h), shown, today, calendar)
        for h in _as_of(ds.commendations, asof.commendation, today)
        if shown.record(h)
    ]

    units, roots = _unit_tree(ds, shown)
    members = {
        mid: MemberView(shown.redact(ds.members[mid]), shown.refs[mid], shown.refs[ds.members[mid].folder_unit]) for mid in shown.members
    }
    records: dict[str, UnitRecords] = {uid: UnitRecords() for uid in units}
    for c in commitments:
        records[c.record.folder_unit].commitments.append(c)
        if c.subject.kind == "member":
            members[c.subject.id].commitments.append(c)
    for r in reviews:
        records[r.record.folder_unit].reviews.append(r)
        if r.target.kind == "member":
            members[r.target.id].reviews.append(r)
    for a in appraisals:
        records[a.record.folder_unit].appraisals.append(a)
        if a.target.kind == "member":
            members[a.target.id].appraisals.append(a)
    for h in commendations:
        records[h.awarding.id].awarded.append(h)
        if h.nominee.kind == "external":
            continue
        home = h.nominee.id if h.nominee.kind == "unit" else members[h.nominee.id].unit.id
        records[home].received.append(h)
        if h.nominee.kind == "member":
            members[h.nominee.id].commendations.append(h)

    by_year = {uid: _tallies(recs) for uid, recs in records.items()}
    years: dict[int, Tally] = defaultdict(Tally)
    for tallies in by_year.values():
        for year, tally in tallies.items():
            years[year].add(tally)
    campaign_year = ds.site.campaign_year
    subtree = _subtree_tallies(units, by_year, campaign_year)

    member_refs: dict[str, list[Ref]] = defaultdict(list)
    for mv in members.values():
        member_refs[mv.unit.id].append(mv.ref)
    unit_views: dict[str, UnitView] = {}
    for uid, (unit, parent, ancestors, children, depth) in units.items():
        secretary = shown.refs.get(unit.secretary) if unit.secretary in members else None
        unit_views[uid] = UnitView(
            unit, shown.refs[uid], parent, ancestors, children, depth, secretary, member_refs[uid], records[uid], by_year[uid], subtree[uid]
        )

    shown_units = {uid: view.unit for uid, view in unit_views.items()}
    shown_members = {mid: view.member for mid, view in members.items()}
    notices = build_notices(
        [_notice_source(h, h.window) for h in commendations if h.window is not None],
        shown_units,
        shown_members,
        ds.site,
        audience,
        today,
        calendar,
    )

    warnings = calendar.warnings()
    # By id, not identity: a view holds the record as of the build date, often a trimmed copy.
    kept = (
        {v.record.id for views in (commitments, reviews, appraisals, commendations) for v in views} | set(shown.units) | set(shown.members)
    )
    label = describe(scope, {key: ref.name for key, ref in shown.refs.items()})
    return Views(
        site=ds.site,
        today=today,
        audience=audience,
        scope=scope,
        audience_label=label,
        audience_notice=None if audience is m.Audience.PUBLIC else f"{label}：本页内容只在此范围内公开，请勿超出范围张贴、转发",
        units=unit_views,
        heads={uid: _head(view) for uid, view in unit_views.items()},
        roots=roots,
        members=members,
        commitments=commitments,
        reviews=reviews,
        appraisals=appraisals,
        commendations=commendations,
        notices=notices,
        years=dict(sorted(years.items(), reverse=True)),
        campaign=years.get(campaign_year, Tally()),
        warnings=warnings,
        open_files=_open_files(ds, kept),
        shown_ids=frozenset(key.casefold() for key in kept),
        hidden_names=shown.hidden_names,
        root=ds.root,
    )


def _head(view: UnitView) -> UnitHead:
    return UnitHead(view.unit, view.ref, view.parent, view.ancestors, view.children, view.depth, view.secretary, view.by_year, view.subtree)


def _open_files(ds: Dataset, kept: set[str]) -> frozenset[str]:
    """The data files none of whose records this build hides (the audience rule for history text)."""
    closed = {r.source_file for r in ds.records() if r.id not in kept}
    return frozenset(path for path in ds.documents if path not in closed)


R = TypeVar("R", bound=m.Record)


# What a page prints in place of a name its readers may not see.
WITHHELD = "（不在本公开范围）"


def _as_of(records: list[R], at: Callable[[R, dt.date], R | None], today: dt.date) -> Iterator[R]:
    """The records as they stood on `today`, leaving out those that did not exist yet."""
    for record in records:
        then = at(record, today)
        if then is not None:
            yield then


class _Visibility:
    """Which units, members and records a build shows, by the one audience rule of `scope.Readers`.

    A member shows only with their unit; a record only with its unit and with the units and members it is shown
    with (`Record.shown_with`), so no name from a narrower record reaches the page through a broader one.
    Protected fields (a 民主评议 grade, the reason a nomination was revoked) and the names of hidden members are
    taken out of what this build shows (`redact`): a person a record names as such (a reviewer, who signed,
    checked or verified, `models.NameOf`) by their member id where the record gives it, else by a name no shown
    member has; and, as a safety net behind the rule E-NAME, such a name inside free text.
    """

    def __init__(self, ds: Dataset, readers: Readers) -> None:
        self.readers = readers
        self.units = {uid for uid, u in ds.units.items() if readers.record(u)}
        self.members = [mid for mid, p in ds.members.items() if readers.record(p) and p.folder_unit in self.units]
        member_set = set(self.members)
        self.refs: dict[str, Ref] = {uid: Ref("unit", uid, ds.units[uid].name) for uid in self.units}
        self.refs.update({mid: Ref("member", mid, ds.members[mid].name) for mid in member_set})
        # Members and units this build does not show: their names must not appear as text either, unless a shown
        # member or unit has the same name (it then tells nothing). Hidden by identity: a shown member is never
        # hidden by their name.
        self.any_hidden = len(member_set) < len(ds.members) or len(self.units) < len(ds.units)
        if self.any_hidden:
            shown_names = [ds.members[mid].name for mid in member_set] + [ds.units[uid].name for uid in self.units]
            seen = set(map(fold, shown_names))
            hidden = {fold(p.name) for mid, p in ds.members.items() if mid not in member_set}
            hidden |= {fold(u.name) for uid, u in ds.units.items() if uid not in self.units}
            first = NameFinder(hidden - seen)
            longer = [name for name in shown_names if first and first.find(name)]
            self.hidden_names = NameFinder(first.names, longer)
        else:
            self.hidden_names = NameFinder(())

    def record(self, record: m.Record) -> bool:
        if not (self.readers.record(record) and record.folder_unit in self.units):
            return False
        for name in type(record).shown_with:
            ref = getattr(record, name)
            if ref is not None and ref not in self.refs:
                return False
        return True

    def redact(self, record: R) -> R:
        """The record without the fields and names this build's readers may not see."""
        changes: dict[str, Any] = {}
        if isinstance(record, m.Appraisal) and not self.readers.field(record, record.grade_audience):
            # The votes per grade tell the grade: they go with it.
            changes.update({key: None for key in ("grade", "grade_votes") if getattr(record, key) is not None})
        if (
            isinstance(record, m.Commendation)
            and record.revoked_reason is not None
            and not self.readers.field(record, record.revoked_reason_audience)
        ):
            changes["revoked_reason"] = None
        if changes:
            record = record.model_copy(update=changes)
        return self._names(record) if self.any_hidden else record

    def _names(self, record: R) -> R:
        """Every person's name and every free text of `record` without the hidden members' names."""
        reviewer = record.reviewer if isinstance(record, m.Review) else None
        reviewer_hidden = reviewer is not None and reviewer.member is not None and reviewer.member not in self.refs
        updates: list[tuple[tuple[str | int, ...], Any]] = []
        for keys, _, text, kind in m.texts(record):
            member = getattr(_at(record, keys[:-1]), "member", None) if kind == "person" else None
            if member is not None and member not in self.refs:  # a person with a member id (a reviewer): by identity
                updates += [(keys, WITHHELD), ((*keys[:-1], "member"), None)]
            elif reviewer_hidden and keys == ("signature", "by") and reviewer is not None and fold(text) == fold(reviewer.name):
                updates.append((keys, WITHHELD))  # the hidden reviewer's own signature
            elif self.hidden_names:
                new = withhold(text, self.hidden_names, WITHHELD)
                if new != text:
                    updates.append((keys, new))
        for keys, value in updates:
            record = _put(record, keys, value)
        return record


def _at(value: Any, keys: tuple[str | int, ...]) -> Any:
    for key in keys:
        value = value[key] if isinstance(key, int) else getattr(value, key)
    return value


def _put(value: Any, keys: tuple[str | int, ...], new: Any) -> Any:
    """A copy of `value` (a model, a list) with `new` at `keys`; what is not on the way is shared, not copied."""
    if not keys:
        return new
    key, rest = keys[0], keys[1:]
    if isinstance(key, int):
        out = list(value)
        out[key] = _put(value[key], rest, new)
        return out
    return value.model_copy(update={key: _put(getattr(value, key), rest, new)})


def _commitment(c: m.Commitment, shown: _Visibility, today: dt.date) -> CommitmentView:
    overdue = 0
    if c.withdrawn is not None:
        status = CommitmentStatus.WITHDRAWN
    elif c.outcome is not None:
        status = CommitmentStatus(c.outcome.result.value)
    elif today > c.deadline:
        status, overdue = CommitmentStatus.OVERDUE, (today - c.deadline).days
    else:
        status = CommitmentStatus.IN_PROGRESS
    responsible = shown.refs.get(c.responsible) if c.responsible else None
    return CommitmentView(c, shown.refs[c.subject], responsible, status, overdue)


def _review(r: m.Review, shown: _Visibility, today: dt.date) -> ReviewView:
    items = []
    for x in r.rectifications:
        late = x.status is not m.RectificationStatus.DONE and today > x.deadline
        items.append(RectificationView(x, late, (today - x.deadline).days if late else 0))
    reviewer = shown.refs.get(r.reviewer.member) if r.reviewer.member else None
    return ReviewView(r, shown.refs[r.target], reviewer, items)


def _tally_view(title: str, tally: m.Tally, percent_only: bool) -> TallyView:
    grades = tally.grades()
    if percent_only:
        return TallyView(title, tuple(Share(label, None, f"{v:g}%") for label, v in grades), None)
    total = int(tally.total)
    return TallyView(title, tuple(Share(label, int(n), percent(n, total)) for label, n in grades), total)


def _appraisal(a: m.Appraisal, shown: _Visibility) -> AppraisalView:
    r = a.respondents
    groups = [(label, n) for label, n in (("党员", r.members), ("群众", r.non_members), *((g.name, g.count) for g in r.groups)) if n]
    if r.total < m.MIN_RESPONDENTS:
        return AppraisalView(a, shown.refs[a.target], None, None, [], True, groups)
    satisfaction = rate = None
    if a.satisfaction is not None:
        satisfaction = _tally_view("群众满意度测评", a.satisfaction, a.percent_only)
        s = a.satisfaction
        satisfied = s.satisfied_votes
        rate = f"{satisfied:.1f}%" if a.percent_only else percent(satisfied, s.total)
    dimensions = []
    for prefix, model in (("", a.dimensions), ("五个好 · ", a.five_good)):
        if model is None:
            continue
        for name, info in type(model).model_fields.items():
            tally = getattr(model, name)
            if tally is not None:
                dimensions.append(_tally_view(prefix + (info.title or name), tally, a.percent_only))
    if a.grade_votes is not None:
        dimensions.append(_tally_view("民主评议等次（票数）", a.grade_votes, a.percent_only))
    return AppraisalView(a, shown.refs[a.target], satisfaction, rate, dimensions, False, groups)


def publicity_window(w: m.Window, today: dt.date, calendar: WorkdayCalendar) -> PublicityWindow:
    """The window's end (the given date, or the last of its working days) and its status on `today`."""
    end = calendar.window_end(w)
    if today < w.start:
        return PublicityWindow(w.start, end, w.working_days, WindowStatus.UPCOMING, None)
    if today <= end:
        return PublicityWindow(w.start, end, w.working_days, WindowStatus.OPEN, (end - today).days)
    return PublicityWindow(w.start, end, w.working_days, WindowStatus.CLOSED, None)


def commendation_state(h: m.Commendation, window: PublicityWindow | None) -> CommendationState:
    """The one place that words a commendation's state (the record is already as of the build date)."""
    if h.status is m.CommendationStatus.REVOKED:
        return CommendationState("revoked", "已撤销")
    if h.status is m.CommendationStatus.AWARDED:
        return CommendationState("awarded", f"已表彰（{h.decision}）" if h.decision else "已表彰")
    if window is None:
        return CommendationState("nominated", "已推荐，尚未公示")
    if window.status is WindowStatus.UPCOMING:
        return CommendationState("upcoming", f"将于 {window.start.isoformat()} 开始公示")
    if window.status is WindowStatus.OPEN:
        return CommendationState("open", window.label)
    return CommendationState("closed", "公示期满，待作出表彰决定")


def _commendation(h: m.Commendation, shown: _Visibility, today: dt.date, calendar: WorkdayCalendar) -> CommendationView:
    window = publicity_window(h.publicity, today, calendar) if h.publicity else None
    awarding = shown.refs[h.awarding_unit or h.folder_unit]
    if h.nominee is not None:
        nominee = shown.refs[h.nominee]
    else:
        assert h.external is not None, "validated: a nominee or an external one"
        nominee = Ref("external", "", f"{h.external.name}（{h.external.unit}）")
    return CommendationView(h, nominee, shown.refs[h.nominated_by], awarding, window, commendation_state(h, window))


def _notice_source(h: CommendationView, w: PublicityWindow) -> NomineeSource:
    return NomineeSource(
        h.record,
        h.nominee.kind,
        h.nominee.id,
        h.nominee.name,
        h.nominated_by.name,
        h.awarding.id,
        h.awarding.name,
        w.start,
        w.end,
        w.status.key,
        w.label,
        w.days_left,
    )


def _unit_tree(ds: Dataset, shown: _Visibility) -> tuple[dict[str, tuple[m.Unit, Ref | None, list[Ref], list[Ref], int]], list[str]]:
    """The shown units in tree order. A unit whose parent is not shown hangs under its nearest shown ancestor."""

    def shown_parent(uid: str) -> str | None:
        seen = {uid}
        parent = ds.units[uid].parent
        while parent is not None and parent not in shown.units and parent not in seen:
            seen.add(parent)
            parent = ds.units[parent].parent if parent in ds.units else None
        return parent if parent in shown.units else None

    children: dict[str | None, list[str]] = defaultdict(list)
    for uid in shown.units:
        children[shown_parent(uid)].append(uid)
    for kids in children.values():
        kids.sort(key=natural_key)

    out: dict[str, tuple[m.Unit, Ref | None, list[Ref], list[Ref], int]] = {}
    stack: list[tuple[str, list[Ref]]] = [(uid, []) for uid in reversed(children[None])]
    while stack:
        uid, ancestors = stack.pop()
        kids = children.get(uid, [])
        out[uid] = (
            shown.redact(ds.units[uid]),
            ancestors[-1] if ancestors else None,
            ancestors,
            [shown.refs[k] for k in kids],
            len(ancestors),
        )
        below = [*ancestors, shown.refs[uid]]
        stack.extend((k, below) for k in reversed(kids))
    return out, children[None]


def _tallies(recs: UnitRecords) -> dict[int, Tally]:
    """One unit's roll-up per year (its own records and its members')."""
    years: dict[int, Tally] = defaultdict(Tally)
    for c in recs.commitments:
        if c.status is CommitmentStatus.WITHDRAWN:
            continue
        t = years[c.year]
        t.commitments += 1
        t.kept += c.status is CommitmentStatus.DONE
        t.partial += c.status is CommitmentStatus.PARTIAL
        t.not_kept += c.status is CommitmentStatus.NOT_DONE
        t.overdue += c.status is CommitmentStatus.OVERDUE
        t.in_progress += c.status is CommitmentStatus.IN_PROGRESS
    for r in recs.reviews:
        if r.record.withdrawn is not None:
            continue
        t = years[r.year]
        t.reviews += 1
        t.rectifications += len(r.rectifications)
        t.rectifications_done += sum(x.record.status is m.RectificationStatus.DONE for x in r.rectifications)
        t.rectifications_overdue += sum(x.overdue for x in r.rectifications)
    for a in recs.appraisals:
        if a.record.withdrawn is None:
            years[a.year].appraisals += 1
    for h in recs.received:
        if h.record.status is m.CommendationStatus.AWARDED:
            years[h.year].commendations += 1
    return dict(sorted(years.items(), reverse=True))


def _subtree_tallies(
    units: dict[str, tuple[m.Unit, Ref | None, list[Ref], list[Ref], int]],
    by_year: dict[str, dict[int, Tally]],
    year: int,
) -> dict[str, Tally]:
    """Each unit's campaign-year roll-up including every unit under it (children before parents)."""
    totals: dict[str, Tally] = {}
    for uid in reversed(units):  # tree order reversed: every child comes before its parent
        total = Tally()
        own = by_year[uid].get(year)
        if own:
            total.add(own)
        for child in units[uid][3]:
            total.add(totals[child.id])
        totals[uid] = total
    return totals


# ---------------------------------------------------------------- the line at the top of a page


@dataclass(frozen=True, slots=True)
class Headline:
    """What a reader sees first on a unit or member page: one year's figures and the sentence that says them."""

    year: int
    commitments: int
    kept: int
    in_progress: int
    overdue: int
    partial: int  # 部分完成
    not_kept: int  # 未完成
    reviews: int
    rectifications_open: int
    satisfaction: str | None  # the latest 群众满意度 (满意 + 比较满意 + 基本满意) that year
    grade: str | None  # a member's 民主评议等次 that year
    commendations: int
    rate_definition: str = m.SATISFACTION_RATE_DEFINITION  # printed with the rate

    @property
    def text(self) -> str:
        parts = [f"{self.year} 年 {self.commitments} 项承诺"]
        if self.commitments:
            parts.append(f"{self.kept} 项已完成")
            if self.in_progress:
                parts.append(f"{self.in_progress} 项进行中")
            if self.overdue:
                parts.append(f"{self.overdue} 项逾期")
            if self.partial:
                parts.append(f"{self.partial} 项部分完成")
            if self.not_kept:
                parts.append(f"{self.not_kept} 项未完成")
        if self.satisfaction:
            parts.append(f"群众满意率 {self.satisfaction}")
        if self.grade:
            parts.append(f"民主评议等次 {self.grade}")
        return "，".join(parts) + "。"


def headline(by_year: dict[int, Tally], appraisals: list[AppraisalView], target: str, year: int) -> Headline | None:
    """The figures of `year` (else the latest year with records) for a unit or member page; None without any record."""
    if year not in by_year:
        if not by_year:
            return None
        year = max(by_year)
    t = by_year[year]
    own = [a for a in appraisals if a.target.id == target and a.year == year and a.record.withdrawn is None]
    own.sort(key=lambda a: a.record.date)
    rates = [a.satisfaction_rate for a in own if a.satisfaction_rate]
    grades = [a.record.grade.value for a in own if a.record.grade is not None]
    return Headline(
        year=year,
        commitments=t.commitments,
        kept=t.kept,
        in_progress=t.in_progress,
        overdue=t.overdue,
        partial=t.partial,
        not_kept=t.not_kept,
        reviews=t.reviews,
        rectifications_open=t.rectifications - t.rectifications_done,
        satisfaction=rates[-1] if rates else None,
        grade=grades[-1] if grades else None,
        commendations=t.commendations,
    )


def member_tallies(mv: MemberView) -> dict[int, Tally]:
    """One member's roll-up per year, counted as a unit's is."""
    return _tallies(UnitRecords(commitments=mv.commitments, reviews=mv.reviews, appraisals=mv.appraisals, received=mv.commendations))
