"""`cxzy codeowners`: each unit folder owned by its approvers and its superiors', in each forge's syntax."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_helpers import MINI, GitRepo

from cxzy_gen.cli import main
from cxzy_gen.git import codeowners as co
from cxzy_gen.git.plumbing import locate
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.validate import load_dataset

TUAN = """id: tuan-1
name: 一团党委
kind: 党委
type: 团场连队
parent: shi-dw
approvers: [tuan1-admin, shi-admin]
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mini data with a 团场 between the 师 and the 连队: shi-dw → tuan-1 → lian-1."""
    root = tmp_path / "site"
    shutil.copytree(MINI, root / "data")
    (root / "data/units/tuan-1").mkdir()
    (root / "data/units/tuan-1/unit.yaml").write_text(TUAN, encoding="utf-8")
    unit = root / "data/units/lian-1/unit.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("parent: shi-dw", "parent: tuan-1"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def dataset(root: Path) -> Dataset:
    ds, problems, _ = load_dataset(root / "data")
    assert ds is not None, problems
    return ds


def test_owners_are_the_unit_and_its_superiors(site: Path) -> None:
    assert co.owners_by_unit(dataset(site)) == {
        "lian-1": ["lian1-admin", "tuan1-admin", "shi-admin"],  # shi-admin once, though two levels name it
        "qiye-1": ["shi-admin"],
        "shequ-1": ["shi-admin"],
        "shi-dw": ["shi-admin"],
        "tuan-1": ["tuan1-admin", "shi-admin"],
    }


GITHUB = """# BEGIN cxzy codeowners
# 由 cxzy codeowners 生成（格式：github），请勿手工修改这两行标记之间的内容：
# 改各单位 unit.yaml 的 approvers 后运行 cxzy codeowners --flavor github --out .github/CODEOWNERS
# 每个单位文件夹的修改，须由本单位或上级党组织的审批人批准。
# 站点设置和新建的单位：第九师党委的审批人
/data/ @shi-admin
# 一团一连党支部（lian-1）
/data/units/lian-1/ @lian1-admin @tuan1-admin @shi-admin
# 天山棉业公司党总支（qiye-1）
/data/units/qiye-1/ @shi-admin
# 城区第一社区党支部（shequ-1）
/data/units/shequ-1/ @shi-admin
# 第九师党委（shi-dw）
/data/units/shi-dw/ @shi-admin
# 一团党委（tuan-1）
/data/units/tuan-1/ @tuan1-admin @shi-admin
# END cxzy codeowners
"""


def test_github_syntax(site: Path) -> None:
    assert co.render(dataset(site), "github") == GITHUB


def test_gitlab_uses_the_same_patterns(site: Path) -> None:
    text = co.render(dataset(site), "gitlab")
    assert "（格式：gitlab）" in text and "--flavor gitlab --out CODEOWNERS" in text
    assert [line for line in text.splitlines() if line.startswith("/")] == [line for line in GITHUB.splitlines() if line.startswith("/")]


def test_gitea_uses_anchored_regular_expressions(site: Path) -> None:
    lines = [line for line in co.render(dataset(site), "gitea").splitlines() if not line.startswith("#")]
    assert lines[:2] == ["data/.* @shi-admin", "data/units/lian-1/.* @lian1-admin @tuan1-admin @shi-admin"]
    # Gitea unescapes one backslash level before compiling the regexp: a dot is written \\.
    assert co.rules(dataset(site), "gitea", "site.data")[0][0] == "site\\\\.data/.*"


def test_a_unit_without_any_approver_is_named_not_left_open(site: Path) -> None:
    for unit in ("shi-dw", "tuan-1", "lian-1"):
        path = site / "data/units" / unit / "unit.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.startswith(("approvers", "  - lian1-admin", "  - shi-admin"))]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    text = co.render(dataset(site), "github")
    assert "/data/ " not in text
    assert "# /data/units/lian-1/ —— 本单位和上级都没有设置审批人\n" in text


def test_merge_keeps_rules_outside_the_block(site: Path) -> None:
    block = co.render(dataset(site), "github")
    own = "# 开发者\n/cxzy_gen/ @dev\n"
    merged = co.merge_into(own, block)
    assert merged == own + "\n" + block
    assert co.merge_into(merged, block) == merged  # idempotent
    stale = merged.replace("@tuan1-admin ", "")
    assert co.merge_into(stale + "/docs/ @writer\n", block) == merged + "/docs/ @writer\n"


def test_validate_warns_when_codeowners_is_out_of_date(site: Path) -> None:
    ds = dataset(site)
    assert co.check_codeowners(ds, site / "data") == []  # no CODEOWNERS at all: nothing to say
    co.write(ds, site / "data", "gitea", site / ".gitea/CODEOWNERS")
    assert co.check_codeowners(ds, site / "data") == []
    unit = site / "data/units/tuan-1/unit.yaml"
    unit.write_text(TUAN.replace("tuan1-admin", "tuan1-secretary"), encoding="utf-8")
    (problem,) = co.check_codeowners(dataset(site), site / "data")
    assert (problem.file, problem.line, problem.code, problem.severity.value) == (".gitea/CODEOWNERS", 1, "E-CODEOWNERS", "warning")
    assert problem.message == (
        "CODEOWNERS 与各单位 unit.yaml 里的审批人不一致（data/units/lian-1/.*、data/units/tuan-1/.*）"
        "（提示：运行 cxzy codeowners --flavor gitea --out .gitea/CODEOWNERS 后一起提交）"
    )


def test_a_hand_written_codeowners_is_checked_by_its_location(site: Path) -> None:
    (site / ".github").mkdir()
    (site / ".github/CODEOWNERS").write_text("/cxzy_gen/ @dev\n/data/units/lian-1/ @lian1-admin\n", encoding="utf-8")
    (problem,) = co.check_codeowners(dataset(site), site / "data")
    assert problem.file == ".github/CODEOWNERS"
    assert "/data/、/data/units/lian-1/、/data/units/qiye-1/ 等" in problem.message
    assert "cxzy codeowners --flavor github --out .github/CODEOWNERS" in problem.message


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "site")
    nested = repo.root / "sites" / "shi"
    nested.mkdir(parents=True)
    repo.data.rename(nested / "data")
    ds, _, _ = load_dataset(nested / "data")
    assert ds is not None
    where = locate(nested / "data")
    root = where.root
    assert (root, where.prefix, where.in_git) == (repo.root.resolve(), "sites/shi/data", True)
    co.write(ds, nested / "data", "github", root / "CODEOWNERS")
    assert "/sites/shi/data/units/lian-1/ @lian1-admin @shi-admin\n" in (root / "CODEOWNERS").read_text(encoding="utf-8")
    assert co.check_codeowners(ds, nested / "data") == []


def test_cli_codeowners(site: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["codeowners"])
    assert result.exit_code == 0, result.output
    assert "已写出" in result.output and (site / ".github/CODEOWNERS").read_text(encoding="utf-8") == GITHUB
    result = runner.invoke(main, ["codeowners", "--flavor", "gitea"])
    assert result.exit_code == 0 and (site / "CODEOWNERS").read_text(encoding="utf-8").count("data/units/") == 5
    result = runner.invoke(main, ["codeowners", "--flavor", "gitlab", "--out", "-"])
    assert result.output.startswith("# BEGIN cxzy codeowners\n# 由 cxzy codeowners 生成（格式：gitlab）")
    assert not (site / ".gitlab").exists()


def test_cli_codeowners_follows_the_site_forge(site: Path) -> None:
    settings = site / "data/site.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "forge:\n  kind: gitea\n  url: https://git.example.org/cxzy/data\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["codeowners"])
    assert result.exit_code == 0 and "（gitea 格式）" in result.output
    assert "data/units/tuan-1/.* @tuan1-admin @shi-admin" in (site / "CODEOWNERS").read_text(encoding="utf-8")


def test_cli_codeowners_refuses_invalid_data(site: Path) -> None:
    (site / "data/units/tuan-1/unit.yaml").write_text(TUAN.replace("parent: shi-dw", "parent: nowhere"), encoding="utf-8")
    result = CliRunner().invoke(main, ["codeowners"])
    assert result.exit_code == 1 and "数据有错误" in result.output


def test_cli_validate_shows_the_warning_and_passes(site: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["codeowners"])
    unit = site / "data/units/tuan-1/unit.yaml"
    unit.write_text(TUAN.replace("tuan1-admin", "tuan1-secretary"), encoding="utf-8")
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0
    assert ".github/CODEOWNERS:1:1: E-CODEOWNERS（警告） CODEOWNERS 与各单位 unit.yaml 里的审批人不一致" in result.output
