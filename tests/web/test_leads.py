"""Kunde werden: a prospect's request on the public page, the opt-in mail, the confirmation
that tells the chosen staff, and turning the prospect into a contact."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.leads import Lead
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import leads_public
from tenant_app.tenancy import tenant_cache
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer, text_of
from tests.web.test_tickets import make_staff

ORIGIN = {"Origin": "http://alpha.localhost"}
CONFIRM_RE = re.compile(r"https?://[^\s]+(/kunde-werden/bestaetigen/[A-Za-z0-9_-]+)")
STAMP_RE = re.compile(r'name="stamp" value="([^"]+)"')
REQUEST = {
    "first_name": "Paula",
    "last_name": "Probst",
    "email": "Paula.Probst@Example.org",
    "phone": "0171 1234567",
    "interest": "hausrat",
    "message": "Ich ziehe um und brauche eine Hausratversicherung.",
    "consent": "on",
}


async def switch_on(tenant: Any, *modules: str) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(modules=",".join(modules))
    tenant_cache.invalidate()


@pytest.fixture
async def module_on(tenant: Any) -> None:
    await switch_on(tenant, "offers", "new_customers")


@pytest.fixture
def no_time_trap(monkeypatch: pytest.MonkeyPatch) -> None:
    """People in tests type fast: a form sent at once passes the time trap."""
    monkeypatch.setattr(leads_public, "MIN_SECONDS", 0)


async def send_request(client: Any, path: str = "/kunde-werden", **changes: str) -> Any:
    """Fill the public form as a browser would: load it (CSRF token, time stamp), send it."""
    page = await client.get(path)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    stamp = STAMP_RE.search(page.text)
    assert token and stamp
    referral = re.search(r'name="von" value="([^"]*)"', page.text)
    data = {"csrf_token": token.group(1), "stamp": stamp.group(1), "website": ""}
    data |= {"von": referral.group(1) if referral else ""}
    data |= {**REQUEST, **changes}
    return await client.post("/kunde-werden", data=data, headers=ORIGIN)


async def leads_of(tenant: Any) -> list[Lead]:
    with tenant_scope(tenant.tenant.id):
        return list(await Lead.all().order_by("id"))


async def confirm_path(deliver: Any, smtp: Any, address: str) -> str:
    await deliver()
    mails = smtp.to(address)
    assert mails, [m["To"] for m in smtp.messages]
    match = CONFIRM_RE.search(text_of(mails[-1]))
    assert match, text_of(mails[-1])
    return match.group(1)


async def staff_client(client_for: Any, tenant: Any, username: str) -> Any:
    client = client_for(tenant.hostname)
    await client.log_in(username, ADMIN_PASSWORD)
    return client


async def test_the_whole_way_from_request_to_contact(
    tenant, passwords, client_for, module_on, no_time_trap, deliver, smtp
) -> None:
    lea = await make_staff(tenant, passwords, "lea", "Lea", manages_contacts=True)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=lea.id).update(receives_leads=True)
    visitor = client_for(tenant.hostname)
    sent = await send_request(visitor)
    assert sent.status_code == 200 and 'id="lead-sent"' in sent.text
    [lead] = await leads_of(tenant)
    assert (lead.status, lead.email, lead.interest) == (
        "pending",
        "paula.probst@example.org",
        "hausrat",
    )
    assert "Alpha Versicherungsmakler GmbH" in lead.consent_text and lead.confirmed_at is None
    path = await confirm_path(deliver, smtp, "paula.probst@example.org")

    page = await visitor.get(path)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200 and 'id="confirm-lead"' in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert (await leads_of(tenant))[0].status == "pending"
    confirmed = await visitor.submit(path)
    assert confirmed.status_code == 200 and 'id="lead-confirmed"' in confirmed.text
    [lead] = await leads_of(tenant)
    assert lead.status == "new" and lead.confirmed_at is not None
    again = await visitor.submit(path)  # pressed twice: still one notification
    assert 'id="lead-confirmed"' in again.text

    staff = await staff_client(client_for, tenant, "lea")
    bell = await staff.get("/account/notifications")
    assert bell.text.count("Paula Probst") == 1
    admin = await staff_client(client_for, tenant, "alpha-admin")
    assert "Paula Probst" not in (await admin.get("/account/notifications")).text

    listed = await staff.get("/staff/interessenten")
    assert f'id="lead-{lead.id}"' in listed.text and "Paula Probst" in listed.text
    detail = await staff.get(f"/staff/interessenten/{lead.id}")
    assert lead.consent_text in detail.text.replace("&amp;", "&")
    form = await staff.get(f"/staff/interessenten/{lead.id}/kontakt")
    assert 'value="Paula"' in form.text and 'value="paula.probst@example.org"' in form.text
    made = await staff.submit(
        f"/staff/interessenten/{lead.id}/kontakt",
        {
            "first_name": "Paula",
            "last_name": "Probst",
            "email": "paula.probst@example.org",
            "birthdate": "1991-04-12",
            "country": "DE",
            "phone": "0171 1234567",
        },
    )
    assert made.status_code == 303 and "/staff/contacts/" in made.headers["location"]
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(email="paula.probst@example.org")
    [lead] = await leads_of(tenant)
    assert (lead.status, lead.contact_id) == ("converted", contact.id)
    gone = await staff.get(f"/staff/interessenten/{lead.id}/kontakt")
    assert gone.status_code == 404  # no second contact of the same request


async def test_without_chosen_staff_those_managing_every_contact_hear_of_it(
    tenant, client_for, module_on, no_time_trap, deliver, smtp
) -> None:
    visitor = client_for(tenant.hostname)
    await send_request(visitor)
    await visitor.submit(await confirm_path(deliver, smtp, "paula.probst@example.org"))
    admin = await staff_client(client_for, tenant, "alpha-admin")
    assert "Paula Probst" in (await admin.get("/account/notifications")).text


async def test_a_form_sent_too_fast_or_with_the_honeypot_stores_nothing(
    tenant, client_for, module_on, deliver, smtp
) -> None:
    visitor = client_for(tenant.hostname)
    fast = await send_request(visitor)  # within MIN_SECONDS of loading the form
    assert fast.status_code == 200 and 'id="lead-sent"' in fast.text  # told the same
    leads_public.MIN_SECONDS, before = 0, leads_public.MIN_SECONDS
    try:
        trapped = await send_request(visitor, website="http://spam.example")
        forged = await send_request(visitor, stamp="forged")
    finally:
        leads_public.MIN_SECONDS = before
    assert 'id="lead-sent"' in trapped.text and 'id="lead-sent"' in forged.text
    assert await leads_of(tenant) == []
    assert await deliver() == []


async def test_a_form_from_another_tenant_fails_the_time_trap(
    tenant, other_tenant, client_for, module_on, no_time_trap
) -> None:
    await Tenant.filter(id=other_tenant.tenant.id).update(modules="new_customers")
    tenant_cache.invalidate()
    beta = client_for(other_tenant.hostname)
    stamp = STAMP_RE.search((await beta.get("/kunde-werden")).text)
    assert stamp
    visitor = client_for(tenant.hostname)
    await send_request(visitor, stamp=stamp.group(1))
    assert await leads_of(tenant) == []


async def test_invalid_input_is_shown_next_to_the_fields(
    tenant, client_for, module_on, no_time_trap
) -> None:
    visitor = client_for(tenant.hostname)
    refused = await send_request(
        visitor, first_name="", email="kein-at", interest="yacht", consent="", phone="abc"
    )
    assert refused.status_code == 422
    for name in ("first_name", "email", "interest", "consent", "phone"):
        assert f'id="f-{name}-error"' in refused.text, name
    assert 'value="Probst"' in refused.text  # what was typed stays
    too_long = await send_request(visitor, message="x" * 2001)
    assert too_long.status_code == 422 and 'id="f-message-error"' in too_long.text
    assert await leads_of(tenant) == []


async def test_a_form_corrected_at_once_after_an_error_is_not_trapped(
    tenant, client_for, module_on
) -> None:
    visitor = client_for(tenant.hostname)
    page = await visitor.get("/kunde-werden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    stamp = STAMP_RE.search(page.text)
    assert token and stamp
    data = {**REQUEST, "csrf_token": token.group(1), "stamp": stamp.group(1), "first_name": ""}
    await asyncio.sleep(leads_public.MIN_SECONDS + 0.2)  # a person takes their time
    refused = await visitor.post("/kunde-werden", data=data, headers=ORIGIN)
    assert refused.status_code == 422
    kept = STAMP_RE.search(refused.text)
    assert kept and kept.group(1) == stamp.group(1)  # the form's moment, not the error page's
    fixed = {**data, "first_name": "Paula", "stamp": kept.group(1)}  # corrected at once
    assert "lead-sent" in (await visitor.post("/kunde-werden", data=fixed, headers=ORIGIN)).text
    assert len(await leads_of(tenant)) == 1


async def test_the_english_form_says_so_in_english(
    tenant, client_for, module_on, no_time_trap
) -> None:
    visitor = client_for(tenant.hostname)
    visitor.headers["Accept-Language"] = "en"
    refused = await send_request(visitor, first_name="")
    assert "Please enter your first name." in refused.text
    visitor.headers["Accept-Language"] = "de"
    refused = await send_request(visitor, first_name="")
    assert "Bitte geben Sie Ihren Vornamen ein." in refused.text


async def test_requests_are_limited_per_client(
    tenant, client_for, module_on, no_time_trap, monkeypatch
) -> None:
    monkeypatch.setattr(leads_public, "RESEND_MINUTES", 0)
    visitor = client_for(tenant.hostname)
    for number in range(leads_public.PER_CLIENT.attempts):
        sent = await send_request(visitor, email=f"p{number}@example.org")
        assert sent.status_code == 200
    refused = await send_request(visitor, email="one.more@example.org")
    assert refused.status_code == 429
    assert len(await leads_of(tenant)) == leads_public.PER_CLIENT.attempts


async def test_the_same_address_again_while_pending_is_one_request(
    tenant, client_for, module_on, no_time_trap, deliver, smtp
) -> None:
    visitor = client_for(tenant.hostname)
    await send_request(visitor)
    await send_request(visitor, message="Noch eine Frage")
    assert len(await leads_of(tenant)) == 1
    await deliver()
    assert len(smtp.to("paula.probst@example.org")) == 1  # not mailed again within minutes


async def test_a_referral_link_names_the_customer_and_a_forged_one_is_ignored(
    tenant, other_tenant, passwords, client_for, module_on, no_time_trap
) -> None:
    contact = await make_customer(tenant, passwords, first_name="Kai", last_name="Kunde")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    card = await customer.get("/portal/empfehlen")
    assert card.status_code == 200
    link = re.search(r'id="referral-link" type="text" readonly value="([^"]+)"', card.text)
    assert link
    path = link.group(1).split("alpha.localhost", 1)[1].replace("&amp;", "&")
    visitor = client_for(tenant.hostname)
    page = await visitor.get(path)
    assert "Kai K." in page.text and "Kunde" not in page.text.split('id="referred-by"')[1][:80]
    await send_request(visitor, path)
    assert (await leads_of(tenant))[0].referred_by_id == contact.id

    token = path.split("von=", 1)[1]
    for forged in ("abc", token[:-2] + "xx"):
        assert 'id="referred-by"' not in (await visitor.get(f"/kunde-werden?von={forged}")).text
    await Tenant.filter(id=other_tenant.tenant.id).update(modules="new_customers")
    tenant_cache.invalidate()
    beta = client_for(other_tenant.hostname)
    assert 'id="referred-by"' not in (await beta.get(path)).text  # another tenant's token
    await send_request(visitor, f"/kunde-werden?von={token[:-2]}xx", email="x@example.org")
    assert (await leads_of(tenant))[1].referred_by_id is None


async def test_module_off_hides_every_page(tenant, passwords, client_for) -> None:
    await switch_on(tenant, "offers")
    await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert (await customer.get("/portal/empfehlen")).status_code == 404
    admin = await staff_client(client_for, tenant, "alpha-admin")
    for path in ("/kunde-werden", "/kunde-werden/bestaetigen/abc", "/staff/interessenten"):
        assert (await admin.get(path)).status_code == 404, path
    refused = await admin.submit("/kunde-werden", REQUEST, form_page="/staff")
    assert refused.status_code == 404
    assert "Interessenten" not in (await admin.get("/staff")).text


async def make_lead(tenant: Any, **changes: Any) -> Lead:
    values = {
        "first_name": "Olaf",
        "last_name": "Offen",
        "email": "olaf@example.org",
        "interest": "kfz",
        "consent_text": "Ja",
        "token_hash": f"{changes.get('status', 'new')}-{changes.get('email', 'olaf')}",
        "status": "new",
        **changes,
    }
    with tenant_scope(tenant.tenant.id):
        return await Lead.create(**values)


async def test_a_prospect_is_hidden_from_other_tenants_customers_and_staff_without_rights(
    tenant, other_tenant, passwords, client_for, module_on
) -> None:
    lead = await make_lead(tenant)
    await Tenant.filter(id=other_tenant.tenant.id).update(modules="new_customers")
    tenant_cache.invalidate()
    beta_admin = client_for(other_tenant.hostname)
    await beta_admin.log_in("beta-admin")
    await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await make_staff(tenant, passwords, "nora", "Nora")  # may not manage contacts
    nora = await staff_client(client_for, tenant, "nora")
    base = f"/staff/interessenten/{lead.id}"
    for client in (beta_admin, customer, nora):
        for path in (base, f"{base}/kontakt"):
            assert (await client.get(path)).status_code == 404, path
    for client in (customer, nora):
        assert (await client.get("/staff/interessenten")).status_code == 404
    assert "Olaf" not in (await beta_admin.get("/staff/interessenten")).text
    for client, page in ((beta_admin, "/staff"), (nora, "/staff")):
        for action in ("/status", "/loeschen", "/kontakt"):
            answer = await client.submit(base + action, {"status": "dismissed"}, form_page=page)
            assert answer.status_code == 404, action
    assert (await leads_of(tenant))[0].status == "new"


async def test_staff_mark_dismiss_and_delete_a_prospect(tenant, client_for, module_on) -> None:
    lead = await make_lead(tenant)
    admin = await staff_client(client_for, tenant, "alpha-admin")
    base = f"/staff/interessenten/{lead.id}"
    marked = await admin.submit(f"{base}/status", {"status": "contacted"}, form_page=base)
    assert marked.status_code == 303
    assert (await leads_of(tenant))[0].status == "contacted"
    await admin.submit(f"{base}/status", {"status": "converted"}, form_page=base)  # not so
    assert (await leads_of(tenant))[0].status == "contacted"
    await admin.submit(f"{base}/status", {"status": "dismissed"}, form_page=base)
    assert (await leads_of(tenant))[0].status == "dismissed"
    listed = await admin.get("/staff/interessenten?status=dismissed")
    assert f'id="lead-{lead.id}"' in listed.text
    assert f'id="lead-{lead.id}"' not in (await admin.get("/staff/interessenten")).text
    deleted = await admin.submit(f"{base}/loeschen", form_page=base)
    assert deleted.status_code == 303
    assert await leads_of(tenant) == []


async def test_a_link_never_confirmed_expires_and_old_requests_are_deleted(
    tenant, client_for, module_on
) -> None:
    from datetime import UTC, datetime, timedelta

    from tenant_app.security.cookies import token_digest

    lead = await make_lead(tenant, status="pending", token_hash=token_digest("geheim-link"))
    old = datetime.now(UTC) - timedelta(days=leads_public.LINK_DAYS + 1)
    with tenant_scope(tenant.tenant.id):
        await Lead.filter(id=lead.id).update(updated_at=old)
    visitor = client_for(tenant.hostname)
    assert (await visitor.get("/kunde-werden/bestaetigen/unknown")).status_code == 404
    expired = await visitor.get("/kunde-werden/bestaetigen/geheim-link")
    assert expired.status_code == 410 and 'id="lead-link-problem"' in expired.text
    later = datetime.now(UTC) + timedelta(days=31)
    assert await leads_public.forget_unconfirmed(None, now=later) == 1  # type: ignore[arg-type]
    assert await leads_of(tenant) == []


async def du_walk(walk: Any, kai: Any) -> None:
    """For the Du tenant's walk (test_du_tenant.py): the referral page, the public form with
    its errors, the page after sending, and the opt-in page before and after confirming."""
    from tenant_app.models.mail import OutboxMail

    modules = (await Tenant.get(id=walk.tenant_id)).modules
    await Tenant.filter(id=walk.tenant_id).update(modules=f"{modules},new_customers")
    tenant_cache.invalidate()
    await walk.get(kai, "/portal/empfehlen")
    stamp = STAMP_RE.search((await walk.get(kai, "/kunde-werden")).text)
    assert stamp
    bad = {**REQUEST, "first_name": "", "phone": "abc", "interest": "", "consent": ""}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(leads_public, "MIN_SECONDS", 0)
        await walk.post(kai, "/kunde-werden", 422, {**bad, "stamp": stamp.group(1)})
        good = {**REQUEST, "email": "kai@kunde.example", "stamp": stamp.group(1)}
        await walk.post(kai, "/kunde-werden", 200, good)
        with patch.context() as tight:
            tight.setattr(leads_public, "PER_CLIENT", leads_public.PER_CLIENT.__class__("x", 0, 60))
            await walk.post(kai, "/kunde-werden", 429, {**good, "email": "k@example.org"})
    with tenant_scope(walk.tenant_id):
        mail = await OutboxMail.get(to_address="kai@kunde.example", kind="lead_confirm")
    match = CONFIRM_RE.search(mail.text_body)
    assert match
    await walk.get(kai, match.group(1))
    await walk.post(kai, match.group(1), 200)
    await walk.get(kai, "/kunde-werden/bestaetigen/kein-link", 404)
