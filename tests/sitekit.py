"""Helpers for the site tests: build a data folder into a temporary folder, parse what came out, rewrite data copies."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup

from cxzy_gen.build import BuildResult, build
from cxzy_gen.records import models as m
from cxzy_gen.records.layout import FILES
from cxzy_gen.site.scope import Scope

TESTS = Path(__file__).resolve().parent
SITE = TESTS / "fixtures" / "site"  # the small data set these tests were written against
DEMO = TESTS.parent / "data"  # the demo 师, when it is there
TODAY = dt.date(2011, 6, 28)


def data_sets() -> list[Path]:
    """The fixture, plus the demo data once it exists."""
    return [SITE, *([DEMO] if (DEMO / "site.yaml").is_file() else [])]


def own_addresses() -> list[str]:
    """The site addresses (site.yaml `url`, with a final slash) of the data sets that have one."""
    found = (yaml.safe_load((d / "site.yaml").read_text(encoding="utf-8")).get("url") for d in data_sets())
    return [url.rstrip("/") + "/" for url in found if url]


def site_root_path(out: Path) -> str:
    """The root path a built site's 404 page links from ("/" without a site address)."""
    stylesheet = html(out / "404.html").find("link", rel="stylesheet")["href"]
    return stylesheet.removesuffix("assets/site.css")


def make_site(
    data: Path,
    out: Path,
    today: dt.date = TODAY,
    audience: m.Audience = m.Audience.PARTY,
    unit: str | None = None,
    to: tuple[str, ...] = (),
    **kw: Any,
) -> BuildResult:
    """Build `data` for `audience` (with the unit of a 本单位公开 board, the readers of a 特定对象公开 one)."""
    return build(data, out, today, Scope(audience, unit, to), **kw)


# The fixture's widest build: its one 本单位公开 unit's board (every other record is 党内公开 or wider).
WIDEST = {"audience": m.Audience.UNIT, "unit": "shequ-1"}


_PARSED: dict[tuple[Path, int, int], BeautifulSoup] = {}


def html(path: Path) -> BeautifulSoup:
    """A built page, parsed once per test module (tests/conftest.py forgets them after each module): read it, never change it."""
    stat = path.stat()
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)  # a rebuilt page is parsed again
    if key not in _PARSED:
        _PARSED[key] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return _PARSED[key]


def forget_pages() -> None:
    _PARSED.clear()


_AROUND_PUNCTUATION = re.compile(r" ?([：，。；、（）《》]) ?")


def text_of(node: Any) -> str:
    """Visible text with runs of white space made single spaces, and none around Chinese punctuation."""
    return _AROUND_PUNCTUATION.sub(r"\1", " ".join(node.get_text(" ").split()))


# Pagefind writes its filter files in hash-map order, so their bytes differ from run to run, and with them the
# file names and the entry and meta files that name them by hash; the indexed fragments are reproducible.
# Pagefind's own worker script and compressed wasm were each seen to differ once between two builds under heavy
# load; they are Pagefind's files, not our output, so they are left out of byte-for-byte comparisons too.
# pagefind.js too: seen to differ between two builds of the same records on a loaded machine, like the worker script.
# The index is in shards, pagefind/<n>/ each (cxzy_gen/site/search.py); pagefind/shards.json names them.
UNSTABLE = re.compile(
    r"pagefind/[^/]+/(?:filter/|pagefind-entry\.json$|pagefind\.[^/]+\.pf_meta$|pagefind-worker\.js$|pagefind\.js$|wasm\.[^/]+\.pagefind$)"
)


def files(out: Path) -> dict[str, bytes]:
    """Every file of a built site by path, except the search index's files whose bytes Pagefind does not reproduce."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not UNSTABLE.match(p.relative_to(out).as_posix())
    }


def copy_data(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ---------------------------------------------------------------- rewriting a data copy


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def yaml_files(data: Path) -> Iterator[tuple[Path, str]]:
    """(path, kind) of each data file: site, unit, members, commitments, reviews, appraisals, commendations."""
    for path in sorted(data.rglob("*.yaml")):
        yield path, path.stem


def rewrite(data: Path, change: Callable[[str, dict[str, Any], Path], None]) -> None:
    """Load each data file, let `change(kind, content, path)` edit it in place, and write it back."""
    for path, kind in yaml_files(data):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        change(kind, content, path)
        path.write_text(yaml.dump(content, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8")


# The model of each record in a file of each kind (site.yaml: the settings themselves).
MODEL = {key: (f.record.model if f.record else f.model) for key, f in FILES.items()}


def records(kind: str, content: dict[str, Any]) -> list[dict[str, Any]]:
    """The record mappings of one file (the unit file is one record)."""
    if kind == "unit":
        return [content]
    list_key = FILES[kind].list_key
    return (content.get(list_key, []) or []) if list_key else []


PATHS = {(m.Commendation, "photo")}  # fields that name a file in the data folder


def free_text_fields(model: type[Any], value: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, int]]:
    """Every free-text string in a record: (the mapping holding it, its key, its maximum length).

    Free text is a `str` field without a pattern (ids, URLs, enums and dates are not free text), and not a path to
    a file in the data folder (`PATHS`: what it may hold is checked by its own rule, E-PHOTO)."""
    for key, item in list(value.items()):
        info = model.model_fields.get(key)
        if info is None or (model, key) in PATHS:
            continue
        inner = m.model_in(info.annotation)
        if isinstance(item, dict) and inner is not None:
            yield from free_text_fields(inner, item)
        elif isinstance(item, list) and inner is not None:
            for element in item:
                if isinstance(element, dict):
                    yield from free_text_fields(inner, element)
        elif isinstance(item, str):
            limit = _free_text_limit(info)
            if limit:
                yield value, key, limit


def _free_text_limit(info: Any) -> int:
    """The maximum length of a free-text field (a `str` without a pattern), or 0 for any other field."""
    options = (
        [info.annotation, *typing.get_args(info.annotation)]
        if typing.get_origin(info.annotation) in (typing.Union, types.UnionType)
        else [info.annotation]
    )
    for option in options:
        metadata = list(info.metadata)
        if typing.get_origin(option) is typing.Annotated:
            option, *extra = typing.get_args(option)
            metadata += extra
        if option is str:
            if any(getattr(c, "pattern", None) for c in metadata):
                return 0
            return next((c.max_length for c in metadata if getattr(c, "max_length", None)), 2000)
    return 0
