"""Dash's scripts are compressed once per worker and kept; pages and callbacks never are
(dashboard/compression.py). A real app on the demo store."""

from __future__ import annotations

import gzip

import pytest

from dashboard.compression import NOT_KEPT, CompressedFiles, cache_key
from tests.conftest import make_app

PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"


@pytest.fixture
def app(settings):
    return make_app(settings)


def kept(app) -> CompressedFiles:
    [compress] = [
        f.__self__
        for f in app.server.after_request_funcs[None]
        if hasattr(f, "__self__") and isinstance(getattr(f.__self__, "cache", None), CompressedFiles)
    ]
    return compress.cache


def test_a_script_is_compressed_once_and_sent_the_same_each_time(app):
    client = app.server.test_client()
    plain = client.get(PLOTLY, headers={"Accept-Encoding": "identity"}).get_data()
    first = client.get(PLOTLY, headers={"Accept-Encoding": "gzip"})
    second = client.get(PLOTLY, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert first.get_data() == second.get_data()
    assert gzip.decompress(second.get_data()) == plain
    assert len(kept(app)) == 1


def test_pages_and_callbacks_are_compressed_but_never_kept(app):
    client = app.server.test_client()
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and b"<table" in gzip.decompress(page.get_data())
    client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert len(kept(app)) == 0


def test_only_files_addresses_are_kept_and_the_oldest_goes_first():
    files = CompressedFiles(max_kept=2)
    for name in ("a", "b", "c"):
        files.set(f"gzip;/assets/{name}.css?m=1", name.encode())
    files.set(f"gzip;{NOT_KEPT}", b"a page")
    assert files.get("gzip;/assets/a.css?m=1") is None and files.get("gzip;/assets/c.css?m=1") == b"c"
    assert files.get(f"gzip;{NOT_KEPT}") is None and len(files) == 2


class _Request:
    def __init__(self, method, path, full_path):
        self.method, self.path, self.full_path = method, path, full_path


def test_the_key_is_the_files_address_with_its_version():
    assert cache_key(_Request("GET", PLOTLY, PLOTLY + "?")) == PLOTLY + "?"
    assert cache_key(_Request("GET", "/assets/x.css", "/assets/x.css?m=5")) == "/assets/x.css?m=5"
    assert cache_key(_Request("GET", "/", "/?quarters=all")) == NOT_KEPT
    assert cache_key(_Request("POST", "/_dash-update-component", "/_dash-update-component?")) == NOT_KEPT
