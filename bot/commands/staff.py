"""``duebot staff add|list|disable|enable|reset-password|set-queues``: staff accounts from the command line.

Passwords come from ``--password-stdin`` (one line) or an interactive prompt (asked twice); they
are never taken as arguments (they would land in shell history and ``ps``). Every change is
logged with the operating-system user as ``cli:<user>``. A refused change exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime

from bot.exitcodes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def read_password(from_stdin: bool) -> str | None:
    """The new password, or None (with a message on stderr) when none could be read."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        print("duebot staff: no terminal to ask for the password; use --password-stdin", file=sys.stderr)
        return None
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        print("duebot staff: the passwords differ", file=sys.stderr)
        return None
    return first


def _queues(text: str) -> list[str]:
    return [q.strip() for q in text.split(",") if q.strip()]


def run_staff(args: argparse.Namespace) -> int:
    password: str | None = None
    if args.action in ("add", "reset-password"):
        password = read_password(args.password_stdin)
        if password is None:
            return EXIT_USAGE
    return asyncio.run(_run(args, password))


async def _run(args: argparse.Namespace, password: str | None) -> int:
    from bot.commands.runtime import opened
    from storage import staff as accounts
    from storage.case_views import staff_loads
    from storage.staff import StaffError

    now = datetime.now(UTC)
    actor = _actor()
    async with opened() as (_settings, log):
        try:
            if args.action == "list":
                loads = await staff_loads()
                print(f"{'username':<20} {'role':<11} {'queues':<36} {'state':<9} {'open':>4}  telegram")
                for s in await accounts.list_staff():
                    state = "disabled" if s.disabled else ("available" if s.available else "away")
                    queues = ",".join(s.queues) or "-"
                    linked = "linked" if s.telegram_user_id else "-"
                    print(f"{s.username:<20} {s.role:<11} {queues:<36} {state:<9} {loads.get(s.id, 0):>4}  {linked}")
                return EXIT_OK
            if args.action == "add":
                assert password is not None
                staff = await accounts.create_staff(
                    args.username, args.role, _queues(args.queues), password, now=now, log=log, actor=actor
                )
                print(f"created {staff.username} ({staff.role}; queues: {', '.join(staff.queues) or 'none'})")
            elif args.action == "disable":
                staff = await accounts.disable_staff(args.username, now=now, log=log, actor=actor)
                print(f"disabled {staff.username}; its sessions have ended and its open cases are back in their queues")
            elif args.action == "enable":
                staff = await accounts.enable_staff(args.username, now=now, log=log, actor=actor)
                print(f"enabled {staff.username}")
            elif args.action == "reset-password":
                assert password is not None
                staff = await accounts.reset_password(args.username, password, now=now, log=log, actor=actor)
                print(f"new password set for {staff.username}; its sessions have ended")
            elif args.action == "set-queues":
                staff = await accounts.set_queues(args.username, _queues(args.queues), now=now, log=log, actor=actor)
                print(f"{staff.username} works: {', '.join(staff.queues) or 'no queue'}")
            else:  # pragma: no cover - argparse allows only the actions above
                return EXIT_USAGE
        except StaffError as exc:
            print(f"duebot staff: {exc}", file=sys.stderr)
            return EXIT_REFUSED
    return EXIT_OK
