"""What the attacker's files of issue 22 cost to refuse: CPU seconds, wall time and peak memory
of the reading child, medians of repeated runs, each file sent as an upload is (parse_return's
child, with the default limits).

    .venv/bin/python -m tests.bench_hostile              # the figures in docs/reading.md
    .venv/bin/python -m tests.bench_hostile --runs 5 --tree /path/to/an/older/checkout

`--tree` reads with another checkout's etl/ (the same fixtures): how to measure the reader of
before. CPU is the child's own (user + system, from the kernel's accounting of children).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = [
    "many-far-sheets.xlsx",
    "many-far-sheets.ods",
    "many-far-sheets.xls",
    "fifty-far-sheets.xlsx",
    "decoy-id-far-cell.xlsx",
    "far-cell.xls",
    "long-cell.xlsx",
    "million-spaces.ods",
]


def measure(path: Path, runs: int) -> tuple[float, float, float, str]:
    sandbox = importlib.import_module("etl.reading.sandbox")
    limits = importlib.import_module("etl.reading.limits").ReadLimits()
    programme = importlib.import_module("etl.programmes").TCAM
    content = path.read_bytes()
    cpu, wall, peak, said = [], [], [], ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        run = sandbox.run_child([(path.name, content)], programme, limits, dt.date(2026, 11, 22))
        wall.append(time.monotonic() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        peak.append(run.peak_rss_kb / 1024)
        said = run.failure or (run.results[0].problems[0].message if run.results[0].problems else "accepted")
    return statistics.median(cpu), statistics.median(wall), statistics.median(peak), said


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--tree", type=Path, help="another checkout whose etl/ reads the files")
    args = options.parse_args()
    if args.tree:
        sys.path.insert(0, str(args.tree.resolve()))
    print(f"median of {args.runs} runs; etl from {importlib.import_module('etl').__file__}\n")
    print("| file | size | CPU s | wall s | peak MB | refused with |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in FILES:
        path = HERE / "fixtures" / "hostile" / name
        cpu, wall, peak, said = measure(path, args.runs)
        print(f"| {name} | {path.stat().st_size / 1024:,.0f} KB | {cpu:.2f} | {wall:.2f} | {peak:.0f} | {said[:90]} |")


if __name__ == "__main__":
    main()
