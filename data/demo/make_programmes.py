"""Generate the illustrative demo data of ESCAPE-pain, PINCER and PReCePT: each programme's
reference list of invented organisations and one return per AHSN per quarter.

    .venv/bin/python -m data.demo.make_programmes          # rewrites them in place
    .venv/bin/python -m data.demo.make_programmes OUT_DIR  # writes the same files under OUT_DIR

A development tool beside the data it makes (the dashboard never imports it). Only the national
figures are real (data/reference/README.md, "Other national programmes"); every organisation,
its code and name, every AHSN's share and every count are invented, shaped so that the national
totals match the published ones:

- ESCAPE-pain: 51 sites delivering in Q1 2018/19 (April 2018) rising to 280 in Q4 2019/20
  (March 2020), and 12,781 people completing over those eight quarters, about 78.5% of those
  starting (the earlier evaluation's completion rate).
- PINCER: 50 GP practices taking part in Q4 2017/18 (March 2018), 628 in Q4 2018/19 and 2,430
  in Q4 2019/20 (by April 2020), of 6,500 practices; patients at risk six months on 14.4% fewer
  than at baseline.
- PReCePT: 152 maternity units, every one adopted by Q4 2019/20 (March 2020); eligible mothers
  given magnesium sulphate rising from about 60% (the 2016 baseline was 43%) to the 85% aim.

Each organisation gets a place in one national order of joining (an AHSN's readiness shifts
its organisations earlier or later), and at each quarter the first N in that order have
adopted, N being the published figure or a smooth curve between them: so every national figure
is exact, no organisation ever un-adopts, and AHSNs differ. Everything random comes from
`random.Random` seeded with fixed strings, so the output is the same, byte for byte, on every
run; files are written with LF line endings.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from data.demo.demo_plan import ENDINGS, STEMS
from etl import ahsns as ahsn_reference
from etl.quarters import Quarter

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEADER = ["quarter", "ahsn", "trust_code", "trust_name", "trust_type", "adoption_level"]
ORGANISATION_COLUMNS = ["ahsn", "code", "name", "type", "successor"]

# Each AHSN's share of England's GP practices (6,500 in all), invented but of the right scale;
# sites and maternity units are shared out in the same proportions.
PRACTICES = {
    "Oxford": 330,
    "Health Innovation Manchester": 480,
    "West Midlands": 760,
    "East Midlands": 560,
    "HIN": 300,
    "Yorkshire & Humber": 700,
    "KSS": 520,
    "South West": 300,
    "Innovation Agency": 400,
    "NENC": 380,
    "Eastern": 520,
    "UCLP": 500,
    "Wessex": 300,
    "West of England": 200,
    "ICHP": 250,
}
# The first letter of a demo practice code, by AHSN (well formed, as ODS codes are; demo).
PRACTICE_LETTER = dict(zip(PRACTICES, "KPMCGBHLNADFJYE", strict=True))


@dataclass
class Organisation:
    ahsn: str
    code: str
    name: str
    kind: str
    joins: int | None = None  # the index into the quarters at which it adopts (None: never)
    rows: dict[int, list] = field(default_factory=dict)  # quarter -> level and counts


def span(first: str, last: str) -> list[Quarter]:
    a, b = Quarter.parse(first), Quarter.parse(last)
    return [Quarter.from_index(i) for i in range(a.index, b.index + 1)]


def share_out(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` shared in proportion to `weights`, largest remainders first (exact, deterministic)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def places(rng: random.Random) -> list[str]:
    """Every invented place name (an unusual word and a place-name ending), shuffled."""
    names = [stem + ending for stem in STEMS for ending in ENDINGS]
    rng.shuffle(names)
    return names


def curve(pinned: dict[int, int], quarters: int) -> list[int]:
    """A national figure for every quarter: the pinned ones exact, geometric between them, flat
    (a little growth) after the last."""
    points = sorted(pinned.items())
    out = []
    for q in range(quarters):
        before = max((p for p in points if p[0] <= q), default=points[0])
        after = min((p for p in points if p[0] >= q), default=None)
        if after is None:
            out.append(round(before[1] * (1 + 0.02 * (q - before[0]))))
        elif after[0] == before[0]:
            out.append(before[1])
        else:
            t = (q - before[0]) / (after[0] - before[0])
            out.append(round(before[1] * (after[1] / before[1]) ** t))
    return out


def order_of_joining(orgs: list[Organisation], adopted: list[int], seed: str) -> None:
    """Each organisation's quarter of adopting: one national order (an AHSN's readiness moves its
    organisations earlier or later), the first `adopted[q]` of it adopted at quarter q."""
    rng = random.Random(seed)
    readiness = {a: rng.uniform(0.55, 1.6) for a in PRACTICES}
    ranked = sorted(orgs, key=lambda o: (rng.random() / readiness[o.ahsn], o.code))
    for position, org in enumerate(ranked):
        org.joins = next((q for q, n in enumerate(adopted) if position < n), None)


def escape_pain(rng: random.Random) -> tuple[list[Quarter], list[Organisation]]:
    quarters = span("Q1 2018/19", "Q4 2019/20")
    kinds = [
        ("physiotherapy", "{} Physiotherapy Service"),
        ("community", "{} Community Hall"),
        ("leisure", "{} Leisure Centre"),
    ]
    names = places(rng)
    orgs = []
    for ahsn, n in share_out(300, PRACTICES).items():
        for _ in range(n):
            kind, pattern = rng.choice(kinds)
            orgs.append(Organisation(ahsn, f"EP{len(orgs) + 1:04d}", pattern.format(names.pop()), kind))
    order_of_joining(orgs, curve({0: 51, 7: 280}, len(quarters)), "escape-pain order")
    # People completing: drawn for each delivering site-quarter, then scaled to 12,781 exactly.
    draws = {
        (o.code, q): rng.uniform(6, 16) * (1 + 0.1 * (q - o.joins))
        for o in orgs
        for q in range(len(quarters))
        if o.joins is not None and q >= o.joins
    }
    scale = 12_781 / sum(draws.values())
    completing = {k: int(v * scale) for k, v in draws.items()}
    for k in sorted(draws, key=lambda k: (completing[k] - draws[k] * scale, k))[: 12_781 - sum(completing.values())]:
        completing[k] += 1
    for o in orgs:
        for q in range(len(quarters)):
            if o.joins is not None and q >= o.joins:
                done = completing[(o.code, q)]
                started = done + round(done * rng.uniform(0.18, 0.36))  # about 78.5% complete
                o.rows[q] = [3, started, done]
            else:
                o.rows[q] = [2 if o.joins is not None and q >= o.joins - 2 else 1, "", ""]
    return quarters, orgs


def pincer(rng: random.Random) -> tuple[list[Quarter], list[Organisation]]:
    quarters = span("Q4 2017/18", "Q2 2020/21")
    kinds = [
        "{} Medical Centre",
        "{} Surgery",
        "The {} Practice",
        "{} Health Centre",
        "{} Family Practice",
        "{} Group Practice",
        "{} Road Surgery",
    ]
    names = [pattern.format(place) for place in places(rng) for pattern in kinds]
    rng.shuffle(names)
    orgs = []
    for ahsn, n in PRACTICES.items():
        letter = PRACTICE_LETTER[ahsn]
        orgs += [Organisation(ahsn, f"{letter}{81001 + i:05d}", names.pop(), "gp_practice") for i in range(n)]
    order_of_joining(orgs, curve({0: 50, 4: 628, 8: 2_430}, len(quarters)), "pincer order")
    for o in orgs:
        baseline = max(1, round(rng.lognormvariate(3.4, 0.6)))
        later = max(0, round(baseline * rng.uniform(0.7, 1.0)))  # 14.4% fewer, on average
        for q in range(len(quarters)):
            if o.joins is None or q < o.joins - 1:
                o.rows[q] = [1, "", ""]
            elif q < o.joins:
                o.rows[q] = [2, "", ""]
            elif q < o.joins + 2:
                o.rows[q] = [3, baseline, ""]
            else:
                o.rows[q] = [4, baseline, later]
    return quarters, orgs


def precept(rng: random.Random) -> tuple[list[Quarter], list[Organisation]]:
    quarters = span("Q1 2018/19", "Q2 2020/21")
    patterns = ["{} Maternity Unit", "{} Birth Centre and Maternity Unit", "{} Women's Unit"]
    names = places(rng)
    orgs = []
    for ahsn, n in share_out(152, PRACTICES).items():
        for _ in range(n):
            orgs.append(
                Organisation(ahsn, f"MU{101 + len(orgs)}", rng.choice(patterns).format(names.pop()), "maternity_unit")
            )
    order_of_joining(orgs, curve({0: 40, 3: 90, 7: 152}, len(quarters)), "precept order")
    for o in orgs:
        size = rng.uniform(3, 14)
        for q in range(len(quarters)):
            eligible = max(0, round(rng.gauss(size, size / 4)))
            adopted = o.joins is not None and q >= o.joins
            chance = min(0.95, 0.74 + 0.025 * (q - o.joins)) if adopted else rng.uniform(0.45, 0.6)
            given = sum(rng.random() < chance for _ in range(eligible))
            level = 3 if adopted else 2 if o.joins is not None and q >= o.joins - 2 else 1
            o.rows[q] = [level, eligible, given]
    return quarters, orgs


PROGRAMMES = {"escape-pain": escape_pain, "pincer": pincer, "precept": precept}
MEASURES = {
    "escape-pain": ["people_starting", "people_completing"],
    "pincer": ["patients_at_risk_baseline", "patients_at_risk_6_months"],
    "precept": ["eligible_mothers", "mothers_given_magnesium_sulphate"],
}
PUBLISHED_NOTE = (
    "# Quarters of the illustrative demo data signed off when the demo store is built\n"
    "# (python -m etl init): every quarter of the data. One quarter per line.\n"
)


def write(root: Path, code: str) -> list[Path]:
    """The programme's reference list (data/programmes/<code>/organisations.csv) and its returns
    (data/demo/returns/<code>/), rewritten from scratch."""
    quarters, orgs = PROGRAMMES[code](random.Random(f"{code} demo"))
    order = {a: i for i, a in enumerate(PRACTICES)}
    reference = root / "data" / "programmes" / code / "organisations.csv"
    reference.parent.mkdir(parents=True, exist_ok=True)
    with reference.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(ORGANISATION_COLUMNS)
        out.writerows([o.ahsn, o.code, o.name, o.kind, ""] for o in sorted(orgs, key=lambda o: (order[o.ahsn], o.code)))
    folder = root / "data" / "demo" / "returns" / code
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    written = [reference]
    for q, quarter in enumerate(quarters):
        for ahsn in PRACTICES:
            path = folder / f"{quarter.key}_{ahsn_reference.slugify(ahsn)}.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                out = csv.writer(f, lineterminator="\n")
                out.writerow(HEADER + MEASURES[code])
                for o in sorted((o for o in orgs if o.ahsn == ahsn), key=lambda o: o.code):
                    out.writerow([quarter.label, ahsn, o.code, o.name, o.kind, *o.rows[q]])
            written.append(path)
    published = folder / "published.txt"
    published.write_text(PUBLISHED_NOTE + "".join(f"{q.label}\n" for q in quarters), encoding="utf-8")
    return [*written, published]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.demo.make_programmes", description=__doc__.splitlines()[0])
    parser.add_argument(
        "root", nargs="?", type=Path, default=PROJECT_ROOT, help="where data/ is (default: this project)"
    )
    parser.add_argument(
        "--programme", choices=sorted(PROGRAMMES), action="append", help="only these (default: all three)"
    )
    args = parser.parse_args(argv)
    for code in args.programme or sorted(PROGRAMMES):
        written = write(args.root, code)
        print(f"{code}: wrote {len(written)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
