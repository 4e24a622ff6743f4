"""Schemathesis against the live OpenAPI document: every operation the app serves is called
with what its document allows (and with what it forbids), authenticated with a token that
has every permission, against real objects as well as made-up ids. No answer may be a server
error, and every answer must be one the document declares: status, media type, body schema
and headers.

The document is read from the running app; the cases are generated from it by schemathesis
and sent through the app in-process (the tests' own database and event loop). A new
operation is called as soon as it is registered. Bounded for CI: a fixed number of examples
per operation, derandomized, so a failure is the same on every run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tenant_app.api.operations import OPERATIONS
from tests.api_helpers import bearer, make_token
from tests.web.test_api_isolation import OBJECTS, ApiObjects, make_api_objects, path_names

MAX_EXAMPLES = 15  # per operation: bounded CI time as operations are added
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]  # invalid input is refused with a 4xx
# Every call carries the run's token, so no Authorization header is generated; invalid input
# may also be refused with 412 (an If-Match that names no version) or 413 (too large).
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"with-security-parameters": False},
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429]
            }
        },
    }
)
REQUEST_ARGUMENTS = ("method", "url", "headers", "params", "cookies", "json", "data", "files")
BODY_IDS = ("contact_id", "contract_id", "document_id", "ticket_id", "case_id")


@dataclass(frozen=True)
class ApiRun:
    client: Any
    schema: Any
    secret: str
    objects: ApiObjects


@pytest.fixture
async def api_run(tenant, passwords, settings, client) -> ApiRun:
    objects = await make_api_objects(tenant, passwords, settings)
    secret = await make_token(tenant, name="Schemathesis")
    answer = await client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    schema = schemathesis.openapi.from_dict(answer.json(), config=CONFIG)
    return ApiRun(client, schema, secret, objects)


def _real_path(operation_id: str, objects: ApiObjects) -> dict[str, Any]:
    op = next(op for op in OPERATIONS if op.name == operation_id)
    values = objects.path_values()
    return {name: values[name] for name, _convertor in path_names(op) if name in OBJECTS}


def _with_real_ids(data: st.DataObject, body: Any, objects: ApiObjects) -> None:
    """Some generated ids in a JSON body become the fixture's real ones, so that creating
    and changing objects also runs past the lookups."""
    if isinstance(body, dict):
        values = objects.path_values()
        for name in BODY_IDS:
            if name in body and data.draw(st.booleans(), label=f"real {name}"):
                body[name] = values[name]


async def _send(run: ApiRun, case: Any) -> Any:
    """The case as schemathesis would send it (requests prepares the body), through the app."""
    kwargs = case.as_transport_kwargs(
        base_url=str(run.client.base_url).rstrip("/"), headers=bearer(run.secret)
    )
    try:
        prepared = requests.Request(
            **{key: kwargs[key] for key in REQUEST_ARGUMENTS if key in kwargs}
        ).prepare()
        return await run.client.request(
            prepared.method or "GET",
            prepared.url or "",
            headers=dict(prepared.headers),
            content=prepared.body,
        )
    except (ValueError, UnicodeError, requests.exceptions.InvalidHeader):
        reject()  # a header no HTTP client can send (negative generation): not a request


@pytest.mark.parametrize("operation_id", [op.name for op in OPERATIONS])
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_every_operation_keeps_to_its_document(
    operation_id: str, data: st.DataObject, api_run: ApiRun
) -> None:
    operation = api_run.schema.find_operation_by_id(operation_id)
    mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]))
    real = data.draw(st.booleans(), label="real path ids")
    path = _real_path(operation_id, api_run.objects) if real else None
    case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=path))
    if mode is GenerationMode.POSITIVE:
        _with_real_ids(data, case.body, api_run.objects)
    response = await _send(api_run, case)
    assert response.status_code != 429, "rate limited: fewer examples, or a fresh token"
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS
    case.validate_response(response, checks=checks, headers=bearer(api_run.secret))
