"""What reading one uploaded file may cost: every cap in one frozen dataclass.

The caps are far above any real return (5 to 20 trusts, 8 or 9 columns, a few kilobytes)
and far below what would hurt a worker. They are parameters, not settings read here:
the caller (the store, the build) decides where they come from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ReadLimits:
    # the file as sent (METRICS_MAX_UPLOAD_BYTES)
    max_bytes: int = 5 * 1024 * 1024
    # trust rows for one AHSN in one quarter; real returns hold 5 to 20
    max_trusts_per_return: int = 300
    # rows and columns of the table read, declared by a sheet or found in it
    max_rows: int = 20_000
    max_columns: int = 100
    # cells with a value, over every sheet read
    max_cells: int = 250_000
    # characters in one cell
    max_cell_chars: int = 10_000
    # .xlsx / .ods: parts in the zip, unpacked size of one part and of all of them
    max_parts: int = 200
    max_part_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    # problems reported one by one; the rest are counted
    max_problems: int = 100
    # the child process that reads the file: address space, and wall-clock seconds
    memory_bytes: int = 768 * 1024 * 1024
    seconds: float = 20.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> ReadLimits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
