"""The store at scale for tests/bench_scale.py: all four programmes' demo returns stretched over
every quarter from the programme's first_quarter to Q4 2025/26, every quarter published, built
the way `python -m etl init` builds the demo store (a demo-returns folder, METRICS_DEMO_RETURNS).

    .venv/bin/python -m tests.scale_store FOLDER [--last "Q4 2025/26"]

The shapes are data/demo/make_programmes.py's (and TCAM's demo): a quarter the demo has is
its file as it is; a later quarter repeats the AHSN's last demo quarter with the quarter
renamed (everyone who had adopted stays adopted). PINCER's demo is already national size
(6,500 GP practices a quarter, shared over the 15 AHSNs as the reference list is).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
from pathlib import Path

from etl.programmes import bundled
from etl.quarters import Quarter
from etl.store import Store
from tests.conftest import ROOT, settings_for

DEMO = ROOT / "data" / "demo" / "returns"
LAST = "Q4 2025/26"
VERSION = "scale-1"  # change when the store's shape or the app's schema changes


def file_quarter(path: Path) -> Quarter:
    """A demo file's quarter, from its name: q2_2020_21_kss.csv -> Q2 2020/21."""
    number, year = re.match(r"q([1-4])_(\d{4})_", path.name).groups()
    return Quarter.parse(f"Q{number} {year}/{(int(year) + 1) % 100:02d}")


def _renamed(text: str, quarter: Quarter) -> str:
    """A demo return with every row's quarter (the first column) made `quarter`."""
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    at = [h.strip().lower() for h in rows[0]].index("quarter")
    for row in rows[1:]:
        row[at] = quarter.label
        writer.writerow(row)
    return out.getvalue()


def write_returns(target: Path, last: str = LAST) -> dict[str, list[Quarter]]:
    """Every programme's returns from its first quarter to `last`, under target/<code>/, each
    with a published.txt naming every quarter. Returns each programme's quarters."""
    spans = {}
    end = Quarter.parse(last)
    for programme in bundled():
        source, folder = DEMO / programme.code, target / programme.code
        folder.mkdir(parents=True, exist_ok=True)
        by_ahsn: dict[str, dict[Quarter, Path]] = {}
        for path in source.glob("q*.csv"):
            slug = re.sub(r"^q[1-4]_\d{4}_\d{2}_", "", path.stem)
            by_ahsn.setdefault(slug, {})[file_quarter(path)] = path
        first = (
            Quarter.parse(programme.first_quarter) if programme.first_quarter else min(min(q) for q in by_ahsn.values())
        )
        quarters = [Quarter.from_index(i) for i in range(first.index, end.index + 1)]
        for slug, files in by_ahsn.items():
            for quarter in quarters:
                have = [q for q in files if q <= quarter] or sorted(files)[:1]
                text = files[max(have)].read_text(encoding="utf-8")
                if max(have) != quarter:
                    text = _renamed(text, quarter)
                (folder / f"{quarter.key}_{slug}.csv").write_text(text, encoding="utf-8")
        (folder / "published.txt").write_text("".join(f"{q.label}\n" for q in quarters), encoding="utf-8")
        spans[programme.code] = quarters
    return spans


def build(root: Path, last: str = LAST) -> dict:
    """The store at root/store from the returns at root/returns; seconds taken and the sizes."""
    returns, store = root / "returns", root / "store"
    spans = write_returns(returns, last)
    files = sum(1 for _ in returns.glob("*/q*.csv"))
    rows = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in returns.glob("*/q*.csv"))
    started = time.perf_counter()
    settings = settings_for(store, METRICS_DEMO_RETURNS=str(returns), METRICS_DEMO_TRAJECTORIES="none")
    Store.from_settings(settings).ensure()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "files": files,
        "rows": rows,
        "spans": {code: f"{q[0].label} .. {q[-1].label} ({len(q)} quarters)" for code, q in spans.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--last", default=LAST)
    args = parser.parse_args(argv)
    import json

    info = build(args.root, args.last)
    (args.root / "built.json").write_text(json.dumps(info, indent=1))
    print(json.dumps(info, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
