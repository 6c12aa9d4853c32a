#!/usr/bin/env python3
"""Convert the Hugo yardstick's neutral data set (../shared/bench/hugo/gen_data.py output,
one `units/<id>.yaml` per unit) into a cxzy data folder, so both tools build the same records.

    python bench/convert.py SRC_DIR OUT_DATA_DIR
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: object) -> bool:  # cxzy refuses anchors and aliases
        return True


TYPES = {"窗口单位": "窗口单位·服务行业"}
FOCUS = {
    "团场连队": "带头致富",
    "社区": "服务社区群众",
    "企业": "完成生产经营任务",
    "机关": "改进作风",
    "事业单位": "提高效能",
    "窗口单位·服务行业": "提高服务水平",
}
ROLES = {"党支部书记": ["书记"], "党支部副书记": ["副书记"], "组织委员": ["委员"], "宣传委员": ["委员"], "纪检委员": ["委员"]}
FORMS = {"书面点评": "个别点评", "现场点评": "现场点评", "会议点评": "集中点评", "线上点评": "随机点评"}


def dump(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def thirds(text: str) -> tuple[str, str, str]:
    parts = [s for s in text.split("。") if s]
    n = max(1, len(parts) // 3)
    chunks = ["。".join(parts[:n]), "。".join(parts[n : 2 * n]), "。".join(parts[2 * n :]) or parts[-1]]
    return tuple(c + "。" for c in chunks)  # type: ignore[return-value]


def convert_unit(src: dict, out: Path) -> str | None:
    uid = src["id"]
    utype = TYPES.get(src["type"], src["type"])
    folder = out / "units" / uid
    members = src.get("members") or []
    secretary = next((m["id"] for m in members if m["role"] == "党支部书记"), None)
    unit = {"id": uid, "name": src["name"], "kind": "党委" if src["level"] < 2 else "党支部", "type": utype}
    if src.get("parent"):
        unit["parent"] = src["parent"]
    if secretary:
        unit["secretary"] = secretary
    dump(folder / "unit.yaml", unit)
    dump(
        folder / "members.yaml",
        {"members": [{"id": m["id"], "name": m["name"], "roles": ROLES.get(m["role"], ["党员"])} for m in members]},
    )
    by_year: dict[str, dict[str, list]] = {}
    for m in members:
        for c in m.get("commitments") or []:
            deadline = dt.date.fromisoformat(c["deadline"])
            proposed = min(dt.date(deadline.year, 1, 2), deadline)
            record = {
                "id": c["id"],
                "kind": "年度承诺",
                "subject": m["id"],
                "focus": [FOCUS[utype]],
                "title": c["title"],
                "measures": c["body"],
                "proposed": proposed,
                "deadline": deadline,
                "publicized": {"date": proposed, "how": "公开栏"},
            }
            if c["status"] == "已完成":
                record["outcome"] = {"result": "已完成", "date": deadline}
            by_year.setdefault(str(proposed.year), {}).setdefault("commitments", []).append(record)
    for i, r in enumerate(src.get("reviews") or [], 1):
        date = dt.date.fromisoformat(r["date"])
        achievements, problems, direction = thirds(r["opinion"])
        by_year.setdefault(str(date.year), {}).setdefault("reviews", []).append(
            {
                "id": f"{uid}-r{i}",
                "date": date,
                "form": FORMS.get(r["form"], "个别点评"),
                "reviewer": {"name": r["reviewer"], "title": r["reviewer_title"]},
                "target": uid,
                "opinion": {"achievements": achievements, "problems": problems, "direction": direction},
                "signature": {"by": r["reviewer"], "date": date},
            }
        )
    a = src.get("appraisal")
    if a:
        total = a["satisfied"] + a["basically_satisfied"] + a["dissatisfied"]
        year = max(by_year) if by_year else "2025"
        by_year.setdefault(year, {}).setdefault("appraisals", []).append(
            {
                "id": f"{uid}-a",
                "target": uid,
                "date": dt.date(int(year), 12, 20),
                "method": "问卷调查",
                "respondents": {"members": 0, "non_members": total},
                "satisfaction": {
                    "satisfied": a["satisfied"],
                    "fairly_satisfied": 0,
                    "basically_satisfied": a["basically_satisfied"],
                    "dissatisfied": a["dissatisfied"],
                },
            }
        )
    for year, kinds in by_year.items():
        for kind, records in kinds.items():
            dump(folder / year / f"{kind}.yaml", {kind: records})
    return None if src.get("parent") else uid


def main(src_dir: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    root = None
    for path in sorted((src_dir / "units").glob("*.yaml")):
        root = convert_unit(yaml.load(path.read_text(encoding="utf-8"), Loader=Loader), out) or root
    dump(
        out / "site.yaml",
        {
            "title": "基准测试站点",
            "root_unit": root,
            "campaign_year": 2025,
            "contact": {"office": "组织部", "phone": "0999-0000000"},
        },
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
