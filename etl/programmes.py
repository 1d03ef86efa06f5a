"""The national programmes, each one a definition file: read, checked and held frozen.

A programme is `data/programmes/<code>.toml` (the folder is METRICS_PROGRAMMES) beside its
reference list of organisations: its names, its organisations and which of their types count,
the measures a return carries, the headline and its target, trajectories, due dates and
milestones. Everything programme-specific is said there, so adding a programme is adding a
definition, never a change to the code: the rest of the code branches on a definition's kinds
(a headline's `share`, `rate` or `count`), never on a programme's code.

Every field is declared once in FIELDS (its kind, whether it is required, what it means), which
both checks a definition field by field (a mistake stops start-up with a message naming the
file and the field, like a bad setting) and writes docs/programmes.md's table (a test holds
them together).

Light on purpose (stdlib only): the reading child imports it, and is handed the definition's
text (`Programme.source`) rather than a path.

Here the registry (`Programmes`, `bundled()`, `TCAM`); what a programme is lives in
programme_model.py and reading a definition in programme_reading.py, both imported through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from etl.programme_model import (  # noqa: F401  (imported from here by the rest of the code)
    HEADLINE_KINDS,
    SET_BY,
    DefinitionError,
    Headline,
    Level,
    Measure,
    OrganisationType,
    Pair,
    Programme,
)
from etl.programme_reading import load, parse  # noqa: F401

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "programmes"
# The programme a deployment works on when none is named (METRICS_PROGRAMME's default): the one the
# dashboard began with. Configuration, not a branch: no code asks which programme this is.
DEFAULT_CODE = "tcam"


# ---- the registry --------------------------------------------------------------------------


class Programmes:
    """Every programme a deployment knows, in definition order (the default first, then by code),
    read only. `default` is the command line's programme when none is given."""

    def __init__(
        self,
        programmes: tuple[Programme, ...] | list[Programme],
        folder: Path | None = None,
        default: str = DEFAULT_CODE,
    ):
        self._by_code = {p.code: p for p in programmes}
        if len(self._by_code) < len(programmes):
            raise DefinitionError("two definitions have the same code")
        if not self._by_code:
            raise DefinitionError(f"{folder}: holds no programme definition (<code>.toml)")
        self.folder = folder
        self.default = self._by_code.get(default) or next(iter(self._by_code.values()))

    @classmethod
    def from_folder(cls, folder: Path, default: str = DEFAULT_CODE) -> Programmes:
        """Every `<code>.toml` in `folder`: the default programme first, the rest by code.
        DefinitionError names every bad file and field."""
        folder = Path(folder)
        if not folder.is_dir():
            raise DefinitionError(f"{folder}: is not a folder of programme definitions")
        found, problems = [], []
        for path in sorted(folder.glob("*.toml"), key=lambda p: (p.stem != default, p.stem)):
            try:
                found.append(load(path))
            except DefinitionError as err:
                problems.append(str(err))
        if problems:
            raise DefinitionError(" ".join(problems))
        return cls(found, folder, default)

    def __iter__(self) -> Iterator[Programme]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Programme:
        return self._by_code[code]

    def get(self, code: str) -> Programme | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)


def bundled() -> Programmes:
    """The definitions shipped in data/programmes (what METRICS_PROGRAMMES names by default)."""
    return Programmes.from_folder(BUNDLED)


# TCAM as shipped: the programme the tests and the benchmark are written against.
TCAM = load(BUNDLED / "tcam.toml")
