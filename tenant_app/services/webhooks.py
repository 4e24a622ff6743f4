"""Webhooks: the tenant admin's endpoints, and the events they are sent.

`enqueue(event)` runs inside `events.record()`, in the transaction of the change: one
delivery per endpoint subscribed to the event's webhook type (an endpoint switched off by
hand hears nothing; one the loop switched off for failing keeps its deliveries until it is
on again, for `webhooks_delivery.RETENTION_DAYS` at most), with its JSON body
fixed now and a message id (`msg_…`) that stays the same on every attempt, so a receiver can
drop a message it already has (delivery is at least once). The background loop sends them
(services/webhooks_delivery.py).

A body names the object by its ids only (and the broker system's `external_id`), plus the
changed fields' old and new values an edit recorded: never a name or a title. Erasing a
contact erases the deliveries about it (`forget_contact`) before it tells of the deletion.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract, Document
from tenant_app.models.integration import WebhookDelivery, WebhookEndpoint
from tenant_app.permissions import can_link_systems
from tenant_app.queries.webhooks import PARKED
from tenant_app.schemas.base import checked
from tenant_app.schemas.webhooks import WebhookEndpointInput
from tenant_app.services.versions import save_if_unchanged, version_of
from tenant_app.services.webhook_targets import (
    Resolver,
    TargetRefused,
    check_target,
    system_resolver,
)
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_, Labels

# The event kinds (services/events.py) that are webhook events, and their types. Others
# (a document opened, the portal viewed as the customer, a request forwarded) are not.
TYPE_OF = {
    "contact_added": "contact.created",
    "profile_changed": "contact.updated",  # by staff or by the customer
    "contact_deleted": "contact.deleted",
    "contract_added": "contract.created",
    "contract_edited": "contract.updated",
    "contract_restored": "contract.updated",
    "contract_deleted": "contract.deleted",
    "document_added": "document.created",
    "document_shared": "document.updated",
    "document_edited": "document.updated",
    "document_deleted": "document.deleted",
    "ticket_opened": "ticket.message",
    "ticket_reply": "ticket.message",
    "ticket_closed": "ticket.closed",
    "case_opened": "case.created",
    "case_edited": "case.updated",
    "case_closed": "case.updated",
    "claim_reported": "claim.reported",
    "claim_updated": "claim.updated",
    "offer_accepted": "offer.accepted",
    "offer_requested": "offer.requested",
    # Like a ticket's message: that one was written (by either side), ids only, never the
    # text. Internal notes record no event; a chat handed on or archived is no webhook.
    "chat_message": "chat.message",
}
# Objects whose rows carry the broker system's id.
_WITH_EXTERNAL_ID: dict[str, type[Model]] = {
    "contact": Contact,
    "contract": Contract,
    "document": Document,
    "case": AdviceCase,
}
MAX_ENDPOINTS = 20  # per tenant: every event is written once per endpoint
FIELD_LABELS = Labels(
    {
        "url": N_("Address (URL)"),
        "description": N_("Description"),
        "event_types": N_("Events"),
        "is_active": N_("Active"),
    }
)
CREATED, CHANGED, DELETED = "webhook_created", "webhook_changed", "webhook_deleted"
ROTATED, ENABLED = "webhook_secret_rotated", "webhook_enabled"  # AuditEntry.action


# --- Events become deliveries ---------------------------------------------------------


async def enqueue(event: Event) -> int:
    """Write the event's deliveries in the caller's transaction; returns how many. Costs one
    query for a tenant without a subscribed endpoint, none for a kind that is no webhook."""
    webhook_type = TYPE_OF.get(event.kind)
    if webhook_type is None:
        return 0
    # Switched off by the loop for failing: what happens meanwhile waits for it (parked).
    listening = WebhookEndpoint.filter(Q(is_active=True) | Q(disabled_at__isnull=False))
    endpoints = await listening.values("id", "event_types", "is_active")
    chosen = {
        int(row["id"]): 0 if row["is_active"] else PARKED  # due at once, or once it is on
        for row in endpoints
        if webhook_type in (row["event_types"] or [])
    }
    if not chosen:
        return 0
    body = body_of(event, webhook_type, await _external_id(event))
    await WebhookDelivery.bulk_create(  # bulk_create skips save(), which sets the tenant
        [
            WebhookDelivery(
                tenant_id=event.tenant_id,
                endpoint_id=endpoint_id,
                message_id=new_message_id(),
                event_type=webhook_type,
                payload=body,
                next_attempt_at=due,
            )
            for endpoint_id, due in chosen.items()
        ]
    )
    return len(chosen)


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


async def _external_id(event: Event) -> str | None:
    model = _WITH_EXTERNAL_ID.get(event.object_type)
    if model is None or event.object_id is None:
        return None
    found = await model.filter(id=event.object_id).values_list("external_id", flat=True)
    return str(found[0]) if found and found[0] is not None else None


def body_of(event: Event, webhook_type: str, external_id: str | None) -> str:
    """The Standard Webhooks body: type, timestamp and data (ids and an edit's changes).
    Written compactly with `contact_id` before `external_id` (`forget_contact` relies on it)."""
    data: dict[str, Any] = {
        "id": event.object_id,
        "object": event.object_type or None,
        "contact_id": event.contact_id,
        "external_id": external_id,
    }
    if event.changes:
        data["changes"] = event.changes
    moment = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = {"type": webhook_type, "timestamp": moment, "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def forget_contact(contact_id: int) -> int:
    """Erasure: the deliveries about the contact go (their bodies may hold its old address)."""
    about = f'"contact_id":{int(contact_id)},"external_id"'
    return await WebhookDelivery.filter(payload__contains=about).delete()


# --- The tenant admin's endpoints -----------------------------------------------------


def _require(actor: CurrentUser) -> None:
    if not can_link_systems(actor):
        raise PermissionDenied


async def endpoint_for(actor: CurrentUser, endpoint_id: int) -> WebhookEndpoint:
    """One of the tenant's endpoints (NotFound for another tenant's or none)."""
    _require(actor)
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id)
    if endpoint is None:
        raise NotFound
    return endpoint


async def endpoints(actor: CurrentUser) -> list[WebhookEndpoint]:
    _require(actor)
    return list(await WebhookEndpoint.all().order_by("id"))


def form_values(endpoint: WebhookEndpoint | None) -> dict[str, Any]:
    """The edit form's starting values (a new endpoint: on, no events chosen)."""
    if endpoint is None:
        return {"url": "", "description": "", "event_types": [], "is_active": True}
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "is_active": endpoint.is_active,
        "version": str(endpoint.version),
    }


async def _clean(
    values: Mapping[str, Any], *, allow_private: bool, resolver: Resolver
) -> dict[str, Any]:
    """The endpoint's columns, or ValidationFailed with a message next to each field."""
    endpoint, errors = checked(WebhookEndpointInput, values)
    url = ""
    if endpoint is not None or "url" not in errors:
        try:
            target = await check_target(
                str(values.get("url", "")), allow_private=allow_private, resolver=resolver
            )
            url = target.url
        except TargetRefused as refused:
            errors["url"] = str(refused)
    if errors or endpoint is None:
        raise ValidationFailed(errors)
    return {**endpoint.model_dump(), "url": url}


async def create_endpoint(
    actor: CurrentUser,
    *,
    values: Mapping[str, Any],
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its secret (the page shows it this once)."""
    _require(actor)
    clean = await _clean(values, allow_private=allow_private, resolver=resolver)
    if await WebhookEndpoint.all().count() >= MAX_ENDPOINTS:
        message = _("At most %(n)s endpoints are possible.", n=MAX_ENDPOINTS)
        raise ValidationFailed({"form": message})
    secret = new_secret()
    async with in_transaction():
        endpoint = await WebhookEndpoint.create(**clean, secret=secret, created_by_id=actor.id)
        await AuditEntry.create(action=CREATED, actor_id=actor.id, subject_id=endpoint.id)
    return endpoint, secret


async def update_endpoint(
    actor: CurrentUser,
    endpoint_id: int,
    *,
    values: Mapping[str, Any],
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> None:
    """Save the edit form if nobody saved the endpoint since it was loaded (EditConflict)."""
    endpoint = await endpoint_for(actor, endpoint_id)
    clean = await _clean(values, allow_private=allow_private, resolver=resolver)
    async with in_transaction():
        await save_if_unchanged(
            WebhookEndpoint,
            where={"id": endpoint.id},
            version=version_of({"version": str(values.get("version", ""))}),
            changes=clean,
            labels=dict(FIELD_LABELS),
        )
        if clean["is_active"] and not endpoint.is_active:
            await _switched_on(endpoint.id)
        elif endpoint.is_active and not clean["is_active"]:
            await park(endpoint.id)
        await AuditEntry.create(action=CHANGED, actor_id=actor.id, subject_id=endpoint.id)


async def rotate_secret(actor: CurrentUser, endpoint_id: int) -> str:
    """A new secret, valid at once (the old one signs nothing any more); shown this once."""
    endpoint = await endpoint_for(actor, endpoint_id)
    secret = new_secret()
    async with in_transaction():
        await WebhookEndpoint.filter(id=endpoint.id).update(secret=secret)
        await AuditEntry.create(action=ROTATED, actor_id=actor.id, subject_id=endpoint.id)
    return secret


async def delete_endpoint(actor: CurrentUser, endpoint_id: int) -> None:
    """The endpoint goes with its deliveries and their log."""
    endpoint = await endpoint_for(actor, endpoint_id)
    async with in_transaction():
        await endpoint.delete()
        await AuditEntry.create(action=DELETED, actor_id=actor.id, subject_id=endpoint.id)


async def enable_endpoint(actor: CurrentUser, endpoint_id: int) -> None:
    """Switch a paused or disabled endpoint on again: what waited for it is sent."""
    endpoint = await endpoint_for(actor, endpoint_id)
    async with in_transaction():
        await WebhookEndpoint.filter(id=endpoint.id).update(is_active=True)
        await _switched_on(endpoint.id)
        await AuditEntry.create(action=ENABLED, actor_id=actor.id, subject_id=endpoint.id)


async def _switched_on(endpoint_id: int) -> None:
    await WebhookEndpoint.filter(id=endpoint_id).update(
        disabled_at=None, disabled_reason="", failing_since=None
    )
    parked = WebhookDelivery.filter(endpoint_id=endpoint_id, status="pending")
    await parked.filter(next_attempt_at=PARKED).update(next_attempt_at=0)


async def park(endpoint_id: int) -> None:
    """An endpoint switched off keeps its pending deliveries for when it is on again."""
    pending = WebhookDelivery.filter(endpoint_id=endpoint_id, status="pending")
    await pending.update(next_attempt_at=PARKED)


async def replay(actor: CurrentUser, endpoint_id: int, delivery_id: int) -> None:
    """Send a delivery again, with the same message id, whatever became of it (delivered
    ones too); for an endpoint that is off, once it is on again."""
    endpoint = await endpoint_for(actor, endpoint_id)
    delivery = WebhookDelivery.filter(id=delivery_id, endpoint_id=endpoint.id)
    due = 0 if endpoint.is_active else PARKED
    if not await delivery.update(status="pending", next_attempt_at=due):
        raise NotFound
