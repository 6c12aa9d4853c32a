"""公示 notices on the demo 师: one per issuing organisation and batch, each with its own objection contact."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sitekit import DEMO, SITE, html, make_site, text_of

from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.site.derive import derive
from cxzy_gen.site.notices import channels, objection_contact

TODAY = dt.date(2011, 6, 28)
pytestmark = [pytest.mark.skipif(not (DEMO / "site.yaml").is_file(), reason="no demo data"), pytest.mark.slow]


@pytest.fixture(scope="module")
def dataset():
    ds, problems, _ = load_dataset(DEMO)
    assert ds is not None, problems
    return ds


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notices") / "public"
    make_site(DEMO, out, audience=m.Audience.PUBLIC)
    return out


def test_one_notice_per_issuer_and_batch(dataset) -> None:
    views = derive(dataset, TODAY, m.Audience.PARTY)
    batches = [(n.issuer_id, n.start.isoformat(), n.status_key) for n in views.notices]
    assert batches == [
        ("qiye-mianye", "2011-06-21", "closed"),
        ("shi", "2011-06-20", "closed"),
        ("tuan-baiyang", "2011-06-27", "open"),
        ("tuan-hongliu", "2011-06-13", "closed"),  # a nominee from outside the data
        ("tuan-hongliu", "2011-06-22", "open"),
    ]  # 红柳河's year-end list (公示 from 2011-12-15) is nominated in December: not on the board in June
    assert [(n.issuer_id, n.status_key) for n in derive(dataset, dt.date(2011, 12, 13), m.Audience.PARTY).notices][-1] == (
        "tuan-hongliu",
        "upcoming",
    )
    # Every commendation with a window is on exactly one notice.
    on_notices = sorted(r.commendation_id for n in views.notices for g in n.groups for r in g.rows)
    with_window = sorted(h.record.id for h in views.commendations if h.window is not None)
    assert on_notices == with_window


def test_each_notice_names_its_issuers_own_contact(dataset) -> None:
    views = derive(dataset, TODAY, m.Audience.PUBLIC)
    offices = {(n.issuer_id, n.start.isoformat()): n.contact_office for n in views.notices}
    assert offices[("tuan-hongliu", "2011-06-22")] == "红柳河团场党委组织科"
    assert offices[("qiye-mianye", "2011-06-21")] == "天润棉业有限责任公司党委工作部"
    assert offices[("shi", "2011-06-20")] == "师党委组织部干部监督科"
    hongliu = next(n for n in views.notices if n.issuer_id == "tuan-hongliu")
    assert [c.label for c in hongliu.channels] == ["来电", "来信", "来访", "12380 举报网站"]
    assert hongliu.channels[1].note == "以邮戳为准"


def test_contact_falls_back_to_the_units_office_then_the_site(dataset) -> None:
    unit = dataset.units["tuan-hongliu"]
    bare = unit.model_copy(update={"objection_contact": None})
    assert objection_contact(bare, dataset.site).office == "红柳河团场党委组织科"
    assert objection_contact(bare.model_copy(update={"contact": None}), dataset.site).office == "师党委组织部"
    only_phone = m.OfficeContact(office="某科", phone="0999-1")
    assert [c.label for c in channels(only_phone)] == ["来电"]


def test_a_revoked_nomination_is_marked_and_its_reason_kept_from_the_public(dataset) -> None:
    def row(audience: m.Audience):
        views = derive(dataset, TODAY, audience)
        return next(r for n in views.notices for g in n.groups for r in g.rows if r.commendation_id == "hl-2011-h05")

    public, party = row(m.Audience.PUBLIC), row(m.Audience.PARTY)
    assert public.revoked and public.revoked_note is None
    assert party.revoked and "一票否决" in (party.revoked_note or "")


def test_a_nomination_revoked_before_its_notice_went_up_is_not_on_it(dataset) -> None:
    h = next(c for c in dataset.commendations if c.id == "hl-2011-h06")
    revoked = h.model_copy(
        update={"status": m.CommendationStatus.REVOKED, "revoked_on": dt.date(2011, 12, 12), "revoked_reason": "推荐前已调离"}
    )
    swapped = [revoked if c.id == "hl-2011-h06" else c for c in dataset.commendations]
    # On 13 December the year-end list is nominated and its 公示 (from the 15th) has not started.
    views = derive(dataclasses.replace(dataset, commendations=swapped), dt.date(2011, 12, 13))
    ids = {r.commendation_id for n in views.notices for g in n.groups for r in g.rows}
    assert "hl-2011-h06" not in ids and "hl-2011-h07" in ids


def test_the_public_notice_page_counts_objections_but_does_not_quote_them(public: Path) -> None:
    page = html(public / "publicity/tuan-hongliu/20110622/index.html")
    notice = page.find("article", class_="notice")
    assert text_of(notice.h1) == "关于2011年度先进基层党组织、优秀共产党员和优秀党务工作者拟表彰对象的公示"
    assert text_of(notice.find(class_="office")) == "红柳河团场党委组织科"
    assert "师党委组织部" not in text_of(notice)
    assert [text_of(p) for p in notice.find(class_="signoff").find_all("p")] == ["红柳河团场党委", "2011年6月22日"]
    objections = text_of(page.find(id="objections-h").parent)
    assert "收到意见 1 件" in objections and "农机作业伤人" not in objections
    revoked = page.find(id="h-hl-2011-h05")
    assert "revoked" in revoked["class"] and "已取消" in text_of(revoked) and "一票否决" not in text_of(page)
    # The preamble counts only the nominations still standing.
    assert "先进基层党组织1个" in text_of(notice.find(class_="preamble"))


def test_each_nominee_on_a_notice_is_one_click_from_their_record(tmp_path: Path) -> None:
    """The notice's row links the nominee's page: commitments, 评诺, reviews and (in a party build) the 评议 grade."""
    out = tmp_path / "party"
    make_site(SITE, out, today=dt.date(2011, 6, 28), audience=m.Audience.PARTY, search=False)
    notice = out / "publicity/shi/20110613/index.html"
    row = html(notice).select_one("tr#h-h-awarded")
    (link,) = row.select("th a")
    assert text_of(link) == "孙秀英"
    page = html((notice.parent / link["href"]).resolve())
    assert text_of(page.find("h1")) == "孙秀英"
    sections = {text_of(h) for h in page.select("main h2")}
    assert {"公开承诺", "领导点评", "群众评议"} <= sections
    assert "民主评议等次：2011 年 优秀" in text_of(page)
