"""What a change request changes, in the words of the domain: records matched by id between two snapshots,
grouped by unit, each with a one-line summary and the fields that changed (old → new, by their Chinese titles).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from cxzy_gen.git.plumbing import GitError
from cxzy_gen.git.snapshot import RecordSnap, Snapshot, versions
from cxzy_gen.records import models as m
from cxzy_gen.records.layout import RECORD_KINDS, SITE
from cxzy_gen.records.names import NameFinder, fold, withhold
from cxzy_gen.site.scope import PROTECTED_DEFAULT, Readers, Scope, ScopeError, check_readers

# "hidden" and "shown" only in a report for one audience (`--audience`): a record that stays in the data but
# leaves that audience (its own, its unit's or a member's audience narrowed), or comes into it.
Action = Literal["added", "removed", "modified", "hidden", "shown"]
ACTION_NAMES = {"added": "新增", "removed": "删除", "modified": "修改", "hidden": "不再向此范围公开", "shown": "新向此范围公开"}
SHORT = 60  # characters of a value shown in text and Markdown; JSON has the whole value


class DiffError(Exception):
    """The comparison could not be made (no repository, unknown base); the message says what to do."""


# ---------------------------------------------------------------- field-level comparison


@dataclass
class FieldChange:
    """One value that differs: where (keys inside the record), its Chinese label, and the two values (None: absent)."""

    keys: tuple[str | int, ...]
    label: str
    old: Any
    new: Any
    model: type[BaseModel] | None = None  # the model of a nested value, for rendering it with titles
    reference: bool = False  # the value is a unit's or member's id (models.RefersTo), shown with its name

    @property
    def top(self) -> str:
        return str(self.keys[0]) if self.keys else ""


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _same(a: Any, b: Any) -> bool:
    if _empty(a) and _empty(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(_same(a.get(k), b.get(k)) for k in {*a, *b})
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return str(a) == str(b)  # 2011-03-01 quoted or not, 5 or "5": the same to a reader


def field_changes(model: type[BaseModel], old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every differing value between two versions of a record, deepest first where both sides are mappings."""
    out: list[FieldChange] = []
    _compare(model, old, new, (), "", out)
    return out


def _compare(
    model: type[BaseModel] | None,
    old: dict[str, Any],
    new: dict[str, Any],
    keys: tuple[str | int, ...],
    prefix: str,
    out: list[FieldChange],
) -> None:
    fields = model.model_fields if model else {}
    names = [*fields, *sorted({*old, *new} - set(fields), key=str)]
    for name in names:
        o, n = old.get(name), new.get(name)
        if _same(o, n):
            continue
        info = fields.get(name)
        title = (info.title if info else None) or str(name)
        label = f"{prefix} › {title}" if prefix else title
        sub = m.model_in(info.annotation) if info else None
        here = (*keys, name)
        if sub and isinstance(o, dict) and isinstance(n, dict):
            _compare(sub, o, n, here, label, out)
        elif sub and isinstance(o, list | type(None)) and isinstance(n, list | type(None)) and _dict_items(o, n):
            _compare_list(sub, o or [], n or [], here, label, out)
        else:
            out.append(FieldChange(here, label, o, n, sub, bool(info and m.refers_to(info))))


def _dict_items(*lists: list[Any] | None) -> bool:
    return all(isinstance(x, dict) for lst in lists for x in (lst or []))


def _compare_list(
    model: type[BaseModel], old: list[Any], new: list[Any], keys: tuple[str | int, ...], label: str, out: list[FieldChange]
) -> None:
    if "id" in model.model_fields:  # items with their own ids (整改事项) are matched by id
        old_by = {str(x.get("id")): x for x in old}
        new_pos = {str(x.get("id")): i for i, x in enumerate(new)}
        for i, item in enumerate(new):
            item_id = str(item.get("id"))
            before = old_by.get(item_id)
            where = f"{label}「{item_id}」"
            if before is None:
                out.append(FieldChange((*keys, i), where, None, item, model))
            else:
                _compare(model, before, item, (*keys, i), where, out)
        for item_id, item in old_by.items():
            if item_id not in new_pos:
                out.append(FieldChange(keys, f"{label}「{item_id}」", item, None, model))
        return
    for i in range(max(len(old), len(new))):
        o = old[i] if i < len(old) else None
        n = new[i] if i < len(new) else None
        where = f"{label} 第 {i + 1} 项"
        if o is not None and n is not None:
            _compare(model, o, n, (*keys, i), where, out)
        elif not _same(o, n):
            out.append(FieldChange((*keys, i) if n is not None else keys, where, o, n, model))


# ---------------------------------------------------------------- record-level comparison


@dataclass
class RecordChange:
    action: Action
    base: RecordSnap | None
    head: RecordSnap | None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def snap(self) -> RecordSnap:
        found = self.head or self.base
        assert found is not None
        return found

    @property
    def kind(self) -> str:
        return self.snap.kind

    @property
    def id(self) -> str:
        return self.snap.id

    @property
    def unit(self) -> str:
        return self.snap.unit

    @property
    def moved(self) -> bool:
        return self.base is not None and self.head is not None and self.base.rel != self.head.rel

    def changed(self, *keys: str | int) -> list[FieldChange]:
        """The field changes at or under `keys`."""
        return [f for f in self.fields if f.keys[: len(keys)] == keys]


def compare(base: Snapshot, head: Snapshot) -> list[RecordChange]:
    """Records added, removed or modified between two snapshots, matched by id, in file order."""
    changes: list[RecordChange] = []
    for key, after in head.records.items():
        before = base.records.get(key)
        if before is None:
            changes.append(RecordChange("added", None, after))
        elif before.kind != after.kind:  # the same id now names another kind of record
            changes.append(RecordChange("removed", before, None))
            changes.append(RecordChange("added", None, after))
        else:
            fields = field_changes(RECORD_KINDS[after.kind].model, before.data, after.data)
            if fields or before.rel != after.rel:
                changes.append(RecordChange("modified", before, after, fields))
    changes.extend(
        RecordChange("removed", before, None)
        for key, before in base.records.items()
        if key not in head.records and not head.unknown(before)
    )
    return sorted(changes, key=lambda c: (c.snap.rel, c.snap.keys, c.action))


# ---------------------------------------------------------------- rendering values


def plain(value: Any) -> Any:
    """A value as JSON: dates as ISO text, enums as their values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def render(value: Any, model: type[BaseModel] | None = None, limit: int | None = SHORT) -> str:
    """A value as one line of Chinese text, nested values with their field titles."""
    if _empty(value):
        return "（空）"
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, dict):
        fields = model.model_fields if model else {}
        text = "，".join(
            f"{(fields[k].title if k in fields else None) or k} {render(v, m.model_in(fields[k].annotation) if k in fields else None, None)}"
            for k, v in value.items()
            if not _empty(v)
        )
    elif isinstance(value, list):
        text = "、".join(render(v, model, None) for v in value)
    else:
        text = " ".join(str(value).split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def render_field(value: Any, model: type[BaseModel] | None, reference: bool, names: Snapshot) -> str:
    """A field's value for people: a reference (models.RefersTo) as 名称（编号）, everything else by `render`."""
    if reference and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "、".join(render_field(v, None, True, names) for v in value)
    if reference and isinstance(value, str) and names.name_of(value) != value:
        return f"{names.name_of(value)}（{value}）"
    return render(value, model)


def record_title(snap: RecordSnap, names: Snapshot) -> str:
    """How a record is named to people: its 承诺事项, who reviewed whom, who is nominated for what."""
    d = snap.data
    if snap.kind in ("unit", "member"):
        return str(d.get("name") or snap.id)
    if snap.kind == "commitment":
        return render(d.get("title"), limit=40)
    if snap.kind == "review":
        reviewer = snap.get("reviewer", "name") or "领导"
        return f"{reviewer}点评{names.name_of(d.get('target', ''))}"
    if snap.kind == "appraisal":
        return f"评议{names.name_of(d.get('target', ''))}"
    if snap.kind == "commendation":
        nominee = snap.get("external", "name") or names.name_of(d.get("nominee", ""))
        return f"{d.get('title', '')} {nominee}".strip()
    return snap.id


def window_text(window: Any) -> str:
    """A 公示期 as people say it: 公示 5 个工作日, or 公示 2011-06-20 至 2011-06-26."""
    if not isinstance(window, dict):
        return ""
    if window.get("working_days"):
        return f"公示 {window['working_days']} 个工作日"
    if window.get("end"):
        return f"公示 {window.get('start')} 至 {window['end']}"
    return f"{window.get('start')} 起公示" if window.get("start") else ""


# ---------------------------------------------------------------- the domain summary


@dataclass
class UnitReport:
    """The changes in one unit's folder."""

    unit: str
    name: str
    summary: list[str] = field(default_factory=list)
    changes: list[RecordChange] = field(default_factory=list)


@dataclass
class Report:
    base: str  # how the base is named, e.g. "origin/main（a1b2c3d）"
    head: str
    units: list[UnitReport] = field(default_factory=list)
    site: list[FieldChange] = field(default_factory=list)  # site.yaml changes
    unreadable: list[str] = field(default_factory=list)  # working-tree files that do not parse, so were not compared
    names: Snapshot | None = field(default=None, repr=False)  # where names come from (head, else base)

    @property
    def empty(self) -> bool:
        return not self.units and not self.site and not self.unreadable


def _summarize(changes: list[RecordChange], names: Snapshot) -> list[str]:
    """One unit's changes as short phrases, the way a reviewer would say them."""
    phrases: list[str] = []
    added: dict[str, list[RecordChange]] = defaultdict(list)
    removed: dict[str, list[RecordChange]] = defaultdict(list)
    for c in changes:
        if c.action == "added":
            added[c.kind].append(c)
        elif c.action == "removed":
            removed[c.kind].append(c)
    for kind in RECORD_KINDS:
        phrases.extend(_added_phrases(kind, added[kind], names))
    for c in changes:
        if c.action == "modified":
            phrases.extend(_modified_phrases(c, names))
    for c in changes:
        if c.action in ("hidden", "shown"):
            phrases.append(f"{RECORD_KINDS[c.kind].name} {c.id}「{record_title(c.snap, names)}」{ACTION_NAMES[c.action]}")
    for kind in RECORD_KINDS:
        items = removed[kind]
        if not items:
            continue
        if kind == "unit":
            phrases.extend(f"删除单位「{record_title(c.snap, names)}」" for c in items)
        elif kind == "member":
            phrases.append(f"删除党员 {len(items)} 人（{'、'.join(record_title(c.snap, names) for c in items)}）")
        else:
            phrases.append(f"删除{RECORD_KINDS[kind].name} {len(items)} 条（{'、'.join(c.id for c in items)}）")
    return phrases


def _added_phrases(kind: str, items: list[RecordChange], names: Snapshot) -> list[str]:
    if not items:
        return []
    if kind == "unit":
        return [f"新增单位「{record_title(c.snap, names)}」" for c in items]
    if kind == "member":
        return [f"新增党员 {len(items)} 人（{'、'.join(record_title(c.snap, names) for c in items)}）"]
    if kind == "commendation":
        orgs = sum(1 for c in items if c.snap.data.get("title") == m.HonourTitle.ORGANISATION.value)
        people = len(items) - orgs
        parts = [f"{people} 人" if people else "", f"{orgs} 个党组织" if orgs else ""]
        windows = {window_text(c.snap.data.get("publicity")) for c in items}
        note = f"（{windows.pop()}）" if len(windows) == 1 and "" not in windows else ""
        return [
            f"拟表彰名单新增 {'、'.join(p for p in parts if p)}{note}",
            *(nominee_record(c.snap, names) for c in items if c.snap.data.get("nominee")),
        ]
    return [f"新增{RECORD_KINDS[kind].name} {len(items)} 条"]


def nominee_record(h: RecordSnap, names: Snapshot) -> str:
    """What the reviewer of a nomination needs at hand: the nominee's commitments, reviews and 评议 grade that year."""
    nominee, year = h.data.get("nominee"), h.data.get("year")
    commitments = [r for r in names.records.values() if r.kind == "commitment" and r.data.get("subject") == nominee]
    outcomes = Counter(str(r.get("outcome", "result") or "未认定") for r in commitments if not r.get("withdrawn"))
    reviews = [r for r in names.records.values() if r.kind == "review" and r.data.get("target") == nominee and not r.get("withdrawn")]
    grades = [
        str(r.get("grade"))
        for r in names.records.values()
        if r.kind == "appraisal" and r.data.get("target") == nominee and r.get("grade") and str(r.data.get("date", ""))[:4] == str(year)
    ]
    kept = "，".join(f"{k} {n}" for k, n in sorted(outcomes.items()))
    parts = [
        f"承诺 {sum(outcomes.values())} 项" + (f"（{kept}）" if kept else ""),
        f"领导点评 {len(reviews)} 次",
        f"{year} 年民主评议{'「' + grades[-1] + '」' if grades else '无等次'}",
    ]
    return f"推荐对象{names.name_of(str(nominee))}（{h.data.get('title')}）：{'，'.join(parts)}"


def _modified_phrases(c: RecordChange, names: Snapshot) -> list[str]:
    name = RECORD_KINDS[c.kind].name
    phrases: list[str] = []
    handled: set[str] = set()
    head = c.head
    assert head is not None and c.base is not None
    if c.moved:
        phrases.append(f"{name} {c.id} 从 {c.base.rel} 移到 {head.rel}")

    def took(top: str, phrase: str) -> None:
        handled.add(top)
        phrases.append(phrase)

    for top in ("amendments", "progress", "objections"):
        grown = len(head.get(top) or []) - len(c.base.get(top) or [])
        if grown > 0 and c.changed(top) and all(f.old is None for f in c.changed(top)):
            what = {"amendments": "更正说明", "progress": "践诺进展", "objections": "异议"}[top]
            took(top, f"{name} {c.id} {'收到' if top == 'objections' else '新增'}{what} {grown} 条")
    if c.changed("withdrawn") and head.get("withdrawn"):
        took("withdrawn", f"撤回{name} {c.id}（{render(head.get('withdrawn', 'reason'), limit=30)}）")
    if c.kind == "commitment":
        if c.changed("publicized") and c.base.get("publicized") is None and head.get("publicized"):
            took("publicized", f"承诺 {c.id} 已公示（{head.get('publicized', 'date')}，{head.get('publicized', 'how')}）")
        if c.changed("outcome") and head.get("outcome", "result"):
            took("outcome", f"承诺 {c.id} 认定为{head.get('outcome', 'result')}")
    if c.kind == "review":
        if c.changed("signature") and c.base.get("signature") is None and head.get("signature"):
            took("signature", f"点评 {c.id} 已由{head.get('signature', 'by')}签字")
        if c.changed("feedback") and c.base.get("feedback") is None and head.get("feedback"):
            took("feedback", f"点评 {c.id} 已反馈")
        rect = c.changed("rectifications")
        if rect:
            statuses = Counter(f.new for f in rect if f.keys[-1] == "status" and f.old is not None)
            new_items = sum(1 for f in rect if f.old is None and len(f.keys) == 2)
            others = [f for f in rect if not (f.keys[-1] in ("status", "done", "verified_by") or (f.old is None and len(f.keys) == 2))]
            for status, n in statuses.items():
                phrases.append(f"点评 {c.id} 整改事项 {n} 项改为{status}")
            if new_items:
                phrases.append(f"点评 {c.id} 新增整改事项 {new_items} 项")
            if not others:
                handled.add("rectifications")
    if c.kind == "commendation" and c.changed("status"):
        before, after = c.base.get("status"), head.get("status")
        note = (
            f"（{window_text(head.get('publicity'))}）" if after == m.CommendationStatus.PUBLICIZING.value and head.get("publicity") else ""
        )
        took("status", f"表彰推荐 {c.id}（{record_title(head, names)}）状态：{before} → {after}{note}")
        if note and c.base.get("publicity") is None:
            handled.add("publicity")
    rest = [f for f in c.fields if f.top not in handled]
    if rest:
        titles = list(dict.fromkeys(f.label.split(" › ")[0].split("「")[0].split(" 第 ")[0] for f in rest))
        phrases.append(f"修改{name} {c.id}（{'、'.join(titles)}）")
    return phrases


def describe(base: Snapshot, head: Snapshot, scope: Scope | None = None) -> Report:
    """Compare two snapshots and group the changes by unit folder, in the head's tree order. With `scope`, both
    are first restricted to what those readers may see (`restrict`), and a record that is in both versions but
    visible in one only is shown as leaving or coming into their view, not as deleted or added."""
    if scope is not None:
        full_base, full_head = base, head
        base, head = restrict(base, scope), restrict(head, scope)
        changes = compare(base, head)
        for c in changes:
            if c.action == "removed" and c.base is not None and full_head.find(c.base.id) is not None:
                c.action = "hidden"  # only what these readers saw before: the base's record, nothing of the head's
            elif c.action == "added" and c.head is not None and full_base.find(c.head.id) is not None:
                c.action = "shown"
    else:
        changes = compare(base, head)
    names = head
    by_unit: dict[str, list[RecordChange]] = defaultdict(list)
    for c in changes:
        by_unit[c.unit].append(c)
    order: dict[str, int] = {}
    for unit in (*_tree_order(head), *_tree_order(base)):
        order.setdefault(unit, len(order))
    report = Report(base=base.label, head=head.label, names=names)
    for unit in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u)):
        name = head.unit_name(unit) if head.find(unit) else base.unit_name(unit)
        report.units.append(UnitReport(unit, name, _summarize(by_unit[unit], names), by_unit[unit]))
    report.site = field_changes(m.Site, base.site, head.site) if SITE.file_name not in head.unreadable else []
    report.unreadable = sorted(head.unreadable | base.unreadable)
    return report


def _tree_order(snap: Snapshot) -> list[str]:
    """Unit ids depth-first from the roots, so a 师 comes before its 团场 and their 连队."""
    parents = snap.parents()
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit, parent in sorted(parents.items()):
        children[parent if parent in parents else None].append(unit)
    order: dict[str, None] = {}  # insertion-ordered set
    stack = list(reversed(children[None]))
    while stack:
        unit = stack.pop()
        if unit in order:
            continue
        order[unit] = None
        stack.extend(reversed(children.get(unit, [])))
    return list(order)


def diff_data(data_dir: Path, base: str, scope: Scope | m.Audience | None = None) -> Report:
    """Describe the working tree's data folder against the data folder where it left `base` (the merge base).
    With `scope` (the readers of a board, as `cxzy build` takes them) the report holds only what those readers may
    see (`restrict`), and records leaving or entering their view are said to do so."""
    try:
        pair = versions(data_dir, base)
    except GitError as exc:
        raise DiffError(str(exc)) from exc
    if scope is None:
        return describe(pair.base, pair.head)
    scope = Scope(scope) if isinstance(scope, m.Audience) else scope
    _check_scope(scope, pair.head)
    return describe(pair.base, pair.head, scope)


def _check_scope(scope: Scope, head: Snapshot) -> None:
    """The readers a report is for are named as a build requires, by ids the head has (`scope.check_readers`)."""
    ids = {kind: {r.id for r in head.records.values() if r.kind == kind} for kind in ("unit", "member")}
    try:
        check_readers(scope, ids["unit"], ids["member"])
    except ScopeError as exc:
        raise DiffError(str(exc)) from exc


WITHHELD = "（不在本公开范围）"  # what the report prints in place of a name its readers may not see (as pages do)


def restrict(snap: Snapshot, scope: Scope | m.Audience) -> Snapshot:
    """The snapshot as the readers of `scope` may see it, by the site's one audience rule (`scope.Readers`, as a
    build applies it in `site.derive`): a unit by its audience; a member with their unit; a record with its unit
    folder and with the units and members it is shown with (`Record.shown_with`). In the records shown, a hidden
    member's id is replaced, and so is a hidden member's or unit's name — wherever a record carries it as a
    person's name or inside free text — unless a shown member or unit has the same name; a person given with a
    hidden member's id (a reviewer) loses their name too, whatever it is."""
    scope = Scope(scope) if isinstance(scope, m.Audience) else scope
    default = m.Audience(snap.site.get("default_audience") or m.Audience.PUBLIC.value)

    def level(r: RecordSnap) -> m.Audience:
        doc = snap.documents.get(r.rel)
        own = r.data.get("audience") or (doc.data.get("audience") if doc is not None and isinstance(doc.data, dict) else None)
        try:
            return m.Audience(own) if own else default
        except ValueError:
            return m.Audience.SPECIFIC  # an audience the model does not know: treated as the narrowest

    def to(r: RecordSnap) -> list[str]:
        value = r.data.get("audience_to")
        return [str(v) for v in value] if isinstance(value, list) else []

    def unit_of(ref: str) -> str | None:
        found = snap.find(ref)
        return found.unit if found is not None and found.kind == "member" else None

    readers = Readers(scope, unit_of)
    units = {key for key, r in snap.records.items() if r.kind == "unit" and readers.may_see(level(r), r.id, to(r))}
    members = {
        key
        for key, r in snap.records.items()
        if r.kind == "member" and r.unit.casefold() in units and readers.may_see(level(r), r.unit, to(r))
    }

    def shown_with(r: RecordSnap) -> bool:
        for name in RECORD_KINDS[r.kind].model.shown_with:
            ref = r.data.get(name)
            if ref is not None and str(ref).casefold() not in units | members:
                return False
        return True

    shown = {
        key: r
        for key, r in snap.records.items()
        if key in units
        or key in members
        or (r.kind not in ("unit", "member") and r.unit.casefold() in units and readers.may_see(level(r), r.unit, to(r)) and shown_with(r))
    }
    shown = {key: _protected(r, level(r), to(r), readers) for key, r in shown.items()}
    hidden_ids = {r.id for key, r in snap.records.items() if r.kind == "member" and key not in members}
    hidden_units = {key for key, r in snap.records.items() if r.kind == "unit" and key not in units}
    if not hidden_ids and not hidden_units:
        return replace(snap, records=shown)

    def name(r: RecordSnap) -> str:
        return str(r.data.get("name", ""))

    shown_names = [name(snap.records[key]) for key in members | units]
    seen = set(map(fold, shown_names))
    hidden_names = {fold(name(r)) for key, r in snap.records.items() if r.id in hidden_ids or key in hidden_units} - seen
    first = NameFinder(hidden_names)
    finder = NameFinder(first.names, [n for n in shown_names if first and first.find(n)])

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            if value in hidden_ids:
                return WITHHELD
            return withhold(value, finder, WITHHELD) if finder else value
        if isinstance(value, dict):
            if value.get("member") in hidden_ids:  # a person given by a hidden member's id: by identity
                value = {**value, "name": WITHHELD} if "name" in value else value
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return replace(snap, records={key: replace(r, data=scrub(r.data)) for key, r in shown.items()})


# The fields narrower than their record unless it says otherwise (`scope.PROTECTED_DEFAULT`), with the field that
# sets their own audience: a 民主评议 grade (and the votes that tell it), the reason a nomination was revoked.
PROTECTED = {"appraisal": (("grade", "grade_votes"), "grade_audience"), "commendation": (("revoked_reason",), "revoked_reason_audience")}


def _protected(r: RecordSnap, level: m.Audience, to: list[str], readers: Readers) -> RecordSnap:
    """The record without the protected fields these readers may not see, as `site.derive` redacts them."""
    if r.kind not in PROTECTED:
        return r
    fields, own_key = PROTECTED[r.kind]
    present = [f for f in fields if r.data.get(f) is not None]
    if not present:
        return r
    try:
        own = m.Audience(r.data[own_key]) if r.data.get(own_key) else PROTECTED_DEFAULT
    except ValueError:
        own = m.Audience.SPECIFIC  # an audience the model does not know: the narrowest
    narrowest = max(level, own, key=lambda a: a.rank)
    if readers.may_see(narrowest, r.unit, to):
        return r
    return replace(r, data={k: v for k, v in r.data.items() if k not in present})


# ---------------------------------------------------------------- output formats


def _added_lines(c: RecordChange, names: Snapshot) -> list[tuple[str, str]]:
    model = RECORD_KINDS[c.kind].model
    out = []
    for name, info in model.model_fields.items():
        value = c.snap.data.get(name)
        if name != "id" and not _empty(value):
            out.append((info.title or name, render_field(value, m.model_in(info.annotation), bool(m.refers_to(info)), names)))
    return out


def _record_lines(c: RecordChange, names: Snapshot) -> tuple[str, list[str]]:
    """A record's heading and its detail lines (label：old → new)."""
    name = RECORD_KINDS[c.kind].name
    if c.action in ("hidden", "shown"):
        heading = f"{name} {c.id}「{record_title(c.snap, names)}」{ACTION_NAMES[c.action]}"
        return heading, [f"{label}：{value}" for label, value in _added_lines(c, names)] if c.action == "shown" else []
    heading = f"{ACTION_NAMES[c.action]}{name} {c.id}「{record_title(c.snap, names)}」"
    if c.action == "added":
        return heading, [f"{label}：{value}" for label, value in _added_lines(c, names)]
    if c.action == "removed":
        return heading, [f"原在 {c.snap.rel}"]
    lines = [f"从 {c.base.rel} 移到 {c.head.rel}"] if c.moved and c.base and c.head else []
    for f in c.fields:
        old, new = (render_field(v, f.model, f.reference, names) for v in (f.old, f.new))
        if f.old is None:
            lines.append(f"{f.label}：新增 {new}")
        elif f.new is None:
            lines.append(f"{f.label}：删除（原为 {old}）")
        else:
            lines.append(f"{f.label}：{old} → {new}")
    return heading, lines


def _intro(report: Report) -> str:
    records = sum(len(u.changes) for u in report.units)
    if report.empty:
        return f"与 {report.base} 相比，数据没有变化。"
    scope = f" {len(report.units)} 个单位、{records} 条记录" if report.units else "站点设置" if report.site else "无法比较的文件"
    intro = f"与 {report.base} 相比，本次修改涉及{scope}。"
    if report.unreadable:
        intro += f"以下文件无法读取、未比较：{'、'.join(report.unreadable)}（先用 cxzy validate 找出错误）。"
    return intro


_MD_SPACE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MD_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Inline Markdown (and GitHub's extensions: tables, strikethrough, autolinks, @mentions) starts at these.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~!()&@:])")
_MD_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])")


def _md(text: str) -> str:
    """A value typed by a user as literal Markdown text on one line: line breaks and controls become spaces (no
    new heading, list, quote or table row can start), bidi controls go, and every character that opens inline
    markup — links, images, HTML, emphasis, code, table cells, autolinks, @mentions — is backslash-escaped, as
    is a list or heading marker at the start."""
    text = _MD_INVISIBLE.sub("", _MD_SPACE.sub(" ", text))
    text = _MD_INLINE.sub(r"\\\1", text)
    text = re.sub(r"(?i)\b(www)\.", r"\1\\.", text)
    return _MD_LINE_START.sub(r"\1\\\2", text)


def format_markdown(report: Report) -> str:
    """The comment a CI job posts on the change request."""
    names = report.names or Snapshot("")
    lines = ["## 数据变更说明", "", _md(_intro(report))]
    if report.site:
        lines += ["", "### 站点设置", ""]
        lines += [f"- {_md(f.label)}：{_md(render(f.old, f.model))} → {_md(render(f.new, f.model))}" for f in report.site]
    for u in report.units:
        lines += ["", f"### {_md(u.name)}（{_md(u.unit)}）", "", _md("；".join(u.summary)), ""]
        for c in u.changes:
            heading, details = _record_lines(c, names)
            lines.append(f"- **{_md(heading)}**")
            lines += [f"  - {_md(d)}" for d in details]
    return "\n".join(lines) + "\n"


def format_text(report: Report) -> str:
    names = report.names or Snapshot("")
    lines = [_intro(report)]
    if report.site:
        lines += ["", "站点设置："]
        lines += [f"  {f.label}：{render(f.old, f.model)} → {render(f.new, f.model)}" for f in report.site]
    for u in report.units:
        lines += ["", f"{u.name}：{'；'.join(u.summary)}"]
        for c in u.changes:
            heading, details = _record_lines(c, names)
            lines.append(f"  {heading}")
            lines += [f"    {d}" for d in details]
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    def record(c: RecordChange) -> dict[str, Any]:
        return {
            "kind": c.kind,
            "id": c.id,
            "action": c.action,
            "title": record_title(c.snap, report.names or Snapshot("")),
            "file": c.snap.rel,
            "old_file": c.base.rel if c.moved and c.base else None,
            "fields": [{"path": ".".join(map(str, f.keys)), "label": f.label, "old": plain(f.old), "new": plain(f.new)} for f in c.fields],
            # A record new here, or new to these readers: what it holds (as restricted for them).
            "record": plain(c.snap.data) if c.action in ("added", "shown") else None,
        }

    data = {
        "base": report.base,
        "head": report.head,
        "summary": _intro(report),
        "unreadable": report.unreadable,
        "site": [{"path": ".".join(map(str, f.keys)), "label": f.label, "old": plain(f.old), "new": plain(f.new)} for f in report.site],
        "units": [{"unit": u.unit, "name": u.name, "summary": u.summary, "records": [record(c) for c in u.changes]} for u in report.units],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


FORMATTERS = {"markdown": format_markdown, "text": format_text, "json": format_json}
