"""The ``duebot`` command line. Exit codes: 0 success; 1 data refused; 2 usage; 3 bad settings or policy.

Only argparse is imported up front: each command imports its own (sometimes heavy) modules
when it runs, so ``duebot --help`` stays well under a second.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot.exitcodes import EXIT_USAGE

EPILOG = """exit codes:
  0  success
  1  the data was refused (bad rows, broken log chain)
  2  usage error (unknown option, --now without a UTC offset or Z)
  3  bad settings or policy

Settings come from DUEBOT_* environment variables (and a .env file); see README.md."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own exit code for usage errors is 2 too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="duebot",
        description="duebot: repayment reminders, borrower replies and escalations for lenders.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = sub.add_parser("serve", help="web server (webhooks, API, console, /metrics, /healthz) + scheduler")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)

    demo = sub.add_parser("demo", help="self-contained demo: stand-ins, sample loan book, a simulated fortnight")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--no-serve", action="store_true", help="print the simulated fortnight and exit")
    demo.add_argument("--dir", default="demo-data", help="where the demo keeps its database")

    imp = sub.add_parser("import", help="import the loan book or payments from CSV (idempotent)")
    imp_sub = imp.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    imp_loans = imp_sub.add_parser("loans", help="loan book CSV, one row per installment")
    imp_loans.add_argument("file")
    imp_pay = imp_sub.add_parser("payments", help="payments CSV: payment_id,loan_id,amount,paid_at")
    imp_pay.add_argument("file")

    tick = sub.add_parser("tick", help="one scheduler pass at an instant, then a summary")
    tick.add_argument("--now", help="ISO-8601 instant with offset or Z (the logical clock of the pass)")
    tick.add_argument("--dry-run", action="store_true", help="show what would go and what is held back")

    worker = sub.add_parser("worker", help="the scheduler pass and dispatch without the web server")
    worker.add_argument("--interval", type=float, default=60.0, help="seconds between passes (default 60)")

    classify = sub.add_parser("classify", help="reply understanding: one JSON object per input line")
    classify.add_argument("text", nargs="?", help="the reply; without it, lines are read from stdin")
    classify.add_argument("--today", help="YYYY-MM-DD the reply is read against (default: today)")

    staff = sub.add_parser("staff", help="staff accounts: add, list, disable, enable, reset-password, set-queues")
    staff_sub = staff.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    add = staff_sub.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["agent", "supervisor", "complaints", "admin"])
    add.add_argument("--queues", default="", help="comma-separated queues")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    staff_sub.add_parser("list", help="list staff accounts")
    disable = staff_sub.add_parser("disable", help="disable an account (its sessions end)")
    disable.add_argument("username")
    enable = staff_sub.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("username")
    reset = staff_sub.add_parser("reset-password", help="set a new password")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    set_queues = staff_sub.add_parser("set-queues", help="set the queues an account works")
    set_queues.add_argument("username")
    set_queues.add_argument("queues", help="comma-separated queues")

    logp = sub.add_parser("log", help="the interaction log")
    log_sub = logp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    verify = log_sub.add_parser("verify", help="check the hash chain; non-zero exit on a break")
    verify.add_argument("--borrower", help="check one borrower's chain only")

    preview = sub.add_parser("preview", help="what would go to whom on a day, and what is held back and why")
    preview.add_argument("--date", help="YYYY-MM-DD, each borrower's own local date (default: tomorrow)")
    preview.add_argument("--format", default="table", help="table (default), json or csv")

    experiment = sub.add_parser("experiment", help="champion/challenger experiments of the policy")
    experiment_sub = experiment.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    status = experiment_sub.add_parser("status", help="figures per arm, with intervals and the verdict")
    status.add_argument("name")
    status.add_argument("--format", default="table", help="table (default) or json")

    templates = sub.add_parser("templates", help="the message templates in force: check or list them")
    templates_sub = templates.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    templates_sub.add_parser("check", help="render every template with sample data; exit 3 naming a broken one")
    templates_sub.add_parser("list", help="every template in force and where it comes from")

    report = sub.add_parser("report", help="portfolio and servicing indicators of a period (README: Reports)")
    # Values are checked by the command itself, so each mistake gets one line saying why (exit 2).
    report.add_argument("--since", help="first date, YYYY-MM-DD in sla.timezone (default: 30 days ago)")
    report.add_argument("--until", help="last date (default: yesterday)")
    report.add_argument("--every", help="a series too: day, week or month")
    report.add_argument("--by", help="groups too: tier, stage, product, channel, classification or arm")
    report.add_argument("--experiment", help="with --by arm: the experiment whose arms to compare")
    report.add_argument("--format", default="table", help="table (default), json or csv")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from bot.commands.run import run_command

    try:
        return run_command(args)
    except BrokenPipeError:
        # The reader went away (``duebot tick --dry-run | head``): stop quietly. Point stdout at
        # nothing so the interpreter's last flush does not raise again on the way out.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
