"""Reading uploaded return files, bounded and sandboxed. One job per module:

    limits.py    ReadLimits: every cap reading a file is held to
    kinds.py     what kind of file it is (by its bytes), and a safe file name
    text.py      CSV: decoding, control characters, the delimiter, rows with their cell counts
    scan.py      what looking into a workbook finds, and the caps it is held to sheet by sheet
    zipcheck.py  the zip of an .xlsx / .ods and its XML, opened with caps before any library
    xlsx.py      an .xlsx's parts found as calamine finds them: macros, links, sheets
    xlsx_sheet.py   one .xlsx sheet's cells placed as calamine places them
    ods.py       an .ods's content.xml walked as calamine walks it
    biff.py      an .xls's records walked as calamine walks them
    book.py      spreadsheets' cells through python-calamine, once inspected
    grid.py      the cells of one sheet, before interpretation
    table.py     which sheet, which row is the header, which column is which
    headings.py  what a heading means: a file's layout of columns, their words, a heading's unit
    shape.py     the rows' shape: hidden rows, merged cells, a header repeated, a guidance row
    cells.py     one cell read as what a person meant, or why it cannot be: a level, an AHSN, a trust
    numbers.py   a count or a target percent read from one cell
    quarter_text.py   a quarter as people write it ("2019/20 Q3", "Oct-Dec 2019")
    cell_common.py    what reading every cell shares: Unreadable, a cell as shown and quoted
    check.py     a whole return checked on its own: records, problems, interpretations
    row_checks.py   what the rows say beyond their cells: notes, totals, fill-down, a trust twice
    check_parts.py  what every file's check shares: its table opened, ragged rows, formulas, grouping
    trajectory.py   a trajectory file (each AHSN's stepped targets) checked on its own, with the same pieces
    casetable.py    a QCA's case table (cases, 0/1 conditions, outcome): its header and cells, with the same pieces
    result.py    ParsedReturn, ParsedTrajectory and Interpretation, with their JSON form
    child.py     the child process that runs check.py under memory and CPU limits, dying with its parent
    sandbox.py   the parent side: runs the child with a time limit, failures become problems

Nothing here imports pandas, duckdb or dash, so the child starts quickly.
"""
