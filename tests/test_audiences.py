"""Audiences per reader: a unit's own board, named readers, one rule for every name a record carries, protective
defaults for grades and revocation reasons, and the audience mark on screen and on paper (Chromium → PDF → pdftotext)."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import SITE, TODAY, copy_data, html, make_site, text_of
from test_browser import _need, _pdf_text, browser  # noqa: F401  (the browser fixture)

from cxzy_gen.cli import main
from cxzy_gen.records import models as m

A = m.Audience


def _all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.suffix in {".html", ".xml", ".atom"})


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "本单位公开"], "「本单位公开」要用 --unit 指明是哪个单位的公开栏"),
        (["--audience", "特定对象公开"], "「特定对象公开」要用 --to 指明公开对象"),
        (["--audience", "本单位公开", "--unit", "no-such-unit"], "找不到单位「no-such-unit」"),
        (["--audience", "特定对象公开", "--to", "nobody"], "找不到公开对象「nobody」"),
        (["--audience", "党内公开", "--unit", "lian-1"], "--unit 只用于「本单位公开」或「特定对象公开」"),
    ],
)
def test_a_narrow_build_must_say_for_whom(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(main, ["build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-28", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_units_board_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "public"
    args = ["build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-28", "--audience", "unit", "--unit", "shequ-1"]
    result = CliRunner().invoke(main, [*args, "--no-search"])
    assert result.exit_code == 0, result.output
    assert "公开范围：本单位公开（城区第一社区党支部（本单位公开））" in result.output  # the fixture names it so
    assert (out / "units/shequ-1/index.html").is_file()
    banner = html(out / "index.html").find(class_="audience-banner")
    assert text_of(banner).startswith("本单位公开（城区第一社区党支部（本单位公开））：本页内容只在此范围内公开")


def test_a_units_board_for_specific_readers_defaults_its_readers_to_that_unit(tmp_path: Path) -> None:
    out = tmp_path / "public"
    args = ["build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-28", "--audience", "specific", "--unit", "shequ-1"]
    result = CliRunner().invoke(main, [*args, "--no-search"])
    assert result.exit_code == 0, result.output
    assert "公开范围：特定对象公开（城区第一社区党支部（本单位公开），城区第一社区党支部（本单位公开）公开栏）" in result.output


# ---------------------------------------------------------------- one unit's board holds only its own restricted records


def _two_unit_boards(tmp_path: Path) -> Path:
    """The fixture with a 本单位公开 commitment in lian-1 and a 特定对象公开 one addressed to tuan-1."""
    data = copy_data(SITE, tmp_path / "data")
    path = data / "units/lian-1/2011/commitments.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """  - id: c-lian-only
    kind: 即时承诺
    subject: lian-1
    audience: 本单位公开
    title: 连队内部承诺甲
    measures: 措施。
    proposed: 2011-04-03
    deadline: 2011-12-31
  - id: c-for-tuan
    kind: 即时承诺
    subject: lian-1
    audience: 特定对象公开
    audience_to: [tuan-1]
    title: 只给团党委看的承诺乙
    measures: 措施。
    proposed: 2011-04-03
    deadline: 2011-12-31
""",
        encoding="utf-8",
    )
    return data


@pytest.mark.parametrize(
    ("scope", "shown", "absent"),
    [
        ({"audience": A.UNIT, "unit": "lian-1"}, ["连队内部承诺甲"], ["只给团党委看的承诺乙", "城区第一社区党支部"]),
        ({"audience": A.UNIT, "unit": "shequ-1"}, ["城区第一社区党支部"], ["连队内部承诺甲", "只给团党委看的承诺乙"]),
        ({"audience": A.SPECIFIC, "to": ("tuan-1",)}, ["只给团党委看的承诺乙"], ["连队内部承诺甲", "城区第一社区党支部"]),
        ({"audience": A.SPECIFIC, "to": ("t1-zhang",)}, ["只给团党委看的承诺乙"], ["连队内部承诺甲"]),  # a member of tuan-1
        ({"audience": A.SPECIFIC, "to": ("lian-1",)}, [], ["只给团党委看的承诺乙", "连队内部承诺甲"]),
        ({"audience": A.PARTY}, [], ["只给团党委看的承诺乙", "连队内部承诺甲", "城区第一社区党支部"]),
    ],
)
def test_each_board_shows_its_own_restricted_records_and_no_others(
    tmp_path: Path, scope: dict[str, object], shown: list[str], absent: list[str]
) -> None:
    data = _two_unit_boards(tmp_path)
    out = tmp_path / "public"
    make_site(data, out, **scope, search=False)  # type: ignore[arg-type]  # each board's search index: test_safety
    text = _all_text(out)
    assert [t for t in shown if t not in text] == []
    assert [t for t in absent if t in text] == []


# ---------------------------------------------------------------- one rule for every name a record carries


def test_a_public_review_does_not_print_a_reviewer_who_is_not_public(tmp_path: Path) -> None:
    """钱内部 (lian1-qian) is 党内公开; a public 点评 by them shows the review, not their name — on no page, in no feed."""
    data = copy_data(SITE, tmp_path / "data")
    reviews = data / "units/lian-1/2011/reviews.yaml"
    text = reviews.read_text(encoding="utf-8").replace("audience: 党内公开\n", "audience: 向社会公开\n", 1)
    text = text.replace(
        "reviewer: {name: 赵国强, title: 连队党支部书记, member: lian1-zhao}",
        "reviewer: {name: 钱内部, title: 连队党支部副书记, member: lian1-qian}",
    )
    reviews.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC, search=False)  # every file, the search index too: the test below
    assert "钱内部" not in _all_text(out)
    form = html(out / "members/lian1-sun/index.html").find(id="r-r-member")
    cells = {text_of(tr.th): text_of(tr.td) for tr in form.find_all("tr")}
    assert cells["点评领导"] == "（不在本公开范围）" and cells["职务"] == "连队党支部副书记"
    # A party build names them.
    party = tmp_path / "party"
    make_site(data, party, audience=A.PARTY, search=False)
    assert "钱内部" in text_of(html(party / "members/lian1-sun/index.html").find(id="r-r-member"))


def _every_byte(out: Path) -> str:
    """Every file of a build as text: pages, feed, sitemap, scripts, JSON and the search index's gzip'd fragments."""
    parts = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if path.suffix.startswith(".pf_"):
            raw = gzip.decompress(raw)
        parts.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(parts)


HIDDEN_NAME_PLACES = {
    # 钱内部 (lian1-qian) is 党内公开: whichever field of a public record names them, as an id or as text.
    "reviewer by id": (
        "reviewer: {name: 张永福, title: 一团党委书记, member: t1-zhang}",
        "reviewer: {name: 钱内部, title: 副书记, member: lian1-qian}",
    ),
    "reviewer by name": ("reviewer: {name: 张永福, title: 一团党委书记, member: t1-zhang}", "reviewer: {name: 钱内部, title: 副书记}"),
    "signature": ("signature: {by: 张永福, date: 2011-06-10}", "signature: {by: 钱内部, date: 2011-06-10}"),
    "rectification verified by": ("verified_by: 团党委组织科}", "verified_by: 钱内部}"),
}


@pytest.mark.parametrize("place", list(HIDDEN_NAME_PLACES))
def test_a_hidden_members_name_is_in_no_file_of_a_public_build(tmp_path: Path, place: str) -> None:
    data = copy_data(SITE, tmp_path / "data")
    reviews = data / "units/lian-1/2011/reviews.yaml"
    old, new = HIDDEN_NAME_PLACES[place]
    text = reviews.read_text(encoding="utf-8").replace("audience: 党内公开\n", "audience: 向社会公开\n", 1)
    assert old in text
    reviews.write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC)
    everything = _every_byte(out)
    assert "r-unit" in everything and "钱内部" not in everything, place
    # Not vacuous: a party build, where 钱内部 may be seen, names them on the unit's page.
    party = tmp_path / "party"
    make_site(data, party, audience=A.PARTY, search=False)
    assert "钱内部" in text_of(html(party / "units/lian-1/index.html").find("main")), place


def test_audience_to_never_prints_a_hidden_readers_name(tmp_path: Path) -> None:
    data = _two_unit_boards(tmp_path)
    out = tmp_path / "public"
    make_site(data, out, audience=A.SPECIFIC, to=("tuan-1",), search=False)
    row = html(out / "units/lian-1/index.html").find(id="c-c-for-tuan")
    assert "公开对象：一团党委" in text_of(row)


# ---------------------------------------------------------------- protective defaults


def test_grades_and_revocation_reasons_are_party_only_unless_the_record_says_otherwise(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    h = data / "units/shi/2011/commendations.yaml"
    h.write_text(
        h.read_text(encoding="utf-8")
        + """  - id: h-revoked
    year: 2011
    title: 优秀共产党员
    nominee: lian1-zhao
    nominated_by: lian-1
    nominated: 2011-06-08
    deeds: 事迹。
    publicity: {start: 2011-06-13, end: 2011-06-19}
    status: 撤销
    revoked_on: 2011-06-17
    revoked_reason: 撤销原因之一二三。
""",
        encoding="utf-8",
    )
    # The votes per grade tell the grade: they are as protected as the grade itself.
    a = data / "units/lian-1/2011/appraisals.yaml"
    a.write_text(
        a.read_text(encoding="utf-8").replace(
            "    grade: 优秀\n", "    grade: 优秀\n    grade_votes: {excellent: 9, qualified: 6, basic: 1, unqualified: 0}\n"
        ),
        encoding="utf-8",
    )
    public, party = tmp_path / "public", tmp_path / "party"
    make_site(data, public, audience=A.PUBLIC)
    make_site(data, party, audience=A.PARTY, search=False)
    assert "优秀" not in text_of(html(public / "members/lian1-sun/index.html").find(id="appraisals-h").parent)
    everything = _every_byte(public)  # the search index too
    assert "民主评议等次" not in everything and "基本合格" not in everything
    assert "撤销原因之一二三" not in everything
    assert "民主评议等次：2011 年 优秀" in text_of(html(party / "members/lian1-sun/index.html"))
    assert "民主评议等次（票数）（共 16 票）" in text_of(html(party / "members/lian1-sun/index.html"))
    assert "撤销原因之一二三" in _all_text(party)
    # A record may say its grade is public.
    a.write_text(
        a.read_text(encoding="utf-8").replace("    grade: 优秀\n", "    grade: 优秀\n    grade_audience: 向社会公开\n"), encoding="utf-8"
    )
    again = tmp_path / "again"
    make_site(data, again, audience=A.PUBLIC, search=False)
    assert "民主评议等次：2011 年 优秀" in text_of(html(again / "members/lian1-sun/index.html"))


# ---------------------------------------------------------------- the mark on screen and on paper


def test_a_party_page_says_so_on_screen_and_on_paper(browser, tmp_path: Path) -> None:  # noqa: F811
    _need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    out = tmp_path / "party"
    make_site(SITE, out, today=TODAY, audience=A.PARTY)
    page = browser.new_page()
    page.goto((out / "units/lian-1/index.html").as_uri())
    assert page.locator(".audience-banner").is_visible()
    marks = page.locator(".audience-mark")
    assert marks.count() >= 2 and marks.first.inner_text() == "党内公开"  # the 党内公开 commitment and the reviews
    page.emulate_media(media="print")
    assert page.locator(".audience-banner").is_visible()
    pdf = tmp_path / "unit.pdf"
    page.pdf(path=str(pdf), format="A4")
    _, text = _pdf_text(pdf)
    flat = "".join(text.split())
    assert "党内公开：本页内容只在此范围内公开" in flat
    assert flat.count("党内公开") >= 3  # the banner and the records' own marks
    # A public build carries no such mark.
    public = tmp_path / "public"
    make_site(SITE, public, today=dt.date(2011, 6, 28), audience=A.PUBLIC)
    assert html(public / "units/lian-1/index.html").find(class_="audience-banner") is None
