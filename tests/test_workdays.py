"""Working days in a region: 新疆 adds 肉孜节 and 古尔邦节 to the national calendar; site.yaml's extra days follow each
year's notice. End dates below are counted by hand from the 2011 calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import DataCopy
from sitekit import SITE, copy_data, html, make_site, text_of

from cxzy_gen.records import models as m
from cxzy_gen.records.workdays import WorkdayCalendar
from cxzy_gen.site.derive import derive

XJ = WorkdayCalendar(region="新疆")
NATIONAL = WorkdayCalendar()


@pytest.mark.parametrize(
    ("start", "national", "xinjiang"),
    [
        # Mon 08-29, Tue 08-30, [Wed 08-31 肉孜节], Thu 09-01, Fri 09-02, [weekend], Mon 09-05.
        (dt.date(2011, 8, 29), dt.date(2011, 9, 2), dt.date(2011, 9, 5)),
        # Thu 11-03, Fri 11-04, [Sat 11-05; 古尔邦节 Sun 11-06 – Tue 11-08], Wed 11-09, Thu 11-10, Fri 11-11.
        (dt.date(2011, 11, 3), dt.date(2011, 11, 9), dt.date(2011, 11, 11)),
        # Nothing regional in June: the same end both ways.
        (dt.date(2011, 6, 24), dt.date(2011, 6, 30), dt.date(2011, 6, 30)),
    ],
)
def test_five_working_days_across_the_regional_holidays(start: dt.date, national: dt.date, xinjiang: dt.date) -> None:
    assert NATIONAL.nth_workday(start, 5) == national
    assert XJ.nth_workday(start, 5) == xinjiang


def test_the_regional_holidays_of_2011() -> None:
    off = [d for d in (dt.date(2011, 8, 31), dt.date(2011, 11, 7), dt.date(2011, 11, 8)) if not XJ.is_workday(d)]
    assert len(off) == 3 and all(NATIONAL.is_workday(d) for d in off)
    assert XJ.warnings() == []


def test_extra_days_from_the_site_follow_the_years_notice() -> None:
    site = m.Site.model_validate(
        {
            "title": "t",
            "root_unit": "u",
            "campaign_year": 2012,
            "contact": {"office": "o"},
            "region": "新疆",
            "extra_holidays": ["2012-08-20"],  # a Monday given off that year
            "extra_workdays": ["2012-08-25"],  # a Saturday worked in lieu
        }
    )
    calendar = WorkdayCalendar.for_site(site)
    assert not calendar.is_workday(dt.date(2012, 8, 20)) and calendar.is_workday(dt.date(2012, 8, 25))
    assert calendar.warnings() == []  # the year's regional days are given by hand


def test_a_region_year_without_its_holidays_is_a_warning() -> None:
    calendar = WorkdayCalendar(region="新疆")
    calendar.nth_workday(dt.date(2013, 8, 5), 5)
    (warning,) = calendar.warnings()
    assert "新疆 2013 年的地方节日" in warning and "extra_holidays" in warning


def test_a_notice_across_rouzi_jie_in_a_xinjiang_site(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "region: 新疆\n", encoding="utf-8")
    commendations = data / "units/shi/2011/commendations.yaml"
    text = commendations.read_text(encoding="utf-8")
    commendations.write_text(
        text.replace("publicity: {start: 2011-09-29, working_days: 5}", "publicity: {start: 2011-08-29, working_days: 5}")
    )
    out = tmp_path / "public"
    make_site(data, out, today=dt.date(2011, 9, 2), audience=m.Audience.PARTY, search=False)
    notices = text_of(html(out / "publicity/index.html"))
    # 8-31 (肉孜节) is not a working day in 新疆: the fifth working day is Monday 9-5, not Friday 9-2.
    assert "2011-08-29 至 2011-09-05（5 个工作日）· 公示中（3 天后结束）" in notices


def test_a_window_with_an_end_that_is_too_short_in_xinjiang(mini: DataCopy) -> None:
    # Mon 08-29 to Fri 09-02: five working days nationally, four in 新疆.
    mini.replace("site.yaml", "default_audience:", "region: 新疆\ndefault_audience:")
    mini.replace(
        "units/shi-dw/2011/commendations.yaml", "start: 2011-06-24\n      working_days: 5", "start: 2011-08-29\n      end: 2011-09-02"
    )
    _, problems, _ = mini.load()
    assert [p.message for p in problems if p.code == "E-PROCEDURE"] == [
        "公示期（2011-08-29 至 2011-09-02）只有 4 个工作日，本站规定至少 5 个工作日（site.yaml 的 publicity_working_days）"
    ]


def test_derive_counts_windows_by_the_sites_calendar(tmp_path: Path) -> None:
    from cxzy_gen.records.validate import load_dataset

    data = copy_data(SITE, tmp_path / "data")
    (data / "site.yaml").write_text((data / "site.yaml").read_text(encoding="utf-8") + "region: 新疆\n", encoding="utf-8")
    h = data / "units/shi/2011/commendations.yaml"
    h.write_text(h.read_text(encoding="utf-8").replace("start: 2011-09-29, working_days: 5", "start: 2011-11-03, working_days: 5"))
    ds, problems, _ = load_dataset(data)
    assert ds is not None, problems
    (view,) = [c for c in derive(ds, dt.date(2011, 11, 10), m.Audience.PARTY).commendations if c.record.id == "h-national-day"]
    assert view.window is not None and view.window.end == dt.date(2011, 11, 11)
