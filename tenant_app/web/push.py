"""Web push on the notification page: a browser switches it on (its subscription, as JSON
from static/js/pwa.js) or off, and the account removes one of its devices. Only where the
tenant has the `push` module."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.services import push
from tenant_app.web.guards import require, require_module

BASE = "/account/push"
MAX_BODY_CHARS = 4000  # an endpoint of up to 1000 characters and two short keys


def _pusher(request: Request) -> CurrentUser:
    require_module(request, "push")
    return require(request, lambda user: not user.read_only)


async def _json(request: Request) -> dict[str, Any]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_CHARS:
            raise HTTPException(413)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise HTTPException(400) from None
    if not isinstance(data, dict):
        raise HTTPException(400)
    return data


def _text(data: dict[str, Any], *path: str) -> str:
    value: Any = data
    for name in path:
        value = value.get(name, "") if isinstance(value, dict) else ""
    return value if isinstance(value, str) else ""


async def push_context(request: Request, user: CurrentUser) -> dict[str, Any]:
    """What the notification page shows of push (nothing where the module is off)."""
    if not request.state.tenant.has_module("push"):
        return {"push": None}
    return {"push": {"devices": await push.devices(user)}}


async def push_key(request: Request) -> Response:
    """The installation's public key, asked for when a browser switches push on (the page
    itself never makes or reads the key pair)."""
    _pusher(request)
    return JSONResponse({"key": await push.public_key(request.app.state.settings)})


async def push_subscribe(request: Request) -> Response:
    user = _pusher(request)
    data = await _json(request)
    try:
        subscription_id = await push.subscribe(
            user,
            endpoint=_text(data, "endpoint"),
            p256dh=_text(data, "keys", "p256dh"),
            auth=_text(data, "keys", "auth"),
            user_agent=request.headers.get("user-agent", ""),
            allow_private=request.app.state.settings.allows_private_webhooks,
        )
    except ValidationFailed as invalid:
        return JSONResponse({"error": "invalid", "errors": invalid.errors}, status_code=422)
    return JSONResponse({"id": subscription_id}, status_code=201)


async def push_unsubscribe(request: Request) -> Response:
    user = _pusher(request)
    await push.remove_endpoint(user, endpoint=_text(await _json(request), "endpoint"))
    return Response(status_code=204)


async def push_remove(request: Request) -> Response:
    user = _pusher(request)
    await push.remove(user, subscription_id=request.path_params["subscription_id"])
    return redirect(request, "notification_list", flash="push_removed")


routes = [
    Route(BASE, push_subscribe, methods=["POST"], name="push_subscribe"),
    Route(BASE + "/key", push_key, methods=["GET"], name="push_key"),
    Route(BASE + "/off", push_unsubscribe, methods=["POST"], name="push_unsubscribe"),
    Route(
        BASE + "/{subscription_id:id}/delete",
        push_remove,
        methods=["POST"],
        name="push_remove",
    ),
]
