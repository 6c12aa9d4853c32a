"""The build cache (`.cxzy-cache/`): typed data files by the hash of their bytes, and a stamp of each output's last build.

Nothing in it outlives the code that made it: every key includes `code_key()`, the hash of cxzy's version, its
own source and shipped templates (which hold the schema), Python's version and the versions of the libraries
whose behaviour reaches the output. A stamp also covers the build date, the audience, the site's templates,
every file of the data folder and the git commit the history was read from. A cache that cannot be read is
ignored; one that cannot be written is skipped: the cache only ever saves time, never changes a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cxzy_gen.records.basics import MAX_FILE_BYTES

CACHE_DIR = Path(".cxzy-cache")
PACKAGE = Path(__file__).resolve().parent
# Libraries whose versions can change what a build produces (parsing, validation, rendering, holidays).
LIBRARIES = ("pyyaml", "pydantic", "pydantic-core", "jinja2", "markupsafe", "markdown", "nh3", "chinesecalendar", "segno", "pillow")


@lru_cache(maxsize=1)
def code_key() -> str:
    """The hash of everything besides the data that decides what cxzy makes of it."""
    from cxzy_gen import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"cxzy={__version__}\n{sys.version}\n".encode())
    for name in installed(LIBRARIES):
        h.update(f"{name}\n".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".xml", ".css", ".js", ".json", ".yaml"}:
            h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def installed(names: Iterable[str]) -> list[str]:
    """The installed distributions of `names` as their metadata folders are named (`pydantic-2.11.7.dist-info`),
    on the import path in order: the versions, read from folder names alone (importlib.metadata takes longer
    to import than a build with nothing to do takes to finish)."""
    wanted = {re.sub(r"[-_.]+", "_", name).lower() for name in names}
    found = []
    for entry in sys.path:
        try:
            listed = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for folder in listed:
            stem, dot, suffix = folder.rpartition(".")
            if dot and suffix in {"dist-info", "egg-info"} and re.sub(r"[-_.]+", "_", stem.split("-")[0]).lower() in wanted:
                found.append(folder)
    return found


def _write_atomic(path: Path, data: bytes) -> None:
    """Write beside and rename, so a reader never sees half a file and two builds never mix theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RecordCache:
    """Typed, checked data files (pickled pydantic models) by the hash of their kind and bytes.

    Only files that loaded without any problem are kept, so a hit stands for "this file is fine and reads as
    this model"; cross-record rules always run again. One pack per code key; packs of other keys are removed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / f"records-{code_key()}.pack"
        self._old: dict[bytes, bytes] = {}
        self._new: dict[bytes, bytes] = {}
        self.hits = self.misses = 0
        try:
            loaded = marshal.loads(self.path.read_bytes())
            if isinstance(loaded, dict):
                self._old = loaded
        except (OSError, EOFError, ValueError, TypeError):
            pass

    @staticmethod
    def key(kind: str, raw: bytes) -> bytes:
        return hashlib.blake2b(kind.encode() + b"\0" + raw, digest_size=20).digest()

    def get(self, key: bytes) -> Any | None:
        """The model stored for `key`, or None."""
        blob = self._old.get(key)
        if blob is None:
            self.misses += 1
            return None
        try:
            model = pickle.loads(blob)
        except Exception:  # a damaged entry is a miss, never an error
            self.misses += 1
            return None
        self._new[key] = blob
        self.hits += 1
        return model

    def put(self, key: bytes, blob: bytes) -> None:
        """Keep a pickled model (pickled before the validator sets anything on it)."""
        self._new[key] = blob

    def save(self) -> None:
        """Write the entries this run used (dropping the rest) when they differ from what was read."""
        if self._new.keys() == self._old.keys():
            return
        try:
            _write_atomic(self.path, marshal.dumps(self._new))
            for stale in self.folder.glob("records-*.pack"):
                if stale != self.path:
                    stale.unlink(missing_ok=True)
        except OSError:
            pass


# A file's lstat as the stamp keeps it beside the file's digest: type, size, modification and change times, inode, device.
FileStat = tuple[int, int, int, int, int, int]
FileDigests = dict[str, tuple[FileStat, bytes]]  # by path relative to the folder


def data_digest(data_dir: Path, known: FileDigests | None = None, seen: FileDigests | None = None) -> str:
    """The hash of every file's path and bytes under the data folder (symlinks by their target, not followed).

    A file whose lstat is the one `known` has for it is taken by the digest recorded with it, unread (the same
    stat means the same bytes: see `FolderState`); `seen`, when given, gets each regular file's lstat (taken before
    it was read) and digest, if the file had settled by then (SETTLED_SECONDS), for the next build's `known`."""
    h = hashlib.blake2b(digest_size=20)
    known = known or {}
    settled_before = time.time_ns() - SETTLED_SECONDS * 1_000_000_000
    for dirpath, dirnames, filenames in os.walk(data_dir):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, data_dir)
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            if st is not None and stat.S_ISLNK(st.st_mode):
                h.update(
                    b"L" + rel.encode("utf-8", "surrogateescape") + b"\0" + os.readlink(path).encode("utf-8", "surrogateescape") + b"\0"
                )
                continue
            now = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev) if st is not None else None
            recorded = known.get(rel)
            if now is not None and recorded is not None and tuple(recorded[0]) == now:
                digest = recorded[1]
            else:
                digest = hashlib.blake2b(_file_bytes(path, st), digest_size=20).digest()
            if seen is not None and now is not None and stat.S_ISREG(now[0]) and max(now[2], now[3]) < settled_before:
                seen[rel] = (now, digest)
            h.update(b"F" + rel.encode("utf-8", "surrogateescape") + b"\0" + digest)
    return h.hexdigest()


def _file_bytes(path: str, st: os.stat_result | None) -> bytes:
    """What a file's digest is made from: its length and bytes (a special file, or one over the size limit, by its stat)."""
    try:
        if st is None:
            raise OSError
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            # a FIFO would block the read; a huge file is refused by validation anyway: hash what it is
            return b"\xfe special %d %d %d" % (st.st_mode, st.st_size, st.st_mtime_ns)
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        return b"\xff unreadable"
    return len(raw).to_bytes(8, "little") + raw


def folder_digest(folder: Path | None, known: FileDigests | None = None, seen: FileDigests | None = None) -> str:
    """The hash of a template folder's files (paths and bytes); `known` and `seen` as for `data_digest`."""
    if folder is None:
        return "-"
    return data_digest(folder, known, seen) if folder.is_dir() else "missing"


SETTLED_SECONDS = 2  # a file last changed this long before a look at it cannot change again unseen


@dataclass(frozen=True)
class FolderState:
    """Every entry's path and `lstat` (type, size, modification and change times, inode) under a folder, hashed.

    The same state twice means the same bytes, as `make` and `git status` assume, once every entry had
    settled when the state was first taken: any later write moves a file's change time (st_ctime, which the
    kernel sets and nothing can set back) past that moment, so it shows. A state with an entry changed
    within the last SETTLED_SECONDS is never trusted: its files are read again next time."""

    stats: str
    settled: bool

    @classmethod
    def of(cls, folder: Path | None) -> FolderState:
        if folder is None:
            return cls("-", True)
        now = time.time_ns()
        h = hashlib.blake2b(digest_size=20)
        newest = 0
        stack = [""]
        try:
            while stack:
                rel = stack.pop()
                with os.scandir(folder / rel if rel else folder) as entries:
                    for entry in sorted(entries, key=lambda e: e.name):
                        name = f"{rel}/{entry.name}" if rel else entry.name
                        st = entry.stat(follow_symlinks=False)
                        newest = max(newest, st.st_ctime_ns, st.st_mtime_ns)
                        h.update(
                            b"%s\0%d %d %d %d %d %d\n"
                            % (
                                name.encode("utf-8", "surrogateescape"),
                                st.st_mode,
                                st.st_size,
                                st.st_mtime_ns,
                                st.st_ctime_ns,
                                st.st_ino,
                                st.st_dev,
                            )
                        )
                        if stat.S_ISDIR(st.st_mode):
                            stack.append(name)
        except OSError:
            return cls("unreadable", False)
        return cls(h.hexdigest(), newest < now - SETTLED_SECONDS * 1_000_000_000)


class BuildStamp:
    """What the last build of an output folder was made from, and what it reported.

    A build whose inputs hash to the stamp's, into an output folder that is still the one it wrote
    (same marker file), has nothing to do: the stamp's saved report is shown again. The inputs are `parts`
    (the build date, the audience, git's HEAD and the like), cxzy itself (`code_key`) and the bytes of every
    file under `folders` (the data, the site's templates); a folder whose `FolderState` is the same as at the
    last build is not read again, and in a folder that changed, only the files whose lstat changed are read (the
    stamp keeps each settled file's lstat and digest, `data_digest`)."""

    def __init__(self, cache: Path, out: Path, parts: Iterable[str], marker: str, folders: Sequence[Path | None]) -> None:
        self.parts = [code_key(), *parts]
        self.folders = list(folders)
        self.states = [FolderState.of(f) for f in self.folders]  # taken before anything is read
        self.digests: list[str] | None = None
        self.inputs: str | None = None
        self.files: list[FileDigests] = [{} for _ in self.folders]  # each folder's files, as recorded (`data_digest`)
        self.out = Path(os.path.abspath(out))
        self.marker = marker
        name = hashlib.blake2b(str(self.out).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
        self.path = cache / f"build-{name}.stamp"

    def _output_id(self) -> tuple[int, int, int] | None:
        try:
            st = (self.out / self.marker).stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _hash_inputs(self, known: dict[str, str]) -> str:
        """The hash of every input; a folder's bytes are read unless `known` has the digest for its state (and then only
        the files whose lstat is not as `self.files` has it)."""
        if self.digests is None:
            self.digests = []
            for n, (folder, state) in enumerate(zip(self.folders, self.states, strict=True)):
                digest = known.get(state.stats) if state.settled else None
                if digest is None:
                    seen: FileDigests = {}
                    digest = folder_digest(folder, self.files[n], seen)
                    self.files[n] = seen
                self.digests.append(digest)
            h = hashlib.blake2b(digest_size=20)
            for part in (*self.parts, *self.digests):
                h.update(part.encode("utf-8", "surrogateescape") + b"\0")
            self.inputs = h.hexdigest()
        assert self.inputs is not None
        return self.inputs

    def previous(self) -> Any | None:
        """The saved report of the last build when it was made from these same inputs into this same output."""
        try:
            inputs, output, report, known, files = pickle.loads(self.path.read_bytes())
            known = dict(known)
            if isinstance(files, list) and len(files) == len(self.folders) and all(isinstance(f, dict) for f in files):
                self.files = files
        except Exception:
            inputs, output, report, known = None, None, None, {}
        current = self._output_id()
        if current is None or output is None or tuple(output) != current:
            return None
        if self._hash_inputs(known) != inputs:
            return None
        if any(state.settled and state.stats not in known for state in self.states):
            self.save(report)  # the files have settled since: next time their states alone will do
        return report

    def save(self, report: Any) -> None:
        inputs = self._hash_inputs({})
        assert self.digests is not None
        known = {state.stats: digest for state, digest in zip(self.states, self.digests, strict=True) if state.settled}
        with contextlib.suppress(OSError, pickle.PicklingError):
            record = (inputs, self._output_id(), report, known, self.files)
            _write_atomic(self.path, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
