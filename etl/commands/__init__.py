"""The command line's commands (`python -m etl ...`), one module a group; etl/cli.py parses the
arguments and hands each command the Context it works with.

    context.py       what a command works with, made once from the settings; shared output
    returns.py       load, report, template, history, restore, quarantine, release
    collection.py    quarters, sign-off, due dates, revisions and their decisions
    trajectories.py  trajectory load, history and template
    users.py         the accounts
    pathways.py      the crisp-set QCA of a case table (etl/pathways/)
"""
