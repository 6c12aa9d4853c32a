"""The `cxzy` command: thin click commands, each calling one function and choosing the exit code."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cxzy_gen import __version__
from cxzy_gen.problems import format_problems

if TYPE_CHECKING:
    from cxzy_gen.build import Progress

FORMATS = click.Choice(["text", "json", "github", "codequality"])
DATE = click.DateTime(formats=["%Y-%m-%d"])


class _Commands(click.Group):
    """The commands, with the failures any of them can meet said the same way by all."""

    def invoke(self, ctx: click.Context) -> object:
        from cxzy_gen.forked import WorkerDied

        try:
            return super().invoke(ctx)
        except WorkerDied as exc:
            raise click.ClickException(f"{exc}，没有完成（提示：关掉别的程序腾出内存后重试，或换一台内存更大的机器）") from exc


class _Ending:
    """What a build leaves to be dropped when the process ends (`build(keep=…)`): only in the `cxzy` program (`run`),
    never where `main` is called in a longer-lived process (tests), which would keep every build's objects."""

    left: list[object] | None = None


def run() -> None:
    """The `cxzy` program: `main`, after which a process whose build left its data set behind ends at once (`os._exit`,
    its output flushed first), as mypy's fast exit does: freeing millions of objects one by one, which the operating
    system does in one go, took half a second of a rebuild at 师 scale."""
    _Ending.left = []
    try:
        main()
    except SystemExit as done:
        if _Ending.left and (done.code is None or isinstance(done.code, int)):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code or 0)
        raise


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, message="cxzy %(version)s")
def main() -> None:
    """cxzy：创先争优党务公开栏的站点生成器。数据是 git 仓库里的 YAML 文件。"""


@main.command()
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="text",
    show_default=True,
    help="输出格式：text 文字，json 供程序读取，github 为 GitHub/Gitea 的 CI 注释，codequality 为 GitLab 代码质量报告",
)
@click.option(
    "--base", metavar="REF", help="同时检查相对这个 git 版本（与它的分叉点）的修改：已公示的记录不能删改、状态不能倒退、编号不能挪用"
)
@click.option("--today", type=DATE, help="按这一天判断公示是否已开始（默认取 SOURCE_DATE_EPOCH 在北京时间的日期，否则北京时间的今天）")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".cxzy-cache"),
    show_default=True,
    help="缓存目录：读过且没有问题的文件按内容记下，下次不再重新解析",
)
@click.option("--no-cache", is_flag=True, help="不读也不写缓存")
def validate(data_dir: Path, fmt: str, base: str | None, today: dt.datetime | None, cache_dir: Path, no_cache: bool) -> None:
    """检查数据：格式、必填字段、引用、日期、个人信息等，一次列出全部问题。"""
    from cxzy_gen.build import build_date
    from cxzy_gen.git.changes import ChangeError, check_change
    from cxzy_gen.git.codeowners import check_codeowners

    if not data_dir.is_dir():
        raise click.UsageError(f"找不到数据目录 {data_dir}（提示：在站点仓库的根目录运行，或用 --data 指定）")
    from cxzy_gen.cache import RecordCache
    from cxzy_gen.records.layout import RECORD_KINDS
    from cxzy_gen.records.validate import load_dataset

    ds, problems, summary = load_dataset(data_dir, None if no_cache else RecordCache(cache_dir))
    if ds is not None:
        problems += check_codeowners(ds, data_dir)
    if base:
        try:
            problems += check_change(data_dir, base, build_date(today.date() if today else None))
        except (ChangeError, ValueError) as exc:
            raise click.UsageError(str(exc)) from exc
    errors = sum(p.is_error for p in problems)
    if problems or fmt in ("json", "codequality"):
        click.echo(format_problems(problems, fmt))
    if fmt == "text":
        counts = "，".join(f"{k.name} {summary.records[k.key]}" for k in RECORD_KINDS.values())
        warnings = len(problems) - errors
        verdict = "没有发现问题" if not problems else f"发现 {errors} 个错误、{warnings} 个警告"
        click.echo(f"读取 {summary.files} 个文件：{counts}。{verdict}。", err=bool(problems))
    raise SystemExit(1 if errors else 0)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认 schemas）")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="刷新这个数据仓库的 schemas/（cxzy init 建的仓库，数据文件第一行的 $schema 指向那里）",
)
def schema(out: Path | None, repo: Path | None) -> None:
    """为每种数据文件写出 JSON Schema，供编辑器补全和检查；升级 cxzy 后用 --repo 刷新数据仓库里的。"""
    from cxzy_gen.init import SCHEMAS_DIR
    from cxzy_gen.records.schema import write_schemas

    if out is not None and repo is not None:
        raise click.UsageError("--out 和 --repo 只能选一个")
    for path in write_schemas(out or (repo / SCHEMAS_DIR if repo else Path(SCHEMAS_DIR))):
        click.echo(f"已写出 {path}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=True, path_type=Path))
@click.option("--forge", type=click.Choice(["gitea", "gitlab", "github"]), required=True, help="托管平台：决定 CI 文件和 CODEOWNERS 的格式")
@click.option("--name", required=True, help="根单位（党组织）的名称，如 第十九师党委")
@click.option("--root", "root_id", required=True, metavar="ID", help="根单位编号：英文字母、数字、- 和 _，如 shi19")
@click.option("--title", default="", help="站点名称（默认：<名称>创先争优党务公开栏）")
@click.option(
    "--type",
    "unit_type",
    default="机关",
    show_default=True,
    help="根单位的单位类型：团场连队、社区、企业、机关、事业单位、窗口单位·服务行业",
)
@click.option("--kind", "unit_kind", default="党委", show_default=True, help="根单位的组织类别：党委、党总支、党支部、党小组")
@click.option("--approver", "approvers", multiple=True, metavar="账号", help="根单位的审批人（托管平台账号），可写多次")
@click.option("--url", default=None, help="网站发布后的完整网址，如 https://dangwu.example.org/cxzy/")
@click.option("--forge-url", default=None, help="数据仓库在托管平台上的地址，网站的修订记录据此链接到每次修改")
@click.option(
    "--cxzy-repo",
    default=None,
    metavar="URL",
    help="cxzy 的 git 仓库地址：写上则 pre-commit 按版本标签取钩子（可用 pre-commit autoupdate 升级）",
)
def init(
    directory: Path,
    forge: str,
    name: str,
    root_id: str,
    title: str,
    unit_type: str,
    unit_kind: str,
    approvers: tuple[str, ...],
    url: str | None,
    forge_url: str | None,
    cxzy_repo: str | None,
) -> None:
    """新建一个数据仓库：站点设置、根单位、JSON Schema、CI 文件、pre-commit、CODEOWNERS、说明，建好即可检查和生成网站。"""
    from cxzy_gen import init as board_init
    from cxzy_gen.records.models import UnitKind, UnitType

    kinds, types = {k.value: k for k in UnitKind}, {t.value: t for t in UnitType}
    if unit_kind not in kinds:
        raise click.UsageError(f"--kind「{unit_kind}」不在允许的取值中：{'、'.join(kinds)}")
    if unit_type not in types:
        raise click.UsageError(f"--type「{unit_type}」不在允许的取值中：{'、'.join(types)}")
    board = board_init.Board(
        forge, name, root_id, title, kind=kinds[unit_kind], type=types[unit_type], approvers=list(approvers), url=url, forge_url=forge_url
    )
    try:
        made = board_init.init(directory, board, cxzy_repo)
    except board_init.InitError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"无法在 {directory} 建仓库：{exc.strerror}（提示：换一个有写权限的目录；什么也没有留下）") from exc
    for rel in made.files:
        click.echo(f"已写出 {directory / rel}")
    click.echo(f"数据仓库已建好{'（已 git init，分支 main）' if made.git else '（没有找到 git：请自己 git init）'}。下一步：")
    click.echo(f"  cd {directory} && cxzy validate && cxzy build")
    click.echo("  git add -A && git commit -m 建立党务公开栏数据仓库，再推送到托管平台；CI 要设置的变量写在 CI 文件开头。")


@main.command()
@click.option("--forge", type=click.Choice(["gitea", "gitlab"]), required=True, help="托管平台（GitHub 用 gh pr comment --edit-last）")
@click.option("--api", required=True, help="接口地址：Gitea 为 https://主机/api/v1，GitLab 为 $CI_API_V4_URL")
@click.option("--repo", required=True, help="仓库：Gitea 为 所有者/仓库名，GitLab 为项目编号（$CI_PROJECT_ID）或路径")
@click.option("--request", type=click.IntRange(1), required=True, help="修改请求编号（GitLab 为 $CI_MERGE_REQUEST_IID）")
@click.option("--body-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), required=True, help="评论内容（Markdown 文件）")
@click.option(
    "--token-env", default="CXZY_BOT_TOKEN", show_default=True, metavar="变量名", help="从哪个环境变量读令牌（令牌不写在命令行上）"
)
def comment(forge: str, api: str, repo: str, request: int, body_file: Path, token_env: str) -> None:
    """把数据变更说明和检查结果贴到修改请求上：每次推送更新同一条评论，而不是再加一条。"""
    import os

    from cxzy_gen.git.comment import CommentError, Target, post

    token = os.environ.get(token_env, "").strip()
    if not token:
        raise click.UsageError(f"环境变量 {token_env} 里没有令牌（提示：在 CI 的密钥里设置，见 CI 文件开头的说明）")
    try:
        done, comment_id = post(Target(forge, api, repo, request, token), body_file.read_text(encoding="utf-8"))
    except CommentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'已更新' if done == 'edited' else '已发表'}修改请求 {request} 上的评论（编号 {comment_id}）。")


@main.command()
@click.option(
    "--base", metavar="REF", required=True, help="与哪个 git 版本比较，如 origin/main（比较的是与它的分叉点，同 git diff REF...HEAD）"
)
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "text", "json"]),
    default="text",
    show_default=True,
    help="输出格式：markdown 供 CI 贴到修改请求上，text 文字，json 供程序读取",
)
@click.option(
    "--audience",
    type=click.Choice(["向社会公开", "党内公开", "本单位公开", "特定对象公开", "public", "party", "unit", "specific"]),
    help="说明贴到这一公开范围能看到的地方时用，规则与 cxzy build 相同：这些读者看不到的记录不列出，看不到的党员的姓名和编号换成「（不在本公开范围）」（默认列出全部）",
)
@click.option("--unit", metavar="单位编号", help="「本单位公开」：哪个单位的公开栏（同 cxzy build）")
@click.option("--to", "to", metavar="编号", multiple=True, help="「特定对象公开」：公开对象（单位或党员编号，可写多次；同 cxzy build）")
def diff(base: str, data_dir: Path, fmt: str, audience: str | None, unit: str | None, to: tuple[str, ...]) -> None:
    """用业务语言说明本次修改：按单位列出新增、删除和改动的记录，以及每个字段的原值 → 新值。"""
    from cxzy_gen.git.diff import FORMATTERS, DiffError, diff_data

    if audience is None and (unit or to):
        raise click.UsageError("--unit、--to 要与 --audience 一起用")
    scope = _scope(audience, unit, to) if audience else None
    try:
        report = diff_data(data_dir, base, scope)  # type: ignore[arg-type]
    except DiffError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(FORMATTERS[fmt](report), nl=False)


@main.command()
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)
@click.option(
    "--flavor", type=click.Choice(["github", "gitlab", "gitea"]), help="托管平台的格式（默认取 site.yaml 的 forge.kind，否则 github）"
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写到哪个文件（默认按平台：.github/CODEOWNERS 或 CODEOWNERS）；- 为输出到屏幕",
)
def codeowners(data_dir: Path, flavor: str | None, out: Path | None) -> None:
    """按各单位及其上级党组织的审批人（unit.yaml 的 approvers）生成 CODEOWNERS。"""
    from cxzy_gen.git import codeowners as co
    from cxzy_gen.git.plumbing import locate
    from cxzy_gen.records.validate import load_dataset

    ds, problems, _ = load_dataset(data_dir)
    if ds is None:
        click.echo(format_problems(problems, "text"), err=True)
        raise click.ClickException("数据有错误，先改正再生成 CODEOWNERS")
    flavor = flavor or (ds.site.forge.kind if ds.site.forge else "github")
    where = locate(data_dir)
    if out is not None and str(out) == "-":
        click.echo(co.render(ds, flavor, where.prefix), nl=False)
        return
    path = co.write(ds, data_dir, flavor, out or where.root / co.DEFAULT_OUT[flavor])
    click.echo(f"已写出 {path}（{flavor} 格式）")


# ---------------------------------------------------------------- the site: build and serve

AUDIENCE_NAMES = {"public": "向社会公开", "party": "党内公开", "unit": "本单位公开", "specific": "特定对象公开"}
AUDIENCES = click.Choice([*AUDIENCE_NAMES.values(), *AUDIENCE_NAMES])


def _site_options(fn):
    """The options `build`, `serve` and `pdf` share."""
    for option in reversed(
        [
            click.option(
                "--data",
                "data_dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("data"),
                show_default=True,
                help="数据目录",
            ),
            click.option(
                "--today", type=DATE, help="生成日期，判断逾期和公示期（默认取 SOURCE_DATE_EPOCH 在北京时间的日期，否则北京时间的今天）"
            ),
            click.option(
                "--audience",
                type=AUDIENCES,
                default="向社会公开",
                show_default=True,
                help="公开范围：只收入公开范围不窄于此的记录（也可写 public、party、unit、specific）",
            ),
            click.option("--unit", metavar="单位编号", help="「本单位公开」：哪个单位的公开栏（只收入这个单位的本单位公开记录）"),
            click.option(
                "--to",
                "to",
                metavar="编号",
                multiple=True,
                help="「特定对象公开」：公开对象（单位或党员编号，可写多次），只收入 audience_to 含有它们的记录",
            ),
            click.option(
                "--templates",
                type=click.Path(file_okay=False, exists=True, path_type=Path),
                help="站点自己的模板目录（默认用当前目录下的 site_templates/，没有则用内置模板）",
            ),
            click.option(
                "--cache",
                "cache_dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path(".cxzy-cache"),
                show_default=True,
                help="缓存目录：记下读过的文件和上次生成的依据，没有变化的部分不再重做",
            ),
            click.option("--no-cache", is_flag=True, help="不读也不写缓存，从头生成"),
        ]
    ):
        fn = option(fn)
    return fn


def _site_args(data_dir: Path, today: dt.datetime | None, audience: str, unit: str | None, to: tuple[str, ...]) -> tuple[dt.date, object]:
    from cxzy_gen.build import MAX_YEAR, MIN_YEAR, build_date

    if not data_dir.is_dir():
        raise click.UsageError(f"找不到数据目录 {data_dir}（提示：在站点仓库的根目录运行，或用 --data 指定）")
    try:
        day = build_date(today.date() if today else None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise click.UsageError(f"生成日期 {day.isoformat()} 超出 {MIN_YEAR}–{MAX_YEAR} 年的范围")
    return day, _scope(audience, unit, to)


def _scope(audience: str, unit: str | None, to: tuple[str, ...]) -> object:
    """The readers `--audience`, `--unit` and `--to` name, as a `Scope` (build, pdf, serve and diff alike)."""
    from cxzy_gen.records.basics import Audience
    from cxzy_gen.site.scope import Scope

    level = Audience(AUDIENCE_NAMES.get(audience, audience))
    if level is Audience.UNIT and not unit:
        raise click.UsageError("「本单位公开」要用 --unit 指明是哪个单位的公开栏")
    if level is Audience.SPECIFIC and not to and unit:
        to = (unit,)  # a unit's own board for 特定对象公开: what is addressed to that unit
    if level is Audience.SPECIFIC and not to:
        raise click.UsageError("「特定对象公开」要用 --to 指明公开对象（单位或党员编号）")
    return Scope(level, unit, tuple(to))


@main.command("build")
@_site_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("public"), show_default=True, help="输出目录")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度和结尾的说明（在 CI 里或输出不是终端时本来就不显示进度）")
@click.option("--search/--no-search", default=True, show_default=True, help="用 Pagefind 生成站内搜索索引")
def build_command(
    data_dir: Path,
    today: dt.datetime | None,
    audience: str,
    unit: str | None,
    to: tuple[str, ...],
    templates: Path | None,
    cache_dir: Path,
    no_cache: bool,
    out: Path,
    quiet: bool,
    search: bool,
) -> None:
    """校验数据后生成整个站点；数据有错误时列出问题，不改动输出目录。"""
    from cxzy_gen.build import DataProblems, build, site_templates
    from cxzy_gen.git.source import HistorySource
    from cxzy_gen.site.scope import ScopeError
    from cxzy_gen.site.write import NotASite

    day, level = _site_args(data_dir, today, audience, unit, to)
    archive = HistorySource(data_dir)  # one git log for the whole build, read only when there is work to do
    progress = _terminal_progress() if not quiet else None
    try:
        result = build(
            data_dir,
            out,
            day,
            level,  # type: ignore[arg-type]
            site_templates(templates),
            archive=archive,
            cache=None if no_cache else cache_dir,
            progress=progress,
            search=search,
            keep=_Ending.left,
        )
    except DataProblems as exc:
        click.echo(format_problems(exc.problems, "text"), err=True)
        errors = sum(p.is_error for p in exc.problems)
        click.echo(f"发现 {errors} 个错误：没有生成站点，{out} 保持原样。", err=True)
        raise SystemExit(1) from None
    except ScopeError as exc:
        raise click.UsageError(f"{exc}（{out} 保持原样）") from exc
    except NotASite as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:  # a full disk, no permission: nothing was swapped in
        why = "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise click.ClickException(f"写入输出目录失败：{why}（{out} 保持原样；提示：腾出空间或换一个输出目录后重试）") from exc
    except Exception as exc:
        from jinja2 import TemplateError  # imported only here: a build with nothing to do never loads Jinja2

        from cxzy_gen.forked import WorkerDied
        from cxzy_gen.site.search import SearchIndexError

        if isinstance(exc, SearchIndexError):
            raise click.ClickException(f"{exc}（{out} 保持原样；提示：用 --no-search 生成没有搜索的站点）") from exc
        if isinstance(exc, WorkerDied):
            raise click.ClickException(f"{exc}，没有生成站点（{out} 保持原样；提示：关掉别的程序腾出内存后重试）") from exc
        if not isinstance(exc, TemplateError):
            raise
        where = f"{exc.filename}:{exc.lineno}: " if getattr(exc, "filename", None) else ""  # type: ignore[attr-defined]
        raise click.ClickException(f"模板出错：{where}{exc.message}（{out} 保持原样）") from exc
    if result.history_note and not quiet:
        click.echo(f"提示：{result.history_note}。", err=True)
    if result.problems:
        click.echo(format_problems(result.problems, "text"), err=True)
    for warning in result.warnings:
        click.echo(f"警告：{warning}", err=True)
    if quiet:
        return
    if result.unchanged:
        click.echo(f"数据、模板和日期都没有变化，{out}/ 已是最新（{result.pages} 个页面），用时 {result.seconds:.1f} 秒。")
        return
    click.echo(
        f"已生成 {result.pages} 个页面（党组织 {result.units} 个、党员 {result.members} 名，共 {result.files} 个文件）"
        f"到 {out}/，用时 {result.seconds:.1f} 秒。日期 {result.today.isoformat()}，公开范围：{result.audience_label}。"
    )
    click.echo(f"用浏览器打开 {out / 'index.html'} 即可浏览（直接打开文件，不需要服务器）；预览并随数据自动更新可用 cxzy serve。")


@main.command()
@_site_options
@click.option("--kind", type=click.Choice(["公示", "承诺公示表", "点评意见表", "评议结果", "光荣榜"]), help="只打印这一种")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="PDF 文件写到这个目录")
def pdf(
    data_dir: Path,
    today: dt.datetime | None,
    audience: str,
    unit: str | None,
    to: tuple[str, ...],
    templates: Path | None,
    cache_dir: Path,
    no_cache: bool,
    kind: str | None,
    out: Path,
) -> None:
    """把公示通知和张贴用的表（A4）打印成 PDF：用无界面的 Chromium 按打印样式输出，带页码、打印日期和公开范围。

    --unit 只打印这个党组织的（它发布的公示、它的承诺公示表、点评意见表、评议结果）；「本单位公开」时它也是哪个单位的公开栏。"""
    from cxzy_gen.build import DataProblems, print_pdfs, site_templates
    from cxzy_gen.records.models import Audience
    from cxzy_gen.site.pdf import PrintError
    from cxzy_gen.site.scope import ScopeError

    # On a 本单位公开 or 特定对象公开 sheet --unit is also the board's unit; on a wider one it only picks the sheets.
    board = unit if Audience(AUDIENCE_NAMES.get(audience, audience)).rank >= Audience.UNIT.rank else None
    day, scope = _site_args(data_dir, today, audience, board, to)
    try:
        written = print_pdfs(data_dir, out, day, scope, site_templates(templates), unit, kind)  # type: ignore[arg-type]
    except DataProblems as exc:
        click.echo(format_problems(exc.problems, "text"), err=True)
        raise SystemExit(1) from None
    except ScopeError as exc:
        raise click.UsageError(str(exc)) from exc
    except PrintError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in written:
        click.echo(str(path))
    click.echo(f"已打印 {len(written)} 个 PDF 文件到 {out}/。", err=True)


@main.command()
@_site_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口（只在本机 127.0.0.1 上提供）")
def serve(
    data_dir: Path,
    today: dt.datetime | None,
    audience: str,
    unit: str | None,
    to: tuple[str, ...],
    templates: Path | None,
    cache_dir: Path,
    no_cache: bool,
    port: int,
) -> None:
    """本机预览：生成到临时目录并提供浏览，数据或模板改动后自动重新生成；数据有问题时在浏览器里列出问题。"""
    from cxzy_gen.build import site_templates
    from cxzy_gen.site.serve import serve as run_server

    day, level = _site_args(data_dir, today, audience, unit, to)
    try:
        run_server(
            data_dir,
            port=port,
            today=day if today else None,
            audience=level,  # type: ignore[arg-type]
            templates=site_templates(templates),
            cache=None if no_cache else cache_dir,
            say=lambda text: click.echo(text, err=True),
        )
    except OSError as exc:
        raise click.ClickException(f"无法在端口 {port} 上提供预览：{exc.strerror}（提示：用 --port 换一个端口）") from exc
    except KeyboardInterrupt:
        click.echo("已停止预览。", err=True)


@main.command()
@click.option(
    "--units", type=click.IntRange(1, 100_000), required=True, help="党组织个数（一个根党委，每 50 个单位一个二级党委，其余为党支部）"
)
@click.option("--members", type=click.IntRange(1, 1000), required=True, help="每个单位平均党员人数（上下浮动 20%）")
@click.option("--years", type=click.IntRange(1, 20), default=1, show_default=True, help="数据覆盖的年数（截至 2025 年）")
@click.option("--seed", type=int, default=20250101, show_default=True, help="随机种子：同样的参数生成完全相同的数据和提交")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="写到哪个新文件夹（成为一个 git 仓库，数据在其中的 data/）",
)
def demo(units: int, members: int, years: int, seed: int, out: Path) -> None:
    """生成虚构的演示数据（任意规模，用于试用和性能测试）：一个带一年年度提交历史的 git 仓库，数据全部可通过检查。"""
    from cxzy_gen.demo import DemoError, generate

    try:
        result = generate(units, members, out, years=years, seed=seed)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"已在 {out}/data/ 写出演示数据：党组织 {result.units} 个、党员 {result.members} 名、承诺 {result.commitments} 项，"
        f"共 {result.files} 个文件、{result.commits} 个提交。"
    )
    click.echo(f"生成站点：cd {out} && cxzy build --today {2025}-12-31")


def _terminal_progress() -> Progress | None:
    """Progress lines for a person at a terminal; None in CI or when stderr is not a terminal."""
    import os
    import sys

    from cxzy_gen.build import Progress

    if os.environ.get("CI") or not sys.stderr.isatty():
        return None

    def line(what: str) -> Callable[[int, int], None]:
        def tell(done: int, total: int) -> None:
            click.echo(f"\r{what} {done}/{total}", err=True, nl=done >= total)

        return tell

    return Progress(files=line("读取数据文件"), pages=line("写出页面和文件"))


SHEET_KINDS = click.Choice(["members", "commitments", "reviews", "appraisals", "commendations"])
DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    required=True,
    type=SHEET_KINDS,
    help="表里是什么：members 党员、commitments 承诺、reviews 点评、appraisals 评议、commendations 表彰",
)
@click.option("--unit", required=True, help="导入到哪个单位（单位编号）")
@click.option("--partial", is_flag=True, help="只导入没有问题的行，其余列出（默认：有一行有问题就全部不导入）")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), help="列名对照文件（YAML），用于列名与模板不同的表格")
@DATA_OPTION
def import_(file: Path, kind: str, unit: str, partial: bool, mapping: Path | None, data_dir: Path) -> None:
    """把 Excel（.xlsx，WPS、LibreOffice 另存的也可以）或 CSV 表格导入为 YAML 数据，按 cxzy validate 的规则逐行检查。"""
    from cxzy_gen.sheets.importer import ImportError_, import_sheet, read_mapping, summary_line

    try:
        result = import_sheet(file, kind, unit, data_dir, partial=partial, mapping=read_mapping(mapping) if mapping else None)
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from None
    if result.problems:
        click.echo(format_problems(result.problems, "text"), err=True)
    for line in summary_line(result):
        click.echo(line, err=not result.ok)
    raise SystemExit(0 if result.ok else 1)


@main.command()
@click.option("--kind", required=True, type=SHEET_KINDS, help="导出哪种记录")
@click.option("--unit", help="只导出这个单位的（单位编号）；不写则导出全部")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True, help="文件格式")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="写到哪个文件")
@DATA_OPTION
def export(kind: str, unit: str | None, fmt: str, out: Path, data_dir: Path) -> None:
    """把记录导出为表格：xlsx 按 A4 横向排好版（列宽、表头冻结、每页重复表头），也可导出 CSV。"""
    from cxzy_gen.sheets.export import export_sheet, write_csv, write_xlsx
    from cxzy_gen.sheets.importer import ImportError_

    try:
        sheet = export_sheet(kind, data_dir, unit)
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from None
    (write_xlsx if fmt == "xlsx" else write_csv)(sheet, out)
    click.echo(f"已导出 {len(sheet.rows)} 条{sheet.kind.label}到 {out}")
    left_out = [f"{lt.spec.title} {len(lt.rows)} 条" for lt in sheet.lists if lt.rows]
    if fmt == "csv" and left_out:
        click.echo(f"注意：CSV 只有主表，{'、'.join(left_out)}没有导出（提示：要这些明细，用 --format xlsx）", err=True)


@main.command()
@click.option("--kind", required=True, type=SHEET_KINDS, help="哪种记录的模板")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="写到哪个 .xlsx 文件")
def template(kind: str, out: Path) -> None:
    """生成空白填写模板（.xlsx）：表头、下拉选项、一行示例和「填写说明」工作表。"""
    from cxzy_gen.sheets.export import template_sheet, write_xlsx

    write_xlsx(template_sheet(kind), out, template=True)
    click.echo(f"已写出模板 {out}")


@main.command(name="tally")
@click.argument("ballots", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", required=True, help="被评议的单位或党员（编号）")
@click.option("--date", "day", required=True, type=DATE, help="评议日期（YYYY-MM-DD）")
@click.option("--method", type=click.Choice(["会议", "问卷调查", "入户走访"]), default="会议", show_default=True, help="评议方式")
@click.option("--id", "record_id", help="这条评议记录的编号（不写则自动编号）")
@click.option("--summary", help="评议结果说明（不写则只写收回、弃权、无效票数）")
@click.option("--all-members", is_flag=True, help="--target 是党支部时：表里每名党员一列（列名写姓名），为每名党员各写一条评议记录")
@click.option("--dry-run", is_flag=True, help="只统计和检查，不写入数据")
@DATA_OPTION
def tally_(
    ballots: Path,
    target: str,
    day: dt.datetime,
    method: str,
    record_id: str | None,
    summary: str | None,
    all_members: bool,
    dry_run: bool,
    data_dir: Path,
) -> None:
    """统计评议表选票，写成一条只有票数的群众评议记录；选票文件必须放在数据仓库以外，单张选票不会写进数据。"""
    from cxzy_gen.sheets.importer import ImportError_
    from cxzy_gen.sheets.tally import BallotRefused, tally

    try:
        result = tally(
            ballots, target, day.date(), method, data_dir, record_id=record_id, summary=summary, write=not dry_run, all_members=all_members
        )
    except BallotRefused as exc:
        click.echo(format_problems([exc.problem], "text"), err=True)
        raise SystemExit(1) from None
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from None
    if result.problems:
        click.echo(format_problems(result.problems, "text"), err=True)
    for one in result.counted:
        who = f"「{one.record['target']}」" if all_members else ""
        click.echo(f"{who}收回评议表 {result.ballots} 张（弃权 {one.abstained} 张，无效 {one.invalid} 张）", err=not result.ok)
    if not result.ok:
        click.echo("统计结果没有通过检查，没有写入。", err=True)
        raise SystemExit(1)
    verb = "检查通过（--dry-run，没有写入）" if dry_run else f"已写入 {result.file}"
    click.echo(f"评议记录 {'、'.join(one.record['id'] for one in result.counted)}：{verb}")


# ---------------------------------------------------------------- 督查


@main.command("audit")
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)
@click.option("--year", type=click.IntRange(2000, 2100), help="督查哪一年（默认为 site.yaml 的活动年度）")
@click.option("--unit", "unit", metavar="ID", help="只督查这个单位及其下级")
@click.option("--today", type=DATE, help="按这一天的情况督查，之后的记录不算（默认取 SOURCE_DATE_EPOCH，否则今天）")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "xlsx"]),
    default="text",
    show_default=True,
    help="输出格式：text 文字，json 供程序读取，csv 和 xlsx 为报送用表格（Excel、WPS 可直接打开）",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="写到这个文件（xlsx 必须指定；默认输出到屏幕）")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT", help="总覆盖率低于这个百分数时退出码为 1（供 CI 使用）")
def audit_command(
    data_dir: Path, year: int | None, unit: str | None, today: dt.datetime | None, fmt: str, out: Path | None, fail_under: float | None
) -> None:
    """督查「四有」：承诺有公示、点评有记录、评议有结果、表彰有氛围，按单位逐级汇总，列出缺项、逾期、补课和提醒。"""
    from cxzy_gen.build import DataProblems, build_date, inspect
    from cxzy_gen.site.audit_report import FORMATS

    if not data_dir.is_dir():
        raise click.UsageError(f"找不到数据目录 {data_dir}（提示：在站点仓库的根目录运行，或用 --data 指定）")
    if fmt == "xlsx" and out is None:
        raise click.UsageError("xlsx 格式要用 --out 指定文件，如 --out 督查.xlsx")
    try:
        report = inspect(data_dir, build_date(today.date() if today else None), year, unit)
    except DataProblems as exc:
        click.echo(format_problems(exc.problems, "text"), err=True)
        click.echo(f"发现 {sum(p.is_error for p in exc.problems)} 个错误：先改正数据再督查。", err=True)
        raise SystemExit(1) from None
    except KeyError:
        raise click.UsageError(f"找不到单位 {unit}（提示：--unit 写单位编号，即 units/ 下的文件夹名）") from None
    output = FORMATS[fmt](report)
    data = output.encode("utf-8") if isinstance(output, str) else output
    if out is not None:
        out.write_bytes(data)
        click.echo(f"已写出 {out}", err=True)
    elif isinstance(output, str):
        click.echo(output, nl=False)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stream as they are (the CSV keeps its byte-order mark)
    if fail_under is not None:
        if report.coverage is None:
            click.echo(f"{report.today.isoformat()} 还没有到期的督查事项，不检查 --fail-under。", err=True)
        elif report.coverage < fail_under:
            click.echo(f"总覆盖率 {report.coverage:.1f}% 低于要求的 {fail_under:g}%。", err=True)
            raise SystemExit(1)
