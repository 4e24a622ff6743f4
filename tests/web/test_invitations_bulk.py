"""500 contacts invited with one dialog ("all matching"): worked in steps, every one gets its
account and its mail, and the page polls until the report is there."""

from __future__ import annotations

import re
import threading
import time
from datetime import date

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import Invitation, InvitationBatch
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import invitations_batch

COUNT = 500


async def test_five_hundred_contacts_in_steps(client, tenant, settings, monkeypatch) -> None:
    with tenant_scope(tenant.tenant.id):
        await Contact.bulk_create(
            [
                Contact(
                    tenant_id=tenant.tenant.id,
                    first_name=f"Vorname{i}",
                    last_name=f"Massen{i:04}",
                    email=f"massen{i}@kunde.example",
                    birthdate=date(1970, 1, 1),
                )
                for i in range(COUNT)
            ]
        )
    await client.log_in("alpha-admin")
    dialog = await client.get("/staff/invitations/new?all=1&q=Massen")
    assert dialog.status_code == 200
    assert re.search(r'id="invitee-count">500 ', dialog.text)
    ids = re.search(r'name="contact_ids" value="([0-9,]+)"', dialog.text)
    assert ids and len(ids.group(1).split(",")) == COUNT
    started = await client.submit(
        "/staff/invitations",
        {"contact_ids": ids.group(1), "share": "all", "address_form": "sie"},
        form_page="/staff/invitations/new?all=1&q=Massen",
    )
    assert started.status_code == 303
    steps: list[int] = []
    real = invitations_batch.asyncio.sleep

    here = threading.get_ident()

    async def counted(delay: float) -> None:
        # asyncio.sleep is patched for every thread: the servers the tests run in threads
        # (the reference insurer's uvicorn) sleep too, and are not this loop's steps.
        if threading.get_ident() == here:
            steps.append(1)
        await real(delay)

    monkeypatch.setattr(invitations_batch.asyncio, "sleep", counted)
    began = time.monotonic()
    await invitations_batch.run_all(settings)
    assert time.monotonic() - began < 120
    assert len(steps) == COUNT // invitations_batch.STEP  # the loop was given back each step
    page = await client.get(started.headers["location"])
    assert f'id="count-invited">{COUNT}<' in page.text
    assert 'hx-trigger="every 1s"' not in page.text  # done: polling stops
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(kind="customer").count() == COUNT
        assert await Invitation.all().count() == COUNT
        assert await OutboxMail.filter(kind="invitation").count() == COUNT
        batch = await InvitationBatch.first()
        assert batch is not None and batch.status == "done" and batch.position == COUNT
