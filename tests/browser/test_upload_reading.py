"""Uploading the files people really send, in headless Chromium against gunicorn: an .xls and
an .ods from LibreOffice, files the dashboard cannot take (each answered on the page,
whatever its extension), and the list of readings in the preview. Each test starts from the
seed store (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from upload_helpers import UPLOAD

from tests import hostile
from tests.browser.steps import sign_in as signed_in
from tests.browser.steps import submit

MESSY = Path(__file__).resolve().parent.parent / "fixtures" / "messy"
READINGS = [
    "the header row is row 2: row 1 above it ('Kent Surrey Sussex AHSN - TCAM Q3 2020/21') is skipped",
    "header: 'Notes' read as comment in row 2",
    "ahsn: 'KSS AHSN' read as KSS in 4 rows (3-6)",
    "adoption_level: '5 - Embedded' read as 5 in row 3",
    "adoption_level: 'Level 4' read as 4 in row 4",
    "referrals_made: 'N/A' read as not reported (blank) in row 5",
    "referrals_completed: 'N/A' read as not reported (blank) in row 5",
]
ROWS = [
    ["3", "Q3 2020/21", "KSS", "RVV", "East Kent Hospitals", "acute", "5", "52", "40", "—"],
    ["4", "Q3 2020/21", "KSS", "RWF", "Maidstone and Tunbridge Wells", "acute", "4", "31", "20", "—"],
    [
        "5",
        "Q3 2020/21",
        "KSS",
        "RXC",
        "East Sussex Healthcare",
        "acute",
        "3",
        "not reported",
        "not reported",
        "awaiting IG sign-off",
    ],
    ["6", "Q3 2020/21", "KSS", "RYR", "Sussex Partnership", "mental health", "3", "not reported", "not reported", "—"],
]


def sign_in(page, url, name):
    signed_in(page, url, name, "/tcam/upload")


def table_rows(page, selector):
    return [
        [c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator(f"{selector} tbody tr").all()
    ]


def readings(page):
    return [t.strip() for t in page.locator(".upload-interpretations li").all_inner_texts()]


def test_an_ods_from_libreoffice_previews_every_reading_and_each_trust(server, page):
    live, store = server
    sign_in(page, live.url, "kss")
    page.locator("#upload-file input[type=file]").set_input_files(str(MESSY / "kss-libreoffice.ods"))
    page.get_by_text("kss-libreoffice.ods passed the checks: 4 trust rows for KSS Q3 2020/21").wait_for()
    assert page.get_by_text("How kss-libreoffice.ods was read: 7 readings to check").is_visible()
    assert readings(page) == READINGS
    assert table_rows(page, ".upload-rows") == ROWS
    assert len(store.events()) == 6  # the preview stores nothing


def test_an_xls_is_previewed_the_same_and_stored(server, page):
    live, store = server
    sign_in(page, live.url, "kss")
    page.locator("#upload-file input[type=file]").set_input_files(str(MESSY / "kss-libreoffice.xls"))
    page.get_by_text("kss-libreoffice.xls passed the checks: 4 trust rows for KSS Q3 2020/21").wait_for()
    assert readings(page) == [
        "an .xls file (Excel 97-2003): any formula in it is read as the value Excel last showed",
        *READINGS,
    ]
    assert table_rows(page, ".upload-rows") == ROWS
    submit(page, page.locator("#upload-confirm"))
    page.wait_for_url(re.compile(r".*/upload\?stored=7$"))
    event = store.event(7)
    assert (event.file_name, event.stored_as.endswith(".xls"), list(event.returns)) == (
        "kss-libreoffice.xls",
        True,
        [("KSS", "Q3 2020/21", 4)],
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "not-a-return.pdf",
            (UPLOAD / "not-a-return.pdf").read_bytes(),
            "this is not a CSV, Excel or OpenDocument spreadsheet file",
        ),
        ("return.docx", hostile.word_document()[1], "this is a Word document, not a spreadsheet"),
        (
            "photo.png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
            "this is not a CSV, Excel or OpenDocument spreadsheet file",
        ),
        ("return.numbers", b"PK\x03\x04" + b"\x00" * 100, "the Excel file cannot be opened"),
        (
            "notes.txt",
            b"Dear team,\nplease find our return attached.\n",
            "no row of the file names the columns of a return",
        ),
    ],
)
def test_a_file_the_dashboard_cannot_take_is_answered_on_the_page(server, page, name, content, message):
    live, store = server
    events = len(store.events())
    sign_in(page, live.url, "kss")
    page.locator("#upload-file input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    panel = page.locator("#upload-result .upload-panel-error")
    panel.wait_for()
    assert re.match(rf"✗ \d+ problems? in {re.escape(name)}: nothing was stored", panel.locator("h3").inner_text())
    assert message in panel.inner_text()
    assert page.locator("#upload-confirm").count() == 0
    assert len(store.events()) == events


def test_a_submitter_is_told_the_names_their_own_ahsn_may_have(server, page):
    live, store = server
    sign_in(page, live.url, "kss")
    content = (MESSY / "ahsn-names.csv").read_bytes().replace(b"KSS AHSN", b"Kent & Sussex")
    page.locator("#upload-file input[type=file]").set_input_files(
        {"name": "kss.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.locator("#upload-result .upload-panel-error").wait_for()
    assert table_rows(page, ".upload-problems")[0][:3] == ["3", "ahsn", "'Kent & Sussex' is not one of the 15 AHSNs"]
    assert page.locator(".upload-own-names").inner_text() == (
        "Your AHSN, KSS, may be written KSS, Kent Surrey Sussex Academic Health Science Network, Health "
        "Innovation Kent Surrey Sussex or KSS AHSN (any case; with or without 'AHSN' or 'Health Innovation')."
    )
