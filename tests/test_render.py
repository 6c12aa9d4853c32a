"""render: Markdown fields become sanitised HTML; templates resolve site overrides before the shipped ones."""

from __future__ import annotations

from pathlib import Path

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError

from cxzy_gen.site.render import (
    _MARKDOWN,
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    environment,
    markdown_html,
    plain_paragraphs,
    root_of,
    simple_markdown,
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("推广膜下滴灌技术；\n组织党员结对帮扶。", "<p>推广膜下滴灌技术；<br>\n组织党员结对帮扶。</p>"),
        ("**重点**完成", "<p><strong>重点</strong>完成</p>"),
        ("- 一\n- 二", "<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
        ("# 大标题", "<h4>大标题</h4>"),  # a page has one h1; data headings start at h4
        ("### 小标题", "<h6>小标题</h6>"),
        ("<script>alert(1)</script>正文", "<p>正文</p>"),
        ("<img src=x onerror=alert(1)>图", "<p>图</p>"),
        ("[点我](javascript:alert(1))", '<p><a rel="noopener noreferrer">点我</a></p>'),
        ("[外站](https://evil.example/)", '<p><a rel="noopener noreferrer">外站</a></p>'),
        ("[本站](../index.html)", '<p><a href="../index.html" rel="noopener noreferrer">本站</a></p>'),
        ('<p style="color:red" onclick="alert(1)">红字</p>', "<p>红字</p>"),
        ('<iframe src="https://evil.example/"></iframe>内容', "<p>内容</p>"),
        ("![图](https://evil.example/x.png)", "<p></p>"),
    ],
)
def test_markdown_is_rendered_then_sanitised(text: str, html: str) -> None:
    assert str(markdown_html(text)).strip() == html


def _slow(text: str) -> str:
    return nh3.clean(_MARKDOWN.reset().convert(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES)


ALPHABET = st.sampled_from(list("承诺事项践诺措施，。；：、“”（）0123456789.%-+ abcXYZ\n\n*_#>[]()!&<\"'\t\r="))


@settings(max_examples=400, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=60))
def test_the_plain_text_shortcut_makes_exactly_what_markdown_makes(text: str) -> None:
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == _slow(text)


# Pieces that make up the shapes `simple_markdown` takes, and the near misses around them.
PIECES = st.sampled_from(
    [
        "承诺",
        "措施",
        "，",
        "。",
        "2011年",
        "1.",
        "1)",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n\n\n",
        "- ",
        "-",
        "* ",
        "*",
        "**",
        "***",
        "+ ",
        "#",
        "> ",
        "=",
        "a",
        "“",
        '"',
        "'",
        "_",
        "\t",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=24).map("".join))
def test_the_simple_markdown_shortcut_makes_exactly_what_markdown_makes(text: str) -> None:
    fast = simple_markdown(text)
    if fast is not None:
        assert fast == _MARKDOWN.reset().convert(text)


def test_the_simple_markdown_shortcut_is_taken_for_the_usual_measures() -> None:
    measures = "**目标**：带头落实。\n\n- 措施1：深入贯彻，并确保按期完成。\n- 措施2：*每月*公示。\n\n*践诺方式*：接受群众监督。"
    assert simple_markdown(measures) == _MARKDOWN.reset().convert(measures)
    assert str(markdown_html(measures)) == _slow(measures)
    assert simple_markdown("- 一\n\n- 二") is None and simple_markdown("*甲**乙*") is None and simple_markdown("[链接](x)") is None


def test_the_shortcut_is_taken_for_plain_chinese_prose() -> None:
    assert plain_paragraphs("2011年公开承诺“包片”，达到90.5%。\n第二行") is not None
    assert plain_paragraphs("1. 列表") is None and plain_paragraphs("**粗体**") is None


def test_a_template_edited_between_two_builds_of_one_process_is_compiled_again(tmp_path: Path) -> None:
    """Templates are compiled once per process (`cxzy serve` rebuilds in it); an edit, even of the same size, is seen."""
    page = tmp_path / "own.html"
    page.write_text("甲{{ 1 + 1 }}", encoding="utf-8")
    assert environment(tmp_path).get_template("own.html").render() == "甲2"
    page.write_text("乙{{ 1 + 2 }}", encoding="utf-8")
    assert environment(tmp_path).get_template("own.html").render() == "乙3"


def test_root_of_a_page() -> None:
    assert root_of("index.html") == ""
    assert root_of("units/lian-1/index.html") == "../../"


def test_site_templates_come_first_and_can_extend_the_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "404.html").write_text('{% extends "default:404.html" %}{% block title %}走丢了{% endblock %}', encoding="utf-8")
    env = environment(tmp_path)
    source, filename, _ = env.loader.get_source(env, "404.html")  # type: ignore[union-attr]
    assert "走丢了" in source and filename == str(tmp_path / "404.html")
    shipped, _, _ = env.loader.get_source(env, "default:404.html")  # type: ignore[union-attr]
    assert "找不到这个页面" in shipped


def test_templates_fail_on_undefined_names_and_escape_by_default() -> None:
    env = environment()
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
