"""Generate the embedded demo data: one TCAM return per AHSN per quarter, Q1 2018/19 to Q2 2020/21.

    .venv/bin/python -m data.demo.make_returns            # rewrites data/demo/returns/tcam/
    .venv/bin/python -m data.demo.make_returns OUT_DIR    # writes somewhere else (the tests do this)

A development tool that lives beside the data it makes: the dashboard never imports it. It
uses the project's own definitions (etl.ahsns for names and slugs, etl.words for the
rounding), so the demo files and the dashboard cannot disagree about either.

Why it is built the way it is
-----------------------------
The only real numbers we have are AHSN-level adoption rates at three quarters (Table 8.1 of
the 2021 national review, data/reference/tcam_table_8_1.csv). The demo data must reproduce
them exactly, England total included, while every trust-level detail is invented. So the
generator works from the published rates downwards instead of simulating forwards and hoping:

1. A short, hand-checked plan (`ACUTE_TRUSTS`, `EVENTS`) fixes how many acute trusts each AHSN
   has. The counts were found by a small search over candidate counts: each must make every
   published rate reachable as a whole-percent rounding of adopted/acute, and the pooled
   counts must give the published England totals. Some rates cannot be reached with a fixed
   number of trusts (Manchester 9/33/44, Eastern, UCLP, Innovation Agency), hence a few
   mergers and one trust coming into scope. `check_plan` re-proves all of this on every run.
2. Within an AHSN, acute trusts are ranked by readiness (0 adopts first). At each published
   quarter the best-ranked trusts are the adopted ones, exactly as many as the rate needs;
   so a falling rate (NENC, West of England) makes the lowest-ranked adopters slip back one level.
3. Levels at the published quarters are pinned; the quarters in between are filled with
   one-level steps at random quarters (a rare two-level climb, stalls where nothing changes).
4. Referrals are drawn only for live (4) and embedded (5) trusts, rising with time live.

Everything random comes from `random.Random` seeded with fixed strings, one per purpose, so
the output is byte-for-byte the same on every run, and changing how names are drawn does not
reshuffle the levels. Files are written with LF line endings.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from data.demo.demo_plan import (
    ACUTE_NAMES,
    ACUTE_TRUSTS,
    ENDINGS,
    EVENTS,
    NOT_ADOPTED_SHARES,
    OTHER_NAMES,
    OTHER_TRUSTS,
    QUARTERS,
    STEMS,
    Merger,
    Trust,
)
from etl import ahsns as ahsn_reference
from etl.quarters import Quarter
from etl.words import whole_percent

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
TABLE_CSV = PROJECT_ROOT / "data" / "reference" / "tcam_table_8_1.csv"
DEFAULT_OUT = PROJECT_ROOT / "data" / "demo" / "returns" / "tcam"
# TCAM's reference list: every demo trust, with the trust each merged one became
ORGANISATIONS = PROJECT_ROOT / "data" / "programmes" / "tcam" / "organisations.csv"
ORGANISATION_COLUMNS = ["ahsn", "code", "name", "type", "successor"]

SEED = "tcam-demo-2021"
HEADER = [
    "quarter",
    "ahsn",
    "trust_code",
    "trust_name",
    "trust_type",
    "adoption_level",
    "referrals_made",
    "referrals_completed",
]
ADOPTED = 4  # level 4 Live and 5 Embedded count as adopted


# ----------------------------------------------------------------------------- reference data


def read_ahsns() -> list[str]:
    return [a.short_name for a in ahsn_reference.all_ahsns()]


def read_published() -> tuple[list[int], dict[str, list[int]]]:
    """The published quarters (as indexes in QUARTERS) and each row's rates, Total included."""
    with TABLE_CSV.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = [c for c in reader.fieldnames if re.fullmatch(r"q\d_\d{4}_\d{2}", c)]
        rates = {row["ahsn"]: [int(row[c]) for c in columns] for row in reader}
    keys = [q.key for q in QUARTERS]
    return [keys.index(c) for c in columns], rates


def slug(short_name: str) -> str:
    """The AHSN's URL form, as the dashboard makes it: 'Yorkshire & Humber' -> 'yorkshire-humber'."""
    return ahsn_reference.slugify(short_name)


rounded_rate = whole_percent  # whole percent, halves rounded up (2/7 -> 29, 1/8 -> 13)


def adopted_for(rate: int, trusts: int) -> int:
    """The number of adopted trusts out of `trusts` that rounds to `rate`."""
    for adopted in range(trusts + 1):
        if rounded_rate(adopted, trusts) == rate:
            return adopted
    raise ValueError(f"{rate}% cannot be reached with {trusts} trusts")


# ----------------------------------------------------------------------------- trusts and events


def build_trusts(ahsns: list[str]) -> list[Trust]:
    """Every trust that appears in any return, with mergers and new trusts applied."""
    trusts: list[Trust] = []
    by_rank: dict[tuple[str, float], Trust] = {}
    for ahsn in ahsns:
        for rank in range(ACUTE_TRUSTS[ahsn]):
            by_rank[(ahsn, rank)] = Trust(ahsn, "acute", rank, first=0)
            trusts.append(by_rank[(ahsn, rank)])
    for event in EVENTS:
        start = QUARTERS.index(Quarter.parse(event.quarter))
        if isinstance(event, Merger):
            merging = [by_rank[(event.ahsn, r)] for r in event.ranks]
            for old in merging:
                old.last = start - 1
            new = Trust(event.ahsn, "acute", min(event.ranks), first=start, predecessors=merging)
        else:
            new = Trust(event.ahsn, "acute", event.rank, first=start, waypoints={start: event.level})
        by_rank[(event.ahsn, new.rank)] = new
        trusts.append(new)
    return trusts


def other_trusts(published: list[int]) -> list[Trust]:
    trusts = []
    for ahsn, trust_type, levels in OTHER_TRUSTS:
        trust = Trust(ahsn, trust_type, rank=math.inf, first=0)
        trust.waypoints = dict(zip([0, *published], levels))
        trusts.append(trust)
    return trusts


def acute_in(trusts: list[Trust], ahsn: str, index: int) -> list[Trust]:
    """The acute trusts in an AHSN's return for a quarter, best-ranked first."""
    found = [t for t in trusts if t.ahsn == ahsn and t.trust_type == "acute" and t.active(index)]
    return sorted(found, key=lambda t: t.rank)


def check_plan(trusts: list[Trust], ahsns: list[str], published: list[int], rates: dict[str, list[int]]) -> None:
    """Fail loudly unless the plan reproduces every published rate and the England totals."""
    if set(ACUTE_TRUSTS) != set(ahsns):
        raise ValueError("ACUTE_TRUSTS must name exactly the AHSNs in data/reference/ahsns.csv")
    for k, index in enumerate(published):
        adopted = total = 0
        for ahsn in ahsns:
            count = len(acute_in(trusts, ahsn, index))
            if not 3 <= count <= 16:
                raise ValueError(f"{ahsn} has {count} acute trusts at {QUARTERS[index]}")
            adopted += adopted_for(rates[ahsn][k], count)
            total += count
        if rounded_rate(adopted, total) != rates["Total"][k]:
            raise ValueError(
                f"England total at {QUARTERS[index]} would be {rounded_rate(adopted, total)}%, not {rates['Total'][k]}%"
            )


# ----------------------------------------------------------------------------- levels


def pin_published_levels(
    trusts: list[Trust], ahsns: list[str], published: list[int], rates: dict[str, list[int]]
) -> None:
    """Pin every acute trust's level at each published quarter, so each rate comes out exact."""
    for ahsn in ahsns:
        adopted_at = []  # per published quarter: the set of adopted trusts
        for k, index in enumerate(published):
            active = acute_in(trusts, ahsn, index)
            adopted_at.append(set(active[: adopted_for(rates[ahsn][k], len(active))]))
        for k, index in enumerate(published):
            active = acute_in(trusts, ahsn, index)
            adopted = [t for t in active if t in adopted_at[k]]
            waiting = [t for t in active if t not in adopted_at[k]]
            next_adopted = adopted_at[k + 1] if k + 1 < len(published) else None
            for position, trust in enumerate(adopted):
                before = previous_level(trust, published[:k])
                was_live = before is not None and before >= ADOPTED
                if next_adopted is not None and trust.active(published[k + 1]) and trust not in next_adopted:
                    level = 4  # about to slip back to 3: one level, not two
                elif before == 5 or (was_live and position < len(adopted) // 2):
                    level = 5  # live for a year or more: embedded
                elif k == 0 and position < len(adopted) // 3:
                    level = 5  # an early pioneer, embedded before the first published quarter
                else:
                    level = 4  # newly live
                trust.waypoints[index] = max(level, before or 0)
            share3, share2 = NOT_ADOPTED_SHARES[k]
            for position, trust in enumerate(waiting):
                before = previous_level(trust, published[:k])
                if before is not None and before >= ADOPTED:
                    trust.waypoints[index] = 3  # slipped back one level
                    continue
                place = position / len(waiting)
                level = 3 if place < share3 else 2 if place < share3 + share2 else 1
                trust.waypoints[index] = max(level, before or 1)


def previous_level(trust: Trust, earlier: list[int]) -> int | None:
    """The trust's level at the last pinned quarter before this one, looking through a merger
    (the new trust starts at the highest level of those that merged) or at its start level."""
    pinned = [i for i in earlier if i in trust.waypoints]
    if pinned:
        return trust.waypoints[pinned[-1]]
    if trust.predecessors:
        return max(previous_level(p, earlier) or 1 for p in trust.predecessors)
    return trust.waypoints.get(trust.first)


def pin_ends(trusts: list[Trust], rng: random.Random) -> None:
    """Pin the first and last quarter of each trust's returns, where not already pinned."""
    for trust in trusts:
        pinned = sorted(trust.waypoints)
        if trust.first not in trust.waypoints:
            if trust.predecessors:
                level = max(p.waypoints[max(p.waypoints)] for p in trust.predecessors)
            else:  # two quarters before Q3 2018/19: most trusts still at 1-3
                level = max(1, trust.waypoints[pinned[0]] - rng.choices((0, 1, 2), (35, 45, 20))[0])
            trust.waypoints[trust.first] = level
        if trust.last not in trust.waypoints:  # merged away: stalls until it merges
            trust.waypoints[trust.last] = trust.waypoints[max(trust.waypoints)]


def steps_between(start: int, end: int, quarters: int, rng: random.Random) -> list[int]:
    """Level changes for each of `quarters` quarters, summing to end - start: one level at a
    time at random quarters, a two-level climb only when needed or now and then."""
    change = end - start
    sign = 1 if change >= 0 else -1
    size = abs(change)
    if size > 2 * quarters:
        raise ValueError(f"cannot move from level {start} to {end} in {quarters} quarters")
    steps = [1] * min(size, quarters) + [0] * max(0, quarters - size)
    for i in rng.sample(range(quarters), max(0, size - quarters)):
        steps[i] += 1
    rng.shuffle(steps)
    if sign > 0 and 2 <= size < quarters and rng.random() < 0.12:
        ones = [i for i, s in enumerate(steps) if s == 1]
        steps[ones[0]], steps[ones[1]] = 2, 0
    return [sign * s for s in steps]


def fill_levels(trusts: list[Trust], rng: random.Random) -> None:
    for trust in trusts:
        pinned = sorted(trust.waypoints)
        trust.levels[pinned[0]] = trust.waypoints[pinned[0]]
        for a, b in zip(pinned, pinned[1:]):
            level = trust.waypoints[a]
            for offset, step in enumerate(steps_between(level, trust.waypoints[b], b - a, rng), 1):
                level += step
                trust.levels[a + offset] = level


# ----------------------------------------------------------------------------- codes and names


def name_trusts(trusts: list[Trust], rng: random.Random) -> None:
    """Demo codes (DM + 3 digits, never R like a real trust) and invented names.
    A new trust from a merger gets a new code and a name built from those that merged."""
    codes = rng.sample(range(100, 1000), len(trusts))
    places = invented_places(sum(1 for t in trusts if not t.predecessors), rng)
    for trust, number in zip(trusts, codes):
        trust.code = f"DM{number}"
        if trust.predecessors:
            names = [p.place for p in trust.predecessors]
            trust.place = names[0]
            trust.name = (
                f"{names[0]} and {names[1]} University Hospitals NHS Foundation Trust"
                if len(names) == 2
                else f"{names[0]} and {names[1]} Care Alliance NHS Foundation Trust"
            )
        else:
            trust.place = places.pop()
            formats = ACUTE_NAMES if trust.trust_type == "acute" else OTHER_NAMES[trust.trust_type]
            trust.name = rng.choice(formats).format(trust.place)


def invented_places(count: int, rng: random.Random) -> list[str]:
    """`count` different invented place names, each word used at most twice."""
    combos = [(stem, ending) for stem in STEMS for ending in ENDINGS]
    rng.shuffle(combos)
    used: dict[str, int] = defaultdict(int)
    places = []
    for stem, ending in combos:
        if used[stem] < 2:
            used[stem] += 1
            places.append(stem + ending)
        if len(places) == count:
            return places
    raise ValueError("not enough invented place names")


# ----------------------------------------------------------------------------- referrals


def draw_referrals(trusts: list[Trust], rng: random.Random) -> None:
    """Referrals made grow with quarters live (a newly live trust makes ~30-80, an embedded
    one a few hundred) and gently over time; 40%-75% of them are completed."""
    size = {}
    for trust in trusts:  # predecessors come before the trust they merge into
        if trust.predecessors:
            size[trust] = min(1.5, sum(size[p] for p in trust.predecessors) * 0.8)
        else:
            size[trust] = rng.uniform(0.6, 1.3) if trust.trust_type == "acute" else rng.uniform(0.4, 0.7)
        completion = rng.uniform(0.50, 0.68)
        live_before = max((live_quarters(p) for p in trust.predecessors), default=0)
        if trust.first == 0:  # already live when the data starts: assume it has been a while
            live_before = {4: 1, 5: 4}.get(trust.levels[0], 0)
        for index in sorted(trust.levels):
            level = trust.levels[index]
            if level < ADOPTED:
                continue
            maturity = 1 - 0.6 * 0.7**live_before
            base = 320 if level == 5 else 250
            made = round(size[trust] * base * maturity * (1 + 0.03 * index) * rng.uniform(0.9, 1.1))
            if made > 350:  # growth slows as a trust nears what its wards can refer
                made = 350 + (made - 350) // 3
            made = min(400, max(30, made))
            share = min(0.75, max(0.40, completion + rng.uniform(-0.05, 0.05)))
            completed = min(math.floor(0.75 * made), max(math.ceil(0.40 * made), round(made * share)))
            trust.referrals[index] = (made, completed)
            live_before += 1


def live_quarters(trust: Trust) -> int:
    return sum(1 for level in trust.levels.values() if level >= ADOPTED)


# ----------------------------------------------------------------------------- writing


def build() -> tuple[list[str], list[Trust]]:
    ahsns = read_ahsns()
    published, rates = read_published()
    trusts = build_trusts(ahsns)
    check_plan(trusts, ahsns, published, rates)
    pin_published_levels(trusts, ahsns, published, rates)
    trusts += other_trusts(published)
    pin_ends(trusts, random.Random(f"{SEED}/start"))
    fill_levels(trusts, random.Random(f"{SEED}/levels"))
    name_trusts(trusts, random.Random(f"{SEED}/names"))
    draw_referrals(trusts, random.Random(f"{SEED}/referrals"))
    return ahsns, trusts


def write_returns(out_dir: Path, ahsns: list[str], trusts: list[Trust]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.csv"):
        old.unlink()
    written = []
    for index, quarter in enumerate(QUARTERS):
        for ahsn in ahsns:
            rows = sorted((t for t in trusts if t.ahsn == ahsn and t.active(index)), key=lambda t: t.code)
            path = out_dir / f"{quarter.key}_{slug(ahsn)}.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(HEADER)
                for t in rows:
                    made, completed = t.referrals.get(index, ("", ""))
                    writer.writerow(
                        [quarter.label, ahsn, t.code, t.name, t.trust_type, t.levels[index], made, completed]
                    )
            written.append(path)
    return written


def write_organisations(path: Path, ahsns: list[str], trusts: list[Trust]) -> Path:
    """TCAM's reference list: every trust in any return, by AHSN (in the national table's order)
    and code, with the code of the trust it merged into (blank while it is current)."""
    successor = {old.code: t.code for t in trusts for old in t.predecessors}
    order = {a: i for i, a in enumerate(ahsns)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ORGANISATION_COLUMNS)
        for t in sorted(trusts, key=lambda t: (order[t.ahsn], t.code)):
            writer.writerow([t.ahsn, t.code, t.name, t.trust_type, successor.get(t.code, "")])
    return path


def generate(out_dir: Path = DEFAULT_OUT, organisations: Path = ORGANISATIONS) -> list[Path]:
    """Rewrite `out_dir` from scratch with one return per AHSN per quarter, and the reference
    list of the trusts in them."""
    ahsns, trusts = build()
    write_organisations(Path(organisations), ahsns, trusts)
    return write_returns(Path(out_dir), ahsns, trusts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.demo.make_returns", description=__doc__.splitlines()[0])
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder to rewrite (default {DEFAULT_OUT.relative_to(PROJECT_ROOT)})",
    )
    parser.add_argument(
        "--organisations",
        type=Path,
        default=ORGANISATIONS,
        help=f"the reference list to rewrite (default {ORGANISATIONS.relative_to(PROJECT_ROOT)})",
    )
    args = parser.parse_args(argv)
    written = generate(args.out_dir, args.organisations)
    print(f"wrote {len(written)} demo returns to {args.out_dir} and their trusts to {args.organisations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
