"""Benchmark: when the browser paints each page, by its own paint timing, against a static page
holding the same content; on this machine as it is, and as a slow NHS laptop on a busy network.

    .venv/bin/python -m tests.bench_paint              # writes docs/benchmark-paint.md
    .venv/bin/python -m tests.bench_paint --runs 3     # a quick look while developing

For each page in PAGES (a new page is one more entry) the real app (gunicorn, 2 sync workers,
the demo store as `make run` builds it) is loaded in a fresh browser context (empty cache, no
open connection) --runs times, alternating with its static copy: the same first response with
every script and Dash's (hidden, empty) root taken out, served from a file by a tiny WSGI app in
the same gunicorn with the same workers (tests/bench_static_app.py), linking the same
stylesheets. So one run of the pair sees the same machine, and the ratio is what the app and
Dash add to the paint of the same content.

Read inside the page, each run: time to first byte (the navigation's responseStart), First
Contentful Paint, Largest Contentful Paint and its element (PerformanceObserver, buffered; the
last entry once the page has settled), and for the real app the moment Dash has taken the page
over (html[data-dash-ready], assets/prerender.js), the layout shift until then, and when the first
of Dash's scripts was asked for. Medians; ratios of medians.

The slow laptop: Chromium's CPU slowed 4x (Emulation.setCPUThrottlingRate) and a busy NHS
network (Network.emulateNetworkConditions: 1.6 Mbps down, 750 kbps up, 150 ms round trip,
the figures of Lighthouse's "slow 4G"), through Playwright's DevTools protocol session.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import os
import platform
import re
import shutil
import statistics
import tempfile
from pathlib import Path

import requests

from etl.store import Store
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_RETURNS = ROOT / "data" / "demo" / "returns" / "tcam"
DEMO_TRAJECTORIES = ROOT / "data" / "demo" / "trajectories"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
# page name: (address, the aim for its median LCP ratio to the static page)
PAGES = {
    "National overview": ("/tcam/", 2.0),
    "AHSN page": ("/tcam/ahsn/health-innovation-manchester", 2.5),
    "Compare regions": ("/tcam/compare", 2.5),
    "Pathways": ("/tcam/pathways", 2.5),
}


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    cpu_slowdown: float = 1
    down_kbps: int = 0  # 0: no network throttling
    up_kbps: int = 0
    rtt_ms: int = 0

    @property
    def description(self) -> str:
        if self.cpu_slowdown == 1 and not self.down_kbps:
            return "no throttling: this machine, localhost"
        return (
            f"CPU {self.cpu_slowdown:g}x slower; busy NHS network: {self.down_kbps / 1000:g} Mbps down, "
            f"{self.up_kbps} kbps up, {self.rtt_ms} ms round trip"
        )

    def apply(self, context, page) -> None:
        if self.cpu_slowdown == 1 and not self.down_kbps:
            return
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.cpu_slowdown})
        if self.down_kbps:
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": self.rtt_ms,
                    "downloadThroughput": self.down_kbps * 1000 / 8,
                    "uploadThroughput": self.up_kbps * 1000 / 8,
                },
            )


PROFILES = [Profile("Quiet"), Profile("Slow NHS laptop", cpu_slowdown=4, down_kbps=1600, up_kbps=750, rtt_ms=150)]

# Installed before the page's own scripts. The LCP element is named when its entry arrives:
# by the time the page has settled it may have been swapped out of the document.
PAINT_TIMER = """
window.__paint = {fcp: null, lcp: null, element: null, shift: 0, ready: null};
const name = el => {
  if (!el) return '(none)';
  let text = (el.textContent || '').replace(/\\s+/g, ' ').trim();
  text = text.length > 40 ? text.slice(0, 40) + '…' : text;
  const classes = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes + (text ? ' "' + text + '"' : '');
};
new PerformanceObserver(list => { for (const e of list.getEntries())
  if (e.name === 'first-contentful-paint') window.__paint.fcp = e.startTime; })
  .observe({type: 'paint', buffered: true});
new PerformanceObserver(list => { for (const e of list.getEntries()) {
  window.__paint.lcp = e.startTime; window.__paint.element = name(e.element); } })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(list => { for (const e of list.getEntries())
  if (!e.hadRecentInput) window.__paint.shift += e.value; })
  .observe({type: 'layout-shift', buffered: true});
new MutationObserver((_, observer) => {  // the document has no element yet: watched from the top
  if (document.documentElement && document.documentElement.hasAttribute('data-dash-ready')) {
    window.__paint.ready = performance.now(); observer.disconnect(); }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-dash-ready']});
"""
# Settled: two frames and a moment after the last thing waited for, so a late LCP entry is in.
SETTLE = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250))))"
READ = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const dash = performance.getEntriesByType('resource').filter(r => r.name.includes('/_dash-component-suites/'));
  return {...window.__paint, ttfb: nav.responseStart, html_bytes: nav.decodedBodySize,
          ready_how: document.documentElement.getAttribute('data-dash-ready'),
          html_transferred: nav.transferSize,
          first_script: dash.length ? Math.min(...dash.map(r => r.startTime)) : null};
}"""


def static_copy(page_html: str) -> str:
    """The first response as the browser paints it before any script: every script and Dash's
    (hidden, still empty) root taken out; everything else, the stylesheets' links included, as sent."""
    text = re.sub(r"<script\b[^>]*>.*?</script>", "", page_html, flags=re.S | re.I)
    start = text.find('<div id="react-entry-point"')
    if start < 0:
        return text
    depth, at = 0, start
    for tag in re.finditer(r"<(/?)div\b", text[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            at = start + tag.end() + text[start + tag.end() :].find(">") + 1
            break
    return text[:start] + text[at:]


def parts_of(page_html: str) -> dict[str, str]:
    """What the first response carries, part by part, as sent (the page's own HTML is most of it)."""

    def between(start: str, end: str) -> str:
        a = page_html.find(start)
        b = page_html.find(end, a + 1) if a >= 0 else -1
        return page_html[a:b] if a >= 0 and b >= 0 else ""

    config = re.search(r'<script id="_dash-config".*?</script>', page_html, re.S)
    template = re.search(r'<template id="dash-scripts">.*?</template>', page_html, re.S)
    loader = re.search(r"</template>\s*(<script>.*?</script>)", page_html, re.S)
    wait = re.search(r"data-wait='[^']*'", page_html)
    parts = {
        "head: meta tags (Dash's and the pages' link previews)": "".join(re.findall(r"<meta[^>]*>", page_html)),
        "head: the rest (title, favicon, stylesheet links, the print stamp)": re.sub(
            r"<meta[^>]*>", "", page_html[: page_html.find("<body>")]
        ),
        "the page as HTML (#prerendered)": between('<div id="prerendered"', '<div id="react-entry-point"'),
        "  of which the ids the swap waits for (data-wait)": wait.group(0) if wait else "",
        "Dash's root (hidden, empty until Dash draws)": between('<div id="react-entry-point"', "<footer>"),
        "Dash's config (JSON)": config.group(0) if config else "",
        "Dash's scripts, held in a <template>" if template else "Dash's script tags": template.group(0)
        if template
        else page_html[config.end() :]
        if config
        else "",
        "the loader": loader.group(1) if loader else "",
    }
    return parts


def _size(text: str) -> str:
    data = text.encode()
    return f"{len(data):,} ({len(gzip.compress(data, 6)):,})" if data else "-"


def one_load(browser, url: str, profile: Profile, dash_page: bool) -> dict:
    context = browser.new_context(viewport=VIEWPORT)  # an empty cache and no open connection
    try:
        page = context.new_page()
        profile.apply(context, page)
        page.add_init_script(PAINT_TIMER)
        page.goto(url, wait_until="load", timeout=120000)
        if dash_page:
            page.wait_for_function("window.__paint.ready !== null", timeout=120000)
        page.evaluate(SETTLE)
        return page.evaluate(READ)
    finally:
        context.close()


def measure(browser, app_url: str, static_url: str, runs: int, profile: Profile) -> dict[str, dict]:
    """{page name: {"page": [run, ...], "static": [run, ...]}}, runs alternating page, static."""
    out = {}
    for name, (path, _aim) in PAGES.items():
        print(f"  {profile.name}: {name}", flush=True)
        pairs: dict[str, list[dict]] = {"page": [], "static": []}
        for _ in range(runs):
            pairs["page"].append(one_load(browser, app_url + path, profile, dash_page=True))
            pairs["static"].append(one_load(browser, f"{static_url}/{_static_name(path)}", profile, dash_page=False))
        out[name] = pairs
    return out


def _static_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else None


def _element(runs: list[dict]) -> str:
    """The LCP element most runs named (and in how many of them)."""
    names = [r["element"] for r in runs]
    common = max(set(names), key=names.count)
    return f"`{common}`" + (
        f" ({names.count(common)} of {len(names)} runs)" if names.count(common) < len(names) else ""
    )


def summarise(results: dict[str, dict]) -> dict[str, dict]:
    summary = {}
    for name, pairs in results.items():
        page, static = pairs["page"], pairs["static"]
        row = {key: (_median(page, key), _median(static, key)) for key in ("ttfb", "fcp", "lcp")}
        row["ready"] = _median(page, "ready")
        row["timed_out"] = sum(r["ready_how"] == "timed-out" for r in page)
        row["first_script"] = _median(page, "first_script")
        row["shift"] = max(r["shift"] for r in page)
        row["elements"] = (_element(page), _element(static))
        row["bytes"] = (page[0]["html_bytes"], static[0]["html_bytes"])
        row["transferred"] = (page[0]["html_transferred"], static[0]["html_transferred"])
        summary[name] = row
    return summary


def report(
    measured: list[tuple[Profile, dict]], runs: int, load: tuple[tuple, tuple], responses: dict[str, str]
) -> str:
    started, ended = load
    lines = [
        "# Benchmark: first paint",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%d %B %Y %H:%M} UTC by `.venv/bin/python -m tests.bench_paint` on "
        f"{platform.machine()} Linux, {os.cpu_count()} cores, Python {platform.python_version()}; gunicorn with 2 "
        "sync workers; headless Debian Chromium, 1280 x 900. Load average (1, 5, 15 min) "
        f"{' / '.join(f'{v:.2f}' for v in started)} at the start and {' / '.join(f'{v:.2f}' for v in ended)} "
        f"at the end{' (a busy, shared machine: the ratios, taken within one run, are the figures to read)' if max(started[0], ended[0]) > 0.5 else ''}.",
        "",
        f"- {runs} loads of each page, each in a fresh browser context (empty cache), alternating with {runs} of "
        "its **static copy**: the same first response with every script and Dash's hidden root taken out, "
        "served from a file by a tiny WSGI app in the same gunicorn with the same workers "
        "(`tests/bench_static_app.py`), linking the same stylesheets. Medians; ratios are of medians.",
        "- **TTFB**: time to first byte of the page (navigation timing, responseStart). **FCP** and **LCP**: "
        "the browser's First and Largest Contentful Paint (PerformanceObserver, buffered), LCP's last entry "
        "once the page has settled, and the element it was. **Dash ready**: Dash has drawn the page and taken "
        "it over (everything interactive; `html[data-dash-ready]`, `assets/prerender.js`), and its ratio to "
        "the static page's LCP; if Dash has not drawn every element and chart 20 s after its scripts began, "
        "the page is swapped anyway, and the table says how many runs ended so. **First script**: when the first of Dash's scripts was asked for. Under the "
        "network emulation the round trip shows in when each response ends, not in its first byte "
        "(Chromium holds the body back), so TTFB there is still mostly the server's time.",
        "- Aims (issue 21): the national table painted within 2x the static page (median LCP ratio), the AHSN "
        "and compare pages within 2.5x, quiet and throttled.",
        "",
    ]
    for profile, results in measured:
        summary = summarise(results)
        lines += [
            f"## {profile.name} ({profile.description})",
            "",
            "| Page | TTFB ms (static) | FCP ms (static) | **LCP** ms (static) | LCP ratio (aim) "
            "| Dash ready ms (x static LCP) | First script ms | Layout shift |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in summary.items():
            aim = PAGES[name][1]
            cells = []
            for key in ("ttfb", "fcp"):
                page, static = row[key]
                cells.append(f"{page:.0f} ({static:.0f}) {page / static:.2f}x")
            page, static = row["lcp"]
            ratio = page / static
            cells.append(f"**{page:.0f}** ({static:.0f})")
            cells.append(f"**{ratio:.2f}x** ({aim:g}x{'' if ratio <= aim else ', missed'})")
            cells.append(
                f"{row['ready']:.0f} ({row['ready'] / static:.1f}x)"
                + (f", {row['timed_out']} of {runs} by the 20 s fallback" if row["timed_out"] else "")
            )
            cells.append(f"{row['first_script']:.0f}" if row["first_script"] is not None else "-")
            cells.append(f"{row['shift']:.4f}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "| Page | LCP element, page | LCP element, static copy | HTML bytes, page (static) |",
            "|---|---|---|---:|",
        ]
        for name, row in summary.items():
            lines.append(
                f"| {name} | {row['elements'][0]} | {row['elements'][1]} | "
                f"{row['bytes'][0]:,} ({row['bytes'][1]:,}); {row['transferred'][0]:,} sent |"
            )
        lines.append("")
    names = list(responses)
    lines += [
        "## What the first response carries",
        "",
        "Bytes as the server renders it, and (in brackets) each part gzipped alone, as a browser is sent it.",
        "",
        "| Part | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    split = {name: parts_of(text) for name, text in responses.items()}
    for part in split[names[0]]:
        lines.append(f"| {part} | " + " | ".join(_size(split[name].get(part, "")) for name in names) + " |")
    lines.append("| **Whole response** | " + " | ".join(f"**{_size(responses[name])}**" for name in names) + " |")
    lines.append("")
    return "\n".join(lines) + "\n"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="loads of each page and of its static copy (default 9)")
    parser.add_argument(
        "--profile", choices=[p.name for p in PROFILES], action="append", help="only this profile (default: every one)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmark-paint.md")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    profiles = [p for p in PROFILES if not args.profile or p.name in args.profile]
    workdir = Path(tempfile.mkdtemp(prefix="metrics-bench-paint-"))
    try:
        store, pages = workdir / "store", workdir / "static"
        Store(store, demo_returns=DEMO_RETURNS, demo_trajectories=DEMO_TRAJECTORIES).ensure()  # as make run
        pages.mkdir()
        with (
            LiveServer({"METRICS_DATA": str(store)}) as app,
            LiveServer({"METRICS_STATIC_PAGES": str(pages)}, app="tests.bench_static_app:app") as static,
        ):
            responses = {}
            for name, (path, _aim) in PAGES.items():
                response = requests.get(app.url + path, timeout=60)
                response.raise_for_status()
                responses[name] = response.text
                (pages / f"{_static_name(path)}.html").write_text(static_copy(response.text))
                for _ in range(4):  # each worker of both servers has answered each page before it is timed
                    requests.get(app.url + path, timeout=60).raise_for_status()
                    requests.get(f"{static.url}/{_static_name(path)}", timeout=60).raise_for_status()
            load_before = os.getloadavg()
            measured = []
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    for profile in profiles:
                        measured.append((profile, measure(browser, app.url, static.url, args.runs, profile)))
                finally:
                    browser.close()
            load_after = os.getloadavg()
        text = report(measured, args.runs, (load_before, load_after), responses)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(text)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
