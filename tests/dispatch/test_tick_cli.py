"""``duebot tick`` and ``duebot log verify`` as real processes, against a Twilio stand-in.

Runs on SQLite, and on a throw-away PostgreSQL database when DUEBOT_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.standins import TwilioStandin
from tests.dispatch.processes import Cli
from tests.flows.conftest import HEADER

ROOT = Path(__file__).resolve().parents[2]
BOOK = (
    # 10:00 in New York at 15:00Z on 7 Dec: T-3 of L1 is due, but the daily cap lets one message go
    # and the nearer tier goes first: T-1 of L9, due tomorrow.
    "B1,Ada Stone,+12125550100,,en,America/New_York,sms,L1,auto,USD,1,2026-12-10,350.00\n"
    "B1,Ada Stone,+12125550100,,en,America/New_York,sms,L9,card,USD,1,2026-12-08,50.00\n"
    # 07:00 in Los Angeles: planned for 09:00 local, nothing to say yet.
    "B2,Ana Ruiz,+14155550123,,en,America/Los_Angeles,sms,L2,auto,USD,1,2026-12-10,99.99\n"
    # Represented by an attorney (restriction added below): skipped, never sent.
    "B3,Tom Hale,+12125550133,,en,America/New_York,sms,L3,card,USD,1,2026-12-10,80.50\n"
)
NOW = "2026-12-07T15:00:00Z"


async def loaded(cli: Cli) -> None:
    book = cli.cwd / "book.csv"
    book.write_text(HEADER + BOOK)
    code, _out, err = await cli.run("import", "loans", str(book))
    assert code == 0, err
    [(borrower_pk,)] = await cli.sql("SELECT id FROM borrowers WHERE borrower_id = ?", "B3")
    await cli.sql(
        "INSERT INTO restrictions (borrower_id, kind, note, created_at, created_by) "
        f"VALUES ({int(borrower_pk)}, 'attorney', '', '2026-11-30 00:00:00+00:00', 'test')"
    )


@pytest.mark.parametrize("bad", ["2026-12-07T15:00:00", "2026-12-07 15:00", "yesterday"])
async def test_now_without_an_offset_is_a_usage_error(cli: Cli, twilio: TwilioStandin, bad: str) -> None:
    code, out, err = await cli.run("tick", "--now", bad)
    assert code == 2
    assert "--now" in err and out == ""
    assert twilio.requests == []


async def test_dry_run_shows_what_would_go_and_what_is_held_back_and_changes_nothing(
    cli: Cli, twilio: TwilioStandin
) -> None:
    await loaded(cli)
    before = await cli.counts()
    code, out, err = await cli.run("tick", "--now", NOW, "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert "error" not in out and "Traceback" not in err, out + err  # one connection: one message at a time
    assert lines[0].startswith("DRY RUN at 2026-12-07T15:00:00+00:00")
    would = [line for line in lines if "would send" in line]
    assert len(would) == 1 and "B1" in would[0] and "sms" in would[0]
    assert any("B1" in line and "[cap_daily]" in line for line in lines), out
    assert any("B3" in line and "[restricted:attorney]" in line for line in lines), out
    assert not any("B2" in line for line in lines if "would" in line or "held" in line)
    # B2's reminder waits for 09:00 in Los Angeles (17:00Z): said, with when.
    assert any(line.split()[:2] == ["waiting", "B2"] and "until 2026-12-07T17:00:00+00:00" in line for line in lines)
    assert "would be sent:sms: 1" in out and "\n  sent:sms" not in out
    assert await cli.counts() == before
    assert twilio.requests == []
    # Twice in a row gives the same answer: the first left nothing behind (no watermark, no claim).
    again = await cli.run("tick", "--now", NOW, "--dry-run")
    assert again[0] == 0 and again[1] == out
    assert await cli.counts() == before


async def test_tick_sends_and_prints_counts_then_the_log_verifies(cli: Cli, twilio: TwilioStandin) -> None:
    await loaded(cli)
    code, out, err = await cli.run("tick", "--now", NOW)
    assert code == 0, err
    assert "pass at 2026-12-07T15:00:00+00:00" in out
    assert "planned 4 new message(s)" in out
    assert "1 message(s) waiting for their send window to open" in out  # B2, 07:00 in Los Angeles
    assert "sent:sms: 1" in out and "error" not in out
    assert "skipped:cap_daily: 1" in out and "skipped:restricted:attorney: 1" in out
    assert [r.form["To"] for r in twilio.creates()] == ["+12125550100"]
    [(status, sent_at)] = await cli.sql(
        "SELECT status, sent_at FROM messages WHERE provider_message_id IS NOT NULL"
    )  # fmt: skip
    assert status == "sent" and str(sent_at).startswith("2026-12-07 15:00:00")  # the logical clock

    # Two hours later in New York it is 12:00: nothing new; in Los Angeles the window is open.
    code, out, err = await cli.run("tick", "--now", "2026-12-07T17:00:00Z")
    assert code == 0 and "sent:sms: 1" in out, out
    assert [r.form["To"] for r in twilio.creates()] == ["+12125550100", "+14155550123"]

    code, out, err = await cli.run("log", "verify")
    assert code == 0, err
    assert "interaction log: OK" in out


async def test_log_verify_names_the_entry_changed_by_one_byte(cli: Cli) -> None:
    await loaded(cli)
    assert (await cli.run("tick", "--now", NOW))[0] == 0
    assert (await cli.run("log", "verify"))[0] == 0
    rows = await cli.sql("SELECT id, chain, seq, data FROM interaction_log WHERE kind = 'message.sent'")
    [(entry_id, chain, seq, data)] = rows
    assert "$50.00" in data and '"tier":"T-1"' in data
    await cli.sql(f"UPDATE interaction_log SET data = ? WHERE id = {int(entry_id)}", data.replace("50.00", "50.01"))
    code, _out, err = await cli.run("log", "verify")
    assert code == 1
    assert f"BROKEN at entry {entry_id} ({chain} #{seq})" in err, err
