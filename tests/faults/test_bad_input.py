"""Issue 8, items 6 and 8: bad input is a 4xx with the usual JSON error, never a 5xx; size limits;
amounts never read through a float; ids kept exact; the loan-book file read as a stream.

Each test names the input the fault probe sent and the answer it gets now.
"""

# The fixtures come from the suites that own them (imported by name): their parameters shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.commands import imports as import_command
from bot.inputs import BadJson, json_problem, parse_json, reference, row_id, unstorable
from bot.standins import twilio_signature
from bot.webhooks.telegram import accept_update, update_id_ok
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Message, PendingReceipt
from tests.api.conftest import AUTH
from tests.api.conftest import client as api_client  # noqa: F401  (the API app on each backend)
from tests.cli.test_import_cli import GOOD, duebot
from tests.flows.conftest import AUTH_TOKEN, HEADER
from tests.replies.conftest import CHATS, PHONES, PUBLIC, TG_SECRET, ReplyWorld
from tests.replies.conftest import world as reply_world  # noqa: F401  (webhooks, stand-ins, processor)
from tests.staff.conftest import AUTH as STAFF_AUTH
from tests.staff.conftest import cheap_scrypt, login, make_staff_world, open_for, page_csrf, seed  # noqa: F401

pytestmark = pytest.mark.faults

TOO_BIG_FOR_ANY_ID = "99999999999999999999999"
ROW: dict[str, Any] = {
    "borrower_id": "B002",
    "full_name": "Ana Ruiz",
    "phone": "+14155550123",
    "locale": "en",
    "timezone": "America/Los_Angeles",
    "preferred_channel": "sms",
    "loan_id": "L002",
    "product": "auto",
    "currency": "USD",
    "installment_no": 1,
    "due_date": "2026-12-04",
    "amount_due": "350.00",
}


async def json_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the usual ``{"error", "message"}`` body."""
    assert response.status == status, (response.status, await response.text())
    body = await response.json()
    assert set(body) >= {"error", "message"} and isinstance(body["message"], str), body
    if code is not None:
        assert body["error"] == code, body
    return body


async def post_loans(api_client: TestClient, data: str | bytes) -> Any:  # type: ignore[type-arg]
    return await api_client.post("/api/v1/loans", data=data, headers={**AUTH, "Content-Type": "application/json"})


# --- API: JSON bodies --------------------------------------------------------------------------


async def test_json_nested_100000_deep_is_a_400_not_a_recursion_error(api_client: TestClient) -> None:  # type: ignore[type-arg]
    deep = "[" * 100_000 + "]" * 100_000
    await json_error(await post_loans(api_client, deep), 400, "bad_json")
    rows_deep = '{"rows": [' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "]}"
    await json_error(await post_loans(api_client, rows_deep), 400, "bad_json")


async def test_json_nested_past_64_levels_is_refused_and_up_to_64_is_read(api_client: TestClient) -> None:  # type: ignore[type-arg]
    body = await json_error(await post_loans(api_client, '{"rows": ' + "[" * 64 + "]" * 64 + "}"), 400, "bad_json")
    assert "64 levels" in body["message"]
    # 63 levels of lists inside the object: read, then refused for what it says (not a loan row).
    inner = '{"rows": [' + "[" * 62 + "]" * 62 + "]}"
    response = await post_loans(api_client, inner)
    assert response.status == 422
    assert (await response.json())["errors"][0]["message"] == "expected an object"


@pytest.mark.parametrize(
    "body",
    [
        b'{"rows": [' + b"1" * 5000 + b"]}",  # longer than Python reads as an int
        b'{"rows": []}\xff',  # not UTF-8
        b'{"rows": [NaN]}',  # not JSON
        b'{"rows": [{"full_name": "a\\u0000b"}]}',  # PostgreSQL cannot store a NUL
        b'{"rows": [{"full_name": "\\ud800"}]}',  # an unpaired surrogate is not UTF-8
        b'{"\\u0000": 1}',
    ],
)
async def test_bodies_that_are_not_json_we_can_take_are_400(api_client: TestClient, body: bytes) -> None:  # type: ignore[type-arg]
    await json_error(await post_loans(api_client, body), 400, "bad_json")


# --- API: path and query parameters ------------------------------------------------------------


@pytest.mark.parametrize("action", ["assign", "notes", "reply", "resolve"])
@pytest.mark.parametrize("case_id", [TOO_BIG_FOR_ANY_ID, "2147483648", "0", "-1", "1e3", "%D9%A3", "%201", "1_0"])
async def test_a_case_id_that_cannot_be_one_is_404(api_client: TestClient, action: str, case_id: str) -> None:  # type: ignore[type-arg]
    response = await api_client.post(
        f"/api/v1/cases/{case_id}/{action}", headers=AUTH, json={"staff": "amy", "text": "x", "outcome": "paid"}
    )
    body = await json_error(response, 404, "not_found")
    assert body["message"].startswith("no case ")


async def test_the_largest_row_id_is_looked_up_and_not_found(api_client: TestClient) -> None:  # type: ignore[type-arg]
    response = await api_client.post("/api/v1/cases/2147483647/notes", headers=AUTH, json={"staff": "amy", "text": "x"})
    assert (await json_error(response, 404, "not_found"))["message"] == "no case 2147483647"


LONG_ID = "B" * 5000


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/borrowers/{id}"),
        ("GET", "/api/v1/borrowers/{id}/timeline"),
        ("GET", "/api/v1/loans/{id}"),
        ("POST", "/api/v1/borrowers/{id}/restrictions"),
        ("DELETE", "/api/v1/borrowers/{id}/restrictions/cease"),
        ("GET", "/api/v1/promises?borrower_id={id}"),
        ("GET", "/api/v1/cases?borrower_id={id}"),
    ],
)
@pytest.mark.parametrize("wanted", [LONG_ID, "B" * 65, "%00", "B1%0A", "%ED%A0%80", "-B1"])
async def test_a_borrower_or_loan_id_that_cannot_be_one_is_404(
    api_client: TestClient,  # type: ignore[type-arg]
    method: str,
    path: str,
    wanted: str,
) -> None:
    response = await api_client.request(method, path.format(id=wanted), headers=AUTH, json={"kind": "cease"})
    body = await json_error(response, 404, "not_found")
    assert len(body["message"]) < 120  # the caller's 5,000 characters are not echoed back whole


@pytest.mark.parametrize("limit", ["%C2%B2", "%D9%A3", "1" * 5000, "0", "1001", "-1", "1.0"])
async def test_a_limit_that_is_not_ascii_digits_in_range_is_400(api_client: TestClient, limit: str) -> None:  # type: ignore[type-arg]
    for path in ("/api/v1/promises", "/api/v1/cases"):
        await json_error(await api_client.get(f"{path}?limit={limit}", headers=AUTH), 400, "bad_request")


# --- API: amounts are never read as floats -----------------------------------------------------


def test_json_numbers_with_a_fraction_are_read_as_exact_decimals() -> None:
    value = parse_json(b'{"a": 10.1, "b": 350, "c": 0.30000000000000004, "d": 1e2}', exact_numbers=True)
    assert value["a"] == Decimal("10.1") and isinstance(value["a"], Decimal)
    assert value["b"] == 350 and isinstance(value["b"], int)
    assert value["c"] == Decimal("0.30000000000000004")
    assert str(value["d"]) == "1E+2"
    # Telegram updates keep floats (their coordinates; what their stored JSON holds).
    assert isinstance(parse_json(b'{"lat": 1.5}', exact_numbers=False)["lat"], float)


@pytest.mark.parametrize(
    ("number", "stored"), [("10.1", "10.10"), ("350", "350.00"), ("350.50", "350.50"), ("0.01", "0.01")]
)
async def test_an_amount_sent_as_an_exact_json_number_is_taken_exactly(
    api_client: TestClient,  # type: ignore[type-arg]
    number: str,
    stored: str,
) -> None:
    body = '{"rows": [' + _row_json(amount_due=None)[:-1] + f', "amount_due": {number}}}' + "]}"
    response = await post_loans(api_client, body)
    assert response.status == 200, await response.text()
    loan = await (await api_client.get("/api/v1/loans/L002", headers=AUTH)).json()
    assert loan["installments"][0]["amount_due"] == stored


@pytest.mark.parametrize("number", ["10.123", "10.1000", "1e2", "1E1", "0.30000000000000004", "-5", "0", "1e999999"])
async def test_an_amount_sent_as_a_number_that_is_not_such_a_decimal_is_422(
    api_client: TestClient,  # type: ignore[type-arg]
    number: str,
) -> None:
    body = '{"rows": [' + _row_json(amount_due=None)[:-1] + f', "amount_due": {number}}}' + "]}"
    response = await post_loans(api_client, body)
    assert response.status == 422, await response.text()
    [problem] = (await response.json())["errors"]
    assert problem["field"] == "amount_due"
    assert (await api_client.get("/api/v1/loans/L002", headers=AUTH)).status == 404  # nothing applied


async def test_a_payment_amount_follows_the_same_rule(api_client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await post_loans(api_client, '{"rows": [' + _row_json() + "]}")).status == 200
    paid_at = "2026-12-01T10:00:00+00:00"
    refused = await api_client.post(
        "/api/v1/payments",
        data=f'{{"payment_id": "P1", "loan_id": "L002", "amount": 10.123, "paid_at": "{paid_at}"}}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert (await json_error(refused, 422, "invalid"))["errors"][0]["field"] == "amount"
    taken = await api_client.post(
        "/api/v1/payments",
        data=f'{{"payment_id": "P1", "loan_id": "L002", "amount": 10.1, "paid_at": "{paid_at}"}}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert taken.status == 201
    assert (await taken.json())["amount"] == "10.10"


@pytest.mark.parametrize("chat_id", ["9999999999999999999", 2**70, "-9223372036854775809"])
async def test_a_chat_id_beyond_64_bits_in_the_loan_book_is_422(api_client: TestClient, chat_id: object) -> None:  # type: ignore[type-arg]
    response = await api_client.post(
        "/api/v1/loans", headers=AUTH, json={"rows": [{**ROW, "telegram_chat_id": chat_id}]}
    )
    assert response.status == 422, await response.text()
    assert [e["field"] for e in (await response.json())["errors"]] == ["telegram_chat_id"]


def _row_json(**changes: Any) -> str:
    import json

    row = {**ROW, **changes}
    return json.dumps({k: v for k, v in row.items() if v is not None})


# --- API: case actions reached with a real case and staff (the staff world) -------------------


@pytest.fixture
async def staff_world(db: str) -> AsyncIterator[Any]:
    async for w in make_staff_world(db):
        await seed(w)
        yield w


async def test_a_staff_name_longer_than_any_is_404_and_text_with_a_nul_is_400(staff_world: Any) -> None:
    case = await open_for(staff_world, "B1", "hardship")
    http = staff_world.client
    response = await http.post(
        f"/api/v1/cases/{case.id}/notes", headers=STAFF_AUTH, json={"staff": "a" * 65, "text": "x"}
    )
    await json_error(response, 404, "not_found")
    for text in ("a\u0000b", "\ud800"):
        response = await http.post(
            f"/api/v1/cases/{case.id}/notes",
            headers={**STAFF_AUTH, "Content-Type": "application/json"},
            data=_json_with_escapes({"staff": "amy", "text": text}),
        )
        await json_error(response, 400, "bad_json")
    ok = await http.post(f"/api/v1/cases/{case.id}/notes", headers=STAFF_AUTH, json={"staff": "amy", "text": "fine"})
    assert ok.status == 200


def _json_with_escapes(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=True).encode()


# --- the console's path parameters and forms ---------------------------------------------------


async def test_console_ids_that_cannot_be_one_are_404_pages(staff_world: Any) -> None:
    http = staff_world.client
    assert (await login(http, "ada")).status in (302, 303)
    for path in (
        f"/console/cases/{TOO_BIG_FOR_ANY_ID}",
        "/console/cases/2147483648",
        "/console/cases/%D9%A3",
        f"/console/borrowers/{LONG_ID}/evidence",
        f"/console/borrowers/{LONG_ID}/evidence.json",
        "/console/borrowers/%00/evidence",
    ):
        response = await http.get(path)
        assert response.status == 404, (path, response.status)
    response = await http.post(f"/console/cases/{TOO_BIG_FOR_ANY_ID}/note", data={"text": "x"})
    assert response.status in (403, 404)  # no CSRF token: refused before the case is looked up, or 404


async def test_console_forms_with_a_nul_or_an_id_beyond_range_are_refused(staff_world: Any) -> None:
    http = staff_world.client
    case = await open_for(staff_world, "B1", "hardship")
    assert (await login(http, "sam")).status in (302, 303)
    page = f"/console/cases/{case.id}"
    token = await page_csrf(http, page)
    nul = await http.post(f"{page}/note", data={"text": "a\u0000b", "csrf_token": token}, allow_redirects=False)
    assert nul.status == 400
    for form in (
        {"pause_id": TOO_BIG_FOR_ANY_ID, "reason": "x"},
        {"pause_id": "%D9%A3", "reason": "x"},
    ):
        response = await http.post(f"{page}/resume", data={**form, "csrf_token": token}, allow_redirects=False)
        assert response.status == 422, response.status
    contact = {"field": "telegram_chat_id", "value": str(2**70), "reason": "typo", "csrf_token": token}
    response = await http.post(f"{page}/contact", data=contact, allow_redirects=False)
    assert response.status == 422
    text = await response.text()
    assert "out of range" in text, text[text.find("error") :][:600]
    promise = {"loan_id": "L" * 200, "promised_date": "2026-12-05", "amount": "1E+99", "csrf_token": token}
    assert (await http.post(f"{page}/promise", data=promise, allow_redirects=False)).status == 422
    promise["loan_id"] = "L1"
    assert (await http.post(f"{page}/promise", data=promise, allow_redirects=False)).status == 422


def test_row_ids_and_references_are_read_strictly() -> None:
    assert row_id("12") == 12 and row_id("2147483647") == 2147483647
    for text in ("", "0", "2147483648", TOO_BIG_FOR_ANY_ID, "٣", "²", " 1", "1 ", "+1", "-1", "1_0", "1\n"):
        assert row_id(text) is None, text
    assert reference("B001") == "B001" and reference("L/2026:1") == "L/2026:1"
    for text in ("", "B" * 65, "B1\n", "\x00", "-B1", "B 1"):
        assert reference(text) is None, text
    assert unstorable("ok") is None and unstorable("a\x00") and unstorable("\udc80")
    assert json_problem({"a": [[[]]]}, max_depth=4) is None
    assert json_problem({"a": [[[]]]}, max_depth=3) == "nested deeper than 3 levels"
    with pytest.raises(BadJson):
        parse_json(b"[" * 100_000, exact_numbers=True)


# --- webhooks: Twilio -----------------------------------------------------------------------------


def _signed(path: str, params: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, PUBLIC + path, params)}


async def _sms(reply_world: ReplyWorld, **params: str) -> Any:
    form = {"MessageSid": "SM" + "c" * 32, "From": PHONES["B1"], "To": "+15005550006", "Body": "ok", **params}
    response = await reply_world.client.post(
        "/webhooks/twilio/sms", data=form, headers=_signed("/webhooks/twilio/sms", form)
    )
    await reply_world.runtime.processor.drain()
    return response


async def test_a_signed_sms_with_a_202_character_message_sid_is_400_and_not_stored(reply_world: ReplyWorld) -> None:
    await json_error(await _sms(reply_world, MessageSid="SM" + "a" * 200), 400, "bad_request")
    await json_error(await _sms(reply_world, MessageSid="SM\u0000" + "a" * 31), 400, "bad_request")
    assert not await Message.filter(direction="in").exists()


async def test_a_signed_5_mb_sms_is_413_and_not_stored(reply_world: ReplyWorld) -> None:
    await json_error(await _sms(reply_world, Body="x" * 5_000_000), 413, "too_large")

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: chunked, as a proxy may send it
        yield b"MessageSid=SM" + b"d" * 32 + b"&From=%2B8613800138000&Body="
        for _ in range(100):
            yield b"x" * 10_000

    response = await reply_world.client.post(
        "/webhooks/twilio/sms",
        data=streamed(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    await json_error(response, 413, "too_large")
    assert not await Message.filter(direction="in").exists()


async def test_a_body_over_1600_characters_is_413_and_1600_are_stored_whole(reply_world: ReplyWorld) -> None:
    await json_error(await _sms(reply_world, Body="还" * 1601), 413, "too_large")
    assert not await Message.filter(direction="in").exists()
    body = "我" * 1599 + "😀"  # 1,600 characters (the emoji is one character, two UTF-16 units)
    assert (await _sms(reply_world, Body=body)).status == 200
    [row] = await Message.filter(direction="in")
    assert row.body == body


async def test_twilio_webhooks_refuse_forms_they_cannot_read(reply_world: ReplyWorld) -> None:
    for path in ("/webhooks/twilio/sms", "/webhooks/twilio/status"):
        as_json = await reply_world.client.post(path, json={"MessageSid": "SM1"}, headers={"X-Twilio-Signature": "x"})
        await json_error(as_json, 415, "unsupported_media_type")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}
        not_utf8 = await reply_world.client.post(path, data=b"MessageSid=SM1&Body=%FF%FE", headers=headers)
        await json_error(not_utf8, 400, "bad_request")
    assert not await Message.filter(direction="in").exists()


async def test_a_status_callback_with_a_long_sid_or_a_bad_error_code_is_400(reply_world: ReplyWorld) -> None:
    path = "/webhooks/twilio/status"
    for form in (
        {"MessageSid": "SM" + "a" * 200, "MessageStatus": "delivered"},
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "undelivered", "ErrorCode": "3" * 200},
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003; DROP"},
    ):
        response = await reply_world.client.post(path, data=form, headers=_signed(path, form))
        await json_error(response, 400, "bad_request")
    assert not await PendingReceipt.all().exists()
    form = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert (await reply_world.client.post(path, data=form, headers=_signed(path, form))).status == 200
    assert await PendingReceipt.filter(error_code="30003").exists()  # not known yet: kept for later


# --- webhooks: Telegram ---------------------------------------------------------------------------


async def test_an_update_id_of_2_70_is_kept_exact(reply_world: ReplyWorld) -> None:
    update = reply_world.message_update(CHATS["B3"], "how much do I owe")
    update["update_id"] = 2**70
    assert (await reply_world.post_update(update)).status == 200
    [row] = await Message.filter(direction="in")
    assert row.provider_event_id == "tg:1180591620717411303424"
    fresh = await Message.get(id=row.id)  # read back from the database
    assert fresh.payload["update"]["update_id"] == 2**70
    assert type(fresh.payload["update"]["update_id"]) is int
    assert (await reply_world.post_update(update)).status == 200  # the same update again: a duplicate
    assert await Message.filter(direction="in").count() == 1
    assert len(reply_world.telegram_to(CHATS["B3"])) == 1


async def test_an_update_id_of_2_70_through_the_long_poller_path_is_kept_exact(reply_world: ReplyWorld) -> None:
    from aiogram.types import Update

    raw = reply_world.message_update(CHATS["B3"], "hello")
    raw["update_id"] = 2**70 + 1
    # What the poller stores: aiogram's own reading of the update, dumped as JSON.
    dumped = Update.model_validate(raw).model_dump(mode="json", exclude_none=True, by_alias=True)
    row, created = await accept_update(dumped, reply_world.clock())
    assert created and row.provider_event_id == f"tg:{2**70 + 1}"
    assert (await Message.get(id=row.id)).payload["update"]["update_id"] == 2**70 + 1


@pytest.mark.parametrize("update_id", [-1, True, 1.0, 10**64, "5", None])
async def test_an_update_id_that_is_not_a_whole_number_we_can_key_on_is_400(
    reply_world: ReplyWorld, update_id: Any
) -> None:
    update = reply_world.message_update(CHATS["B3"], "hi")
    update["update_id"] = update_id
    await json_error(await reply_world.post_update(update), 400, "bad_request")
    assert not update_id_ok(update_id)
    assert update_id_ok(0) and update_id_ok(2**70) and update_id_ok(10**64 - 1)
    assert not await Message.filter(direction="in").exists()


async def test_telegram_bodies_that_are_not_json_we_can_take_are_400(reply_world: ReplyWorld) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    for body in (
        b"[" * 100_000,
        b'{"update_id": 1, "message": {"text": "\\u0000"}}',
        b'{"update_id": 1}\xff',
        b'{"update_id": ' + b"1" * 5000 + b"}",
        b'{"update_id": 1, "message": {"date": NaN}}',
    ):
        response = await reply_world.client.post("/webhooks/telegram", data=body, headers=headers)
        await json_error(response, 400, "bad_request")
    assert not await Message.filter(direction="in").exists()


async def test_a_streamed_oversized_telegram_update_is_413(reply_world: ReplyWorld) -> None:
    async def streamed() -> AsyncIterator[bytes]:
        yield b'{"update_id": 1, "message": {"text": "'
        for _ in range(30):
            yield b"x" * 10_000
        yield b'"}}'

    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    response = await reply_world.client.post("/webhooks/telegram", data=streamed(), headers=headers)
    await json_error(response, 413, "too_large")
    assert not await Message.filter(direction="in").exists()


async def test_a_secret_header_that_is_not_utf8_is_403_not_500(reply_world: ReplyWorld) -> None:
    server = reply_world.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    body = b'{"update_id": 1}'
    writer.write(
        b"POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: \xff\xfe\r\n"
        b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n" + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    assert status_line.split()[1] == b"403", status_line


# --- the loan-book file, read as a stream ---------------------------------------------------------


BOOK = (
    HEADER
    + "".join(GOOD)
    + '"B004","Multi\nLine",+8613900139000,,zh,Asia/Shanghai,sms,L004,consumer,CNY,1,2026-12-10,8.00\n'
    + GOOD[0]  # the same installment twice
    + "B001,Li Wei,+8613800138000,,en,Asia/Shanghai,sms,L009,consumer,CNY,1,2026-12-01,10.001\n"
    + "short,row\n"
    + 'B005,"broken\n'
)


def test_a_streamed_book_reads_exactly_like_the_whole_text() -> None:
    for text in (BOOK, "\ufeff" + BOOK, HEADER, "", "a,b\n1,2\n"):
        whole = parse_loans_csv(text)
        streamed = parse_loans_csv(io.StringIO(text, newline=""))
        assert streamed == whole
    assert parse_loans_csv(BOOK).errors  # the book above has problems on several lines
    payments = (
        "\ufeffpayment_id,loan_id,amount,paid_at\nP1,L1,10.00,2026-12-01T10:00:00Z\nP1,L1,11.00,2026-12-01T10:00:00Z\n"
    )
    assert parse_payments_csv(io.StringIO(payments, newline="")) == parse_payments_csv(payments)


def _old_utf8_error(data: bytes) -> str | None:
    """What the import said before it streamed: the whole file decoded at once."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return f"line {line}: file: not UTF-8 ({exc.reason})"
    return None


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 1 << 20])
def test_not_utf8_is_reported_on_the_same_line_as_before_across_chunk_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(import_command, "_CHUNK", chunk)
    samples = [
        "a,b\n还,c\n".encode() + b"\xff\n",  # an invalid start byte on line 3
        b"a\nb\n" + "还".encode()[:2],  # a character cut short at the end
        b"a\n" + "还".encode()[:2] + b"x\n",  # a character cut short mid-file
        "a\n还还还\n😀\n".encode(),  # valid: multi-byte characters across every chunk edge
        b"\xef\xbb\xbfa\n\xc0\xaf\n",  # an overlong form after a BOM
    ]
    for index, data in enumerate(samples):
        path = tmp_path / f"{index}.csv"
        path.write_bytes(data)
        expected = _old_utf8_error(data)
        try:
            import_command._check_utf8(str(path))
        except import_command.Unreadable as exc:
            assert str(exc) == expected, (index, chunk)
            assert exc.exit_code == 1
        else:
            assert expected is None, (index, chunk)


def test_the_import_command_reads_the_file_as_a_stream(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_bytes(("\ufeff" + HEADER + "".join(GOOD)).encode())
    result = duebot(tmp_path, "import", "loans", str(book))
    assert result.returncode == 0, result.stderr
    assert "3 created" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + GOOD[0]).encode() + b"B9,\xff\n")
    refused = duebot(tmp_path, "import", "loans", str(bad))
    assert refused.returncode == 1
    assert "line 3: file: not UTF-8 (invalid start byte)" in refused.stderr
    missing = duebot(tmp_path, "import", "payments", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
