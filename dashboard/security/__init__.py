"""Who is asking and whether they may: sign-in mechanics, sessions, limits and request checks.

    auth.py            the current user, CSRF, the decorators and `require`/`may` (etl/permissions.py
                       decides), the session cookie and the require-login gate (`configure`)
    sessions.py        sessions kept on the server, shared by every worker
    signin_limits.py   how often a password may be tried, per address and per name
    request_checks.py  crafted Dash callback requests answered 400, never 500

Imports etl and dashboard.context only: never a page, an endpoint or the presentation.
"""
