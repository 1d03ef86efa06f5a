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

The cells of each sheet are placed as calamine places them: etl/reading/xlsx_sheet.py.

Macros and links to other files are found by what the package says they are (content types
and relationship types, in any part), not by their part names.
"""

from __future__ import annotations

import re

from etl.reading.limits import ReadLimits
from etl.reading.scan import DAMAGED_FIX, PLAIN_COPY, Budget, Package, Refused, SheetScan, sheet_name
from etl.reading.xlsx_sheet import long_shared_strings, scan_sheet
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
    long_strings = long_shared_strings(parts, folder, limits)
    for sheet, xml in zip(sheets, data):
        scan_sheet(sheet, xml, budget, long_strings)
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
