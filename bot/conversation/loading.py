"""Facts for a decision, read from the database (read-only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from tortoise.functions import Sum

from bot.conversation.facts import (
    Account,
    Ambiguous,
    BorrowerFacts,
    CodeFacts,
    Context,
    LoanFocus,
    Matched,
    Owed,
    Sender,
    Unknown,
)
from storage.inbound import borrowers_by_chat, borrowers_by_phone
from storage.linking import look_up_code
from storage.models import (
    AddressOptOut,
    Borrower,
    ConversationContext,
    Installment,
    Loan,
    Message,
    MessageItem,
    Payment,
)
from storage.servicing import UNPAID_STATES

# "I already paid" matches a payment made within this many days before the reply.
ALREADY_PAID_WINDOW: Final = timedelta(days=7)


def borrower_facts(b: Borrower) -> BorrowerFacts:
    return BorrowerFacts(
        pk=b.id,
        borrower_id=b.borrower_id,
        full_name=b.full_name,
        locale=b.locale,
        timezone=b.timezone,
        phone=b.phone,
        telegram_chat_id=b.telegram_chat_id,
        sms_opted_out=b.sms_opted_out,
        telegram_opted_out=b.telegram_opted_out,
        telegram_usable=b.telegram_usable,
        phone_wrong=b.phone_wrong,
    )


async def paid_total(loan_pk: int) -> Decimal:
    row = await Payment.filter(loan_id=loan_pk).annotate(total=Sum("amount")).first().values_list("total", flat=True)
    return Decimal(row) if row is not None else Decimal(0)


async def _last_reminded_loan(borrower_pk: int) -> int | None:
    message_ids = (
        await Message.filter(borrower_id=borrower_pk, direction="out", tier__isnull=False)
        .order_by("-created_at", "-id")
        .limit(5)
        .values_list("id", flat=True)
    )
    for message_id in message_ids:
        installment = await MessageItem.filter(message_id=message_id).first().values_list("installment_id", flat=True)
        if installment is not None:
            loan = await Installment.filter(id=installment).first().values_list("loan_id", flat=True)
            if loan is not None:
                return int(loan)  # type: ignore[call-overload]
    return None


async def load_account(borrower_pk: int, now: datetime) -> Account:
    rows = (
        await Installment.filter(loan__borrower_id=borrower_pk, loan__status="active", state__in=UNPAID_STATES)
        .order_by("due_date", "loan__loan_id", "installment_no")
        .values_list("loan_id", "loan__loan_id", "installment_no", "due_date", "amount_due", "amount_paid",
                     "loan__currency")
    )  # fmt: skip
    owed = tuple(
        Owed(int(r[0]), r[1], r[2], r[3], Decimal(r[4]) - Decimal(r[5]), r[6])
        for r in rows
        if Decimal(r[4]) - Decimal(r[5]) > 0
    )
    focus: LoanFocus | None = None
    reminded = await _last_reminded_loan(borrower_pk)
    loan_pk = reminded if reminded is not None and any(o.loan_pk == reminded for o in owed) else None
    if loan_pk is None and owed:
        loan_pk = owed[0].loan_pk
    if loan_pk is not None:
        loan = await Loan.get(id=loan_pk)
        focus = LoanFocus(loan.id, loan.loan_id, loan.currency, await paid_total(loan.id))
    recent = await Payment.filter(loan__borrower_id=borrower_pk, paid_at__gte=now - ALREADY_PAID_WINDOW).exists()
    return Account(owed=owed, focus=focus, recent_payment=recent)


async def load_context(borrower_pk: int) -> Context | None:
    row = await ConversationContext.get_or_none(borrower_id=borrower_pk)
    if row is None or row.awaiting not in ("promise_date", "clarification"):
        return None
    amount = row.data.get("amount") if isinstance(row.data, dict) else None
    return Context(
        awaiting=row.awaiting,  # type: ignore[arg-type]
        channel="telegram" if row.channel == "telegram" else "sms",
        expires_at=row.expires_at,
        amount=Decimal(str(amount)) if amount is not None else None,
    )


async def sender_from(borrowers: list[Borrower], now: datetime, channel: str, address: str) -> Sender:
    if not borrowers:
        return Unknown(await AddressOptOut.filter(channel=channel, address=address).exists())
    if len(borrowers) > 1:
        return Ambiguous(tuple(borrower_facts(b) for b in borrowers))
    borrower = borrowers[0]
    return Matched(borrower_facts(borrower), await load_account(borrower.id, now), await load_context(borrower.id))


async def identify_phone(phone: str, now: datetime) -> Sender:
    return await sender_from(await borrowers_by_phone(phone), now, "sms", phone)


async def identify_chat(chat_id: int, now: datetime) -> Sender:
    return await sender_from(await borrowers_by_chat(chat_id), now, "telegram", str(chat_id))


async def load_code(text: str, now: datetime) -> CodeFacts | None:
    found = await look_up_code(text, now)
    if found is None:
        return None
    borrower = await Borrower.get(id=found.borrower_pk)
    return CodeFacts(found.code_id, borrower_facts(borrower), found.usable, found.reason)


async def owners_of_phone(phone: str | None) -> list[BorrowerFacts]:
    if not phone:
        return []
    return [borrower_facts(b) for b in await borrowers_by_phone(phone)]
