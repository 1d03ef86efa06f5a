"""How a checked file is shown, on the Upload and Trajectories pages alike: a panel with a
mark besides its colour, tables that scroll sideways in their own box on a phone, every
problem with its rows, column and fix, and every value read other than as typed."""

from __future__ import annotations

from dash import html

from etl.problems import Problem, row_list


def panel(kind: str, title: str, children: list) -> html.Div:
    mark = {"error": "✗", "warning": "!", "success": "✓"}[kind]  # a second cue besides colour
    return html.Div(
        className=f"upload-panel upload-panel-{kind}",
        role="alert" if kind == "error" else "status",
        children=[html.H3(f"{mark} {title}"), *children],
    )


def rows_table(caption: str, headers: list[str], rows: list[list], class_name: str = "") -> html.Div:
    """A table in a box of its own that scrolls sideways on a narrow screen."""
    return html.Div(
        className="table-wrap",
        role="region",
        tabIndex=0,
        **{"aria-label": caption},
        children=html.Table(
            className=f"upload-table {class_name}".strip(),
            children=[
                html.Caption(caption),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                html.Tbody([html.Tr([html.Td("—" if c is None or c == "" else str(c)) for c in r]) for r in rows]),
            ],
        ),
    )


def problem_rows(problems: list[Problem]) -> list[list]:
    """Problems (or warnings) as table rows: the rows, the column, what is wrong, how to fix it."""
    return [[row_list(p.rows) if p.rows else p.row, p.column, p.message, p.fix] for p in problems]


def readings(interpretations, name: str) -> html.Div:
    """Every value read as something other than exactly what was typed, grouped."""
    if not interpretations:
        return html.P(f"Every value in {name} was read exactly as typed.", className="upload-readings-none")
    return html.Div(
        className="upload-readings",
        children=[
            html.H3(
                f"How {name} was read: {len(interpretations)} reading"
                f"{'s' if len(interpretations) != 1 else ''} to check"
            ),
            html.P("These were not typed exactly as the template has them. Check each is what you meant."),
            html.Ul([html.Li(str(i)) for i in interpretations], className="upload-interpretations"),
        ],
    )


def problems_panel(name: str, problems: list[Problem], interpretations=()) -> html.Div:
    """A refused file: every problem, and how the rest of it was read."""
    return panel(
        "error",
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {name}: nothing was stored",
        [
            html.P(
                "Fix each one in your spreadsheet, save it, and upload it again. "
                "Row numbers are the ones your spreadsheet shows."
            ),
            rows_table(
                f"Problems in {name}",
                ["Row", "Column", "What is wrong", "How to fix it"],
                problem_rows(problems),
                "upload-problems",
            ),
            *([readings(interpretations, name)] if interpretations else []),
        ],
    )
