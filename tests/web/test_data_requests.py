"""Data-protection requests: a customer asks in the portal for a copy of his data (Art. 15
GDPR) or their erasure (Art. 17); staff see it with its deadline, build the copy, erase or
refuse with a reason; the customer downloads the copy from the portal for 30 days."""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from tenant_app.models.activity import Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.legal import DataRequest, LegalHold
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import data_requests
from tenant_app.services.data_requests import one_month_after
from tenant_app.text.formatting import local_today
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.conftest import text_of as text_of_mail
from tests.folder_helpers import add_contract, add_document


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords, insurance_share=True, communication=True)


@pytest.fixture
async def customer(client_for, tenant, contact):
    browser = client_for(tenant.hostname)
    await browser.log_in("kai", CUSTOMER_PASSWORD)
    return browser


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


def text_of(page) -> str:
    return html.unescape(page.text)


def error_of(page, field: str) -> str:
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page.text)
    assert found, f"no error next to {field}"
    return html.unescape(found.group(1))


async def ask(client, kind: str, message: str = "") -> object:
    return await client.submit("/portal/data", {"kind": kind, "message": message})


async def requests_of(tenant) -> list[DataRequest]:
    with tenant_scope(tenant.tenant.id):
        return list(await DataRequest.all().order_by("id"))


async def test_a_customer_gets_a_copy_of_his_data(customer, admin, tenant, contact) -> None:
    await add_contract(tenant, contact, number="HR-7")
    page = await customer.get("/portal/data")
    assert page.status_code == 200 and 'id="no-data-requests"' in page.text
    sent = await ask(customer, "export", "Bitte alles, auch die Anmeldungen.")
    assert sent.status_code == 303 and "asked_export=1" in sent.headers["location"]
    (request,) = await requests_of(tenant)
    assert request.kind == "export" and request.status == "open"
    assert request.due_on == one_month_after(local_today())
    shown = await customer.get(sent.headers["location"])
    assert (
        'id="data-request-sent"' in shown.text and f'id="data-request-{request.id}"' in shown.text
    )
    # The staff are told and see it first in their list, with the deadline.
    with tenant_scope(tenant.tenant.id):
        (note,) = await Notification.filter(event__kind="data_requested")
    opened = await admin.get(f"/account/notifications/{note.id}")  # the bell leads to it
    assert opened.headers["location"] == f"/staff/data-requests/{request.id}"
    listed = await admin.get("/staff/data-requests")
    assert listed.status_code == 200 and f'id="data-request-{request.id}"' in listed.text
    assert "Kunde, Kai" in listed.text and request.due_on.strftime("%d.%m.%Y") in listed.text
    detail = await admin.get(f"/staff/data-requests/{request.id}")
    assert "Bitte alles, auch die Anmeldungen." in text_of(detail)
    built = await admin.submit(
        f"/staff/data-requests/{request.id}/copy", form_page=f"/staff/data-requests/{request.id}"
    )
    assert built.status_code == 303, built.text[:2000]
    (request,) = await requests_of(tenant)
    assert request.status == "done" and request.export_key and request.export_size
    # The customer is told, and downloads the archive (the staff export's content).
    with tenant_scope(tenant.tenant.id):
        (note,) = await Notification.filter(event__kind="data_request_handled")
    opened = await customer.get(f"/account/notifications/{note.id}")
    assert opened.headers["location"] == "/portal/data"
    mine = await customer.get("/portal/data")
    link = f"/portal/data/{request.id}/copy"
    assert f'id="data-request-{request.id}-download"' in mine.text and link in mine.text
    download = await customer.get(link)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["contact"]["last_name"] == "Kunde"
    assert [c["insurance_number"] for c in data["contracts"]] == ["HR-7"]
    # A second click on the staff side changes nothing.
    again = await admin.submit(
        f"/staff/data-requests/{request.id}/copy", form_page=f"/staff/data-requests/{request.id}"
    )
    assert again.status_code == 422


async def test_one_open_request_per_kind_the_second_shows_the_first(customer, tenant) -> None:
    assert (await ask(customer, "export")).status_code == 303
    second = await ask(customer, "export", "Noch einmal")
    assert second.status_code == 303 and "already_export=1" in second.headers["location"]
    assert len(await requests_of(tenant)) == 1
    page = await customer.get(second.headers["location"])
    assert 'id="data-request-open"' in page.text
    # The other kind is still possible.
    assert (await ask(customer, "erasure")).status_code == 303
    assert [r.kind for r in await requests_of(tenant)] == ["export", "erasure"]


async def test_bad_input_is_refused_next_to_its_field_and_kept(customer, tenant) -> None:
    long_message = "x" * (data_requests.MESSAGE_MAX + 1)
    refused = await ask(customer, "export", long_message)
    assert refused.status_code == 422
    assert "2000" in error_of(refused, "message") and "Zeichen" in error_of(refused, "message")
    assert long_message in refused.text  # kept as typed
    unknown = await ask(customer, "everything")
    assert unknown.status_code == 422 and error_of(unknown, "kind")
    assert await requests_of(tenant) == []


async def test_staff_refuse_with_a_reason_the_customer_reads(customer, admin, tenant) -> None:
    await ask(customer, "export")
    (request,) = await requests_of(tenant)
    path = f"/staff/data-requests/{request.id}"
    empty = await admin.submit(path + "/refuse", {"reason": "  "}, form_page=path)
    assert empty.status_code == 422 and error_of(empty, "reason")
    assert (await requests_of(tenant))[0].status == "open"
    reason = "Wir konnten Ihre Identität nicht prüfen; bitte rufen Sie uns an."
    done = await admin.submit(path + "/refuse", {"reason": reason}, form_page=path)
    assert done.status_code == 303
    (request,) = await requests_of(tenant)
    assert request.status == "refused" and request.outcome == reason
    mine = text_of(await customer.get("/portal/data"))
    assert reason in mine and "Abgelehnt" in mine
    assert (await customer.get(f"/portal/data/{request.id}/copy")).status_code == 404


async def test_an_erasure_with_nothing_to_keep_deletes_the_contact_and_its_request(
    customer, admin, tenant, contact
) -> None:
    assert (await ask(customer, "erasure", "Bitte alles löschen.")).status_code == 303
    (request,) = await requests_of(tenant)
    path = f"/staff/data-requests/{request.id}"
    page = await admin.get(path)
    assert 'data-confirm-typed="Kunde"' in page.text and 'id="erasure-preview"' in page.text
    wrong = await admin.submit(path + "/erase", {"confirm_text": "Kundin"}, form_page=path)
    assert wrong.status_code == 422 and error_of(wrong, "confirm_text")
    with tenant_scope(tenant.tenant.id):
        assert await Contact.filter(id=contact.id).exists()
    erased = await admin.submit(path + "/erase", {"confirm_text": "Kunde"}, form_page=path)
    assert erased.status_code == 303 and "erased=1" in erased.headers["location"]
    assert erased.headers["location"].startswith("/staff/data-requests?")
    with tenant_scope(tenant.tenant.id):
        audit = await AuditEntry.get(action="data_request_erased")
        assert not await Contact.filter(id=contact.id).exists()
    assert audit.subject_id == contact.id and f"request={request.id}" in audit.details
    assert await requests_of(tenant) == []  # it went with the contact; the audit keeps it
    listed = await admin.get(erased.headers["location"])
    assert 'id="data-request-erased"' in listed.text


async def test_an_erasure_keeps_a_business_letter_restricted_and_says_until_when(
    customer, admin, tenant, contact, settings, deliver
) -> None:
    letter = await add_document(tenant, settings, contact, title="Brief")
    with tenant_scope(tenant.tenant.id):  # a business letter of today: 6 years (§ 257 HGB)
        await Document.filter(id=letter.id).update(
            category="correspondence", document_date=local_today()
        )
    assert (await ask(customer, "erasure")).status_code == 303
    (request,) = await requests_of(tenant)
    path = f"/staff/data-requests/{request.id}"
    until = date(local_today().year + 6, 12, 31).strftime("%d.%m.%Y")
    before = await admin.get(path)
    assert until in text_of(before), before.status_code  # the preview before confirming
    erased = await admin.submit(path + "/erase", {"confirm_text": "Kunde"}, form_page=path)
    assert erased.status_code == 303 and erased.headers["location"].startswith(path)
    (request,) = await requests_of(tenant)
    assert request.status == "done" and until in request.outcome
    with tenant_scope(tenant.tenant.id):
        kept = await Contact.get(id=contact.id)
    assert kept.restricted_at is not None
    page = text_of(await admin.get(erased.headers["location"]))  # admins see it, restricted
    assert until in page and 'id="data-request-outcome"' in page
    (mail,) = [m for m in await deliver() if m["To"] == "kai@kunde.example"]
    assert until in text_of_mail(mail)


async def test_a_contact_under_legal_hold_keeps_everything_and_the_request_says_so(
    customer, admin, tenant, contact, settings
) -> None:
    await add_document(tenant, settings, contact, title="Police")
    with tenant_scope(tenant.tenant.id):
        await LegalHold.create(contact_id=contact.id, reason="Rechtsstreit mit dem Versicherer")
    assert (await ask(customer, "erasure")).status_code == 303
    (request,) = await requests_of(tenant)
    path = f"/staff/data-requests/{request.id}"
    erased = await admin.submit(path + "/erase", {"confirm_text": "Kunde"}, form_page=path)
    assert erased.status_code == 303
    (request,) = await requests_of(tenant)
    with tenant_scope(tenant.tenant.id):
        kept = await Contact.get(id=contact.id)
        documents = await Document.filter(contact_id=contact.id).count()
    assert kept.restricted_at is not None and kept.delete_after is None and documents == 1
    assert request.status == "done" and "Eine rechtliche Sperre bewahrt alles" in request.outcome
    # Admins still find the request with its outcome.
    assert "rechtliche Sperre" in text_of(await admin.get(path))


async def test_a_household_login_asks_for_nothing_and_sees_no_copy_of_anothers_data(
    tenant, passwords, client_for, admin
) -> None:
    """Max manages Lena's folders, but her copy (logins, messages, every document) and her
    erasure are hers alone: he sees neither her requests nor her copy, and cannot ask."""
    from tenant_app.models.accounts import User
    from tenant_app.models.households import ContactLink

    await make_customer(tenant, passwords, email="max@kunde.example", first_name="Max")
    lena = await make_customer(
        tenant, passwords, email="lena@kunde.example", first_name="Lena", last_name="Muster"
    )
    lena_client = client_for(tenant.hostname)
    await lena_client.log_in("lena", CUSTOMER_PASSWORD)
    assert (await ask(lena_client, "export", "Lenas eigene Nachricht")).status_code == 303
    (own,) = await requests_of(tenant)
    detail = f"/staff/data-requests/{own.id}"
    assert (await admin.submit(f"{detail}/copy", form_page=detail)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        login = await User.get(username="max")
        await ContactLink.create(user_id=login.id, contact_id=lena.id, consent_note="Mutter")
    client = client_for(tenant.hostname)
    await client.log_in("max", CUSTOMER_PASSWORD)
    chosen = await client.submit(
        "/portal/household", {"contact_id": str(lena.id)}, form_page="/portal"
    )
    assert chosen.status_code == 303
    page = await client.get("/portal/data")
    assert 'id="data-not-here"' in page.text and 'id="data-request-form"' not in page.text
    assert (
        "Lenas eigene Nachricht" not in page.text and f"/portal/data/{own.id}/copy" not in page.text
    )
    assert (await client.get(f"/portal/data/{own.id}/copy")).status_code == 404
    for kind in ("export", "erasure"):
        refused = await ask(client, kind)
        assert refused.status_code == 422 and 'id="data-not-here"' in refused.text
    assert [request.id for request in await requests_of(tenant)] == [own.id]
    mine = await lena_client.get(f"/portal/data/{own.id}/copy")  # she herself still may
    assert mine.status_code == 200


async def test_deadlines_are_marked_overdue_and_due_soon(customer, admin, tenant) -> None:
    await ask(customer, "export")
    await ask(customer, "erasure")
    first, second = await requests_of(tenant)
    today = local_today()
    with tenant_scope(tenant.tenant.id):
        await DataRequest.filter(id=first.id).update(due_on=today - timedelta(days=1))
        await DataRequest.filter(id=second.id).update(due_on=today + timedelta(days=3))
    listed = await admin.get("/staff/data-requests")
    assert f'id="data-request-{first.id}-overdue"' in listed.text
    assert f'id="data-request-{second.id}-soon"' in listed.text
    # Open ones by their deadline: the overdue first.
    assert listed.text.index(f'id="data-request-{first.id}"') < listed.text.index(
        f'id="data-request-{second.id}"'
    )


def test_the_deadline_is_one_month_later_or_the_months_last_day() -> None:
    assert one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert one_month_after(date(2026, 3, 15)) == date(2026, 4, 15)
    assert one_month_after(date(2026, 12, 31)) == date(2027, 1, 31)


async def test_a_copy_is_offered_for_30_days_then_removed(
    customer, admin, tenant, settings
) -> None:
    await ask(customer, "export")
    (request,) = await requests_of(tenant)
    path = f"/staff/data-requests/{request.id}"
    assert (await admin.submit(path + "/copy", form_page=path)).status_code == 303
    (request,) = await requests_of(tenant)
    stored = settings.storage_dir / str(request.export_key)
    assert stored.exists()
    assert await data_requests.forget_expired_exports(settings) == 0
    later = datetime.now(UTC) + timedelta(days=data_requests.EXPORT_KEPT_DAYS, minutes=1)
    assert await data_requests.forget_expired_exports(settings, now=later) == 1
    assert not stored.exists()
    (request,) = await requests_of(tenant)
    assert request.export_key is None and request.status == "done"
    mine = await customer.get("/portal/data")
    assert f"/portal/data/{request.id}/copy" not in mine.text
    assert (await customer.get(f"/portal/data/{request.id}/copy")).status_code == 404


async def test_two_clicks_at_once_make_one_request(customer, client_for, tenant) -> None:
    second = client_for(tenant.hostname)
    await second.log_in("kai", CUSTOMER_PASSWORD)
    tokens = [await customer.csrf("/portal/data"), await second.csrf("/portal/data")]
    answers = await asyncio.gather(
        *(
            browser.post(
                "/portal/data",
                data={"csrf_token": token, "kind": "export", "message": ""},
                headers={"Origin": f"http://{tenant.hostname}"},
            )
            for browser, token in zip((customer, second), tokens, strict=True)
        )
    )
    assert [answer.status_code for answer in answers] == [303, 303]
    assert len(await requests_of(tenant)) == 1


async def du_walk(walk, kai, staff) -> None:
    """The data-request pages for test_du_tenant's walk: read, refused without a kind, a copy
    asked for, built by the staff and downloaded."""
    await walk.get(kai, "/portal/data")
    await walk.post(kai, "/portal/data", 422, {"kind": "", "message": ""})
    asked = await walk.post(kai, "/portal/data", 303, {"kind": "export", "message": ""})
    page = await walk.get(kai, asked.headers["location"])
    found = re.search(r'id="data-request-(\d+)"', page.text)
    assert found, "the new request is not listed"
    detail = f"/staff/data-requests/{found.group(1)}"
    assert (await staff.submit(f"{detail}/copy", form_page=detail)).status_code == 303
    await walk.get(kai, "/portal/data")
    await walk.get(kai, f"/portal/data/{found.group(1)}/copy")
