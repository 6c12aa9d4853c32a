"""Random damage to valid data files: validation only ever reports problems, it never raises."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxzy_gen.problems import CODES
from cxzy_gen.records.validate import load_dataset

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

FILES = sorted(p.relative_to(MINI).as_posix() for p in MINI.rglob("*.yaml"))
# Problems that can only come from reading one file: they must name the file that was damaged.
READ_CODES = {"E-ENCODING", "E-SIZE", "E-YAML", "E-DUPKEY", "E-ALIAS", "E-DEPTH"}

# Pieces a hurried editor (or a bad copy-paste) puts into YAML.
NASTY = st.sampled_from(
    [
        "\t",
        ":",
        ": ",
        " - ",
        "- ",
        "#",
        "'",
        '"',
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "<<: ",
        "!!python/object:os.system ",
        "? ",
        "|",
        ">",
        "---",
        "...",
        "%YAML 1.1",
        "2011-02-30",
        "0x_",
        "~",
        "null",
        "yes",
        "13812345678",
        "110101199003071234",
        "未知字段: 值",
        "名称",
        "\u3000",
        "\r",
        "\ufeff",
        "\x00",
        "\x85",
        "\u2028",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=12), st.lists(NASTY, min_size=1, max_size=4).map("".join))
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["[]", "{}", "[1, 2]", "{a: 1}", "true", "3.5", "''", "2011-13-01", "- x", "|\n  多行"]),
)


def _delete_key(lines: list[str], data: st.DataObject) -> list[str]:
    keyed = [i for i, line in enumerate(lines) if ":" in line]
    if not keyed:
        return lines
    i = data.draw(st.sampled_from(keyed))
    return lines[:i] + lines[i + 1 :]


def _change_value(lines: list[str], data: st.DataObject) -> list[str]:
    keyed = [i for i, line in enumerate(lines) if ": " in line]
    if not keyed:
        return lines
    i = data.draw(st.sampled_from(keyed))
    head = lines[i].split(": ", 1)[0]
    return [*lines[:i], f"{head}: {data.draw(VALUES)}", *lines[i + 1 :]]


# Scalars YAML's own resolvers take for dates or numbers that then fail to convert.
IMPOSSIBLE = st.sampled_from(["2011-02-30", "2011-13-01", "0000-01-01", "2011-01-01 25:00:00", "0x_", "0b_", "9" * 5000])


def _impossible_value(lines: list[str], data: st.DataObject) -> list[str]:
    keyed = [i for i, line in enumerate(lines) if ": " in line]
    if not keyed:
        return lines
    i = data.draw(st.sampled_from(keyed))
    head = lines[i].split(": ", 1)[0]
    return [*lines[:i], f"{head}: {data.draw(IMPOSSIBLE)}", *lines[i + 1 :]]


def _duplicate_line(lines: list[str], data: st.DataObject) -> list[str]:
    if not lines:
        return lines
    i = data.draw(st.integers(0, len(lines) - 1))
    return lines[: i + 1] + lines[i:]


def _insert_text(lines: list[str], data: st.DataObject) -> list[str]:
    i = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    line = lines[i] if lines else ""
    at = data.draw(st.integers(0, len(line)))
    return [*lines[:i], line[:at] + data.draw(TEXT) + line[at:], *lines[i + 1 :]]


def _swap_lines(lines: list[str], data: st.DataObject) -> list[str]:
    if len(lines) < 2:
        return lines
    i, j = data.draw(st.lists(st.integers(0, len(lines) - 1), min_size=2, max_size=2, unique=True))
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def _truncate(lines: list[str], data: st.DataObject) -> list[str]:
    text = "\n".join(lines)
    return text[: data.draw(st.integers(0, len(text)))].split("\n")


TEXT_MUTATIONS = [_delete_key, _change_value, _impossible_value, _duplicate_line, _insert_text, _swap_lines, _truncate]


def _break_utf8(raw: bytes, data: st.DataObject) -> bytes:
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.sampled_from([b"\xff", b"\xc3", b"\xe4\xb8", b"\x80\x80", b"\xd6\xd0\xb9\xfa", b"\xed\xa0\x80"]))
    return raw[:at] + junk + raw[at + data.draw(st.integers(0, 2)) :]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("props") / "data"
    shutil.copytree(MINI, root)
    return root


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel=st.sampled_from(FILES), data=st.data())
def test_damaged_files_give_problems_never_exceptions(data_dir: Path, rel: str, data: st.DataObject) -> None:
    target = data_dir / rel
    original = target.read_bytes()
    lines = original.decode("utf-8").split("\n")
    for mutate in data.draw(st.lists(st.sampled_from(TEXT_MUTATIONS), min_size=1, max_size=3), label="mutations"):
        lines = mutate(lines, data)
    raw = "\n".join(lines).encode("utf-8")
    if data.draw(st.integers(0, 3), label="break utf-8") == 0:
        raw = _break_utf8(raw, data)
    target.write_bytes(raw)
    try:
        dataset, problems, _ = load_dataset(data_dir)
    finally:
        target.write_bytes(original)

    assert (dataset is None) == any(p.is_error for p in problems)
    files = {p.as_posix() for p in data_dir.rglob("*")} | {(data_dir / "site.yaml").as_posix()}
    damaged = target.as_posix()
    for p in problems:
        assert p.code in CODES
        assert p.line >= 1 and p.column >= 1
        assert p.message.strip()
        assert p.file in files or p.file.endswith("/unit.yaml"), p
        if p.code in READ_CODES:
            assert p.file == damaged, p
        if p.file == damaged and p.code != "E-ENCODING":
            assert p.line <= len(raw.split(b"\n")) + 1, p


def test_undamaged_mini_set_is_clean(data_dir: Path) -> None:
    dataset, problems, _ = load_dataset(data_dir)
    assert problems == []
    assert dataset is not None
