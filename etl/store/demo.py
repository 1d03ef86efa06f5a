"""The embedded demo data, loaded into an empty store by `python -m etl init` (and `make run`):
for each programme, the demo returns in quarter order, each AHSN's synthetic trajectory, and the
sign-off of the quarters the demo folder lists, so the default pages show published figures from
the start.

The demo folder (METRICS_DEMO_RETURNS) holds one subfolder a programme, named by its code
(`data/demo/returns/pincer/`), each with its returns and its `published.txt`; returns directly in
the folder are the store's default programme's (a folder of one programme's returns)."""

from __future__ import annotations

import re
from pathlib import Path

from etl.events import SignOff
from etl.pathways.conditions_file import read_conditions_file
from etl.programmes import Programme, Programmes
from etl.quarters import Quarter
from etl.reading.limits import ReadLimits
from etl.store import conditions as setting_conditions
from etl.store import returns
from etl.store import trajectories as setting
from etl.store.commands import Actor, Writer, envelope
from etl.trajectories import parse_trajectory

DEMO_USER = "demo data"
DEMO = Actor(DEMO_USER, "embedded demo data")


def folders(folder: Path, programmes: Programmes, default: Programme) -> list[tuple[Programme, Path]]:
    """Each programme with demo returns and its folder, in the definitions' order: the subfolder
    named by its code, and the folder itself for the default programme when returns sit in it."""
    found = [(p, folder / p.code) for p in programmes if (folder / p.code).is_dir()]
    if any(folder.glob("*.csv")):
        found = [(default, folder)] + [(p, f) for p, f in found if p.code != default.code]
    if not found:
        raise RuntimeError(f"no demo returns found in {folder}")
    return found


def load(
    writer: Writer,
    folder: Path,
    trajectories: Path | None,
    programme: Programme,
    limits: ReadLimits,
    conditions: Path | None = None,
) -> None:
    """Commit the demo returns, trajectories, illustrative spread conditions and sign-offs. The
    caller holds the lock, and makes the database current after."""
    paths = sorted(folder.glob("*.csv"), key=_quarter_order)
    files = [(p.name, p.read_bytes()) for p in paths]
    if not files:
        raise RuntimeError(f"no demo returns found in {folder}")
    accepted = returns.commit(
        writer, files, returns.read(files, programme, limits, today=None), programme, DEMO, is_demo=True
    )
    # Each AHSN's demo trajectory (synthetic), set before the quarters are published so that
    # they are judged against it, as a trajectory agreed at the time would be.
    trajectory = trajectories / f"{programme.code}.csv" if trajectories is not None else None
    if trajectory is not None and trajectory.exists():
        content = trajectory.read_bytes()
        setting.commit(
            writer,
            parse_trajectory(trajectory.name, content, programme, limits),
            content,
            programme,
            "synthetic demo trajectory, invented to show the feature",
            DEMO,
            is_demo=True,
        )
    # Each AHSN's illustrative spread conditions (made up, so the Pathways page has live cases
    # to show; the review's own cases are a case set of their own, never tied to AHSN names).
    recorded = conditions / f"{programme.code}.csv" if conditions is not None else None
    if recorded is not None and recorded.exists():
        content = recorded.read_bytes()
        parsed = read_conditions_file(recorded.name, content, programme, limits)
        if not parsed.ok:
            raise RuntimeError(f"the demo conditions {recorded} do not read: " + "; ".join(map(str, parsed.problems)))
        setting_conditions.commit(
            writer,
            parsed,
            content,
            programme,
            "illustrative demo conditions, made up to show the feature",
            DEMO,
            is_demo=True,
        )
    # The quarters the demo folder says were signed off (published.txt) are published.
    signed_off = folder / "published.txt"
    if signed_off.exists():
        lines = [line.strip() for line in signed_off.read_text().splitlines()]
        quarters = {Quarter.parse(line) for line in lines if line and not line.startswith("#")}
        returned = {Quarter.parse(r.quarter) for a in accepted for r in a.returns}
        writer.log.append(
            [
                SignOff(**envelope(DEMO, programme.code), quarter=q.label, note="published with the demo data")
                for q in sorted(quarters & returned)
            ]
        )


def _quarter_order(path: Path) -> tuple:
    """Demo files are named <quarter key>_<ahsn>.csv (q3_2019_20_wessex.csv): load them in
    quarter order, as they would have come in; other names after them, by name."""
    match = re.match(r"q([1-4])_(\d{4})_", path.name)
    return (0, int(match.group(2)), int(match.group(1)), path.name) if match else (1, 0, 0, path.name)
