"""The built site, parsed: what a unit page, a member page, the honour roll, the 公示 page and the feed say."""

from __future__ import annotations

import posixpath
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from sitekit import SITE, WIDEST, copy_data, data_sets, html, make_site, own_addresses, site_root_path, text_of

from cxzy_gen.site.render import DEFAULT_TEMPLATES

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://dangwu.example.org/cxzy/"  # the fixture's site.yaml url, kept with a final slash


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    make_site(SITE, out, **WIDEST)
    return out


def rows(table: BeautifulSoup) -> list[dict[str, str]]:
    """A table as one dict per body row, keyed by the column headers."""
    heads = [text_of(th) for th in table.select("thead th")]
    return [dict(zip(heads, (text_of(td) for td in tr.find_all(["td", "th"])), strict=True)) for tr in table.select("tbody tr")]


def section(page: BeautifulSoup, heading: str) -> BeautifulSoup:
    h2 = next(h for h in page.find_all("h2") if text_of(h) == heading)
    return h2.find_parent("section")


# ---------------------------------------------------------------- the pages a reader walks through


def test_every_page_of_the_fixture_is_there(site: Path) -> None:
    expected = {
        "index.html",
        "404.html",
        "units/index.html",
        "publicity/index.html",
        *(f"publicity/shi/{day}/index.html" for day in ("20100621", "20110613", "20110624", "20110929")),
        "honours/index.html",
        "archive/index.html",
        "archive/2011/index.html",
        "archive/2010/index.html",
        "feed.atom",
        "sitemap.xml",
        "assets/site.css",
        "assets/search.js",
        "assets/board.js",
        "search/index.html",
        "board/index.html",
        *(f"sheets/lian-1/{kind}/index.html" for kind in ("commitments", "reviews", "appraisals")),
        "sheets/shequ-1/commitments/index.html",
        ".cxzy-site",
        *(f"units/{u}/index.html" for u in ("shi", "tuan-1", "lian-1", "shequ-1")),
        *(
            f"members/{p}/index.html"
            for p in ("shi-wang", "shi-li", "t1-zhang", "lian1-zhao", "lian1-sun", "lian1-zhou", "lian1-qian", "sq1-chen")
        ),
        # 督查 (this build is for 特定对象公开; a public one has none: tests/test_audit_site.py)
        "inspection/index.html",
        "inspection/snapshots/index.html",
        *(f"inspection/{u}/index.html" for u in ("shi", "tuan-1", "lian-1", "shequ-1")),
    }
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {p for p in built if not p.startswith("pagefind/")} == expected
    assert "pagefind/shards.json" in built and "pagefind/0/pagefind.js" in built  # the search index (tests/test_search.py)


def test_unit_page(site: Path) -> None:
    page = html(site / "units/lian-1/index.html")
    assert text_of(page.h1) == "一团一连党支部"
    # Up the tree (breadcrumb) and down it; the secretary and the members, linked.
    crumbs = page.select("nav.breadcrumb a")
    assert [(text_of(a), a["href"]) for a in crumbs] == [
        ("第九师党委", "../../units/shi/index.html"),
        ("一团党委", "../../units/tuan-1/index.html"),
    ]
    about = section(page, "基本情况")
    facts = dict(zip((text_of(dt) for dt in about.find_all("dt")), about.find_all("dd"), strict=True))
    assert facts["党组织书记"].a["href"] == "../../members/lian1-zhao/index.html"
    assert text_of(facts["上级党组织"]) == "一团党委"
    assert [text_of(a) for a in facts["党员"].find_all("a")] == ["赵国强", "孙秀英", "周立新", "钱内部"]

    # Commitments: the organisation's and the members', each with its status and 践诺 progress.
    tables = section(page, "公开承诺").find_all("table")
    assert [text_of(t.caption) for t in tables] == ["2011 年 党组织承诺", "2011 年 党员承诺"]
    own = rows(tables[0])
    assert own[0]["承诺事项"].startswith("全连棉花单产提高百分之五")
    assert own[0]["状态"] == "进行中"
    assert "2011-05-10 完成滴灌设备安装。" in own[0]["践诺进展"]
    status = {r["承诺事项"].split(" ")[0]: r["状态"] for r in rows(tables[1])}
    assert status["春播期间为五户职工义务维修农机"] == "已完成 认定日期 2011-05-15"
    assert status["五月底前整理好连队党员活动室"] == "逾期 超过时限 28 天"
    assert status["带领三户职工发展设施农业"].startswith("部分完成")
    assert status["学会农机电控维修"].startswith("未完成")
    assert "补课" in status["学会农机电控维修"]
    assert status["组织一次义务植树"] == "已撤回"
    assert page.find(id="c-c-gone").find(class_="withdrawn-note") is not None

    # The 《点评意见表》: reviewer and title, the reviewed, 成绩/问题/努力方向, signature, feedback.
    form = page.find(id="r-r-unit")
    assert text_of(form.h4) == "点评意见表 · 一团一连党支部"
    cells = {text_of(tr.th): text_of(tr.td) for tr in form.find_all("tr")}
    assert cells["点评领导"] == "张永福" and cells["职务"] == "一团党委书记"
    assert cells["被点评对象"] == "一团一连党支部"
    assert cells["成绩"].replace(" ", "") == "承诺事项推进有力，滴灌推广成效明显。"
    assert form.find("strong") is not None  # Markdown **…** in the opinion
    assert cells["问题"] == "党员活动室建设滞后。" and cells["努力方向"] == "加快活动室建设。"
    assert cells["签字"] == "张永福 2011-06-10"
    assert cells["意见反馈"] == "2011-06-12 会议反馈：支部表示立即整改。"

    # Rectifications with deadlines and status at the build date.
    rect = rows(section(page, "整改落实").table)
    assert [(r["整改事项"], r["整改时限"], r["状态"].split(" ")[0]) for r in rect] == [
        ("完善承诺台账", "2011-06-25", "已完成"),
        ("建好党员活动室", "2011-06-15", "逾期"),
        ("建立党员联系户制度", "2011-09-30", "未开始"),
    ]

    # Appraisal tallies with percentages.
    appraisal = page.find(id="a-a-unit")
    tally = appraisal.table
    assert text_of(tally.caption) == "群众满意度测评（共 42 票）"
    assert rows(tally) == [{"满意": "30 票（71.4%）", "比较满意": "8 票（19.0%）", "基本满意": "3 票（7.1%）", "不满意": "1 票（2.4%）"}]
    assert "满意率（含基本满意）：97.6%" in text_of(appraisal)

    # Commendations: received by the unit and its members.
    honours = text_of(section(page, "评选表彰"))
    assert "孙秀英：优秀共产党员 已表彰（师党发〔2011〕20号）" in honours
    assert "一团一连党支部：先进基层党组织 公示中（2 天后结束）" in honours

    # The objection contact: the unit has none of its own, so the site's.
    assert "师创先争优活动领导小组办公室" in text_of(page.find("section", class_="contact"))


def test_unit_page_reads_for_the_public(site: Path) -> None:
    """Issue 12, item 3: a summary first, labelled tags, 评诺 apart, members' reviews one line each with the full form a click away."""
    page = html(site / "units/lian-1/index.html")
    main = page.find("main")
    # The summary is the first section after the heading, and its figures add up to the commitments listed.
    first = main.find("section")
    assert first.get("aria-label") == "概况" and first.find_previous_sibling("h1") is not None
    line = text_of(first.find(class_="summary-line"))
    assert line == "2011 年 6 项承诺，1 项已完成，2 项进行中，1 项逾期，1 项部分完成，1 项未完成，群众满意率 97.6%。"
    figures = [int(n) for n in re.findall(r"(\d+) 项(?:已完成|进行中|逾期|部分完成|未完成)", line)]
    listed = [tr for t in section(page, "公开承诺").find_all("table") for tr in t.select("tbody tr") if "已撤回" not in text_of(tr)]
    assert sum(figures) == int(re.match(r"2011 年 (\d+) 项承诺", line)[1]) == len(listed)

    commitments = section(page, "公开承诺").find_all("table")
    own, members = (rows(t) for t in commitments)
    # The unit's own commitments do not repeat its name in a column; the members' name who promised.
    assert "承诺人" not in own[0] and "承诺主体" not in own[0] and "承诺主体" not in members[0]
    assert "孙秀英" in {r["承诺人"] for r in members}
    # Tags are labelled: every value under a name (类别, 承诺方向, 五个好, 公示…), never run together.
    for tags in section(page, "公开承诺").select("dl.tags"):
        names = [text_of(dt) for dt in tags.find_all("dt")]
        assert (
            names and len(names) == len(tags.find_all("dd")) and set(names) <= {"类别", "承诺方向", "五个好", "五带头", "结合", "公示"}
        ), names
    # 评诺 has a column of its own, not squeezed into the progress column.
    assert all("评诺" in r for r in own + members) and not any("评诺" in r["践诺进展"] for r in own + members)
    assert "补课：补课" not in text_of(main)

    # Members' reviews: a short list, one row each, linking to the full 点评意见表 on the member's page.
    reviews = section(page, "领导点评")
    forms = [text_of(h) for h in reviews.find_all("h4")]
    assert forms == ["点评意见表 · 一团一连党支部"]  # only the unit's own form is shown in full here
    short = reviews.find_all("table")[-1]
    [row] = rows(short)
    # The fixture's reviews are 党内公开: the row says so, as every record narrower than 向社会公开 does.
    assert row["被点评党员"] == "孙秀英 党内公开" and row["点评意见表"] == "查看 孙秀英的点评意见表"
    [link] = short.select('a[href*="#r-"]')
    target, anchor = link["href"].split("#")
    member = html((site / "units/lian-1" / target).resolve())
    assert member.find(id=anchor) is not None and "点评意见表" in text_of(member.find(id=anchor))


def test_unit_page_links_down_the_tree(site: Path) -> None:
    page = html(site / "units/shi/index.html")
    about = section(page, "基本情况")
    facts = dict(zip((text_of(dt) for dt in about.find_all("dt")), about.find_all("dd"), strict=True))
    assert [(text_of(a), a["href"]) for a in facts["下级党组织"].find_all("a")] == [
        ("城区第一社区党支部（本单位公开）", "../../units/shequ-1/index.html"),
        ("一团党委", "../../units/tuan-1/index.html"),
    ]
    assert page.select_one("nav.breadcrumb") is None  # the root has nothing above it
    # The unit's own contact replaces the site's; its commendation 公示 is listed.
    assert "师党委组织部" in text_of(page.find("section", class_="contact"))
    assert page.find(id="h-h-open") is not None


def test_member_page(site: Path) -> None:
    page = html(site / "members/lian1-sun/index.html")
    assert text_of(page.h1) == "孙秀英"
    assert [text_of(a) for a in page.select("nav.breadcrumb a")] == ["第九师党委", "一团党委", "一团一连党支部"]
    about = section(page, "基本情况")
    assert "负责全连农机检修" in text_of(about)
    commitments = rows(section(page, "公开承诺").table)
    assert [(r["承诺事项"].split(" ")[0], r["状态"].split(" ")[0]) for r in commitments] == [
        ("春播期间为五户职工义务维修农机", "已完成"),
        ("学会农机电控维修", "未完成"),
    ]
    assert "承诺主体" not in text_of(section(page, "公开承诺").table.thead)
    form = page.find(id="r-r-member")
    assert form is not None and "赵国强" in text_of(form)
    appraisals = section(page, "群众评议")
    assert "民主评议等次：2011 年 优秀" in text_of(appraisals)
    dims = [text_of(t.caption) for t in appraisals.find_all("table")]
    assert dims == ["党性观念强不强（共 16 票）", "联系服务群众够不够（共 16 票）"]
    assert "2011 年 优秀共产党员 已表彰（师党发〔2011〕20号）表彰单位 第九师党委" in text_of(section(page, "评选表彰"))


def test_honour_roll_by_year_and_title(site: Path) -> None:
    page = html(site / "honours/index.html")
    years = page.select("main section")
    assert [text_of(s.h2) for s in years] == ["2011 年度", "2010 年度"]
    roll = {
        text_of(s.h2): {
            text_of(h3): [text_of(li.find(class_="name")) for li in h3.find_next("ul").find_all("li")] for h3 in s.find_all("h3")
        }
        for s in years
    }
    # Only the commended (已表彰): 公示中 and 推荐 are not on the roll yet.
    assert roll == {"2011 年度": {"优秀共产党员": ["孙秀英"]}, "2010 年度": {"先进基层党组织": ["一团党委"]}}


def test_publicity_page_keeps_open_upcoming_and_closed_notices_apart(site: Path) -> None:
    page = html(site / "publicity/index.html")

    def listed(heading: str) -> list[tuple[str, str]]:
        return [(text_of(li.a), li.a["href"]) for li in section(page, heading).select("ul.notice-list > li")]

    assert listed("正在公示") == [("第九师党委关于2011年度先进基层党组织拟表彰对象的公示", "../publicity/shi/20110624/index.html")]
    assert listed("即将公示") == [("第九师党委关于2011年度优秀党务工作者拟表彰对象的公示", "../publicity/shi/20110929/index.html")]
    assert [href for _, href in listed("公示期满")] == ["../publicity/shi/20110613/index.html", "../publicity/shi/20100621/index.html"]
    assert "公示中（2 天后结束）" in text_of(section(page, "正在公示"))
    assert "2011-06-24 至 2011-06-30（5 个工作日）" in text_of(section(page, "正在公示"))
    # Old links to a nominee on this page still land on the nominee's line.
    assert page.find(id="h-h-open") is not None


def test_a_notice_page_is_a_whole_notice(site: Path) -> None:
    page = html(site / "publicity/shi/20110613/index.html")
    notice = page.find("article", class_="notice")
    assert text_of(notice.h1) == "关于2011年度优秀共产党员拟表彰对象的公示"
    assert text_of(notice.find(class_="sheet-mark")) == "公开范围：向社会公开 · 按2011年6月28日的情况"
    preamble = text_of(notice.find(class_="preamble"))
    assert "第九师党委研究确定了2011年度优秀共产党员1名拟表彰对象" in preamble and "现予以公示" in preamble
    names = rows(notice.find("table", class_="nominees"))
    assert names == [{"序号": "1", "姓名": "孙秀英", "职务及单位": "一团一连党支部农机手", "推荐单位": "一团一连党支部"}]
    terms = text_of(notice.find(class_="notice-terms"))
    assert "2011年6月13日至2011年6月19日（5 个工作日）" in terms
    assert "请署真实姓名" in terms
    signoff = notice.find(class_="signoff")
    assert [text_of(p) for p in signoff.find_all("p")] == ["第九师党委", "2011年6月13日"]
    # The objection received is handled; its text is for 党内 and narrower (this build is 特定对象公开).
    assert "经核实为义务维修" in text_of(section(page, "异议及处理"))


def test_notice_objection_channels_come_from_the_issuer(site: Path) -> None:
    notice = html(site / "publicity/shi/20110624/index.html").find("article", class_="notice")
    channels = [text_of(li) for li in notice.select("ul.channels li")]
    assert channels == [
        "来电：0901-6221380",
        "来信：师部胜利路 1 号（邮编 834000），师党委组织部干部监督科收（以邮戳为准）",
        "来访：师部胜利路 1 号",
        "12380 举报网站：https://www.12380.gov.cn/",
    ]
    assert text_of(notice.find(class_="office")) == "师党委组织部干部监督科"
    # Not the site's office: objections go to the organisation that issued the notice.
    assert "师创先争优活动领导小组办公室" not in text_of(notice)


def test_home_page_shows_what_is_open_now_with_days_left_and_contact(site: Path) -> None:
    page = html(site / "index.html")
    assert text_of(page.h1) == "第九师创先争优党务公开栏（建站测试）"
    open_now = section(page, "正在公示")
    [item] = open_now.select("ul.notice-list > li")
    assert item.a["href"] == "publicity/shi/20110624/index.html"
    assert "一团一连党支部" in text_of(item) and "公示中（2 天后结束）" in text_of(item)
    progress = text_of(section(page, "2011 年活动进展"))
    assert "公开承诺 7 项 已完成 1 项（14.3%），逾期 1 项" in progress
    assert "领导点评 2 次" in progress and "群众评议 2 次" in progress and "评选表彰 1 个" in progress
    changes = [text_of(li) for li in section(page, "最近更新").find_all("li")]
    assert changes[:2] == ["2011-06-25 群众评议：孙秀英", "2011-06-25 群众评议：一团一连党支部"]
    assert all(c[:10] <= "2011-06-28" for c in changes)  # nothing after the build date


def test_feed_is_atom_with_stable_ids_and_absolute_links(site: Path) -> None:
    feed = ET.parse(site / "feed.atom").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}updated").text == "2011-06-24T00:00:00+08:00"  # the newest notice, not the clock
    entries = feed.findall(f"{ATOM}entry")
    # Notices that have started, newest first; the one starting on 29 September is not in it yet.
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "公示：一团一连党支部（2011 年度先进基层党组织）",
        "公示：孙秀英（2011 年度优秀共产党员）",
        "公示：一团党委（2010 年度先进基层党组织）",
    ]
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert all(uuid.UUID(i.removeprefix("urn:uuid:")).version == 5 for i in ids)
    assert len(set(ids)) == 3
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{BASE}feed.atom", "alternate": f"{BASE}publicity/index.html"}
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"{BASE}publicity/shi/20110624/index.html#h-h-open"
    assert html(site / "publicity/shi/20110624/index.html").find(id="h-h-open") is not None
    assert "2011-06-24 至 2011-06-30" in entries[0].find(f"{ATOM}summary").text


def test_sitemap_lists_every_page_by_its_full_address(site: Path) -> None:
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == sorted(locs) and f"{BASE}units/lian-1/index.html" in locs and f"{BASE}404.html" not in locs
    assert all(loc.startswith(BASE) and (site / loc.removeprefix(BASE)).is_file() for loc in locs)
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    assert {loc.removeprefix(BASE) for loc in locs} == pages


def test_the_sitemap_is_valid_against_the_protocol_schema(site: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "fixtures" / "sitemap.xsd")))
    document = etree.parse(str(site / "sitemap.xml"))
    assert schema.validate(document), schema.error_log
    bad = etree.fromstring(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lost>x</lost></url></urlset>')
    assert not schema.validate(bad)  # the schema is really checking


def test_without_a_site_address_there_is_no_sitemap_and_links_stay_relative(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    settings = data / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("url: https://dangwu.example.org/cxzy\n", ""), encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, search=False)
    assert not (out / "sitemap.xml").exists()
    feed = ET.parse(out / "feed.atom").getroot()
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "self": "feed.atom",
        "alternate": "publicity/index.html",
    }
    assert html(out / "404.html").find("link", rel="stylesheet")["href"] == "/assets/site.css"


def test_tree_page_nests_units(site: Path) -> None:
    page = html(site / "units/index.html")
    top = page.select_one("ul.tree")
    assert [text_of(li.a) for li in top.find_all("li", recursive=False)] == ["第九师党委"]
    nested = top.li.ul
    assert [text_of(li.a) for li in nested.find_all("li", recursive=False)] == ["城区第一社区党支部（本单位公开）", "一团党委"]
    assert text_of(nested.find_all("li", recursive=False)[1].ul.li.a) == "一团一连党支部"


def test_404_page(site: Path) -> None:
    page = html(site / "404.html")
    assert text_of(page.h1) == "找不到这个页面"
    # Served at any missing path, so it links from the site's root path (site.yaml url), not relative to itself.
    assert page.find("link", rel="stylesheet")["href"] == "/cxzy/assets/site.css"
    assert {a["href"] for a in page.select("main a")} == {"/cxzy/index.html", "/cxzy/units/index.html"}
    assert page.select_one("a.skip-link")["href"] == "#main"


# ---------------------------------------------------------------- every page: structure, links, no outside resources


@pytest.fixture(scope="module", params=data_sets(), ids=lambda p: p.name)
def any_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("any") / "public"
    make_site(request.param, out)
    return out


def test_every_page_is_well_formed_chinese_html5(any_site: Path) -> None:
    for path in sorted(any_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>"), path
        page = html(path)
        assert page.html["lang"] == "zh-CN", path
        assert len(page.find_all("h1")) == 1, path
        assert page.find("main", id="main") is not None and page.select_one("a.skip-link[href='#main']") is not None, path
        assert all(th.get("scope") in {"col", "row"} for th in page.find_all("th")), path
        ids = [el["id"] for el in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids"
        assert not page.find_all(["iframe", "font", "center"]), path
        assert all(OWN_SCRIPT.fullmatch(s.get("src", "")) and not s.string for s in page.find_all("script")), path
        assert not page.find_all(style=True), path


def test_every_internal_link_resolves(any_site: Path) -> None:
    anchors: dict[str, set[str]] = {}

    def ids(rel: str) -> set[str]:
        if rel not in anchors:
            anchors[rel] = {el["id"] for el in html(any_site / rel).find_all(id=True)} if rel.endswith(".html") else set()
        return anchors[rel]

    root_path = site_root_path(any_site)
    for path in sorted(any_site.rglob("*.html")):
        here = path.relative_to(any_site).as_posix()
        for el in html(path).find_all(["a", "link"], href=True):
            url = urlsplit(el["href"])
            if url.scheme == "mailto":
                continue
            assert not url.scheme and not url.netloc, f"{here}: {el['href']}"
            if url.path.startswith("/"):  # only the 404 page, shown at any depth, links from the site's root path
                assert here == "404.html" and url.path.startswith(root_path), f"{here}: {el['href']}"
                target = url.path.removeprefix(root_path)
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(url.path))) if url.path else here
            assert not target.startswith(".."), f"{here}: {el['href']} leaves the site"
            assert (any_site / target).is_file(), f"{here}: broken link {el['href']}"
            if url.fragment:
                assert url.fragment in ids(target), f"{here}: no #{url.fragment} in {target}"


OWN_SCRIPT = re.compile(r"(?:\.\./)*assets/[a-z-]+\.js")  # the site's own scripts (search, lobby screen), by src only
OWN_PHOTO = re.compile(r"(?:\.\./)*honours/photos/[A-Za-z0-9][A-Za-z0-9_-]*\.jpg")  # the honour roll's photos, copied into the site
ABSOLUTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_no_external_resource_in_any_file(any_site: Path) -> None:
    for path in sorted(p for p in any_site.rglob("*") if p.is_file()):
        if path.parent.name in {"fragment", "filter", "index"} or path.suffix in {".pf_meta", ".pagefind"}:
            continue  # the search index's binary files (their text is checked in test_search and test_safety)
        if path.suffix == ".jpg":  # a photo's copy: a JPEG inside the site, nothing else
            assert path.read_bytes().startswith(b"\xff\xd8\xff") and path.parent.relative_to(any_site).as_posix() == "honours/photos"
            continue
        text = path.read_text(encoding="utf-8")
        for own in own_addresses():  # the feed's and sitemap's links to the site's own address
            text = text.replace(f'href="{own}', 'href="')
        assert not ABSOLUTE.search(text), f"{path}: absolute URL in src/href"
        if path.suffix == ".css":
            assert "@import" not in text and "url(" not in text and "@font-face" not in text
        if path.suffix == ".html":
            for el in html(path).find_all(src=True):
                # The site's own scripts, from its assets, and the honour roll's photos, from the site itself.
                if not (el.name == "script" and OWN_SCRIPT.fullmatch(el["src"])) and not (
                    el.name == "img" and OWN_PHOTO.fullmatch(el["src"])
                ):
                    raise AssertionError(f"{path}: unexpected {el.name} src={el['src']}")


def test_the_stylesheet_has_the_cjk_font_stack_and_a4_print() -> None:
    css = (DEFAULT_TEMPLATES / "static/site.css").read_text(encoding="utf-8")
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif' in css
    assert "@page { size: A4;" in css and "@media print" in css
    print_rules = css[css.index("@media print") :]
    assert "nav" in print_rules and ".skip-link" in print_rules and "display: none" in print_rules
