"""The first response of every page: the page itself as HTML, then Dash's scripts held back in an
inert <template> for the loader to add after the first paint (dashboard/prerender.py). Checked on
the HTML the server sends; what the browser does with it is tests/browser/test_dash_takes_over.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from dash import dcc, html

from dashboard.presentation import prerender
from tests.conftest import make_app


@pytest.fixture
def client(settings):
    return make_app(settings).server.test_client()


class Scripts(HTMLParser):
    """Every <script> of a document: (inside a <template>?, its attributes, its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[bool, dict, str]] = []
        self.templates = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.templates += 1
        elif tag == "script":
            self.found.append((self.templates > 0, dict(attrs), ""))

    def handle_endtag(self, tag):
        if tag == "template":
            self.templates -= 1

    def handle_data(self, data):
        if self.lasttag == "script" and self.found and not self.found[-1][2]:
            inside, attrs, _ = self.found[-1]
            self.found[-1] = (inside, attrs, data)


def scripts(text: str) -> list[tuple[bool, dict, str]]:
    parser = Scripts()
    parser.feed(text)
    return parser.found


@pytest.mark.parametrize("path", ["/tcam/", "/tcam/ahsn/kss", "/tcam/compare", "/tcam/definitions", "/no-such-page"])
def test_nothing_runs_before_the_first_paint_but_the_loader(client, path):
    page = client.get(path).get_data(as_text=True)
    found = scripts(page)
    run_now = [(attrs, text) for inside, attrs, text in found if not inside and attrs.get("type") != "application/json"]
    assert len(run_now) == 1 and not run_now[0][0]  # one inline script: the loader
    assert run_now[0][1].strip() == prerender.LOADER.strip()
    held = [attrs.get("src", "") for inside, attrs, _ in found if inside]
    # Dash's order: React and its kin, the app's own assets, the renderer, the component bundles
    assert "react@" in held[1] and "react-dom@" in held[2]
    assert held.index("") > max(i for i, src in enumerate(held) if "dash_table" in src)  # inline ones last
    assert any("/assets/prerender.js" in s for s in held)
    renderer = [i for i, (inside, attrs, _) in enumerate(found) if attrs.get("id") == "_dash-renderer"]
    assert renderer and found[renderer[0]][0] and renderer[0] == len(found) - 2  # the last held, then the loader
    assert '<script id="_dash-config" type="application/json">' in page  # read by Dash's renderer from the page


def test_controls_only_dash_can_work_are_marked_for_the_loading_state(client):
    home = client.get("/tcam/").get_data(as_text=True)
    assert re.search(
        r'<div class="prerender-dropdown prerender-control quarter-picker">'
        r'(<span class="prerender-chip">Q\d \d{4}/\d\d</span>){3}</div>',
        home,
    )
    # only a page whose scripts run says it is loading (the loader marks them)
    assert "aria-busy" not in home.replace(prerender.LOADER, "")
    upload = prerender.to_html(dcc.Upload(html.Div("Drag the file here"), id="u", className="upload-drop"))
    assert "".join(upload.parts) == '<div class="prerender-control upload-drop"><div>Drag the file here</div></div>'


def test_a_page_that_quotes_a_placeholder_keeps_it(client):
    assert (
        prerender.fill("<p>{%title%}</p>{%scripts%}", {"title": "says {%scripts%}", "scripts": "S"})
        == "<p>says {%scripts%}</p>S"
    )
    assert prerender.fill("{%unknown%}", {}) == "{%unknown%}"


def test_the_first_response_is_kept_private(client):
    response = client.get("/tcam/")
    assert response.headers["Cache-Control"] == "private, no-cache"  # it holds who is signed in
