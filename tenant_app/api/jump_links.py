"""Jump-in links (Absprung) through the API: the broker's system asks for a link that logs a
named staff member into an advice case (or a contact's page) here, once, within minutes
(services/jump_links.py)."""

from __future__ import annotations

from tenant_app.api.case_models import JumpLinkIn, JumpLinkOut
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.errors import ValidationFailed
from tenant_app.services import case_sync, jump_links
from tenant_app.text.i18n import gettext as _


async def _user_id(body: JumpLinkIn) -> int:
    if (body.user_id is None) == (body.username is None):
        raise ValidationFailed(
            {"user_id": _("Please name the staff member by user_id or username.")}
        )
    return body.user_id or await jump_links.staff_member_id(str(body.username))


async def _target(call: Call, body: JumpLinkIn) -> tuple[str, int]:
    named = [body.case_id, body.case_external_id, body.contact_id]
    if sum(value is not None for value in named) != 1:
        message = _("Please name exactly one of case_id, case_external_id and contact_id.")
        raise ValidationFailed({"case_id": message})
    if body.contact_id is not None:
        return "contact", body.contact_id
    if body.case_id is not None:
        return "case", body.case_id
    found = await case_sync.case_by_external_id(call.actor, str(body.case_external_id))
    if found is None:
        raise ValidationFailed({"case_external_id": _("There is no such advice case.")})
    return "case", found.id


@operation(
    "POST",
    "/jump-links",
    name="api_jump_link_create",
    summary="A single-use link that logs a staff member into an advice case",
    scope=jump_links.SCOPE,
    tag="Advice cases",
    body=JumpLinkIn,
    response=JumpLinkOut,
    status=201,
    description="The link works once and for `ttl_seconds` (default 120). Opening it logs the"
    " staff member in as the login form does (second factor included) and shows the case;"
    " only for an active staff member who sees the case's contact and administers nothing"
    " (no admin, nor staff who manage users or settings: else 422 on `user_id`). A link stops"
    " working when the token that asked for it is revoked or expires.",
)
async def jump_link_create(call: Call) -> Reply:
    body: JumpLinkIn = call.body
    user_id = await _user_id(body)
    target_type, target_id = await _target(call, body)
    issued = await jump_links.issue_jump_link(
        call.actor,
        settings=call.request.app.state.settings,
        user_id=user_id,
        target_type=target_type,
        target_id=target_id,
        ttl=body.ttl_seconds,
    )
    out = JumpLinkOut(
        url=issued.url,
        expires_at=issued.expires_at,
        user_id=user_id,
        target_type=target_type,  # type: ignore[arg-type]
        target_id=target_id,
    )
    return Reply(out, status=201, headers={"Cache-Control": "no-store"})
