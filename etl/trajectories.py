"""Trajectories: each AHSN's stepped local targets, and how its quarters are judged against them.

The national review (2021) found the flat 50% target worked poorly where trusts started from
nothing; the AHSNs that did well agreed stepped targets with local partners (20% by Q4 2019/20,
35% by Q2 2020/21, 50% by Q4 2020/21). A trajectory is a list of steps; the target of a
quarter is its latest step at or before it, and there is none before the first step.

A trajectory is set from a file (etl/reading/trajectory.py reads it, in the reading child) and
kept as a SetTrajectory event per AHSN: every version is kept, with who, when and why. A
published quarter is judged against the version in force when it was published, any other
quarter against the newest (etl/derived.sql `trajectory_targets`), so a later change never
rewrites how a quarter was judged at the time.

Here: reading a file through the sandbox, and what a file would change. Where an AHSN stands
against its target in trusts is dashboard/presentation/ahsn_story.py; the file to edit, etl/templates.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.events import SetTrajectory, Step
from etl.programmes import Programme
from etl.reading.check_parts import too_big
from etl.reading.kinds import clean_file_name
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedTrajectory
from etl.reading.sandbox import read_files


def parse_trajectory(file_name: str, content: bytes, programme: Programme, limits: ReadLimits) -> ParsedTrajectory:
    """A trajectory file checked on its own, in the reading child (as returns are): its steps,
    or every problem."""
    name = clean_file_name(file_name)
    if len(content) > limits.max_bytes:  # refused before anything is sent to a child
        return ParsedTrajectory(name, problems=[too_big(name, len(content), limits.max_bytes)])
    return read_files([(name, content)], programme, limits, None, kind="trajectory")[0]


def steps_of(parsed: ParsedTrajectory, ahsn: str) -> tuple[Step, ...]:
    return tuple(Step(s["quarter"].label, s["target_percent"], s["note"], s["row"]) for s in parsed.steps_of(ahsn))


def same_steps(a: tuple[Step, ...], b: tuple[Step, ...]) -> bool:
    """Whether two versions set the same targets with the same notes (rows may differ)."""
    return [(s.quarter, s.target_percent, s.note or None) for s in a] == [
        (s.quarter, s.target_percent, s.note or None) for s in b
    ]


@dataclass(frozen=True)
class Change:
    """What a file would do to one AHSN's trajectory."""

    ahsn: str
    steps: tuple[Step, ...]
    before: SetTrajectory | None  # the newest version now (None: the AHSN has no trajectory yet)
    version: int  # the number this would have: 1 for a first trajectory

    @property
    def unchanged(self) -> bool:
        return self.before is not None and same_steps(self.before.steps, self.steps)


def changes(parsed: ParsedTrajectory, versions: dict[str, list[SetTrajectory]]) -> list[Change]:
    """Per AHSN in the file: its new steps against its newest version (`versions`: every
    version of every AHSN, oldest first, as Store.trajectory_versions gives them)."""
    out = []
    for ahsn in parsed.ahsns():
        mine = versions.get(ahsn, [])
        out.append(Change(ahsn, steps_of(parsed, ahsn), mine[-1] if mine else None, len(mine) + 1))
    return out


def steps_words(steps) -> str:
    """'20% by Q4 2019/20, 35% by Q2 2020/21, 50% by Q4 2020/21'."""
    return ", ".join(f"{s.target_percent}% by {s.quarter}" for s in steps) or "no steps"
