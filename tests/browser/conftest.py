"""Fixtures for the browser tests of uploading: one gunicorn per module, and a seed store put
back as it was before every test, so each test holds in any order and alone."""

from __future__ import annotations

import pytest
from upload_helpers import build_seed_store, reset_to, seed_server


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("upload-seed") / "store"
    build_seed_store(root)
    return root


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    with seed_server(tmp_path_factory.mktemp("upload-browser") / "store", workers=2) as served:
        yield served


@pytest.fixture
def server(module_server, seed_template):
    """The module's server (LiveServer, Store), its store put back to the seed for this test."""
    live, store = module_server
    reset_to(seed_template, store.root)
    return live, store
