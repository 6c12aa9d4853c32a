"""A real git repository in a temporary folder, for the history, diff and change-rule tests.

Every commit names its author and date explicitly, so tests can assert revisions against the commits made.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

# Keep the tester's own git configuration (signing, hooks, default branch) out of the test repositories, and no
# background upkeep after each commit (`git maintenance run --auto`: one more process per commit, for tiny repositories).
ISOLATED = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "maintenance.auto",
    "GIT_CONFIG_VALUE_0": "false",
    "GIT_CONFIG_KEY_1": "gc.auto",
    "GIT_CONFIG_VALUE_1": "0",
}


class GitRepo:
    """A repository whose data folder starts as a copy of tests/fixtures/mini (or empty)."""

    def __init__(self, root: Path, data: Path | None = MINI) -> None:
        self.root = root
        self.data = root / "data"
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        if data is not None:
            shutil.copytree(data, self.data)
        self._clock = 0

    @classmethod
    def clone(cls, url: Path, into: Path) -> GitRepo:
        """A clone of another repository (its `origin`), to work in as a second office would."""
        subprocess.run(["git", "clone", "-q", str(url), str(into)], env={**os.environ, **ISOLATED}, capture_output=True, check=True)
        repo = cls.__new__(cls)
        repo.root, repo.data, repo._clock = into, into / "data", 20
        return repo

    def copy(self, into: Path) -> GitRepo:
        """A copy of this repository (history, branches, working tree) at `into`, for a test to change as its own:
        a history made once per module costs one copy per test instead of one run of git per commit."""
        shutil.copytree(self.root, into, symlinks=True)
        repo = GitRepo.__new__(GitRepo)
        repo.root, repo.data, repo._clock = into, into / "data", self._clock
        return repo

    # ------------------------------------------------------------ git
    def git(self, *args: str, author: tuple[str, str] = ("测试", "test@example.org"), date: str | None = None) -> str:
        env = {
            **os.environ,
            **ISOLATED,
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
        }
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        done = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def _next_date(self) -> str:
        self._clock += 1
        return f"2011-03-{self._clock:02d}T10:00:00+08:00"

    def commit(self, message: str, author: tuple[str, str] = ("测试", "test@example.org"), date: str | None = None) -> str:
        """Stage everything and commit; returns the full commit id."""
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message, author=author, date=date or self._next_date())
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, message: str, by: tuple[str, str], date: str | None = None) -> str:
        """A merge commit (as a forge makes when a change request is approved); returns its id."""
        self.git("merge", "-q", "--no-ff", "-m", message, branch, author=by, date=date or self._next_date())
        return self.git("rev-parse", "HEAD")

    def checkout(self, branch: str, new: bool = False) -> None:
        self.git("checkout", "-q", *(["-b"] if new else []), branch)

    # ------------------------------------------------------------ files (paths relative to the data folder)
    def path(self, rel: str) -> Path:
        return self.data / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        self.write(rel, text.replace(old, new))

    def append(self, rel: str, text: str) -> None:
        self.write(rel, self.read(rel) + text)

    def remove_record(self, rel: str, record_id: str) -> None:
        """Delete one list item (`  - id: x` up to the next item) from a records file."""
        lines = self.read(rel).splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {record_id}")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:")), len(lines))
        self.write(rel, "".join(lines[:start] + lines[end:]))
