"""A readable reference of the API, rendered from the OpenAPI document on the tenant's host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tenant_app.api.openapi import document
from tenant_app.pages import render


@dataclass(frozen=True)
class Field:
    name: str
    where: str  # path | query | header | body | answer
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    summary: str
    scope: str
    anchor: str
    fields: list[Field]


def _type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(option, schemas) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type(schema.get('items', {}), schemas)}]"
    return str(schema.get("format") or schema.get("type") or "object")


def _model_fields(schema: dict[str, Any], schemas: dict[str, Any], where: str) -> list[Field]:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", ()))
    return [
        Field(name, where, _type(prop, schemas), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


def _entry(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> Entry:
    fields = [
        Field(
            p["name"], p["in"], _type(p["schema"], schemas), p["required"], p.get("description", "")
        )
        for p in op.get("parameters", [])
    ]
    for content in op.get("requestBody", {}).get("content", {}).values():
        fields += _model_fields(content["schema"], schemas, "body")
    for status, answer in op["responses"].items():
        if status.startswith("2"):
            for media, content in answer.get("content", {}).items():
                if media == "application/json":
                    fields += _model_fields(content["schema"], schemas, "answer")
    return Entry(method.upper(), path, op["summary"], op["x-scope"], op["operationId"], fields)


def entries() -> list[tuple[str, list[Entry]]]:
    """The operations grouped by tag, in the order they were registered."""
    spec = document()
    schemas = spec["components"]["schemas"]
    groups: dict[str, list[Entry]] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append(_entry(path, method, op, schemas))
    return list(groups.items())


async def reference_page(request: Request) -> Response:
    return render(request, "api/reference.html", {"groups": entries()})
