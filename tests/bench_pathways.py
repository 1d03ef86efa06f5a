"""Benchmark: what a pathways analysis (crisp-set QCA) costs, from the review's 4 conditions to
the most the analysis allows.

    .venv/bin/python -m tests.bench_pathways            # writes docs/benchmark-pathways.md
    .venv/bin/python -m tests.bench_pathways --runs 30

Each case set is analysed --runs times (`etl.pathways.qca.analyse`, both solutions, as the
command and the page ask for them): the review's Table 8.3 with its 4 conditions and with all
12, and synthetic case sets of 60 and 200 cases with 12 random conditions and a random outcome
(seeded, so every run measures the same tables). Reading the review's file through the
sandboxed reading child (`read_case_table`: a fresh interpreter, the file, the 0s and 1s) is
timed too. Medians and 95th percentiles, in milliseconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import time
from pathlib import Path

from etl.pathways.cases import read_case_table
from etl.pathways.qca import CONSERVATIVE, PARSIMONIOUS, CaseSet, analyse
from etl.programmes import TCAM
from etl.reading.limits import ReadLimits

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ROOT / "data" / "reference" / "tcam_qca_table_8_3.csv"
OUTPUT = ROOT / "docs" / "benchmark-pathways.md"


def review() -> CaseSet:
    with REVIEW.open(newline="") as f:
        rows = list(csv.DictReader(f))
    names = [k for k in rows[0] if k != "case"]
    return CaseSet(tuple(r["case"] for r in rows), {n: tuple(int(r[n]) for r in rows) for n in names})


def synthetic(cases: int, conditions: int, seed: int) -> CaseSet:
    rng = random.Random(seed)
    columns = {f"C{i}": tuple(rng.randint(0, 1) for _ in range(cases)) for i in range(conditions)}
    columns["OUT"] = tuple(rng.randint(0, 1) for _ in range(cases))
    return CaseSet(tuple(str(i + 1) for i in range(cases)), columns)


def _models(key: str, solution) -> str:
    """'5 models for 1'; 'for 0: more than 100 tie' or 'for 0: search stopped' when none is listed."""
    if solution.models:
        return f"{len(solution.models)} model{'s' if len(solution.models) != 1 else ''} for {key}"
    return f"for {key}: " + ("more than 100 tie" if "equally simple" in solution.note else "search stopped")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(work, runs: int) -> list[float]:
    work()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    data = review()
    twelve = [c for c in data.columns if c != "OUTCOME"]
    sixty, two_hundred = synthetic(60, 12, 19), synthetic(200, 12, 20)
    names = [f"C{i}" for i in range(12)]
    cases = [
        (
            "the review, 4 conditions (15 cases)",
            lambda k: analyse(data, ["NONDELAY", "ADOPT", "PHARMA", "INTERSECT"], "OUTCOME", kind=k),
        ),
        ("the review, all 12 conditions", lambda k: analyse(data, twelve, "OUTCOME", kind=k)),
        ("60 random cases, 12 conditions", lambda k: analyse(sixty, names, "OUT", kind=k)),
        ("200 random cases, 12 conditions", lambda k: analyse(two_hundred, names, "OUT", kind=k)),
    ]
    rows = []
    for label, work in cases:
        for kind in (PARSIMONIOUS, CONSERVATIVE):
            analysis = work(kind)
            models = "; ".join(_models(k, s) for k, s in analysis.solutions.items())
            times = timed(lambda w=work, k=kind: w(k), args.runs)
            rows.append((label, kind, statistics.median(times), _p95(times), models))
            print(f"{label}, {kind}: median {rows[-1][2]:.1f} ms ({models})", flush=True)
    content = REVIEW.read_bytes()
    read_times = timed(
        lambda: read_case_table(
            REVIEW.name, content, ["NONDELAY", "ADOPT", "PHARMA", "INTERSECT"], "OUTCOME", ReadLimits(), TCAM
        ),
        args.runs,
    )
    print(f"reading the review's file in the child: median {statistics.median(read_times):.0f} ms", flush=True)
    load = os.getloadavg()[0]
    lines = [
        "# Benchmark: pathways (crisp-set QCA)",
        "",
        f"`python -m tests.bench_pathways --runs {args.runs}` on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (load average {load:.1f} when it finished). "
        "Each analysis computes everything the command prints: the raw table, necessity, the truth "
        "table, and the solutions for the outcome and its absence.",
        "",
        "| case set | solution | median ms | 95th percentile ms | models |",
        "| --- | --- | ---: | ---: | --- |",
        *(f"| {label} | {kind} | {median:.1f} | {p95:.1f} | {models} |" for label, kind, median, p95, models in rows),
        "",
        f"Reading the review's file through the sandboxed reading child (a fresh interpreter each time, "
        f"then its columns as 0s and 1s): median {statistics.median(read_times):.0f} ms, 95th percentile "
        f"{_p95(read_times):.0f} ms.",
        "",
    ]
    args.output.write_text("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
