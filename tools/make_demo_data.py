#!/usr/bin/env python3
"""Write the fictional demo data set into data/: 第十九师, campaign year 2011.

    .venv/bin/python tools/make_demo_data.py [--out DIR]     (with cxzy installed; DIR defaults to data/)

Deterministic: one fixed seed, no clock, no network, only pyyaml and cxzy_gen (the layout and the model), so a rerun
reproduces every byte (tests/test_demo_data.py checks). It deletes data/units first, then writes data/site.yaml and one
folder per unit. The names, units, posts, commitment templates and phrases are in tools/demo_vocabulary.yaml;
this script holds the story that combines them. Every unit, person and number in it is invented: names are random
combinations of common surnames and given-name characters; the only phone numbers are
office landlines in `contact` fields.

The records tell one year of the campaign (兵创先组发〔2011〕3号): annual commitments in
January–March, phase reviews and appraisals before 七一, commendations around 七一, year-end
reviews, appraisals and nominations in December. The last event is dated 2011-12-19, so a
build dated 2011-12-20 sees the year as it stands, and one dated 2011-06-28 sees open
commitments and rectifications past their deadline and a commendation inside its 公示 window.

Before writing anything the script checks that the data shows every case issue #2 asks for
(`coverage`) and stops if one is missing. A few gaps are left on purpose for the inspection
view (`GAPS`, plus some members with no commitment and some commitments never put up).
The modelines point at schemas/*.schema.json, which `cxzy schema --out schemas` writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from cxzy_gen.records import layout
from cxzy_gen.records.models import FOCUS_BY_TYPE

SEED = 20110701
YEAR = 2011
LAST_EVENT = dt.date(2011, 12, 19)  # nothing happens after this day
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

PUBLIC, PARTY, UNIT_ONLY, SPECIFIC = "向社会公开", "党内公开", "本单位公开", "特定对象公开"

# Where the year is not complete yet, so the inspection view (督查) has 全覆盖 gaps to name.
GAPS = {"review": "mianye-wuliu", "member-reviews": "baiyang-lian-4", "appraisals": "shaquan-lian-5"}


# ---------------------------------------------------------------- the vocabulary
# Names, units, posts (设岗定责), commitment templates and the phrases of reviews and appraisals live in
# tools/demo_vocabulary.yaml; the comments there say what each table holds.

VOCABULARY = Path(__file__).resolve().with_name("demo_vocabulary.yaml")
PHOTOS = Path(__file__).resolve().with_name("demo_photos")  # drawn by tools/draw_demo_photos.py, copied as they are
_WORDS: dict[str, Any] = yaml.load(VOCABULARY.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
# A commitment template names only what differs from these (see demo_vocabulary.yaml).
TEMPLATE_DEFAULTS: dict[str, Any] = {"deadline": ["12-31"], "volunteer": False, "audience": None, "window": None, "only": [], "params": {}}


# A post (设岗定责), as profiles list them: (post, duties or None, roles, theme of its commitments).
Post = tuple[str, str | None, list[str], str]


def _templates(table: Any) -> Any:
    """Template lists (at any depth of `table`) with the defaults filled in."""
    if isinstance(table, list):
        return [TEMPLATE_DEFAULTS | t for t in table]
    return {key: _templates(value) for key, value in table.items()}


SURNAMES: Any = _WORDS["surnames"]
GIVEN_M: Any = _WORDS["given_m"]
GIVEN_F: Any = _WORDS["given_f"]
FAMOUS: set[str] = set(_WORDS["famous"])
UNITS: Any = _WORDS["units"]
DESCRIPTIONS: Any = _WORDS["descriptions"]
UNIT_CONTACTS: Any = _WORDS["unit_contacts"]
OBJECTION_CONTACTS: Any = _WORDS["objection_contacts"]
APPROVERS: Any = _WORDS["approvers"]
PROFILES: Any = _WORDS["profiles"]
MEMBER_TEMPLATES: dict[str, Any] = _templates(_WORDS["member_templates"])
BRANDS: Any = _WORDS["brands"]
IMMEDIATE_TEMPLATES: dict[str, Any] = _templates(_WORDS["immediate_templates"])
ORG_TEMPLATES: dict[str, Any] = _templates(_WORDS["org_templates"])
ORG_GROUP: Any = _WORDS["org_group"]
EVAL_DONE: Any = _WORDS["eval_done"]
EVAL_MISSED: Any = _WORDS["eval_missed"]
REASONS: Any = _WORDS["reasons"]
REMEDIAL: Any = _WORDS["remedial"]
DELAY_NOTES: Any = _WORDS["delay_notes"]
OPINION_UNIT: Any = _WORDS["opinion_unit"]
OPINION_MEMBER: Any = _WORDS["opinion_member"]
RECT_UNIT: Any = _WORDS["rect_unit"]
RECT_COMMON: Any = _WORDS["rect_common"]
RECT_MEMBER: Any = _WORDS["rect_member"]
RECT_NOTES: Any = _WORDS["rect_notes"]
DEEDS_BY_TYPE: Any = _WORDS["deeds_by_type"]
SEASONS: Any = _WORDS["seasons"]
SITE: dict[str, Any] = {**_WORDS["site"], "campaign_year": YEAR}

SATISFACTION_KEYS = ("satisfied", "fairly_satisfied", "basically_satisfied", "dissatisfied")
# The fields of an appraisal in the order of the model (and of the printed sheet).
APPRAISAL_ORDER = (
    "id", "target", "date", "method", "respondents", "percent_only", "abstained", "invalid",
    "dimensions", "five_good", "satisfaction", "grade", "grade_votes", "opinions", "summary",
)  # fmt: skip
FIVE_GOOD_KEYS = ("leadership", "members", "mechanism", "performance", "reputation")
ETHNICITIES: Any = _WORDS["ethnicities"]
BRANCH_CHECK_OPINIONS: Any = _WORDS["branch_check_opinions"]
OWN_HEADINGS: Any = _WORDS["own_headings"]
RESPONSES: Any = _WORDS["responses"]
PROBATIONARY_NOTE: str = _WORDS["probationary_note"]
UPWARD: Any = _WORDS["upward"]
OUTSIDE_NOMINEE: Any = _WORDS["outside_nominee"]
TALLY_KEYS = ("good", "fair", "average", "poor")
GRADE_KEYS = {"优秀": "excellent", "合格": "qualified", "基本合格": "basic", "不合格": "unqualified"}
BALLOTS_COUNTED = "hongliu-lian-1"  # the branch whose 民主评议 ballots were counted grade by grade (cxzy tally)


def grade_votes(tally: dict[str, int], grade: str) -> dict[str, int]:
    """Votes per 民主评议等次 that agree with the grade decided: a question's votes, the largest share on that grade.
    Derived without the random generator, so the rest of the data stays as it was."""
    votes = dict(zip(GRADE_KEYS.values(), (tally[k] for k in TALLY_KEYS), strict=True))
    top, own = max(votes, key=lambda k: votes[k]), GRADE_KEYS[grade]
    votes[top], votes[own] = votes[own], votes[top]
    return votes


DIMENSIONS = ("party_spirit", "serving_masses", "exemplary_role")

# ---------------------------------------------------------------- the generator


def fits(template: dict[str, Any], unit: Unit) -> bool:
    return not template["only"] or unit.profile in template["only"]


def public(record: dict[str, Any] | None) -> bool:
    """Whether a record may be quoted in a public one: only what the public may see anyway."""
    return record is not None and record.get("_audience") in (None, PUBLIC)


def quote(title: str) -> str:
    """A title inside “…”, its own quotation marks turned into the inner ‘…’."""
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def d(month_day: str, year: int = YEAR) -> dt.date:
    month, day = month_day.split("-")
    return dt.date(year, int(month), int(day))


class Member:
    """A 党员. `perf` is a hidden 0–1 score, never written out: it keeps one person's commitment
    outcome, review rating, appraisal grade and nomination telling the same story."""

    def __init__(self, unit: Unit, id_: str, name: str, post: Post, joined: int, perf: float, female: bool) -> None:
        self.unit, self.id, self.name, self.joined, self.perf, self.female = unit, id_, name, joined, perf, female
        self.post, self.duties, self.roles, self.theme = post
        self.annual: dict[str, Any] | None = None  # the member's own 年度承诺, for reviews and deeds
        # What a 公示 list carries; drawn from a second random stream so the campaign itself stays as it was.
        self.joined_month = 7
        self.born = ""
        self.ethnicity = "汉族"
        self.probationary = False

    @property
    def title(self) -> str:
        """As written on the 点评意见表: office and post."""
        org = self.unit.name
        if "书记" in self.roles:
            return f"{org}书记" if "书记" in self.post else f"{org}书记、{self.post}"
        if "副书记" in self.roles:
            return f"{org}副书记、{self.post}"
        return f"{org}{self.post}"


class Unit:
    """A 党组织 with its members and the records kept in its folder; `perf` as for `Member`."""

    def __init__(self, spec: tuple[str, str, str, str, str, str, str | None, str, int], perf: float) -> None:
        self.id, self.prefix, self.name, self.short, self.kind, self.type, self.parent_id, self.profile, self.size = spec
        self.perf = perf
        self.members: list[Member] = []
        self.parent: Unit | None = None
        self.children: list[Unit] = []
        self.records: dict[str, list[dict[str, Any]]] = {"commitments": [], "reviews": [], "appraisals": [], "commendations": []}
        self.counters: Counter[str] = Counter()
        self.satisfaction: float | None = None  # share 满意 + 比较满意 in the phase appraisal

    @property
    def secretary(self) -> Member:
        return self.members[0]

    @property
    def deputy(self) -> Member:
        """The leader who does 现场点评 and 随机点评 besides the secretary."""
        return next((m for m in self.members if "副书记" in m.roles), self.secretary)

    @property
    def verifier(self) -> str:
        """Who checks a rectification of a unit reviewed by this one."""
        if self.profile == "shi":
            return "师党委组织部"
        if self.profile == "tuan":
            return f"{self.short}党委组织科"
        return self.name

    def next_id(self, letter: str) -> str:
        self.counters[letter] += 1
        return f"{self.prefix}-{YEAR}-{letter}{self.counters[letter]:02d}"


class Generator:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.extra = random.Random(SEED + 1)  # the fields that real forms added later (issue 13): their own stream
        self.units: dict[str, Unit] = {}
        self.members: dict[str, Member] = {}
        self.names: set[str] = set(FAMOUS)
        self.ids: set[str] = set()
        self.outsider = ""  # the 兵团 督导组 leader who reviews the 师 itself
        self.laggard: Member | None = None  # the one member rated 不合格
        self.commended: set[str] = set()  # nominees already on a list this year
        self.revoked: set[str] = set()  # nominees struck off during their 公示
        self.photos: dict[Path, Path] = {}  # photos beside records: path in data/ → the drawing in tools/demo_photos/

    # ------------------------------------------------ helpers

    def between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def weekday_between(self, first: dt.date, last: dt.date) -> dt.date:
        day = self.between(first, last)
        while day.weekday() >= 5 and day < last:
            day += dt.timedelta(days=1)
        return day

    def person(self, female: bool) -> tuple[str, str]:
        """A new invented name and its pinyin id part (surname + initials)."""
        pool = GIVEN_F if female else GIVEN_M
        while True:
            surname, s_py = self.rng.choice(SURNAMES)
            if self.rng.random() < 0.78:
                (c1, p1), (c2, p2) = self.rng.sample(pool, 2)
                name, py = surname + c1 + c2, s_py + p1[0] + p2[0]
            else:
                c1, p1 = self.rng.choice(pool)
                name, py = surname + c1, s_py + p1
            if name not in self.names and c1 != surname:
                self.names.add(name)
                return name, py

    def unique_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}{n}"
        self.ids.add(candidate)
        return candidate

    def fill(self, template: dict[str, Any]) -> tuple[str, str, list[str]]:
        """Title, measures (Markdown) and progress notes with the template's numbers drawn."""
        values: dict[str, Any] = {}
        for key, spec in template["params"].items():
            lo, hi, *step = spec
            step_ = step[0] if step else 1
            values[key] = lo + step_ * self.rng.randint(0, (hi - lo) // step_)
        if "brand" in values:
            values["brand"] = BRANDS[values["brand"] % len(BRANDS)]
        measures = template["measures"]
        text = "\n".join(measures) + "\n" if isinstance(measures, list) else measures
        return template["title"].format(**values), text.format(**values), [p.format(**values) for p in template["progress"]]

    @staticmethod
    def unit_group(unit: Unit) -> str:
        return ORG_GROUP[unit.profile]

    # ------------------------------------------------ units and members

    def build_units(self) -> None:
        self.outsider = self.person(False)[0]
        for spec in UNITS:
            unit = Unit(spec, perf=self.rng.betavariate(4, 1.8))
            self.units[unit.id] = unit
            self.ids.add(unit.id)
            if unit.parent_id:
                unit.parent = self.units[unit.parent_id]
                unit.parent.children.append(unit)
        for unit in self.units.values():
            self.build_members(unit)

    def build_members(self, unit: Unit) -> None:
        profile = PROFILES[unit.profile]
        posts: list[Post] = [profile["secretary"], *profile["committee"]]
        remaining = unit.size - len(posts)
        once = list(profile["once"])
        self.rng.shuffle(once)
        many = profile["many"]
        if not many:
            assert remaining <= len(once), unit.id
            posts += once[:remaining]
        else:
            take = min(len(once), max(0, remaining - max(2, remaining // 3)))
            posts += once[:take]
            posts += [self.rng.choice(many) for _ in range(remaining - take)]
        for i, post in enumerate(posts):
            retired = post[0].startswith("退休")
            female = self.rng.random() < (0.3 if i == 0 else 0.42)
            name, py = self.person(female)
            if retired:
                joined = self.rng.randint(1962, 1985)
            elif i < 1 + len(profile["committee"]):
                joined = self.rng.randint(1978, 2000)
            else:
                joined = self.rng.randint(1985, 2010)
            member = Member(unit, self.unique_id(f"{unit.prefix}-{py}"), name, post, joined, self.rng.betavariate(3.5, 1.6), female)
            unit.members.append(member)
            self.members[member.id] = member

    # ------------------------------------------------ 公开承诺

    def commitment(
        self,
        unit: Unit,
        subject: str,
        responsible: Member,
        kind: str,
        template: dict[str, Any],
        perf: float,
        is_org: bool,
        force: str | None = None,
    ) -> dict[str, Any]:
        title, measures, notes = self.fill(template)
        if template["window"]:
            first, last, days = template["window"]
            proposed = self.between(d(first), d(last))
            deadline = proposed + dt.timedelta(days=days)
            publicized = proposed + dt.timedelta(days=self.rng.randint(1, 3))
        else:
            proposed = self.between(d("01-10"), d("03-25"))
            publicized = proposed + dt.timedelta(days=self.rng.randint(2, 12))
            if kind == "任期承诺":
                deadline = self.rng.choice([dt.date(2013, 12, 31), dt.date(2014, 3, 31)])
            else:
                deadline = d(self.rng.choice(template["deadline"]))
        how_pool = {
            "团场连队": ["党员大会", "党小组会", "公开栏"],
            "社区": ["党员大会", "公开栏"],
            "企业": ["党员大会", "公开栏", "局域网"],
        }.get(unit.type, ["党员大会", "公开栏", "局域网"])
        record: dict[str, Any] = {
            "id": unit.next_id("c"),
            "_audience": template["audience"],
            "kind": kind,
            "subject": subject,
            "focus": list(template["focus"]),
            ("five_good" if is_org else "five_lead"): list(template["tags"]),
            "title": title,
            "measures": measures,
            "responsible": responsible.id,
            "proposed": proposed,
            "deadline": deadline,
            "publicized": {"date": publicized, "how": self.rng.choice(how_pool)},
        }
        if not is_org and self.rng.random() < 0.03:
            del record["publicized"]  # never put up: a 承诺有公示 gap for the inspection view
        if not is_org:
            if responsible.duties and self.rng.random() < 0.7:
                record["post_duty"] = True
            if template["volunteer"]:
                record["volunteer"] = True
        state = force or self.plan(kind, deadline, perf)
        self.settle(record, unit, state, notes, is_org)
        return record

    def plan(self, kind: str, deadline: dt.date, perf: float) -> str:
        """Where a commitment stands at the end of the data: done, partial, not_done, open or overdue."""
        if kind == "任期承诺":
            return "open"
        if deadline > LAST_EVENT:
            return self.rng.choices(["done", "partial", "open"], [0.5, 0.05, 0.45])[0]
        early = deadline < d("06-28")
        weights = [0.6 + 0.3 * perf, 0.1 * (1.3 - perf), 0.08 * (1.3 - perf), 0.2 if early else 0.07]
        return self.rng.choices(["done", "partial", "not_done", "overdue"], weights)[0]

    def settle(self, c: dict[str, Any], unit: Unit, state: str, notes: list[str], is_org: bool) -> None:
        """Progress entries, evaluation, outcome and 补课 for a commitment in `state`."""
        proposed, deadline = c["proposed"], c["deadline"]
        published = c["publicized"]["date"] if "publicized" in c else proposed
        start = max(published + dt.timedelta(days=5), proposed + dt.timedelta(days=10))
        start = max(proposed + dt.timedelta(days=1), min(start, deadline - dt.timedelta(days=3)))
        if state == "done":
            if deadline > LAST_EVENT:
                closed = self.between(d("12-01"), d("12-16"))
            else:
                closed = max(deadline - dt.timedelta(days=self.rng.randint(0, 15)), start + dt.timedelta(days=len(notes) + 1))
        elif state in {"partial", "not_done"} and deadline > LAST_EVENT:
            closed = self.between(d("12-01"), d("12-10"))  # judged at the year-end 评诺
        elif state in {"partial", "not_done"}:
            closed = min(LAST_EVENT, max(deadline, start) + dt.timedelta(days=self.rng.randint(1, 12)))
        else:
            closed = None
        # progress: spread the notes from `start` to the close (or to a point before the end of the data)
        if state == "open":
            notes = notes[: self.rng.randint(1, len(notes))]
            end = min(LAST_EVENT, deadline) - dt.timedelta(days=self.rng.randint(5, 40))
        elif state == "overdue":
            notes = notes[:1]
            end = deadline - dt.timedelta(days=3)
        else:
            end = closed - dt.timedelta(days=1)  # type: ignore[operator]
            if state != "done":
                notes = notes[:1]
        progress = self.progress(notes, start, max(start, end))
        if state == "overdue":
            late = min(LAST_EVENT, self.between(deadline + dt.timedelta(days=2), min(LAST_EVENT, deadline + dt.timedelta(days=40))))
            progress.append({"date": late, "note": self.rng.choice(DELAY_NOTES)})
        if progress:
            c["progress"] = progress
        if closed is None:
            return
        outcome: dict[str, Any] = {"result": {"done": "已完成", "partial": "部分完成", "not_done": "未完成"}[state], "date": closed}
        objective = False
        if state != "done":
            outcome["reason"], objective = self.rng.choice(REASONS[unit.type])
            outcome["objective"] = objective
        if self.rng.random() < 0.8:
            keys = ["leader", "masses"] if is_org else ["self_assessment", "peer", "leader", "masses"]
            pools = EVAL_DONE if state == "done" else EVAL_MISSED
            c["evaluation"] = {k: self.rng.choice(pools[k]) for k in keys}
            if state != "done" and "self_assessment" in c["evaluation"]:
                c["evaluation"]["self_assessment"] = EVAL_MISSED["self_assessment"][1 if objective else 0]
        c["outcome"] = outcome
        if state == "not_done" or (state == "partial" and not objective and self.rng.random() < 0.7):
            c["remedial"] = {
                "date": min(LAST_EVENT, closed + dt.timedelta(days=self.rng.randint(4, 20))),
                "note": self.rng.choice(REMEDIAL),
            }

    def progress(self, notes: list[str], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Date the notes in order across start..end; a note about a season falls in it, or is left out."""
        span = (end - start).days + 1
        dated = []
        for i, note in enumerate(notes):
            lo, hi = start + dt.timedelta(days=span * i // len(notes)), start + dt.timedelta(days=span * (i + 1) // len(notes) - 1)
            for pattern, first, last in SEASONS:
                if re.search(pattern, note):
                    lo, hi = max(start, d(first)), min(end, d(last))
                    break
            if lo <= hi:
                dated.append({"date": self.between(lo, hi), "note": note})
        return sorted(dated, key=lambda p: p["date"])

    def build_commitments(self, laggard: Member) -> None:
        for unit in self.units.values():
            group = {k: [t for t in v if fits(t, unit)] for k, v in ORG_TEMPLATES[self.unit_group(unit)].items()}
            annual = group["annual"][self.rng.randrange(len(group["annual"]))]
            unit.records["commitments"].append(self.commitment(unit, unit.id, unit.secretary, "年度承诺", annual, unit.perf, True))
            if group["term"] and (unit.kind in {"党委", "党总支"} or self.rng.random() < 0.5):
                term = self.rng.choice(group["term"])
                unit.records["commitments"].append(self.commitment(unit, unit.id, unit.secretary, "任期承诺", term, unit.perf, True))
            if group["immediate"] and self.rng.random() < 0.6:
                now = self.rng.choice(group["immediate"])
                unit.records["commitments"].append(self.commitment(unit, unit.id, unit.deputy, "即时承诺", now, unit.perf, True))
            used: set[tuple[str, int]] = set()
            for member in unit.members:
                templates = MEMBER_TEMPLATES[member.theme]
                fresh = [i for i in range(len(templates)) if (member.theme, i) not in used] or list(range(len(templates)))
                pick = self.rng.choice(fresh)
                used.add((member.theme, pick))
                if member is not unit.secretary and member is not laggard and self.rng.random() < 0.05:
                    continue  # made no commitment this year: a gap the inspection view shows
                force = "not_done" if member is laggard else None
                c = self.commitment(unit, member.id, member, "年度承诺", templates[pick], member.perf, False, force)
                if member is laggard:
                    c["outcome"]["reason"], c["outcome"]["objective"] = "自身投入精力不够，承诺事项没有落实。", False
                    if "self_assessment" in c.get("evaluation", {}):
                        c["evaluation"]["self_assessment"] = EVAL_MISSED["self_assessment"][0]
                member.annual = c
                unit.records["commitments"].append(c)
                quick = [t for t in IMMEDIATE_TEMPLATES.get(unit.type, []) if fits(t, unit)]
                if quick and self.rng.random() < 0.16:
                    unit.records["commitments"].append(
                        self.commitment(unit, member.id, member, "即时承诺", self.rng.choice(quick), member.perf, False)
                    )

    # ------------------------------------------------ 领导点评

    def subtree(self, top: Unit) -> list[Unit]:
        """`top` and every unit under it, in file order."""
        out = []
        for unit in self.units.values():
            current: Unit | None = unit
            while current is not None and current is not top:
                current = current.parent
            if current is top:
                out.append(unit)
        return out

    def rating(self, perf: float) -> str:
        return "好" if perf > 0.72 else "较好" if perf > 0.45 else "一般" if perf > 0.2 else "差"

    def reviewer(self, member: Member | None) -> dict[str, Any]:
        if member is None:  # the 师 itself is reviewed from outside the tree
            return {"name": self.outsider, "title": "兵团创先争优活动第三督导组组长"}
        return {"name": member.name, "title": member.title, "member": member.id}

    def rectifications(self, day: dt.date, items: list[str], verifier: str, phase: str) -> list[dict[str, Any]]:
        out = []
        for i, item in enumerate(items, 1):
            x: dict[str, Any] = {"id": f"z{i}", "item": item}
            if phase == "year-end":
                x["deadline"] = self.rng.choice([dt.date(2012, 1, 31), dt.date(2012, 2, 29), dt.date(2012, 3, 31)])
                x["status"] = self.rng.choice(["未开始", "整改中"])
            else:
                # 立即整改: ten days; some of these are still open on 2011-06-28
                urgent = day <= d("06-16") and self.rng.random() < 0.6
                x["deadline"] = day + dt.timedelta(days=10 if urgent else self.rng.choice([30, 45, 60, 90]))
                x["status"] = self.rng.choices(["已完成", "整改中"], [0.4, 0.6] if urgent else [0.75, 0.25])[0]
                if x["status"] == "已完成":
                    x["done"] = self.between(day + dt.timedelta(days=5), min(LAST_EVENT, x["deadline"] + dt.timedelta(days=5)))
                    x["verified_by"] = verifier
                else:
                    x["note"] = self.rng.choice(RECT_NOTES)
            out.append(x)
        return out

    def tally_commitments(self, unit: Unit, by: dt.date) -> tuple[int, int]:
        made = [c for c in unit.records["commitments"] if c["proposed"] <= by]
        kept = [c for c in made if c.get("outcome", {}).get("result") == "已完成" and c["outcome"]["date"] <= by]
        return len(made), len(kept)

    def unit_review(self, unit: Unit, phase: str, form: str = "集中点评") -> dict[str, Any]:
        ach, prob, dirs = OPINION_UNIT[unit.type]
        if phase == "mid":
            day, occasion, period = self.weekday_between(d("06-08"), d("06-24")), "半年总结考核", "上半年"
        elif phase == "year-end":
            day, period = self.weekday_between(d("12-05"), d("12-16")), "2011 年"
            occasion = "党建工作责任制考核" if unit.kind == "党委" else "年度总结考核"
            if unit.parent is None:
                occasion = "民主生活会"
        else:  # 现场点评
            day, occasion, period = self.weekday_between(d("04-15"), d("09-20")), self.rng.choice(["专题点评会", None]), ""
        reviewer = unit.parent.secretary if unit.parent and form != "现场点评" else unit.parent.deputy if unit.parent else None
        review: dict[str, Any] = {"id": unit.next_id("r"), "date": day, "form": form}
        if occasion:
            review["occasion"] = occasion
        review["reviewer"] = self.reviewer(reviewer)
        review["target"] = unit.id
        if period:
            submitted = day - dt.timedelta(days=self.rng.randint(3, 8))
            made, kept = self.tally_commitments(unit, submitted)
            state = f"已兑现 {kept} 项，其余按计划推进" if kept else "均按计划推进"
            review["summary"] = {
                "submitted": submitted,
                "text": f"{unit.short}{period}创先争优活动总结：党组织和党员共作出公开承诺 {made} 项，{state}。",
            }
        if phase != "year-end":
            ach = [a for a in ach if "采收" not in a]
        n_prob = 1 if unit.perf > 0.6 else 2
        if form == "现场点评":
            opinion = {"achievements": self.rng.choice(ach), "problems": self.rng.choice(prob), "direction": self.rng.choice(dirs)}
        else:
            opinion = {
                "achievements": "".join(f"{i}. {a}\n" for i, a in enumerate(self.rng.sample(ach, 2), 1)),
                "problems": "".join(self.rng.sample(prob, n_prob)),
                "direction": "".join(self.rng.sample(dirs, 2)),
            }
        review["rating"] = self.rating(unit.perf)
        if unit.id in self.revoked and day >= d("06-24"):  # its commendation fell over a hidden accident
            opinion["problems"] = "6 月发生一起农机作业伤人事故且迟报，安全生产责任落实不到位。" + opinion["problems"]
            review["rating"] = "较好" if review["rating"] == "好" else review["rating"]
        review["opinion"] = opinion
        review["signature"] = {"by": review["reviewer"]["name"], "date": day}
        if form == "现场点评":
            review["feedback"] = {"date": day, "how": "当面反馈", "note": "点评后当场向支部委员反馈。"}
        else:
            review["feedback"] = {
                "date": min(LAST_EVENT, day + dt.timedelta(days=self.rng.randint(1, 4))),
                "how": self.rng.choice(["会议反馈", "书面反馈"]),
            }
        pool = RECT_UNIT[unit.type] + RECT_COMMON
        count = {"mid": self.rng.randint(1, 2), "year-end": self.rng.randint(1, 2), "on-site": self.rng.randint(0, 1)}[phase]
        if count:
            verifier = unit.parent.verifier if unit.parent else "兵团创先争优活动办公室"
            review["rectifications"] = self.rectifications(
                day, self.rng.sample(pool, count), verifier, "year-end" if phase == "year-end" else "mid"
            )
        return review

    def member_review(self, unit: Unit, member: Member, day: dt.date, laggard: Member) -> dict[str, Any]:
        is_secretary = member is unit.secretary and unit.kind != "党小组"
        # a secretary, and every member of a 党小组, is reviewed by the secretary one level up
        up = unit.kind == "党小组" or is_secretary
        reviewer = (unit.parent.secretary if unit.parent else None) if up else unit.secretary
        if is_secretary:
            occasion, form = "双述双评", "个别点评"
        else:
            occasion = "民主生活会" if unit.kind == "党委" else "民主评议党员"
            form = "集中点评" if self.rng.random() < 0.3 else "个别点评"
        perf = 0.05 if member is laggard else member.perf
        ach, prob, dirs = OPINION_MEMBER
        c = member.annual
        # what the reviewer knew on the day: an outcome judged later is still "in progress"
        known = c is not None and "outcome" in c and (c["outcome"]["date"] <= day or member is laggard)
        result = c["outcome"]["result"] if c is not None and known else None
        if c is None:
            first = "今年没有作出公开承诺，要补课。"
            perf = min(perf, 0.3)
        elif not public(c):  # a commitment shown to a narrower audience is not quoted here
            first = "承诺事项按计划推进。" if result is None else f"承诺事项{result}。"
        elif result == "已完成":
            first = f"兑现了{quote(c['title'])}的承诺。"
        elif result is None:
            first = f"{quote(c['title'])}的承诺正在推进。"
        else:
            first = f"{quote(c['title'])}的承诺{result}，要找准原因、补上差距。"
        if result in {"部分完成", "未完成"}:
            perf = min(perf, 0.6 if result == "部分完成" else 0.3)
        review: dict[str, Any] = {
            "id": unit.next_id("r"),
            "date": day,
            "form": form,
            "occasion": occasion,
            "reviewer": self.reviewer(reviewer),
            "target": member.id,
        }
        if self.rng.random() < 0.4 or is_secretary:
            submitted = day - dt.timedelta(days=self.rng.randint(3, 7))
            review["summary"] = {"submitted": submitted, "text": f"{member.name}同志 2011 年创先争优活动个人总结（{member.post}）。"}
        review["opinion"] = {
            "achievements": first + self.rng.choice(ach),
            "problems": self.rng.choice(prob) if perf > 0.2 else "承诺事项没有兑现，带头作用发挥不够。",
            "direction": self.rng.choice(dirs),
        }
        review["rating"] = self.rating(perf)
        if member.id in self.revoked:  # the wage arrears found during the 公示
            review["opinion"]["problems"] = "拖欠雇工工资问题虽已纠正，教训要深刻记取。"
            review["rating"] = "较好" if review["rating"] == "好" else review["rating"]
        review["signature"] = {"by": review["reviewer"]["name"], "date": day}
        how = "会议反馈" if form == "集中点评" else "当面反馈"
        review["feedback"] = {"date": min(LAST_EVENT, day + dt.timedelta(days=self.rng.randint(0, 2))), "how": how}
        if member is laggard:
            review["_audience"] = UNIT_ONLY
            review["rectifications"] = [
                {
                    "id": "z1",
                    "item": "在支部党员大会上作出说明，重新承诺并限期兑现",
                    "deadline": dt.date(2012, 3, 31),
                    "status": "整改中",
                    "note": "已在 12 月支部党员大会上作出说明。",
                }
            ]
        elif review["rating"] == "一般" and self.rng.random() < 0.6:
            review["rectifications"] = [
                {
                    "id": "z1",
                    "item": self.rng.choice(RECT_MEMBER),
                    "deadline": dt.date(2012, 3, 31),
                    "status": self.rng.choice(["未开始", "整改中"]),
                }
            ]
        if member is not laggard and (unit.kind == "党委" or unit.type == "机关" or unit.kind == "党总支"):
            review["_audience"] = PARTY
        return review

    def random_review(self, member: Member, specific: bool) -> dict[str, Any]:
        unit = member.unit
        assert unit.parent is not None
        reviewer = unit.parent.deputy
        day = self.weekday_between(d("04-20"), d("10-28"))
        ach, prob, dirs = OPINION_MEMBER
        review: dict[str, Any] = {
            "id": unit.next_id("r"),
            "date": day,
            "form": "随机点评",
            "reviewer": self.reviewer(reviewer),
            "target": member.id,
        }
        review["opinion"] = {
            "achievements": f"到{member.post}岗位上随机查看，{self.rng.choice(ach)}",
            "problems": "践诺记录不完整，对承诺进度说不清楚。" if specific else self.rng.choice(prob),
            "direction": self.rng.choice(dirs),
        }
        review["rating"] = "一般" if specific else self.rating(member.perf)
        review["signature"] = {"by": reviewer.name, "date": day}
        review["feedback"] = {"date": day, "how": "当面反馈"}
        if specific:
            review["_audience"] = SPECIFIC
            review["_audience_to"] = [member.id, unit.id]
            review["rectifications"] = [
                {
                    "id": "z1",
                    "item": "补齐个人践诺台账，每月向支部书记汇报一次进度",
                    "deadline": day + dt.timedelta(days=30),
                    "status": "已完成",
                    "done": day + dt.timedelta(days=21),
                    "verified_by": unit.secretary.name,
                }
            ]
        return review

    def build_reviews(self, laggard: Member) -> None:
        for unit in self.units.values():
            if unit.parent is not None:
                unit.records["reviews"].append(self.unit_review(unit, "mid"))
            if unit.id != GAPS["review"]:  # year-end review not yet held: a 全覆盖 gap
                unit.records["reviews"].append(self.unit_review(unit, "year-end"))
            if unit.id == GAPS["member-reviews"]:  # its 民主评议党员 is not entered yet: another gap
                continue
            meeting = self.weekday_between(d("12-01"), d("12-16"))
            for member in unit.members:
                unit.records["reviews"].append(self.member_review(unit, member, meeting, laggard))
        on_site = [u for u in self.units.values() if u.kind == "党支部" and u.parent is not None]
        for unit in self.rng.sample(on_site, 8):
            unit.records["reviews"].append(self.unit_review(unit, "on-site", "现场点评"))
        # not the laggard, not a secretary, not anyone on an honour list (the sharp one below would contradict it)
        candidates = [
            m
            for m in self.members.values()
            if m.unit.parent and m is not laggard and m is not m.unit.secretary and m.id not in self.commended
        ]
        picked = self.rng.sample(candidates, 8)
        # the sharp one, shown only to the member and the branch, is about a 连队 member
        picked.sort(key=lambda m: m.unit.profile != "lian")
        for i, member in enumerate(picked):
            member.unit.records["reviews"].append(self.random_review(member, specific=i == 0))
        for unit in self.units.values():
            unit.records["reviews"].sort(key=lambda r: (r["date"], r["id"]))
            for i, review in enumerate(unit.records["reviews"], 1):
                review["id"] = f"{unit.prefix}-{YEAR}-r{i:02d}"

    # ------------------------------------------------ 群众评议

    def tally(self, total: int, q: float, keys: tuple[str, ...]) -> dict[str, int]:
        weights = [0.2 + 0.65 * q, 0.45 - 0.25 * q, 0.25 - 0.22 * q, 0.1 * (1 - q) + 0.004]
        votes = Counter(self.rng.choices(range(4), weights, k=total))
        return {key: votes[i] for i, key in enumerate(keys)}

    def unit_appraisal(self, unit: Unit, phase: str) -> dict[str, Any]:
        masses = {
            "师": (300, 500),
            "团场": (150, 300),
            "机关": (20, 40),
            "团场连队": (30, 80),
            "社区": (40, 120),
            "企业": (30, 60),
            "事业单位": (40, 100),
            "窗口单位·服务行业": (60, 150),
        }[self.unit_group(unit)]
        if phase == "mid":
            day = self.between(d("06-01"), d("06-17"))
            method = "入户走访" if unit.type in {"团场连队", "社区"} and self.rng.random() < 0.45 else "问卷调查"
        else:
            day = self.between(d("12-01"), d("12-16"))
            method = self.rng.choice(["会议", "问卷调查"])
        members = max(2, len(unit.members) - self.rng.randint(0, 2))
        non_members = self.rng.randint(*masses)
        total = members + non_members
        satisfaction = self.tally(total, unit.perf, SATISFACTION_KEYS)
        share = round(100 * (satisfaction["satisfied"] + satisfaction["fairly_satisfied"]) / total, 1)
        if phase == "mid":
            unit.satisfaction = share
        how = {
            "问卷调查": f"发放问卷 {total} 份，收回有效问卷 {total} 份",
            "入户走访": f"走访党员和职工群众 {total} 人",
            "会议": f"召开党员和群众代表评议会，参加 {total} 人",
        }[method]
        return {
            "id": unit.next_id("a"),
            "target": unit.id,
            "date": day,
            "method": method,
            "respondents": {"members": members, "non_members": non_members},
            "satisfaction": satisfaction,
            "summary": f"{how}。满意和比较满意的占 {share:g}%。{'群众意见已整理归类，逐条答复。' if phase == 'mid' else ''}".rstrip(),
        }

    def branch_size(self, unit: Unit) -> int:
        branch = unit.parent if unit.kind == "党小组" and unit.parent else unit
        return len(branch.members) + sum(len(c.members) for c in branch.children if c.kind == "党小组")

    def build_appraisals(self, laggard: Member) -> None:
        for unit in self.units.values():
            if unit.kind != "党小组":
                unit.records["appraisals"].append(self.unit_appraisal(unit, "mid"))
                if unit.id != GAPS["appraisals"]:  # year-end appraisal set for late December: a gap
                    unit.records["appraisals"].append(self.unit_appraisal(unit, "year-end"))
            if unit.id == GAPS["appraisals"]:
                continue
            ranked = sorted((m for m in unit.members if not m.probationary), key=lambda m: -m.perf)
            excellent = {m.id for m in ranked[: min(len(ranked) // 3, sum(m.perf >= 0.75 for m in ranked))]}
            day = self.between(d("12-01"), d("12-16"))
            size = self.branch_size(unit)
            for member in unit.members:
                grade = "优秀" if member.id in excellent else "基本合格" if member.perf < 0.25 else "合格"
                q = member.perf
                if member is laggard:
                    grade, q = "不合格", 0.02
                voters = max(2, size - 1 - self.rng.randint(0, 2))
                masses = self.rng.randint(15, 40) if unit.kind == "党委" else self.rng.randint(3, 12)
                total = voters + masses
                record: dict[str, Any] = {
                    "id": unit.next_id("a"),
                    "target": member.id,
                    "date": day,
                    "method": "会议",
                    "respondents": {"members": voters, "non_members": masses},
                    "dimensions": {k: self.tally(total, q, TALLY_KEYS) for k in DIMENSIONS},
                    "grade": grade,
                    "summary": f"民主评议党员：个人自评、党员互评后无记名投票，参加党员 {voters} 名、群众代表 {masses} 名。",
                }
                if member is laggard:
                    record["_audience"] = SPECIFIC
                    record["_audience_to"] = [member.id, unit.id, unit.parent.id] if unit.parent else [member.id, unit.id]
                    record["summary"] += "评定为不合格，支部已按规定限期改正。"
                elif unit.kind == "党委":
                    record["_audience"] = PARTY
                elif unit.id == "hongliu-xuexiao":
                    record["_audience"] = UNIT_ONLY
                unit.records["appraisals"].append(record)

    # ------------------------------------------------ 评选表彰

    def nominating_unit(self, member: Member) -> str:
        unit = member.unit
        return unit.parent.id if unit.kind == "党小组" and unit.parent else unit.id

    def deeds_member(self, member: Member, honour: str) -> str:
        head = f"**{member.name}**，{member.joined} 年入党，{member.unit.short}{member.post}。"
        c = member.annual
        kept = (
            f"2011 年公开承诺{quote(c['title'])}，践诺扎实，群众评价好。"
            if public(c)
            else "2011 年按时作出公开承诺，践诺扎实，群众评价好。"
        )
        if honour == "优秀党务工作者":
            extra = "负责的党务资料规范完整，承诺、点评、评议情况按时公开，热心为党员服务。"
        elif member.unit.kind == "党委":
            extra = "分管工作扎实，经常深入基层为职工群众解决实际问题。"
        else:
            extra = DEEDS_BY_TYPE[member.unit.type]
        return f"{head}\n\n{kept}{extra}\n"

    def deeds_unit(self, unit: Unit) -> str:
        count = len(unit.members) + sum(len(c.members) for c in unit.children if c.kind == "党小组")
        c = next(c for c in unit.records["commitments"] if c["subject"] == unit.id and c["kind"] == "年度承诺")
        posted = "党员承诺全部公示。" if all("publicized" in x for x in unit.records["commitments"]) else "党员承诺公示上墙。"
        share = f"上半年群众满意度测评，满意和比较满意的占 {unit.satisfaction:g}%。" if unit.satisfaction is not None else ""
        return f"**{unit.name}**有党员 {count} 名。\n\n班子团结，2011 年组织承诺{quote(c['title'])}，{posted}{share}\n"

    def commendation(
        self,
        awarding: Unit,
        honour: str,
        nominee: Member | Unit,
        status: str,
        window: dict[str, Any] | None,
        decision: tuple[dt.date, str] | None = None,
        nominated: dt.date | None = None,
    ) -> dict[str, Any]:
        if isinstance(nominee, Unit):
            assert nominee.parent is not None
            by, deeds = nominee.parent.id, self.deeds_unit(nominee)
        else:
            by, deeds = self.nominating_unit(nominee), self.deeds_member(nominee, honour)
        record: dict[str, Any] = {
            "id": awarding.next_id("h"),
            "year": YEAR,
            "title": honour,
            "nominee": nominee.id,
            "nominated_by": by,
        }
        # Nominated a few days before the 公示 (or on the day given): the board lists it from then on.
        record["nominated"] = nominated or window["start"] - dt.timedelta(days=4)  # type: ignore[index]
        record["deeds"] = deeds
        if window:
            record["publicity"] = dict(window)
        record["status"] = status
        if decision:
            record["decided"], record["decision"] = decision
        self.commended.add(nominee.id)
        return record

    def best_units(self, top: Unit, n: int) -> list[Unit]:
        pool = [u for u in self.subtree(top) if u.kind in {"党支部", "党总支"} and u.id not in self.commended and u.parent is not None]
        return sorted(pool, key=lambda u: -u.perf)[:n]

    def best_members(self, top: Unit, n: int, worker: bool = False, skip: int = 0) -> list[Member]:
        units_seen: set[str] = set()
        out: list[Member] = []
        pool = [
            m for u in self.subtree(top) for m in u.members if m.id not in self.commended and m is not self.laggard and not m.probationary
        ]
        pool = [m for m in pool if ("党务工作者" in m.roles) == worker]
        for member in sorted(pool, key=lambda m: -m.perf)[skip:]:
            if member.unit.id not in units_seen:
                units_seen.add(member.unit.id)
                out.append(member)
            if len(out) == n:
                break
        return out

    def build_commendations(self) -> None:
        shi, hongliu, baiyang = self.units["shi"], self.units["tuan-hongliu"], self.units["tuan-baiyang"]
        shaquan, tianrun = self.units["tuan-shaquan"], self.units["qiye-mianye"]
        out = shi.records["commendations"]
        # 七一: the 师 commends; 公示 with an end date, then the decision.
        window = {"start": d("06-20"), "end": d("06-24")}
        decision = (d("06-27"), "师党发〔2011〕18号")
        for i, unit in enumerate(self.best_units(shi, 3), 1):
            out.append(self.commendation(shi, "先进基层党组织", unit, "已表彰", window, decision))
            # A photo beside each commended organisation on the honour roll (a drawing, with a camera's EXIF).
            out[-1]["photo"] = f"photos/{unit.id}.jpg"
            folder = Path(layout.FILES["commendations"].path(shi.id, YEAR)).parent
            self.photos[folder / "photos" / f"{unit.id}.jpg"] = PHOTOS / f"unit-{i}.jpg"
        for i, member in enumerate(self.best_members(shi, 5)):
            out.append(self.commendation(shi, "优秀共产党员", member, "已表彰", window, decision))
            if i == 1:
                objected(
                    out[-1],
                    {
                        "received": d("06-21"),
                        "summary": "来信反映该同志事迹材料中个别数字有夸大。",
                        "handling": "师党委组织部到所在单位逐项核实，事迹材料属实，反映不实，已当面向反映人说明。",
                        "resolved": True,
                        "resolved_on": d("06-23"),
                    },
                )
        growers = [m for m in self.best_members(shi, 60, skip=3) if m.post in {"承包职工", "设施农业户"}]
        revoked = self.commendation(shi, "优秀共产党员", growers[0], "撤销", window)
        self.revoke(growers[0])
        objected(
            revoked,
            {
                "received": d("06-22"),
                "summary": "群众反映该同志拖欠去年雇工的拾花工资。",
                "handling": "师党委组织部会同团场纪委核实，反映情况属实；本人已补发工资并作出检查。",
                "resolved": True,
                "resolved_on": d("06-24"),
            },
        )
        revoked["revoked_on"] = d("06-24")
        revoked["revoked_reason"] = "公示期间群众反映的拖欠雇工工资问题经核实属实，不符合表彰条件，经师党委研究撤销推荐。"
        out.append(revoked)
        for member in self.best_members(shi, 2, worker=True):
            out.append(self.commendation(shi, "优秀党务工作者", member, "已表彰", window, decision))

        # 七一: the 团场 and the company commend; 公示 counted in working days.
        out = hongliu.records["commendations"]
        window = {"start": d("06-22"), "working_days": 5}
        out += [
            self.commendation(hongliu, "先进基层党组织", u, "已表彰", window, (d("06-29"), "红团党发〔2011〕15号"))
            for u in self.best_units(hongliu, 1)
        ]
        out += [
            self.commendation(hongliu, "优秀共产党员", m, "已表彰", window, (d("06-29"), "红团党发〔2011〕15号"))
            for m in self.best_members(hongliu, 2)
        ]
        out += [
            self.commendation(hongliu, "优秀党务工作者", m, "已表彰", window, (d("06-29"), "红团党发〔2011〕15号"))
            for m in self.best_members(hongliu, 1, True)
        ]
        revoked = self.commendation(hongliu, "先进基层党组织", self.best_units(hongliu, 1)[0], "撤销", window)
        self.revoked.add(revoked["nominee"])
        objected(
            revoked,
            {
                "received": d("06-24"),
                "summary": "职工反映该连队 6 月发生一起农机作业伤人事故，未按规定上报。",
                "handling": "团场党委会同安全生产办公室核实，情况属实，已责成连队整改并追究相关人员责任。",
                "resolved": True,
                "resolved_on": d("06-27"),
            },
        )
        revoked["revoked_on"] = d("06-27")
        revoked["revoked_reason"] = "公示期间核实该连队发生安全生产事故且迟报，按评选条件实行一票否决，经团场党委研究撤销推荐。"
        out.append(revoked)
        out = tianrun.records["commendations"]
        window = {"start": d("06-21"), "working_days": 5}
        out += [
            self.commendation(tianrun, "先进基层党组织", u, "已表彰", window, (d("06-29"), "天润棉业党发〔2011〕7号"))
            for u in self.best_units(tianrun, 1)
        ]
        out += [
            self.commendation(tianrun, "优秀共产党员", m, "已表彰", window, (d("06-29"), "天润棉业党发〔2011〕7号"))
            for m in self.best_members(tianrun, 1)
        ]
        revoked = self.commendation(tianrun, "优秀党务工作者", self.best_members(tianrun, 1, True)[0], "撤销", window)
        revoked["revoked_on"] = d("06-23")
        revoked["revoked_reason"] = "公示期间本人调往师机关工作，按规定由调入单位党组织另行考虑，公司党委撤销推荐。"
        out.append(revoked)

        # 白杨沟 put its list up late: still 公示中 on 2011-06-28, an objection not yet settled.
        out = baiyang.records["commendations"]
        window = {"start": d("06-27"), "end": d("07-01")}
        out += [self.commendation(baiyang, "先进基层党组织", u, "公示中", window) for u in self.best_units(baiyang, 1)]
        out += [self.commendation(baiyang, "优秀共产党员", m, "公示中", window) for m in self.best_members(baiyang, 2)]
        out += [self.commendation(baiyang, "优秀党务工作者", m, "公示中", window) for m in self.best_members(baiyang, 1, True)]
        objected(
            out[1],
            {
                "received": d("06-29"),
                "summary": "反映该同志与邻户因灌溉用水有纠纷。",
                "handling": "已转团场纪委会同所在单位核实，结果将在公开栏答复。",
                "resolved": False,
            },
        )

        # Year end: 红柳河 publicizes its 2011 年度 list (公示中 on 2011-12-20); 沙泉子 has only nominated.
        out = hongliu.records["commendations"]
        window = {"start": d("12-15"), "working_days": 5}
        out += [self.commendation(hongliu, "优秀共产党员", m, "公示中", window) for m in self.best_members(hongliu, 2)]
        out = shaquan.records["commendations"]
        nominated = d("12-12")
        out += [self.commendation(shaquan, "先进基层党组织", u, "推荐", None, nominated=nominated) for u in self.best_units(shaquan, 1)]
        out += [self.commendation(shaquan, "优秀共产党员", m, "推荐", None, nominated=nominated) for m in self.best_members(shaquan, 2)]
        out += [
            self.commendation(shaquan, "优秀党务工作者", m, "推荐", None, nominated=nominated) for m in self.best_members(shaquan, 1, True)
        ]
        for record in out:
            record["_audience"] = PARTY  # a nomination before its 公示 stays inside the party

    def revoke(self, member: Member) -> None:
        """A nominee struck off during the 公示 is not rated 优秀 at the year-end 民主评议."""
        self.revoked.add(member.id)
        for a in member.unit.records["appraisals"]:
            if a["target"] == member.id and a.get("grade") == "优秀":
                a["grade"] = "合格"

    def pick_laggard(self) -> Member:
        """The one member rated 不合格 this year: an unkept commitment, a 补课, a rectification."""
        pool = [m for u in self.units.values() if u.profile == "lian" and u.id not in GAPS.values() for m in u.members[4:]]
        self.laggard = min(pool, key=lambda m: m.perf)
        return self.laggard

    def build(self) -> None:
        self.build_units()
        laggard = self.pick_laggard()
        self.personal_details(laggard)
        self.build_commitments(laggard)
        self.build_appraisals(laggard)
        self.build_commendations()
        self.build_reviews(laggard)
        self.real_forms()

    # ------------------------------------------------ what real forms carry (issue 13)

    def personal_details(self, laggard: Member) -> None:
        """性别、民族、出生年月、入党时间 for every member; a few 预备党员 who joined in the last year."""
        for member in self.members.values():
            member.ethnicity = self.extra.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0]
            member.joined_month = self.extra.choices([7, self.extra.randint(1, 12)], [0.35, 0.65])[0]
            born_year = member.joined - self.extra.randint(21, 30)
            if not member.post.startswith("退休"):
                born_year = max(born_year, 1952)  # still at work in 2011
            member.born = f"{born_year}-{self.extra.randint(1, 12):02d}"
        for unit in self.units.values():
            if unit.profile not in {"lian", "shequ"}:
                continue
            pool = [m for m in unit.members[3:] if m is not laggard and not m.post.startswith("退休")]
            if pool and self.extra.random() < 0.8:
                member = self.extra.choice(pool)
                member.probationary = True
                member.joined, member.joined_month = 2010, self.extra.randint(7, 12)
                member.born = f"{self.extra.randint(1982, 1988)}-{self.extra.randint(1, 12):02d}"

    def real_forms(self) -> None:
        """Records as real published forms have them: pledge forms signed and checked, a 点评意见表 with its own
        headings and the member's answer, results published as percentages only, 不了解 and void ballots,
        more respondent groups, opinions counted, 五个好 item by item, open titles and upward recommendations."""
        rng = self.extra
        for unit in self.units.values():
            # 「我是党员我承诺」 pledge forms: signed by the member, checked by the branch.
            if unit.profile == "lian":
                for c in unit.records["commitments"]:
                    if c["kind"] == "年度承诺" and c["subject"] in self.members and "publicized" in c:
                        member = self.members[c["subject"]]
                        c["signed"] = {"by": member.name, "date": c["proposed"]}
                        check = {"by": unit.secretary.name, "date": min(c["publicized"]["date"], c["proposed"] + dt.timedelta(days=2))}
                        if rng.random() < 0.5:
                            check["opinion"] = rng.choice(BRANCH_CHECK_OPINIONS)
                        c["branch_check"] = check
            # A board that shows the pledge only: 即时承诺 of the 社区 written without measures.
            if unit.profile == "shequ":
                for c in unit.records["commitments"]:
                    if c["kind"] == "即时承诺" and c["subject"] in self.members:
                        del c["measures"]
            # The hospital's own 点评意见表 headings, with the reviewed member's answer on 整改.
            if unit.type == "事业单位" and unit.profile == "yiyuan":
                for r in unit.records["reviews"]:
                    if r["target"] not in self.members:
                        continue
                    good = r["rating"] in {"好", "较好"}
                    r["opinion"] = {
                        "sections": [{"heading": h["heading"], "text": rng.choice(h["good"] if good else h["weak"])} for h in OWN_HEADINGS]
                    }
                    if r.get("rectifications") or not good:
                        r["response"] = {
                            "text": rng.choice(RESPONSES),
                            "date": min(LAST_EVENT, r["date"] + dt.timedelta(days=rng.randint(2, 5))),
                        }
            for a in unit.records["appraisals"]:
                self.appraisal_as_published(unit, a)
        self.upward_and_outside()

    def appraisal_as_published(self, unit: Unit, a: dict[str, Any]) -> None:
        rng = self.extra
        if a["target"] in self.members:
            if self.members[a["target"]].probationary:
                a.pop("grade", None)
                a["summary"] += PROBATIONARY_NOTE
            elif unit.id == BALLOTS_COUNTED and "grade" in a:
                votes = grade_votes(a["dimensions"]["exemplary_role"], a["grade"])
                items = {k: a[k] for k in APPRAISAL_ORDER if k in a} | {"grade_votes": votes}
                a.clear()
                a.update({k: items[k] for k in APPRAISAL_ORDER if k in items})
            return
        valid = a["respondents"]["members"] + a["respondents"]["non_members"]
        if unit.type == "窗口单位·服务行业":
            # Published as percentages only, with the service users as their own group and 不了解 counted.
            served = rng.randint(40, 90)
            a["respondents"]["groups"] = [{"name": "服务对象", "count": served}]
            a["percent_only"] = True
            s = a["satisfaction"]
            unknown = rng.randint(1, 4)
            total = sum(s.values()) + unknown
            shares = {k: round(100 * v / total, 1) for k, v in s.items()}
            shares["unknown"] = round(100 - sum(shares.values()), 1)
            a["satisfaction"] = shares
            a["summary"] = f"发放测评表 {valid + served} 份（含服务对象 {served} 份）。原件只公布百分比。"
        elif unit.type == "社区":
            # 不了解 and void ballots on the questionnaire.
            s = a["satisfaction"]
            moved = min(s["satisfied"], rng.randint(2, 5))
            s["satisfied"] -= moved
            s["unknown"] = moved
            invalid = rng.randint(1, 3)
            a["respondents"]["non_members"] += invalid
            a["invalid"] = invalid
            rest = a["summary"].split("。", 1)[1]
            a["summary"] = f"收回评议表 {valid + invalid} 份，其中无效 {invalid} 份，选「不了解」的 {moved} 份。{rest}"
        if unit.kind in {"党委", "党总支"} and a["date"].month == 12:
            # The year-end appraisal of a committee, item by item over the 五个好.
            a["five_good"] = {key: self.spread(valid, unit.perf) for key in FIVE_GOOD_KEYS}
        if "逐条答复" in a.get("summary", ""):
            collected = rng.randint(8, 40)
            merged = rng.randint(max(1, collected // 4), max(2, collected // 2))
            a["opinions"] = {"collected": collected, "merged": merged, "answered": merged - rng.choice([0, 0, 1])}
        if a.get("percent_only") and "five_good" in a:
            del a["five_good"]
        order = [*APPRAISAL_ORDER, *(k for k in a if k not in APPRAISAL_ORDER)]
        items = {k: a[k] for k in order if k in a}
        a.clear()
        a.update(items)

    def spread(self, total: int, q: float) -> dict[str, int]:
        weights = [0.2 + 0.65 * q, 0.45 - 0.25 * q, 0.25 - 0.22 * q, 0.1 * (1 - q) + 0.004]
        votes = Counter(self.extra.choices(range(4), weights, k=total))
        return {key: votes[i] for i, key in enumerate(SATISFACTION_KEYS)}

    def upward_and_outside(self) -> None:
        """Titles beyond the notice's three: a 拟推荐对象 sent up to the 兵团, and a nominee from outside the data."""
        shi, hongliu = self.units["shi"], self.units["tuan-hongliu"]
        tiers = {"shi": "师局级", "tuan": "团处级"}
        for unit in self.units.values():
            for h in unit.records["commendations"]:
                tier = tiers.get(unit.profile, "基层")
                h["tier"] = tier
                # the key goes right after the title, as the 公示 sheet reads
                items = list(h.items())
                h.clear()
                for k, v in items:
                    if k != "tier":
                        h[k] = v
                    if k == "title":
                        h["tier"] = tier
        awarded = [h for h in shi.records["commendations"] if h["title"] == "优秀共产党员" and h["status"] == "已表彰"]
        best = self.members[awarded[0]["nominee"]]
        up = self.commendation(shi, UPWARD["title"], best, "公示中", {"start": d("12-13"), "working_days": 5})
        up["deeds"] = up["deeds"].rstrip("\n") + UPWARD["deeds"] + "\n"
        items = list(up.items())
        up.clear()
        for k, v in items:
            if k == "nominated_by":  # where the model has it
                up["recommended_to"] = UPWARD["to"]
            up[k] = v
            if k == "title":
                up["tier"] = "省部级"
        shi.records["commendations"].append(up)
        outside = {
            "id": hongliu.next_id("h"),
            "year": YEAR,
            "title": OUTSIDE_NOMINEE["title"],
            "tier": OUTSIDE_NOMINEE["tier"],
            "external": {k: str(v) for k, v in OUTSIDE_NOMINEE["external"].items()},
            "nominated_by": hongliu.id,
            "deeds": OUTSIDE_NOMINEE["deeds"],
            "publicity": {"start": d("06-13"), "working_days": 5},
            "status": "已表彰",
            "decided": d("06-21"),
            "decision": OUTSIDE_NOMINEE["decision"],
        }
        hongliu.records["commendations"].append(outside)


def objected(record: dict[str, Any], objection: dict[str, Any]) -> None:
    """Add an objection, keeping the fields in the order of the 公示 sheet (objections before status)."""
    objections = [*record.get("objections", []), objection]
    items = [(k, v) for k, v in record.items() if k != "objections"]
    at = next(i for i, (k, _) in enumerate(items) if k == "status")
    record.clear()
    record.update([*items[:at], ("objections", objections), *items[at:]])


# ---------------------------------------------------------------- writing YAML


class Dumper(yaml.SafeDumper):
    """Block style with indented lists, Markdown as literal blocks, never anchors (cxzy refuses them)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


Dumper.add_representer(str, _represent_str)


def render(kind: layout.FileKind, rel: str, body: dict[str, Any]) -> str:
    """One data file at `rel`: the schema modeline, then the body, a blank line between top-level records."""
    text = yaml.dump(body, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False)
    text = re.sub(r"(?<!:)\n(  - )", r"\n\n\1", text)
    modeline = f"# yaml-language-server: $schema={'../' * (rel.count('/') + 1)}schemas/{kind.key}.schema.json\n"
    return modeline + text


def finish(records: list[dict[str, Any]], default: str) -> list[dict[str, Any]]:
    """Move internal `_audience` marks into `audience` (right after `id`) where they differ from the file's."""
    out = []
    for record in records:
        audience, to = record.get("_audience") or PUBLIC, record.get("_audience_to")
        clean = {"id": record["id"]}
        if audience != default:
            clean["audience"] = audience
        if to:
            clean["audience_to"] = to
        clean.update((k, v) for k, v in record.items() if not k.startswith("_") and k != "id")
        out.append(clean)
    return out


def file_default(records: list[dict[str, Any]]) -> str:
    counts = Counter(r.get("_audience") or PUBLIC for r in records)
    return max(counts, key=lambda a: (counts[a], a == PUBLIC))


def unit_file(unit: Unit) -> dict[str, Any]:
    body: dict[str, Any] = {"id": unit.id, "name": unit.name, "short_name": unit.short, "kind": unit.kind, "type": unit.type}
    if unit.parent:
        body["parent"] = unit.parent.id
    body["secretary"] = unit.secretary.id
    body["approvers"] = APPROVERS.get(unit.id, [f"{unit.prefix}-dangwu"])
    if unit.id in UNIT_CONTACTS:
        body["contact"] = UNIT_CONTACTS[unit.id]
    if unit.id in OBJECTION_CONTACTS:
        body["objection_contact"] = OBJECTION_CONTACTS[unit.id]
    if unit.id in DESCRIPTIONS:
        body["description"] = DESCRIPTIONS[unit.id]
    return body


def member_entry(member: Member) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": member.id, "name": member.name, "gender": "女" if member.female else "男"}
    entry["ethnicity"] = member.ethnicity
    entry["born"] = member.born
    entry["post"] = member.post
    if member.duties:
        entry["duties"] = member.duties
    entry["roles"] = list(member.roles)
    entry["joined"] = f"{member.joined}-{member.joined_month:02d}"
    if member.probationary:
        entry["probationary"] = True
    return entry


def files(gen: Generator) -> dict[Path, str]:
    """Every file of the data set: path relative to data/ (as `layout` places it) → text."""
    texts = {layout.SITE.path(): render(layout.SITE, layout.SITE.path(), SITE)}
    for unit in gen.units.values():
        bodies: list[tuple[layout.FileKind, dict[str, Any]]] = [
            (layout.UNIT_FILE, unit_file(unit)),
            (layout.MEMBERS_FILE, {"members": [member_entry(m) for m in unit.members]}),
        ]
        for kind, records in unit.records.items():
            if records:
                default = file_default(records)
                file = layout.FILES[kind]
                bodies.append((file, {"audience": default, str(file.list_key): finish(records, default)}))
        for file, body in bodies:
            rel = file.path(unit.id, YEAR)
            texts[rel] = render(file, rel, body)
    return {Path(rel): text for rel, text in texts.items()}


# ---------------------------------------------------------------- what the demo must show


def coverage(gen: Generator) -> list[str]:
    """The cases issue #2 asks the demo data to show; any missing one is named."""
    units, members = list(gen.units.values()), list(gen.members.values())
    rec = {k: [r for u in units for r in u.records[k]] for k in ("commitments", "reviews", "appraisals", "commendations")}
    june, december = d("06-28"), d("12-20")

    def open_late(c: dict[str, Any], today: dt.date) -> bool:
        return "outcome" not in c and c["deadline"] < today and c["proposed"] <= today

    rect = [x | {"_date": r["date"]} for r in rec["reviews"] for x in r.get("rectifications", [])]
    wants = {
        "at least 3 团场": sum(u.profile == "tuan" for u in units) >= 3,
        "at least 15 grassroots organisations": sum(u.parent is not None for u in units) >= 15,
        "all six unit types": {u.type for u in units} == set(FOCUS_BY_TYPE),
        "at least 200 members": len(members) >= 200,
        "all commitment kinds": {c["kind"] for c in rec["commitments"]} == {"年度承诺", "即时承诺", "任期承诺"},
        "all outcomes": {c["outcome"]["result"] for c in rec["commitments"] if "outcome" in c} == {"已完成", "部分完成", "未完成"},
        "an objective reason": any(c.get("outcome", {}).get("objective") is True for c in rec["commitments"]),
        "a 补课": any("remedial" in c for c in rec["commitments"]),
        "more than one 未完成": sum(c.get("outcome", {}).get("result") == "未完成" for c in rec["commitments"]) >= 2,
        "open, deadline ahead": any("outcome" not in c and c["deadline"] > december for c in rec["commitments"]),
        "overdue on 2011-06-28": sum(open_late(c, june) for c in rec["commitments"]) >= 2,
        "overdue on 2011-12-20": sum(open_late(c, december) for c in rec["commitments"]) >= 4,
        "all review forms": {r["form"] for r in rec["reviews"]} == {"集中点评", "个别点评", "现场点评", "随机点评"},
        "rectification done": any(x["status"] == "已完成" for x in rect),
        "rectification 未开始": any(x["status"] == "未开始" for x in rect),
        "rectifications overdue on 2011-06-28": sum(x["status"] != "已完成" and x["_date"] <= june and x["deadline"] < june for x in rect)
        >= 3,
        "all appraisal methods": {a["method"] for a in rec["appraisals"]} == {"会议", "问卷调查", "入户走访"},
        "all grades": {a["grade"] for a in rec["appraisals"] if "grade" in a} == {"优秀", "合格", "基本合格", "不合格"},
        "grade votes counted": any("grade_votes" in a for a in rec["appraisals"]),
        "every title in every status": {(h["title"], h["status"]) for h in rec["commendations"]}
        >= {(t, s) for t in ("先进基层党组织", "优秀共产党员", "优秀党务工作者") for s in ("推荐", "公示中", "已表彰", "撤销")},
        "公示中 on 2011-06-28": any(
            h["status"] == "公示中"
            and h["publicity"]["start"] <= june <= h["publicity"].get("end", h["publicity"]["start"] + dt.timedelta(days=6))
            for h in rec["commendations"]
        ),
        "a 预备党员, not graded": any(m.probationary for m in members)
        and all("grade" not in a for a in rec["appraisals"] if a["target"] in gen.members and gen.members[a["target"]].probationary),
        "a signed and checked pledge": any("signed" in c and "branch_check" in c for c in rec["commitments"]),
        "a commitment without measures": any("measures" not in c for c in rec["commitments"]),
        "a 点评意见表 with its own headings": any("sections" in r["opinion"] for r in rec["reviews"]),
        "a member's answer on 整改": any("response" in r for r in rec["reviews"]),
        "a percentage-only result": any(a.get("percent_only") for a in rec["appraisals"]),
        "不了解 and void ballots": any("unknown" in a.get("satisfaction", {}) and "invalid" in a for a in rec["appraisals"]),
        "another respondent group": any(a["respondents"].get("groups") for a in rec["appraisals"]),
        "opinions counted": any("opinions" in a for a in rec["appraisals"]),
        "五个好 item by item": any("five_good" in a for a in rec["appraisals"]),
        "a nominee from outside the data": any("external" in h for h in rec["commendations"]),
        "a nomination sent upward": any("recommended_to" in h for h in rec["commendations"]),
        "windows by end and by working days": {("end" in h["publicity"]) for h in rec["commendations"] if "publicity" in h}
        == {True, False},
        "every audience": {r.get("_audience") or PUBLIC for k in rec for r in rec[k]} == {PUBLIC, PARTY, UNIT_ONLY, SPECIFIC},
    }
    for unit in units:
        grades = Counter(a["grade"] for a in unit.records["appraisals"] if "grade" in a)
        if grades and grades["优秀"] * 3 > sum(grades.values()):
            wants[f"优秀 at most a third in {unit.id}"] = False
    return [name for name, ok in wants.items() if not ok]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the demo data set (default: data/ of this repository).")
    parser.add_argument("--out", type=Path, default=DATA, help="the data folder to write (its units/ is replaced)")
    out: Path = parser.parse_args(argv).out
    gen = Generator()
    gen.build()
    missing = coverage(gen)
    if missing:
        print("demo data does not show: " + "; ".join(missing), file=sys.stderr)
        return 1
    texts = files(gen)
    size = sum(len(t.encode("utf-8")) for t in texts.values())
    if size > 2_000_000:
        print(f"demo data is {size} bytes, over the 2 MB budget", file=sys.stderr)
        return 1
    if (out / "units").exists():
        shutil.rmtree(out / "units")
    for rel, text in texts.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    for rel, source in gen.photos.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(source.read_bytes())
    counts = Counter(k for u in gen.units.values() for k, rs in u.records.items() for _ in rs)
    print(
        f"wrote {len(texts)} files ({size // 1024} KiB) and {len(gen.photos)} photos to {out}/: {len(gen.units)} units, {len(gen.members)} members, "
        + ", ".join(f"{counts[k]} {k}" for k in ("commitments", "reviews", "appraisals", "commendations"))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
