"""``duebot report`` from the command line: the three formats agree, bad input is one line and exit 2."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.database import close_database, open_database
from tests.reports.test_report_figures import EXPECTED, build_book

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite://{folder / 'duebot.sqlite3'}"

    async def build() -> None:
        await open_database(url)
        try:
            await build_book()
        finally:
            await close_database()

    asyncio.run(build())
    (folder / "empty.env").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    env.update(DUEBOT_DATABASE_URL=url, DUEBOT_SECRET_KEY="s" * 40, DUEBOT_ENV_FILE=str(folder / "empty.env"))
    return env


def report(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "report", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_json_is_the_report(book_env: dict[str, str]) -> None:
    result = report(book_env, "--since", "2026-11-01", "--until", "2026-11-30", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"since": "2026-11-01", "until": "2026-11-30", "overall": EXPECTED}


def test_by_tier_groups_and_every_week_makes_a_series(book_env: dict[str, str]) -> None:
    args = ("--since", "2026-11-01", "--until", "2026-11-30", "--by", "tier", "--every", "week", "--format", "json")
    result = report(book_env, *args)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [g["key"] for g in data["groups"]] == [{"tier": "B"}, {"tier": "C"}]
    assert len(data["series"]) == 6 and data["overall"] == EXPECTED


def test_csv_has_a_row_per_group_with_flattened_columns(book_env: dict[str, str]) -> None:
    result = report(book_env, "--since", "2026-11-01", "--until", "2026-11-30", "--by", "tier", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["tier"] for r in rows] == ["B", "C"]
    high = rows[1]
    assert high["buckets.31-60"] == "1" and high["overdue_amount.USD"] == "200.00"
    assert high["roll_rates.1-30.31-60"] == "1" and high["promise_kept_rate"] == "0.0"
    assert rows[0]["recovery_rate.CNY"] == ""  # null: nothing was overdue in CNY at the start


def test_table_names_every_indicator(book_env: dict[str, str]) -> None:
    result = report(book_env, "--since", "2026-11-01", "--until", "2026-11-30")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:] if line.strip()}
    assert lines["loans_outstanding"] == ["4"]
    assert lines["overdue_rate"] == ["50.0%"]
    assert lines["outstanding_amount.CNY"] == ["700.00"]
    assert lines["recovery_rate.CNY"] == ["-"]


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("--since", "2026-12-01", "--until", "2026-11-01"), "--since 2026-12-01 is after --until 2026-11-01"),
        (("--by", "region"), "unknown --by 'region'"),
        (("--every", "year"), "unknown --every 'year'"),
        (("--since", "2026-13-01"), "--since '2026-13-01' is not a date"),
        (("--until", "yesterday"), "--until 'yesterday' is not a date"),
        (("--format", "xml"), "unknown --format 'xml'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(book_env: dict[str, str], args: tuple[str, ...], why: str) -> None:
    result = report(book_env, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and why in result.stderr
