"""Screenshots of each page on the demo data, for the README: `python -m tests.screenshots`.

Serves the app with gunicorn on a copy of the demo store and saves full-page PNGs at 1280
pixels wide (and the national page at 768, a tablet) under docs/screenshots/.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from etl.store import Store
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SHOTS = [  # file, path, width, what to wait for
    ("national.png", "/", 1280, "#national-table-grid"),
    ("national-tablet.png", "/", 768, "#national-table-grid"),
    ("ahsn.png", "/ahsn/health-innovation-manchester", 1280, "#ahsn-rate-chart .main-svg"),
    ("compare.png", "/compare", 1280, "#compare-multiples .main-svg"),
    ("definitions.png", "/definitions", 1280, "#definitions-levels"),
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="metrics-screenshots-"))
    try:
        Store(workdir / "store").ensure()
        OUT.mkdir(parents=True, exist_ok=True)
        with LiveServer({"METRICS_DATA": str(workdir / "store")}) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for name, path, width, ready in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
                page = context.new_page()
                page.goto(server.url + path)
                page.wait_for_selector(ready)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(500)  # charts finish drawing
                page.screenshot(path=str(OUT / name), full_page=True)
                context.close()
                print(f"wrote docs/screenshots/{name}")
            browser.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
