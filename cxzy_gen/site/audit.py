"""督查: the 四有 checks, 全覆盖, milestones, overdue items, 补课 and reminders per unit and up the tree (pure).

Fed by the views of one build (`derive`), so an inspection sees exactly what that audience may see, as of
the views' date: nothing dated after it counts. Every finding is an `Item` — one thing the notice asks for,
about one unit, member, record or review — that is met (ok), missing (gap) or not yet due (pending). A
check's coverage is ok / (ok + gap); pending items are not counted, they are the reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from cxzy_gen.records import models as m
from cxzy_gen.records.rules import quota_allowed
from cxzy_gen.records.validate import Dataset
from cxzy_gen.site.derive import (
    AppraisalView,
    CommendationView,
    CommitmentStatus,
    CommitmentView,
    Ref,
    ReviewView,
    UnitView,
    Views,
    WindowStatus,
    derive,
)

REMINDER_DAYS = 30  # the reminders list: what is overdue, and what falls due within this many days
DECISION_DAYS = 30  # after a 公示 window closes, the awarding body decides (and the roll is updated) within this many days
EXCELLENT_SHARE = (1, 3)  # 优秀 is at most a third of the graded members (民主评议党员)


class Check(StrEnum):
    """四有: the four things the campaign office inspects (§四 of the notice)."""

    COMMIT = "承诺有公示"
    REVIEW = "点评有记录"
    APPRAISE = "评议有结果"
    HONOUR = "表彰有氛围"

    @property
    def key(self) -> str:
        return self.name.lower()


class State(StrEnum):
    OK = "已做到"
    GAP = "缺项"
    PENDING = "未到期"

    @property
    def key(self) -> str:
        return self.name.lower()


# Each kind of item: the check it belongs to and what it asks, as the report's sub-totals name it.
KINDS: dict[str, tuple[Check, str]] = {
    "member-commitment": (Check.COMMIT, "党员有承诺"),
    "unit-commitment": (Check.COMMIT, "党组织有本级承诺"),
    "published": (Check.COMMIT, "承诺已公示"),
    "unit-reviewed": (Check.REVIEW, "党组织受到点评"),
    "member-reviewed": (Check.REVIEW, "党员受到点评"),
    "secretary-reviewed": (Check.REVIEW, "书记点评了他人"),
    "line": (Check.REVIEW, "按隶属关系点评"),
    "unit-phase": (Check.APPRAISE, "党组织七一前阶段评议"),
    "member-phase": (Check.APPRAISE, "党员七一前阶段评议"),
    "unit-year-end": (Check.APPRAISE, "党组织年底评议"),
    "member-year-end": (Check.APPRAISE, "党员年底评议"),
    "publicized": (Check.HONOUR, "表彰经公示并上光荣榜"),
    "quota": (Check.HONOUR, "评先比例"),
    "nomination-quota": (Check.HONOUR, "推荐名额"),
}


@dataclass(frozen=True, slots=True)
class Calendar:
    """The campaign's dates in one year: commitments by the end of March, the phase review and appraisal
    before 七一, the full review and appraisal at the year end (from November), inspections in April and December."""

    year: int

    @property
    def commit_by(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def phase_by(self) -> dt.date:
        return dt.date(self.year, 6, 30)

    @property
    def year_end_from(self) -> dt.date:
        return dt.date(self.year, 11, 1)

    @property
    def year_end_by(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def inspections(self) -> tuple[tuple[str, dt.date], tuple[str, dt.date]]:
        """The April and December inspections, each as of its month's last day."""
        return (("4 月督查", dt.date(self.year, 4, 30)), ("12 月督查", dt.date(self.year, 12, 31)))


@dataclass(frozen=True, slots=True)
class Item:
    """One thing the notice asks for, and whether it is done as of the date."""

    kind: str
    subject: Ref  # who or what the item is about
    state: State
    text: str  # the finding in words: what is done, what is missing, or what is due
    due: dt.date | None = None
    record: str | None = None  # the record it is about (a commitment, review or commendation id)

    @property
    def check(self) -> Check:
        return KINDS[self.kind][0]


@dataclass(frozen=True, slots=True)
class Part:
    """One kind of item inside a check, counted: e.g. 党员有承诺 3 / 4."""

    kind: str
    label: str
    ok: int
    gap: int
    pending: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One of the 四有 for one unit (or a subtree): counts, coverage and the named gaps."""

    check: Check
    ok: int
    gap: int
    pending: int
    parts: tuple[Part, ...]
    gaps: tuple[Item, ...]

    @property
    def due(self) -> int:
        return self.ok + self.gap

    @property
    def ratio(self) -> float | None:
        """Coverage: done / due; None when nothing is due yet."""
        return self.ok / self.due if self.due else None

    @property
    def percent(self) -> str:
        return pct(self.ratio)


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{100 * ratio:.1f}%"


def check_results(items: Iterable[Item]) -> dict[Check, CheckResult]:
    """The four checks over `items`, in the notice's order."""
    by_check: dict[Check, list[Item]] = {c: [] for c in Check}
    for item in items:
        by_check[item.check].append(item)
    out: dict[Check, CheckResult] = {}
    for check, found in by_check.items():
        counts: dict[str, list[int]] = {k: [0, 0, 0] for k, (c, _) in KINDS.items() if c is check}
        for item in found:
            counts[item.kind][(State.OK, State.GAP, State.PENDING).index(item.state)] += 1
        parts = tuple(Part(k, KINDS[k][1], *n) for k, n in counts.items() if any(n))
        out[check] = CheckResult(
            check,
            sum(p.ok for p in parts),
            sum(p.gap for p in parts),
            sum(p.pending for p in parts),
            parts,
            tuple(i for i in found if i.state is State.GAP),
        )
    return out


def score(checks: dict[Check, CheckResult]) -> float | None:
    """A unit's score: the mean coverage of the checks that have anything due, 0–100; None when nothing is due."""
    ratios = [r.ratio for r in checks.values() if r.ratio is not None]
    return round(100 * sum(ratios) / len(ratios), 1) if ratios else None


def coverage(checks: dict[Check, CheckResult]) -> float | None:
    """Everything due, done: all items of the four checks together, 0–100 (what --fail-under compares)."""
    ok = sum(r.ok for r in checks.values())
    due = sum(r.due for r in checks.values())
    return round(100 * ok / due, 1) if due else None


class MilestoneState(StrEnum):
    MET = "已完成"
    MISSED = "未按期完成"
    PENDING = "未到期"

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Milestone:
    """A date of the campaign calendar, and who in the unit still lacks what it asks for."""

    key: str
    label: str
    deadline: dt.date
    state: MilestoneState
    lacking: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class Overdue:
    """A commitment or a rectification past its deadline and not done."""

    what: str  # 承诺 / 整改
    record: str
    title: str
    subject: Ref
    deadline: dt.date
    days: int


@dataclass(frozen=True, slots=True)
class Remedial:
    """补课: someone who made no commitment, or did not keep it, and has had no remedial step yet."""

    subject: Ref
    reason: str
    record: str | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """Something the unit's party-affairs worker must act on: overdue, or due within REMINDER_DAYS."""

    due: dt.date
    days: int  # days left (0 today); negative: days overdue
    text: str

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def label(self) -> str:
        if self.days < 0:
            return f"逾期 {-self.days} 天"
        return "今天到期" if self.days == 0 else f"{self.days} 天后到期"


@dataclass(slots=True)
class UnitAudit:
    """One unit's inspection: its own items (its organisation and members), and the roll-up of its subtree."""

    ref: Ref
    parent: str | None
    depth: int
    children: list[str]
    kind: str  # 党委 / 党总支 / 党支部 / 党小组
    members: int
    items: list[Item]
    checks: dict[Check, CheckResult]
    score: float | None
    milestones: list[Milestone]
    overdue: list[Overdue]
    remedial: list[Remedial]
    reminders: list[Reminder]
    subtree: dict[Check, CheckResult] = field(default_factory=dict)
    subtree_score: float | None = None
    subtree_members: int = 0

    @property
    def gaps(self) -> list[Item]:
        return [i for i in self.items if i.state is State.GAP]

    @property
    def missed(self) -> list[Milestone]:
        return [ms for ms in self.milestones if ms.state is MilestoneState.MISSED]


@dataclass(slots=True)
class Audit:
    """The inspection of a tree (or one unit's subtree) for one year, as of one date."""

    today: dt.date
    year: int
    audience: m.Audience
    title: str
    scope: list[str]  # the top units inspected
    units: dict[str, UnitAudit]  # tree order
    totals: dict[Check, CheckResult]
    score: float | None
    coverage: float | None


# ---------------------------------------------------------------- the inspection


def audit(views: Views, year: int | None = None, unit: str | None = None) -> Audit:
    """Inspect the units of `views` (or the subtree under `unit`) for `year` (default: the campaign year), as of `views.today`."""
    year = year or views.site.campaign_year
    today = views.today
    cal = Calendar(year)
    facts = _Facts(views, year)
    if unit is not None and unit not in views.units:
        raise KeyError(unit)
    scope = [unit] if unit is not None else list(views.roots)
    order = [uid for uid in views.units if unit is None or uid == unit or any(a.id == unit for a in views.units[uid].ancestors)]

    quotas = _quota_items(views, year)
    units: dict[str, UnitAudit] = {}
    for uid in order:
        uv = views.units[uid]
        items = [*_commit_items(uv, facts, cal, today), *_review_items(uv, facts, views, cal, today)]
        items += [*_appraise_items(uv, facts, cal, today), *_honour_items(uv, facts, today), *quotas.get(uid, [])]
        checks = check_results(items)
        overdue = _overdue(uv, facts, today)
        units[uid] = UnitAudit(
            ref=uv.ref,
            parent=uv.parent.id if uv.parent and uv.parent.id in order else None,
            depth=uv.depth - (views.units[unit].depth if unit else 0),
            children=[c.id for c in uv.children],
            kind=uv.unit.kind.value,
            members=len(uv.members),
            items=items,
            checks=checks,
            score=score(checks),
            milestones=_milestones(uv, facts, cal, today),
            overdue=overdue,
            remedial=_remedial(uv, facts, cal, today),
            reminders=_reminders(items, overdue, uv, facts, today),
        )
    for uid in reversed(order):  # children before parents
        ua = units[uid]
        below = [ua.items]
        members = ua.members
        stack = [c for c in ua.children if c in units]
        while stack:
            child = units[stack.pop()]
            below.append(child.items)
            members += child.members
            stack.extend(c for c in child.children if c in units)
        ua.subtree = check_results(i for group in below for i in group)
        ua.subtree_score = score(ua.subtree)
        ua.subtree_members = members
    totals = check_results(i for ua in units.values() for i in ua.items)
    return Audit(today, year, views.audience, views.site.title, scope, units, totals, score(totals), coverage(totals))


class _Facts:
    """The year's records, indexed by whom they are about. The views are already as of the build date (derive takes
    every record as it stood that day), so nothing dated later is here to count."""

    def __init__(self, views: Views, year: int) -> None:
        self.member_unit = {mid: mv.unit.id for mid, mv in views.members.items()}
        self.commitments: dict[str, list[CommitmentView]] = defaultdict(list)
        for c in views.commitments:
            if c.record.proposed.year == year and c.status is not CommitmentStatus.WITHDRAWN:
                self.commitments[c.subject.id].append(c)
        self.reviews: dict[str, list[ReviewView]] = defaultdict(list)
        self.reviewed_by: dict[str, list[ReviewView]] = defaultdict(list)
        for r in views.reviews:
            if r.record.date.year == year and r.record.withdrawn is None:
                self.reviews[r.target.id].append(r)
                if r.record.reviewer.member:
                    self.reviewed_by[r.record.reviewer.member].append(r)
        self.appraisals: dict[str, list[AppraisalView]] = defaultdict(list)
        for a in views.appraisals:
            if a.record.date.year == year and a.record.withdrawn is None and _has_result(a.record):
                self.appraisals[a.target.id].append(a)
        self.commendations: dict[str, list[CommendationView]] = defaultdict(list)
        for h in views.commendations:
            if h.year == year:
                # The nominee's own unit; a nominee from outside the data counts with the awarding unit.
                home = h.nominee.id if h.nominee.id in views.units else self.member_unit.get(h.nominee.id, h.awarding.id)
                self.commendations[home].append(h)

    def unit_of(self, ref: Ref) -> str:
        return ref.id if ref.kind == "unit" else self.member_unit[ref.id]


def _has_result(a: m.Appraisal) -> bool:
    """A result to show: satisfaction, a grade or the grade votes, or any question tallied (a member's or the 五个好)."""
    tallied = any(group is not None and any(dict(group).values()) for group in (a.dimensions, a.five_good))
    return a.satisfaction is not None or a.grade is not None or a.grade_votes is not None or tallied


def _due(done: bool, due: dt.date, today: dt.date) -> State:
    if done:
        return State.OK
    return State.GAP if today > due else State.PENDING


def _subjects(uv: UnitView) -> list[Ref]:
    """The organisation, then its members."""
    return [uv.ref, *uv.members]


def _commit_items(uv: UnitView, facts: _Facts, cal: Calendar, today: dt.date) -> list[Item]:
    items = []
    for ref in _subjects(uv):
        done = bool(facts.commitments.get(ref.id))
        state = _due(done, cal.commit_by, today)
        if ref.kind == "unit":
            kind, text = "unit-commitment", ("党组织有本级承诺" if done else f"党组织没有 {cal.year} 年本级承诺")
        else:
            kind, text = "member-commitment", (f"{ref.name}有承诺" if done else f"{ref.name}没有 {cal.year} 年的公开承诺")
        items.append(Item(kind, ref, state, text, cal.commit_by))
    for ref in _subjects(uv):
        for c in facts.commitments.get(ref.id, []):
            p = c.record.publicized
            done = p is not None
            text = f"承诺「{c.record.title}」（{ref.name}）" + (f"已于 {p.date.isoformat()} 在{p.how}公示" if done and p else "未公示")
            items.append(Item("published", ref, State.OK if done else State.GAP, text, None, c.record.id))
    return items


def _review_items(uv: UnitView, facts: _Facts, views: Views, cal: Calendar, today: dt.date) -> list[Item]:
    items = []
    for ref in _subjects(uv):
        done = bool(facts.reviews.get(ref.id))
        kind = "unit-reviewed" if ref.kind == "unit" else "member-reviewed"
        who = "党组织" if ref.kind == "unit" else ref.name
        text = f"{who}已受到点评" if done else f"{who}没有受到领导点评"
        items.append(Item(kind, ref, _due(done, cal.phase_by, today), text, cal.phase_by))
    secretary = uv.unit.secretary
    if secretary is None:
        items.append(Item("secretary-reviewed", uv.ref, State.GAP, "没有登记党组织书记，无法核对书记是否点评"))
    elif secretary in views.members:
        name = views.members[secretary].ref.name
        done = bool(facts.reviewed_by.get(secretary))
        text = f"书记{name}已点评他人" if done else f"书记{name}没有点评任何党组织或党员"
        items.append(Item("secretary-reviewed", views.members[secretary].ref, _due(done, cal.phase_by, today), text, cal.phase_by))
    ancestors = {a.id for a in uv.ancestors}
    for ref in _subjects(uv):
        for r in facts.reviews.get(ref.id, []):
            reviewer = r.record.reviewer
            home = facts.member_unit.get(reviewer.member) if reviewer.member else None
            whom = "党组织" if ref.kind == "unit" else ref.name
            if home is not None and (home == uv.ref.id or home in ancestors):
                items.append(Item("line", ref, State.OK, f"{reviewer.name}点评{whom}，按隶属关系", None, r.record.id))
            elif home is None:
                why = "点评人不在可见的党员名单中" if reviewer.member else "没有登记点评人的党员编号"
                text = f"{reviewer.name}（{reviewer.title}）点评{whom}：{why}，无法核对隶属关系"
                items.append(Item("line", ref, State.GAP, text, None, r.record.id))
            else:
                text = f"{reviewer.name}（{reviewer.title}）点评{whom}：点评人不属于本级或上级党组织"
                items.append(Item("line", ref, State.GAP, text, None, r.record.id))
    return items


def _appraise_items(uv: UnitView, facts: _Facts, cal: Calendar, today: dt.date) -> list[Item]:
    items = []
    for phase, start, end, label in (
        ("phase", dt.date(cal.year, 1, 1), cal.phase_by, "七一前阶段评议"),
        ("year-end", cal.year_end_from, cal.year_end_by, "年底评议"),
    ):
        for ref in _subjects(uv):
            done = any(start <= a.record.date <= end for a in facts.appraisals.get(ref.id, []))
            who = "党组织" if ref.kind == "unit" else ref.name
            text = f"{who}已有{label}结果" if done else f"{who}没有{label}结果"
            items.append(Item(f"{ref.kind}-{phase}", ref, _due(done, end, today), text, end))
    return items


def _honour_items(uv: UnitView, facts: _Facts, today: dt.date) -> list[Item]:
    items = []
    for h in facts.commendations.get(uv.ref.id, []):
        r, w, state = h.record, h.window, h.state.key  # the state as derive decided it at the date
        what = f"{h.nominee.name}（{r.title}）"
        if state == "awarded":
            open_objections = [o for o in r.objections if not o.resolved]
            if w is None:
                items.append(Item("publicized", h.nominee, State.GAP, f"{what}未经公示即表彰", None, r.id))
            elif w.status is not WindowStatus.CLOSED:
                items.append(Item("publicized", h.nominee, State.GAP, f"{what}公示期未满即表彰", w.end, r.id))
            elif open_objections:
                items.append(Item("publicized", h.nominee, State.GAP, f"{what}有 {len(open_objections)} 条异议未办结即表彰", None, r.id))
            else:
                items.append(Item("publicized", h.nominee, State.OK, f"{what}公示期满后表彰，已上光荣榜", None, r.id))
        elif state == "open" and w is not None:
            items.append(Item("publicized", h.nominee, State.PENDING, f"{what}公示中，{w.end.isoformat()} 期满", w.end, r.id))
        elif state == "closed" and w is not None:
            due = w.end + dt.timedelta(days=DECISION_DAYS)
            text = f"{what}公示期满（{w.end.isoformat()}），尚未作出表彰决定、未上光荣榜"
            items.append(Item("publicized", h.nominee, _due(False, due, today), text, due, r.id))
        # nominated (no 公示 yet), upcoming and revoked: nothing to inspect yet, or nothing any more
    # Each member's latest grade of the year: 优秀 may be at most a share of the graded members.
    grades = [
        max((a for a in facts.appraisals.get(ref.id, []) if a.record.grade), key=lambda a: a.record.date, default=None)
        for ref in uv.members
    ]
    graded = [a.record.grade for a in grades if a is not None]
    if graded:
        excellent = graded.count(m.Grade.EXCELLENT)
        num, den = EXCELLENT_SHARE
        within = excellent * den <= len(graded) * num
        text = f"民主评议优秀 {excellent} 人，参评党员 {len(graded)} 人" + ("，未超过三分之一" if within else "，超过三分之一")
        items.append(Item("quota", uv.ref, State.OK if within else State.GAP, text))
    return items


def _quota_items(views: Views, year: int) -> dict[str, list[Item]]:
    """名额 (site.yaml `commendation.quotas`): per awarding unit and title, its nominations of the year (not revoked)
    against what the quota allows, counted as the validation rule counts them (`rules.quota_allowed`)."""
    quotas = views.site.commendation.quotas
    if not quotas:
        return {}
    members = {uid: len(uv.members) for uid, uv in views.units.items()}  # each unit with everything below it
    units_below = dict.fromkeys(views.units, 0)
    for uv in views.units.values():
        for a in uv.ancestors:
            if a.id in members:
                members[a.id] += len(uv.members)
                units_below[a.id] += 1
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for h in views.commendations:
        if h.year == year and h.state.key != "revoked" and h.awarding.id in views.units:
            counts[(h.awarding.id, str(h.record.title))] += 1
    found: dict[str, list[Item]] = defaultdict(list)
    for (uid, title), n in sorted(counts.items()):
        quota = quotas.get(m.HonourTitle(title)) if title in set(m.HonourTitle) else None
        if quota is None:
            continue
        organisations = title == m.HonourTitle.ORGANISATION
        allowed = quota_allowed(quota, units_below[uid] if organisations else members[uid])
        if allowed is None:
            continue
        within = n <= allowed
        text = f"推荐「{title}」{n} 个，名额 {allowed} 个" + ("" if within else "，超出名额")
        found[uid].append(Item("nomination-quota", views.units[uid].ref, State.OK if within else State.GAP, text))
    return found


def _milestones(uv: UnitView, facts: _Facts, cal: Calendar, today: dt.date) -> list[Milestone]:
    jan1 = dt.date(cal.year, 1, 1)

    def committed(ref: Ref) -> bool:
        return any(
            c.record.kind is m.CommitmentKind.ANNUAL and c.record.proposed <= cal.commit_by for c in facts.commitments.get(ref.id, [])
        )

    def reviewed(start: dt.date, end: dt.date) -> Callable[[Ref], bool]:
        return lambda ref: any(start <= r.record.date <= end for r in facts.reviews.get(ref.id, []))

    def appraised(start: dt.date, end: dt.date) -> Callable[[Ref], bool]:
        return lambda ref: any(start <= a.record.date <= end for a in facts.appraisals.get(ref.id, []))

    plan: tuple[tuple[str, str, dt.date, Callable[[Ref], bool]], ...] = (
        ("commit", "3 月底前提出年度承诺", cal.commit_by, committed),
        ("phase-review", "七一前阶段点评", cal.phase_by, reviewed(jan1, cal.phase_by)),
        ("phase-appraisal", "七一前阶段评议", cal.phase_by, appraised(jan1, cal.phase_by)),
        ("year-end-review", "年底全面点评", cal.year_end_by, reviewed(cal.year_end_from, cal.year_end_by)),
        ("year-end-appraisal", "年底全面评议", cal.year_end_by, appraised(cal.year_end_from, cal.year_end_by)),
    )
    out = []
    for key, label, deadline, done in plan:
        missing = tuple(ref for ref in _subjects(uv) if not done(ref))
        state = MilestoneState.MET if not missing else MilestoneState.MISSED if today > deadline else MilestoneState.PENDING
        out.append(Milestone(key, label, deadline, state, missing))
    return out


def _overdue(uv: UnitView, facts: _Facts, today: dt.date) -> list[Overdue]:
    out = []
    for ref in _subjects(uv):
        for c in facts.commitments.get(ref.id, []):
            if c.status is CommitmentStatus.OVERDUE:
                out.append(Overdue("承诺", c.record.id, c.record.title, ref, c.record.deadline, (today - c.record.deadline).days))
        for r in facts.reviews.get(ref.id, []):
            for x in r.rectifications:
                if x.overdue:
                    out.append(Overdue("整改", x.record.id, x.record.item, ref, x.record.deadline, (today - x.record.deadline).days))
    out.sort(key=lambda o: (-o.days, o.record))
    return out


def _remedial(uv: UnitView, facts: _Facts, cal: Calendar, today: dt.date) -> list[Remedial]:
    out = []
    for ref in _subjects(uv):
        made = facts.commitments.get(ref.id, [])
        if not made and today > cal.commit_by:
            out.append(Remedial(ref, f"没有作出 {cal.year} 年的承诺"))
        for c in made:
            remedied = c.record.remedial is not None
            if c.status is CommitmentStatus.NOT_DONE and not remedied:
                out.append(Remedial(ref, f"承诺「{c.record.title}」未完成，尚未补课", c.record.id))
    return out


def _reminders(items: list[Item], overdue: list[Overdue], uv: UnitView, facts: _Facts, today: dt.date) -> list[Reminder]:
    """What is overdue, and what falls due within REMINDER_DAYS: pending items, open commitments and rectifications."""
    horizon = today + dt.timedelta(days=REMINDER_DAYS)
    out = [Reminder(o.deadline, -o.days, f"{o.what}「{o.title}」（{o.subject.name}）已超过时限") for o in overdue]
    for i in items:
        if i.state is State.PENDING and i.due is not None and i.due <= horizon:
            out.append(Reminder(i.due, (i.due - today).days, i.text))
    for ref in _subjects(uv):
        for c in facts.commitments.get(ref.id, []):
            if c.status is CommitmentStatus.IN_PROGRESS and c.record.deadline <= horizon:
                text = f"承诺「{c.record.title}」（{ref.name}）到期，请认定完成情况"
                out.append(Reminder(c.record.deadline, (c.record.deadline - today).days, text))
        for r in facts.reviews.get(ref.id, []):
            for x in r.rectifications:
                if not x.overdue and x.record.status is not m.RectificationStatus.DONE and x.record.deadline <= horizon:
                    text = f"整改「{x.record.item}」（{ref.name}）到期，请验收"
                    out.append(Reminder(x.record.deadline, (x.record.deadline - today).days, text))
    out.sort(key=lambda r: (r.days, r.text))
    return out


# ---------------------------------------------------------------- the site's 督查 section

INSPECTION_FROM = m.Audience.PARTY  # the 督查 pages name gaps and people: only in builds for 党内公开 or narrower


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One of the year's two inspections, as of its date; no audit when that date is after the build date."""

    label: str
    date: dt.date
    audit: Audit | None


@dataclass(frozen=True, slots=True)
class Inspection:
    """What the site's 督查 section shows: the inspection as of the build date, and the April and December inspections."""

    current: Audit
    snapshots: tuple[Snapshot, ...]


def inspection(ds: Dataset, views: Views) -> Inspection | None:
    """The 督查 section of a build, or None when the build's audience is broader than INSPECTION_FROM (a public build)."""
    if views.audience.rank < INSPECTION_FROM.rank:
        return None
    current = audit(views)
    snapshots = tuple(
        Snapshot(label, day, audit(derive(ds, day, views.scope), current.year) if day <= views.today else None)
        for label, day in Calendar(current.year).inspections
    )
    return Inspection(current, snapshots)
