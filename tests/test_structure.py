"""The shape of the code: no import cycles, reads that never write, settings checked at start-up."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import fields

import pytest

from etl import events
from etl.events import Restore
from etl.queries import Database
from etl.settings import SETTINGS, Settings, SettingsError
from etl.store import Store, StoreNotReady
from tests.conftest import ROOT, make_app, settings_for

PACKAGES = ("etl", "dashboard")


def project_modules() -> dict[str, ast.Module]:
    """Every module of the app (not the tests), by dotted name."""
    found = {"app": ast.parse((ROOT / "app.py").read_text())}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = ast.parse(path.read_text())
    return found


def imports_of(name: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in its body."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                out.add(submodule if submodule in modules else node.module)
    return {m for m in out if m in modules and m != name}


def test_no_import_cycles_among_the_projects_modules():
    trees = project_modules()
    graph = {name: imports_of(name, tree, set(trees)) for name, tree in trees.items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
    assert "dashboard.endpoints.uploads" not in graph["dashboard.security.auth"]  # the cycle this test was written for


def test_the_data_layer_never_imports_the_web_app():
    trees = project_modules()
    etl = {n for n in trees if n.startswith("etl")}
    assert all(not (imports_of(n, trees[n], set(trees)) - etl) for n in etl)


def test_a_page_request_on_an_empty_store_neither_builds_it_nor_takes_the_write_lock(tmp_path):
    root = tmp_path / "store"
    client = make_app(settings_for(root)).server.test_client()
    for path in ("/", "/ahsn/wessex", "/_dash-layout", "/healthz"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "python -m etl init" in response.get_data(as_text=True), path
    assert not (root / "databases").exists()
    assert not (root / "write.lock").exists()
    assert not (root / "CURRENT").exists()
    with pytest.raises(StoreNotReady):
        Database(Store(root)).query("SELECT 1")


def test_reading_a_store_that_is_behind_its_events_does_not_repair_it(store, db):
    """A crashed write leaves the database behind the events; readers serve what is published
    and leave the repair to the next writer or `python -m etl init`."""
    before = store.current_database()
    restore = Restore(id=161, programme="tcam", submission_id=1, loaded_by="someone",
                      loaded_at="2026-11-23T10:00:00+00:00", source="a write that crashed")
    (store.events_dir / "000161.json").write_text(json.dumps(events.to_json(restore)))
    assert db.query("SELECT count(*) AS n FROM submissions")["n"].iloc[0] == 150
    assert store.current_database() == before and not store.is_current()


def test_settings_table_and_settings_object_agree():
    assert [s.field for s in SETTINGS] == [f.name for f in fields(Settings)]
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_a_bad_setting_is_refused_with_every_problem_named():
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"METRICS_PORT": "eighty", "METRICS_REQUIRE_LOGIN": "maybe",
                           "METRICS_PROGRAMME": "nope", "METRICS_SECRET_KEY": "hunter2"})
    message = str(refused.value)
    assert "METRICS_PORT='eighty' must be a whole number." in message
    assert "METRICS_REQUIRE_LOGIN='maybe' must be true or false." in message
    assert "METRICS_PROGRAMME='nope' is not a known programme (known: tcam)." in message
    assert "hunter2" not in message


def test_a_bad_setting_stops_the_web_app_before_it_serves(tmp_path):
    env = {**os.environ, "METRICS_DATA": str(tmp_path), "METRICS_LOGIN_ATTEMPTS": "0"}
    started = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert started.stderr.strip().endswith("Cannot start: METRICS_LOGIN_ATTEMPTS='0' must be at least 1 "
                                           "and at most 1,000.")


def test_a_bad_setting_stops_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "etl", "settings"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "METRICS_DATA": str(tmp_path), "METRICS_KEEP_DATABASES": "-1"},
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr == "error: Cannot start: METRICS_KEEP_DATABASES='-1' must be at least 1 and at most 100.\n"
