"""Building blocks for tender tests: the platform's space on its host, backoffices with their
people, engagements, and tenders handed over (as rows, so that the backoffice's side can be
tested without the broker's start dialog)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import Backoffice, BackofficeEngagement, Tender
from tenant_app.services import platform

PLATFORM_HOST = "platform.localhost"
BACKOFFICE_PASSWORD = "Backoffice-Sicher-2026!"


async def platform_space() -> Tenant:
    return await platform.ensure_platform(PLATFORM_HOST)


async def make_backoffice(name: str = "Nordlicht Backoffice", *, days: int = 5) -> Backoffice:
    return await platform.create_backoffice(
        name=name, legal_form="GmbH", email="tender@nordlicht.example", service_days={"*": days}
    )


async def backoffice_login(
    passwords: Any, backoffice: Backoffice, first_name: str = "Bea", last_name: str = "Backoffice"
) -> User:
    """A backoffice person with a password of their own (no change at first login)."""
    space = await platform_space()
    email = f"{first_name}.{last_name}@{backoffice.id}.example".lower()
    made = await platform.create_login(
        passwords,
        space,
        kind="backoffice",
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=BACKOFFICE_PASSWORD,
        backoffice=backoffice,
    )
    return made.user


async def engage(tenant: Any, backoffice: Backoffice) -> BackofficeEngagement:
    with tenant_scope(tenant.tenant.id):
        return await BackofficeEngagement.create(
            backoffice=backoffice, started_by_id=tenant.admin.id, started_at=datetime.now(UTC)
        )


def snapshot_of(
    case: Any, *, name: str, line: str = "gewerbe", documents: list[dict[str, Any]] | None = None
):
    snapshot = {
        "customer": {"name": name},
        "case_title": case.title,
        "product_line": line,
        "risks": [],
        "answers": {"turnover": "1250000.00", "employees": 12},
        "free_text": "Schreinerei mit Ausstellungsraum.",
        "documents": documents or [],
    }
    return snapshot, hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


async def make_tender(
    tenant: Any, case: Any, backoffice: Backoffice, *, line: str = "gewerbe", **fields: Any
) -> Tender:
    """A tender as the broker's start leaves it, straight as a row."""
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(id=case.contact_id)
        snapshot, digest = snapshot_of(
            case, name=contact.full_name, line=line, documents=fields.pop("documents", None)
        )
        return await Tender.create(
            case_id=case.id,
            product_line=line,
            backoffice=backoffice,
            snapshot=snapshot,
            snapshot_hash=digest,
            due_at=datetime.now(UTC) + timedelta(days=7),
            started_by_id=tenant.admin.id,
            **fields,
        )


async def backoffice_actor(user: User) -> CurrentUser:
    with tenant_scope(user.tenant_id):
        return actor_from(await User.get(id=user.id))
