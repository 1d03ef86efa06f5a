"""The 15 AHSNs (Health Innovation Networks since 2023) and the names a return may use.

The list and its order come from data/reference/ahsns.csv, which is in the order of the
national review's Table 8.1; the national table keeps that order.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# beside the code, in the repository: a published fact, not a setting
REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "ahsns.csv"


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
    return tuple(Ahsn(r["short_name"], r["name_2018_2020"], r["name_from_2023"], i) for i, r in enumerate(rows))


# Words around an AHSN's own name that people write or leave out: "KSS AHSN", "Health
# Innovation KSS", "Kent Surrey Sussex" (its 2018-2020 name without "Academic Health
# Science Network") all mean KSS.
_AFFIXES = (
    "academic health science network for the",
    "academic health science network",
    "health innovation network",
    "health innovation",
    "ahsn",
    "hin",
    "the",
)


def _core(normalised: str) -> str:
    text = f" {normalised} "
    changed = True
    while changed:
        changed = False
        for affix in _AFFIXES:
            for form in (f" {affix} ", f" {affix}s "):
                if text.startswith(form) and text.strip() != affix:
                    text, changed = " " + text[len(form) :], True
                if text.endswith(form) and text.strip() != affix:
                    text, changed = text[: -len(form)] + " ", True
    return " ".join(text.split())


_TOO_VAGUE = {"network", "east", "west", "north", "south", "agency", "partners"}


@cache
def _by_any_name() -> dict[str, Ahsn]:
    """Every name each AHSN has had, normalised, and its core without AHSN/Health Innovation;
    a core that two AHSNs share is left out (it would be a guess)."""
    names: dict[str, Ahsn] = {}
    cores: dict[str, set[Ahsn]] = {}
    for ahsn in all_ahsns():
        for name in (ahsn.short_name, ahsn.name_2018_2020, ahsn.name_from_2023, ahsn.slug):
            names[_normalise(name)] = ahsn
            text = _normalise(re.sub(r"[()]", " ", name))
            for core in (_core(text), _core(re.sub(r"\(.*?\)", " ", name.lower()))):
                if core:
                    cores.setdefault(_normalise(core), set()).add(ahsn)
    for core, owners in cores.items():
        # "Network" or "East" alone could be several AHSNs (East Midlands?): not a name
        if len(owners) == 1 and core not in names and core not in _TOO_VAGUE:
            names[core] = next(iter(owners))
    return names


def resolve(name: str) -> Ahsn | None:
    """The AHSN a return names by any of its names (with or without "AHSN" or "Health
    Innovation"), or None."""
    text = _normalise(name or "")
    known = _by_any_name()
    return known.get(text) or known.get(_core(text))


def names_of(ahsn: Ahsn) -> list[str]:
    """The names a person may write for this AHSN, for messages."""
    out = [ahsn.short_name, ahsn.name_2018_2020, ahsn.name_from_2023, f"{ahsn.short_name} AHSN"]
    return list(dict.fromkeys(out))


def by_slug(slug: str) -> Ahsn | None:
    return next((a for a in all_ahsns() if a.slug == slug), None)
