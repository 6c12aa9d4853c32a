"""Search: every unit, member, commitment, review and commendation of one build as a Pagefind record, and the index.

The records come from the views of this build (so a build for one audience indexes nothing narrower) and
are given to Pagefind as custom records, one per record of the data, each with the URL of the place it is
shown and the filters 单位, 年度, 类别 and 状态. Pagefind's binary comes from PyPI (`pagefind[bin]`), so
indexing needs no network.

Chinese queries: Pagefind 1.5's extended binary segments the index with jieba at build time, and the search
page's Pagefind segments the query with the browser's Intl.Segmenter; the two disagree on many words
(pagefind#1237): a query such as 节水灌溉 became terms the index never held. The index therefore stores Chinese
text one character per word (`spaced`), so whatever the browser makes of a query, its pieces are single
characters found in order; with the words spaced, Pagefind's plain binary indexes them as the extended one
did, faster (docs/search.md has the measurements).

Shards: Pagefind's memory and time grow with the records of one index (about 80 KB of memory a record), and it
cannot update an index. The records are therefore split into shards by a stable hash of the unit whose folder
holds them, each shard its own Pagefind bundle (`pagefind/<n>/`), at most `PARALLEL` indexed at once; the
search page merges them in the browser (`pagefind/shards.json` names them). A change re-indexes only the
shards whose records changed (`reuse.Incremental.index`).

Pagefind drops a query word its index does not hold (and finds the records with the other words). One index
over every record drops only words that are nowhere; a shard would drop a character that only other shards
hold, and answer a query that matches nothing with records that have the rest of its characters. So each
shard also gets a vocabulary record (`vocabulary`): the Chinese characters of GB 2312 that its records lack,
without filters, so that the search page, which always filters by 类别, never shows it.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cxzy_gen.records import models as m
from cxzy_gen.site.derive import CommendationView, Ref, ReviewView, Views
from cxzy_gen.site.write import clean_leftovers

LANGUAGE = "zh-cn"  # the pages' <html lang>; Pagefind's search page loads the index of its own language
BUNDLE = "pagefind"  # the folder Pagefind writes into the site
UNUSED = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")
MANIFEST = "shards.json"  # in BUNDLE: the shards' folders, the first one the search page loads Pagefind from
# Most records a shard holds, on average: the number of shards is the smallest power of two that keeps them
# at or below it (a unit's records stay together, so one shard can hold a little more). Measured with
# Pagefind 1.5.2 (docs/search.md): 4,000 records take about 6 s and 370 MB, 16,000 about 26 s and 1.3 GB.
SHARD_RECORDS = 4000
PARALLEL = 2  # Pagefind processes at once: bounds the memory (each about SHARD_RECORDS × 80 KB)
VOCABULARY_URL = "search/index.html"  # the vocabulary record's (never shown: it has no 类别)
# The 6,763 Chinese characters of GB 2312 (levels 1 and 2), in its order.
GB2312 = "".join(
    bytes([row, cell]).decode("gb2312") for row in range(0xB0, 0xF8) for cell in range(0xA1, 0xFF) if (row, cell) < (0xD7, 0xFA)
)

# A run of Chinese characters (CJK ideographs, with the compatibility and extension A blocks).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MARKDOWN = re.compile(r"[*_`#>\[\]]|\(\S+\)")


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One search result: where it is shown, its title, what is searched, and its filters."""

    url: str  # relative to the site root, with the record's anchor
    title: str
    content: str
    filters: dict[str, list[str]]
    unit: str  # the id of the unit whose folder holds the record: it decides the record's shard


def spaced(text: str) -> str:
    """Chinese characters one word each (a space around every ideograph), other text as it was."""
    return re.sub(r"\s+", " ", _CJK.sub(lambda c: f" {c.group()} ", text)).strip()


def plain(text: str | None) -> str:
    """Markdown fields as plain words: emphasis, list and link syntax dropped."""
    return _MARKDOWN.sub(" ", text or "")


def records(
    views: Views, url_of_ref: Callable[[Ref], str], review_url: Callable[[ReviewView], str], notice_links: dict[str, str], honours: str
) -> Iterator[SearchRecord]:
    """The search records of one build, in a fixed order. URLs are the planner's (passed in by `plan.search_records`)."""
    units = views.units
    for uv in units.values():
        u = uv.unit
        words = [u.name, u.short_name or "", u.kind.value, u.type.value, plain(u.description)]
        words += [uv.secretary.name if uv.secretary else "", uv.parent.name if uv.parent else ""]
        yield SearchRecord(url_of_ref(uv.ref), u.name, " ".join(words), {"类别": ["党组织"], "单位": [u.name]}, u.id)
    for mv in views.members.values():
        p = mv.member
        words = [p.name, p.post or "", p.duties or "", "、".join(p.roles), mv.unit.name]
        filters = {"类别": ["党员"], "单位": [mv.unit.name]}
        yield SearchRecord(url_of_ref(mv.ref), f"{p.name}（{mv.unit.name}）", " ".join(words), filters, mv.unit.id)
    for c in views.commitments:
        r = c.record
        words = [c.subject.name, r.title, plain(r.measures), c.responsible.name if c.responsible else ""]
        words += [plain(x.note) for x in r.progress]
        if r.evaluation:
            words += [r.evaluation.self_assessment or "", r.evaluation.peer or "", r.evaluation.leader or "", r.evaluation.masses or ""]
        words += [f.value for f in r.focus] + list(r.five_good) + list(r.five_lead)
        yield SearchRecord(
            f"{url_of_ref(c.subject)}#c-{r.id}",
            f"{c.subject.name}：{r.title}",
            " ".join(words),
            _filters("公开承诺", units[r.folder_unit].ref.name, c.year, c.status.value),
            r.folder_unit,
        )
    for v in views.reviews:
        rv = v.record
        words = [v.target.name, rv.reviewer.name, rv.reviewer.title, plain(rv.opinion.achievements), plain(rv.opinion.problems)]
        words += [plain(rv.opinion.direction), *(x.record.item for x in v.rectifications)]
        yield SearchRecord(
            review_url(v),
            f"{rv.reviewer.name}点评{v.target.name}（{rv.date.year} 年）",
            " ".join(words),
            _filters("领导点评", units[rv.folder_unit].ref.name, v.year, "已撤回" if rv.withdrawn else None),
            rv.folder_unit,
        )
    for h in views.commendations:
        hr = h.record
        status = _commendation_status(h)
        # a nominee from outside the data has no page of its own: the notice or the honour roll
        on_roll = hr.status.value == "已表彰" or h.nominee.kind == "external"
        url = notice_links.get(hr.id) or (f"{honours}#h-{hr.id}" if on_roll else url_of_ref(h.nominee))
        words = [h.nominee.name, hr.title, plain(hr.deeds), h.nominated_by.name, h.awarding.name]
        yield SearchRecord(
            url,
            f"{h.nominee.name}：{hr.year} 年度{hr.title}",
            " ".join(words),
            _filters("评选表彰", h.awarding.name, hr.year, status),
            hr.folder_unit,
        )


def _commendation_status(h: CommendationView) -> str:
    """The 状态 filter of a commendation: 已表彰 or 已撤销, else where its 公示 stands (公示中, 未开始, 公示期满), else 推荐."""
    if h.record.status is m.CommendationStatus.REVOKED:
        return "已撤销"
    if h.record.status is m.CommendationStatus.AWARDED:
        return "已表彰"
    return h.window.status.value if h.window is not None else h.record.status.value


def _filters(kind: str, unit: str, year: int, status: str | None) -> dict[str, list[str]]:
    out = {"类别": [kind], "单位": [unit], "年度": [f"{year} 年"]}
    if status:
        out["状态"] = [status]
    return out


class SearchIndexError(RuntimeError):
    """Pagefind failed to index the site."""


def shard_count(records: int) -> int:
    """How many shards `records` search records are split into: the smallest power of two that keeps a shard's
    average at or below SHARD_RECORDS (a power of two, so the count changes only when the records double)."""
    count = 1
    while records > count * SHARD_RECORDS:
        count *= 2
    return count


def shards(items: Sequence[SearchRecord]) -> dict[str, list[SearchRecord]]:
    """The records by shard, in the records' order within each: shard names "0", "1", … by a stable hash of each
    record's unit, so a unit's records always share a shard; only shards that hold records (at least "0")."""
    count = shard_count(len(items))
    of_unit: dict[str, int] = {}
    groups: dict[int, list[SearchRecord]] = {}
    for item in items:
        number = of_unit.get(item.unit)
        if number is None:
            digest = hashlib.blake2b(item.unit.encode("utf-8"), digest_size=8).digest()
            number = of_unit[item.unit] = int.from_bytes(digest, "big") % count
        groups.setdefault(number, []).append(item)
    return {str(number): groups[number] for number in sorted(groups)} or {"0": []}


def index_shards(site: Path, parts: Mapping[str, Sequence[SearchRecord]], binary: Path, stop: threading.Event | None = None) -> None:
    """Index each shard into `site`/pagefind/<name>, at most PARALLEL Pagefind processes at once (`stop`: give up)."""
    todo = list(parts.items())
    if not todo:
        return
    with ThreadPoolExecutor(min(PARALLEL, len(todo)), thread_name_prefix="pagefind") as pool:
        for done in [pool.submit(index_bundle, site / BUNDLE / name, part, binary, stop) for name, part in todo]:
            done.result()


def index_folder(out: Path) -> Path:
    """A new folder beside `out` (`.<name>-index-*`, on the same file system) for the build's search index, once what
    killed builds left there is removed (the caller holds the output's turn)."""
    out = Path(os.path.abspath(out))
    clean_leftovers(out, ("index",))
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-index-", dir=out.parent))


class Indexing:
    """The search index of one build, made while its pages are compared, rendered and written: `work` indexes the shards
    `names` into `folder` (`index_folder`), in a thread (`threaded`), so the index takes a core the pages leave free
    instead of following them, or in a process of its own begun earlier (`work` then only waits for it: `finish` calls
    it). `start` (once the build has forked its workers, if it does: forking beside a running thread is unsafe) sets the
    thread going; `finish` waits for the work, moves the shards into the new output folder and calls `then` (which writes
    the manifest, or puts the unchanged shards in place); `close` stops the work early when the build failed (`stop` set,
    `cancel` called), and removes the folder."""

    def __init__(
        self,
        folder: Path,
        names: Iterable[str],
        work: Callable[[], object],
        then: Callable[[Path], None],
        stop: threading.Event,
        threaded: bool = True,
        cancel: Callable[[], None] | None = None,
    ) -> None:
        self.folder, self.names, self.work, self.then = folder, list(names), work, then
        self.stop, self.cancel = stop, cancel
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="pagefind", daemon=True) if threaded else None
        self.started = False

    def start(self) -> None:
        if not self.started and self.thread is not None:
            self.started = True
            self.thread.start()

    def _run(self) -> None:
        try:
            self.work()
        except BaseException as error:  # raised again by `finish`, in the build's thread
            self.error = error

    def finish(self, site: Path) -> None:
        if self.thread is None:
            self.work()
        else:
            self.start()
            self.thread.join()
        if self.error is not None:
            raise self.error
        if self.names:
            (site / BUNDLE).mkdir(parents=True, exist_ok=True)
        for name in self.names:
            os.rename(self.folder / BUNDLE / name, site / BUNDLE / name)
        self.then(site)

    def close(self) -> None:
        self.stop.set()
        if self.cancel is not None:
            self.cancel()
        if self.started and self.thread is not None:
            self.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def manifest(parts: Iterable[str]) -> bytes:
    """`pagefind/shards.json`: the shards' folders, in order; the search page loads the first and merges the rest."""
    return (json.dumps([f"{name}/" for name in parts]) + "\n").encode("utf-8")


def vocabulary(items: Iterable[SearchRecord]) -> SearchRecord:
    """The characters of GB 2312 that `items` do not hold, as one record without filters: indexed with a shard, it
    makes the shard hold every common character, so a query's character missing from it is not dropped."""
    present = set(_CJK.findall(" ".join(item.content for item in items)))
    return SearchRecord(VOCABULARY_URL, "", " ".join(c for c in GB2312 if c not in present), {}, "")


def index_bundle(folder: Path, items: Sequence[SearchRecord], binary: Path, stop: threading.Event | None = None) -> int:
    """Index `items` and their vocabulary record into the Pagefind bundle `folder` with Pagefind's service mode;
    returns the number of records. `stop`, once set, makes it give up (SearchIndexError).

    Speaks Pagefind's service protocol (base64 JSON messages ended by a comma) directly: the records are written
    one after another and their answers read after them (the `pagefind` package's asyncio client polls every
    0.1 s per answer, which made a thousand records take minutes; waiting for each answer made this thread wait
    for the interpreter's lock once a record while the pages render). The bundle's files are asked for (GetFiles) and
    written here one after another (`write_bundle`): Pagefind's own WriteFiles writes its ~3,000 files a shard from many
    threads at once into the same folders, and spent more time in the kernel, waiting on the folders' locks, than it
    spent indexing (3.8–4.3 s against 0.7 s for a shard of 3,000 records at 师 scale)."""
    _check(stop)
    with subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        service = _Service(proc)
        try:
            index_id = service.send({"type": "NewIndex", "config": {}})["index_id"]
            records = [*items, vocabulary(items)]
            service.send_all(
                {
                    "type": "AddRecord",
                    "index_id": index_id,
                    "url": item.url,
                    "content": spaced(item.content),
                    "language": LANGUAGE,
                    "meta": {"title": item.title},
                    "filters": item.filters,
                    "sort": None,
                }
                for item in records
            )
            _check(stop)
            files = service.send({"type": "GetFiles", "index_id": index_id})["files"]
        finally:
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # (what was left to write to a Pagefind that exited)
                proc.stdin.close()
    _check(stop)
    write_bundle(folder, files)
    return len(items) + 1


def write_bundle(folder: Path, files: Iterable[Mapping[str, Any]]) -> None:
    """The files of a Pagefind bundle (GetFiles: each a path relative to the bundle and its bytes in base64) written
    into the new folder `folder` one after another, but for Pagefind's own ready-made interfaces (`UNUSED`: the search
    page has its own). A path that would leave the folder, content that is not base64, a file already there (or a link)
    or one that cannot be written: SearchIndexError."""
    folders: set[Path] = set()
    for file in files:
        rel = PurePosixPath(str(file["path"]))
        if rel.is_absolute() or not rel.parts or any(part == ".." or "\\" in part for part in rel.parts):
            raise SearchIndexError(f"Pagefind 给出的索引文件名不能用：{str(file['path'])[:80]!r}")
        if len(rel.parts) == 1 and any(fnmatch.fnmatchcase(rel.name, unused) for unused in UNUSED):
            continue
        target = folder.joinpath(*rel.parts)
        try:
            data = base64.b64decode(file["content"], validate=True)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            with open(target, "xb") as sink:
                sink.write(data)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise SearchIndexError(f"搜索索引文件 {target} 写不进去：{reason}") from None


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise SearchIndexError("搜索索引没有建完：生成已中止")


class _Service:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc, self.next_id = proc, 0
        self.pending = bytearray()  # what Pagefind wrote past the last answer read

    def _answer(self) -> bytes:
        """The next answer (up to its comma), read in whatever chunks the pipe holds, not byte by byte."""
        assert self.proc.stdout is not None
        while (end := self.pending.find(b",")) < 0:
            chunk = self.proc.stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                raise SearchIndexError("Pagefind 意外退出")
            self.pending += chunk
        raw = bytes(self.pending[:end])
        del self.pending[: end + 1]
        return raw

    def _result(self, answer: Any) -> dict[str, Any]:
        result: dict[str, Any] = answer["payload"]
        if result.get("type") == "Error":
            raise SearchIndexError(f"Pagefind 建立索引失败：{result.get('message')}")
        return result

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """One request and its answer."""
        return self.send_all([payload])[0]

    def send_all(self, payloads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Requests, then their answers in the same order; raises SearchIndexError if any is an error. A thread writes
        the requests while this one reads the answers, so neither pipe can fill up and stop both sides."""
        messages = list(payloads)
        first = self.next_id + 1
        self.next_id += len(messages)

        def write() -> None:
            assert self.proc.stdin is not None
            try:
                for number, payload in enumerate(messages, first):
                    message = {"message_id": number, "payload": payload}
                    self.proc.stdin.write(base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b",")
                self.proc.stdin.flush()
            except (OSError, ValueError):  # Pagefind exited: the reader finds its output ended and says so
                pass

        writer = threading.Thread(target=write, name="pagefind-in", daemon=True)
        writer.start()
        answers: dict[int, dict[str, Any]] = {}
        try:
            while len(answers) < len(messages):
                answer = json.loads(base64.b64decode(self._answer()))
                if not isinstance(answer, dict):
                    continue
                number = answer.get("message_id")
                if number is None:  # an error about no message in particular (one Pagefind could not read)
                    self._result(answer)
                elif first <= number < first + len(messages):
                    answers[number] = self._result(answer)
        finally:
            writer.join()
        return [answers[number] for number in range(first, first + len(messages))]
