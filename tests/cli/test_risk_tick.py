"""``duebot tick --now`` runs the daily risk review with the pass's other follow-ups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_import_cli import HEADER, duebot


def test_tick_reviews_risk_once_per_servicing_day(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(
        HEADER
        + "B1,Li Wei,+8613800138000,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-08-01,1200.00\n"
        + "B2,Ana Ruiz,+14155550123,,en,America/Los_Angeles,sms,L2,auto,USD,1,2026-12-20,350.00\n",
        encoding="utf-8",
    )
    assert duebot(tmp_path, "import", "loans", str(book)).returncode == 0
    first = duebot(tmp_path, "tick", "--now", "2026-12-02T04:00:00Z")
    assert first.returncode == 0, first.stderr
    assert "follow-up risk.reviewed: 2" in first.stdout
    again = duebot(tmp_path, "tick", "--now", "2026-12-02T05:00:00Z")  # the same date in Shanghai
    assert "risk.reviewed" not in again.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        tiers = dict(
            db.execute("SELECT b.borrower_id, r.tier FROM borrower_risk r JOIN borrowers b ON b.id = r.borrower_id")
        )
    assert tiers == {"B1": "C", "B2": "A"}  # B1 is 123 days past due
