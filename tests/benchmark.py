"""Benchmark: server time of each page's callbacks, and time until the national table is visible.

    .venv/bin/python -m tests.benchmark            # writes docs/benchmark.md
    .venv/bin/python -m tests.benchmark --runs 50

Two data sets: the default (demo) data, and a large synthetic national history (15 AHSNs x
40 quarters x 30 trusts, 600 return files loaded in one batch into a store in a temporary
folder). For each, a real gunicorn (2 workers) serves the app. The requests each page makes
to /_dash-update-component are recorded once from headless Chromium and replayed with
`requests` (median and 95th percentile over --runs; localhost round trip, so an upper bound
on server time). Time to table visible: a fresh browser context (empty cache) per run, from
navigation until #national-table-grid is visible, for the real app and for a minimal Dash
app showing only the same table (tests/bench_minimal_app.py); the ratio is real / minimal.
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

from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.store import Store
from tests.live import LiveServer
from tests.synthetic import synthetic_returns

ROOT = Path(__file__).resolve().parent.parent
DEMO_RETURNS = ROOT / "data" / "demo" / "returns"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "National overview": "/",
    "National overview, 4 quarters chosen": "/?quarters=Q3%202018/19,Q1%202019/20,Q3%202019/20,Q2%202020/21",
    "AHSN page": "/ahsn/health-innovation-manchester",
    "AHSN page, trusts sorted": "/ahsn/health-innovation-manchester?sort=made",
    "Compare regions": "/compare",
    "Definitions": "/definitions",
}


def build_large_store(root: Path) -> float:
    """600 synthetic returns, Q1 2014/15 to Q4 2023/24, loaded in one batch. Seconds taken."""
    files = synthetic_returns(Quarter.parse("Q1 2014/15"), 40, 30)
    started = time.perf_counter()
    Store(root).load(files, TCAM, loaded_by="benchmark", today=dt.date(2024, 6, 1))  # starts empty
    return time.perf_counter() - started


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])


def record_callbacks(browser, url: str, path: str) -> list[dict]:
    """The /_dash-update-component requests a page makes when it loads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen: list[dict] = []
    page.on("request", lambda r: seen.append({"body": r.post_data, "name": _callback_name(r.post_data),
                                              "path": r.url[len(url):]})
            if "/_dash-update-component" in r.url else None)
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
            response = session.post(url + call["path"], data=call["body"],
                                    headers={"Content-Type": "application/json"})
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        times = times[2:]  # the first two warm each worker
        out.append((call["name"], statistics.median(times), _p95(times)))
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_to_table(browser, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # empty cache
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url + "/", wait_until="commit")
        page.wait_for_selector("#national-table-grid", state="visible")
        times.append((time.perf_counter() - started) * 1000)
        context.close()
    return times


def measure(label: str, root: Path, browser, runs: int, page_runs: int) -> dict:
    env = {"METRICS_DATA": str(root)}
    result = {"label": label, "callbacks": {}}
    with LiveServer(env) as server:
        for page_name, path in PAGES.items():
            recorded = record_callbacks(browser, server.url, path)
            result["callbacks"][page_name] = time_callbacks(server.url, recorded, runs)
        # the download buttons
        result["callbacks"]["National overview"] += time_download(browser, server.url, runs)
        result["real"] = time_to_table(browser, server.url, page_runs)
    with LiveServer(env, app="tests.bench_minimal_app:server") as minimal:
        result["minimal"] = time_to_table(browser, minimal.url, page_runs)
    return result


def time_download(browser, url: str, runs: int) -> list[tuple[str, float, float]]:
    out = []
    for button in ("Download CSV", "Download Excel (with colours)"):
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        bodies = []
        page.on("request", lambda r, bodies=bodies: bodies.append((r.url[len(url):], r.post_data))
                if "/_dash-update-component" in r.url and "national-download" in (r.post_data or "") else None)
        page.goto(url + "/")
        page.wait_for_selector("#national-table-grid")
        with page.expect_download():
            page.get_by_role("button", name=button).click()
        context.close()
        path, body = bodies[-1]
        timed = time_callbacks(url, [{"body": body, "path": path, "name": f"national-download.data ({button})"}], runs)
        out += timed
    return out


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
        "(`_pages_content`) from the URL; `shell-status` is the header's data line.",
        f"- **Time to table visible**: {page_runs} runs, each in a fresh browser context (empty cache), "
        "from navigation to `#national-table-grid` visible; the floor is a minimal Dash app showing only "
        "the same table with the same stylesheet (`tests/bench_minimal_app.py`).",
        f"- Large data: 15 AHSNs x 40 quarters (Q1 2014/15 to Q4 2023/24) x 30 acute trusts = 18,000 trust "
        f"rows in 600 return files, loaded in one batch in {build_seconds:.0f} s.",
        "",
    ]
    for r in results:
        lines += [f"## {r['label']}", "", "| Page | Callback | Median (ms) | 95th percentile (ms) |",
                  "|---|---|---:|---:|"]
        for page_name, timings in r["callbacks"].items():
            for name, median, p95 in timings:
                lines.append(f"| {page_name} | `{name}` | {median:.1f} | {p95:.1f} |")
        real, minimal = statistics.median(r["real"]), statistics.median(r["minimal"])
        lines += ["", "| Time to national table visible (cold cache) | Median (ms) | 95th percentile (ms) |",
                  "|---|---:|---:|",
                  f"| This app | {real:.0f} | {_p95(r['real']):.0f} |",
                  f"| Minimal Dash app, same table | {minimal:.0f} | {_p95(r['minimal']):.0f} |",
                  "", f"Ratio (medians): **{real / minimal:.2f}x** the floor (aim: within 1.25x).", ""]
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
        Store(default_root, demo_returns=DEMO_RETURNS).ensure()
        print("building the large synthetic store (600 files)...", flush=True)
        build_seconds = build_large_store(large_root)
        results = []
        with sync_playwright() as p:
            browser = launch(p)
            for label, root in (("Default data (demo returns)", default_root),
                                ("Large synthetic history (15 AHSNs x 40 quarters x 30 trusts)", large_root)):
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
