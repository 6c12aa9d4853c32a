"""Commits read from git's own object format: nothing a commit message holds can pass for another field.

`git log` is asked only for what cannot be forged — commit ids, parent ids and the changed paths,
NUL-terminated — and each commit's author, committer, dates and message come from the raw commit object
(`plumbing.read_objects`, length-prefixed), parsed here. Every field is bounded and validated; a commit
whose identity or date cannot be read keeps its place in the history with `defects` saying why, so one
bad commit is shown as such and never stops a build.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from cxzy_gen.dates import china_date

# Bounds on what one commit may put on a page; beyond them text is cut with 「…」.
MAX_COMMIT_BYTES = 64 * 1024  # of a commit object read; the rest is skipped unread
MAX_NAME = 64
MAX_EMAIL = 254
MAX_SUBJECT = 200
MAX_BODY = 4000
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z
MAX_TZ_MINUTES = 14 * 60  # real offsets run from -12:00 to +14:00; git itself accepts up to ±99:59


class ChangeType(StrEnum):
    """How a commit touched a file (git's name-status letters)."""

    ADDED = "A"
    MODIFIED = "M"
    DELETED = "D"
    RENAMED = "R"

    @property
    def label(self) -> str:
        return {"A": "新增", "M": "修改", "D": "删除", "R": "移动"}[self.value]


@dataclass(frozen=True, slots=True)
class FileChange:
    change: ChangeType
    path: str  # relative to the repository root, posix
    old_path: str | None = None  # the path before a rename


# A commit whose date cannot be read sorts and shows as this day, with a defect saying so.
UNKNOWN_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit: who wrote it, who committed it, and the data files it changed."""

    sha: str
    parents: tuple[str, ...]
    author: str
    author_email: str
    authored: dt.datetime
    committer: str
    committer_email: str
    committed: dt.datetime
    subject: str
    body: str
    files: tuple[FileChange, ...] = ()
    defects: tuple[str, ...] = ()  # what could not be read, in Chinese; empty for a sound commit

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def date(self) -> dt.date:
        """The day the change was written, in China (a board speaks in China's dates, see `dates`)."""
        return china_date(self.authored)

    @property
    def message(self) -> str:
        """The whole message: subject, then body."""
        return f"{self.subject}\n\n{self.body}" if self.body else self.subject


# ---------------------------------------------------------------- text hygiene

# Characters that change how text around them is shown or parsed: C0/C1 controls, bidi embeddings,
# overrides and isolates, and the line/paragraph separators.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]")


def clean_line(text: str, limit: int) -> str:
    """One line of text: controls and bidi marks removed, whitespace runs (newlines too) folded to one space, bounded."""
    text = _INVISIBLE.sub("", text.replace("\n", " ").replace("\t", " "))
    text = re.sub(r"\s+", " ", text).strip()
    return bound(text, limit)


def clean_text(text: str, limit: int) -> str:
    """Multi-line text: controls and bidi marks removed (newlines kept), bounded."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return bound(text.strip(), limit)


def bound(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- the raw commit object

_IDENTITY = re.compile(rb"^(?P<name>[^<>\n]*?) *<(?P<email>[^<>\n]*)> (?P<ts>-?\d{1,20}) (?P<tz>[+-]\d{4})$")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


@dataclass(frozen=True, slots=True)
class _Identity:
    name: str
    email: str
    when: dt.datetime | None
    defect: str | None


def parse_identity(raw: bytes | None, role: str, encoding: str) -> _Identity:
    """`Name <email> 1299999999 +0800` → its parts; anything git would not write itself is a defect."""
    if raw is None:
        return _Identity("", "", None, f"缺少{role}信息")
    found = _IDENTITY.match(raw)
    if found is None:
        name = clean_line(_decode(raw.split(b"<", 1)[0], encoding), MAX_NAME)
        return _Identity(name, "", None, f"{role}信息无法识别")
    name = clean_line(_decode(found["name"], encoding), MAX_NAME)
    email = clean_line(_decode(found["email"], encoding), MAX_EMAIL)
    when, defect = _timestamp(found["ts"], found["tz"], role)
    return _Identity(name, email, when, defect)


def _timestamp(ts: bytes, tz: bytes, role: str) -> tuple[dt.datetime | None, str | None]:
    seconds = int(ts)
    sign = -1 if tz[:1] == b"-" else 1
    hours, minutes = int(tz[1:3]), int(tz[3:5])
    offset = sign * (hours * 60 + minutes)
    if minutes >= 60 or abs(offset) > MAX_TZ_MINUTES:
        return None, f"{role}时区「{tz.decode()}」无效"
    if not 0 <= seconds <= MAX_TIMESTAMP:
        return None, f"{role}时间超出范围"
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone(dt.timedelta(minutes=offset))), None
    except (OverflowError, ValueError, OSError):  # the last second of 9999 in a zone east of UTC is in year 10000
        return None, f"{role}时间超出范围"


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding, "replace")
    except LookupError:  # pragma: no cover - checked in _encoding
        return raw.decode("utf-8", "replace")


def _encoding(name: bytes | None) -> str:
    """The message's declared encoding (the `encoding` header), when Python knows it; else UTF-8."""
    if not name:
        return "utf-8"
    try:
        return codecs.lookup(name.decode("ascii", "replace").strip()).name
    except LookupError:
        return "utf-8"


def parse_commit(sha: str, raw: bytes, complete: bool = True) -> Commit:
    """A raw commit object (as `git cat-file commit` prints it, possibly cut at MAX_COMMIT_BYTES) → a Commit."""
    head, sep, message = raw.partition(b"\n\n")
    headers: dict[bytes, list[bytes]] = {}
    for line in head.split(b"\n"):
        if line.startswith(b" "):
            continue  # continuation of a multi-line header (gpgsig, mergetag)
        key, _, value = line.partition(b" ")
        headers.setdefault(key, []).append(value)

    def first(key: bytes) -> bytes | None:
        values = headers.get(key)
        return values[0] if values else None

    encoding = _encoding(first(b"encoding"))
    author = parse_identity(first(b"author"), "作者", encoding)
    committer = parse_identity(first(b"committer"), "提交者", encoding)
    defects = [d for d in (author.defect, committer.defect) if d]
    if len(headers.get(b"author", [])) > 1 or len(headers.get(b"committer", [])) > 1:
        defects.append("提交对象有重复的作者或提交者信息")
    parents = tuple(p.decode("ascii", "replace") for p in headers.get(b"parent", []))
    if any(not _SHA.match(p) for p in parents):
        defects.append("上一版本的编号无法识别")
        parents = tuple(p for p in parents if _SHA.match(p))
    if not sep and not complete:
        defects.append("提交对象过大，只读取了开头")
    elif not complete:
        defects.append("提交说明过长，只显示开头")
    subject, body = split_message(_decode(message, encoding))
    authored = author.when or committer.when or UNKNOWN_TIME
    committed = committer.when or author.when or UNKNOWN_TIME
    return Commit(
        sha=sha,
        parents=parents,
        author=author.name or "（未署名）",
        author_email=author.email,
        authored=authored,
        committer=committer.name or "（未署名）",
        committer_email=committer.email,
        committed=committed,
        subject=subject,
        body=body,
        defects=tuple(defects),
    )


def split_message(text: str) -> tuple[str, str]:
    """(subject, body) as git reads them: the subject is the first paragraph joined into one line, after
    leading blank lines; a line of only whitespace ends a paragraph."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    while i < len(lines) and lines[i].strip():
        i += 1
    subject = clean_line(" ".join(lines[start:i]), MAX_SUBJECT)
    return subject, clean_text("\n".join(lines[i:]), MAX_BODY)


# ---------------------------------------------------------------- reading the repository

_HEADER = b"cxzy-commit "
_STATUS = re.compile(r"^[ACDMRTUXB]\d{0,3}$")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What `git log` says of one commit: ids and changed paths only, none of it free text."""

    sha: str
    parents: tuple[str, ...]
    files: tuple[FileChange, ...]


LOG_FORMAT = "--format=%x00" + _HEADER.decode() + "%H %P"


def parse_log(out: bytes) -> list[LogEntry]:
    """Parse `git log -z --name-status -M LOG_FORMAT` output.

    Paths are NUL-terminated and read by position after their status letter, so no path can pose as a
    commit header; a header is recognised only where a status letter could stand.
    """
    entries: list[LogEntry] = []
    sha: str | None = None
    parents: tuple[str, ...] = ()
    files: list[FileChange] = []
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if not token:
            continue
        if token.startswith(_HEADER):
            if sha is not None:
                entries.append(LogEntry(sha, parents, tuple(files)))
            ids = token[len(_HEADER) :].decode("ascii", "replace").split()
            sha, parents, files = (ids[0] if ids else ""), tuple(ids[1:]), []
            continue
        status = token.decode("ascii", "replace")
        if sha is None or not _STATUS.match(status):
            continue  # never expected from git; skipped rather than guessed at
        if status[0] in "RC":
            if i + 1 >= len(tokens):
                break
            old, new = _path(tokens[i]), _path(tokens[i + 1])
            i += 2
            files.append(FileChange(ChangeType.RENAMED, new, old) if status[0] == "R" else FileChange(ChangeType.ADDED, new))
            continue
        if i >= len(tokens):
            break
        change = {"A": ChangeType.ADDED, "D": ChangeType.DELETED}.get(status[0], ChangeType.MODIFIED)
        files.append(FileChange(change, _path(tokens[i])))
        i += 1
    if sha is not None:
        entries.append(LogEntry(sha, parents, tuple(files)))
    return entries


def _path(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")
