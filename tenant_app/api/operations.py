"""One decorator per API operation: its path, scope, models and words. The registry builds the
routes and the OpenAPI document, so the two cannot disagree; the wrapper does, in this order,
what every operation needs: the token, its scope, the rate limit, the input models, the
idempotency key, and domain errors as problems."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from tenant_app.actors import CurrentUser
from tenant_app.api import inputs, uploads
from tenant_app.api.problems import ApiError, field_errors, from_error, problem
from tenant_app.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import StorageFull, StorageUnavailable
from tenant_app.logs import log
from tenant_app.security import ratelimit
from tenant_app.services import api_tokens, idempotency
from tenant_app.services.api_tokens import ApiCaller
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

logger = logging.getLogger("tenant_app.api")

PREFIX = "/api/v1"
PER_TOKEN = ratelimit.Limit("api-token", 600, 60)  # requests per token and minute
JSON = "application/json"
STORAGE_UNAVAILABLE = N_(
    "The file could not be saved: the file storage cannot be reached. Please try again later."
)


@dataclass
class Reply:
    """A handler's answer when the status or headers are not the operation's defaults."""

    body: BaseModel | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    version: int | None = None  # sent as the ETag


@dataclass
class Call:
    """One request to an operation, checked and parsed."""

    request: Request
    caller: ApiCaller
    path: dict[str, Any]
    query: Any
    body: Any

    @property
    def actor(self) -> CurrentUser:
        return self.caller.actor

    def expected_version(self) -> int:
        """The version `If-Match` names: 428 without one, 412 for anything but our ETag."""
        return inputs.if_match(self.request.headers.get("if-match"))

    def given_version(self) -> int | None:
        """For an upsert: the If-Match version if one was sent (required only once the
        object exists: the handler asks `expected_version()` then)."""
        header = self.request.headers.get("if-match")
        return None if header is None else inputs.if_match(header)


Handler = Callable[[Call], Awaitable[BaseModel | Reply | Response | None]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # below PREFIX, Starlette style: /contacts/{contact_id:int}
    name: str  # the operationId and the route's name
    summary: str
    scope: str
    tag: str
    handler: Handler
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    upload: type[BaseModel] | None = None  # a multipart body: these fields plus `file`
    download: bool = False  # the answer is a file
    conditional: bool = False  # needs If-Match
    description: str = ""
    also: tuple[str, ...] = ()  # further scopes: a delete that takes other resources with it

    @property
    def scopes(self) -> tuple[str, ...]:
        return (self.scope, *self.also)


OPERATIONS: list[Operation] = []


def operation(
    method: str, path: str, *, name: str, summary: str, scope: str, tag: str, **options: Any
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if any(known.name == name for known in OPERATIONS):
            raise ValueError(f"API operation {name!r} twice")
        OPERATIONS.append(Operation(method, path, name, summary, scope, tag, handler, **options))
        return handler

    return register


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            caller = await _caller(request, op)
            return await _answer(request, op, caller)
        except ApiError as error:
            return from_error(error)

    return run


async def _caller(request: Request, op: Operation) -> ApiCaller:
    scheme, _sep, secret = request.headers.get("authorization", "").partition(" ")
    caller = await api_tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if caller is None:
        raise ApiError(
            401, _("A valid API token is required."), headers={"WWW-Authenticate": "Bearer"}
        )
    missing = [scope for scope in op.scopes if not caller.allows(scope)]
    if missing:
        raise ApiError(
            403, _("This token lacks the permission %(scope)s.", scope=", ".join(missing))
        )
    if not await ratelimit.hit(PER_TOKEN, str(caller.token_id)):
        raise ApiError(
            429, _("Too many requests: please slow down."), headers={"Retry-After": "60"}
        )
    return caller


async def _answer(request: Request, op: Operation, caller: ApiCaller) -> Response:
    call = Call(
        request=request,
        caller=caller,
        path=dict(request.path_params),
        query=inputs.query(request, op.query),
        body=await inputs.body(request, op.body) if op.body else None,
    )
    if op.conditional:
        call.expected_version()  # refused before any work
    key = inputs.idempotency_key(request) if op.method == "POST" else None
    if key is None:
        return await _run(op, call)
    body = await request.body()
    if op.upload is not None:  # a multipart body: without the boundary, new for every try
        body = uploads.fingerprint(request, body)
    digest = idempotency.request_hash(op.method, request.url.path, body)
    try:
        stored = await idempotency.begin(caller.token_id, key, digest)
    except idempotency.KeyReused:
        raise ApiError(422, _("This idempotency key was used for another request.")) from None
    except idempotency.StillRunning:
        raise ApiError(409, _("A request with this idempotency key is still running.")) from None
    if stored is not None:
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        return Response(stored.body, stored.status_code, headers, media_type=None)
    response = await _run(op, call)
    if response.status_code >= 500:
        await idempotency.forget(caller.token_id, key)
    else:
        kept = {name: value for name, value in response.headers.items() if name in _KEPT_HEADERS}
        answer = idempotency.Stored(response.status_code, bytes(response.body).decode(), kept)
        await idempotency.finish(caller.token_id, key, answer)
    return response


_KEPT_HEADERS = ("content-type", "etag", "location")


async def _run(op: Operation, call: Call) -> Response:
    try:
        result = await op.handler(call)
    except ApiError as error:
        return from_error(error)
    except EditConflict as conflict:
        return problem(
            412,
            _("Someone else has changed this record: nothing was saved."),
            errors=field_errors(conflict.errors, code="conflict"),
            current_version=conflict.version,
            headers={"ETag": inputs.etag(conflict.version)},
        )
    except ValidationFailed as invalid:
        return problem(422, errors=field_errors(invalid.errors))
    except NotFound:
        return problem(404)
    except PermissionDenied:
        return problem(403)
    except StorageFull:
        return problem(507, _("The file could not be saved: the storage is full."))
    except StorageUnavailable:
        return problem(503, _(STORAGE_UNAVAILABLE), headers={"Retry-After": "60"})
    except Exception:
        log(logger, logging.ERROR, "API operation failed", operation=op.name)
        logger.exception("API operation failed")
        return problem(500)
    return _response(op, result)


def _response(op: Operation, result: BaseModel | Reply | Response | None) -> Response:
    if isinstance(result, Response):
        return result
    reply = result if isinstance(result, Reply) else Reply(result)
    headers = dict(reply.headers)
    if reply.version is not None:
        headers["ETag"] = inputs.etag(reply.version)
    status = reply.status or op.status
    if reply.body is None:
        return Response(status_code=204 if status == 200 else status, headers=headers)
    content = json.dumps(reply.body.model_dump(mode="json"), ensure_ascii=False)
    return Response(content, status, headers, media_type=JSON)
