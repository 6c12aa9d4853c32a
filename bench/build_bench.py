#!/usr/bin/env python3
"""Cold-build speed and memory of `cxzy build` against Hugo, on the same records, in one run.

    python bench/build_bench.py [--units 1000] [--members 25] [--write docs/benchmarks.md]

1. Runs the Hugo yardstick (../shared/bench/hugo/run.sh UNITS MEMBERS): it generates a
   synthetic data set into /tmp/hugobench-UNITS-MEMBERS and times a cold Hugo build.
2. Converts that data set into a cxzy data folder (bench/convert.py): the same units,
   members, commitments (Markdown bodies), reviews and appraisal tallies.
3. Times `cxzy validate` and a cold `cxzy build` of it, each in a fresh process, with
   /usr/bin/time for wall time and peak memory; repeats each measurement and keeps the median.
4. Prints the figures and the ratio cxzy/Hugo, and with --write appends them to the
   benchmark page together with the command that reproduces them.
Machines differ: compare the ratio, measured in one run, not seconds across machines.
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
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("CXZY_SHARED", REPO.parent / "shared"))


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run `cmd` under /usr/bin/time -v: (wall seconds, peak MB, its stdout+stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        run = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *cmd], cwd=cwd, capture_output=True, text=True)
        text = Path(report.name).read_text()
    if run.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    assert wall, text
    hours, minutes, seconds = int(wall.group(1) or 0), int(wall.group(2)), float(wall.group(3))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))  # type: ignore[union-attr]
    return hours * 3600 + minutes * 60 + seconds, peak_kb / 1024, run.stdout + run.stderr


def hugo(units: int, members: int) -> tuple[Path, int, float, float]:
    """Run the shared Hugo yardstick; returns (neutral data dir, pages, wall s, peak MB)."""
    script = SHARED / "bench" / "hugo" / "run.sh"
    if not script.is_file():
        sys.exit(f"the Hugo yardstick is not at {script} (set CXZY_SHARED to the shared/ folder)")
    env = {**os.environ, "FLOOR": "0"}
    out = subprocess.run(["bash", str(script), str(units), str(members)], env=env, capture_output=True, text=True)
    print(out.stdout, end="")
    if out.returncode != 0:
        sys.exit(out.stderr)
    m = re.search(r"hugo: pages=(\d+) wall_s=([\d.]+) ms_per_page=\S+ peak_MB=(\d+) rc=0", out.stdout)
    if not m:
        sys.exit("could not read Hugo's figures:\n" + out.stdout)
    return Path(f"/tmp/hugobench-{units}-{members}"), int(m.group(1)), float(m.group(2)), float(m.group(3))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--members", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is kept")
    ap.add_argument("--write", type=Path, help="append the results to this Markdown page")
    args = ap.parse_args()

    src, hugo_pages, hugo_wall, hugo_mb = hugo(args.units, args.members)
    work = Path(tempfile.mkdtemp(prefix="cxzybench-"))
    data = work / "data"
    subprocess.run([sys.executable, str(HERE / "convert.py"), str(src), str(data)], check=True)
    cxzy = [sys.executable, "-m", "cxzy_gen"]

    validations, builds = [], []
    for _ in range(args.repeat):
        validations.append(timed([*cxzy, "validate", "--data", str(data)], cwd=REPO))
        shutil.rmtree(work / "public", ignore_errors=True)
        builds.append(timed([*cxzy, "build", "--data", str(data), "--out", str(work / "public"), "--today", "2025-12-31"], cwd=REPO))
    v_wall = statistics.median(w for w, _, _ in validations)
    v_mb = max(mb for _, mb, _ in validations)
    b_wall = statistics.median(w for w, _, _ in builds)
    b_mb = max(mb for _, mb, _ in builds)
    pages = sum(1 for _ in (work / "public").rglob("*.html"))
    shutil.rmtree(work)

    rows = [
        ("Hugo (reference, unit pages + home + honour roll)", hugo_pages, hugo_wall, hugo_mb),
        ("cxzy validate", 0, v_wall, v_mb),
        ("cxzy build (validate + every page of the site)", pages, b_wall, b_mb),
    ]
    print(f"\n== {args.units} units x ~{args.members} members, {os.cpu_count()} cores")
    for name, n, wall, mb in rows:
        print(f"   {name}: pages={n} wall_s={wall:.2f} peak_MB={mb:.0f}")
    ratio = b_wall / hugo_wall
    per_page = (b_wall / pages * 1000) / (hugo_wall / hugo_pages * 1000)
    print(f"   ratio cxzy build / Hugo: {ratio:.2f}x wall, {per_page:.2f}x per page, {b_mb / hugo_mb:.2f}x memory")

    if args.write:
        command = f"python bench/build_bench.py --units {args.units} --members {args.members} --repeat {args.repeat} --write {args.write}"
        lines = [
            "",
            f"## {dt.date.today()} — {args.units} units × ~{args.members} members",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
            f"Medians of {args.repeat} cold runs, each a fresh process. Reproduce with `{command}`.",
            "",
            "| what | pages | wall s | peak MB |",
            "|---|---:|---:|---:|",
            *(f"| {name} | {n or '—'} | {wall:.2f} | {mb:.0f} |" for name, n, wall, mb in rows),
            "",
            f"cxzy build / Hugo: **{ratio:.2f}×** wall time for the whole build, {per_page:.2f}× per page, "
            f"{b_mb / hugo_mb:.2f}× peak memory.",
            "",
        ]
        with args.write.open("a", encoding="utf-8") as page:
            page.write("\n".join(lines))
        print(f"   appended to {args.write}")


if __name__ == "__main__":
    main()
