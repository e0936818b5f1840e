"""``duebot report``: read one period (and each period of a series) and name its indicators.

Report dates are calendar dates in ``sla.timezone``: the period's events run from the start of
``since`` to the end of ``until`` there. Loan states are taken at the end of the day before
``since`` ("start") and at the end of ``until`` ("end"), each in the borrower's own zone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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
)
from storage.plan_inputs import zones_in_use
from storage.portfolio import Classing, PortfolioQueries, Window, midnight


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
