"""GET /metrics: Prometheus text format, from totals every process writes to the database."""

from __future__ import annotations

from aiohttp import web
from tortoise.functions import Count

from bot.webhooks.screening import REASONS as IGNORED_REASONS
from storage.counters import read_counters
from storage.inbound import ignored_counts
from storage.models import Message

OUTBOX_STATES = (
    "planned",
    "claimed",
    "sending",
    "sent",
    "delivered",
    "read",
    "partially_delivered",
    "undelivered",
    "failed",
    "canceled",
    "unknown",
    "skipped",
)
HELP = {
    "duebot_messages_total": "Outbound messages by channel and outcome",
    "duebot_guard_decisions_total": "Contact-guard decisions by rule and decision",
    "duebot_stale_skips_total": "Reminder tiers skipped because their day passed (never sent late)",
    "duebot_capacity_warnings_total": "Passes whose due volume could not be sent inside the window",
    "duebot_inbound_total": "Inbound messages by channel",
    "duebot_inbound_ignored_total": "Inbound messages that can never be handled (stored as ignored) by channel, reason",
}
CHANNELS = ("sms", "telegram")
# Series shown at 0 before anything has happened, so a dashboard or an alert can name them from the start.
ZERO_SERIES: tuple[tuple[str, dict[str, str]], ...] = (
    *(("duebot_messages_total", {"channel": c, "outcome": o}) for c in CHANNELS for o in ("sent", "failed", "unknown")),
    ("duebot_stale_skips_total", {}),
    *(("duebot_capacity_warnings_total", {"channel": c}) for c in CHANNELS),
    *(("duebot_inbound_ignored_total", {"channel": c, "reason": r}) for c, rs in IGNORED_REASONS.items() for r in rs),
)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items())) + "}"


async def render_metrics() -> str:
    series: dict[str, dict[tuple[tuple[str, str], ...], int]] = {name: {} for name in HELP}
    for name, labels in ZERO_SERIES:
        series[name][tuple(sorted(labels.items()))] = 0
    for name, labels, value in await read_counters():
        series.setdefault(name, {})[tuple(sorted(labels.items()))] = value
    # Inbound rows are never deleted, so their count per channel is itself a counter.
    for channel in CHANNELS:
        series["duebot_inbound_total"][(("channel", channel),)] = 0
    inbound = Message.filter(direction="in").annotate(n=Count("id")).group_by("channel").values_list("channel", "n")
    for channel, count in await inbound:
        series["duebot_inbound_total"][(("channel", str(channel)),)] = int(count)
    for channel, reason, count in await ignored_counts():
        series["duebot_inbound_ignored_total"][(("channel", channel), ("reason", reason))] = count
    lines: list[str] = []
    for name, values in series.items():
        lines.append(f"# HELP {name} {HELP.get(name, name)}")
        lines.append(f"# TYPE {name} counter")
        for label_pairs, value in sorted(values.items()):
            lines.append(f"{name}{_labels(dict(label_pairs))} {value}")
    counts = dict(
        await Message.filter(direction="out").annotate(n=Count("id")).group_by("status").values_list("status", "n")
    )
    lines.append("# HELP duebot_outbox_messages Outbound messages currently in each state")
    lines.append("# TYPE duebot_outbox_messages gauge")
    # Every state a message can be in, so the gauge always adds up to the outbox.
    for status in (*OUTBOX_STATES, *sorted(set(counts) - set(OUTBOX_STATES))):
        lines.append(f'duebot_outbox_messages{{status="{status}"}} {counts.get(status, 0)}')
    return "\n".join(lines) + "\n"


async def metrics(request: web.Request) -> web.Response:
    return web.Response(text=await render_metrics(), content_type="text/plain", charset="utf-8")
