"""Every setting of the project, declared once: its environment variable, its field of
`Settings`, its default, how its text is read and checked, and what it does (the README's
settings table is written from it). `etl/settings.py` reads them into `Settings`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl import reference
from etl.programmes import DEFAULT_CODE, Programmes

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """One or more settings have values that cannot be used; the message lists each."""


# ---- how a value is read ------------------------------------------------------------------


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def _optional_path(text: str) -> Path | None:
    return None if text.lower() == "none" else _path(text)


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def read(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise ValueError("must be a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum:,}" if maximum is not None else ""
            raise ValueError(f"must be at least {minimum:,}{upper}")
        return value

    return read


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _programmes(text: str) -> Programmes:
    # a DefinitionError (a ValueError) names the file and field; the setting's name is added to it
    programmes = Programmes.from_folder(_path(text))
    for programme in programmes:
        reference.organisations(programme)  # a reference list with a mistake stops start-up too
    return programmes


def _programme(text: str) -> str:
    # a code, made the Programme of that code once the definitions are read (Settings.from_env)
    return text.lower()


def _text(text: str) -> str:
    return text


def _optional_text(text: str) -> str | None:
    return text or None


def _url(text: str) -> str | None:
    if not text:
        return None
    if not text.startswith(("http://", "https://")):
        raise ValueError("must be an address starting http:// or https://")
    return text.rstrip("/")


# ---- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    name: str  # the environment variable
    field: str  # the attribute of Settings
    default: str
    read: Callable[[str], object]
    help: str
    secret: bool = False  # never printed


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "METRICS_DATA",
        "data_dir",
        str(PROJECT_ROOT / "data" / "store"),
        _path,
        "Folder holding the store: the DuckDB files and every accepted return as uploaded. "
        "`make run` and `python -m etl init` build it; the web app only reads it.",
    ),
    Setting(
        "METRICS_DEMO_RETURNS",
        "demo_returns",
        str(PROJECT_ROOT / "data" / "demo" / "returns"),
        _optional_path,
        "Folder of demo returns loaded into an empty store by `python -m etl init`: one subfolder a programme, "
        "named by its code, with its `published.txt` (returns directly in the folder are METRICS_PROGRAMME's); "
        "'none' starts a real deployment empty.",
    ),
    Setting(
        "METRICS_DEMO_TRAJECTORIES",
        "demo_trajectories",
        str(PROJECT_ROOT / "data" / "demo" / "trajectories"),
        _optional_path,
        "Folder of trajectory files (<programme>.csv) loaded with the demo returns into an empty store "
        "by `python -m etl init`, before the demo quarters are published; 'none' loads none.",
    ),
    Setting(
        "METRICS_DEMO_CONDITIONS",
        "demo_conditions",
        str(PROJECT_ROOT / "data" / "demo" / "conditions"),
        _optional_path,
        "Folder of spread-condition files (<programme>.csv), illustrative, loaded with the demo returns into "
        "an empty store by `python -m etl init`, so the Pathways page has live cases; 'none' loads none.",
    ),
    Setting(
        "METRICS_PROGRAMMES",
        "programmes",
        str(PROJECT_ROOT / "data" / "programmes"),
        _programmes,
        "Folder of programme definitions (`<code>.toml`, each with its reference list of organisations; "
        "docs/programmes.md). Every programme in it is served; a definition with a mistake stops start-up "
        "with a message naming its file and field.",
    ),
    Setting(
        "METRICS_PROGRAMME",
        "programme",
        DEFAULT_CODE,
        _programme,
        "The code of the programme the command line works on when no `--programme` is given; one of "
        "the definitions in METRICS_PROGRAMMES.",
    ),
    Setting(
        "METRICS_MAX_UPLOAD_BYTES",
        "max_upload_bytes",
        str(5 * 1024 * 1024),
        _whole(1, 100 * 1024 * 1024),
        "Largest return file accepted, in bytes, by the command line and the upload page.",
    ),
    Setting(
        "METRICS_PENDING_MAX_BYTES",
        "pending_max_bytes",
        str(100 * 1024 * 1024),
        _whole(1, 100 * 1024**3),
        "Most disk space, in bytes, that upload previews waiting to be confirmed may take, across "
        "all users. Each user keeps only their latest preview; when a new one would pass this "
        "total the oldest are removed. At least one upload (METRICS_MAX_UPLOAD_BYTES) always fits.",
    ),
    Setting(
        "METRICS_MAX_TRUSTS_PER_RETURN",
        "max_trusts_per_return",
        "10000",
        _whole(1, 10_000),
        "Most organisation rows one AHSN's return for one quarter may hold, for every programme; each "
        "programme's definition sets its own most within it (`organisations.most_per_return`: TCAM's 300 "
        "trusts, PINCER's 1,500 GP practices), and a file with more is refused as implausible.",
    ),
    Setting(
        "METRICS_READ_MEMORY_MB",
        "read_memory_mb",
        "768",
        _whole(64, 16_384),
        "Memory, in MB, the child process that reads an uploaded file may use; a file that needs "
        "more is refused, never taking a worker with it.",
    ),
    Setting(
        "METRICS_READ_SECONDS",
        "read_seconds",
        "20",
        _whole(1, 600),
        "Seconds the child process that reads an uploaded file may take before it is stopped and the file refused.",
    ),
    Setting(
        "METRICS_READS_AT_ONCE",
        "reads_at_once",
        "2",
        _whole(1, 100),
        "Uploaded files read at once by all the web workers together (one per user at most); a further "
        "one is answered at once 'busy: send it again shortly', so the other workers keep serving pages. "
        "Keep it below the number of workers.",
    ),
    Setting(
        "METRICS_REQUIRE_LOGIN",
        "require_login",
        "false",
        _bool,
        "'true' makes every page require sign-in; by default only uploading does.",
    ),
    Setting(
        "METRICS_PROVISIONAL_PUBLIC",
        "provisional_public",
        "false",
        _bool,
        "'true' shows provisional figures (quarters not yet signed off, `?provisional=1`) to everyone. By "
        "default only the national team sees them, and an AHSN's own submitters see their AHSN's; anyone "
        "else asking gets the published figures and a note that provisional ones need signing in.",
    ),
    Setting(
        "METRICS_PUBLIC_COMMENTS",
        "public_comments",
        "false",
        _bool,
        "'true' shows the comments submitters keep with each trust's row to everyone, on the AHSN pages "
        "and in every download. By default only the national team and the AHSN's own submitters see them.",
    ),
    Setting(
        "METRICS_SECRET_KEY",
        "secret_key",
        "",
        _text,
        "Key that signs session cookies. When empty, a random key is generated once and kept "
        "in the store folder (<METRICS_DATA>/secret_key), outside the repository.",
        secret=True,
    ),
    Setting(
        "METRICS_LOGIN_ATTEMPTS",
        "login_attempts",
        "100",
        _whole(1, 1000),
        "Failed sign-ins allowed from one client address in 15 minutes, whatever the names; after "
        "that the address waits. High, because many staff may share one address behind an NHS "
        "site's NAT. A user name is never locked out: from its fourth failure in 15 minutes from "
        "one address, each try for it from that address waits longer (1 second, doubling, at most "
        "a minute); its owner elsewhere is not slowed.",
    ),
    Setting(
        "METRICS_SESSION_IDLE_MINUTES",
        "session_idle_minutes",
        "60",
        _whole(1, 24 * 60),
        "A session ends after this many minutes without a request; the user signs in again.",
    ),
    Setting(
        "METRICS_SESSION_HOURS",
        "session_hours",
        "12",
        _whole(1, 7 * 24),
        "A session ends this many hours after signing in, however busy it is. Unconfirmed "
        "upload previews are removed after the same time.",
    ),
    Setting(
        "METRICS_PROXIES",
        "proxies",
        "0",
        _whole(0, 10),
        "How many reverse proxies (load balancer, nginx) stand in front of gunicorn. Set it so the "
        "sign-in rate limit and the history see the user's address, not the proxy's (their "
        "X-Forwarded-For and X-Forwarded-Proto headers are trusted that many hops deep).",
    ),
    Setting(
        "METRICS_SECURE_COOKIES",
        "secure_cookies",
        "false",
        _bool,
        "'true' always marks the session cookie Secure (sent only over HTTPS). Without it the cookie is "
        "Secure whenever the request came over HTTPS (behind a proxy, as its X-Forwarded-Proto says, "
        "with METRICS_PROXIES set).",
    ),
    Setting(
        "METRICS_KEEP_DATABASES",
        "keep_databases",
        "3",
        _whole(1, 100),
        "How many superseded DuckDB files to keep for readers still using them.",
    ),
    Setting(
        "METRICS_HOST",
        "host",
        "127.0.0.1",
        _text,
        "Address `make run` (and `python app.py`) serves on.",
    ),
    Setting(
        "METRICS_PORT",
        "port",
        "8050",
        _whole(1, 65535),
        "Port `make run` (and `python app.py`) serves on.",
    ),
    Setting(
        "METRICS_PUBLIC_URL",
        "public_url",
        "",
        _url,
        "The address people use to reach the dashboard (https://metrics.example.nhs.uk), for the "
        "links in e-mails. Empty: e-mails carry no links.",
    ),
    Setting(
        "METRICS_SMTP_HOST",
        "smtp_host",
        "",
        _optional_text,
        "Mail server for reminders to late AHSNs and receipts for stored returns. Empty: no e-mail is sent.",
    ),
    Setting(
        "METRICS_REMINDER_HOURS",
        "reminder_hours",
        "24",
        _whole(1, 24 * 31),
        "Hours after reminding a late AHSN of a quarter's return before it may be reminded of it again; "
        "sooner is refused saying when it may be sent.",
    ),
    Setting(
        "METRICS_SMTP_PORT",
        "smtp_port",
        "25",
        _whole(1, 65535),
        "Port of the mail server (587 with METRICS_SMTP_STARTTLS, usually).",
    ),
    Setting(
        "METRICS_SMTP_STARTTLS",
        "smtp_starttls",
        "false",
        _bool,
        "'true' encrypts the connection to the mail server (STARTTLS) before signing in to it.",
    ),
    Setting(
        "METRICS_SMTP_USER",
        "smtp_user",
        "",
        _optional_text,
        "User name for the mail server, if it needs one.",
    ),
    Setting(
        "METRICS_SMTP_PASSWORD",
        "smtp_password",
        "",
        _optional_text,
        "Password for the mail server, if it needs one.",
        secret=True,
    ),
    Setting(
        "METRICS_SMTP_FROM",
        "smtp_from",
        "national-metrics@localhost",
        _text,
        "The sender of the dashboard's e-mails.",
    ),
    Setting(
        "METRICS_DEBUG",
        "debug",
        "false",
        _bool,
        "'true' runs `python app.py` with Dash's debugger and reloader. Never on a server anyone else can reach.",
    ),
)
