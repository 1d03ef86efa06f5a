"""A problem found in a return file: where it is, what is wrong, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first trust row 2
    column: str | None
    message: str
    fix: str
    # The same problem on many rows is one Problem: `row` is the first, `rows` all of them.
    rows: tuple[int, ...] = ()

    @property
    def where(self) -> str:
        """'row 3', 'rows 3-5, 9', or '' for the whole file."""
        if len(self.rows) > 1:
            return f"rows {row_list(self.rows)}"
        return f"row {self.row}" if self.row is not None else ""

    def __str__(self) -> str:
        where = [self.file]
        if self.where:
            where.append(self.where)
        if self.column:
            where.append(f"column {self.column}")
        fix = self.fix if self.fix.endswith((".", "?", "!")) else self.fix + "."
        return f"{', '.join(where)}: {self.message}. {fix}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
            "rows": list(self.rows),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Problem:
        return cls(d["file"], d["row"], d["column"], d["message"], d["fix"], tuple(d.get("rows") or ()))


def row_list(rows, most: int = 12) -> str:
    """[2, 3, 4, 7, 9, 10] -> '2-4, 7, 9-10'; past `most` ranges, '... and N more rows'."""
    rows = sorted(set(rows))
    ranges: list[list[int]] = []
    for r in rows:
        if ranges and r == ranges[-1][1] + 1:
            ranges[-1][1] = r
        else:
            ranges.append([r, r])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ranges[:most]]
    if len(ranges) > most:
        rest = sum(b - a + 1 for a, b in ranges[most:])
        parts.append(f"and {rest:,} more")
    return ", ".join(parts)


class ReturnRejected(Exception):
    """Raised with every problem of the files refused; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
