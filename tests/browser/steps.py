"""Steps the browser tests take the same way.

Until Dash has taken a page over from the HTML the server sent (dashboard/prerender.py),
the server's copy and Dash's hidden one both hold the page's ids, and a locator matching
both fails in strict mode. So after anything that loads a page (a posted form, a plain
link, signing in) a test waits until the page is ready before it looks."""

from __future__ import annotations

import re

from tests.upload_helpers import PASSWORD


def ready(page) -> None:
    """The page now loaded has been taken over by Dash."""
    page.wait_for_selector("html[data-dash-ready]", timeout=30000)


def goto(page, url: str) -> None:
    """Open a page and wait until Dash has taken it over."""
    page.goto(url)
    ready(page)


def submit(page, control) -> None:
    """Press a control that loads another page (a form's button, a plain link) and wait
    until Dash has taken over the page the answer leads to."""
    with page.expect_navigation(timeout=60000):
        control.click()
    ready(page)


def sign_in(page, url: str, name: str, then: str = "/tcam/upload") -> None:
    page.goto(f"{url}/signin?next={then}")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    page.wait_for_url(re.compile(re.escape(url + then.split("?")[0]) + r".*"))
