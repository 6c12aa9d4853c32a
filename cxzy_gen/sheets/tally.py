"""`cxzy tally`: a sheet of 评议表 ballots → one appraisal record of counts; the ballots themselves go nowhere.

Each row is one ballot: who cast it (党员, 群众 or another group) and the grade given on each question; for a
member, also the 民主评议等次 (优秀/合格/基本合格/不合格) in a column of its own or one named after the member,
so one sheet may hold a whole branch's grades, a column per member (or the member's name over their questions);
with `all_members` one run writes a record for each member of the branch that has columns. The record keeps the number of
respondents by group and, per question, how many chose each grade. A ballot left wholly blank (or 弃权) is
弃权; one with an unreadable or missing answer is 无效. A 预备党员 takes part but is not graded: the grade
column is left uncounted. The ballot file must live
outside the data repository, so that no ballot is ever committed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.sheets import cells
from cxzy_gen.sheets import yamlfile as yf
from cxzy_gen.sheets.columns import GROUP_SEP, KINDS
from cxzy_gen.sheets.importer import ImportError_, _check, _new_id, _problem_key
from cxzy_gen.sheets.table import SheetError, Table, column_letter, normalise, read_table


class BallotRefused(ImportError_):
    """The ballot file is inside the data repository: nothing is read or written."""

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


GROUP_HEADERS = {"参评人类别", "类别", "身份", "参评人身份", "参评对象"}
OPINION_HEADERS = {"意见建议", "意见和建议", "对其意见建议", "建议"}
MEMBERS_GROUP = {"党员", "中共党员", "正式党员", "预备党员"}
MASSES_GROUP = {"群众", "职工群众", "职工", "居民", "群众代表"}


@dataclass(frozen=True)
class Question:
    header: str
    path: tuple[str, str]  # e.g. ("dimensions", "party_spirit"), ("satisfaction", "")
    grades: dict[str, str]  # answer → field of the tally


def _grades(tally: type[m.Tally], *, unknown: bool = True) -> dict[str, str]:
    out = {info.title or name: name for name, info in tally.model_fields.items() if name != "unknown"}
    return {**out, "不了解": "unknown"} if unknown else out


GRADE_HEADER = "民主评议等次"


def questions(target_kind: str) -> list[Question]:
    """The questions a ballot may ask: a member's three, 民主评议等次 (and satisfaction), or an organisation's 五个好 (and satisfaction)."""
    out = [Question("满意度测评", ("satisfaction", ""), _grades(m.Satisfaction))]
    if target_kind == "member":
        out += [Question(info.title or n, ("dimensions", n), _grades(m.DimensionTally)) for n, info in m.Dimensions.model_fields.items()]
        out.append(Question(GRADE_HEADER, ("grade_votes", ""), _grades(m.GradeTally, unknown=False)))
    else:
        out += [Question(info.title or n, ("five_good", n), _grades(m.Satisfaction)) for n, info in m.FiveGoodTallies.model_fields.items()]
    return out


ALIASES = {
    "满意度测评": ("满意度", "总体评价", "满意程度", "群众满意度"),
    GRADE_HEADER: ("评定等次", "评议等次", "等次", "民主评议党员等次", "测评等次", "评议意见"),
}
ABSTAIN = {"弃权"}  # a cell that says 弃权 counts as not answered


def _member_headers(member: m.Member) -> set[str]:
    """Headers of a grade column for one member, as a sheet with one column per member writes them."""
    out = set()
    for who in {member.name, member.id}:
        out |= {who, f"{who}等次", f"{who}（等次）", f"{who}（民主评议等次）", f"{who}的等次"}
    return {normalise(h) for h in out}


def _answer(value: Any) -> str:
    """A ballot's answer as compared: spaces taken out; blank and 弃权 are no answer ("")."""
    answer = "" if cells.is_blank(value) else cells.text(value).replace(" ", "").replace("\u3000", "")
    return "" if answer in ABSTAIN else answer


@dataclass
class Counted:
    """One appraisal record counted from the ballots, with its own 弃权 and 无效."""

    record: dict[str, Any]
    abstained: int = 0
    invalid: int = 0


@dataclass
class TallyResult:
    counted: list[Counted]
    file: Path | None
    problems: list[Problem] = field(default_factory=list)
    ballots: int = 0

    @property
    def record(self) -> dict[str, Any]:
        """The record (the first, when the ballots graded every member of a branch)."""
        return self.counted[0].record

    @property
    def abstained(self) -> int:
        return self.counted[0].abstained

    @property
    def invalid(self) -> int:
        return self.counted[0].invalid

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def inside_repository(path: Path, data_dir: Path) -> Path | None:
    """The folder (the data folder, or the git repository holding it) that `path` lies in, symlinks resolved."""
    real = path.resolve()
    roots = [data_dir.resolve()]
    try:
        top = subprocess.run(
            ["git", "-C", str(data_dir.resolve()), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False, timeout=20
        )
        if top.returncode == 0 and top.stdout.strip():
            roots.append(Path(top.stdout.strip()).resolve())
    except (OSError, subprocess.SubprocessError):
        pass
    return next((root for root in roots if real == root or root in real.parents), None)


def tally(
    ballots: Path,
    target: str,
    day: dt.date,
    method: str,
    data_dir: Path,
    *,
    record_id: str | None = None,
    summary: str | None = None,
    write: bool = True,
    all_members: bool = False,
) -> TallyResult:
    """Count the ballots for `target` (a member or a unit), or, with `all_members`, for every member of the unit
    `target` that has columns of its own in the sheet (headed by the name, or the name over the questions)."""
    repo = inside_repository(ballots, data_dir)
    if repo is not None:
        message = (
            f"选票文件 {ballots} 在数据仓库 {repo} 里面：选票不能放进仓库，更不能提交"
            "（提示：把它移到仓库以外的文件夹，例如「我的文档」，再运行 cxzy tally）"
        )
        raise BallotRefused(message, Problem(str(ballots), 1, 1, "E-BALLOT", message))
    ds, before, _ = load_dataset(data_dir)
    if ds is None:
        raise ImportError_("数据目录本身有错误，先运行 cxzy validate 改正后再统计")
    if target in ds.members and not all_members:
        kind, unit = "member", ds.members[target].folder_unit
    elif target in ds.units:
        kind, unit = "unit", target
    elif target in ds.members:
        raise ImportError_(f"--all-members 要和党组织的编号一起用，「{target}」是党员（提示：--target 写党支部的编号）")
    else:
        raise ImportError_(f"找不到被评议的单位或党员「{target}」（提示：--target 写编号）")
    if all_members and record_id:
        raise ImportError_("--all-members 为每名党员各写一条记录，不能用 --id 指定编号")
    generic = _by_header(questions("member" if kind == "member" else "unit"))
    member_questions = _by_header(questions("member"))
    branch = [p for p in ds.members.values() if p.folder_unit == unit]
    names = {p.id: _member_headers(p) for p in branch}
    # Another member's columns are no question for this target: a sheet may hold a whole branch.
    plain = set().union(*names.values()) if names else set()

    def split(h: str) -> tuple[str, str] | None:
        group, sep, sub = h.partition(GROUP_SEP)
        return (group, sub) if sep and group in plain and sub in member_questions else None

    def known(h: str) -> bool:
        return h in generic or h in GROUP_HEADERS or h in OPINION_HEADERS or h in plain or split(h) is not None

    try:
        table = read_table(ballots, known)
    except SheetError as exc:
        raise ImportError_(str(exc)) from None
    problems: list[Problem] = []

    def note(row: int, column: int | None, message: str, severity: Severity = Severity.WARNING) -> None:
        at = f"第 {row} 行" + (f" {column_letter(column)} 列「{table.headers.get(column, '')}」" if column else "")
        problems.append(Problem(str(ballots), row, column or 1, "E-SHEET", f"工作表「{table.sheet}」{at}：{message}", severity))

    first = table.header_rows[0]
    group_col = next((c for c, h in table.headers.items() if h in GROUP_HEADERS), None)
    opinion_col = next((c for c, h in table.headers.items() if h in OPINION_HEADERS), None)

    def columns_of(who: m.Member | None) -> dict[int, Question]:
        """The question each column asks about `who` (None: the unit `target`, or the one member of a plain sheet)."""
        out: dict[int, Question] = {}
        for c, h in table.headers.items():
            if who is None:
                q = generic.get(h)
                if q is None and kind == "member" and h in names[target]:
                    q = member_questions[normalise(GRADE_HEADER)]
                if q is None and kind == "member" and (found := split(h)) and found[0] in names[target]:
                    q = member_questions[found[1]]
            elif h in names[who.id]:
                q = member_questions[normalise(GRADE_HEADER)]
            else:
                found = split(h)
                q = member_questions[found[1]] if found and found[0] in names[who.id] else None
            if q is not None:
                if any(x.path == q.path for x in out.values()):
                    same = next(c2 for c2, x in out.items() if x.path == q.path)
                    note(first, c, f"与 {column_letter(same)} 列问的是同一题（{q.header}），只统计 {column_letter(same)} 列")
                    continue
                out[c] = q
        return out

    targets: list[tuple[str, m.Member | None]]
    if all_members:
        targets = [
            (p.id, p) for p in branch if any(h in names[p.id] or (split(h) or ("", ""))[0] in names[p.id] for h in table.headers.values())
        ]
        if not targets:
            raise ImportError_(f"{ballots.name} 里没有「{ds.units[target].name}」党员的列（提示：每名党员一列，列名写姓名）")
    else:
        targets = [(target, None)]
    counted: list[Counted] = []
    used_cols: set[int] = set()
    for target_id, who in targets:
        question_cols = columns_of(who)
        used_cols |= set(question_cols)
        member = ds.members.get(target_id)
        grade = next((c for c, q in question_cols.items() if q.path == ("grade_votes", "")), None)
        if member is not None and member.probationary and grade is not None:
            note(first, grade, f"「{member.name}」是预备党员：预备党员参加民主评议，但不评定等次，这一列没有统计")
            del question_cols[grade]
            if not question_cols and not all_members:
                raise ImportError_(f"「{member.name}」是预备党员，不评定等次；{ballots.name} 里除了等次没有别的评议题目，没有可统计的结果")
        if not question_cols:
            if not all_members:
                asked = questions(kind)
                raise ImportError_(f"{ballots.name} 里没有评议的题目列（提示：列名如 {'、'.join(q.header for q in asked)}）")
            continue
        counted.append(_count(table, target_id, question_cols, group_col, opinion_col, note))
    if group_col is None:
        note(first, None, "没有「参评人类别」列，全部按群众计")
    for c, h in table.headers.items():
        if c not in used_cols and c != group_col and c != opinion_col and h not in plain and split(h) is None:
            note(first, c, "这一列不是评议题目，没有统计" if not all_members else "这一列不是哪名党员的列（列名要写党员姓名），没有统计")
    total = len(table.rows)
    for one in counted:
        one.record.update({"date": day, "method": method})
        one.record["summary"] = (
            summary
            or f"收回评议表 {total} 张"
            + (f"，弃权 {one.abstained} 张" if one.abstained else "")
            + (f"，无效 {one.invalid} 张" if one.invalid else "")
            + "。"
        )
    result = TallyResult(counted, None, problems, total)
    if total < m.MIN_RESPONDENTS:
        note(first, None, f"只有 {total} 人参评（少于 {m.MIN_RESPONDENTS} 人）：公开栏只公布参评人数，不公布分项票数，以免看出个人的投票")
    if not counted:
        raise ImportError_(f"{ballots.name} 里没有可统计的评议结果")
    path = data_dir / "units" / unit / str(day.year) / "appraisals.yaml"
    original = path.read_text(encoding="utf-8") if path.is_file() else None
    doc = yf.load(original) if original is not None else yf.new_file("appraisals", 4, "appraisals")
    used = {r.id.casefold() for r in ds.records()}
    order = list(m.Appraisal.model_fields)
    for one in counted:
        record = one.record
        record["id"] = record_id or _new_id(KINDS["appraisals"], unit, day.year, doc["appraisals"], used)
        used.add(record["id"].casefold())
        doc["appraisals"].append(yf.scalar({k: record[k] for k in sorted(record, key=order.index)}))
    text = yf.dump(doc)
    if original is None or "\n\n  - " in original:
        text = re.sub(r"(?<!:)(?<!\n)\n(  - )", r"\n\n\1", text)
    baseline = {_problem_key(p, data_dir) for p in before}
    for p in _check({path: text}, data_dir, baseline):
        problems.append(p)
    result.file = path
    if result.ok and write:
        yf.write_atomic(path, text)
    return result


def _model_order(q: Question) -> tuple[int, int]:
    """Where a question's tally stands in the record: the model's order, as the data files write it."""
    top, sub = q.path
    group = m.model_in(m.Appraisal.model_fields[top].annotation)
    inner = list(group.model_fields) if sub and group is not None else []
    return list(m.Appraisal.model_fields).index(top), inner.index(sub) if sub in inner else 0


def _by_header(asked: list[Question]) -> dict[str, Question]:
    out: dict[str, Question] = {}
    for q in asked:
        out[normalise(q.header)] = q
        for alias in ALIASES.get(q.header, ()):
            out[normalise(alias)] = q
    return out


def _count(
    table: Table,
    target: str,
    question_cols: dict[int, Question],
    group_col: int | None,
    opinion_col: int | None,
    note: Callable[[int, int | None, str], None],
) -> Counted:
    """The ballots' answers on the columns about one target → its record (counts only)."""
    counts: dict[tuple[str, str], Counter[str]] = {q.path: Counter() for q in question_cols.values()}
    groups: Counter[str] = Counter()
    abstained = invalid = opinions = 0
    for number, values in table.rows:
        group = cells.text(values[group_col]) if group_col and group_col in values else "群众"
        group = "党员" if group in MEMBERS_GROUP else "群众" if group in MASSES_GROUP else group
        groups[group] += 1
        if opinion_col and opinion_col in values:
            opinions += 1
        answers = {c: _answer(values.get(c)) for c in question_cols}
        if all(not v for v in answers.values()):
            abstained += 1
            continue
        bad = {c: v for c, v in answers.items() if v not in question_cols[c].grades}
        if bad:
            invalid += 1
            for c, v in bad.items():
                choices = "、".join(question_cols[c].grades)
                why = "没填" if not v else f"「{v}」不是可选的等次（{choices}）"
                note(number, c, f"{why}，这张票按无效票计")
            continue
        for c, v in answers.items():
            q = question_cols[c]
            counts[q.path][q.grades[v]] += 1
    record: dict[str, Any] = {"id": "", "target": target}
    respondents: dict[str, Any] = {"members": groups.pop("党员", 0), "non_members": groups.pop("群众", 0)}
    if groups:
        respondents["groups"] = [{"name": name, "count": n} for name, n in groups.items()]
    record["respondents"] = respondents
    if abstained:
        record["abstained"] = abstained
    if invalid:
        record["invalid"] = invalid
    for q in sorted(question_cols.values(), key=_model_order):
        tally_ = {name: counts[q.path][name] for name in q.grades.values() if name != "unknown"}
        if counts[q.path]["unknown"]:
            tally_["unknown"] = counts[q.path]["unknown"]
        group_key, name = q.path
        if name:
            record.setdefault(group_key, {})[name] = tally_
        else:
            record[group_key] = tally_
    if opinions:
        record["opinions"] = {"collected": opinions}
    return Counted(record, abstained, invalid)
