"""What a command works with, made once from the settings, and the output commands share."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from etl import queries
from etl.programmes import Programme
from etl.queries import Database
from etl.settings import Settings
from etl.store import Store
from etl.templates import neutralise
from etl.users import Users


@dataclass(frozen=True)
class Context:
    """What a command works with, made once from the settings."""

    settings: Settings
    store: Store
    db: Database
    users: Users
    programme: Programme  # the command's --programme, or METRICS_PROGRAMME

    @classmethod
    def from_settings(cls, settings: Settings, programme: Programme | None = None) -> Context:
        store = Store.from_settings(settings)
        return cls(settings, store, Database(store), Users(settings.data_dir), programme or settings.programme)


def warn_left_out(ctx: Context) -> None:
    """On stderr: every stored event the build left out of the figures, and why (etl/store/database.py)."""
    if ctx.store.current_database() is None:
        return
    for r in queries.left_out_events(ctx.db).to_dict("records"):
        print(
            f"warning: event {r['id']} ({r['kind']}: {r['description']}) is left out of the figures: "
            f"{r['reason']}; once the cause is fixed, `python -m etl rebuild` tries it again",
            file=sys.stderr,
        )


def progress(done: int, total: int, label: str) -> None:
    if total < 20 or not sys.stderr.isatty() and done != total:
        return
    print(f"\rreading kept files: {done}/{total}", end="\n" if done == total else "", file=sys.stderr)


def write_csv(rows: list[list]) -> None:
    """CSV on standard output, every cell neutralised: it will be opened in a spreadsheet."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


def write_out(text: str, output: Path | None) -> int:
    """Write a CSV to the --output file (saying so on stderr), or else to stdout."""
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
