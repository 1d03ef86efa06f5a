"""The shape of a return's rows, before any cell is read: rows hidden in the sheet, cells
merged down the rows, a header repeated mid-table, a row of guidance under the header.

Each is named as what it is, in one message naming its rows and the fix, instead of a
dozen cell errors; or read as meant where the file makes the meaning certain, and said so
(an AHSN typed once in a cell merged down the rows is that AHSN on each of them). Each
function takes the table's rows and `problem(row, column, message, fix)` and gives back the
rows still to be read.
"""

from __future__ import annotations

import re

from etl.problems import row_list
from etl.reading.cells import quoted, shown
from etl.reading.grid import column_letter, is_blank
from etl.reading.headings import column_of
from etl.reading.result import Interpretation
from etl.reading.table import Table, header_score

# Columns where one value is meant for every row it is merged over (an AHSN or a quarter
# typed once); a merge over any other column leaves it unclear which trust a value is for.
MERGED_DOWN_MEANS_EACH = ("quarter", "ahsn", "trust_type")
UNMERGE_FIX = (
    "Unmerge the cells (Excel: Home > Merge & Center > Unmerge Cells; LibreOffice: Format > "
    "Merge and Unmerge Cells > Split Cells) and give each trust its own value"
)


def hidden_rows(table: Table, rows: list[tuple[int, list]], problem) -> list[tuple[int, list]]:
    """Hidden rows of the table are refused, by row: a row that cannot be seen would be read
    as a trust, and whether it was meant to be sent is not for us to guess. (Hidden rows
    above the header are skipped like any title row; blank ones are not rows at all.)"""
    grid = table.grid
    hidden = set(grid.hidden_among([table.header_row] + [n for n, _ in rows]))
    if not hidden:
        return rows
    how = " (the sheet has a filter, which hides the rows it filters out)" if grid.filtered else ""
    fix = (
        "Show every row ("
        + (
            "clear the filter: Data > Clear in Excel, Data > More Filters > Reset Filter in LibreOffice; then "
            if grid.filtered
            else ""
        )
        + "select the whole sheet, right-click a row number > Unhide), check the rows that appear, delete "
        "any you do not mean to send, save, and upload again"
    )
    if table.header_row in hidden:
        problem(table.header_row, None, f"the header row is hidden in the sheet{how}", fix)
    for number, _ in rows:
        if number in hidden:
            problem(
                number,
                None,
                f"this row is hidden in the sheet, so it would be read as a trust though it cannot be seen{how}",
                fix,
            )
    return [(n, cells) for n, cells in rows if n not in hidden]


def hidden_columns(table: Table, rows: list[tuple[int, list]], problem) -> None:
    """Hidden columns holding anything in the table (the header row and below) are refused,
    naming them: a column that cannot be seen may hold the figures read, or a second version
    of them, and which was meant is not for us to guess. A hidden column left empty is nothing."""
    grid = table.grid
    if not grid.hidden_cols:
        return
    held: dict[int, list[int]] = {}  # column index -> rows where it holds something
    for number, cells in [(table.header_row, table.header), *rows]:
        for index, value in enumerate(cells):
            if not is_blank(value) and grid.column_hidden(index):
                held.setdefault(index, []).append(number)
    if not held:
        return
    names = {position: name for name, position in table.columns.items()}

    def called(index: int) -> str:
        heading = table.header[index] if index < len(table.header) else None
        what = f" ('{quoted(heading)}'" + (f", read as {names[index]})" if index in names else ")")
        return column_letter(index) + (what if not is_blank(heading) else "")

    letters = sorted(held)
    plural = len(letters) > 1
    problem(
        table.header_row,
        None,
        f"column{'s' if plural else ''} {', '.join(called(i) for i in letters)} "
        f"{'are' if plural else 'is'} hidden in the sheet but hold{'' if plural else 's'} something in "
        f"{_rows_named(sorted({n for i in letters for n in held[i]}))}, so what would be read is not what can be seen",
        "Show every column (select the whole sheet, right-click a column letter > Unhide), check what "
        "appears, delete any column you do not mean to send, save, and upload again",
    )


def _rows_named(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {row_list(rows)}"


def merged_cells(
    table: Table, rows: list[tuple[int, list]], problem
) -> tuple[list[tuple[int, list]], list[Interpretation], set[tuple[int, str]]]:
    """Cells merged down the rows: in a column meant to repeat (the AHSN, the quarter, the
    trust type) the value is read on each row of the range, said so; in any other column
    read, or across columns, the merge is refused naming its range. Gives the rows with
    merged values filled in, what was said, and the (row, column) cells refused."""
    grid = table.grid
    names = {position: name for name, position in table.columns.items()}
    said: list[Interpretation] = []
    refused: set[tuple[int, str]] = set()
    if not grid.merges:
        return rows, said, refused
    at = {number: i for i, (number, _) in enumerate(rows)}
    rows = [(number, list(cells)) for number, cells in rows]

    def value(number: int, position: int):
        if number not in at:
            return None
        cells = rows[at[number]][1]
        return cells[position] if position < len(cells) else None

    for first_row, first_col, last_row, last_col in sorted(grid.merges):
        read = [(position, name) for position, name in sorted(names.items()) if first_col <= position <= last_col]
        if not read or last_row <= table.header_row:
            continue  # a title, the header, or columns not read
        ref = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
        covered = sorted(n for n in at if max(first_row, table.header_row + 1) <= n <= last_row)
        if first_row <= table.header_row:
            for number in covered:
                for _, name in read:
                    problem(
                        number,
                        name,
                        f"cells {ref} are merged with the header row, so what they hold for the "
                        "trusts cannot be told apart from the column's name",
                        UNMERGE_FIX,
                    )
                    refused.add((number, name))
            continue
        position, name = read[0]
        top = value(first_row, first_col)
        if first_col != last_col or name not in MERGED_DOWN_MEANS_EACH:
            where = f"of {name}" if len(read) == 1 else f"across {' and '.join(n for _, n in read)}"
            what = f"the value '{quoted(top)}'" if not is_blank(top) else "what they hold"
            for number in covered:
                for _, each in read:
                    problem(
                        number,
                        each,
                        f"cells {ref} {where} are merged into one, so it is not clear which trust {what} is for",
                        UNMERGE_FIX,
                    )
                    refused.add((number, each))
            continue
        under = [(n, value(n, position)) for n in covered if n != first_row]
        for number, held in under:
            if not is_blank(held) and (is_blank(top) or shown(held) != shown(top)):
                problem(
                    number,
                    name,
                    f"cell {column_letter(position)}{number} is covered by the merged cell {ref} "
                    f"but still holds '{quoted(held)}', which cannot be seen",
                    UNMERGE_FIX,
                )
                refused.add((number, name))
        if is_blank(top):
            continue
        filled = [n for n, held in under if is_blank(held)]
        for number in filled:
            cells = rows[at[number]][1]
            cells.extend([None] * (position + 1 - len(cells)))
            cells[position] = top
        if filled:
            said.append(
                Interpretation(
                    name,
                    None,
                    None,
                    tuple(filled),
                    note=(
                        f"{name}: cell {column_letter(position)}{first_row} is merged down over {ref}, so its value "
                        f"'{quoted(top)}' is read on row{'s' if len(filled) > 1 else ''} {row_list(filled)} too"
                    ),
                )
            )
    return rows, said, refused


def repeated_headers(table: Table, rows: list[tuple[int, list]], problem) -> list[tuple[int, list]]:
    """A header repeated below the first (two quarters stacked in one sheet): one message for
    it, and for a title row just above it; the rows below are read with the first header
    when the repeat names the same columns in the same places, else not read at all."""
    kept: list[tuple[int, list]] = []
    skipping = False
    # where a trust row holds numbers: a header repeated holds names there (a cheap test first,
    # so that a national file of 20,000 rows is not matched against every column name)
    layout = table.layout
    figures = [p for name, p in table.columns.items() if name == "adoption_level" or name in layout.counts]
    for number, cells in rows:
        named = any(
            p < len(cells)
            and isinstance(cells[p], str)
            and cells[p].strip()[:1].isalpha()
            and column_of(cells[p], layout) is not None
            for p in figures
        )
        if not named or header_score(cells, layout) < 3:
            if not skipping:
                kept.append((number, cells))
            continue
        title = ""
        if kept and kept[-1][0] == number - 1 and sum(not is_blank(c) for c in kept[-1][1]) == 1:
            above, above_cells = kept.pop()
            title = f" (row {above} above it, '{quoted(next(c for c in above_cells if not is_blank(c)))}', is a title)"
        same = all(
            column_of(cells[p], layout) == name if p < len(cells) else False for name, p in table.columns.items()
        )
        first = table.header_row
        if same:
            skipping = False
            problem(
                number,
                None,
                f"this row repeats the header of row {first}{title}: the sheet holds two tables one under the other",
                f"Delete row {number}{' and the title above it' if title else ''}, so that the rows below are "
                f"read with the header of row {first} (a file may hold several quarters, each trust once in "
                "each); or send the second table as a file of its own",
            )
        else:
            skipping = True
            problem(
                number,
                None,
                f"this row is a second header{title}, with its columns in a different order "
                f"from row {first}'s, so the rows below it cannot be read with the first header: the sheet "
                "holds two tables one under the other",
                "Send the second table as a file of its own, or put its columns in the same order as the "
                f"first table's and delete row {number}",
            )
    return kept


_GUIDANCE = re.compile(
    r"(e\.?\s?g\.?|eg|for example|example|i\.?e\.?|such as|format)\b.*"
    r"|\d+\s*(-|–|to)\s*\d+"
    r"|(a\s+)?(whole\s+)?(number|numeric|integer|count|text|free text|date|dd/mm/yy(yy)?|optional|required|"
    r"mandatory|yes/no|y/n|#|n|\(n\))"
    r"|(select|choose|pick)\b.*|drop[- ]?down.*|[a-z_ ]+(\s*/\s*[a-z_ ]+){2,}",
    re.IGNORECASE,
)


def guidance_rows(table: Table, rows: list[tuple[int, list]], problem) -> list[tuple[int, list]]:
    """A row of guidance just under the header ('e.g. RX1', '1-5', 'number'), as templates
    have: one message naming it, not an error for each of its cells."""
    positions = sorted(table.columns.values())
    guidance = []
    for number, cells in rows[:3]:
        filled = [cells[p] for p in positions if p < len(cells) and not is_blank(cells[p])]
        looks = [c for c in filled if isinstance(c, str) and _GUIDANCE.fullmatch(c.strip())]
        if len(looks) >= 2 and len(looks) * 2 >= len(filled):
            guidance.append(number)
            examples = ", ".join(f"'{quoted(c)}'" for c in looks[:3])
            problem(
                number,
                None,
                f"this row looks like guidance on filling in the return ({examples}), not a trust",
                "Delete the row: under the header, the return holds one row per trust",
            )
        else:
            break  # guidance comes straight under the header
    return [(n, cells) for n, cells in rows if n not in guidance]
