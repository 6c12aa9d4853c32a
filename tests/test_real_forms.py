"""What real published forms carry (issue 13) reaches the pages: 预备党员 and 入党时间, a 点评意见表 with its own headings
and the member's answer, percentages-only results, too few respondents for a breakdown, nominees from outside the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import DataCopy
from sitekit import html, make_site, text_of

from cxzy_gen.records import models as m

A = "units/lian-1/2011/appraisals.yaml"
R = "units/lian-1/2011/reviews.yaml"
H = "units/shi-dw/2011/commendations.yaml"
MEMBERS = "units/lian-1/members.yaml"


def real_forms(mini: DataCopy) -> None:
    mini.replace(MEMBERS, "    joined: 2006\n", "    joined: 2010-09\n    probationary: true\n")
    mini.replace(
        R,
        "      achievements: 承诺事项推进有力。\n      problems: 党员活动室建设滞后。\n      direction: 加快活动室建设。\n",
        "      sections:\n        - heading: 工作思路\n          text: 思路清晰。\n        - heading: 廉洁自律\n          text: 严守纪律。\n",
    )
    mini.replace(
        R, "    rectifications:\n", "    response:\n      text: 九月底前建成活动室。\n      date: 2011-06-23\n    rectifications:\n"
    )
    mini.write(
        A,
        """appraisals:
  - id: lian1-2011-a01
    target: lian-1
    date: 2011-06-25
    method: 问卷调查
    respondents:
      members: 12
      non_members: 30
      groups:
        - name: 服务对象
          count: 8
    percent_only: true
    satisfaction:
      satisfied: 62.5
      fairly_satisfied: 25.3
      basically_satisfied: 8.1
      dissatisfied: 1.1
      unknown: 3
    opinions:
      collected: 23
      merged: 9
      answered: 8
  - id: lian1-2011-a02
    target: lian1-sun
    date: 2011-06-25
    method: 会议
    respondents:
      members: 3
      non_members: 1
    dimensions:
      party_spirit:
        good: 3
        fair: 0
        average: 1
        poor: 0
    grade: 合格
""",
    )
    mini.write(
        H,
        mini.text(H)
        + """  - id: shi-2011-h04
    year: 2011
    title: 优秀党支部书记
    tier: 师局级
    external:
      name: 马玉兰
      unit: 驻师卫生监督所党支部
    nominated_by: shi-dw
    recommended_to: 兵团党委
    deeds: 带头服务群众。
    publicity:
      start: 2011-06-24
      working_days: 5
    status: 公示中
""",
    )
    assert mini.problems() == []


def test_real_forms_on_the_pages(mini: DataCopy, tmp_path: Path) -> None:
    real_forms(mini)
    out = tmp_path / "public"
    make_site(
        mini.root, out, dt.date(2011, 6, 28), m.Audience.SPECIFIC, unit="lian-1", to=("lian-1",), search=False
    )  # lian-1's board, widest

    zhou = html(out / "members" / "lian1-zhou" / "index.html")
    facts = text_of(zhou.select_one("dl.facts"))
    assert "入党时间 2010年9月" in facts and "党员类别 预备党员" in facts

    unit = html(out / "units" / "lian-1" / "index.html")
    form = unit.select_one("#r-lian1-2011-r01")
    headings = [th.get_text(strip=True) for th in form.select("th[scope=row]")]
    assert headings[headings.index("活动总结") + 1 : headings.index("活动总结") + 3] == ["工作思路", "廉洁自律"]
    assert "成绩" not in headings
    assert "被点评人整改答复" in headings and "九月底前建成活动室。" in text_of(form)

    shares = unit.select_one("#a-lian1-2011-a01")
    text = text_of(shares)
    assert "参评 50 人（党员 12 人，群众 30 人，服务对象 8 人）" in text
    assert "原件只公布百分比" in text and "征集意见建议 23 条，归纳合并为 9 条，已答复 8 条" in text
    cells = [td.get_text(strip=True) for td in shares.select("td")]
    assert cells == ["62.5%", "25.3%", "8.1%", "1.1%", "3%"]
    assert [th.get_text(strip=True) for th in shares.select("thead th")][-1] == "不了解"

    sun = html(out / "members" / "lian1-sun" / "index.html")
    few = sun.select_one("#a-lian1-2011-a02")
    assert few.select("table") == []  # 4 respondents: no breakdown, however it is asked for
    assert "参评 4 人" in text_of(few) and "只公布参评总人数" in text_of(few)
    assert "合格" in text_of(few)

    pages = [p for p in (out / "publicity").rglob("index.html") if 'id="h-shi-2011-h04"' in p.read_text(encoding="utf-8")]
    notice = html(next(p for p in pages if p.parent.name[:8].isdigit()))
    row = notice.select_one("tr#h-shi-2011-h04")
    cells = [c.get_text(strip=True) for c in row.select("th, td")]
    assert "马玉兰" in cells and "驻师卫生监督所党支部" in "".join(cells)
    assert row.select("a") == []  # no page to link to
    assert text_of(notice.select_one("h1")) == "关于2011年度优秀党支部书记拟推荐对象的公示"
    assert "研究确定了向兵团党委推荐的2011年度优秀党支部书记1名拟推荐对象" in text_of(notice)
