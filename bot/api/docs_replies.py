"""OpenAPI paths and schemas of ``bot.api.replies`` (merged into ``bot.api.openapi``)."""

from __future__ import annotations

from typing import Any

from bot.api import fields
from bot.api.docs_common import AUTH, link
from bot.api.replies import MAX_ITEMS, PROMISE_STATUSES
from storage.cases import CASE_KINDS, PRIORITIES, QUEUES, STATUSES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref(name)}},
    }


_ERROR = _json(_ref("Error"), "error")
_AUTH = AUTH
_TIME = {"type": "string", "format": "date-time", "description": "ISO-8601 with offset"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_BORROWER_FILTER = {
    "name": "borrower_id",
    "in": "query",
    "required": False,
    "schema": fields.REFERENCE,
    "description": "only this borrower's (404 when unknown, or when it cannot be an id)",
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ITEMS, "default": MAX_ITEMS},
}

SCHEMAS: dict[str, Any] = {
    "Promise": {
        "type": "object",
        "required": ["id", "borrower_id", "loan_id", "promised_date", "amount", "status"],
        "properties": {
            "id": {"type": "integer"},
            "borrower_id": {"type": "string"},
            "loan_id": {"type": ["string", "null"]},
            "promised_date": {"type": "string", "format": "date", "description": "in the borrower's time zone"},
            "amount": _ref("Money"),
            "status": {"type": "string", "enum": list(PROMISE_STATUSES)},
            "created_at": _TIME,
        },
    },
    "Case": {
        "type": "object",
        "required": [
            "id",
            "reference",
            "borrower_id",
            "loan_id",
            "kind",
            "queue",
            "status",
            "priority",
            "opened_at",
            "first_response_due",
            "resolve_due",
            "assignee",
        ],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string", "example": "CMP-261202-A1B2C3"},
            "borrower_id": {"type": ["string", "null"], "description": "null: a sender no borrower can be named for"},
            "loan_id": {"type": ["string", "null"]},
            "kind": {"type": "string", "enum": list(CASE_KINDS)},
            "queue": {"type": "string", "enum": list(QUEUES)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "priority": {"type": "string", "enum": list(PRIORITIES)},
            "opened_at": _TIME,
            "first_response_due": _NULLABLE_TIME,
            "resolve_due": _NULLABLE_TIME,
            "assignee": {"type": ["string", "null"], "description": "staff username"},
        },
    },
    "TimelineItem": {
        "type": "object",
        "required": ["at", "direction", "channel", "kind", "text", "intent", "status", "actor"],
        "properties": {
            "at": _TIME,
            "direction": {"type": "string", "enum": ["in", "out", "internal"]},
            "channel": {"type": ["string", "null"], "enum": ["sms", "telegram", None]},
            "kind": {
                "type": "string",
                "description": "in: message; out: the template or reminder stage; internal: the log entry's kind "
                "(case.opened, promise.recorded, message.skipped, borrower.contact_changed, ...)",
            },
            "text": {"type": "string"},
            "intent": {"type": ["string", "null"], "description": "what an inbound message was taken to mean"},
            "status": {
                "type": ["string", "null"],
                "description": "delivery status of a message (sent, delivered, failed, skipped, handled, ...), "
                "the guard rule of a decision, or a case / promise status",
            },
            "actor": {"type": "string"},
            "words": {
                "type": "object",
                "description": "out, reminders: the risk tier it was planned under, its template variant, and the "
                "experiment and arm when one covered it",
                "properties": {
                    "risk_tier": {"type": "string", "enum": ["A", "B", "C"]},
                    "variant": {"type": "string"},
                    "experiment": {"type": "string"},
                    "arm": {"type": "string"},
                },
            },
        },
    },
}

# The first case listed, to the actions on it (the staff member comes from the action's own body).
_CASE_LINKS = {
    f"{action.capitalize()}Case": link(f"{action}Case", case_id="$response.body#/items/0/id")
    for action in ("assign", "notes", "reply", "resolve")
}

PATHS: dict[str, Any] = {
    "/api/v1/promises": {
        "get": {
            "operationId": "listPromises",
            "summary": "Promises to pay, oldest first",
            "parameters": [
                _BORROWER_FILTER,
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": list(PROMISE_STATUSES)},
                },
                _LIMIT,
            ],
            "responses": {"200": _json(_list_of("Promise"), "the promises"), "400": _ERROR, "404": _ERROR, **_AUTH},
        }
    },
    "/api/v1/cases": {
        "get": {
            "operationId": "listCases",
            "summary": "Cases (escalations, complaints, disputes), oldest first",
            "parameters": [
                _BORROWER_FILTER,
                {"name": "queue", "in": "query", "required": False, "schema": {"type": "string", "enum": list(QUEUES)}},
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": list(STATUSES)},
                },
                _LIMIT,
            ],
            "responses": {
                "200": {**_json(_list_of("Case"), "the cases"), "links": _CASE_LINKS},
                "400": _ERROR,
                "404": _ERROR,
                **_AUTH,
            },
        }
    },
    "/api/v1/borrowers/{borrower_id}/timeline": {
        "get": {
            "operationId": "getTimeline",
            "summary": "The borrower's whole story, oldest first: messages in and out with delivery status and "
            "intent, guard decisions, cases, promises, contact changes, staff actions",
            "parameters": [{"name": "borrower_id", "in": "path", "required": True, "schema": fields.REFERENCE}],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "borrower_id": {"type": "string"},
                            "items": {"type": "array", "items": _ref("TimelineItem")},
                        },
                    },
                    "the timeline",
                ),
                "404": _ERROR,
                **_AUTH,
            },
        }
    },
}
