"""The staff Telegram chat against the Telegram stand-in: posts with buttons, "Take" presses."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.channels.telegram import TelegramChannel
from bot.staff_chat import StaffChat, build_staff_router
from storage.models import Case, StaffUser
from tests.staff.conftest import NOW, StaffWorld, borrower_wrote, make_staff_world, open_for, seed

STAFF_CHAT = -100555
TEA_USER = 4711


def press(data: str, user_id: int, chat_id: int = STAFF_CHAT) -> dict[str, Any]:
    return {
        "update_id": int(time.time() * 1000) % 1_000_000_000,
        "callback_query": {
            "id": f"cq-{user_id}-{data}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Colleague"},
            "chat_instance": "staff",
            "data": data,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "supergroup", "title": "Collections team"},
                "text": "New case",
            },
        },
    }


def answers(world: StaffWorld) -> list[str]:
    return [r.form.get("text", "") for r in world.telegram.requests if r.endpoint == "answerCallbackQuery"]


async def test_new_and_overdue_cases_are_posted_with_take_and_open(db: str) -> None:
    async for world in make_staff_world(db, public_base_url="https://duebot.example"):
        await seed(world)
        channel = world.scheduler.channels["telegram"]
        assert isinstance(channel, TelegramChannel)
        chat = StaffChat(channel.get_bot, STAFF_CHAT, world.services)
        await borrower_wrote("B1", "I lost my job and cannot pay 1200", NOW)
        case = await open_for(world, "B1", "hardship", "borrower says: I lost my job and cannot pay 1200")
        await chat.announce_case(case, True)
        await chat.announce_case(case, False)  # an event added to an open case is not re-announced
        await chat.announce_overdue(case)
        posts = [r for r in world.telegram.requests if r.endpoint == "sendMessage"]
        assert [p.form["chat_id"] for p in posts] == [str(STAFF_CHAT)] * 2
        first = posts[0].form
        assert first["text"] == (
            f"New case: {case.reference}\nBorrower: Li Wei\nQueue: hardship · hardship\nDays past due: 31"
        )
        assert "parse_mode" not in first
        buttons = json.loads(first["reply_markup"])["inline_keyboard"][0]
        assert buttons[0] == {"text": "Take", "callback_data": f"case:take:{case.id}"}
        assert buttons[1] == {"text": "Open", "url": f"https://duebot.example/console/cases/{case.id}"}
        assert posts[1].form["text"].startswith("First response overdue")
        for post in posts:  # never the message, the phone or the amount
            assert "lost my job" not in post.form["text"] and "+86" not in post.form["text"]
            assert "1200" not in post.form["text"]


async def test_a_staff_chat_failure_does_not_stop_the_caller(world: StaffWorld) -> None:
    await seed(world)
    world.telegram.server_error(str(STAFF_CHAT))
    channel = world.scheduler.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    case = await open_for(world, "B1", "hardship")
    await StaffChat(channel.get_bot, STAFF_CHAT, world.services).announce_case(case, True)  # logged, not raised
    assert [r.endpoint for r in world.telegram.requests] == ["sendMessage"]  # it was tried, and refused


async def test_pressing_take_assigns_to_the_linked_member(world: StaffWorld) -> None:
    from aiogram import Dispatcher

    await seed(world)
    channel = world.scheduler.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    bot = channel.get_bot()
    dispatcher = Dispatcher()
    dispatcher.include_router(build_staff_router(world.services, STAFF_CHAT))
    case = await open_for(world, "B1", "hardship")
    collections = await open_for(world, "B1", "overdue_30")

    await dispatcher.feed_webhook_update(bot, press(f"case:take:{case.id}", TEA_USER))
    assert "not linked" in answers(world)[-1]
    assert (await Case.get(id=case.id)).assignee_id is None

    await StaffUser.filter(username="amy").update(telegram_user_id=TEA_USER)
    await dispatcher.feed_webhook_update(bot, press(f"case:take:{collections.id}", TEA_USER))
    assert "may not work the collections queue" in answers(world)[-1]
    await dispatcher.feed_webhook_update(bot, press(f"case:take:{case.id}", TEA_USER, chat_id=12345))
    assert "staff chat only" in answers(world)[-1]
    await dispatcher.feed_webhook_update(bot, press(f"case:take:{case.id}", TEA_USER))
    assert answers(world)[-1] == f"{case.reference} is yours, amy."
    taken = await Case.get(id=case.id).prefetch_related("assignee")
    assert taken.assignee is not None and taken.assignee.username == "amy"

    await StaffUser.filter(username="sam").update(telegram_user_id=TEA_USER + 1)
    await dispatcher.feed_webhook_update(bot, press(f"case:take:{case.id}", TEA_USER + 1))
    assert "already assigned to amy" in answers(world)[-1]
