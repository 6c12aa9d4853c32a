"""Rules on a change itself (`cxzy validate --base REF`): what was published is never silently lost.

Each rule is a small function `(Change) -> Iterator[Problem]`, registered in `CHANGE_RULES`, comparing the
records at the base commit with the working tree:
- a published record (公示 started, appraisal result announced) is not deleted, and its published fields change
  only with an amendment;
- a published or signed record is judged by its identity, not its file: it is not moved to another unit's
  folder, its awarding unit does not change, and no audience on the way to it (its own, its file's, its
  unit's, a named member's or unit's, the site default) is narrowed, nor is a unit or member it names deleted;
- a signed 点评意见表 changes only with an amendment;
- statuses only move forward;
- an id is never reused for a different record;
- the change's commits carry no personal identifier in their names and messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxzy_gen.git.diff import FieldChange, field_changes, record_title
from cxzy_gen.git.history import read_commits
from cxzy_gen.git.plumbing import GitError, is_shallow, run_git, show_file
from cxzy_gen.git.snapshot import RecordSnap, Snapshot, records_of, versions
from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records import models as m
from cxzy_gen.records.layout import RECORD_KINDS
from cxzy_gen.records.loader import decode, parse
from cxzy_gen.records.pii import find_pii


class ChangeError(Exception):
    """The base version cannot be read; the message says what to do."""


@dataclass
class Change:
    """A proposed change: the data at the base commit and in the working tree, judged as of `today`."""

    base: Snapshot
    head: Snapshot
    today: dt.date
    root: Path | None = None  # the repository, for looking ids up in the base's history
    base_sha: str | None = None
    prefix: str = ""  # the data folder inside the repository


ChangeRule = Callable[[Change], Iterator[Problem]]
CHANGE_RULES: list[ChangeRule] = []


def change_rule(fn: ChangeRule) -> ChangeRule:
    CHANGE_RULES.append(fn)
    return fn


def check_change(data_dir: Path, base: str, today: dt.date) -> list[Problem]:
    """Every change rule on the working tree's data folder against where it left commit `base` (the merge base)."""
    try:
        pair = versions(data_dir, base)
    except GitError as exc:
        raise ChangeError(str(exc)) from exc
    change = Change(pair.base, pair.head, today, pair.repo.root, pair.base.commit, pair.repo.prefix)
    return run_change_rules(change)


def run_change_rules(change: Change) -> list[Problem]:
    return [p for check in CHANGE_RULES for p in check(change)]


# ---------------------------------------------------------------- where a problem points


def _at(change: Change, snap: RecordSnap, keys: tuple[str | int, ...] = ()) -> tuple[str, int, int]:
    """A head record's field; a deleted record points at its list in the head file, or at the old file."""
    head = change.head.find(snap.id)
    if head is not None and head.kind == snap.kind:
        return change.head.locate(head.rel, (*head.keys, *keys))
    if snap.rel in change.head.documents:
        return change.head.locate(snap.rel, snap.keys[:1])
    return change.base.display.get(snap.rel, snap.rel), 1, 1


def _problem(
    change: Change, snap: RecordSnap, keys: tuple[str | int, ...], code: str, message: str, severity: Severity = Severity.ERROR
) -> Problem:
    return Problem(*_at(change, snap, keys), code, message, severity)


def _name(snap: RecordSnap, names: Snapshot) -> str:
    return f"{snap.kind_name}「{snap.id}」（{record_title(snap, names)}）"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------- what is protected, and which fields stay


def publication(snap: RecordSnap, today: dt.date) -> str | None:
    """Why a record counts as published (its 公示 has started) on `today`, or None."""
    if snap.kind == "commitment":
        when = _date(snap.get("publicized", "date"))
        if when is not None and when <= today:
            return f"已于 {when} 公示"
    if snap.kind == "appraisal":
        when = _date(snap.get("date"))
        if when is not None and when <= today:
            return f"已于 {when} 评议并公布结果"
    if snap.kind == "commendation":
        status = snap.get("status")
        start = _date(snap.get("publicity", "start"))
        if status and status != m.CommendationStatus.NOMINATED.value:
            return f"已过推荐阶段（状态「{status}」）"
        if start is not None and start <= today:
            return f"已于 {start} 开始公示"
    return None


def signature(snap: RecordSnap) -> str | None:
    """Who signed a 点评意见表 and when, or None when it is not signed."""
    if snap.kind != "review" or not isinstance(snap.get("signature"), dict):
        return None
    return f"已于 {snap.get('signature', 'date')} 由{snap.get('signature', 'by')}签字"


# After publication (or signing) these top-level fields may still change; every other field is frozen.
# Lists marked "append" keep their items and only grow; in lists with "items" only the named sub-fields
# of existing items change (the work done on them), and new items may be added.
MUTABLE: dict[str, dict[str, str | frozenset[str]]] = {
    "commitment": {"progress": "append", "evaluation": "free", "outcome": "free", "remedial": "free", "withdrawn": "once"},
    "commendation": {
        "status": "free",  # checked by statuses_move_forward
        "objections": frozenset({"handling", "resolved"}),
        "decision": "free",
        "revoked_reason": "free",
    },
    "review": {"feedback": "free", "rectifications": frozenset({"status", "done", "verified_by", "note"}), "withdrawn": "once"},
    "appraisal": {"withdrawn": "once"},
}


def frozen_changes(snap: RecordSnap, fields: list[FieldChange]) -> list[FieldChange]:
    """The changes among `fields` that rewrite what was published (amendments are judged separately)."""
    allowed = MUTABLE[snap.kind]
    frozen = []
    for f in fields:
        rule = allowed.get(f.top)
        if f.top == "amendments":
            continue
        if rule == "free":
            continue
        if rule == "once" and snap.get(f.top) is None:
            continue
        appended = f.old is None and len(f.keys) == 2
        if rule == "append" and appended:
            continue
        if isinstance(rule, frozenset) and (appended or (len(f.keys) > 2 and f.keys[2] in rule)):
            continue
        frozen.append(f)
    return frozen


def amendments_added(base: RecordSnap, head: RecordSnap) -> tuple[int, bool]:
    """(how many amendments the change appends, whether the existing ones are kept unchanged)."""
    old, new = base.get("amendments") or [], head.get("amendments") or []
    kept = len(new) >= len(old) and not field_changes(m.Record, {"amendments": old}, {"amendments": new[: len(old)]})
    return max(0, len(new) - len(old)), kept


_AMEND_HINT = "确需更正时，改正后在 amendments 里追加一条更正说明（date 更正日期，note 写明改了什么、为什么）"


def _labels(fields: list[FieldChange]) -> str:
    return "".join(dict.fromkeys(f"「{f.label}」" for f in fields))


def _protected(change: Change, code: str, why: Callable[[RecordSnap], str | None], kinds: tuple[str, ...]) -> Iterator[Problem]:
    """Shared by the published and the signed rule: no deletion, no rewrite without an amendment."""
    for base in change.base.records.values():
        if base.kind not in kinds:
            continue
        reason = why(base)
        if reason is None:
            continue
        head = change.head.find(base.id)
        if head is None and change.head.unknown(base):
            continue  # its file does not parse; validate reports that
        if head is None or head.kind != base.kind:
            if base.kind == "commendation":
                instead = "保留这条记录，把 status 改为「撤销」并在 revoked_reason 写明原因"
            else:
                instead = "保留这条记录，加上 withdrawn（date 撤回日期，reason 撤回原因），它会在公开栏上标明已撤回"
            yield _problem(change, base, (), code, f"{_name(base, change.base)}{reason}，不能删除（提示：{instead}）")
            continue
        if head.data == base.data:
            continue
        fields = field_changes(RECORD_KINDS[base.kind].model, base.data, head.data)
        added, kept = amendments_added(base, head)
        if not kept:
            first = next(f for f in fields if f.top == "amendments")
            yield _problem(
                change,
                base,
                first.keys,
                code,
                f"{_name(base, change.base)}已有的更正说明不能修改或删除（提示：恢复原来的更正说明，有新情况就在后面追加一条）",
            )
        frozen = frozen_changes(base, fields)
        if frozen and not added:
            void = "把 status 改为「撤销」" if base.kind == "commendation" else "保留原文，加 withdrawn 撤回"
            yield _problem(
                change,
                base,
                frozen[0].keys,
                code,
                f"{_name(base, change.base)}{reason}，不能直接改写{_labels(frozen)}（提示：{_AMEND_HINT}；要作废就{void}）",
            )


@change_rule
def published_records_kept(change: Change) -> Iterator[Problem]:
    """A commitment or commendation whose 公示 has started, or an appraisal whose result was announced, is withdrawn
    or amended, never deleted or rewritten."""
    yield from _protected(change, "E-PUBLISHED", lambda s: publication(s, change.today), ("commitment", "commendation", "appraisal"))


@change_rule
def signed_reviews_kept(change: Change) -> Iterator[Problem]:
    """A signed 点评意见表 changes only by an amendment, and is never deleted."""
    yield from _protected(change, "E-SIGNED", signature, ("review",))


# ---------------------------------------------------------------- statuses


COMMENDATION_ORDER = [s.value for s in (m.CommendationStatus.NOMINATED, m.CommendationStatus.PUBLICIZING, m.CommendationStatus.AWARDED)]
RECTIFICATION_ORDER = [s.value for s in m.RectificationStatus]


def _backwards(order: list[str], old: Any, new: Any, terminal: str | None = None) -> bool:
    if old == new:
        return False
    if terminal is not None and (old == terminal or new == terminal):
        return old == terminal  # anything may be revoked; nothing comes back from revoked
    return old in order and new in order and order.index(new) < order.index(old)


@change_rule
def statuses_move_forward(change: Change) -> Iterator[Problem]:
    """推荐 → 公示中 → 已表彰 (or 撤销, from any); 整改 未开始 → 整改中 → 已完成; an outcome, once found, stays."""
    for base in change.base.records.values():
        head = change.head.find(base.id)
        if head is None or head.kind != base.kind or head.data == base.data:
            continue
        if base.kind == "commendation":
            old, new = base.get("status"), head.get("status")
            if _backwards(COMMENDATION_ORDER, old, new, m.CommendationStatus.REVOKED.value):
                hint = (
                    "撤销是最终状态；如确属误撤，另建一条新编号的推荐记录重新走公示程序"
                    if old == m.CommendationStatus.REVOKED.value
                    else "表彰有误或需要重新公示时，把状态改为「撤销」并写明 revoked_reason，再另建新编号的推荐记录"
                )
                yield _problem(
                    change,
                    base,
                    ("status",),
                    "E-STATUS-BACK",
                    f"{_name(head, change.head)}的状态从「{old}」退回「{new}」：状态只能向前（推荐 → 公示中 → 已表彰，或改为撤销）（提示：{hint}）",
                )
        if base.kind == "review":
            before = {str(x.get("id")): x.get("status") for x in base.get("rectifications") or [] if isinstance(x, dict)}
            for i, item in enumerate(head.get("rectifications") or []):
                if not isinstance(item, dict) or str(item.get("id")) not in before:
                    continue
                old, new = before[str(item.get("id"))], item.get("status")
                if _backwards(RECTIFICATION_ORDER, old, new):
                    yield _problem(
                        change,
                        base,
                        ("rectifications", i, "status"),
                        "E-STATUS-BACK",
                        f"{_name(head, change.head)}的整改事项「{item.get('id')}」从「{old}」退回「{new}」：整改状态只能向前"
                        "（未开始 → 整改中 → 已完成）（提示：验收发现问题没有解决时，新增一条整改事项并写明原因，原事项保持不变）",
                    )
        if base.kind == "commitment" and base.get("outcome") and not head.get("outcome"):
            yield _problem(
                change,
                base,
                (),
                "E-STATUS-BACK",
                f"{_name(head, change.head)}已认定为「{base.get('outcome', 'result')}」，不能删去完成情况（提示：认定有误时改写 outcome，并在 amendments 里追加一条更正说明）",
            )


# ---------------------------------------------------------------- ids


# What makes a record the record it is: the same id with other values here is another record.
IDENTITY: dict[str, tuple[str, ...]] = {
    "member": ("name",),
    "commitment": ("subject",),
    "review": ("target",),
    "appraisal": ("target",),
    "commendation": ("nominee", "title"),
}


def _identity(snap: RecordSnap, names: Snapshot) -> str:
    """The identifying fields of a record, e.g. 承诺主体「孙秀英」."""
    fields = RECORD_KINDS[snap.kind].model.model_fields
    parts = []
    for key in IDENTITY.get(snap.kind, ()):
        value = snap.get(key)
        shown = "（空）" if value is None else names.name_of(str(value)) if m.refers_to(fields[key]) else str(value)
        if key == "nominee" and value is None and snap.get("external", "name"):
            shown = f"{snap.get('external', 'name')}（{snap.get('external', 'unit')}）"
        title = (fields[key].title or key).split("（")[0]
        parts.append(f"{title}「{shown}」")
    return "、".join(parts)


def _same_record(old: RecordSnap, new: RecordSnap) -> bool:
    same = old.kind == new.kind and all(str(old.get(k)) == str(new.get(k)) for k in IDENTITY.get(old.kind, ()))
    # a nominee from outside the data is named, not numbered: the name is what makes the record
    return same and (old.kind != "commendation" or old.get("external", "name") == new.get("external", "name"))


@change_rule
def ids_not_reused(change: Change) -> Iterator[Problem]:
    """An id names one record for ever: not another kind, not another subject, not after it was deleted."""
    for key, head in change.head.records.items():
        base = change.base.records.get(key)
        if base is None:
            continue
        if base.kind != head.kind or not _same_record(base, head):
            was = f"{base.kind_name}（{_identity(base, change.base) or record_title(base, change.base)}）"
            now = f"{head.kind_name}（{_identity(head, change.head) or record_title(head, change.head)}）"
            member_rename = base.kind == head.kind == "member"
            differs = [k for k in IDENTITY.get(head.kind, ()) if base.kind == head.kind and str(base.get(k)) != str(head.get(k))]
            yield _problem(
                change,
                head,
                (differs[0],) if differs else ("id",),
                "E-ID-REUSED",
                f"编号「{head.id}」原来是{was}，现在成了{now}：一个编号只能指一条记录"
                + (
                    "（提示：如果只是改正姓名错别字，可以忽略本警告；如果是另一个人，请给他新编号）"
                    if member_rename
                    else "（提示：新记录请另起一个从未用过的编号；原记录已公示的，保留原记录并撤回）"
                ),
                Severity.WARNING if member_rename else Severity.ERROR,
            )
    yield from _ids_from_history(change)


_ID_LINE = re.compile(r"^[+-]\s*(?:-\s+)?id:\s*['\"]?([A-Za-z0-9][A-Za-z0-9_-]*)['\"]?\s*(?:#.*)?$")


def _ids_from_history(change: Change) -> Iterator[Problem]:
    """New ids that existed earlier in the base's history and were deleted must name the same record again."""
    new = {key: head for key, head in change.head.records.items() if key not in change.base.records}
    if not new or change.root is None or change.base_sha is None:
        return
    if is_shallow(change.root):
        snap = next(iter(new.values()))
        yield _problem(
            change,
            snap,
            ("id",),
            "E-HISTORY",
            "仓库是浅克隆，无法检查新编号是否在历史上用过（提示：CI 检出代码时设 fetch-depth: 0 或 GIT_DEPTH: 0）",
            Severity.WARNING,
        )
    for key, (sha, path, deleted) in _last_seen(change, list(new)).items():
        head = new[key]
        raw = show_file(change.root, f"{sha}^" if deleted else sha, path)
        old = _record_at(change, path, raw, key)
        if old is None or _same_record(old, head):
            continue  # the same record restored, or the id was only a rectification's
        when = _commit_line(change.root, sha)
        yield _problem(
            change,
            head,
            ("id",),
            "E-ID-REUSED",
            f"编号「{head.id}」曾是{old.kind_name}（{_identity(old, change.base) or record_title(old, change.base)}），"
            f"在提交 {when}中删除；删除过的编号不能再用于另一条记录（提示：给这条{head.kind_name}另起一个从未用过的编号）",
        )


def _last_seen(change: Change, keys: list[str]) -> dict[str, tuple[str, str, bool]]:
    """For each id (case-folded): the newest commit in the base's history whose diff adds or removes it."""
    assert change.root is not None and change.base_sha is not None
    # Case-insensitive in git's own regex dialect: [cC]-[1] …; a bulk import is matched by any id line instead.
    alternatives = "|".join("".join(f"[{ch.lower()}{ch.upper()}]" if ch.isalpha() else ch for ch in key) for key in keys)
    wanted_ids = rf"({alternatives})['\"]?[[:space:]]*(#.*)?$" if len(keys) <= 200 else "[A-Za-z0-9]"
    pattern = rf"^[[:space:]]*(-[[:space:]]+)?id:[[:space:]]*['\"]?{wanted_ids}"
    try:
        out = run_git(
            change.root, "log", "-p", "-U0", "--no-renames", "--format=%x1e%H", f"-G{pattern}", change.base_sha, "--", change.prefix or "."
        )
    except GitError:
        return {}
    found: dict[str, tuple[str, str, bool]] = {}
    wanted = set(keys)
    for chunk in out.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, _, diff = chunk.partition("\n")
        old_path = new_path = ""
        for line in diff.splitlines():
            if line.startswith("--- "):
                old_path = line[6:] if line.startswith("--- a/") else ""
            elif line.startswith("+++ "):
                new_path = line[6:] if line.startswith("+++ b/") else ""
            elif line[:1] in "+-":
                hit = _ID_LINE.match(line)
                key = hit.group(1).casefold() if hit else None
                if key in wanted and key not in found:
                    deleted = line[0] == "-"
                    found[key] = (sha.strip(), old_path if deleted else new_path, deleted)
    return found


def _record_at(change: Change, path: str, raw: bytes | None, key: str) -> RecordSnap | None:
    if raw is None:
        return None
    text, _ = decode(raw, path)
    data, _ = parse(text, path) if text is not None else (None, None)
    inside = f"{change.prefix}/" if change.prefix else ""
    rel = path[len(inside) :] if path.startswith(inside) else path
    return next((r for r in records_of(rel, data) if r.id.casefold() == key), None)


def _commit_line(root: Path, sha: str) -> str:
    try:
        return run_git(root, "log", "-1", "--format=%h（%ad，%an：%s）", "--date=short", sha).decode("utf-8", "replace").strip()
    except GitError:
        return sha[:7]


# ---------------------------------------------------------------- identity: a published record stays where it was seen


# The references that decide whether a build shows a record (as derive's visibility does): a record is shown
# only with its unit and with everyone it names.
SHOWN_WITH: dict[str, tuple[str, ...]] = {
    "commitment": ("subject",),
    "review": ("target",),
    "appraisal": ("target",),
    "commendation": ("nominee", "nominated_by", "awarding_unit"),
}


NOWHERE = len(m.Audience)  # the rank of a record no build shows


class Reach:
    """How narrow an audience must be for a build to show each record of one version (0: 向社会公开).

    The same rule as the site's: a record's own audience (else its file's, else the site default), and no
    wider than its unit's and than that of every unit or member it names; a member no wider than their unit.
    """

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.default = _rank(snap.site.get("default_audience"), 0)

    def own(self, record: RecordSnap) -> int:
        if record.get("audience") is not None:
            return _rank(record.get("audience"), self.default)
        doc = self.snap.documents.get(record.rel)
        top = doc.data.get("audience") if doc is not None and isinstance(doc.data, dict) and record.kind != "unit" else None
        return _rank(top, self.default)

    def of_name(self, ref: Any) -> int:
        if not isinstance(ref, str):
            return 0
        found = self.snap.find(ref)
        if found is None or found.kind not in ("unit", "member"):
            return NOWHERE  # a record naming someone gone is shown on no board (validate reports the reference)
        return self.rank(found)

    def rank(self, record: RecordSnap) -> int:
        if record.kind == "unit":
            return self.own(record)
        unit = self.snap.find(record.unit)
        ranks = [self.own(record), self.rank(unit) if unit is not None and unit.kind == "unit" else NOWHERE]
        ranks += [self.of_name(record.get(key)) for key in SHOWN_WITH.get(record.kind, ())]
        return max(ranks)


def _rank(value: Any, default: int) -> int:
    try:
        return m.Audience(value).rank
    except ValueError:
        return default


def _awarding(snap: RecordSnap) -> str:
    return str(snap.get("awarding_unit") or snap.unit)


def why_protected(snap: RecordSnap, today: dt.date) -> str | None:
    """Why a record must stay on every board that showed it: published, or a signed 点评意见表."""
    return publication(snap, today) or signature(snap)


@change_rule
def published_records_keep_their_reach(change: Change) -> Iterator[Problem]:
    """A published or signed record keeps its identity's place: not moved to another unit's folder, not given
    another awarding unit, and not narrowed — at the record, its file, its unit, a member it names or the site
    default — since each of those takes it off boards that showed it."""
    before, after = Reach(change.base), Reach(change.head)
    audiences = list(m.Audience)
    for base in change.base.records.values():
        reason = why_protected(base, change.today)
        head = change.head.find(base.id)
        if reason is None or head is None or head.kind != base.kind:
            continue  # not protected; or deleted, which the published and signed rules report
        name = _name(base, change.base)
        if head.unit.casefold() != base.unit.casefold():
            yield _problem(
                change,
                base,
                (),
                "E-PUBLISHED",
                f"{name}{reason}，却从「{change.base.unit_name(base.unit)}」的文件夹移到了「{change.head.unit_name(head.unit)}」的文件夹"
                "（提示：放回原来的文件夹；记在别的单位名下确属错误的，原记录加 withdrawn 撤回并写明原因，再在正确的单位另建新编号的记录）",
            )
        elif base.kind == "commendation" and _awarding(base).casefold() != _awarding(head).casefold():
            yield _problem(
                change,
                base,
                ("awarding_unit",),
                "E-PUBLISHED",
                f"{name}{reason}，授予单位却从「{change.base.unit_name(_awarding(base))}」改成了「{change.head.unit_name(_awarding(head))}」"
                "（提示：改回原授予单位；授予单位确属错误的，把这条记录的 status 改为「撤销」并写明 revoked_reason，再由正确的单位另建新编号的推荐记录）",
            )
        old, new = before.rank(base), after.rank(head)
        if new > old and old < NOWHERE:
            now = "不再出现在任何公开栏上" if new == NOWHERE else f"只在「{audiences[new]}」及更窄的范围内可见"
            yield _problem(
                change,
                base,
                ("audience",) if head.get("audience") is not None else (),
                "E-PUBLISHED",
                f"{name}{reason}，原来在「{audiences[old]}」的公开栏上，这次修改后{now}"
                f"（{_narrowed_by(change, base, head)}）（提示：已公开的记录不能收窄公开范围，也不能随所涉及的单位、党员一起删除："
                "改回原来的公开范围，恢复删除的单位或党员；"
                "内容确有不宜公开的，加 withdrawn 撤回并写明原因，或请管理员按保密规定处理）",
            )


def _narrowed_by(change: Change, base: RecordSnap, head: RecordSnap) -> str:
    """Which level narrowed a record: itself, its file, the site default, its unit or a name it carries."""
    if base.get("audience") != head.get("audience"):
        return "记录本身的 audience 改了"
    if change.base.site.get("default_audience") != change.head.site.get("default_audience"):
        return "site.yaml 的 default_audience 改了"
    old_doc, new_doc = change.base.documents.get(base.rel), change.head.documents.get(head.rel)
    old_top = old_doc.data.get("audience") if old_doc is not None and isinstance(old_doc.data, dict) else None
    new_top = new_doc.data.get("audience") if new_doc is not None and isinstance(new_doc.data, dict) else None
    if old_top != new_top:
        return "文件开头的 audience 改了"
    return "所属单位或记录所涉及的单位、党员的公开范围改了，或被删除"


# ---------------------------------------------------------------- the commits of the change


@change_rule
def commits_carry_no_personal_identifiers(change: Change) -> Iterator[Problem]:
    """Author and committer names and messages of the change's commits are published text: no 身份证号 or mobile number."""
    if change.root is None or change.base_sha is None:
        return
    try:
        commits = read_commits(change.root, f"{change.base_sha}..HEAD")
    except GitError:
        return  # no HEAD yet, or an unborn branch: nothing committed to check
    for commit in commits:
        fields = (("作者", commit.author), ("提交者", commit.committer), ("提交说明", commit.message))
        for label, text in fields:
            for what in find_pii(text):
                yield Problem(
                    f"git 提交 {commit.short}",
                    1,
                    1,
                    "E-PII",
                    f"{label}含有{what}：提交署名和说明会公开在修订记录里（提示：改用不含号码的署名，"
                    "用 git commit --amend 或 git rebase -i 改写这次修改请求里的提交说明后重新推送）",
                )
