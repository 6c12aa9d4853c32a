"""`cxzy init`: a new data repository that validates and builds at once, for each forge, outside cxzy's own repository.

Each CI file is checked against the forge's published schema as vendored by check-jsonschema (GitHub's workflow
schema also for Gitea Actions, which runs GitHub's syntax), the pre-commit config by pre-commit itself, and
every data file's modeline is followed to the schema it names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from git_helpers import ISOLATED

from cxzy_gen import __version__
from cxzy_gen.cli import main
from cxzy_gen.init import CI_FILES, CI_TEMPLATES, ci_template
from cxzy_gen.records.schema import file_schema

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VENDOR_SCHEMA = {"github": "vendor.github-workflows", "gitea": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
OWNERS_FILE = {"github": ".github/CODEOWNERS", "gitlab": "CODEOWNERS", "gitea": "CODEOWNERS"}
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def cxzy(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in a fresh process, as an office runs it (never inside cxzy's own repository)."""
    env = {**ISOLATED, "PATH": f"{BIN}:/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1309190400"}
    return subprocess.run([str(BIN / "cxzy"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def init(board: Path, forge: str, *extra: str) -> Path:
    done = cxzy("init", str(board), "--forge", forge, "--name", "第十九师党委", "--root", "shi19", "--approver", "zhang-admin", *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "数据仓库已建好" in done.stdout
    return board


Make = Callable[..., Path]
URL = ("--url", "https://dangwu.example.org/cxzy/")


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Make:
    """`make(tmp_path, forge, *options)`: a new board in tmp_path, a copy of what `cxzy init` made for those options.
    The command runs (in a fresh process) once per module for each forge and options; each test changes its own copy."""
    made: dict[tuple[str, ...], Path] = {}

    def copy(tmp_path: Path, forge: str, *extra: str) -> Path:
        if (forge, *extra) not in made:
            made[(forge, *extra)] = init(tmp_path_factory.mktemp("init") / f"{forge}-board", forge, *extra)
        return Path(shutil.copytree(made[(forge, *extra)], tmp_path / f"{forge}-board", symlinks=True))

    return copy


@pytest.mark.parametrize("forge", ["gitea", "gitlab", "github"])
def test_a_new_board_validates_and_builds_at_once(make: Make, tmp_path: Path, forge: str) -> None:
    board = make(tmp_path, forge, *URL)
    files = {p.relative_to(board).as_posix() for p in board.rglob("*") if p.is_file() and ".git/" not in p.relative_to(board).as_posix()}
    assert {
        "data/site.yaml",
        "data/units/shi19/unit.yaml",
        CI_FILES[forge],
        ".pre-commit-config.yaml",
        OWNERS_FILE[forge],
        ".gitignore",
        "README.md",
        *(f"schemas/{kind}.schema.json" for kind in ("site", "unit", "members", "commitments", "reviews", "appraisals", "commendations")),
    } == files
    checked = cxzy("validate", cwd=board)
    assert checked.returncode == 0 and "没有发现问题" in checked.stdout + checked.stderr, checked.stdout + checked.stderr
    built = cxzy("build", cwd=board)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "git 仓库还没有提交，站点不显示修订记录" in built.stderr  # said plainly before the first commit
    assert (board / "public/index.html").is_file() and (board / "public/units/shi19/index.html").is_file()
    assert "https://dangwu.example.org/cxzy/units/shi19/index.html" in (board / "public/sitemap.xml").read_text(encoding="utf-8")
    # A git repository on main, whose first commit is then checked like any change request.
    assert (board / ".git").is_dir()
    git = ["git", "-c", "user.name=测试", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "add", "-A"], cwd=board, check=True, env={**ISOLATED, "PATH": "/usr/bin:/bin"})
    subprocess.run([*git, "commit", "-qm", "建立数据仓库"], cwd=board, check=True, env={**ISOLATED, "PATH": "/usr/bin:/bin"})
    assert cxzy("validate", "--base", "main", cwd=board).returncode == 0
    assert "public" not in subprocess.run(["git", "ls-files"], cwd=board, capture_output=True, text=True).stdout


@pytest.mark.parametrize("forge", ["gitea", "gitlab", "github"])
def test_the_ci_file_passes_the_forges_schema(make: Make, tmp_path: Path, forge: str) -> None:
    board = make(tmp_path, forge, *URL)
    ci = board / CI_FILES[forge]
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", VENDOR_SCHEMA[forge], str(ci)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = ci.read_text(encoding="utf-8")
    assert f"cxzy=={__version__}" in text  # pinned to this release
    assert 'cxzy validate --base "$BASE"' in text and "cxzy build --out public" in text
    # The checker really checks: a job that cannot run is refused.
    broken = tmp_path / f"broken-{forge}.yml"
    data = yaml.safe_load(text)
    if forge == "gitlab":
        data["publish"]["when"] = "sometimes"
    else:
        data["jobs"]["publish"].pop("steps")
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", VENDOR_SCHEMA[forge], str(broken)], capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 1


def test_every_modeline_finds_its_schema_and_the_files_pass_it(make: Make, tmp_path: Path) -> None:
    board = make(tmp_path, "gitea", *URL)
    data_files = sorted((board / "data").rglob("*.yaml"))
    assert len(data_files) == 2
    for path in data_files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        found = MODELINE.match(first)
        assert found, path
        schema_path = (path.parent / found.group(1)).resolve()
        assert schema_path.is_file(), f"{path}: {found.group(1)}"
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("extra", [(), ("--cxzy-repo", "https://git.example.org/dangwu/cxzy")], ids=["local", "tagged"])
def test_the_pre_commit_config_is_valid_and_pinned(make: Make, tmp_path: Path, extra: tuple[str, ...]) -> None:
    board = make(tmp_path, "gitlab", *extra)
    config = board / ".pre-commit-config.yaml"
    done = subprocess.run([str(BIN / "pre-commit"), "validate-config", str(config)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (repo,) = yaml.safe_load(config.read_text(encoding="utf-8"))["repos"]
    hooks = [hook["id"] for hook in repo["hooks"]]
    assert hooks == ["cxzy-validate", "cxzy-validate-change"]
    if extra:
        assert (repo["repo"], repo["rev"]) == ("https://git.example.org/dangwu/cxzy", f"v{__version__}")
        published = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
        assert set(hooks) <= published  # the tag's .pre-commit-hooks.yaml has them
    else:
        assert repo["repo"] == "local"
        assert all(hook["additional_dependencies"] == [f"cxzy=={__version__}"] for hook in repo["hooks"])


def test_the_readme_tells_the_office_what_to_do(make: Make, tmp_path: Path) -> None:
    text = (make(tmp_path, "github") / "README.md").read_text(encoding="utf-8")
    for words in ("添加一个单位", "添加党员", "添加一条承诺", "网站在哪里", ".github/workflows/cxzy.yml", f"cxzy=={__version__}"):
        assert words in text, words
    # The README's examples are themselves valid data.
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 2 and all(yaml.safe_load(b) for b in blocks)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--root", "师 19"], "根单位编号「师 19」不能作编号"),
        (["--root", "shi19", "--approver", "张 三"], "「approvers.0」（审批人（托管平台账号））的值「张 三」不符合要求"),
        (["--root", "shi19", "--url", "dangwu.example.org"], "「url」（网站地址）的值「dangwu.example.org」不符合要求"),
        (["--root", "shi19", "--type", "部队"], "--type「部队」不在允许的取值中"),
    ],
)
def test_bad_options_are_refused_in_chinese_and_nothing_is_written(tmp_path: Path, args: list[str], message: str) -> None:
    target = tmp_path / "board"
    result = CliRunner().invoke(main, ["init", str(target), "--forge", "gitea", "--name", "第十九师党委", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_files_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "board"
    target.mkdir()
    (target / "notes.txt").write_text("别动我\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(target), "--forge", "gitea", "--name", "第十九师党委", "--root", "shi19"])
    assert result.exit_code == 2 and "已存在且不是空目录" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["board"] and [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_place_that_cannot_hold_a_folder_is_said_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"  # a file where the new repository's parent folder should be
    blocker.write_text("x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(blocker / "board"), "--forge", "gitea", "--name", "第十九师党委", "--root", "shi19"])
    assert result.exit_code == 1 and "无法在" in result.output and "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    target = tmp_path / "board"
    target.mkdir()
    result = CliRunner().invoke(main, ["init", str(target), "--forge", "gitlab", "--name", "第十九师党委", "--root", "shi19"])
    assert result.exit_code == 0, result.output
    assert (target / ".gitlab-ci.yml").is_file() and [p.name for p in tmp_path.iterdir()] == ["board"]


def test_schema_refreshes_a_repositorys_schemas(make: Make, tmp_path: Path) -> None:
    board = make(tmp_path, "gitea", *URL)
    stale = board / "schemas/commitments.schema.json"
    stale.write_text('{"title": "old"}\n', encoding="utf-8")
    done = cxzy("schema", "--repo", str(board))
    assert done.returncode == 0 and "已写出" in done.stdout
    assert json.loads(stale.read_text(encoding="utf-8")) == file_schema("commitments")
    assert cxzy("schema", "--repo", str(board), "--out", "x").returncode == 2


@pytest.mark.parametrize("forge", list(CI_TEMPLATES))
def test_the_packaged_ci_files_pin_this_release(forge: str) -> None:
    assert f"cxzy=={__version__}" in ci_template(forge)


def test_the_wheel_ships_the_ci_files_and_templates(tmp_path: Path) -> None:
    """What `cxzy init` and `cxzy build` read from the package is in the wheel an intranet installs offline."""
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the working tree
    shutil.copytree(ROOT / "cxzy_gen", source / "cxzy_gen", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob(f"cxzy-{__version__}-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"cxzy_gen/ci/{name}" for name in CI_TEMPLATES.values()} <= names
    assert {"cxzy_gen/site/templates/base.html", "cxzy_gen/site/templates/static/site.css", "cxzy_gen/site/templates/feed.xml"} <= names
