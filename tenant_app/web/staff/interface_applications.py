"""Applications (Anträge) through an insurer's interface, on the staff side: started from an
insured object, answered step by step (the plug-in's questions; "Zurück" goes one step
back), the tariff asked again, sent, the filled application shown as a PDF, signed by an
uploaded copy or a click-to-sign, finalized into a policy at the object; and for
administrators the application's interface log (services/application_pages.py reads, the
use cases are services/interface_applications.py, application_signing.py,
application_policy.py)."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.pages import redirect, render
from tenant_app.services import (
    application_pages,
    application_policy,
    application_signing,
    interface_applications,
    versions,
)
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _
from tenant_app.web import forms
from tenant_app.web.downloads import preview_response
from tenant_app.web.staff.cases import staff_only
from tenant_app.web.staff.insured_objects import object_page

PAGE = "staff/applications/page.html"
CALLS_PAGE = "staff/applications/calls.html"
SIGN_FIELDS = ("way", "consent", "signer_name")
ANSWER_MAX_CHARS = 2000  # a field's read limit; its declaration says what it allows


def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def _storage(request: Request) -> Storage:
    return cast(Storage, request.app.state.storage)


def _application_id(request: Request) -> tuple[CurrentUser, int]:
    return staff_only(request), cast(int, request.path_params["app_id"])


async def _page(
    request: Request,
    actor: CurrentUser,
    application_id: int,
    *,
    failed: ValidationFailed | None = None,
    **shown: Any,
) -> Response:
    """The application's page; after a refused form with its messages (`typed`: the step's
    input as sent, `sign_values`: the click-to-sign form's)."""
    application = await interface_applications.application_for(actor, application_id)
    context = await application_pages.application_page(
        actor, application, step_key=shown.pop("step_key", ""), typed=shown.pop("typed", None)
    )
    context |= {"errors": failed.errors if failed else {}, "sign_values": {}, **shown}
    return render(request, PAGE, context, status_code=failed.status_code if failed else 200)


async def application_start(request: Request) -> Response:
    """The object's open application with this insurer, or a new one; a refusal (no agent
    number, the interface not active) is said on the object's page."""
    actor = staff_only(request)
    object_id = cast(int, request.path_params["object_id"])
    form = await forms.read_form(request)
    try:
        plugin = forms.text(form, "plugin", max_chars=40)
        application = await interface_applications.start(
            _settings(request), actor, object_id=object_id, plugin_key=plugin
        )
    except ValidationFailed as failed:
        return await object_page(request, errors=failed.errors, status_code=failed.status_code)
    return redirect(request, "application", app_id=application.id)


async def application_detail(request: Request) -> Response:
    actor, application_id = _application_id(request)
    step = request.query_params.get("step", "")[:40]  # a draft's "change" link
    return await _page(request, actor, application_id, step_key=step)


async def _answers(
    actor: CurrentUser, application_id: int, step_key: str, form: FormData
) -> tuple[dict[str, str], dict[str, str]]:
    """The step's fields as sent (a yes/no not ticked: sent as nothing) with the version, and
    a message for each field refused as it came (too long): the others are kept all the same."""
    values = forms.texts(form, (VERSION_FIELD,), max_chars=12)
    errors: dict[str, str] = {}
    for key in await application_pages.field_keys(actor, application_id, step_key):
        try:
            values[key] = forms.text(form, key, max_chars=ANSWER_MAX_CHARS)
        except ValidationFailed as refused:
            values[key], errors = "", errors | refused.errors
    return values, errors


async def _save_step(
    request: Request, actor: CurrentUser, application_id: int, step: str, values: dict[str, str]
) -> None:
    await interface_applications.answer_step(
        _settings(request),
        actor,
        application_id,
        step_key=step,
        values=values,
        version=versions.version_of(values),
    )


async def application_step(request: Request) -> Response:
    """Save the step's answers and go on; "Zurück" shows the step before (keeping them)."""
    actor, application_id = _application_id(request)
    step = cast(str, request.path_params["step"])
    form = await forms.read_form(request)
    values, refused = await _answers(actor, application_id, step, form)
    if "back" in form:
        await interface_applications.go_back(actor, application_id, step_key=step, values=values)
        return redirect(request, "application", app_id=application_id)
    try:
        if refused:
            raise ValidationFailed(refused)
        await _save_step(request, actor, application_id, step, values)
    except ValidationFailed as failed:
        typed, shown = failed.kept(values), {"step_key": step}
        return await _page(request, actor, application_id, failed=failed, typed=typed, **shown)
    return redirect(request, "application", app_id=application_id)


async def application_quote(request: Request) -> Response:
    """Ask the insurer for the tariff again (after it could not be reached, or to check)."""
    actor, application_id = _application_id(request)
    try:
        await interface_applications.requote(_settings(request), actor, application_id)
    except ValidationFailed as failed:
        return await _page(request, actor, application_id, failed=failed)
    return redirect(request, "application", flash="requoted", app_id=application_id)


async def application_submit(request: Request) -> Response:
    actor, application_id = _application_id(request)
    values = forms.texts(await forms.read_form(request), (VERSION_FIELD,), max_chars=12)
    try:
        await interface_applications.submit(
            _settings(request),
            _storage(request),
            actor,
            application_id,
            version=versions.version_of(values),
        )
    except ValidationFailed as failed:
        return await _page(request, actor, application_id, failed=failed)
    return redirect(request, "application", flash="submitted", app_id=application_id)


async def application_paper(request: Request) -> Response:
    """The filled application as the insurer returned it, for the browser's PDF viewer."""
    actor, application_id = _application_id(request)
    document = await application_pages.paper_of(actor, application_id)
    return await preview_response(_storage(request), document)


async def _sign(request: Request, actor: CurrentUser, application_id: int, form: FormData) -> None:
    """Sign the way the form says."""
    values = forms.texts(form, SIGN_FIELDS, max_chars=200)
    if values["way"] == "upload":
        await application_signing.sign_by_upload(
            _settings(request),
            _storage(request),
            actor,
            application_id,
            upload=forms.upload_from(form),
        )
    elif values["way"] == "click":
        client = {"ip": forms.client_address(request)}
        client["user_agent"] = request.headers.get("user-agent", "")
        await application_signing.sign_by_click(actor, application_id, values=values, client=client)
    else:
        raise ValidationFailed({"form": _("Invalid input.")})


async def application_sign(request: Request) -> Response:
    """The signed copy uploaded, or the customer's click-to-sign (`way`: upload | click)."""
    actor, application_id = _application_id(request)
    async with forms.multipart(request) as form:
        try:
            await _sign(request, actor, application_id, form)
        except ValidationFailed as failed:
            typed = {name: str(form.get(name) or "")[:200] for name in SIGN_FIELDS}
            return await _page(request, actor, application_id, failed=failed, sign_values=typed)
    return redirect(request, "application", flash="signed", app_id=application_id)


async def application_finalize(request: Request) -> Response:
    """The policy: confirmed in the page's dialog (without JavaScript: by its checkbox)."""
    actor, application_id = _application_id(request)
    form = await forms.read_form(request)
    try:
        if not forms.checkbox(form, "confirm"):
            raise ValidationFailed({"confirm": _("Please confirm that the policy may be made.")})
        done = await application_policy.finalize(
            _settings(request), _storage(request), actor, application_id
        )
    except ValidationFailed as failed:
        return await _page(request, actor, application_id, failed=failed)
    return redirect(request, "insured_object", flash="finalized", object_id=done.insured_object_id)


async def application_cancel(request: Request) -> Response:
    """Call an open application off (confirmed in the page's dialog)."""
    actor, application_id = _application_id(request)
    try:
        done = await interface_applications.cancel(actor, application_id)
    except ValidationFailed as failed:
        return await _page(request, actor, application_id, failed=failed)
    return redirect(request, "insured_object", flash="cancelled", object_id=done.insured_object_id)


async def application_calls(request: Request) -> Response:
    """The application's exchanges with the insurer, for support (administrators)."""
    actor, application_id = _application_id(request)
    context = await application_pages.calls_page(actor, application_id)
    return render(request, CALLS_PAGE, context)


ONE = "/staff/applications/{app_id:id}"
routes = [
    Route(
        "/staff/objects/{object_id:id}/apply",
        application_start,
        methods=["POST"],
        name="insured_object_apply",
    ),
    Route(ONE, application_detail, methods=["GET"], name="application"),
    Route(ONE + "/steps/{step}", application_step, methods=["POST"], name="application_step"),
    Route(ONE + "/quote", application_quote, methods=["POST"], name="application_quote"),
    Route(ONE + "/submit", application_submit, methods=["POST"], name="application_submit"),
    Route(ONE + "/paper", application_paper, methods=["GET"], name="application_paper"),
    Route(ONE + "/sign", application_sign, methods=["POST"], name="application_sign"),
    Route(ONE + "/finalize", application_finalize, methods=["POST"], name="application_finalize"),
    Route(ONE + "/cancel", application_cancel, methods=["POST"], name="application_cancel"),
    Route(ONE + "/calls", application_calls, methods=["GET"], name="application_calls"),
]
