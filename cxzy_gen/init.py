"""`cxzy init`: a new data repository of one's own that validates and builds at once.

It holds the office's `data/` (site settings and the root unit), the JSON Schemas where the files'
modelines point, the CI file for its forge, a pre-commit config pinned to this release, CODEOWNERS,
`.gitignore` and a short README for the office. Everything is written beside the target folder first
and moved into place whole, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from cxzy_gen import __version__
from cxzy_gen.dates import today_in_china
from cxzy_gen.git import codeowners
from cxzy_gen.git.plumbing import GitError, run_git
from cxzy_gen.records import models as m
from cxzy_gen.records.layout import SITE, UNIT_FILE
from cxzy_gen.records.schema import write_schemas
from cxzy_gen.records.validate import load_dataset

FORGES = ("gitea", "gitlab", "github")
# Where each forge reads its CI file, and the packaged template for it (cxzy_gen/ci/).
CI_FILES = {"gitea": ".gitea/workflows/cxzy.yml", "gitlab": ".gitlab-ci.yml", "github": ".github/workflows/cxzy.yml"}
CI_TEMPLATES = {"gitea": "gitea-actions.yml", "gitlab": "gitlab-ci.yml", "github": "github-actions.yml"}
SCHEMAS_DIR = "schemas"
GITIGNORE = """\
# cxzy 生成的网站和本机环境，不提交
/public/
/public-*/
.public-new-*/
.venv/
__pycache__/
"""


class InitError(Exception):
    """The repository cannot be made as asked; the message (Chinese) says why and what to do."""


@dataclass
class Board:
    """What `cxzy init` is told about the new board."""

    forge: str
    name: str  # the root organisation, e.g. 第十九师党委
    root: str  # its id, e.g. shi19
    title: str = ""  # the site's title; default: <name>创先争优党务公开栏
    office: str = ""  # who takes objections; default: <name>创先争优活动领导小组办公室
    kind: m.UnitKind = m.UnitKind.COMMITTEE
    type: m.UnitType = m.UnitType.ORGAN
    approvers: list[str] = field(default_factory=list)
    url: str | None = None  # where the site will be published
    forge_url: str | None = None  # the data repository on the forge
    year: int = 0  # the campaign year; default: this year in China


def ci_template(forge: str) -> str:
    """The packaged CI file for a forge (cxzy_gen/ci/), pinned to this release."""
    return resources.files("cxzy_gen").joinpath("ci", CI_TEMPLATES[forge]).read_text(encoding="utf-8")


def pre_commit_config(cxzy_repo: str | None = None) -> str:
    """`.pre-commit-config.yaml` pinned to this release.

    With the address of a cxzy git repository, the hooks come from its tag `v<version>` (`pre-commit autoupdate`
    moves them to the next tag); without one, pre-commit installs `cxzy==<version>` from the package index.
    """
    head = (
        "# pre-commit（https://pre-commit.com）：提交前在本机检查数据。安装一次：pip install pre-commit && pre-commit install\n"
        f"# cxzy 固定为 {__version__} 版。升级 cxzy 后运行 cxzy schema --repo . 刷新 schemas/。\n"
    )
    if cxzy_repo:
        return head + (
            "# 升级：pre-commit autoupdate（取 cxzy 仓库最新的版本标签）\n"
            "repos:\n"
            f"  - repo: {cxzy_repo}\n"
            f"    rev: v{__version__}\n"
            "    hooks:\n"
            "      - id: cxzy-validate\n"
            "      - id: cxzy-validate-change\n"
        )
    hooks = []
    for hook_id, name, entry in (
        ("cxzy-validate", "cxzy validate（检查数据）", "cxzy validate"),
        ("cxzy-validate-change", "cxzy validate --base origin/main（检查本次修改）", "cxzy validate --base origin/main"),
    ):
        hooks.append(
            f"      - id: {hook_id}\n"
            f"        name: {name}\n"
            f"        entry: {entry}\n"
            "        language: python\n"
            f'        additional_dependencies: ["cxzy=={__version__}"]\n'
            "        files: ^data/.*\\.ya?ml$\n"
            "        pass_filenames: false\n"
        )
    return head + (
        "# cxzy 从软件包源安装（内网请设置 PIP_INDEX_URL，见 cxzy 的 docs/install.md）；升级时改两处版本号。\n"
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n" + "".join(hooks)
    )


def _modeline(schema: str, depth: int) -> str:
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMAS_DIR}/{schema}.schema.json\n"


def _yaml(data: dict[str, object]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def site_yaml(board: Board) -> str:
    site: dict[str, object] = {
        "title": board.title or f"{board.name}创先争优党务公开栏",
        **({"url": board.url} if board.url else {}),
        "root_unit": board.root,
        "campaign_year": board.year or today_in_china().year,
        "publicity_working_days": 5,
        "contact": {"office": board.office or f"{board.name}创先争优活动领导小组办公室"},
        **({"forge": {"kind": board.forge, "url": board.forge_url}} if board.forge_url else {}),
        "default_audience": m.Audience.PUBLIC.value,
    }
    text = _modeline(SITE.key, 1) + _yaml(site)
    if not board.url:
        text += "# url: https://dangwu.example.org/cxzy/   # 网站发布后的完整网址：写上才生成站点地图\n"
    if not board.forge_url:
        text += f"# forge:                                   # 写上数据仓库地址，网站的修订记录就链接到每次修改\n#   kind: {board.forge}\n#   url: https://git.example.org/dangwu/cxzy-data\n"
    return text


def unit_yaml(board: Board) -> str:
    unit: dict[str, object] = {
        "id": board.root,
        "name": board.name,
        "kind": board.kind.value,
        "type": board.type.value,
        "approvers": list(board.approvers),
    }
    return _modeline(UNIT_FILE.key, 3) + _yaml(unit)


def readme(board: Board) -> str:
    unit_dir = f"data/units/{board.root}"
    year = board.year or today_in_china().year
    return f"""\
# {board.title or board.name + "创先争优党务公开栏"}：数据仓库

这里保存{board.name}创先争优党务公开栏的全部数据（`data/` 里的 YAML 文件）。上级党组织审核并合并的修改请求就是审批；
git 历史就是档案。网站由 CI 用 cxzy {__version__} 生成。

## 怎样修改

在托管平台网页上打开文件，点「编辑」，改好后**提交到新分支并创建合并请求**，等上级审批人批准、检查通过后合并。
每个文件第一行的 `# yaml-language-server: …` 让 VS Code 的 YAML 插件提示字段和取值。

- **添加一个单位**：新建 `data/units/<单位编号>/unit.yaml`（编号只用英文字母、数字、`-`、`_`），写上
  `id`、`name`、`kind`（党委、党总支、党支部、党小组）、`type`（团场连队、社区、企业、机关、事业单位、窗口单位·服务行业）、
  `parent`（上级单位编号，如 `{board.root}`）和 `approvers`（审批人的平台账号）。然后运行 `cxzy codeowners` 更新 CODEOWNERS。
- **添加党员**：在单位文件夹里建 `members.yaml`：

  ```yaml
  members:
    - id: {board.root}-zhang
      name: 张三
      post: 组织委员
      roles: [委员]
  ```
- **添加一条承诺**：建 `{unit_dir}/{year}/commitments.yaml`：

  ```yaml
  audience: 向社会公开
  commitments:
    - id: {board.root}-{year}-c01
      kind: 年度承诺
      subject: {board.root}
      title: 承诺事项
      measures: 践诺措施
      proposed: {year}-03-01
      deadline: {year}-12-31
  ```

每个字段的含义见 cxzy 的 `docs/data.md`；已公示的记录不能删改，只能更正或撤回（见 `docs/workflow.md`）。

## 在本机检查和预览

```sh
python3 -m venv .venv && .venv/bin/pip install "cxzy=={__version__}"
.venv/bin/cxzy validate                  # 检查全部数据
.venv/bin/cxzy build && ls public/       # 生成网站到 public/，用浏览器打开 public/index.html
```

## 网站在哪里

合并到 main 以后，CI（`{CI_FILES[board.forge]}`）重新生成网站并发布到 CI 变量 `CXZY_DEPLOY_TARGET` 指定的 Web 服务器目录；
每天早上还会重新生成一次，公示期的「N 天后结束」按当天计算。网址写在 `data/site.yaml` 的 `url` 里。
"""


@dataclass
class Created:
    repo: Path
    files: list[str]  # paths written, relative to the repository
    git: bool  # whether `git init` made it a repository


def init(target: Path, board: Board, cxzy_repo: str | None = None) -> Created:
    """Write a new data repository into `target` (absent or empty); raises InitError, leaving nothing behind."""
    _check(target, board)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.cxzy-init-", dir=target.parent))
    try:
        files = {
            "data/site.yaml": site_yaml(board),
            f"data/units/{board.root}/unit.yaml": unit_yaml(board),
            CI_FILES[board.forge]: ci_template(board.forge),
            ".pre-commit-config.yaml": pre_commit_config(cxzy_repo),
            ".gitignore": GITIGNORE,
            "README.md": readme(board),
        }
        for rel, text in files.items():
            path = work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written = [p.relative_to(work).as_posix() for p in write_schemas(work / SCHEMAS_DIR)]
        dataset, problems, _ = load_dataset(work / "data")
        if dataset is None:  # the options passed the checks above, so this is a bug, said plainly
            raise InitError("生成的数据没有通过检查：" + "；".join(p.message for p in problems if p.is_error))
        owners = codeowners.DEFAULT_OUT[board.forge]
        (work / owners).parent.mkdir(parents=True, exist_ok=True)
        (work / owners).write_text(codeowners.render(dataset, board.forge, "data"), encoding="utf-8")
        made_git = _git_init(work)
        if target.exists():
            target.rmdir()  # checked empty above
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Created(target, sorted([*files, *written, owners]), made_git)


def _check(target: Path, board: Board) -> None:
    if board.forge not in FORGES:
        raise InitError(f"不认识的托管平台「{board.forge}」（提示：可用 {'、'.join(FORGES)}）")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target} 已存在且不是空目录：cxzy init 只在新目录或空目录里建仓库（提示：换一个目录名）")
    if not m.ID_RE.match(board.root):
        raise InitError(f"根单位编号「{board.root}」不能作编号：只用英文字母、数字、- 和 _，以字母或数字开头，最长 64 个字符")
    if not board.name.strip():
        raise InitError("--name 不能为空：写根单位（党组织）的名称，如 第十九师党委")
    # Everything else is checked by the model itself, with its Chinese titles.
    for text, model in ((site_yaml(board), m.Site), (unit_yaml(board), m.Unit)):
        try:
            model.model_validate(yaml.safe_load(text))
        except ValidationError as exc:
            raise InitError(_explain(model, exc)) from None


def _explain(model: type[m.Strict], exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = model.model_fields.get(str(err["loc"][0])) if err["loc"] else None
        title = f"（{field.title}）" if field and field.title else ""
        parts.append(f"「{'.'.join(str(x) for x in err['loc'])}」{title}的值「{err.get('input')}」不符合要求")
    return "；".join(parts) + "（提示：见 cxzy init --help）"


def _git_init(folder: Path) -> bool:
    """Make the folder a git repository on branch main; False when git is not installed."""
    if shutil.which("git") is None:
        return False
    try:
        run_git(folder, "init", "-q")
        run_git(folder, "symbolic-ref", "HEAD", "refs/heads/main")
    except GitError:
        return False
    return True
