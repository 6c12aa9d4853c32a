"""CODEOWNERS from the unit tree: a change to a unit's folder needs an approver of that unit or of a superior one.

Written in each forge's own syntax — GitHub and GitLab take gitignore-style paths (`/data/units/x/`, the last
matching line wins), Gitea takes Go regular expressions anchored at both ends (`data/units/x/.*`, every
matching line adds owners) — between two marker lines, so rules of your own outside them are kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from cxzy_gen.git.plumbing import locate
from cxzy_gen.problems import Problem, Severity
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.layout import unit_dir
from cxzy_gen.records.validate import display_path

FLAVORS = ("github", "gitlab", "gitea")
# Where each forge looks (first found wins); `cxzy validate` checks all of these.
LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", ".gitea/CODEOWNERS", "docs/CODEOWNERS")
DEFAULT_OUT = {"github": ".github/CODEOWNERS", "gitlab": "CODEOWNERS", "gitea": "CODEOWNERS"}
BEGIN = "# BEGIN cxzy codeowners"
END = "# END cxzy codeowners"
_FLAVOR_NOTE = re.compile(r"格式：(github|gitlab|gitea)")


def owners_by_unit(ds: Dataset) -> dict[str, list[str]]:
    """Each unit's approvers followed by those of its superiors up to the root, without repeats."""
    result: dict[str, list[str]] = {}
    for unit_id in sorted(ds.units):
        chain: list[str] = []
        seen: set[str] = set()
        current: str | None = unit_id
        while current is not None and current in ds.units and current not in seen:
            seen.add(current)
            chain.extend(ds.units[current].approvers)
            current = ds.units[current].parent
        result[unit_id] = list(dict.fromkeys(chain))
    return result


def _pattern(flavor: str, folder: str) -> str:
    """The pattern for everything under `folder` (repository-relative, no slashes at the ends; "" the whole repository)."""
    if not folder:
        return ".*" if flavor == "gitea" else "*"
    if flavor == "gitea":
        return re.sub(r"([.+*?()|\[\]{}^$\\])", r"\\\\\1", folder) + "/.*"
    return f"/{folder}/"


def rules(ds: Dataset, flavor: str, prefix: str = "data") -> list[tuple[str, list[str], str]]:
    """(pattern, owners, comment) for the data folder and each unit folder, least specific first."""
    root = ds.units.get(ds.site.root_unit)
    out: list[tuple[str, list[str], str]] = []
    if root is not None and root.approvers:
        out.append((_pattern(flavor, prefix), root.approvers, f"站点设置和新建的单位：{root.name}的审批人"))
    for unit_id, owners in owners_by_unit(ds).items():
        out.append(
            (
                _pattern(flavor, f"{prefix}/{unit_dir(unit_id)}" if prefix else unit_dir(unit_id)),
                owners,
                f"{ds.units[unit_id].name}（{unit_id}）",
            )
        )
    return out


def render(ds: Dataset, flavor: str, prefix: str = "data") -> str:
    """The cxzy block of a CODEOWNERS file, marker lines included."""
    out = DEFAULT_OUT[flavor]
    lines = [
        BEGIN,
        f"# 由 cxzy codeowners 生成（格式：{flavor}），请勿手工修改这两行标记之间的内容：",
        f"# 改各单位 unit.yaml 的 approvers 后运行 cxzy codeowners --flavor {flavor} --out {out}",
        "# 每个单位文件夹的修改，须由本单位或上级党组织的审批人批准。",
    ]
    for pattern, owners, comment in rules(ds, flavor, prefix):
        lines.append(f"# {comment}")
        lines.append(f"{pattern} {' '.join('@' + o for o in owners)}" if owners else f"# {pattern} —— 本单位和上级都没有设置审批人")
    lines.append(END)
    return "\n".join(lines) + "\n"


def merge_into(existing: str, block: str) -> str:
    """Replace the cxzy block in an existing file, or append it, keeping every other line."""
    if BEGIN in existing and END in existing:
        head, _, rest = existing.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block.rstrip("\n") + tail if tail.strip() else head + block
    return (existing.rstrip("\n") + "\n\n" if existing.strip() else "") + block


def write(ds: Dataset, data_dir: Path, flavor: str, out: Path) -> Path:
    """Write (or update) a CODEOWNERS file; returns its path."""
    prefix = locate(data_dir).prefix
    existing = out.read_text(encoding="utf-8") if out.is_file() else ""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(merge_into(existing, render(ds, flavor, prefix)), encoding="utf-8")
    return out


def _data_rules(text: str, prefix: str) -> list[tuple[str, tuple[str, ...]]]:
    """The rules of a CODEOWNERS file that concern the data folder, in order."""
    found = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if len(parts) >= 2 and (not prefix or parts[0].lstrip("/").startswith(prefix + "/")):
            found.append((parts[0], tuple(parts[1:])))
    return found


def _flavor_of(rel: str, text: str) -> str:
    note = _FLAVOR_NOTE.search(text)
    if note:
        return note.group(1)
    for flavor in FLAVORS:
        if rel.startswith(f".{flavor}/"):
            return flavor
    return "gitea" if "/.*" in text else "github"


def check_codeowners(ds: Dataset, data_dir: Path) -> list[Problem]:
    """A warning for each CODEOWNERS file whose data rules differ from the units' approvers."""
    where = locate(data_dir)
    root, prefix = where.root, where.prefix
    problems = []
    for rel in LOCATIONS:
        path = root / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        flavor = _flavor_of(rel, text)
        actual = _data_rules(text, prefix)
        expected = [(p, tuple(f"@{o}" for o in owners)) for p, owners, _ in rules(ds, flavor, prefix) if owners]
        if actual == expected:
            continue
        wrong = [p for p, owners in expected if (p, owners) not in actual] + [p for p, _ in actual if p not in dict(expected)]
        shown = "、".join(wrong[:3]) + (" 等" if len(wrong) > 3 else "")
        problems.append(
            Problem(
                display_path(path),
                1,
                1,
                "E-CODEOWNERS",
                f"CODEOWNERS 与各单位 unit.yaml 里的审批人不一致（{shown or '规则顺序不同'}）"
                f"（提示：运行 cxzy codeowners --flavor {flavor} --out {rel} 后一起提交）",
                Severity.WARNING,
            )
        )
    return problems
