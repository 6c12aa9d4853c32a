"""Rendered files → the output folder: built in a temporary folder beside it, then swapped in whole.

A build that fails or is killed at any instant leaves the previous output exactly as it was or the new one
complete — the output folder is never missing — and the new output holds only this build's files, so pages
of removed records disappear. Builds into the same folder take turns.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cxzy_gen.records.basics import ID_RE

# Every path segment the site uses: a folder is an id (or a fixed name like "units", "2011"),
# a file is such a name with one of the site's extensions. Nothing else is ever written.
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.(?:html|xml|atom|css|js|json|txt|svg|png|jpg|ico)$")


# Left in every output folder, so a later build knows the folder is a site it may replace.
MARKER = ".cxzy-site"


class UnsafePath(ValueError):
    """A page URL that is not a plain relative path of safe names (never expected: ids are validated first)."""


class NotASite(Exception):
    """The output folder holds something other than a site cxzy built: it is never replaced."""


def check_url(url: str) -> tuple[str, ...]:
    """The segments of a page URL, each checked: no absolute path, no `..`, no odd characters."""
    parts = tuple(url.split("/"))
    if not parts or any(not ID_RE.match(part) for part in parts[:-1]) or not _FILE.match(parts[-1]):
        raise UnsafePath(f"refusing to write {url!r}: not a plain relative path")
    return parts


Stat = tuple[int, int, int]  # size, modification time (ns), inode: a file as it was written


def file_stat(path: Path) -> Stat:
    st = path.lstat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def take_over(source: Path, target: Path) -> None:
    """Put a previous output's file at `target`: a hard link (the same bytes and time), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write(
    files: Iterable[tuple[str, bytes | Path]],
    out: Path,
    finish: Callable[[Path], None] | None = None,
    stats: dict[str, Stat] | None = None,
) -> int:
    """Write every (url, bytes) into a fresh folder beside `out`, then put it in `out`'s place. Returns the file count.

    A path instead of bytes is a file of the previous output taken over as it is (`take_over`). `stats`, when
    given, gets each file's `file_stat` as written.

    `finish` runs on the complete new folder before the swap (the search index is built there), so the
    output never holds pages without their index. Builds into the same folder take turns (a lock file beside
    it), and each first removes what killed builds left behind (`.<name>-new-*`, `.<name>-old-*`)."""
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    with _turn(out):
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise NotASite(f"{out} 不是文件夹，不能作为输出目录")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            # `--out .` or `--out data` by mistake must not swap a repository or the data away.
            raise NotASite(f"{out} 已有内容，却不是 cxzy 生成的站点：为免误删，不替换它（提示：换一个输出目录，或先清空它）")
        _clean_leftovers(out)
        new = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        count = 0
        try:
            written: set[str] = set()
            folders: set[tuple[str, ...]] = set()
            for url, data in files:
                parts = check_url(url)
                if url in written:
                    raise UnsafePath(f"two pages want the same file {url!r}")
                written.add(url)
                target = new.joinpath(*parts)
                if parts[:-1] not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(parts[:-1])
                if isinstance(data, bytes):
                    target.write_bytes(data)
                else:
                    take_over(data, target)
                if stats is not None:
                    stats[url] = file_stat(target)
                count += 1
            if finish is not None:
                finish(new)
            (new / MARKER).write_text("cxzy\n", encoding="utf-8")
            new.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
            _swap(new, out)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    return count


@contextmanager
def _turn(out: Path) -> Iterator[None]:
    """Hold the output folder's lock (`.<name>.lock` beside it) while building into it: concurrent builds wait.

    The lock file is removed when the build is done, so nothing is left beside the output; a waiter that
    then holds the lock of a removed file tries again on the new one."""
    path = out.parent / f".{out.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)  # closing releases the lock


def _clean_leftovers(out: Path) -> None:
    """Remove the temporary folders of builds that were killed (only ever done while holding the lock)."""
    for stale in out.parent.glob(f".{glob.escape(out.name)}-*-*"):
        if stale.name.startswith((f".{out.name}-new-", f".{out.name}-old-")) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def _swap(new: Path, out: Path) -> None:
    """Put `new` in `out`'s place so that `out` is never missing: one atomic exchange of the two folders
    (Linux renameat2 RENAME_EXCHANGE), then the previous site — now at `new`'s name — is deleted. Where the
    exchange is not available, the previous site is renamed away and the new one renamed in."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    os.rename(out, old / out.name)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old / out.name, out)  # put the previous site back
        raise
    finally:
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False when the system cannot (not Linux, old kernel or file system)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
