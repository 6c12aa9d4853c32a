"""Git as the archive: one `git log` run → revisions per data file, and the approving merge of each.

Everything here is I/O at the edge of the pipeline. Nothing raises for a missing git, a folder outside a
repository or an empty repository: `History.load` returns an empty history with `available=False` and a
reason the site can print once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cxzy_gen.dates import china_date
from cxzy_gen.git.commits import LOG_FORMAT, MAX_COMMIT_BYTES, ChangeType, Commit, FileChange, parse_commit, parse_log
from cxzy_gen.git.plumbing import GitError, has_commits, is_shallow, locate, read_objects, run_git
from cxzy_gen.records import layout
from cxzy_gen.records.loader import MAX_FILE_BYTES, decode, parse
from cxzy_gen.records.pii import find_pii

if TYPE_CHECKING:
    from cxzy_gen.git.forge import ForgeLinks


def read_commits(root: Path, ref: str) -> list[Commit]:
    """Every commit reachable from `ref`, newest first, with the files each changed; a GitError when git fails.

    No path limit on purpose: which merge approved a commit needs the whole first-parent line, and path
    limiting would hide the merges that brought data changes in.
    """
    entries = parse_log(run_git(root, "log", "-z", "--name-status", "-M", LOG_FORMAT, ref, "--"))
    objects = {
        oid: (raw, kind == "commit" and size <= MAX_COMMIT_BYTES)
        for oid, kind, raw, size in read_objects(root, [e.sha for e in entries], MAX_COMMIT_BYTES)
    }
    commits = []
    for entry in entries:
        raw, whole = objects.get(entry.sha, (b"", False))
        commits.append(replace(parse_commit(entry.sha, raw, whole), parents=entry.parents, files=entry.files))
    return commits


# ---------------------------------------------------------------- the model of history


def meaning(file: FileChange) -> tuple[str, str]:
    """(unit id, what the file holds); a file renamed to a name cxzy does not read is named by its old path."""
    return _meaning(file.path, file.old_path)


@lru_cache(maxsize=1 << 17)  # a big board's pages ask about the same few thousand paths hundreds of thousands of times
def _meaning(path: str, old_path: str | None) -> tuple[str, str]:
    known = layout.place_within(path) is not None or not old_path
    return _file_meaning(path if known else old_path or path)


_REQUEST_PATTERNS = (
    re.compile(r"^Merge pull request #([0-9]{1,9})(?![0-9])"),  # GitHub
    re.compile(r"\(#([0-9]{1,9})\)"),  # Gitea merges and GitHub/Gitea squash merges
    re.compile(r"See merge request [^\s!]*!([0-9]{1,9})(?![0-9])"),  # GitLab, in the body
)


@dataclass(frozen=True, slots=True)
class Approval:
    """审批: the merge on the main line that brought a commit in. Its author is who merged (approved) it: forges
    write the merging person as the author and often themselves (e.g. 「GitHub」) as the committer."""

    merge: Commit

    @property
    def by(self) -> str:
        return self.merge.author

    @property
    def date(self) -> dt.date:
        return china_date(self.merge.committed)

    @property
    def request(self) -> int | None:
        """The change request number (pull/merge request), when the forge wrote it into the merge message."""
        text = f"{self.merge.subject}\n{self.merge.body}"
        for pattern in _REQUEST_PATTERNS:
            found = pattern.search(text)
            if found:
                return int(found.group(1))
        return None


@dataclass(frozen=True, slots=True)
class Revision:
    """One commit's change to one data file: a line of a record's 修订记录."""

    commit: Commit
    file: FileChange
    approval: Approval | None

    @property
    def sha(self) -> str:
        return self.commit.sha

    @property
    def short(self) -> str:
        return self.commit.short

    @property
    def date(self) -> dt.date:
        return self.commit.date

    @property
    def author(self) -> str:
        return self.commit.author

    @property
    def subject(self) -> str:
        return self.commit.subject

    @property
    def change(self) -> ChangeType:
        return self.file.change

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def old_path(self) -> str | None:
        return self.file.old_path

    @property
    def what(self) -> str:
        """The change in words made from the file alone, e.g. 修改公开承诺 2011 年 — safe for any audience,
        unlike the free-text commit message, which may speak of records meant for a narrower one."""
        return f"{self.change.label}{meaning(self.file)[1]}"


@dataclass
class History:
    """The data folder's history from one `git log` run. Empty, with `available=False` and a reason, outside git."""

    available: bool = False
    reason: str = ""
    root: Path | None = None  # repository root
    prefix: str = ""  # the data folder, relative to the root ("data")
    head: str | None = None  # the commit the history starts from (the data version)
    head_date: dt.datetime | None = None
    shallow: bool = False  # a shallow clone: older history is missing
    commits: list[Commit] = field(default_factory=list)  # commits that changed data files, newest first
    _by_path: dict[str, list[Revision]] = field(default_factory=dict, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)  # sha → position in log order
    _approvals: dict[str, Approval] = field(default_factory=dict, repr=False)
    _by_unit: dict[str, set[str]] = field(default_factory=dict, repr=False)  # unit id → paths ever in its folder
    _cache: dict[str, list[Revision]] = field(default_factory=dict, repr=False)  # for_file results: many pages share a file
    _paths: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)  # (cwd, path given) → repo path
    _real_root: str = field(default="", repr=False)  # `root` with its links resolved, once

    @classmethod
    def load(cls, data_dir: Path, ref: str = "HEAD") -> History:
        """Read the history of `data_dir` from the repository around it; never raises."""
        where = locate(data_dir)
        if not where.in_git:
            return cls(reason=f"{where.reason}，站点不显示修订记录")
        root, prefix = where.root, where.prefix
        if ref == "HEAD" and not has_commits(root):  # a repository just made (cxzy init) before its first commit
            return cls(root=root, prefix=prefix, reason="git 仓库还没有提交，站点不显示修订记录")
        try:
            all_commits = read_commits(root, ref)
        except GitError as exc:
            return cls(root=root, prefix=prefix, reason=f"读取 git 历史失败（{exc}），站点不显示修订记录")
        if not all_commits:
            return cls(root=root, prefix=prefix, reason="git 仓库还没有提交，站点不显示修订记录")
        history = cls.from_commits(all_commits, root=root, prefix=prefix, shallow=is_shallow(root))
        if not history.commits:
            return cls(root=root, prefix=prefix, reason=f"数据目录 {data_dir} 还没有提交到 git，站点不显示修订记录")
        return history

    @classmethod
    def from_commits(cls, all_commits: Sequence[Commit], root: Path | None = None, prefix: str = "", shallow: bool = False) -> History:
        """Index parsed commits (newest first, head first): keep data files only, find each commit's approval."""
        inside = f"{prefix}/" if prefix else ""
        approvals = _approvals(all_commits)
        history = cls(
            available=True, root=root, prefix=prefix, head=all_commits[0].sha, head_date=all_commits[0].committed, shallow=shallow
        )
        for i, commit in enumerate(all_commits):
            history._order[commit.sha] = i
            files = tuple(f for f in commit.files if f.path.startswith(inside) or (f.old_path or "").startswith(inside))
            if not files:
                continue
            kept = replace(commit, files=files)
            history.commits.append(kept)
            approval = approvals.get(commit.sha)
            if approval:
                history._approvals[commit.sha] = approval
            for f in files:
                history._by_path.setdefault(f.path, []).append(Revision(kept, f, approval))
                unit, _ = _file_meaning(f.path)
                if unit:
                    history._by_unit.setdefault(unit, set()).add(f.path)
        return history

    # -------------------------------------------------------------- queries

    def repo_path(self, path: str | os.PathLike[str]) -> str:
        """A repository-relative posix path for a path given relative to the repo root, the cwd, or absolute."""
        text = os.fspath(path).replace("\\", "/")
        if text in self._by_path or self.root is None:
            return text
        # Each path is resolved once (a big board's pages name the same few thousand files many times over); a
        # relative one is resolved against the current folder, so that is part of the key.
        key = ("" if os.path.isabs(text) else os.getcwd(), text)
        found = self._paths.get(key)
        if found is None:
            if not self._real_root:
                self._real_root = os.path.realpath(self.root)
            absolute = os.path.realpath(os.path.join(key[0], text))
            try:
                found = PurePosixPath(os.path.relpath(absolute, self._real_root)).as_posix()
            except ValueError:  # pragma: no cover - other drive on Windows
                found = text
            self._paths[key] = found
        return found

    def for_file(self, path: str | os.PathLike[str]) -> list[Revision]:
        """Every revision of one data file, newest first, following it back through renames."""
        key = self.repo_path(path)
        if key not in self._cache:
            self._cache[key] = sorted(self._revisions(key, cut=-1, depth=0), key=lambda r: self._order[r.sha])
        return list(self._cache[key])

    def _revisions(self, key: str, cut: int, depth: int) -> list[Revision]:
        # Revisions of `key` older than log position `cut`, plus those of the paths it was renamed from.
        found = [r for r in self._by_path.get(key, []) if self._order[r.sha] > cut]
        if depth < 100:
            for rev in list(found):
                if rev.change is ChangeType.RENAMED and rev.old_path:
                    found.extend(self._revisions(rev.old_path, self._order[rev.sha], depth + 1))
        return found

    def for_files(self, paths: Iterable[str | os.PathLike[str]]) -> list[Revision]:
        """The revisions of several files merged into one list, newest first (e.g. everything on a unit page)."""
        revisions = {(r.sha, r.path): r for p in paths for r in self.for_file(p)}
        return sorted(revisions.values(), key=lambda r: (self._order[r.sha], r.path))

    def for_unit(self, unit_id: str) -> list[Revision]:
        """Every revision of the files in one unit's folder (`<data>/units/<id>/`), newest first."""
        return self.for_files(self._by_unit.get(unit_id, ()))

    def recent_revisions(self, n: int = 50) -> list[Revision]:
        """Every file change of the latest `n` data commits, newest first (for `revision_rows`)."""
        return [Revision(c, f, self._approvals.get(c.sha)) for c in self.commits[:n] for f in c.files]


@dataclass(frozen=True, slots=True)
class _Touched:
    """What one commit changed in one data file: the ids (case-folded) of the records it added, changed or removed,
    and whether it changed anything outside them (the file's default `audience`, say)."""

    records: frozenset[str]
    outside: bool


class HistoryReaders:
    """The audience rule for history text, record by record. A commit's change to a data file is shown — a row of
    修订记录 with its author and approver — only where it changed something this build shows; its message only
    where everything it changed, in every file, is shown. A file every record of which the build shows (`open`)
    is not read; in any other file the records a commit changed are found by comparing the file before and after
    it (one `git cat-file --batch` for the whole history, when first asked). A version that cannot be read counts
    as changing what the build hides."""

    def __init__(self, history: History, open_paths: set[str], shown_ids: frozenset[str]) -> None:
        self.history = history
        self.open = open_paths
        self.shown = shown_ids
        self._touched: dict[tuple[str, str], _Touched | None] | None = None
        self._message: dict[str, bool] = {}

    def visible(self, rev: Revision) -> bool:
        """Whether the change `rev` made to its file touched a unit, member or record this build shows."""
        if rev.path in self.open:
            return True
        touched = self._read().get((rev.sha, rev.path))
        return touched is not None and not touched.records.isdisjoint(self.shown)

    def message(self, commit: Commit) -> bool:
        """Whether everything `commit` changed is shown by this build (then its message may be)."""
        if commit.sha not in self._message:
            self._message[commit.sha] = all(f.path in self.open or self._only_shown(commit.sha, f.path) for f in commit.files)
        return self._message[commit.sha]

    def _only_shown(self, sha: str, path: str) -> bool:
        touched = self._read().get((sha, path))
        return touched is not None and not touched.outside and touched.records <= self.shown

    def _read(self) -> dict[tuple[str, str], _Touched | None]:
        if self._touched is None:
            self._touched = self._compare([(c, f) for c in self.history.commits for f in c.files if f.path not in self.open])
        return self._touched

    def _compare(self, pairs: list[tuple[Commit, FileChange]]) -> dict[tuple[str, str], _Touched | None]:
        versions: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for c, f in pairs:
            after = f"{c.sha}:{f.path}" if f.change is not ChangeType.DELETED else None
            before = f"{c.parents[0]}:{f.old_path or f.path}" if c.parents and f.change is not ChangeType.ADDED else None
            versions[(c.sha, f.path)] = (before, after)
        specs = sorted({spec for pair in versions.values() for spec in pair if spec is not None})
        contents: dict[str, tuple[str, list[tuple[str, Any]]] | None] = {}
        if self.history.root is not None and specs:
            try:
                for spec, kind, raw, size in read_objects(self.history.root, specs, MAX_FILE_BYTES):
                    contents[spec] = self._records(spec, raw) if kind == "blob" and size <= MAX_FILE_BYTES else None
            except GitError:
                contents.clear()
        out: dict[tuple[str, str], _Touched | None] = {}
        for key, (before, after) in versions.items():
            old = contents.get(before) if before is not None else ("", [])
            new = contents.get(after) if after is not None else ("", [])
            if old is None or new is None:
                out[key] = None
                continue
            old_records, new_records = dict(old[1]), dict(new[1])
            changed = {rid for rid in old_records.keys() | new_records.keys() if old_records.get(rid) != new_records.get(rid)}
            outside = before is not None and after is not None and old[0] != new[0]
            out[key] = _Touched(frozenset(changed), outside)
        return out

    def _records(self, spec: str, raw: bytes) -> tuple[str, list[tuple[str, Any]]] | None:
        """(the file without its records, as text to compare; each record's id, case-folded, and values), or None
        for a version that cannot be read."""
        from cxzy_gen.git.snapshot import records_of  # snapshot reads the models: only when a file is compared

        path = spec.split(":", 1)[1]
        inside = f"{self.history.prefix}/" if self.history.prefix else ""
        rel = path.removeprefix(inside)
        text, problem = decode(raw, rel)
        if text is None or problem is not None:
            return None
        data, problem = parse(text, rel)
        if problem is not None:
            return None
        records = records_of(rel, data)
        where = layout.place(rel)
        list_key = where.file.list_key if where is not None else None
        rest = {k: v for k, v in data.items() if k != list_key} if isinstance(data, dict) and list_key else {}
        return repr(sorted(rest.items(), key=lambda kv: str(kv[0]))), [(r.id.casefold(), r.data) for r in records]


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """One line of a page's 修订记录, ready for a template: one commit, however many of the page's files it touched."""

    date: dt.date  # when it was written
    author: str  # who proposed it (the commit's author)
    what: str  # 修改公开承诺 2011 年、领导点评 2011 年 — made from the files, safe for any audience
    message: str | None  # the reason (the commit's subject); None when this build may not show it (see revision_rows)
    approved_by: str | None  # who merged it on the main line; None: committed directly (直接提交)
    approved_on: dt.date | None
    commit: str  # short id
    commit_url: str | None  # the diff on the forge, when site.yaml names one
    request: int | None  # the change request number
    request_url: str | None
    units: tuple[str, ...] = ()  # the unit folders it touched
    defects: tuple[str, ...] = ()  # what of the commit could not be read (shown, never fatal)
    withheld: str | None = None  # why the reason is not shown, when it is not


# What a build may show of a commit's free text: a test of the commit (see plan: the audience rule for history).
MessageRule = Callable[[Commit], bool]
PII_NAME = "（署名含个人身份信息，不予显示）"
PII_MESSAGE = "提交说明含个人身份信息，不予显示"
NARROWER_MESSAGE = "提交说明涉及公开范围更窄的记录，不在此显示"


@lru_cache(maxsize=1 << 14)
def person(name: str) -> str:
    """A git identity as a page may print it: never with a personal identifier in it."""
    return PII_NAME if _has_pii(name) else name


def reason(commit: Commit, shown: MessageRule) -> tuple[str | None, str | None]:
    """(the commit's reason as this build may show it, why it is withheld)."""
    if not shown(commit):
        return None, NARROWER_MESSAGE
    if _has_pii(commit.message):
        return None, PII_MESSAGE
    return commit.subject or None, None


@lru_cache(maxsize=1 << 14)  # each commit's message and names are checked once, not once per page that lists it
def _has_pii(text: str) -> bool:
    return bool(find_pii(text))


def _hidden(commit: Commit) -> bool:
    return False


def revision_rows(revisions: Iterable[Revision], links: ForgeLinks | None = None, messages: MessageRule = _hidden) -> list[RevisionRow]:
    """Revisions (newest first) as 修订记录 rows, one per commit.

    Commit messages are free text that may speak of records meant for a narrower audience than the page's:
    `messages` says, per commit, whether this build may show its message (by default none is shown).
    """
    by_commit: dict[str, list[Revision]] = {}
    for rev in revisions:
        by_commit.setdefault(rev.sha, []).append(rev)
    rows = []
    for sha, revs in by_commit.items():
        first, approval = revs[0], revs[0].approval
        request = approval.request if approval else None
        message, withheld = reason(first.commit, messages)
        rows.append(
            RevisionRow(
                date=first.date,
                author=person(first.author),
                what=_what(revs),
                message=message,
                approved_by=person(approval.by) if approval else None,
                approved_on=approval.date if approval else None,
                commit=sha[:7],
                commit_url=links.commit(sha) if links else None,
                request=request,
                request_url=links.request(request) if links and request is not None else None,
                units=tuple(dict.fromkeys(u for r in revs if (u := meaning(r.file)[0]))),
                defects=first.commit.defects,
                withheld=withheld,
            )
        )
    return rows


def _what(revs: list[Revision]) -> str:
    """One commit's changes in words: 修改公开承诺 2011 年、领导点评 2011 年；新增党员名单."""
    by_change: dict[ChangeType, list[str]] = {}
    for rev in revs:
        meanings = by_change.setdefault(rev.change, [])
        if meaning(rev.file)[1] not in meanings:
            meanings.append(meaning(rev.file)[1])
    return "；".join(change.label + "、".join(meanings) for change, meanings in by_change.items())


def _file_meaning(path: str) -> tuple[str, str]:
    """(unit id, what the file holds) for a data file path, e.g. ("lian-1", "公开承诺 2011 年").

    Works on paths relative to the data folder or to the repository (…/units/<id>/[<year>/]<file>).
    """
    where = layout.place_within(path)
    if where is None:
        return layout.unit_folder(path), path.rsplit("/", 1)[-1]
    return where.unit, where.file.title + (f" {where.year} 年" if where.year is not None else "")


def _approvals(commits: Sequence[Commit]) -> dict[str, Approval]:
    """For each commit brought in by a merge on the head's first-parent line: that merge.

    Walking the main line from the oldest merge to the newest, each merge claims the commits reachable
    from its other parents that no earlier merge claimed and that are not on the main line themselves.
    """
    by_sha = {c.sha: c for c in commits}
    mainline: list[Commit] = []
    current = commits[0] if commits else None
    while current is not None:
        mainline.append(current)
        current = by_sha.get(current.parents[0]) if current.parents else None
    on_main = {c.sha for c in mainline}
    approvals: dict[str, Approval] = {}
    for merge in reversed(mainline):
        if not merge.is_merge:
            # A squash or rebase merge leaves one commit on the main line; the forge writes the request number in.
            squash = Approval(merge)
            if squash.request is not None:
                approvals[merge.sha] = squash
            continue
        approval = Approval(merge)
        stack = list(merge.parents[1:])
        while stack:
            sha = stack.pop()
            if sha in on_main or sha in approvals or sha not in by_sha:
                continue
            approvals[sha] = approval
            stack.extend(by_sha[sha].parents)
    return approvals
