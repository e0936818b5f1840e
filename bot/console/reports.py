"""``/console/reports``: the indicators of a period for supervisors and admins, with charts.

Every chart carries its numbers as a table too, and each has a CSV download at
``/console/reports/<chart>.csv`` with the same query string.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.charts import (
    LEVEL_COLOURS,
    PALETTE,
    TIER_COLOURS,
    Chart,
    bar_chart,
    grouped_bars,
    heat_map,
    line_chart,
)
from bot.console.common import PageError, current
from bot.console.deps import services_of
from bot.console.records import csv_safe
from bot.console.render import render
from bot.reporting import indicator_grid
from scheduler.portfolio import BUCKETS, EVERY, GROUP_BY, ReportError, ReportRequest, report_request
from scheduler.report import DASHBOARD_BY, DASHBOARD_EVERY, period_window, report_of_the_day
from storage.permissions import may
from storage.portfolio import risk_counts, staff_activity

FUNNEL = ("sent", "delivered", "replied", "promised", "kept")


def _wanted(request: web.Request) -> tuple[ReportRequest, dict[str, str]]:
    services = services_of(request)
    query = request.rel_url.query
    shown = {
        "since": query.get("since", ""),
        "until": query.get("until", ""),
        "every": query.get("every", DASHBOARD_EVERY),
        "by": query.get("by", DASHBOARD_BY),
    }
    today = services.clock().astimezone(ZoneInfo(services.policy.sla.timezone)).date()
    wanted = report_request(
        since=shown["since"] or None,
        until=shown["until"] or None,
        every=shown["every"] or None,
        by=shown["by"] or None,
        today=today,
    )
    shown["since"], shown["until"] = wanted.since.isoformat(), wanted.until.isoformat()
    return wanted, shown


def _funnel(indicators: dict[str, Any]) -> list[float]:
    return [
        sum(indicators["messages_sent"].values()),
        sum(indicators["messages_delivered"].values()),
        indicators["borrowers_replied"],
        indicators["promises_made"],
        indicators["promises_kept"],
    ]


async def dashboard_charts(report: dict[str, Any], wanted: ReportRequest, zone: str) -> list[Chart]:
    overall = report["overall"]
    series = report.get("series", [])
    labels = [s["start"][5:] for s in series]
    charts = [
        line_chart(
            "overdue-and-cure",
            "Overdue rate and cure rate",
            "Share of outstanding loans overdue at the end of each period, and share of loans overdue at its "
            "start that were current or paid off at its end.",
            labels,
            [
                ("overdue rate", [s["indicators"]["overdue_rate"] for s in series]),
                ("cure rate", [s["indicators"]["cure_rate"] for s in series]),
            ],
        ),
        heat_map(
            "roll-rates",
            "Roll rates",
            "Loans by their bucket at the start of the period (rows) and at its end (columns).",
            list(BUCKETS),
            list(BUCKETS),
            [[overall["roll_rates"][a][b] for b in BUCKETS] for a in BUCKETS],
        ),
    ]
    groups = [(",".join(g["key"].values()), _funnel(g["indicators"])) for g in report.get("groups", [])]
    charts.append(
        grouped_bars(
            "contact-funnel",
            f"Contact funnel per {wanted.by or 'book'}",
            "Messages sent and delivered, borrowers who replied within 72 hours of a reminder, promises made and kept.",
            FUNNEL,
            groups or [("whole book", _funnel(overall))],
        )
    )
    tiers, levels = await risk_counts()
    charts.append(
        bar_chart(
            "risk",
            "Borrowers per risk tier and warning level",
            "Tiers from the daily scorecard (a borrower not scored yet counts as B); warning levels by each "
            "borrower's highest warning.",
            [(f"tier {t}", n, TIER_COLOURS[t]) for t, n in tiers.items()]
            + [(f"{level} warning", n, LEVEL_COLOURS[level]) for level, n in levels.items()],
        )
    )
    charts.append(
        bar_chart(
            "complaints",
            "Complaint deadlines",
            "Complaints received in the period, those answered by their first-response deadline, those "
            "resolved in the period by their resolution deadline, and those open past a deadline at its end.",
            [
                ("received", overall["complaints_received"], PALETTE[4]),
                ("first response on time", overall["complaints_first_response_on_time"], PALETTE[2]),
                ("resolved on time", overall["complaints_resolved_on_time"], PALETTE[0]),
                ("open past a deadline", overall["complaints_overdue_open"], LEVEL_COLOURS["red"]),
            ],
        )
    )
    window = period_window(wanted.since, wanted.until, zone)
    people = await staff_activity(window.opens, window.closes)
    charts.append(
        grouped_bars(
            "staff",
            "Staff: cases taken, resolved, and median hours to first response",
            "Cases assigned to each member in the period, cases they resolved in it, and the median hours from "
            "a case opening to its first response for the cases they hold.",
            ("taken", "resolved", "median hours"),
            [
                (name, [taken, resolved, round(statistics.median(hours), 1) if hours else 0])
                for name, taken, resolved, hours in people
            ],
        )
    )
    return charts


def _require(request: web.Request) -> None:
    if not may(current(request).role, "reports"):
        raise PageError(403, "Not allowed", "The reports are for supervisors and admins.")


@dataclass(frozen=True, slots=True)
class Dashboard:
    wanted: ReportRequest
    shown: dict[str, str]
    report: dict[str, Any]
    computed_at: datetime
    charts: list[Chart]


async def _build(request: web.Request) -> Dashboard:
    _require(request)
    try:
        wanted, shown = _wanted(request)
    except ReportError as exc:
        raise PageError(400, "Cannot show that period", str(exc).replace("--", "")) from None
    services = services_of(request)
    fresh = request.rel_url.query.get("fresh") == "1"
    report, at = await report_of_the_day(wanted, services.policy, services.clock(), fresh=fresh)
    charts = await dashboard_charts(report, wanted, services.policy.sla.timezone)
    return Dashboard(wanted, shown, report, at, charts)


async def reports_page(request: web.Request) -> web.StreamResponse:
    board = await _build(request)
    wanted, shown, report = board.wanted, board.shown, board.report
    labels, rows = indicator_grid({k: v for k, v in report.items() if k != "series"})
    query = urlencode(shown)
    return render(
        request,
        "reports.html",
        report=report,
        charts=board.charts,
        computed_at=board.computed_at,
        shown=shown,
        query=query,
        every_options=EVERY,
        by_options=[g for g in GROUP_BY if g != "arm"],  # arms: /console/experiments
        grid_labels=labels,
        grid_rows=rows,
        previous_until=(wanted.since - timedelta(days=1)).isoformat(),
    )


async def chart_csv(request: web.Request) -> web.StreamResponse:
    slug = request.match_info["chart"]
    board = await _build(request)
    shown = board.shown
    chart = next((c for c in board.charts if c.slug == slug), None)
    if chart is None:
        raise PageError(404, "Not found", "There is no such chart.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart.table.headers)
    for row in chart.table.rows:
        writer.writerow([csv_safe(cell) for cell in row])
    name = f"{slug}-{shown['since']}-{shown['until']}.csv"
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
