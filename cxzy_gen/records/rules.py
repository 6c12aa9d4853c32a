"""Cross-record rules: small pure functions `(Dataset) -> Iterator[Problem]`, registered in `RULES`."""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records import layout
from cxzy_gen.records import models as m
from cxzy_gen.records.basics import MAX_YEAR, MIN_YEAR, may_see
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.layout import RECORD_KINDS
from cxzy_gen.records.loader import Document, walk_strings
from cxzy_gen.records.names import NameFinder, fold
from cxzy_gen.records.photos import photo_problem
from cxzy_gen.records.pii import find_pii

Rule = Callable[[Dataset], Iterator[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check_dataset(ds: Dataset) -> list[Problem]:
    """Run every rule without short-circuiting: the user sees all problems at once."""
    return [p for check in RULES for p in check(ds)]


# ---------------------------------------------------------------- personal identifiers

# The declared office telephone fields: the one place a phone number may stand (a 身份证号 is still refused there).
_OFFICE_PHONE = ("contact", "phone")


# Every date in the data falls in MIN_YEAR–MAX_YEAR (basics).


def _dates(value: Any, keys: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], dt.date]]:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, keys)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dt.date):
            yield path, item
        elif isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(item))


def check_document(doc: Document) -> Iterator[Problem]:
    """Content checks on a parsed file, run before typing so they also cover files with other problems.

    Every text is searched, the `contact` subtree too: only its office telephone field may hold a phone number."""
    for keys, day in _dates(doc.data):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            field = _field(keys)
            yield _at(
                doc, keys, "E-VALUE", f"字段「{field}」的日期 {day.isoformat()} 不在 {MIN_YEAR}–{MAX_YEAR} 年之间（提示：检查年份是否写错）"
            )
    top = doc.path.rsplit("/", 1)[-1] in ("site.yaml", "unit.yaml")
    for keys, text in walk_strings(doc.data):
        office = top and keys == _OFFICE_PHONE
        for what in find_pii(text, office_phone=office):
            yield _at(
                doc,
                keys,
                "E-PII",
                f"字段「{_field(keys)}」含有{what}：公开栏不得出现身份证号、私人手机号（提示：删去；对外联系请写在 contact 的 phone 办公电话里）",
            )


def _field(keys: tuple[str | int, ...]) -> str:
    """The innermost named key of a path into a document (list positions skipped)."""
    return next((k for k in reversed(keys) if isinstance(k, str)), "")


def _at(doc: Document, keys: tuple[str | int, ...], code: str, message: str) -> Problem:
    """A problem at the place in `doc` that `keys` leads to."""
    line, col = doc.locate(keys)
    return Problem(doc.path, line, col, code, message)


# ---------------------------------------------------------------- identity and references


@rule
def ids_unique(ds: Dataset) -> Iterator[Problem]:
    """Every id is unique across the data, ignoring case (ids become URLs and file names)."""
    seen: dict[str, m.Record] = {}
    for record in ds.records():
        key = record.id.casefold()
        first = seen.get(key)
        if first is None:
            seen[key] = record
            continue
        yield ds.duplicate_id(record, first)
    for review in ds.reviews:
        items: set[str] = set()
        for i, item in enumerate(review.rectifications):
            if item.id.casefold() in items:
                yield ds.problem(review, ("rectifications", i, "id"), "E-ID-DUP", f"整改事项编号「{item.id}」在本点评中重复")
            items.add(item.id.casefold())


class _Suggestions:
    """「是不是…？」hints for unknown references, in bounded work however many ids and unknowns there are: only
    ids of nearly the same length are compared, at most `PER_REF` of them, and at most `HINTS` hints are made."""

    PER_REF = 200
    HINTS = 100

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.by_length: dict[tuple[str, int], list[str]] = {}
        self.made = 0

    def _ids(self, kinds: frozenset[str]) -> None:
        for kind in sorted(kinds):
            if (kind, -1) in self.by_length:
                continue
            self.by_length[(kind, -1)] = []
            for id in getattr(self.ds, RECORD_KINDS[kind].plural):
                self.by_length.setdefault((kind, len(id)), []).append(id)

    def hint(self, ref: str, kinds: frozenset[str]) -> str:
        if self.made >= self.HINTS or len(ref) > 64:
            return ""
        self.made += 1
        self._ids(kinds)
        candidates: list[str] = []
        for kind in sorted(kinds):
            for size in (len(ref), len(ref) - 1, len(ref) + 1, len(ref) - 2, len(ref) + 2):
                candidates += self.by_length.get((kind, size), [])[: self.PER_REF]
        close = difflib.get_close_matches(ref, candidates[: self.PER_REF * 2], n=1, cutoff=0.7)
        return f"（提示：是不是「{close[0]}」？）" if close else ""


def _ref(
    ds: Dataset, record: m.Record, keys: tuple[str | int, ...], ref: str, kinds: frozenset[str], hints: _Suggestions
) -> Iterator[Problem]:
    """Check one reference against the kinds of record its field may point at (`models.RefersTo`)."""
    found = {kind for kind, ids in (("unit", ds.units), ("member", ds.members)) if ref in ids}
    if found & kinds:
        return
    if len(kinds) > 1:
        names = "或".join(RECORD_KINDS[k].name for k in sorted(kinds, key=list(RECORD_KINDS).index))
        yield ds.problem(record, keys, "E-REF", f"找不到编号为「{ref}」的{names}{hints.hint(ref, kinds)}")
        return
    wanted = RECORD_KINDS[next(iter(kinds))].name
    what = f"是{RECORD_KINDS[next(iter(found))].name}，这里应填{wanted}编号" if found else "不存在"
    yield ds.problem(record, keys, "E-REF", f"{wanted}「{ref}」{what}")


@rule
def references_resolve(ds: Dataset) -> Iterator[Problem]:
    """Every id a record names points at a record of a kind its field allows (declared in the model)."""
    hints = _Suggestions(ds)
    for record in ds.records():
        for keys, ref, kinds in m.references(record):
            yield from _ref(ds, record, keys, ref, kinds, hints)


@rule
def unit_tree(ds: Dataset) -> Iterator[Problem]:
    """One root (the site's root unit) and no cycles: every unit reaches the root by its parents."""
    root = ds.site.root_unit
    if root not in ds.units:
        doc = next(d for d in ds.documents.values() if d.path.endswith(layout.SITE.file_name))
        line, col = doc.locate(("root_unit",))
        yield Problem(doc.path, line, col, "E-TREE", f"根单位「{root}」不存在（提示：{layout.UNIT_FILE.path(root)}）")
        return
    for unit in ds.units.values():
        if unit.parent is None and unit.id != root:
            yield ds.problem(unit, ("id",), "E-TREE", f"单位「{unit.id}」没有上级党组织（提示：只有根单位「{root}」可以不写 parent）")
        if unit.id == root and unit.parent is not None:
            yield ds.problem(unit, ("parent",), "E-TREE", "根单位不能有上级党组织")
    for unit in ds.units.values():
        seen = {unit.id}
        current = unit
        while current.parent is not None and current.parent in ds.units:
            if current.parent in seen:
                # reported by each unit on the loop; a unit merely hanging below a loop is not on it
                if current.parent == unit.id:
                    yield ds.problem(unit, ("parent",), "E-TREE", f"隶属关系形成循环：{' → '.join([*_chain(ds, unit), unit.id])}")
                break
            seen.add(current.parent)
            current = ds.units[current.parent]


def _chain(ds: Dataset, unit: m.Unit) -> list[str]:
    chain, current = [unit.id], unit
    while current.parent and current.parent in ds.units and current.parent != unit.id and len(chain) < 50:
        current = ds.units[current.parent]
        chain.append(current.id)
    return chain


def _in_subtree(ds: Dataset, unit_id: str, top: str) -> bool:
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None and current not in seen:
        if current == top:
            return True
        seen.add(current)
        current = ds.units[current].parent if current in ds.units else None
    return False


@rule
def records_in_their_folder(ds: Dataset) -> Iterator[Problem]:
    """A unit's folder holds the records about it and its members (its approvers own that folder);
    a commendation is kept by the awarding unit, about someone within it."""
    for record, keys, ref in [
        *((c, ("subject",), c.subject) for c in ds.commitments),
        *((r, ("target",), r.target) for r in ds.reviews),
        *((a, ("target",), a.target) for a in ds.appraisals),
    ]:
        if ref not in ds.units and ref not in ds.members:
            continue  # reported by references_resolve
        owner = ref if ref in ds.units else ds.members[ref].folder_unit
        if owner != record.folder_unit:
            yield ds.problem(
                record, keys, "E-FILE", f"「{ref}」不属于单位「{record.folder_unit}」，这条记录应放在 {layout.unit_dir(owner)}/ 下"
            )
    for h in ds.commendations:
        awarding = h.awarding_unit or h.folder_unit
        if h.awarding_unit and h.awarding_unit != h.folder_unit:
            yield ds.problem(
                h, ("awarding_unit",), "E-FILE", f"表彰由「{h.awarding_unit}」作出，应放在 {layout.unit_dir(h.awarding_unit)}/ 下"
            )
        unit = ds.unit_of(h.nominee) if h.nominee else None
        if unit and awarding in ds.units and not _in_subtree(ds, unit.id, awarding):
            yield ds.problem(h, ("nominee",), "E-REF", f"推荐对象「{h.nominee}」不在表彰单位「{awarding}」的管辖范围内")


@rule
def records_in_their_year(ds: Dataset) -> Iterator[Problem]:
    """Yearly files hold the records of that year (by proposal, review, appraisal or award year)."""
    for record, keys, year in [
        *((c, ("proposed",), c.proposed.year) for c in ds.commitments),
        *((r, ("date",), r.date.year) for r in ds.reviews),
        *((a, ("date",), a.date.year) for a in ds.appraisals),
        *((h, ("year",), h.year) for h in ds.commendations),
    ]:
        folder_year = record.folder_year
        if folder_year is not None and folder_year != year:
            yield ds.problem(record, keys, "E-FILE", f"这条记录属于 {year} 年，却放在 {folder_year}/ 文件夹里（提示：移到 {year}/ 下）")


# ---------------------------------------------------------------- dates


DatePair = tuple[tuple[str | int, ...], str, dt.date | None, str, dt.date | None]


def _order(ds: Dataset, record: m.Record, pairs: list[DatePair]) -> Iterator[Problem]:
    """Each (keys, later name, later date, earlier name, earlier date) must have earlier ≤ later."""
    for keys, later_name, later, earlier_name, earlier in pairs:
        if later is not None and earlier is not None and later < earlier:
            yield ds.problem(record, keys, "E-DATE", f"{later_name}（{later}）早于{earlier_name}（{earlier}）")


@rule
def dates_in_order(ds: Dataset) -> Iterator[Problem]:
    for c in ds.commitments:
        pub = c.publicized.date if c.publicized else None
        pairs: list[DatePair] = [
            (("publicized", "date"), "公示日期", pub, "提出日期", c.proposed),
            (("deadline",), "完成时限", c.deadline, "公示日期" if pub else "提出日期", pub or c.proposed),
            *((("progress", i, "date"), "践诺进展日期", p.date, "提出日期", c.proposed) for i, p in enumerate(c.progress)),
            (("outcome", "date"), "完成认定日期", c.outcome.date if c.outcome else None, "提出日期", c.proposed),
            (("remedial", "date"), "补课日期", c.remedial.date if c.remedial else None, "提出日期", c.proposed),
            (
                ("branch_check", "date"),
                "支部审核日期",
                c.branch_check.date if c.branch_check else None,
                "本人签字日期",
                c.signed.date if c.signed else None,
            ),
        ]
        yield from _order(ds, c, pairs)
        if c.kind is m.CommitmentKind.ANNUAL and c.proposed.month > 3:
            yield ds.problem(
                c,
                ("proposed",),
                "E-DATE",
                f"年度承诺一般在 1—3 月提出，这条在 {c.proposed.month} 月（提示：阶段性的工作可改为「即时承诺」）",
                Severity.WARNING,
            )
    for r in ds.reviews:
        pairs = [
            (("date",), "点评日期", r.date, "总结提交日期", r.summary.submitted if r.summary else None),
            (("signature", "date"), "签字日期", r.signature.date if r.signature else None, "点评日期", r.date),
            (("feedback", "date"), "反馈日期", r.feedback.date if r.feedback else None, "点评日期", r.date),
            *((("rectifications", i, "deadline"), "整改时限", x.deadline, "点评日期", r.date) for i, x in enumerate(r.rectifications)),
            *((("rectifications", i, "done"), "整改完成日期", x.done, "点评日期", r.date) for i, x in enumerate(r.rectifications)),
            (("response", "date"), "整改答复日期", r.response.date if r.response else None, "点评日期", r.date),
        ]
        yield from _order(ds, r, pairs)
    for h in ds.commendations:
        w = h.publicity
        if w is None:
            continue
        if w.end is not None and w.end <= w.start:
            yield ds.problem(h, ("publicity", "end"), "E-DATE", f"公示结束（{w.end}）应晚于公示开始（{w.start}）")
        if (w.end is None) == (w.working_days is None):
            yield ds.problem(h, ("publicity",), "E-VALUE", "公示期要写 end（结束日期）或 working_days（工作日数）之一，不能都写或都不写")
        yield from _order(
            ds, h, [(("objections", i, "received"), "异议收到日期", o.received, "公示开始", w.start) for i, o in enumerate(h.objections)]
        )


# ---------------------------------------------------------------- content by subject


@rule
def focus_fits_unit_type(ds: Dataset) -> Iterator[Problem]:
    """§二 of the notice: each unit type has its own commitment focus."""
    for c in ds.commitments:
        unit = ds.unit_of(c.subject)
        if unit is None:
            continue
        allowed = m.FOCUS_BY_TYPE[unit.type]
        for i, focus in enumerate(c.focus):
            if focus.value not in allowed:
                yield ds.problem(
                    c, ("focus", i), "E-FOCUS", f"「{focus.value}」不是{unit.type.value}的承诺方向；可选：{'、'.join(allowed)}"
                )


@rule
def fields_fit_subject(ds: Dataset) -> Iterator[Problem]:
    """Some fields belong to organisations only, others to members only."""
    for c in ds.commitments:
        if c.subject in ds.units:
            if c.five_lead:
                yield ds.problem(c, ("five_lead",), "E-SUBJECT", "「五带头」是对党员的要求，党组织的承诺请用 five_good（五个好）")
            for key, flag in (("post_duty", c.post_duty), ("volunteer", c.volunteer)):
                if flag:
                    yield ds.problem(c, (key,), "E-SUBJECT", "结合设岗定责、志愿服务只用于党员个人承诺")
        elif c.subject in ds.members:
            if c.five_good:
                yield ds.problem(c, ("five_good",), "E-SUBJECT", "「五个好」是对党组织的要求，党员的承诺请用 five_lead（五带头）")
            if c.kind is m.CommitmentKind.TERM:
                yield ds.problem(c, ("kind",), "E-SUBJECT", "任期承诺只由党组织作出，党员请用年度承诺或即时承诺")
    for a in ds.appraisals:
        if a.target in ds.units:
            for key in ("grade", "grade_votes"):
                if getattr(a, key) is not None:
                    yield ds.problem(a, (key,), "E-SUBJECT", "民主评议等次只评党员，不评党组织")
            if a.dimensions is not None:
                yield ds.problem(a, ("dimensions",), "E-SUBJECT", "分项评议（党性观念、联系服务群众、先锋模范作用）只用于党员")
        if a.target in ds.members:
            if a.five_good is not None:
                yield ds.problem(a, ("five_good",), "E-SUBJECT", "「五个好」分项评议只用于党组织，党员请用 dimensions（分项评议）")
            for key in ("grade", "grade_votes"):
                if getattr(a, key) is not None and ds.members[a.target].probationary:
                    yield ds.problem(
                        a,
                        (key,),
                        "E-SUBJECT",
                        f"「{ds.members[a.target].name}」是预备党员：预备党员参加民主评议，但不评定等次（提示：删去 {key}）",
                    )
    for h in ds.commendations:
        # Only the notice's own titles say who they are for; other titles are written as the awarding body names them.
        if h.title == m.HonourTitle.ORGANISATION and h.nominee in ds.members:
            yield ds.problem(h, ("nominee",), "E-SUBJECT", "「先进基层党组织」的推荐对象应是党组织，不是党员")
        if h.title in {m.HonourTitle.MEMBER, m.HonourTitle.WORKER} and h.nominee in ds.units:
            yield ds.problem(h, ("nominee",), "E-SUBJECT", f"「{h.title}」的推荐对象应是党员，不是党组织")


@rule
def nominee_named_once(ds: Dataset) -> Iterator[Problem]:
    """A nominee is either an id in the data or a name and unit from outside it, never both, never neither."""
    for h in ds.commendations:
        if h.nominee is None and h.external is None:
            yield ds.problem(h, ("title",), "E-MISSING", "缺少推荐对象：数据里有的写 nominee（编号），没有的写 external（姓名、所在单位）")
        if h.nominee is not None and h.external is not None:
            yield ds.problem(h, ("external",), "E-VALUE", "nominee（编号）和 external（数据以外的推荐对象）只能写一个")


@rule
def forms_filled(ds: Dataset) -> Iterator[Problem]:
    """A 点评意见表 has an opinion under some heading; members' dates make sense."""
    for r in ds.reviews:
        if not r.opinion.parts:
            yield ds.problem(
                r, ("opinion",), "E-MISSING", "点评意见是空的：写成绩、问题、努力方向，或在 sections 里写本单位点评意见表的栏目"
            )
        headings = [x.heading for x in r.opinion.sections]
        for i, heading in enumerate(headings):
            if heading in headings[:i] or heading in {"成绩", "问题", "努力方向"}:
                yield ds.problem(r, ("opinion", "sections", i, "heading"), "E-VALUE", f"栏目「{heading}」重复")
    for p in ds.members.values():
        born, joined = p.born, m.year_of(p.joined)
        if born is not None and joined is not None and joined - int(born[:4]) < 18:
            yield ds.problem(
                p, ("joined",), "E-DATE", f"入党时间（{m.year_month_label(p.joined)}）距出生年月（{m.year_month_label(born)}）不满 18 年"
            )


def _tallies(a: m.Appraisal) -> Iterator[tuple[tuple[str | int, ...], str, m.Tally]]:
    """Every tally of an appraisal with its key path and title."""
    if a.satisfaction is not None:
        yield ("satisfaction",), "满意度测评", a.satisfaction
    if a.grade_votes is not None:
        yield ("grade_votes",), "民主评议等次", a.grade_votes
    for group, model in (("dimensions", a.dimensions), ("five_good", a.five_good)):
        if model is None:
            continue
        for name, info in type(model).model_fields.items():
            tally = getattr(model, name)
            if tally is not None:
                yield (group, name), info.title or name, tally


PERCENT_SLACK = 0.5  # published percentages are rounded: 33.3 + 33.3 + 33.3 is 100


@rule
def tallies_add_up(ds: Dataset) -> Iterator[Problem]:
    """Every tally covers exactly the valid ballots (respondents less 弃权 and 无效), or 100% when only percentages are published."""
    for a in ds.appraisals:
        total = a.respondents.total
        if total == 0:
            yield ds.problem(a, ("respondents",), "E-TALLY", "参评人数为 0")
            continue
        valid = a.valid_ballots
        if valid < 0:
            yield ds.problem(a, ("invalid",), "E-TALLY", f"弃权票和无效票合计 {total - valid} 张，多于参评人数 {total} 人")
            continue
        for keys, label, tally in _tallies(a):
            if a.percent_only:
                if abs(tally.total - 100) > PERCENT_SLACK:
                    yield ds.problem(a, keys, "E-TALLY", f"「{label}」各档百分比合计 {tally.total:g}%，应为 100%（只公布百分比时）")
                continue
            fractions = [name for name, v in tally.grades() if isinstance(v, float) and not v.is_integer()]
            if fractions:
                yield ds.problem(
                    a,
                    keys,
                    "E-VALUE",
                    f"「{label}」的「{'、'.join(fractions)}」不是整数票数（提示：原件只有百分比时，写 percent_only: true）",
                )
            elif tally.total != valid:
                parts = [f"党员 {a.respondents.members}", f"群众 {a.respondents.non_members}"]
                parts += [f"{g.name} {g.count}" for g in a.respondents.groups]
                less = "".join(f" − {name} {n}" for name, n in (("弃权", a.abstained), ("无效", a.invalid)) if n)
                yield ds.problem(
                    a,
                    keys,
                    "E-TALLY",
                    f"「{label}」各档合计 {tally.total:g} 票，应为 {valid} 票（参评 {total} 人：{' + '.join(parts)}{less}）",
                )
        if all(x is None for x in (a.satisfaction, a.dimensions, a.five_good, a.grade, a.grade_votes)):
            yield ds.problem(a, ("respondents",), "E-MISSING", "评议没有结果：要有满意度测评、分项评议或民主评议等次之一")
        o = a.opinions
        if o is not None:
            if o.merged is not None and o.merged > o.collected:
                yield ds.problem(a, ("opinions", "merged"), "E-VALUE", f"归纳合并后 {o.merged} 条，多于征集的 {o.collected} 条")
            most = o.merged if o.merged is not None else o.collected
            if o.answered is not None and o.answered > most:
                yield ds.problem(a, ("opinions", "answered"), "E-VALUE", f"已答复 {o.answered} 条，多于意见建议 {most} 条")


# ---------------------------------------------------------------- audience and status


@rule
def audience_targets(ds: Dataset) -> Iterator[Problem]:
    for record in ds.records():
        if record.audience is m.Audience.SPECIFIC and not record.audience_to:
            yield ds.problem(record, ("audience",), "E-AUDIENCE", "「特定对象公开」要在 audience_to 里列出公开对象（单位或党员编号）")
        if record.audience is not m.Audience.SPECIFIC and record.audience_to:
            yield ds.problem(record, ("audience_to",), "E-AUDIENCE", "只有「特定对象公开」才列公开对象；否则请删去 audience_to")


# One gate of the audience rule: (level, the unit whose folder holds it, its 公开对象). A thing is seen by the
# readers every one of its gates lets through (`basics.may_see`).
Gate = tuple[m.Audience, str, list[str]]
# A reader of a board: (audience, the board's unit, the units and members named as readers).
Reader = tuple[m.Audience, str | None, frozenset[str]]
_MAX_READER_SETS = 64  # combinations of 公开对象 tried per record (one from each 特定对象公开 gate)


class _Audiences:
    """Who may see each unit, member and record, as a build decides it (`site.derive`): a unit by its own audience;
    a member with their unit; a record with its unit folder and with the units and members it is shown with
    (`Record.shown_with`)."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    def unit(self, uid: str) -> list[Gate]:
        u = self.ds.units.get(uid)
        return [(u.level, u.id, u.audience_to)] if u is not None else []

    def member(self, p: m.Member) -> list[Gate]:
        return [(p.level, p.folder_unit, p.audience_to), *self.unit(p.folder_unit)]

    def record(self, r: m.Record) -> list[Gate]:
        if isinstance(r, m.Unit):
            return self.unit(r.id)
        if isinstance(r, m.Member):
            return self.member(r)
        gates = [(r.level, r.folder_unit, r.audience_to), *self.unit(r.folder_unit)]
        for name in type(r).shown_with:
            ref = getattr(r, name)
            if ref in self.ds.members:
                gates += self.member(self.ds.members[ref])
            elif ref in self.ds.units:
                gates += self.unit(ref)
        return gates

    def readers(self, gates: list[Gate]) -> Iterator[Reader]:
        """The readers to try for a thing with these gates: each the narrowest that sees it at its level (whoever
        else sees it sees more), so what one of them cannot see is hidden from someone who sees the thing."""
        yield m.Audience.PUBLIC, None, frozenset()
        yield m.Audience.PARTY, None, frozenset()
        homes = {home for level, home, _ in gates if level is m.Audience.UNIT}
        if len(homes) > 1:
            return  # no one board is the unit of two folders
        unit = next(iter(homes), None)
        if unit is not None:
            yield m.Audience.UNIT, unit, frozenset()
        targets = [to for level, _, to in gates if level is m.Audience.SPECIFIC]
        for chosen in itertools.islice(itertools.product(*targets), _MAX_READER_SETS) if targets else ():
            named = set(chosen) | {self.ds.members[t].folder_unit for t in chosen if t in self.ds.members}
            yield m.Audience.SPECIFIC, unit, frozenset(named)

    @staticmethod
    def sees(reader: Reader, gates: list[Gate]) -> bool:
        return all(may_see(*reader, level, home, to) for level, home, to in gates)


def _reader_label(reader: Reader) -> str:
    audience, unit, named = reader
    if audience is m.Audience.UNIT:
        return f"单位「{unit}」本单位公开栏的读者"
    if audience is m.Audience.SPECIFIC:
        return f"公开对象「{'、'.join(sorted(named))}」"
    return "社会公众" if audience is m.Audience.PUBLIC else "全体党员"


@dataclass(frozen=True, slots=True)
class _Named:
    """A unit or member as a name in text points at it: its record and who may see it."""

    record: m.Unit | m.Member
    gates: list[Gate]


@rule
def names_within_audience(ds: Dataset) -> Iterator[Problem]:
    """Free text names no member or unit whom a reader of the record may not see (E-NAME): a name another member
    or unit shares, and that reader sees, tells nothing. Names of people a record carries as such (a reviewer, who
    signed) are withheld by the build instead (`models.NameOf`)."""
    audiences = _Audiences(ds)
    named = [_Named(p, audiences.member(p)) for p in ds.members.values()]
    named += [_Named(u, audiences.unit(uid)) for uid, u in ds.units.items()]
    narrow = {fold(x.record.name) for x in named if any(level is not m.Audience.PUBLIC for level, _, _ in x.gates)}
    first = NameFinder(narrow)
    if not first:
        return
    by_name: dict[str, list[_Named]] = defaultdict(list)
    longer: list[str] = []
    for x in named:
        key = fold(x.record.name)
        if key in first.names:
            by_name[key].append(x)
        elif first.find(x.record.name):
            longer.append(x.record.name)  # 王军华 holds 王军: found as itself, not as 王军
    finder = NameFinder(first.names, longer)
    for record in ds.records():
        found: list[tuple[tuple[str | int, ...], str, str]] = []
        for keys, label, text, kind in m.texts(record):
            if kind == "text":
                found.extend((keys, label, name) for name in finder.find(text))
        if not found:
            continue
        own = audiences.record(record)
        readers = [reader for reader in audiences.readers(own) if audiences.sees(reader, own)]
        for keys, label, name in found:
            for reader in readers:
                unseen = [x for x in by_name[name] if not audiences.sees(reader, x.gates)]
                if len(unseen) < len(by_name[name]):
                    continue  # a member or unit of that name this reader sees: the name tells them nothing new
                yield ds.problem(record, keys, "E-NAME", _name_message(record, label, unseen[0], reader))
                break


def _name_message(record: m.Record, label: str, x: _Named, reader: Reader) -> str:
    level, home, _ = next(g for g in x.gates if not may_see(*reader, *g))
    p = x.record
    if isinstance(p, m.Member):
        what, whose, who = (
            f"党员「{p.name}」（{p.id}）的姓名",
            "" if (level, home) == (p.level, p.folder_unit) else f"所在单位「{home}」",
            "这位党员",
        )
    else:
        what, whose, who = f"单位「{p.name}」（{p.id}）的名称", "", "这个单位"
    return (
        f"字段「{label}」写了{what}，而其{whose}公开范围是「{level.value}」，"
        f"{_reader_label(reader)}能看到本条记录（{record.level.value}），却不应看到{who}"
        f"（提示：从文字中删去这个{'姓名' if who == '这位党员' else '名称'}，或把本条记录的 audience 改为不宽于「{level.value}」）"
    )


@rule
def statuses_consistent(ds: Dataset) -> Iterator[Problem]:
    for c in ds.commitments:
        o = c.outcome
        if o and o.result is not m.OutcomeResult.DONE and not o.reason:
            yield ds.problem(c, ("outcome",), "E-STATUS", f"「{o.result.value}」要写明原因（reason），并说明是否客观原因（objective）")
        if c.remedial and not (o is None or o.result is not m.OutcomeResult.DONE):
            yield ds.problem(c, ("remedial",), "E-STATUS", "已完成的承诺不需要补课", Severity.WARNING)
    for r in ds.reviews:
        for i, x in enumerate(r.rectifications):
            if x.status is m.RectificationStatus.DONE and x.done is None:
                yield ds.problem(r, ("rectifications", i, "status"), "E-STATUS", "整改「已完成」要写完成日期（done）")
            if x.status is not m.RectificationStatus.DONE and x.done is not None:
                yield ds.problem(r, ("rectifications", i, "done"), "E-STATUS", f"写了完成日期，状态却是「{x.status.value}」")
    for h in ds.commendations:
        if h.status in {m.CommendationStatus.PUBLICIZING, m.CommendationStatus.AWARDED} and h.publicity is None:
            yield ds.problem(h, ("status",), "E-STATUS", f"状态「{h.status.value}」要先有公示期（publicity）")
        if h.status is m.CommendationStatus.AWARDED and not h.decision:
            yield ds.problem(h, ("status",), "E-STATUS", "「已表彰」要写表彰决定文号（decision）")
        if h.status is m.CommendationStatus.REVOKED and not h.revoked_reason:
            yield ds.problem(h, ("status",), "E-STATUS", "「撤销」要写撤销原因（revoked_reason）")
    for unit in ds.units.values():
        sec = ds.members.get(unit.secretary or "")
        if sec and sec.folder_unit != unit.id:
            yield ds.problem(
                unit,
                ("secretary",),
                "E-REF",
                f"书记「{sec.name}」（{sec.id}）不是本单位党员（提示：把他写进本单位的 members.yaml）",
                Severity.WARNING,
            )


@rule
def photos_usable(ds: Dataset) -> Iterator[Problem]:
    """A photo beside a commendation is an image inside the data folder that can be read (see `photos`)."""
    for h in ds.commendations:
        if h.photo is not None:
            message = photo_problem(ds.root, h, h.photo)
            if message is not None:
                yield ds.problem(h, ("photo",), "E-PHOTO", message)


# ---------------------------------------------------------------- 评选表彰: the procedure and the nominees


@rule
def commendation_procedure(ds: Dataset) -> Iterator[Problem]:
    """推荐 → 公示 (at least the site's working days, objections each handled) → 表彰决定 (date and number).

    已表彰 is possible only once the window has ended, on or before the decision date, with every objection settled."""
    from cxzy_gen.records.workdays import WorkdayCalendar

    calendar = WorkdayCalendar.for_site(ds.site)
    least = ds.site.publicity_working_days
    for h in ds.commendations:
        w = h.publicity
        if w is not None and (w.end is None) != (w.working_days is None) and (w.end is None or w.end > w.start):
            days = w.working_days if w.working_days is not None else calendar.count(w.start, w.end or w.start)
            if days < least:
                where = ("publicity", "working_days" if w.working_days is not None else "end")
                span = f"{w.start} 至 {calendar.window_end(w)}"
                yield ds.problem(
                    h,
                    where,
                    "E-PROCEDURE",
                    f"公示期（{span}）只有 {days} 个工作日，本站规定至少 {least} 个工作日（site.yaml 的 publicity_working_days）",
                )
        for i, o in enumerate(h.objections):
            if o.resolved_on is not None and o.resolved_on < o.received:
                yield ds.problem(
                    h, ("objections", i, "resolved_on"), "E-DATE", f"异议办结日期（{o.resolved_on}）早于收到日期（{o.received}）"
                )
            if o.resolved_on is not None and not o.resolved:
                yield ds.problem(h, ("objections", i, "resolved"), "E-STATUS", "写了办结日期（resolved_on），「是否办结」却是 false")
        if h.nominated is not None and w is not None and w.start < h.nominated:
            yield ds.problem(h, ("publicity", "start"), "E-DATE", f"公示开始（{w.start}）早于推荐日期（{h.nominated}）")
        if h.status is m.CommendationStatus.REVOKED and h.revoked_on is None:
            yield ds.problem(h, ("status",), "E-STATUS", "「撤销」要写撤销日期（revoked_on）")
        if h.status is not m.CommendationStatus.AWARDED:
            for key in ("decided", "decision"):
                if getattr(h, key) is not None:
                    yield ds.problem(h, (key,), "E-STATUS", f"还没有表彰（状态「{h.status.value}」），不能写表彰决定（{key}）")
            continue
        if h.decided is None:
            yield ds.problem(h, ("status",), "E-PROCEDURE", "「已表彰」要写表彰决定日期（decided）")
            continue
        if w is not None:
            end = calendar.window_end(w)
            if h.decided < end:
                yield ds.problem(
                    h, ("decided",), "E-PROCEDURE", f"表彰决定日期（{h.decided}）早于公示结束（{end}）：公示期满、异议处理完毕后才能表彰"
                )
        for i, o in enumerate(h.objections):
            if not o.resolved:
                yield ds.problem(
                    h,
                    ("objections", i),
                    "E-PROCEDURE",
                    f"{o.received} 收到的异议还没有办结，不能表彰（提示：办结后写 resolved: true 和 resolved_on）",
                )
            elif o.resolved_on is not None and o.resolved_on > h.decided:
                yield ds.problem(
                    h, ("objections", i, "resolved_on"), "E-PROCEDURE", f"异议在表彰决定（{h.decided}）之后才办结（{o.resolved_on}）"
                )


def commendation_day(h: m.Commendation) -> dt.date | None:
    """The day a nomination is judged at: its decision, else its 公示's start, else its nomination."""
    return h.decided or (h.publicity.start if h.publicity else None) or h.nominated


@rule
def nominees_qualify(ds: Dataset) -> Iterator[Problem]:
    """评议 results are the basis for 评先: no nominee graded 基本合格/不合格 that year, none with an overdue commitment of that year,
    none from a unit whose 满意率 is below the site's threshold. Error or warning as site.yaml says."""
    rules = ds.site.commendation
    severity = Severity.ERROR if rules.nominee_checks == "error" else Severity.WARNING
    graded: dict[tuple[str, int], tuple[m.Appraisal, m.Grade]] = {}
    rates: dict[tuple[str, int], list[m.Appraisal]] = {}
    for a in ds.appraisals:
        if a.withdrawn is not None:
            continue
        if a.grade is not None:
            graded[(a.target, a.date.year)] = (a, a.grade)
        if a.satisfaction is not None and a.satisfaction.total and a.target in ds.units:
            rates.setdefault((a.target, a.date.year), []).append(a)
    by_subject: dict[str, list[m.Commitment]] = {}
    for c in ds.commitments:
        by_subject.setdefault(c.subject, []).append(c)
    for h in ds.commendations:
        if h.status is m.CommendationStatus.REVOKED or h.nominee is None:  # an outside nominee: no records here to judge by
            continue
        who = ds.members[h.nominee].name if h.nominee in ds.members else ds.units[h.nominee].name if h.nominee in ds.units else h.nominee
        found = graded.get((h.nominee, h.year))
        if found is not None and found[1] in {m.Grade.BASIC, m.Grade.UNQUALIFIED}:
            yield ds.problem(
                h,
                ("nominee",),
                "E-NOMINEE",
                f"{who} {h.year} 年民主评议等次为「{found[1].value}」（{found[0].source_file}），不能推荐为「{h.title}」",
                severity,
            )
        day = commendation_day(h)
        if day is not None:
            late = [
                c
                for c in by_subject.get(h.nominee, [])
                if c.proposed.year == h.year  # the year being judged, like the grade
                and c.proposed <= c.deadline < day  # a deadline before its proposal is E-DATE's finding, not a late commitment
                and not (c.withdrawn and c.withdrawn.date <= day)
                and not (c.outcome and c.outcome.date <= day)
            ]
            if late:
                titles = "、".join(f"「{c.title}」（时限 {c.deadline}）" for c in late[:3])
                yield ds.problem(
                    h,
                    ("nominee",),
                    "E-NOMINEE",
                    f"{who} 有逾期未完成的承诺 {len(late)} 项：{titles}，不宜推荐为「{h.title}」",
                    severity,
                )
        unit = ds.unit_of(h.nominee)
        if rules.min_satisfaction is not None and unit is not None:
            held = sorted(rates.get((unit.id, h.year), []), key=lambda a: a.date)
            if held:
                latest = held[-1]
                s = latest.satisfaction
                assert s is not None
                rate = 100 * s.satisfied_votes / s.total
                if rate < rules.min_satisfaction:
                    yield ds.problem(
                        h,
                        ("nominee",),
                        "E-NOMINEE",
                        f"{unit.name} {latest.date} 群众满意率 {rate:.1f}%，低于本站规定的 {rules.min_satisfaction:g}%"
                        f"（site.yaml 的 commendation.min_satisfaction），不宜推荐{who}",
                        severity,
                    )


def quota_allowed(quota: m.Quota, base: int) -> int | None:
    """How many nominations a quota allows an awarding unit: `max`, or `share` % of `base` (its members, for the
    个人 titles; its units below, for 先进基层党组织) rounded up, whichever is smaller; None when it sets neither."""
    limits = [n for n in (quota.max, math.ceil(base * quota.share / 100) if quota.share is not None else None) if n is not None]
    return min(limits) if limits else None


@rule
def quotas_respected(ds: Dataset) -> Iterator[Problem]:
    """名额: per awarding unit, year and title, no more nominations (not revoked) than site.yaml's quota."""
    quotas = ds.site.commendation.quotas
    if not quotas:
        return
    groups: dict[tuple[str, int, str], list[m.Commendation]] = {}
    for h in ds.commendations:
        if h.status is not m.CommendationStatus.REVOKED and h.title in quotas:
            groups.setdefault((h.awarding_unit or h.folder_unit, h.year, h.title), []).append(h)
    for (awarding, year, title), items in groups.items():
        if awarding not in ds.units:
            continue
        quota = quotas[m.HonourTitle(title)]
        below = [uid for uid in ds.units if uid != awarding and _in_subtree(ds, uid, awarding)]
        if title == m.HonourTitle.ORGANISATION:
            base, what = len(below), "个下级党组织"
        else:
            covered = {awarding, *below}
            base, what = sum(p.folder_unit in covered for p in ds.members.values()), "名党员"
        allowed = quota_allowed(quota, base)
        if allowed is None or len(items) <= allowed:
            continue
        basis = f"（{base} {what}的 {quota.share:g}%）" if quota.share is not None and allowed != quota.max else ""
        name = ds.units[awarding].name
        for h in items[allowed:]:
            yield ds.problem(
                h,
                ("title",),
                "E-QUOTA",
                f"{name} {year} 年推荐「{title}」{len(items)} 个，超出名额：最多 {allowed} 个{basis}（site.yaml 的 commendation.quotas）",
            )
