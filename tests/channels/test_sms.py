"""The real twilio client, driven through TwilioSmsChannel against the Twilio stand-in."""

from __future__ import annotations

import pytest

from bot.channels import TwilioSmsChannel
from bot.channels.sms import translate_twilio_error
from bot.standins import TwilioStandin
from scheduler.channel import (
    OutboundMessage,
    PermanentSendError,
    RetryableSendError,
    SendError,
    UncertainSendError,
)
from tests.channels.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FIXED_NOW,
    FROM_NUMBER,
    SERVICE_SID,
    sms_channel,
)

TO = "+14155550123"
CALLBACK = "https://duebot.example.com/webhooks/twilio/status?attempt=7"


def reminder(
    to: str = TO, text: str = "Your installment of USD 350.00 is due on 4 Dec.", **kw: object
) -> OutboundMessage:
    return OutboundMessage("reminder:L002:3:T-3", "sms", to, text, **kw)  # type: ignore[arg-type]


async def test_send_posts_one_message_create_with_the_expected_fields(
    sms: TwilioSmsChannel, twilio_standin: TwilioStandin
) -> None:
    receipt = await sms.send(reminder(status_callback=CALLBACK))

    [request] = twilio_standin.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert dict(request.form) == {
        "To": TO,
        "From": FROM_NUMBER,
        "Body": "Your installment of USD 350.00 is due on 4 Dec.",
        "StatusCallback": CALLBACK,
    }
    [created] = twilio_standin.messages.values()
    assert receipt.provider_message_id == created.sid and receipt.provider_message_id.startswith("SM")
    assert receipt.status == "queued"
    assert receipt.sent_at == FIXED_NOW


async def test_messaging_service_sid_replaces_from(twilio_standin: TwilioStandin) -> None:
    assert twilio_standin.base_url is not None
    channel = sms_channel(twilio_standin.base_url, from_=SERVICE_SID)
    try:
        receipt = await channel.send(reminder(text="你好，还款提醒"))
    finally:
        await channel.close()
    [request] = twilio_standin.requests
    assert request.form["MessagingServiceSid"] == SERVICE_SID
    assert "From" not in request.form
    assert "StatusCallback" not in request.form  # none given, none sent
    assert request.form["Body"] == "你好，还款提醒"
    assert receipt.status == "accepted"  # Twilio's answer while the service picks a sender


@pytest.mark.parametrize(
    ("code", "status", "error_class", "effect"),
    [
        (21610, 400, PermanentSendError, "sms_opted_out"),
        (21211, 400, PermanentSendError, "invalid_number"),
        (21614, 400, PermanentSendError, "not_mobile"),
        (21612, 400, PermanentSendError, "unroutable"),
        (21408, 400, PermanentSendError, "region_not_permitted"),
        (21606, 400, PermanentSendError, "channel_misconfigured"),
        (21999, 400, PermanentSendError, None),  # unknown 4xx: permanent, no effect
        (20429, 429, RetryableSendError, None),
        (21611, 400, RetryableSendError, None),  # sender queue full: not created
        (20500, 500, UncertainSendError, None),
        (20503, 503, UncertainSendError, None),
    ],
)
async def test_error_mapping_with_exactly_one_request(
    sms: TwilioSmsChannel,
    twilio_standin: TwilioStandin,
    code: int,
    status: int,
    error_class: type[SendError],
    effect: str | None,
) -> None:
    twilio_standin.reject(TO, code, status)
    with pytest.raises(SendError) as caught:
        await sms.send(reminder())
    assert type(caught.value) is error_class
    assert caught.value.code == f"twilio:{code}"
    if isinstance(caught.value, PermanentSendError):
        assert caught.value.effect == effect
    if isinstance(caught.value, RetryableSendError):
        assert caught.value.retry_after is None
    # No HTTP-layer retry: a 5xx must not have been resent.
    assert len(twilio_standin.creates()) == 1


async def test_rfc9457_error_bodies_are_mapped_too(sms: TwilioSmsChannel, twilio_standin: TwilioStandin) -> None:
    twilio_standin.reject(TO, 21610, problem_details=True)
    with pytest.raises(PermanentSendError) as caught:
        await sms.send(reminder())
    assert caught.value.effect == "sms_opted_out"


async def test_wrong_credentials_are_a_misconfigured_channel(twilio_standin: TwilioStandin) -> None:
    assert twilio_standin.base_url is not None
    channel = TwilioSmsChannel(ACCOUNT_SID, "wrong-token", FROM_NUMBER, twilio_standin.base_url, per_second=1000)
    try:
        with pytest.raises(PermanentSendError) as caught:
            await channel.send(reminder())
    finally:
        await channel.close()
    assert caught.value.code == "twilio:20003"
    assert caught.value.effect == "channel_misconfigured"


async def test_a_failure_programmed_once_then_success(sms: TwilioSmsChannel, twilio_standin: TwilioStandin) -> None:
    twilio_standin.rate_limit(TO, times=1)
    with pytest.raises(RetryableSendError):
        await sms.send(reminder())
    receipt = await sms.send(reminder())
    assert receipt.provider_message_id in twilio_standin.messages
    assert len(twilio_standin.creates()) == 2


async def test_connection_refused_is_retryable(closed_port: int) -> None:
    channel = sms_channel(f"http://127.0.0.1:{closed_port}")
    try:
        with pytest.raises(RetryableSendError) as caught:
            await channel.send(reminder())
    finally:
        await channel.close()
    assert caught.value.code == "connect_failed"


async def test_timeout_before_any_connection_is_retryable(blackhole_port: int) -> None:
    channel = sms_channel(f"http://127.0.0.1:{blackhole_port}", timeout=0.3)
    try:
        with pytest.raises(RetryableSendError) as caught:
            await channel.send(reminder())
    finally:
        await channel.close()
    assert caught.value.code == "not_sent"


async def test_hanging_server_with_short_timeout_is_uncertain(twilio_standin: TwilioStandin) -> None:
    assert twilio_standin.base_url is not None
    twilio_standin.hang(TO, seconds=5)
    channel = sms_channel(twilio_standin.base_url, timeout=0.3)
    try:
        with pytest.raises(UncertainSendError) as caught:
            await channel.send(reminder())
    finally:
        await channel.close()
    assert caught.value.code == "timeout"
    assert len(twilio_standin.creates()) == 1


async def test_disconnect_after_sending_is_uncertain(sms: TwilioSmsChannel, twilio_standin: TwilioStandin) -> None:
    twilio_standin.drop(TO)
    with pytest.raises(UncertainSendError) as caught:
        await sms.send(reminder())
    assert caught.value.code == "disconnected"
    assert len(twilio_standin.creates()) == 1


async def test_refuses_a_message_for_another_channel(sms: TwilioSmsChannel, twilio_standin: TwilioStandin) -> None:
    with pytest.raises(ValueError):
        await sms.send(OutboundMessage("k", "telegram", "42", "hi"))
    assert twilio_standin.requests == []


async def test_close_is_idempotent_and_the_channel_reopens(
    sms: TwilioSmsChannel, twilio_standin: TwilioStandin
) -> None:
    await sms.send(reminder())
    await sms.close()
    await sms.close()
    await sms.send(reminder())
    assert len(twilio_standin.creates()) == 2


@pytest.mark.parametrize(
    ("status", "code", "error_class", "effect"),
    [
        (429, None, RetryableSendError, None),
        (401, None, PermanentSendError, "channel_misconfigured"),
        (502, None, UncertainSendError, None),
        (404, 20404, PermanentSendError, "channel_misconfigured"),
    ],
)
def test_translate_without_or_with_odd_codes(
    status: int, code: int | None, error_class: type[SendError], effect: str | None
) -> None:
    error = translate_twilio_error(status, code, "m")
    assert type(error) is error_class
    assert getattr(error, "effect", None) == effect
