"""``GET /api/v1/reports``: the report of ``duebot report`` as JSON, for lender systems."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api.common import SERVICES, error, json_response
from scheduler.portfolio import ReportError, periods, report_request
from scheduler.report import build_report

PARAMETERS = ("since", "until", "every", "by", "experiment")
# A series is for charts: a few years of months or weeks, a year and some of days. Longer is a 400
# rather than minutes of work for one request.
MAX_PERIODS = 400
# And a report covers at most a century: a request for the year 1 to 9999 is a 400, not minutes.
MAX_DAYS = 36_600


def local_today(request: web.Request) -> date:
    services = request.app[SERVICES]
    return services.clock().astimezone(ZoneInfo(services.policy.sla.timezone)).date()


async def get_reports(request: web.Request) -> web.Response:
    query = request.rel_url.query
    unknown = sorted(set(query) - set(PARAMETERS))
    if unknown:
        return error(400, "bad_request", f"unknown parameter {unknown[0]!r}; allowed: {', '.join(PARAMETERS)}")
    try:
        wanted = report_request(
            since=query.get("since") or None,
            until=query.get("until") or None,
            every=query.get("every") or None,
            by=query.get("by") or None,
            today=local_today(request),
            experiment=query.get("experiment") or None,
            experiments=request.app[SERVICES].policy.experiments,
        )
    except ReportError as exc:
        return error(400, "bad_request", str(exc).replace("--", ""))
    if (wanted.until - wanted.since).days + 1 > MAX_DAYS:
        return error(400, "bad_request", f"a period of more than {MAX_DAYS} days; choose a shorter range")
    if wanted.every is not None and len(periods(wanted.since, wanted.until, wanted.every)) > MAX_PERIODS:
        return error(
            400, "bad_request", f"a series of more than {MAX_PERIODS} periods; choose a longer every or a shorter range"
        )
    return json_response(await build_report(wanted, request.app[SERVICES].policy))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/reports", get_reports)
