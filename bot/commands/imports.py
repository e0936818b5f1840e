"""``duebot import loans|payments FILE.csv``: validate everything, then apply all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import codecs
import sys
from collections.abc import Iterable, Iterator, Sequence
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
_YIELD_EVERY = 2_000  # records between turns of the event loop (writes under way go on)
_FEED_EVERY = 50_000  # records read between handing the new ones to the database


def _check_utf8(path: str) -> int:
    """Read the file once, a chunk at a time, to say where it is not UTF-8; nothing is kept.
    Returns the number of line breaks (for the progress bar)."""
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
                    return newlines
                newlines += chunk.count(b"\n")
    except OSError as exc:
        raise Unreadable(f"duebot import: cannot read {path}: {exc.strerror}", EXIT_USAGE) from None


@contextmanager
def _lines(path: str) -> Iterator[tuple[Iterable[str], int]]:
    """The file's lines, read as the parser asks for them (a big loan book is never held whole),
    and how many there are."""
    count = _check_utf8(path) + 1
    try:
        with open(path, encoding="utf-8", newline="") as file:
            yield file, count
    except OSError as exc:
        raise Unreadable(f"duebot import: cannot read {path}: {exc.strerror}", EXIT_USAGE) from None


def run_import(args: argparse.Namespace) -> int:
    from config.policy import load_policy
    from config.settings import load_settings

    # Every command refuses bad settings or a bad policy file the same way (exit 3), import too.
    load_policy(load_settings().policy_file)
    if args.what == "loans":
        return _import_loans(args.file)
    from storage.importer import untouched
    from storage.loanbook import parse_payments_csv

    try:
        with _lines(args.file) as (lines, _count):
            parsed = parse_payments_csv(lines)
    except Unreadable as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    if parsed.errors:
        errors = list(parsed.errors)
        rows = untouched(parsed.rows, errors)
        if rows:  # the rows that passed may still clash with the database: say so too
            errors = sorted([*errors, *asyncio.run(_refusals(args.what, rows))], key=lambda e: e.where)
        return _refused(args.file, errors)
    return asyncio.run(_apply(args.what, parsed.rows, args.file))


def _refused(source: str, errors: Sequence[Any]) -> int:
    for err in errors:
        print(err.as_line(), file=sys.stderr)
    print(f"{source}: {len(errors)} problem(s); nothing was imported", file=sys.stderr)
    return EXIT_REFUSED


def _import_loans(source: str) -> int:
    """Read and check the book a record at a time while it goes into the database, all in one
    transaction; with any problem (in the file, or a clash with the database) it is rolled back and
    every problem is reported (the file's, then the clashes of its rows without problems)."""
    try:
        with _lines(source) as (lines, count):
            return asyncio.run(_stream_loans(source, lines, count))
    except Unreadable as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code


class _Refused(Exception):
    pass


async def _stream_loans(source: str, lines: Iterable[str], count: int) -> int:
    from tortoise.transactions import in_transaction

    from bot.commands.runtime import opened
    from storage.database import connection, is_postgres_connection
    from storage.importer import LoanBookImport, loan_conflicts
    from storage.loanbook import LoanBookReader, loan_records

    reader = LoanBookReader()
    records = reader.consume(loan_records(lines, reader.errors), _YIELD_EVERY)
    async with opened() as (_settings, log):
        # PostgreSQL writes in its own process: the book goes in while the rest of it is read. SQLite
        # writes in this one (and holds its write lock throughout): the book is read first.
        streaming = is_postgres_connection(connection())
        bar = ProgressBar(count, f"{'importing' if streaming else 'reading'} {source}")
        if not streaming:
            for line in records:
                bar.update(line)
            bar.update(count)
            bar = ProgressBar(len(reader.book), "importing loans")
        try:
            async with (
                in_transaction() as conn,
                LoanBookImport(reader.book, conn, now=datetime.now(UTC), log=log) as run,
            ):
                fed = 0
                for line in records:
                    bar.update(line)
                    if reader.records - fed >= _FEED_EVERY and not reader.errors:
                        fed = reader.records
                        await run.feed()  # the database takes this part while the rest is read
                    else:
                        await asyncio.sleep(0)  # let the writes under way go on
                reader.finish()
                if reader.errors:
                    raise _Refused
                await run.feed(None if streaming else bar.update)
                if run.conflicts:
                    raise _Refused
                result = await run.finish()
        except _Refused:
            bar.close()
            book, errors = reader.book, reader.errors
            del reader, records  # the cross-row bookkeeping; the book is what the clashes need
            if any(line >= 0 for line in book.loan_line):  # rows without problems may clash with the database
                errors = sorted([*errors, *await loan_conflicts(book)], key=lambda e: e.where)
            return _refused(source, errors)
    bar.update(bar.total)
    print(
        f"{source}: {result.installments} installment row(s) of {result.loans} loan(s) for "
        f"{result.borrowers} borrower(s): {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
    if result.created == 0 and result.updated == 0:
        print("nothing changed")
    return EXIT_OK


async def _refusals(what: str, rows: list[Any]) -> list[Any]:
    from bot.commands.runtime import opened
    from storage.importer import import_payment_rows, refusals

    now = datetime.now(UTC)
    async with opened() as (_settings, log):

        async def attempt() -> object:
            return await import_payment_rows(rows, now=now, log=log)

        return await refusals(attempt)


async def _apply(what: str, rows: list[Any], source: str) -> int:
    from bot.commands.runtime import opened
    from storage.importer import import_payment_rows
    from storage.loanbook import RowsRefused

    bar = ProgressBar(len(rows), f"importing {what}")
    now = datetime.now(UTC)
    async with opened() as (_settings, log):
        try:
            pay, _ = await import_payment_rows(rows, now=now, log=log, progress=bar.update)
        except RowsRefused as refused:
            return _refused(source, refused.errors)
    print(
        f"{source}: {pay.created} payment(s) created, {pay.unchanged} unchanged; "
        f"{pay.installments_paid} installment(s) now paid, {pay.loans_paid_off} loan(s) paid off"
    )
    for loan_id, extra in sorted(pay.overpaid.items()):
        print(f"  loan {loan_id}: {extra:.2f} paid beyond everything it owes (kept on record)")
    if pay.created == 0:
        print("nothing changed")
    return EXIT_OK
