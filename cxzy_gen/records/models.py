"""The data model: one pydantic class per record kind and per kind of data file (strict: unknown keys rejected).

Field names are English (as in DESIGN.md); every field carries its Chinese name as `title`,
which error messages and the JSON Schema (editor hover text) show to the person editing YAML.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints, WithJsonSchema
from pydantic.fields import FieldInfo

from cxzy_gen.records.basics import ID_PATTERN, ID_RE, Audience

__all__ = ["ID_PATTERN", "ID_RE", "Audience"]  # defined in basics (no pydantic), part of the model


Id = Annotated[
    str, StringConstraints(pattern=ID_PATTERN), Field(title="编号", description="英文字母、数字、- 和 _，以字母或数字开头，最长 64 个字符")
]


@dataclass(frozen=True, slots=True)
class RefersTo:
    """On an id field: the kinds of record (`layout.RECORD_KINDS` keys) whose id it holds. The one place references
    are declared; the reference rule, `cxzy diff`'s names and the change rules read it through `refers_to`."""

    kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class NameOf:
    """On a text field: it holds a name, not free text. "self": the record's own name (a unit's, a member's);
    "person": a person who may be a member (a reviewer, who signed, checked or verified), which a build withholds
    where that member is hidden (`site.derive`). Every other text field is free text (`texts`), where the rule
    E-NAME refuses the name of a member narrower than the record."""

    who: Literal["self", "person"]


UnitId = Annotated[Id, RefersTo(frozenset({"unit"}))]
MemberId = Annotated[Id, RefersTo(frozenset({"member"}))]
UnitOrMemberId = Annotated[Id, RefersTo(frozenset({"unit", "member"}))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Markdown = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), NameOf("person")]


class UnitKind(StrEnum):
    COMMITTEE = "党委"
    GENERAL_BRANCH = "党总支"
    BRANCH = "党支部"
    GROUP = "党小组"


class UnitType(StrEnum):
    FARM = "团场连队"
    COMMUNITY = "社区"
    ENTERPRISE = "企业"
    ORGAN = "机关"
    INSTITUTION = "事业单位"
    SERVICE = "窗口单位·服务行业"


# §二 of the notice: what members of each unit type commit to.
FOCUS_BY_TYPE: dict[UnitType, tuple[str, ...]] = {
    UnitType.FARM: ("带头致富", "带领职工群众共同致富", "维护团场连队稳定"),
    UnitType.COMMUNITY: ("服务社区群众", "参与社区建设", "维护社区稳定"),
    UnitType.ENTERPRISE: ("完成生产经营任务", "技术创新", "节能减排", "安全生产"),
    UnitType.ORGAN: ("改进作风", "提高效能", "服务群众"),
    UnitType.INSTITUTION: ("改进作风", "提高效能", "服务群众"),
    UnitType.SERVICE: ("建设群众满意窗口", "创造优质服务品牌", "提高服务水平"),
}
ALL_FOCUS = tuple(dict.fromkeys(f for fs in FOCUS_BY_TYPE.values() for f in fs))
Focus = Enum("Focus", {f: f for f in ALL_FOCUS}, type=str)  # type: ignore[misc]

FiveGood = Literal["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
FiveLead = Literal["带头学习提高", "带头争创佳绩", "带头服务群众", "带头遵纪守法", "带头弘扬正气"]
Role = Literal["书记", "副书记", "委员", "党小组长", "党务工作者", "党员"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True, use_enum_values=False)


class Amendment(Strict):
    """更正说明: a dated note that explains a correction to a published or signed record; never edited or removed later."""

    date: dt.date = Field(title="更正日期")
    note: Text = Field(title="更正说明")


class Withdrawal(Strict):
    """撤回: a published record taken back; it stays on the board, marked withdrawn, with the date and reason."""

    date: dt.date = Field(title="撤回日期")
    reason: Text = Field(title="撤回原因")


class Record(Strict):
    """Anything with its own page anchor and history: a stable id and an audience (公开范围)."""

    id: Id
    audience: Audience | None = Field(None, title="公开范围", description="不写则用文件开头的 audience")
    audience_to: list[UnitOrMemberId] = Field(default_factory=list, title="公开对象", description="「特定对象公开」时列出的单位或党员编号")
    amendments: list[Amendment] = Field(
        default_factory=list, title="更正说明", description="已公示或已签字的记录要改动时，在这里追加一条带日期的说明；已有的说明不能改删"
    )
    # The references a build shows this record only with: a record naming a unit or member its readers may not
    # see is left out whole (`site.derive`; the rule E-NAME judges a record's readers by the same fields).
    shown_with: ClassVar[tuple[str, ...]] = ()
    # Where the record came from: set by the validator, used by rules, history and links.
    _file: str = PrivateAttr("")
    _keys: tuple[str | int, ...] = PrivateAttr(())
    _unit: str = PrivateAttr("")
    _year: int | None = PrivateAttr(None)

    # The properties read pydantic's private-attribute dict directly: going through
    # BaseModel.__getattr__ costs ~1 µs a call, which adds up over a quarter of a million members.
    @property
    def source_file(self) -> str:
        return self.__pydantic_private__["_file"]  # type: ignore[index]

    @property
    def source_keys(self) -> tuple[str | int, ...]:
        return self.__pydantic_private__["_keys"]  # type: ignore[index]

    @property
    def folder_unit(self) -> str:
        """The unit whose folder holds this record."""
        return self.__pydantic_private__["_unit"]  # type: ignore[index]

    @property
    def folder_year(self) -> int | None:
        """The year folder that holds this record (None for unit.yaml and members.yaml)."""
        return self.__pydantic_private__["_year"]  # type: ignore[index]

    @property
    def level(self) -> Audience:
        assert self.audience is not None, "audience is resolved by the validator"
        return self.audience


# ---------------------------------------------------------------- site settings


class OfficeContact(Strict):
    """对外联系方式: the one place where a phone number may appear (an office line, not a private one)."""

    office: Text = Field(title="受理部门")
    phone: Text | None = Field(None, title="办公电话")
    email: Text | None = Field(None, title="电子邮箱")
    address: Text | None = Field(None, title="地址")
    postcode: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = Field(None, title="邮政编码")
    report_site: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, title="12380 举报网站", description="组织部门的 12380 举报网站地址，公示通知中列为受理渠道之一"
    )


class Forge(Strict):
    kind: Literal["gitea", "gitlab", "github"] = Field(title="代码托管平台")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] = Field(title="仓库地址")
    commit_url: Annotated[str, StringConstraints(pattern=r"^https?://\S*\{sha\}\S*$")] | None = Field(
        None, title="提交链接模板", description="含 {sha} 的网址；不写则按 kind 生成（如 Gitea：仓库地址/commit/{sha}）"
    )


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# The published site's address: http(s), a host, a path; no query or fragment. Kept with a final slash.
SiteUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$"), AfterValidator(_with_slash)]


class Site(Strict):
    """site.yaml: 站点设置."""

    title: Text = Field(title="站点名称")
    url: SiteUrl | None = Field(
        None,
        title="网站地址",
        description="公开栏发布后的完整网址，如 https://dangwu.example.org/cxzy/；填写后站点地图和订阅用完整网址，404 页面从这个路径链接",
    )
    root_unit: UnitId = Field(title="根单位编号")
    campaign_year: int = Field(ge=2000, le=2100, title="活动年度")
    publicity_working_days: int = Field(5, ge=1, le=60, title="公示期（工作日）")
    region: Literal["新疆"] | None = Field(None, title="所在地区", description="计算工作日时加上本地区的法定节日（新疆：肉孜节、古尔邦节）")
    extra_holidays: list[dt.date] = Field(
        default_factory=list, title="另行放假的日期", description="按当年的放假通知写明，计算公示期时不算工作日"
    )
    extra_workdays: list[dt.date] = Field(default_factory=list, title="另行上班的日期", description="调休上班的日期，算作工作日")
    contact: OfficeContact = Field(title="意见受理联系方式")
    forge: Forge | None = Field(None, title="代码托管平台")
    default_audience: Audience = Field(Audience.PUBLIC, title="默认公开范围")
    commendation: CommendationRules = Field(default_factory=lambda: CommendationRules(), title="评选表彰条件")


# ---------------------------------------------------------------- units and members


class Unit(Record):
    """unit.yaml: 党组织."""

    name: Annotated[Text, NameOf("self")] = Field(title="名称")
    short_name: Annotated[Text, NameOf("self")] | None = Field(None, title="简称")
    kind: UnitKind = Field(title="组织类别")
    type: UnitType = Field(title="单位类型")
    parent: UnitId | None = Field(None, title="上级党组织")
    secretary: MemberId | None = Field(None, title="书记（党员编号）")
    approvers: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$")]] = Field(
        default_factory=list, title="审批人（托管平台账号）"
    )
    contact: OfficeContact | None = Field(None, title="办公室联系方式")
    objection_contact: OfficeContact | None = Field(
        None, title="公示意见受理方式", description="本单位发布的公示由谁受理意见（电话、来信地址、12380 网站等）；不写则用办公室联系方式"
    )
    description: Markdown | None = Field(None, title="简介")


YEAR_MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
YEAR_OR_MONTH_PATTERN = r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$"


def _year_as_text(value: object) -> object:
    """YAML reads `1998` as a number: keep it as the text it was, so one pattern checks years and months alike."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**6 else value


YearMonth = Annotated[
    str,
    BeforeValidator(_year_as_text),
    StringConstraints(pattern=YEAR_MONTH_PATTERN),
    Field(title="年月", description="YYYY-MM，如 1975-03"),
]
# 入党时间 as real lists give it: a year (1998) or a year and month (1998-07); always held as text.
YearOrMonth = Annotated[
    str,
    BeforeValidator(_year_as_text),
    StringConstraints(pattern=YEAR_OR_MONTH_PATTERN),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1900, "maximum": 2099}, {"type": "string", "pattern": YEAR_OR_MONTH_PATTERN}]}
    ),
]


def year_of(value: str | None) -> int | None:
    """The year of a 入党时间 written as a year ("1998") or a year and month ("1998-07")."""
    return int(value[:4]) if value else None


def year_month_label(value: str | None) -> str:
    """ "1998" → 1998年, "1998-07" → 1998年7月 (as real 公示 lists write it)."""
    if not value:
        return ""
    return f"{value[:4]}年{int(value[5:7])}月" if len(value) > 4 else f"{value}年"


class Member(Record):
    """党员. `post` and `duties` are the 设岗定责 post and its duties; 性别、民族、出生年月 are what real 公示 lists carry."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), NameOf("self")] = Field(title="姓名")
    gender: Literal["男", "女"] | None = Field(None, title="性别")
    ethnicity: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\S{1,8}族$")] | None = Field(
        None, title="民族", description="写全称，如 汉族、维吾尔族、哈萨克族、回族"
    )
    born: YearMonth | None = Field(None, title="出生年月", description="YYYY-MM，如 1975-03")
    post: Text | None = Field(None, title="岗位")
    duties: Text | None = Field(None, title="岗位职责（设岗定责）")
    roles: list[Role] = Field(default_factory=list, title="党内职务")
    joined: YearOrMonth | None = Field(None, title="入党时间", description="年份（如 1998）或年月（如 1998-07）")
    probationary: bool = Field(False, title="预备党员", description="预备党员写 true：参加民主评议，但不评定等次；不写则为正式党员")

    @property
    def joined_year(self) -> int | None:
        return year_of(self.joined)

    @property
    def joined_label(self) -> str:
        return year_month_label(self.joined)


class RecordsFile(Strict):
    """A file that lists records: its `audience` is the default of the records that name none."""

    audience: Audience | None = Field(None, title="本文件记录的默认公开范围")


class MembersFile(RecordsFile):
    members: list[Member] = Field(title="党员名单")


class Withdrawable(Record):
    """A record that is withdrawn (撤回), never deleted, once published: 承诺, 点评, 评议."""

    withdrawn: Withdrawal | None = Field(
        None, title="撤回", description="已公示的记录不删除：写明撤回日期和原因，记录仍留在公开栏上并标明已撤回"
    )


# ---------------------------------------------------------------- 公开承诺


class Signature(Strict):
    by: PersonName = Field(title="签字人")
    date: dt.date = Field(title="签字日期")


class BranchCheck(Strict):
    """支部审核 of a member's pledge form."""

    by: PersonName = Field(title="审核人")
    date: dt.date = Field(title="审核日期")
    opinion: Text | None = Field(None, title="审核意见")


class CommitmentKind(StrEnum):
    ANNUAL = "年度承诺"
    IMMEDIATE = "即时承诺"
    TERM = "任期承诺"


class Publication(Strict):
    """公示承诺: when and how the commitment was made public."""

    date: dt.date = Field(title="公示日期")
    how: Literal["党员大会", "党小组会", "公开栏", "局域网"] = Field(title="公示方式")


class Progress(Strict):
    """践诺: one dated progress entry."""

    date: dt.date = Field(title="日期")
    note: Markdown = Field(title="进展情况")


class Evaluation(Strict):
    """评诺: the four ways a kept (or unkept) commitment is evaluated."""

    self_assessment: Text | None = Field(None, title="个人自评")
    peer: Text | None = Field(None, title="党员互评")
    leader: Text | None = Field(None, title="领导点评")
    masses: Text | None = Field(None, title="群众测评")


class OutcomeResult(StrEnum):
    DONE = "已完成"
    PARTIAL = "部分完成"
    NOT_DONE = "未完成"


class Outcome(Strict):
    result: OutcomeResult = Field(title="完成情况")
    date: dt.date = Field(title="认定日期")
    reason: Text | None = Field(None, title="未完成原因")
    objective: bool | None = Field(None, title="是否客观原因")


class Remedial(Strict):
    """补课: the remedial step for a missing or unkept commitment."""

    date: dt.date = Field(title="补课日期")
    note: Text = Field(title="补课情况")


class Commitment(Withdrawable):
    """公开承诺."""

    shown_with: ClassVar[tuple[str, ...]] = ("subject",)

    kind: CommitmentKind = Field(title="承诺类别")
    subject: UnitOrMemberId = Field(title="承诺主体（单位或党员编号）")
    focus: list[Focus] = Field(default_factory=list, title="承诺方向")
    five_good: list[FiveGood] = Field(default_factory=list, title="五个好（党组织）")
    five_lead: list[FiveLead] = Field(default_factory=list, title="五带头（党员）")
    title: Text = Field(title="承诺事项")
    measures: Markdown | None = Field(None, title="践诺措施", description="原件只有承诺事项时可以不写")
    responsible: MemberId | None = Field(None, title="责任人（党员编号）")
    proposed: dt.date = Field(title="提出日期")
    deadline: dt.date = Field(title="完成时限")
    publicized: Publication | None = Field(None, title="公示")
    post_duty: bool = Field(False, title="结合设岗定责")
    volunteer: bool = Field(False, title="结合志愿服务")
    progress: list[Progress] = Field(default_factory=list, title="践诺进展")
    evaluation: Evaluation | None = Field(None, title="评诺")
    outcome: Outcome | None = Field(None, title="完成情况")
    remedial: Remedial | None = Field(None, title="补课")
    signed: Signature | None = Field(None, title="本人签字", description="承诺书上承诺人本人的签字和日期")
    branch_check: BranchCheck | None = Field(None, title="支部审核", description="党支部审核承诺的意见、审核人和日期")


class CommitmentsFile(RecordsFile):
    commitments: list[Commitment] = Field(title="公开承诺")


# ---------------------------------------------------------------- 领导点评


class ReviewForm(StrEnum):
    COLLECTIVE = "集中点评"
    INDIVIDUAL = "个别点评"
    ON_SITE = "现场点评"
    RANDOM = "随机点评"


Occasion = Literal[
    "组织生活会", "民主评议党员", "民主生活会", "群众评议", "半年总结考核", "年度总结考核", "双述双评", "党建工作责任制考核", "专题点评会"
]


class Reviewer(Strict):
    name: PersonName = Field(title="点评领导姓名")
    title: Text = Field(title="职务")
    member: MemberId | None = Field(None, title="党员编号（点评人是本系统党员时）")


class Summary(Strict):
    """创先争优活动总结 submitted by the reviewed before the review."""

    submitted: dt.date = Field(title="提交日期")
    text: Markdown = Field(title="总结摘要")


class OpinionSection(Strict):
    """One heading of an organisation's own 点评意见表 (工作思路、执行能力、效率业绩、廉洁自律、服务群众…)."""

    heading: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = Field(title="栏目")
    text: Markdown = Field(title="点评内容")


class Opinion(Strict):
    """点评意见: the notice's three parts, and any headings of the organisation's own form."""

    achievements: Markdown | None = Field(None, title="成绩")
    problems: Markdown | None = Field(None, title="问题")
    direction: Markdown | None = Field(None, title="努力方向")
    sections: list[OpinionSection] = Field(
        default_factory=list, title="其他栏目", description="本单位点评意见表自有的栏目，按表上的顺序，每项写栏目名和内容"
    )

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(heading, text) in the order of the form: the three standard parts first, then the form's own."""
        standard = [("成绩", self.achievements), ("问题", self.problems), ("努力方向", self.direction)]
        return [(h, t) for h, t in standard if t] + [(x.heading, x.text) for x in self.sections]


class Response(Strict):
    """被点评人对整改的答复: the column of the form where the reviewed answers in their own words."""

    text: Markdown = Field(title="整改答复")
    date: dt.date | None = Field(None, title="答复日期")


class Feedback(Strict):
    date: dt.date = Field(title="反馈日期")
    how: Literal["当面反馈", "书面反馈", "会议反馈"] = Field(title="反馈方式")
    note: Text | None = Field(None, title="反馈情况")


class RectificationStatus(StrEnum):
    OPEN = "未开始"
    IN_PROGRESS = "整改中"
    DONE = "已完成"


class Rectification(Strict):
    """整改事项 (限期整改)."""

    id: Id = Field(title="整改事项编号")
    item: Text = Field(title="整改事项")
    deadline: dt.date = Field(title="整改时限")
    status: RectificationStatus = Field(title="整改状态")
    done: dt.date | None = Field(None, title="完成日期")
    verified_by: Annotated[Text, NameOf("person")] | None = Field(None, title="验收人")
    note: Text | None = Field(None, title="说明")


class Review(Withdrawable):
    """领导点评, as the 《点评意见表》."""

    shown_with: ClassVar[tuple[str, ...]] = ("target",)

    date: dt.date = Field(title="点评日期")
    form: ReviewForm = Field(title="点评方式")
    occasion: Occasion | None = Field(None, title="结合进行的会议或考核")
    reviewer: Reviewer = Field(title="点评领导")
    target: UnitOrMemberId = Field(title="被点评单位或党员编号")
    summary: Summary | None = Field(None, title="创先争优活动总结")
    opinion: Opinion = Field(title="点评意见")
    rating: Literal["好", "较好", "一般", "差"] | None = Field(None, title="评价等次")
    signature: Signature | None = Field(None, title="签字")
    feedback: Feedback | None = Field(None, title="意见反馈")
    rectifications: list[Rectification] = Field(default_factory=list, title="整改事项")
    response: Response | None = Field(None, title="被点评人整改答复", description="被点评的党员或党组织本人填写的整改意见")


class ReviewsFile(RecordsFile):
    reviews: list[Review] = Field(title="领导点评")


# ---------------------------------------------------------------- 群众评议

Count = Annotated[int, Field(ge=0, le=1_000_000)]
# A tally cell: a number of votes, or a percentage where the original publishes percentages only.
Amount = Annotated[int | float, Field(ge=0, le=1_000_000)]


class RespondentGroup(Strict):
    """A group of respondents beyond 党员 and 群众 (服务对象、人大代表、政协委员、企业代表…)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = Field(title="参评群体")
    count: Count = Field(title="人数")


class Respondents(Strict):
    members: Count = Field(0, title="党员人数")
    non_members: Count = Field(0, title="群众人数")
    groups: list[RespondentGroup] = Field(
        default_factory=list,
        title="其他参评群体",
        description="党员、群众以外的参评人员，如 服务对象、人大代表、政协委员，每项写群体名称和人数",
    )

    @property
    def total(self) -> int:
        return self.members + self.non_members + sum(g.count for g in self.groups)


class Tally(Strict):
    """Votes (or percentages) on one question; 不了解 is counted where the form offers it."""

    unknown: Amount | None = Field(None, title="不了解")

    def grades(self) -> list[tuple[str, int | float]]:
        """(label, amount) of every grade in the form's order, 不了解 last when given."""
        out = [(info.title or name, getattr(self, name)) for name, info in type(self).model_fields.items() if name != "unknown"]
        return [*out, ("不了解", self.unknown)] if self.unknown is not None else out

    @property
    def total(self) -> int | float:
        return sum(v for _, v in self.grades())


class DimensionTally(Tally):
    """Votes on one appraisal question: 好 / 较好 / 一般 / 差."""

    good: Amount = Field(title="好")
    fair: Amount = Field(title="较好")
    average: Amount = Field(title="一般")
    poor: Amount = Field(title="差")


class Dimensions(Strict):
    party_spirit: DimensionTally | None = Field(None, title="党性观念强不强")
    serving_masses: DimensionTally | None = Field(None, title="联系服务群众够不够")
    exemplary_role: DimensionTally | None = Field(None, title="发挥先锋模范作用明显不明显")


class Satisfaction(Tally):
    satisfied: Amount = Field(title="满意")
    fairly_satisfied: Amount = Field(title="比较满意")
    basically_satisfied: Amount = Field(title="基本满意")
    dissatisfied: Amount = Field(title="不满意")

    @property
    def satisfied_votes(self) -> int | float:
        """The votes that count as satisfied for 满意率: 满意, 比较满意 and 基本满意 (not 不满意)."""
        return self.satisfied + self.fairly_satisfied + self.basically_satisfied


class FiveGoodTallies(Strict):
    """An organisation appraised item by item: satisfaction with each of the 五个好."""

    leadership: Satisfaction | None = Field(None, title="领导班子好")
    members: Satisfaction | None = Field(None, title="党员队伍好")
    mechanism: Satisfaction | None = Field(None, title="工作机制好")
    performance: Satisfaction | None = Field(None, title="工作业绩好")
    reputation: Satisfaction | None = Field(None, title="群众反映好")


class OpinionCounts(Strict):
    """意见建议: how many were collected, what they came to once merged, how many were answered."""

    collected: Count = Field(title="征集意见建议（条）")
    merged: Count | None = Field(None, title="归纳合并后（条）")
    answered: Count | None = Field(None, title="已答复（条）")


# How the board defines 满意率, shown next to every rate it prints.
SATISFACTION_RATE_DEFINITION = "满意率 =（满意 + 比较满意 + 基本满意）票数 ÷ 全部有效票数"


class Grade(StrEnum):
    EXCELLENT = "优秀"
    QUALIFIED = "合格"
    BASIC = "基本合格"
    UNQUALIFIED = "不合格"


class GradeTally(Tally):
    """Votes on a member's 民主评议等次: how many ballots chose 优秀 / 合格 / 基本合格 / 不合格 (the votes, not the grade decided)."""

    excellent: Amount = Field(title="优秀")
    qualified: Amount = Field(title="合格")
    basic: Amount = Field(title="基本合格")
    unqualified: Amount = Field(title="不合格")


# Below this many respondents a breakdown could reveal how one person voted: the board shows only the total.
MIN_RESPONDENTS = 5


class Appraisal(Withdrawable):
    """群众评议: tallies only — there is deliberately no field for an individual ballot."""

    shown_with: ClassVar[tuple[str, ...]] = ("target",)

    target: UnitOrMemberId = Field(title="被评议单位或党员编号")
    date: dt.date = Field(title="评议日期")
    method: Literal["会议", "问卷调查", "入户走访"] = Field(title="评议方式")
    respondents: Respondents = Field(title="参评人数")
    percent_only: bool = Field(
        False,
        title="只公布百分比",
        description="原件只有百分比、没有票数时写 true：各档填百分数（可带小数），每项合计为 100",
    )
    abstained: Count | None = Field(None, title="弃权票")
    invalid: Count | None = Field(None, title="无效票")
    dimensions: Dimensions | None = Field(None, title="分项评议（党员）")
    five_good: FiveGoodTallies | None = Field(None, title="分项评议（党组织「五个好」）")
    satisfaction: Satisfaction | None = Field(None, title="群众满意度测评")
    grade: Grade | None = Field(None, title="民主评议等次（党员）", description="预备党员参加评议，但不评定等次")
    grade_votes: GradeTally | None = Field(
        None,
        title="民主评议等次票数（党员）",
        description="评议表上每个等次得到的票数（cxzy tally 统计）；预备党员参加评议，但不评定等次，不写",
    )
    opinions: OpinionCounts | None = Field(None, title="意见建议")
    grade_audience: Audience | None = Field(
        None, title="等次公开范围", description="个人的民主评议等次（和各等次的票数）默认只在党内公开；经研究决定可以更宽时在这里写明"
    )
    summary: Markdown | None = Field(None, title="评议结果")

    @property
    def valid_ballots(self) -> int:
        """The ballots each tally covers: respondents less 弃权 and 无效."""
        return self.respondents.total - (self.abstained or 0) - (self.invalid or 0)


class AppraisalsFile(RecordsFile):
    appraisals: list[Appraisal] = Field(title="群众评议")


# ---------------------------------------------------------------- 评选表彰


class HonourTitle(StrEnum):
    """The three titles of the notice; others (全国优秀共产党员、优秀党支部书记…) are written as they are."""

    ORGANISATION = "先进基层党组织"
    MEMBER = "优秀共产党员"
    WORKER = "优秀党务工作者"


class HonourLevel(StrEnum):
    """表彰级别, by the awarding body (兵团 is 省部级, a 师 师局级, a 团场 团处级)."""

    NATIONAL = "全国"
    PROVINCIAL = "省部级"
    PREFECTURAL = "师局级"
    COUNTY = "团处级"
    GRASSROOTS = "基层"


class ExternalNominee(Strict):
    """A nominee who is not in the data (a person or organisation from outside the folder tree): name and unit."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] = Field(title="姓名或组织名称")
    unit: Text = Field(title="所在单位")
    post: Text | None = Field(None, title="职务")
    gender: Literal["男", "女"] | None = Field(None, title="性别")
    ethnicity: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\S{1,8}族$")] | None = Field(None, title="民族")
    born: YearMonth | None = Field(None, title="出生年月", description="YYYY-MM，如 1968-10")
    joined: YearOrMonth | None = Field(None, title="入党时间", description="年份（如 1998）或年月（如 1998-07）")


class CommendationStatus(StrEnum):
    NOMINATED = "推荐"
    PUBLICIZING = "公示中"
    AWARDED = "已表彰"
    REVOKED = "撤销"


class Window(Strict):
    """公示期: an end date, or a number of working days from the start."""

    start: dt.date = Field(title="公示开始")
    end: dt.date | None = Field(None, title="公示结束")
    working_days: int | None = Field(None, ge=1, le=60, title="公示工作日数")


class Objection(Strict):
    received: dt.date = Field(title="收到日期")
    summary: Text = Field(title="反映内容")
    handling: Text | None = Field(None, title="处理情况")
    resolved: bool = Field(False, title="是否办结")
    resolved_on: dt.date | None = Field(None, title="办结日期", description="写明哪天办结；公开栏在这一天之前显示「办理中」")


class Commendation(Record):
    """评选表彰."""

    shown_with: ClassVar[tuple[str, ...]] = ("nominee", "nominated_by", "awarding_unit")

    year: int = Field(ge=2000, le=2100, title="年度")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)] = Field(
        title="表彰称号",
        description="常用：先进基层党组织、优秀共产党员、优秀党务工作者；上级设的其他称号照原文写，如 全国优秀共产党员、优秀党支部书记",
        examples=[t.value for t in HonourTitle],
    )
    tier: HonourLevel | None = Field(None, title="表彰级别")
    nominee: UnitOrMemberId | None = Field(
        None, title="推荐对象（单位或党员编号）", description="数据里有的单位或党员写编号；没有的写 external"
    )
    external: ExternalNominee | None = Field(
        None, title="推荐对象（数据以外）", description="不在本数据中的人或组织：写姓名（名称）和所在单位"
    )
    recommended_to: Text | None = Field(
        None, title="拟推荐上报单位", description="拟推荐对象：本单位推荐、报上级表彰的，写上级表彰机关的名称，如 兵团党委"
    )
    nominated_by: UnitId = Field(title="推荐单位")
    nominated: dt.date | None = Field(None, title="推荐日期", description="公开栏从这一天起列出这条推荐；不写则从公示开始日起列出")
    deeds: Markdown = Field(title="主要事迹")
    publicity: Window | None = Field(None, title="公示期")
    objections: list[Objection] = Field(default_factory=list, title="异议及处理")
    status: CommendationStatus = Field(title="状态")
    awarding_unit: UnitId | None = Field(None, title="表彰单位（不写则为所在文件夹的单位）")
    decided: dt.date | None = Field(None, title="表彰决定日期", description="「已表彰」要写；公开栏从这一天起显示已表彰")
    decision: Text | None = Field(None, title="表彰决定文号")
    revoked_on: dt.date | None = Field(None, title="撤销日期", description="「撤销」要写；公开栏从这一天起显示已撤销")
    revoked_reason: Text | None = Field(None, title="撤销原因")
    photo: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = Field(
        None,
        title="照片",
        description="光荣榜上放在这条表彰旁的图片：相对于本文件所在文件夹的路径，如 photos/zhang-san.jpg（JPEG、PNG 或 WebP，"
        "不超过 20 MB）；生成站点时缩小，并去掉拍摄地点、相机、作者等元数据",
    )
    revoked_reason_audience: Audience | None = Field(
        None, title="撤销原因公开范围", description="撤销推荐的原因默认只在党内公开；经研究决定可以更宽时在这里写明"
    )


class Quota(Strict):
    """名额: how many of one title an awarding unit may nominate in a year."""

    max: int | None = Field(None, ge=0, le=100_000, title="名额上限（人数或个数）")
    share: float | None = Field(
        None,
        gt=0,
        le=100,
        title="占比上限（%）",
        description="党员称号按表彰单位（含下级）党员人数计，先进基层党组织按其下级党组织个数计；算出的名额向上取整",
    )


class CommendationRules(Strict):
    """评选表彰条件 (site.yaml `commendation`): what the validator checks about each nomination."""

    nominee_checks: Literal["error", "warning"] = Field(
        "error",
        title="推荐对象条件不符时",
        description="error：作为错误，不能发布；warning：只提醒。检查民主评议等次（基本合格、不合格）、逾期承诺和所在单位满意率",
    )
    min_satisfaction: float | None = Field(
        None, ge=0, le=100, title="所在单位群众满意率下限（%）", description="不写则不检查；满意率含基本满意"
    )
    quotas: dict[HonourTitle, Quota] = Field(default_factory=dict, title="各称号名额", description="每个表彰单位每年的名额，按称号写")


class CommendationsFile(RecordsFile):
    commendations: list[Commendation] = Field(title="评选表彰")


# ---------------------------------------------------------------- reading the model


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or inside list[…] / … | None; None for plain values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def refers_to(info: FieldInfo) -> frozenset[str]:
    """The kinds of record a field's ids point at (see `RefersTo`); empty for a field that is not a reference."""
    for meta in info.metadata:
        if isinstance(meta, RefersTo):
            return meta.kinds
    return _refers_in(info.annotation)


def _refers_in(annotation: Any) -> frozenset[str]:
    if get_origin(annotation) is Annotated:
        found = next((meta for meta in annotation.__metadata__ if isinstance(meta, RefersTo)), None)
        if found is not None:
            return found.kinds
    for arg in get_args(annotation):
        kinds = _refers_in(arg)
        if kinds:
            return kinds
    return frozenset()


def references(value: BaseModel, keys: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str, frozenset[str]]]:
    """Every reference in a record and the models nested in it: (key path, the id it holds, what it may point at)."""
    for name, kinds in _reference_fields(type(value)):
        item = getattr(value, name)
        if item is None:
            continue
        if kinds:
            for key, ref in enumerate(item) if isinstance(item, list) else [(None, item)]:
                yield (*keys, name) if key is None else (*keys, name, key), ref, kinds
        elif isinstance(item, list):
            for i, element in enumerate(item):
                yield from references(element, (*keys, name, i))
        else:
            yield from references(item, (*keys, name))


@functools.cache
def _reference_fields(model: type[BaseModel]) -> tuple[tuple[str, frozenset[str]], ...]:
    """The fields of a model that hold references (with their kinds) or models that do (with no kinds)."""
    found = []
    for name, info in model.model_fields.items():
        kinds, sub = refers_to(info), model_in(info.annotation)
        if kinds or (sub is not None and _reference_fields(sub)):
            found.append((name, kinds))
    return tuple(found)


TextKind = Literal["text", "person"]


def texts(
    value: BaseModel, keys: tuple[str | int, ...] = (), label: str = ""
) -> Iterator[tuple[tuple[str | int, ...], str, str, TextKind]]:
    """Every text a record carries, from its model: (key path, the fields' Chinese titles, the text, "text" for free
    text or "person" for a person's name, see `NameOf`). Ids, dates, closed sets, patterned values (years, URLs)
    and a record's own name are not texts; a field added to the model is one as soon as it is typed `str`."""
    for name, kind in _text_fields(type(value)):
        item = getattr(value, name)
        if item is None:
            continue
        title = type(value).model_fields[name].title or name
        here = f"{label} › {title}" if label else title
        for key, element in enumerate(item) if isinstance(item, list) else [(None, item)]:
            path = (*keys, name) if key is None else (*keys, name, key)
            if kind == "model":
                yield from texts(element, path, here)
            elif isinstance(element, str):
                yield path, here, element, kind


@functools.cache
def _text_fields(model: type[BaseModel]) -> tuple[tuple[str, TextKind | Literal["model"]], ...]:
    found: list[tuple[str, TextKind | Literal["model"]]] = []
    for name, info in model.model_fields.items():
        sub = model_in(info.annotation)
        if sub is not None:
            if _text_fields(sub):
                found.append((name, "model"))
            continue
        kind = _text_kind(info.annotation, list(info.metadata))
        if kind is not None:
            found.append((name, kind))
    return tuple(found)


def _text_kind(annotation: Any, metadata: list[Any]) -> TextKind | None:
    """The kind of text a str field without a pattern holds ("text" or "person"); None for any other field,
    a reference or a record's own name."""
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        return _text_kind(inner, [*metadata, *extra])
    if annotation is str:
        names = [meta.who for meta in metadata if isinstance(meta, NameOf)]
        if any(isinstance(meta, RefersTo) or getattr(meta, "pattern", None) for meta in metadata) or "self" in names:
            return None
        return "person" if names else "text"
    for arg in get_args(annotation):  # X | None, list[X]
        if arg is not type(None):
            kind = _text_kind(arg, metadata)
            if kind is not None:
                return kind
    return None


Site.model_rebuild()
