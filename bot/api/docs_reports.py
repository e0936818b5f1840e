"""OpenAPI paths and schemas of ``bot.api.reports`` (merged into ``bot.api.openapi``)."""

from __future__ import annotations

from typing import Any

from bot.api.reports import MAX_DAYS, MAX_PERIODS
from scheduler.portfolio import BUCKETS, CLASSES, EVERY, GROUP_BY

_RATE = {
    "type": ["number", "null"],
    "minimum": 0,
    "description": "a share (0..1, four places); null when nothing to divide by",
}
_MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
_PER_CURRENCY = {"type": "object", "additionalProperties": _MONEY, "description": "keyed by currency (ISO 4217)"}
_RATE_PER_CURRENCY = {"type": "object", "additionalProperties": _RATE, "description": "keyed by currency"}
_COUNT = {"type": "integer", "minimum": 0}
_PER_BUCKET = {"type": "object", "properties": {b: _COUNT for b in BUCKETS}, "required": list(BUCKETS)}
_PER_CHANNEL = {"type": "object", "properties": {"sms": _COUNT, "telegram": _COUNT}, "required": ["sms", "telegram"]}
_PER_KIND = {"type": "object", "additionalProperties": _COUNT, "description": "keyed by case kind"}
_DATE = {"type": "string", "format": "date"}

INDICATORS: dict[str, Any] = {
    "loans_outstanding": _COUNT,
    "loans_overdue": _COUNT,
    "overdue_rate": _RATE,
    "outstanding_amount": _PER_CURRENCY,
    "overdue_amount": _PER_CURRENCY,
    "buckets": _PER_BUCKET,
    "classification": {
        "type": "object",
        "required": list(CLASSES),
        "properties": {
            c: {
                "type": "object",
                "required": ["loans", "amount"],
                "properties": {"loans": _COUNT, "amount": _PER_CURRENCY},
            }
            for c in CLASSES
        },
    },
    "npl_ratio": _RATE_PER_CURRENCY,
    "roll_rates": {"type": "object", "properties": {b: _PER_BUCKET for b in BUCKETS}, "required": list(BUCKETS)},
    "cure_rate": _RATE,
    "collected_amount": _PER_CURRENCY,
    "recovery_rate": _RATE_PER_CURRENCY,
    "messages_sent": _PER_CHANNEL,
    "messages_delivered": _PER_CHANNEL,
    "delivery_rate": _RATE,
    "borrowers_reminded": _COUNT,
    "borrowers_replied": _COUNT,
    "reply_rate": _RATE,
    "promises_made": _COUNT,
    "promises_kept": _COUNT,
    "promises_partly_kept": _COUNT,
    "promises_broken": _COUNT,
    "promise_kept_rate": _RATE,
    "opt_outs": _COUNT,
    "opt_out_rate": _RATE,
    "complaints_received": _COUNT,
    "complaints_first_response_on_time": _COUNT,
    "complaints_resolved_on_time": _COUNT,
    "complaints_overdue_open": _COUNT,
    "cases_opened": _PER_KIND,
    "cases_resolved": _PER_KIND,
    "median_hours_to_first_response": {"type": ["number", "null"], "minimum": 0},
}

SCHEMAS: dict[str, Any] = {
    "Indicators": {
        "type": "object",
        "description": "README, section Reports, defines each indicator",
        "required": list(INDICATORS),
        "properties": INDICATORS,
    },
    "Report": {
        "type": "object",
        "required": ["since", "until", "overall"],
        "properties": {
            "since": _DATE,
            "until": _DATE,
            "experiment": {"type": "string"},
            "overall": {"$ref": "#/components/schemas/Indicators"},
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "indicators"],
                    "properties": {
                        "key": {"type": "object", "additionalProperties": {"type": "string"}},
                        "indicators": {"$ref": "#/components/schemas/Indicators"},
                    },
                },
            },
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start", "end", "indicators"],
                    "properties": {
                        "start": _DATE,
                        "end": _DATE,
                        "indicators": {"$ref": "#/components/schemas/Indicators"},
                    },
                },
            },
        },
    },
}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter that may also be given empty: the same as leaving it out."""
    return {"anyOf": [schema, {"type": "string", "enum": [""]}]}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PATHS: dict[str, Any] = {
    "/api/v1/reports": {
        "get": {
            "operationId": "getReport",
            "summary": "Portfolio and servicing indicators of a period (the report of duebot report)",
            "parameters": [
                _query("since", _or_empty(_DATE), "first date in sla.timezone (default: 30 days before until)"),
                _query("until", _or_empty(_DATE), "last date (default: yesterday)"),
                _query(
                    "every",
                    {"type": "string", "enum": ["", *EVERY]},
                    f"adds a series of periods (at most {MAX_PERIODS})",
                ),
                _query("by", {"type": "string", "enum": ["", *GROUP_BY]}, "adds groups"),
                _query(
                    "experiment",
                    {"type": "string", "pattern": r"^[^\x00]*$"},
                    "with by=arm: the experiment of the policy whose arms to compare",
                ),
            ],
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}},
                },
                "400": {
                    "description": "a bad date, since after until, an unknown every, by or experiment, by=arm "
                    f"without an experiment, an unknown parameter, a period of more than {MAX_DAYS} days or a "
                    f"series of more than {MAX_PERIODS} periods",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
                "401": {
                    "description": "missing or wrong bearer token",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    }
}
