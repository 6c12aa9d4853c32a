"""Shared fixtures: a private copy of the small valid data set (tests/fixtures/mini) to break one piece at a time."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sitekit
import yaml

from cxzy_gen.problems import Problem
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.validate import Summary, load_dataset

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
DEMO = Path(__file__).resolve().parent.parent / "data"

# The quick run (`pytest -m "not slow"`, see CONTRIBUTING.md) leaves out what takes most of the time and
# rarely fails alone: the real browser and web server, and every variant on the whole demo 师 (the same
# checks run on the small fixture). CI (`.ci/run`) runs everything.
SLOW_MODULES = {"test_browser.py", "test_nginx.py"}


def yaml_scalar(value: Any, *, in_flow: bool = False) -> str:
    """A value as flow-style YAML on one line: text plain where YAML reads it back unchanged, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        probe = f"k: [{value}]" if in_flow else f"k: {value}"
        try:
            loaded = yaml.safe_load(probe)["k"]
            loaded = loaded[0] if in_flow else loaded
            # plain when YAML reads it back as the same text, or as the date it spells
            plain = "\n" not in value and (loaded == value or (isinstance(loaded, dt.date) and loaded.isoformat() == value))
        except (yaml.YAMLError, TypeError, IndexError):
            plain = False
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(v, in_flow=True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k, in_flow=True)}: {yaml_scalar(v, in_flow=True)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as YAML")


class DataCopy:
    """A data folder copied into a temporary working directory, edited in place so line numbers stay predictable.

    Paths given to the methods are relative to the data folder (e.g. "units/lian-1/unit.yaml");
    `file(rel)` is how a `Problem` names that file (the working directory is the tmp folder).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    # ------------------------------------------------------------ reading
    def path(self, rel: str) -> Path:
        return self.root / rel

    def file(self, rel: str) -> str:
        return f"{self.root.name}/{rel}"

    def text(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def line_of(self, rel: str, fragment: str, after: str | None = None, nth: int = 1) -> int:
        """1-based number of the `nth` line containing `fragment` (counting from the line containing `after`)."""
        lines = self.text(rel).splitlines()
        start = 0
        if after is not None:
            start = next(i for i, line in enumerate(lines) if after in line)
        hits = [i + 1 for i in range(start, len(lines)) if fragment in lines[i]]
        if len(hits) < nth:
            raise AssertionError(f"{fragment!r} not found {nth} time(s) in {rel}")
        return hits[nth - 1]

    def column_of(self, rel: str, fragment: str, after: str | None = None, nth: int = 1) -> int:
        """1-based column where `fragment` starts on the line `line_of` finds."""
        line = self.text(rel).splitlines()[self.line_of(rel, fragment, after, nth) - 1]
        return line.index(fragment) + 1

    # ------------------------------------------------------------ editing
    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def replace(self, rel: str, old: str, new: str, count: int = 1) -> None:
        """Replace exact text; fails loudly when `old` is not there, so a stale test cannot pass silently."""
        text = self.text(rel)
        assert old in text, f"{old!r} not found in {rel}"
        self.write(rel, text.replace(old, new, count))

    def _node(self, rel: str, keys: tuple[str | int, ...]) -> yaml.Node:
        node = yaml.compose(self.text(rel), Loader=yaml.SafeLoader)
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == key)
            elif isinstance(node, yaml.SequenceNode):
                node = node.value[key]
            else:
                raise KeyError(keys)
        return node

    def set(self, rel: str, keys: tuple[str | int, ...], value: Any = None, *, raw: str | None = None) -> int:
        """Replace the existing single-line value at `keys` in place; returns its line. `raw` is YAML text used as is."""
        node = self._node(rel, keys)
        start, end = node.start_mark, node.end_mark
        text = self.text(rel)
        assert isinstance(node, yaml.ScalarNode) or node.flow_style, f"{keys} is a block collection: use replace()"
        assert start.line == end.line, f"{keys} spans several lines: use replace()"
        self.write(rel, text[: start.index] + (raw if raw is not None else yaml_scalar(value)) + text[end.index :])
        return start.line + 1

    def add(self, rel: str, keys: tuple[str | int, ...], key: str, value: Any = None, *, raw: str | None = None) -> int:
        """Add `key: value` to the block mapping at `keys`, on the line after its first field; returns that line."""
        node = self._node(rel, keys)
        assert isinstance(node, yaml.MappingNode) and not node.flow_style, f"{keys} is not a block mapping"
        first_key, first_value = node.value[0]
        assert isinstance(first_value, yaml.ScalarNode) and first_value.start_mark.line == first_value.end_mark.line
        text = self.text(rel)
        at = first_value.end_mark.index
        line = "\n" + " " * first_key.start_mark.column + f"{key}: " + (raw if raw is not None else yaml_scalar(value))
        self.write(rel, text[:at] + line + text[at:])
        return first_key.start_mark.line + 2

    def delete(self, rel: str, keys: tuple[str | int, ...]) -> None:
        """Delete the field at `keys` (its key line and any block content under it)."""
        *parent, last = keys
        node = self._node(rel, tuple(parent))
        assert isinstance(node, yaml.MappingNode)
        key_node = next((k for k, _ in node.value if k.value == last), None)
        if key_node is None:
            raise KeyError(keys)
        lines = self.text(rel).splitlines(keepends=True)
        first, column = key_node.start_mark.line, key_node.start_mark.column
        assert lines[first][column:].startswith(f"{last}:"), "the field must be in block style"
        assert not lines[first][:column].strip(), "the first field of a list item cannot be deleted this way: use replace()"
        stop = first + 1
        # the value's block content is everything indented deeper than the key
        while stop < len(lines) and (not lines[stop].strip() or len(lines[stop]) - len(lines[stop].lstrip(" ")) > column):
            stop += 1
        self.write(rel, "".join(lines[:first] + lines[stop:]))

    # ------------------------------------------------------------ checking
    def load(self) -> tuple[Dataset | None, list[Problem], Summary]:
        return load_dataset(self.root)

    def problems(self) -> list[Problem]:
        return self.load()[1]


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DataCopy]:
    """A fresh copy of tests/fixtures/mini at ./data inside a temporary working directory."""
    shutil.copytree(MINI, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    yield DataCopy(Path("data"))


@pytest.fixture(autouse=True, scope="module")
def _pages_parsed_once_per_module() -> Iterator[None]:
    """`sitekit.html` keeps each parsed page for the module's other tests, then lets them go."""
    yield
    sitekit.forget_pages()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing (see CONTRIBUTING.md)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        on_demo = params is not None and any(value == DEMO for value in params.params.values())
        if item.path.name in SLOW_MODULES or on_demo or "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
