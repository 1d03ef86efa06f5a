"""The row of download links a page shows under each table: 'Download the national table: CSV ·
Excel · JSON', each a plain link to the file's stable address (dashboard/endpoints/downloads.py)
with the page's own query."""

from __future__ import annotations

from urllib.parse import quote

from dash import html

from dashboard.addresses import here

FORMATS = {"csv": "CSV", "xlsx": "Excel", "json": "JSON"}


def href(table: str, ext: str, search: str = "") -> str:
    return here(f"/download/{quote(table)}.{ext}{search}")


def links(what: str, table: str, search: str = "", id_prefix: str | None = None) -> html.P:
    """'Download <what>: CSV · Excel · JSON', each a plain link to the file's stable address."""
    parts: list = [f"Download {what}: "]
    for i, (ext, name) in enumerate(FORMATS.items()):
        if i:
            parts.append(" · ")
        parts.append(
            html.A(
                name,
                href=href(table, ext, search),
                className="download-link",
                id=f"{id_prefix}-{ext}" if id_prefix else None,
                **{"aria-label": f"{what}, {name}" + (" (for analysts)" if ext == "json" else "")},
            )
        )
    return html.P(parts, className="downloads no-print")
