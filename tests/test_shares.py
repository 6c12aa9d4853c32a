"""Shares on the page: a non-zero count is never 0.0 %, a count short of the whole never 100.0 %, and 满意率 is defined
where it is shown."""

from __future__ import annotations

from pathlib import Path

from sitekit import SITE, copy_data, html, make_site, text_of

from cxzy_gen.records import models as m


def test_a_large_survey_with_a_few_dissatisfied(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    appraisals = data / "units/lian-1/2011/appraisals.yaml"
    text = appraisals.read_text(encoding="utf-8")
    text = text.replace("respondents: {members: 12, non_members: 30}", "respondents: {members: 829, non_members: 12000}")
    text = text.replace(
        "satisfaction: {satisfied: 30, fairly_satisfied: 8, basically_satisfied: 3, dissatisfied: 1}",
        "satisfaction: {satisfied: 12000, fairly_satisfied: 800, basically_satisfied: 23, dissatisfied: 6}",
    )
    appraisals.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=m.Audience.PUBLIC, search=False)
    page = html(out / "units/lian-1/index.html")
    appraisal = page.find(id="a-a-unit")
    cells = [text_of(td) for td in appraisal.table.find_all("td")]
    assert cells[-1] == "6 票（不足 0.1%）"
    shown = text_of(appraisal)
    assert "满意率（含基本满意）：超过 99.9%" in shown and "100.0%" not in shown
    assert "满意率 =（满意 + 比较满意 + 基本满意）票数 ÷ 全部有效票数" in shown
