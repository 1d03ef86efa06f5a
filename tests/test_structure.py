"""The shape of the code: imports that point down the layers of docs/architecture.md and never in
a cycle, reads that never write, settings checked at start-up."""

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


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (types named for the reader, not imported
    when the code runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """The project modules `name` imports when it runs, anywhere in its body."""
    out = set()
    for node in runtime_nodes(tree):
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
                cycles.append(path[path.index(nxt) :] + [nxt])
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


# ---- the direction of imports (docs/architecture.md) ------------------------------------------

# etl's layers, lowest first: a module may import its own layer and the layers before it.
ETL_LAYERS = [
    (
        "definitions",
        (
            "etl.quarters",
            "etl.ahsns",
            "etl.programme_fields",
            "etl.programme_model",
            "etl.programme_reading",
            "etl.programmes",
            "etl.reference",
            "etl.problems",
            "etl.errors",
            "etl.files",
            "etl.rows",
            "etl.events",
            "etl.words",
            "etl.statuses",
            "etl.users",
            "etl.permissions",
        ),
    ),
    ("reading files", ("etl.reading",)),
    ("checking", ("etl.validate", "etl.code_owners", "etl.trajectories", "etl.pathways")),
    ("reading the database", ("etl.queries", "etl.settings", "etl.setting_table")),
    ("the build", ("etl.build",)),
    (
        "what the figures mean",
        ("etl.report", "etl.collection", "etl.milestones", "etl.templates", "etl.mail", "etl.live_cases"),
    ),
    ("the store", ("etl.store",)),
    ("the command line", ("etl.cli", "etl.commands", "etl.__main__", "etl")),
]
# dashboard's folders, and the others each may import (every one may import etl, and its own folder).
DASHBOARD_MAY_IMPORT = {
    "dashboard.addresses": (),
    "dashboard.context": ("dashboard.addresses",),
    "dashboard.compression": (),
    "dashboard.background": (),
    "dashboard.security": ("dashboard.addresses", "dashboard.context"),
    "dashboard.presentation": ("dashboard.addresses", "dashboard.context", "dashboard.security"),
    "dashboard.pages": ("dashboard.addresses", "dashboard.context", "dashboard.security", "dashboard.presentation"),
    "dashboard.endpoints": (
        "dashboard.addresses",
        "dashboard.context",
        "dashboard.security",
        "dashboard.presentation",
        "dashboard.background",
    ),
}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or (prefix != "etl" and module.startswith(prefix + "."))


def _etl_layer(module: str) -> int | None:
    return next((i for i, (_, prefixes) in enumerate(ETL_LAYERS) if any(_within(module, p) for p in prefixes)), None)


def _folder(module: str) -> str | None:
    return next((f for f in DASHBOARD_MAY_IMPORT if _within(module, f)), None)


def against_the_direction(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points up a layer, as 'importer -> imported'."""
    wrong = []
    for module, imported in graph.items():
        for other in sorted(imported):
            if module.startswith("etl") and (not other.startswith("etl") or _etl_layer(other) > _etl_layer(module)):
                wrong.append(f"{module} -> {other}")
            elif (folder := _folder(module)) is not None and other.startswith("dashboard"):
                if _folder(other) != folder and _folder(other) not in DASHBOARD_MAY_IMPORT[folder]:
                    wrong.append(f"{module} -> {other}")
                elif folder == _folder(other) == "dashboard.pages":
                    wrong.append(f"{module} -> {other}")  # a page never imports another page
    return wrong


def test_every_import_points_down_the_layers_of_the_architecture():
    trees = project_modules()
    graph = {name: imports_of(name, tree, set(trees)) for name, tree in trees.items()}
    assert against_the_direction(graph) == []
    assert all(_etl_layer(m) is not None for m in graph if m.startswith("etl"))  # every module has its layer
    assert {m for m in graph if m.startswith("dashboard.") and _folder(m) is None} == set()


def test_an_import_against_the_direction_is_found():
    assert against_the_direction(
        {
            "etl.queries.database": {"etl.store"},  # reading the database never knows the store
            "etl.words": {"etl.report"},
            "etl.store.log": {"dashboard.context"},  # the data layer never imports the web app
            "dashboard.pages.upload": {"dashboard.endpoints.uploads", "dashboard.pages.history"},
            "dashboard.presentation.views": {"dashboard.pages.national"},
            "dashboard.background.pending": {"dashboard.security.auth"},
            "dashboard.endpoints.uploads": {"dashboard.background.pending", "dashboard.presentation.uploading"},
        }
    ) == [
        "etl.queries.database -> etl.store",
        "etl.words -> etl.report",
        "etl.store.log -> dashboard.context",
        "dashboard.pages.upload -> dashboard.endpoints.uploads",
        "dashboard.pages.upload -> dashboard.pages.history",
        "dashboard.presentation.views -> dashboard.pages.national",
        "dashboard.background.pending -> dashboard.security.auth",
    ]


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
    restore = Restore(
        id=161,
        programme="tcam",
        submission_id=1,
        loaded_by="someone",
        loaded_at="2026-11-23T10:00:00+00:00",
        source="a write that crashed",
    )
    (store.events_dir / "000161.json").write_text(json.dumps(events.to_json(restore)))
    assert db.query("SELECT count(*) AS n FROM submissions")["n"].iloc[0] == 150
    assert store.current_database() == before and not store.is_current()


def test_settings_table_and_settings_object_agree():
    assert [s.field for s in SETTINGS] == [f.name for f in fields(Settings)]
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_a_bad_setting_is_refused_with_every_problem_named():
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(
            {
                "METRICS_PORT": "eighty",
                "METRICS_REQUIRE_LOGIN": "maybe",
                "METRICS_PROGRAMME": "nope",
                "METRICS_SECRET_KEY": "hunter2",
            }
        )
    message = str(refused.value)
    assert "METRICS_PORT='eighty' must be a whole number." in message
    assert "METRICS_REQUIRE_LOGIN='maybe' must be true or false." in message
    assert "METRICS_PROGRAMME='nope' is not a known programme (known: tcam, escape-pain, pincer, precept)." in message
    assert "hunter2" not in message


def test_a_bad_setting_stops_the_web_app_before_it_serves(tmp_path):
    env = {**os.environ, "METRICS_DATA": str(tmp_path), "METRICS_LOGIN_ATTEMPTS": "0"}
    started = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode != 0
    assert started.stderr.strip().endswith(
        "Cannot start: METRICS_LOGIN_ATTEMPTS='0' must be at least 1 and at most 1,000."
    )


def test_a_bad_setting_stops_the_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "etl", "settings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "METRICS_DATA": str(tmp_path), "METRICS_KEEP_DATABASES": "-1"},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == "error: Cannot start: METRICS_KEEP_DATABASES='-1' must be at least 1 and at most 100.\n"


# ---- size: one job per module (issue 17: no module over about 400 lines) ----------------------

MOST_LINES = 450  # the house's ~400, with a little slack so one more function does not fail the build


def modules_over(most: int, sources: dict[str, str]) -> list[str]:
    """Every module with more than `most` lines, as 'name (lines)'."""
    return [f"{name} ({n})" for name, text in sorted(sources.items()) if (n := len(text.splitlines())) > most]


def test_no_module_is_over_the_ceiling():
    sources = {"app": (ROOT / "app.py").read_text()}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            sources[str(path.relative_to(ROOT))] = path.read_text()
    assert len(sources) > 100  # every module was found
    assert modules_over(MOST_LINES, sources) == []


def test_a_module_over_the_ceiling_is_found():
    assert modules_over(3, {"short.py": "a\nb\nc\n", "long.py": "a\nb\nc\nd\n"}) == ["long.py (4)"]
