"""Rendered files → the output folder: built in a folder beside it, then swapped in whole.

A build that fails or is killed at any instant leaves the previous output exactly as it was or the new one
complete — the output folder is never missing — and the new output holds only this build's files, so pages
of removed records disappear. Builds into the same folder take turns.

The folder beside the output is either new, or the output before last (a `Spare` the cache kept): brought up to
date file by file — the files it already holds right are left alone, the others written, what this build does not
have removed — it is swapped in the same way, and the output it replaces is kept for the next build. On a big site
this spares creating and deleting tens of thousands of folders and files on every build.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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


def file_stat(path: Path | str) -> Stat:
    st = os.lstat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class Keep(NamedTuple):
    """In place of a file's bytes: the spare folder already holds this file as it should be (`stat` as it is)."""

    stat: Stat


@dataclass
class Spare:
    """Where the output a build replaces is kept for the next build (in the cache, on the output's file system), and
    what the folder kept there holds: every file (relative path) when it may be brought up to date, else None
    (it is then removed, and the output this build replaces kept in its place)."""

    folder: Path
    files: set[str] | None = None


def real_folders(root: Path) -> Callable[[str], bool]:
    """Whether a folder (relative, "a/b") is a real folder of `root`, each of its parents too: a folder replaced by a
    link could lead out of the site, and a file taken over through it would tie the site to a file outside it."""
    known: dict[str, bool] = {"": True}

    def real(folder: str) -> bool:
        found = known.get(folder)
        if found is None:
            parent = folder.rpartition("/")[0]
            try:
                found = real(parent) and stat.S_ISDIR(os.lstat(root / folder).st_mode)
            except OSError:
                found = False
            known[folder] = found
        return found

    return real


def take_over(source: Path, target: Path) -> None:
    """Put a previous output's file at `target`: a hard link (the same bytes and time), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write(
    files: Iterable[tuple[str, bytes | Path | Keep]],
    out: Path,
    finish: Callable[[Path], None] | None = None,
    stats: dict[str, Stat] | None = None,
    spare: Spare | None = None,
    locked: bool = False,
) -> int:
    """Write every (url, bytes) into a folder beside `out`, then put it in `out`'s place. Returns the file count.

    A path instead of bytes is a file of the previous output taken over as it is (`take_over`); `Keep` says the
    spare folder holds the file already (only when `spare` gives its files). `stats`, when given, gets each file's
    `file_stat` as written. With a `spare`, the folder kept there is brought up to date instead of a new one
    written whole, and the output this build replaces is kept there for the next build (else deleted).

    `finish` runs on the complete new folder before the swap (the search index is put there), so the
    output never holds pages without their index. Builds into the same folder take turns (a lock file beside
    it; `locked`: the caller holds it, see `turn`), and each first removes what killed builds left behind
    (`.<name>-new-*`, `.<name>-old-*`)."""
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    with nullcontext() if locked else turn(out):
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise NotASite(f"{out} 不是文件夹，不能作为输出目录")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            # `--out .` or `--out data` by mistake must not swap a repository or the data away.
            raise NotASite(f"{out} 已有内容，却不是 cxzy 生成的站点：为免误删，不替换它（提示：换一个输出目录，或先清空它）")
        clean_leftovers(out)
        new, held = _folder_beside(out, spare)
        real = real_folders(new) if held else None
        count = 0
        try:
            written: set[str] = set()
            folders: set[tuple[str, ...]] = set()
            for url, data in files:
                parts = check_url(url)
                if url in written:
                    raise UnsafePath(f"two pages want the same file {url!r}")
                written.add(url)
                count += 1
                if isinstance(data, Keep) and url in held:
                    if stats is not None:
                        stats[url] = data.stat
                    continue
                target = new.joinpath(*parts)
                if parts[:-1] not in folders:
                    _make_folder(new, parts[:-1], real)
                    folders.add(parts[:-1])
                if url in held:
                    with suppress(FileNotFoundError):
                        os.unlink(target)  # never written through: the file may be a link to the current output's
                if isinstance(data, Keep):  # the spare could not be moved here: its file is taken over instead
                    assert spare is not None
                    take_over(spare.folder / url, target)
                elif isinstance(data, bytes):
                    target.write_bytes(data)
                else:
                    take_over(data, target)
                if stats is not None:
                    stats[url] = file_stat(target)
            _remove_others(new, held - written, written, real)
            if finish is not None:
                finish(new)
            marker = new / MARKER
            marker.unlink(missing_ok=True)  # a new marker (a new inode and time) tells this folder from the one it was
            marker.write_text("cxzy\n", encoding="utf-8")
            new.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
            _swap(new, out, spare.folder if spare is not None else None)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    return count


def _folder_beside(out: Path, spare: Spare | None) -> tuple[Path, set[str]]:
    """The folder to build in, beside `out`, and the files it already holds: the spare moved there when it may be
    brought up to date (and can be moved), else a new folder."""
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    if spare is not None and spare.files is not None and spare.folder.is_dir() and not spare.folder.is_symlink():
        try:
            os.rename(spare.folder, new)  # over the empty new folder: a killed build leaves it as a leftover to clean
            return new, set(spare.files)
        except OSError:
            pass
    return new, set()


def _make_folder(root: Path, parts: tuple[str, ...], real: Callable[[str], bool] | None) -> None:
    """Make a folder of the site; in a folder brought up to date, anything but a real folder in its way goes first."""
    if real is not None and parts and not real("/".join(parts)):
        _clear_way(root, parts)
    root.joinpath(*parts).mkdir(parents=True, exist_ok=True)


def _clear_way(root: Path, parts: Iterable[str]) -> None:
    """Remove the first thing on a folder path that is not a real folder (a file, or a link: never followed)."""
    path = root
    for part in parts:
        path = path / part
        try:
            if stat.S_ISDIR(os.lstat(path).st_mode):
                continue
        except FileNotFoundError:
            return
        os.unlink(path)
        return


def _remove_others(folder: Path, stale: set[str], kept: set[str], real: Callable[[str], bool] | None) -> None:
    """Remove from a folder brought up to date the files this build does not have, the folders they leave empty, and
    any top-level entry no file of this build is under (the last build's search index, which `finish` writes anew)."""
    emptied: set[str] = set()
    for rel in stale:
        parent = rel.rpartition("/")[0]
        if real is None or real(parent):
            with suppress(FileNotFoundError, IsADirectoryError):  # (a link this build replaced by a folder of its own)
                os.unlink(folder / rel)
        else:  # never through a link: the link goes
            _clear_way(folder, parent.split("/"))
        emptied.add(parent)
    for rel in sorted(emptied, key=lambda f: -f.count("/")):
        while rel:
            try:
                os.rmdir(folder / rel)
            except OSError:
                break
            rel = rel.rpartition("/")[0]
    tops = {url.split("/", 1)[0] for url in kept}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name not in tops and entry.name != MARKER:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)


@contextmanager
def turn(out: Path) -> Iterator[None]:
    """Hold the output folder's lock (`.<name>.lock` beside it) while building into it: concurrent builds wait.

    The lock file is removed when the build is done, so nothing is left beside the output; a waiter that
    then holds the lock of a removed file tries again on the new one."""
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
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


def clean_leftovers(out: Path, kinds: tuple[str, ...] = ("new", "old")) -> None:
    """Remove the temporary folders beside `out` (`.<name>-<kind>-*`) of builds that were killed (only ever done while
    holding the output's turn)."""
    prefixes = tuple(f".{out.name}-{kind}-" for kind in kinds)
    for stale in out.parent.glob(f".{glob.escape(out.name)}-*-*"):
        if stale.name.startswith(prefixes) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def _swap(new: Path, out: Path, keep: Path | None = None) -> None:
    """Put `new` in `out`'s place so that `out` is never missing: one atomic exchange of the two folders
    (Linux renameat2 RENAME_EXCHANGE), then the previous site — now at `new`'s name — is kept at `keep` for the
    next build, or deleted. Where the exchange is not available, the previous site is renamed away and the new
    one renamed in."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        _keep_or_remove(new, keep)
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
            if os.path.isdir(old / out.name):  # the new site is in: the previous one waits here
                _keep_or_remove(old / out.name, keep)
            shutil.rmtree(old, ignore_errors=True)


def remove(path: Path) -> None:
    """Remove whatever is at `path`: a folder with all it holds, a file, a link (the link itself, never what it leads
    to); nothing there, or what cannot be removed, is left as it is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with suppress(OSError):
            path.unlink()


def _keep_or_remove(previous: Path, keep: Path | None) -> None:
    """The site an output replaced: moved to `keep` (the cache's spare, for the next build to bring up to date), else
    deleted."""
    if keep is not None:
        remove(keep)  # a spare that was not used
        try:
            keep.parent.mkdir(parents=True, exist_ok=True)
            os.rename(previous, keep)
            return
        except OSError:
            pass
    shutil.rmtree(previous, ignore_errors=True)


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
