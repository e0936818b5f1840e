"""The console's routes, registered on the service's application."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from aiohttp import web

from bot.console import admin, borrower_page, case_forms, case_page, queues, records, reports, strategy
from bot.console.auth import install_session_key, login_page, login_submit, logout


async def _console_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/console/")


def static_dir() -> Path:
    return Path(str(files("templates").joinpath("console", "static")))


def add_routes(app: web.Application) -> None:
    install_session_key(app)
    r = app.router
    r.add_get("/console", _console_root)
    r.add_get("/console/", queues.queue_page)
    r.add_post("/console/take-next", queues.take_next_submit)
    r.add_get("/console/login", login_page)
    r.add_post("/console/login", login_submit)
    r.add_post("/console/logout", logout)
    r.add_get("/console/cases/{case_id}", case_page.case_page)
    r.add_post("/console/cases/{case_id}/{action}", case_forms.case_action)
    r.add_get("/console/complaints", records.complaints_page)
    r.add_get("/console/complaints.csv", records.complaints_csv)
    r.add_get("/console/search", borrower_page.search_page)
    r.add_get("/console/borrowers/{borrower_id}", borrower_page.borrower_page)
    r.add_get("/console/borrowers/{borrower_id}/evidence", records.evidence_page)
    r.add_get("/console/borrowers/{borrower_id}/evidence.json", records.evidence_json)
    r.add_get("/console/reports", reports.reports_page)
    r.add_get("/console/reports/{chart}.csv", reports.chart_csv)
    r.add_get("/console/experiments", strategy.experiments_page)
    r.add_get("/console/preview", strategy.preview_page)
    r.add_get("/console/staff", admin.staff_get)
    r.add_post("/console/staff/{action}", admin.staff_post)
    r.add_get("/console/account", admin.account_get)
    r.add_post("/console/account/{action}", admin.account_post)
    r.add_static("/console/static/", static_dir(), name="console_static", append_version=False)
