"""Every shipped template renders, says what it must, and stays inside its SMS budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from scheduler.money import format_date, format_money
from scheduler.rendering import (
    CHANNELS,
    INVITING_STAGES,
    LOCALES,
    OPT_OUT_CONFIRMATIONS,
    OPT_OUT_LINES,
    PUBLIC_KINDS,
    REMINDER_STAGES,
    REPLY_KINDS,
    InstallmentRow,
    MessageRenderer,
    RenderError,
    balance_context,
    reminder_context,
    telegram_html_problem,
)
from scheduler.segments import is_gsm7

LENDER = "Northwind Consumer Finance"
CONTACT = "+1 (800) 555-0199"
BORROWER = {"en": "Alexandra Montgomery-Whitfield", "zh": "欧阳明月"}
CURRENCY = {"en": "USD", "zh": "CNY"}
DPD = {"before_due": -3, "due_today": 0, "overdue_early": 7, "overdue_middle": 45, "overdue_late": 120}
DUE = date(2026, 12, 31)
ROWS: list[InstallmentRow] = [
    ("L-2026-000123", 3, DUE, Decimal("12345.67")),
    ("CAR-88", 12, DUE, Decimal("350.05")),
    ("L-2026-000123", 4, date(2027, 1, 31), Decimal("1200.00")),
]


@pytest.fixture(scope="module")
def renderer() -> MessageRenderer:
    return MessageRenderer()


def shown(value: str, channel: str) -> str:
    """How a value appears in the rendered text: HTML-escaped in Telegram, as is in SMS."""
    return str(escape(value)) if channel == "telegram" else value


def reminder(locale: str, currency: str, stage: str, count: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "lender_name": LENDER,
        "lender_contact": CONTACT,
        "borrower_name": BORROWER[locale],
        "locale": locale,
        "currency": currency,
        "items": ROWS[:count],
        "days_past_due": DPD.get(stage, 0),
        "telegram_link": None,
    }
    values.update(overrides)
    return reminder_context(**values)


def reply(kind: str, locale: str, currency: str, **overrides: Any) -> dict[str, Any]:
    context = balance_context(
        lender_name=LENDER,
        lender_contact=CONTACT,
        borrower_name=BORROWER[locale],
        locale=locale,
        currency=currency,
        items=ROWS,
    )
    context.update(
        promise_date=format_date(date(2027, 1, 10), locale),
        amount=format_money(Decimal("500.00"), currency, locale),
        latest_date=format_date(date(2027, 1, 14), locale),
        reference="C-20261231-0042",
        first_response_due=format_date(date(2027, 1, 4), locale),
        text="We have received your payment, thank you.",
        pause_days=5,
    )
    context.update(overrides)
    return context


def test_template_files_are_complete() -> None:
    folder = Path(str(files("templates").joinpath("messages")))
    names = {p.name for p in folder.glob("*.j2") if not p.name.startswith("_")}
    expected = {
        f"{kind}.{channel}.{locale}.j2"
        for kind in (*REMINDER_STAGES, *REPLY_KINDS)
        for channel in CHANNELS
        for locale in LOCALES
    }
    assert names == expected
    assert len([n for n in names if n.split(".")[0] in REMINDER_STAGES]) == 20


def test_shipped_templates_pass_the_startup_check(renderer: MessageRenderer) -> None:
    renderer.check_templates(REMINDER_STAGES)


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("currency", ["USD", "CNY"])
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("stage", REMINDER_STAGES)
def test_reminder_states_lender_amount_and_due_date(
    renderer: MessageRenderer, stage: str, channel: str, locale: str, currency: str, count: int
) -> None:
    context = reminder(locale, currency, stage, count)
    message = renderer.render(stage, channel, locale, context)
    text = message.text
    assert shown(LENDER, channel) in text
    assert context["total"] in text
    assert context["due_date"] in text
    if count > 1:  # every installment is listed with its own amount and loan
        for item in context["items"]:
            assert item["amount"] in text
            assert item["loan_id"] in text
        assert format_date(date(2027, 1, 31), locale) in text  # the odd date is shown
    if channel == "sms":
        assert text.endswith(OPT_OUT_LINES[locale])
        assert message.segments is not None
        assert "<b>" not in text
    else:
        assert message.segments is None
        assert telegram_html_problem(text) is None
        assert "<b>" in text
    assert "None" not in text
    assert "\n\n\n" not in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("kind", REPLY_KINDS)
def test_reply_renders(renderer: MessageRenderer, kind: str, channel: str, locale: str) -> None:
    context = reply(kind, locale, CURRENCY[locale])
    text = renderer.render(kind, channel, locale, context).text
    assert text
    assert "None" not in text
    opt_out = OPT_OUT_LINES[locale]
    if channel == "sms":
        assert shown(LENDER, channel) in text  # an SMS says who it is from
        if kind in OPT_OUT_CONFIRMATIONS:  # the last message: how to come back, not how to stop
            assert opt_out not in text
            assert ("START" if locale == "en" else '"订阅"') in text
        else:
            assert text.endswith(opt_out) or (kind == "help" and opt_out in text)
    else:
        assert telegram_html_problem(text) is None
    if kind == "help":
        assert CONTACT in text
        assert shown(LENDER, channel) in text
    if kind in PUBLIC_KINDS:  # nothing about the borrower or the debt
        assert BORROWER[locale] not in text
        assert context["total"] not in text
        assert "L-2026-000123" not in text


@pytest.mark.parametrize(
    ("kind", "expect"),
    [
        ("promise_confirmed", ["promise_date", "amount"]),
        ("promise_ask_date", ["latest_date"]),
        ("promise_beyond_horizon", ["latest_date"]),
        ("complaint_ack", ["reference", "first_response_due"]),
        ("dispute_ack", ["reference"]),
        ("balance", ["total", "next_due_date"]),
        ("staff_reply", ["text"]),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_reply_values_shown(renderer: MessageRenderer, kind: str, expect: list[str], channel: str, locale: str) -> None:
    context = reply(kind, locale, CURRENCY[locale])
    text = renderer.render(kind, channel, locale, context).text
    for key in expect:
        assert context[key] in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_optional_reply_values_may_be_none(renderer: MessageRenderer, channel: str, locale: str) -> None:
    context = reply("promise_confirmed", locale, "USD", amount=None)
    assert context["promise_date"] in renderer.render("promise_confirmed", channel, locale, context).text
    context = reply("dispute_ack", locale, "USD", reference=None)
    assert "C-2026" not in renderer.render("dispute_ack", channel, locale, context).text


@pytest.mark.parametrize("channel", CHANNELS)
def test_hardship_names_the_options(renderer: MessageRenderer, channel: str) -> None:
    text = renderer.render("hardship_ack", channel, "en", reply("hardship_ack", "en", "USD")).text
    assert "extension" in text and "installment plan" in text and "team" in text
    text = renderer.render("hardship_ack", channel, "zh", reply("hardship_ack", "zh", "CNY")).text
    assert "延期还款" in text and "分期还款" in text and "工作人员" in text


@pytest.mark.parametrize("channel", CHANNELS)
def test_neutral_unknown_sender_wording(renderer: MessageRenderer, channel: str) -> None:
    text = renderer.render("neutral_unknown_sender", channel, "en", reply("x", "en", "USD")).text
    assert text.startswith(
        f"This is {LENDER}. We could not match your message to an account; please contact {CONTACT}."
    )


@pytest.mark.parametrize("kind", sorted(PUBLIC_KINDS))
def test_public_answers_never_see_borrower_data(renderer: MessageRenderer, kind: str) -> None:
    # Even a caller that passes everything it knows cannot make these disclose anything.
    for channel in CHANNELS:
        for locale in LOCALES:
            text = renderer.render(kind, channel, locale, reply(kind, locale, "USD")).text
            assert BORROWER[locale] not in text
            assert "12,345.67" not in text


def test_late_stage_is_not_threatening(renderer: MessageRenderer) -> None:
    for channel in CHANNELS:
        text = renderer.render("overdue_late", channel, "en", reminder("en", "USD", "overdue_late", 1)).text
        assert "may be referred for further action" in text
        for word in ("legal", "court", "sue", "arrest", "police", "immediately", "final warning"):
            assert word not in text.lower()


# --- escaping ---------------------------------------------------------------------------------

NASTY = "<b>Tom & Jerry</b>"


@pytest.mark.parametrize("kind", [*REMINDER_STAGES, "balance", "staff_reply"])
@pytest.mark.parametrize("locale", LOCALES)
def test_telegram_escapes_values(renderer: MessageRenderer, kind: str, locale: str) -> None:
    context = reminder(locale, "USD", kind, 3, borrower_name=NASTY, lender_name="Smith & Sons <Loans>")
    context.update(reply("balance", locale, "USD", text=NASTY, borrower_name=NASTY, lender_name="Smith & Sons <Loans>"))
    text = renderer.render(kind, "telegram", locale, context).text
    assert NASTY not in text
    assert "Smith & Sons" not in text
    assert "Smith &amp; Sons &lt;Loans&gt;" in text
    if kind != "balance":
        assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in text
    assert telegram_html_problem(text) is None


@pytest.mark.parametrize("locale", LOCALES)
def test_sms_is_not_escaped(renderer: MessageRenderer, locale: str) -> None:
    context = reminder(locale, "USD", "due_today", 1, borrower_name=NASTY)
    assert NASTY in renderer.render("due_today", "sms", locale, context).text


def test_telegram_html_problem() -> None:
    assert telegram_html_problem("<b>a</b> &amp; &lt; &#39; &#x27;") is None
    assert telegram_html_problem("a & b") is not None
    assert telegram_html_problem("a < b") is not None
    assert telegram_html_problem("a > b") is not None
    assert telegram_html_problem("<b>a") is not None
    assert telegram_html_problem("a</b>") is not None
    assert telegram_html_problem("<x>a</x>") is not None
    assert telegram_html_problem("&nbsp;") is not None  # Telegram knows only lt, gt, amp, quot


# --- SMS length -------------------------------------------------------------------------------


@pytest.mark.parametrize("link", [None, "t.me/northwind_finance_bot?start=ABCDEFGHJK"])
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("stage", REMINDER_STAGES)
def test_reminder_sms_worst_case_within_two_segments(
    renderer: MessageRenderer, stage: str, locale: str, link: str | None, record_property: Any
) -> None:
    # A long lender name, a long borrower name, one installment of 12,345.67, a two-digit day,
    # and the largest days-past-due count the stage can plausibly show.
    dpd = {"overdue_early": 30, "overdue_middle": 90, "overdue_late": 999}.get(stage, DPD[stage])
    if stage == "before_due":
        dpd = -1  # "tomorrow, ..." is the longer wording
    context = reminder(locale, CURRENCY[locale], stage, 1, days_past_due=dpd, telegram_link=link)
    rendered = renderer.render(stage, "sms", locale, context)
    # The invitation to Telegram, in the stages that carry one (the later ones have no room).
    if link is not None:
        assert (link in rendered.text) == (stage in INVITING_STAGES)
    segments = rendered.segments
    assert segments is not None
    record_property("segments", f"{segments.encoding} {segments.units} units {segments.segments} segments")
    print(f"{stage}.sms.{locale}: {segments}")
    assert segments.segments <= 2
    assert segments.encoding == ("GSM-7" if locale == "en" else "UCS-2")


@pytest.mark.parametrize("kind", [*REMINDER_STAGES, *REPLY_KINDS])
def test_english_sms_stays_gsm7(renderer: MessageRenderer, kind: str) -> None:
    # One curly quote or dash in a template would halve every English SMS's capacity.
    context = reminder("en", "USD", kind, 3)
    context.update(reply(kind, "en", "USD"))
    if kind in REMINDER_STAGES:
        context.update(reminder("en", "USD", kind, 3))
    text = renderer.render(kind, "sms", "en", context).text
    assert is_gsm7(text), [ch for ch in text if not is_gsm7(ch)]


# --- wording details --------------------------------------------------------------------------


def test_before_due_says_tomorrow_or_date(renderer: MessageRenderer) -> None:
    tomorrow = renderer.render("before_due", "sms", "en", reminder("en", "USD", "before_due", 1, days_past_due=-1))
    later = renderer.render("before_due", "sms", "en", reminder("en", "USD", "before_due", 1, days_past_due=-3))
    assert "due tomorrow, Thu, 31 Dec 2026" in tomorrow.text
    assert "due on Thu, 31 Dec 2026" in later.text
    zh = renderer.render("before_due", "sms", "zh", reminder("zh", "CNY", "before_due", 1, days_past_due=-1))
    assert "明天（2026年12月31日）" in zh.text


def test_days_overdue_singular(renderer: MessageRenderer) -> None:
    text = renderer.render(
        "overdue_early", "sms", "en", reminder("en", "USD", "overdue_early", 1, days_past_due=1)
    ).text
    assert "1 day overdue" in text
    text = renderer.render(
        "overdue_early", "sms", "en", reminder("en", "USD", "overdue_early", 1, days_past_due=3)
    ).text
    assert "3 days overdue" in text


def test_blank_lines_collapsed(renderer: MessageRenderer) -> None:
    context = reply("staff_reply", "en", "USD", text="  First.\n\n\n\n\nSecond.   \n\n")
    text = renderer.render("staff_reply", "telegram", "en", context).text
    assert text.startswith("First.\n\nSecond.\n\n")
    assert text == text.strip()


# --- context helpers --------------------------------------------------------------------------


def test_reminder_context() -> None:
    rows = [ROWS[2], ROWS[1], ROWS[0]]
    context = reminder_context(
        lender_name=LENDER,
        lender_contact=CONTACT,
        borrower_name="Ana",
        locale="en",
        currency="USD",
        items=rows,
        days_past_due=-3,
        telegram_link="abc",
    )
    assert [(i["loan_id"], i["installment_no"]) for i in context["items"]] == [
        ("CAR-88", 12),
        ("L-2026-000123", 3),
        ("L-2026-000123", 4),
    ]
    assert context["items"][0] == {
        "loan_id": "CAR-88",
        "installment_no": 12,
        "due_date": "Thu, 31 Dec 2026",
        "amount": "$350.05",
    }
    assert context["total"] == "$13,895.72"
    assert context["due_date"] == "Thu, 31 Dec 2026"
    assert (context["days_to_due"], context["days_past_due"]) == (3, 0)
    assert context["telegram_link"] == "abc"
    late = reminder("zh", "CNY", "overdue_late", 1, days_past_due=120)
    assert (late["days_to_due"], late["days_past_due"]) == (0, 120)
    assert late["total"] == "¥12,345.67"
    assert late["due_date"] == "2026年12月31日"


def test_reminder_context_needs_items() -> None:
    with pytest.raises(ValueError, match="at least one"):
        reminder("en", "USD", "due_today", 0)


@pytest.mark.parametrize(
    ("kind", "channel", "locale"),
    [
        ("due_today", "email", "en"),
        ("due_today", "sms", "fr"),
        ("../etc/passwd", "sms", "en"),
        ("no_such", "sms", "en"),
    ],
)
def test_render_refuses_unknown(renderer: MessageRenderer, kind: str, channel: str, locale: str) -> None:
    with pytest.raises(RenderError):
        renderer.render(kind, channel, locale, reminder("en", "USD", "due_today", 1))


def test_missing_variable_at_render(renderer: MessageRenderer) -> None:
    context = reminder("en", "USD", "due_today", 1)
    del context["borrower_name"]
    with pytest.raises(RenderError, match=r"due_today\.sms\.en\.j2: undefined variable"):
        renderer.render("due_today", "sms", "en", context)


def test_rendered_message_names_its_template(renderer: MessageRenderer) -> None:
    message = renderer.render("due_today", "telegram", "zh", reminder("zh", "CNY", "due_today", 1))
    assert message.template == "due_today.telegram.zh.j2"
