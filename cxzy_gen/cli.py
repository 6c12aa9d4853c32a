"""The `cxzy` command: thin click commands, each calling one function and choosing the exit code."""

from __future__ import annotations

from pathlib import Path

import click

from .problems import format_problems
from .validate import KIND_NAMES, load_dataset

FORMATS = click.Choice(["text", "json", "github"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cxzy", message="cxzy %(version)s")
def main() -> None:
    """cxzy：创先争优党务公开栏的站点生成器。数据是 git 仓库里的 YAML 文件。"""


@main.command()
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True, help="数据目录"
)
@click.option(
    "--format", "fmt", type=FORMATS, default="text", show_default=True, help="输出格式：text 文字，json 供程序读取，github 为 CI 注释"
)
def validate(data_dir: Path, fmt: str) -> None:
    """检查数据：格式、必填字段、引用、日期、个人信息等，一次列出全部问题。"""
    if not data_dir.is_dir():
        raise click.UsageError(f"找不到数据目录 {data_dir}（提示：在站点仓库的根目录运行，或用 --data 指定）")
    _, problems, summary = load_dataset(data_dir)
    errors = sum(p.is_error for p in problems)
    if problems or fmt == "json":
        click.echo(format_problems(problems, fmt))
    if fmt == "text":
        counts = "，".join(f"{KIND_NAMES[k]} {summary.records[k]}" for k in KIND_NAMES)
        warnings = len(problems) - errors
        verdict = "没有发现问题" if not problems else f"发现 {errors} 个错误、{warnings} 个警告"
        click.echo(f"读取 {summary.files} 个文件：{counts}。{verdict}。", err=bool(problems))
    raise SystemExit(1 if errors else 0)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True, help="输出目录")
def schema(out: Path) -> None:
    """为每种数据文件写出 JSON Schema，供编辑器补全和检查。"""
    from .schema import write_schemas

    for path in write_schemas(out):
        click.echo(f"已写出 {path}")
