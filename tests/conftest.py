"""Shared fixtures: a private copy of the small valid data set (tests/fixtures/mini) to break one piece at a time."""

from __future__ import annotations

import datetime as dt
import json
import os
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

# Which tests run where (CONTRIBUTING.md says the same):
# - plain `pytest` (the README's command, no test paths named) is the quick run: it leaves out the tests marked
#   `slow`, which take most of the time and rarely fail alone;
# - CXZY_ALL_TESTS=1 runs every test: `.ci/run` sets it, so CI runs the README's command on the whole suite;
# - naming test files, folders or ids (`pytest tests/test_pdf.py`) runs all of them, slow or not; `-m` selects
#   as pytest does (`-m slow` runs only the slow ones).
# Slow are: the real browser and web server (whole modules, below), every variant on the whole demo 师 (the
# same checks run on the small fixture), and tests marked `@pytest.mark.slow` where they stand, each with why.
ALL_TESTS = "CXZY_ALL_TESTS"
# Chromium page checks, nginx, LibreOffice: a real browser, web server or office suite started for each module.
SLOW_MODULES = {"test_browser.py", "test_nginx.py", "test_libreoffice.py"}
SLOW_FIXTURES = {"demo", "browser", "page"}  # the whole demo 师; a Chromium page (test_browser, test_search)
_INCREMENTAL_ALSO = (
    "another kind of change or cache damage, on the 24-unit board built two or three times; the quick run keeps its neighbours"
)
# Single tests (a bare name: every parameter of it), each the expensive variant of a test that stays in the quick run.
# The names are checked: a plain `pytest` run stops with a usage error when one no longer names a test.
SLOW_TESTS = {
    "test_incremental.py::test_every_incremental_build_is_byte_identical_to_a_cold_build": "eleven builds of the 24-unit board and ten cold ones to compare; each kind of change also has its own test",
    "test_incremental.py::test_a_new_commit_is_a_change_even_when_the_files_are_the_same": _INCREMENTAL_ALSO,
    "test_incremental.py::test_an_edit_that_keeps_size_and_modification_time_is_still_seen": _INCREMENTAL_ALSO,
    "test_incremental.py::test_a_new_commit_is_seen_by_the_history_source": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_search_index_is_taken_over_when_its_records_are_the_same": _INCREMENTAL_ALSO,
    "test_incremental.py::test_an_output_file_changed_by_hand_is_written_again": _INCREMENTAL_ALSO,
    "test_incremental.py::test_nothing_is_taken_over_through_a_folder_replaced_by_a_link": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_cache_is_not_trusted_across_a_cxzy_version": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_cache_is_not_trusted_across_a_schema_change": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_build_stamp_is_not_trusted_across[template]": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_build_stamp_is_not_trusted_across[audience]": _INCREMENTAL_ALSO,
    "test_incremental.py::test_the_build_stamp_is_not_trusted_across[unit]": _INCREMENTAL_ALSO,
    "test_incremental.py::test_an_output_folder_changed_by_hand_is_built_again": _INCREMENTAL_ALSO,
    "test_incremental.py::test_a_damaged_or_unwritable_cache_is_ignored": _INCREMENTAL_ALSO,
    "test_incremental.py::test_cli_build_reports_an_unchanged_site_and_can_skip_the_cache": _INCREMENTAL_ALSO,
    "test_incremental.py::test_a_hand_edit_never_comes_back_through_the_spare": _INCREMENTAL_ALSO,
    "test_incremental.py::test_a_spare_with_links_and_strays_gives_a_clean_site": _INCREMENTAL_ALSO,
    "test_incremental.py::test_a_change_in_one_unit_indexes_only_its_search_shard_again": "23 Pagefind runs: the 24-unit board split into small shards, built four times; the quick run builds the index in every build",
    "test_incremental.py::test_the_output_before_last_is_brought_up_to_date_instead_of_written_whole": "five builds of the 24-unit board through the kept folder; the quick run's other cache tests build through it too",
    "test_pdf.py::test_each_sheet_is_marked_with_the_narrowest_audience_on_it_at_top_and_foot": "Chromium prints the fixture's sheets; test_site checks each sheet's audience mark in its HTML",
    "test_properties.py::test_damaged_files_give_problems_never_exceptions": "150 generated damaged files; test_loader and test_rules keep the fixed cases in the quick run",
    "test_init.py::test_the_ci_file_passes_the_forges_schema[gitlab]": "check-jsonschema again for another forge; the quick run checks the Gitea file",
    "test_init.py::test_the_ci_file_passes_the_forges_schema[github]": "check-jsonschema again for another forge; the quick run checks the Gitea file",
    "test_demo.py::test_the_demo_builds_every_page_kind": "builds a generated board of 100 units; smaller generated boards are built in test_incremental",
    "test_pdf.py::test_a_lians_sheets_print_each_on_its_pages_with_mark_date_and_numbers": "Chromium prints the whole demo's sheets",
    "test_pdf.py::test_notices_print_one_sheet_each_with_their_issuers_contact": "Chromium prints the whole demo's notices",
    "test_pdf.py::test_every_notice_of_the_demo_prints_on_one_sheet_with_its_own_contact_and_signoff": "the whole demo, printed and built",
    "test_pdf.py::test_the_demo_honour_roll_prints_with_its_photos": "the whole demo's roll printed by Chromium",
    "test_pdf.py::test_a_qr_code_links_the_sheet_to_its_page_when_the_site_has_an_address": "Chromium prints again (every Chromium print is in the full run only)",
    "test_pdf.py::test_the_honour_roll_prints_with_its_mark_and_qr_code": "Chromium prints again (every Chromium print is in the full run only)",
    "test_pdf.py::test_a_units_own_board_needs_its_unit": "Chromium prints again (every Chromium print is in the full run only)",
    "test_photos.py::test_the_roll_with_photos_in_a_browser_at_desktop_and_phone_width": "Chromium, axe and the Nu checker",
    "test_photos.py::test_the_demo_honour_roll_shows_its_photos_without_their_camera_metadata": "the whole demo built",
    "test_history_hostile.py::test_any_message_and_name_is_read_back_exactly_as_git_has_it": "40 generated git histories; the fixed hostile cases stay in the quick run",
    "test_render.py::test_the_simple_markdown_shortcut_makes_exactly_what_markdown_makes": "3000 generated texts; the usual measures and prose keep their quick tests",
    "test_limits.py::test_many_unknown_references_against_many_members_is_fast": "a timing guard on a large generated input",
    "test_build.py::test_python_dash_m_runs_the_build": "another process; test_limits' concurrent builds run `python -m cxzy_gen build` three times",
    "test_init.py::test_the_wheel_ships_the_ci_files_and_templates": "builds a wheel",
    "test_init.py::test_a_new_board_validates_and_builds_at_once[gitlab]": "the same board for another forge (its CI file has its own quick test)",
    "test_init.py::test_a_new_board_validates_and_builds_at_once[github]": "the same board for another forge (its CI file has its own quick test)",
    "test_as_of.py::test_nothing_after_the_build_date_shows_and_that_day_does[2011-03-21]": "another build date; the quick run keeps 2011-06-28 and 2011-09-15",
    "test_as_of.py::test_nothing_after_the_build_date_shows_and_that_day_does[2011-05-10]": "another build date; the quick run keeps 2011-06-28 and 2011-09-15",
    "test_as_of.py::test_nothing_after_the_build_date_shows_and_that_day_does[2011-12-31]": "another build date; the quick run keeps 2011-06-28 and 2011-09-15",
}


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


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing (see CONTRIBUTING.md)",
    )
    if not pluginmanager.has_plugin("xdist"):
        # pyproject.toml's addopts ask pytest-xdist for workers (`-n auto --dist loadscope`). In an environment set up
        # before it was a test dependency (`pip install -e '.[test]'` adds it) the tests run in this process instead.
        group = parser.getgroup("xdist", "pytest-xdist is not installed: its options are accepted and the tests run in one process")
        group._addoption("-n", "--numprocesses", dest="numprocesses", default=None)
        group.addoption("--dist", dest="dist", default="no")


def quick_run(config: pytest.Config) -> bool:
    """True when the slow tests are left out: no CXZY_ALL_TESTS=1, no test paths named, no `-m` given.

    xdist's workers are started with the same arguments and environment, so they decide the same."""
    return (
        os.environ.get(ALL_TESTS) != "1" and config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.getoption("markexpr")
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = ["cxzy: every test selected, slow ones included"]
    if quick_run(config):
        lines = [f"cxzy: quick run, the tests marked slow are left out ({ALL_TESTS}=1 runs every test, as CI does)"]
    if not config.pluginmanager.has_plugin("xdist"):
        lines.append("cxzy: pytest-xdist is not installed, so the tests run in one process (pip install -e '.[test]')")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    named = set()
    for item in items:
        params = getattr(item, "callspec", None)
        on_demo = params is not None and any(value == DEMO for value in params.params.values())
        listed = {f"{item.path.name}::{item.name}", f"{item.path.name}::{getattr(item, 'originalname', item.name)}"} & SLOW_TESTS.keys()
        named |= listed
        if item.path.name in SLOW_MODULES or on_demo or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or listed:
            item.add_marker(pytest.mark.slow)
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS and SLOW_TESTS.keys() - named:
        raise pytest.UsageError(f"tests/conftest.py SLOW_TESTS names tests that do not exist: {sorted(SLOW_TESTS.keys() - named)}")
    if quick_run(config):
        slow = [item for item in items if item.get_closest_marker("slow")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]
