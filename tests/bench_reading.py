"""How long reading a return takes, in the sandboxed child and without it.

    .venv/bin/python -m tests.bench_reading        # prints the figures for docs/reading.md

Medians of repeated runs on this machine: the child's fixed cost (start, imports, limits,
JSON both ways, with no file), parse_return on normal returns of each kind (the child
included), the same check in-process (what the child adds), and a batch of the 150 demo
returns in one child (what a rebuild does).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

from etl.programmes import TCAM
from etl.reading.check import check_file
from etl.reading.limits import ReadLimits
from etl.reading.sandbox import run_child
from etl.validate import parse_return

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
RUNS = 21


def median_ms(function, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    limits = ReadLimits()
    files = {
        "CSV, 14 trusts (demo)": ROOT / "data" / "demo" / "returns" / "tcam" / "q2_2020_21_wessex.csv",
        ".xlsx, 3 trusts, two sheets, formulas": ROOT / "tests" / "fixtures" / "messy" / "multi-sheet-formulas.xlsx",
        ".ods from LibreOffice, 4 trusts": ROOT / "tests" / "fixtures" / "messy" / "kss-libreoffice.ods",
        ".xls from LibreOffice, 4 trusts": ROOT / "tests" / "fixtures" / "messy" / "kss-libreoffice.xls",
    }
    print(f"median of {RUNS} runs, milliseconds\n")
    print("| what | parse_return (child) | same check in-process | child adds |")
    print("| --- | --- | --- | --- |")
    empty = median_ms(lambda: run_child([], TCAM, limits, TODAY))
    for label, path in files.items():
        content = path.read_bytes()
        child = median_ms(lambda path=path, content=content: parse_return(path.name, content, TCAM, limits, TODAY))
        inline = median_ms(lambda path=path, content=content: check_file(path.name, content, TCAM, limits, TODAY))
        print(f"| {label} | {child:.0f} | {inline:.1f} | {child - inline:.0f} |")
    print(f"| the child with no file (start, imports, limits, JSON) | {empty:.0f} | | |")
    demo = [(p.name, p.read_bytes()) for p in sorted((ROOT / "data" / "demo" / "returns" / "tcam").glob("*.csv"))]
    batch = median_ms(lambda: run_child(demo, TCAM, limits, None), runs=7)
    print(f"| the {len(demo)} demo returns in one child (a rebuild) | {batch:.0f} | | |")


if __name__ == "__main__":
    main()
