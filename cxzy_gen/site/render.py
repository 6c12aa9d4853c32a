"""Pages → bytes: Jinja2 (autoescape, StrictUndefined) over the site's templates, then the shipped ones; Markdown → nh3.

Template lookup, after Datasette and Pelican: the site's `site_templates/` first, the templates shipped in
this package behind it, and the shipped ones again under the `default:` prefix, so an override can
`{% extends "default:base.html" %}` and replace one block instead of copying the whole file.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import Element

import markdown as md
import nh3
from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from cxzy_gen.forked import Forked, can_fork
from cxzy_gen.records.dataset import Origins
from cxzy_gen.site import photos
from cxzy_gen.site.derive import Ref
from cxzy_gen.site.plan import Page, url_of

DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "templates"

# What Markdown from the data may become. No images (they would load from outside), no tables, no
# attributes but a link's href and title; links only to pages of the site itself or to mail.
ALLOWED_TAGS = {"p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "del", "sub", "sup", "code", "pre", "blockquote", "a"}
ALLOWED_TAGS |= {"h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"mailto"}  # relative links pass; http(s), javascript:, data: and the rest lose their href


class _LowerHeadings(Treeprocessor):
    """A page has one h1 and its own h2/h3: headings written in the data start at h4."""

    def run(self, root: Element) -> None:
        for el in root.iter():
            if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                el.tag = f"h{min(6, int(el.tag[1]) + 3)}"


class _LowerHeadingsExtension(md.Extension):
    def extendMarkdown(self, markdown: md.Markdown) -> None:
        markdown.treeprocessors.register(_LowerHeadings(markdown), "cxzy-lower-headings", 0)


_MARKDOWN = md.Markdown(extensions=["sane_lists", "nl2br", _LowerHeadingsExtension()], output_format="html")


@lru_cache(maxsize=65536)
def markdown_html(text: str) -> Markup:
    """A Markdown field as safe HTML: rendered, then sanitised (no script, handler, style, iframe or unsafe URL)."""
    plain = plain_paragraphs(text)
    if plain is not None:
        return Markup(plain)
    html = simple_markdown(text)
    if html is None:
        html = _MARKDOWN.reset().convert(text)
    return Markup(
        nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, attribute_filter=_only_site_links)
    )


def _only_site_links(tag: str, attribute: str, value: str) -> str | None:
    """Keep a link only to a page of this site or to mail: protocol-relative (`//host`), backslash (`/\\host`,
    `\\\\host\\share`) and any other scheme lose their href. Browsers drop tabs, line breaks and leading
    controls from a URL before reading it, so the check reads it the same way."""
    if attribute != "href":
        return value
    seen = re.sub(r"[\x00-\x20\x7f]", "", value)
    if seen.lower().startswith("mailto:"):
        return value
    if "\\" in seen or seen.startswith("//") or ":" in seen.split("/", 1)[0] or "%5c" in seen.lower():
        return None
    return value


# Most fields are plain Chinese prose. Text with none of Markdown's syntax comes out of Markdown as
# paragraphs with line breaks; writing that directly is the same HTML, many times faster.
_SYNTAX = re.compile(r"[\\`*_\[\]<>&!#|~\t\r\f\v]|^[ \-+=>]|^\d+[.)]|[ ]$", re.MULTILINE)


def plain_paragraphs(text: str) -> str | None:
    """The HTML for text without Markdown syntax (paragraphs, line breaks), or None when Markdown must run."""
    if _SYNTAX.search(text):
        return None
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip("\n")) if p]
    return "\n".join("<p>" + "<br>\n".join(p.split("\n")) + "</p>" for p in paragraphs)


# The next most common shape: paragraphs and "- " lists with **strong** and *em*, as in 践诺措施. For
# text made only of that, `simple_markdown` writes what Markdown would (a test compares the two on many
# generated texts); anything else, however harmless, goes to Markdown itself.
_RUN = r"[^*_\\`<>&\[\]!\n]+"  # plain text between emphasis
_CONTENT = r"[^*_\\`<>&\[\]!\s](?:[^*_\\`<>&\[\]!\n]*[^*_\\`<>&\[\]!\s])?"  # inside emphasis: no space at either end
_INLINE = re.compile(rf"\*\*{_CONTENT}\*\*|\*{_CONTENT}\*|{_RUN}")
_EMPHASIS = re.compile(rf"\*\*({_CONTENT})\*\*|\*({_CONTENT})\*")
_NOT_SIMPLE = re.compile(r"[\\`_\[\]<>&!\t\r\f\v]|\n\s*\n\s*\n|[ ]\n|\n[ ]|^\s|\s$")
_BLOCK_START = re.compile(r"^(?:[\-+#>= ]|\* |\*\*\*|\d+[.)])")


def simple_markdown(text: str) -> str | None:
    """Markdown's HTML for text of paragraphs and tight "- " lists with **strong** and *em* only, else None."""
    if _NOT_SIMPLE.search(text):
        return None
    blocks: list[str] = []
    was_list = False
    for block in text.split("\n\n"):
        lines = block.split("\n")
        is_list = lines[0].startswith("- ")
        if is_list:
            if was_list:  # two lists with a blank line between: Markdown makes one loose list
                return None
            items = [line[2:] for line in lines]
            if any(not line.startswith("- ") for line in lines) or any(_BLOCK_START.match(item) for item in items):
                return None
            inline = [_inline(item) for item in items]
            if any(part is None for part in inline):
                return None
            blocks.append("<ul>\n" + "\n".join(f"<li>{part}</li>" for part in inline) + "\n</ul>")
        else:
            if any(_BLOCK_START.match(line) for line in lines):
                return None
            inline = [_inline(line) for line in lines]
            if any(part is None for part in inline):
                return None
            blocks.append("<p>" + "<br>\n".join(inline) + "</p>")  # type: ignore[arg-type]
        was_list = is_list
    return "\n".join(blocks)


def _inline(line: str) -> str | None:
    """A line of plain runs and emphasis, each emphasis with plain text on both sides or at an end; else None."""
    tokens = _INLINE.findall(line)
    if not tokens or "".join(tokens) != line:
        return None
    for before, after in itertools.pairwise(tokens):
        if before.endswith("*") and after.startswith("*"):  # emphasis next to emphasis: Markdown pairs them its own way
            return None
    return _EMPHASIS.sub(lambda m: f"<strong>{m.group(1)}</strong>" if m.group(1) else f"<em>{m.group(2)}</em>", line)


def root_of(url: str) -> str:
    """The relative path from a page back to the site root: "" for index.html, "../../" for units/x/index.html."""
    return "../" * url.count("/")


@pass_context
def href(context: Context, target: Ref | str) -> str:
    """A link from the page being rendered to `target` (a unit or member, or a site path), relative so file:// works."""
    path = url_of(target) if isinstance(target, Ref) else target
    here = context["page_url"]
    if "#" in path and path.split("#", 1)[0] == here:  # an anchor on this same page
        return "#" + path.split("#", 1)[1]
    return context["root"] + path


# `ui.link`, `ui.date` and `ui.status` of _macros.html, printed as the templates print a value (`_printable`, then escaped).


@pass_context
def link_tag(context: Context, ref: Ref) -> Markup:
    """A unit or member by name, linked to its page; one from outside the data (`external`) by its name alone."""
    name = escape(_printable(ref.name))
    if ref.kind == "external":
        return name
    return Markup(f'<a href="{escape(_printable(href(context, ref)))}">{name}</a>')


def time_tag(day: Any) -> Markup:
    """A date as <time datetime="2011-06-28">2011-06-28</time>."""
    iso = escape(_printable(day.isoformat()))
    return Markup(f'<time datetime="{iso}">{iso}</time>')


def status_tag(key: Any, label: Any) -> Markup:
    """A status as <span class="status status-KEY">LABEL</span> (the stylesheet colours it by its key)."""
    return Markup(f'<span class="status status-{escape(_printable(key))}">{escape(_printable(label))}</span>')


class _CompiledOnce(BytecodeCache):
    """Each template compiled once per process, not once per build: `cxzy serve` and the tests build many times, and
    compiling the templates was most of a small site's build. Jinja2 keys a template by name and file and checks its
    source's checksum, so an edited template is compiled again. Safe because every environment has the same settings."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code


_COMPILED = _CompiledOnce()


def environment(site_templates: Path | None = None) -> Environment:
    """The Jinja2 environment: the site's templates before the shipped ones, autoescape on, undefined names fail."""
    shipped = FileSystemLoader(DEFAULT_TEMPLATES)
    loaders: list[Any] = [FileSystemLoader(site_templates)] if site_templates is not None else []
    env = Environment(
        loader=ChoiceLoader([*loaders, shipped, PrefixLoader({"default": shipped}, delimiter=":")]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_printable,
        bytecode_cache=_COMPILED,
    )
    env.filters["markdown"] = markdown_html
    env.filters["cn_date"] = cn_date
    env.globals.update(href=href, link_tag=link_tag, time_tag=time_tag, status_tag=status_tag)
    return env


# Removed from every value a template prints (HTML, the feed, the sitemap): C0/C1 controls, which XML forbids,
# and the bidi embeddings, overrides and isolates, which could make a name read backwards (U+202E).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def _printable(value: Any) -> Any:
    if isinstance(value, str) and _UNPRINTABLE.search(value):
        cleaned = _UNPRINTABLE.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def cn_date(day: Any) -> str:
    """2011-06-28 → 2011年6月28日."""
    return f"{day.year}年{day.month}月{day.day}日"


PARALLEL_FROM = 2000  # pages; below this, starting worker processes costs more than it saves
Shared = tuple[Sequence[Page], Environment, Origins]  # the pages, the templates, the records' origins
_SHARED: Shared | None = None  # what forked workers work from
Item = TypeVar("Item")
Result = TypeVar("Result")


class Workers:
    """The processes of one build (one per core, for a big site), forked once its pages are planned: they inherit the
    pages, the template environment and the records' origins (`Dataset.origins`, which the page hashes use), so nothing
    is pickled on the way in, and each task names pages by their place.
    The same workers hash the pages (`reuse.Incremental.compare`) and render them (`render`). Fork them before the build
    starts a thread of its own (Pagefind's): forking beside a running thread is unsafe. Without workers (a small site,
    a threaded process such as cxzy serve, no fork) every task runs in this process. A worker that dies fails the build
    (`forked.WorkerDied`) instead of leaving it waiting."""

    def __init__(self, pages: Sequence[Page], env: Environment, origins: Origins | None = None, jobs: int | None = None) -> None:
        global _SHARED
        self.shared: Shared = (pages, env, origins or {})
        self.jobs = default_jobs(len(pages)) if jobs is None else jobs
        self.pool: Forked | None = None
        if self.jobs > 1:
            _SHARED = self.shared
            self.pool = Forked(self.jobs)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self.close(abandon=kind is not None)

    def close(self, abandon: bool = False) -> None:
        global _SHARED
        if self.pool is not None:
            self.pool.close(abandon)
            self.pool = None
        _SHARED = None

    def map(self, task: Callable[[Shared, Item], Result], items: Iterable[Item], chunksize: int = 1) -> Iterator[Result]:
        """`task(shared, item)` for each item, the results in the items' order; `task` is a module-level function."""
        if self.pool is None:
            return (task(self.shared, item) for item in items)
        return self.pool.map(functools.partial(_run, task), items, chunksize=chunksize)

    def render(self, places: Iterable[int]) -> Iterator[tuple[str, bytes]]:
        """The pages at `places` as (url, bytes), in that order."""
        return self.map(_render_at, places, chunksize=64)


def _run(task: Callable[[Shared, Item], Result], item: Item) -> Result:
    assert _SHARED is not None
    return task(_SHARED, item)


def _render_at(shared: Shared, place: int) -> tuple[str, bytes]:
    pages, env, _ = shared
    return render_page(pages[place], env)


def render(pages: Sequence[Page], env: Environment, jobs: int | None = None) -> Iterator[tuple[str, bytes]]:
    """Each page as (url, bytes), in the order given, whatever the number of worker processes."""
    with Workers(pages, env, jobs=jobs) as workers:
        yield from workers.render(range(len(pages)))


def default_jobs(pages: int) -> int:
    """Worker processes for a build: one per core for a big site, none for a small one, in a threaded
    process (cxzy serve: forking beside running threads is unsafe), or where processes cannot fork."""
    if pages < PARALLEL_FROM or not can_fork():
        return 1
    return min(os.cpu_count() or 1, 8)


def render_page(page: Page, env: Environment) -> tuple[str, bytes]:
    """One page as (url, bytes); a static file is passed through untouched, a photo becomes its site copy."""
    if page.photo is not None:
        return page.url, photos.copy(page.photo.source)
    if page.template is None:
        assert page.static is not None
        source, _, _ = env.loader.get_source(env, page.static)  # type: ignore[union-attr]
        return page.url, source.encode("utf-8")
    template = env.get_template(page.template)
    # A page may fix its own root (the 404 page, served at any depth, links from the site's root path).
    text = template.render({"root": root_of(page.url), **page.context, "page_url": page.url})
    return page.url, text.encode("utf-8")
