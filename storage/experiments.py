"""Experiments' stopped arms, and the reads behind an experiment's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from storage.database import connection, is_postgres_connection
from storage.models import Borrower, Case, ExperimentStop, Installment, LogEntry, MessageItem, Promise
from storage.portfolio import HANDED_OVER
from storage.servicing import _instant


async def stopped_arms() -> frozenset[tuple[str, str]]:
    rows = await ExperimentStop.all().values_list("experiment", "arm")
    return frozenset((str(e), str(a)) for e, a in rows)


async def stop_arm(experiment: str, arm: str, now: datetime, reason: str) -> bool:
    """Stop an arm; False when it was already stopped."""
    _, created = await ExperimentStop.get_or_create(
        experiment=experiment, arm=arm, defaults={"stopped_at": now, "reason": reason}
    )
    return created


@dataclass(frozen=True, slots=True)
class ExperimentReach:
    """One borrower an experiment reached: their arm, the messages sent to them under it, when the
    first went, what the installments it was about did, and what the borrower did after."""

    borrower_pk: int
    arm: str
    excluded: bool
    messages: int
    first_sent: datetime
    timezone: str
    # (due date, paid_at or None) of each installment the experiment's messages were about
    installments: tuple[tuple[date, datetime | None], ...]
    promised_at: tuple[datetime, ...]  # promises made after the first message
    opted_out: bool  # a channel opted out after the first message
    complained: bool  # a complaint case opened after the first message


def _json_text(postgres: bool, column: str, key: str) -> str:
    return f"{column}->>'{key}'" if postgres else f"json_extract({column}, '$.{key}')"


async def experiment_reach(name: str, start: date) -> list[ExperimentReach]:
    """Every borrower sent a message under experiment ``name`` (sent since the day before ``start``)."""
    conn = connection()
    postgres = is_postgres_connection(conn)
    since = datetime.combine(start - timedelta(days=1), time(0), tzinfo=UTC)
    arg = "$1" if postgres else "?"
    since_arg = "$2" if postgres else "?"
    sent = (
        f"SELECT m.id, m.borrower_id, m.sent_at, {_json_text(postgres, 'm.payload', 'arm')}, "
        f"{_json_text(postgres, 'm.payload', 'excluded')} FROM messages m WHERE m.direction = 'out' "
        f"AND m.tier IS NOT NULL AND m.sent_at IS NOT NULL AND m.sent_at >= {since_arg} "
        f"AND m.status IN {HANDED_OVER!r} AND {_json_text(postgres, 'm.payload', 'experiment')} = {arg}"
    )
    params: list[Any] = [name, since] if postgres else [since.isoformat(sep=" "), name]  # in order of appearance
    _, rows = await conn.execute_query(sent, params)
    per: dict[int, dict[str, Any]] = {}
    message_owner: dict[int, int] = {}
    for message_id, borrower_pk, sent_at, arm, excluded in rows:
        at = _instant(sent_at)
        entry = per.setdefault(int(borrower_pk), {"arm": str(arm), "excluded": False, "messages": 0, "first": at})
        entry["messages"] += 1
        entry["first"] = min(entry["first"], at)
        entry["excluded"] = entry["excluded"] or excluded in (True, 1, "1", "true")
        message_owner[int(message_id)] = int(borrower_pk)
    if not per:
        return []
    pks = list(per)
    zones = dict(await Borrower.filter(id__in=pks).values_list("id", "timezone"))
    names = dict(await Borrower.filter(id__in=pks).values_list("id", "borrower_id"))
    items: dict[int, set[int]] = {}
    for message_id, installment_id in await MessageItem.filter(message_id__in=list(message_owner)).values_list(
        "message_id", "installment_id"
    ):
        items.setdefault(message_owner[int(message_id)], set()).add(int(installment_id))
    wanted = {i for ids in items.values() for i in ids}
    facts = {
        i: (due, paid_at)
        for i, due, paid_at in await Installment.filter(id__in=list(wanted)).values_list("id", "due_date", "paid_at")
    }
    promises: dict[int, list[datetime]] = {}
    for pk, created in await Promise.filter(borrower_id__in=pks).values_list("borrower_id", "created_at"):
        promises.setdefault(int(pk), []).append(created)
    complaints: dict[int, list[datetime]] = {}
    for pk, opened in await Case.filter(borrower_id__in=pks, kind="complaint").values_list("borrower_id", "opened_at"):
        complaints.setdefault(int(pk), []).append(opened)
    opt_outs: dict[str, list[datetime]] = {}
    chains = [f"borrower:{names[pk]}" for pk in pks]
    for chain, at, data in await LogEntry.filter(kind="borrower.contact_changed", chain__in=chains).values_list(
        "chain", "at", "data"
    ):
        if '"value":true' in data and ('"field":"sms_opted_out"' in data or '"field":"telegram_opted_out"' in data):
            opt_outs.setdefault(str(chain), []).append(at)
    out = []
    for pk, entry in per.items():
        first = entry["first"]
        out.append(
            ExperimentReach(
                borrower_pk=pk,
                arm=entry["arm"],
                excluded=entry["excluded"],
                messages=entry["messages"],
                first_sent=first,
                timezone=str(zones.get(pk, "UTC")),
                installments=tuple(facts[i] for i in sorted(items.get(pk, ())) if i in facts),
                promised_at=tuple(sorted(t for t in promises.get(pk, []) if t >= first)),
                opted_out=any(t >= first for t in opt_outs.get(f"borrower:{names[pk]}", [])),
                complained=any(t >= first for t in complaints.get(pk, [])),
            )
        )
    return out
