"""公示 notices: commendations put up for 公示, one notice per issuing organisation and batch (pure).

A batch is the nominees one organisation puts up together: the same window (start and end). A real
notice is one sheet: a heading, a preamble, the list (name, 性别, 民族, 出生年月, 职务 and 单位 where the
data has them), the window in dates and working days, how to object (the issuing organisation's own
channels), the 落款 and the date. Everything a notice shows is decided here; templates only lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cxzy_gen.records import models as m
from cxzy_gen.records.workdays import WorkdayCalendar


def _year_month(value: str | None) -> str | None:
    """1975-03 as a notice prints it: 1975.03 (a year alone stays as it is)."""
    return value.replace("-", ".") if value else None


@dataclass(frozen=True, slots=True)
class Channel:
    """One way to send an objection: 电话, 来信, 来访, 电子邮箱, 12380 举报网站."""

    label: str
    value: str
    url: str | None = None  # mailto: or the 12380 site
    note: str | None = None  # e.g. 以邮戳为准


@dataclass(frozen=True, slots=True)
class NomineeRow:
    """One line of the list: a nominated organisation or member, with what a real notice prints about them."""

    commendation_id: str
    kind: str  # "unit", "member", or "external" (a nominee from outside the data: no page)
    id: str
    name: str
    gender: str | None
    ethnicity: str | None
    born: str | None  # 出生年月 as a notice prints it: 1968.05
    joined: str | None  # 入党时间
    post: str | None  # 职务
    unit: str | None  # 单位: a member's organisation, a nominated organisation's superior
    nominated_by: str
    deeds: str
    revoked: bool  # 撤销: the nomination was taken back after the notice went up
    revoked_note: str | None  # the reason, only in builds for an audience that may read it


@dataclass(frozen=True, slots=True)
class TitleGroup:
    title: str  # the notice's three titles, or another as the awarding body names it (全国优秀共产党员…)
    rows: tuple[NomineeRow, ...]

    @property
    def count(self) -> int:
        """How many are still proposed (a revoked nomination stays on the list, marked, but is not counted)."""
        return sum(not r.revoked for r in self.rows)

    @property
    def of_organisations(self) -> bool:
        return all(r.kind == "unit" for r in self.rows)

    @property
    def measure(self) -> str:
        """The counting word: 3 个先进基层党组织, 5 名优秀共产党员."""
        return "个" if self.of_organisations else "名"


@dataclass(frozen=True, slots=True)
class ObjectionNote:
    nominee: str
    received: dt.date
    summary: str
    handling: str | None
    resolved: bool  # as of the build date (asof): an objection settled later is still being handled

    @property
    def status_label(self) -> str:
        """The objection's state as the notice says it: decided here, shown by the template as it is."""
        return "已办结" if self.resolved else "办理中"


@dataclass(frozen=True, slots=True)
class Notice:
    """One 公示 notice: an issuing organisation's batch of nominees sharing a window."""

    issuer_id: str
    issuer_name: str
    slug: str  # unique within the issuer: the start date, with -2, -3 when two batches start the same day
    year: int
    heading: str  # 关于2011年度……拟表彰对象的公示
    preamble: str
    groups: tuple[TitleGroup, ...]
    start: dt.date
    end: dt.date
    working_days: int
    status_key: str  # open, upcoming, closed
    status_label: str  # 公示中（3 天后结束）, 未开始, 公示期满
    days_left: int | None
    contact_office: str
    channels: tuple[Channel, ...]
    audience: m.Audience  # the narrowest audience among its records: who the sheet may be shown to
    objections_received: int
    objections_open: int
    objections: tuple[ObjectionNote, ...]  # the texts, only for audiences that may read them

    @property
    def people(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def has(self) -> dict[str, bool]:
        """Which optional columns any member row of this notice fills."""
        rows = [r for g in self.groups for r in g.rows if r.kind in {"member", "external"}]
        return {col: any(getattr(r, col) for r in rows) for col in ("gender", "ethnicity", "born", "joined", "post", "unit")}


@dataclass(frozen=True, slots=True)
class NomineeSource:
    """What the notice builder needs of one commendation (kept small, so derive decides visibility)."""

    record: m.Commendation
    nominee_kind: str
    nominee_id: str
    nominee_name: str
    nominated_by_name: str
    issuer_id: str
    issuer_name: str
    start: dt.date
    end: dt.date
    status_key: str
    status_label: str
    days_left: int | None


def objection_contact(unit: m.Unit, site: m.Site) -> m.OfficeContact:
    """Who takes objections to the unit's notices: its own 公示意见受理方式, else its office, else the site's."""
    return unit.objection_contact or unit.contact or site.contact


def channels(contact: m.OfficeContact) -> tuple[Channel, ...]:
    """The ways to object, in the order real notices give them."""
    found: list[Channel] = []
    if contact.phone:
        found.append(Channel("来电", contact.phone))
    if contact.address:
        where = contact.address + (f"（邮编 {contact.postcode}）" if contact.postcode else "")
        found.append(Channel("来信", f"{where}，{contact.office}收", note="以邮戳为准"))
        found.append(Channel("来访", contact.address))
    if contact.email:
        found.append(Channel("电子邮件", contact.email, url=f"mailto:{contact.email}"))
    if contact.report_site:
        # Shown, not linked: the board lives on the intranet and links nowhere outside it.
        found.append(Channel("12380 举报网站", contact.report_site))
    return tuple(found)


def _title_order(title: str) -> tuple[int, str]:
    known = [t.value for t in m.HonourTitle]
    return (known.index(title), "") if title in known else (len(known), title)


def _row(src: NomineeSource, units: Mapping[str, m.Unit], members: Mapping[str, m.Member], reasons: bool) -> NomineeRow:
    h = src.record
    revoked = h.status is m.CommendationStatus.REVOKED
    note = (h.revoked_reason or None) if revoked and reasons else None
    if src.nominee_kind == "external":
        x = h.external
        assert x is not None, "validated: an outside nominee has its name and unit"
        return NomineeRow(
            h.id, "external", "", x.name, x.gender, x.ethnicity, _year_month(x.born), _year_month(x.joined), x.post, x.unit,
            src.nominated_by_name, h.deeds, revoked, note,
        )  # fmt: skip
    if src.nominee_kind == "member":
        p = members[src.nominee_id]
        return NomineeRow(
            h.id,
            "member",
            p.id,
            p.name,
            p.gender,
            p.ethnicity,
            _year_month(p.born),
            _year_month(p.joined),
            p.post,
            units[p.folder_unit].name,
            src.nominated_by_name,
            h.deeds,
            revoked,
            note,
        )
    unit = units[src.nominee_id]
    superior = units[unit.parent].name if unit.parent is not None and unit.parent in units else None
    return NomineeRow(
        h.id, "unit", unit.id, unit.name, None, None, None, None, None, superior, src.nominated_by_name, h.deeds, revoked, note
    )


def _titles(groups: Iterable[TitleGroup]) -> str:
    names = [g.title for g in groups]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


def build_notices(
    sources: list[NomineeSource],
    units: Mapping[str, m.Unit],
    members: Mapping[str, m.Member],
    site: m.Site,
    audience: m.Audience,
    today: dt.date,
    calendar: WorkdayCalendar,
) -> list[Notice]:
    """The notices of the shown commendations: one per issuer and window, in a fixed order (issuer, start).

    A nomination revoked before its notice went up was never publicised and is left out; one revoked
    later stays on the notice as it was put up, marked, with the reason only for 党内公开 builds and
    narrower (the reasons a nomination was withdrawn are not for the public)."""
    reasons = audience.rank >= m.Audience.PARTY.rank
    batches: dict[tuple[str, dt.date, dt.date, str], list[NomineeSource]] = defaultdict(list)
    for src in sources:
        if src.record.status is m.CommendationStatus.REVOKED and src.status_key == "upcoming":
            continue
        # nominees recommended upward (拟推荐对象) go on their own notice
        batches[(src.issuer_id, src.start, src.end, src.record.recommended_to or "")].append(src)

    notices: list[Notice] = []
    used: dict[tuple[str, str], int] = defaultdict(int)
    for (issuer_id, start, end, _), items in sorted(batches.items()):
        first = items[0]
        by_title: dict[str, list[NomineeRow]] = defaultdict(list)
        for src in items:
            by_title[src.record.title].append(_row(src, units, members, reasons))
        groups = tuple(TitleGroup(t, tuple(by_title[t])) for t in sorted(by_title, key=_title_order))
        year = max(src.record.year for src in items)
        # 拟推荐对象: nominees this organisation recommends upward, for a higher body to commend
        upward = sorted({src.record.recommended_to for src in items if src.record.recommended_to})
        what = "拟推荐对象" if upward else "拟表彰对象"
        heading = f"关于{year}年度{_titles(groups)}{what}的公示"
        counts = "、".join(f"{g.title}{g.count}{g.measure}" for g in groups)
        decided = f"研究确定了向{'、'.join(upward)}推荐的" if upward else "研究确定了"
        preamble = (
            f"根据创先争优活动评选表彰工作安排，按照自下而上推荐、群众参与、组织考核的程序，"
            f"{first.issuer_name}{decided}{year}年度{counts}{what}。"
            "为广泛听取党员群众意见，接受监督，现予以公示。"
        )
        declared = [src.record.publicity.working_days for src in items if src.record.publicity and src.record.publicity.working_days]
        working_days = declared[0] if declared else _count_workdays(start, end, calendar)
        key = (issuer_id, start.strftime("%Y%m%d"))
        used[key] += 1
        slug = key[1] if used[key] == 1 else f"{key[1]}-{used[key]}"
        contact = objection_contact(units[issuer_id], site)
        all_objections = [(src.nominee_name, o) for src in items for o in src.record.objections if o.received <= today]
        notices.append(
            Notice(
                issuer_id=issuer_id,
                issuer_name=first.issuer_name,
                slug=slug,
                year=year,
                heading=heading,
                preamble=preamble,
                groups=groups,
                start=start,
                end=end,
                working_days=working_days,
                status_key=first.status_key,
                status_label=first.status_label,
                days_left=first.days_left,
                contact_office=contact.office,
                channels=channels(contact),
                audience=max((src.record.level for src in items), key=lambda a: a.rank),
                objections_received=len(all_objections),
                objections_open=sum(not o.resolved for _, o in all_objections),
                objections=tuple(ObjectionNote(n, o.received, o.summary, o.handling, o.resolved) for n, o in all_objections)
                if reasons
                else (),
            )
        )
    return notices


def _count_workdays(start: dt.date, end: dt.date, calendar: WorkdayCalendar) -> int:
    days, day = 0, start
    while day <= end:
        days += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return days
