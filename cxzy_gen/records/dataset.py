"""The `Dataset`: every record of a data folder, typed and cross-checked, as validation hands it to rules, derive and plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records import models as m
from cxzy_gen.records.loader import Document

# Records' hashes by the record's id(), each kept with its record so the id stays its own (`Dataset.origins`).
Origins = Mapping[int, tuple[Any, bytes]]


@dataclass
class Dataset:
    """Every record of the data folder, typed and cross-checked; the input of derive and plan."""

    root: Path
    site: m.Site
    units: dict[str, m.Unit] = field(default_factory=dict)
    members: dict[str, m.Member] = field(default_factory=dict)
    commitments: list[m.Commitment] = field(default_factory=list)
    reviews: list[m.Review] = field(default_factory=list)
    appraisals: list[m.Appraisal] = field(default_factory=list)
    commendations: list[m.Commendation] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    # Each record's origin, by the record's id(): the hash of its file's kind and bytes, its place in the file and folder
    # and its resolved audience, which is all its state follows from (nothing changes a record once it is validated).
    # The record is kept with it, so the id stays its own. Known only for files read through the cache; `site.reuse`
    # hashes a record by it instead of by its fields.
    origins: dict[int, tuple[Any, bytes]] = field(default_factory=dict)

    def records(self) -> list[m.Record]:
        """Every record with an id, in a stable order."""
        return [
            *self.units.values(),
            *self.members.values(),
            *self.commitments,
            *self.reviews,
            *self.appraisals,
            *self.commendations,
        ]

    def unit_of(self, ref: str) -> m.Unit | None:
        """The unit a reference means: the unit itself, or a member's unit."""
        if ref in self.units:
            return self.units[ref]
        member = self.members.get(ref)
        return self.units.get(member.folder_unit) if member else None

    def problem(
        self,
        record: m.Record,
        keys: tuple[str | int, ...],
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        """A problem about `record`, pointing at the field `keys` inside it."""
        doc = self.documents[record.source_file]
        line, column = doc.locate((*record.source_keys, *keys))
        return Problem(doc.path, line, column, code, message, severity)

    def duplicate_id(self, record: m.Record, first: m.Record) -> Problem:
        """`record` reuses the id of `first` (ids are compared ignoring case)."""
        line = self.documents[first.source_file].locate((*first.source_keys, "id"))[0]
        return self.problem(record, ("id",), "E-ID-DUP", f"编号「{record.id}」已被 {first.source_file}:{line} 使用")
