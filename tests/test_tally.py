"""cxzy tally: ballots → counts only; the ballot file must be outside the data repository; small tallies are flagged."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DataCopy

from cxzy_gen.cli import main
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.sheets.importer import ImportError_
from cxzy_gen.sheets.tally import tally
from cxzy_gen.site.derive import derive

A = "units/lian-1/2011/appraisals.yaml"
SECRET = "支书对我有成见，这话只写在选票上"  # a ballot's own words: never to reach the data


def ballots(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["民主评议党员测评表（无记名）"])  # a title row, as printed forms have
    ws.append(["参评人类别", "党性观念强不强", "联系服务群众够不够", "发挥先锋模范作用明显不明显", "意见建议"])
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


SIX = [
    ["党员", "好", "好", "较好", None],
    ["党员", "好", "较好", "好", SECRET],
    ["党员", "较好", "好", "好", None],
    ["群众", "好", "一般", "不了解", None],
    ["服务对象", "好", "好", "好", None],
    ["群众", None, None, None, None],  # 弃权
    ["群众", "好", "很好", "好", None],  # 无效: not a grade
]


def test_ballots_become_counts(mini: DataCopy, tmp_path: Path) -> None:
    path = ballots(tmp_path / "outside" / "ballots.xlsx", SIX)
    result = tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    assert result.ok, result.problems
    r = result.record
    assert r["respondents"] == {"members": 3, "non_members": 3, "groups": [{"name": "服务对象", "count": 1}]}
    assert (r["abstained"], r["invalid"]) == (1, 1)
    assert r["dimensions"]["party_spirit"] == {"good": 4, "fair": 1, "average": 0, "poor": 0}
    assert r["dimensions"]["serving_masses"] == {"good": 3, "fair": 1, "average": 1, "poor": 0}
    assert r["dimensions"]["exemplary_role"] == {"good": 3, "fair": 1, "average": 0, "poor": 0, "unknown": 1}
    assert r["opinions"] == {"collected": 1}
    warnings = [p.message for p in result.problems]
    assert any("第 9 行 C 列「联系服务群众够不够」：这张票有 1 题没填或填的不是可选等次，按无效票计" in w for w in warnings)
    text = mini.text(A)
    assert "  - id: lian1-2011-a03\n    target: lian1-zhou\n    date: 2011-12-10\n    method: 会议\n" in text
    assert SECRET not in text and "成见" not in text  # no ballot's words in the data
    assert mini.problems() == []
    # The record holds counts only: no field of the model could hold one ballot.
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    (a,) = [a for a in ds.appraisals if a.id == "lian1-2011-a03"]
    assert a.valid_ballots == 5 and a.dimensions is not None and a.dimensions.party_spirit is not None


def test_a_ballot_file_inside_the_data_repository_is_refused(mini: DataCopy, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(mini.root.parent)], check=True)
    before = mini.text(A)
    inside_data = ballots(mini.root / "units" / "lian-1" / "选票.xlsx", SIX)
    beside_data = ballots(mini.root.parent / "选票" / "b.xlsx", SIX)  # in the repository, outside data/
    link = tmp_path / "elsewhere" / "link.xlsx"  # a symlink from outside to a file inside
    link.parent.mkdir()
    os.symlink(inside_data, link)
    for path in (inside_data, beside_data, link):
        with pytest.raises(ImportError_, match="选票不能放进仓库"):
            tally(path, "lian1-zhou", dt.date(2011, 12, 10), "会议", mini.root)
    result = CliRunner().invoke(main, ["tally", str(link), "--target", "lian1-zhou", "--date", "2011-12-10"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith(f"{link}:1:1: E-BALLOT 选票文件 {link} 在数据仓库 ") and "选票不能放进仓库" in result.output
    assert mini.text(A) == before


def test_fewer_than_five_is_flagged_and_the_site_shows_only_the_total(mini: DataCopy, tmp_path: Path) -> None:
    path = ballots(tmp_path / "b.xlsx", SIX[:3])
    result = CliRunner().invoke(main, ["tally", str(path), "--target", "lian1-zhou", "--date", "2011-12-10", "--data", str(mini.root)])
    assert result.exit_code == 0, result.output
    assert "只有 3 人参评（少于 5 人）：公开栏只公布参评人数，不公布分项票数" in result.output
    ds, _, _ = load_dataset(mini.root)
    assert ds is not None
    views = derive(ds, dt.date(2011, 12, 20))
    (view,) = [v for v in views.appraisals if v.record.target == "lian1-zhou"]
    assert view.withheld and view.dimensions == [] and view.satisfaction is None


def test_dry_run_writes_nothing(mini: DataCopy, tmp_path: Path) -> None:
    before = mini.text(A)
    path = ballots(tmp_path / "b.xlsx", SIX)
    result = CliRunner().invoke(
        main, ["tally", str(path), "--target", "lian1-zhou", "--date", "2011-12-10", "--dry-run", "--data", str(mini.root)]
    )
    assert result.exit_code == 0 and "--dry-run，没有写入" in result.output
    assert mini.text(A) == before
