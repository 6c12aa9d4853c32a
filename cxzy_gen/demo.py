"""`cxzy demo`: a deterministic synthetic board of any size, as a git repository with a year of history.

The shape follows the Hugo yardstick's generator (../shared/bench/hugo/gen_data.py): a three-level tree
(a root 党委, one 党委 for every fifty units, branches below them), M ± 20 % members a unit, 1–3 commitments
a member with a ~150-character Markdown body, 1–3 reviews a unit of ~210 characters and one appraisal.
On top of that: rectifications in some reviews, commendations kept by the awarding 党委 (some still in
their 公示 window at the year's end) and a git history — each 党委's records come in as change requests
written by an invented 党务工作者 and merged by an invented reviewer, dated through the campaign year.

Everything is invented and fixed by the seed: names are random combinations of common surnames and
given-name characters; the only phone number is the office line in site.yaml. The same arguments give
the same bytes and the same commit ids.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cxzy_gen.forked import Forked
from cxzy_gen.records import layout
from cxzy_gen.records import models as m

LAST_YEAR = 2025  # the campaign year: the last year of the data; a build dated LAST_YEAR-12-31 sees it whole
BRANCHES_PER_COMMITTEE = 50  # one level-1 党委 for every fifty units, as in the yardstick
TZ = "+0800"

UNIT_TYPES = [t.value for t in m.UnitType]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉梅建国红志文斌辉鹏飞海燕春林波宁晶欣雪凯婷旭东晨阳浩然涵思雨佳琪俊"
PLACES = ["阿拉尔", "石河子", "五家渠", "图木舒克", "北屯", "铁门关", "双河", "可克达拉", "昆玉", "胡杨河", "新星", "白杨"]
ORG_WORDS = ["胜利", "红星", "前进", "团结", "光明", "幸福", "和平", "建设", "新华", "友谊", "丰收", "振兴", "长征", "东风", "向阳"]
ENTERPRISE = ["农业发展", "棉业", "水利建设", "物流", "能源", "食品", "建筑工程", "纺织", "供销", "现代农业"]
BUREAUS = ["财政局", "发展改革委", "住建局", "农业农村局", "人社局", "民政局", "教育局", "卫健委", "市场监管局", "自然资源局"]
INSTITUTIONS = ["第一中学", "职业技术学院", "人民医院", "中心医院", "农业科学研究所", "广播电视台", "档案馆", "图书馆", "疾控中心"]
WINDOWS = ["政务服务中心", "不动产登记中心", "社保服务大厅", "公积金管理中心", "税务服务厅", "车管所"]
VERBS = ["认真学习", "深入贯彻", "带头落实", "主动参与", "积极推动", "扎实开展", "全面推进", "持续深化", "切实加强", "着力提升"]
OBJECTS = [
    "党的创新理论", "基层党建工作", "为民服务事项", "文明城市创建", "连队环境整治", "邻里互助活动", "安全生产责任", "优化营商环境",
    "政务服务效能", "职工技能培训", "农田水利建设", "棉花机采作业", "矛盾纠纷化解", "志愿服务项目", "节水灌溉推广", "青少年关爱行动",
    "老党员走访慰问",
]  # fmt: skip
TAILS = [
    "确保按期完成", "做到件件有回音", "接受群众监督", "形成长效机制", "发挥先锋模范作用", "切实解决实际困难", "不断提高群众满意度",
    "争创一流工作业绩", "树立良好党员形象", "营造比学赶超氛围",
]  # fmt: skip
CONNECT = ["，", "，", "；", "，并", "，同时"]
OPINION_HEAD = ["该支部", "该单位党组织", "支部班子", "全体党员"]
OPINION_EVAL = ["承诺事项具体可行", "践诺过程扎实有效", "工作台账规范清晰", "群众反映良好", "特色亮点较为突出", "公示内容及时更新"]
OPINION_WEAK = ["部分承诺进度偏慢", "个别事项目标不够量化", "台账记录不够及时", "群众参与面还不够广"]
OPINION_ADVICE = ["下一步要进一步细化措施", "建议加强督促检查", "要注重总结推广经验", "要持续跟踪问效", "要把承诺落实与中心工作结合起来"]
REVIEWER_TITLES = ["师党委书记", "团场党委书记", "街道党工委书记", "组织部部长", "机关党委书记", "分管领导"]
RECTIFY = ["补齐承诺践诺台账", "细化承诺事项的完成标准", "按月更新公示栏内容", "组织党员开展走访群众活动", "完善群众意见收集办理机制"]
FIVE_LEAD = ["带头学习提高", "带头争创佳绩", "带头服务群众", "带头遵纪守法", "带头弘扬正气"]
FIVE_GOOD = ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
POSTS = ["党员示范岗", "政策宣传岗", "环境卫生监督岗", "安全生产监督岗", "联系群众岗", "技术服务岗", "志愿服务岗"]
OUTCOME_WEIGHTS = [("已完成", 45), ("进行中", 35), ("部分完成", 10), ("未完成", 10)]


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, Unicode as is, no anchors (cxzy refuses them), Markdown as literal blocks."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _str)


def dump(value: Any) -> bytes:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8")


class DemoError(Exception):
    """The demo cannot be written (the folder is not empty, git is missing); the message is for people."""


@dataclass(frozen=True)
class Shape:
    """What `generate` is asked for; the tree follows from it without generating any records."""

    units: int
    members: int
    years: int
    seed: int

    @property
    def committees(self) -> int:
        """Level-1 党委 (ids 1..committees); the root is 0; the rest are branches."""
        return max(1, self.units // BRANCHES_PER_COMMITTEE) if self.units > 1 else 0

    @property
    def first_year(self) -> int:
        return LAST_YEAR - self.years + 1

    def parent(self, i: int) -> int | None:
        if i == 0:
            return None
        if i <= self.committees:
            return 0
        return random.Random(f"{self.seed}:parent:{i}").randint(1, self.committees)

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))


@lru_cache(maxsize=4)
def _children(shape: Shape) -> dict[int, list[int]]:
    """Each 党委's units below it, in id order (computed once a process)."""
    children: dict[int, list[int]] = defaultdict(list)
    for k in range(1, shape.units):
        children[shape.parent(k) or 0].append(k)
    return dict(children)


def uid(i: int) -> str:
    return f"u{i:05d}"


@dataclass
class DemoResult:
    out: Path
    units: int
    members: int
    commitments: int
    files: int
    commits: int


# ---------------------------------------------------------------- prose and names


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.25 else 2))


def clause(rng: random.Random) -> str:
    return rng.choice(VERBS) + rng.choice(OBJECTS) + rng.choice(CONNECT) + rng.choice(TAILS)


def prose(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(clause(rng) + "。")
    return "".join(out)


def title(rng: random.Random) -> str:
    return (rng.choice(VERBS) + rng.choice(OBJECTS) + rng.choice(TAILS))[:18]


def measures(rng: random.Random) -> str:
    """~150 characters of Markdown: a bold lead, a short list, a closing line (as in the yardstick)."""
    lines = ["**目标**：" + clause(rng) + "。" + clause(rng) + "。", ""]
    lines += [f"- 措施{k + 1}：{clause(rng)}。" for k in range(rng.randint(2, 3))]
    lines += ["", "*践诺方式*：" + clause(rng) + "。"]
    return "\n".join(lines)


def unit_name(rng: random.Random, i: int, utype: str) -> str:
    place, word = rng.choice(PLACES), rng.choice(ORG_WORDS)
    if utype == "团场连队":
        return f"第{rng.randint(1, 14)}师{word}{rng.randint(1, 60)}团{i % 40 + 1}连党支部"
    if utype == "社区":
        return f"{place}市{word}社区第{i % 9 + 1}党支部"
    if utype == "企业":
        return f"{place}{word}{rng.choice(ENTERPRISE)}有限公司党支部"
    if utype == "机关":
        return f"{place}市{rng.choice(BUREAUS)}机关第{i % 7 + 1}党支部"
    if utype == "事业单位":
        return f"{place}市{rng.choice(INSTITUTIONS)}党支部"
    return f"{place}市{rng.choice(WINDOWS)}{word}窗口党支部"


def _day(year: int, month: int, day: int, rng: random.Random, spread: int) -> dt.date:
    return dt.date(year, month, day) + dt.timedelta(days=rng.randint(0, spread))


# ---------------------------------------------------------------- one unit's files, in the versions history shows


def unit_files(shape: Shape, i: int) -> list[tuple[str, str, bytes]]:
    """Every version of unit `i`'s files as (phase, path under data/, bytes), phases in time order.

    Phases: `{year}-1` registry and annual commitments (Jan–Mar), `{year}-2` mid-year reviews, progress and
    the 七一 commendations (Jun–Jul), `{year}-3` year-end reviews, appraisals, outcomes and nominations (Dec)."""
    rng = shape.rng("unit", i)
    me = uid(i)
    parent = shape.parent(i)
    if i == 0:
        utype, kind, name = "机关", "党委", f"{rng.choice(PLACES)}师市党委"
    elif i <= shape.committees:
        utype, kind = rng.choice(["团场连队", "机关", "社区", "企业"]), "党委"
        name = f"{rng.choice(PLACES)}{rng.choice(ORG_WORDS)}团场党委" if utype == "团场连队" else unit_name(rng, i, utype)[:-3] + "党委"
    else:
        utype, kind = rng.choice(UNIT_TYPES), "党支部"
        name = unit_name(rng, i, utype)
    focus = list(m.FOCUS_BY_TYPE[m.UnitType(utype)])
    n_members = rng.randint(max(1, int(shape.members * 0.8)), max(1, round(shape.members * 1.2)))
    members = []
    for j in range(n_members):
        roles = ["书记"] if j == 0 else ["副书记"] if j == 1 else ["委员"] if j < 4 else ["党员"]
        member: dict[str, Any] = {"id": f"{me}-m{j + 1:03d}", "name": person(rng), "roles": roles}
        if rng.random() < 0.4:
            member["post"] = rng.choice(POSTS)
        member["joined"] = rng.randint(1975, shape.first_year - 1)
        members.append(member)
    unit: dict[str, Any] = {"id": me, "name": name, "kind": kind, "type": utype}
    if parent is not None:
        unit["parent"] = uid(parent)
    unit["secretary"] = members[0]["id"]
    out: list[tuple[str, str, bytes]] = [
        (f"{shape.first_year}-1", layout.UNIT_FILE.path(me), dump(unit)),
        (f"{shape.first_year}-1", layout.MEMBERS_FILE.path(me), dump({"members": members})),
    ]
    for year in range(shape.first_year, LAST_YEAR + 1):
        out += _year_files(shape, rng, me, year, focus, members)
        if i <= shape.committees and shape.units > 1:
            out += _commendations(shape, i, year)
    return out


def _year_files(
    shape: Shape, rng: random.Random, me: str, year: int, focus: list[str], members: list[dict[str, Any]]
) -> list[tuple[str, str, bytes]]:
    path = {kind: layout.FILES[kind].path(me, year) for kind in ("commitments", "reviews", "appraisals")}
    early: list[dict[str, Any]] = []
    mid: list[dict[str, Any]] = []
    final: list[dict[str, Any]] = []
    subjects = [(me, "unit"), *((p["id"], "member") for p in members)]
    for subject, kind in subjects:
        for k in range(1 if kind == "unit" else rng.randint(1, 3)):
            proposed = _day(year, 1, 5, rng, 80)
            record: dict[str, Any] = {
                "id": f"{subject}-{year}-c{k + 1}",
                "kind": "年度承诺",
                "subject": subject,
                "focus": [rng.choice(focus)],
            }
            if kind == "unit":
                record["five_good"] = rng.sample(FIVE_GOOD, 2)
            else:
                record["five_lead"] = [rng.choice(FIVE_LEAD)]
                if rng.random() < 0.3:
                    record["post_duty"] = True
            publicized = proposed + dt.timedelta(days=rng.randint(1, 7))
            deadline = max(publicized, dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(30, 364)))
            record |= {
                "title": title(rng),
                "measures": measures(rng),
                "proposed": proposed,
                "deadline": deadline,
                "publicized": {"date": publicized, "how": rng.choice(["党员大会", "公开栏", "党小组会"])},
            }
            early.append(dict(record))
            progress_day = _day(year, 6, 10, rng, 20)
            if progress_day > publicized and rng.random() < 0.6:
                record["progress"] = [{"date": progress_day, "note": clause(rng) + "。"}]
            mid.append(dict(record))
            result = rng.choices([r for r, _ in OUTCOME_WEIGHTS], [w for _, w in OUTCOME_WEIGHTS])[0]
            if result == "进行中" and (kind == "unit" or subject == members[0]["id"]):
                # Units and their first members are the ones nominated for 表彰: they kept their commitments,
                # so no nominee has an overdue one (the nominee check, E-NOMINEE).
                result = "已完成"
            if result != "进行中":
                outcome: dict[str, Any] = {"result": result, "date": max(publicized, min(deadline, dt.date(year, 12, 20)))}
                if result != "已完成":
                    outcome |= {"reason": clause(rng) + "，尚未全部完成", "objective": rng.random() < 0.5}
                    record["remedial"] = {"date": outcome["date"], "note": "已制定补课计划，" + clause(rng)}
                record["outcome"] = outcome
            final.append(record)
    reviews_mid, reviews_all = _reviews(shape, rng, me, year)
    appraisal = _appraisal(rng, me, year)
    phase = lambda n: f"{year}-{n}"  # noqa: E731
    files = [
        (phase(1), path["commitments"], dump({"commitments": early})),
        (phase(2), path["commitments"], dump({"commitments": mid})),
        (phase(3), path["commitments"], dump({"commitments": final})),
        (phase(3), path["reviews"], dump({"reviews": reviews_all})),
        (phase(3), path["appraisals"], dump({"appraisals": [appraisal]})),
    ]
    if reviews_mid:
        files.insert(2, (phase(2), path["reviews"], dump({"reviews": reviews_mid})))
    return files


def _reviews(shape: Shape, rng: random.Random, me: str, year: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """1–3 reviews of the unit (~210 characters of opinion each): the first mid-year, the rest in December."""
    mid: list[dict[str, Any]] = []
    done: list[dict[str, Any]] = []
    for k in range(rng.randint(1, 3)):
        day = _day(year, 6, 20, rng, 10) if k == 0 else _day(year, 12, 1, rng, 15)
        reviewer = person(rng)
        review: dict[str, Any] = {
            "id": f"{me}-{year}-r{k + 1}",
            "date": day,
            "form": rng.choice(["集中点评", "个别点评", "现场点评", "随机点评"]),
            "occasion": "半年总结考核" if k == 0 else "年度总结考核",
            "reviewer": {"name": reviewer, "title": rng.choice(REVIEWER_TITLES)},
            "target": me,
            "opinion": {
                "achievements": rng.choice(OPINION_HEAD) + rng.choice(OPINION_EVAL) + "，" + prose(rng, 60),
                "problems": rng.choice(OPINION_WEAK) + "，" + prose(rng, 50),
                "direction": rng.choice(OPINION_ADVICE) + "，" + prose(rng, 40),
            },
            "rating": rng.choice(["好", "较好", "较好", "一般"]),
            "signature": {"by": reviewer, "date": day},
        }
        if rng.random() < 0.1:
            review["audience"] = "党内公开"
        if rng.random() < 0.3:
            items = []
            for n in range(rng.randint(1, 2)):
                deadline = day + dt.timedelta(days=rng.randint(20, 60))
                status = rng.choice(["未开始", "整改中", "已完成", "已完成"])
                item: dict[str, Any] = {"id": f"z{n + 1}", "item": rng.choice(RECTIFY), "deadline": deadline, "status": status}
                if status == "已完成":
                    item |= {"done": day + dt.timedelta(days=rng.randint(5, 19)), "verified_by": person(rng)}
                items.append(item)
            review["rectifications"] = items
        (mid if k == 0 else done).append(review)
    return mid, mid + done


def _appraisal(rng: random.Random, me: str, year: int) -> dict[str, Any]:
    voters = rng.randint(20, 200)
    satisfied = int(voters * rng.uniform(0.55, 0.8))
    fairly = int((voters - satisfied) * rng.uniform(0.3, 0.6))
    basically = int((voters - satisfied - fairly) * rng.uniform(0.4, 0.9))
    members = rng.randint(0, voters // 4)
    return {
        "id": f"{me}-{year}-a1",
        "target": me,
        "date": dt.date(year, 12, 18),
        "method": rng.choice(["会议", "问卷调查", "入户走访"]),
        "respondents": {"members": members, "non_members": voters - members},
        "satisfaction": {
            "satisfied": satisfied,
            "fairly_satisfied": fairly,
            "basically_satisfied": basically,
            "dissatisfied": voters - satisfied - fairly - basically,
        },
    }


def _commendations(shape: Shape, i: int, year: int) -> list[tuple[str, str, bytes]]:
    """A 党委's commendations of its branches and their members: 七一 awards, and December nominations
    that are still in their 公示 window at the year's end. The root commends its 党委."""
    rng = shape.rng("honours", i, year)
    me = uid(i)
    below = _children(shape).get(i, [])
    picked = sorted(rng.sample(below, min(len(below), max(1, len(below) // 5))))
    july: list[dict[str, Any]] = []
    for n, k in enumerate(picked):
        member = k > shape.committees and n % 2 == 1
        start = _day(year, 6, 16, rng, 4)
        july.append(
            {
                "id": f"{me}-{year}-h{n + 1}",
                "year": year,
                "title": ("优秀共产党员" if n % 4 == 1 else "优秀党务工作者") if member else "先进基层党组织",
                "nominee": f"{uid(k)}-m001" if member else uid(k),
                "nominated_by": uid(k),
                "nominated": start - dt.timedelta(days=5),
                "deeds": prose(rng, 80),
                "publicity": {"start": start, "working_days": 5},
                "status": "已表彰",
                "decided": dt.date(year, 7, 1),  # 七一, after every window (at most 06-20 + 5 working days)
                "decision": f"党委发〔{year}〕{rng.randint(10, 40)}号",
            }
        )
    files = [(f"{year}-2", layout.FILES["commendations"].path(me, year), dump({"commendations": july}))] if july else []
    if year == LAST_YEAR and picked:
        k = picked[0]
        december = {
            "id": f"{me}-{year}-h{len(july) + 1}",
            "year": year,
            "title": "优秀共产党员" if k > shape.committees else "先进基层党组织",
            "nominee": f"{uid(k)}-m001" if k > shape.committees else uid(k),
            "nominated_by": uid(k),
            "deeds": prose(rng, 80),
            "publicity": {"start": dt.date(year, 12, 26), "working_days": 5},
            "status": "公示中",
        }
        files.append((f"{year}-3", layout.FILES["commendations"].path(me, year), dump({"commendations": [*july, december]})))
    return files


def site_file(shape: Shape) -> bytes:
    return dump(
        {
            "title": "创先争优党务公开栏（演示数据）",
            "root_unit": uid(0),
            "campaign_year": LAST_YEAR,
            "publicity_working_days": 5,
            "contact": {"office": "师市党委组织部", "phone": "0999-1234567", "address": "演示市人民路 1 号"},
        }
    )


# ---------------------------------------------------------------- the repository


PHASE_DATES = {1: (4, 3, 20), 2: (7, 2, 20), 3: (12, 21, 6)}  # (month, day, spread in days) of a phase's change requests
PHASE_WHAT = {1: "党员名册和年度公开承诺", 2: "半年点评、践诺进展和七一表彰", 3: "年终点评、群众评议和承诺完成情况"}


def _group(shape: Shape, i: int) -> int:
    """Whose change request brings unit i's files in: its level-1 党委's (the root is its own group)."""
    if i <= shape.committees:
        return i
    parent = shape.parent(i)
    return parent if parent is not None else 0


def _people(shape: Shape, group: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """(worker, reviewer) of a group: who writes its change requests and who merges them, as (name, email)."""
    rng = shape.rng("people", group)
    worker, reviewer = person(rng), person(rng)
    return (worker, f"dangwu{group:04d}@demo.invalid"), (reviewer, f"shenhe{group:04d}@demo.invalid")


def _generate_unit(args: tuple[Shape, int]) -> tuple[int, list[tuple[str, str, bytes]]]:
    shape, i = args
    return i, unit_files(shape, i)


def _units(shape: Shape, jobs: int) -> Iterator[tuple[int, list[tuple[str, str, bytes]]]]:
    work = ((shape, i) for i in range(shape.units))
    if jobs <= 1 or shape.units < 200:
        yield from map(_generate_unit, work)
        return
    with Forked(jobs) as pool:
        yield from pool.map(_generate_unit, work, chunksize=16)


def generate(units: int, members: int, out: Path, years: int = 1, seed: int = 20250101, jobs: int | None = None) -> DemoResult:
    """Write the demo board into `out` (a new git repository with the records under `out/data/`): written in a folder
    beside it and moved into its place whole, so a failure (a worker killed, git failing, Ctrl-C) leaves nothing."""
    if units < 1 or members < 1 or not 1 <= years <= 20:
        raise DemoError("单位数、党员数至少为 1，年数在 1 到 20 之间")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DemoError(f"{out} 已存在且不是空文件夹：演示数据只写进新的或空的文件夹")
    target = Path(os.path.abspath(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    beside = target.parent / f".{target.name}-demo-{secrets.token_hex(6)}"
    beside.mkdir()  # (as `out` would have been made: the umask decides who may read it)
    try:
        result = _write(Shape(units, members, years, seed), beside, jobs)
        if target.is_dir():
            target.rmdir()  # (empty, as checked above: anything put there meanwhile makes this fail, and nothing is lost)
        os.rename(beside, target)
    except BaseException:
        shutil.rmtree(beside, ignore_errors=True)
        raise
    return replace(result, out=out)


def _write(shape: Shape, out: Path, jobs: int | None) -> DemoResult:
    _git(out, "init", "-q", "-b", "main")
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=out, stdin=subprocess.PIPE, env=_git_env(), stdout=subprocess.DEVNULL
    )
    assert importer.stdin is not None
    stream = importer.stdin
    marks = 0
    # phase → group → [(path, blob mark)], in unit order
    changes: dict[str, dict[int, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))

    def blob(data: bytes) -> int:
        nonlocal marks
        marks += 1
        stream.write(b"blob\nmark :%d\ndata %d\n%s\n" % (marks, len(data), data))
        return marks

    try:
        site = blob(site_file(shape))
        n_members = n_commitments = n_files = 0
        for i, versions in _units(shape, jobs if jobs is not None else (os.cpu_count() or 1)):
            final = {path: data for _, path, data in versions}
            n_files += len(final)
            n_members += final[layout.MEMBERS_FILE.path(uid(i))].count(b"\n- id: ")
            n_commitments += sum(
                data.count(b"\n- id: ") for path, data in final.items() if path.endswith("/" + layout.FILES["commitments"].file_name)
            )
            for phase, path, data in versions:
                changes[phase][_group(shape, i)].append((path, blob(data)))
        commits = _commits(shape, stream, site, changes, marks)
        stream.write(b"done\n")
        stream.close()
    except BrokenPipeError:
        pass
    except BaseException:
        importer.kill()  # (its input unfinished: it would wait for the rest)
        importer.wait()
        raise
    if importer.wait() != 0:
        raise DemoError("git fast-import 失败，演示数据的历史没有写成")
    _git(out, "reset", "-q", "--hard", "main")
    return DemoResult(out, shape.units, n_members, n_commitments, n_files + 1, commits)


def _commits(shape: Shape, stream: Any, site: int, changes: dict[str, dict[int, list[tuple[str, int]]]], marks: int) -> int:
    """The board's first commit (site.yaml), then every change request: a commit by its worker on a branch
    and a merge into main by its reviewer, as a forge's pull request does."""
    (_, _), (root_reviewer, root_mail) = _people(shape, 0)
    started = dt.datetime(shape.first_year, 1, 4, 10, 0)
    marks += 1
    main = marks
    stream.write(b"commit refs/heads/main\nmark :%d\n" % main)
    stream.write(_who("author", root_reviewer, root_mail, started) + _who("committer", root_reviewer, root_mail, started))
    stream.write(_data(f"建立{shape.first_year}年创先争优党务公开栏"))
    stream.write(b"M 100644 :%d data/%s\n\n" % (site, layout.SITE.file_name.encode()))
    request, commits = 0, 1
    for phase in sorted(changes):
        year, n = (int(p) for p in phase.split("-"))
        month, day, spread = PHASE_DATES[n]
        for group in sorted(changes[phase]):
            request += 1
            (worker, worker_mail), (reviewer, reviewer_mail) = _people(shape, group)
            rng = shape.rng("when", phase, group)
            written = dt.datetime(year, month, day, 9, 0) + dt.timedelta(days=rng.randint(0, spread), minutes=rng.randint(0, 480))
            merged = written + dt.timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 6))
            what = "建立党组织、党员名册和年度公开承诺" if n == 1 and year == shape.first_year else PHASE_WHAT[n]
            subject = f"{uid(group)} {year}年{what}"
            lines = b"".join(b"M 100644 :%d data/%s\n" % (mark, path.encode()) for path, mark in changes[phase][group])
            marks += 1
            branch = marks
            stream.write(b"commit refs/heads/cr\nmark :%d\n" % branch)
            stream.write(_who("author", worker, worker_mail, written) + _who("committer", worker, worker_mail, written))
            stream.write(_data(subject))
            stream.write(b"from :%d\n%s\n" % (main, lines))
            marks += 1
            stream.write(b"commit refs/heads/main\nmark :%d\n" % marks)
            stream.write(_who("author", reviewer, reviewer_mail, merged) + _who("committer", reviewer, reviewer_mail, merged))
            stream.write(_data(f"Merge pull request #{request} from dangwu{group:04d}/cr-{request}\n\n{subject}"))
            stream.write(b"from :%d\nmerge :%d\n%s\n" % (main, branch, lines))
            main = marks
            commits += 2
    stream.write(b"reset refs/heads/cr\nfrom 0000000000000000000000000000000000000000\n\n")
    return commits


def _who(role: str, name: str, mail: str, when: dt.datetime) -> bytes:
    epoch = int(when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    return f"{role} {name} <{mail}> {epoch} {TZ}\n".encode()


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n%s\n" % (len(raw), raw)


def _git_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _git(root: Path, *args: str) -> None:
    try:
        done = subprocess.run(["git", *args], cwd=root, env=_git_env(), capture_output=True, check=False)
    except OSError as exc:
        raise DemoError(f"无法运行 git：{exc.strerror}（提示：安装 git 后重试）") from exc
    if done.returncode != 0:
        raise DemoError(f"git {args[0]} 失败：{done.stderr.decode('utf-8', 'replace').strip()}")
