"""`cxzy build`: data folder → validated dataset → views at the build date → pages → HTML → the output folder.

Read `build()` top to bottom: it is the whole architecture.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cxzy_gen.dates import CHINA, today_in_china
from cxzy_gen.git.history import History
from cxzy_gen.problems import Problem
from cxzy_gen.records.models import Audience
from cxzy_gen.records.validate import Summary, load_dataset
from cxzy_gen.site.derive import derive
from cxzy_gen.site.plan import plan
from cxzy_gen.site.render import environment, render
from cxzy_gen.site.write import write


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
    warnings: list[str] = field(default_factory=list)  # build warnings (e.g. the holiday calendar's range)
    problems: list[Problem] = field(default_factory=list)  # validation warnings (no errors, or nothing is built)


def build(
    data_dir: Path,
    out: Path,
    today: dt.date,
    audience: Audience = Audience.PUBLIC,
    templates: Path | None = None,
    archive: History | None = None,
) -> BuildResult:
    """Build the site for `audience` as it stands on `today`; raises DataProblems (out untouched) when the data has errors.

    `archive`, the data folder's git history (`History.load`), adds 修订记录 to the pages; without it the site has none."""
    started = time.perf_counter()
    dataset, problems, summary = load_dataset(data_dir)
    if dataset is None:
        raise DataProblems(problems, summary)
    views = derive(dataset, today, audience)
    pages = plan(views, archive)
    files = write(render(pages, environment(templates)), out)
    return BuildResult(
        out=out,
        files=files,
        pages=sum(p.url.endswith(".html") for p in pages),
        units=len(views.units),
        members=len(views.members),
        today=today,
        audience=audience,
        seconds=time.perf_counter() - started,
        warnings=views.warnings,
        problems=problems,
    )


def build_date(today: dt.date | None = None, environ: Mapping[str, str] | None = None) -> dt.date:
    """The build date: the one given, else SOURCE_DATE_EPOCH (its day in China), else today in China."""
    if today is not None:
        return today
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=CHINA).date()
    return today_in_china()


def site_templates(given: Path | None) -> Path | None:
    """The site's template overrides: the folder given, else ./site_templates when there is one."""
    if given is not None:
        return given
    default = Path("site_templates")
    return default if default.is_dir() else None
