"""Who may do what: every decision about a user's rights, made by one function.

Each thing a user may do is a named `Action`; `allowed(user, action, ahsn=..., programme=...)`
decides it, and `why_not(...)` says why not, in words a user can act on. The policy is the
table `POLICY` below, one line an action: the store checks it for every write a signed-in user
makes, every endpoint before it acts, every page before it offers a button. `user` is None for
someone not signed in. Roles (etl/users.py): an AHSN submitter acts for one AHSN in the
programmes they are granted, a national administrator for every AHSN and programme and for the
collection as a whole.

An action about one AHSN's things is asked with `ahsn` (its short name); without it, the
question is whether the user may do it for any AHSN at all (is there a button to show?). A
page about every AHSN (the national table, its downloads) asks `allowed_for_every_ahsn`.

What is not yet public (provisional figures, the comments kept with returns, an AHSN's last
return in its template) is for the national team and the AHSN's own submitters. A deployment
may open some of it to everyone: `opened`, the actions its settings open (etl/settings.py:
METRICS_PROVISIONAL_PUBLIC, METRICS_PUBLIC_COMMENTS); only those in `OPENABLE` can be.
Whether pages need a session at all (METRICS_REQUIRE_LOGIN) is sign-in, not a permission
(dashboard/security/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from etl import ahsns
from etl.programmes import Programme
from etl.users import User


class Action(Enum):
    """Everything the code decides a user may or may not do (value: its words)."""

    SUBMIT = "upload returns"
    SEE_HISTORY = "see the history of returns"
    SEE_ORIGINALS = "download the files as uploaded"
    RESTORE = "restore a submission"
    QUARANTINE = "quarantine or release a submission"
    SIGN_OFF = "sign a quarter off"
    SET_DUE_DATE = "set a due date"
    DECIDE_REVISION = "approve or reject a revision"
    APPROVE_OWN_REVISION = "approve a revision you made yourself"
    SEND_REMINDERS = "send reminders"
    SEE_COLLECTION = "see every AHSN's returns for a quarter"
    SET_TRAJECTORY = "set a trajectory"
    SET_CONDITIONS = "record the spread conditions of AHSNs"
    SEE_PROVISIONAL = "see provisional figures"
    SEE_COMMENTS = "see the comments kept with returns"
    GET_TEMPLATE = "download a return template"
    SEE_LAST_RETURN = "download a template filled in from the AHSN's last return"


Rule = Callable[[User | None, str | None, Programme | None], bool]


def anyone(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    return True


def signed_in(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    return user is not None


def for_own_ahsn(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    """A national administrator for every AHSN; a submitter for their own, in a programme they
    are granted (asked without a programme: in any of theirs)."""
    return user is not None and (
        user.is_national
        or ((ahsn is None or ahsn == user.ahsn) and (programme is None or user.works_on(programme.code)))
    )


def national(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    return user is not None and user.is_national


def nobody(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    """A second person decides: a national administrator's own revision is approved by another."""
    return False


def own_if_the_programme_says(user: User | None, ahsn: str | None, programme: Programme | None) -> bool:
    """A national administrator; a submitter for their own AHSN if the programme lets AHSNs
    set their own (Programme.submitters_set_trajectories)."""
    return national(user, ahsn, programme) or (
        programme is not None and programme.submitters_set_trajectories and for_own_ahsn(user, ahsn, programme)
    )


# The policy: who may do each thing.
POLICY: dict[Action, Rule] = {
    Action.SUBMIT: for_own_ahsn,
    Action.SEE_HISTORY: for_own_ahsn,
    Action.SEE_ORIGINALS: for_own_ahsn,
    Action.RESTORE: for_own_ahsn,
    Action.QUARANTINE: national,
    Action.SIGN_OFF: national,
    Action.SET_DUE_DATE: national,
    Action.DECIDE_REVISION: national,
    Action.APPROVE_OWN_REVISION: nobody,
    Action.SEND_REMINDERS: national,
    Action.SEE_COLLECTION: national,
    Action.SET_TRAJECTORY: own_if_the_programme_says,
    Action.SET_CONDITIONS: national,
    Action.SEE_PROVISIONAL: for_own_ahsn,
    Action.SEE_COMMENTS: for_own_ahsn,
    Action.GET_TEMPLATE: anyone,  # a blank one; filled in from the last return: SEE_LAST_RETURN
    Action.SEE_LAST_RETURN: for_own_ahsn,
}

# What a deployment's settings may open to everyone (nothing else can be opened).
OPENABLE = frozenset({Action.SEE_PROVISIONAL, Action.SEE_COMMENTS})
NOTHING_OPENED: frozenset[Action] = frozenset()


def allowed(
    user: User | None,
    action: Action,
    *,
    ahsn: str | None = None,
    programme: Programme | None = None,
    opened: frozenset[Action] = NOTHING_OPENED,
) -> bool:
    """Whether `user` (None: not signed in) may do `action`, for `ahsn` if given. `opened`: the
    actions the deployment's settings open to everyone (Settings.opened)."""
    if opened - OPENABLE:
        raise ValueError(f"only these can be opened to everyone: {sorted(a.name for a in OPENABLE)}")
    return action in opened or POLICY[action](user, ahsn, programme)


def allowed_for_all(
    user: User | None,
    action: Action,
    ahsn_names: Iterable[str],
    *,
    programme: Programme | None = None,
    opened: frozenset[Action] = NOTHING_OPENED,
) -> bool:
    """Whether the user may do it for every one of these AHSNs (a submission holding several)."""
    names = set(ahsn_names)
    return bool(names) and all(allowed(user, action, ahsn=a, programme=programme, opened=opened) for a in names)


def allowed_for_every_ahsn(
    user: User | None,
    action: Action,
    *,
    programme: Programme | None = None,
    opened: frozenset[Action] = NOTHING_OPENED,
) -> bool:
    """Whether the user may do it for every AHSN at once (a page or download about all of them)."""
    every = [a.short_name for a in ahsns.all_ahsns()]
    return allowed_for_all(user, action, every, programme=programme, opened=opened)


def ahsns_for(user: User | None, action: Action, programme: Programme | None = None) -> list[str]:
    """The AHSNs (short names, in the national table's order) the user may do it for."""
    return [a.short_name for a in ahsns.all_ahsns() if allowed(user, action, ahsn=a.short_name, programme=programme)]


def who_may(action: Action, programme: Programme | None = None) -> str:
    """Who may do it, in words: 'the national team', 'a national administrator, or the AHSN's own submitter'."""
    rule = POLICY[action]
    if rule is own_if_the_programme_says:
        return (
            "a national administrator, or the AHSN's own submitter"
            if programme is not None and programme.submitters_set_trajectories
            else "a national administrator"
        )
    return {
        anyone: "anyone",
        signed_in: "anyone signed in",
        for_own_ahsn: "the AHSN's own submitters and the national team",
        national: "the national team",
        nobody: "another national administrator",
    }[rule]


def why_not(
    user: User | None,
    action: Action,
    *,
    ahsn: str | None = None,
    programme: Programme | None = None,
    opened: frozenset[Action] = NOTHING_OPENED,
) -> str | None:
    """Why the user may not do it, as a sentence to show them; None when they may."""
    if allowed(user, action, ahsn=ahsn, programme=programme, opened=opened):
        return None
    if user is None:
        return f"Sign in to {action.value}."
    if POLICY[action] is national:
        return f"Only the national team may {action.value}."
    if POLICY[action] is nobody:
        return f"You may not {action.value}: another national administrator approves it."
    if programme is not None and not user.works_on(programme.code) and ahsn in (None, user.ahsn):
        return (
            f"You may not {action.value} for {programme.short_name}: your account is for "
            f"{', '.join(c.upper() for c in user.programmes)} only. Ask the national team to add "
            f"{programme.short_name} to it."
        )
    whose = f" for {ahsn}" if ahsn else ""
    return (
        f"You may not {action.value}{whose}: that is for {who_may(action, programme)} (you are a {user.description})."
    )


def status(user: User | None) -> int:
    """The HTTP status of a refusal: 401 to someone not signed in (signing in may help), else 403."""
    return 401 if user is None else 403
