"""Git plumbing, written once: run git safely, find the data folder in its repository, read files at a ref,
and the base of a change (the merge base, as `git diff A...B` uses).

Every other module of `git/` (history, snapshots, diff, change rules, CODEOWNERS) reads the repository
through these functions only, so the way git is called — pinned config, C locale, no prompts, Chinese
errors — is decided here once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cxzy_gen.records.basics import MAX_FILE_BYTES

# Config that would change git's output is pinned per run, whatever the user's ~/.gitconfig says.
_GIT_CONFIG = ("-c", "core.quotepath=false", "-c", "log.showSignature=false", "-c", "i18n.logOutputEncoding=UTF-8")


class GitError(Exception):
    """A git command failed or git is missing; the message is for people (Chinese) and names what to do."""


def run_git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run one git command in `root` and return its stdout; a failure becomes a GitError."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("找不到 git 命令（提示：安装 git 后重试）")
    try:
        done = subprocess.run([exe, *_GIT_CONFIG, *args], cwd=root, input=input, capture_output=True, env=_env(), check=False)
    except OSError as exc:
        raise GitError(f"无法运行 git：{exc.strerror}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} 失败：{detail[-1] if detail else done.returncode}")
    return done.stdout


def _env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def read_objects(root: Path, ids: Sequence[str], limit: int) -> Iterator[tuple[str, str, bytes, int]]:
    """(id, object type, its first `limit` bytes, its full size) for each object id, streamed from one
    `git cat-file --batch`: a huge object is skipped over, never held in memory. A missing object has type
    "missing" and size -1."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("找不到 git 命令（提示：安装 git 后重试）")
    if not ids:
        return
    try:
        proc = subprocess.Popen(
            [exe, *_GIT_CONFIG, "cat-file", "--batch"],
            cwd=root,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise GitError(f"无法运行 git：{exc.strerror}") from exc
    assert proc.stdin is not None and proc.stdout is not None
    feeder = threading.Thread(target=_feed, args=(proc.stdin, ids), daemon=True)  # writing all ids first could deadlock
    feeder.start()
    try:
        for oid in ids:
            parts = proc.stdout.readline(512).split()
            if len(parts) != 3 or not parts[2].isdigit():
                yield oid, "missing", b"", -1
                continue
            size = int(parts[2])
            kept = proc.stdout.read(min(size, limit))
            _skip(proc.stdout, size - len(kept) + 1)  # the rest, and the newline after each object
            yield oid, parts[1].decode("ascii", "replace"), kept, size
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
        feeder.join(timeout=5)


def _feed(stdin: IO[bytes], ids: Sequence[str]) -> None:
    try:
        for oid in ids:
            stdin.write(f"{oid}\n".encode())
        stdin.close()
    except OSError:  # git stopped reading: the reader sees it
        pass


def _skip(stream: IO[bytes], n: int) -> None:
    while n > 0:
        chunk = stream.read(min(n, 1 << 16))
        if not chunk:
            return
        n -= len(chunk)


def repo_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None (not in a repository, or no git)."""
    start = path if path.is_dir() else path.parent
    try:
        out = run_git(start, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode("utf-8").strip())


@dataclass(frozen=True, slots=True)
class DataRepo:
    """Where a data folder sits: the repository root and the folder's path inside it ("" for the root itself).

    Outside git (`in_git` False) the root is the data folder's parent, so paths written for a repository
    (CODEOWNERS patterns) still come out right once the folder is put under git.
    """

    data_dir: Path
    root: Path
    prefix: str
    in_git: bool
    reason: str = ""  # why `in_git` is False, in Chinese

    def path(self, rel: str) -> str:
        """A path relative to the data folder as a path relative to the repository root."""
        return f"{self.prefix}/{rel}" if self.prefix else rel


def locate(data_dir: Path) -> DataRepo:
    """Find the repository around `data_dir`; never raises."""
    folder = data_dir.resolve()
    if shutil.which("git") is None:
        return DataRepo(data_dir, folder.parent, folder.name, False, "找不到 git 命令")
    root = repo_root(folder)
    if root is None:
        return DataRepo(data_dir, folder.parent, folder.name, False, f"数据目录 {data_dir} 不在 git 仓库中")
    try:
        prefix = folder.relative_to(root.resolve()).as_posix()
    except ValueError:  # git named a top folder that does not hold the data folder (symlinked paths)
        return DataRepo(data_dir, folder.parent, folder.name, False, f"数据目录 {data_dir} 不在 git 仓库 {root} 中")
    return DataRepo(data_dir, root.resolve(), "" if prefix == "." else prefix, True)


def resolve_ref(root: Path, ref: str) -> str:
    """The full commit id a ref names (branch, tag, `origin/main`, a sha), or a GitError saying what to fetch."""
    try:
        return run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            f"找不到基准版本「{ref}」（提示：在 CI 里先 git fetch origin main，或检出时设 fetch-depth: 0；本机可用 git branch -a 查看分支名）"
        ) from None


def has_commits(root: Path) -> bool:
    """Whether the repository's HEAD names a commit (False in a repository with no commit yet)."""
    try:
        run_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return False
    return True


def is_shallow(root: Path) -> bool:
    try:
        return run_git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except GitError:
        return False


@dataclass(frozen=True, slots=True)
class Base:
    """The version a change is compared with: the merge base of the named ref and HEAD."""

    ref: str  # as the user named it ("origin/main")
    tip: str  # the commit the ref names
    sha: str  # the merge base of that commit and HEAD: where the change's branch left it

    @property
    def label(self) -> str:
        """How to name the base to people: the ref, and the commit when that is not the ref's tip."""
        if self.sha == self.tip:
            return self.ref if self.sha.startswith(self.ref) else f"{self.ref}（{self.sha[:7]}）"
        return f"{self.ref} 的分叉点（{self.sha[:7]}）"


def merge_base(root: Path, ref: str, head: str = "HEAD") -> Base:
    """Where `head`'s line of work left `ref`: the base a change request is judged against, as `git diff ref...head`.

    Comparing with the tip of `ref` instead would blame the branch for everything merged into `ref`
    since it was started. Without HEAD (a repository with no commit yet) the ref itself is the base.
    """
    tip = resolve_ref(root, ref)
    try:
        head_sha = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{head}^{{commit}}").decode().strip()
    except GitError:
        return Base(ref, tip, tip)
    try:
        sha = run_git(root, "merge-base", tip, head_sha).decode().strip()
    except GitError:
        sha = ""
    if not sha:
        hint = "检出时设 fetch-depth: 0 或 GIT_DEPTH: 0，取完整历史" if is_shallow(root) else "确认两者属于同一个仓库"
        raise GitError(f"基准版本「{ref}」与当前版本没有共同的历史，无法找到分叉点（提示：{hint}）")
    return Base(ref, tip, sha)


def tree_files(
    root: Path, ref: str, prefix: str, suffixes: tuple[str, ...] = (".yaml", ".yml"), limit: int = MAX_FILE_BYTES
) -> dict[str, bytes | None]:
    """Every file under `prefix` in commit `ref`, as {path relative to prefix: bytes}, read with two git runs.

    A file larger than `limit` maps to None: its size is read from the object header and its content is
    skipped unread, so a huge blob at the base costs neither time nor memory."""
    listing = run_git(root, "ls-tree", "-r", "-z", "--full-tree", ref, "--", prefix or ".")
    wanted: dict[str, str] = {}  # blob id → path relative to prefix
    order: list[tuple[str, str]] = []
    for entry in listing.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, blob = meta.split()
        if kind == "blob" and path.lower().endswith(suffixes):
            rel = path[len(prefix) + 1 :] if prefix else path
            order.append((rel, blob))
            wanted[blob] = rel
    blobs = {oid: (raw if 0 <= size <= limit else None) for oid, _, raw, size in read_objects(root, list(dict.fromkeys(wanted)), limit)}
    return {rel: blobs.get(blob) for rel, blob in order}


def show_file(root: Path, ref: str, path: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """One file's bytes at a commit (`path` relative to the repository root), or None when it is not there or is
    larger than `limit` (checked from the object's size before its content is read)."""
    for _, kind, raw, size in read_objects(root, [f"{ref}:{path}"], limit):
        return raw if kind == "blob" and 0 <= size <= limit else None
    return None


def head_state(folder: Path) -> tuple[str, str | None]:
    """What the history of `folder` follows from, in one cheap git call: (a key of the work tree's top folder,
    whether it is a shallow clone and the commit HEAD names; that commit, or None where there is none).
    ("", None) outside git or without git. `git log` of that commit then gives the same history every time."""
    exe = shutil.which("git")
    if exe is None:
        return "", None
    try:
        done = subprocess.run(
            [exe, *_GIT_CONFIG, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD"],
            cwd=folder.resolve(),
            capture_output=True,
            env=_env(),
            check=False,
        )
    except OSError:
        return "", None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode != 0 or len(lines) != 3:
        return f"{done.returncode}:{lines}", None
    return "\n".join(lines), lines[2]
