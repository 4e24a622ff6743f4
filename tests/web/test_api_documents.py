"""Documents through the API: upload (multipart), download, metadata with If-Match, delete,
external ids, idempotent uploads, pages for sync; the upload checks of the portal apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import document_sync
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import count_queries, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.web.test_upload_faults import _files

DOCS = "/api/v1/documents"


async def upload(
    client: Any,
    secret: str,
    *,
    file: tuple[str, bytes, str] | None = ("police.pdf", PDF_BYTES, "application/pdf"),
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    data = {name: str(value) for name, value in fields.items()}
    files = {"file": file} if file else {"unused": (None, "")}
    return await client.post(
        DOCS, data=data, files=files, headers=bearer(secret, **(headers or {}))
    )


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    """A customer who sees the insurance folder with the broker's documents."""
    return await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)


async def test_an_upload_comes_back_as_the_same_file(client: Any, tenant: Any, kai: Any) -> None:
    secret = await make_token(tenant, ["documents:write"])
    made = await upload(
        client,
        secret,
        contact_id=kai.id,
        folder="insurance",
        title="Police Hausrat",
        category="policy",
        document_date="2024-03-01",
        note="Neu abgeschlossen",
        external_id="BMS-DOC-1",
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"{DOCS}/{body['id']}"
    assert made.headers["etag"] == '"1"'
    assert {key: body[key] for key in ("contact_id", "folder", "title", "category")} == {
        "contact_id": kai.id,
        "folder": "insurance",
        "title": "Police Hausrat",
        "category": "policy",
    }
    assert body["document_date"] == "2024-03-01" and body["note"] == "Neu abgeschlossen"
    assert body["external_id"] == "BMS-DOC-1" and body["shared_with_customer"] is True
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF_BYTES)

    read = await client.get(f"{DOCS}/{body['id']}", headers=bearer(secret))
    assert read.json() == body and read.headers["etag"] == '"1"'
    content = await client.get(f"{DOCS}/{body['id']}/content", headers=bearer(secret))
    assert content.status_code == 200
    assert content.content == PDF_BYTES
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["content-disposition"].startswith('attachment; filename="police.pdf"')
    assert content.headers["x-content-type-options"] == "nosniff"


async def test_a_download_is_on_the_customers_access_trail(
    client: Any, client_for: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    policy = await add_document(tenant, settings, kai, title="Police Hausrat")
    secret = await make_token(tenant, ["documents:read"], name="BMS-Sync")
    await client.get(f"{DOCS}/{policy.id}", headers=bearer(secret))  # metadata: no look inside
    with tenant_scope(tenant.tenant.id):
        assert not await Event.filter(kind="document_opened").exists()
    assert (
        await client.get(f"{DOCS}/{policy.id}/content", headers=bearer(secret))
    ).status_code == 200
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", "Kundenpasswort-1")
    trail = (await customer.get("/portal/trail")).text
    assert "API BMS-Sync hat Ihr Dokument Police Hausrat geöffnet" in trail


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Bitte eine Datei wählen. Leere Dateien können nicht hochgeladen werden."),
        (("leer.pdf", b"", "application/pdf"), "Bitte eine Datei wählen."),
        (("skript.pdf", b"<script>alert(1)</script>", "application/pdf"), "Dateityp"),
    ],
)
async def test_the_upload_checks_of_the_portal_apply(
    client: Any, tenant: Any, kai: Any, file: Any, message: str
) -> None:
    secret = await make_token(tenant, ["documents:write"])
    refused = await upload(
        client,
        secret,
        file=file,
        contact_id=kai.id,
        folder="insurance",
        title="Police",
        headers={"Accept-Language": "de"},
    )
    assert message in field_messages(refused)["file"]
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_fields_are_checked_with_a_message_each(
    client: Any, tenant: Any, other_tenant: Any, passwords: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["documents:write"])
    lena = await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    lenas_contract = await add_contract(tenant, lena)
    stranger = await make_customer(other_tenant, passwords)
    de = {"Accept-Language": "de"}
    cases = [
        ({"folder": "insurance", "title": " "}, "title", "Dieses Feld ist ein Pflichtfeld."),
        ({"folder": "keller", "title": "X"}, "folder", ""),
        ({"contact_id": stranger.id, "title": "X"}, "contact_id", "Diesen Kontakt gibt es nicht."),
        ({"contract_id": lenas_contract.id, "title": "X"}, "contract_id", "Vertrag"),
        ({"title": "X", "document_date": "31.02.2024"}, "document_date", ""),
        ({"title": "X", "surprise": "1"}, "surprise", ""),
        ({"title": "X", "external_id": "K 1!"}, "external_id", "Bitte nur Buchstaben"),
    ]
    for fields, field, message in cases:
        refused = await upload(client, secret, headers=de, **{"contact_id": kai.id, **fields})
        assert message in field_messages(refused)[field], (fields, refused.text)
    json_body = await client.post(DOCS, json={"contact_id": kai.id}, headers=bearer(secret))
    problem_of(json_body, 415)


async def test_an_external_id_is_unique_and_finds_its_document(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["documents:write"])
    first = await upload(
        client, secret, contact_id=kai.id, title="A", folder="insurance", external_id="2024/X-1"
    )
    assert first.status_code == 201
    again = await upload(
        client, secret, contact_id=kai.id, title="B", folder="insurance", external_id="2024/X-1"
    )
    assert "external_id" in field_messages(again)
    listed = await client.get(DOCS, params={"external_id": "2024/X-1"}, headers=bearer(secret))
    assert [row["title"] for row in listed.json()["items"]] == ["A"]

    put = f"{DOCS}/external/2024/X-1"  # a slash in the id, as BMS numbers have
    changed = await client.put(
        put,
        json={"title": "Police 2025", "category": "policy"},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["version"]) == ("Police 2025", 2)
    problem_of(await client.put(put, json={"title": "Alt"}, headers=bearer(secret)), 428)
    stale = await client.put(
        put, json={"title": "Alt"}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert problem_of(stale, 412)["current_version"] == 2
    unknown = await client.put(
        f"{DOCS}/external/X-2", json={"title": "Neu"}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert "POST /api/v1/documents" in problem_of(unknown, 404)["detail"]


async def test_the_constraint_decides_when_two_take_an_external_id_at_once(
    client: Any, tenant: Any, settings: Any, kai: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both uploads pass the look-up (as two at the same moment would): the second is refused
    by the unique constraint, with the field's message and without a file left behind."""
    secret = await make_token(tenant, ["documents:write"])
    fields = {"contact_id": kai.id, "folder": "insurance", "external_id": "X-9"}
    assert (await upload(client, secret, title="A", **fields)).status_code == 201

    async def nobody_has_it(*args: Any, **kwargs: Any) -> None:
        return None

    monkeypatch.setattr(document_sync, "_external_id_free", nobody_has_it)
    second = await upload(client, secret, title="B", **fields)
    assert "external_id" in field_messages(second)
    with tenant_scope(tenant.tenant.id):
        assert [d.title for d in await Document.all()] == ["A"]
    assert len(_files(settings, tenant)) == 1


async def test_a_retried_upload_makes_one_document(client: Any, tenant: Any, kai: Any) -> None:
    secret = await make_token(tenant, ["documents:write"])
    key = {"Idempotency-Key": "upload-7f3a"}
    fields = {"contact_id": kai.id, "folder": "insurance", "title": "Police"}
    first = await upload(client, secret, headers=key, **fields)
    retry = await upload(client, secret, headers=key, **fields)  # a new multipart boundary
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["idempotent-replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 1
    other = await upload(client, secret, headers=key, **{**fields, "title": "Andere"})
    assert problem_of(other, 422)["detail"]


async def test_metadata_changes_need_the_current_version(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    policy = await add_document(tenant, settings, kai, title="Police", shared=False)
    secret = await make_token(tenant, ["documents:write"])
    path = f"{DOCS}/{policy.id}"
    etag = (await client.get(path, headers=bearer(secret))).headers["etag"]
    change = {"title": "Police 2024", "document_date": "2024-01-31", "shared_with_customer": True}
    saved = await client.patch(path, json=change, headers=bearer(secret, **{"If-Match": etag}))
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"2"'
    assert saved.json()["title"] == "Police 2024" and saved.json()["shared_with_customer"]
    stale = await client.patch(
        path,
        json={"title": "Alt"},
        headers=bearer(secret, **{"If-Match": etag, "Accept-Language": "de"}),
    )
    problem = problem_of(stale, 412)
    assert problem["current_version"] == 2 and stale.headers["etag"] == '"2"'
    assert "Police 2024" in problem["errors"][0]["message"]
    problem_of(await client.patch(path, json={"title": "Alt"}, headers=bearer(secret)), 428)
    with tenant_scope(tenant.tenant.id):
        stored = await Document.get(id=policy.id)
    assert (stored.title, stored.version) == ("Police 2024", 2)
    assert stored.updated_at is not None and stored.updated_at > stored.created_at
    with tenant_scope(tenant.tenant.id):  # the trail and the webhooks hear of the edit
        edit = await Event.get(kind="document_edited", object_id=policy.id)
    assert edit.actor_name == "API BMS-Sync"
    assert edit.changes == {
        "title": ["Police", "Police 2024"],
        "document_date": [None, "2024-01-31"],
    }


async def test_metadata_changes_are_checked(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    contract = await add_contract(tenant, kai)
    on_contract = await add_document(tenant, settings, kai, contract=contract)
    secret = await make_token(tenant, ["documents:write"])
    headers = bearer(secret, **{"If-Match": '"1"', "Accept-Language": "de"})
    path = f"{DOCS}/{on_contract.id}"
    for change, field in (
        ({"folder": "finance"}, "folder"),
        ({"title": None}, "title"),
        ({"category": "gossip"}, "category"),
        ({"note": "x" * 2001}, "note"),
        ({"title": "a\x00b"}, "title"),
        ({"version": 7}, "version"),
    ):
        assert field in field_messages(await client.patch(path, json=change, headers=headers))
    raw = b'{"title": "a\\ud800b"}'  # a lone surrogate: valid JSON, never valid UTF-8
    headers["Content-Type"] = "application/json"
    assert "title" in field_messages(await client.patch(path, content=raw, headers=headers))
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=on_contract.id)).version == 1


async def test_a_delete_needs_the_current_version(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    policy = await add_document(tenant, settings, kai)
    secret = await make_token(tenant, ["documents:write"])
    path = f"{DOCS}/{policy.id}"
    problem_of(await client.delete(path, headers=bearer(secret)), 428)
    assert (
        problem_of(await client.delete(path, headers=bearer(secret, **{"If-Match": '"9"'})), 412)[
            "current_version"
        ]
        == 1
    )
    deleted = await client.delete(path, headers=bearer(secret, **{"If-Match": '"1"'}))
    assert deleted.status_code == 204 and deleted.content == b""
    problem_of(await client.get(path, headers=bearer(secret)), 404)
    assert not (settings.storage_dir / policy.storage_key).exists()


async def test_a_document_on_an_advice_case(
    client: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    lena = await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.create(contact_id=kai.id, title="Hausrat neu")
        lenas = await AdviceCase.create(contact_id=lena.id, title="Kfz")
        done = await AdviceCase.create(contact_id=kai.id, title="Alt", status="completed")
    secret = await make_token(tenant, ["documents:write"])
    made = await upload(
        client, secret, contact_id=kai.id, case_id=case.id, folder="insurance", title="Angebot"
    )
    assert made.status_code == 201 and made.json()["case_id"] == case.id
    listed = await client.get(DOCS, params={"case_id": case.id}, headers=bearer(secret))
    assert [row["id"] for row in listed.json()["items"]] == [made.json()["id"]]
    for other in (lenas, done):
        refused = await upload(client, secret, contact_id=kai.id, case_id=other.id, title="X")
        assert "case_id" in field_messages(refused)


async def test_pages_in_id_order_and_changes_since(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    made = [await add_document(tenant, settings, kai, title=f"Dok {n}") for n in range(5)]
    secret = await make_token(tenant, ["documents:read"])
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get(DOCS, params=params, headers=bearer(secret))).json()
        seen += [row["id"] for row in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [document.id for document in made]
    old = datetime.now(UTC) - timedelta(days=3)
    with tenant_scope(tenant.tenant.id):
        await Document.filter(id__in=seen[:3]).update(updated_at=old)
    since = (old + timedelta(days=1)).isoformat()
    recent = await client.get(DOCS, params={"updated_since": since}, headers=bearer(secret))
    assert [row["id"] for row in recent.json()["items"]] == seen[3:]
    problem_of(await client.get(DOCS, params={"cursor": "kaputt"}, headers=bearer(secret)), 422)


async def test_the_list_costs_the_same_queries_however_many_documents(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["documents:read"])
    await add_document(tenant, settings, kai)
    await client.get(DOCS, headers=bearer(secret))  # the tenant and the token's last use read
    with count_queries() as few:
        assert (await client.get(DOCS, headers=bearer(secret))).status_code == 200
    for n in range(12):
        await add_document(tenant, settings, kai, folder="finance", title=f"Dok {n}")
    with count_queries() as many:
        response = await client.get(DOCS, headers=bearer(secret))
    assert len(response.json()["items"]) == 13
    assert many.count == few.count
