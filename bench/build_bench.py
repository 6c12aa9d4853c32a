#!/usr/bin/env python3
"""Speed and memory of `cxzy validate` and `cxzy build` against Hugo, measured in one run on one machine.

    python bench/build_bench.py --units 1000 --members 25 [--repeat 3] [--write docs/benchmarks.md]

1. Runs the Hugo yardstick (../shared/bench/hugo/run.sh UNITS MEMBERS, FLOOR=0) --repeat times: it builds the
   yardstick's synthetic records (gen_data.py) cold; the median is the reference every figure is divided by.
2. Writes a board of the same shape with `cxzy demo` (the same generator vocabulary, plus commendations,
   rectifications and a git history) into /tmp/cxzybench-UNITS-MEMBERS, once; every round starts from its
   committed state (`git checkout` + `git clean` of data/).
3. Times, each in a fresh process, median of --repeat rounds: validate only; a cold build without cache;
   a cold build with a warm cache (.cxzy-cache/ kept, output deleted, as a CI runner that keeps the cache);
   a rebuild with nothing changed; after changing one commitment in one unit's file, and after changing it again
   (the second finds the output before last kept in the cache, as every later rebuild does); after adding a unit;
   after changing a template (the site's base.html override, which every page uses).
   Memory is the peak of the whole process tree (the sum of every process's RSS, sampled every 50 ms:
   an upper bound, since forked workers share pages) and of the largest single process.
4. Prints the figures with their ratio to Hugo's cold build and, with --write, puts them into the benchmark
   page (replacing the section for the same scale) with the machine and the command that reproduces them.
Machines differ: compare the ratios, measured in one run, not seconds across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# ../shared beside the repository (or beside a folder above it, for a git worktree); CXZY_SHARED overrides.
SHARED = Path(
    os.environ.get("CXZY_SHARED")
    or next((p / "shared" for p in REPO.parents if (p / "shared" / "bench" / "hugo" / "run.sh").is_file()), REPO.parent / "shared")
)
TODAY = "2025-12-31"  # the demo's campaign year seen whole
SCENARIOS = {
    "validate": "cxzy validate (validation only)",
    "cold": "cold build, no cache",
    "warm": "cold build, warm cache (.cxzy-cache/ kept, output deleted)",
    "nothing": "rebuild, nothing changed",
    "commitment": "rebuild, one commitment changed in one unit's file",
    "again": "rebuild, that commitment changed again (the output before last kept in the cache: the steady state)",
    "unit": "rebuild, a unit added",
    "template": "rebuild, a template changed (the base.html override every page uses)",
}
OVERRIDE = '{% extends "default:base.html" %}\n{% block footer %}{{ super() }}<p class="bench">VARIANT</p>{% endblock %}\n'


@dataclass
class Run:
    wall: float
    tree_mb: float  # peak of the sum of RSS over the process tree
    largest_mb: float  # peak RSS of the largest single process
    output: str = ""


@dataclass
class Figures:
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, name: str, run: Run) -> None:
        self.runs.setdefault(name, []).append(run)

    def wall(self, name: str) -> float:
        return statistics.median(r.wall for r in self.runs[name])

    def tree_mb(self, name: str) -> float:
        return max(r.tree_mb for r in self.runs[name])

    def largest_mb(self, name: str) -> float:
        return max(r.largest_mb for r in self.runs[name])


def _tree_rss_kb(root: int) -> int:
    """The summed RSS of `root` and every process below it, read from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], cwd: Path, check: bool = True) -> Run:
    """Run `cmd`, sampling its process tree's memory; wall seconds and peaks."""
    # no progress output; the cxzy of this checkout, whatever is installed
    env = {**os.environ, "CI": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{output[-3000:]}")
    return Run(wall, peak[0] / 1024, usage.ru_maxrss / 1024, output)


def hugo(units: int, members: int, repeat: int) -> tuple[int, list[float], float, str]:
    """Run the shared Hugo yardstick `repeat` times: (pages, wall seconds of each run, peak MB, version line)."""
    script = SHARED / "bench" / "hugo" / "run.sh"
    if not script.is_file():
        sys.exit(f"the Hugo yardstick is not at {script} (set CXZY_SHARED to the shared/ folder)")
    walls, peak, pages, version = [], 0.0, 0, ""
    for _ in range(repeat):
        out = subprocess.run(
            ["bash", str(script), str(units), str(members)], env={**os.environ, "FLOOR": "0"}, capture_output=True, text=True
        )
        if out.returncode != 0:
            sys.exit(out.stdout + out.stderr)
        found = re.search(r"hugo: pages=(\d+) wall_s=([\d.]+) ms_per_page=\S+ peak_MB=(\d+) rc=0", out.stdout)
        if not found:
            sys.exit("could not read Hugo's figures:\n" + out.stdout)
        pages, peak = int(found.group(1)), max(peak, float(found.group(3)))
        walls.append(float(found.group(2)))
        version = next((m.group(0) for m in [re.search(r"v\d+\.\d+\.\d+", out.stdout)] if m), version)
        print(f"   hugo: {walls[-1]:.2f} s, {found.group(3)} MB", flush=True)
    return pages, walls, peak, version


def board(units: int, members: int) -> Path:
    """The demo board for this scale, written once and reused (it is deterministic)."""
    repo = Path(f"/tmp/cxzybench-{units}-{members}")
    if not (repo / ".done").is_file():
        shutil.rmtree(repo, ignore_errors=True)
        print(f"== cxzy demo --units {units} --members {members} --out {repo}", flush=True)
        run = timed([sys.executable, "-m", "cxzy_gen", "demo", "--units", str(units), "--members", str(members), "--out", str(repo)], REPO)
        print(f"   {run.output.strip().splitlines()[0]}（{run.wall:.0f} 秒）", flush=True)
        (repo / ".done").write_text("done\n")
    return repo


def restore(repo: Path) -> None:
    """Back to the committed records, whatever a scenario changed."""
    subprocess.run(["git", "checkout", "-q", "--", "data"], cwd=repo, check=True)
    subprocess.run(["git", "clean", "-qfd", "--", "data"], cwd=repo, check=True)


def change_one_commitment(repo: Path, round_: int) -> None:
    path = repo / "data" / "units" / "u00007" / "2025" / "commitments.yaml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"^  title: (.*)$", text, re.MULTILINE)
    assert first, path
    path.write_text(text[: first.start(1)] + f"修改后的承诺事项{round_}" + text[first.end(1) :], encoding="utf-8")


def add_unit(repo: Path, round_: int) -> None:
    folder = repo / "data" / "units" / f"added{round_}"
    folder.mkdir()
    (folder / "unit.yaml").write_text(
        f"id: added{round_}\nname: 新成立的第{round_}党支部\nkind: 党支部\ntype: 社区\nparent: u00001\nsecretary: added{round_}-m1\n",
        encoding="utf-8",
    )
    (folder / "members.yaml").write_text(f"members:\n- id: added{round_}-m1\n  name: 新党员\n  roles: [书记]\n", encoding="utf-8")


def measure(repo: Path, repeat: int, chosen: list[str]) -> tuple[Figures, int]:
    """Every scenario `repeat` times; also the number of HTML pages of the cold build."""
    figures, pages = Figures(), 0
    templates = repo / "bench-templates"
    templates.mkdir(exist_ok=True)
    (templates / "base.html").write_text(OVERRIDE.replace("VARIANT", "A"), encoding="utf-8")
    cxzy = [sys.executable, "-m", "cxzy_gen"]
    build = [*cxzy, "build", "--data", "data", "--out", "public", "--today", TODAY, "--templates", str(templates)]
    cache, public = repo / ".cxzy-cache", repo / "public"
    for round_ in range(1, repeat + 1):
        restore(repo)
        print(f"== round {round_}/{repeat}", flush=True)
        steps: list[tuple[str, object]] = [
            ("validate", None),
            ("cold", lambda: (shutil.rmtree(cache, ignore_errors=True), shutil.rmtree(public, ignore_errors=True))),
            ("warm", lambda: shutil.rmtree(public, ignore_errors=True)),
            ("nothing", None),
            ("commitment", lambda r=round_: change_one_commitment(repo, r)),
            ("again", lambda r=round_: change_one_commitment(repo, 1000 + r)),
            ("unit", lambda r=round_: add_unit(repo, r)),
            ("template", lambda r=round_: (templates / "base.html").write_text(OVERRIDE.replace("VARIANT", f"B{r}"), encoding="utf-8")),
        ]
        for name, prepare in steps:
            if name not in chosen:
                continue
            if callable(prepare):
                prepare()
            cmd = [*cxzy, "validate", "--data", "data"] if name == "validate" else build
            run = timed(cmd, repo)
            figures.add(name, run)
            if name == "cold":
                pages = sum(1 for _ in (repo / "public").rglob("*.html"))
            print(f"   {name}: {run.wall:.2f} s, {run.tree_mb:.0f} MB (largest process {run.largest_mb:.0f} MB)", flush=True)
    restore(repo)
    return figures, pages


def section(
    args: argparse.Namespace, figures: Figures, hugo_pages: int, hugo_walls: list[float], hugo_mb: float, version: str, pages: int
) -> str:
    hugo_wall = statistics.median(hugo_walls)
    scale = {1000: "师", 10000: "兵团"}.get(args.units, "")
    command = f"python bench/build_bench.py --units {args.units} --members {args.members} --repeat {args.repeat} --write {args.write}"
    if args.chosen != list(SCENARIOS):
        command += f" --scenarios {','.join(args.chosen)}"
    if args.label:
        command += f" --label {args.label}"
    if args.hugo:
        command += f" --hugo {args.hugo}"
    cpu = _cpu()
    lines = [
        f"<!-- scale {args.units}x{args.members}{':' + args.label if args.label else ''} -->",
        f"## {scale + '规模：' if scale else ''}{args.units} units × ~{args.members} members — {dt.date.today()}"
        + (f" ({args.label})" if args.label else ""),
        "",
        f"Machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores, {_memory_gb():.0f} GB, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end (the machine is shared; compare the ratios). "
        f"Medians of {args.repeat} runs each, every run a fresh process. Reproduce with `{command}`.",
        "",
        f"Hugo {version}, cold, from ../shared/bench/hugo/run.sh on the yardstick's records of the same shape "
        f"(gen_data.py, {args.units} × {args.members}): {hugo_pages} pages, median {hugo_wall:.2f} s "
        f"(runs: {', '.join(f'{w:.2f}' for w in hugo_walls)}), peak {hugo_mb:.0f} MB. cxzy builds {pages} pages from `cxzy demo` "
        "records of that shape (plus commendations, rectifications and a git history shown on the pages).",
        "",
        "| what | wall s | × Hugo cold | peak MB, process tree | peak MB, largest process |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in SCENARIOS.items():
        if name not in figures.runs:
            continue
        wall = figures.wall(name)
        lines.append(f"| {label} | {wall:.2f} | {wall / hugo_wall:.2f}× | {figures.tree_mb(name):.0f} | {figures.largest_mb(name):.0f} |")
    lines += [f"| Hugo, cold (reference) | {hugo_wall:.2f} | 1.00× | {hugo_mb:.0f} | {hugo_mb:.0f} |", ""]
    return "\n".join(lines)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> float:
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return 0.0
    return kb / 1024 / 1024


HEADER = """# Benchmarks

`bench/build_bench.py` measures `cxzy validate` and `cxzy build` against Hugo (the yardstick in
`../shared/bench/hugo/`), in one run on one machine: a cold build, a cold build with a warm cache, and
rebuilds after typical changes. Every figure is also given as a ratio to Hugo's cold build in the same run;
compare the ratios, not seconds across machines. Each section below is replaced when its scale is measured again.
"""


def write_page(path: Path, key: str, text: str) -> None:
    """Put `text` into the page as the section for `key`, keeping the sections for other scales."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    sections = {m.group(1): m.group(0).rstrip() + "\n" for m in re.finditer(r"<!-- scale (\S+) -->.*?(?=<!-- scale |\Z)", old, re.DOTALL)}
    sections[key] = text
    # newest code first within a scale: unlabelled sections (this code), then labelled ones (e.g. "before")
    ordered = sorted(sections.items(), key=lambda kv: ([int(n) for n in kv[0].split(":")[0].split("x")], kv[0]))
    path.write_text(HEADER + "\n" + "\n".join(body for _, body in ordered), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--members", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is kept")
    ap.add_argument("--write", type=Path, help="put the results into this Markdown page (docs/benchmarks.md)")
    ap.add_argument(
        "--hugo",
        metavar="SECONDS:MB:PAGES",
        help="use this Hugo cold build measured earlier on this machine instead of running it again (said so in the page)",
    )
    ap.add_argument("--label", default="", help="keep this section beside the unlabelled one of the same scale (e.g. before)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="which measurements, comma-separated (default: all)")
    args = ap.parse_args()
    args.chosen = [name for name in SCENARIOS if name in args.scenarios.split(",")]

    if args.hugo:
        wall_s, mb_s, pages_s = args.hugo.split(":")
        hugo_pages, hugo_walls, hugo_mb, version = int(pages_s), [float(wall_s)], float(mb_s), "(measured earlier, given with --hugo)"
    else:
        print(f"== Hugo yardstick, {args.units} x {args.members}", flush=True)
        hugo_pages, hugo_walls, hugo_mb, version = hugo(args.units, args.members, args.repeat)
    repo = board(args.units, args.members)
    figures, pages = measure(repo, args.repeat, args.chosen)
    hugo_wall = statistics.median(hugo_walls)
    print(f"\n== {args.units} units x ~{args.members} members, {os.cpu_count()} cores; Hugo cold {hugo_wall:.2f} s, {hugo_pages} pages")
    for name, label in SCENARIOS.items():
        if name not in figures.runs:
            continue
        wall = figures.wall(name)
        print(f"   {name:10} {wall:7.2f} s  {wall / hugo_wall:5.2f}x Hugo  {figures.tree_mb(name):6.0f} MB  ({label})")
    if args.write:
        key = f"{args.units}x{args.members}" + (f":{args.label}" if args.label else "")
        write_page(args.write, key, section(args, figures, hugo_pages, hugo_walls, hugo_mb, version, pages))
        print(f"   written to {args.write}")


if __name__ == "__main__":
    main()
