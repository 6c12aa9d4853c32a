"""Personal identifiers hidden by their spelling, in every place published text comes from.

The documented formats (docs/privacy.md) are read from the doc and checked one by one; hostile spellings are
then written into real data files (folded lines, !!binary, escapes, the contact subtree, member names) and
into real git commits checked by `cxzy validate --base`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DataCopy
from git_helpers import GitRepo
from hypothesis import given
from hypothesis import strategies as st

from cxzy_gen.cli import main
from cxzy_gen.records.pii import find_pii, normalise

DOC = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"
ID = "650102199003071235"  # a valid 身份证号 (check digit 5)
ID15 = "650102900307123"
C = "units/lian-1/2011/commitments.yaml"
SHI = "units/shi-dw/unit.yaml"
SITE = "site.yaml"
MEMBERS = "units/lian-1/members.yaml"


def documented_formats() -> list[tuple[str, str, bool]]:
    rows = re.findall(r"^\| ([^|]+) \| `([^`]+)` \| (报|不报) \|$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(rows) >= 15, "docs/privacy.md lists the formats in a table"
    return [(name.strip(), example, verdict == "报") for name, example, verdict in rows]


@pytest.mark.parametrize(("name", "example", "found"), documented_formats(), ids=[r[0] for r in documented_formats()])
def test_every_documented_format(name: str, example: str, found: bool) -> None:
    assert bool(find_pii(f"联系：{example}。")) is found, name


# ---------------------------------------------------------------- hostile spellings in real data files


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


IN_TEXT = [
    pytest.param(f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", "身份证号 650102", id="id-spaces"),
    pytest.param(f"{ID[:3]}-{ID[3:6]}-{ID[6:10]}-{ID[10:14]}-{ID[14:]}", "身份证号 650102", id="id-hyphens"),
    pytest.param(full_width(ID), "身份证号 650102", id="id-full-width"),
    pytest.param(full_width(f"{ID[:6]} {ID[6:]}"), "身份证号 650102", id="id-full-width-space"),
    pytest.param(f"旧证号{ID15}号", "身份证号 650102", id="id-15-digit"),
    pytest.param(f"旧证号 {ID15[:6]}-{ID15[6:12]}-{ID15[12:]}", "身份证号 650102", id="id-15-digit-hyphens"),
    pytest.param("电话(+86)138.1234.5678", "手机号 138", id="mobile-brackets-dots"),
    pytest.param(full_width("13812345678"), "手机号 138", id="mobile-full-width"),
    pytest.param("（＋８６）１３８－１２３４－５６７８", "手机号 138", id="mobile-full-width-punctuation"),
    pytest.param("0086 138 1234 5678", "手机号 138", id="mobile-0086"),
    pytest.param("138\u200b1234\u200d5678", "手机号 138", id="mobile-zero-width"),
    pytest.param("1\u202e38 1234 5678", "手机号 138", id="mobile-bidi-override"),
    pytest.param("١٣٨١٢٣٤٥٦٧٨", "手机号 138", id="mobile-arabic-indic"),
    pytest.param("138/1234/5678", "手机号 138", id="mobile-slashes"),
    pytest.param("手机：138·1234·5678", "手机号 138", id="mobile-middle-dots"),
]


@pytest.mark.parametrize(("text", "what"), IN_TEXT)
def test_hostile_spellings_in_a_record_field(mini: DataCopy, text: str, what: str) -> None:
    mini.set(C, ("commitments", 0, "title"), text)
    assert [p.code for p in mini.problems()] == ["E-PII"]
    (problem,) = mini.problems()
    assert what in problem.message and "「title」" in problem.message
    assert problem.line == mini.line_of(C, "title:")


@pytest.mark.parametrize(
    ("yaml_text", "what"),
    [
        pytest.param(f"    title: >\n      证件 {ID[:9]}\n      {ID[9:]}\n", "身份证号", id="folded-line"),
        pytest.param(f'    title: "证件 {ID[:9]}\\\n      {ID[9:]}"\n', "身份证号", id="escaped-line-break"),
        pytest.param("    title: |\n      电话 138\n      1234 5678\n", "手机号", id="literal-lines"),
        pytest.param(f"    title: 证件 {ID[:9]}\n      {ID[9:]}\n", "身份证号", id="plain-multi-line"),
        pytest.param("    title: !!binary MTM4MTIzNDU2Nzg=\n", "手机号", id="binary-mobile"),
        pytest.param("    title: !!binary |\n      NjUwMTAyMTk5MDAzMDcxMjM1\n", "身份证号", id="binary-id-block"),
        pytest.param("    title: 138_1234_5678\n", "手机号", id="bare-int-underscores"),
        pytest.param("    title: 1.3812345678e+10\n", "手机号", id="bare-float"),
    ],
)
def test_hidden_by_yaml_syntax(mini: DataCopy, yaml_text: str, what: str) -> None:
    mini.replace(C, "    title: 全连棉花单产提高百分之五\n", yaml_text)
    problems = mini.problems()
    pii = [p for p in problems if p.code == "E-PII"]
    assert pii and what in pii[0].message, [p.as_text() for p in problems]
    assert pii[0].line == mini.line_of(C, "title:")


@pytest.mark.parametrize(
    ("rel", "keys", "value"),
    [
        pytest.param(SHI, ("contact", "office"), "组织部 13812345678", id="unit-contact-office"),
        pytest.param(SITE, ("contact", "office"), f"组织部（{ID}）", id="site-contact-office-id"),
        pytest.param(SHI, ("contact", "phone"), ID, id="id-in-office-phone"),
        pytest.param(SHI, ("contact", "phone"), full_width(ID), id="full-width-id-in-office-phone"),
        pytest.param(MEMBERS, ("members", 0, "name"), "张三13812345678", id="member-name"),
        pytest.param(MEMBERS, ("members", 0, "name"), "张三 １３８ １２３４ ５６７８", id="member-name-full-width"),
    ],
)
def test_contact_subtree_and_member_names(mini: DataCopy, rel: str, keys: tuple[str | int, ...], value: str) -> None:
    mini.set(rel, keys, value)
    assert "E-PII" in [p.code for p in mini.problems()]


@pytest.mark.parametrize("field", ["address", "email"])
def test_other_contact_fields_are_checked(mini: DataCopy, field: str) -> None:
    mini.add(SHI, ("contact",), field, "私人 139-1234-5678")
    problems = [p for p in mini.problems() if p.code == "E-PII"]
    assert problems and f"「{field}」" in problems[0].message


def test_the_office_phone_may_hold_a_phone_number(mini: DataCopy) -> None:
    mini.set(SHI, ("contact", "phone"), "（＋８６）１３９－１２３４－５６７８")
    assert mini.problems() == []


@given(st.sampled_from(["13812345678", ID, ID15]), st.lists(st.sampled_from([" ", "-", ".", "\u3000", "－", "\u200b", "/"]), max_size=3))
def test_any_separators_between_any_digits(number: str, seps: list[str]) -> None:
    joiner = "".join(seps)
    assert find_pii("号" + joiner.join(number) + "号"), repr(joiner.join(number))
    assert normalise(full_width(number)) == number


# ---------------------------------------------------------------- git names and messages (validate --base)


@pytest.mark.parametrize(
    ("author", "message", "fields"),
    [
        (("张三 13812345678", "z@example.org"), "一连：更新进展", ["作者"]),
        (("张三", "z@example.org"), f"一连：按 {ID[:6]} {ID[6:]} 的要求更新", ["提交说明"]),
        (("张三", "z@example.org"), "一连：更新\n\n联系 (+86)138.1234.5678", ["提交说明"]),
        ((full_width("13812345678"), "z@example.org"), "更新", ["作者"]),
    ],
)
def test_validate_base_checks_the_commits_of_the_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, author: tuple[str, str], message: str, fields: list[str]
) -> None:
    r = GitRepo(tmp_path / "site")
    r.commit("导入数据", author=("李明", "li@example.org"))
    r.git("branch", "base")
    r.append(C, "# 进展\n")
    sha = r.commit(message, author=author)
    monkeypatch.chdir(r.root)
    result = CliRunner().invoke(main, ["validate", "--base", "base", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert f"git 提交 {sha[:7]}" in result.output
    for field in fields:
        assert f"{field}含有" in result.output
    assert "Traceback" not in result.output


def test_commits_before_the_base_are_not_blamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = GitRepo(tmp_path / "site")
    r.commit("导入数据，联系 13812345678", author=("李明", "li@example.org"))
    r.git("branch", "base")
    r.append(C, "# 进展\n")
    r.commit("一连：更新进展")
    monkeypatch.chdir(r.root)
    result = CliRunner().invoke(main, ["validate", "--base", "base"])
    assert result.exit_code == 0, result.output
