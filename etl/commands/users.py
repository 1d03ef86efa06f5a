"""The accounts on the command line: add, e-mail, remove, list, set a password."""

from __future__ import annotations

import getpass
import sys

from etl.commands.context import Context
from etl.users import UserError


def _ask_password(args) -> str:
    """Never from the command line itself: it would show in `ps` and the shell history."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords are different")
    return first


def _programme_codes(ctx: Context, text: str | None) -> list[str] | None:
    """Codes given as 'tcam,pincer', each one a programme of this deployment."""
    if text is None:
        return None
    codes = [c.strip().lower() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in ctx.settings.programmes]
    if unknown or not codes:
        raise UserError(
            f"{', '.join(repr(c) for c in unknown) or 'no programme'} is not a programme "
            f"(known: {', '.join(ctx.settings.programmes.codes)})"
        )
    return codes


def _granted(user) -> str:
    return "every programme" if user.is_national else ", ".join(user.programmes)


def cmd_users(ctx: Context, args) -> int:
    if args.users_command == "add":
        programmes = _programme_codes(ctx, args.programmes)
        if programmes is not None and args.national:
            raise UserError("a national administrator works on every programme: leave out --programmes")
        user = ctx.users.add(
            args.name,
            _ask_password(args),
            "national" if args.national else "ahsn",
            args.ahsn,
            email=args.email,
            programmes=programmes,
        )
        print(f"added {user.name}, {user.description} ({_granted(user)})" + (f", <{user.email}>" if user.email else ""))
    elif args.users_command == "programmes":
        user = ctx.users.set_programmes(args.name, _programme_codes(ctx, args.codes))
        print(f"{user.name} now submits for {user.ahsn} in {_granted(user)}")
    elif args.users_command == "email":
        ctx.users.set_email(args.name, args.address or None)
        print(f"e-mail of {args.name}: {args.address or 'none'}")
    elif args.users_command == "remove":
        ctx.users.remove(args.name)
        print(f"removed {args.name}")
    elif args.users_command == "passwd":
        ctx.users.set_password(args.name, _ask_password(args))
        print(f"changed the password of {args.name}; their sessions have ended")
    else:
        users = ctx.users.all()
        for u in users:
            print(f"{u.name}\t{u.description}\t{_granted(u)}" + (f"\t<{u.email}>" if u.email else ""))
        if not users:
            print(
                "no users yet: add one with python -m etl users add NAME --ahsn AHSN (or --national)", file=sys.stderr
            )
    return 0
