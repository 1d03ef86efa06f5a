"""The README is the contract with a new user: keep its commands and settings true."""

from etl import settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_lists_every_setting_as_the_code_defines_it():
    start = README.index("<!-- settings-table -->\n") + len("<!-- settings-table -->\n")
    end = README.index("<!-- /settings-table -->")
    assert README[start:end].strip() == settings.as_markdown()


def test_readme_commands_exist_in_the_makefile_and_ci_runs_the_test_command():
    makefile = (ROOT / "Makefile").read_text()
    assert "make run " in README and "make test " in README
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_screenshot_the_readme_shows_is_committed():
    import re

    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert len(images) >= 7
    assert [i for i in images if not (ROOT / i).is_file()] == []


def test_make_run_serves_on_the_host_and_port_settings():
    makefile = (ROOT / "Makefile").read_text()
    assert "METRICS_HOST ?= 127.0.0.1\n" in makefile and "METRICS_PORT ?= 8050\n" in makefile
    assert "--bind $(METRICS_HOST):$(METRICS_PORT)" in makefile
    assert {s.name: s.default for s in settings.SETTINGS if s.name in ("METRICS_HOST", "METRICS_PORT")} == {
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": "8050",
    }


def test_the_two_commands_come_first():
    """A newcomer sees them before the screenshots, within the first screenful."""
    assert README.index("## The two commands") < README.index("<!-- screenshots -->")
    assert README[: README.index("make test ")].count("\n") < 25


def test_the_demo_readme_names_commands_that_exist():
    import re

    demo = (ROOT / "data" / "demo" / "README.md").read_text()
    modules = set(re.findall(r"python -m ([\w.]+)", demo))
    assert modules and "etl.demo" not in modules
    for module in modules:
        path = ROOT / (module.replace(".", "/") + ".py")
        package = ROOT / module.replace(".", "/") / "__main__.py"
        assert path.exists() or package.exists(), module
