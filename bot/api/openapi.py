"""The OpenAPI 3 document served at /api/v1/openapi.json. A test keeps it in step with the routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api import docs_replies, docs_reports, docs_staff
from bot.api.common import json_response
from config.risk_policy import LEVELS, TIERS, WARNING_SIGNALS, RiskPoints


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("Error"), "error")
_AUTH = {"401": _json(_ref("Error"), "missing or wrong bearer token")}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Money": {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "1200.00"},
    "AmountIn": {
        "type": ["string", "number"],
        "example": "350.00",
        "description": "digits with at most two decimals, more than zero; a JSON number is read as the exact "
        "decimal it is written as, never as a float, and meets the same rule (10.1 yes, 10.123 and 1e2 no: 422)",
    },
    "LoanRow": {
        "type": "object",
        "required": [
            "borrower_id",
            "full_name",
            "phone",
            "locale",
            "timezone",
            "preferred_channel",
            "loan_id",
            "product",
            "currency",
            "installment_no",
            "due_date",
            "amount_due",
        ],
        "properties": {
            "borrower_id": {"type": "string"},
            "full_name": {"type": "string"},
            "phone": {"type": "string", "description": "E.164, or national form read in the zone's country"},
            "telegram_chat_id": {"type": ["string", "integer", "null"]},
            "locale": {"type": "string", "enum": ["en", "zh"]},
            "timezone": {"type": "string", "description": "IANA time zone"},
            "preferred_channel": {"type": "string", "enum": ["sms", "telegram"]},
            "loan_id": {"type": "string"},
            "product": {"type": "string"},
            "currency": {"type": "string", "description": "ISO 4217"},
            "installment_no": {"type": ["integer", "string"]},
            "due_date": {"type": "string", "format": "date"},
            "amount_due": _ref("AmountIn"),
        },
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
    "Payment": {
        "type": "object",
        "required": ["payment_id", "loan_id", "amount", "paid_at"],
        "properties": {
            "payment_id": {"type": "string"},
            "loan_id": {"type": "string"},
            "amount": {**_ref("AmountIn"), "description": "in a request: see AmountIn; in an answer: Money"},
            "paid_at": {"type": "string", "format": "date-time", "description": "ISO-8601 with offset"},
        },
    },
    "Restriction": {
        "type": "object",
        "properties": {
            "kind": {
                "type": "string",
                "enum": ["do_not_contact", "cease", "attorney", "bankruptcy", "deceased"],
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

PATHS: dict[str, Any] = {
    "/api/v1/loans": {
        "post": {
            "summary": "Upsert loan-book rows (one per installment); all or nothing",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["rows"],
                            "properties": {"rows": {"type": "array", "items": _ref("LoanRow")}},
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
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
                "400": _ERROR,
                "422": _json(_ref("RowErrors"), "bad rows; nothing applied"),
                **_AUTH,
            },
        }
    },
    "/api/v1/payments": {
        "post": {
            "summary": "Record a payment, idempotent by payment_id; settles the oldest unpaid installments",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Payment")}}},
            "responses": {
                "201": _json(_ref("Payment"), "recorded"),
                "200": _json(_ref("Payment"), "already recorded with the same content"),
                "404": _json(_ref("Error"), "unknown loan"),
                "409": _json(_ref("Error"), "payment_id already recorded with other content"),
                "422": _ERROR,
                **_AUTH,
            },
        }
    },
    "/api/v1/borrowers/{borrower_id}": {
        "get": {
            "summary": "A borrower with contact state and restrictions",
            "parameters": [{"name": "borrower_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json(_ref("Borrower"), "the borrower"), "404": _ERROR, **_AUTH},
        }
    },
    "/api/v1/loans/{loan_id}": {
        "get": {
            "summary": "A loan with its installments",
            "parameters": [{"name": "loan_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json(_ref("Loan"), "the loan"), "404": _ERROR, **_AUTH},
        }
    },
    "/healthz": {
        "get": {
            "summary": "Liveness, with a query on the database",
            "security": [],
            "responses": {
                "200": {"description": '{"status": "ok", "database": "ok"}'},
                "503": {"description": "the database does not answer"},
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3 document"}},
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
