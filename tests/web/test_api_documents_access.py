"""Who reaches a document through the API, and who sees what it uploads: scopes, other
tenants, the customer's folder permissions, the staff pages; bodies too large."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tenant_app import create_app
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import CUSTOMER_PASSWORD, Client, make_customer
from tests.folder_helpers import PDF_BYTES, add_document
from tests.web.test_api_documents import DOCS, upload


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    """Sees the insurance folder with the broker's documents; the finance folder is closed."""
    return await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)


async def _customer(client_for: Any, tenant: Any, username: str) -> Any:
    customer = client_for(tenant.hostname)
    await customer.log_in(username, CUSTOMER_PASSWORD)
    return customer


async def test_each_operation_needs_its_scope(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    policy = await add_document(tenant, settings, kai)
    reader = await make_token(tenant, ["documents:read"], name="Leser")
    other = await make_token(tenant, ["contacts:write", "tickets:write"], name="Andere")
    writer = await make_token(tenant, ["documents:write"], name="Schreiber")
    one = f"{DOCS}/{policy.id}"
    match = {"If-Match": '"1"'}
    writes = [
        (
            "POST",
            DOCS,
            {
                "data": {"contact_id": str(kai.id), "title": "X"},
                "files": {"file": ("a.pdf", PDF_BYTES, "application/pdf")},
            },
        ),
        ("PATCH", one, {"json": {"title": "X"}, "headers": match}),
        ("PUT", f"{DOCS}/external/E-1", {"json": {"title": "X"}, "headers": match}),
        ("DELETE", one, {"headers": match}),
    ]
    reads = [DOCS, one, f"{one}/content"]
    for method, path, options in writes:
        headers = bearer(reader, **options.pop("headers", {}))
        refused = await client.request(method, path, headers=headers, **options)
        assert "documents:write" in problem_of(refused, 403)["detail"], (method, path)
    for path in reads:
        problem_of(await client.get(path, headers=bearer(other)), 403)
        assert (await client.get(path, headers=bearer(writer))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=policy.id)).title == "Police"
        assert await Document.all().count() == 1


async def test_another_tenants_documents_are_not_found(
    client: Any, client_for: Any, tenant: Any, other_tenant: Any, passwords: Any, settings: Any
) -> None:
    theirs = await make_customer(other_tenant, passwords)
    foreign = await add_document(other_tenant, settings, theirs, title="Fremde Police")
    with tenant_scope(other_tenant.tenant.id):
        await Document.filter(id=foreign.id).update(external_id="SHARED-ID")
    secret = await make_token(tenant)
    one = f"{DOCS}/{foreign.id}"
    match = bearer(secret, **{"If-Match": '"1"'})
    for answer in (
        await client.get(one, headers=bearer(secret)),
        await client.get(f"{one}/content", headers=bearer(secret)),
        await client.patch(one, json={"title": "Meins"}, headers=match),
        await client.put(f"{DOCS}/external/SHARED-ID", json={"title": "Meins"}, headers=match),
        await client.delete(one, headers=match),
    ):
        problem_of(answer, 404)
    listed = await client.get(DOCS, params={"contact_id": theirs.id}, headers=bearer(secret))
    assert listed.json()["items"] == []
    planted = await upload(client, secret, contact_id=theirs.id, folder="insurance", title="X")
    assert problem_of(planted, 422)["errors"][0]["field"] == "contact_id"
    with tenant_scope(other_tenant.tenant.id):
        stored = await Document.get(id=foreign.id)
    assert (stored.title, stored.version) == ("Fremde Police", 1)
    # ... and their token does not open ours
    mine = await make_customer(tenant, passwords, email="ole@kunde.example", first_name="Ole")
    ours = await add_document(tenant, settings, mine)
    their_secret = await make_token(other_tenant)
    there = client_for(other_tenant.hostname)
    problem_of(await there.get(f"{DOCS}/{ours.id}", headers=bearer(their_secret)), 404)


async def test_the_customer_sees_a_shared_upload_in_a_folder_they_may_see(
    client: Any, client_for: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    lena = await make_customer(
        tenant,
        passwords,
        email="lena@kunde.example",
        first_name="Lena",
        insurance_unlock=True,
        insurance_share=True,
    )
    secret = await make_token(tenant, ["documents:write"])
    shown = (
        await upload(client, secret, contact_id=kai.id, folder="insurance", title="Police Kfz")
    ).json()
    hidden = (
        await upload(
            client,
            secret,
            contact_id=kai.id,
            folder="insurance",
            title="Intern",
            shared_with_customer="false",
        )
    ).json()
    closed = (
        await upload(client, secret, contact_id=kai.id, folder="finance", title="Depot")
    ).json()
    assert hidden["shared_with_customer"] is False and closed["shared_with_customer"] is True

    customer = await _customer(client_for, tenant, "kai")
    folder = (await customer.get("/portal/folders/insurance")).text
    assert "Police Kfz" in folder and "Intern" not in folder
    download = await customer.get(f"/portal/documents/{shown['id']}/download")
    assert download.status_code == 200 and download.content == PDF_BYTES
    for document in (hidden, closed):
        assert (
            await customer.get(f"/portal/documents/{document['id']}/download")
        ).status_code == 404
    other = await _customer(client_for, tenant, "lena")
    assert (await other.get(f"/portal/documents/{shown['id']}/download")).status_code == 404
    assert "Police Kfz" not in (await other.get("/portal/folders/insurance")).text
    with tenant_scope(tenant.tenant.id):
        kais_login = await User.get(username="kai")
        told = await Notification.filter(user_id=kais_login.id).prefetch_related("event")
        lenas_login = await User.get(username="lena")
        assert not await Notification.filter(user_id=lenas_login.id).exists()
    assert [(n.event.kind, n.event.object_id) for n in told] == [("document_added", shown["id"])]
    assert lena.id != kai.id


async def test_sharing_later_tells_the_customer_and_hiding_forgets_it(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["documents:write"])
    made = await upload(
        client,
        secret,
        contact_id=kai.id,
        folder="insurance",
        title="Police",
        shared_with_customer="false",
    )
    path = f"{DOCS}/{made.json()['id']}"
    with tenant_scope(tenant.tenant.id):
        login = await User.get(username="kai")
        assert not await Notification.filter(user_id=login.id).exists()
    shared = await client.patch(
        path, json={"shared_with_customer": True}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert shared.status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert await Notification.filter(user_id=login.id, event__kind="document_shared").exists()
    hidden = await client.patch(
        path, json={"shared_with_customer": False}, headers=bearer(secret, **{"If-Match": '"2"'})
    )
    assert hidden.status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert not await Notification.filter(user_id=login.id).exists()


async def test_staff_find_api_uploads_on_their_pages(
    client: Any, client_for: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["documents:write"])
    on_contact = (await upload(client, secret, contact_id=kai.id, title="Maklervertrag")).json()
    in_folder = (
        await upload(client, secret, contact_id=kai.id, folder="insurance", title="Police")
    ).json()
    assert on_contact["folder"] == "" and on_contact["shared_with_customer"] is False
    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    contact_page = (await staff.get(f"/staff/contacts/{kai.id}")).text
    assert f'id="document-{on_contact["id"]}"' in contact_page and "Maklervertrag" in contact_page
    folder_page = (await staff.get(f"/staff/contacts/{kai.id}/folders/insurance")).text
    assert "Police" in folder_page
    download = await staff.get(f"/staff/documents/{in_folder['id']}/download")
    assert download.status_code == 200 and download.content == PDF_BYTES


async def test_a_body_over_the_limit_is_refused_with_413(
    settings: Any, tenant: Any, kai: Any
) -> None:
    small = create_app(dataclasses.replace(settings, max_body_bytes=64 * 1024), manage_db=False)
    secret = await make_token(tenant, ["documents:write"])
    big = ("gross.pdf", PDF_BYTES + b"\n" * 100_000, "application/pdf")
    boundary = "grenze"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="contact_id"\r\n\r\n{kai.id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nGross\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + big[1]
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def chunks() -> Any:  # no Content-Length: the edge counts while the body arrives
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    headers = bearer(secret, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    async with Client(small, tenant.hostname) as api:
        declared = await api.post(
            DOCS,
            files={"file": big},
            data={"contact_id": str(kai.id), "title": "Gross"},
            headers=bearer(secret),
        )
        streamed = await api.post(DOCS, content=chunks(), headers=headers)
    problem_of(declared, 413)  # refused by the edge from its Content-Length
    problem_of(streamed, 413)  # refused while it arrives
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0
