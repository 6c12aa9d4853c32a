"""Every way reading a data file can fail: the code, the message and where it points.

Each case breaks one thing in a copy of tests/fixtures/mini and names the one problem it must give.
`CASES` is shared with test_cli.py, which runs the same bad inputs through the real command.
"""

from __future__ import annotations

import codecs
import os
import pathlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import DataCopy

from cxzy_gen.records import loader
from cxzy_gen.records.loader import MAX_DEPTH, parse

UNIT = "units/lian-1/unit.yaml"
MEMBERS = "units/lian-1/members.yaml"
COMMITMENTS = "units/lian-1/2011/commitments.yaml"


@dataclass(frozen=True)
class Expect:
    """The one problem a bad input must produce."""

    file: str  # the path as the problem names it (relative to the working directory)
    code: str
    fragments: tuple[str, ...]
    line: int | None  # None only where the position is the parser's to choose (deep nesting)
    column: int | None = None  # None where a column means nothing (a whole file)


# ---------------------------------------------------------------- encodings


def gbk(d: DataCopy) -> Expect:
    d.write(UNIT, d.text(UNIT).encode("gbk"))
    return Expect(d.file(UNIT), "E-ENCODING", ("GBK", "UTF-8", "另存为", "第 2 行"), line=2)


def gb18030(d: DataCopy) -> Expect:
    # 𠮷 exists only in GB18030 (four bytes), not in GBK
    line = d.line_of(MEMBERS, "name: 赵国强")  # the first line that is not ASCII
    d.write(MEMBERS, d.text(MEMBERS).replace("name: 周立新", "name: 周𠮷").encode("gb18030"))
    return Expect(d.file(MEMBERS), "E-ENCODING", ("GB18030", "UTF-8", "另存为"), line=line)


def utf16_le_bom(d: DataCopy) -> Expect:
    d.write(UNIT, d.text(UNIT).encode("utf-16"))  # Python writes the BOM
    return Expect(d.file(UNIT), "E-ENCODING", ("UTF-16", "UTF-8", "另存为"), line=1, column=1)


def utf16_be_bom(d: DataCopy) -> Expect:
    d.write(UNIT, codecs.BOM_UTF16_BE + d.text(UNIT).encode("utf-16-be"))
    return Expect(d.file(UNIT), "E-ENCODING", ("UTF-16",), line=1, column=1)


def nul_byte(d: DataCopy) -> Expect:
    d.write(UNIT, d.text(UNIT).encode() + b"\x00\x00")
    return Expect(d.file(UNIT), "E-ENCODING", ("NUL",), line=1, column=1)


def latin1(d: DataCopy) -> Expect:
    # not Chinese at all: still refused, without guessing GBK
    line = d.text(UNIT).count("\n") + 1
    d.write(UNIT, d.text(UNIT).encode() + "description: caf\xe9\n".encode("latin-1"))
    return Expect(d.file(UNIT), "E-ENCODING", ("不是 UTF-8", f"第 {line} 行"), line=line, column=len("description: caf") + 1)


# ---------------------------------------------------------------- size


def oversized(d: DataCopy) -> Expect:
    d.write(MEMBERS, d.text(MEMBERS) + "# " + "填充" * 20_000 + "\n")  # 120 KB, bigger than any file of the mini set
    return Expect(d.file(MEMBERS), "E-SIZE", ("KB", "上限"), line=1, column=1)


# ---------------------------------------------------------------- YAML syntax


def tab_indent(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "      date: 2011-03-01\n", "\t  date: 2011-03-01\n")
    return Expect(d.file(COMMITMENTS), "E-YAML", ("Tab", "空格"), line=d.line_of(COMMITMENTS, "\t  date: 2011-03-01"), column=1)


def bad_indent(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "      how: 公开栏\n", "     how: 公开栏\n")
    return Expect(d.file(COMMITMENTS), "E-YAML", ("缩进不一致", "对齐"), line=d.line_of(COMMITMENTS, "how: 公开栏"), column=6)


def indented_key(d: DataCopy) -> Expect:
    # one space too many: YAML reads "党支部 type" as one text, then trips over the colon
    d.replace(UNIT, "\ntype: 团场连队", "\n type: 团场连队")
    return Expect(d.file(UNIT), "E-YAML", ("冒号", "上一行的缩进"), line=d.line_of(UNIT, " type: 团场连队"), column=len(" type") + 1)


def misaligned_list_item(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "  - id: lian1-2011-c02", "   - id: lian1-2011-c02")
    return Expect(d.file(COMMITMENTS), "E-YAML", ("缩进不一致", "- "), line=d.line_of(COMMITMENTS, "- id: lian1-2011-c02"), column=4)


def unclosed_quote(d: DataCopy) -> Expect:
    d.replace(UNIT, "name: 一团一连党支部", 'name: "一团一连党支部')
    return Expect(d.file(UNIT), "E-YAML", ("引号",), line=d.line_of(UNIT, 'name: "'), column=len("name: ") + 1)


def colon_in_text(d: DataCopy) -> Expect:
    d.replace(UNIT, "name: 一团一连党支部", "name: 一团: 一连党支部")
    return Expect(d.file(UNIT), "E-YAML", ("冒号", "引号"), line=d.line_of(UNIT, "name: 一团: "), column=len("name: 一团") + 1)


def unclosed_bracket(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "focus: [带头致富]", "focus: [带头致富")
    # the parser notices on the next line, where a key appears inside the still-open list
    return Expect(d.file(COMMITMENTS), "E-YAML", ("括号没有闭合",), line=d.line_of(COMMITMENTS, "five_lead:"))


def second_document(d: DataCopy) -> Expect:
    d.write(UNIT, d.text(UNIT) + "---\nid: lian-9\n")
    return Expect(d.file(UNIT), "E-YAML", ("YAML",), line=d.line_of(UNIT, "---"), column=1)


def python_tag(d: DataCopy) -> Expect:
    d.replace(UNIT, "name: 一团一连党支部", "name: !!python/object/apply:os.system [echo]")
    return Expect(d.file(UNIT), "E-YAML", ("python/object/apply:os.system",), line=d.line_of(UNIT, "name: !!python"), column=7)


def duplicate_key(d: DataCopy) -> Expect:
    d.replace(UNIT, "kind: 党支部\n", "kind: 党支部\nname: 又一个名称\n")
    return Expect(d.file(UNIT), "E-DUPKEY", ("「name」", "重复"), line=d.line_of(UNIT, "name: 又一个名称"), column=1)


def duplicate_nested_key(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "      how: 公开栏\n", "      how: 公开栏\n      date: 2011-03-02\n")
    return Expect(d.file(COMMITMENTS), "E-DUPKEY", ("「date」",), line=d.line_of(COMMITMENTS, "date: 2011-03-02"), column=7)


def anchor_and_alias(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "    proposed: 2011-02-20\n", "    proposed: &p 2011-02-20\n")
    d.replace(COMMITMENTS, "    deadline: 2011-11-30\n", "    deadline: *p\n")
    # the alias shares its node with the anchor: the problem points at the anchored value
    return Expect(d.file(COMMITMENTS), "E-ALIAS", ("锚点", "别名"), line=d.line_of(COMMITMENTS, "&p"), column=len("    proposed: ") + 1)


def merge_key(d: DataCopy) -> Expect:
    d.replace(COMMITMENTS, "    publicized:\n      date: 2011-03-01\n", "    publicized:\n      <<: {date: 2011-03-01}\n")
    return Expect(d.file(COMMITMENTS), "E-ALIAS", ("合并键", "<<"), line=d.line_of(COMMITMENTS, "<<:"), column=7)


def billion_laughs(d: DataCopy) -> Expect:
    rows = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    d.write(UNIT, "\n".join(rows) + "\n")
    return Expect(d.file(UNIT), "E-ALIAS", ("别名",), line=1, column=4)


def self_referencing_alias(d: DataCopy) -> Expect:
    d.write(UNIT, "id: &x [*x]\n")
    return Expect(d.file(UNIT), "E-ALIAS", ("别名",), line=1, column=5)


def deep_flow(d: DataCopy) -> Expect:
    d.write(UNIT, "id: " + "[" * 5000 + "]" * 5000 + "\n")
    return Expect(d.file(UNIT), "E-YAML", ("嵌套层级过深",), line=1)


def deep_flow_mapping(d: DataCopy) -> Expect:
    d.write(UNIT, "id: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    return Expect(d.file(UNIT), "E-YAML", ("嵌套层级过深",), line=1)


def deep_block(d: DataCopy) -> Expect:
    d.write(UNIT, "".join("  " * i + f"k{i}:\n" for i in range(1200)) + "  " * 1200 + "x\n")
    return Expect(d.file(UNIT), "E-YAML", ("嵌套层级过深",), line=None)  # wherever the parser's own limit is hit


def deeper_than_allowed(d: DataCopy) -> Expect:
    # deep enough for the model's limit, shallow enough for the parser's
    d.write(UNIT, "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x: 1\n")
    return Expect(d.file(UNIT), "E-DEPTH", ("嵌套层级过深", str(MAX_DEPTH)), line=1, column=1)


# ---------------------------------------------------------------- file shape


def list_not_mapping(d: DataCopy) -> Expect:
    d.write(COMMITMENTS, "- id: lian1-2011-c01\n- id: lian1-2011-c02\n")
    return Expect(d.file(COMMITMENTS), "E-VALUE", ("映射", "列表"), line=1, column=1)


def bare_value(d: DataCopy) -> Expect:
    d.write(UNIT, "一团一连党支部\n")
    return Expect(d.file(UNIT), "E-VALUE", ("映射",), line=1, column=1)


def empty_file(d: DataCopy) -> Expect:
    d.write(COMMITMENTS, "")
    return Expect(d.file(COMMITMENTS), "E-MISSING", ("「commitments」", "公开承诺"), line=1, column=1)


def comment_only_file(d: DataCopy) -> Expect:
    d.write(COMMITMENTS, "# 今年还没有承诺\n")
    return Expect(d.file(COMMITMENTS), "E-MISSING", ("「commitments」",), line=1, column=1)


# ---------------------------------------------------------------- files and folders


def symlink_file(d: DataCopy) -> Expect:
    os.symlink(d.path(MEMBERS).resolve(), d.path("units/shequ-1/2011.yaml"))
    return Expect(d.file("units/shequ-1/2011.yaml"), "E-FILE", ("符号链接",), line=1, column=1)


def symlink_folder(d: DataCopy) -> Expect:
    # a linked folder is not followed: no "missing unit.yaml" either, though the target has none
    os.symlink(d.path("units/lian-1/2011").resolve(), d.path("units/lian-9"), target_is_directory=True)
    return Expect(d.file("units/lian-9"), "E-FILE", ("符号链接",), line=1, column=1)


def yml_extension(d: DataCopy) -> Expect:
    d.path(MEMBERS).rename(d.path("units/lian-1/members.yml"))
    return Expect(d.file("units/lian-1/members.yml"), "E-FILE", (".yaml", "members.yaml"), line=1, column=1)


def upper_case_extension(d: DataCopy) -> Expect:
    d.path(MEMBERS).rename(d.path("units/lian-1/members.YAML"))
    return Expect(d.file("units/lian-1/members.YAML"), "E-FILE", (".yaml",), line=1, column=1)


def unknown_file_in_unit(d: DataCopy) -> Expect:
    d.write("units/lian-1/notes.yaml", "备注: 无\n")
    return Expect(d.file("units/lian-1/notes.yaml"), "E-FILE", ("不认识这个文件", "members.yaml"), line=1, column=1)


def yearly_file_outside_year(d: DataCopy) -> Expect:
    d.path(COMMITMENTS).rename(d.path("units/lian-1/commitments.yaml"))
    return Expect(d.file("units/lian-1/commitments.yaml"), "E-FILE", ("不认识这个文件", "<年份>/commitments.yaml"), line=1, column=1)


def bad_year_folder(d: DataCopy) -> Expect:
    d.path("units/lian-1/11").mkdir()
    d.path("units/lian-1/2011/appraisals.yaml").rename(d.path("units/lian-1/11/appraisals.yaml"))
    return Expect(d.file("units/lian-1/11/appraisals.yaml"), "E-FILE", ("不认识这个文件",), line=1, column=1)


def _unit_folder_named(name: str) -> Callable[[DataCopy], Expect]:
    def case(d: DataCopy) -> Expect:
        d.write(f"units/{name}/unit.yaml", d.text("units/shequ-1/unit.yaml").replace("id: shequ-1", "id: shequ-9"))
        return Expect(d.file(f"units/{name}/unit.yaml"), "E-ID", (f"「{name}」", "文件夹名"), line=1, column=1)

    return case


def folder_without_unit_yaml(d: DataCopy) -> Expect:
    d.write("units/lian-2/members.yaml", "members: []\n")
    return Expect(d.file("units/lian-2/unit.yaml"), "E-FILE", ("「lian-2」", "缺少 unit.yaml"), line=1, column=1)


def unit_id_not_folder_name(d: DataCopy) -> Expect:
    d.replace("units/qiye-1/unit.yaml", "id: qiye-1", "id: qiye-2")
    return Expect(d.file("units/qiye-1/unit.yaml"), "E-FILE", ("「qiye-2」", "「qiye-1」"), line=1, column=5)


def missing_site(d: DataCopy) -> Expect:
    d.path("site.yaml").unlink()
    return Expect(d.file("site.yaml"), "E-FILE", ("site.yaml",), line=1, column=1)


CASES = [
    pytest.param(case, id=case.__name__)
    for case in [
        gbk,
        gb18030,
        utf16_le_bom,
        utf16_be_bom,
        nul_byte,
        latin1,
        tab_indent,
        bad_indent,
        indented_key,
        misaligned_list_item,
        unclosed_quote,
        colon_in_text,
        unclosed_bracket,
        second_document,
        python_tag,
        duplicate_key,
        duplicate_nested_key,
        anchor_and_alias,
        merge_key,
        billion_laughs,
        self_referencing_alias,
        deep_flow,
        deep_flow_mapping,
        deep_block,
        deeper_than_allowed,
        list_not_mapping,
        bare_value,
        empty_file,
        comment_only_file,
        symlink_file,
        symlink_folder,
        yml_extension,
        upper_case_extension,
        unknown_file_in_unit,
        yearly_file_outside_year,
        bad_year_folder,
        folder_without_unit_yaml,
        unit_id_not_folder_name,
        missing_site,
    ]
] + [
    pytest.param(_unit_folder_named(name), id=f"unit_folder_{label}")
    for name, label in [
        ("..lian", "dots"),
        ("lian 2", "space"),
        ("一连", "chinese"),
        (".lian", "leading_dot"),
        ("-lian", "leading_dash"),
        ("lian.2", "dot"),
        ("x" * 65, "too_long"),
    ]
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_exactly_its_problem(mini: DataCopy, case: Callable[[DataCopy], Expect]) -> None:
    expect = case(mini)
    problems = mini.problems()
    assert len(problems) == 1, "\n".join(p.as_text() for p in problems)
    (p,) = problems
    assert (p.file, p.code) == (expect.file, expect.code), p.as_text()
    if expect.line is None:
        assert 1 <= p.line <= len(mini.path(p.file.removeprefix("data/")).read_bytes().splitlines()), p.as_text()
    else:
        assert p.line == expect.line, p.as_text()
    if expect.column is not None:
        assert p.column == expect.column, p.as_text()
    for fragment in expect.fragments:
        assert fragment in p.message, p.as_text()
    assert p.is_error


def test_oversized_file_is_refused_before_reading(mini: DataCopy, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = max(p.stat().st_size for p in mini.root.rglob("*.yaml"))
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", limit)
    expect = oversized(mini)
    read: list[str] = []
    real_read_bytes = loader.Path.read_bytes
    monkeypatch.setattr(loader.Path, "read_bytes", lambda self: read.append(self.as_posix()) or real_read_bytes(self))
    (p,) = mini.problems()
    assert (p.file, p.code, p.line, p.column) == (expect.file, "E-SIZE", expect.line, expect.column)
    assert all(f in p.message for f in expect.fragments)
    assert f"文件有 {mini.path(MEMBERS).stat().st_size // 1024} KB" in p.message
    assert mini.file(UNIT) in read and mini.file(MEMBERS) not in read


def test_file_over_the_real_limit_is_refused(mini: DataCopy) -> None:
    mini.write(COMMITMENTS, b"# " + b"x" * loader.MAX_FILE_BYTES + b"\n")
    (p,) = mini.problems()
    assert (p.file, p.code, p.line) == (mini.file(COMMITMENTS), "E-SIZE", 1)
    assert "4096 KB" in p.message and "4 MB" in p.message


def test_utf8_with_bom_is_read(mini: DataCopy) -> None:
    for rel in (UNIT, MEMBERS, COMMITMENTS, "site.yaml"):
        mini.write(rel, codecs.BOM_UTF8 + mini.text(rel).encode())
    dataset, problems, _ = mini.load()
    assert problems == []
    assert dataset is not None and dataset.units["lian-1"].name == "一团一连党支部"


def test_crlf_line_endings_are_read_and_lines_still_count(mini: DataCopy) -> None:
    mini.write(COMMITMENTS, mini.text(COMMITMENTS).replace("\n", "\r\n").encode())
    assert mini.problems() == []
    mini.write(COMMITMENTS, mini.text(COMMITMENTS).replace("deadline: 2011-11-30", "deadline: 明年"))
    (p,) = mini.problems()
    assert (p.code, p.line) == ("E-VALUE", mini.line_of(COMMITMENTS, "deadline: 明年"))


@pytest.mark.parametrize(
    "value",
    ["2011-02-30", "2011-13-01", "0000-01-01", "2011-01-01 25:00:00"],
)
def test_impossible_date_is_a_field_problem_not_a_crash(mini: DataCopy, value: str) -> None:
    """PyYAML raises ValueError on these; the loader keeps the text so the model names the field."""
    line = mini.set(COMMITMENTS, ("commitments", 0, "deadline"), raw=value)
    (p,) = mini.problems()
    assert (p.file, p.line, p.column, p.code) == (mini.file(COMMITMENTS), line, len("    deadline: ") + 1, "E-VALUE")
    assert f"「{value}」" in p.message and "完成时限" in p.message and "日期" in p.message


@pytest.mark.parametrize("value", ["0x_", "0b_", "-0b_", "9" * 5000])
def test_impossible_number_is_a_field_problem_not_a_crash(mini: DataCopy, value: str) -> None:
    line = mini.set(MEMBERS, ("members", 0, "joined"), raw=value)
    (p,) = mini.problems()
    assert (p.code, p.line, p.file) == ("E-VALUE", line, mini.file(MEMBERS))
    assert "入党时间" in p.message


def test_problems_in_several_files_are_all_reported(mini: DataCopy) -> None:
    gbk(mini)
    tab_indent(mini)
    duplicate_key_in_members = mini.text(MEMBERS).replace("    post: 农机手\n", "    post: 农机手\n    post: 机务员\n")
    mini.write(MEMBERS, duplicate_key_in_members)
    codes = sorted((p.file.rsplit("/", 1)[-1], p.code) for p in mini.problems())
    assert codes == [("commitments.yaml", "E-YAML"), ("members.yaml", "E-DUPKEY"), ("unit.yaml", "E-ENCODING")]


def test_anchor_without_alias_is_harmless() -> None:
    data, problem = parse("a: &x 1\nb: 2\n", "f.yaml")
    assert problem is None and data == {"a": 1, "b": 2}


def test_parse_of_deep_nesting_never_recurses() -> None:
    for text in ("[" * 100_000, "{a: " * 50_000, "- " * 50_000 + "x"):
        data, problem = parse(text, "f.yaml")
        assert data is None and problem is not None and problem.code in {"E-YAML", "E-DEPTH"}


def test_locate_points_into_nested_lists(mini: DataCopy) -> None:
    dataset, problems, _ = mini.load()
    assert problems == [] and dataset is not None
    doc = dataset.documents[mini.file(COMMITMENTS)]
    assert doc.locate(("commitments", 1, "progress", 0, "note")) == (
        mini.line_of(COMMITMENTS, "note: 已为三户职工维修播种机"),
        mini.column_of(COMMITMENTS, "已为三户"),
    )
    # a path that does not exist stops at its nearest ancestor
    assert doc.locate(("commitments", 2, "nothing", "here")) == (mini.line_of(COMMITMENTS, "id: lian1-2011-c03"), 5)


# ---------------------------------------------------------------- the quick construction


def _pyyaml_constructed(text: str) -> object:
    """What PyYAML's own constructor makes of `text` under the same strict rules (the long way)."""
    import yaml

    from cxzy_gen.records import loader as loader_module

    class LongWay(loader_module._StrictLoader):
        def construct_document(self, node: yaml.Node) -> object:
            return yaml.constructor.SafeConstructor.construct_document(self, node)

    long_way = LongWay(text)
    try:
        return long_way.get_single_data()
    finally:
        long_way.dispose()


QUICK_CASES = [
    "a: 1\nb: [1, 2.5, true, null, ~, yes, off, 0x1f, 0o17, 1_000, 1:30, .inf]\nc: {d: 2011-03-15, e: '2011-03-15', f: 2011-02-30}\n",
    "- 一\n- {二: 三}\n- [四, [五]]\n",
    "日期: 2011-03-15 10:00:00\n空: \n数: -7\n",
    "? [复杂, 键]\n: 值\n",
    "集合: !!set {a, b}\n",
    "对: !!pairs [a: 1, b: 2]\n",
    "自定义: !foo bar\n",
    "二进制: !!binary aGVsbG8=\n",
]


@pytest.mark.parametrize("text", QUICK_CASES)
def test_the_quick_construction_makes_what_pyyaml_makes(text: str) -> None:
    from cxzy_gen.records.loader import parse

    data, problem = parse(text, "x.yaml")
    try:
        expected, failed = _pyyaml_constructed(text), None
    except Exception as exc:  # the long way refuses it too: so must the quick one
        expected, failed = None, exc
    if failed is not None:
        assert data is None and problem is not None
    else:
        assert problem is None and data == expected and repr(data) == repr(expected)


def test_the_quick_construction_makes_what_pyyaml_makes_of_every_shipped_file() -> None:
    from cxzy_gen.records.loader import parse

    root = pathlib.Path(__file__).resolve().parent.parent
    files = sorted([*(root / "data").rglob("*.yaml"), *(root / "tests" / "fixtures").rglob("*.yaml")])
    assert len(files) > 50
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        data, problem = parse(text, path.name)
        if problem is None:
            assert data == _pyyaml_constructed(text), path


@pytest.mark.parametrize("cwd", ["/", "/srv/board", "/srv/board/"])
def test_a_file_is_named_as_relpath_names_it(cwd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`display_path` tells the usual paths apart without relpath's work, and names every path as relpath would:
    relative inside the working directory, as given outside it."""
    from cxzy_gen.records.validate import display_path

    def by_relpath(path: str) -> str:
        rel = os.path.relpath(path)
        return pathlib.Path(path if rel.startswith("..") else rel).as_posix()

    monkeypatch.setattr(os, "getcwd", lambda: cwd.rstrip("/") or "/")
    paths = ["data/units/u1/unit.yaml", ".", "..", "../x.yaml", "..x/y.yaml", "./data/a.yaml", "data//a.yaml", "data/../b.yaml"]
    paths += ["/srv/board/data/a.yaml", "/srv/board", "/srv/board/", "/srv/boardroom/a.yaml", "/srv/board/..x/a.yaml"]
    paths += ["/srv/board/./a.yaml", "/srv/other/a.yaml", "/a.yaml", "/", "//srv/board/a.yaml", "/srv/board/数据/单位.yaml"]
    for path in paths:
        assert display_path(pathlib.Path(path)) == by_relpath(str(pathlib.Path(path))), path
        assert display_path(path) == by_relpath(path), path  # type: ignore[arg-type]


# Syntax errors of every kind libyaml names, as people make them: each is said in Chinese, never in libyaml's English.
_BROKEN_YAML = [
    "members: [\n- id: x\n",  # a flow list holding a block list
    "members:\n- id: a\n  name: [甲, 乙\n",  # a flow list never closed
    "a: {b: 1\n",
    "title: 甲: 乙\n",
    "title: @张三\n",
    "title: `x`\n",
    "title: %x\n",
    'title: "甲" 乙\n',
    "title: [甲] 乙\n",
    'title: "a\\q"\n',
    'title: "\\x4"\n',
    "title: !foo 甲\n",
    "title: !<%zz> 甲\n",
    "title: &\n",
    "title: *\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
    "%TAG !x! tag:a,2000:\n%TAG !x! tag:a,2000:\n---\na: 1\n",
    "a: 1\n...\nb\n",
    "a:\n  - 1\n  b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "- a\nb: 1\n",
    "a: 1\n- b\n",
    "? a\n? b\n: c\n: d\n",
    "a: |\n  x\n b: 1\n",
    "a: 'x\n",
    'a: "x\n',
    "{a: 1, b\n",
    "a: b: c: d\n",
    "a:\n\t- 1\n",
]


@pytest.mark.parametrize("text", _BROKEN_YAML)
def test_every_yaml_syntax_error_is_said_in_chinese(text: str) -> None:
    import re

    _, problem = parse(text, "x.yaml")
    assert problem is not None and problem.code == "E-YAML", problem
    said = re.sub(r"「[^」]*」", "", problem.message)  # (the file's own text, quoted, may be in any language)
    assert not re.search(r"[a-z]{3,}", said), problem.message
    assert "无法识别" not in problem.message, problem.message  # each of these has a sentence of its own
    if text.startswith(('title: "甲" 乙', "title: [甲] 乙")):  # text after a closed value: not an indentation problem
        assert "闭合后还有文字" in problem.message, problem.message
    assert problem.line >= 1 and problem.column >= 1
