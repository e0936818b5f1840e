"""OpenAPI paths of ``bot.api.case_actions`` (merged into ``bot.api.openapi``).

The answers reuse the ``Case`` schema (the object of ``GET /api/v1/cases``) and ``Borrower``.
"""

from __future__ import annotations

from typing import Any

from bot.api import fields
from bot.api.docs_common import AUTH, BODY_ERRORS, link
from scheduler.staff_reply import MAX_REPLY
from storage.case_actions import MAX_NOTE, OUTCOMES
from storage.views import RESTRICTION_KINDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_AUTH = AUTH
_CASE_ID = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "schema": fields.ROW_ID,
    "description": "a case's id (404 when unknown or out of range)",
}
_BORROWER_ID = {"name": "borrower_id", "in": "path", "required": True, "schema": fields.REFERENCE}
_STAFF = {
    **fields.text(None, controls=True),
    "description": "username of the staff member acting (same rules as the console; 404 when unknown)",
}
_NOTE = {"type": "string", "pattern": r"^[^\x00]*$", "description": f"kept to its first {MAX_NOTE} characters"}

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


def _action(
    operation_id: str, summary: str, body: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_CASE_ID],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": fields.body_object(body)}},
            },
            "responses": {
                "200": _json(_ref("Case"), "the case after the action"),
                **BODY_ERRORS,
                "403": _json(_ref("Error"), "the account is disabled or its role may not act in the case's queue"),
                "404": _json(_ref("Error"), "unknown case or staff member"),
                "409": _json(_ref("Error"), "the case is resolved (case_resolved), or already someone else's"),
                "422": _json(_ref("Error"), "a field is missing or bad (invalid)"),
                **(extra or {}),
                **_AUTH,
            },
        }
    }


# A restriction set, to lifting it.
_LIFT = {
    "LiftRestriction": link("liftRestriction", borrower_id="$request.path.borrower_id", kind="$request.body#/kind")
}

PATHS: dict[str, Any] = {
    "/api/v1/cases/{case_id}/assign": _action(
        "assignCase",
        "Assign the case to the named member (taking it; a supervisor may take it from someone else)",
        {"staff": _STAFF},
    ),
    "/api/v1/cases/{case_id}/notes": _action(
        "notesCase", "Add a staff note to the case", {"staff": _STAFF, "text": fields.text(MAX_NOTE, controls=True)}
    ),
    "/api/v1/cases/{case_id}/reply": _action(
        "replyCase",
        "Reply to the borrower on their channel, through the contact guard",
        {"staff": _STAFF, "text": fields.text(MAX_REPLY, controls=True)},
        {
            "409": _json(
                {"anyOf": [_ref("ContactRefused"), _ref("Error")]},
                "contact_not_allowed: contact is not allowed now (the guard's rule and reason); case_resolved: the "
                "case is resolved",
            )
        },
    ),
    "/api/v1/cases/{case_id}/resolve": _action(
        "resolveCase",
        "Resolve the case with an outcome (one that fits the case's kind, else 422)",
        {"staff": _STAFF, "outcome": {"type": "string", "enum": list(OUTCOMES)}},
    ),
    "/api/v1/borrowers/{borrower_id}/restrictions": {
        "post": {
            "operationId": "setRestriction",
            "summary": "Set a restriction on collection contact (idempotent: one in force is left as it is)",
            "parameters": [_BORROWER_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": fields.body_object(
                            {"kind": {"type": "string", "enum": list(RESTRICTION_KINDS)}, "note": _NOTE},
                            frozenset({"note"}),
                        )
                    }
                },
            },
            "responses": {
                "201": {**_json(_ref("Borrower"), "set"), "links": _LIFT},
                "200": {**_json(_ref("Borrower"), "already in force"), "links": _LIFT},
                **BODY_ERRORS,
                "404": _json(_ref("Error"), "unknown borrower"),
                "422": _json(_ref("Error"), "a field is missing or bad (invalid)"),
                **_AUTH,
            },
        }
    },
    "/api/v1/borrowers/{borrower_id}/restrictions/{kind}": {
        "delete": {
            "operationId": "liftRestriction",
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
                "422": _json(_ref("Error"), "not a restriction's kind"),
                **_AUTH,
            },
        }
    },
}
