"""Benchmark: server time of each page's callbacks and downloads, and time until the national
table is visible.

    .venv/bin/python -m tests.benchmark            # writes docs/benchmark.md
    .venv/bin/python -m tests.benchmark --runs 50

Two data sets: the default (demo) data, and a large synthetic national history (15 AHSNs x
40 quarters x 30 trusts, 600 return files loaded in one batch into a store in a temporary
folder). For each, a real gunicorn (2 workers) serves the app. The requests each page makes
to /_dash-update-component are recorded once from headless Chromium and replayed with
`requests` (median and 95th percentile over --runs; localhost round trip, so an upper bound
on server time); the download addresses are fetched the same way. Time to table visible: a
fresh browser context (empty cache) per run, from navigation start to the first frame drawn
after #national-table-grid is in the page with a size (timed inside the page), for the real
app, a minimal Dash app showing only the same table, and the same table as a static HTML page
with the same stylesheet (tests/bench_minimal_app.py). For the real app also the time until
Dash has taken the page over (everything interactive) and the layout shift meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import requests

from etl.ahsns import all_ahsns
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.store import Store
from tests.live import LiveServer
from tests.synthetic import synthetic_returns

ROOT = Path(__file__).resolve().parent.parent
DEMO_RETURNS = ROOT / "data" / "demo" / "returns" / "tcam"
DEMO_TRAJECTORIES = ROOT / "data" / "demo" / "trajectories"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "National overview": "/tcam/",
    "National overview, 4 quarters chosen": "/tcam/?quarters=Q3%202018/19,Q1%202019/20,Q3%202019/20,Q2%202020/21",
    "AHSN page": "/tcam/ahsn/health-innovation-manchester",
    "AHSN page, trusts sorted": "/tcam/ahsn/health-innovation-manchester?sort=made",
    "Compare regions": "/tcam/compare",
    "Definitions": "/tcam/definitions",
    "National overview against each trajectory": "/tcam/?against=trajectory",
    "Trajectories": "/tcam/trajectories",
    "Every programme (the overview)": "/",
    "An AHSN's portfolio": "/ahsn/health-innovation-manchester",
    "PReCePT national table": "/precept/",
}
DOWNLOADS = [
    "/download/national.csv",
    "/download/national.xlsx",
    "/download/national.json",
    "/download/trusts.csv",
    "/download/ahsn/health-innovation-manchester.xlsx",
    "/download/compare.csv",
    "/download/trajectories.csv",
    "/download/milestones.csv",
]
# Timed inside the page: the first frame after the table is in the document with a size, the
# moment Dash has taken over (assets/prerender.js), and the layout shift on the way.
TABLE_TIMER = """
window.__table = null; window.__shift = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__shift += e.value; })
  .observe({type: 'layout-shift', buffered: true});
const seen = () => { const t = document.getElementById('national-table-grid');
  return t && t.getBoundingClientRect().height > 0; };
const watch = new MutationObserver(() => {
  if (window.__table === null && seen()) { watch.disconnect(); requestAnimationFrame(() => window.__table = performance.now()); }
});
watch.observe(document, {childList: true, subtree: true});
"""


def build_large_store(root: Path) -> float:
    """600 synthetic returns, Q1 2014/15 to Q4 2023/24, loaded in one batch (seconds taken, returned);
    then every quarter but the last published, and a stepped trajectory for every AHSN."""
    files = synthetic_returns(Quarter.parse("Q1 2014/15"), 40, 30)
    started = time.perf_counter()
    store = Store(root)
    store.load(files, TCAM, loaded_by="benchmark", today=dt.date(2024, 6, 1))  # starts empty
    seconds = time.perf_counter() - started
    # a trajectory for every AHSN, a step every second year, so the trajectory views have work to do
    lines = ["ahsn,quarter,target_percent"] + [
        f"{ahsn},Q4 {year}/{(year + 1) % 100:02d},{min(100, 10 + 10 * step)}"
        for ahsn in (a.short_name for a in all_ahsns())
        for step, year in enumerate(range(2014, 2024, 2))
    ]
    store.set_trajectory(
        "trajectories.csv",
        "\n".join(lines).encode(),
        TCAM,
        "benchmark trajectories",
        by="benchmark",
        make_current=False,
    )
    # every quarter signed off but the last, which is still being collected (as in real use)
    first = Quarter.parse("Q1 2014/15")
    for offset in range(39):
        store.sign_off(TCAM, first + offset, by="benchmark", make_current=False)
    store.make_current()
    return seconds


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def record_callbacks(browser, url: str, path: str) -> list[dict]:
    """The /_dash-update-component requests a page makes when it loads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen: list[dict] = []
    page.on(
        "request",
        lambda r: (
            seen.append({"body": r.post_data, "name": _callback_name(r.post_data), "path": r.url[len(url) :]})
            if "/_dash-update-component" in r.url
            else None
        ),
    )
    page.goto(url + path)
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")
    context.close()
    return seen


def _callback_name(body: str | None) -> str:
    import json

    outputs = json.loads(body or "{}").get("outputs", [])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return ", ".join(f"{o['id']}.{o['property']}" for o in outputs)


def time_callbacks(url: str, recorded: list[dict], runs: int) -> list[tuple[str, float, float]]:
    session = requests.Session()
    out = []
    for call in recorded:
        times = []
        for _ in range(runs + 2):
            started = time.perf_counter()
            response = session.post(url + call["path"], data=call["body"], headers={"Content-Type": "application/json"})
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        times = times[2:]  # the first two warm each worker
        out.append((call["name"], statistics.median(times), _p95(times)))
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_to_table(browser, url: str, runs: int, path: str = "/", dash_page: bool = False) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"table": [], "ready": [], "shift": []}
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # empty cache
        page = context.new_page()
        page.add_init_script(TABLE_TIMER)
        page.goto(url + path, wait_until="commit")
        page.wait_for_function("window.__table !== null", timeout=60000)
        out["table"].append(page.evaluate("window.__table"))
        if dash_page:
            page.wait_for_selector("html[data-dash-ready]", timeout=60000)
            out["ready"].append(page.evaluate("performance.now()"))
            out["shift"].append(page.evaluate("window.__shift"))
        context.close()
    return out


def time_downloads(url: str, runs: int) -> list[tuple[str, float, float]]:
    session = requests.Session()
    out = []
    for path in DOWNLOADS:
        times = []
        for _ in range(runs + 2):
            started = time.perf_counter()
            session.get(url + path).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        times = times[2:]
        out.append((f"GET {path}", statistics.median(times), _p95(times)))
    return out


def measure(label: str, root: Path, browser, runs: int, page_runs: int) -> dict:
    env = {"METRICS_DATA": str(root)}
    result = {"label": label, "callbacks": {}}
    with LiveServer(env) as server:
        for page_name, path in PAGES.items():
            recorded = record_callbacks(browser, server.url, path)
            result["callbacks"][page_name] = time_callbacks(server.url, recorded, runs)
        result["callbacks"]["Downloads"] = time_downloads(server.url, runs)
        result["real"] = time_to_table(browser, server.url, page_runs, "/tcam/", dash_page=True)
    with LiveServer(env, app="tests.bench_minimal_app:server") as minimal:
        result["minimal"] = time_to_table(browser, minimal.url, page_runs)["table"]
        result["static"] = time_to_table(browser, minimal.url, page_runs, "/static-table")["table"]
    return result


def report(results: list[dict], runs: int, page_runs: int, build_seconds: float) -> str:
    lines = [
        "# Benchmark",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%d %B %Y %H:%M} UTC by `.venv/bin/python -m tests.benchmark` "
        f"on {platform.machine()} Linux, {os.cpu_count()} cores, Python {platform.python_version()}; "
        "gunicorn with 2 sync workers; headless Debian Chromium.",
        "",
        "- **Callbacks**: each page was loaded once in Chromium to record the requests it makes to "
        "`/_dash-update-component`; each request was then POSTed again "
        f"{runs} times (after 2 warm-up calls) with `requests`. Times are localhost round trips, so an "
        "upper bound on server time. Page content is built by the Dash pages router callback "
        "(`_pages_content`) from the URL; `shell-status` is the header's data line. Downloads: each address "
        f"fetched {runs} times.",
        f"- **Time to table visible**: {page_runs} runs, each in a fresh browser context (empty cache), "
        "from navigation start to the first frame drawn once `#national-table-grid` is in the page with a "
        "size, timed inside the page. Compared with the same table as a static HTML page with the same "
        "stylesheet, and with a minimal Dash app showing only the table (`tests/bench_minimal_app.py`). "
        "The real app sends the page as HTML first (`dashboard/presentation/prerender.py`); 'taken over' is when Dash "
        "has drawn the same page and replaced it (`assets/prerender.js`).",
        f"- Large data: 15 AHSNs x 40 quarters (Q1 2014/15 to Q4 2023/24) x 30 acute trusts = 18,000 trust "
        f"rows in 600 return files, loaded in one batch in {build_seconds:.0f} s.",
        "",
    ]
    for r in results:
        lines += [
            f"## {r['label']}",
            "",
            "| Page | Callback | Median (ms) | 95th percentile (ms) |",
            "|---|---|---:|---:|",
        ]
        for page_name, timings in r["callbacks"].items():
            for name, median, p95 in timings:
                lines.append(f"| {page_name} | `{name}` | {median:.1f} | {p95:.1f} |")
        real, static = statistics.median(r["real"]["table"]), statistics.median(r["static"])
        minimal, ready = statistics.median(r["minimal"]), statistics.median(r["real"]["ready"])
        lines += [
            "",
            "| Time to national table visible (cold cache) | Median (ms) | 95th percentile (ms) |",
            "|---|---:|---:|",
            f"| This app | {real:.0f} | {_p95(r['real']['table']):.0f} |",
            f"| The same table as a static HTML page | {static:.0f} | {_p95(r['static']):.0f} |",
            f"| Minimal Dash app, same table | {minimal:.0f} | {_p95(r['minimal']):.0f} |",
            f"| This app, Dash has taken the page over (interactive) | {ready:.0f} | {_p95(r['real']['ready']):.0f} |",
            "",
            f"Ratio (medians): **{real / static:.2f}x** the static page (aim: within 2x), "
            f"{real / minimal:.2f}x the minimal Dash app. Layout shift until Dash has taken over: "
            f"{max(r['real']['shift']):.4f} at most (0 is none; 0.1 is 'good' for Core Web Vitals).",
            "",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed calls per callback (default 30)")
    parser.add_argument("--page-runs", type=int, default=15, help="cold page loads per app (default 15)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmark.md")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="metrics-benchmark-"))
    try:
        default_root, large_root = workdir / "default", workdir / "large"
        Store(default_root, demo_returns=DEMO_RETURNS, demo_trajectories=DEMO_TRAJECTORIES).ensure()  # as make run
        print("building the large synthetic store (600 files)...", flush=True)
        build_seconds = build_large_store(large_root)
        results = []
        with sync_playwright() as p:
            browser = launch(p)
            for label, root in (
                ("Default data (demo returns)", default_root),
                ("Large synthetic history (15 AHSNs x 40 quarters x 30 trusts)", large_root),
            ):
                print(f"measuring: {label}", flush=True)
                results.append(measure(label, root, browser, args.runs, args.page_runs))
            browser.close()
        text = report(results, args.runs, args.page_runs, build_seconds)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(text)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
