"""Names of members and units found in text, whatever way they are spelt: the rule E-NAME and the build's safety
net use it.

Text and names are folded the same way before they are compared, so a name cannot hide behind its spelling:
HTML character references decoded (`&#29579;`), NFKC (full-width letters → ASCII), case folded, and removed:
white space and line breaks, invisible format characters (zero-width spaces, bidi controls) and what only marks
up text (Markdown's `*`, `_`, `` ` ``, `~`, a link's brackets and its `(address)`, HTML tags). Only whole names
are looked for, and only names of at least two characters; where one name is part of a longer one, the longer is
found.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator

_IGNORED = re.compile(r"\]\([^()]*\)|<[^<>]*>|[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff*_`~\[\]]+")
MIN_LENGTH = 2


def fold(text: str) -> str:
    """Text as names are compared: see the module's description."""
    if "&" in text:
        text = html.unescape(text)
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text)).casefold()


class NameFinder:
    """Finds which of some names a text holds (each folded, as in `fold`). `also` are names looked for only so
    that a shorter name inside them is not taken for itself (王军 inside 王军华); they are never reported.

    Names are matched leftmost first, the longest at a position, looked up in sets (a regular expression of many
    names is slow: Python's `re` tries an alternation's branches one by one): a position whose first two characters
    begin no name is passed over, at the others each length is looked up."""

    def __init__(self, names: Iterable[str], also: Iterable[str] = ()) -> None:
        self.names = {key for key in map(fold, names) if len(key) >= MIN_LENGTH}
        self.words = self.names | {key for key in map(fold, also) if len(key) >= MIN_LENGTH} if self.names else set()
        self.lengths = sorted({len(word) for word in self.words}, reverse=True)
        self.prefixes = {word[:MIN_LENGTH] for word in self.words}

    def __bool__(self) -> bool:
        return bool(self.names)

    def __eq__(self, other: object) -> bool:  # two finders for the same names are the same (views compare equal)
        return isinstance(other, NameFinder) and (self.names, self.words) == (other.names, other.words)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"NameFinder({len(self.names)} names)"

    def _matches(self, folded: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each word in folded text, leftmost first, the longest at a position, none overlapping."""
        # Every word has at least two characters: a word can start only where its first two are some word's.
        starts = [i for i in range(len(folded) - 1) if folded[i : i + 2] in self.prefixes]
        free = 0
        for i in starts:
            if i < free:
                continue
            for n in self.lengths:
                if i + n <= len(folded) and folded[i : i + n] in self.words:
                    yield i, i + n
                    free = i + n
                    break

    def find(self, text: str) -> list[str]:
        """The names (folded) the text holds, each once, in the order they first appear."""
        if not self.names:
            return []
        folded = fold(text)
        found = (folded[start:end] for start, end in self._matches(folded))
        return list(dict.fromkeys(name for name in found if name in self.names))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where in `text` itself (not folded) each name the text holds begins and ends; a name whose characters
        cannot be traced back one by one (spelt with character references or tags) is not among them."""
        if not self.names:
            return
        folded: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            for out in _IGNORED.sub("", unicodedata.normalize("NFKC", ch)).casefold():
                folded.append(out)
                origin.append(i)
        joined = "".join(folded)
        for start, end in self._matches(joined):
            if joined[start:end] in self.names:
                yield origin[start], origin[end - 1] + 1


def withhold(text: str, finder: NameFinder, replacement: str) -> str:
    """`text` with every name `finder` looks for replaced; the whole text replaced when a name cannot be traced
    back to its characters (so a name is never left in, however it is spelt)."""
    for _ in range(8):  # a replacement can join the ends of two names into a third: look again
        if not finder.find(text):
            return text
        spans = list(finder.spans(text))
        if not spans:
            return replacement
        for start, end in reversed(spans):
            text = text[:start] + replacement + text[end:]
    return replacement if finder.find(text) else text
