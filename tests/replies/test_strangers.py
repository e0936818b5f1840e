"""Senders we cannot name get public answers only: nothing about any debt, ever."""

from __future__ import annotations

from storage.models import Case, Message
from tests.replies.conftest import CONTACT, PHONES, ReplyWorld

STRANGER = "+13105550199"
SHARED = "+12125550100"  # B5 and B6
SECRETS = ("Lee", "60.00", "75.00", "L5", "L6", "$", "owe", "due")


def discloses(text: str) -> bool:
    return any(secret in text for secret in SECRETS)


async def test_an_unknown_number_gets_one_neutral_answer_a_day_and_is_logged(world: ReplyWorld) -> None:
    await world.sms(STRANGER, "how much do I owe?")
    await world.sms(STRANGER, "hello??")
    [answer] = world.sms_to(STRANGER)
    assert "could not match your message to an account" in answer and CONTACT in answer
    assert not discloses(answer)
    inbound = await Message.filter(direction="in").order_by("id")
    assert [(m.borrower_id, m.status) for m in inbound] == [(None, "handled"), (None, "handled")]
    kinds = await world.log_kinds(None)
    assert kinds.count("inbound.unknown_sender") == 2 and kinds.count("message.sent") == 1
    world.clock.advance(days=1)
    await world.sms(STRANGER, "hello again")
    assert len(world.sms_to(STRANGER)) == 2


async def test_the_neutral_answer_is_in_the_senders_language(world: ReplyWorld) -> None:
    await world.sms(STRANGER, "我还欠多少钱")
    [answer] = world.sms_to(STRANGER)
    assert "无法将您的消息与任何账户对应" in answer


async def test_help_and_stop_from_an_unknown_number_are_answered(world: ReplyWorld) -> None:
    await world.sms(STRANGER, "HELP")
    await world.sms(STRANGER, "STOP")
    help_text, stop_text = world.sms_to(STRANGER)
    assert "Reply STOP to opt out" in help_text
    assert "unsubscribed" in stop_text


async def test_a_shared_phone_gets_the_neutral_answer_and_staff_get_one_unclear_case(world: ReplyWorld) -> None:
    await world.sms(SHARED, "how much do I owe?")
    await world.sms(SHARED, "I'll pay on Friday")
    [answer] = world.sms_to(SHARED)
    assert not discloses(answer)
    [case] = await Case.all()
    assert (case.kind, case.borrower_id, case.status) == ("unclear", None, "open")
    assert "B5" in case.summary and "B6" in case.summary
    assert world.notified.calls == [("unclear", "collections", True)]
    assert (await world.log_kinds(None)).count("case.event") == 1  # the second message joins the case
    assert await world.cases("B5") == [] and await world.cases("B6") == []


async def test_stop_from_a_shared_phone_opts_the_number_out_for_everyone_on_it(world: ReplyWorld) -> None:
    await world.sms(SHARED, "STOP")
    assert (await world.borrower("B5")).sms_opted_out and (await world.borrower("B6")).sms_opted_out
    [confirmation] = world.sms_to(SHARED)
    assert "unsubscribed" in confirmation


async def test_after_wrong_number_the_new_owner_of_the_number_is_a_stranger(world: ReplyWorld) -> None:
    await world.sms(PHONES["B2"], "wrong number")
    await world.sms(PHONES["B2"], "how much does Tom owe?")
    ack, neutral = world.sms_to(PHONES["B2"])
    assert "wrong number" in ack
    assert "could not match" in neutral and "80.50" not in neutral
    second = await Message.filter(direction="in").order_by("-id").first()
    assert second is not None and second.borrower_id is None


async def test_an_unknown_number_that_said_stop_hears_nothing_but_help_and_start(world: ReplyWorld) -> None:
    await world.sms(STRANGER, "STOP")
    [confirmation] = world.sms_to(STRANGER)
    world.clock.advance(days=1)  # a new day: the neutral answer's once-a-day rule is not what holds it back
    await world.sms(STRANGER, "what's my balance")
    await world.sms(STRANGER, "STOP")
    assert world.sms_to(STRANGER) == [confirmation]
    await world.sms(STRANGER, "HELP")
    assert len(world.sms_to(STRANGER)) == 2 and CONTACT in world.sms_to(STRANGER)[-1]
    await world.sms(STRANGER, "START")
    assert "subscribed again" in world.sms_to(STRANGER)[-1]
    await world.sms(STRANGER, "hello?")
    assert "could not match" in world.sms_to(STRANGER)[-1]  # answered again after START
    assert "address.opted_out" in await world.log_kinds(None) and "address.opted_in" in await world.log_kinds(None)
