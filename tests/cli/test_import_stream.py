"""``duebot import loans`` on a book read and written in parts (on PostgreSQL the database takes
each part while the rest is read): a problem late in the file still leaves nothing imported, and
the progress bar shows on a terminal only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.progress import ProgressBar
from storage.database import close_database, open_database
from storage.models import Borrower, Installment, LogEntry
from tests.conftest import _truncate_all

HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
# The CLI with parts of a few records: fed to the database every 4 records, written 3 rows a batch
# (log records 2 rows a batch).
SMALL_PARTS = (
    "import sys, bot.commands.imports as m, storage.importer as i; m._FEED_EVERY = 4; m._YIELD_EVERY = 2; "
    "i.BATCH = 3; i.RECORD_BATCH = 2; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
)


def book(borrowers: int, start: int = 0) -> str:
    rows = []
    for b in range(start, start + borrowers):
        for k in (1, 2, 3):
            rows.append(
                f"B{b},Name {b},+8613800{b:06d},,zh,Asia/Shanghai,sms,L{b},consumer,CNY,{k},2027-0{k}-10,{100 + b}.00\n"
            )
    return "".join(rows)


def duebot(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DUEBOT_DATABASE_URL": url, "DUEBOT_SECRET_KEY": "stream-test-key"}
    return subprocess.run(
        [sys.executable, "-c", SMALL_PARTS, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def counts(url: str) -> tuple[int, int, int]:
    await open_database(url)
    try:
        return await Borrower.all().count(), await Installment.all().count(), await LogEntry.all().count()
    finally:
        await close_database()


@pytest.fixture
async def empty(database_url: str) -> str:
    await open_database(database_url)
    await _truncate_all()
    await close_database()
    return database_url


async def test_a_problem_late_in_the_book_leaves_nothing_imported(empty: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    late = book(1, start=40).replace("101.00", "1.001").replace("140.00", "1.001")
    bad.write_text(HEADER + book(12) + late, encoding="utf-8")
    refused = duebot(empty, tmp_path, "import", "loans", str(bad))
    assert refused.returncode == 1, refused.stderr
    assert "line 38: amount_due:" in refused.stderr and "nothing was imported" in refused.stderr
    assert await counts(empty) == (0, 0, 0)

    good = tmp_path / "good.csv"
    good.write_text(HEADER + book(12), encoding="utf-8")
    done = duebot(empty, tmp_path, "import", "loans", str(good))
    assert done.returncode == 0, done.stderr
    assert "36 created, 0 updated, 0 unchanged" in done.stdout
    assert await counts(empty) == (12, 36, 13)  # a record per borrower, and the system's

    # A loan given to another borrower, late in the next book: refused whole, and said where.
    moved = good.read_text().replace("B11,Name 11,+8613800000011", "B99,Name 99,+8613800000099")
    clash = tmp_path / "clash.csv"
    clash.write_text(moved + book(3, start=20), encoding="utf-8")
    refused = duebot(empty, tmp_path, "import", "loans", str(clash))
    assert refused.returncode == 1
    assert "line 35: loan_id: loan L11 belongs to borrower B11" in refused.stderr
    assert await counts(empty) == (12, 36, 13)
    again = duebot(empty, tmp_path, "import", "loans", str(good))
    assert "0 created, 0 updated, 36 unchanged" in again.stdout and "nothing changed" in again.stdout
    assert duebot(empty, tmp_path, "log", "verify").returncode == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_only() -> None:
    quiet = io.StringIO()
    bar = ProgressBar(10, "importing", stream=quiet)
    bar.update(5)
    bar.update(10)
    bar.close()
    assert quiet.getvalue() == ""

    screen = Terminal()
    bar = ProgressBar(10, "importing", stream=screen)
    bar.update(5)
    bar.close()  # stopped short (a refused book): the line is ended for what follows
    assert screen.getvalue() == "\rimporting [###############---------------] 5/10\n"
    screen = Terminal()
    bar = ProgressBar(10, "importing", stream=screen)
    bar.update(10)
    bar.close()
    assert screen.getvalue().endswith("10/10\n") and screen.getvalue().count("\n") == 1
