"""The advice documentation of an advice case (§§ 61, 62 VVG) through the staff pages: a draft
saved half written under the edit lock, delivered only complete and after a confirmation;
delivery files a PDF (the customer's name, the wishes, the advice and its reasons) in the
customer's insurance folder, shared and told to the customer; the customer's first opening is
its read time; a delivered version never changes and a new version starts from it. A case is
completed by staff only with a delivered version or the customer's written waiver."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tenant_app.models.activity import Event, Notification
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.legal import AdviceRecord
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import cases
from tests.api_helpers import bearer, make_token, problem_of
from tests.case_helpers import actor, in_tenant, open_case
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.pdf_text import pdf_text

DRAFT = {
    "wishes": "Günstiger Kfz-Schutz mit Vollkasko für den neuen Golf.",
    "advice": "Wechsel zur Nordstern Versicherung, Tarif Komfort.",
    "reasons": "Bester Preis bei gleichem Schutz; Rabattschutz inklusive.",
}


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, insurance_share=True, insurance_view=True)


@pytest.fixture
async def admin(client: Any) -> Any:
    await client.log_in("alpha-admin")
    return client


@pytest.fixture
async def case(tenant: Any, kai: Any) -> AdviceCase:
    return await open_case(tenant, kai)


async def start(admin: Any, case: Any) -> str:
    """Start a version from the case page: the version's page."""
    page = f"/staff/cases/{case.id}"
    started = await admin.submit(f"{page}/advice", {}, form_page=page)
    assert started.status_code == 303
    return str(started.headers["location"])


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1)


async def save(admin: Any, path: str, values: dict[str, str], version: str | None = None) -> Any:
    form = await admin.get(path)
    data = {**values, "version": version or field(form.text, "version")}
    return await admin.submit(path, data)


async def deliver(admin: Any, path: str, **extra: str) -> Any:
    return await admin.submit(f"{path}/deliver", extra)


async def stored(tenant: Any, case: Any) -> list[AdviceRecord]:
    with tenant_scope(tenant.tenant.id):
        return list(await AdviceRecord.filter(case_id=case.id).order_by("number"))


async def test_a_delivered_version_reaches_the_customer_as_a_pdf_with_its_read_time(
    admin, tenant, case, client_for
) -> None:
    path = await start(admin, case)
    form = await admin.get(path)
    assert form.status_code == 200 and 'id="advice-form"' in form.text
    assert (await save(admin, path, {"wishes": DRAFT["wishes"]})).status_code == 303
    refused = await deliver(admin, path, confirm="on")
    assert refused.status_code == 422 and 'id="advice-incomplete"' in refused.text
    assert "Bitte geben Sie die Gründe für den Rat an" in html.unescape(refused.text)
    assert (await save(admin, path, DRAFT)).status_code == 303
    unconfirmed = await deliver(admin, path)
    assert unconfirmed.status_code == 422 and 'id="f-confirm-error"' in unconfirmed.text
    [record] = await stored(tenant, case)
    assert record.delivered_at is None and record.document_id is None
    done = await deliver(admin, path, confirm="on")
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/cases/{case.id}?advice_delivered=1"
    [record] = await stored(tenant, case)
    assert record.delivered_at is not None and record.read_at is None
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(id=record.document_id)
        event = await Event.get(kind="advice_delivered")
        told = await Notification.filter(event_id=event.id).values_list("user__username", flat=True)
    assert (document.folder, document.category, document.case_id) == (
        "insurance",
        "correspondence",
        case.id,
    )
    assert document.shared_with_customer and list(told) == ["kai"]
    page = html.unescape((await admin.get(f"/staff/cases/{case.id}")).text)
    assert 'id="advice-version-1"' in page and "Noch nicht geöffnet" in page
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    folder = await kai.get("/portal/folders/insurance")
    assert f"/portal/documents/{document.id}/download" in folder.text
    pdf = await kai.get(f"/portal/documents/{document.id}/download")
    assert pdf.status_code == 200
    words = pdf_text(pdf.content)
    for text in (*DRAFT.values(), "Beratungsdokumentation", "Kai Kunde", "Kfz-Wechsel"):
        assert text in words, text
    assert "§§ 61, 62 VVG" in words
    [record] = await stored(tenant, case)
    first_read = record.read_at
    assert first_read is not None
    await kai.get(f"/portal/documents/{document.id}/preview")
    assert (await stored(tenant, case))[0].read_at == first_read  # the first time only
    page = html.unescape((await admin.get(f"/staff/cases/{case.id}")).text)
    assert "Noch nicht geöffnet" not in page


async def test_a_delivered_version_never_changes_and_a_new_version_starts_from_it(
    admin, tenant, case
) -> None:
    path = await start(admin, case)
    version = field((await admin.get(path)).text, "version")
    assert (await save(admin, path, DRAFT, version)).status_code == 303
    assert (await deliver(admin, path, confirm="on")).status_code == 303
    shown = await admin.get(path)
    assert 'id="advice-frozen"' in shown.text and 'id="advice-form"' not in shown.text
    late = await admin.submit(path, {**DRAFT, "wishes": "Anders", "version": "3"}, form_page=path)
    assert late.status_code == 409 and "nie" in late.text
    again = await admin.submit(f"{path}/deliver", {"confirm": "on"}, form_page=path)
    assert again.status_code == 409
    assert (await admin.get(f"{path}/deliver")).status_code == 303
    second = await start(admin, case)
    assert second != path
    assert DRAFT["advice"] in html.unescape((await admin.get(second)).text)  # prefilled
    assert (await start(admin, case)) == second  # one draft at a time
    changed = {**DRAFT, "advice": "Doch lieber Tarif Premium."}
    assert (await save(admin, second, changed)).status_code == 303
    first, newer = await stored(tenant, case)
    assert (first.number, first.advice) == (1, DRAFT["advice"])
    assert (newer.number, newer.advice, newer.delivered_at) == (2, changed["advice"], None)
    with tenant_scope(tenant.tenant.id):
        assert await Document.filter(case_id=case.id).count() == 1
        filed = first.document_id
    kept = await admin.submit(f"/staff/documents/{filed}/delete", {}, form_page=path)
    assert kept.headers["location"] == f"/staff/cases/{case.id}?advice_kept=1"
    assert 'id="advice-kept"' in (await admin.get(kept.headers["location"])).text
    hidden = await admin.submit(f"/staff/documents/{filed}/share", {}, form_page=path)
    assert hidden.headers["location"] == f"/staff/cases/{case.id}?advice_kept=1"
    with tenant_scope(tenant.tenant.id):
        still = await Document.get(id=filed)  # the delivered PDF stays, shown to the customer
    assert still.shared_with_customer
    # The broker's system cannot take it either: neither hide it nor delete it.
    secret, api = await make_token(tenant), f"/api/v1/documents/{filed}"
    match = bearer(secret, **{"If-Match": f'"{still.version}"'})
    problem_of(await admin.patch(api, json={"shared_with_customer": False}, headers=match), 422)
    problem_of(await admin.delete(api, headers=match), 422)
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=filed)).shared_with_customer


async def test_the_draft_is_saved_under_the_edit_lock(admin, tenant, case) -> None:
    path = await start(admin, case)
    version = field((await admin.get(path)).text, "version")
    assert (await save(admin, path, DRAFT, version)).status_code == 303
    stale = await save(admin, path, {**DRAFT, "reasons": "Meine Fassung"}, version)
    assert stale.status_code == 409 and "Meine Fassung" in stale.text  # input kept
    [record] = await stored(tenant, case)
    assert record.reasons == DRAFT["reasons"]
    too_long = await save(admin, path, {**DRAFT, "wishes": "x" * 20_001})
    assert too_long.status_code == 422 and 'id="f-wishes-error"' in too_long.text
    assert (await stored(tenant, case))[0].wishes == DRAFT["wishes"]


async def test_completing_needs_a_delivered_version_or_the_written_waiver(
    admin, tenant, kai, case
) -> None:
    page = f"/staff/cases/{case.id}"
    refused = await admin.submit(f"{page}/status", {"status": "completed"}, form_page=page)
    assert refused.status_code == 422 and "§ 61 Abs. 2 VVG" in html.unescape(refused.text)
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceCase.get(id=case.id)).status == "open"
    waived = {"status": "completed", "advice_waived": "on"}
    assert (await admin.submit(f"{page}/status", waived, form_page=page)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceCase.get(id=case.id)).status == "completed"
        assert await AuditEntry.filter(action="advice_waived", subject_id=case.id).exists()
    assert 'id="advice-waived"' in (await admin.get(page)).text
    documented = await open_case(tenant, kai, title="Hausrat")
    path = await start(admin, documented)
    await save(admin, path, DRAFT)
    await deliver(admin, path, confirm="on")
    other = f"/staff/cases/{documented.id}"
    done = await admin.submit(f"{other}/status", {"status": "completed"}, form_page=other)
    assert done.status_code == 303


async def test_an_automatic_completion_shows_the_documentation_missing(admin, tenant, kai) -> None:
    case = await open_case(tenant, kai, title="Über die Schnittstelle")
    async with in_tenant(tenant):
        await cases.set_status(await actor("alpha-admin"), case, status="completed")
    page = await admin.get(f"/staff/cases/{case.id}")
    assert 'id="advice-missing"' in page.text and "Beratungsdokumentation fehlt" in page.text


async def test_the_case_page_asks_as_often_for_many_versions(admin, tenant, case) -> None:
    path = f"/staff/cases/{case.id}"
    record_path = await start(admin, case)
    await save(admin, record_path, DRAFT)
    assert (await deliver(admin, record_path, confirm="on")).status_code == 303
    one = await page_queries(admin, path)
    with tenant_scope(tenant.tenant.id):
        first = await AdviceRecord.get(case_id=case.id)
        for number in range(2, 8):
            await AdviceRecord.create(
                case_id=case.id,
                number=number,
                delivered_at=first.delivered_at,
                delivered_by_id=first.delivered_by_id,
                read_at=first.delivered_at,
                **DRAFT,
            )
    page = await admin.get(path)
    assert page.text.count('id="advice-version-') == 7
    assert await page_queries(admin, path) == one


async def test_staff_are_warned_when_the_customer_cannot_open_the_pdf(
    admin, tenant, passwords, case
) -> None:
    path = await start(admin, case)
    assert 'id="advice-unreached"' not in (await admin.get(f"{path}/deliver")).text
    ida = await make_customer(tenant, passwords, email="ida@kunde.example", first_name="Ida")
    hidden = await open_case(tenant, ida, title="Ohne Ordnerrecht")
    warned = await admin.get(f"{await start(admin, hidden)}/deliver")
    assert 'id="advice-unreached"' in warned.text and "Ida Kunde" in warned.text
