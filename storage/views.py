"""Read models: plain dicts of what the API and console show, built from the database."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from storage.models import Borrower, ContactPause, Installment, Loan, Restriction
from storage.risk_rows import risk_of

RESTRICTION_KINDS = ("do_not_contact", "cease", "attorney", "bankruptcy", "deceased")


def _money(value: Decimal | str) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):.2f}"


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


_TAG: Final = re.compile(r"<[^>]*>")


def plain_text(body: str, channel: str | None) -> str:
    """What the borrower saw: Telegram bodies are sent as HTML, so their markup is taken off and
    their entities read back (a staff member's "<i>" stays what they typed)."""
    return html.unescape(_TAG.sub("", body)) if channel == "telegram" else body


def installment_status(state: str, due_date: date, today: date) -> str:
    """pending / overdue are read against the borrower's local date; the rest are stored."""
    if state in ("paid", "waived", "partially_paid"):
        return state
    return "overdue" if due_date < today else "pending"


async def active_restrictions(borrower: Borrower) -> list[Restriction]:
    return await Restriction.filter(borrower=borrower, lifted_at__isnull=True).order_by("created_at")


NOT_SCORED: Final[dict[str, Any]] = {"tier": None, "score": None, "reasons": [], "warnings": []}


async def risk_view(borrower_pk: int) -> dict[str, Any]:
    """The borrower's risk as the last daily review scored it (tier and score null: not yet scored)."""
    found = await risk_of(borrower_pk)
    if found is None:
        return dict(NOT_SCORED)
    return {k: found[k] for k in ("tier", "score", "reasons", "warnings")}


async def borrower_view(borrower_id: str, now: datetime) -> dict[str, Any] | None:
    borrower = await Borrower.get_or_none(borrower_id=borrower_id)
    if borrower is None:
        return None
    restrictions = await active_restrictions(borrower)
    today = local_today(now, borrower.timezone)
    pauses = await ContactPause.filter(borrower_id=borrower.id, cancelled_at__isnull=True, end_date__gte=today)
    return {
        "borrower_id": borrower.borrower_id,
        "full_name": borrower.full_name,
        "phone": borrower.phone,
        "locale": borrower.locale,
        "timezone": borrower.timezone,
        "preferred_channel": borrower.preferred_channel,
        "sms_opted_out": borrower.sms_opted_out,
        "telegram_linked": borrower.telegram_chat_id is not None,
        "telegram_opted_out": borrower.telegram_opted_out,
        # A linked chat that blocked the bot, a number the person there said is not theirs.
        "telegram_usable": borrower.telegram_chat_id is not None and borrower.telegram_usable,
        "phone_wrong": borrower.phone_wrong,
        "pauses": [
            {"reason": p.reason, "start": p.start_date.isoformat(), "end": p.end_date.isoformat()}
            for p in sorted(pauses, key=lambda p: p.start_date)
        ],
        "do_not_contact": bool(restrictions),
        "restrictions": [
            {
                "kind": r.kind,
                "note": r.note,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
            }
            for r in restrictions
        ],
        "risk": await risk_view(borrower.id),
    }


async def loan_view(loan_id: str, now: datetime) -> dict[str, Any] | None:
    loan = await Loan.get_or_none(loan_id=loan_id).prefetch_related("borrower")
    if loan is None:
        return None
    today = local_today(now, loan.borrower.timezone)
    installments = await Installment.filter(loan=loan).order_by("installment_no")
    return {
        "loan_id": loan.loan_id,
        "borrower_id": loan.borrower.borrower_id,
        "product": loan.product,
        "currency": loan.currency,
        "status": loan.status,
        "installments": [
            {
                "installment_no": i.installment_no,
                "due_date": i.due_date.isoformat(),
                "amount_due": _money(i.amount_due),
                "amount_paid": _money(i.amount_paid),
                "status": installment_status(i.state, i.due_date, today),
            }
            for i in installments
        ],
    }


async def borrower_by_id(borrower_id: str) -> Borrower | None:
    """The borrower with the lender's id ``borrower_id``, or None."""
    return await Borrower.get_or_none(borrower_id=borrower_id)
