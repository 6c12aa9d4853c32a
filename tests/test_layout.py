"""The data layout, said once in `records.layout`: every reader of data files places a path the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import DEMO, SITE

from cxzy_gen.git import history
from cxzy_gen.git.snapshot import from_folder
from cxzy_gen.records import layout
from cxzy_gen.records import models as m
from cxzy_gen.records.validate import discover, load_dataset


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("site.yaml", ("site", "", None)),
        ("units/lian-1/unit.yaml", ("unit", "lian-1", None)),
        ("units/lian-1/members.yaml", ("members", "lian-1", None)),
        ("units/lian-1/2011/commitments.yaml", ("commitments", "lian-1", 2011)),
        ("units/shi/2010/commendations.yaml", ("commendations", "shi", 2010)),
        ("units/lian-1/2011/unit.yaml", None),  # unit.yaml is not a yearly file
        ("units/lian-1/commitments.yaml", None),  # yearly files need their year folder
        ("units/lian-1/11/reviews.yaml", None),  # a year has four digits
        ("units/lian-1/2011/notes.yaml", None),
        ("units/lian-1/site.yaml", None),
        ("lian-1/unit.yaml", None),
        ("units/unit.yaml", None),
    ],
)
def test_place_of_a_path(rel: str, expected: tuple[str, str, int | None] | None) -> None:
    found = layout.place(rel)
    assert (None if found is None else (found.file.key, found.unit, found.year)) == expected


def test_paths_round_trip_through_place() -> None:
    for kind in layout.FILES.values():
        found = layout.place(kind.path("tuan-3", 2012))
        assert found is not None and found.file is kind
        assert (found.unit, found.year) == (("", None) if kind is layout.SITE else ("tuan-3", 2012 if kind.yearly else None))


def test_every_record_kind_has_one_file_and_one_dataset_field() -> None:
    assert set(layout.FILE_OF) == set(layout.RECORD_KINDS)
    ds, problems, _ = load_dataset(SITE)
    assert ds is not None, problems
    for kind in layout.RECORD_KINDS.values():
        assert getattr(ds, kind.plural), f"the fixture has no {kind.key}"


@pytest.mark.parametrize("data", [SITE, *([DEMO] if (DEMO / "site.yaml").is_file() else [])], ids=lambda p: p.name)
def test_validation_and_snapshots_read_the_same_files_and_records(data: Path) -> None:
    found, problems = discover(data)
    assert not problems
    rels = {path.relative_to(data).as_posix() for path, _ in found}
    snap = from_folder(data)
    assert set(snap.documents) == rels
    ds, _, _ = load_dataset(data)
    assert ds is not None
    assert {r.id.casefold() for r in ds.records()} == set(snap.records)
    for record in ds.records():
        assert snap.records[record.id.casefold()].kind == next(k.key for k in layout.RECORD_KINDS.values() if isinstance(record, k.model))


def test_records_keep_their_unit_and_year_folder() -> None:
    ds, _, _ = load_dataset(SITE)
    assert ds is not None
    assert {(h.folder_unit, h.folder_year) for h in ds.commendations} == {("shi", 2010), ("shi", 2011)}
    assert {m.folder_year for m in ds.members.values()} == {None}


@pytest.mark.parametrize(
    ("path", "meaning"),
    [
        ("data/units/lian-1/2011/commitments.yaml", ("lian-1", "公开承诺 2011 年")),
        ("units/lian-1/members.yaml", ("lian-1", "党员名单")),
        ("data/units/shi/unit.yaml", ("shi", "单位信息")),
        ("data/site.yaml", ("", "站点设置")),
        ("data/units/lian-1/README.md", ("lian-1", "README.md")),
        ("docs/data.md", ("", "data.md")),
    ],
)
def test_history_names_a_file_by_the_layout(path: str, meaning: tuple[str, str]) -> None:
    assert history.meaning(history.FileChange(history.ChangeType.MODIFIED, path)) == meaning


def _declared(model: type[m.BaseModel], prefix: str = "") -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, info in model.model_fields.items():
        if m.refers_to(info):
            found[prefix + name] = set(m.refers_to(info))
        sub = m.model_in(info.annotation)
        if sub is not None:
            found |= _declared(sub, f"{prefix}{name}.")
    return found


def test_references_are_declared_once_in_the_model() -> None:
    """Which fields hold a unit's or a member's id: the reference rule, cxzy diff and the change rules read this."""
    both = {"unit", "member"}
    declared = {kind.key: _declared(kind.model) for kind in layout.RECORD_KINDS.values()}
    assert declared == {
        "unit": {"audience_to": both, "parent": {"unit"}, "secretary": {"member"}},
        "member": {"audience_to": both},
        "commitment": {"audience_to": both, "subject": both, "responsible": {"member"}},
        "review": {"audience_to": both, "reviewer.member": {"member"}, "target": both},
        "appraisal": {"audience_to": both, "target": both},
        "commendation": {"audience_to": both, "nominee": both, "nominated_by": {"unit"}, "awarding_unit": {"unit"}},
    }
    assert _declared(m.Site) == {"root_unit": {"unit"}}


def test_references_walks_nested_models_and_lists() -> None:
    review = m.Review.model_validate(
        {
            "id": "r1",
            "audience": "特定对象公开",
            "audience_to": ["lian-1", "shi-li"],
            "date": "2011-06-20",
            "form": "个别点评",
            "reviewer": {"name": "李明", "title": "师党委书记", "member": "shi-li"},
            "target": "lian-1",
            "opinion": {"achievements": "好", "problems": "少", "direction": "多"},
            "rectifications": [{"id": "x1", "item": "整改", "deadline": "2011-07-01", "status": "未开始"}],
        }
    )
    assert [(keys, ref) for keys, ref, _ in m.references(review)] == [
        (("audience_to", 0), "lian-1"),
        (("audience_to", 1), "shi-li"),
        (("reviewer", "member"), "shi-li"),
        (("target",), "lian-1"),
    ]
