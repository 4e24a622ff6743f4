"""Registration and reset links live in the outbox only until the mail is done; done mails
leave the outbox after MAIL_RETENTION_DAYS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from tenant_app.jobs.housekeeping import purge_mail
from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tests.conftest import link_in
from tests.mail_helpers import MisbehavingMailbox, MisbehavingServer, invite_customer

JANA = "jana@kunde.example"


async def stored(tenant, address: str) -> OutboxMail:
    with tenant_scope(tenant.tenant.id):
        return await OutboxMail.get(to_address=address)


async def test_a_sent_mail_keeps_no_usable_link(client, tenant, deliver) -> None:
    await client.log_in("alpha-admin")
    await invite_customer(client, tenant)
    with tenant_scope(tenant.tenant.id):
        queued = await OutboxMail.get(to_address=JANA)
    secret = urlsplit(link_in(next(m for m in await deliver() if m["To"] == JANA))).path
    assert secret.rsplit("/", 1)[1] in queued.text_body  # it was there until sent
    row = await stored(tenant, JANA)
    assert row.status == "sent"
    assert "/passwort/" not in row.text_body + row.html_body
    assert row.kind == "password_link" and row.contact_id is not None and row.user_id is not None


async def test_a_failed_mail_keeps_no_usable_link(client, tenant, settings) -> None:
    await client.log_in("alpha-admin")
    await invite_customer(client, tenant)
    with MisbehavingServer(MisbehavingMailbox(refused=(JANA,))) as server:
        await MailWorker(settings.with_overrides(smtp_port=server.port)).run_once()
    row = await stored(tenant, JANA)
    assert row.status == "failed"
    assert "/passwort/" not in row.text_body + row.html_body


async def test_done_mail_leaves_the_outbox_after_the_retention(tenant, settings) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    body = "Bitte öffnen: http://alpha.localhost/passwort/geheim"
    rows = {
        "old-sent": {"status": "sent", "sent_at": old},
        "recent-sent": {"status": "sent", "sent_at": recent},
        "old-failed": {"status": "failed"},
        "old-pending": {"status": "pending"},
    }
    with tenant_scope(tenant.tenant.id):
        for name, values in rows.items():
            mail = await OutboxMail.create(
                to_address=f"{name}@kunde.example",
                subject=name,
                text_body=body,
                html_body=f"<a href='{body[14:]}'>x</a>",
                **values,
            )
            await OutboxMail.filter(id=mail.id).update(created_at=old)
    await purge_mail(settings.with_overrides(mail_retention_days=30))
    with tenant_scope(tenant.tenant.id):
        left = {m.subject: m for m in await OutboxMail.all()}
    assert sorted(left) == ["old-pending", "recent-sent"]
    assert "/passwort/" not in left["recent-sent"].text_body + left["recent-sent"].html_body
    assert "/passwort/geheim" in left["old-pending"].text_body  # still to be sent
