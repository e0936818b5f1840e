"""Matching Telegram chats to borrowers: /start codes, the contact button, blocking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from storage.linking import issue_link_code
from storage.models import Case, LinkCode
from tests.replies.conftest import CHATS, CONTACT, ReplyWorld

NEW_CHAT = 424242


def contact_update(world: ReplyWorld, chat_id: int, phone: str, user_id: int | None) -> dict[str, Any]:
    contact: dict[str, Any] = {"phone_number": phone, "first_name": "Li"}
    if user_id is not None:
        contact["user_id"] = user_id
    return world.message_update(chat_id, contact=contact)


async def test_a_start_code_links_the_chat_once(world: ReplyWorld) -> None:
    b1 = await world.borrower("B1")
    code = await issue_link_code(b1, world.clock(), log=world.services.log, issued_by="sms")
    await world.tg(NEW_CHAT, f"/start {code.code}")
    b1 = await world.borrower("B1")
    assert b1.telegram_chat_id == NEW_CHAT and b1.telegram_usable
    [welcome] = world.telegram_to(NEW_CHAT)
    assert "Northwind Finance" in welcome and CONTACT in welcome and "退订" in welcome  # B1 reads Chinese
    assert "1,200" not in welcome  # the welcome names no debt, whoever holds the code
    assert (await LinkCode.get(id=code.id)).used_chat_id == NEW_CHAT
    assert "telegram.linked" in await world.log_kinds("B1")
    # Now the chat is B1's: a question there is answered from B1's account.
    await world.tg(NEW_CHAT, "我还欠多少钱")
    assert "¥1,200.00" in world.telegram_to(NEW_CHAT)[-1]
    # The same code from another chat links nobody and discloses nothing.
    await world.tg(NEW_CHAT + 1, f"/start {code.code}")
    [answer] = world.telegram_to(NEW_CHAT + 1)
    assert "could not match" in answer
    assert (await world.borrower("B1")).telegram_chat_id == NEW_CHAT
    assert "telegram.link_refused" in await world.log_kinds(None)


async def test_an_expired_or_unknown_code_links_nobody(world: ReplyWorld) -> None:
    b2 = await world.borrower("B2")
    code = await issue_link_code(b2, world.clock(), log=world.services.log, ttl=timedelta(hours=1))
    world.clock.advance(hours=2)
    await world.tg(NEW_CHAT, f"/start {code.code}")
    await world.tg(NEW_CHAT + 1, "/start NOSUCHCODE")
    await world.tg(NEW_CHAT + 2, "/start")
    assert (await world.borrower("B2")).telegram_chat_id is None
    for chat in (NEW_CHAT, NEW_CHAT + 1, NEW_CHAT + 2):
        [answer] = world.telegram_to(chat)
        assert "could not match your message to an account" in answer
    assert (await LinkCode.get(id=code.id)).used_at is None


async def test_start_in_a_linked_chat_gets_the_welcome(world: ReplyWorld) -> None:
    await world.tg(CHATS["B3"], "/start")
    [welcome] = world.telegram_to(CHATS["B3"])
    assert "send STOP" in welcome


async def test_a_code_moves_a_chat_from_the_borrower_it_was_linked_to(world: ReplyWorld) -> None:
    b2 = await world.borrower("B2")
    code = await issue_link_code(b2, world.clock(), log=world.services.log)
    await world.tg(CHATS["B3"], f"/start {code.code}")
    assert (await world.borrower("B2")).telegram_chat_id == CHATS["B3"]
    assert (await world.borrower("B3")).telegram_chat_id is None
    assert "telegram.unlinked" in await world.log_kinds("B3")


async def test_the_senders_own_contact_links_them(world: ReplyWorld) -> None:
    await world.post_update(contact_update(world, NEW_CHAT, "44 7400 123456", NEW_CHAT))
    assert (await world.borrower("B2")).telegram_chat_id == NEW_CHAT
    [welcome] = world.telegram_to(NEW_CHAT)
    assert "Northwind Finance" in welcome
    assert "telegram.linked" in await world.log_kinds("B2")


async def test_a_forwarded_contact_card_links_nobody(world: ReplyWorld) -> None:
    for user_id in (None, 777):  # a card without a user, another user's card
        await world.post_update(contact_update(world, NEW_CHAT, "+447400123456", user_id))
    assert (await world.borrower("B2")).telegram_chat_id is None
    answers = world.telegram_to(NEW_CHAT)
    assert len(answers) == 1  # one neutral answer a day, nothing about the borrower
    assert "Tom" not in answers[0] and "80.50" not in answers[0]
    assert "telegram.contact_refused" in await world.log_kinds(None)


async def test_a_contact_whose_phone_several_borrowers_share_goes_to_staff(world: ReplyWorld) -> None:
    await world.post_update(contact_update(world, NEW_CHAT, "+12125550100", NEW_CHAT))
    assert (await world.borrower("B5")).telegram_chat_id is None
    assert (await world.borrower("B6")).telegram_chat_id is None
    [answer] = world.telegram_to(NEW_CHAT)
    assert "could not match" in answer and "Lee" not in answer
    [case] = await Case.filter(kind="unclear")
    assert case.borrower_id is None and "B5" in case.summary and "B6" in case.summary
    assert world.notified.calls == [("unclear", "collections", True)]


async def test_blocking_the_bot_makes_telegram_unusable_until_the_borrower_writes(world: ReplyWorld) -> None:
    blocked = {
        "update_id": 9001,
        "my_chat_member": {
            "chat": {"id": CHATS["B3"], "type": "private", "first_name": "Ana"},
            "from": {"id": CHATS["B3"], "is_bot": False, "first_name": "Ana"},
            "date": int(world.clock().timestamp()),
            "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "bot"}},
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 1, "is_bot": True, "first_name": "bot"},
            },
        },
    }
    assert (await world.post_update(blocked)).status == 200
    assert (await world.borrower("B3")).telegram_usable is False
    assert "telegram.chat_member" in await world.log_kinds("B3")
    await world.tg(CHATS["B3"], "how much do I owe")
    assert (await world.borrower("B3")).telegram_usable is True
    assert "$350.00" in world.telegram_to(CHATS["B3"])[-1]


async def test_wrong_number_on_telegram_unlinks_the_chat_and_still_answers_it(world: ReplyWorld) -> None:
    await world.tg(CHATS["B3"], "wrong number, I don't know this person")
    assert (await world.borrower("B3")).telegram_chat_id is None
    [ack] = world.telegram_to(CHATS["B3"])
    assert "reached by mistake" in ack
    [case] = await world.cases("B3")
    assert case.kind == "wrong_number"
    # The chat is nobody's now: the next message gets the neutral answer.
    await world.tg(CHATS["B3"], "how much do I owe")
    assert "could not match" in world.telegram_to(CHATS["B3"])[-1]


async def test_an_sms_reminder_invites_a_telegram_preferring_borrower_and_the_link_links(world: ReplyWorld) -> None:
    import re
    from datetime import UTC, datetime

    from storage.models import Borrower
    from tests.replies.conftest import PHONES

    await Borrower.filter(borrower_id="B2").update(preferred_channel="telegram")  # no chat on file
    await world.tick(datetime(2026, 12, 7, 10, tzinfo=UTC))  # 10:00 in London, T-3 of 10 Dec
    [reminder] = world.sms_to(PHONES["B2"])
    link = re.search(r"t\.me/(\w+)\?start=([A-Z0-9]+) Reply STOP", reminder)
    assert link is not None, reminder
    assert link.group(1) == world.telegram.username
    assert world.sms_to(PHONES["B1"]) and "t.me/" not in world.sms_to(PHONES["B1"])[0]  # prefers SMS: no link
    await world.tg(NEW_CHAT, f"/start {link.group(2)}")
    assert (await world.borrower("B2")).telegram_chat_id == NEW_CHAT
    await world.tick(datetime(2026, 12, 9, 10, tzinfo=UTC))  # T-1: now on Telegram, not SMS
    assert len(world.sms_to(PHONES["B2"])) == 1
    assert len(world.telegram_to(NEW_CHAT)) == 2  # the welcome, then the reminder
