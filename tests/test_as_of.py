"""The board speaks as of its date: built at a sequence of dates, nothing dated after the day shows, and what is dated
that day does — on every kind of page and in the feed; every count is the count at that day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import DEMO, SITE, copy_data, html, make_site, text_of

from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset

DAYS = [dt.date(2011, 3, 21), dt.date(2011, 5, 10), dt.date(2011, 6, 28), dt.date(2011, 9, 15), dt.date(2011, 12, 31)]
ONE = dt.timedelta(days=1)
PUBLIC = {"audience": "向社会公开"}
ID = {"今": "today", "翌": "tomorrow"}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _records(tag: str, day: dt.date, inner: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Records that exist on `day`, whose inner parts are dated `inner`, plus records that begin on `inner` itself.

    Every text that only exists from `inner` on carries the tag, e.g. 「进展今」; the "今" set is dated the build
    date, the "翌" set the day after."""
    later = day + dt.timedelta(days=120)  # after the fixture's 表彰 decisions: no nominee has an overdue commitment
    window = {"start": day - dt.timedelta(days=20), "end": day - dt.timedelta(days=3)}
    nominated = day - dt.timedelta(days=21)
    return {
        "commitments": [
            {
                "id": f"c-kept-{ID[tag]}",
                "kind": "即时承诺",
                "subject": "lian1-sun",
                "title": f"既有承诺{ID[tag]}",
                "measures": "措施。",
                "proposed": day,
                "deadline": later,
                "progress": [{"date": inner, "note": f"进展{tag}"}],
                "outcome": {"result": "未完成", "date": inner, "reason": f"原因{tag}", "objective": True},
                "evaluation": {"leader": f"评诺{tag}"},
                "remedial": {"date": inner, "note": f"补课{tag}"},
                **PUBLIC,
            },
            {
                "id": f"c-gone-{ID[tag]}",
                "kind": "即时承诺",
                "subject": "lian1-sun",
                "title": f"撤回的承诺{ID[tag]}",
                "measures": "措施。",
                "proposed": day,
                "deadline": later,
                "withdrawn": {"date": inner, "reason": f"撤回原因{tag}"},
                "amendments": [{"date": inner, "note": f"更正说明{tag}"}],
                **PUBLIC,
            },
            {
                "id": f"c-new-{ID[tag]}",
                "kind": "即时承诺",
                "subject": "lian1-sun",
                "title": f"新承诺{tag}",
                "measures": "措施。",
                "proposed": inner,
                "deadline": later,
                **PUBLIC,
            },
        ],
        "reviews": [
            {
                "id": f"r-kept-{ID[tag]}",
                "date": day,
                "form": "个别点评",
                "reviewer": {"name": "赵国强", "title": "连队党支部书记", "member": "lian1-zhao"},
                "target": "lian1-sun",
                "opinion": {"achievements": "成绩。", "problems": "问题。", "direction": "方向。"},
                "signature": {"by": f"签字人{tag}", "date": inner},
                "feedback": {"date": inner, "how": "当面反馈", "note": f"反馈情况{tag}"},
                "rectifications": [
                    {
                        "id": "z-1",
                        "item": "整改事项。",
                        "deadline": later,
                        "status": "已完成",
                        "done": inner,
                        "verified_by": f"验收人{tag}",
                        "note": f"整改说明{tag}",
                    }
                ],
                **PUBLIC,
            },
            {
                "id": f"r-new-{ID[tag]}",
                "date": inner,
                "form": "个别点评",
                "reviewer": {"name": "赵国强", "title": "连队党支部书记", "member": "lian1-zhao"},
                "target": "lian1-sun",
                "opinion": {"achievements": f"新点评{tag}", "problems": "问题。", "direction": "方向。"},
                **PUBLIC,
            },
        ],
        "appraisals": [
            {
                "id": f"a-new-{ID[tag]}",
                "target": "lian1-sun",
                "date": inner,
                "method": "会议",
                "respondents": {"members": 3, "non_members": 2},
                "satisfaction": {"satisfied": 5, "fairly_satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0},
                "summary": f"评议结果{tag}",
                **PUBLIC,
            }
        ],
        "commendations": [
            {
                "id": f"h-kept-{ID[tag]}",
                "year": nominated.year,
                "title": "优秀党务工作者",
                "nominee": "shi-li",
                "nominated_by": "shi",
                "nominated": nominated,
                "deeds": "事迹。",
                "publicity": window,
                "objections": [
                    {"received": window["end"], "summary": "反映。", "handling": f"处理情况{tag}", "resolved": True, "resolved_on": inner}
                ],
                "status": "已表彰",
                "decided": inner,
                "decision": f"决定{tag}号",
                **PUBLIC,
            },
            {
                "id": f"h-gone-{ID[tag]}",
                "year": nominated.year,
                "title": "优秀共产党员",
                "nominee": "lian1-zhao",
                "nominated_by": "lian-1",
                "nominated": nominated,
                "deeds": "事迹。",
                "publicity": window,
                "objections": [{"received": inner, "summary": f"异议{tag}"}],
                "status": "撤销",
                "revoked_on": inner,
                "revoked_reason": f"撤销原因{tag}",
                **PUBLIC,
            },
            {
                "id": f"h-new-{ID[tag]}",
                "year": inner.year,
                "title": "优秀共产党员",
                "nominee": "shi-wang",
                "nominated_by": "shi",
                "nominated": inner,
                "deeds": f"新推荐{tag}",
                "publicity": {"start": inner, "working_days": 5},
                "status": "公示中",
                **PUBLIC,
            },
        ],
    }


DATE_FIELD = {"commitments": "proposed", "reviews": "date", "appraisals": "date"}


def _year_of(kind: str, record: dict[str, Any]) -> int:
    """The year folder a record belongs in."""
    return record[DATE_FIELD[kind]].year if kind in DATE_FIELD else record["year"]


def _inject(data: Path, day: dt.date) -> None:
    """Add both sets of records to a copy of the fixture, each in its unit's folder and year."""
    for tag, inner in (("今", day), ("翌", day + ONE)):
        for kind, items in _records(tag, day, inner).items():
            for record in items:
                unit = "shi" if kind == "commendations" else "lian-1"
                path = data / "units" / unit / str(_year_of(kind, record)) / f"{kind}.yaml"
                content = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {kind: []}
                content[kind].append(record)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(yaml.dump(content, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _pages(out: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(out.rglob("*")):
        if path.suffix in {".html", ".xml", ".atom"}:
            yield path.relative_to(out).as_posix(), path.read_text(encoding="utf-8")


# Where each text dated that day must show: the pages that list that kind of record.
TODAY_ON = {
    "members/lian1-sun/index.html": [
        "进展今",
        "原因今",
        "评诺今",
        "补课今",
        "撤回原因今",
        "更正说明今",
        "新承诺今",
        "签字人今",
        "反馈情况今",
        "新点评今",
        "评议结果今",
    ],
    "units/lian-1/index.html": ["进展今", "原因今", "新承诺今", "验收人今", "整改说明今", "评议结果今"],
    "units/shi/index.html": ['id="h-h-new-today"'],  # its 公示 notices
    "publicity/": ["处理情况今", "撤销原因今", "新推荐今", "异议今"],  # the 公示 notices, all together
    "honours/index.html": ["决定今号"],
    "index.html": ["#c-c-new-today", "#r-r-new-today", "#a-a-new-today", "#h-h-new-today"],  # 最近更新 links
    "feed.atom": ["#h-h-new-today"],
}


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_nothing_after_the_build_date_shows_and_that_day_does(tmp_path: Path, day: dt.date) -> None:
    data = copy_data(SITE, tmp_path / "data")
    _inject(data, day)
    out = tmp_path / "public"
    make_site(data, out, today=day, audience=m.Audience.PARTY, search=False)
    pages = dict(_pages(out))
    kinds = {re.sub(r"/[^/]+/index\.html$", "/*/index.html", url) for url in pages}
    assert {"index.html", "units/*/index.html", "members/*/index.html", "publicity/index.html", "honours/index.html"} <= kinds
    assert {"archive/index.html", "archive/*/index.html", "units/index.html", "feed.atom", "404.html"} <= kinds

    for url, text in pages.items():
        assert "翌" not in text, f"{url} shows something dated {day + ONE}: {re.findall(r'.{0,12}翌.{0,6}', text)[:3]}"
    for url, expected in TODAY_ON.items():
        urls = [u for u in pages if u.startswith(url)] if url.endswith("/") else [url]
        raw = "".join(pages[u] for u in urls)
        shown = "".join(text_of(html(out / u)) for u in urls if u.endswith(".html"))
        missing = [t for t in expected if t not in (raw if t.startswith(("#", "id=")) else shown)]
        assert not missing, f"{url} on {day} lacks {missing}"

    # A year starts to exist on its first day: the archive has no page for the year of the day after.
    assert f"archive/{day.year + 1}/index.html" not in pages
    assert "archive/" in pages["sitemap.xml"] and f"archive/{day.year + 1}/" not in pages["sitemap.xml"]

    # Statuses at the day: what happens tomorrow has not happened yet.
    member = html(out / "members/lian1-sun/index.html")
    kept_tomorrow = member.find(id="c-c-kept-tomorrow")
    assert text_of(kept_tomorrow.find(class_="status")) == "进行中"
    assert member.find(id="c-c-gone-tomorrow").find(class_="withdrawn-note") is None
    form = {text_of(tr.th): text_of(tr.td) for tr in member.find(id="r-r-kept-tomorrow").find_all("tr")}
    assert form["签字"] == "未签字" and form["意见反馈"] == "尚未反馈"
    assert "整改中" in form["整改事项"]
    honours = text_of(html(out / "members/shi-li/index.html").find(id="honours-h").parent)
    assert "已表彰（决定今号）" in honours and "公示期满，待作出表彰决定" in honours
    honours = text_of(html(out / "members/lian1-zhao/index.html").find(id="honours-h").parent)
    assert "已撤销" in honours and "公示期满，待作出表彰决定" in honours
    notices = "".join(text_of(html(out / u)) for u in pages if u.startswith("publicity/"))
    assert "处理：处理情况今（已办结" in notices and "反映。（办理中）" in notices


# ---------------------------------------------------------------- counts at the day, on the demo data


def _raw(data: Path) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(kind, file content, record) for every yearly record of a data folder, read straight from the YAML."""
    for path in sorted((data / "units").glob("*/*/*.yaml")):
        kind = path.stem
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        for record in content[kind]:
            yield kind, content, record


@pytest.mark.slow
@pytest.mark.skipif(not (DEMO / "site.yaml").is_file(), reason="no demo data")
def test_home_figures_are_the_figures_of_the_day(tmp_path: Path) -> None:
    ds, problems, _ = load_dataset(DEMO)
    assert ds is not None, problems
    hidden = {mid for mid, p in ds.members.items() if p.level is not m.Audience.PUBLIC}
    hidden |= {uid for uid, u in ds.units.items() if u.level is not m.Audience.PUBLIC}
    seen = set()
    for day in (dt.date(2011, 3, 31), dt.date(2011, 5, 10), dt.date(2011, 6, 28), dt.date(2011, 12, 20)):
        made = kept = 0
        for kind, content, c in _raw(DEMO):
            audience = c.get("audience") or content.get("audience") or "向社会公开"
            if kind != "commitments" or audience != "向社会公开" or c["subject"] in hidden or c["proposed"] > day:
                continue
            if "withdrawn" in c and c["withdrawn"]["date"] <= day:
                continue
            made += 1
            outcome = c.get("outcome")
            kept += bool(outcome and outcome["result"] == "已完成" and outcome["date"] <= day)
        out = tmp_path / day.isoformat()
        make_site(DEMO, out, today=day, audience=m.Audience.PUBLIC)
        progress = text_of(html(out / "index.html").find(id="progress-h").parent)
        assert f"公开承诺{made} 项 已完成 {kept} 项（{100 * kept / made:.1f}%）" in progress.replace("公开承诺 ", "公开承诺")
        seen.add((made, kept))
    assert len(seen) == 4, "the figures move with the date"
