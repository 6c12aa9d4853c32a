"""derive: statuses at the build date, 公示 windows in working days, audience filtering, roll-ups."""

from __future__ import annotations

import dataclasses
import datetime as dt

import chinese_calendar
import pytest
from sitekit import SITE, TODAY

from cxzy_gen.records import models as m
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.records.workdays import WorkdayCalendar
from cxzy_gen.site.derive import CommitmentStatus, Views, WindowStatus, derive, percent, publicity_window
from cxzy_gen.site.scope import Scope

A = m.Audience


@pytest.fixture(scope="module")
def ds() -> Dataset:
    dataset, problems, _ = load_dataset(SITE)
    assert dataset is not None, problems
    return dataset


# The fixture's widest readers: 特定对象公开 for its one 本单位公开 unit, on that unit's board.
WIDEST = Scope(A.SPECIFIC, "shequ-1", ("shequ-1",))


def views(ds: Dataset, today: dt.date = TODAY, audience: m.Audience | Scope = WIDEST) -> Views:
    return derive(ds, today, audience)


def test_derive_is_pure(ds: Dataset) -> None:
    assert views(ds) == views(ds)
    assert views(ds, audience=A.PUBLIC) == views(ds, audience=A.PUBLIC)


# ---------------------------------------------------------------- statuses


def test_commitment_status_at_the_build_date(ds: Dataset) -> None:
    status = {c.record.id: c.status for c in views(ds).commitments}
    assert status == {
        "c-open": CommitmentStatus.IN_PROGRESS,  # deadline 2011-11-30
        "c-done": CommitmentStatus.DONE,
        "c-late": CommitmentStatus.OVERDUE,  # deadline 2011-05-31, no outcome
        "c-part": CommitmentStatus.PARTIAL,
        "c-failed": CommitmentStatus.NOT_DONE,
        "c-gone": CommitmentStatus.WITHDRAWN,
        "c-party": CommitmentStatus.IN_PROGRESS,
        "c-shequ": CommitmentStatus.IN_PROGRESS,
    }
    late = next(c for c in views(ds).commitments if c.record.id == "c-late")
    assert late.days_overdue == 28


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2011, 5, 31), CommitmentStatus.IN_PROGRESS),  # the deadline day itself is still in time
        (dt.date(2011, 6, 1), CommitmentStatus.OVERDUE),
    ],
)
def test_overdue_starts_the_day_after_the_deadline(ds: Dataset, today: dt.date, expected: CommitmentStatus) -> None:
    assert next(c.status for c in views(ds, today).commitments if c.record.id == "c-late") is expected


def test_rectifications_overdue_when_open_past_deadline(ds: Dataset) -> None:
    review = next(r for r in views(ds).reviews if r.record.id == "r-unit")
    assert [(x.record.id, x.overdue, x.label) for x in review.rectifications] == [
        ("z-done", False, "已完成"),
        ("z-late", True, "逾期"),
        ("z-later", False, "未开始"),
    ]
    assert review.rectifications[1].days_overdue == 13


# ---------------------------------------------------------------- 公示 windows


def test_five_working_days_from_29_september_2011_end_after_national_day() -> None:
    # 9-29 and 9-30 are working days; 10-1…10-7 is the National Day holiday; 10-8 (Saturday) and
    # 10-9 (Sunday) are worked in lieu; so the fifth working day is Monday 10-10.
    assert chinese_calendar.is_workday(dt.date(2011, 10, 8)) and chinese_calendar.is_workday(dt.date(2011, 10, 9))
    calendar = WorkdayCalendar()
    assert calendar.nth_workday(dt.date(2011, 9, 29), 5) == dt.date(2011, 10, 10)
    # Counting Monday to Friday instead would end on 10-05, in the middle of the holiday.
    assert calendar.warnings() == []


def test_window_in_working_days_from_the_fixture(ds: Dataset) -> None:
    by_id = {h.record.id: h for h in views(ds).commendations}
    national_day = by_id["h-national-day"].window
    assert national_day is not None
    assert (national_day.start, national_day.end, national_day.status) == (
        dt.date(2011, 9, 29),
        dt.date(2011, 10, 10),
        WindowStatus.UPCOMING,
    )
    # 2011-06-24 is a Friday: 24, 27, 28, 29, 30 June.
    assert by_id["h-open"].window.end == dt.date(2011, 6, 30)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("today", "label"),
    [
        (dt.date(2011, 9, 28), "未开始"),
        (dt.date(2011, 9, 29), "公示中（11 天后结束）"),
        (dt.date(2011, 10, 9), "公示中（1 天后结束）"),
        (dt.date(2011, 10, 10), "公示中（今天结束）"),
        (dt.date(2011, 10, 11), "公示期满"),
    ],
)
def test_window_status_label(today: dt.date, label: str) -> None:
    window = publicity_window(m.Window(start=dt.date(2011, 9, 29), working_days=5), today, WorkdayCalendar())
    assert window.label == label


def test_explicit_end_date_is_used_as_given() -> None:
    window = publicity_window(m.Window(start=dt.date(2011, 6, 13), end=dt.date(2011, 6, 19)), TODAY, WorkdayCalendar())
    assert (window.end, window.status) == (dt.date(2011, 6, 19), WindowStatus.CLOSED)


def test_years_outside_the_calendar_fall_back_to_monday_to_friday_and_say_so_once() -> None:
    calendar = WorkdayCalendar()
    # 2099-12-31 is a Thursday: Thu, Fri, then Mon 2100-01-04 … Wed 2100-01-06.
    assert calendar.nth_workday(dt.date(2099, 12, 31), 5) == dt.date(2100, 1, 6)
    calendar.nth_workday(dt.date(2099, 6, 1), 3)
    (warning,) = calendar.warnings()
    assert "2099、2100" in warning and "周一至周五" in warning


def test_fallback_becomes_one_build_warning(ds: Dataset) -> None:
    h = next(h for h in ds.commendations if h.id == "h-national-day")
    moved = h.model_copy(update={"publicity": m.Window(start=dt.date(2099, 9, 29), working_days=5)})
    twice = moved.model_copy(update={"id": "h-twice"})
    future = dataclasses.replace(ds, commendations=[moved if c.id == h.id else c for c in ds.commendations] + [twice])
    result = derive(future, TODAY, WIDEST)
    assert len(result.warnings) == 1 and "2099" in result.warnings[0]
    assert views(ds).warnings == []


# ---------------------------------------------------------------- audiences


def test_a_public_build_has_only_public_records_units_and_members(ds: Dataset) -> None:
    v = views(ds, audience=A.PUBLIC)
    assert "shequ-1" not in v.units  # 本单位公开
    assert "sq1-chen" not in v.members  # a member of a unit left out
    assert "lian1-qian" not in v.members  # 党内公开
    assert {c.record.id for c in v.commitments} == {"c-open", "c-done", "c-late", "c-part", "c-failed", "c-gone"}
    assert v.reviews == []  # the reviews file is 党内公开
    late = next(c for c in v.commitments if c.record.id == "c-late")
    assert late.responsible is None  # the responsible member is 党内公开: not named


@pytest.mark.parametrize(
    ("audience", "units", "reviews"),
    [
        (A.PUBLIC, {"shi", "tuan-1", "lian-1"}, 0),
        (A.PARTY, {"shi", "tuan-1", "lian-1"}, 2),
        (Scope(A.UNIT, "shequ-1"), {"shi", "tuan-1", "lian-1", "shequ-1"}, 2),
        (Scope(A.UNIT, "lian-1"), {"shi", "tuan-1", "lian-1"}, 2),  # another unit's board: not the 社区's own
        (WIDEST, {"shi", "tuan-1", "lian-1", "shequ-1"}, 2),
    ],
)
def test_each_audience_sees_its_rank_and_broader(ds: Dataset, audience: m.Audience | Scope, units: set[str], reviews: int) -> None:
    v = views(ds, audience=audience)
    assert set(v.units) == units
    assert len(v.reviews) == reviews
    assert all(c.record.level.rank <= v.audience.rank for c in v.commitments)


def test_a_unit_under_a_hidden_unit_hangs_under_the_nearest_shown_ancestor(ds: Dataset) -> None:
    tuan = ds.units["tuan-1"].model_copy(update={"audience": A.PARTY})
    hidden = dataclasses.replace(ds, units={**ds.units, "tuan-1": tuan})
    v = derive(hidden, TODAY, A.PUBLIC)
    assert "tuan-1" not in v.units
    assert v.units["lian-1"].parent is not None and v.units["lian-1"].parent.id == "shi"
    assert [a.id for a in v.units["lian-1"].ancestors] == ["shi"]
    # Commendations naming the hidden unit are left out with it.
    assert {h.record.id for h in v.commendations} == {"h-awarded", "h-national-day", "h-nominated"}


def test_tree_order_and_links_up_and_down(ds: Dataset) -> None:
    v = views(ds)
    assert list(v.units) == ["shi", "shequ-1", "tuan-1", "lian-1"]
    assert [c.id for c in v.units["shi"].children] == ["shequ-1", "tuan-1"]
    assert [a.id for a in v.units["lian-1"].ancestors] == ["shi", "tuan-1"]
    assert v.units["lian-1"].secretary is not None and v.units["lian-1"].secretary.name == "赵国强"


# ---------------------------------------------------------------- roll-ups and percentages


def test_campaign_roll_up(ds: Dataset) -> None:
    t = views(ds).campaign
    # 8 commitments, one withdrawn; c-done kept; c-part partial; c-failed not kept; c-late overdue.
    assert (t.commitments, t.kept, t.partial, t.not_kept, t.overdue, t.in_progress) == (7, 1, 1, 1, 1, 3)
    assert (t.reviews, t.appraisals, t.commendations) == (2, 2, 1)
    assert (t.rectifications, t.rectifications_done, t.rectifications_overdue) == (3, 1, 1)
    assert t.kept_percent == "14.3%"
    public = views(ds, audience=A.PUBLIC).campaign
    assert (public.commitments, public.reviews) == (5, 0)


def test_unit_and_subtree_roll_ups(ds: Dataset) -> None:
    v = views(ds)
    assert v.units["lian-1"].by_year[2011].commitments == 6
    assert v.units["tuan-1"].subtree.commitments == 6
    assert v.units["shi"].subtree.commitments == 7  # lian-1's six and shequ-1's one
    assert v.units["tuan-1"].by_year[2010].commendations == 1
    assert list(v.years) == [2011, 2010]


def test_appraisal_percentages(ds: Dataset) -> None:
    a = next(a for a in views(ds).appraisals if a.record.id == "a-unit")
    assert a.satisfaction is not None
    assert [(s.label, s.count, s.percent) for s in a.satisfaction.shares] == [
        ("满意", 30, "71.4%"),
        ("比较满意", 8, "19.0%"),
        ("基本满意", 3, "7.1%"),
        ("不满意", 1, "2.4%"),
    ]
    assert a.satisfaction_rate == "97.6%"
    member = next(a for a in views(ds).appraisals if a.record.id == "a-sun")
    assert [t.title for t in member.dimensions] == ["党性观念强不强", "联系服务群众够不够"]
    assert member.dimensions[0].shares[0].percent == "75.0%"


def test_percent_of_nothing() -> None:
    assert percent(0, 0) == "—"
    assert percent(1, 3) == "33.3%"


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (6, 12_829, "不足 0.1%"),  # 0.047 %: never 0.0 % for a count that is there
        (7, 12_829, "0.1%"),
        (0, 12_829, "0.0%"),
        (12_823, 12_829, "超过 99.9%"),  # 99.95 %: not everyone, so not 100.0 %
        (12_829, 12_829, "100.0%"),
        (1, 3, "33.3%"),
        (0, 0, "—"),
    ],
)
def test_shares_never_round_a_count_away(part: int, whole: int, shown: str) -> None:
    assert percent(part, whole) == shown
