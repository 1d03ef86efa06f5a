"""The server side of uploading: the endpoints that store, restore and send returns, and
the checks they share with the upload page's preview.

Every endpoint here checks the session and the user's AHSN on every request; the pages'
buttons are only a convenience. State-changing endpoints also need the CSRF token.

    POST /upload/commit            store a checked file (a pending preview token, or a file)
    POST /history/<id>/restore     make an earlier submission current again
    GET  /history/<id>/original    the file exactly as it was uploaded
    GET  /upload/template          a blank return for an AHSN and quarter (&format=xlsx: Excel)

Storing goes through Store().load, the same code path as `python -m etl load`: the file is
validated again under the store's write lock, so a file previewed against older data is
checked against the data it will actually join.

A previewed file waits in <METRICS_DATA>/pending/<random token>.json (not in a worker's
memory: the confirm may reach a different gunicorn worker than the preview did).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.utils import secure_filename

from dashboard import auth
from etl import ahsns, programmes, queries, settings
from etl.problems import Problem, ReturnRejected
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError
from etl.report import whole_percent
from etl.store import Store, StoreBusy, _write_atomically
from etl.templates import template_csv, template_xlsx
from etl.users import User
from etl.validate import ParsedReturn

PENDING_HOURS = 24
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORIGINAL_TYPES = {".csv": "text/csv", ".xlsx": XLSX_TYPE, ".xls": "application/vnd.ms-excel",
                  ".ods": "application/vnd.oasis.opendocument.spreadsheet"}


# ---- checks shared by the preview and the commit -------------------------------------------


def ahsns_in(results: list[ParsedReturn]) -> list[str]:
    found = {a for r in results for a, _, _ in r.returns()}
    order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
    return sorted(found, key=order.get)


def not_permitted(user: User, results: list[ParsedReturn]) -> str | None:
    """Why the user may not store these files, or None if they may."""
    others = [a for a in ahsns_in(results) if not user.may_submit_for(a)]
    if not others:
        return None
    return (f"This file holds returns for {', '.join(others)}. You are a {user.description}, "
            f"so you may only upload {user.ahsn}'s returns. Remove the other AHSNs' rows, or ask "
            "the national team to load them.")


@dataclass(frozen=True)
class Change:
    """What storing a file will do to one AHSN-quarter."""

    ahsn: str
    quarter: str
    rows: int
    before: str  # "25% (1 of 4 acute trusts)", "no return yet; Q1 2020/21: 25% (1 of 4 acute trusts)"
    after: str
    replaces: str  # e.g. "submission 12 by asha, 03 Oct 2020 14:05" or "nothing: a first return"


def rate_text(adopted: int, counted: int, programme: Programme) -> str:
    kinds = " and ".join(t.replace("_", " ") for t in programme.counted_trust_types)
    if counted == 0:
        return f"no {kinds} trusts"
    return f"{whole_percent(adopted, counted)}% ({adopted} of {counted} {kinds} trusts)"


def changes(results: list[ParsedReturn], programme: Programme) -> list[Change]:
    """Before -> after for every AHSN-quarter the files hold, counted the way the store
    counts (the programme's counted trust types and adoption threshold)."""
    out = []
    for parsed in results:
        frame = parsed.frame()
        for ahsn, quarter, rows in parsed.returns():
            mine = frame[(frame["ahsn"] == ahsn) & (frame["quarter_index"] == quarter.index)]
            counted = mine[mine["trust_type"].isin(programme.counted_trust_types)]
            adopted = int((counted["adoption_level"] >= programme.adopted_from_level).sum())
            rates = queries.ahsn_rates(programme, ahsn=ahsn)
            before = rates[rates["quarter_index"] == quarter.index]
            earlier = rates[rates["quarter_index"] < quarter.index].sort_values("quarter_index").tail(1)
            history = queries.submissions(programme, ahsn)
            current = history[(history["quarter_index"] == quarter.index) & history["is_current"]]
            if len(current):
                c = current.iloc[0]
                replaces = (f"submission {int(c['submission_id'])} by {c['loaded_by']}, "
                            f"{c['loaded_at']:%d %b %Y %H:%M} UTC")
            else:
                replaces = "nothing: this is the first return for this quarter"
            if len(before):
                before_text = rate_text(int(before["adopted_trusts"].iloc[0]),
                                        int(before["counted_trusts"].iloc[0]), programme)
            elif len(earlier):  # a new quarter: compare with the AHSN's last return
                e = earlier.iloc[0]
                before_text = (f"no return yet; {e['quarter']}: "
                               + rate_text(int(e["adopted_trusts"]), int(e["counted_trusts"]), programme))
            else:
                before_text = "no return yet"
            out.append(Change(ahsn, quarter.label, rows, before_text,
                              rate_text(adopted, len(counted), programme), replaces))
    return out


# ---- pending previews ----------------------------------------------------------------------


def _pending_dir():
    return settings.data_dir() / "pending"


def save_pending(user: User, file_name: str, content: bytes) -> str:
    token = secrets.token_urlsafe(24)
    folder = _pending_dir()
    folder.mkdir(parents=True, exist_ok=True)
    record = {"user": user.name, "file_name": file_name, "saved_at": time.time(),
              "content": base64.b64encode(content).decode()}
    _write_atomically(folder / f"{token}.json", json.dumps(record).encode())
    for old in folder.glob("*.json"):  # previews nobody confirmed
        if time.time() - old.stat().st_mtime > PENDING_HOURS * 3600:
            old.unlink(missing_ok=True)
    return token


def load_pending(token: str, user: User) -> tuple[str, bytes] | None:
    """The file behind a preview token, only for the user who previewed it."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        record = json.loads((_pending_dir() / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if record.get("user") != user.name:
        return None
    return record["file_name"], base64.b64decode(record["content"])


def drop_pending(token: str) -> None:
    if token and token.replace("-", "").replace("_", "").isalnum():
        (_pending_dir() / f"{token}.json").unlink(missing_ok=True)


# ---- endpoints -----------------------------------------------------------------------------


def _problems_json(problems: list[Problem]) -> list[dict]:
    return [p.as_dict() for p in problems]


def register(server: Flask) -> None:
    @server.post("/upload/commit")
    def commit():
        user, refusal = auth.signed_in_for_change()
        if refusal:
            return refusal
        token = request.form.get("token", "")
        if token:
            pending = load_pending(token, user)
            if pending is None:
                return auth.refuse(404, "That preview has expired or is not yours. Upload the file again.")
            files = [pending]
        elif "file" in request.files:
            upload = request.files["file"]
            # cleaned again (control, bidi characters, length) by parse_return on every path
            files = [(secure_filename(upload.filename or "") or "return.csv", upload.read())]
        else:
            return auth.refuse(400, "No file was sent.")
        programme = programmes.current()
        store = Store()
        results = store.check(files, programme)
        problems = [p for r in results for p in r.problems]
        if not problems:
            why = not_permitted(user, results)
            if why:
                return auth.refuse(403, why)
        try:
            if problems:
                raise ReturnRejected(problems)
            accepted = store.load(files, programme, loaded_by=user.name,
                                  source=f"upload page ({request.remote_addr})")
        except ReturnRejected as rejected:
            if auth.wants_page():
                return auth.refuse(422, f"The file was not stored: {len(rejected.problems)} "
                                        "problem(s) were found when it was checked again. "
                                        "Upload it again to see them.")
            return jsonify(error="The file was not stored.",
                           problems=_problems_json(rejected.problems)), 422
        except StoreBusy as busy:
            return auth.refuse(503, f"The file was not stored: {busy}.")
        drop_pending(token)
        if auth.wants_page():
            return redirect(f"/upload?stored={accepted[0].submission_id}", code=303)
        return jsonify(stored=[{"submission_id": a.submission_id, "file_name": a.file_name,
                                "returns": [list(r) for r in a.returns],
                                "warnings": len(a.warnings)} for a in accepted])

    @server.post("/history/<int:submission_id>/restore")
    def restore(submission_id: int):
        user, refusal = auth.signed_in_for_change()
        if refusal:
            return refusal
        event = Store().event(submission_id)
        if event is None or event.get("kind") != "submission":
            return auth.refuse(404, f"There is no submission {submission_id}.")
        if not user.may_act_on(a for a, _, _ in event["returns"]):
            return auth.refuse(403, f"Submission {submission_id} holds returns of AHSNs you may "
                                    f"not change (you are a {user.description}).")
        try:
            Store().restore(submission_id, restored_by=user.name,
                            source=f"history page ({request.remote_addr})")
        except StoreBusy as busy:
            return auth.refuse(503, f"Nothing was restored: {busy}.")
        if auth.wants_page():
            return redirect(f"/history?restored={submission_id}", code=303)
        return jsonify(restored=submission_id)

    @server.get("/history/<int:submission_id>/original")
    def original(submission_id: int):
        user = auth.current_user()
        if user is None:
            return jsonify(error="Sign in to download uploaded files."), 401
        event = Store().event(submission_id)
        if event is None or event.get("kind") != "submission":
            return jsonify(error=f"There is no submission {submission_id}."), 404
        if not user.may_act_on(a for a, _, _ in event["returns"]):
            return jsonify(error="That file holds returns of AHSNs you may not see."), 403
        suffix = os.path.splitext(event["stored_as"])[1]  # .csv, .xlsx, .xls or .ods, by content
        stem = secure_filename(os.path.splitext(event["file_name"])[0]) or "return"
        name = f"submission-{submission_id}-{stem}{suffix}"
        # The bytes as uploaded (the record of what was sent), as an attachment: never shown
        # in the browser, whatever they contain.
        return Response(Store().original_bytes(event),
                        mimetype=ORIGINAL_TYPES.get(suffix, "application/octet-stream"),
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    @server.get("/upload/template")
    def template():
        ahsn = ahsns.resolve(request.args.get("ahsn", ""))
        try:
            quarter = Quarter.parse(request.args.get("quarter", ""))
        except QuarterError as err:
            return jsonify(error=str(err)), 400
        if ahsn is None:
            return jsonify(error="Choose one of the 15 AHSNs."), 400
        name = f"{programmes.current().code}-return-{ahsn.slug}-{quarter.key}"
        if request.args.get("format", "csv") == "xlsx":  # cells neutralised, drop-down lists
            return Response(template_xlsx(programmes.current(), ahsn.short_name, quarter), mimetype=XLSX_TYPE,
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        text = template_csv(programmes.current(), ahsn.short_name, quarter)  # cells neutralised
        return Response("\ufeff" + text, mimetype="text/csv",  # BOM: Excel reads it as UTF-8
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
