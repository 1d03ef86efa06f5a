"""The dashboard's endpoints outside Dash: module-level Flask Blueprints, one a concern, gathered
under one parent blueprint whose handler answers every refusal (refusals.py).

    auth.py          sign in and out, who is signed in
    health.py        /healthz
    uploads.py       storing a return; the blank return to fill in
    history.py       restore, quarantine, release; the rows as counted and the file as uploaded
    signoff.py       a quarter's sign-off, due dates, revision decisions, reminders
    trajectories.py  setting trajectories; their files
    pathways.py      the Pathways page's downloads; recording each AHSN's spread conditions
    downloads.py     /download/...: every table as CSV, Excel and JSON
    forms.py         what the endpoints that change something share (the file, the reason, the answer)
    attachments.py   files sent as attachments
    refusals.py      every refusal answered in one place

An endpoint checks the user (dashboard/security) on every request and asks the store to do
the work; it may use the presentation (the downloads are the pages' tables) and the
background work. It never imports a page.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from dashboard.endpoints import auth, downloads, health, history, pathways, refusals, signoff, trajectories, uploads

blueprint = refusals.answered_on(Blueprint("endpoints", __name__))
for child in (auth, health, uploads, history, signoff, trajectories, pathways, downloads):
    blueprint.register_blueprint(child.blueprint)


def register(server: Flask) -> None:
    refusals.register(server)
    server.register_blueprint(blueprint)
