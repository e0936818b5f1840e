from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import connection
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import LogEntry, LogHead
from tests.conftest import SECRET

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def events(borrower: str | None, n: int) -> list[LogEvent]:
    return [
        LogEvent("message.sent", T0 + timedelta(minutes=i), borrower, data={"i": i, "text": "你好"}) for i in range(n)
    ]


async def test_chains_verify_and_each_borrower_on_its_own(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 3) + events("B2", 2) + events(None, 1))
    await log.append(LogEvent("note", T0, "B1", actor="staff:ann", data={"text": "called"}))
    result = await log.verify()
    assert (result.checked, result.first_break) == (7, None)
    one = await log.verify("B1")
    assert (one.checked, one.first_break) == (4, None)
    seqs = await LogEntry.filter(chain="borrower:B1").order_by("seq").values_list("seq", flat=True)
    assert seqs == [1, 2, 3, 4]


async def test_an_edited_byte_is_caught_and_named(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 4))
    target = await LogEntry.get(chain="borrower:B1", seq=3)
    await LogEntry.filter(id=target.id).update(data=target.data.replace('"i":2', '"i":3'))
    result = await log.verify()
    assert result.first_break is not None
    assert result.first_break.entry_id == target.id
    assert "seal" in result.first_break.problem


async def test_a_deleted_entry_breaks_the_chain(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 4))
    await LogEntry.filter(chain="borrower:B1", seq=2).delete()
    result = await log.verify()
    assert result.first_break is not None and result.first_break.seq == 3


async def test_resealing_without_the_key_is_caught(db: str) -> None:
    await InteractionLog(SECRET).append_many(events("B1", 2))
    forger = InteractionLog(b"not-the-key")
    result = await forger.verify()
    assert result.first_break is not None and result.first_break.seq == 1


async def test_concurrent_appends_keep_one_chain(db: str) -> None:
    log = InteractionLog(SECRET)
    await asyncio.gather(*(log.append(LogEvent("ping", T0, "B7", data={"n": n})) for n in range(20)))
    result = await log.verify("B7")
    assert (result.checked, result.first_break) == (20, None)


async def test_raw_update_of_the_time_is_caught(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 2))
    conn = connection()
    entry = await LogEntry.get(chain="borrower:B1", seq=1)
    entry.at = entry.at + timedelta(seconds=1)
    await entry.save(using_db=conn, update_fields=["at"])
    assert (await log.verify()).first_break is not None


async def test_entries_cut_off_the_end_of_a_chain_are_caught(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 4) + events("B2", 2))
    last_kept = await LogEntry.get(chain="borrower:B1", seq=3)
    await LogEntry.filter(chain="borrower:B1", seq=4).delete()
    result = await log.verify()
    assert result.first_break is not None
    assert (result.first_break.entry_id, result.first_break.seq) == (last_kept.id, 3)
    assert "head is at #4" in result.first_break.problem
    assert (await log.verify("B1")).first_break is not None
    assert (await log.verify("B2")).first_break is None  # the other borrower's record still stands


async def test_a_chain_removed_whole_is_caught(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 2) + events("B2", 2))
    await LogEntry.filter(chain="borrower:B2").delete()
    for result in (await log.verify(), await log.verify("B2")):
        assert result.first_break is not None and result.first_break.chain == "borrower:B2"
        assert "no entries" in result.first_break.problem


async def test_a_moved_head_or_a_removed_head_is_caught(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 3))
    second = await LogEntry.get(chain="borrower:B1", seq=2)
    await LogEntry.filter(chain="borrower:B1", seq=3).delete()
    # Someone without the key points the head at the new last entry: its seal gives it away.
    await LogHead.filter(chain="borrower:B1").update(seq=2, hash=second.hash)
    problem = (await log.verify()).first_break
    assert problem is not None and "seal" in problem.problem
    await LogHead.filter(chain="borrower:B1").delete()
    problem = (await log.verify()).first_break
    assert problem is not None and "no signed head" in problem.problem


async def test_an_append_after_a_cut_leaves_the_gap_visible(db: str) -> None:
    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 3))
    await LogEntry.filter(chain="borrower:B1", seq=3).delete()
    await log.append(LogEvent("note", T0, "B1"))  # goes on from the signed head, not the last entry
    assert await LogEntry.filter(chain="borrower:B1").order_by("seq").values_list("seq", flat=True) == [1, 2, 4]
    problem = (await log.verify()).first_break
    assert problem is not None and problem.seq == 4 and "gap" in problem.problem


async def test_every_entry_is_checked_across_page_boundaries(db: str) -> None:
    from storage.interaction_log import _stored_entries

    log = InteractionLog(SECRET)
    await log.append_many(events("B1", 3) + events("B2", 3))
    # A page of 4 ends inside B2's chain; one of 2 inside B1's: no entry may be skipped.
    seen = [(e.fields.chain, e.fields.seq) async for e in _stored_entries(None, batch=4)]
    assert seen == [("borrower:B1", 1), ("borrower:B1", 2), ("borrower:B1", 3),
                    ("borrower:B2", 1), ("borrower:B2", 2), ("borrower:B2", 3)]  # fmt: skip
    seen = [(e.fields.chain, e.fields.seq) async for e in _stored_entries(None, batch=2)]
    assert len(seen) == 6 and len(set(seen)) == 6


async def test_a_borrower_whose_chain_and_head_were_both_removed_is_caught(db: str) -> None:
    from storage.importer import import_loan_rows
    from storage.loanbook import parse_loans_csv
    from storage.models import Borrower

    log = InteractionLog(SECRET)
    header = (
        "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
        "loan_id,product,currency,installment_no,due_date,amount_due\n"
    )
    rows = parse_loans_csv(
        header
        + "B1,Ada,+12125550100,,en,America/New_York,sms,L1,card,USD,1,2026-12-10,10.00\n"
        + "B2,Bo,+12125550101,,en,America/New_York,sms,L2,card,USD,1,2026-12-10,10.00\n"
    ).rows
    await import_loan_rows(rows, now=T0, log=log)
    assert (await log.verify()).first_break is None
    await LogEntry.filter(chain="borrower:B2").delete()
    await LogHead.filter(chain="borrower:B2").delete()
    problem = (await log.verify()).first_break
    assert problem is not None and problem.chain == "borrower:B2" and "no interaction log" in problem.problem
    # Removing the borrower too does not hide it: the system chain recorded their creation.
    from storage.models import Installment, Loan

    await Installment.filter(loan__borrower__borrower_id="B2").delete()
    await Loan.filter(borrower__borrower_id="B2").delete()
    await Borrower.filter(borrower_id="B2").delete()
    problem = (await log.verify()).first_break
    assert problem is not None and problem.chain == "borrower:B2"
