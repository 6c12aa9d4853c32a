"""Each status a page shows is decided once in derive (a key and a label) and rendered from that value: the revoked
(撤销) commendation reads the same on the unit, member, year and archive pages, before and after its revocation;
templates spell no status words to compare and no paths."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sitekit import SITE, copy_data, html, make_site, text_of

from cxzy_gen.records import models as m
from cxzy_gen.site import plan

TEMPLATES = Path(__file__).resolve().parent.parent / "cxzy_gen" / "site" / "templates"

REVOKED = """  - id: h-revoked
    year: 2011
    title: 优秀共产党员
    nominee: lian1-zhou
    nominated_by: lian-1
    nominated: 2011-06-08
    deeds: 组织党员义务劳动。
    publicity: {start: 2011-06-13, end: 2011-06-19}
    objections:
      - {received: 2011-06-14, summary: 反映其承诺事项逾期未办。, handling: 经核实属实。, resolved: true, resolved_on: 2011-06-16}
    status: 撤销
    revoked_on: 2011-06-17
    revoked_reason: 承诺逾期未完成，不符合评选条件，撤销推荐。
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = copy_data(SITE, tmp_path_factory.mktemp("revoked") / "data")
    path = data / "units/shi/2011/commendations.yaml"
    path.write_text(path.read_text(encoding="utf-8") + REVOKED, encoding="utf-8")
    return data


def _line(page: Path, heading_id: str, name: str) -> str:
    section = html(page).find(id=heading_id).parent
    return next(text_of(li) for li in section.find_all("li") if name in text_of(li))


@pytest.mark.parametrize(
    ("today", "state", "key", "commended"),
    [
        (dt.date(2011, 6, 16), "公示中（3 天后结束）", "open", "0"),  # 孙秀英's decision is on 06-21
        (dt.date(2011, 6, 28), "已撤销", "revoked", "1"),  # 孙秀英 only
    ],
)
def test_a_revoked_commendation_reads_the_same_everywhere(
    data: Path, tmp_path: Path, today: dt.date, state: str, key: str, commended: str
) -> None:
    out = tmp_path / "public"
    make_site(data, out, today=today, audience=m.Audience.PARTY, search=False)
    unit = _line(out / "units/lian-1/index.html", "honours-h", "周立新")
    member = _line(out / "members/lian1-zhou/index.html", "honours-h", "优秀共产党员")
    year = _line(out / "archive/2011/index.html", "honours-h", "周立新")
    assert unit == f"2011 年 周立新：优秀共产党员 {state}"
    assert member.startswith(f"2011 年 优秀共产党员 {state}") and member.endswith("表彰单位 第九师党委")
    assert year == f"周立新：优秀共产党员 {state}"
    for page in ("units/lian-1/index.html", "members/lian1-zhou/index.html", "archive/2011/index.html"):
        assert html(out / page).select(f"span.status-{key}"), page
    # Not on the honour roll, and not counted as commended on the archive pages.
    assert "周立新" not in text_of(html(out / "honours/index.html").find("main"))
    archive = html(out / "archive/index.html").find("table")
    row = next(tr for tr in archive.find_all("tr") if "2011 年" in text_of(tr))
    assert text_of(row.find_all("td")[-1]) == commended


def test_templates_compare_no_status_words_and_spell_no_paths() -> None:
    literal_status = re.compile(
        r"(?:status|state)[\w.]*\s*[=!]=\s*[\"'][^\"']*[\u4e00-\u9fff]"  # status == "公示中"
        r"|[\"'][^\"'{}]*[\u4e00-\u9fff][^\"'{}]*[\"']\s+if\s+"  # "已办结" if o.resolved, "客观原因" if …objective
        r"|record\.status\s*}}"  # a record's own status printed beside (or instead of) the one decided at the build date
    )
    # A path the planner decides, spelled in a template: href("…"), or a folder of the site written out.
    urls = [url for url in vars(plan).values() if isinstance(url, str) and "/" in url and " " not in url]
    urls += [plan.unit_url("x"), plan.member_url("x"), plan.year_url(2011), plan.sheet_url("x", "commitments"), plan.inspection_url("x")]
    folders = "|".join(sorted({url.split("/", 1)[0] for url in urls} - {""}))
    hard_path = re.compile(rf"href\(\s*[\"']|(?<![\w./-])(?:{folders})/")
    found = [
        f"{path.name}:{n}"
        for path in sorted([*TEMPLATES.glob("*.html"), *TEMPLATES.glob("*.xml")])
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal_status.search(line) or hard_path.search(line)
    ]
    assert found == []
