"""A member's name in the text of a wider record (issue 10, item 2): refused by validation (E-NAME) in every free-text
field the model has, withheld by the build as a safety net behind it, and judged by identity: a shown member is never
hidden because a hidden member has the same name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sitekit import MODEL, SITE, copy_data, free_text_fields, html, make_site, records, rewrite, text_of
from test_audiences import _every_byte

from cxzy_gen.records import models as m
from cxzy_gen.records import rules
from cxzy_gen.records.names import fold
from cxzy_gen.records.validate import load_dataset

A = m.Audience
HIDDEN = "钱内部"  # lian1-qian, 党内公开, in the fixture


def _person_or_own_name(kind: str, record: dict[str, Any], holder: dict[str, Any], key: str) -> bool:
    """Fields that hold a name as such (written here independently of the model's `NameOf`): the record's own name,
    and the people a record names (reviewer, who signed, checked or verified), which a build withholds instead."""
    if holder is record and kind in ("unit", "members") and key in ("name", "short_name"):
        return True
    if key in ("by", "verified_by"):
        return True
    return key == "name" and holder is record.get("reviewer")


def _everything_public(data: Path) -> None:
    """Every record of the fixture 向社会公开, except the member 钱内部 (党内公开)."""

    def change(kind: str, content: dict[str, Any], path: Path) -> None:
        if kind != "site":
            content.pop("audience", None)
        for record in records(kind, content):
            if record.get("id") != "lian1-qian":
                record.pop("audience", None)

    rewrite(data, change)


def test_every_free_text_field_of_every_record_naming_a_hidden_member_is_refused(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    _everything_public(data)
    placed: list[str] = []

    def change(kind: str, content: dict[str, Any], path: Path) -> None:
        if kind == "site":
            return
        for record in records(kind, content):
            if record.get("id") == "lian1-qian":
                continue  # their own record is no wider than they are
            for holder, key, _limit in list(free_text_fields(MODEL[kind], record)):
                if not _person_or_own_name(kind, record, holder, key):
                    marker = f"记{len(placed)}号"
                    holder[key] = f"{marker}{HIDDEN}"
                    placed.append(marker)

    rewrite(data, change)
    assert len(placed) > 40  # not vacuous: the fixture has free text in every kind of record
    _, problems, _ = load_dataset(data)
    named = [p for p in problems if p.code == "E-NAME"]
    lines: dict[tuple[str, int], str] = {}
    for path in sorted(data.rglob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for marker in placed:
                if f"{marker}{HIDDEN}" in line:
                    lines[(path.relative_to(data).as_posix(), number)] = marker
    assert sorted(lines.values()) == sorted(placed)
    reported = {(Path(p.file).relative_to(data).as_posix() if Path(p.file).is_absolute() else p.file, p.line) for p in named}
    missing = sorted(marker for where, marker in lines.items() if not any(where[0] in f and where[1] == n for f, n in reported))
    assert missing == [], f"fields naming {HIDDEN} not refused: {missing}\n" + "\n".join(p.as_text() for p in problems)
    assert len(named) == len(placed)
    assert all(HIDDEN in p.message and "lian1-qian" in p.message for p in named)


# Ways to write the name that a reader still reads as the name.
SPELLINGS = [
    "钱内部",
    "钱 内 部",
    "钱\u200b内\u200d部",
    "**钱**内部",
    "钱&#20869;部",
    "钱<b>内</b>部",
    "钱\n内部",
    "钱[内](units/x.html)部",
]


# Two spellings in the quick run; every spelling is folded alike by the rule's tests, and the full run builds them all.
@pytest.mark.parametrize("spelling", [s if i < 2 else pytest.param(s, marks=pytest.mark.slow) for i, s in enumerate(SPELLINGS)])
def test_the_build_withholds_a_hidden_name_in_free_text_even_without_the_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    """The safety net: with E-NAME switched off, the name in any spelling reaches no file of a public build (pages,
    feed, sitemap, search fragments); a party build, whose readers may see the member, keeps the text."""
    monkeypatch.setattr(rules, "RULES", [r for r in rules.RULES if r is not rules.names_within_audience])
    data = copy_data(SITE, tmp_path / "data")
    commitments = data / "units/lian-1/2011/commitments.yaml"
    text = commitments.read_text(encoding="utf-8")
    text = text.replace("推广膜下滴灌技术；", f"推广膜下滴灌技术，由{spelling.replace(chr(10), chr(10) + ' ' * 6)}负责；", 1)
    text = text.replace("note: 完成滴灌设备安装。", f'note: "完成滴灌设备安装，{spelling.replace(chr(10), " ")}验收。"', 1)
    commitments.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC)
    everything = _every_byte(out)
    assert "全连棉花单产提高百分之五" in everything and fold(HIDDEN) not in fold(everything)
    row = text_of(html(out / "units/lian-1/index.html").find(id="c-c-open"))
    assert "（不在本公开范围）" in row  # the name, or the whole text where the name cannot be traced back
    party = tmp_path / "party"
    make_site(data, party, audience=A.PARTY, search=False)
    assert fold(HIDDEN) in fold(text_of(html(party / "units/lian-1/index.html").find(id="c-c-open")))


def test_the_build_withholds_a_hidden_units_name_in_free_text_even_without_the_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """shequ-1 is 本单位公开: its name in a public commitment reaches no file of a public build; its own board has it."""
    monkeypatch.setattr(rules, "RULES", [r for r in rules.RULES if r is not rules.names_within_audience])
    data = copy_data(SITE, tmp_path / "data")
    unit = "城区第一社区党支部（本单位公开）"
    commitments = data / "units/lian-1/2011/commitments.yaml"
    text = commitments.read_text(encoding="utf-8").replace("推广膜下滴灌技术；", f"推广膜下滴灌技术，与{unit}共建；", 1)
    commitments.write_text(text, encoding="utf-8")
    _, problems, _ = load_dataset(data)
    assert [p.as_text() for p in problems] == []  # the rule is off: the net alone
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC)
    assert "推广膜下滴灌技术，与（不在本公开范围）共建" in text_of(html(out / "units/lian-1/index.html").find(id="c-c-open"))
    assert "城区第一社区党支部" not in _every_byte(out)
    own = tmp_path / "own"
    make_site(data, own, audience=A.UNIT, unit="shequ-1", search=False)
    assert f"与{unit}共建" in text_of(html(own / "units/lian-1/index.html").find(id="c-c-open"))


# ---------------------------------------------------------------- by identity, not by name


def _public_reviews(data: Path, old: str, new: str) -> None:
    reviews = data / "units/lian-1/2011/reviews.yaml"
    text = reviews.read_text(encoding="utf-8").replace("audience: 党内公开\n", "audience: 向社会公开\n", 1)
    assert old in text
    reviews.write_text(text.replace(old, new), encoding="utf-8")


def _namesake(data: Path) -> None:
    """A public member of tuan-1 who has the same name as the party-only 钱内部."""
    members = data / "units/tuan-1/members.yaml"
    text = members.read_text(encoding="utf-8")
    members.write_text(text.replace("name: 张永福", f"name: {HIDDEN}", 1), encoding="utf-8")


REVIEWER = "reviewer: {name: 张永福, title: 一团党委书记, member: t1-zhang}"


@pytest.mark.parametrize(
    ("reviewer", "shown"),
    [
        # The public namesake by id: shown, although a hidden member has the name.
        (f"reviewer: {{name: {HIDDEN}, title: 一团党委书记, member: t1-zhang}}", True),
        # By name only: a public member has it, so it tells the public nothing.
        (f"reviewer: {{name: {HIDDEN}, title: 一团党委书记}}", True),
        # The hidden member by id: withheld, although a public member has the same name.
        (f"reviewer: {{name: {HIDDEN}, title: 副书记, member: lian1-qian}}", False),
    ],
)
def test_a_reviewer_is_judged_by_identity_not_by_name(tmp_path: Path, reviewer: str, shown: bool) -> None:
    data = copy_data(SITE, tmp_path / "data")
    _namesake(data)
    _public_reviews(data, REVIEWER, reviewer)
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC, search=False)
    page = text_of(html(out / "units/lian-1/index.html").find("main"))
    assert (f"点评领导 {HIDDEN}" in page or f"{HIDDEN}（一团党委书记）" in page or HIDDEN in page) is shown, page
    assert ("（不在本公开范围）" in page) is not shown


def test_a_shown_members_name_in_free_text_is_not_withheld_because_a_hidden_member_shares_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_data(SITE, tmp_path / "data")
    _namesake(data)
    commitments = data / "units/lian-1/2011/commitments.yaml"
    text = commitments.read_text(encoding="utf-8").replace("推广膜下滴灌技术；", f"推广膜下滴灌技术，由{HIDDEN}指导；", 1)
    commitments.write_text(text, encoding="utf-8")
    _, problems, _ = load_dataset(data)
    assert [p.as_text() for p in problems] == []  # validation agrees: the name tells the public nothing
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC, search=False)
    assert f"由{HIDDEN}指导" in text_of(html(out / "units/lian-1/index.html").find(id="c-c-open"))


def test_who_signed_and_checked_a_commitment_is_withheld_where_they_are_hidden(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    commitments = data / "units/lian-1/2011/commitments.yaml"
    text = commitments.read_text(encoding="utf-8").replace(
        "    responsible: lian1-zhao\n",
        f"    responsible: lian1-zhao\n    signed: {{by: {HIDDEN}, date: 2011-02-21}}\n"
        f"    branch_check: {{by: {HIDDEN}, date: 2011-02-22, opinion: 同意}}\n",
        1,
    )
    commitments.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC)
    row = text_of(html(out / "units/lian-1/index.html").find(id="c-c-open"))
    assert "本人签字：（不在本公开范围）" in row and "支部审核：（不在本公开范围）" in row
    assert HIDDEN not in _every_byte(out)
    party = tmp_path / "party"
    make_site(data, party, audience=A.PARTY, search=False)
    row = text_of(html(party / "units/lian-1/index.html").find(id="c-c-open"))
    assert f"本人签字：{HIDDEN}" in row and f"支部审核：{HIDDEN}" in row


# ---------------------------------------------------------------- finding names


def test_names_are_found_whole_leftmost_and_longest() -> None:
    from cxzy_gen.records.names import NameFinder, withhold

    finder = NameFinder(["王军", "李四", "Li Ming", "买买提·艾力"], also=["王军华"])
    assert finder.find("王军华和王 军、李四") == ["王军", "李四"]  # 王军华 is someone else
    assert finder.find("张王军华，王军王军华") == ["王军"]
    assert finder.find("ＬＩ\u200bＭＩＮＧ") == ["liming"] and finder.find("LIMIN G") == ["liming"]
    assert finder.find("买买提 · 艾力") == ["买买提·艾力"]
    assert finder.find("王同志、李师傅、军四") == []  # a surname or a given name alone is no name
    assert withhold("甲王\u200b军乙，李四。", finder, "（略）") == "甲（略）乙，（略）。"
    assert withhold("交给李四", finder, "（略）") == "交给（略）"  # a name at the very end
    assert withhold("王&#20891;", finder, "（略）") == "（略）"  # cannot be traced back: the whole text goes
    assert finder.find("[王](#a)[军](#b)和李[四]") == ["王军", "李四"]  # a Markdown link around part of a name
    assert not NameFinder(["王"])  # one character is no name to look for


def test_a_hidden_reviewers_own_signature_is_withheld_however_it_is_spelt(tmp_path: Path) -> None:
    """The reviewer is the party-only 钱内部 by id; a public member has the same name, and the signature spells it
    with a space: the public page shows neither, as the signature is the hidden reviewer's own."""
    data = copy_data(SITE, tmp_path / "data")
    _namesake(data)
    _public_reviews(data, REVIEWER, f"reviewer: {{name: {HIDDEN}, title: 副书记, member: lian1-qian}}")
    reviews = data / "units/lian-1/2011/reviews.yaml"
    text = reviews.read_text(encoding="utf-8")
    assert text.count("signature: {by: 张永福, date: 2011-06-10}") == 1
    reviews.write_text(
        text.replace("signature: {by: 张永福, date: 2011-06-10}", "signature: {by: 钱 内部, date: 2011-06-10}"), encoding="utf-8"
    )
    out = tmp_path / "public"
    make_site(data, out, audience=A.PUBLIC, search=False)
    form = html(out / "units/lian-1/index.html").find(id="r-r-unit")
    cells = {text_of(tr.th): text_of(tr.td) for tr in form.find_all("tr")}
    assert cells["点评领导"] == "（不在本公开范围）" and cells["签字"].startswith("（不在本公开范围）"), cells
