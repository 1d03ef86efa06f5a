"""Work done outside a request's answer: making the figures current after a write, the upload
previews waiting to be confirmed, and the receipts e-mailed after a store.

    make_current.py   the database built and switched to after each commit, in a thread
    pending.py        upload previews kept on disk until confirmed (any worker may confirm)
    receipts.py       a receipt for each stored return, sent in a thread

Imports etl only: nothing here knows about Flask, Dash or a page.
"""
