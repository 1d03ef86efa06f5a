"""An .ods looked into before python-calamine reads it, walking content.xml as calamine does.

calamine (0.37, src/ods.rs) matches names as written, prefix and all ('table:table',
'office:value'), not by namespace, so this does too: a table whose prefix is bound to
another namespace is still a sheet to calamine, and one written with another prefix is not.
It reads content.xml only (sheets, their rows and cells, the styles that hide a sheet):
- a sheet is a `table:table` with a `table:name`; its rows are the `table:table-row`s up
  to its first end (rows repeat `table:number-rows-repeated` times);
- a cell (`table:table-cell`, `table:covered-table-cell`) repeats
  `table:number-columns-repeated` times, and holds a value when it has `office:value`,
  `office:string-value`, `office:date-value`, `office:time-value`, `office:boolean-value`,
  `office:value-type="string"` (its text, however short) or `table:formula`;
- its text is every paragraph's text, a line break between paragraphs, and `text:c` spaces
  for each `text:s` (a cell can ask for a billion spaces in a few bytes), notes left out;
- a sheet is hidden when its `table:style-name` is a `style:style` whose
  `style:table-properties` say `table:display="false"`.
Beyond what calamine reads, it notes what the reader needs to say how cells are read: rows
and columns hidden (`table:visibility` "collapse", or "filter" for an autofilter; a
`table:table-column` repeats `table:number-columns-repeated` times), merged cells
(`table:number-rows-spanned`, `table:number-columns-spanned`), and, in a file LibreOffice
saved (meta.xml's generator), a formula with no value and no text: LibreOffice saves every
formula's result, and saves the empty text (=IF(...;"";...)) that way.
"""

from __future__ import annotations

from etl.reading.limits import ReadLimits
from etl.reading.scan import Budget, Package, Refused, SheetScan, sheet_name
from etl.reading.zipcheck import Parts, scan_xml, unpack

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_FIX = "Open it in LibreOffice, save it again as .ods, and upload that copy"
VALUE_ATTRIBUTES = (
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
)
CELLS = ("table:table-cell", "table:covered-table-cell")


def inspect_ods(content: bytes, limits: ReadLimits) -> Package:
    what = "OpenDocument"
    unpacked = unpack(content, limits, what)
    parts = Parts(unpacked)
    if unpacked.get("mimetype", b"").strip() != MIMETYPE or "content.xml" not in unpacked:
        raise Refused(
            "this is an OpenDocument file but not a spreadsheet",
            "Upload the return itself, as .ods, .xlsx, .xls or CSV",
        )
    # calamine tries a zip as an .xlsx first (and an .xlsb): one that is both is refused, so
    # that what calamine reads is this content.xml
    if parts.get("_rels/.rels") is not None or "xl/_rels/workbook.bin.rels" in unpacked:
        raise Refused("the spreadsheet is both an OpenDocument file and an Excel workbook", ODS_FIX)
    if b"encryption-data" in unpacked.get("META-INF/manifest.xml", b""):
        raise Refused(
            "the spreadsheet is password-protected (encrypted)",
            "In LibreOffice use File > Save As, untick 'Save with password', and upload that copy",
        )
    if any(
        n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") and not n.endswith("script-lc.xml")
        for n in unpacked
    ):
        raise Refused(
            "the spreadsheet contains macros, which a return must not hold",
            "In LibreOffice use Tools > Macros > Organize Macros to delete them, or "
            "copy the return's cells into a new spreadsheet, and upload that",
        )
    content_xml, budget = unpacked["content.xml"], Budget(limits, "spreadsheet")
    if content_xml.count(b"<") - content_xml.count(b"</") > limits.max_elements:  # at a byte search's speed
        budget.too_many_elements()
    sheets = _walk(content_xml, budget, limits, _by_libreoffice(unpacked.get("meta.xml", b"")))
    hidden = [s.name for s in sheets if s.hidden]
    if hidden:
        raise Refused(
            f"the spreadsheet has hidden sheet{'s' if len(hidden) > 1 else ''} "
            f"{', '.join(sheet_name(n) for n in hidden)}: what you see is not all the file holds",
            "Right-click a sheet tab > Show Sheet, and delete the sheets that are not the return; "
            "or copy the return's cells into a new spreadsheet, and upload that",
        )
    return Package("ods", sheets)


def _by_libreoffice(meta: bytes) -> bool:
    """Whether LibreOffice (or OpenOffice) saved the file: it calculates every formula when it
    saves, and saves a formula showing the empty text (=IF(...;"";...)) with no value at all."""
    at = meta.find(b"<meta:generator>")
    return at >= 0 and meta[at + 16 : at + 40].startswith((b"LibreOffice", b"OpenOffice"))


def _walk(data: bytes, budget: Budget, limits: ReadLimits, by_libreoffice: bool = False) -> list[SheetScan]:
    sheets: list[SheetScan] = []
    styles: dict[str | None, bool] = {}  # style name -> hidden
    state: dict = {
        "style": None,
        "sheet": None,
        "row": 0,
        "rows": 1,
        "col": 0,
        "column": 0,  # the table:table-column elements met in the sheet
        "cell": None,
        "in_row": False,
        "elements": budget.elements_left,
    }

    def start(tag, attrs):
        state["elements"] -= 1
        if state["elements"] < 0:
            budget.too_many_elements()
        cell = state["cell"]
        if cell is not None:  # inside a string cell: its text
            if tag == "office:annotation":
                cell["note"] += 1
            elif cell["note"]:
                return
            elif tag == "text:p":
                cell["chars"] += 0 if cell["first_p"] else 1
                cell["first_p"] = False
            elif tag == "text:s":
                cell["chars"] += _count(attrs.get("text:c"), "a number of spaces")
            _check_text(cell)
            return
        sheet = state["sheet"]
        if sheet is None:
            if tag == "style:style":  # calamine keeps the last style's name until the next
                state["style"] = attrs.get("style:name")
            elif tag == "style:table-properties" and state["style"] is not None:
                display = attrs.get("table:display")
                if display not in (None, "true", "false"):
                    raise Refused("the spreadsheet is damaged (a sheet neither shown nor hidden)", ODS_FIX)
                styles[state["style"]] = display == "false"
            elif tag == "table:table" and "table:name" in attrs:
                sheet = SheetScan(
                    attrs["table:name"], "content.xml", hidden=styles.get(attrs.get("table:style-name"), False)
                )
                sheets.append(sheet)
                budget.sheets(len(sheets))
                state.update(sheet=sheet, row=0, column=0)
            return
        if tag == "table:table-column":  # the sheet's columns, each declared before the rows
            repeat = _count(attrs.get("table:number-columns-repeated"), "a number of columns")
            if attrs.get("table:visibility") in ("collapse", "filter"):
                sheet.hide_cols(state["column"], state["column"] + repeat - 1)
            state["column"] += repeat
        elif tag == "table:table-row":
            state["rows"] = _count(attrs.get("table:number-rows-repeated"), "a number of rows")
            state.update(col=0, in_row=True)
            visibility = attrs.get("table:visibility")
            if visibility in ("collapse", "filter"):  # hidden by hand, or by an autofilter
                sheet.hide_rows(state["row"] + 1, state["row"] + state["rows"])
                sheet.filtered = sheet.filtered or visibility == "filter"
        elif tag in CELLS and state["in_row"]:
            repeat = _count(attrs.get("table:number-columns-repeated"), "a number of columns")
            valued = any(a in attrs for a in VALUE_ATTRIBUTES)
            string = not valued and attrs.get("office:value-type") == "string"
            formula = "table:formula" in attrs
            row, col = state["row"] + 1, state["col"]
            if "table:number-rows-spanned" in attrs or "table:number-columns-spanned" in attrs:
                down = _count(attrs.get("table:number-rows-spanned"), "a number of merged rows")
                across = _count(attrs.get("table:number-columns-spanned"), "a number of merged columns")
                budget.merge(sheet, row, col, row + down - 1, col + across - 1)
            if valued or string or formula:
                budget.cell(sheet, row, col, repeat_rows=state["rows"], repeat_cols=repeat)
                if formula:
                    for c in range(col, col + repeat):
                        sheet.formulas[(row, c)] = valued or string
            budget.text(sheet, row, col, len(attrs.get("office:string-value", "")))
            state["col"] += repeat
            if state["col"] > 10_000_000:  # columns repeated past any sheet: a crafted file
                raise Refused("the spreadsheet is damaged (a row wider than any sheet)", ODS_FIX)
            if string or (formula and not valued and by_libreoffice and "office:value-type" not in attrs):
                state["cell"] = {
                    "tag": tag,
                    "row": row,
                    "col": col,
                    "sheet": sheet,
                    "chars": 0,
                    "first_p": True,
                    "note": 0,
                    "budget": budget,
                    "formula_only": not string,
                }

    def text(chunk):
        cell = state["cell"]
        if cell is not None and not cell["note"]:
            cell["chars"] += len(chunk)
            _check_text(cell)

    def end(tag):
        cell = state["cell"]
        if cell is not None:
            if tag == "office:annotation":
                cell["note"] -= 1
            elif tag == cell["tag"] and not cell["note"]:
                state["cell"] = None
                if cell["formula_only"] and cell["chars"] == 0:  # LibreOffice's formula showing ""
                    cell["sheet"].empty_texts.add((cell["row"], cell["col"]))
                    cell["sheet"].formulas[(cell["row"], cell["col"])] = True
            return
        if state["sheet"] is None:
            return
        if tag == "table:table-row" and state["in_row"]:
            state["row"] += state["rows"]
            state["in_row"] = False
        elif tag == "table:table":  # the first end of a table ends the sheet, nested or not
            budget.done(state["sheet"])
            state["sheet"] = None

    scan_xml(data, start, end, text, part="content.xml", what="OpenDocument", namespaces=False)
    return sheets


def _check_text(cell: dict) -> None:
    cell["budget"].text(cell["sheet"], cell["row"], cell["col"], cell["chars"])


def _count(value: str | None, what: str) -> int:
    """A repeat or a number of spaces, read as calamine reads it (a whole number, else it fails)."""
    if value is None:
        return 1
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise Refused(f"the spreadsheet is damaged ({what} is '{value[:20]}')", ODS_FIX)
    return max(1, int(value))
