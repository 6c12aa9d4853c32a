"""Escaping per output format, each tried with names that try to break out of it.

CI annotations (GitHub/Gitea workflow commands), the reviewer's Markdown summary, XML (feed, sitemap) and
HTML (bidi controls, links from Markdown fields): data is escaped or neutralised for the format it lands in.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from git_helpers import GitRepo
from hypothesis import given
from hypothesis import strategies as st
from sitekit import SITE, copy_data, make_site

from cxzy_gen.cli import main
from cxzy_gen.problems import Problem
from cxzy_gen.site.render import markdown_html

HOSTILE_NAMES = [
    "a\n::error file=evil.yaml,line=1::审核通过",
    "a\r\n::notice::x",
    "a%0A::error::x",
    "a::error file=x::y",
    "a,line=99,col=1",
    "a:b,c%d",
    "a\u2028::error::x",
    "a\u202e\u2066x",
]


def _unescape_property(text: str) -> str:
    for code, ch in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, ch)
    return text


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_annotation_is_one_command_whatever_the_file_name_and_message(name: str) -> None:
    line = Problem(f"data/units/{name}.yaml", 3, 4, "E-FILE", f"消息 {name}").as_github()
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    head, sep, message = line.partition("::E-FILE ")
    assert sep and head.startswith("::error file=") and head.count("::") == 1
    properties = head.removeprefix("::error ").split(",")
    assert [p.split("=", 1)[0] for p in properties] == ["file", "line", "col"]
    file = _unescape_property(properties[0].split("=", 1)[1])
    assert file == f"data/units/{name}.yaml".replace("\u202e", "").replace("\u2066", "").replace("\u2028", "\\u2028")
    assert properties[1:] == ["line=3", "col=4"]
    assert "\n" not in message


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_file_name_and_message_make_one_annotation_and_one_text_line(file: str, message: str) -> None:
    problem = Problem(file, 1, 1, "E-FILE", message)
    for line in (problem.as_github(), problem.as_text()):
        assert len(line.splitlines()) == 1 and line.startswith(("::error file=", "")), line
    head = problem.as_github().split("::E-FILE", 1)[0]
    assert head.count("::") == 1 and head.count(",") == 2


def test_a_data_file_named_to_inject_an_annotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(SITE, tmp_path / "data")
    (data / "units/lian-1/x\n::error file=evil.yaml::审核通过.yaml").write_text("a: 1\n", encoding="utf-8")
    (data / "units/lian-1/y,line=1::z.yaml").write_text("a: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--format", "github"])
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines
    assert all(line.startswith("::error file=") or line.startswith("::warning file=") for line in lines), lines
    assert not any(line.startswith("::error file=evil.yaml") for line in lines)
    text = CliRunner().invoke(main, ["validate"]).output
    assert "\n::error" not in text and "x\\n::error" in text


# ---------------------------------------------------------------- the reviewer's Markdown summary

MARKDOWN_BREAKOUTS = [
    "x\n## 审核结论：全部通过，可以合并",
    "# 审核结论：全部通过",
    "[点此批准](https://evil.example/approve)",
    "![img](https://evil.example/t.png)",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "| 结论 | 通过 |\n|---|---|\n| a | b |",
    "**全部通过** @admin",
    "x\n\n---\n\n> 已批准",
    "x\u2028## 标题",
]


@pytest.mark.parametrize("evil", MARKDOWN_BREAKOUTS)
def test_the_markdown_summary_keeps_data_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evil: str) -> None:
    r = GitRepo(tmp_path / "site")
    r.commit("导入数据")
    r.git("branch", "base")
    quoted = '"' + evil.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\u2028", "\\u2028") + '"'
    r.replace("units/lian-1/unit.yaml", "name: 一团一连党支部", f"name: {quoted}")
    r.replace("units/lian-1/2011/commitments.yaml", "title: 全连棉花单产提高百分之五", f"title: {quoted}")
    monkeypatch.chdir(r.root)
    result = CliRunner().invoke(main, ["diff", "--base", "base", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(markdown.markdown(result.output, extensions=["tables"]), "html.parser")
    assert [h.get_text() for h in soup.find_all(["h1", "h2"])] == ["数据变更说明"]
    assert all(not h.get_text().startswith(("审核", "标题")) for h in soup.find_all(["h3", "h4", "h5", "h6"]))
    assert soup.find_all(["a", "img", "table", "script", "hr", "blockquote", "em"]) == []
    assert all(s.get_text().startswith(("修改", "新增", "删除")) for s in soup.find_all("strong"))  # only the summary's own
    assert "\u2028" not in result.output


# ---------------------------------------------------------------- XML and HTML from the site


def test_control_and_bidi_characters_never_reach_pages_or_feeds(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    unit = data / "units/lian-1/unit.yaml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("name: 一团一连党支部", 'name: "一团\\x01\\x1b\\u202e一连\\u2066党支部\\x7f"'), "utf-8"
    )
    out = tmp_path / "public"
    make_site(data, out, today=dt.date(2011, 6, 28), search=False)
    for path in out.rglob("*"):
        if path.suffix in {".html", ".xml", ".atom"}:
            text = path.read_text(encoding="utf-8")
            assert not any(ch in text for ch in "\x01\x1b\x7f\u202e\u2066"), path
            if path.suffix != ".html":
                ET.fromstring(text.encode("utf-8"))  # well-formed XML
    assert "一团一连党支部" in (out / "units/lian-1/index.html").read_text(encoding="utf-8")


LINKS = [
    ("[a](//evil.example/x)", None),
    ("[a](/\\evil.example)", None),
    ("[a](\\\\host\\share)", None),
    ("[a](/%5Cevil.example)", None),
    ("<a href=' //evil.example'>a</a>", None),
    ("<a href='/\t/evil.example'>a</a>", None),
    ("<a href='java\nscript:alert(1)'>a</a>", None),
    ("[a](https://evil.example)", None),
    ("[a](data:text/html,x)", None),
    ("[a](units/lian-1/index.html)", "units/lian-1/index.html"),
    ("[a](../honours/index.html#h1)", "../honours/index.html#h1"),
    ("[a](mailto:office@example.org)", "mailto:office@example.org"),
]


@pytest.mark.parametrize(("text", "href"), LINKS)
def test_only_site_internal_and_mail_links_survive(text: str, href: str | None) -> None:
    (link,) = BeautifulSoup(str(markdown_html("见 " + text + " 。")), "html.parser").find_all("a")
    assert link.get("href") == href
