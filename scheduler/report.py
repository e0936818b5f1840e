"""``duebot report``: read one period (and each period of a series) and name its indicators.

Report dates are calendar dates in ``sla.timezone``: the period's events run from the start of
``since`` to the end of ``until`` there. Loan states are taken at the end of the day before
``since`` ("start") and at the end of ``until`` ("end"), each in the borrower's own zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.policy import Policy
from scheduler.portfolio import (
    CaseTiming,
    EventCell,
    LoanCell,
    PortfolioData,
    ReportRequest,
    grouped,
    indicators,
    periods,
    report_request,
)
from storage.plan_inputs import zones_in_use
from storage.portfolio import Classing, PortfolioQueries, Window, midnight
from storage.report_cache import cached_report, keep_report


def classing(policy: Policy) -> Classing:
    c, s = policy.classification, policy.stages
    return Classing(
        middle_from_dpd=s.middle_from_dpd,
        late_from_dpd=s.late_from_dpd,
        special_mention_from_dpd=c.special_mention_from_dpd,
        substandard_from_dpd=c.substandard_from_dpd,
        doubtful_from_dpd=c.doubtful_from_dpd,
        loss_from_dpd=c.loss_from_dpd,
    )


def period_window(since: date, until: date, reporting_zone: str) -> Window:
    return Window(
        start_state=since - timedelta(days=1),
        end_state=until,
        opens=midnight(since, reporting_zone),
        closes=midnight(until + timedelta(days=1), reporting_zone),
    )


async def read_period(
    since: date, until: date, by: str | None, policy: Policy, zones: list[str], experiment: str | None = None
) -> PortfolioData:
    window = period_window(since, until, policy.sla.timezone)
    queries = PortfolioQueries(window, zones, classing(policy), by, experiment)

    def keys(key: str) -> dict[str, str]:
        return {by: key} if by else {}

    loans = [
        LoanCell(
            r.start_bucket,  # type: ignore[arg-type]
            r.end_bucket,  # type: ignore[arg-type]
            r.classification,
            r.stage,
            r.currency,
            keys(r.key),
            r.loans,
            r.outstanding_start,
            r.overdue_start,
            r.outstanding_end,
            r.overdue_end,
        )
        for r in await queries.loan_rows()
    ]
    events = [
        EventCell(e.indicator, e.part, keys(e.key), e.value)
        for e in (*await queries.event_rows(), *await queries.payment_rows())
    ]
    timings = [CaseTiming(t.kind, keys(t.key), t.hours) for t in await queries.timing_rows()]
    return PortfolioData(loans, events, timings)


async def build_report(request: ReportRequest, policy: Policy) -> dict[str, Any]:
    zones = await zones_in_use()
    data = await read_period(request.since, request.until, request.by, policy, zones, request.experiment)
    report: dict[str, Any] = {
        "since": request.since.isoformat(),
        "until": request.until.isoformat(),
        "overall": indicators(data),
    }
    if request.experiment:
        report["experiment"] = request.experiment
    if request.by:
        report["groups"] = grouped(data, request.by)
    if request.every:
        report["series"] = [
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "indicators": indicators(await read_period(start, end, None, policy, zones)),
            }
            for start, end in periods(request.since, request.until, request.every)
        ]
    return report


def cache_key(request: ReportRequest) -> str:
    return "|".join(str(v or "") for v in (request.since, request.until, request.every, request.by, request.experiment))


async def report_of_the_day(
    request: ReportRequest, policy: Policy, now: datetime, *, fresh: bool = False
) -> tuple[dict[str, Any], datetime]:
    """The report, computed at most once a reporting day for the same question (``fresh``: now),
    and when it was computed. A past period's figures only move when history is re-imported."""
    today = now.astimezone(ZoneInfo(policy.sla.timezone)).date()
    key = cache_key(request)
    if not fresh:
        found = await cached_report(key, today)
        if found is not None:
            return found
    report = await build_report(request, policy)
    await keep_report(key, today, now, report)
    return report, now


# What the dashboard shows unless asked otherwise: the last 30 days, week by week, per risk tier.
DASHBOARD_EVERY, DASHBOARD_BY = "week", "tier"


class DashboardWarmup:
    """A pass step: once a reporting day, the dashboard's default report is computed ahead of the
    first supervisor who opens it (on a large book it reads the whole book several times)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def __call__(self, now: datetime) -> dict[str, int]:
        today = now.astimezone(ZoneInfo(self.policy.sla.timezone)).date()
        request = report_request(since=None, until=None, every=DASHBOARD_EVERY, by=DASHBOARD_BY, today=today)
        if await cached_report(cache_key(request), today) is not None:
            return {}
        await report_of_the_day(request, self.policy, now, fresh=True)
        return {"computed": 1}
