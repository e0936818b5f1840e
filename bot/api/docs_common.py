"""Pieces every part of the OpenAPI document uses: references, JSON answers, the common errors."""

from __future__ import annotations

from typing import Any, Final


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return json_answer(ref("Error"), description)


def request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


# Every /api/v1 route but the document itself (bot.api.common.api_middleware).
AUTH: Final = {"401": error("missing or wrong bearer token")}
# Every route that reads a JSON body (bot.api.common.read_json, and the application's size limit).
BODY_ERRORS: Final = {
    "400": error(
        "bad_json: the body is not UTF-8 JSON we take (not JSON, nested deeper than 64 levels, a NUL "
        "character or an unpaired surrogate); bad_request: not the object expected"
    ),
    "413": error("too_large: the body is larger than the server's limit (16 MB)"),
}


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: the operation to call next and where its parameters come from."""
    return {"operationId": operation_id, "parameters": parameters}
