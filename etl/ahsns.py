"""The 15 AHSNs (Health Innovation Networks since 2023) and the names a return may use.

The list and its order come from data/reference/ahsns.csv, which is in the order of the
national review's Table 8.1; the national table keeps that order.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from etl.settings import PROJECT_ROOT

REFERENCE_FILE = PROJECT_ROOT / "data" / "reference" / "ahsns.csv"


@dataclass(frozen=True)
class Ahsn:
    short_name: str
    name_2018_2020: str
    name_from_2023: str
    table_order: int

    @property
    def slug(self) -> str:
        """URL form: 'Yorkshire & Humber' -> 'yorkshire-humber'."""
        return slugify(self.short_name)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " ")).strip("-")


def _normalise(name: str) -> str:
    """Case, spacing, '&'/'and' and punctuation do not distinguish AHSN names."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@cache
def all_ahsns() -> tuple[Ahsn, ...]:
    with REFERENCE_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Ahsn(r["short_name"], r["name_2018_2020"], r["name_from_2023"], i)
        for i, r in enumerate(rows)
    )


@cache
def _by_any_name() -> dict[str, Ahsn]:
    names: dict[str, Ahsn] = {}
    for ahsn in all_ahsns():
        for name in (ahsn.short_name, ahsn.name_2018_2020, ahsn.name_from_2023, ahsn.slug):
            names[_normalise(name)] = ahsn
    return names


def resolve(name: str) -> Ahsn | None:
    """The AHSN a return names by any of its names, or None."""
    return _by_any_name().get(_normalise(name or ""))


def by_slug(slug: str) -> Ahsn | None:
    return next((a for a in all_ahsns() if a.slug == slug), None)
