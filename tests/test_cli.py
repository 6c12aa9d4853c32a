"""`cxzy validate` as the user runs it: exit codes, the three output formats, the summary, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DataCopy
from test_loader import CASES, COMMITMENTS, UNIT, Expect, deep_flow, gbk, oversized, symlink_file, tab_indent

from cxzy_gen.cli import main
from cxzy_gen.problems import CODES
from cxzy_gen.records import loader

LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>E-[A-Z-]+)(?:（警告）)? (?P<message>\S.*)$")
CLEAN_SUMMARY = "读取 13 个文件：单位 4，党员 9，承诺 3，点评 2，评议 2，表彰推荐 3。没有发现问题。"


def cxzy(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # the command may end with SystemExit (its exit code); anything else is a crash
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "cxzy_gen", *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)


def problem_lines(output: str) -> list[re.Match[str]]:
    return [m for m in map(LINE.match, output.splitlines()) if m]


# ---------------------------------------------------------------- clean data


def test_clean_data_exits_0_with_the_summary(mini: DataCopy) -> None:
    result = cxzy("validate", "--data", "data")
    assert result.exit_code == 0
    assert result.stdout.strip() == CLEAN_SUMMARY
    assert result.stderr == ""


def test_data_folder_defaults_to_data_in_the_working_directory(mini: DataCopy) -> None:
    result = cxzy("validate")
    assert (result.exit_code, result.output.strip()) == (0, CLEAN_SUMMARY)


def test_subprocess_clean_data(mini: DataCopy) -> None:
    proc = run_module("validate", "--data", "data")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == CLEAN_SUMMARY
    assert "Traceback" not in proc.stderr


def test_warnings_alone_exit_0(mini: DataCopy) -> None:
    mini.set(COMMITMENTS, ("commitments", 0, "proposed"), "2011-04-05")
    mini.set(COMMITMENTS, ("commitments", 0, "publicized", "date"), "2011-04-06")
    result = cxzy("validate", "--data", "data")
    assert result.exit_code == 0
    (line,) = problem_lines(result.stdout)
    assert line["code"] == "E-DATE" and "（警告）" in line.group(0)
    assert "发现 0 个错误、1 个警告。" in result.stderr


# ---------------------------------------------------------------- problems


def _two_problems_in_two_files(d: DataCopy) -> list[tuple[str, int, str]]:
    """One problem in reading a file, one in typing another: (file, line, code) each."""
    tab = tab_indent(d)
    d.add("units/qiye-1/unit.yaml", (), "nmae", "别名")
    return [(tab.file, tab.line, "E-YAML"), (d.file("units/qiye-1/unit.yaml"), d.line_of("units/qiye-1/unit.yaml", "nmae:"), "E-FIELD")]


def test_problems_exit_1_every_problem_listed_as_path_line_col_code_message(mini: DataCopy) -> None:
    expected = _two_problems_in_two_files(mini)
    result = cxzy("validate", "--data", "data")
    assert result.exit_code == 1
    lines = problem_lines(result.stdout)
    assert len(lines) == len(result.stdout.splitlines()) == 2, result.output
    assert [(m["file"], int(m["line"]), m["code"]) for m in lines] == expected
    assert all(int(m["col"]) >= 1 and m["code"] in CODES for m in lines)
    assert "是不是「name」" in lines[1]["message"]
    assert result.stderr.strip() == "读取 13 个文件：单位 3，党员 9，承诺 0，点评 2，评议 2，表彰推荐 3。发现 2 个错误、0 个警告。"


def test_rule_problems_in_two_files_are_all_listed(mini: DataCopy) -> None:
    mini.set(COMMITMENTS, ("commitments", 0, "deadline"), "2011-02-25")
    mini.set("units/lian-1/2011/reviews.yaml", ("reviews", 1, "target"), "lian1-sn")
    result = cxzy("validate", "--data", "data")
    assert result.exit_code == 1
    assert [(m["file"], m["code"]) for m in problem_lines(result.stdout)] == [
        (mini.file(COMMITMENTS), "E-DATE"),
        (mini.file("units/lian-1/2011/reviews.yaml"), "E-REF"),
    ]
    assert "发现 2 个错误" in result.stderr


def test_subprocess_problems_exit_1(mini: DataCopy) -> None:
    expected = _two_problems_in_two_files(mini)
    proc = run_module("validate", "--data", "data")
    assert proc.returncode == 1
    assert [(m["file"], int(m["line"]), m["code"]) for m in problem_lines(proc.stdout)] == expected
    assert "发现 2 个错误" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_subprocess_many_hostile_files_at_once(mini: DataCopy) -> None:
    gbk(mini)  # units/lian-1/unit.yaml
    symlink_file(mini)
    mini.write(
        "units/qiye-1/unit.yaml",
        "".join(f"{x}: &{x} [{', '.join([f'*{p}'] * 9) if p.strip() else '哈'}]\n" for p, x in zip(" abcdefg", "abcdefgh", strict=True)),
    )
    mini.write("units/shequ-1/members.yaml", "members: " + "[" * 20_000 + "\n")
    mini.write("units/qiye-1/members.yaml", b"\xff\xfe" + "members: []\n".encode("utf-16-le"))
    proc = run_module("validate", "--data", "data", "--format", "json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    codes = sorted(p["code"] for p in json.loads(proc.stdout))
    assert codes == ["E-ALIAS", "E-ENCODING", "E-ENCODING", "E-FILE", "E-YAML"]


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "--data", "nowhere"], id="missing_data_dir"),
        pytest.param(["validate", "--frmat", "json"], id="unknown_option"),
        pytest.param(["validate", "--format", "xml"], id="unknown_format"),
        pytest.param(["validate", "extra"], id="extra_argument"),
        pytest.param(["valdate"], id="unknown_command"),
    ],
)
def test_usage_errors_exit_2(mini: DataCopy, args: list[str]) -> None:
    result = cxzy(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error" in result.stderr or "错误" in result.stderr


def test_missing_data_dir_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cxzy("validate")
    assert result.exit_code == 2
    assert "找不到数据目录 data" in result.stderr and "--data" in result.stderr


def test_data_dir_that_is_a_file_is_a_usage_error(mini: DataCopy) -> None:
    assert cxzy("validate", "--data", "data/site.yaml").exit_code == 2


def test_subprocess_usage_error_exits_2(mini: DataCopy) -> None:
    proc = run_module("validate", "--data", "nowhere")
    assert proc.returncode == 2
    assert "找不到数据目录" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- formats


def test_json_format(mini: DataCopy) -> None:
    _two_problems_in_two_files(mini)
    result = cxzy("validate", "--data", "data", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert isinstance(problems, list) and len(problems) == 2
    for p in problems:
        assert set(p) == {"file", "line", "column", "code", "message", "severity"}
        assert isinstance(p["line"], int) and isinstance(p["column"], int)
        assert p["code"] in CODES and p["severity"] == "error" and p["message"]
    assert result.stderr == ""  # nothing but JSON for tools


def test_json_format_clean_is_an_empty_list(mini: DataCopy) -> None:
    result = cxzy("validate", "--data", "data", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_json_format_warning_severity(mini: DataCopy) -> None:
    mini.set("units/lian-1/unit.yaml", ("secretary",), "shi-li")
    result = cxzy("validate", "--data", "data", "--format", "json")
    assert result.exit_code == 0
    (p,) = json.loads(result.stdout)
    assert (p["code"], p["severity"], p["file"], p["line"]) == ("E-REF", "warning", mini.file(UNIT), mini.line_of(UNIT, "secretary:"))


def test_github_format(mini: DataCopy) -> None:
    expected = _two_problems_in_two_files(mini)
    result = cxzy("validate", "--data", "data", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("::error file=") for line in lines)
    for line, (file, number, code) in zip(lines, expected, strict=True):
        assert re.match(rf"^::error file={re.escape(file)},line={number},col=\d+::{code} \S", line), line


def test_github_format_warning(mini: DataCopy) -> None:
    mini.set("units/lian-1/unit.yaml", ("secretary",), "shi-li")
    result = cxzy("validate", "--data", "data", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning file=data/units/lian-1/unit.yaml,line=")


# ---------------------------------------------------------------- no traceback for any bad input


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_its_line_and_exit_1(mini: DataCopy, case: Callable[[DataCopy], Expect]) -> None:
    expect = case(mini)
    for fmt in ("text", "json", "github"):
        result = cxzy("validate", "--data", "data", "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    result = cxzy("validate", "--data", "data")
    where = f"{expect.file}:{expect.line}:" if expect.line is not None else f"{expect.file}:"
    assert any(line.startswith(where) and f" {expect.code} " in line for line in result.stdout.splitlines()), result.output


def test_oversized_file_through_the_cli(mini: DataCopy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", max(p.stat().st_size for p in mini.root.rglob("*.yaml")))
    expect = oversized(mini)
    result = cxzy("validate", "--data", "data")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{expect.file}:1:1: E-SIZE ")


def test_deep_nesting_through_the_cli(mini: DataCopy) -> None:
    expect = deep_flow(mini)
    result = cxzy("validate", "--data", "data", "--format", "json")
    assert result.exit_code == 1
    assert [(p["file"], p["code"]) for p in json.loads(result.stdout)] == [(expect.file, expect.code)]


# ---------------------------------------------------------------- schema


def test_schema_writes_one_file_per_kind(tmp_path: Path) -> None:
    result = cxzy("schema", "--out", str(tmp_path / "schemas"))
    assert result.exit_code == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(
        f"{k}.schema.json" for k in ("site", "unit", "members", "commitments", "reviews", "appraisals", "commendations")
    )
    for name in written:
        assert f"已写出 {tmp_path / 'schemas' / name}" in result.stdout
        assert json.loads((tmp_path / "schemas" / name).read_text(encoding="utf-8"))["$id"] == name
