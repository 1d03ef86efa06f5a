"""Benchmark: what storing one return costs, on the demo store and on ten years of returns.

    .venv/bin/python -m tests.bench_store            # writes docs/benchmark-store.md
    .venv/bin/python -m tests.bench_store --runs 30

Two stores in a temporary folder: the embedded demo data (150 returns), and a synthetic
history of 15 AHSNs x 40 quarters x 30 trusts (600 returns, as tests/benchmark.py uses).
On each, the same kind of return (one AHSN, one quarter, its trusts) is stored --runs
times, the way the upload page does it: `commit` (read the file in the sandboxed child,
check it against the current rows of its quarters, keep the original and the parsed rows,
write the event: the moment the user is told "stored") and then `publish` (build the new
database from a copy of the current one and switch to it: done in the background on the
web). Medians and 95th percentiles. The aim (issue 8): storing costs no more on ten years
of history than on the demo store, within noise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from tests.returns import filled_return
from tests.synthetic import synthetic_returns

ROOT = Path(__file__).resolve().parent.parent
DEMO_RETURNS = ROOT / "data" / "demo" / "returns" / "tcam"
TODAY = dt.date(2026, 11, 1)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_storing(store: Store, content: bytes, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"commit": [], "publish": [], "both": []}
    for i in range(runs + 2):
        started = time.perf_counter()
        store.commit([(f"return-{i}.csv", content)], TCAM, loaded_by="benchmark", today=TODAY)
        committed = time.perf_counter()
        store.make_current()
        done = time.perf_counter()
        if i >= 2:  # the first two warm the caches
            times["commit"].append((committed - started) * 1000)
            times["publish"].append((done - committed) * 1000)
            times["both"].append((done - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="returns stored on each store (default 20)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmark-store.md")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="metrics-bench-store-"))
    try:
        demo = Store(workdir / "demo", demo_returns=DEMO_RETURNS)
        demo.ensure()
        large = Store(workdir / "large")
        started = time.perf_counter()
        large.load(
            synthetic_returns(Quarter.parse("Q1 2014/15"), 40, 30),
            TCAM,
            loaded_by="benchmark",
            today=dt.date(2024, 6, 1),
        )
        build_seconds = time.perf_counter() - started
        wessex = filled_return(Database(demo), "Wessex")  # Q3 2020/21, the quarter after the demo's last
        synthetic = synthetic_returns(Quarter.parse("Q1 2024/25"), 1, 30)
        oxford = next(content for name, content in synthetic if name.startswith("oxford"))
        results = [
            ("Demo store (150 returns)", time_storing(demo, wessex, args.runs)),
            ("Ten years (600 returns, 18,000 trust rows)", time_storing(large, oxford, args.runs)),
        ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines = [
        "# Storing a return: demo store against ten years of returns",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, Python "
        f"{platform.python_version()}, {args.runs} returns stored on each store; milliseconds, median (95th "
        "percentile). Rerun with `make benchmark` (or `.venv/bin/python -m tests.bench_store`).",
        "",
        "| store | commit: checked and stored (the user's answer) | publish: new database switched to | both |",
        "| --- | --- | --- | --- |",
    ]
    for label, times in results:
        cells = [f"{statistics.median(times[k]):.0f} ({_p95(times[k]):.0f})" for k in ("commit", "publish", "both")]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", f"Loading the ten-year store itself (600 files in one batch) took {build_seconds:.1f} s.", ""]
    text = "\n".join(lines)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
