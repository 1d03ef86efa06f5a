"""What the endpoints that change something share: the file posted (or the preview it confirms),
the reason given, where the request came from, and the answer (back to the page that posted
the form, or JSON for a script)."""

from __future__ import annotations

from flask import abort, jsonify, redirect, request
from werkzeug.utils import secure_filename

from dashboard.addresses import here
from dashboard.context import services
from dashboard.endpoints.refusals import wants_page
from etl.store.commands import REASON_CHARACTERS

SAY_WHY = "Say why, in a few words: the reason is kept with the change and shown beside it."


def posted_file(user: str, kind: str, default_name: str) -> tuple[str, str, bytes]:
    """(preview token or "", file name, bytes): the user's preview of a `kind` ("return",
    "trajectory") a `token` confirms (only theirs), or a file sent with the form. 404 for a
    preview expired or not theirs, 400 for none."""
    token = request.form.get("token", "")
    if token:
        pending = services().pending.load(token, user, kind)
        if pending is None:
            abort(404, "That preview has expired or is not yours. Upload the file again.")
        return token, *pending
    if "file" in request.files:
        upload = request.files["file"]
        # cleaned again (control, bidi characters, length) by the reader on every path
        return "", secure_filename(upload.filename or "") or default_name, upload.read()
    abort(400, "No file was sent.")


def reason(required: bool = True, missing: str = SAY_WHY, field: str = "reason") -> str:
    """The form's reason (or another `field` of words) on one line, at most REASON_CHARACTERS
    (400 if one is needed and blank)."""
    said = " ".join((request.form.get(field) or "").split())[:REASON_CHARACTERS]
    if required and not said:
        abort(400, missing)
    return said


def source(page: str) -> str:
    """Where a write came from, as kept with its event: 'history page (203.0.113.5)'."""
    return f"{page} ({request.remote_addr})"


def done(page_address: str, **fields):
    """Back to the page that posted the form (a 303 to `page_address`), or JSON for a script."""
    if wants_page():
        return redirect(here(page_address), code=303)
    return jsonify(**fields)
