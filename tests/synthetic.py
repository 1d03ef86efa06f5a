"""Synthetic quarterly returns for the benchmark and for tests that need more than the demo.

Pure: writes return CSV files in the same shape as data/demo/returns/tcam (one file per
AHSN-quarter), with demo-style trust codes that cannot clash with real ODS codes (Z....).
Levels drift upward over time, as adoption does; referrals follow the level.
"""

from __future__ import annotations

import csv
import io
import random

from etl.ahsns import all_ahsns
from etl.quarters import Quarter


def synthetic_returns(
    first: Quarter, quarters: int, trusts_per_ahsn: int, seed: int = 2021, skip: set[tuple[str, int]] = frozenset()
) -> list[tuple[str, bytes]]:
    """(file name, CSV bytes) for every AHSN x quarter, except the (short name, quarter
    index) pairs in `skip` (a quarter with no return)."""
    rng = random.Random(seed)
    files = []
    for a_number, ahsn in enumerate(all_ahsns(), start=1):
        levels = [1] * trusts_per_ahsn
        for offset in range(quarters):
            quarter = first + offset
            levels = [
                min(5, lv + 1) if rng.random() < 0.12 else max(1, lv - 1) if rng.random() < 0.02 else lv
                for lv in levels
            ]
            if (ahsn.short_name, quarter.index) in skip:
                continue
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(
                [
                    "quarter",
                    "ahsn",
                    "trust_code",
                    "trust_name",
                    "trust_type",
                    "adoption_level",
                    "referrals_made",
                    "referrals_completed",
                ]
            )
            for t_number, level in enumerate(levels, start=1):
                made = rng.randint(20, 400) if level >= 4 else rng.randint(0, 5) if level == 3 else 0
                completed = int(made * rng.uniform(0.3, 0.8))
                writer.writerow(
                    [
                        quarter.label,
                        ahsn.short_name,
                        f"Z{a_number:02d}{t_number:02d}",
                        f"Synthetic {ahsn.short_name} Trust {t_number}",
                        "acute",
                        level,
                        made,
                        completed,
                    ]
                )
            files.append((f"{ahsn.slug}-{quarter.key}.csv", out.getvalue().encode()))
    return files
