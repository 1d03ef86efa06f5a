"""The data layer: read and check returns, keep them, build and read the DuckDB store. It never
imports the web app. docs/architecture.md gives each folder's place and what it may import:

    definitions   quarters.py, ahsns.py, programmes.py (each programme, its words; with
                  programme_model.py, programme_reading.py, programme_fields.py), words.py (the
                  sentences everything shares), statuses.py (a submission's status),
                  permissions.py (who may do what), errors.py (refusals), rows.py (a return's
                  row), events.py, users.py, problems.py, files.py
    reading/      a file read and checked on its own, in a sandboxed child
    validate.py, code_owners.py, trajectories.py   a return or trajectory file checked against what is stored
    queries/      the one door to the database for reading (and settings.py beside it)
    build.py      the database built from the events (schema.sql, derived.sql)
    report.py, collection.py, milestones.py, templates.py, mail.py   what the figures mean
    store/        the source of truth and every write; Store is its entry point
    cli.py, commands/   python -m etl
"""
