"""The demo's sample loan book: a few dozen borrowers in several time zones and both languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due"
)


@dataclass(frozen=True, slots=True)
class DemoBorrower:
    borrower_id: str
    name: str
    phone: str
    chat_id: int | None
    locale: str
    timezone: str
    channel: str
    currency: str
    due_in_days: int
    amount: str
    note: str = ""


# (name, locale, zone, phone prefix, currency)
PEOPLE = [
    ("李伟", "zh", "Asia/Shanghai", "+861380013800", "CNY"),
    ("王芳", "zh", "Asia/Shanghai", "+861390013900", "CNY"),
    ("张敏", "zh", "Asia/Shanghai", "+861370013700", "CNY"),
    ("陈静", "zh", "Asia/Shanghai", "+861360013600", "CNY"),
    ("Tom Hale", "en", "Europe/London", "+44740012340", "GBP"),
    ("Priya Shah", "en", "Europe/London", "+44740012350", "GBP"),
    ("Ada Stone", "en", "America/New_York", "+1212555010", "USD"),
    ("Marcus Bell", "en", "America/New_York", "+1212555020", "USD"),
    ("Ana Ruiz", "en", "America/Los_Angeles", "+1415555010", "USD"),
    ("Kenji Mori", "en", "America/Los_Angeles", "+1415555020", "USD"),
    ("Ravi Iyer", "en", "Asia/Kolkata", "+91981000000", "INR"),
    ("Chloe Martin", "en", "Australia/Sydney", "+6141200000", "AUD"),
]

NOTES = {
    "B03": "pays in full before her due date",
    "B05": "prefers Telegram, but has blocked the bot: SMS the same pass, then straight SMS",
    "B06": "Twilio reports the number unsubscribed (21610): never tried again",
    "B08": "two installments due the same day: one message lists both",
    "B10": "cease-contact restriction on file: nothing collection-related goes",
    "B12": "pays part of the amount: reminders quote what is still owed",
}


def demo_borrowers() -> list[DemoBorrower]:
    out: list[DemoBorrower] = []
    for n in range(36):
        name, locale, zone, prefix, currency = PEOPLE[n % len(PEOPLE)]
        bid = f"B{n + 1:02d}"
        suffix = str(n % 10)
        wants_telegram = n % 4 == 0 or bid == "B05"
        out.append(
            DemoBorrower(
                borrower_id=bid,
                name=name if n < len(PEOPLE) else f"{name} {n // len(PEOPLE) + 1}",
                phone=prefix + suffix,
                chat_id=700000000 + n if wants_telegram else None,
                locale=locale,
                timezone=zone,
                channel="telegram" if wants_telegram else "sms",
                currency=currency,
                due_in_days=2 + (n * 5) % 11,
                amount=f"{200 + (n * 137) % 1800}.{(n * 7) % 100:02d}",
                note=NOTES.get(bid, ""),
            )
        )
    return out


def loan_book_csv(start: date) -> str:
    lines = [HEADER]
    for b in demo_borrowers():
        due = start + timedelta(days=b.due_in_days)
        chat = str(b.chat_id) if b.chat_id is not None else ""
        lines.append(
            f"{b.borrower_id},{b.name},{b.phone},{chat},{b.locale},{b.timezone},{b.channel},"
            f"L{b.borrower_id[1:]},consumer,{b.currency},1,{due.isoformat()},{b.amount}"
        )
        if b.borrower_id == "B08":
            lines.append(
                f"{b.borrower_id},{b.name},{b.phone},{chat},{b.locale},{b.timezone},{b.channel},"
                f"L{b.borrower_id[1:]}B,card,{b.currency},1,{due.isoformat()},99.00"
            )
    return "\n".join(lines) + "\n"
