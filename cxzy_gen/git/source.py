"""A data folder's git history, read only when a build needs it.

`History.load` runs `git log` over the whole history, which takes seconds on a big board. A build whose
inputs all match its last build's needs only to know that HEAD is still the same commit: `key()` asks git
for that alone, and `load()` reads the history the first time it is wanted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cxzy_gen.git.plumbing import head_state

if TYPE_CHECKING:
    from cxzy_gen.git.history import History


class HistorySource:
    """The history of `data_dir` as `History.load(data_dir)` reads it, loaded at most once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._state: tuple[str, str | None] | None = None
        self._history: History | None = None

    def _head(self) -> tuple[str, str | None]:
        if self._state is None:
            self._state = head_state(self.data_dir)
        return self._state

    def key(self) -> str:
        """What the history follows from: the repository's top folder, shallow or not, and HEAD's commit."""
        return self._head()[0]

    @property
    def head(self) -> str | None:
        """The commit HEAD named when `key()` was read (None outside git or before the first commit)."""
        return self._head()[1]

    def load(self) -> History:
        from cxzy_gen.git.history import History

        if self._history is None:
            self._history = History.load(self.data_dir)
        return self._history
