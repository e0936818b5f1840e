"""Loan book and payments: POST /api/v1/loans, POST /api/v1/payments, GET loans and borrowers."""

from __future__ import annotations

from aiohttp import web

from bot.api.common import SERVICES, error, json_response, read_json
from bot.api.fields import LOAN_ROW_FIELDS, PAYMENT_FIELDS, id_errors, type_errors
from bot.inputs import reference, shorten
from storage.importer import import_loan_rows, import_payment_rows, refusals, untouched
from storage.loanbook import RowError, RowsRefused, parse_loan_rows, validate_payment_row
from storage.views import borrower_view, loan_view


def _row_errors(errors: list[RowError]) -> web.Response:
    return json_response(
        {"errors": [{"row": e.where, "field": e.field, "message": e.message} for e in errors]}, status=422
    )


async def post_loans(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        return error(400, "bad_request", 'expected {"rows": [ {loan book fields}, ... ]}')
    # A field of a JSON type its schema does not allow (a number for a name, a list for an id) is
    # refused as such, not read through str().
    mistyped = [
        RowError(index, name, message)
        for index, raw in enumerate(body["rows"])
        if isinstance(raw, dict)
        for name, message in [*type_errors(raw, LOAN_ROW_FIELDS), *id_errors(raw, ("borrower_id", "loan_id"))]
    ]
    if mistyped:
        return _row_errors(mistyped)
    parsed = parse_loan_rows(body["rows"])
    services = request.app[SERVICES]
    if parsed.errors:
        rows = untouched(parsed.rows, parsed.errors)

        async def attempt() -> object:
            return await import_loan_rows(rows, now=services.clock(), log=services.log, actor="api")

        return _row_errors(sorted([*parsed.errors, *await refusals(attempt)], key=lambda e: e.where))
    try:
        result = await import_loan_rows(parsed.rows, now=services.clock(), log=services.log, actor="api")
    except RowsRefused as refused:
        return _row_errors(refused.errors)
    return json_response(
        {
            "borrowers": result.borrowers,
            "loans": result.loans,
            "installments": result.installments,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    )


async def post_payment(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        return error(400, "bad_request", "expected a JSON object with payment_id, loan_id, amount, paid_at")
    mistyped = [
        RowError(0, name, message)
        for name, message in [*type_errors(body, PAYMENT_FIELDS), *id_errors(body, ("payment_id", "loan_id"))]
    ]
    row, errors = (None, mistyped) if mistyped else validate_payment_row(body, 0)
    if row is None:
        first = errors[0]
        return json_response(
            {
                "error": "invalid",
                "message": f"{first.field}: {first.message}",
                "errors": [{"field": e.field, "message": e.message} for e in errors],
            },
            status=422,
        )
    services = request.app[SERVICES]
    try:
        result, _created = await import_payment_rows([row], now=services.clock(), log=services.log, actor="api")
    except RowsRefused as refused:
        problem = refused.errors[0]
        if problem.field == "loan_id":
            return error(404, "not_found", problem.message)
        return error(409, "conflict", problem.message)
    payload = {
        "payment_id": row.payment_id,
        "loan_id": row.loan_id,
        "amount": f"{row.amount:.2f}",
        "paid_at": row.paid_at.isoformat(),
        "created": result.created == 1,
    }
    return json_response(payload, status=201 if result.created else 200)


async def get_borrower(request: web.Request) -> web.Response:
    wanted = request.match_info["borrower_id"]
    borrower_id = reference(wanted)
    view = await borrower_view(borrower_id, request.app[SERVICES].clock()) if borrower_id else None
    if view is None:
        return error(404, "not_found", f"no borrower {shorten(wanted)}")
    return json_response(view)


async def get_loan(request: web.Request) -> web.Response:
    wanted = request.match_info["loan_id"]
    loan_id = reference(wanted)
    view = await loan_view(loan_id, request.app[SERVICES].clock()) if loan_id else None
    if view is None:
        return error(404, "not_found", f"no loan {shorten(wanted)}")
    return json_response(view)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/loans", post_loans)
    app.router.add_post("/api/v1/payments", post_payment)
    app.router.add_get("/api/v1/borrowers/{borrower_id}", get_borrower)
    app.router.add_get("/api/v1/loans/{loan_id}", get_loan)
