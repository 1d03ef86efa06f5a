"""The forms pages post to the endpoints: each carries the session's CSRF token and says it
came from a page (`from_page=1`), so a refusal answers with a page, not JSON
(dashboard/endpoints/refusals.py)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.addresses import here
from dashboard.security.auth import csrf_token


def post_form(action: str, children: list, class_name: str, ids: str | None = None, **hidden: str) -> html.Form:
    """A form POSTed to `action`, with the CSRF token, `hidden` fields and from_page=1 first.
    `ids`: a prefix giving the hidden fields ids of their own ('upload' -> upload-csrf,
    upload-token, upload-from-page)."""

    def field(name: str, value: str, key: str) -> dcc.Input:
        return dcc.Input(type="hidden", name=name, value=value, **({"id": f"{ids}-{key}"} if ids else {}))

    fields = [
        field("csrf_token", csrf_token(), "csrf"),
        *(field(name, value, name) for name, value in hidden.items()),
        field("from_page", "1", "from-page"),
    ]
    return html.Form(action=here(action), method="POST", className=class_name, children=[*fields, *children])


def field(label: str, field_id: str, **input_props) -> html.Div:
    """A labelled input of a form."""
    return html.Div(
        className="returns-field", children=[html.Label(label, htmlFor=field_id), dcc.Input(id=field_id, **input_props)]
    )
