"""The demo: local Twilio and Telegram stand-ins, a sample loan book, a simulated fortnight printed
as a timeline, then the real server left running for a look at the API (until Ctrl-C)."""

from __future__ import annotations

import asyncio
import secrets
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.demo.book import REPLIES, DemoBorrower, DemoReply, demo_borrowers, loan_book_csv
from bot.services import Services
from bot.standins import TelegramStandin, TwilioStandin
from scheduler.dispatch import DispatchEvent
from storage.views import plain_text

ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "demo-twilio-auth-token"
BOT_TOKEN = "424242:DEMO-bot-token"
API_TOKEN = "demo-token"
SIM_DAYS = 14
# A console account for the demo only (the demo's database is thrown away on the next run).
STAFF_USER, STAFF_PASSWORD = "demo", "demo-password"
FROM = "+15005550006"


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two columns of a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


@dataclass
class SimClock:
    """The logical clock of the simulation; after it, real time."""

    now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)


@dataclass
class Timeline:
    out: TextIO
    names: dict[str, tuple[str, str]]  # borrower_id -> (name, zone)
    seen_holds: set[tuple[str, str | None]] = field(default_factory=set)
    current_day: date | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def show(self, events: Iterable[DispatchEvent]) -> None:
        for event in events:
            if event.outcome in ("deferred", "retry"):
                key = (event.message_key, event.rule)
                if key in self.seen_holds:
                    continue
                self.seen_holds.add(key)
            self.counts[event.outcome] = self.counts.get(event.outcome, 0) + 1
            self._line(event)

    def _line(self, event: DispatchEvent) -> None:
        name, zone = self.names.get(event.borrower_id, ("?", "UTC"))
        local = event.at.astimezone(ZoneInfo(zone))
        day = event.at.date()
        if day != self.current_day:
            self.current_day = day
            self.out.write(f"\n── {day:%a %d %b %Y} (UTC) " + "─" * 50 + "\n")
        tier = event.message_key.split(":")[2] if event.message_key.count(":") >= 3 else ""
        who = f"{event.borrower_id} {name}"
        where = f"{local:%a %d %b %H:%M} {zone.split('/')[-1]}"
        if event.outcome == "sent":
            text = " ".join(plain_text(event.text or "", event.channel).split())
            text = text if len(text) <= 70 else text[:69] + "…"
            detail = f"sent on {event.channel}: {text}"
        elif event.outcome == "failed":
            detail = f"{event.channel} refused it ({event.rule}): {event.reason or ''}"
        elif event.outcome == "deferred":
            detail = f"held back [{event.rule}] {event.reason}"
        elif event.outcome == "skipped":
            detail = f"skipped [{event.rule}] {event.reason}"
        else:
            detail = f"{event.outcome} [{event.rule}] {event.reason or ''}"
        self.out.write(f"  {where:<32} {_pad(who, 18)} {tier:<5} {detail}\n")


async def _start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise SystemExit(f"duebot demo: cannot listen on {host}:{port} ({exc.strerror}); try --port") from None
    return runner


@dataclass
class ReplyDriver:
    """Sends the demo borrowers' replies through the service's real webhooks (signed, as Twilio
    and Telegram would) and says what became of them."""

    base: str
    app: web.Application
    services: Services
    out: TextIO
    sent: int = 0

    async def say(self, http: object, reply: DemoReply, borrower: DemoBorrower, now: datetime) -> None:
        import aiohttp

        from bot.conversation.runtime import telegram_webhook_secret
        from bot.standins import twilio_signature
        from bot.webhooks.slot import INBOUND
        from storage.models import Case, Message

        assert isinstance(http, aiohttp.ClientSession)
        self.sent += 1
        if reply.channel == "sms":
            params = {"MessageSid": f"SMDEMO{self.sent:026d}", "AccountSid": ACCOUNT_SID, "From": borrower.phone,
                      "To": FROM, "Body": reply.text}  # fmt: skip
            signature = twilio_signature(AUTH_TOKEN, self.base + "/webhooks/twilio/sms", params)
            answer = await http.post(self.base + "/webhooks/twilio/sms", data=params,
                                     headers={"X-Twilio-Signature": signature})  # fmt: skip
        else:
            chat = {"id": borrower.chat_id, "type": "private", "first_name": borrower.name}
            update = {"update_id": 9000 + self.sent, "message": {"message_id": self.sent, "date": int(now.timestamp()),
                      "chat": chat, "from": {"id": borrower.chat_id, "is_bot": False, "first_name": borrower.name},
                      "text": reply.text}}  # fmt: skip
            secret = telegram_webhook_secret(self.services)
            answer = await http.post(self.base + "/webhooks/telegram", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": secret})  # fmt: skip
        answer.raise_for_status()
        processor = self.app[INBOUND].processor
        assert processor is not None
        await processor.drain()
        inbound = await Message.filter(direction="in").order_by("-id").first()
        assert inbound is not None
        answers = await Message.filter(direction="out", idempotency_key__startswith=f"reply:{inbound.id}:").all()
        # The answer lane sends in the background; let it finish before the simulated clock moves
        # on (an hour later its claim would look abandoned and the answer's fate unknown).
        for _ in range(100):
            if all(m.status not in ("planned", "claimed", "sending") for m in answers):
                break
            await asyncio.sleep(0.02)
            answers = await Message.filter(direction="out", idempotency_key__startswith=f"reply:{inbound.id}:").all()
        cases = await Case.filter(opened_at=now, borrower_id=inbound.borrower_id).all()
        local = now.astimezone(ZoneInfo(borrower.timezone))
        where = f"{local:%a %d %b %H:%M} {borrower.timezone.split('/')[-1]}"
        who = _pad(f"{borrower.borrower_id} {borrower.name}", 18)
        self.out.write(f"  {where:<32} {who} replied on {reply.channel}: {reply.text!r}  ({reply.note})\n")
        said = f"understood as {inbound.intent}"
        for case in cases:
            said += f"; {case.kind} case {case.reference} in the {case.queue} queue"
        self.out.write(f"{'':<35}→ {said}\n")
        for message in answers:
            text = " ".join(plain_text(message.body or "", message.channel).split())
            text = text if len(text) <= 90 else text[:89] + "…"
            self.out.write(f"{'':<35}→ answered on {message.channel} ({message.status}): {text}\n")


def _reset(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("duebot.sqlite3*"):
        old.unlink()
    return directory / "duebot.sqlite3"


async def run_demo(host: str, port: int, directory: Path, serve: bool, out: TextIO = sys.stdout) -> int:
    from bot.commands.serve import service_context
    from bot.web import build_app
    from bot.wiring import SCHEDULER
    from config.policy import DEFAULT_POLICY_PATH, _read_toml, deep_merge, parse_policy
    from config.settings import Settings
    from storage.importer import import_loan_rows, import_payment_rows
    from storage.interaction_log import InteractionLog, LogEvent
    from storage.loanbook import parse_loans_csv, parse_payments_csv
    from storage.models import Borrower, Restriction

    db_path = _reset(directory)
    clock = SimClock()
    twilio = TwilioStandin(ACCOUNT_SID, AUTH_TOKEN, default_callbacks=("sent", "delivered"), auto_callbacks=False)
    telegram = TelegramStandin(BOT_TOKEN, max_long_poll=1.0)
    async with twilio.running() as twilio_url, telegram.running() as telegram_url:
        secret_file = directory / "duebot.secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(32))
            secret_file.chmod(0o600)
        settings = Settings(
            database_url=f"sqlite://{db_path}",
            api_token=API_TOKEN,
            secret_key_file=str(secret_file),
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_from="+15005550006",
            twilio_api_base=twilio_url,
            telegram_bot_token=BOT_TOKEN,
            telegram_api_base=telegram_url,
            public_base_url=f"http://{host}:{port}",
            lender_name="Northwind Finance",
            lender_contact="400-800-1234",
        )
        # The simulation runs a fortnight in seconds: the stand-ins can take a faster pace.
        policy = parse_policy(
            deep_merge(_read_toml(DEFAULT_POLICY_PATH), {"sending": {"twilio_per_second": 200.0}}), "demo policy"
        )
        services = Services(
            settings=settings, policy=policy, log=InteractionLog(settings.signing_key()), clock=clock, lease_clock=clock
        )
        app = build_app(services)
        app.cleanup_ctx.append(service_context(services, run_passes=False))
        runner = await _start_web(app, host, port)
        closing: list[aiohttp.ClientSession] = []
        try:
            scheduler = app[SCHEDULER]
            # The fortnight simulated is the one that ends today at 00:00 UTC, so that the report's
            # default period (the last 30 days up to yesterday) covers it.
            start = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC) - timedelta(
                days=SIM_DAYS
            )
            clock.now = start
            parsed = parse_loans_csv(loan_book_csv(start.date()))
            result = await import_loan_rows(parsed.rows, now=start, log=services.log, actor="demo")
            telegram.blocked(700000004)  # B05
            for b in demo_borrowers():
                if b.borrower_id == "B06":
                    twilio.reject(b.phone, 21610)
            b10 = await Borrower.get(borrower_id="B10")
            await Restriction.create(
                borrower=b10, kind="cease", note="written cease request", created_at=start, created_by="demo"
            )
            await services.log.append(LogEvent("restriction.set", start, "B10", "demo", {"kind": "cease"}))
            from storage.staff import create_staff

            await create_staff(STAFF_USER, "supervisor", [], STAFF_PASSWORD, now=start, log=services.log, actor="demo")
            names = {b.borrower_id: (b.name, b.timezone) for b in demo_borrowers()}
            borrowers = {b.borrower_id: b for b in demo_borrowers()}
            out.write(
                f"duebot demo: {result.borrowers} borrowers, {result.loans} loans, {result.installments} installments "
                f"in {len({b.timezone for b in demo_borrowers()})} time zones; simulating the {SIM_DAYS} days "
                f"from {start:%d %b %Y} to today, one pass an hour.\n"
            )
            for b in demo_borrowers():
                if b.note:
                    out.write(f"  {b.borrower_id} {b.name}: {b.note}\n")
            timeline = Timeline(out, names)
            driver = ReplyDriver(f"http://{host}:{port}", app, services, out)
            http = aiohttp.ClientSession()
            closing.append(http)
            for hour in range(SIM_DAYS * 24):
                now = start + timedelta(hours=hour)
                clock.now = now
                if hour == 3 * 24 + 6:
                    payments = parse_payments_csv(
                        "payment_id,loan_id,amount,paid_at\n"
                        f"DEMO-P1,L03,{_amount('B03')},{now.isoformat()}\n"
                        f"DEMO-P2,L12,100.00,{now.isoformat()}\n"
                    )
                    await import_payment_rows(payments.rows, now=now, log=services.log, actor="demo")
                    out.write(f"\n  [{now:%d %b %H:%M} UTC] payments imported: B03 in full, B12 in part\n")
                if hour == 9 * 24 + 6:
                    payments = parse_payments_csv(
                        f"payment_id,loan_id,amount,paid_at\nDEMO-P3,L12,80.00,{now.isoformat()}\n"
                    )
                    await import_payment_rows(payments.rows, now=now, log=services.log, actor="demo")
                    out.write(f"\n  [{now:%d %b %H:%M} UTC] payment imported: B12 in part again\n")
                summary = await scheduler.servicing.run(now)
                timeline.show(summary.skipped_events)
                timeline.show(summary.dispatch.events)
                for warning in summary.warnings:
                    out.write(f"  WARNING {warning}\n")
                for label, count in sorted(summary.follow_ups.items()):
                    if not label.startswith("reports."):  # the dashboard's daily figures: bookkeeping
                        out.write(f"  [{now:%d %b %H:%M} UTC] follow-up {label}: {count}\n")
                for reply in (r for r in REPLIES if r.hour == hour):
                    await driver.say(http, reply, borrowers[reply.borrower_id], now)
                await twilio.flush_callbacks()  # delivery receipts reach /webhooks/twilio/status
            clock.now = None
            check = await services.log.verify()
            out.write("\n" + "═" * 78 + "\n")
            out.write(
                "Fortnight done: "
                + ", ".join(f"{k} {v}" for k, v in sorted(timeline.counts.items()))
                + f"; {len(twilio.creates())} SMS and "
                f"{len([r for r in telegram.requests if r.endpoint == 'sendMessage'])} Telegram requests reached the "
                f"stand-ins.\nInteraction log: {'OK' if check.first_break is None else 'BROKEN'} "
                f"({check.checked} entries, hash-chained per borrower).\n"
            )
            from storage.models import Case

            cases = await Case.all().order_by("id").prefetch_related("borrower")
            out.write(f"Cases for staff: {len(cases)}\n")
            for case in cases:
                who = case.borrower.borrower_id if case.borrower else "unknown sender"
                out.write(f"  {case.reference:<20} {case.kind:<15} {case.queue:<12} {case.priority:<7} {who}\n")
            await _print_risk(out, names)
            out.write(
                f"Figures for the fortnight: DUEBOT_DATABASE_URL=sqlite://{db_path} duebot report --format table "
                "(or --by tier --format json; README: Reports)\n"
            )
            if not serve:
                return 0
            base = f"http://{host}:{port}"
            out.write(
                f"\nThe service is running at {base} (Ctrl-C to stop):\n"
                f"  {base}/healthz\n  {base}/metrics\n"
                f"  curl -H 'Authorization: Bearer {API_TOKEN}' {base}/api/v1/borrowers/B01\n"
                f"  curl -H 'Authorization: Bearer {API_TOKEN}' {base}/api/v1/loans/L03\n"
                f"  console: {base}/console/ (user {STAFF_USER}, password {STAFF_PASSWORD}); "
                f"reports at {base}/console/reports\n"
                f"  curl -H 'Authorization: Bearer {API_TOKEN}' '{base}/api/v1/reports?by=tier'\n"
                f"Database: {db_path}\n"
            )
            out.flush()
            await asyncio.Event().wait()
            return 0
        finally:
            for session in closing:
                await session.close()
            await runner.cleanup()


async def _print_risk(out: TextIO, names: dict[str, tuple[str, str]]) -> None:
    """Risk tiers and early warnings as the last daily review left them."""
    from storage.models import Borrower, BorrowerRisk

    ids = dict(await Borrower.all().values_list("id", "borrower_id"))
    rows = await BorrowerRisk.all().order_by("borrower_id")
    tiers = {t: sum(1 for r in rows if r.tier == t) for t in ("A", "B", "C")}
    levels = {lv: sum(1 for r in rows for w in r.warnings if w["level"] == lv) for lv in ("yellow", "orange", "red")}
    out.write(
        "Risk tiers: " + ", ".join(f"{t} {n}" for t, n in tiers.items())
        + "; early warnings: " + ", ".join(f"{lv} {n}" for lv, n in levels.items()) + "\n"
    )  # fmt: skip
    # The borrowers worth a look: tier C, or a warning besides the first installment left unpaid.
    for r in rows:
        if r.tier == "C" or any(w["signal"] != "first_payment_default" for w in r.warnings):
            bid = ids.get(r.borrower_id, "?")
            who = _pad(f"{bid} {names.get(bid, ('?', ''))[0]}", 18)
            warned = ", ".join(f"{w['signal']} ({w['level']})" for w in r.warnings) or "no warnings"
            out.write(f"  {who} tier {r.tier} score {r.score:<4} {warned}\n")


def _amount(borrower_id: str) -> str:
    return next(b.amount for b in demo_borrowers() if b.borrower_id == borrower_id)
