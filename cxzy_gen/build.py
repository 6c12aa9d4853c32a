"""`cxzy build`: data folder → validated dataset → views at the build date → pages → HTML → the output folder.

Read `build()` top to bottom: it is the whole architecture.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cxzy_gen.cache import BuildStamp, RecordCache
from cxzy_gen.collector import long_lived, paused
from cxzy_gen.dates import CHINA, today_in_china
from cxzy_gen.git.source import HistorySource
from cxzy_gen.problems import Problem
from cxzy_gen.records.basics import MAX_YEAR, MIN_YEAR, Audience
from cxzy_gen.site.scope import Scope, ScopeError
from cxzy_gen.site.write import MARKER, turn, write

if TYPE_CHECKING:
    from cxzy_gen.git.history import History
    from cxzy_gen.records.dataset import Dataset
    from cxzy_gen.records.validate import Summary
    from cxzy_gen.site.audit import Audit
    from cxzy_gen.site.derive import Views
    from cxzy_gen.site.reuse import Incremental
    from cxzy_gen.site.search import Indexing

# The pipeline's modules (pydantic, Jinja2, Markdown) are imported when a build has work to do: a build that
# finds nothing changed answers before loading them.


Item = TypeVar("Item")


class DataProblems(Exception):
    """The data has errors: nothing was built and the output folder was not touched."""

    def __init__(self, problems: list[Problem], summary: Summary) -> None:
        super().__init__(f"{sum(p.is_error for p in problems)} 个错误")
        self.problems, self.summary = problems, summary


@dataclass
class BuildResult:
    out: Path
    files: int
    pages: int  # HTML pages
    units: int
    members: int
    today: dt.date
    audience: Audience
    seconds: float
    audience_label: str = ""  # the readers as the pages name them: 本单位公开（一团一连党支部）
    warnings: list[str] = field(default_factory=list)  # build warnings (e.g. the holiday calendar's range)
    problems: list[Problem] = field(default_factory=list)  # validation warnings (no errors, or nothing is built)
    unchanged: bool = False  # nothing changed since the last build into `out`: nothing was done
    history_note: str = ""  # why the site has no 修订记录 (no git, no commit yet), when it has none


@dataclass
class Progress:
    """Who is told how a long build goes: files read, then pages written (done, total)."""

    files: Callable[[int, int], None]
    pages: Callable[[int, int], None]


def build(
    data_dir: Path,
    out: Path,
    today: dt.date,
    audience: Audience | Scope = Audience.PUBLIC,
    templates: Path | None = None,
    archive: History | HistorySource | None = None,
    cache: Path | None = None,
    progress: Progress | None = None,
    search: bool = True,
    keep: list[object] | None = None,
) -> BuildResult:
    """Build the site for `audience` as it stands on `today`; raises DataProblems (out untouched) when the data has errors,
    ScopeError when a 本单位公开 or 特定对象公开 build does not say for whom (`Scope`).

    `archive`, the data folder's git history (`History.load`, or a `HistorySource` that reads it only when the
    build has work to do), adds 修订记录 to the pages; without it the site has none.
    `cache` (a folder, usually .cxzy-cache) keeps typed data files and a stamp of the build: files read clean
    before are not parsed again, and a build whose inputs all match the last one into `out` does nothing.
    `search` builds the Pagefind index into the output (skipped, with a warning, when the binary is not installed).
    `keep`, when given, is handed the build's data set, views and pages, so that they outlive the build: a process that
    ends right after (`cxzy build`, see `cli.run`) need not spend its last half second at 师 scale freeing them."""
    started = time.perf_counter()
    scope = audience if isinstance(audience, Scope) else Scope(audience)
    if scope.everything:
        raise ScopeError("全部记录只供 cxzy audit 督查使用，不能生成公开栏：请指明公开范围")
    binary = pagefind_binary() if search else None
    stamp = _stamp(cache, data_dir, out, today, scope, templates, archive, binary) if cache is not None else None
    previous = stamp.previous() if stamp else None
    if isinstance(previous, BuildResult):
        return replace(previous, seconds=time.perf_counter() - started, unchanged=True)

    from cxzy_gen.forked import Aside
    from cxzy_gen.records.validate import read_dataset
    from cxzy_gen.site.audit import inspection
    from cxzy_gen.site.plan import plan
    from cxzy_gen.site.render import Workers, environment
    from cxzy_gen.site.reuse import Incremental

    # git's history, when it is to be read, is read by a process of its own (`forked.Aside`) while the records are read.
    reading = Aside(archive.load) if isinstance(archive, HistorySource) else None
    given = None if isinstance(archive, HistorySource) else archive
    # The output's turn is held from the first look at the folders the output is made from (`write.turn`): with a cache,
    # the spare folder (the output before last) is looked at by a process of its own meanwhile (`reuse.Incremental`).
    with (
        reading or nullcontext(),
        turn(out),
        long_lived() as settled,
        Incremental(cache, out) if cache is not None else nullcontext() as incremental,
    ):
        records = RecordCache(cache) if cache is not None else None
        dataset, problems, summary = read_dataset(data_dir, records, progress.files if progress else None)
        del records  # the cache's packed files (as big as the typed data) are not held through the build
        if dataset is None:
            raise DataProblems(problems, summary)
        views = checked_views(dataset, problems, summary, today, scope)
        if incremental is not None and binary is not None:
            incremental.list_search(views, binary)  # by a process of its own, while the pages are planned
        history = reading.result() if reading is not None else given
        if isinstance(archive, HistorySource) and history is not None and history.head != archive.head:
            stamp = None  # HEAD moved while the build ran, or git could not be read: do not vouch for this output
        pages = plan(views, history, inspection(dataset, views))
        settled()  # the data set, its views and pages live to the end: collections from here on leave them alone
        # With a cache, only pages whose inputs changed are rendered; the others are kept in the folder the writer brings up
        # to date, or taken over from the last output. The workers (a process per core, for a big site) hash and render
        # the pages; the search index is made beside the output meanwhile, by a thread started once they are forked.
        with Workers(pages, environment(templates), dataset.origins) as workers:
            if incremental is not None:
                incremental.hash_pages(pages, templates, workers)
            indexing, warnings = search_index(views, search, binary, out, incremental)
            try:
                if indexing is not None:
                    indexing.start()  # (its thread begins once the workers are forked)
                todo = incremental.compare() if incremental else range(len(pages))
                rendered = workers.render(todo)
                files_in = incremental.files(rendered) if incremental else rendered
                stats, spare = (incremental.stats, incremental.spare) if incremental else (None, None)
                counted = _counted(files_in, len(pages), progress.pages) if progress else files_in
                files = write(counted, out, finish=indexing.finish if indexing else None, stats=stats, spare=spare, locked=True)
            finally:
                if indexing is not None:
                    indexing.close()
            if incremental is not None:
                incremental.save()
        if keep is not None:
            keep.append((dataset, views, pages))
    result = BuildResult(
        out=out,
        files=files,
        pages=sum(p.url.endswith(".html") for p in pages),
        units=len(views.units),
        members=len(views.members),
        today=today,
        audience=views.audience,
        audience_label=views.audience_label,
        seconds=time.perf_counter() - started,
        warnings=views.warnings + warnings,
        problems=problems,
        history_note="" if history is None or history.available else history.reason,
    )
    if stamp is not None:
        stamp.save(result)
    return result


def checked_views(dataset: Dataset, problems: list[Problem], summary: Summary, today: dt.date, scope: Scope) -> Views:
    """The views of a dataset whose files are clean (`read_dataset`) as of `today` for `scope` (`derive`), made while the
    cross-record rules check it in a process of their own (`forked.Aside`, on a core that would be idle meanwhile); the
    rules' findings are added to `problems`, and an error among them raises DataProblems. Views of data the rules refuse
    are thrown away: derive may even fail on such data, and then the rules' errors are what the user is told."""
    from cxzy_gen.forked import Aside
    from cxzy_gen.records.rules import check_dataset
    from cxzy_gen.site.derive import derive

    with Aside(check_dataset, dataset) as checking:
        try:
            views = derive(dataset, today, scope)
        except Exception:
            problems.extend(checking.result())
            if any(p.is_error for p in problems):
                raise DataProblems(problems, summary) from None
            raise
        problems.extend(checking.result())
    if any(p.is_error for p in problems):
        raise DataProblems(problems, summary)
    return views


def _stamp(
    cache: Path,
    data_dir: Path,
    out: Path,
    today: dt.date,
    scope: Scope,
    templates: Path | None,
    archive: History | HistorySource | None,
    pagefind: Path | None,
) -> BuildStamp:
    """Everything a build's output follows from, besides cxzy itself (which `BuildStamp` adds)."""
    if isinstance(archive, HistorySource):
        git = f"head:{archive.key()}"
    else:
        git = "-" if archive is None else f"{archive.available}:{archive.head}:{archive.shallow}:{archive.prefix}"
    readers = f"{scope.audience.value}|{scope.unit or ''}|{','.join(scope.to)}"
    parts = [os.path.abspath(data_dir), today.isoformat(), readers, "-" if templates is None else os.path.abspath(templates), git]
    parts.append(str(pagefind) if pagefind else "no-search")
    return BuildStamp(cache, out, parts, MARKER, [data_dir, templates])


def pagefind_binary() -> Path | None:
    """Pagefind's binary from the `pagefind[bin]` wheel (else the extended one's, which indexes the same records alike,
    slower: docs/search.md), or None; PAGEFIND_BINARY_PATH overrides."""
    given = os.environ.get("PAGEFIND_BINARY_PATH")
    if given is not None:
        return Path(given)
    # The wheels' own lookup, without importing the service client (asyncio): a build with nothing to do is quick.
    for wheel in ("pagefind_bin", "pagefind_bin_extended"):
        try:
            return Path(importlib.import_module(wheel).get_executable())
        except ImportError:
            pass
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return Path(found) if found is not None else None


def search_index(
    views: Views, wanted: bool, binary: Path | None, out: Path, incremental: Incremental | None = None
) -> tuple[Indexing | None, list[str]]:
    """The search index of this build into `out`, begun at once (None when not wanted or not installed), and any
    warning. The caller holds the output's turn, and closes what this returns."""
    if not wanted:
        return None, []
    if binary is None:
        return None, ["没有找到 Pagefind（pip install 'pagefind[bin]'），这次生成的站点没有搜索索引"]
    from cxzy_gen.site.plan import search_records
    from cxzy_gen.site.search import BUNDLE, MANIFEST, Indexing, index_folder, index_shards, manifest, shards

    if incremental is not None:  # the shards whose records changed (listed and indexed aside): the others are kept
        return incremental.index_search(), []
    parts = shards(search_records(views))
    folder, stop = index_folder(out), threading.Event()

    def name_shards(site: Path) -> None:
        (site / BUNDLE / MANIFEST).write_bytes(manifest(parts))

    return Indexing(folder, parts, lambda: index_shards(folder, parts, binary, stop), then=name_shards, stop=stop), []


def _counted(items: Iterable[Item], total: int, tell: Callable[[int, int], None]) -> Iterator[Item]:
    for done, item in enumerate(items, 1):
        yield item
        if done % 200 == 0 or done == total:
            tell(done, total)


def build_date(today: dt.date | None = None, environ: Mapping[str, str] | None = None) -> dt.date:
    """The build date: the one given, else SOURCE_DATE_EPOCH (its day in China), else today in China."""
    if today is not None:
        return today
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return epoch_date(epoch)
    return today_in_china()


def epoch_date(epoch: str) -> dt.date:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, as reproducible-builds.org defines it) → its day in China;
    a ValueError in Chinese for anything else (a sign, a fraction, a date, a number beyond the year 2100)."""
    if not epoch.isascii() or not epoch.isdigit() or len(epoch) > 12:
        raise ValueError(f"环境变量 SOURCE_DATE_EPOCH 应为 1970 年以来的整秒数（如 1309190400），现在是「{epoch[:40]}」")
    try:
        day = dt.datetime.fromtimestamp(int(epoch), tz=CHINA).date()
    except (OverflowError, ValueError, OSError):
        raise ValueError(f"环境变量 SOURCE_DATE_EPOCH「{epoch}」超出可以表示的日期范围") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"环境变量 SOURCE_DATE_EPOCH 对应 {day.year} 年，超出 {MIN_YEAR}–{MAX_YEAR} 年的范围")
    return day


def site_templates(given: Path | None) -> Path | None:
    """The site's template overrides: the folder given, else ./site_templates when there is one."""
    if given is not None:
        return given
    default = Path("site_templates")
    return default if default.is_dir() else None


def inspect(data_dir: Path, today: dt.date, year: int | None = None, unit: str | None = None) -> Audit:
    """`cxzy audit`: the 四有 inspection of the data as it stands on `today`, for the campaign office (every record counts,
    whatever its audience); raises DataProblems when the data has errors, KeyError for an unknown `unit`."""
    from cxzy_gen.records.validate import read_dataset
    from cxzy_gen.site.audit import audit

    with paused():
        dataset, problems, summary = read_dataset(data_dir)
        if dataset is None:
            raise DataProblems(problems, summary)
        return audit(checked_views(dataset, problems, summary, today, Scope.office()), year, unit)


def print_pdfs(
    data_dir: Path,
    out: Path,
    today: dt.date,
    audience: Audience | Scope,
    templates: Path | None = None,
    unit: str | None = None,
    kind: str | None = None,
    printed_on: dt.date | None = None,
) -> list[Path]:
    """`cxzy pdf`: build the site in a temporary folder, then print its sheets (of one unit, of one kind) into `out`.
    Raises ScopeError as `build` does."""
    from cxzy_gen.records.validate import read_dataset
    from cxzy_gen.site.pdf import PrintError, Sheet, print_sheets
    from cxzy_gen.site.plan import plan, print_targets
    from cxzy_gen.site.render import environment, render

    scope = audience if isinstance(audience, Scope) else Scope(audience)
    if scope.everything:
        raise ScopeError("全部记录只供 cxzy audit 督查使用，不能打印张贴：请指明公开范围")
    dataset, problems, summary = read_dataset(data_dir)
    if dataset is None:
        raise DataProblems(problems, summary)
    views = checked_views(dataset, problems, summary, today, scope)
    if unit is not None and unit not in views.units:
        raise PrintError(f"没有编号为 {unit} 的党组织（或它不在「{views.audience_label}」的范围内）")
    sheets = [Sheet(k, u, url, level.value) for k, u, url, level in print_targets(views) if unit in (None, u) and kind in (None, k)]
    if not sheets:
        raise PrintError("没有可打印的内容（提示：换一个 --kind，或去掉 --unit）")
    with tempfile.TemporaryDirectory(prefix="cxzy-pdf-") as tmp:
        site = Path(tmp) / "site"
        write(render(plan(views), environment(templates)), site)
        return print_sheets(site, sheets, out, printed_on or today_in_china())
