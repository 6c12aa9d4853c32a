"""`cxzy demo`: a synthetic board that validates, builds every page kind, carries a reviewed git history, and is reproducible."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from cxzy_gen.build import build
from cxzy_gen.cli import main
from cxzy_gen.demo import DemoError, generate
from cxzy_gen.git.history import History
from cxzy_gen.records.validate import load_dataset

END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "board"
    generate(100, 5, out, years=2, seed=7)
    return out


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_the_demo_validates_clean_with_the_shape_asked_for(board: Path) -> None:
    ds, problems, summary = load_dataset(board / "data")
    assert problems == [] and ds is not None
    assert len(ds.units) == 100
    # a three-level tree: the root, two 党委 (one per fifty units), branches below them
    assert ds.units["u00000"].parent is None
    assert {ds.units[u].parent for u in ("u00001", "u00002")} == {"u00000"}
    assert {u.parent for u in ds.units.values() if u.id not in {"u00000", "u00001", "u00002"}} <= {"u00001", "u00002"}
    sizes = [sum(1 for p in ds.members.values() if p.folder_unit == uid) for uid in ds.units]
    assert min(sizes) >= 4 and max(sizes) <= 6  # 5 ± 20 %
    member_commitments = [c for c in ds.commitments if c.subject in ds.members]
    per_member_year: dict[tuple[str, int], int] = {}
    for c in member_commitments:
        per_member_year[(c.subject, c.proposed.year)] = per_member_year.get((c.subject, c.proposed.year), 0) + 1
    assert set(per_member_year.values()) <= {1, 2, 3} and len(per_member_year) == 2 * len(ds.members)
    assert 100 < sum(len(c.measures) for c in member_commitments) / len(member_commitments) < 220  # ~150 characters of Markdown
    assert all("**" in c.measures and "\n- " in c.measures for c in member_commitments)
    assert 14 <= sum(len(c.title) for c in ds.commitments) / len(ds.commitments) <= 18
    opinion = [len(r.opinion.achievements + r.opinion.problems + r.opinion.direction) for r in ds.reviews]
    assert 180 < sum(opinion) / len(opinion) < 260
    assert {r.target for r in ds.reviews} == set(ds.units)
    assert any(r.rectifications for r in ds.reviews)
    assert len(ds.appraisals) == 2 * 100
    assert {h.status.value for h in ds.commendations} == {"已表彰", "公示中"}
    assert summary.files == len(list((board / "data").rglob("*.yaml")))


def test_the_history_is_change_requests_written_by_workers_and_merged_by_reviewers(board: Path) -> None:
    assert git(board, "status", "--porcelain") == ""
    assert git(board, "branch", "--format=%(refname:short)").split() == ["main"]
    history = History.load(board / "data")
    assert history.available
    merges = [c for c in history.commits if c.is_merge]
    written = [c for c in history.commits if not c.is_merge]
    assert merges == []  # merges change no file themselves: the data commits are the workers'
    revisions = history.for_file("data/units/u00005/2025/commitments.yaml")
    assert [r.change.value for r in revisions] == ["M", "M", "A"]  # added in April, amended in July and December
    assert all(r.approval is not None and r.approval.by != r.author for r in revisions)
    assert all(r.approval is not None and r.approval.request is not None for r in revisions)
    months = {c.authored.month for c in written}
    assert {1, 4, 7, 12} <= months
    assert all(c.authored.year in (2024, 2025) for c in written)


def test_the_demo_builds_every_page_kind(board: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = build(board / "data", out, END, archive=History.load(board / "data"))
    assert result.units == 100
    publicity = BeautifulSoup((out / "publicity" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "公示中" in publicity.get_text()
    honours = BeautifulSoup((out / "honours" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "先进基层党组织" in honours.get_text()
    unit = BeautifulSoup((out / "units" / "u00005" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "修订记录" in unit.get_text()
    assert (out / "changes" / "index.html").is_file() and (out / "archive" / "2024" / "index.html").is_file()


def test_the_same_arguments_give_the_same_bytes_and_commits(tmp_path: Path) -> None:
    one, two, other = tmp_path / "one", tmp_path / "two", tmp_path / "other"
    generate(20, 3, one, years=2, seed=7)
    generate(20, 3, two, years=2, seed=7, jobs=1)
    generate(20, 3, other, years=2, seed=8)
    assert git(one, "rev-parse", "HEAD") == git(two, "rev-parse", "HEAD")
    assert git(other, "rev-parse", "HEAD") != git(one, "rev-parse", "HEAD")


def test_the_demo_never_writes_into_a_folder_that_has_content(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DemoError, match="不是空文件夹"):
        generate(3, 2, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_cli_demo_writes_a_board_and_refuses_a_used_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["demo", "--units", "3", "--members", "2", "--out", str(tmp_path / "b")])
    assert done.exit_code == 0, done.output
    assert "党组织 3 个" in done.output
    assert (tmp_path / "b" / "data" / "site.yaml").is_file()
    again = runner.invoke(main, ["demo", "--units", "3", "--members", "2", "--out", str(tmp_path / "b")])
    assert again.exit_code == 1 and "不是空文件夹" in again.output and "Traceback" not in again.output
    bad = runner.invoke(main, ["demo", "--units", "0", "--members", "2", "--out", str(tmp_path / "c")])
    assert bad.exit_code == 2
