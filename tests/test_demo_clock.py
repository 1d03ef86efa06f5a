"""The demo's own day (etl/collection.py's clock): while every return is demo data, due dates are
counted as on a day a fortnight before the next return is due, and every place that counts days
says so; once a real return is stored, today's date counts again. A real store, the CLI and the
pages through Flask's test client."""

from __future__ import annotations

import datetime as dt

from upload_helpers import PASSWORD, sign_in

from etl import collection
from etl.cli import main
from etl.programmes import TCAM
from etl.queries import Database
from etl.users import Users
from tests.conftest import make_app, page_request, settings_for
from tests.returns import filled_return

DEMO_DAY = dt.date(2021, 2, 1)


def test_the_demo_is_counted_as_on_its_own_day(db):
    clock = collection.clock(db, TCAM, today=dt.date(2026, 12, 5))
    assert clock.today == DEMO_DAY
    assert "Demo data" in clock.note and "1 Feb 2021" in clock.note
    open_quarter = collection.open_quarters(collection.statuses(db, TCAM, clock.today))[-1]
    assert open_quarter.due_text(clock.today) == "due 15 Feb 2021 (in 14 days)"
    # a day before the demo's own is left as it is: the clock never runs forward
    early = dt.date(2021, 1, 20)
    assert collection.clock(db, TCAM, today=early) == collection.Clock(early)


def test_a_real_return_brings_back_today(store):
    db = Database(store)
    store.load([("wessex.csv", filled_return(db, "Wessex"))], TCAM, loaded_by="ann", today=DEMO_DAY)
    today = dt.date(2026, 12, 5)
    assert collection.clock(Database(store), TCAM, today=today) == collection.Clock(today)


def test_the_pages_and_the_command_line_say_which_day_they_count_from(store, capsys):
    Users(store.root).add("nat", PASSWORD, "national", None)
    Users(store.root).add("wes", PASSWORD, "ahsn", "Wessex")
    app = make_app(settings_for(store.root))
    national = app.server.test_client()
    sign_in(national, "", "nat")
    returns = national.get("/tcam/returns").get_data(as_text=True)
    assert 'id="returns-clock"' in returns and "counted as on 1 Feb 2021" in returns
    assert "(in 14 days)" in returns and "days ago" not in returns.split('id="returns-clock"')[0]
    submitter = app.server.test_client()
    sign_in(submitter, "", "wes")
    upload = submitter.get("/tcam/upload").get_data(as_text=True)
    assert 'id="upload-clock"' in upload and "counted as on 1 Feb 2021" in upload
    from dashboard.pages import upload as upload_page  # the quarter dropdown's words, drawn by Dash

    with page_request(app, "/upload"):
        labels = [q["label"] for q in upload_page._template_quarters()]
    assert labels[0] == "Q3 2020/21 (open, due 15 Feb 2021 (in 14 days))"

    assert main(["quarters"], settings=settings_for(store.root)) == 0
    out, err = capsys.readouterr()
    assert "counted as on 1 Feb 2021" in err
    assert out.strip().splitlines()[-1].startswith("Q3 2020/21,open,2021-02-15,no,14,")
