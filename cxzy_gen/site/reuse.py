"""Incremental builds: a page is rendered again only when what it is rendered from changed.

Each page gets a hash of everything its bytes follow from: cxzy itself (`code_key`: its code, the shipped
templates, the libraries' versions), the site's own templates, the page's URL, template and static file, the
photo's bytes, and the whole state of every value in its context, pickled. Pickle writes an object with all
it holds (every field of a record, every record a view holds), so two equal pickles are two equal states and
render to the same bytes; a value many pages share (the site, the names of every unit) is pickled once. A record
read through the cache is not pickled: it stands for its origin (`Dataset.origins`: its file's kind and bytes, its
place and audience), since nothing changes a record once it is validated; that halves the hashing.
Anything pickle cannot write makes its page "always render". A pickle that differs without the state
differing (a set, whose order changes from process to process) only costs a render.

The hashes of the last two builds into an output folder are kept in the cache with each file's size, modification
time and inode as written: the last build's describe the output, the build's before describe the spare folder the
writer keeps in the cache (the output before last, `write.Spare`), which this build brings up to date and swaps in.
A file whose state is the one recorded holds the bytes recorded with it, wherever it is. A page whose hash is the
same as its spare file's, that file still as it was written, is left as it is; else one whose hash is the same as
its current output file's is taken over from there (hard-linked, else copied); only the others are rendered, and
a page rendered again to the same bytes as either file is kept or taken over too, so only files whose bytes changed
are written. Each shard of the search index (`search.shards`) whose records are the same is kept: the spare's
shard folder moved whole into the new output when its files are exactly as written (`Incremental.compare`), else
the current output's files taken over; only the others are indexed again. The output is the same bytes as a cold
build's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import io
import marshal
import operator
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cxzy_gen.cache import _write_atomic, code_key, folder_digest
from cxzy_gen.collector import paused
from cxzy_gen.forked import Aside, Steps
from cxzy_gen.records.dataset import Origins
from cxzy_gen.site.plan import Page
from cxzy_gen.site.write import MARKER, Keep, Spare, Stat, file_stat, real_folders, remove, take_over

if TYPE_CHECKING:
    from cxzy_gen.site.derive import Views
    from cxzy_gen.site.render import Shared, Workers
    from cxzy_gen.site.search import Indexing, SearchRecord


def _model(*state: Any) -> None:  # pragma: no cover - named in pickles, never called: they are only hashed
    raise NotImplementedError


class _StatePickler(pickle.Pickler):
    """Pickles one value's whole state for `Hasher`: a pydantic model as its class's name and field values (its
    fields-set in a fixed order), a dataclass as its class's name and fields; each record or view inside the value
    (a pydantic model, a dataclass) by its hash. How each class is written is decided once, in `_Reducers` (pickle
    looks classes up there in C: dates and most values never call back into Python)."""

    def __init__(self, hasher: Hasher, depth: int) -> None:
        self.buffer = io.BytesIO()
        super().__init__(self.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        # No memo: clearing it after every value cost more than writing a shared value twice (the same state still
        # gives the same bytes); a cycle makes pickle refuse, and the page is then always rendered.
        self.fast = True
        self.hasher, self.depth = hasher, depth
        self.top: Any = None
        self.dispatch_table = _Reducers(self)

    def model(self, name: str, obj: Any) -> Any:
        if obj is not self.top:
            return _model, (self.hasher.hash(obj, self.depth + 1),)
        private = obj.__pydantic_private__
        return _model, (name, obj.__dict__, sorted(obj.__pydantic_fields_set__), private, obj.__pydantic_extra__)

    def dataclass(self, name: str, slots: tuple[str, ...], obj: Any) -> Any:
        if obj is not self.top:
            return _model, (self.hasher.hash(obj, self.depth + 1),)
        return _model, (name, getattr(obj, "__dict__", None), tuple(getattr(obj, slot, _model) for slot in slots))


_NATIVE = operator.methodcaller("__reduce_ex__", pickle.HIGHEST_PROTOCOL)  # what pickle does by itself, called from C
_BY_NAME = operator.attrgetter("__qualname__")  # a class (of a metaclass): written as the global it is


class _Reducers(dict[type, Callable[[Any], Any]]):
    """A pickler's `dispatch_table`: each class's way of being written, found the first time the class is met."""

    def __init__(self, pickler: _StatePickler) -> None:
        super().__init__()
        self.pickler = pickler

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        name = f"{cls.__module__}.{cls.__qualname__}"
        reducer: Callable[[Any], Any]
        if issubclass(cls, BaseModel):
            reducer = functools.partial(self.pickler.model, name)
        elif issubclass(cls, type):
            reducer = _BY_NAME
        elif dataclasses.is_dataclass(cls):
            reducer = functools.partial(self.pickler.dataclass, name, _slots(cls))
        elif issubclass(cls, enum.Enum):
            reducer = functools.partial(_enum, name)
        else:  # dates and everything else pickle writes its own way
            reducer = _NATIVE
        self[cls] = reducer
        return reducer


def _enum(name: str, member: Any) -> Any:
    return _model, (name, member._value_)


def _slots(cls: type) -> tuple[str, ...]:
    """Every slot a class's instances have (a dataclass with slots=True keeps all its state there)."""
    names: list[str] = []
    for klass in cls.__mro__:
        declared = klass.__dict__.get("__slots__", ())
        names += [declared] if isinstance(declared, str) else [n for n in declared if n not in ("__dict__", "__weakref__")]
    return tuple(names)


class Hasher:
    """Hashes of values' whole states, each object's made once (by id; the object is kept so its id stays its own).
    `known` gives some objects' hashes beforehand: the records' origins (`Dataset.origins`)."""

    def __init__(self, known: Origins | None = None) -> None:
        self.known: dict[int, tuple[Any, bytes]] = dict(known or {})
        self._picklers: list[_StatePickler] = []  # one per depth of records within records, reused

    def hash(self, value: Any, depth: int = 0) -> bytes:
        found = self.known.get(id(value))
        if found is not None:
            return found[1]
        if depth == len(self._picklers):
            self._picklers.append(_StatePickler(self, depth))
        pickler = self._picklers[depth]
        pickler.top = value
        pickler.buffer.seek(0)
        pickler.buffer.truncate()  # (also what a value that could not be pickled left)
        pickler.dump(value)
        digest = hashlib.blake2b(pickler.buffer.getbuffer(), digest_size=20).digest()
        if pickler.buffer.tell() > 1 << 16:  # a big value leaves a big buffer: start afresh
            self._picklers[depth] = _StatePickler(self, depth)
        self.known[id(value)] = (value, digest)
        return digest

    def forget(self) -> None:
        """Let go of every value and pickler now (they refer to each other: otherwise only a collection frees them)."""
        self.known.clear()
        self._picklers.clear()

    def state_hash(self, value: Any) -> bytes | None:
        """The hash of a value's whole state, or None when it cannot be pickled."""
        try:
            return self.hash(value)
        except Exception:
            return None


def state_hash(value: Any) -> bytes | None:
    """The hash of one value's whole state, or None when it cannot be pickled."""
    return Hasher().state_hash(value)


def _hash_share(shared: Shared, bounds: tuple[int, int, str]) -> list[bytes | None]:
    start, stop, salt = bounds
    return page_hashes(shared[0][start:stop], salt, shared[2])


def page_hashes(pages: Sequence[Page], salt: str, origins: Origins | None = None) -> list[bytes | None]:
    """Each page's hash of what it is rendered from (None: render it every time). `salt` stands for the templates;
    a record with an origin (`Dataset.origins`) is hashed by it, not pickled: half the work at 师 scale.

    Hashing makes and drops a great many small objects and no cyclic garbage (the hasher and its picklers, which refer
    to each other, are let go of explicitly): the collector is paused meanwhile (its runs were a sixth of the time)."""
    hasher = Hasher(origins)
    base = hashlib.blake2b(f"{code_key()}\0{salt}".encode(), digest_size=20).digest()
    with paused():
        out = [_page_hash(page, base, hasher) for page in pages]
        hasher.forget()  # (before the collector is on again: what the hasher held is gone, not left for a collection)
    return out


def _page_hash(page: Page, base: bytes, hasher: Hasher) -> bytes | None:
    h = hashlib.blake2b(base, digest_size=20)
    h.update(f"{page.url}\0{page.template}\0{page.static}\0".encode())
    if page.photo is not None:
        try:
            h.update(repr((page.photo.url, page.photo.width, page.photo.height)).encode() + page.photo.source.read_bytes())
        except OSError:
            return None
    for key, value in page.context.items():
        digest = hasher.state_hash(value)
        if digest is None:
            return None
        h.update(key.encode() + b"\0" + digest)
    return h.digest()


def _name(out: Path) -> str:
    """The name of an output folder's files in the cache."""
    return hashlib.blake2b(str(Path(os.path.abspath(out))).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()


def _spare_of(cache: Path, out: Path) -> tuple[Path, Path]:
    """The output's spare folder in the cache, and where the spare's last search index waits to be removed."""
    name = _name(out)
    return cache / f"site-{name}", cache / f"trash-{name}"


def look_at_spare(spare: Path, trash: Path, out: Path, last: Iterable[str]) -> tuple[dict[str, Found], bool]:
    """The files of the spare folder (`spare_files`), once the search index the last build set aside (`trash`) is gone;
    and whether the spare was made here: when there is none (the first rebuild after an output written whole), the
    files the last build wrote into the output (`last`) are linked into a new one (`link_copy`), on a core of their own
    while the build reads its records, so that the writer and `place_search` do not link them one by one while it waits."""
    remove(trash)
    made = not os.path.lexists(spare) and bool(last) and link_copy(out, spare, trash, last)
    return spare_files(spare), made


def link_copy(out: Path, spare: Path, work: Path, files: Iterable[str]) -> bool:
    """Hard-link each of `out`'s `files` (relative paths) into a new folder made in `work`, then move that folder to
    `spare` whole (a build killed meanwhile leaves it in `work`, which the next build's look removes). A path that is
    not plain, or whose folder in `out` is not a real folder (a folder replaced by a link could lead out of the output),
    is left out. A file is linked as it is now: the look finds its state (`spare_files`), and one that is no longer as
    the last build wrote it is written again like any other file of the spare that differs from the record."""
    if os.path.islink(out):  # (the writer refuses such an output)
        return False
    real = real_folders(out)
    try:
        work.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix="copy-", dir=work)
    except OSError:
        return False
    source, target, made = f"{out}/", f"{folder}/", {""}
    for rel in files:
        parent = rel.rpartition("/")[0]
        if any(part in ("", ".", "..") or "\\" in part for part in rel.split("/")) or not real(parent):
            continue
        try:
            if parent not in made:
                os.makedirs(target + parent, exist_ok=True)
                made.add(parent)
            os.link(source + rel, target + rel)
        except OSError:
            continue
    try:
        os.rename(folder, spare)
    except OSError:
        return False
    return True


class PageLog:
    """The hashes and file states of the last two builds into one output folder (`pages-<name>.log` in the cache):
    `pages` of the output as the last build left it, `spare_pages` of the spare folder (`site-<name>` in the cache)."""

    def __init__(self, cache: Path, out: Path) -> None:
        self.out = Path(os.path.abspath(out))
        name = _name(out)
        self.path = cache / f"pages-{name}.log"
        self.spare, self.trash = _spare_of(cache, out)
        self.hold = cache / f"search-{name}"  # the spare's search shards kept, while the writer brings the spare up to date
        self.pages: dict[str, tuple[bytes, Stat]] = {}
        self.search: dict[str, tuple[bytes, dict[str, Stat]]] = {}  # each search shard's hash and files
        self.spare_pages: dict[str, tuple[bytes, Stat]] = {}
        self.spare_search: dict[str, tuple[bytes, dict[str, Stat]]] = {}  # the spare folder's search shards
        self._real = real_folders(self.out)
        with contextlib.suppress(Exception):
            key, pages, search, spare_pages, spare_search = marshal.loads(self.path.read_bytes())
            if key == code_key() and all(isinstance(x, dict) for x in (pages, search, spare_pages, spare_search)):
                self.pages, self.search, self.spare_pages, self.spare_search = pages, search, spare_pages, spare_search

    def files(self) -> list[str]:
        """Every file the last build wrote into the output (its pages and search shards)."""
        return [*self.pages, *(rel for _, shard in self.search.values() for rel in shard)]

    def _inside(self, url: str) -> bool:
        """Whether `url`'s folder in the previous output is a real folder of it: a folder replaced by a link could
        lead out of the output, and a file taken over from there would tie the site to a file outside it."""
        return self._real(url.rpartition("/")[0])

    def _untouched(self, url: str, stat: Stat) -> bool:
        try:
            return self._inside(url) and file_stat(self.out / url) == tuple(stat)
        except OSError:
            return False

    def reusable(self, pages: Sequence[Page], hashes: Sequence[bytes | None], spare: dict[str, Found]) -> dict[str, Path | Keep]:
        """For each page whose hash is the one its file was written for, that file: kept in the spare folder (`spare`:
        its files as found), else taken over from the previous output."""
        found: dict[str, Path | Keep] = {}
        for page, digest in zip(pages, hashes, strict=True):
            if digest is None:
                continue
            url = page.url
            held, entry = self.spare_pages.get(url), spare.get(url)
            if held is not None and entry is not None and held[0] == digest:
                stat = entry[0]
                if stat is not None and stat == tuple(held[1]):
                    found[url] = Keep(stat)
                    continue
            old = self.pages.get(url)
            if old is not None and old[0] == digest and self._untouched(url, old[1]):
                found[url] = self.out / url
        return found

    def same_file(self, url: str, data: bytes) -> Path | None:
        """The previous output's file for `url` when it holds exactly `data` (a page rendered again to the same bytes)."""
        path = self.out / url
        try:
            if (
                self._inside(url)
                and path.is_file()
                and not path.is_symlink()
                and path.stat().st_size == len(data)
                and path.read_bytes() == data
            ):
                return path
        except OSError:
            pass
        return None

    def search_files(self, shard: str, digest: bytes) -> dict[str, Path] | None:
        """The previous search shard's files, when it was made from the same records and is untouched."""
        old = self.search.get(shard)
        if old is None or old[0] != digest:
            return None
        files = old[1]
        if not files or not all(self._untouched(rel, stat) for rel, stat in files.items()):
            return None
        return {rel: self.out / rel for rel in files}

    def save(self, pages: dict[str, tuple[bytes, Stat]], search: dict[str, tuple[bytes, dict[str, Stat]]]) -> None:
        """Record this build's output; the output it replaced is now the spare (`write` keeps it there)."""
        with contextlib.suppress(OSError, ValueError):
            _write_atomic(self.path, marshal.dumps((code_key(), pages, search, self.pages, self.search)))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


def _entry_stat(entry: os.DirEntry[str]) -> Stat | None:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


Found = tuple[Stat | None, bool]  # an entry of the spare folder: its state (None: gone meanwhile), and whether a plain file


def spare_files(folder: Path) -> dict[str, Found]:
    """Every entry but a folder under the spare folder (files, links, anything else), by path relative to it, with its
    state (`file_stat`'s, not following links) and whether it is a plain file; links are never followed, so nothing under
    a folder replaced by a link is found. The marker is left out."""
    found: dict[str, Found] = {}
    try:
        if not os.path.isdir(folder) or os.path.islink(folder):
            return found
    except OSError:
        return found
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(folder / rel if rel else folder) as entries:
                for entry in entries:
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(name)
                    elif name != MARKER:
                        found[name] = (_entry_stat(entry), entry.is_file(follow_symlinks=False))
        except OSError:
            continue
    return found


def tree_stats(folder: Path, under: str) -> dict[str, Stat]:
    """The state of every file below `folder`/`under`, by path relative to `folder`."""
    found = {}
    for dirpath, _, filenames in os.walk(folder / under):
        for name in filenames:
            path = Path(dirpath) / name
            found[path.relative_to(folder).as_posix()] = file_stat(path)
    return found


def search_hash(records: Iterable[SearchRecord], binary: Path) -> bytes | None:
    """The hash of (one shard's) search records, the Pagefind binary that indexes them and cxzy itself. A record is
    text and lists of text only: its fields are pickled as they are, without memo (so a string shared between two
    records is written twice, and equal records always give the same bytes)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump([(r.url, r.title, r.content, r.filters, r.unit) for r in records])
    digest = hashlib.blake2b(buffer.getbuffer(), digest_size=20).digest()
    try:
        st = binary.stat()
    except OSError:
        return None
    which = f"{binary}\0{st.st_size}\0{st.st_mtime_ns}\0{code_key()}"
    return hashlib.blake2b(digest + which.encode("utf-8", "surrogateescape"), digest_size=20).digest()


def _search_shards(views: Views) -> dict[str, list[SearchRecord]]:
    """Every search record of the build, by shard."""
    from cxzy_gen.site.plan import search_records
    from cxzy_gen.site.search import shards

    return shards(search_records(views))


def list_search(views: Views, binary: Path, made: dict[str, set[bytes]]) -> tuple[dict[str, bytes | None], dict[str, list[SearchRecord]]]:
    """Every search shard's hash (by name, in order), and the records of the shards to index again: those whose hash is
    none the last two builds made under that name (`made`)."""
    parts = _search_shards(views)
    digests = {name: search_hash(part, binary) for name, part in parts.items()}
    todo = {name: part for name, part in parts.items() if (digest := digests[name]) is None or digest not in made.get(name, ())}
    return digests, todo


Listed = tuple[dict[str, bytes | None], list[str]]


def search_steps(views: Views, binary: Path, made: dict[str, set[bytes]], folder: Path, stop: threading.Event) -> Iterator[Listed]:
    """Run aside (`Incremental.list_search`, a `Steps`): every search shard's hash and the names of the shards to index
    again (`list_search`), at once; then the same again, once those shards are indexed into `folder`. Only hashes and
    names come back to the build, never records."""
    from cxzy_gen.site.search import BUNDLE, index_shards

    digests, todo = list_search(views, binary, made)
    yield digests, list(todo)
    for name in todo:  # (what a process that died left, when the build does this itself)
        shutil.rmtree(folder / BUNDLE / name, ignore_errors=True)
    index_shards(folder, todo, binary, stop)
    yield digests, list(todo)


class Incremental:
    """One build into `out` with a cache: which pages to render, which files of the last output to take over.

    Begun as soon as the build holds the output's turn: the spare folder is looked at aside from then on (`look_at_spare`,
    a process of its own; it links the last output into a new spare when there is none) while the records are read and
    checked. `list_search()` lists the search records aside too, and indexes the shards whose records changed, from
    before the pages are planned; `hash_pages()` has the build's workers hash the pages; `index_search()` says which
    search shards are indexed again; `compare()` takes the spare folder's files, sets its unchanged search shards aside
    and says which pages to render; `files()` merges the rendered pages with the files taken over, in the pages' order;
    `place_search()` puts the search shards not indexed again in place; `save()` records what this build wrote, for the
    next one; `close()` ends what still runs aside."""

    def __init__(self, cache: Path, out: Path) -> None:
        self.log = PageLog(cache, out)
        last = [] if os.path.lexists(self.log.spare) else self.log.files()  # (a spare there: nothing to link)
        self.looked = Aside(look_at_spare, self.log.spare, self.log.trash, self.log.out, last)
        self.listing: Steps[Listed] | None = None
        self.index_folder: Path | None = None
        self.stop = threading.Event()
        self.views: Views | None = None
        self.binary: Path | None = None
        self._hashing: Iterable[list[bytes | None]] = []
        self.pages: Sequence[Page] = []
        self.held: dict[str, Found] = {}  # the spare's files (`compare`)
        self.spare = Spare(self.log.spare)
        self.hashes: list[bytes | None] = []
        self.kept: dict[str, Path | Keep] = {}
        self.todo: list[Page] = []  # the pages to render (`compare`)
        self.stats: dict[str, Stat] = {}
        self.search: dict[str, tuple[bytes, dict[str, Stat]]] = {}
        self.digests: dict[str, bytes | None] | None = None  # every search shard's hash, by name in order (`index_search`)
        self.moved: dict[str, dict[str, Stat]] = {}  # the spare's shards moved aside whole, with their files
        self.indexed: set[str] = set()  # the shards indexed again (`index_search`)
        self.taken: dict[str, dict[str, Path]] = {}  # the shards taken over from the last output, with their files
        self.late: set[str] = set()  # shards made from the same records whose files are gone or touched

    def __enter__(self) -> Incremental:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for aside in (self.looked, self.listing):
            if aside is not None:
                aside.close()
        if self.index_folder is not None:  # (a build that failed before its index was taken: `Indexing.close` removes it)
            shutil.rmtree(self.index_folder, ignore_errors=True)

    def list_search(self, views: Views, binary: Path) -> None:
        """Begin listing the search records by shard, hashing the shards and indexing those whose records changed
        (`search_steps`) in a process of its own, into a folder beside the output: on the core left free while this
        process plans the pages, without the records coming back."""
        from cxzy_gen.site.search import index_folder

        made = {
            name: {old[0] for old in (self.log.spare_search.get(name), self.log.search.get(name)) if old is not None and old[1]}
            for name in {*self.log.spare_search, *self.log.search}
        }
        self.views, self.binary = views, binary
        self.index_folder = index_folder(self.log.out)
        self.listing = Steps(search_steps, views, binary, made, self.index_folder, self.stop)

    def hash_pages(self, pages: Sequence[Page], templates: Path | None, workers: Workers) -> None:
        """The build's workers hash the pages, a share each (one that is done early takes another), while this process
        waits for the search shards' hashes listed aside."""
        salt, count = folder_digest(templates), len(pages)
        shares = 2 * workers.jobs if workers.jobs > 1 else 1
        bounds = [(count * n // shares, count * (n + 1) // shares, salt) for n in range(shares)]
        self._hashing = workers.map(_hash_share, bounds)
        self.pages = pages
        self.todo = list(pages)

    def compare(self) -> list[int]:
        """Each page's hash against the files of the last two builds: the places of the pages to render (the others are
        kept or taken over)."""
        # (taken while this build holds the output's turn, see `write.turn`)
        self.held, made = self.looked.result()
        if made:  # the spare is the last output linked: the last build's record describes it (a file changed since is found so)
            self.log.spare_pages, self.log.spare_search = self.log.pages, self.log.search
        self.spare = Spare(self.log.spare, set(self.held))
        if self.digests is not None:
            self._keep_search()
        self.hashes = [digest for share in self._hashing for digest in share]
        self.kept = self.log.reusable(self.pages, self.hashes, self.held)
        places = [n for n, page in enumerate(self.pages) if page.url not in self.kept]
        self.todo = [self.pages[n] for n in places]
        return places

    def files(self, rendered: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes | Path | Keep]]:
        fresh = iter(rendered)
        for page in self.pages:
            kept = self.kept.get(page.url)
            if kept is not None:
                yield page.url, kept
            else:
                url, data = next(fresh)
                assert url == page.url
                yield url, self._same_file(url, data) or data

    def _same_file(self, url: str, data: bytes) -> Keep | Path | None:
        """A file that holds exactly `data` already: the spare's (kept), else the previous output's (taken over)."""
        stat, plain = self.held.get(url, (None, False))
        if plain:
            try:
                if stat is not None and stat[0] == len(data) and (self.log.spare / url).read_bytes() == data:
                    return Keep(stat)
            except OSError:
                pass
        return self.log.same_file(url, data)

    def index_search(self) -> Indexing:
        """The search index of the shards to index again, known from the records (listed aside) and the last two builds'
        shard hashes alone: those neither build made from the same records, being indexed aside already (or, where no
        process could be forked, by the thread this starts). (A shard one of them made is kept or taken over by `compare`,
        or indexed by `place_search` if its files were touched.)"""
        from cxzy_gen.site.search import Indexing

        listing, folder, binary = self.listing, self.index_folder, self.binary
        assert listing is not None and folder is not None and binary is not None, "list_search first"
        self.digests, names = listing.next()
        self.indexed = set(names)
        return Indexing(
            folder,
            names,
            work=listing.next,
            then=lambda site: self.place_search(site, binary),
            stop=self.stop,
            threaded=not listing.forked,
            cancel=listing.close,
        )

    def _keep_search(self) -> None:
        """Before the writer brings the spare folder up to date (and removes what this build does not write): each of
        the spare's search shards whose records are this build's and whose files are exactly those written (no file
        more, none changed, no link) is moved aside whole, a folder renamed, for `place_search` to move into the new
        output; else each such shard of the last output whose files are untouched is taken over; the rest are indexed
        late."""
        from cxzy_gen.site.search import BUNDLE

        assert self.digests is not None
        shutil.rmtree(self.log.hold, ignore_errors=True)  # what a killed build left
        files = self.spare.files
        by_shard: dict[str, dict[str, Found]] = {}  # the spare's files under pagefind/<shard>/, in one pass
        index: list[str] = []  # every entry under pagefind/
        for rel, entry in self.held.items():
            top, _, rest = rel.partition("/")
            if top == BUNDLE:
                index.append(rel)
                if "/" in rest:
                    by_shard.setdefault(rest.partition("/")[0], {})[rel] = entry
        for name, digest in self.digests.items():
            old = self.log.spare_search.get(name)
            if name in self.indexed or old is None or old[0] != digest or not old[1] or files is None:
                continue
            held = by_shard.get(name, {})
            if held.keys() != old[1].keys() or any(entry[0] != tuple(old[1][rel]) for rel, entry in held.items()):
                continue
            try:
                self.log.hold.mkdir(parents=True, exist_ok=True)
                os.rename(self.log.spare / BUNDLE / name, self.log.hold / name)
            except OSError:
                continue
            for rel in held:
                del self.held[rel]
                files.discard(rel)
            self.moved[name] = old[1]
        if files is not None:
            self._set_aside(index)
        for name, digest in self.digests.items():
            if name in self.moved or name in self.indexed:
                continue
            assert digest is not None
            last = self.log.search_files(name, digest)
            if last is None:
                self.late.add(name)
            else:
                self.taken[name] = last

    def _set_aside(self, index: list[str]) -> None:
        """The rest of the spare's search index (the shards indexed again, anything else under pagefind/) moved out of the
        spare whole, one folder renamed, to be removed when the next build looks at the spare (`look_at_spare`, on a core
        of its own) instead of file by file here while the writer waits: this build writes its own index there."""
        from cxzy_gen.site.search import BUNDLE

        assert self.spare.files is not None
        if not index:
            return
        try:
            self.log.trash.mkdir(parents=True, exist_ok=True)
            os.rename(self.log.spare / BUNDLE, Path(tempfile.mkdtemp(dir=self.log.trash)) / BUNDLE)
        except OSError:
            return  # (it cannot be moved: the writer removes what is left)
        for rel in index:
            self.held.pop(rel, None)
            self.spare.files.discard(rel)

    def place_search(self, folder: Path, binary: Path) -> None:
        """The rest of the search index in the new output `folder`, once the shards `index_search` named are indexed into
        it: each other shard moved in from the spare or taken over from the last output, its files as that build left
        them (one whose files were touched, or that cannot be moved after all, is indexed now), and the manifest."""
        from cxzy_gen.site.search import BUNDLE, MANIFEST, index_shards, manifest

        assert self.digests is not None, "index_search first"
        late = set(self.late)
        self.search = {}
        for name, digest in self.digests.items():
            if name in self.indexed or name in self.late:
                continue
            assert digest is not None
            kept = self.moved.get(name)
            if kept is not None:
                target = folder / BUNDLE / name
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if target.is_dir() and not target.is_symlink():
                        target.rmdir()  # an empty folder the spare's other files left (anything in it: an error)
                    os.rename(self.log.hold / name, target)
                except OSError:
                    late.add(name)
                    continue
                self.search[name] = (digest, kept)
                continue
            for rel, source in self.taken[name].items():
                target = folder / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                take_over(source, target)
            self.search[name] = (digest, self.log.search[name][1])
        shutil.rmtree(self.log.hold, ignore_errors=True)
        todo = self._records(late)
        index_shards(folder, todo, binary)
        for name in [*self.indexed, *todo]:
            digest = self.digests[name]
            if digest is not None:
                self.search[name] = (digest, tree_stats(folder, f"{BUNDLE}/{name}"))
        names, url = manifest(self.digests), f"{BUNDLE}/{MANIFEST}"
        same = self.log.same_file(url, names)
        if same is not None:
            take_over(same, folder / url)
        else:
            (folder / url).write_bytes(names)

    def _records(self, names: set[str]) -> dict[str, list[SearchRecord]]:
        """The records of the shards `names` (made from the same records as before, whose files were touched or could not
        be moved): listed again here, which is rare, since only the changed shards' records came back from aside."""
        if not names:
            return {}
        assert self.views is not None
        parts = _search_shards(self.views)
        return {name: parts[name] for name in self.digests or () if name in names}

    def save(self) -> None:
        written = {
            page.url: (digest or b"", self.stats[page.url])
            for page, digest in zip(self.pages, self.hashes, strict=True)
            if page.url in self.stats
        }
        self.log.save(written, self.search)
