"""A mail the server refuses for good ends at once and staff learn it; a mail that cannot be
delivered for a while is retried with back-off, up to a final limit."""

from __future__ import annotations

import re
from typing import Any

from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactNotice
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import notices
from tests.conftest import free_port, text_of
from tests.mail_helpers import MisbehavingMailbox, MisbehavingServer, invite_customer
from tests.web.test_registration import create_staff

JANA = "jana@kunde.example"
BERND = "bernd@alpha.example"
CHEF = "chef@alpha.example"


def worker(settings: Any, port: int, **tuning: Any) -> MailWorker:
    return MailWorker(
        settings.with_overrides(smtp_port=port), on_failed=notices.mail_failed, **tuning
    )


async def mail_to(tenant: Any, address: str) -> list[OutboxMail]:
    with tenant_scope(tenant.tenant.id):
        return list(await OutboxMail.filter(to_address=address).order_by("id"))


async def user_id(tenant: Any, email: str) -> int:
    with tenant_scope(tenant.tenant.id):
        return (await User.get(email=email)).id


async def test_a_refused_customer_mail_fails_once_and_the_responsible_staff_learn_it(
    client, tenant, settings
) -> None:
    await create_staff(client)
    bernd = await user_id(tenant, BERND)
    contact_id = await invite_customer(client, tenant, responsible=[str(bernd)])
    mailbox = MisbehavingMailbox(refused=(JANA,))
    with MisbehavingServer(mailbox) as server:
        sender = worker(settings, server.port)
        for _ in range(3):
            await sender.run_once()
    [refused] = await mail_to(tenant, JANA)
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert refused.last_error.startswith("550")
    assert mailbox.refusals == [JANA]  # no second try

    notice_mail = next(m for m in mailbox.to(BERND) if "nicht zugestellt" in m["Subject"])
    assert notice_mail["Subject"] == "E-Mail nicht zugestellt: Jana Jäger"
    assert f"http://alpha.localhost/staff/contacts/{contact_id}#notices" in text_of(notice_mail)
    assert "550 5.1.1 No such user here" in text_of(notice_mail)
    assert not mailbox.to(CHEF)  # the contact has a responsible member: only they are told

    page = await client.get(f"/staff/contacts/{contact_id}")
    assert 'id="notices"' in page.text
    assert "konnte nicht zugestellt werden" in page.text and "550 5.1.1" in page.text
    home = await client.get("/staff")
    assert 'id="open-notices-count">1<' in home.text

    notice_id = re.search(r'id="notice-(\d+)"', page.text).group(1)
    done = await client.submit(
        f"/staff/contacts/{contact_id}/notices/{notice_id}/done",
        form_page=f"/staff/contacts/{contact_id}",
    )
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert 'id="notices"' not in page.text and "als erledigt markiert" in page.text
    assert 'id="open-notices"' not in (await client.get("/staff")).text


async def test_temporary_failures_back_off_then_end_with_a_notice(client, tenant, settings) -> None:
    await client.log_in("alpha-admin")
    contact_id = await invite_customer(client, tenant)  # nobody responsible: the admin is told
    sender = worker(settings, free_port(), max_attempts=3)  # no server listens there
    for attempt in (1, 2):
        await sender.run_once()
        [mail] = await mail_to(tenant, JANA)
        assert (mail.status, mail.attempts) == ("pending", attempt)
        assert await sender.run_once() == 0  # waits for its back-off
        with tenant_scope(tenant.tenant.id):
            await OutboxMail.filter(id=mail.id).update(next_attempt_at=0)
    await sender.run_once()
    [mail] = await mail_to(tenant, JANA)
    assert (mail.status, mail.attempts) == ("failed", 3)
    with tenant_scope(tenant.tenant.id):
        assert await ContactNotice.filter(contact_id=contact_id, kind="mail_failed").count() == 1
    [told] = await mail_to(tenant, CHEF)
    assert told.kind == "staff_notice" and told.contact_id == contact_id
    assert "Jana Jäger" in told.subject


async def test_a_refused_staff_mail_tells_the_admins_and_a_refused_notice_ends_there(
    client, tenant, settings
) -> None:
    await create_staff(client)  # Bernd's registration mail
    mailbox = MisbehavingMailbox(refused=(BERND, CHEF))
    with MisbehavingServer(mailbox) as server:
        sender = worker(settings, server.port)
        for _ in range(4):
            await sender.run_once()
    [to_bernd] = await mail_to(tenant, BERND)
    [to_chef] = await mail_to(tenant, CHEF)
    assert (to_bernd.status, to_chef.status) == ("failed", "failed")
    assert to_chef.kind == "staff_notice" and "Bernd Böhm" in to_chef.subject
    assert mailbox.refusals == [BERND, CHEF]  # the refused notice makes no further mail
    with tenant_scope(tenant.tenant.id):
        assert await ContactNotice.all().count() == 0
