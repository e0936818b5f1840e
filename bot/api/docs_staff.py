"""OpenAPI paths of ``bot.api.case_actions`` (merged into ``bot.api.openapi``).

The answers reuse the ``Case`` schema (the object of ``GET /api/v1/cases``) and ``Borrower``.
"""

from __future__ import annotations

from typing import Any

from storage.case_actions import OUTCOMES
from storage.views import RESTRICTION_KINDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("Error"), "error")
_AUTH = {"401": _json(_ref("Error"), "missing or wrong bearer token")}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_BORROWER_ID = {"name": "borrower_id", "in": "path", "required": True, "schema": {"type": "string"}}
_STAFF = {"type": "string", "description": "username of the staff member acting (same rules as the console)"}

SCHEMAS: dict[str, Any] = {
    "ContactRefused": {
        "type": "object",
        "required": ["error", "message", "rule", "reason"],
        "properties": {
            "error": {"type": "string", "enum": ["contact_not_allowed"]},
            "message": {"type": "string", "description": "the contact guard's reason"},
            "reason": {"type": "string", "description": "the contact guard's reason (as message)"},
            "rule": {"type": "string", "description": "the guard rule, e.g. window, opted_out, restricted:cease"},
            "not_before": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}


def _action(summary: str, fields: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [_CASE_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object", "required": list(fields), "properties": fields}}
                },
            },
            "responses": {
                "200": _json(_ref("Case"), "the case after the action"),
                "400": _ERROR,
                "403": _json(_ref("Error"), "the account is disabled or its role may not act in the case's queue"),
                "404": _json(_ref("Error"), "unknown case or staff member"),
                "409": _ERROR,
                "422": _ERROR,
                **(extra or {}),
                **_AUTH,
            },
        }
    }


PATHS: dict[str, Any] = {
    "/api/v1/cases/{case_id}/assign": _action(
        "Assign the case to the named member (taking it; a supervisor may take it from someone else)",
        {"staff": _STAFF},
    ),
    "/api/v1/cases/{case_id}/notes": _action(
        "Add a staff note to the case", {"staff": _STAFF, "text": {"type": "string", "maxLength": 4000}}
    ),
    "/api/v1/cases/{case_id}/reply": _action(
        "Reply to the borrower on their channel, through the contact guard",
        {"staff": _STAFF, "text": {"type": "string", "maxLength": 1600}},
        {
            "409": _json(
                _ref("ContactRefused"), "contact is not allowed now (the guard's reason), or the case is resolved"
            )
        },
    ),
    "/api/v1/cases/{case_id}/resolve": _action(
        "Resolve the case with an outcome",
        {"staff": _STAFF, "outcome": {"type": "string", "enum": list(OUTCOMES)}},
    ),
    "/api/v1/borrowers/{borrower_id}/restrictions": {
        "post": {
            "summary": "Set a restriction on collection contact (idempotent: one in force is left as it is)",
            "parameters": [_BORROWER_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["kind"],
                            "properties": {
                                "kind": {"type": "string", "enum": list(RESTRICTION_KINDS)},
                                "note": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json(_ref("Borrower"), "set"),
                "200": _json(_ref("Borrower"), "already in force"),
                "404": _ERROR,
                "422": _ERROR,
                **_AUTH,
            },
        }
    },
    "/api/v1/borrowers/{borrower_id}/restrictions/{kind}": {
        "delete": {
            "summary": "Lift a restriction",
            "parameters": [
                _BORROWER_ID,
                {
                    "name": "kind",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(RESTRICTION_KINDS)},
                },
            ],
            "responses": {
                "200": _json(_ref("Borrower"), "lifted"),
                "404": _json(_ref("Error"), "unknown borrower, or no such restriction in force"),
                "422": _ERROR,
                **_AUTH,
            },
        }
    },
}
