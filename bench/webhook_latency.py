"""Webhook latency: signed Twilio SMS webhooks at a fixed rate, store-and-200, beside a pass, against a bare handler.

    .venv/bin/python bench/webhook_latency.py [--db sqlite|postgres] [--rate N] [--seconds S] [--book N]
                                              [--with-pass [tick|serve]]

Builds a loan book of ``--book`` installments (two per borrower, US numbers that phonenumbers accepts),
``duebot import loans`` it into a fresh database (a SQLite file, or a throw-away PostgreSQL database
created beside ``--postgres-url``'s and dropped afterwards), starts the Twilio stand-in
(``python -m bot.standins twilio``) and then, at the same rate and for the same number of seconds:

1. a bare aiohttp handler in its own process: ``RequestValidator`` check, empty TwiML (the ceiling);
2. ``duebot serve`` as a subprocess, with Twilio pointed at the stand-in and
   ``DUEBOT_PUBLIC_BASE_URL=http://127.0.0.1:PORT`` so the signatures check.

Requests are ``POST /webhooks/twilio/sms``, form-encoded like Twilio's, signed as Twilio signs
(base64 HMAC-SHA1 of the URL and the sorted key+value pairs), each from a distinct known borrower
where the book is big enough. The load is open-loop: request i is due at ``start + i/rate`` and goes
then, whatever the earlier ones are doing; its latency runs from that due time to the last byte of
the answer, so a stalled server is charged for the requests queued behind it.

``--with-pass`` (``tick``, the default) starts ``duebot tick --now`` at the same moment as the load:
the first pass of a day on which about a third of the borrowers reach a tier (everything is planned
and logged; nothing is due before the window opens, so nothing is sent). Its day lies 45 days ahead,
so ``serve``'s own minute passes find nothing of the book. ``--with-pass serve`` puts the book's day
on today instead, so ``serve``'s own first pass (two seconds after it starts) is that first-of-day
pass, in the process that answers the webhooks. The borrowers live in a time zone where it is night
now (00:30-07:30), so no reminder is due during the run.

Afterwards: every MessageSid that was answered 200 must be stored exactly once (``messages``,
direction ``in``) and handled (status ``handled``) exactly once (one ``message.received`` entry in the
interaction log); the bench waits (``--handling-timeout``) for the backlog and says how long it took.
Answers go at ``--sms-pace`` (default high, as in bench/dispatch_bench.py, so the SMS pace does not
hold the handling up; ``--sms-pace 1`` shows the default pace's effect).

``--json FILE`` also writes the key figures (serve's p50/p95/p99/max beside the bare handler's, the
target, the exactly-once check) as JSON, for ``bench/run_all.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import math
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
OUR_NUMBER = "+15005550006"
PATH = "/webhooks/twilio/sms"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
PER_BORROWER = 2
PASS_DAYS_AHEAD = 45
TARGET_P99_MS = 50.0  # issue 8, item 5
TWILIO_GIVES_UP = 15.0  # seconds; Twilio logs error 11200 and drops the webhook
HEADER = (
    "borrower_id,full_name,phone,telegram_chat_id,locale,timezone,preferred_channel,"
    "loan_id,product,currency,installment_no,due_date,amount_due\n"
)
# Zones whose offsets are at most five hours apart: at any instant one of them is at night.
ZONES = (
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/Moscow",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)
TEXTS = ("How much do I owe?", "ok thanks", "When is my next payment due?", "received, thank you")


# --- the book ---------------------------------------------------------------------------------------


def night_zone(now: datetime) -> ZoneInfo:
    """A zone where it is between 00:30 and 07:30 now: before any send window, the day well begun."""
    for name in ZONES:
        local = now.astimezone(ZoneInfo(name))
        minutes = local.hour * 60 + local.minute
        if 30 <= minutes <= 7 * 60 + 30:
            return ZoneInfo(name)
    raise RuntimeError("no zone in the list is at night now")  # the list's gaps are under 7 h


def phone(n: int) -> str:
    # +1 212 555 0000 upwards: exchanges 555..999 are all valid NANP numbers to phonenumbers.
    return f"+1212{5550000 + n:07d}"


def write_book(path: Path, installments: int, zone: ZoneInfo, day: date, seed: int = 7) -> list[str]:
    """Two installments a borrower, 30 days apart; the first due between 30 days before ``day`` and
    3 days after it, so on ``day`` about a third of the borrowers reach a tier. Returns the phones."""
    rng = random.Random(seed)
    borrowers = max(1, math.ceil(installments / PER_BORROWER))
    phones = []
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for b in range(borrowers):
            number = phone(b)
            phones.append(number)
            first = day + timedelta(days=rng.randint(-30, 3))
            for k in range(PER_BORROWER):
                if written == installments:
                    break
                due = first + timedelta(days=30 * k)
                fh.write(
                    f"W{b:07d},Borrower {b},{number},,en,{zone.key},sms,L{b:07d},personal,USD,{k + 1},"
                    f"{due.isoformat()},{rng.randrange(50, 900)}.00\n"
                )
                written += 1
    return phones


# --- Twilio's request -------------------------------------------------------------------------------


def signature(url: str, params: dict[str, str]) -> str:
    """As Twilio signs a webhook: base64(HMAC-SHA1(auth token, URL + sorted key+value pairs))."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(AUTH_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def sms_form(sid: str, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (the same set, so parsing and signing cost the same)."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "10001", "SmsSid": sid, "FromState": "NY", "SmsStatus": "received", "FromCity": "NEW YORK",
        "Body": body, "FromCountry": "US", "To": OUR_NUMBER, "ToZip": "", "NumSegments": "1",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01",
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Request:
    sid: str
    form: dict[str, str]
    signature: str


def build_requests(base_url: str, phones: Sequence[str], count: int, tag: str, seed: int = 11) -> list[Request]:
    rng = random.Random(seed)
    if count <= len(phones):
        senders = rng.sample(list(phones), count)  # a distinct borrower for each request
    else:
        senders = [phones[i % len(phones)] for i in range(count)]
    url = base_url + PATH
    out = []
    for i, sender in enumerate(senders):
        sid = f"SM{tag}{i:08d}".ljust(34, "0")[:34]
        form = sms_form(sid, sender, TEXTS[i % len(TEXTS)])
        out.append(Request(sid, form, signature(url, form)))
    return out


# --- the load ---------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one open-loop run saw. Times are loop times (seconds)."""

    started: float = 0.0
    due: list[float] = field(default_factory=list)
    latency: list[float | None] = field(default_factory=list)  # None: no answer
    status: list[int | None] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    late_start: float = 0.0  # the generator's worst delay in sending a request after its due time


async def fire(url: str, requests: Sequence[Request], rate: float, wait: float) -> Load:
    load = Load(due=[0.0] * len(requests), latency=[None] * len(requests), status=[None] * len(requests))
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=wait)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as http:
        loop = asyncio.get_running_loop()

        async def one(i: int, due: float) -> None:
            load.late_start = max(load.late_start, loop.time() - due)
            req = requests[i]
            try:
                async with http.post(url, data=req.form, headers={"X-Twilio-Signature": req.signature}) as response:
                    await response.read()
                    load.status[i] = response.status
                    if response.status != 200:
                        load.errors[f"HTTP {response.status}"] += 1
            except TimeoutError:
                load.errors[f"no answer in {wait:.0f} s"] += 1
                return
            except aiohttp.ClientError as exc:
                load.errors[type(exc).__name__] += 1
                return
            load.latency[i] = loop.time() - due

        tasks = []
        load.started = loop.time() + 0.05
        for i in range(len(requests)):
            due = load.started + i / rate
            load.due[i] = due
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
    return load


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- the bare handler (run as a child: python bench/webhook_latency.py --bare-server) ---------------


async def bare_server() -> None:
    from twilio.request_validator import RequestValidator

    base = ""

    async def sms(request: web.Request) -> web.Response:
        form = await request.post()
        params = {k: str(v) for k, v in form.items()}
        signed = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(AUTH_TOKEN).validate(base + PATH, params, signed):
            raise web.HTTPForbidden(text="invalid X-Twilio-Signature")
        return web.Response(text=EMPTY_TWIML, content_type="text/xml", charset="utf-8")

    app = web.Application()
    app.router.add_post(PATH, sms)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    print(f"READY {base}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


# --- processes --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def spawn_ready(*args: str, env: dict[str, str] | None = None) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, env=env)
    assert process.stdout is not None
    async with asyncio.timeout(30):
        line = (await process.stdout.readline()).decode().strip()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"{args[1:3]} did not start (said {line!r})")
    return process, line.removeprefix("READY ")


async def stop(process: asyncio.subprocess.Process, grace: float = 15.0) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        async with asyncio.timeout(grace):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


@contextlib.contextmanager
def database(kind: str, tmp: Path, postgres_url: str) -> Iterator[str]:
    """A fresh SQLite file in ``tmp``, or a throw-away PostgreSQL database (dropped afterwards)."""
    if kind == "sqlite":
        path = tmp / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite://{path}"
        return
    name = f"duebot_webhook_bench_{os.getpid()}"
    admin = postgres_url
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        yield urlparse(admin)._replace(path=f"/{name}").geturl()
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


# --- reading the outcome back -----------------------------------------------------------------------


async def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite://"), timeout=30)) as db:
            return list(db.execute(sql))
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def inbound_states(url: str) -> dict[str, str]:
    rows = await query(url, "SELECT provider_event_id, status FROM messages WHERE direction = 'in'")
    return {str(sid): str(status) for sid, status in rows}


async def received_entries(url: str) -> Counter[str]:
    rows = await query(url, "SELECT data FROM interaction_log WHERE kind = 'message.received'")
    return Counter(str(json.loads(data).get("event_id")) for (data,) in rows)


async def answers(url: str) -> Counter[str]:
    rows = await query(url, "SELECT status FROM messages WHERE direction = 'out' AND idempotency_key LIKE 'reply:%'")
    return Counter(str(s) for (s,) in rows)


# --- one run ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    bare: Load
    served: Load
    requests: list[Request]  # the measured ones; every request sent to serve is in ``sent``
    sent: list[tuple[Request, int | None]] = field(default_factory=list)  # (request, HTTP status)
    warm: tuple[Load, Load] | None = None  # the warm-up runs (bare, serve): not in the table
    pass_window: tuple[float, float] | None = None  # loop times the pass ran (start, end)
    pass_note: str = ""
    handled_after: float | None = None  # seconds after the last request until all were handled
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    serve_log: Counter[str] = field(default_factory=Counter)
    # serve's CPU seconds during the measured run, and from the warm-up's start to the backlog's end
    serve_cpu: tuple[float, float] | None = None
    machine_busy: float | None = None  # the machine's busy CPUs (of os.cpu_count()) during the measured run

    def ok_sids(self) -> set[str]:
        return {r.sid for r, status in self.sent if status == 200}


def base_env(url: str, twilio_base: str, public_base: str, policy: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DUEBOT_DATABASE_URL": url,
        "DUEBOT_SECRET_KEY": "bench",
        "DUEBOT_POLICY_FILE": str(policy),
        "DUEBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "DUEBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "DUEBOT_TWILIO_FROM": OUR_NUMBER,
        "DUEBOT_TWILIO_API_BASE": twilio_base,
        "DUEBOT_PUBLIC_BASE_URL": public_base,
    }


async def wait_healthy(base: str, process: asyncio.subprocess.Process, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"duebot serve exited {process.returncode} at start")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("duebot serve did not answer /healthz in time")


def read_text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def busy_cpus(before: tuple[float, float], after: tuple[float, float]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


def count_log(path: Path) -> Counter[str]:
    text = read_text(path)
    return Counter(
        {
            "database is locked": text.count("database is locked"),
            "tracebacks": text.count("Traceback"),
            "errors logged": len(re.findall(r"^\S+ \S+ (?:ERROR|CRITICAL) ", text, re.M)),
        }
    )


async def run(args: argparse.Namespace, tmp: Path) -> Outcome:
    real_now = datetime.now(UTC)
    zone = night_zone(real_now)
    local_now = real_now.astimezone(zone)
    in_serve = args.with_pass == "serve"
    day = local_now.date() if in_serve else local_now.date() + timedelta(days=PASS_DAYS_AHEAD)
    pass_at = datetime.combine(day, local_now.time().replace(microsecond=0), tzinfo=zone)
    book = tmp / "book.csv"
    phones = write_book(book, args.book, zone, day)
    count = int(args.rate * args.seconds)
    warm = int(args.rate * args.warmup)
    policy = tmp / "policy.toml"
    policy.write_text(f"[sending]\ntwilio_per_second = {args.sms_pace}\n")

    with database(args.db, tmp, args.postgres_url) as url:
        print(f"{args.db}: {args.book:,} installments, {len(phones):,} borrowers in {zone.key} "
              f"(local {local_now:%H:%M}); pass at {pass_at.isoformat()}", flush=True)  # fmt: skip
        env = base_env(url, "http://127.0.0.1:9", "http://127.0.0.1:9", policy)
        started = time.perf_counter()
        imported = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "import", "loans", str(book), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await imported.communicate()
        if imported.returncode != 0:
            raise SystemExit(f"import failed ({imported.returncode}):\n{err.decode()[-3000:]}")
        said = out.decode().strip().splitlines()[-1]
        print(f"  imported in {time.perf_counter() - started:.1f} s: {said}", flush=True)
        if not in_serve:
            # The last pass a minute before the borrowers' local day began: the measured pass is that
            # day's first (it plans the day's tiers; the planner plans only what is new).
            await set_plan_watermark(url, datetime.combine(day, dtime(0), tzinfo=zone) - timedelta(minutes=1))

        standin, twilio_base = await spawn_ready(
            sys.executable, "-m", "bot.standins", "twilio", "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN
        )
        try:
            # 1. The ceiling: the bare handler, same rate, same number of requests.
            bare, bare_base = await spawn_ready(sys.executable, __file__, "--bare-server")
            try:
                bare_warm = await fire(bare_base + PATH, build_requests(bare_base, phones, warm, "A"), args.rate, 5)
                bare_requests = build_requests(bare_base, phones, count, "B", seed=12)
                bare_load = await fire(bare_base + PATH, bare_requests, args.rate, args.timeout)
            finally:
                await stop(bare)
            print(f"  bare handler: {summary_line(bare_load)}", flush=True)

            # 2. duebot serve.
            port = free_port()
            serve_base = f"http://127.0.0.1:{port}"
            env = base_env(url, twilio_base, serve_base, policy)
            serve_log = tmp / "serve.log"
            with serve_log.open("wb") as log_fh:
                serve = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                    env=env, stdout=log_fh, stderr=log_fh,
                )  # fmt: skip
            spawned = asyncio.get_running_loop().time()
            (tmp / "serve.pid").write_text(str(serve.pid))
            warm_requests = build_requests(serve_base, phones, warm, "C", seed=13)
            used = {r.form["From"] for r in warm_requests}
            rest = [p for p in phones if p not in used]  # a borrower of its own for each request, if there are enough
            requests = build_requests(serve_base, rest if len(rest) >= count else phones, count, "D")
            outcome = Outcome(bare=bare_load, served=Load(), requests=requests)
            try:
                await wait_healthy(serve_base, serve)
                if not in_serve:
                    await asyncio.sleep(3)  # serve's own first pass (2 s after start) finds nothing of the book
                loop = asyncio.get_running_loop()
                # A warm-up at the same rate first: the first requests after a start pay one-off costs
                # (connections, lazy imports and compiled patterns); they are reported apart.
                cpu_start = process_cpu(serve.pid)
                serve_warm = await fire(serve_base + PATH, warm_requests, args.rate, args.timeout)
                outcome.warm = (bare_warm, serve_warm)
                outcome.sent = list(zip(warm_requests, serve_warm.status, strict=True))
                tick_task: asyncio.Task[tuple[float, float, str]] | None = None
                if args.with_pass == "tick":
                    tick_task = asyncio.create_task(
                        run_tick(env, pass_at, args.handling_timeout, tmp / "tick.log", args.pass_nice)
                    )
                    await asyncio.sleep(0)
                watcher = asyncio.create_task(watch_serve_pass(serve_log)) if in_serve else None
                cpu_before, machine_before = process_cpu(serve.pid), machine_cpu()
                outcome.served = await fire(serve_base + PATH, requests, args.rate, args.timeout)
                cpu_run, machine_after = process_cpu(serve.pid), machine_cpu()
                outcome.machine_busy = busy_cpus(machine_before, machine_after)
                outcome.sent += list(zip(requests, outcome.served.status, strict=True))
                last_due = outcome.served.due[-1] if outcome.served.due else loop.time()
                print(f"  duebot serve: {summary_line(outcome.served)}", flush=True)
                if tick_task is not None:
                    started_at, ended_at, note = await tick_task
                    outcome.pass_window, outcome.pass_note = (started_at, ended_at), note
                if watcher is not None:
                    # serve's pass may outlast the load: it gets --handling-timeout to report, and
                    # until the backlog is handled (at most as long again) if it has not by then
                    await asyncio.wait({watcher}, timeout=args.handling_timeout)
                await wait_handled(url, outcome, args.handling_timeout, last_due)
                outcome.serve_cpu = (cpu_run - cpu_before, process_cpu(serve.pid) - cpu_start)
                if watcher is not None:
                    if watcher.done():
                        ended_at, note = watcher.result()
                        # serve starts its first pass 2 s after its start-up (a little after it was spawned)
                        outcome.pass_window, outcome.pass_note = (spawned + 2.0, ended_at), note
                        outcome.pass_note += f" ({ended_at - spawned - 2.0:.1f} s)"
                    else:
                        watcher.cancel()
                        reported = pass_lines(serve_log)
                        outcome.pass_note = "serve's pass did not report by the backlog's end; its log: " + (
                            " / ".join(reported) or "no pass summary, no error"
                        )
                write_trace(tmp / "latencies.csv", outcome)
            finally:
                await stop(serve)
                outcome.serve_log = count_log(serve_log)
        finally:
            await stop(standin)
        await check(url, outcome)
    return outcome


async def set_plan_watermark(url: str, at: datetime) -> None:
    """As if a pass had run at ``at`` (and found nothing new): ``serve``'s own passes, at the real
    time, then leave the watermark alone, and the measured pass plans its whole day without counting
    the weeks between now and its day as missed."""
    from scheduler.cycle import PLAN_WATERMARK
    from storage.database import database as opened
    from storage.servicing import set_watermark

    async with opened(url):
        await set_watermark(PLAN_WATERMARK, at.astimezone(UTC))


async def run_tick(
    env: dict[str, str], at: datetime, limit: float, log_path: Path, nice: int = 0
) -> tuple[float, float, str]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with log_path.open("wb") as log_fh:
        process = await asyncio.create_subprocess_exec(
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable, "-m", "bot.cli", "tick", "--now", at.isoformat(), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=log_fh,
        )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(process.communicate(), limit)
    except TimeoutError:
        await stop(process)
        return started, loop.time(), f"tick still running after {limit:.0f} s: stopped; " + log_tail(log_path)
    ended = loop.time()
    if process.returncode != 0:
        return started, ended, f"tick exited {process.returncode}: " + log_tail(log_path)
    planned = next((line.strip() for line in out.decode().splitlines() if "planned" in line), "")
    niced = f" (nice {nice})" if nice else ""
    return started, ended, f"tick{niced} {ended - started:.1f} s: {planned}"


def log_tail(path: Path, size: int = 600) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""


async def watch_serve_pass(log_path: Path) -> tuple[float, str]:
    """When serve's own first pass logs its summary (it plans the book's day): that is its end."""
    loop = asyncio.get_running_loop()
    while True:
        text = await asyncio.to_thread(read_text, log_path)
        found = re.search(r"planned (\d+) new message", text)
        if found and int(found.group(1)) > 0:
            return loop.time(), f"serve's own pass: planned {found.group(1)} new message(s)"
        await asyncio.sleep(0.2)


def pass_lines(log_path: Path, last: int = 4) -> list[str]:
    """serve's log lines about its passes (summaries, failures), the last few."""
    found = [
        line.strip()
        for line in read_text(log_path).splitlines()
        if re.search(r"pass at|planned|planning|scheduler pass|Traceback|ERROR", line)
    ]
    return found[-last:]


def write_trace(path: Path, outcome: Outcome) -> None:
    """Each request's due time (seconds from the first) and latency, and the pass's window, for plots."""
    load = outcome.served
    with path.open("w", encoding="utf-8") as fh:
        if outcome.pass_window is not None:
            start, end = (t - load.started for t in outcome.pass_window)
            fh.write(f"# pass {start:.3f} {end:.3f}\n")
        fh.write("due_s,latency_ms,status\n")
        for due, latency, status in zip(load.due, load.latency, load.status, strict=True):
            shown = "" if latency is None else f"{latency * 1000:.1f}"
            fh.write(f"{due - load.started:.3f},{shown},{status or ''}\n")


async def wait_handled(url: str, outcome: Outcome, limit: float, last_due: float) -> None:
    loop = asyncio.get_running_loop()
    wanted = {r.sid for r, _ in outcome.sent}
    deadline = loop.time() + limit
    while True:
        states = await inbound_states(url)
        mine = [states[s] for s in wanted if s in states]
        if mine and all(s == "handled" for s in mine) and len(mine) >= len(outcome.ok_sids()):
            outcome.handled_after = loop.time() - last_due
            return
        if loop.time() > deadline:
            # Slow, not (yet) wrong: whether every message is stored and handled once is checked after
            # serve has stopped (``check``), which finds any left unhandled.
            left = Counter(s for s in mine if s != "handled")
            outcome.checks.append(f"backlog not all handled {limit:.0f} s after the last request: {dict(left)} "
                                  "(--handling-timeout)")  # fmt: skip
            return
        await asyncio.sleep(0.5)


async def check(url: str, outcome: Outcome) -> None:
    states = await inbound_states(url)
    entries = await received_entries(url)
    ok = outcome.ok_sids()
    sent = {r.sid for r, _ in outcome.sent}
    stored = sent & set(states)
    missing = ok - stored
    handled = {s for s in stored if states[s] == "handled"}
    twice = {s for s in sent if entries[s] > 1}
    unlogged = {s for s in handled if entries[s] == 0}
    outcome.checks.append(
        f"{len(sent)} sent (warm-up included), {len(ok)} answered 200, {len(stored)} stored, {len(handled)} handled, "
        f"{sum(1 for s in sent if entries[s] == 1)} logged as received exactly once"
    )
    if missing:
        outcome.problems.append(f"{len(missing)} answered 200 but not stored, e.g. {sorted(missing)[:3]}")
    if twice:
        outcome.problems.append(f"{len(twice)} handled more than once (message.received logged twice)")
    if unlogged:
        outcome.problems.append(f"{len(unlogged)} marked handled without a message.received entry")
    if stored - handled:
        outcome.problems.append(f"{len(stored - handled)} stored but not handled")
    replies = await answers(url)
    outcome.checks.append("answers: " + ", ".join(f"{n} {s}" for s, n in sorted(replies.items())))


# --- output -----------------------------------------------------------------------------------------


def figures(load: Load, indices: Sequence[int] | None = None) -> dict[str, Any]:
    picked = range(len(load.due)) if indices is None else indices
    latencies = [load.latency[i] for i in picked if load.latency[i] is not None]
    answered = [load.status[i] for i in picked]
    result: dict[str, Any] = {
        "n": len(picked),
        "ok": sum(1 for s in answered if s == 200),
        "errors": sum(1 for s in answered if s != 200),
    }
    lat = [x for x in latencies if x is not None]
    if lat:
        result.update(
            p50=percentile(lat, 0.50) * 1000,
            p95=percentile(lat, 0.95) * 1000,
            p99=percentile(lat, 0.99) * 1000,
            max=max(lat) * 1000,
            over15=sum(1 for x in lat if x > TWILIO_GIVES_UP) + sum(1 for s in answered if s is None),
        )
    return result


def summary_line(load: Load) -> str:
    f = figures(load)
    if "p99" not in f:
        return f"{f['n']} requests, no answers; {dict(load.errors)}"
    return (f"{f['n']} requests, p50 {f['p50']:.1f} ms, p99 {f['p99']:.1f} ms, max {f['max']:.1f} ms, "
            f"{f['errors']} errors")  # fmt: skip


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(args: argparse.Namespace, outcome: Outcome) -> str:
    pass_label = args.with_pass or "none"
    rows = [("bare handler", "none", figures(outcome.bare)), ("duebot serve", pass_label, figures(outcome.served))]
    if outcome.pass_window is not None:
        start, end = outcome.pass_window
        during = [i for i, due in enumerate(outcome.served.due) if start <= due <= end]
        if during:
            rows.append(("  while the pass ran", pass_label, figures(outcome.served, during)))
    head = f"{'':22} {'db':8} {'rate/s':>6} {'pass':6} {'sent':>6} {'200':>6} {'errors':>6} " \
           f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'>15 s':>6}"  # fmt: skip
    lines = [head, "-" * len(head)]
    for label, pass_name, f in rows:
        lines.append(
            f"{label:22} {args.db:8} {args.rate:>6g} {pass_name:6} {f['n']:>6} {f['ok']:>6} {f['errors']:>6} "
            f"{ms(f.get('p50')):>8} {ms(f.get('p95')):>8} {ms(f.get('p99')):>8} {ms(f.get('max')):>8} "
            f"{f.get('over15', '-'):>6}"
        )
    lines.append("")
    lines.append(f"book {args.book:,} installments; {args.seconds:g} s at {args.rate:g}/s; "
                 f"generator late by up to {outcome.served.late_start * 1000:.1f} ms "
                 f"(bare run {outcome.bare.late_start * 1000:.1f} ms)")  # fmt: skip
    if outcome.warm is not None:
        bare_warm, serve_warm = (figures(load) for load in outcome.warm)
        lines.append(f"warm-up before the measured run ({args.warmup:g} s at the same rate, not in the table): "
                     f"bare p99 {ms(bare_warm.get('p99'))} ms, max {ms(bare_warm.get('max'))} ms; "
                     f"serve p99 {ms(serve_warm.get('p99'))} ms, max {ms(serve_warm.get('max'))} ms")  # fmt: skip
    if outcome.served.errors or outcome.bare.errors:
        lines.append(f"errors: serve {dict(outcome.served.errors)}; bare {dict(outcome.bare.errors)}")
    if outcome.pass_note:
        lines.append(f"pass: {outcome.pass_note}")
    if outcome.handled_after is not None:
        lines.append(f"backlog handled {outcome.handled_after:.1f} s after the last request was due")
    if outcome.serve_cpu is not None and outcome.machine_busy is not None:
        used_run, used_all = outcome.serve_cpu
        lines.append(
            f"CPU: serve used {used_run / args.seconds:.0%} of a core during the measured run and "
            f"{used_all * 1000 / len(outcome.sent):.1f} ms a message from the first request to the backlog's end; "
            f"the machine was {outcome.machine_busy:.1f} of {os.cpu_count()} CPUs busy (everything on it)"
        )
    lines.extend(outcome.checks)
    log_counts = {k: v for k, v in outcome.serve_log.items() if v}
    lines.append(f"serve's log: {log_counts or 'no errors'}")
    lines.append("exactly once: " + ("ok" if not outcome.problems else "; ".join(outcome.problems)))
    p99 = figures(outcome.served).get("p99")
    verdict = "met" if p99 is not None and p99 < TARGET_P99_MS and not outcome.served.errors else "missed"
    lines.append(f"target (store-and-200 p99 under {TARGET_P99_MS:g} ms, no errors): {verdict}")
    return "\n".join(lines)


def write_json(path: str, args: argparse.Namespace, outcome: Outcome) -> None:
    """The key figures of the run, each beside the bare handler's of the same run (its ceiling)."""
    served, bare = figures(outcome.served), figures(outcome.bare)
    pass_label = args.with_pass or "none"
    label = f"{args.db} {args.rate:g}/s, pass {pass_label}"
    exactly_once = not outcome.problems
    rows = []
    for key in ("p50", "p99"):
        if key not in served or key not in bare:
            continue
        target, met = "", None
        if key == "p99":
            target = f"under {TARGET_P99_MS:g} ms, no errors, exactly once"
            met = served[key] < TARGET_P99_MS and not outcome.served.errors and exactly_once
        rows.append(
            {
                "figure": f"{label}: {key} ms",
                "value": served[key],
                "unit": "ms",
                "ceiling_name": f"bare handler {key}",
                "ceiling": bare[key],
                "better": "lower",
                "target": target,
                "met": met,
            }
        )
    data = {
        "bench": "webhooks",
        "db": args.db,
        "rate": args.rate,
        "seconds": args.seconds,
        "book": args.book,
        "pass": pass_label,
        "figures": rows,
        "serve": served,
        "bare": bare,
        "exactly_once": exactly_once,
        "problems": outcome.problems,
        "checks": outcome.checks,
        "pass_note": outcome.pass_note,
        "handled_after_s": outcome.handled_after,
        "machine_busy_cpus": outcome.machine_busy,
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rate", type=float, help="requests/s (default 100 on SQLite, 200 on PostgreSQL)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before the measured run")
    parser.add_argument("--book", type=int, default=200_000, help="installments in the loan book")
    parser.add_argument("--with-pass", nargs="?", const="tick", choices=["tick", "serve"],
                        help="a first-of-day pass beside the load: a duebot tick, or serve's own")  # fmt: skip
    parser.add_argument("--pass-nice", type=int, default=0, help="run the tick at this nice level (e.g. 10)")
    parser.add_argument("--sms-pace", type=float, default=1000.0, help="policy sending.twilio_per_second for answers")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request (s)")
    parser.add_argument("--handling-timeout", type=float, default=180.0, help="how long to wait for the backlog (s)")
    parser.add_argument("--postgres-url", default=os.environ.get("DUEBOT_TEST_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL server to create the throw-away database on")  # fmt: skip
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and leave the book, logs and SQLite file there")
    parser.add_argument("--json", metavar="FILE", help="also write the key figures, beside the bare handler's, as JSON")
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        asyncio.run(bare_server())
        return
    if args.rate is None:
        args.rate = 200.0 if args.db == "postgres" else 100.0
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        outcome = asyncio.run(run(args, keep))
    else:
        with tempfile.TemporaryDirectory(prefix="duebot-webhooks-") as tmp:
            outcome = asyncio.run(run(args, Path(tmp)))
    print()
    print(table(args, outcome))
    if args.json:
        write_json(args.json, args, outcome)
    if outcome.problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
