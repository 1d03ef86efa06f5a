"""An AHSN submitter uploading, in headless Chromium against gunicorn and a real store.

One server for the module, but every test starts from the same seed store (three AHSNs,
two quarters, six submissions) and makes what it needs itself, so the tests hold in any
order and alone. Every page must log no console error (the `page` fixture).
"""

from __future__ import annotations

import datetime as dt
import re

from upload_helpers import UPLOAD, restore_via_api, store_via_api

from etl.programmes import TCAM
from etl.quarters import Quarter
from tests.browser.steps import ready, submit
from tests.browser.steps import sign_in as signed_in


def sign_in(page, url, name, then="/tcam/upload"):
    signed_in(page, url, name, then)
    page.get_by_text(f"Signed in as {name}").wait_for()


def drop(page, fixture):
    page.locator("#upload-file input[type=file]").set_input_files(str(UPLOAD / fixture))


def table_rows(page, selector):
    return [
        [c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator(f"{selector} tbody tr").all()
    ]


def test_a_malformed_file_lists_every_problem(server, page):
    live, store = server
    sign_in(page, live.url, "wessex")
    drop(page, "wessex-malformed.csv")
    page.get_by_text("4 problems in wessex-malformed.csv: nothing was stored").wait_for()
    assert table_rows(page, ".upload-problems") == [
        [
            "2",
            "adoption_level",
            "'7' is not an adoption level",
            "Use a whole number from 1 to 5: 1 Not started, 2 Engaged, 3 Implementing, 4 Live, 5 Embedded",
        ],
        [
            "3",
            "referrals_completed",
            "19 referrals completed is more than the 12 made",
            "Completed referrals are a part of those made in the quarter: check both numbers",
        ],
        [
            "4",
            "trust_code",
            "'R!!' is not an NHS organisation code",
            "Use the trust's ODS code: 3 to 5 letters or digits, e.g. RTH",
        ],
        [
            "5",
            "quarter",
            "there is no quarter Q5; NHS quarters are Q1 to Q4".join(["'Q5 2020/21': ", ""]),
            "Write the quarter like Q3 2019/20",
        ],
    ]
    assert page.locator("#upload-confirm").count() == 0
    assert len(store.events()) == 6


def test_a_file_over_the_size_limit_is_not_sent_and_says_why(server, page):
    live, store = server
    events_before = len(store.events())
    sign_in(page, live.url, "wessex")
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.url) if "_dash-update-component" in r.url and "upload-result" in (r.post_data or "") else None
        ),
    )
    big = b"quarter,ahsn\n" + b"Q2 2020/21,Wessex\n" * 330_000  # 6.3 MB; the limit is 5 MB
    page.locator("#upload-file input[type=file]").set_input_files(
        {"name": "everything.csv", "mimeType": "text/csv", "buffer": big}
    )
    note = page.locator("#upload-size-note")
    note.wait_for()
    assert note.inner_text() == (
        "✗ everything.csv is 5.7 MB, more than the 5.0 MB a return may be, so it was not sent. A return is "
        "one row per trust: check it is the right file, or save just the return's sheet as CSV."
    )
    page.wait_for_timeout(500)
    assert sent == [] and len(store.events()) == events_before
    drop(page, "wessex-malformed.csv")  # a file within the limit clears the note and is checked
    page.get_by_text("4 problems in wessex-malformed.csv: nothing was stored").wait_for()
    assert note.is_hidden()


def test_another_ahsns_file_is_refused(server, page):
    live, store = server
    sign_in(page, live.url, "wessex")
    drop(page, "kss-good.csv")
    page.get_by_text("You may not upload this file").wait_for()
    assert (
        "This file holds returns for KSS. You are a submitter for Wessex" in page.locator("#upload-result").inner_text()
    )
    assert page.locator("#upload-confirm").count() == 0
    assert len(store.events()) == 6


def test_a_good_file_previews_then_is_stored_and_shown_everywhere(server, page):
    live, store = server
    sign_in(page, live.url, "wessex")
    page.goto(live.url + "/tcam/ahsn/wessex")  # nothing is published: its own submitter sees its figures so far
    ready(page)
    page.get_by_text("Q1 2020/21 is not published yet").first.wait_for()
    assert "Q2 2020/21 is not published yet" not in page.locator("body").inner_text()
    page.goto(live.url + "/tcam/upload")
    ready(page)
    drop(page, "wessex-good.csv")
    page.get_by_text("wessex-good.csv passed the checks: 5 trust rows for Wessex Q2 2020/21").wait_for()
    assert table_rows(page, ".upload-changes") == [
        [
            "Wessex",
            "Q2 2020/21",
            "5",
            "no return yet; Q1 2020/21: 25% (1 of 4 acute trusts)",
            "75% (3 of 4 acute trusts)",
            "nothing: this is the first return for this quarter",
        ]
    ]
    assert table_rows(page, ".upload-rows")[0] == [
        "2",
        "Q2 2020/21",
        "Wessex",
        "RHU",
        "Portsmouth Hospitals",
        "acute",
        "5",
        "40",
        "30",
        "—",
    ]
    assert len(store.events()) == 6  # nothing stored by the preview
    submit(page, page.locator("#upload-confirm"))
    page.wait_for_url(re.compile(r".*/upload\?stored=7$"))
    page.get_by_text("✓ Stored: submission 7").wait_for()
    assert store.event(7).loaded_by == "wessex"
    # stored at once; the page says when the figures have caught up (built just after)
    page.get_by_text("Wessex Q2 2020/21: current now, among the provisional figures").wait_for()
    # Wessex's page, served by whichever worker, shows the new quarter from then on; nothing in
    # the seed is published: its own submitter sees the figures so far, marked provisional
    page.goto(live.url + "/tcam/ahsn/wessex")
    ready(page)
    page.get_by_text("Q2 2020/21 is not published yet").first.wait_for()
    assert "Q2 2020/21 being collected" in page.locator("#shell-status").inner_text()
    assert "Provisional figures" in page.locator("#provisional-notice").inner_text()
    # every AHSN's provisional figures are the national team's: the national table has none for them
    page.goto(live.url + "/tcam/")
    ready(page)
    assert "No quarter has been published yet" in page.locator("#national-nothing").inner_text()


def test_hostile_content_is_shown_as_text(server, page):
    live, store = server
    assert store_via_api(live.url, "wessex", "wessex-good.csv") == 7  # what the hostile file replaces
    sign_in(page, live.url, "wessex")
    drop(page, "wessex-hostile.csv")
    page.get_by_text("wessex-hostile.csv passed the checks").wait_for()
    names = [r[4] for r in table_rows(page, ".upload-rows")]
    assert names == [
        "<script>alert('x')</script><b>Portsmouth</b>",
        '=HYPERLINK("http://evil.example","click")',
        "+Southampton General",
        "@Great Western Hospitals",
        "-Southern Health",
    ]
    assert page.locator("#upload-result script, #upload-result b").count() == 0
    assert table_rows(page, ".upload-changes")[0][3:5] == ["75% (3 of 4 acute trusts)", "50% (2 of 4 acute trusts)"]
    submit(page, page.locator("#upload-confirm"))
    page.get_by_text("✓ Stored: submission 8").wait_for()


def test_restoring_an_earlier_submission(server, page):
    live, store = server
    assert store_via_api(live.url, "wessex", "wessex-good.csv") == 7
    assert store_via_api(live.url, "wessex", "wessex-hostile.csv") == 8
    sign_in(page, live.url, "wessex", then="/tcam/history")
    page.locator(".history-table").wait_for()
    assert page.locator(".history-table tbody tr").count() == 4  # Wessex's only
    assert {r[0] for r in table_rows(page, ".history-table")} == {"Wessex"}
    submit(page, page.get_by_role("link", name="Restore submission 7…"))
    page.locator("#history-confirm-restore").wait_for()  # what restoring changes, before it does
    assert (
        "Wessex Q2 2020/21: 50% (2 of 4 acute trusts) now → 75% (3 of 4 acute trusts) after restoring"
        in page.locator("#history-confirm-restore").inner_text()
    )
    submit(page, page.get_by_role("button", name="Restore submission 7"))
    page.wait_for_url(re.compile(r".*/history\?restored=7$"))
    page.get_by_text("✓ Submission 7 is current again").wait_for()
    page.locator(".history-restores").wait_for()
    rows = {
        page.locator(".history-table tbody tr").nth(i).locator("th").inner_text(): r
        for i, r in enumerate(table_rows(page, ".history-table"))
    }
    assert rows["7"][2] == "✓ Current (restored)" and rows["8"][2] == "○ Superseded"  # nothing deleted
    assert [r[:2] for r in table_rows(page, ".history-restores")] == [["7", "wessex"]]
    # the restore link of the now superseded hostile file is there in turn
    assert page.get_by_role("link", name="Restore submission 8…").count() == 1


def test_the_national_team_sees_who_has_returned(server, page):
    live, store = server
    assert store_via_api(live.url, "wessex", "wessex-good.csv") == 7
    assert store_via_api(live.url, "wessex", "wessex-hostile.csv") == 8
    restore_via_api(live.url, "wessex", 7)
    # due in the future, so nobody is late whatever today's date
    store.set_due_date(TCAM, Quarter.parse("Q2 2020/21"), dt.date(2099, 1, 15), "a test that must not age")
    sign_in(page, live.url, "nat", then="/tcam/returns")
    page.goto(live.url + "/tcam/returns?quarter=Q2%202020/21")
    ready(page)
    page.locator(".returns-grid").wait_for()
    rows = {
        r[0]: r
        for r in (
            [page.locator(".returns-grid tbody tr").nth(i).locator("th").inner_text(), *cells]
            for i, cells in enumerate(table_rows(page, ".returns-grid"))
        )
    }
    assert len(rows) == 15
    assert rows["Wessex"][1] == "✓ Returned; supersedes 1 earlier version"
    assert rows["Wessex"][3] == "wessex (submission 7)"
    assert rows["Wessex"][4] == "none"
    assert rows["KSS"][1:] == ["✗ No return yet", "—", "—", "all 4 (no return yet)"]
    assert rows["ICHP"][1:] == ["✗ No return yet", "—", "—", "—"]  # nothing last quarter either


def test_the_history_can_be_narrowed_to_an_ahsn_and_quarter_and_the_link_keeps_it(server, page):
    live, store = server
    for fixture in ("wessex-good.csv", "wessex-hostile.csv"):
        store_via_api(live.url, "wessex", fixture)
    store_via_api(live.url, "nat", "kss-good.csv")
    sign_in(page, live.url, "nat", then="/tcam/history")
    page.goto(live.url + "/tcam/history?ahsn=Wessex&quarter=Q2+2020%2F21")
    ready(page)
    caption = page.locator(".history-table caption")
    caption.wait_for()
    assert caption.inner_text() == "2 submissions for Wessex holding Q2 2020/21"
    assert [r[:2] for r in table_rows(page, ".history-table")] == [["Wessex", "Q2 2020/21"]] * 2
    page.locator("#history-quarter").click()
    page.get_by_role("option", name="All quarters").click()
    page.wait_for_url(re.compile(r".*/history\?ahsn=Wessex$"))
    page.get_by_text("4 submissions for Wessex", exact=True).wait_for()
    page.locator("#history-ahsn").click()
    page.get_by_role("option", name="All AHSNs").click()
    page.wait_for_url(re.compile(r".*/history$"))
    page.get_by_text(f"{len(store.events())} submissions", exact=True).wait_for()
