"""Every setting of the project, in one declarative table, read and checked once.

`Settings.from_env()` reads the environment when a process starts (the web app's
`create_app`, the command line's `main`) and checks every value; a bad one stops start-up
with a message naming the setting and what it should be. Nothing reads the environment
after that: the rest of the code is handed the `Settings` it runs with, so tests build one
with `Settings.from_env({"METRICS_DATA": ...})` instead of patching anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from etl.permissions import Action
from etl.programmes import Programme, Programmes
from etl.reading.limits import ReadLimits
from etl.setting_table import PROJECT_ROOT, SETTINGS, Setting, SettingsError  # noqa: F401  (imported from here)


@dataclass(frozen=True)
class Settings:
    """The values in force, checked. Build with `Settings.from_env()`."""

    data_dir: Path
    demo_returns: Path | None
    demo_trajectories: Path | None
    demo_conditions: Path | None
    programmes: Programmes
    programme: Programme  # the command line's default programme
    max_upload_bytes: int
    pending_max_bytes: int
    max_trusts_per_return: int
    read_memory_mb: int
    read_seconds: int
    reads_at_once: int
    require_login: bool
    provisional_public: bool
    public_comments: bool
    secret_key: str
    login_attempts: int
    session_idle_minutes: int
    session_hours: int
    proxies: int
    secure_cookies: bool
    keep_databases: int
    host: str
    port: int
    public_url: str | None
    smtp_host: str | None
    reminder_hours: int
    smtp_port: int
    smtp_starttls: bool
    smtp_user: str | None
    smtp_password: str | None
    smtp_from: str
    debug: bool

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from `environ` (default: the process environment); an unset or
        empty value takes the default. Raises SettingsError listing every bad value."""
        environ = os.environ if environ is None else environ
        values, problems = {}, []
        for s in SETTINGS:
            text = (environ.get(s.name) or "").strip() or s.default
            try:
                values[s.field] = s.read(text)
            except ValueError as err:
                shown = "(hidden)" if s.secret else repr(text)
                problems.append(f"{s.name}={shown} {err}.")
        programmes = values.get("programmes")
        if isinstance(programmes, Programmes):
            code = values["programme"]
            if code in programmes:
                values["programmes"] = programmes = Programmes(tuple(programmes), programmes.folder, code)
                values["programme"] = programmes[code]
            else:
                known = ", ".join(programmes.codes)
                problems.append(f"METRICS_PROGRAMME={code!r} is not a known programme (known: {known}).")
        if problems:
            raise SettingsError("Cannot start: " + " ".join(problems))
        return cls(**values)

    @property
    def opened(self) -> frozenset[Action]:
        """What these settings open to everyone (etl/permissions.py decides the rest)."""
        return frozenset(
            action
            for action, on in (
                (Action.SEE_PROVISIONAL, self.provisional_public),
                (Action.SEE_COMMENTS, self.public_comments),
            )
            if on
        )

    @property
    def read_limits(self) -> ReadLimits:
        """What reading one uploaded file may cost (the other caps are etl.reading's own)."""
        return ReadLimits(
            max_bytes=self.max_upload_bytes,
            max_trusts_per_return=self.max_trusts_per_return,
            memory_bytes=self.read_memory_mb * 1024 * 1024,
            seconds=float(self.read_seconds),
        )

    def shown(self) -> list[tuple[Setting, str]]:
        """Each setting with its value as text (secrets hidden), for `python -m etl settings`."""
        out = []
        for s in SETTINGS:
            value = getattr(self, s.field)
            if s.secret:
                text = "(set)" if value else "(empty)"
            elif isinstance(value, Programme):
                text = value.code
            elif isinstance(value, Programmes):
                text = f"{value.folder} ({', '.join(value.codes)})"
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = "none" if value is None else str(value)
            out.append((s, text))
        return out


def as_markdown() -> str:
    """The settings table for the README (tests check the README carries it)."""
    lines = ["| setting | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = s.default.replace(str(PROJECT_ROOT) + "/", "") if s.default else "(empty)"
        lines.append(f"| `{s.name}` | `{default}` | {s.help} |")
    return "\n".join(lines)
