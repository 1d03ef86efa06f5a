"""Every setting of the project, in one declarative table, read from the environment.

A setting is read when it is asked for (not at import), so tests and the CLI can point
the whole project somewhere else by setting an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "METRICS_DATA",
        str(PROJECT_ROOT / "data" / "store"),
        "Folder holding the store: the DuckDB files and every accepted return as uploaded. "
        "Built from the embedded demo data the first time it is needed.",
    ),
    Setting(
        "METRICS_PROGRAMME",
        "tcam",
        "The national programme the dashboard shows (see etl/programmes.py).",
    ),
    Setting(
        "METRICS_MAX_UPLOAD_BYTES",
        str(5 * 1024 * 1024),
        "Largest return file accepted, in bytes, by the command line and the upload page.",
    ),
    Setting(
        "METRICS_REQUIRE_LOGIN",
        "false",
        "'true' makes every page require sign-in; by default only uploading does.",
    ),
    Setting(
        "METRICS_SECRET_KEY",
        "",
        "Key that signs session cookies. When empty, a random key is generated once and kept "
        "in the store folder (<METRICS_DATA>/secret_key), outside the repository.",
    ),
    Setting(
        "METRICS_LOGIN_ATTEMPTS",
        "5",
        "Failed sign-ins allowed per user name and per client address in 15 minutes.",
    ),
    Setting(
        "METRICS_PROXIES",
        "0",
        "How many reverse proxies (load balancer, nginx) stand in front of gunicorn. Set it so the "
        "sign-in rate limit and the history see the user's address, not the proxy's (their "
        "X-Forwarded-For and X-Forwarded-Proto headers are trusted that many hops deep).",
    ),
    Setting(
        "METRICS_SECURE_COOKIES",
        "false",
        "'true' sends the session cookie only over HTTPS. Set it wherever the dashboard is served "
        "over HTTPS.",
    ),
    Setting(
        "METRICS_KEEP_DATABASES",
        "3",
        "How many superseded DuckDB files to keep for readers still using them.",
    ),
    Setting(
        "METRICS_HOST",
        "127.0.0.1",
        "Address `make run` (and `python app.py`) serves on.",
    ),
    Setting(
        "METRICS_PORT",
        "8050",
        "Port `make run` (and `python app.py`) serves on.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: the environment if set and non-empty, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(name, "").strip()
    return value or setting.default


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"Setting {name} must be a whole number, not {value!r}.") from None


def get_bool(name: str) -> bool:
    return get(name).lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    return Path(get("METRICS_DATA")).expanduser().resolve()


def as_markdown() -> str:
    """The settings table for the README (tests check the README carries it)."""
    lines = ["| setting | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = s.default.replace(str(PROJECT_ROOT) + "/", "") if s.default else "(empty)"
        lines.append(f"| `{s.name}` | `{default}` | {s.help} |")
    return "\n".join(lines)
