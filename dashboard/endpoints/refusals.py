"""Every refusal answered in one place: the web app's own (`abort(status, message)`), the data
layer's (etl/errors.py, each kind with its status), and the few the framework raises.

A refusal answers JSON `{"error": message}` to a script, or a plain page (a Jinja template)
to a form posted from a page (`from_page=1`). Anything else raised is a bug, and is one: a 500
with its traceback in the log.
"""

from __future__ import annotations

import contextlib

from dash.exceptions import DependencyException
from flask import Blueprint, Flask, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from dashboard.security.reading_slots import RETRY_SECONDS, ReadingRefused
from etl.errors import (
    Conflict,
    DiskFull,
    InvalidInput,
    NotAllowed,
    NotFound,
    Refusal,
    StoreBusy,
    StoreNotReady,
    StoreReadOnly,
)
from etl.quarters import QuarterError
from etl.words import capital

# What each refusal of the data layer answers.
STATUS = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 400,
    NotAllowed: 403,
    StoreBusy: 503,
    StoreNotReady: 503,
    DiskFull: 507,  # Insufficient Storage
    StoreReadOnly: 503,
}


def status_of(refusal: Refusal) -> int:
    return next(code for kind, code in STATUS.items() if isinstance(refusal, kind))


@contextlib.contextmanager
def store_refusals(nothing_was: str):
    """The store's refusals as answers, each with its status: 'Nothing was <nothing_was>: why.'"""
    try:
        yield
    except Refusal as refused:
        abort(status_of(refused), f"Nothing was {nothing_was}: {refused}.")


def wants_page() -> bool:
    """Forms on the pages send from_page=1 and get pages; scripts get JSON."""
    return request.form.get("from_page") == "1"


def answer(status: int, message: str):
    """A refusal as JSON, or as a plain page for a form posted from a page."""
    if wants_page():
        title = "Not allowed" if status == 403 else "Something went wrong"
        return render_template("message.html", title=title, paragraphs=[message], back=True), status
    return jsonify(error=message), status


def answered_on(endpoints: Blueprint) -> Blueprint:
    """The endpoints' own refusals (`abort(status, message)` in any of their views), answered.
    Only theirs: a path nothing serves is still the framework's plain 404."""
    endpoints.register_error_handler(HTTPException, lambda err: answer(err.code or 500, err.description or err.name))
    return endpoints


class InsufficientStorage(HTTPException):
    """507: the disk holding the store is full (werkzeug has no class of its own for it)."""

    code = 507
    description = "The disk holding the store is full."


def register(server: Flask) -> None:
    """The data layer's refusals and the framework's, anywhere: pages and Dash callbacks raise
    them too."""
    server.aborter.mapping[507] = InsufficientStorage  # abort(507, ...) for a full disk

    @server.errorhandler(Refusal)
    def data_layer_refusal(err: Refusal):
        return answer(status_of(err), f"{capital(str(err))}.")

    @server.errorhandler(ReadingRefused)
    def not_now(err: ReadingRefused):
        page, status = answer(err.status, str(err))
        return page, status, {"Retry-After": str(RETRY_SECONDS)}

    @server.errorhandler(StoreNotReady)
    def not_ready(_err=None):
        message = str(StoreNotReady())
        if request.path.startswith("/_dash"):
            return {"error": message}, 503
        return render_template(
            "message.html", title="No data yet", paragraphs=[f"The dashboard has no data yet: {message}."]
        ), 503

    @server.errorhandler(QuarterError)
    def unknown_quarter(err: QuarterError):
        if request.path.startswith("/_dash"):
            return jsonify(error=str(err)), 400
        return render_template(
            "message.html",
            title="No such quarter",
            paragraphs=["That address names a quarter that does not exist."],
            links=[("/", "Go to the national table")],
        ), 400

    @server.errorhandler(DependencyException)
    def no_such_asset(_err: DependencyException):
        return jsonify(error="There is no such file."), 404
