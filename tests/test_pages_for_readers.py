"""Unit and member pages as a member of the public reads them: figures first, labelled tags, 评诺 in its own
column, members' reviews one line each with the full 点评意见表 a click away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitekit import DEMO, SITE, html, make_site, text_of

from cxzy_gen.records import models as m


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("readers") / "public"
    make_site(SITE, out, search=False)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    out = tmp_path_factory.mktemp("readers-demo") / "public"
    make_site(DEMO, out, audience=m.Audience.PUBLIC)
    return out


def test_unit_page_opens_with_its_figures(site: Path) -> None:
    page = html(site / "units/lian-1/index.html")
    summary = page.find("section", class_="summary")
    # The summary comes before everything else in the page's content.
    assert summary is page.find("main").find("section")
    line = text_of(summary.find(class_="summary-line"))
    assert re.fullmatch(r"2011 年 \d+ 项承诺，\d+ 项已完成.*。", line), line
    figures = {text_of(li) for li in summary.select(".figures li")}
    assert any(f.endswith("项承诺") for f in figures) and any("群众满意率" in f for f in figures)


def test_member_page_opens_with_its_figures_and_grade(site: Path) -> None:
    summary = html(site / "members/lian1-sun/index.html").find("section", class_="summary")
    assert summary is not None
    assert "2011 年" in text_of(summary) and "项承诺" in text_of(summary)


def test_tags_are_labelled_and_evaluation_has_its_own_column(site: Path) -> None:
    page = html(site / "units/lian-1/index.html")
    table = page.find("table", class_="cards")
    heads = [text_of(th) for th in table.select("thead th")]
    assert heads[-1] == "评诺" and "状态" in heads and "践诺进展" in heads
    # The organisation's own commitments do not repeat the organisation's name in a 承诺人 column.
    assert "承诺人" not in heads
    labels = {text_of(dt) for dl in table.select("dl.tags") for dt in dl.find_all("dt")}
    assert {"类别"} <= labels and labels <= {"类别", "承诺方向", "五个好", "五带头", "结合", "公示"}
    # Every cell carries the label a phone shows above it.
    assert all(td.get("data-label") for td in table.select("tbody td"))


def test_no_label_is_doubled(demo: Path) -> None:
    doubled = re.compile(r"(补课|原因|处理)(（[^）]*）)?：\s*\1：")  # 补课（2011-12-20）：补课：…
    found = [p.relative_to(demo).as_posix() for p in demo.rglob("*.html") if doubled.search(text_of(html(p)))]
    assert found == []


def test_members_reviews_are_one_line_each_with_the_form_a_click_away(demo: Path) -> None:
    page = html(demo / "units/hongliu-lian-1/index.html")
    reviews = page.find(id="reviews-h").parent
    forms = reviews.find_all("article", class_="review-form")
    lines = reviews.select("table.cards tbody tr")
    assert lines, "the members' reviews are listed"
    # Only the organisation's own 点评意见表 is shown in full here.
    assert all("党支部" in text_of(f.h4) for f in forms)
    for tr in lines:
        link = tr.find("a", href=re.compile(r"members/.+#r-"))
        target = (demo / "units/hongliu-lian-1" / link["href"].split("#")[0]).resolve()
        anchor = link["href"].split("#")[1]
        assert html(target).find(id=anchor) is not None, link["href"]
