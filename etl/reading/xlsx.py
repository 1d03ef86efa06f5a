"""An .xlsx looked into before python-calamine reads it, finding its parts as calamine does.

calamine (0.37, src/xlsx/mod.rs) finds the workbook through `_rels/.rels` (the folder of the
officeDocument relationship's target), then reads `<folder>workbook.xml`, whose `sheet`
elements name each sheet's relationship by an attribute whose local name is `id` (the last
such attribute: `r:id`, or any other prefix, or none), and `<folder>_rels/workbook.xml.rels`,
whose relationships map an `Id` to a `Target` (absolute with a leading '/', else relative to
the folder), both read as written, entities not expanded. Every part is looked up by its
name in ASCII lower case. This module does the same, then inspects exactly those parts, so
the inspection and the reader cannot look at two different parts: a decoy `id` attribute, a
part's path in capitals or a workbook moved to another folder is followed as calamine
follows it.

In each sheet, cells are placed as calamine places them (cells_reader.rs): only inside the
first `sheetData`; a `row` without `r` is the one after the last; a cell without `r` is the
one after the last in its row; `r` is read as letters then digits, and anything else there is
refused (calamine would fail or place the cell far away). A cell holds a value when its last
child is `is`, or a `v` with a value (calamine reads a `v` before an `f` as empty).

Macros and links to other files are found by what the package says they are (content types
and relationship types, in any part), not by their part names.
"""

from __future__ import annotations

import functools
import re

from etl.reading.limits import ReadLimits
from etl.reading.scan import DAMAGED_FIX, PLAIN_COPY, Budget, Package, Refused, SheetScan, sheet_name
from etl.reading.zipcheck import Parts, local_name, scan_xml, unpack

OFFICE_DOCUMENT = "/relationships/officeDocument"
SHEET_TYPES = ("worksheet", "chartsheet", "dialogsheet")
# What a return must not hold, by content type ([Content_Types].xml) or relationship type
# (any .rels part), in lower case: Visual Basic projects, Excel 4 macro sheets, ActiveX controls
MACRO_MARKS = ("vbaproject", "macroenabled", "macrosheet", "activex")
# and workbooks whose values come from other files
LINK_MARKS = ("externallink",)
# A relationship to something outside the package is refused, unless it is a hyperlink (a
# cell linking to a web page brings no value in)
OUTSIDE_ALLOWED = ("/hyperlink",)
MACRO_FIX = "In Excel use File > Save As and choose 'Excel Workbook (.xlsx)': that copy has no macros. Upload that copy"
LINK_FIX = "In Excel use Data > Edit Links > Break Link, save, and upload it again. " + PLAIN_COPY

MAX_XLSX_COLUMNS = 16_384  # XFD, Excel's last column
_ROW_REF = re.compile(r"[A-Za-z]{0,3}([0-9]{1,7})")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def inspect_xlsx(content: bytes, limits: ReadLimits) -> Package:
    parts = Parts(unpack(content, limits, "Excel"))
    folder = _workbook_folder(parts)
    workbook = parts.get(folder + "workbook.xml") if folder is not None else None
    if workbook is None:
        _not_a_workbook(parts)
    _refuse_macros_and_links(parts)
    relationships = _relationships(parts, folder)
    sheets = _sheets(workbook, relationships, folder)
    hidden = [s.name for s in sheets if s.hidden]
    if hidden:
        raise Refused(
            f"the workbook has hidden sheet{'s' if len(hidden) > 1 else ''} "
            f"{', '.join(sheet_name(n) for n in hidden)}: what Excel shows is not all the file holds",
            "Right-click a sheet tab > Unhide, and delete the sheets that are not the return; "
            "or " + PLAIN_COPY[0].lower() + PLAIN_COPY[1:],
        )
    budget = Budget(limits)
    budget.sheets(len(sheets))
    data = [parts.get(sheet.part) for sheet in sheets]
    for sheet, xml in zip(sheets, data):
        if xml is None:
            raise Refused(f"the Excel file is damaged: sheet {sheet_name(sheet.name)} is not in it", DAMAGED_FIX)
    _count_tags(data, budget)
    long_strings = _long_shared_strings(parts, folder, limits)
    for sheet, xml in zip(sheets, data):
        _scan_sheet(sheet, xml, budget, long_strings)
        budget.done(sheet)
    return Package("xlsx", sheets)


# a cell's start tag, with any prefix: an upper bound on the cells a sheet can hold
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _count_tags(sheets: list[bytes], budget: Budget) -> None:
    """Before walking the sheets' XML (a few microseconds for each element), count their tags
    and cells' tags at the speed of a byte search: more than the caps allow is refused at once."""
    if sum(xml.count(b"<") - xml.count(b"</") for xml in sheets) > budget.limits.max_elements:
        budget.too_many_elements()
    if sum(len(_CELL_TAG.findall(xml)) for xml in sheets) > budget.limits.max_cells:
        raise Refused(
            f"the workbook has more than {budget.limits.max_cells:,} cells; a return has about 9 for each trust",
            "Check it is the right file. " + PLAIN_COPY,
        )


def _not_a_workbook(parts: Parts) -> None:
    if parts.get("word/document.xml") is not None:
        raise Refused(
            "this is a Word document, not a spreadsheet", "Put the return in the Excel template and upload that"
        )
    if parts.get("ppt/presentation.xml") is not None:
        raise Refused(
            "this is a PowerPoint file, not a spreadsheet", "Put the return in the Excel template and upload that"
        )
    raise Refused(
        "this is a zip file but not an Excel workbook", "Upload the return itself, as .xlsx, .xls, .ods or CSV"
    )


def _workbook_folder(parts: Parts) -> str | None:
    """The folder of the workbook ('xl/'), from _rels/.rels as calamine reads it: the target
    of the last officeDocument relationship before the first end of Relationships."""
    data = parts.get("_rels/.rels")
    if data is None:
        return None
    found: list[str] = []
    state = {"open": False, "done": False}

    def start(tag, attrs, raw):
        name = local_name(tag)
        if name == "Relationships":
            state["open"] = True
        elif (
            name == "Relationship"
            and state["open"]
            and not state["done"]
            and raw is not None
            and raw.get("Type", "").endswith(OFFICE_DOCUMENT)
            and "Target" in raw
        ):
            found.append(_unescape(raw["Target"]))  # calamine expands this target's entities

    def end(tag):
        if local_name(tag) == "Relationships" and state["open"]:
            state["done"] = True

    scan_xml(data, start, end, part="_rels/.rels", raw_for=frozenset({"Relationship"}))
    if not found:
        return None
    target = found[-1]
    cut = target.rfind("/")
    return target[: cut + 1].removeprefix("/") if cut >= 0 else ""


_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}


def _unescape(raw: str) -> str:
    """An attribute as quick-xml's unescape reads it: entities and character references
    expanded, white space left as it is (an XML parser would make a tab a space)."""

    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref.startswith("#"):
            code = int(ref[2:], 16) if ref[1:2] == "x" else int(ref[1:])
            if 0 < code <= 0x10FFFF:
                return chr(code)
        elif ref in _NAMED:
            return _NAMED[ref]
        raise Refused("the Excel file is damaged: a relationship names its part with an unknown entity", DAMAGED_FIX)

    return _ENTITY.sub(one, raw)


def _relationships(parts: Parts, folder: str) -> dict[str, tuple[str, str]]:
    """The workbook's relationships, Id -> (Target, Type), as written, the last of an Id
    winning, up to the first end of Relationships (calamine's read_relationships)."""
    path = folder + "_rels/workbook.xml.rels"
    data = parts.get(path)
    if data is None:
        raise Refused(f"the Excel file is damaged: it has no {path}", DAMAGED_FIX)
    out: dict[str, tuple[str, str]] = {}
    done = [False]

    def start(tag, attrs, raw):
        if local_name(tag) == "Relationship" and not done[0] and raw is not None and "Id" in raw:
            out[raw["Id"]] = (raw.get("Target", ""), raw.get("Type", ""))

    def end(tag):
        if local_name(tag) == "Relationships":
            done[0] = True

    scan_xml(data, start, end, part=path, raw_for=frozenset({"Relationship"}))
    return out


def _sheets(workbook: bytes, relationships: dict[str, tuple[str, str]], folder: str) -> list[SheetScan]:
    """Each `sheet` of workbook.xml up to the first end of `workbook`, with the part calamine
    reads for it."""
    sheets: list[SheetScan] = []
    done = [False]

    def start(tag, attrs, raw):
        if local_name(tag) != "sheet" or done[0] or raw is None:
            return
        rid = None
        for key, value in raw.items():  # calamine: the last attribute whose local name is id
            if key == "id" or key.endswith(":id"):
                rid = value
        name = attrs.get("name", "")
        if rid is None or rid not in relationships:
            raise Refused(f"the Excel file is damaged: sheet {sheet_name(name)} has no part", DAMAGED_FIX)
        target, kind = relationships[rid]
        if kind.rsplit("/", 1)[-1] not in SHEET_TYPES:
            raise Refused(f"the Excel file is damaged: sheet {sheet_name(name)} is not a sheet", DAMAGED_FIX)
        state = raw.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            raise Refused(
                f"the Excel file is damaged: sheet {sheet_name(name)} is neither shown nor hidden", DAMAGED_FIX
            )
        part = target[1:] if target.startswith("/") else folder + target
        sheets.append(SheetScan(name, part, hidden=state != "visible"))

    def end(tag):
        if local_name(tag) == "workbook":
            done[0] = True

    scan_xml(workbook, start, end, part=folder + "workbook.xml", raw_for=frozenset({"sheet"}))
    return sheets


def _refuse_macros_and_links(parts: Parts) -> None:
    """Macros and links to other files, by content type and relationship type wherever they
    are declared, and (as before) by the names Excel gives their parts."""
    declared: list[str] = []  # content types
    related: list[tuple[str, str, str]] = []  # (rels part, Type, TargetMode)

    def content_type(tag, attrs):
        if local_name(tag) in ("Default", "Override"):
            declared.append(attrs.get("ContentType", "").lower())

    types = parts.get("[Content_Types].xml")
    if types is not None:
        scan_xml(types, content_type, part="[Content_Types].xml")
    for name, data in parts.parts.items():
        if not name.lower().endswith(".rels"):
            continue

        def relationship(tag, attrs, raw, name=name):
            if local_name(tag) == "Relationship" and raw is not None:
                related.append((name, raw.get("Type", ""), raw.get("TargetMode", "")))

        scan_xml(data, relationship, part=name, raw_for=frozenset({"Relationship"}))
    names = [name.lower() for name in parts.parts]
    if (
        any(mark in t for t in declared for mark in MACRO_MARKS)
        or any(mark in kind.lower() for _, kind, _ in related for mark in MACRO_MARKS)
        or any(n.endswith("vbaproject.bin") for n in names)
    ):
        raise Refused("the workbook contains macros, which a return must not hold", MACRO_FIX)
    if (
        any(mark in t for t in declared for mark in LINK_MARKS)
        or any(mark in kind.lower() for _, kind, _ in related for mark in LINK_MARKS)
        or any(n.startswith("xl/externallinks/") for n in names)
    ):
        raise Refused(
            "the workbook links to other files (external links), so some values may come from a file we cannot see",
            LINK_FIX,
        )
    for part, kind, mode in related:
        if mode == "External" and not kind.lower().endswith(OUTSIDE_ALLOWED):
            raise Refused(
                f"the workbook links to something outside the file ({kind.rsplit('/', 1)[-1]} "
                f"in {part}), so some of what it shows may come from a file we cannot see",
                LINK_FIX,
            )


def _long_shared_strings(parts: Parts, folder: str, limits: ReadLimits) -> set[int]:
    """The positions of the shared strings longer than a cell may be (a cell refers to one by
    its position; calamine reads `<folder>sharedStrings.xml`)."""
    data = parts.get(folder + "sharedStrings.xml")
    if data is None:
        return set()
    long: set[int] = set()
    state = {"index": -1, "chars": 0}

    def start(tag, attrs):
        if local_name(tag) == "si":
            state["index"] += 1
            state["chars"] = 0

    def text(chunk):
        state["chars"] += len(chunk)
        if state["chars"] > limits.max_cell_chars:
            long.add(state["index"])

    scan_xml(data, start, text=text, part=folder + "sharedStrings.xml")
    return long


def _scan_sheet(sheet: SheetScan, data: bytes, budget: Budget, long_strings: set[int]) -> None:
    """Each cell where calamine puts it, reported to `budget`; formulas and Excel errors noted.
    (Written for speed: a sheet may hold 250,000 cells, each a few callbacks from expat.)"""
    local_names: dict[str, str] = {}
    in_data = done = False
    row = col = 0  # 0-based, as calamine counts (row_index, col_index)
    in_cell = False
    # the cell being read: where, its type, how deep inside it, its last child, the characters
    # of its value, the start of its value, whether it has a formula
    c_row = c_col = depth = chars = last_chars = 0
    c_type = last = None
    value = ""
    formula = False
    elements = budget.elements_left

    def start(tag, attrs):
        nonlocal in_data, row, col, in_cell, c_row, c_col, depth, chars, last_chars, c_type, last, value, formula
        nonlocal elements
        elements -= 1
        if elements < 0:
            budget.too_many_elements()
        if done:  # after the cells: the merged ranges and the autofilter
            name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
            if name == "mergeCell":
                _merge(sheet, attrs.get("ref"), budget)
            elif name == "autoFilter":
                sheet.filtered = True
            return
        name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
        if in_cell:
            if depth == 0:  # a child of the cell: its last one decides its value
                last = name
                last_chars = 0
            depth += 1
            if name == "f":
                formula = True
        elif not in_data:
            if name == "dimension":
                _dimension(sheet, attrs, budget)
            elif name == "col" and attrs.get("hidden") in ("1", "true"):
                _hidden_columns(sheet, attrs)
            elif name == "sheetData":
                in_data = True
        elif name == "c":
            r = attrs.get("r")
            if r is None:
                c_row, c_col = row, col
            else:
                c_row, c_col = _cell_of(r, sheet)
                col = c_col
            in_cell, c_type, depth, last, chars, last_chars, value, formula = (
                True,
                attrs.get("t"),
                0,
                None,
                0,
                0,
                "",
                False,
            )
        elif name == "row":
            r = attrs.get("r")
            if r is not None:
                row = _row_of(r, sheet)
            if attrs.get("hidden") in ("1", "true"):
                sheet.hide_rows(row + 1, row + 1)

    def text(chunk):
        nonlocal chars, last_chars, value
        if in_cell and depth > 0 and (last == "v" or last == "is"):
            chars += len(chunk)
            last_chars += len(chunk)
            if len(value) < 20:
                value += chunk

    def end(tag):
        nonlocal in_cell, depth, row, col, done
        if done or not in_data:
            return
        if in_cell:
            if depth > 0:
                depth -= 1
                return
            in_cell = False
            col += 1
            _cell_done(sheet, budget, long_strings, c_row + 1, c_col, c_type, last, last_chars, chars, value, formula)
            return
        name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
        if name == "row":
            row += 1
            col = 0
        elif name == "sheetData":
            done = True

    scan_xml(data, start, end, text, part=sheet.part)
    budget.elements_left = elements


def _cell_done(
    sheet: SheetScan,
    budget: Budget,
    long_strings: set[int],
    row: int,
    col: int,
    kind: str | None,
    last: str | None,
    last_chars: int,
    chars: int,
    value: str,
    formula: bool,
) -> None:
    if last == "is":
        filled = True
    elif last == "v":
        filled = kind not in ("inlineStr", "is") and (last_chars > 0 or kind in ("b", "e", "str", "d"))
    else:
        filled = False  # no value, or a formula after its value (calamine reads it as empty)
    if formula:
        # Excel saves a formula showing the empty text (=IF(G2="","",...)) as a string with
        # no characters, with an empty <v> or none: a value, the empty text, not one unsaved
        if kind == "str" and chars == 0:
            sheet.empty_texts.add((row, col))
            filled = False
            sheet.formulas[(row, col)] = True
        else:
            sheet.formulas[(row, col)] = filled
    if not filled:
        return
    budget.cell(sheet, row, col)
    if chars > budget.limits.max_cell_chars:
        budget.text(sheet, row, col, chars)
    if kind == "s" and long_strings:
        try:
            index = int(value.strip())
        except ValueError:
            index = -1
        if index in long_strings:
            budget.text(sheet, row, col, budget.limits.max_cell_chars + 1)
    if kind == "e":
        sheet.errors[(row, col)] = value.strip() or "#N/A"


def _merge(sheet: SheetScan, ref: str | None, budget: Budget) -> None:
    """A merged range (mergeCell ref="A2:A8"), kept to say how its cells are read."""
    corners = [_cell_of(corner, sheet) for corner in (ref or "").split(":")] if ref else []
    if len(corners) == 1:
        return  # one cell merged with itself: nothing merged
    if len(corners) != 2:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} merges a range called '{(ref or '')[:20]}'",
            DAMAGED_FIX,
        )
    (r1, c1), (r2, c2) = corners
    budget.merge(sheet, min(r1, r2) + 1, min(c1, c2), max(r1, r2) + 1, max(c1, c2))


def _hidden_columns(sheet: SheetScan, attrs: dict) -> None:
    """<col min="3" max="4" hidden="1"/>: columns C to D (1-based, as Excel numbers them) hidden."""
    try:
        first, last = int(attrs.get("min", "")), int(attrs.get("max", attrs.get("min", "")))
    except ValueError:
        first = last = 0
    if not 1 <= first <= last <= MAX_XLSX_COLUMNS:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} hides columns "
            f"'{str(attrs.get('min'))[:10]}' to '{str(attrs.get('max'))[:10]}'",
            DAMAGED_FIX,
        )
    sheet.hide_cols(first - 1, last - 1)


def _dimension(sheet: SheetScan, attrs: dict, budget: Budget) -> None:
    ref = attrs.get("ref")
    if ref is None:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a dimension without a range", DAMAGED_FIX
        )
    corners = [_cell_of(corner, sheet) for corner in ref.split(":")]
    if len(corners) > 2:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a range of three corners", DAMAGED_FIX
        )
    last_row, last_col = corners[-1]
    budget.declared(sheet, last_row + 1, last_col + 1, ref)


def _row_of(ref: str, sheet: SheetScan) -> int:
    """A row's r (0-based), read as calamine's get_row: letters ignored, then digits."""
    m = _ROW_REF.fullmatch(ref)
    if m is None or int(m.group(1)) == 0:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a row numbered '{ref[:20]}'", DAMAGED_FIX
        )
    return int(m.group(1)) - 1


def _cell_of(ref: str, sheet: SheetScan) -> tuple[int, int]:
    """A cell reference (0-based row and column), read as calamine's get_row_column."""
    m = _CELL_REF.fullmatch(ref)
    if m is None or m.group(2) == "0" * len(m.group(2)):
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a cell called '{ref[:20]}'", DAMAGED_FIX
        )
    return int(m.group(2)) - 1, _column(m.group(1))


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    """'A' -> 0, 'aa' -> 26 (a sheet has a few columns, each met on every row)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1
