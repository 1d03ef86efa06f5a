"""What a command works with, made once from the settings, and the output commands share."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

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
