"""Docs that cannot drift: every problem code and every CLI command (and its options) is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cxzy_gen.cli import main
from cxzy_gen.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS_MD = ROOT / "docs" / "problems.md"
CLI_MD = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"

CODE = re.compile(r"(?<![A-Za-z0-9-])E-[A-Z]+(?:-[A-Z]+)*(?![A-Za-z0-9-])")
HEADING = re.compile(r"^#{2,3} (E-[A-Z]+(?:-[A-Z]+)*)：(.+)$", re.MULTILINE)
EXAMPLE = re.compile(r"^\S+:\d+:\d+: (E-[A-Z]+(?:-[A-Z]+)*)(?:（警告）)? \S", re.MULTILINE)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def sections(text: str) -> dict[str, str]:
    """Each problem code's section of docs/problems.md: from its heading to the next heading."""
    found: dict[str, str] = {}
    headings = list(re.finditer(r"^#{1,3} .*$", text, re.MULTILINE))
    for i, h in enumerate(headings):
        m = HEADING.match(h.group(0))
        if m:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            assert m.group(1) not in found, f"{m.group(1)} has two sections"
            found[m.group(1)] = text[h.start() : end]
    return found


def test_every_code_has_a_section_and_no_section_is_for_a_code_that_does_not_exist() -> None:
    documented = set(sections(_read(PROBLEMS_MD)))
    assert sorted(set(CODES) - documented) == [], "codes without a section in docs/problems.md"
    assert sorted(documented - set(CODES)) == [], "sections in docs/problems.md for codes that do not exist"


def test_problems_md_mentions_no_code_that_does_not_exist() -> None:
    mentioned = set(CODE.findall(_read(PROBLEMS_MD)))
    assert mentioned, "docs/problems.md is missing or mentions no code"
    assert sorted(mentioned - set(CODES)) == []


@pytest.mark.parametrize("code", sorted(CODES))
def test_section_has_title_meaning_example_and_fix(code: str) -> None:
    section = sections(_read(PROBLEMS_MD)).get(code)
    assert section is not None, f"docs/problems.md has no section for {code}"
    title, _hint = CODES[code]
    assert section.splitlines()[0].endswith(f"：{title}"), f"the heading of {code} should carry its title「{title}」"
    assert "**含义**" in section and "**示例**" in section and "**怎样改正**" in section
    examples = EXAMPLE.findall(section)
    assert examples, f"the example of {code} should be an output line `文件:行:列: {code} 说明`"
    assert set(examples) == {code}, f"the examples in the section of {code} show other codes: {examples}"


def _commands(group: click.Group, prefix: str = "cxzy") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


COMMANDS = _commands(main)


def test_there_are_commands() -> None:
    assert {"cxzy validate", "cxzy schema"} <= {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_is_documented(name: str, command: click.Command) -> None:
    docs = _read(README) + _read(CLI_MD)
    assert f"`{name}" in docs, f"`{name}` is documented neither in README.md nor in docs/cli.md"


def _cli_section(name: str) -> str | None:
    text = _read(CLI_MD)
    m = re.search(rf"^## `{re.escape(name)}`\s*$", text, re.MULTILINE)
    if m is None:
        return None
    nxt = re.search(r"^## ", text[m.end() :], re.MULTILINE)
    return text[m.start() : m.end() + nxt.start()] if nxt else text[m.start() :]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_option_of_a_command_in_cli_md_is_documented_there(name: str, command: click.Command) -> None:
    section = _cli_section(name)
    if section is None:
        pytest.skip(f"docs/cli.md has no section for `{name}` (README.md documents it)")
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
            assert any(f"`{opt}" in section for opt in param.opts), f"{param.opts[0]} of `{name}` is not in its docs/cli.md section"


def test_validate_and_schema_have_cli_md_sections() -> None:
    assert _cli_section("cxzy validate") and _cli_section("cxzy schema")


def test_problems_md_examples_match_real_messages() -> None:
    """Examples are copied from real output; spot-check the fixed parts of a few against the code that makes them."""
    text = _read(PROBLEMS_MD)
    for fragment in (
        "不允许使用 YAML 锚点和别名（& 与 *）",
        "不允许使用 YAML 合并键（<<）",
        "这一行用了 Tab 缩进，YAML 只能用空格缩进",
        "文件是 UTF-16 编码，请另存为 UTF-8",
        "数据目录中不允许符号链接，请放入真实文件",
        "评议没有结果：要有满意度测评、分项评议或民主评议等次之一",
    ):
        assert fragment in text
        assert any(fragment in p.read_text(encoding="utf-8") for p in (ROOT / "cxzy_gen").rglob("*.py")), fragment


# ---------------------------------------------------------------- which tests run where


def _readme_test_command() -> str:
    block = re.search(r"```sh\n(.*?)```", _read(README), re.DOTALL)
    assert block is not None, "README.md has no sh block with the install and test commands"
    return next(line for line in block.group(1).splitlines() if "pytest" in line)


def test_ci_runs_the_readmes_test_command_on_every_test() -> None:
    """Plain `pytest` leaves the slow tests out (tests/conftest.py); CI must run the README's command with them in."""
    from conftest import ALL_TESTS

    command = _readme_test_command().split("&&")[-1].strip()
    assert command == ".venv/bin/python -m pytest", "the README's test command names no paths and no -m: it is the quick run"
    lines = [line.strip() for line in _read(ROOT / ".ci" / "run").splitlines()]
    runs = [i for i, line in enumerate(lines) if not line.startswith("#") and command in [s.strip() for s in line.split("&&")]]
    assert runs, ".ci/run does not run the README's test command"
    before = lines[: runs[0]]
    exported = [line for line in before if line.startswith("export ") and f"{ALL_TESTS}=1" in line.split()]
    assert exported, f".ci/run must export {ALL_TESTS}=1 before the README's test command, or CI skips the slow tests"
    assert not [line for line in lines if ALL_TESTS in line and line not in exported], f"{ALL_TESTS} is changed elsewhere in .ci/run"


def test_the_docs_say_what_the_quick_run_leaves_out_and_how_to_run_everything() -> None:
    from conftest import ALL_TESTS

    for doc in (README, ROOT / "CONTRIBUTING.md"):
        assert f"{ALL_TESTS}=1" in _read(doc), f"{doc.name} does not say how to run every test"
