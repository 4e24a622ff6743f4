"""The OpenAPI 3.1 document, built from the registered operations and their pydantic models."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tenant_app.api.operations import OPERATIONS, PREFIX, Operation
from tenant_app.api.problems import MEDIA_TYPE, Problem

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
MAX_ROW_ID = 999_999_999  # what the `id` path convertor matches (web/convertors.py)
_ERRORS = {
    400: "Malformed request (e.g. body or header).",
    401: "No valid API token.",
    403: "The token lacks the operation's permission.",
    404: "No such object in this tenant, or not visible.",
    409: "A request with this idempotency key is still running.",
    412: "The object changed since it was read (If-Match).",
    413: "The request is too large.",
    415: "The body is not JSON.",
    422: "Invalid input: `errors` names each field.",
    428: "If-Match is required.",
    429: "Too many requests for this token.",
    507: "The storage is full.",
}


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [Problem]
    for op in OPERATIONS:
        for model in (op.body, op.response, op.upload):
            if model is not None and model not in found:
                found.append(model)
    return found


def _path_parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for name, convertor in _PARAM.findall(path):
        schema: dict[str, Any] = {"type": "string"}
        if convertor == "id":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(op: Operation, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _headers(op: Operation) -> list[dict[str, Any]]:
    found = []
    if op.method == "POST":
        found.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Retries with the same key and body get the first answer again.",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": "^[!-~]+$",
                },
            }
        )
    if op.conditional:
        found.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": "The ETag of the version read; a stale one gets 412.",
                "schema": {"type": "string", "pattern": '^"[0-9]{1,10}"$'},
            }
        )
    return found


def _ref(model: type[BaseModel], refs: dict[Any, Any]) -> dict[str, Any]:
    return dict(refs[(model, "serialization")])


def _success(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    if op.download:
        # in the file's own type (application/pdf, image/png, ...): any media type
        content = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
        return {"description": "The file.", "content": content}
    if op.response is None:
        return {"description": "Done."}
    answer: dict[str, Any] = {
        "description": "OK.",
        "content": {"application/json": {"schema": _ref(op.response, refs)}},
    }
    if op.response is not None and "version" in op.response.model_fields:
        answer["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "The version."}}
    return answer


def _request_body(op: Operation, refs: dict[Any, Any]) -> dict[str, Any] | None:
    if op.body is not None:
        schema = dict(refs[(op.body, "validation")])
        return {"required": True, "content": {"application/json": {"schema": schema}}}
    if op.upload is not None:
        schema = op.upload.model_json_schema(ref_template=REF)
        schema.pop("$defs", None)
        schema.setdefault("properties", {})["file"] = {"type": "string", "format": "binary"}
        schema["required"] = [*schema.get("required", []), "file"]
        return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    return None


def _operation(op: Operation, refs: dict[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    problem_ref = {MEDIA_TYPE: {"schema": _ref(Problem, refs)}}
    responses: dict[str, Any] = {str(op.status if not op.download else 200): _success(op, refs)}
    for status, text in _ERRORS.items():
        responses[str(status)] = {"description": text, "content": problem_ref}
    described: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{"token": list(op.scopes)}],
        "parameters": [
            *_path_parameters(op.path),
            *_query_parameters(op, schemas),
            *_headers(op),
        ],
        "responses": responses,
        "x-scope": " ".join(op.scopes),
    }
    if op.description:
        described["description"] = op.description
    body = _request_body(op, refs)
    if body is not None:
        described["requestBody"] = body
    return described


@cache
def document() -> dict[str, Any]:
    """The whole document (built once: the operations are fixed at import)."""
    keys: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (model, "serialization") for model in _models()
    ]
    keys += [(op.body, "validation") for op in OPERATIONS if op.body is not None]
    refs, definitions = models_json_schema(keys, ref_template=REF)
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        path = PREFIX + _PARAM.sub(lambda found: "{" + found.group(1) + "}", op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Digitaler Kundenordner API",
            "version": "1",
            "description": (
                "JSON over HTTPS on the broker's own host. Authenticate with a tenant API"
                " token (`Authorization: Bearer tka_…`), created under Einstellungen › API."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
