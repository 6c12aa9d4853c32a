"""The release number is written once (cxzy_gen.__version__) and every place that shows it agrees."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from click.testing import CliRunner

from cxzy_gen import __version__
from cxzy_gen.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_cxzy_version_prints_it() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"cxzy {__version__}\n")


def test_the_installed_package_has_it() -> None:
    assert importlib.metadata.version("cxzy") == __version__


def test_the_changelog_starts_with_it() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+)$", text, re.MULTILINE)
    assert versions[0] == __version__, "add the release's entry to CHANGELOG.md"
    assert len(versions) == len(set(versions))


def test_the_docs_pin_this_release() -> None:
    """Install and pre-commit examples name the current tag, so copying them installs this release."""
    for doc in ("docs/install.md", "docs/workflow.md"):
        tags = set(re.findall(r"v(\d+\.\d+\.\d+)", (ROOT / doc).read_text(encoding="utf-8")))
        assert tags == {__version__}, doc
