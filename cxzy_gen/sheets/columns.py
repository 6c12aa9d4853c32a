"""The spreadsheet columns of each record kind: Chinese header, the field it fills, how its cells are read.

Import, export and the blank template all read these lists, so a column is described once. Closed sets
(choices) come from the data model, never from a second list here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from cxzy_gen.records import layout
from cxzy_gen.records import models as m

CellKind = Literal["text", "markdown", "date", "month", "joined", "int", "amount", "bool", "choice", "list", "ref", "refs", "groups"]
GROUP_SEP = "·"  # 满意度测评·满意: a column under a merged group header


@dataclass(frozen=True)
class Column:
    header: str  # as the template and the export write it (group·sub for two-row headers)
    path: tuple[str, ...]  # the field inside the record
    kind: CellKind
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers real forms use for the same column
    note: str = ""
    refers: Literal["unit", "member", "any", ""] = ""
    required: bool = False
    width: int = 12

    @property
    def group(self) -> str:
        return self.header.split(GROUP_SEP, 1)[0] if GROUP_SEP in self.header else ""

    @property
    def sub(self) -> str:
        return self.header.split(GROUP_SEP, 1)[1] if GROUP_SEP in self.header else self.header


@dataclass(frozen=True)
class ListSheet:
    """A list inside each record (践诺进展, 整改事项, 异议及处理, 更正说明) as a sheet of its own: one row per item,
    keyed by the record's 编号 in the main sheet (or, for a record that has no 编号 yet, its row number there)."""

    title: str  # the sheet's name
    path: tuple[str, ...]  # the list field inside the record
    key: str  # the header of the key column
    columns: tuple[Column, ...]  # paths inside one item
    note: str = ""


@dataclass(frozen=True)
class SheetKind:
    """One record kind as a sheet; where its records live comes from the data layout (records/layout.py)."""

    name: str  # --kind, and the file kind in the layout
    letter: str  # new ids: <prefix>-<year>-<letter><nn>
    columns: tuple[Column, ...]
    lists: tuple[ListSheet, ...] = ()

    @property
    def layout(self) -> layout.FileKind:
        return layout.FILES[self.name]

    @property
    def label(self) -> str:
        return self.layout.title

    @property
    def list_key(self) -> str:
        key = self.layout.list_key
        assert key is not None, self.name
        return key

    @property
    def file(self) -> str:
        return self.layout.file_name

    @property
    def yearly(self) -> bool:
        return self.layout.yearly

    @property
    def model(self) -> type[m.Record]:
        record = self.layout.record
        assert record is not None, self.name
        return record.model

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


def _annotation(model: type[BaseModel], path: tuple[str, ...]) -> Any:
    current: Any = model
    annotation: Any = None
    for name in path:
        annotation = unwrap(current.model_fields[name].annotation)
        current = annotation
    return annotation


def unwrap(annotation: Any) -> Any:
    """`X | None` → X; Annotated[X, ...] → X; list[X] stays a list."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin is not None and origin is not list and origin is not Literal and len(args) == 1:
        return unwrap(args[0])
    if getattr(annotation, "__metadata__", None) is not None:
        return unwrap(get_args(annotation)[0])
    return annotation


def choices_of(model: type[BaseModel], path: tuple[str, ...]) -> tuple[str, ...]:
    """The closed set of a field (a Literal or an Enum, or a list of one), straight from the model."""
    annotation = _annotation(model, path)
    if get_origin(annotation) is list:
        annotation = unwrap(get_args(annotation)[0])
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(e.value) for e in annotation)
    raise TypeError(f"{path} is not a closed set")


def _title(model: type[BaseModel], path: tuple[str, ...]) -> str:
    current: Any = model
    title = ""
    for name in path:
        info = current.model_fields[name]
        title = info.title or name
        current = unwrap(info.annotation)
    return re.sub(r"（.*?）$", "", title)


def col(
    model: type[BaseModel],
    path: str,
    kind: CellKind,
    header: str | None = None,
    *,
    aliases: tuple[str, ...] = (),
    note: str = "",
    refers: Literal["unit", "member", "any", ""] = "",
    width: int = 12,
    closed: bool = False,
) -> Column:
    keys = tuple(path.split("."))
    info_owner: Any = model
    for name in keys[:-1]:
        info_owner = unwrap(info_owner.model_fields[name].annotation)
    info = info_owner.model_fields[keys[-1]]
    required = info.is_required() and len(keys) == 1 and keys != ("id",)
    choices = choices_of(model, keys) if kind in {"choice", "list"} and (closed or kind == "choice") else ()
    description = note or (info.description or "")
    return Column(header or _title(model, keys), keys, kind, choices, aliases, description, refers, required, width)


AUDIENCE_NOTE = "不填则用文件开头的默认公开范围"
BOOL_CHOICES = ("是", "否")


def _audience(model: type[BaseModel]) -> tuple[Column, Column]:
    return (
        col(model, "audience", "choice", "公开范围", note=AUDIENCE_NOTE, width=12),
        col(
            model,
            "audience_to",
            "refs",
            "公开对象",
            refers="any",
            note="公开范围为「特定对象公开」时填：单位名称或党员姓名（也可填编号），多个用顿号隔开",
            width=16,
        ),
    )


def _withdrawn(model: type[BaseModel]) -> tuple[Column, Column]:
    note = "已公示的记录不删除：撤回时填撤回日期和原因，记录仍留在公开栏上并标明已撤回"
    return (
        col(model, "withdrawn.date", "date", "撤回日期", note=note, width=12),
        col(model, "withdrawn.reason", "text", "撤回原因", width=20),
    )


def _tally_columns(
    model: type[BaseModel], group_path: str, group: str, tally: type[m.Tally], *, unknown: bool = True, note: str = ""
) -> list[Column]:
    out = []
    for name, info in tally.model_fields.items():
        if name == "unknown":
            continue
        out.append(col(model, f"{group_path}.{name}", "amount", f"{group}{GROUP_SEP}{info.title}", note=note, width=8))
    if unknown:
        out.append(col(model, f"{group_path}.unknown", "amount", f"{group}{GROUP_SEP}不了解", width=8))
    return out


def _item(model: type[BaseModel], name: str, kind: CellKind, header: str, *, note: str = "", width: int = 12) -> Column:
    """A column of a list sheet: a field of one item (required as the item's model says)."""
    c = col(model, name, kind, header, note=note, width=width)
    return dataclasses.replace(c, required=model.model_fields[name].is_required())


def _key_note(kind_label: str) -> str:
    return f"填「{kind_label}」表里那条记录的编号；新填的记录还没有编号时，填它在「{kind_label}」表中的行号（如 5）"


def _amendments(kind_label: str, key: str) -> ListSheet:
    a = m.Amendment
    return ListSheet(
        "更正说明",
        ("amendments",),
        key,
        (_item(a, "date", "date", "更正日期", width=12), _item(a, "note", "text", "更正说明", width=50)),
        "已公示或已签字的记录要改动时，在这里追加一条带日期的说明；已有的说明不能改删。" + _key_note(kind_label),
    )


_M = m.Member
MEMBERS = SheetKind(
    "members",
    "",
    (
        col(_M, "id", "text", "编号", note="不填则自动编号；再次导入时按编号（没有编号时按姓名）更新原有记录", width=16),
        col(_M, "name", "text", aliases=("党员姓名",), width=10),
        col(_M, "gender", "choice", width=6),
        col(_M, "ethnicity", "text", width=8),
        col(_M, "born", "month", aliases=("出生日期", "出生年月日"), width=10),
        col(_M, "post", "text", aliases=("职务", "现任职务", "工作岗位", "岗位（职务）", "职务（岗位）"), width=18),
        col(_M, "duties", "text", aliases=("岗位职责",), width=24),
        col(_M, "roles", "list", closed=True, aliases=("党内职务",), width=12),
        col(_M, "joined", "joined", aliases=("入党年月", "入党日期", "入党年份"), width=10),
        col(_M, "probationary", "bool", aliases=("是否预备党员", "党员类别"), note="预备党员填「是」；正式党员不填或填「否」", width=8),
        *_audience(_M),
    ),
    (_amendments("党员名单", "党员编号"),),
)

_C = m.Commitment
COMMITMENTS = SheetKind(
    "commitments",
    "c",
    (
        col(_C, "id", "text", "编号", note="不填则自动编号；再次导入时按编号（没有编号时按承诺主体和承诺事项）更新原有记录", width=16),
        col(_C, "kind", "choice", width=10),
        col(
            _C,
            "subject",
            "ref",
            "承诺主体",
            aliases=("承诺人", "姓名", "承诺单位"),
            refers="any",
            note="党员姓名或党组织名称（也可填编号）",
            width=12,
        ),
        col(_C, "focus", "list", closed=True, note="要与单位类型相符", width=16),
        col(_C, "five_good", "list", "五个好", closed=True, note="党组织的承诺填", width=14),
        col(_C, "five_lead", "list", "五带头", closed=True, note="党员的承诺填", width=14),
        col(_C, "title", "text", aliases=("承诺内容", "承诺事项（内容）"), width=30),
        col(_C, "measures", "markdown", aliases=("践诺措施（具体措施）", "具体措施"), width=36),
        col(_C, "responsible", "ref", "责任人", refers="member", note="党员姓名（也可填编号）", width=10),
        col(_C, "proposed", "date", aliases=("承诺日期",), width=12),
        col(_C, "deadline", "date", aliases=("完成时间", "完成期限", "时限"), width=12),
        col(_C, "publicized.date", "date", "公示日期", width=12),
        col(_C, "publicized.how", "choice", "公示方式", width=10),
        col(_C, "post_duty", "bool", "结合设岗定责", note="填「是」或不填", width=8),
        col(_C, "volunteer", "bool", "结合志愿服务", note="填「是」或不填", width=8),
        col(_C, "outcome.result", "choice", "完成情况", width=10),
        col(_C, "outcome.date", "date", "认定日期", width=12),
        col(_C, "outcome.reason", "text", "未完成原因", width=20),
        col(_C, "outcome.objective", "bool", "是否客观原因", width=8),
        col(_C, "evaluation.self_assessment", "text", "个人自评", width=20),
        col(_C, "evaluation.peer", "text", "党员互评", width=20),
        col(_C, "evaluation.leader", "text", "领导点评", width=20),
        col(_C, "evaluation.masses", "text", "群众测评", width=20),
        col(_C, "remedial.date", "date", "补课日期", note="承诺没作出或没兑现时的补课", width=12),
        col(_C, "remedial.note", "text", "补课情况", width=20),
        col(_C, "signed.by", "text", "本人签字", width=10),
        col(_C, "signed.date", "date", "签字日期", width=12),
        col(_C, "branch_check.by", "text", "支部审核人", width=10),
        col(_C, "branch_check.date", "date", "审核日期", width=12),
        col(_C, "branch_check.opinion", "text", "审核意见", width=16),
        *_withdrawn(_C),
        *_audience(_C),
    ),
    (
        ListSheet(
            "践诺进展",
            ("progress",),
            "承诺编号",
            (_item(m.Progress, "date", "date", "日期", width=12), _item(m.Progress, "note", "markdown", "进展情况", width=60)),
            "每次践诺进展一行，按时间先后。" + _key_note("公开承诺"),
        ),
        _amendments("公开承诺", "承诺编号"),
    ),
)

_R = m.Review
# Headings of organisations' own 点评意见表 that are recognised as such without a mapping file.
KNOWN_SECTIONS = ("工作思路", "执行能力", "效率业绩", "廉洁自律", "服务群众", "工作作风", "学习提高", "团结协作", "履职尽责", "创新意识")
SECTION_PREFIX = "点评栏目" + GROUP_SEP
REVIEWS = SheetKind(
    "reviews",
    "r",
    (
        col(_R, "id", "text", "编号", note="不填则自动编号；再次导入时按编号（没有编号时按被点评对象、点评日期和点评领导）更新", width=16),
        col(_R, "date", "date", width=12),
        col(_R, "form", "choice", width=10),
        col(_R, "occasion", "choice", "结合会议或考核", width=14),
        col(_R, "reviewer.name", "text", "点评领导", aliases=("点评人",), width=10),
        col(_R, "reviewer.title", "text", "点评领导职务", aliases=("职务",), width=18),
        col(
            _R,
            "reviewer.member",
            "ref",
            "点评领导党员编号",
            refers="member",
            note="点评领导是本数据里的党员时填（编号或姓名），公开栏据此链接到他的页面",
            width=12,
        ),
        col(
            _R,
            "target",
            "ref",
            "被点评对象",
            aliases=("被点评人", "被点评单位", "姓名"),
            refers="any",
            note="党员姓名或党组织名称（也可填编号）",
            width=14,
        ),
        col(_R, "summary.submitted", "date", "总结提交日期", note="被点评的党员或党组织提交创先争优活动总结的日期", width=12),
        col(_R, "summary.text", "markdown", "活动总结摘要", aliases=("创先争优活动总结",), width=30),
        col(_R, "opinion.achievements", "markdown", "成绩", aliases=("主要成绩",), width=30),
        col(_R, "opinion.problems", "markdown", "问题", aliases=("存在问题", "存在的问题", "不足"), width=30),
        col(_R, "opinion.direction", "markdown", "努力方向", aliases=("今后努力方向",), width=30),
        col(_R, "rating", "choice", "评价等次", width=8),
        col(_R, "signature.by", "text", "签字人", width=10),
        col(_R, "signature.date", "date", "签字日期", width=12),
        col(_R, "feedback.date", "date", "反馈日期", width=12),
        col(_R, "feedback.how", "choice", "反馈方式", width=10),
        col(_R, "feedback.note", "text", "反馈情况", width=20),
        col(_R, "response.text", "markdown", "整改答复", aliases=("本人整改意见", "整改措施（本人填写）", "被点评人整改答复"), width=30),
        col(_R, "response.date", "date", "答复日期", width=12),
        *_withdrawn(_R),
        *_audience(_R),
    ),
    (
        ListSheet(
            "整改事项",
            ("rectifications",),
            "点评编号",
            (
                _item(m.Rectification, "id", "text", "整改事项编号", note="本条点评里不重复，如 r1、r2", width=12),
                _item(m.Rectification, "item", "text", "整改事项", width=36),
                _item(m.Rectification, "deadline", "date", "整改时限", width=12),
                _item(m.Rectification, "status", "choice", "整改状态", width=10),
                _item(m.Rectification, "done", "date", "完成日期", width=12),
                _item(m.Rectification, "verified_by", "text", "验收人", width=10),
                _item(m.Rectification, "note", "text", "说明", width=24),
            ),
            "点评提出的每个限期整改事项一行。" + _key_note("领导点评"),
        ),
        _amendments("领导点评", "点评编号"),
    ),
)

_A = m.Appraisal
APPRAISALS = SheetKind(
    "appraisals",
    "a",
    (
        col(_A, "id", "text", "编号", note="不填则自动编号；再次导入时按编号（没有编号时按被评议对象和评议日期）更新", width=16),
        col(
            _A,
            "target",
            "ref",
            "被评议对象",
            aliases=("被评议人", "被评议单位", "姓名"),
            refers="any",
            note="党员姓名或党组织名称（也可填编号）",
            width=14,
        ),
        col(_A, "date", "date", width=12),
        col(_A, "method", "choice", width=10),
        col(_A, "respondents.members", "int", "党员人数", aliases=("参评党员",), width=8),
        col(_A, "respondents.non_members", "int", "群众人数", aliases=("参评群众",), width=8),
        col(_A, "respondents.groups", "groups", "其他参评群体", note="如「服务对象 8；人大代表 3」：群体名称和人数，用分号隔开", width=18),
        col(_A, "percent_only", "bool", "只公布百分比", note="原件只有百分比时填「是」，各档填百分数", width=8),
        col(_A, "abstained", "int", "弃权票", width=6),
        col(_A, "invalid", "int", "无效票", width=6),
        *_tally_columns(_A, "satisfaction", "满意度测评", m.Satisfaction),
        *(
            c
            for name, info in m.Dimensions.model_fields.items()
            for c in _tally_columns(_A, f"dimensions.{name}", info.title or name, m.DimensionTally)
        ),
        *(
            c
            for name, info in m.FiveGoodTallies.model_fields.items()
            for c in _tally_columns(_A, f"five_good.{name}", info.title or name, m.Satisfaction)
        ),
        col(_A, "grade", "choice", "民主评议等次", aliases=("评议等次", "等次"), note="只评党员；预备党员不评等次", width=10),
        col(_A, "grade_audience", "choice", "等次公开范围", note="不填则只在党内公开（保护个人）；经研究决定可以更宽时填", width=12),
        *_tally_columns(
            _A, "grade_votes", "等次票数", m.GradeTally, unknown=False, note="民主评议党员时每个等次得到的票数；只评党员，预备党员不填"
        ),
        col(_A, "opinions.collected", "int", "征集意见建议", width=8),
        col(_A, "opinions.merged", "int", "归纳合并后", width=8),
        col(_A, "opinions.answered", "int", "已答复", width=8),
        col(_A, "summary", "markdown", "评议结果", aliases=("评议结果说明", "备注"), width=30),
        *_withdrawn(_A),
        *_audience(_A),
    ),
    (_amendments("群众评议", "评议编号"),),
)

_H = m.Commendation
COMMENDATIONS = SheetKind(
    "commendations",
    "h",
    (
        col(_H, "id", "text", "编号", note="不填则自动编号；再次导入时按编号（没有编号时按年度、称号和推荐对象）更新", width=16),
        col(_H, "year", "int", aliases=("年份",), width=6),
        col(_H, "title", "text", aliases=("称号", "荣誉称号"), width=16),
        col(_H, "tier", "choice", "表彰级别", width=8),
        col(
            _H,
            "nominee",
            "ref",
            "推荐对象",
            aliases=("姓名", "推荐对象姓名", "单位名称"),
            refers="any",
            note="党员姓名或党组织名称；数据以外的人或组织同时填「所在单位」",
            width=14,
        ),
        col(_H, "external.unit", "text", "所在单位", aliases=("工作单位", "单位及职务"), note="只在推荐对象不在本数据中时填", width=20),
        col(_H, "external.post", "text", "职务", width=14),
        col(_H, "external.gender", "choice", "性别", width=6),
        col(_H, "external.ethnicity", "text", "民族", width=8),
        col(_H, "external.born", "month", "出生年月", width=10),
        col(_H, "external.joined", "joined", "入党时间", width=10),
        col(_H, "nominated_by", "ref", "推荐单位", refers="unit", note="党组织名称（也可填编号）", width=16),
        col(_H, "recommended_to", "text", "拟推荐上报单位", width=14),
        col(_H, "nominated", "date", "推荐日期", width=12),
        col(_H, "deeds", "markdown", "主要事迹", aliases=("主要事迹简介", "事迹"), width=40),
        col(
            _H,
            "photo",
            "text",
            "照片",
            note="图片文件的路径，相对于这条表彰所在年度文件夹，如 photos/zhang-san.jpg；图片文件本身由管理员放进数据仓库",
            width=20,
        ),
        col(_H, "publicity.start", "date", "公示开始", width=12),
        col(_H, "publicity.end", "date", "公示结束", width=12),
        col(_H, "publicity.working_days", "int", "公示工作日数", width=8),
        col(_H, "status", "choice", width=8),
        col(_H, "awarding_unit", "ref", "表彰单位", refers="unit", note="不填则为导入到的单位（--unit）", width=16),
        col(_H, "decided", "date", "表彰决定日期", note="「已表彰」要填", width=12),
        col(_H, "decision", "text", "表彰决定文号", width=18),
        col(_H, "revoked_on", "date", "撤销日期", note="「撤销」要填", width=12),
        col(_H, "revoked_reason", "text", "撤销原因", width=20),
        col(
            _H,
            "revoked_reason_audience",
            "choice",
            "撤销原因公开范围",
            note="不填则只在党内公开（保护个人）；经研究决定可以更宽时填",
            width=12,
        ),
        *_audience(_H),
    ),
    (
        ListSheet(
            "异议及处理",
            ("objections",),
            "表彰编号",
            (
                _item(m.Objection, "received", "date", "收到日期", width=12),
                _item(m.Objection, "summary", "text", "反映内容", width=36),
                _item(m.Objection, "handling", "text", "处理情况", width=36),
                _item(m.Objection, "resolved", "bool", "是否办结", width=8),
                _item(m.Objection, "resolved_on", "date", "办结日期", width=12),
            ),
            "公示期间收到的每条异议一行。" + _key_note("评选表彰"),
        ),
        _amendments("评选表彰", "表彰编号"),
    ),
)

KINDS: dict[str, SheetKind] = {k.name: k for k in (MEMBERS, COMMITMENTS, REVIEWS, APPRAISALS, COMMENDATIONS)}


def year_of(kind: SheetKind, record: dict[str, Any]) -> int | None:
    """The year folder a record belongs in (as records_in_their_year checks it)."""
    key = {"commitments": "proposed", "reviews": "date", "appraisals": "date", "commendations": "year"}.get(kind.name)
    value = record.get(key) if key else None
    if isinstance(value, dt.date):
        return value.year
    return value if isinstance(value, int) else None


def natural_key(kind: SheetKind, record: dict[str, Any]) -> tuple[str, ...]:
    """What identifies a record when a row has no 编号 (so re-importing the same sheet updates, not duplicates)."""

    def get(*keys: str) -> str:
        value: Any = record
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return "" if value is None else str(value)

    return {
        "members": lambda: (get("name"),),
        "commitments": lambda: (get("subject"), get("title")),
        "reviews": lambda: (get("target"), get("date"), get("reviewer", "name")),
        "appraisals": lambda: (get("target"), get("date")),
        "commendations": lambda: (get("year"), get("title"), get("nominee") or get("external", "name")),
    }[kind.name]()
