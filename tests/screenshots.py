"""Screenshots of each page on the demo data, for the README: `python -m tests.screenshots`.

Serves the app with gunicorn on a fresh demo store and saves full-page PNGs at 1280 pixels
wide, the national page at 768 (a tablet), and the pages at 390 (a phone) under
docs/screenshots/. The national and AHSN pages are printed to PDF by Chromium (A4 landscape,
as a board paper) and each printed page saved as PNG under docs/print/ (needs pdftoppm, from
poppler-utils; `make screenshots` installs it). Then, as a national administrator made for
the purpose, the uploading pages: a Q3 2020/21 return for Wessex with problems, then
corrected, previewed and stored, and Wessex's history. Last the quarter's collection: KSS's
correction of its published Q2 2020/21 return approved (a revised figure on the national
table), Oxford's waiting for approval, and the Returns page for Q3 2020/21 with its due date
(set, for the demo, a few days ahead of the day the screenshots are taken); then a new Wessex
trajectory, written the messy way, previewed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from etl import queries
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from etl.templates import csv_columns
from etl.users import Users
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo" / "returns"  # every programme's, as `make run` builds it
DEMO_TRAJECTORIES = ROOT / "data" / "demo" / "trajectories"
DEMO_CONDITIONS = ROOT / "data" / "demo" / "conditions"
OUT = ROOT / "docs" / "screenshots"
PRINTS = ROOT / "docs" / "print"
SHOTS = [  # file, path, width
    ("national.png", "/tcam/", 1280),
    ("national-tablet.png", "/tcam/", 768),
    ("ahsn.png", "/tcam/ahsn/kss", 1280),
    ("compare.png", "/tcam/compare", 1280),
    ("national-trajectory.png", "/tcam/?against=trajectory", 1280),
    ("trajectories.png", "/tcam/trajectories", 1280),
    ("definitions.png", "/tcam/definitions", 1280),
    ("pathways.png", "/tcam/pathways", 1280),
    ("pathways-live.png", "/tcam/pathways?cases=live&quarter=Q3%202019/20", 1280),
    ("pathways-phone.png", "/tcam/pathways", 390),
    ("national-phone.png", "/tcam/", 390),
    ("ahsn-phone.png", "/tcam/ahsn/kss", 390),
    ("compare-phone.png", "/tcam/compare", 390),
    # every programme: the overview, an AHSN's portfolio, each other programme's national table and AHSN page
    ("programmes-overview.png", "/", 1280),
    ("programmes-portfolio.png", "/ahsn/kss", 1280),
    ("programmes-escape-pain.png", "/escape-pain/", 1280),
    ("programmes-pincer.png", "/pincer/", 1280),
    ("programmes-precept.png", "/precept/", 1280),
    ("programmes-precept-ahsn.png", "/precept/ahsn/wessex", 1280),
    ("programmes-overview-phone.png", "/", 390),
]
PRINTED = [("national", "/tcam/"), ("ahsn", "/tcam/ahsn/kss"), ("portfolio", "/ahsn/kss")]
PASSWORD = "screenshots only, never a real one"


def returns_for_upload(folder: Path) -> tuple[Path, Path]:
    """Wessex's demo return carried on to Q3 2020/21 with one trust now live; and a copy with mistakes."""
    lines = (DEMO_DIR / "q2_2020_21_wessex.csv").read_text().replace("Q2 2020/21", "Q3 2020/21").splitlines()
    lines = [line.replace(",acute,3,,", ",acute,4,41,22") if "DM237" in line else line for line in lines]
    good = folder / "wessex-q3-2020-21.csv"
    good.write_text("\n".join(lines) + "\n")
    bad_lines = list(lines)
    bad_lines[2] = bad_lines[2].replace(",acute,2,,", ",acute,6,,")
    bad_lines[4] = bad_lines[4].replace(",362,236", ",236,362")
    bad_lines[6] = bad_lines[6].replace("DM458", "DM 458")
    bad = folder / "wessex-q3-2020-21-draft.csv"
    bad.write_text("\n".join(bad_lines) + "\n")
    return bad, good


def ready(page) -> None:
    """Dash has taken the page over from the HTML the server sent (assets/prerender.js)."""
    page.wait_for_selector("html[data-dash-ready]", timeout=60000)


def shoot(page, name: str) -> None:
    if page.locator("#react-entry-point").count():  # a Dash page (sign-in is plain HTML)
        ready(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # charts and tables finish drawing
    page.screenshot(path=str(OUT / name), full_page=True)
    print(f"wrote docs/screenshots/{name}")


def print_shots(browser, url: str, workdir: Path) -> None:
    """Each page printed by Chromium as a board paper would be, then every printed page as PNG."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils (or run `make screenshots`)")
    PRINTS.mkdir(parents=True, exist_ok=True)
    for old in PRINTS.glob("*.png"):
        old.unlink()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for name, path in PRINTED:
        page.goto(url + path)
        ready(page)
        page.wait_for_load_state("networkidle")
        pdf = workdir / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(PRINTS / f"{name}-page")], check=True)
        for png in sorted(PRINTS.glob(f"{name}-page*.png")):
            print(f"wrote docs/print/{png.name}")
    context.close()


def upload_shots(browser, url: str, workdir: Path) -> None:
    bad, good = returns_for_upload(workdir)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url + "/signin?next=/tcam/upload")
    shoot(page, "signin.png")
    page.get_by_label("User name").fill("national-team")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/tcam/upload")
    ready(page)
    upload = page.locator("#upload-file input[type=file]")
    upload.set_input_files(str(bad))
    page.locator(".upload-problems").wait_for()
    shoot(page, "upload-problems.png")
    upload.set_input_files(str(good))
    page.locator("#upload-confirm").wait_for()
    shoot(page, "upload-preview.png")
    page.locator("#upload-confirm").click()
    page.get_by_text("Stored: submission").wait_for()
    page.goto(url + "/tcam/history?ahsn=Wessex")
    ready(page)
    page.locator("#history-table table").first.wait_for()
    shoot(page, "history.png")
    page.goto(url + "/tcam/trajectories")
    ready(page)
    messy = workdir / "wessex-trajectory.csv"
    messy.write_text(
        "Health Innovation Wessex: TCAM trajectory agreed in March 2021\n\nAHSN,By quarter,Target (%),Notes\n"
        "Health Innovation Wessex,Q4 2020/21,70%,agreed with the four trusts\n"
        "Wessex,Q2 21/22,0.75,\nWessex,Q4 2021/22,85 %,\n"
    )
    page.locator("#trajectory-upload input[type=file]").set_input_files(str(messy))
    page.locator("#trajectory-confirm").wait_for()
    shoot(page, "trajectory-preview.png")
    page.context.close()


def collection_shots(browser, url: str, root: Path) -> None:
    """Revisions of published figures, one approved and one waiting, and the Returns page."""
    store, q2 = Store(root), Quarter.parse("Q2 2020/21")
    db = Database(store)

    def one_more_live(ahsn: str) -> bytes:
        """The AHSN's current Q2 2020/21 return as it stands, with one acute trust at level 3 now live."""
        rows = queries.trusts(db, TCAM, ahsn, q2.index)
        code = rows.query("adoption_level == 3 and trust_type == 'acute'")["trust_code"].iloc[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(csv_columns(TCAM))  # the template's columns, in its order
        for r in rows.to_dict("records"):
            level = 4 if r["trust_code"] == code else r["adoption_level"]
            made, completed = (
                ("", "")
                if pd.isna(r["referrals_made"]) and r["trust_code"] != code
                else (120, 70)
                if r["trust_code"] == code
                else (
                    int(r["referrals_made"]),
                    "" if pd.isna(r["referrals_completed"]) else int(r["referrals_completed"]),
                )
            )
            writer.writerow([q2.label, ahsn, r["trust_code"], r["trust_name"], r["trust_type"], level, made, completed])
        return out.getvalue().encode()

    [kss] = store.load([("kss-q2-2020-21-corrected.csv", one_more_live("KSS"))], TCAM, loaded_by="kss-lead")
    store.decide_revision(
        kss.submission_id, True, "the trust went live in September; the July return missed it", by="national-team"
    )
    store.load([("oxford-q2-2020-21-corrected.csv", one_more_live("Oxford"))], TCAM, loaded_by="oxford-lead")
    store.set_due_date(
        TCAM,
        Quarter.parse("Q3 2020/21"),
        dt.date.today() + dt.timedelta(days=10),
        "the demo's collection, kept a few days ahead for the screenshots",
        by="national-team",
    )
    db.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/tcam/")
    shoot(page, "national-revised.png")
    page.goto(url + "/signin?next=/tcam/returns")
    page.get_by_label("User name").fill("national-team")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/tcam/returns")
    ready(page)
    page.locator("table.returns-grid").wait_for()
    shoot(page, "returns.png")
    page.locator("#returns-revisions").screenshot(path=str(OUT / "returns-revision.png"))
    print("wrote docs/screenshots/returns-revision.png")
    page.goto(url + "/tcam/?provisional=1")  # signed in: provisional figures are the national team's
    shoot(page, "national-provisional.png")
    context.close()


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.screenshots [WORD]`: every screenshot, or only those whose file name holds WORD."""
    import sys

    from playwright.sync_api import sync_playwright

    only = (argv if argv is not None else sys.argv[1:])[:1]

    workdir = Path(tempfile.mkdtemp(prefix="metrics-screenshots-"))
    try:
        # as `make run` builds it: the demo returns, trajectories and illustrative conditions
        Store(
            workdir / "store",
            demo_returns=DEMO_DIR,
            demo_trajectories=DEMO_TRAJECTORIES,
            demo_conditions=DEMO_CONDITIONS,
        ).ensure()
        Users(workdir / "store").add("national-team", PASSWORD, "national")
        OUT.mkdir(parents=True, exist_ok=True)
        with LiveServer({"METRICS_DATA": str(workdir / "store")}) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for name, path, width in SHOTS:
                if only and only[0] not in name:
                    continue
                context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
                page = context.new_page()
                page.goto(server.url + path)
                shoot(page, name)
                context.close()
            if not only:
                print_shots(browser, server.url, workdir)
                upload_shots(browser, server.url, workdir)
                collection_shots(browser, server.url, workdir / "store")
            browser.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
