"""Issue 8, item 6, as properties (hypothesis): no input to the webhooks, the API or the loan-book
reader produces a 5xx or a traceback.

Each property draws a modest number of examples, derandomized and without an example database,
so a run is the same everywhere (CI included) and the whole file stays well under a minute per
backend. The worlds are the suites' own (one per test, shared by its examples).
"""

# The fixtures come from the suites that own them (imported by name): their parameters shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

import io
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.standins import twilio_signature
from bot.webhooks.screening import TELEGRAM_UPDATE_TYPES
from storage.loanbook import LOAN_COLUMNS, PAYMENT_COLUMNS, parse_loans_csv, parse_payments_csv
from storage.models import Message
from tests.flows.conftest import AUTH_TOKEN
from tests.replies.conftest import CHATS, PHONES, PUBLIC, TG_SECRET, ReplyWorld
from tests.replies.conftest import world as reply_world  # noqa: F401  (webhooks, stand-ins, processor)
from tests.staff.conftest import AUTH as STAFF_AUTH
from tests.staff.conftest import cheap_scrypt, login, make_staff_world, open_for, seed  # noqa: F401

pytestmark = pytest.mark.faults

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what callers send ----------------------------------------------------------------------------

huge_ints = st.sampled_from([2**31, 2**63, -(2**63) - 1, 2**70, 10**30])
ints = st.one_of(st.integers(min_value=-(2**64), max_value=2**64), huge_ints)
# "B" * 3000: long, yet two of them still fit a request line (aiohttp's limit is 8,190 bytes; past it,
# aiohttp itself answers 400 before any handler runs).
texts = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=40),
    st.sampled_from(["", " ", "\x00", "B" * 3000, "99999999999999999999999", "١٢", "²", "../..", "%00", "null"]),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), ints, st.floats(allow_nan=False, allow_infinity=False), texts),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)


def mostly(valid: st.SearchStrategy[Any], other: st.SearchStrategy[Any], weight: int = 3) -> st.SearchStrategy[Any]:
    """``valid`` about ``weight`` times as often as ``other``."""
    return st.integers(min_value=0, max_value=weight).flatmap(lambda n: other if n == weight else valid)


def maybe(valid: st.SearchStrategy[Any], weight: int = 3) -> st.SearchStrategy[Any]:
    """Mostly what a field should hold, sometimes anything at all."""
    return mostly(valid, json_values, weight)


def field(valid: list[Any], odd: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """A loan-book field: nearly always one of ``valid``, so that whole rows often are and reach the
    database; otherwise one of ``odd`` or anything at all."""
    other = st.one_of(st.sampled_from(odd), json_values) if odd else json_values
    return mostly(st.sampled_from(valid), other, weight=15)


LOAN_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "borrower_id": field(["B1", "B2", "B9", "b-1/x:2"], ["B" * 65, " B1", ""]),
    "full_name": field(["Li Wei", "Ana Ruiz", "O'Brien, J.", "王芳"], ["x" * 201, "a\tb"]),
    "phone": field(["+8613800138000", "+14155550123", "(415) 555-0123", "+447400123456"], ["+1", "07700 900123"]),
    "telegram_chat_id": field(["", None, 987654321, "-100123", 2**62], [2**63, str(2**70), "1.5"]),
    "locale": field(["en", "zh"], ["fr", "EN"]),
    "timezone": field(["Asia/Shanghai", "America/Los_Angeles", "UTC"], ["Mars/Olympus", "a" * 300, "EST", "../x"]),
    "preferred_channel": field(["sms", "telegram"], ["email"]),
    "loan_id": field(["L1", "L2", "L9"], ["L" * 65]),
    "product": field(["consumer", "auto"], ["", "p" * 65]),
    "currency": field(["CNY", "USD", "GBP"], ["XXX", "usd", "US"]),
    "installment_no": field([1, 2, "3", 12], [0, -1, 2**40, "1.0"]),
    "due_date": field(["2026-12-10", "2027-01-31"], ["2026-02-30", "10/12/2026", "2026-1-1"]),
    "amount_due": mostly(
        field(["350.00", "10.1", "1200", "0.01"], ["0", "-1", "10.123", "1e2"]),
        st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=-(10**20), max_value=10**20)),
        weight=6,
    ),
}
loan_rows = mostly(st.fixed_dictionaries(LOAN_FIELDS), st.fixed_dictionaries({}, optional=LOAN_FIELDS))
PAYMENT_FIELDS = {
    "payment_id": field(["P1", "P2", "P3"], ["P" * 65, ""]),
    "loan_id": field(["L1", "L2"], ["L9", "L" * 65]),
    "amount": LOAN_FIELDS["amount_due"],
    "paid_at": field(["2026-12-01T10:00:00+08:00", "2026-11-30T23:59:59Z"], ["2026-12-01T10:00:00", "yesterday"]),
}
payments = mostly(st.fixed_dictionaries(PAYMENT_FIELDS), st.fixed_dictionaries({}, optional=PAYMENT_FIELDS))
# Request bodies: mostly JSON of the expected shape, sometimes any JSON, sometimes not JSON at all.
raw_bodies = st.one_of(
    st.binary(max_size=60),
    st.sampled_from([b"", b"{", b"[" * 5000, b'{"rows": [NaN]}', b"\xff\xfe", b'{"a": "\\ud800"}']),
)


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- the checks every example makes ---------------------------------------------------------------


class Tracebacks:
    """Log records at ERROR or with a traceback, since the last look (caplog lasts the whole test)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.INFO)
        self.caplog = caplog
        self.seen = len(caplog.records)  # what earlier examples logged is theirs

    def new(self) -> list[str]:
        records = self.caplog.records[self.seen :]
        self.seen = len(self.caplog.records)
        return [
            f"{r.name}: {r.getMessage()} {r.exc_text or ''}"
            for r in records
            if r.levelno >= logging.ERROR or r.exc_info
        ]


async def no_5xx(response: Any, tracebacks: Tracebacks, what: object) -> None:
    text = await response.text()
    event(f"answered {response.status} {text[:110]}")  # shown with --hypothesis-show-statistics
    assert response.status < 500, (what, response.status, text[:500])
    if response.status >= 400 and response.content_type == "application/json":
        body = json.loads(text)
        assert ("error" in body and "message" in body) or "errors" in body, (what, body)
    problems = tracebacks.new()
    assert not problems, (what, problems)


async def nothing_left_to_retry() -> None:
    """Every stored inbound message was handled, left alone, or ignored: none waits for a retry."""
    stuck = await Message.filter(direction="in", status__in=["received", "handling", "failed"]).values_list(
        "provider_event_id", "status", "error_code"
    )
    assert stuck == [], stuck


# --- webhooks -------------------------------------------------------------------------------------

# What Twilio sends: the form encoded by us, so any field name or value travels as it is.
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Each example needs its own MessageSid or update_id, else it is a duplicate and nothing is handled.
_fresh = itertools.count(1)
sids = mostly(
    st.builds(lambda: f"SM{next(_fresh):032x}"),
    st.one_of(st.text(max_size=90), st.just("SM" + "a" * 200)),
    weight=4,
)
senders = mostly(
    st.sampled_from(list(PHONES.values())),
    st.one_of(
        st.sampled_from(
            ["+12125550100", "12345", "NORTHWIND", "whatsapp:+8613800138000", "+861380013800099999999", "x" * 100]
        ),
        st.from_regex(r"\+[0-9]{0,22}", fullmatch=True),
        st.text(max_size=30),
    ),
    weight=2,
)
sms_bodies = st.one_of(
    st.sampled_from(["STOP", "HELP", "START", "我周五还", "paid yesterday", "this is harassment", "还一半"]),
    st.text(max_size=200),
    st.just("x" * 1601),
)
sms_forms = st.fixed_dictionaries(
    {"MessageSid": sids, "From": senders, "Body": sms_bodies},
    optional={
        "To": st.just("+15005550006"),
        "NumMedia": st.sampled_from(["0", "1", "x"]),
        "OptOutType": st.sampled_from(["STOP", "HELP", "START", "", "weird"]),
        "SmsSid": sids,
    },
)


@PROPERTY
@given(form=sms_forms, extra=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=20), max_size=3))
# The fault probe's own inputs, always among the examples.
@example(form={"MessageSid": "SM" + "a" * 200, "From": "+8613800138000", "Body": "hi"}, extra={})
@example(form={"MessageSid": "SMx1", "From": "x" * 100, "Body": "hi"}, extra={})
@example(form={"MessageSid": "SMx2", "From": "whatsapp:+8613800138000", "Body": "STOP"}, extra={})
@example(form={"MessageSid": "SMx3", "From": "+861380013800099999999", "Body": "hi"}, extra={})
@example(form={"MessageSid": "SMx4", "From": "+8613800138000", "Body": "x" * 5_000_000}, extra={})
@example(form={"MessageSid": "SMx5", "From": "+8613800138000", "Body": "a\x00b"}, extra={})
async def test_signed_sms_webhooks_never_fail(
    reply_world: ReplyWorld, caplog: pytest.LogCaptureFixture, form: dict[str, str], extra: dict[str, str]
) -> None:
    tracebacks = Tracebacks(caplog)
    params = {**extra, **form}
    signature = twilio_signature(AUTH_TOKEN, PUBLIC + "/webhooks/twilio/sms", params)
    response = await reply_world.client.post(
        "/webhooks/twilio/sms", data=urlencode(params), headers={**FORM, "X-Twilio-Signature": signature}
    )
    await reply_world.runtime.processor.drain()
    await no_5xx(response, tracebacks, params)
    assert response.status in (200, 400, 413), response.status
    await nothing_left_to_retry()


statuses = st.one_of(
    st.sampled_from(["queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "canceled"]),
    st.text(max_size=20),
)


@PROPERTY
@given(
    form=st.fixed_dictionaries(
        {"MessageSid": sids, "MessageStatus": statuses},
        optional={"ErrorCode": st.one_of(st.sampled_from(["30003", "", "21610"]), st.text(max_size=30))},
    )
)
async def test_signed_status_callbacks_never_fail(
    reply_world: ReplyWorld, caplog: pytest.LogCaptureFixture, form: dict[str, str]
) -> None:
    tracebacks = Tracebacks(caplog)
    signature = twilio_signature(AUTH_TOKEN, PUBLIC + "/webhooks/twilio/status", form)
    response = await reply_world.client.post(
        "/webhooks/twilio/status", data=urlencode(form), headers={**FORM, "X-Twilio-Signature": signature}
    )
    await no_5xx(response, tracebacks, form)
    assert response.status in (200, 400), response.status


@PROPERTY
@given(
    body=st.one_of(raw_bodies, st.binary(max_size=200)),
    signature=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
async def test_unsigned_or_unreadable_twilio_requests_are_4xx(
    reply_world: ReplyWorld, caplog: pytest.LogCaptureFixture, body: bytes, signature: str
) -> None:
    tracebacks = Tracebacks(caplog)
    for path in ("/webhooks/twilio/sms", "/webhooks/twilio/status"):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        response = await reply_world.client.post(path, data=body, headers=headers)
        await no_5xx(response, tracebacks, body)
        assert 400 <= response.status < 500
    assert not await Message.filter(direction="in").exists()


chats = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.sampled_from(list(CHATS.values())), ints, ints.map(str), json_values),
        "type": st.one_of(st.sampled_from(["private", "group", "supergroup", "channel"]), texts),
        "first_name": texts,
    },
)
stickers = st.fixed_dictionaries(
    {"file_id": st.just("CAACAgIAAxkB")},
    optional={
        "file_unique_id": st.just("AgAD"),
        "type": st.sampled_from(["regular", "mask"]),
        "width": st.integers(0, 512),
        "height": st.integers(0, 512),
        "is_animated": st.booleans(),
        "is_video": st.booleans(),
        "emoji": st.sampled_from(["👍", "😡", ""]),
    },
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "message_id": maybe(st.integers(min_value=1, max_value=10**6)),
        "date": maybe(st.one_of(st.just(1_796_184_000), st.integers(min_value=-(2**40), max_value=2**40))),
        "chat": st.one_of(chats, json_values),
        "from": st.one_of(
            st.fixed_dictionaries({"id": ints, "is_bot": st.booleans(), "first_name": st.just("B")}), json_values
        ),
        "text": st.one_of(texts, st.sampled_from(["/start", "/start ABC123", "STOP", "我周五还"]), json_values),
        "caption": texts,
        "sticker": st.one_of(stickers, json_values),
        "contact": st.fixed_dictionaries(
            {"phone_number": maybe(st.sampled_from(["+14155550123", "8613800138000"])), "first_name": st.just("A")},
            optional={"user_id": ints},
        ),
        "entities": maybe(st.just([{"type": "bot_command", "offset": 0, "length": 6}])),
    },
)
update_kinds = st.one_of(st.sampled_from(TELEGRAM_UPDATE_TYPES), st.text(min_size=1, max_size=12))


@PROPERTY
@given(
    update_id=mostly(st.builds(lambda: next(_fresh)) | st.builds(lambda: 2**70 + next(_fresh)), json_values, weight=5),
    kind=mostly(st.sampled_from(["message", "edited_message", "my_chat_member", "callback_query"]), update_kinds),
    event=mostly(messages, json_values),
)
@example(update_id=2**70, kind="message", event={"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}})
@example(update_id=11, kind="poll", event={"id": "1"})
@example(update_id=12, kind="message", event={"message_id": 1, "text": "no chat, no date"})
@example(update_id=13, kind="message", event={"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                              "sticker": {"file_id": "x"}})  # fmt: skip
@example(update_id=14, kind="message", event={"message_id": 1, "date": 1, "chat": {"id": 2**70, "type": "private"}})
async def test_telegram_updates_never_fail(
    reply_world: ReplyWorld, caplog: pytest.LogCaptureFixture, update_id: Any, kind: str, event: Any
) -> None:
    tracebacks = Tracebacks(caplog)
    update = {"update_id": update_id, kind: event}
    response = await reply_world.client.post(
        "/webhooks/telegram", data=as_json(update), headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    )
    await reply_world.runtime.processor.drain()
    await no_5xx(response, tracebacks, update)
    assert response.status in (200, 400), response.status
    await nothing_left_to_retry()


@PROPERTY
@given(body=raw_bodies, secret=st.sampled_from([TG_SECRET, "", "wrong"]))
async def test_unreadable_telegram_bodies_are_4xx(
    reply_world: ReplyWorld, caplog: pytest.LogCaptureFixture, body: bytes, secret: str
) -> None:
    tracebacks = Tracebacks(caplog)
    response = await reply_world.client.post(
        "/webhooks/telegram", data=body, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
    )
    await no_5xx(response, tracebacks, body)
    assert 400 <= response.status < 500


# --- the API and the console: bodies and path parameters ---------------------------------------


@pytest.fixture
async def staff_world(db: str) -> AsyncIterator[Any]:
    """The staff suite's world (API and console over one app), seeded, with a case of each kind."""
    async for world in make_staff_world(db):
        await seed(world)
        for borrower_id, kind in (("B1", "hardship"), ("B2", "complaint"), ("B3", "dispute")):
            await open_for(world, borrower_id, kind)
        yield world


# What each kind of path parameter holds when it names something that exists (the seeded world's).
KNOWN: dict[str, list[str]] = {
    "case_id": ["1", "2", "3"],
    "borrower_id": ["B1", "B2", "B3"],
    "loan_id": ["L1", "L2", "L3"],
    "kind": ["cease", "do_not_contact", "attorney"],
    "action": ["note", "assign", "take", "resolve", "reply", "pause", "add", "disable"],
}
odd_values = st.one_of(texts, ints.map(str))


def path_values(name: str) -> st.SearchStrategy[str]:
    known = KNOWN.get(name)
    return mostly(st.sampled_from(known), odd_values, weight=2) if known else odd_values


def draw_path(data: st.DataObject, template: str) -> str:
    """The route's path with each ``{param}`` drawn and percent-encoded as a client would send it."""
    names = re.findall(r"\{([^}:]+)[^}]*\}", template)
    values = [data.draw(path_values(name), label=name) for name in names]
    return fill(template, values)


query_values = mostly(st.sampled_from(["B1", "1", "10", "open", "complaints", "2026-12-01", "day"]), odd_values)


def fill(template: str, values: list[str]) -> str:
    """A route's path with its ``{params}`` replaced, percent-encoded as a client would send them."""
    given_values = iter(values)
    return re.sub(r"\{[^}]+\}", lambda _match: quote(next(given_values), safe=""), template)


def routes(app: Any, prefix: str) -> list[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(prefix) and "{" in path and route.method != "HEAD":
            found.add((route.method, path))
    return sorted(found)


api_objects = st.one_of(
    st.fixed_dictionaries(
        {"staff": maybe(st.sampled_from(["sam", "ada", "amy", "cora", "carl", "nobody", "a" * 65]))},
        optional={
            "text": maybe(st.sampled_from(["Called, will pay Friday", "x" * 5000])),
            "outcome": maybe(st.sampled_from(["paid", "no_action", "complaint_upheld", "dispute_rejected"])),
            "kind": maybe(st.sampled_from(["cease", "do_not_contact", "attorney", "nope"])),
            "note": maybe(st.just("a note")),
        },
    ),
)
api_bodies = mostly(api_objects.map(as_json), st.one_of(json_values.map(as_json), raw_bodies))


@PROPERTY
@given(data=st.data())
async def test_api_path_parameters_and_bodies_never_fail(
    staff_world: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    tracebacks = Tracebacks(caplog)
    table = routes(staff_world.client.server.app, "/api/")
    method, template = data.draw(st.sampled_from(table), label="route")
    path = draw_path(data, template)
    query = data.draw(
        st.dictionaries(
            st.sampled_from(["borrower_id", "limit", "status", "queue", "since", "until", "every", "by"]),
            query_values,
            max_size=3,
        ),
        label="query",
    )
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    body = data.draw(api_bodies, label="body")
    response = await staff_world.client.request(
        method, path, data=body, headers={**STAFF_AUTH, "Content-Type": "application/json"}
    )
    await no_5xx(response, tracebacks, (method, path))


@PROPERTY
@given(data=st.data())
async def test_api_reads_without_path_parameters_never_fail(
    staff_world: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    tracebacks = Tracebacks(caplog)
    path = data.draw(st.sampled_from(["/api/v1/promises", "/api/v1/cases", "/healthz", "/metrics"]))
    query = data.draw(
        st.dictionaries(st.sampled_from(["borrower_id", "limit", "status", "queue", "x"]), query_values, max_size=3)
    )
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    response = await staff_world.client.get(path, headers=STAFF_AUTH)
    await no_5xx(response, tracebacks, path)


@PROPERTY
@given(
    rows=mostly(st.lists(loan_rows, min_size=1, max_size=3), json_values),
    raw=raw_bodies,
    use_raw=mostly(st.just(False), st.just(True)),
)
async def test_loan_book_bodies_never_fail(
    staff_world: Any, caplog: pytest.LogCaptureFixture, rows: Any, raw: bytes, use_raw: bool
) -> None:
    tracebacks = Tracebacks(caplog)
    body = raw if use_raw else as_json({"rows": rows})
    response = await staff_world.client.post(
        "/api/v1/loans", data=body, headers={**STAFF_AUTH, "Content-Type": "application/json"}
    )
    await no_5xx(response, tracebacks, body[:300])


@PROPERTY
@given(payment=mostly(payments, json_values))
async def test_payment_bodies_never_fail(staff_world: Any, caplog: pytest.LogCaptureFixture, payment: Any) -> None:
    tracebacks = Tracebacks(caplog)
    response = await staff_world.client.post(
        "/api/v1/payments", data=as_json(payment), headers={**STAFF_AUTH, "Content-Type": "application/json"}
    )
    await no_5xx(response, tracebacks, payment)


@PROPERTY
@given(data=st.data())
async def test_console_path_parameters_never_fail(
    staff_world: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    tracebacks = Tracebacks(caplog)
    client = staff_world.client
    if not getattr(staff_world, "signed_in", False):  # once for all examples: an admin sees every page
        assert (await login(client, "ada")).status in (302, 303)
        staff_world.signed_in = True
    table = [(m, p) for m, p in routes(client.server.app, "/console/") if m == "GET"]
    _method, template = data.draw(st.sampled_from(table), label="route")
    response = await client.get(draw_path(data, template), allow_redirects=False)
    await no_5xx(response, tracebacks, template)


# --- the loan-book reader (pure) ------------------------------------------------------------------

cells = st.one_of(
    st.sampled_from(["B1", "Li Wei", "+8613800138000", "", "zh", "Asia/Shanghai", "sms", "L1", "CNY", "1"]),
    st.sampled_from(["2026-12-10", "1200.00", "10.001", "9999999999999999999", '"quoted, comma"', '"open']),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12),
)


def csv_texts(columns: tuple[str, ...]) -> st.SearchStrategy[str]:
    header = st.one_of(
        st.just(",".join(columns)),
        st.permutations(list(columns)).map(",".join),
        st.lists(st.sampled_from([*columns, "extra", ""]), max_size=len(columns) + 2).map(",".join),
    )
    line = st.lists(cells, min_size=0, max_size=len(columns) + 2).map(",".join)
    ending = st.sampled_from(["\n", "\r\n", "\r"])
    body = st.lists(st.tuples(line, ending).map("".join), max_size=6).map("".join)
    structured = st.tuples(st.sampled_from(["", "\ufeff"]), header, ending, body).map("".join)
    return st.one_of(structured, structured, st.text(max_size=200))


def _same_when_streamed(parse: Callable[[Any], Any], text: str) -> None:
    whole = parse(text)
    assert whole.errors == sorted(whole.errors, key=lambda e: e.where)
    assert all(e.where >= 1 for e in whole.errors)
    assert parse(io.StringIO(text, newline="")) == whole


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(text=csv_texts(LOAN_COLUMNS))
def test_the_loan_book_reader_never_raises_and_streams_alike(text: str) -> None:
    _same_when_streamed(parse_loans_csv, text)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(text=csv_texts(PAYMENT_COLUMNS))
def test_the_payments_reader_never_raises_and_streams_alike(text: str) -> None:
    _same_when_streamed(parse_payments_csv, text)
