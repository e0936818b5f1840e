"""The demo as a new user runs it (without leaving the server up)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_simulates_a_fortnight_and_prints_the_timeline(tmp_path: Path) -> None:
    began = datetime.now(UTC).date()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "demo",
            "--no-serve",
            "--port",
            str(free_port()),
            "--dir",
            str(tmp_path / "d"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Fortnight done" in out
    assert "Interaction log: OK" in out
    assert "sent on sms" in out and "sent on telegram" in out
    assert "skipped [restricted:cease]" in out  # B10's cease request is honoured
    assert "twilio:21610" in out  # B06's unsubscribed number
    assert "回复TD退订" not in out or "【Northwind Finance】" in out  # Chinese borrowers get Chinese text
    assert "【Northwind Finance】" in out
    # Borrowers' replies go through the real webhooks and are acted on; staff get cases.
    assert "replied on telegram: '我周五还'" in out and "understood as promise_to_pay" in out
    assert "skipped [paused:promise]" in out and "promises.broken: 1" in out
    assert "understood as opt_out" in out and "understood as help" in out
    assert "skipped [open_complaint]" in out and "skipped [paused:hardship]" in out
    cases = out.split("Cases for staff:")[1]
    for kind in ("overdue_30", "broken_promise", "wrong_number", "payment_check", "complaint", "hardship"):
        assert kind in cases, kind
    assert "<b>" not in out  # Telegram text is shown as the borrower saw it
    # The fortnight is the one that ends today (UTC), so the default report period covers it.
    # (A run across midnight UTC may take either day as today.)
    starts = {day - timedelta(days=14) for day in (began, datetime.now(UTC).date())}
    assert any(f"simulating the 14 days from {start:%d %b %Y} to today" in out for start in starts)
    # Every risk tier and every warning level among the demo's borrowers; a red warning's case.
    assert "early_warning" in cases
    with sqlite3.connect(tmp_path / "d" / "duebot.sqlite3") as db:
        rows = db.execute("SELECT tier, warnings FROM borrower_risk").fetchall()
    assert {tier for tier, _ in rows} == {"A", "B", "C"}
    levels = {w["level"] for _, warnings in rows for w in json.loads(warnings)}
    assert levels == {"yellow", "orange", "red"}
    assert "Risk tiers: A " in out and "broken_promises (red)" in out and "partial_payments (yellow)" in out
    # As a new user would next: the fortnight's figures, from the command the demo prints.
    assert f"DUEBOT_DATABASE_URL=sqlite://{tmp_path / 'd' / 'duebot.sqlite3'} duebot report" in out
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    (tmp_path / "empty.env").write_text("")
    env.update(
        DUEBOT_DATABASE_URL=f"sqlite://{tmp_path / 'd' / 'duebot.sqlite3'}", DUEBOT_ENV_FILE=str(tmp_path / "empty.env")
    )

    def report(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "report", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    table = report("--format", "table")
    assert table.returncode == 0, table.stderr
    lines = {line.split()[0]: line.split()[1:] for line in table.stdout.splitlines()[3:] if line.strip()}
    assert int(lines["messages_sent.sms"][0]) > 50 and int(lines["borrowers_reminded"][0]) > 20
    assert int(lines["promises_made"][0]) >= 1 and int(lines["complaints_received"][0]) >= 1
    by_tier = report("--by", "tier", "--format", "json")
    groups = {g["key"]["tier"]: g["indicators"] for g in json.loads(by_tier.stdout)["groups"]}
    assert set(groups) == {"A", "B", "C"}
    assert (
        sum(g["loans_outstanding"] for g in groups.values())
        == json.loads(by_tier.stdout)["overall"]["loans_outstanding"]
    )
