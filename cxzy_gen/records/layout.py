"""The data folder's layout, said once: which files exist, where they live, which model reads each, and their Chinese names.

    site.yaml                                  the site settings
    units/<unit id>/unit.yaml                  one unit (the file is the record)
    units/<unit id>/members.yaml               its members
    units/<unit id>/<year>/<kind>.yaml         the records of one year: commitments, reviews, appraisals, commendations

Discovery (`validate`), snapshots at a git ref, the history's words for a file, the JSON Schemas and
`docs/data.md`, and the demo generator all read this module instead of spelling the layout again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cxzy_gen.records import models as m

SUFFIX = ".yaml"
UNITS_DIR = "units"
YEAR_DIR = re.compile(r"^\d{4}$")


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A kind of record: its model, its Chinese name, and its plural (the `Dataset` field and the list key in its file)."""

    key: str  # "commitment"
    model: type[m.Record]
    name: str  # 承诺
    plural: str  # "commitments"


UNIT = RecordKind("unit", m.Unit, "单位", "units")
MEMBER = RecordKind("member", m.Member, "党员", "members")
COMMITMENT = RecordKind("commitment", m.Commitment, "承诺", "commitments")
REVIEW = RecordKind("review", m.Review, "点评", "reviews")
APPRAISAL = RecordKind("appraisal", m.Appraisal, "评议", "appraisals")
COMMENDATION = RecordKind("commendation", m.Commendation, "表彰推荐", "commendations")
RECORD_KINDS: dict[str, RecordKind] = {k.key: k for k in (UNIT, MEMBER, COMMITMENT, REVIEW, APPRAISAL, COMMENDATION)}


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of data file: its name, the model that reads it, what it holds, and where it lives."""

    key: str  # the file name without .yaml, also the name of its JSON Schema
    model: type[m.Strict]
    title: str  # what the file holds, in Chinese: 公开承诺
    record: RecordKind | None = None  # the records in it (None: site settings)
    yearly: bool = False  # under units/<unit id>/<year>/
    note: str = ""  # more about the file for docs/data.md

    @property
    def file_name(self) -> str:
        return self.key + SUFFIX

    @property
    def list_key(self) -> str | None:
        """The key of the file's list of records; None when the file is itself the record (unit.yaml) or holds none."""
        return None if self.record is None or self.record is UNIT else self.record.plural

    def path(self, unit: str = "<单位编号>", year: int | str = "<年份>") -> str:
        """The file's path relative to the data folder, for one unit and year (or as a pattern for people)."""
        if self.record is None:
            return self.file_name
        return "/".join([unit_dir(unit), *([str(year)] if self.yearly else []), self.file_name])


def unit_dir(unit: str) -> str:
    """A unit's folder relative to the data folder: what it holds is about the unit, and its approvers own it."""
    return f"{UNITS_DIR}/{unit}"


SITE = FileKind("site", m.Site, "站点设置")
UNIT_FILE = FileKind("unit", m.Unit, "单位信息", UNIT, note="党组织")
MEMBERS_FILE = FileKind("members", m.MembersFile, "党员名单", MEMBER)
FILES: dict[str, FileKind] = {
    f.key: f
    for f in (
        SITE,
        UNIT_FILE,
        MEMBERS_FILE,
        FileKind("commitments", m.CommitmentsFile, "公开承诺", COMMITMENT, yearly=True),
        FileKind("reviews", m.ReviewsFile, "领导点评", REVIEW, yearly=True, note="点评意见表"),
        FileKind("appraisals", m.AppraisalsFile, "群众评议", APPRAISAL, yearly=True, note="只记票数，不记个人选票"),
        FileKind("commendations", m.CommendationsFile, "评选表彰", COMMENDATION, yearly=True, note="由表彰单位保存"),
    )
}
FILE_OF: dict[str, FileKind] = {f.record.key: f for f in FILES.values() if f.record is not None}  # record kind → its file
_BY_NAME = {f.file_name: f for f in FILES.values()}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a data file sits: its kind, the unit whose folder holds it ("" for site.yaml), and its year folder."""

    file: FileKind
    unit: str = ""
    year: int | None = None


def place(rel: str) -> Place | None:
    """The place of a path relative to the data folder (posix), or None when cxzy does not read such a file there."""
    parts = rel.split("/")
    if parts == [SITE.file_name]:
        return Place(SITE)
    if len(parts) < 3 or parts[0] != UNITS_DIR:
        return None
    kind = _BY_NAME.get(parts[-1])
    if kind is None or kind.record is None:
        return None
    if len(parts) == 3 and not kind.yearly:
        return Place(kind, parts[1])
    if len(parts) == 4 and kind.yearly and YEAR_DIR.match(parts[2]):
        return Place(kind, parts[1], int(parts[2]))
    return None


def place_within(path: str) -> Place | None:
    """The place of a data file named by a longer path (from the repository root, say): judged by the path's tail."""
    parts = path.split("/")
    for start in (len(parts) - 4, len(parts) - 3):
        if start >= 0 and (found := place("/".join(parts[start:]))) is not None:
            return found
    return Place(SITE) if parts[-1] == SITE.file_name and not unit_folder(path) else None


def unit_folder(path: str) -> str:
    """The unit whose folder holds a path (…/units/<unit id>/…, any file), or ""."""
    parts = path.split("/")
    for i in (len(parts) - 4, len(parts) - 3):
        if i >= 0 and parts[i] == UNITS_DIR:
            return parts[i + 1]
    return ""


def expected_files() -> str:
    """The files a unit folder may hold, as a hint for people: unit.yaml、members.yaml、<年份>/commitments.yaml…"""
    return "、".join(f.file_name if not f.yearly else f"<年份>/{f.file_name}" for f in FILES.values() if f.record is not None)
