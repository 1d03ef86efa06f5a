"""The quarter's collection in headless Chromium, on the demo data (every quarter to Q2 2020/21
published): a submitter's change to a published quarter waits for approval, the national
team approves it on the Returns page, publishes a quarter after a confirmation, and a
restore asks first what it changes."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from upload_helpers import PASSWORD

from etl import queries
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from etl.users import Users
from tests.browser.steps import sign_in, submit
from tests.live import LiveServer
from tests.returns import filled_return, trust_codes

Q2 = Quarter.parse("Q2 2020/21")


@pytest.fixture
def demo(demo_store_template, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(demo_store_template, root)
    users = Users(root)
    users.add("kim", PASSWORD, "ahsn", "KSS")
    users.add("nat", PASSWORD, "national")
    with LiveServer({"METRICS_DATA": str(root)}) as live:
        yield live, Store(root)


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def kss_rate(store, quarter=Q2) -> int:
    rates = queries.ahsn_rates(Database(store), TCAM, [quarter.index], ahsn="KSS")
    return int(rates["rate_percent"].iloc[0])


def test_a_change_to_a_published_quarter_waits_then_the_national_team_approves_it(demo, page, tmp_path):
    live, store = demo
    db = Database(store)
    not_live = next(c for c, level, kind in trust_codes(db, "KSS", Q2) if level < 4 and kind == "acute")
    path = tmp_path / "kss-q2-corrected.csv"
    path.write_bytes(filled_return(db, "KSS", Q2, levels={not_live: 4}))
    sign_in(page, live.url, "kim", "/tcam/upload")
    page.locator("#upload-file input[type=file]").set_input_files(str(path))
    page.get_by_text("Q2 2020/21 is published: KSS's return for it is a revision").wait_for()
    submit(page, page.locator("#upload-confirm"))
    page.locator("#upload-revision-note").wait_for()
    assert (
        "The published figures stay as they are until the national team approves it"
        in page.locator("#upload-revision-note").inner_text()
    )
    # one status, never "every page shows it now" beside "waiting for approval" (issue 20)
    page.get_by_text("Stored, waiting for approval: no figure changes until the national team approves it").wait_for()
    assert "shows it now" not in page.locator("#upload-figures-state").inner_text()
    page.context.clear_cookies()
    assert kss_rate(store) == 50

    sign_in(page, live.url, "nat", "/tcam/returns")
    revision = page.locator(".returns-revision")
    revision.wait_for()
    assert (
        "KSS Q2 2020/21: 50% (5 of 10 acute trusts) now → 60% (6 of 10 acute trusts) if approved"
        in revision.inner_text()
    )
    assert (
        "level 3 → 4" in revision.locator(".returns-trust-changes").inner_text()
        or "level 2 → 4" in revision.locator(".returns-trust-changes").inner_text()
    )
    revision.get_by_label("Why approve").fill("the trust went live in September")
    submit(page, revision.get_by_role("button", name=re.compile("Approve revision")))
    # back on the revision's own quarter, saying where it stands as read from the store: a reload
    # says the same, never that it has just been approved
    page.wait_for_url(re.compile(r".*/returns\?quarter=Q2\+2020%2F21&decided=\d+$"))
    page.get_by_text("KSS Q2 2020/21: ✓ Current (approved revision) by nat").wait_for(timeout=60000)
    assert "the trust went live in September" in page.locator("#returns-decided").inner_text()
    assert page.locator("h1").inner_text() == "Returns for Q2 2020/21"
    page.locator("#returns-no-revisions").wait_for()
    page.reload()
    page.get_by_text("KSS Q2 2020/21: ✓ Current (approved revision) by nat").wait_for()
    assert wait_until(lambda: kss_rate(store) == 60)  # published in the background, just after


def test_publishing_a_quarter_asks_first_showing_its_coverage(demo, page, tmp_path):
    live, store = demo
    db = Database(store)
    store.load([("kss-q3.csv", filled_return(db, "KSS"))], TCAM, loaded_by="kim")
    sign_in(page, live.url, "nat", "/tcam/returns")
    assert page.locator("h1").inner_text() == "Returns for Q3 2020/21"
    assert page.locator("#returns-summary").inner_text() == "1 of 15 AHSNs has returned for Q3 2020/21; 14 are late."
    submit(page, page.get_by_role("link", name="Sign off Q3 2020/21…"))
    confirm = page.locator("#returns-confirm")
    confirm.wait_for()
    assert "Not every AHSN has returned: Oxford, Health Innovation Manchester" in confirm.inner_text()
    confirm.get_by_label("Note kept with the sign-off (optional)").fill("signed off at the March board")
    submit(page, confirm.get_by_role("button", name="Sign off Q3 2020/21 now, with 14 AHSNs missing"))
    page.locator("#returns-done").wait_for()
    assert page.locator("#returns-done").inner_text() == "Q3 2020/21 is signed off: its figures are the published ones."

    def published_by():
        rows = queries.collection_quarters(Database(store), TCAM).set_index("quarter")
        return rows.loc["Q3 2020/21", "published_by"]

    assert wait_until(lambda: published_by() == "nat")
    assert store.events()[-1].note == "signed off at the March board"  # the note is kept with the sign-off


def test_a_restore_asks_first_showing_before_and_after(demo, page, tmp_path):
    live, store = demo
    db = Database(store)
    first = store.load([("kss-q3.csv", filled_return(db, "KSS"))], TCAM, loaded_by="kim")[0].submission_id
    not_live = next(c for c, level, kind in trust_codes(db, "KSS") if level < 4 and kind == "acute")
    store.load([("kss-q3-v2.csv", filled_return(db, "KSS", levels={not_live: 4}))], TCAM, loaded_by="kim")
    sign_in(page, live.url, "kim", "/tcam/history")
    submit(page, page.get_by_role("link", name=f"Restore submission {first}…"))
    confirm = page.locator("#history-confirm-restore")
    confirm.wait_for()
    text = confirm.inner_text()
    assert re.search(
        r"KSS Q3 2020/21: \d+% \(\d+ of 10 acute trusts\) now → \d+% \(\d+ of 10 acute trusts\) "
        r"after restoring",
        text,
    ), text
    submit(page, confirm.get_by_role("button", name=f"Restore submission {first}"))
    page.get_by_text(f"✓ Submission {first} is current again").wait_for()

    def current() -> int:
        return int(
            queries.ahsn_rates(Database(store), TCAM, [Quarter.parse("Q3 2020/21").index], ahsn="KSS")[
                "submission_id"
            ].iloc[0]
        )

    assert wait_until(lambda: current() == first)


def test_provisional_figures_only_when_asked_and_always_marked(demo, page, tmp_path):
    live, store = demo
    db = Database(store)
    store.load([("kss-q3.csv", filled_return(db, "KSS"))], TCAM, loaded_by="kim")
    page.goto(live.url + "/tcam/?provisional=1")  # not signed in: the published figures, and why
    page.wait_for_selector("html[data-dash-ready]")
    assert "Provisional figures need signing in" in page.locator("#provisional-refused").inner_text()
    assert "Q3 2020/21" not in page.locator("#national-table").inner_text()
    sign_in(page, live.url, "nat", "/tcam/returns")  # provisional figures: the national team's
    page.goto(live.url + "/tcam/")
    page.wait_for_selector("html[data-dash-ready]")
    headers = page.locator("#national-table-grid thead tr").nth(1).locator("th").all_inner_texts()
    assert headers[:3] == ["Q3 2018/19", "Q3 2019/20", "Q2 2020/21"]  # published only: Table 8.1
    assert "Q3 2020/21" not in page.locator("#national-table").inner_text()
    page.get_by_role("link", name="Include provisional figures").click()
    page.wait_for_url(re.compile(r".*/\?provisional=1$"))
    page.wait_for_selector("html[data-dash-ready]")
    page.locator("#provisional-notice").wait_for()
    head = page.locator("#national-table-grid th.provisional-head")
    assert head.inner_text().replace("\n", " ") == "Q3 2020/21 provisional: 1 of 15 AHSNs has returned"
    total = page.locator("#national-table-grid tr.total td").nth(3)
    assert total.locator(".value").inner_text().endswith("(1 AHSN)")  # never called England's
    assert page.locator("#national-table-grid tr.total td").nth(6).inner_text().strip() == "n/a"
    assert "of the 1 AHSN that has returned so far" in page.locator("#national-sentence").inner_text()


def test_a_revised_figure_is_marked_and_the_first_published_one_can_be_seen(demo, page):
    live, store = demo
    db = Database(store)
    not_live = next(c for c, level, kind in trust_codes(db, "KSS", Q2) if level < 4 and kind == "acute")
    [revision] = store.load([("kss-q2.csv", filled_return(db, "KSS", Q2, levels={not_live: 4}))], TCAM)
    store.decide_revision(revision.submission_id, True, "the trust went live in September", by="nat")
    page.goto(live.url + "/tcam/")
    page.wait_for_selector("html[data-dash-ready]")
    kss = page.locator("#national-table-grid tbody tr", has_text="KSS").locator("td").nth(2)
    assert kss.locator(".value").inner_text() == "60%" and kss.locator(".revised-mark").count() == 1
    assert "first published 50%, now 60%. Why: the trust went live in September" in kss.locator(".cell").get_attribute(
        "title"
    )
    page.get_by_role("link", name="Show the figures as first published").click()
    page.wait_for_selector("html[data-dash-ready]")
    page.locator("#first-published-notice").wait_for()
    kss = page.locator("#national-table-grid tbody tr", has_text="KSS").locator("td").nth(2)
    assert kss.locator(".value").inner_text() == "50%"  # what the board saw
