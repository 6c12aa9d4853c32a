"""The records of a data folder as it stands on disk or at a git commit, keyed by id, for comparing two versions.

A snapshot is lenient where `load_dataset` is strict: a version that fails today's validation (an old
commit, a half-edited working tree) still yields every record it can parse, because the rules on a change
must see what was published even when something else in the file is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cxzy_gen.git.plumbing import Base, DataRepo, GitError, locate, merge_base, tree_files
from cxzy_gen.records import layout
from cxzy_gen.records import models as m
from cxzy_gen.records.loader import MAX_FILE_BYTES, Document, decode, parse
from cxzy_gen.records.validate import display_path


@dataclass
class RecordSnap:
    """One record as written in one version: raw values plus where it is."""

    kind: str
    id: str
    unit: str  # the unit folder that holds it
    rel: str  # file path relative to the data folder
    keys: tuple[str | int, ...]  # where the record sits inside its file
    data: dict[str, Any]

    @property
    def kind_name(self) -> str:
        return layout.RECORD_KINDS[self.kind].name

    @cached_property
    def model(self) -> m.Record | None:
        """The typed record, or None when this version of it does not validate."""
        try:
            return layout.RECORD_KINDS[self.kind].model.model_validate(self.data)
        except ValidationError:
            return None

    def get(self, *keys: str | int) -> Any:
        """A raw value at a key path, or None."""
        value: Any = self.data
        for key in keys:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                return None
        return value


@dataclass
class Snapshot:
    """Every record of one version of the data folder, by case-folded id (ids are unique ignoring case)."""

    label: str  # how to name this version to people: "工作区" or "origin/main（a1b2c3d）"
    commit: str | None = None  # the commit it was read from; None for the working tree
    records: dict[str, RecordSnap] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # by path relative to the data folder
    display: dict[str, str] = field(default_factory=dict)  # rel → path as shown in problems
    unreadable: set[str] = field(default_factory=set)  # files that do not parse: their records are unknown, not gone

    def unknown(self, snap: RecordSnap) -> bool:
        """Whether a record from another version may still be here, hidden in a file that does not parse."""
        return snap.rel in self.unreadable

    def find(self, record_id: str) -> RecordSnap | None:
        return self.records.get(record_id.casefold())

    def unit_name(self, unit_id: str) -> str:
        unit = self.records.get(unit_id.casefold())
        name = unit.data.get("name") if unit and unit.kind == "unit" else None
        return str(name) if name else unit_id

    def name_of(self, ref: str) -> str:
        """A unit's or member's name for a reference, or the reference itself."""
        found = self.records.get(str(ref).casefold())
        if found and found.kind in ("unit", "member") and found.data.get("name"):
            return str(found.data["name"])
        return str(ref)

    def parents(self) -> dict[str, str | None]:
        return {r.id: r.data.get("parent") for r in self.records.values() if r.kind == "unit"}

    def locate(self, rel: str, keys: tuple[str | int, ...]) -> tuple[str, int, int]:
        """(display path, line, column) of a value in one of this snapshot's files; line 1 when unknown."""
        doc = self.documents.get(rel)
        shown = self.display.get(rel, rel)
        if doc is None:
            return shown, 1, 1
        line, col = doc.locate(keys)
        return shown, line, col


def records_of(rel: str, data: Any) -> list[RecordSnap]:
    """The records a data file holds, by their raw values; [] for other files or content that is not a mapping."""
    where = layout.place(rel)
    if where is None or where.file.record is None or not isinstance(data, dict):
        return []
    kind, list_key = where.file.record.key, where.file.list_key
    if list_key is None:
        rid = data.get("id")
        return [RecordSnap(kind, str(rid), where.unit, rel, (), data)] if isinstance(rid, str) else []
    items = data.get(list_key)
    if not isinstance(items, list):
        return []
    return [
        RecordSnap(kind, item["id"], where.unit, rel, (list_key, i), item)
        for i, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def build(
    label: str, files: Mapping[str, bytes | None], display: Mapping[str, str], cache: dict[bytes, Document | None] | None = None
) -> Snapshot:
    """A snapshot from {path relative to the data folder: bytes, or None for a file too large to read}.
    `cache` shares parses of identical files."""
    snap = Snapshot(label=label)
    cache = {} if cache is None else cache
    for rel in sorted(files):
        raw = files[rel]
        shown = display.get(rel, rel)
        snap.display[rel] = shown
        if raw is None:  # over the size limit: never read, its records unknown
            snap.unreadable.add(rel)
            continue
        if raw in cache:
            parsed = cache[raw]
            doc = Document(shown, parsed.text, parsed.data) if parsed else None
        else:
            text, problem = decode(raw, shown)
            data, problem = parse(text, shown) if text is not None else (None, problem)
            doc = Document(shown, text, data) if problem is None and text is not None else None
            cache[raw] = doc
        if doc is None:
            snap.unreadable.add(rel)
            continue
        snap.documents[rel] = doc
        if rel == layout.SITE.file_name:
            snap.site = doc.data if isinstance(doc.data, dict) else {}
            continue
        for record in records_of(rel, doc.data):
            snap.records.setdefault(record.id.casefold(), record)
    return snap


def from_folder(data_dir: Path, cache: dict[bytes, Document | None] | None = None) -> Snapshot:
    """The working tree's data folder."""
    files: dict[str, bytes | None] = {}
    display: dict[str, str] = {}
    for path in sorted(data_dir.rglob("*" + layout.SUFFIX)):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(data_dir).as_posix()
            if layout.place(rel):
                files[rel] = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
                display[rel] = display_path(path)
    return build("工作区", files, display, cache)


def from_git(repo: DataRepo, base: Base, cache: dict[bytes, Document | None] | None = None) -> Snapshot:
    """The data folder at the base commit. Paths display as the working-tree paths, so messages point where people edit."""
    files = {rel: raw for rel, raw in tree_files(repo.root, base.sha, repo.prefix).items() if layout.place(rel)}
    display = {rel: display_path(repo.data_dir / rel) for rel in files}
    snap = build(base.label, files, display, cache)
    snap.commit = base.sha
    return snap


@dataclass
class Versions:
    """The two versions a change request is judged by: the data at the merge base and in the working tree."""

    repo: DataRepo
    base: Snapshot
    head: Snapshot


def versions(data_dir: Path, ref: str) -> Versions:
    """The data folder at the merge base of `ref` and HEAD, and as it is on disk; a GitError says what to do.

    The merge base, not the tip of `ref`: a branch that has fallen behind main is judged by its own
    changes only, never by what main did meanwhile (as `git diff ref...HEAD` shows).
    """
    repo = locate(data_dir)
    if not repo.in_git:
        raise GitError(f"{repo.reason}，无法与基准版本「{ref}」比较（提示：在数据仓库里运行，或去掉 --base）")
    cache: dict[bytes, Document | None] = {}
    base = from_git(repo, merge_base(repo.root, ref), cache)
    return Versions(repo, base, from_folder(data_dir, cache))
