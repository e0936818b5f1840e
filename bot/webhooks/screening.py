"""Inbound that can never be handled, told apart before it is stored. Pure: what arrived in, a reason out.

Such a message is stored ``ignored`` with the reason (``storage.inbound.Ignored``), never handed to
the processor and never retried, and counted in ``/metrics`` as
``duebot_inbound_ignored_total{channel,reason}``. A reason names what is wrong and nothing personal:
a From that is not a phone number is shown masked, a message's text never.

Everything else is stored ``received`` and handled, including what the conversation then leaves
alone on purpose (a group chat, an edited message: handled, with ``payload["ignored"]`` saying why).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from bot.inputs import in_bigint
from bot.logmask import mask_phone
from storage.inbound import Ignored

# Reason codes (the metrics label): a fixed set, so /metrics stays small whatever arrives.
FROM_NOT_A_PHONE: Final = "from_not_a_phone"
EMPTY_UPDATE: Final = "empty_update"
UNSUPPORTED_UPDATE: Final = "unsupported_update"
MALFORMED_UPDATE: Final = "malformed_update"
ID_OUT_OF_RANGE: Final = "id_out_of_range"
REASONS: Final = {
    "sms": (FROM_NOT_A_PHONE,),
    "telegram": (EMPTY_UPDATE, UNSUPPORTED_UPDATE, MALFORMED_UPDATE, ID_OUT_OF_RANGE),
}

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
_E164: Final = re.compile(r"\+[1-9][0-9]{6,14}")

# Telegram's update types (Bot API), in the order Telegram documents them; one is set per update.
TELEGRAM_UPDATE_TYPES: Final = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# What duebot's routers take: borrowers' messages (and edits, left alone on purpose), the bot being
# blocked or unblocked, and the staff chat's buttons (see ``bot.telegram_bot.ALLOWED_UPDATES``).
HANDLED_UPDATES: Final = frozenset({"message", "edited_message", "my_chat_member", "callback_query"})


def sms_ignored(form: Mapping[str, str]) -> Ignored | None:
    """An inbound SMS that cannot be handled: a From that is not a phone number (a short code, an
    alphanumeric sender, a WhatsApp address) can be neither matched to a borrower nor answered."""
    sender = form.get("From", "")
    if not _E164.fullmatch(sender):
        return Ignored(FROM_NOT_A_PHONE, f"From {mask_phone(sender)} is not a phone number in E.164 form")
    return None


def update_type(update: Mapping[str, Any]) -> str | None:
    """The update's type: one of Telegram's, "unknown" for anything else, None when it carries nothing."""
    for name in TELEGRAM_UPDATE_TYPES:
        if update.get(name) is not None:
            return name
    return "unknown" if any(key != "update_id" for key in update) else None


def telegram_ignored(update: Mapping[str, Any]) -> Ignored | None:
    """An update that cannot be handled: of a type no router takes, not a valid update (a message
    without its chat or date, a sticker without its fields), or with an id no database column holds."""
    kind = update_type(update)
    if kind is None:
        return Ignored(EMPTY_UPDATE, "the update carries no event")
    if kind not in HANDLED_UPDATES:
        what = "an update of an unknown type" if kind == "unknown" else f"a {kind} update"
        return Ignored(UNSUPPORTED_UPDATE, f"{what} is not something duebot handles")
    validated = _validated(update)
    if isinstance(validated, str):
        return Ignored(MALFORMED_UPDATE, f"not a valid Telegram {kind}: {validated}")
    for where, value in _integers(validated):
        if where != "update_id" and not in_bigint(value):
            return Ignored(ID_OUT_OF_RANGE, f"{where[:120]} is beyond a 64-bit integer")
    return None


def _validated(update: Mapping[str, Any]) -> dict[str, Any] | str:
    """The update as aiogram reads it (the same model its dispatcher validates), or what is wrong:
    the first error's place and kind, never the value."""
    from aiogram.types import Update  # aiogram is slow to import: only where updates are read
    from pydantic import ValidationError

    try:
        model = Update.model_validate(update)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])[:120] or "the update"
        return f"{where} ({first['type']})"
    return model.model_dump(exclude_none=True, by_alias=True)


def _integers(value: Any) -> Iterator[tuple[str, int]]:
    """Every integer in a JSON-like value with its place ("message.chat.id"), in document order."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            yield path, item
        elif isinstance(item, Mapping):
            children = [(f"{path}.{key}" if path else str(key), child) for key, child in item.items()]
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(f"{path}[{i}]", child) for i, child in enumerate(item)]))
