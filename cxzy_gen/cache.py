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
import stat
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from cxzy_gen.records.loader import MAX_FILE_BYTES

CACHE_DIR = Path(".cxzy-cache")
PACKAGE = Path(__file__).resolve().parent
# Libraries whose versions can change what a build produces (parsing, validation, rendering, holidays).
LIBRARIES = ("pyyaml", "pydantic", "pydantic-core", "jinja2", "markupsafe", "markdown", "nh3", "chinesecalendar")


@lru_cache(maxsize=1)
def code_key() -> str:
    """The hash of everything besides the data that decides what cxzy makes of it."""
    from cxzy_gen import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"cxzy={__version__}\n{sys.version}\n".encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\n".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".xml", ".css", ".js", ".json", ".yaml"}:
            h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


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


def data_digest(data_dir: Path) -> str:
    """The hash of every file's path and bytes under the data folder (symlinks by their target, not followed)."""
    h = hashlib.blake2b(digest_size=20)
    for dirpath, dirnames, filenames in os.walk(data_dir):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, data_dir)
            if os.path.islink(path):
                h.update(
                    b"L" + rel.encode("utf-8", "surrogateescape") + b"\0" + os.readlink(path).encode("utf-8", "surrogateescape") + b"\0"
                )
                continue
            try:
                st = os.stat(path)
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                    # a FIFO would block the read; a huge file is refused by validation anyway: hash what it is
                    raw = b"\xfe special %d %d %d" % (st.st_mode, st.st_size, st.st_mtime_ns)
                else:
                    with open(path, "rb") as f:
                        raw = f.read(MAX_FILE_BYTES + 1)
            except OSError:
                raw = b"\xff unreadable"
            h.update(b"F" + rel.encode("utf-8", "surrogateescape") + b"\0" + len(raw).to_bytes(8, "little") + raw)
    return h.hexdigest()


def folder_digest(folder: Path | None) -> str:
    """The hash of a template folder's files (paths and bytes)."""
    if folder is None:
        return "-"
    return data_digest(folder) if folder.is_dir() else "missing"


class BuildStamp:
    """What the last build of an output folder was made from, and what it reported.

    A build whose inputs hash to the stamp's, into an output folder that is still the one it wrote
    (same marker file), has nothing to do: the stamp's saved report is shown again."""

    def __init__(self, folder: Path, out: Path, parts: Iterable[str], marker: str) -> None:
        h = hashlib.blake2b(digest_size=20)
        for part in (code_key(), *parts):
            h.update(part.encode("utf-8", "surrogateescape") + b"\0")
        self.inputs = h.hexdigest()
        self.out = Path(os.path.abspath(out))
        self.marker = marker
        name = hashlib.blake2b(str(self.out).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
        self.path = folder / f"build-{name}.stamp"

    def _output_id(self) -> tuple[int, int, int] | None:
        try:
            st = (self.out / self.marker).stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def previous(self) -> Any | None:
        """The saved report of the last build when it was made from these same inputs into this same output."""
        try:
            saved = pickle.loads(self.path.read_bytes())
            inputs, output, report = saved
        except Exception:
            return None
        current = self._output_id()
        if inputs != self.inputs or current is None or tuple(output) != current:
            return None
        return report

    def save(self, report: Any) -> None:
        with contextlib.suppress(OSError, pickle.PicklingError):
            _write_atomic(self.path, pickle.dumps((self.inputs, self._output_id(), report), protocol=pickle.HIGHEST_PROTOCOL))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
