"""``duebot import loans|payments FILE.csv``: validate everything, then apply all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import codecs
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.exitcodes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from bot.progress import ProgressBar


class Unreadable(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


_CHUNK = 1 << 20


def _check_utf8(path: str) -> None:
    """Read the file once, a chunk at a time, to say where it is not UTF-8; nothing is kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    try:
        with open(path, "rb") as file:
            while True:
                chunk = file.read(_CHUNK)
                pending = decoder.getstate()[0]  # the start of a character cut by the last chunk
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    # exc.start counts from the pending bytes, which hold no newline.
                    line = newlines + (pending + chunk)[: exc.start].count(b"\n") + 1
                    raise Unreadable(f"line {line}: file: not UTF-8 ({exc.reason})", EXIT_REFUSED) from None
                if not chunk:
                    return
                newlines += chunk.count(b"\n")
    except OSError as exc:
        raise Unreadable(f"duebot import: cannot read {path}: {exc.strerror}", EXIT_USAGE) from None


@contextmanager
def _lines(path: str) -> Iterator[Iterable[str]]:
    """The file's lines, read as the parser asks for them (a big loan book is never held whole)."""
    _check_utf8(path)
    try:
        with open(path, encoding="utf-8", newline="") as file:
            yield file
    except OSError as exc:
        raise Unreadable(f"duebot import: cannot read {path}: {exc.strerror}", EXIT_USAGE) from None


def run_import(args: argparse.Namespace) -> int:
    from config.policy import load_policy
    from config.settings import load_settings
    from storage.importer import untouched
    from storage.loanbook import Parsed, parse_loans_csv, parse_payments_csv

    # Every command refuses bad settings or a bad policy file the same way (exit 3), import too.
    load_policy(load_settings().policy_file)
    try:
        with _lines(args.file) as lines:
            parsed: Parsed[Any] = parse_loans_csv(lines) if args.what == "loans" else parse_payments_csv(lines)
    except Unreadable as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    if parsed.errors:
        errors = list(parsed.errors)
        rows = untouched(parsed.rows, errors)
        if rows:  # the rows that passed may still clash with the database: say so too
            errors = sorted([*errors, *asyncio.run(_refusals(args.what, rows))], key=lambda e: e.where)
        for err in errors:
            print(err.as_line(), file=sys.stderr)
        print(f"{args.file}: {len(errors)} problem(s); nothing was imported", file=sys.stderr)
        return EXIT_REFUSED
    return asyncio.run(_apply(args.what, parsed.rows, args.file))


async def _refusals(what: str, rows: list[Any]) -> list[Any]:
    from bot.commands.runtime import opened
    from storage.importer import import_loan_rows, import_payment_rows, refusals

    now = datetime.now(UTC)
    async with opened() as (_settings, log):

        async def attempt() -> object:
            if what == "loans":
                return await import_loan_rows(rows, now=now, log=log)
            return await import_payment_rows(rows, now=now, log=log)

        return await refusals(attempt)


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
                for loan_id, extra in sorted(pay.overpaid.items()):
                    print(f"  loan {loan_id}: {extra:.2f} paid beyond everything it owes (kept on record)")
                if pay.created == 0:
                    print("nothing changed")
        except RowsRefused as refused:
            for err in refused.errors:
                print(err.as_line(), file=sys.stderr)
            print(f"{source}: {len(refused.errors)} problem(s); nothing was imported", file=sys.stderr)
            return EXIT_REFUSED
    return EXIT_OK
