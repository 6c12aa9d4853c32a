"""JSON Schema for each kind of data file, for editors (yaml-language-server) and independent checks."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from cxzy_gen.records.layout import FILES
from cxzy_gen.records.models import ID_PATTERN

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The Chinese name of every nested object and list of values, by its class name: what an editor shows on hover
# and what docs/data.md calls its tables. (Class docstrings are written for programmers and stay out of schemas.)
TITLES: dict[str, str] = {
    "Amendment": "更正说明",
    "BranchCheck": "支部审核",
    "ExternalNominee": "数据以外的推荐对象",
    "FiveGoodTallies": "「五个好」分项测评",
    "HonourLevel": "表彰级别",
    "OpinionCounts": "意见建议条数",
    "OpinionSection": "点评栏目",
    "RespondentGroup": "其他参评群体",
    "Response": "被点评人整改答复",
    "Appraisal": "群众评议",
    "AppraisalsFile": "群众评议文件",
    "Audience": "公开范围",
    "Commendation": "评选表彰推荐",
    "CommendationRules": "评选表彰条件",
    "CommendationStatus": "表彰状态",
    "CommendationsFile": "评选表彰文件",
    "Commitment": "公开承诺",
    "CommitmentKind": "承诺类别",
    "CommitmentsFile": "公开承诺文件",
    "DimensionTally": "单项测评票数",
    "GradeTally": "民主评议等次票数",
    "Dimensions": "测评项目",
    "Evaluation": "评诺",
    "Feedback": "意见反馈",
    "Focus": "承诺重点",
    "Forge": "代码托管平台",
    "Grade": "民主评议等次",
    "HonourTitle": "表彰称号",
    "Member": "党员",
    "MembersFile": "党员名单文件",
    "Objection": "异议",
    "OfficeContact": "联系方式",
    "Opinion": "点评意见",
    "Outcome": "完成情况",
    "OutcomeResult": "完成结果",
    "Progress": "践诺进展",
    "Publication": "公示承诺",
    "Quota": "名额",
    "Rectification": "整改事项",
    "RectificationStatus": "整改状态",
    "Remedial": "补课",
    "Respondents": "参评人员",
    "Review": "领导点评（点评意见表）",
    "ReviewForm": "点评形式",
    "Reviewer": "点评人",
    "ReviewsFile": "领导点评文件",
    "Satisfaction": "满意度测评",
    "Signature": "签字",
    "Site": "站点设置",
    "Summary": "创先争优活动总结",
    "Unit": "党组织",
    "UnitKind": "组织类别",
    "UnitType": "单位类型",
    "Window": "公示期",
    "Withdrawal": "撤回",
}


def title_of(cls: type) -> str:
    """The Chinese name of a model or enum (its class name when TITLES lacks it: a test keeps TITLES complete)."""
    return TITLES.get(cls.__name__, cls.__name__)


def file_schema(kind: str) -> dict[str, object]:
    """The JSON Schema of one kind of data file, every title and description in Chinese."""
    file = FILES[kind]
    schema = file.model.model_json_schema(mode="validation")
    for name, definition in schema.get("$defs", {}).items():
        definition.pop("description", None)  # a class docstring, for programmers
        definition["title"] = TITLES.get(name, name)
    schema.pop("description", None)
    schema["title"] = file.title
    schema["description"] = f"{file.title}文件：data/{file.path()}" + (f"（{file.note}）" if file.note else "")
    return {"$schema": SCHEMA_DRAFT, "$id": f"{kind}.schema.json", **schema}


def write_schemas(out: Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind of data file; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FILES:
        path = out / f"{kind}.schema.json"
        path.write_text(json.dumps(file_schema(kind), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------- docs/data.md, generated from the models


def _describe(annotation: object, nested: list[type[BaseModel]]) -> str:
    """A type as a data editor reads it, in Chinese; nested models are queued for their own table."""
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, UnionType) and len(args) == 1:
        return _describe(args[0], nested)
    if origin in (Union, UnionType) and set(args) == {int, float}:
        return "数（票数写整数；只公布百分比时写百分数，可带小数）"
    if origin is list:
        return f"列表，每项：{_describe(args[0], nested)}"
    if origin is Literal:
        return "、".join(str(a) for a in get_args(annotation))
    if origin is Annotated:
        if any(getattr(meta, "pattern", None) == ID_PATTERN for meta in annotation.__metadata__):  # type: ignore[attr-defined]
            return "编号"
        return _describe(args[0], nested)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "、".join(str(e.value) for e in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in nested:
            nested.append(annotation)
        return f"见下方「{title_of(annotation)}」"
    names = {str: "文字", int: "整数", bool: "true 或 false", dt.date: "日期（YYYY-MM-DD）"}
    return names.get(annotation, str(annotation))  # type: ignore[call-overload]


def _table(model: type[BaseModel], nested: list[type[BaseModel]]) -> list[str]:
    rows = ["| 字段 | 中文名 | 必填 | 取值 |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        required = "是" if info.is_required() else ""
        text = _describe(info.annotation, nested)
        if any(getattr(meta, "pattern", None) == ID_PATTERN for meta in info.metadata):
            text = "编号"
        if info.description:
            text += f"；{info.description}"
        rows.append(f"| `{name}` | {info.title or ''} | {required} | {text.replace('|', '｜')} |")
    return rows


def data_reference() -> str:
    """docs/data.md: every data file and field, with its Chinese name and allowed values."""
    out = [
        "# 数据文件字段说明",
        "",
        "<!-- 由 `python -m cxzy_gen.records.schema docs/data.md` 从数据模型生成，请勿手改。 -->",
        "",
        "字段名用英文，取值用中文。必填字段必须写；其余可以不写。每条记录的 `id` 在全部数据中唯一，"
        "只用英文字母、数字、`-` 和 `_`。`audience`（公开范围）不写时，用文件开头的 `audience`，"
        "再不写则用站点设置的 `default_audience`。",
        "",
    ]
    for kind in FILES.values():
        model = kind.model
        title = kind.title + (f"（{kind.note}）" if kind.note else "")
        nested: list[type[BaseModel]] = []
        out += [f"## {title}：`data/{kind.path()}`", "", *_table(model, nested), ""]
        done: set[type[BaseModel]] = {model}
        while nested:
            sub = nested.pop(0)
            if sub in done:
                continue
            done.add(sub)
            out += [f"### {title_of(sub)}", "", *_table(sub, nested), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    Path(sys.argv[1] if len(sys.argv) > 1 else "docs/data.md").write_text(data_reference(), encoding="utf-8")
