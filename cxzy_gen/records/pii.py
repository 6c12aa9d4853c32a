"""Personal identifiers (身份证号, private mobile numbers) in any published text, found after normalising it.

Text is normalised before it is searched, so a number cannot hide behind its spelling: NFKC (full-width
digits and punctuation → ASCII), every Unicode decimal digit → its ASCII digit, invisible format
characters dropped; then digit groups separated by up to three separator characters (spaces, line
breaks, hyphens, dots, slashes, brackets, plus signs…) are joined in every run short enough to be a
number. The formats found, with examples, are listed in docs/privacy.md (a test reads them from there).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SEPARATORS = r"\s\-./_()\[\]{}+·•‐‑‒–—―−~～:：,，、"
# A digit group (ending in X for a 身份证号's check digit) and up to three separators after it.
_GROUP = re.compile(rf"([0-9]+[Xx]?)(?![0-9])[{_SEPARATORS}]{{0,3}}")
_FORMAT = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_MAX_JOINED = 18  # the longest number looked for; longer runs are not joined further


def normalise(text: str) -> str:
    """NFKC, ASCII digits for every decimal digit, invisible format characters removed."""
    text = _FORMAT.sub("", unicodedata.normalize("NFKC", text))
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def is_id_card(number: str) -> bool:
    """A mainland resident identity number (GB 11643): 18 characters with a valid check digit and birth date,
    or the old 15-digit form (area, YYMMDD, sequence) with a valid date."""
    if len(number) == 18 and number[:17].isdigit() and number[0] != "0":
        total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
        return "10X98765432"[total % 11] == number[17].upper() and _birth(number[6:14])
    if len(number) == 15 and number.isdigit() and number[0] != "0":
        return _birth("19" + number[6:12])
    return False


def _birth(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def is_mobile(number: str) -> bool:
    """A mainland mobile number, with or without the country code 86 / 0086."""
    for prefix in ("0086", "86", ""):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            rest = number[len(prefix) :]
            return rest.isdigit() and rest[0] == "1" and rest[1] in "3456789"
    return False


def _candidates(text: str) -> Iterator[str]:
    """Every run of adjacent digit groups (joined without their separators) no longer than 18 characters."""
    groups = list(_GROUP.finditer(text))
    for i, first in enumerate(groups):
        joined = first.group(1)
        yield joined
        for previous, group in zip(groups[i:], groups[i + 1 :], strict=False):
            if group.start() != previous.end() or joined[-1] in "Xx":
                break  # other text between them, or the check digit X ended an id number
            joined += group.group(1)
            if len(joined) > _MAX_JOINED:
                break
            yield joined


def find_pii(text: str, office_phone: bool = False) -> list[str]:
    """Personal identifiers in a text, each described with its first digits (e.g. 「手机号 138…」).

    `office_phone`: the text is a declared office telephone field, where a phone number is expected; a
    身份证号 there is still found.
    """
    text = normalise(text)
    found: list[str] = []
    for number in _candidates(text):
        if is_id_card(number):
            what = f"身份证号 {number[:6]}…"
        elif not office_phone and is_mobile(number):
            what = f"手机号 {number.removeprefix('00').removeprefix('86')[:3]}…"
        else:
            continue
        if what not in found:
            found.append(what)
    return found
