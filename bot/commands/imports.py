"""``duebot import loans|payments FILE.csv``: validate everything, then apply all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.exitcodes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from bot.progress import ProgressBar


def _read(path: str) -> str | None:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"duebot import: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        print(f"line {line}: file: not UTF-8 ({exc.reason})", file=sys.stderr)
        return ""


def run_import(args: argparse.Namespace) -> int:
    from storage.loanbook import parse_loans_csv, parse_payments_csv

    text = _read(args.file)
    if text is None:
        return EXIT_USAGE
    if text == "":
        return EXIT_REFUSED
    parsed = parse_loans_csv(text) if args.what == "loans" else parse_payments_csv(text)
    if parsed.errors:
        for err in parsed.errors:
            print(err.as_line(), file=sys.stderr)
        print(f"{args.file}: {len(parsed.errors)} problem(s); nothing was imported", file=sys.stderr)
        return EXIT_REFUSED
    return asyncio.run(_apply(args.what, parsed.rows, args.file))


async def _apply(what: str, rows: list[Any], source: str) -> int:
    from bot.commands.runtime import opened
    from storage.importer import import_loan_rows, import_payment_rows
    from storage.loanbook import RowsRefused

    bar = ProgressBar(len(rows), f"importing {what}")
    now = datetime.now(UTC)
    async with opened() as (_settings, log):
        try:
            if what == "loans":
                result = await import_loan_rows(rows, now=now, log=log, progress=bar.update)
                print(
                    f"{source}: {result.installments} installment row(s) of {result.loans} loan(s) for "
                    f"{result.borrowers} borrower(s): {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged"
                )
                if result.created == 0 and result.updated == 0:
                    print("nothing changed")
            else:
                pay, _ = await import_payment_rows(rows, now=now, log=log, progress=bar.update)
                print(
                    f"{source}: {pay.created} payment(s) created, {pay.unchanged} unchanged; "
                    f"{pay.installments_paid} installment(s) now paid, {pay.loans_paid_off} loan(s) paid off"
                )
                if pay.created == 0:
                    print("nothing changed")
        except RowsRefused as refused:
            for err in refused.errors:
                print(err.as_line(), file=sys.stderr)
            print(f"{source}: {len(refused.errors)} problem(s); nothing was imported", file=sys.stderr)
            return EXIT_REFUSED
    return EXIT_OK
