"""The OpenAPI 3 document served at /api/v1/openapi.json. A test keeps it in step with the routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api import docs_replies, docs_reports, docs_staff, fields
from bot.api.common import json_response
from bot.api.docs_common import AUTH, BODY_ERRORS, link, request_body
from bot.api.docs_common import json_answer as _json
from bot.api.docs_common import ref as _ref
from config.risk_policy import LEVELS, TIERS, WARNING_SIGNALS, RiskPoints
from storage.views import RESTRICTION_KINDS

_AUTH = AUTH
_BORROWER_ID = {"name": "borrower_id", "in": "path", "required": True, "schema": fields.REFERENCE}
_LOAN_ID = {"name": "loan_id", "in": "path", "required": True, "schema": fields.REFERENCE}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Money": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "example": "1200.00"},
    "AmountIn": fields.AMOUNT,
    "AnyJson": fields.ANY_JSON,
    "LoanRow": {
        **fields.body_object(fields.LOAN_ROW_FIELDS, fields.LOAN_ROW_OPTIONAL),
        "description": "one installment of a loan; the rows of a loan agree on its borrower, product and "
        "currency, a borrower's rows on their details, and each installment number appears once (else 422)",
    },
    "RowErrors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["row", "field", "message"],
                    "properties": {
                        "row": {"type": "integer", "description": "0-based index in rows"},
                        "field": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            }
        },
    },
    "Payment": fields.body_object(fields.PAYMENT_FIELDS),
    "PaymentRecorded": {
        "type": "object",
        "required": ["payment_id", "loan_id", "amount", "paid_at"],
        "properties": {
            "payment_id": {"type": "string"},
            "loan_id": {"type": "string"},
            "amount": _ref("Money"),
            "paid_at": {"type": "string", "format": "date-time", "description": "ISO-8601 with offset"},
            "created": {"type": "boolean", "description": "false: already recorded with the same content"},
        },
    },
    "Invalid": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "enum": ["invalid"]},
            "message": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "Restriction": {
        "type": "object",
        "properties": {
            "kind": {
                "type": "string",
                "enum": list(RESTRICTION_KINDS),
            },
            "note": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "created_by": {"type": "string"},
        },
    },
    "Borrower": {
        "type": "object",
        "required": [
            "borrower_id",
            "full_name",
            "phone",
            "locale",
            "timezone",
            "preferred_channel",
            "sms_opted_out",
            "telegram_linked",
            "telegram_opted_out",
            "do_not_contact",
            "restrictions",
            "risk",
        ],
        "properties": {
            "borrower_id": {"type": "string"},
            "full_name": {"type": "string"},
            "phone": {"type": "string"},
            "locale": {"type": "string"},
            "timezone": {"type": "string"},
            "preferred_channel": {"type": "string"},
            "sms_opted_out": {"type": "boolean"},
            "telegram_linked": {"type": "boolean"},
            "telegram_opted_out": {"type": "boolean"},
            "do_not_contact": {"type": "boolean"},
            "restrictions": {"type": "array", "items": _ref("Restriction")},
            "telegram_usable": {"type": "boolean", "description": "linked and not blocked"},
            "phone_wrong": {"type": "boolean", "description": "the person at the number said it is not theirs"},
            "pauses": {
                "type": "array",
                "description": "reminder pauses in force or ahead (promise, hardship, staff), dates inclusive",
                "items": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string"},
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                    },
                },
            },
            "risk": _ref("Risk"),
        },
    },
    "Risk": {
        "type": "object",
        "description": "The risk tier (A good, B watch, C high risk) as the last daily review scored it, with the "
        "scorecard's reasons and the early warnings in force; tier and score are null until the first review.",
        "required": ["tier", "score", "reasons", "warnings"],
        "properties": {
            "tier": {"type": ["string", "null"], "enum": [*TIERS, None]},
            "score": {"type": ["integer", "null"], "minimum": 0},
            "reasons": {
                "type": "array",
                "description": "each scorecard signal that scored, in the scorecard's order (risk.points)",
                "items": {
                    "type": "object",
                    "required": ["signal", "points"],
                    "properties": {
                        "signal": {"type": "string", "enum": list(RiskPoints.model_fields)},
                        "points": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "warnings": {
                "type": "array",
                "description": "early warnings in force, at most one per signal",
                "items": {
                    "type": "object",
                    "required": ["signal", "level", "since", "detail"],
                    "properties": {
                        "signal": {"type": "string", "enum": list(WARNING_SIGNALS)},
                        "level": {"type": "string", "enum": list(LEVELS)},
                        "since": {
                            "type": "string",
                            "format": "date-time",
                            "description": "when the signal began to hold (contact_lost: the first review to see it)",
                        },
                        "detail": {"type": "string", "description": "a short sentence for people"},
                    },
                },
            },
        },
    },
    "Loan": {
        "type": "object",
        "required": ["loan_id", "borrower_id", "currency", "status", "installments"],
        "properties": {
            "loan_id": {"type": "string"},
            "borrower_id": {"type": "string"},
            "product": {"type": "string"},
            "currency": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "paid_off", "closed"]},
            "installments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["installment_no", "due_date", "amount_due", "amount_paid", "status"],
                    "properties": {
                        "installment_no": {"type": "integer"},
                        "due_date": {"type": "string", "format": "date"},
                        "amount_due": _ref("Money"),
                        "amount_paid": _ref("Money"),
                        "status": {
                            "type": "string",
                            "enum": ["pending", "overdue", "partially_paid", "paid", "waived"],
                        },
                    },
                },
            },
        },
    },
}

# Links from what creates or lists things to what reads or acts on them (stateful clients and tests).
_FIRST_ROW_LINKS = {
    "GetBorrower": link("getBorrower", borrower_id="$request.body#/rows/0/borrower_id"),
    "GetLoan": link("getLoan", loan_id="$request.body#/rows/0/loan_id"),
    "GetTimeline": link("getTimeline", borrower_id="$request.body#/rows/0/borrower_id"),
    "SetRestriction": link("setRestriction", borrower_id="$request.body#/rows/0/borrower_id"),
    "ListPromises": link("listPromises", borrower_id="$request.body#/rows/0/borrower_id"),
    "ListCases": link("listCases", borrower_id="$request.body#/rows/0/borrower_id"),
}
_PAYMENT_LINKS = {"GetLoan": link("getLoan", loan_id="$response.body#/loan_id")}
_BORROWER_LINKS = {
    "GetTimeline": link("getTimeline", borrower_id="$response.body#/borrower_id"),
    "SetRestriction": link("setRestriction", borrower_id="$response.body#/borrower_id"),
    "ListCases": link("listCases", borrower_id="$response.body#/borrower_id"),
    "ListPromises": link("listPromises", borrower_id="$response.body#/borrower_id"),
}
_LOAN_LINKS = {"GetBorrower": link("getBorrower", borrower_id="$response.body#/borrower_id")}

PATHS: dict[str, Any] = {
    "/api/v1/loans": {
        "post": {
            "operationId": "upsertLoans",
            "summary": "Upsert loan-book rows (one per installment); all or nothing",
            "requestBody": request_body(
                {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {"rows": {"type": "array", "items": _ref("LoanRow")}},
                    "propertyNames": {"pattern": fields.NO_NUL},
                    "additionalProperties": _ref("AnyJson"),
                }
            ),
            "responses": {
                "200": {
                    **_json(
                        {
                            "type": "object",
                            "required": ["borrowers", "loans", "installments"],
                            "properties": {
                                "borrowers": {"type": "integer"},
                                "loans": {"type": "integer"},
                                "installments": {"type": "integer"},
                                "created": {"type": "integer"},
                                "updated": {"type": "integer"},
                                "unchanged": {"type": "integer"},
                            },
                        },
                        "applied",
                    ),
                    "links": _FIRST_ROW_LINKS,
                },
                **BODY_ERRORS,
                "422": _json(
                    _ref("RowErrors"),
                    "bad rows (a field, a rule across rows, or a loan that is another borrower's); nothing applied",
                ),
                **_AUTH,
            },
        }
    },
    "/api/v1/payments": {
        "post": {
            "operationId": "recordPayment",
            "summary": "Record a payment, idempotent by payment_id; settles the oldest unpaid installments",
            "requestBody": request_body(_ref("Payment")),
            "responses": {
                "201": {**_json(_ref("PaymentRecorded"), "recorded"), "links": _PAYMENT_LINKS},
                "200": {
                    **_json(_ref("PaymentRecorded"), "already recorded with the same content"),
                    "links": _PAYMENT_LINKS,
                },
                **BODY_ERRORS,
                "404": _json(_ref("Error"), "unknown loan"),
                "409": _json(_ref("Error"), "payment_id already recorded with other content"),
                "422": _json(_ref("Invalid"), "a field is missing or bad"),
                **_AUTH,
            },
        }
    },
    "/api/v1/borrowers/{borrower_id}": {
        "get": {
            "operationId": "getBorrower",
            "summary": "A borrower with contact state and restrictions",
            "parameters": [_BORROWER_ID],
            "responses": {
                "200": {**_json(_ref("Borrower"), "the borrower"), "links": _BORROWER_LINKS},
                "404": _json(_ref("Error"), "unknown borrower (or an id that cannot be one)"),
                **_AUTH,
            },
        }
    },
    "/api/v1/loans/{loan_id}": {
        "get": {
            "operationId": "getLoan",
            "summary": "A loan with its installments",
            "parameters": [_LOAN_ID],
            "responses": {
                "200": {**_json(_ref("Loan"), "the loan"), "links": _LOAN_LINKS},
                "404": _json(_ref("Error"), "unknown loan (or an id that cannot be one)"),
                **_AUTH,
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "Liveness, with a query on the database",
            "security": [],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["status", "database"],
                        "properties": {
                            "status": {"type": "string", "enum": ["ok", "recovering"]},
                            "database": {"type": "string", "enum": ["ok"]},
                            "pending": {"type": "integer", "minimum": 0},
                            "message": {"type": "string"},
                        },
                    },
                    '{"status": "ok", "database": "ok"}; "recovering" while a restart\'s stored replies are handled',
                ),
                "503": _json(
                    {
                        "type": "object",
                        "required": ["status", "database"],
                        "properties": {"status": {"type": "string", "enum": ["error"]}, "database": {"type": "string"}},
                    },
                    "the database does not answer",
                ),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3 document")},
        }
    },
}


# Reply handling's read API (promises, cases, timelines) documents itself beside its handlers.
SCHEMAS.update(docs_replies.SCHEMAS)
PATHS.update(docs_replies.PATHS)
# Case actions and restrictions (the staff issue), likewise.
SCHEMAS.update(docs_staff.SCHEMAS)
PATHS.update(docs_staff.PATHS)
# Reports (the monitoring issue).
SCHEMAS.update(docs_reports.SCHEMAS)
PATHS.update(docs_reports.PATHS)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "duebot API",
            "version": "1",
            "description": "Loan book, payments, borrowers, promises, cases and timelines. Times are "
            "ISO-8601 with offset; amounts are strings with two decimals; errors are "
            '{"error": code, "message": text}.',
        },
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }


async def get_openapi(request: web.Request) -> web.Response:
    return json_response(document())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", get_openapi)
