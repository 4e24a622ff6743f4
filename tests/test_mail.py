"""The outbox: branded multipart mail, nothing lost while SMTP is down, nothing sent twice."""

from __future__ import annotations

import asyncio
import re

from tenant_app.jobs.outbox import MailWorker, backoff
from tenant_app.mail.render import render_email, strip_header
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import load_tenant_info
from tests.conftest import html_of, text_of
from tests.mail_helpers import invite_customer
from tests.web.test_registration import create_staff


async def test_mail_carries_branding_signature_and_form_of_address(client, tenant, deliver) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(
        primary_color="#aa3300",
        address_form="du",
        signature_html='<p>Viele Grüße<br>Dein Alpha-Team</p><p><a href="https://alpha.example">Web</a></p>'
        "<script>alert(1)</script>",
    )
    await create_staff(client)  # logs the admin in, queues the staff member's mail
    await invite_customer(client, tenant)
    mails = await deliver()
    customer = next(m for m in mails if m["To"] == "jana@kunde.example")
    html, text = html_of(customer), text_of(customer).replace("\r\n", "\n")
    assert "#aa3300" in html
    assert "Viele Grüße<br>Dein Alpha-Team" in html and "<script" not in html
    assert "Viele Grüße\nDein Alpha-Team" in text and "Web (https://alpha.example)" in text
    assert "Hallo Jana," in text  # Du
    assert 'href="http://alpha.localhost/impressum"' in html
    assert "Impressum: http://alpha.localhost/impressum" in text
    assert customer.get_content_type() == "multipart/alternative"


async def test_staff_get_the_internal_form_without_the_customer_signature(
    client, tenant, deliver
) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(
        address_form="du", signature_html="<p>Viele Grüße<br>Dein Alpha-Team</p>"
    )
    await create_staff(client)
    staff_mail = (await deliver())[0]
    html, text = html_of(staff_mail), text_of(staff_mail)
    assert "Guten Tag Bernd," in text and "Sie" in text  # the formal form, as in every staff mail
    assert not re.search(r"\b(du|dein|dir|dich)\b", text, re.IGNORECASE)
    assert "Alpha-Team" not in text and "Alpha-Team" not in html
    assert "Impressum: http://alpha.localhost/impressum" in text


async def test_smtp_down_delays_mail_but_loses_nothing(
    client, tenant, deliver, smtp, settings
) -> None:
    smtp.stop()
    await create_staff(client)
    assert await MailWorker(settings).run_once() == 0
    with tenant_scope(tenant.tenant.id):
        row = await OutboxMail.get()
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error
    smtp.start()
    assert await MailWorker(settings).run_once() == 0  # not due yet: back-off
    with tenant_scope(tenant.tenant.id):  # the back-off has passed
        await OutboxMail.all().update(next_attempt_at=row.next_attempt_at - 10_000)
    sent = await deliver()
    assert [m["To"] for m in sent] == ["bernd@alpha.example"]
    with tenant_scope(tenant.tenant.id):
        row = await OutboxMail.get()
    assert (row.status, row.attempts) == ("sent", 2)
    assert await MailWorker(settings).run_once() == 0
    assert len(smtp.messages) == 1


async def test_racing_workers_send_each_mail_once(tenant, settings, smtp) -> None:
    info = await load_tenant_info(tenant.tenant.id)
    with tenant_scope(tenant.tenant.id):
        for number in range(30):
            mail = render_email(
                "username",
                {"user": tenant.admin, "login_url": "http://alpha.localhost/login"},
                tenant=info,
                base_url="http://alpha.localhost",
                locale="de",
            )
            await OutboxMail.create(
                to_address=f"person{number}@alpha.example",
                subject=mail.subject,
                text_body=mail.text,
                html_body=mail.html,
            )
    workers = [MailWorker(settings) for _ in range(3)]
    for _ in range(3):
        await asyncio.gather(*(worker.run_once() for worker in workers))
    received = sorted(m["To"] for m in smtp.messages)
    assert received == sorted(f"person{n}@alpha.example" for n in range(30))


def test_header_values_lose_line_breaks() -> None:
    assert strip_header("Hallo\r\nBcc: evil@x.example") == "Hallo Bcc: evil@x.example"


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == 3600


async def test_plain_text_parts_are_not_html_escaped(tenant) -> None:
    from types import SimpleNamespace

    info = await load_tenant_info(tenant.tenant.id)
    mail = render_email(
        "staff_notice",
        {
            "kind": "mail_failed",
            "recipient": SimpleNamespace(first_name="O'Brien & Co"),
            "name": 'Kfz & "Haftpflicht"',
            "details": "Anna <A>",
            "link": "https://alpha.example/staff/contacts/1",
        },
        tenant=info,
        base_url="https://alpha.example",
        locale="de",
        for_staff=True,
    )
    assert mail.subject == 'E-Mail nicht zugestellt: Kfz & "Haftpflicht"'
    assert "O'Brien & Co" in mail.text and "Anna <A>" in mail.text and "&amp;" not in mail.text
    # the HTML part escapes the same values
    assert "O&#39;Brien &amp; Co" in mail.html and "Anna &lt;A&gt;" in mail.html
