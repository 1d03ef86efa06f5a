"""A problem found in a return file: where it is, what is wrong, and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first trust row 2
    column: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        fix = self.fix if self.fix.endswith((".", "?", "!")) else self.fix + "."
        return f"{', '.join(where)}: {self.message}. {fix}"

    def as_dict(self) -> dict:
        return asdict(self)


class ReturnRejected(Exception):
    """Raised with every problem of the files refused; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
