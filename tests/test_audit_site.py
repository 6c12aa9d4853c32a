"""The site's 督查 section: built for 党内公开 and narrower only, with the hand-computed answers of tests/test_audit.py
on its pages and in its SVG charts; a public build carries none of it."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import pytest
from sitekit import SITE, html, make_site, text_of
from test_audit import CHECKS, DATA, GAPS, REMINDERS, SCORES, TODAY

from cxzy_gen.records import models as m
from cxzy_gen.site.audit import Check
from cxzy_gen.site.charts import PLOT_WIDTH

UNITS = ["tuan", "lian-a", "lian-b"]


@pytest.fixture(scope="module")
def party(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit-site") / "public"
    make_site(DATA, out, TODAY, m.Audience.PARTY, search=False)  # the 督查 pages are not searched
    return out


def _bars(svg: Any) -> list[tuple[str, float, float]]:
    """(label, value, drawn width) of each bar of a chart."""
    out = []
    for g in svg.select("g.chart-bar"):
        (fill,) = g.select("rect.chart-fill")
        out.append((g["data-label"], float(g["data-value"]), float(fill["width"])))
    return out


def _scaled(value: float, maximum: float) -> float:
    return round(value / maximum * PLOT_WIDTH, 2)


def test_the_tree_shows_each_units_four_checks_and_score(party: Path) -> None:
    page = html(party / "inspection" / "index.html")
    assert page.find("h1").get_text() == "2011 年「四有」督查"
    rows = page.select("table.inspection-tree tbody tr")
    assert [text_of(r.find("th")) for r in rows] == ["测试团场党委", "甲连党支部", "乙连党支部", "合计"]
    for uid, row in zip(UNITS, rows, strict=False):
        cells = [text_of(td) for td in row.find_all("td")]
        for i, c in enumerate(Check):
            ok, gap, _ = CHECKS[uid][c]
            assert cells[i].split(" ")[1].startswith(f"{ok}/{ok + gap}"), (uid, c, cells[i])
            assert cells[i].startswith(f"{100 * ok / (ok + gap):.1f}%")
        assert cells[4] == f"{SCORES[uid]:.1f}"
        assert cells[6] == str(len(GAPS[uid]))
    assert [a["href"] for a in page.select("table.inspection-tree tbody th a")] == [f"../inspection/{uid}/index.html" for uid in UNITS]
    # The ranking: lowest score first.
    assert [text_of(li).split("：")[0] for li in page.select("ol.ranking li")] == ["乙连党支部", "测试团场党委", "甲连党支部"]


def test_the_score_chart_draws_each_units_score(party: Path) -> None:
    svg = html(party / "inspection" / "index.html").select_one("svg.chart")
    assert svg["role"] == "img" and svg.find("title").get_text() and svg.find("desc").get_text()
    assert svg["aria-labelledby"] == f"{svg.find('title')['id']} {svg.find('desc')['id']}"
    bars = _bars(svg)
    assert [(label, value) for label, value, _ in bars] == [("测试团场党委", 63.3), ("甲连党支部", 74.1), ("乙连党支部", 8.3)]
    assert [width for _, _, width in bars] == [_scaled(v, 100) for v in (63.3, 74.1, 8.3)]


def test_drill_down_names_the_gaps_and_lists_the_reminders(party: Path) -> None:
    for uid in UNITS:
        page = html(party / "inspection" / uid / "index.html")
        assert [text_of(li) for li in page.select("ul.gaps li")] == GAPS[uid]
        reminders = page.select("ul.reminders li")
        assert [li.find("time")["datetime"] for li in reminders] == [due for due, _ in REMINDERS[uid]]
        assert [("逾期" in text_of(li)) for li in reminders] == [days < 0 for _, days in REMINDERS[uid]]
    lian_a = html(party / "inspection" / "lian-a" / "index.html")
    overdue = [[text_of(td) for td in tr.find_all("td")] for tr in lian_a.select("section[aria-labelledby=overdue-h] tbody tr")]
    assert overdue == [["整改", "建好党员活动室", "甲连党支部", "2011-06-30", "15"]]
    milestones = {
        text_of(tr.find("th")): [text_of(td) for td in tr.find_all("td")]
        for tr in lian_a.select("section[aria-labelledby=milestones-h] tbody tr")
    }
    assert milestones["3 月底前提出年度承诺"] == ["2011-03-31", "未按期完成", "钱乙、孙丙"]
    assert milestones["七一前阶段评议"] == ["2011-06-30", "已完成", "—"]


def test_unit_charts_parse_with_the_right_bar_values(party: Path) -> None:
    page = html(party / "inspection" / "lian-a" / "index.html")
    charts = {svg.find("title").get_text(): svg for svg in page.select("svg.chart")}
    assert list(charts) == ["甲连党支部 2011 年四项检查覆盖率", "甲连党支部 2011 年群众满意度测评", "甲连党支部历年情况（本单位及其党员）"]
    checks = _bars(charts["甲连党支部 2011 年四项检查覆盖率"])
    expected = [100 * ok / (ok + gap) for ok, gap, _ in CHECKS["lian-a"].values()]  # 5/7, 6/8, 4/4, 1/2
    assert [label for label, _, _ in checks] == [c.value for c in Check]
    assert [value for _, value, _ in checks] == pytest.approx(expected, abs=1e-3)
    assert [width for _, _, width in checks] == pytest.approx([_scaled(v, 100) for v in expected], abs=0.01)
    satisfaction = _bars(charts["甲连党支部 2011 年群众满意度测评"])
    assert satisfaction == [(label, n, _scaled(n, 42)) for label, n in (("满意", 30), ("比较满意", 8), ("基本满意", 3), ("不满意", 1))]
    assert charts["甲连党支部 2011 年群众满意度测评"]["data-max"] == "42"
    years = _bars(charts["甲连党支部历年情况（本单位及其党员）"])
    # 2011: lian-a's own commitment, 赵甲's, 钱乙's (孙丙's of August is not there yet); 3 reviews; 4 appraisals.
    assert [(label, value) for label, value, _ in years] == [("公开承诺", 3), ("已完成承诺", 0), ("领导点评", 3), ("群众评议", 4)]
    # Each chart has its numbers as a table too.
    tables = page.select("figure.chart-figure details table")
    assert len(tables) == 3
    assert [text_of(td) for td in tables[1].select("td")] == ["30 票（71.4%）", "8 票（19.0%）", "3 票（7.1%）", "1 票（2.4%）"]


def test_april_and_december_side_by_side(party: Path) -> None:
    page = html(party / "inspection" / "snapshots" / "index.html")
    heads = [text_of(th) for th in page.select("thead tr")[0].find_all("th")[1:]]
    assert heads == ["4 月督查（2011年4月30日）", "12 月督查（2011年12月31日）"]
    rows = {text_of(tr.find("th")): tr for tr in page.select("tbody tr")}
    lian_b = [text_of(td) for td in rows["乙连党支部"].find_all("td")]
    # As of 04-30 乙连: 周丁 has a commitment (and his later-withdrawn one still stands), the branch has none (gap);
    # published: the 04-02 one yes, c-b-zhou (07-20) not yet → 承诺有公示 2/4. No secretary → 点评有记录 0/1.
    # Nothing of 七一 is due; the 先进基层党组织 公示 has not started. Score (50 + 0) / 2 = 25.0.
    assert lian_b[:5] == ["50.0% 2/4", "0.0% 0/1，未到期 2", "— 0/0，未到期 4", "— 0/0", "25.0"]
    assert lian_b[5] == "尚未到督查日期"  # December is after the build date


def test_a_later_build_fills_the_december_column(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(DATA, out, dt.date(2012, 1, 5), m.Audience.UNIT, unit="tuan", search=False)
    rows = {text_of(tr.find("th")): tr for tr in html(out / "inspection" / "snapshots" / "index.html").select("tbody tr")}
    cells = [text_of(td) for td in rows["乙连党支部"].find_all("td")]
    assert "尚未到督查日期" not in cells and len(cells) == 10


@pytest.mark.parametrize("data", [DATA, SITE], ids=["audit", "site"])
def test_a_public_build_carries_no_inspection(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(data, out, TODAY, m.Audience.PUBLIC)
    assert not (out / "inspection").exists()
    for path in out.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            if raw.startswith(b"\x1f\x8b"):  # the search index's compressed fragments are scanned too
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8", errors="replace")
            assert "督查" not in text and "inspection/" not in text and "四有" not in text, path
    party = tmp_path / "party"
    make_site(data, party, TODAY, m.Audience.PARTY, search=False)
    nav = [a.get_text() for a in html(party / "index.html").select("nav.site-nav a")]
    assert nav[-1] == "督查"
