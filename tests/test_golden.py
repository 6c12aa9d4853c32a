"""Golden output: the fixture site built at a fixed date is compared, file by file, with the pages under tests/golden/.

Two builds are kept, as Pelican keeps its expected output trees:
- `public/`: tests/fixtures/site for 向社会公开, from a git repository with a fixed history (a first import and one
  merged change request), so the 修订记录, the 变更记录 page and the forge links are covered;
- `specific/`: the same data for 特定对象公开 (every record shown), without git.

After an intended change of the output, regenerate with
    .venv/bin/python -m pytest tests/test_golden.py --update-golden
and read the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from git_helpers import GitRepo
from sitekit import SITE, TODAY, files

from cxzy_gen.build import build
from cxzy_gen.git.history import History
from cxzy_gen.records import models as m
from cxzy_gen.site.scope import Scope

GOLDEN = Path(__file__).resolve().parent / "golden"
FORGE = "forge:\n  kind: gitea\n  url: https://git.example.org/shi/cxzy-data\n"
ADMIN = ("王建国", "wangjg@example.org")
WORKER = ("赵敏", "zhaomin@example.org")
APPROVER = ("李红", "lihong@example.org")


def _public(work: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture as a repository: everything but 连一's reviews first, the reviews through a merged change request."""
    repo = GitRepo(work / "repo", SITE)
    repo.append("site.yaml", FORGE)
    reviews = repo.path("units/lian-1/2011/reviews.yaml")
    held = reviews.read_bytes()
    reviews.unlink()
    repo.commit("导入师和团场、连队的数据", author=ADMIN, date="2011-03-01T09:00:00+08:00")
    repo.checkout("lian-1-reviews", new=True)
    reviews.write_bytes(held)
    repo.commit("连一：上半年领导点评", author=WORKER, date="2011-06-10T16:30:00+08:00")
    repo.checkout("main")
    repo.merge("lian-1-reviews", "Merge pull request #3 from lian-1-reviews", by=APPROVER, date="2011-06-12T10:00:00+08:00")
    monkeypatch.chdir(repo.root)  # data paths in the history are read relative to the working directory, as `cxzy build` does
    # Without the search index: Pagefind's files are binary and hashed; tests/test_search.py checks them.
    build(Path("data"), out, TODAY, m.Audience.PUBLIC, archive=History.load(Path("data")), search=False)


def _specific(work: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 特定对象公开 for the 社区 on its own board: the fixture's widest build (its only 本单位公开 unit).
    build(SITE, out, TODAY, Scope(m.Audience.SPECIFIC, "shequ-1", ("shequ-1",)), search=False)


BUILDS: dict[str, Callable[[Path, Path, pytest.MonkeyPatch], None]] = {"public": _public, "specific": _specific}


def _diff(name: str, rel: str, expected: bytes | None, actual: bytes | None) -> str:
    if expected is None:
        return f"{name}/{rel}: new file, not in tests/golden/{name}/"
    if actual is None:
        return f"{name}/{rel}: no longer built"
    try:
        old, new = expected.decode("utf-8").splitlines(), actual.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{name}/{rel}: binary content differs"
    lines = list(difflib.unified_diff(old, new, f"golden/{name}/{rel}", f"built/{name}/{rel}", n=2, lineterm=""))
    shown = lines[:60] + ([f"… {len(lines) - 60} more diff lines"] if len(lines) > 60 else [])
    return "\n".join(shown)


@pytest.mark.parametrize("name", list(BUILDS))
def test_built_pages_match_the_golden_files(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "out"
    BUILDS[name](tmp_path, out, monkeypatch)
    built = files(out)
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for rel, content in built.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(content)
        return
    assert golden.is_dir(), f"tests/golden/{name}/ is missing: run `python -m pytest tests/test_golden.py --update-golden`"
    expected = files(golden)
    differences = [
        _diff(name, rel, expected.get(rel), built.get(rel)) for rel in sorted({*expected, *built}) if expected.get(rel) != built.get(rel)
    ]
    assert not differences, (
        "the built site differs from tests/golden/ — if the change is intended, run "
        "`python -m pytest tests/test_golden.py --update-golden` and review the diff:\n\n" + "\n\n".join(differences)
    )
