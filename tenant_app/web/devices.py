"""The actor's own signed-in devices on "Anmeldung & Sicherheit": end one session or all
others, and turn the mail about sign-ins from new browsers on, or off with the password."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import account_security, devices
from tenant_app.web import forms
from tenant_app.web.guards import require

SESSIONS_PATH = "/account/security/sessions"


async def device_session_end(request: Request) -> Response:
    """End one other session, named by its reference (404 if not one of the actor's)."""
    user = require(request, lambda u: True)
    form = await forms.read_form(request)
    ref = forms.text(form, "session", max_chars=64)
    await devices.end_device_session(user, settings=request.app.state.settings, ref=ref)
    return redirect(request, "account_security", flash="device_ended")


async def device_sessions_end_others(request: Request) -> Response:
    user = require(request, lambda u: True)
    await devices.end_other_sessions(user)
    return redirect(request, "account_security", flash="devices_ended")


async def login_alerts_save(request: Request) -> Response:
    """On without more; off only with the current password (else the page again, the box as
    the user left it and the message at the password field)."""
    user = require(request, lambda u: True)
    form = await forms.read_form(request)
    enabled = forms.checkbox(form, "login_alerts")
    try:
        password = forms.text(form, "alerts_password", max_chars=1024)
        await devices.set_login_alerts(
            user,
            request.app.state.passwords,
            settings=request.app.state.settings,
            enabled=enabled,
            password=password,
        )
    except ValidationFailed as failed:
        return await _alerts_refused(request, user, enabled, failed)
    return redirect(request, "account_security", flash="alerts_on" if enabled else "alerts_off")


async def _alerts_refused(
    request: Request, user: CurrentUser, enabled: bool, failed: ValidationFailed
) -> Response:
    settings = request.app.state.settings
    context = await account_security.overview(user, settings=settings)
    context["devices"] = replace(context["devices"], login_alerts=enabled)  # as sent
    context["devices_errors"] = failed.errors
    return render(request, "account/security.html", context, status_code=failed.status_code)


routes = [
    Route(f"{SESSIONS_PATH}/end", device_session_end, methods=["POST"], name="device_session_end"),
    Route(
        f"{SESSIONS_PATH}/end-others",
        device_sessions_end_others,
        methods=["POST"],
        name="device_sessions_end_others",
    ),
    Route(f"{SESSIONS_PATH}/alerts", login_alerts_save, methods=["POST"], name="login_alerts_save"),
]
