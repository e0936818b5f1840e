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


# (three names, locale, zone, phone prefix, currency): borrower n takes slot n % 12, name n // 12.
PEOPLE = [
    (("李伟", "刘洋", "赵磊"), "zh", "Asia/Shanghai", "+861380013800", "CNY"),
    (("王芳", "杨静", "黄丽"), "zh", "Asia/Shanghai", "+861390013900", "CNY"),
    (("张敏", "周杰", "吴强"), "zh", "Asia/Shanghai", "+861370013700", "CNY"),
    (("陈静", "徐婷", "孙浩"), "zh", "Asia/Shanghai", "+861360013600", "CNY"),
    (("Tom Hale", "Ella Price", "Owen Hughes"), "en", "Europe/London", "+44740012340", "GBP"),
    (("Priya Shah", "Jack Turner", "Sophie Bennett"), "en", "Europe/London", "+44740012350", "GBP"),
    (("Ada Stone", "Leo Carter", "Maya Brooks"), "en", "America/New_York", "+1212555010", "USD"),
    (("Marcus Bell", "Nora Quinn", "Ethan Ross"), "en", "America/New_York", "+1212555020", "USD"),
    (("Ana Ruiz", "Diego Flores", "Lucia Vega"), "en", "America/Los_Angeles", "+1415555010", "USD"),
    (("Kenji Mori", "Grace Kim", "Sam Ortiz"), "en", "America/Los_Angeles", "+1415555020", "USD"),
    (("Ravi Iyer", "Anika Rao", "Vikram Nair"), "en", "Asia/Kolkata", "+91981000000", "INR"),
    (("Chloe Martin", "Liam Walsh", "Zoe Clarke"), "en", "Australia/Sydney", "+6141200000", "AUD"),
]

OLD_DEBT = "B23"
NOTES = {
    "B03": "pays in full before her due date",
    "B05": "prefers Telegram, but has blocked the bot: SMS the same pass, then straight SMS",
    "B06": "Twilio reports the number unsubscribed (21610): never tried again",
    "B08": "two installments due the same day: one message lists both",
    "B10": "cease-contact restriction on file: nothing collection-related goes",
    "B12": "pays part of the amount, twice: reminders quote what is still owed; a yellow early warning",
    OLD_DEBT: "an older installment is 30 days overdue: the D+30 follow-up and a collections case; "
    "promises to pay tomorrow three times and pays nothing: orange, then red, and an early-warning case",
}


@dataclass(frozen=True, slots=True)
class DemoReply:
    """A borrower's reply, sent through the real webhook at ``hour`` hours into the fortnight (UTC)."""

    hour: int
    borrower_id: str
    channel: str
    text: str
    note: str


# Local times in the comments; every reply lands inside the borrower's day.
REPLIES = (
    DemoReply(2 * 24 + 3, "B01", "telegram", "我周五还", "a promise for the coming Friday (11:00 Shanghai)"),
    DemoReply(2 * 24 + 14, "B08", "sms", "how much do I owe?", "a balance question (09:00 New York)"),
    DemoReply(4 * 24 + 2, "B02", "sms", "退订", "an opt-out: one confirmation, no more SMS (10:00 Shanghai)"),
    DemoReply(4 * 24 + 3, "B02", "sms", "帮助", "HELP is answered even after STOP (11:00 Shanghai)"),
    DemoReply(5 * 24 + 5, "B11", "sms", "wrong number, I don't know this person", "a wrong number (10:30 Kolkata)"),
    DemoReply(6 * 24 + 3, "B04", "sms", "我已经还了", "says it is paid: a case to check (11:00 Shanghai)"),
    DemoReply(
        6 * 24 + 18,
        "B09",
        "telegram",
        "Your agent called my mother about this. That is harassment, I want to file a complaint.",
        "a complaint: a reference at once, collection contact pauses (10:00 Los Angeles)",
    ),
    DemoReply(
        7 * 24 + 15,
        "B07",
        "sms",
        "I lost my job last month, can I get more time to pay?",
        "hardship: a case, reminders pause, an answer naming the options (10:00 New York)",
    ),
    # B23 promises three times to pay "tomorrow" and never does (10:30 Kolkata each time).
    *(
        DemoReply(day * 24 + 5, OLD_DEBT, "sms", "I will pay tomorrow", f"promise {n} of 3 (10:30 Kolkata)")
        for n, day in enumerate((2, 5, 8), start=1)
    ),
)


def demo_borrowers() -> list[DemoBorrower]:
    out: list[DemoBorrower] = []
    for n in range(36):
        names, locale, zone, prefix, currency = PEOPLE[n % len(PEOPLE)]
        bid = f"B{n + 1:02d}"
        suffix = str(n % 10)
        wants_telegram = n % 4 == 0 or bid == "B05"
        out.append(
            DemoBorrower(
                borrower_id=bid,
                name=names[n // len(PEOPLE)],
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
        if b.borrower_id == OLD_DEBT:
            # An installment 30 days overdue on the first day: the D+30 follow-up and a collections case.
            lines.append(
                f"{b.borrower_id},{b.name},{b.phone},{chat},{b.locale},{b.timezone},{b.channel},"
                f"L{b.borrower_id[1:]}A,consumer,{b.currency},1,{(start - timedelta(days=30)).isoformat()},450.00"
            )
        if b.borrower_id == "B08":
            lines.append(
                f"{b.borrower_id},{b.name},{b.phone},{chat},{b.locale},{b.timezone},{b.channel},"
                f"L{b.borrower_id[1:]}B,card,{b.currency},1,{due.isoformat()},99.00"
            )
    return "\n".join(lines) + "\n"
