"""The loan-book import as a new user meets it: the real ``duebot`` process, files, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ENV_FILE_VARIABLE

HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
GOOD = [
    "B001,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L001,consumer,CNY,1,2026-12-01,1200.00\n",
    "B002,Ana Ruiz,+14155550123,987654321,en,America/Los_Angeles,telegram,L002,auto,USD,3,2026-12-04,350.00\n",
    "B003,Tom Hale,+447400123456,,en,Europe/London,sms,L003,card,GBP,1,2026-12-10,80.50\n",
]


def duebot(
    tmp_path: Path, *args: str, stdin: str | None = None, dotenv: bool = False
) -> subprocess.CompletedProcess[str]:
    """``duebot`` in ``tmp_path``; with ``dotenv`` it reads ``tmp_path/.env`` as it would outside the tests."""
    env = {
        **os.environ,
        "DUEBOT_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "DUEBOT_SECRET_KEY": "cli-test-key",
    }
    if dotenv:
        del env[ENV_FILE_VARIABLE]
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_file_imports_nothing_then_fixed_file_imports_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\ufeff"
        + HEADER
        + GOOD[0]
        + GOOD[1].replace("+14155550123", "+1415555")
        + GOOD[2].replace("Europe/London", "Europe/Londres"),
        encoding="utf-8",
    )
    refused = duebot(tmp_path, "import", "loans", str(bad))
    assert refused.returncode == 1
    assert "line 3: phone:" in refused.stderr
    assert "line 4: timezone:" in refused.stderr
    assert "nothing was imported" in refused.stderr

    good = tmp_path / "good.csv"
    good.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    first = duebot(tmp_path, "import", "loans", str(good))
    assert first.returncode == 0, first.stderr
    assert "3 created" in first.stdout
    second = duebot(tmp_path, "import", "loans", str(good))
    assert second.returncode == 0
    assert "0 created, 0 updated, 3 unchanged" in second.stdout
    assert "nothing changed" in second.stdout

    payments = tmp_path / "payments.csv"
    payments.write_text("payment_id,loan_id,amount,paid_at\nP1,L003,80.50,2026-12-09T12:00:00Z\n")
    paid = duebot(tmp_path, "import", "payments", str(payments))
    assert paid.returncode == 0 and "1 loan(s) paid off" in paid.stdout
    verify = duebot(tmp_path, "log", "verify")
    assert verify.returncode == 0 and "OK" in verify.stdout


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    book = tmp_path / "multi.csv"
    book.write_text(
        HEADER + GOOD[0].replace("Li Wei", '"Li\nWei"').replace("L001,", "L005,") + GOOD[1].replace("USD", "ZZZ"),
        encoding="utf-8",
    )
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 1
    assert "line 2: full_name:" in result.stderr
    assert "line 4: currency:" in result.stderr  # the record after a two-line record starts on line 4


def test_duplicate_installment_in_one_file_is_an_error(tmp_path: Path) -> None:
    book = tmp_path / "dup.csv"
    book.write_text(HEADER + GOOD[0] + GOOD[0], encoding="utf-8")
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 1
    assert "line 3: installment_no:" in result.stderr and "line 2" in result.stderr


def test_missing_column_is_named(tmp_path: Path) -> None:
    book = tmp_path / "cols.csv"
    book.write_text(HEADER.replace("amount_due", "amount") + GOOD[0], encoding="utf-8")
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 1
    assert "line 1: header: missing column(s): amount_due" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["import", "loans", "--help"], ["classify", "--help"]],
)
def test_help_lists_commands_and_does_not_import_aiogram(tmp_path: Path, argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('AIOGRAM', 'aiogram' in sys.modules, 'tortoise' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert "AIOGRAM False False" in result.stdout
    if argv == ["--help"]:
        for command in ("serve", "demo", "import", "tick", "classify", "staff", "log", "report"):
            assert f"    {command}" in result.stdout
        assert "3  bad settings or policy" in result.stdout


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = duebot(tmp_path, "import", "loans", "--bogus")
    assert result.returncode == 2


def test_bad_policy_exits_3_naming_the_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[caps]\nper_week = 3\n")
    env_file = tmp_path / ".env"
    env_file.write_text(f"DUEBOT_POLICY_FILE={policy}\n")
    result = duebot(tmp_path, "serve", "--port", "0", dotenv=True)
    assert result.returncode == 3
    assert "caps.per_week" in result.stderr


@pytest.mark.parametrize("what", ["loans", "payments"])
def test_an_empty_file_is_refused_with_a_reason(tmp_path: Path, what: str) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = duebot(tmp_path, "import", what, str(empty))
    assert result.returncode == 1
    assert "line 1: header: the file is empty" in result.stderr


def test_conflicts_with_the_database_are_listed_beside_bad_fields(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    assert duebot(tmp_path, "import", "loans", str(good)).returncode == 0
    # Line 2 moves L002 to another borrower (the database knows better); line 3 has a bad amount;
    # line 4's zone is wrong and its phone is no number in any country.
    book = tmp_path / "mixed.csv"
    book.write_text(
        HEADER
        + GOOD[1].replace("B002,Ana Ruiz", "B009,Ana Ruiz")
        + GOOD[0].replace("1200.00", "12.345")
        + GOOD[2].replace("+447400123456", "call me").replace("Europe/London", "Mars/Base"),
        encoding="utf-8",
    )
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 1
    assert "line 2: loan_id: loan L002 belongs to borrower B002" in result.stderr
    assert "line 3: amount_due:" in result.stderr
    assert "line 4: timezone:" in result.stderr and "line 4: phone:" in result.stderr
    payments = tmp_path / "payments.csv"
    payments.write_text("payment_id,loan_id,amount,paid_at\nP9,LXX,10.00,2026-12-09T12:00:00Z\nP8,L001,ten,x\n")
    paid = duebot(tmp_path, "import", "payments", str(payments))
    assert paid.returncode == 1
    assert "line 2: loan_id: unknown loan LXX" in paid.stderr and "line 3: amount:" in paid.stderr
    # Nothing of either file was applied.
    assert "nothing changed" in duebot(tmp_path, "import", "loans", str(good)).stdout


def test_import_refuses_a_bad_policy_file_like_every_command(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[reminders]\ndays_before_due = 'soon'\n")
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    env_result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "import", "loans", str(good)],
        cwd=tmp_path,
        env={
            **os.environ,
            "DUEBOT_DATABASE_URL": f"sqlite://{tmp_path / 'p.sqlite3'}",
            "DUEBOT_POLICY_FILE": str(policy),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert env_result.returncode == 3
    assert "reminders.days_before_due" in env_result.stderr


def test_rows_with_bad_fields_still_take_part_in_the_cross_row_rules(tmp_path: Path) -> None:
    book = tmp_path / "cross.csv"
    # Line 3 repeats line 2's installment and also has a bad amount: both are said.
    book.write_text(HEADER + GOOD[0] + GOOD[0].replace("1200.00", "12.345"), encoding="utf-8")
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 1
    assert "line 3: amount_due:" in result.stderr
    assert "line 3: installment_no: loan L001 installment 1 appears twice (first at line 2)" in result.stderr
