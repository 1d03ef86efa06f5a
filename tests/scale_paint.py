"""First paint of a page on a given store against its static copy, as tests/bench_paint.py
measures it (its quiet profile only): for tests/bench_scale.py."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

import requests

from tests.bench_paint import PROFILES, _static_name, launch, one_load, static_copy
from tests.live import LiveServer


def paint(store: Path, path: str, runs: int) -> dict:
    """Median LCP and time to first byte (ms) of the page and of its static copy, `runs` cold loads
    of each, alternating; with the ratio of the LCPs."""
    from playwright.sync_api import sync_playwright

    quiet = PROFILES[0]
    pages = Path(tempfile.mkdtemp(prefix="metrics-bench-scale-static-"))
    try:
        with (
            LiveServer({"METRICS_DATA": str(store)}) as app,
            LiveServer({"METRICS_STATIC_PAGES": str(pages)}, app="tests.bench_static_app:app") as static,
        ):
            response = requests.get(app.url + path, timeout=120)
            response.raise_for_status()
            (pages / f"{_static_name(path)}.html").write_text(static_copy(response.text))
            for _ in range(4):  # every worker of both servers has answered before the timing
                requests.get(app.url + path, timeout=120).raise_for_status()
                requests.get(f"{static.url}/{_static_name(path)}", timeout=120).raise_for_status()
            loads: dict[str, list[dict]] = {"page": [], "static": []}
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    for _ in range(runs):
                        loads["page"].append(one_load(browser, app.url + path, quiet, dash_page=True))
                        static_url = f"{static.url}/{_static_name(path)}"
                        loads["static"].append(one_load(browser, static_url, quiet, dash_page=False))
                finally:
                    browser.close()
    finally:
        shutil.rmtree(pages, ignore_errors=True)

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in loads[kind] if r[key] is not None)

    out = {f"{kind}_{key}": median(kind, key) for kind in loads for key in ("lcp", "ttfb")}
    out["ratio"] = out["page_lcp"] / out["static_lcp"]
    out["runs"] = runs
    return out
