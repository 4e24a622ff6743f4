"""Einstellungen › Support: a firm's administrator writes to the platform's operator with a
screenshot, replies, closes and reopens; refused input saves nothing; the operator is told by
mail."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tenant_app.models.operations import SupportEntry, SupportRequest
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import support, support_mail
from tests.conftest import actor_of, text_of
from tests.support_helpers import (
    BASE,
    OPERATOR_EMAIL,
    operator_client,
    png,
    send_request,
    shot,
    stored_files,
)
from tests.web.test_broker_profile import main_text

DE = {"Accept-Language": "de"}
NEW = f"{BASE}/new"


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


async def test_an_admin_sends_a_request_with_a_screenshot_and_the_operator_is_told(
    admin, tenant, passwords, client_for, settings, deliver
) -> None:
    await operator_client(passwords, client_for)
    settings_page = await admin.get("/staff/settings")
    assert f'href="{BASE}"' in settings_page.text
    empty = await admin.get(BASE)
    assert empty.status_code == 200 and 'id="no-support-requests"' in empty.text

    sent = await send_request(admin, files=shot(png(secret="Kundennummer 4711")))
    assert sent.status_code == 303
    with tenant_scope(tenant.tenant.id):
        request = await SupportRequest.get()
        entry = await SupportEntry.get(request_id=request.id)
    assert sent.headers["location"] == f"{BASE}/{request.id}?sent=1"
    assert request.subject == "Login klemmt" and request.status == "open"
    assert request.created_by_name == "Clara Chef" and not request.last_entry_by_operator
    assert entry.screenshot_key and entry.screenshot_key.startswith(f"{tenant.tenant.id}/")
    assert entry.screenshot_type == "image/png"

    page = await admin.get(sent.headers["location"])
    assert 'id="support-sent"' in page.text
    assert "Beim Anmelden erscheint ein Fehler." in main_text(page.text)
    picture = await admin.get(f"{BASE}/{request.id}/entries/{entry.id}/screenshot")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in picture.headers["content-security-policy"]
    assert b"Kundennummer" not in picture.content  # written afresh, without metadata
    assert Image.open(io.BytesIO(picture.content)).size == (320, 200)

    listed = await admin.get(BASE)
    assert f'id="support-request-{request.id}"' in listed.text
    assert "Login klemmt" in listed.text

    mails = await deliver()
    to_operator = [mail for mail in mails if mail["To"] == OPERATOR_EMAIL]
    assert len(to_operator) == 1
    assert "Alpha Versicherungsmakler GmbH" in to_operator[0]["Subject"]
    body = text_of(to_operator[0])
    assert f"http://platform.localhost/operator/support/{request.id}" in body
    assert "Beim Anmelden" not in body  # the text stays behind the login


async def test_refused_input_saves_nothing_and_says_why_next_to_each_field(
    admin, tenant, settings
) -> None:
    before = stored_files(settings, tenant.tenant.id)
    data = {"subject": "  ", "body": ""}
    fake = shot(b"<html><script>alert(1)</script></html>", name="shot.png")
    answer = await admin.submit(NEW, data, files=fake, headers=DE)
    assert answer.status_code == 422
    assert 'id="f-subject-error"' in answer.text and 'id="f-body-error"' in answer.text
    assert 'id="f-file-error"' in answer.text and 'id="support-errors"' in answer.text

    typed = {"subject": "Fehler", "body": "Text bleibt stehen"}
    broken = shot(png()[:200])
    answer = await admin.submit(NEW, typed, files=broken)
    assert answer.status_code == 422 and "Text bleibt stehen" in answer.text
    assert 'value="Fehler"' in answer.text and 'id="f-file-error"' in answer.text
    too_long = await admin.submit(NEW, {"subject": "x" * 201, "body": "b"})
    assert too_long.status_code == 422 and 'id="f-subject-error"' in too_long.text
    with tenant_scope(tenant.tenant.id):
        assert await SupportRequest.all().count() == 0
        assert await SupportEntry.all().count() == 0
    assert stored_files(settings, tenant.tenant.id) == before


async def test_a_failing_row_removes_the_screenshot_it_stored(
    tenant, app, settings, monkeypatch
) -> None:
    async def broken_mail(*_args, **_kwargs):
        raise RuntimeError("the outbox is gone")

    monkeypatch.setattr(support_mail, "tell_operators", broken_mail)
    before = stored_files(settings, tenant.tenant.id)
    with tenant_scope(tenant.tenant.id):
        actor = await actor_of("alpha-admin")
        with pytest.raises(RuntimeError):
            await support.open_request(
                actor,
                settings,
                app.state.storage,
                subject="Fehler",
                body="Text",
                screenshot=png(),
            )
        assert await SupportRequest.all().count() == 0
    assert stored_files(settings, tenant.tenant.id) == before


async def test_replies_close_and_reopen(admin, tenant) -> None:
    sent = await send_request(admin)
    path = sent.headers["location"].split("?")[0]
    reply = await admin.submit(f"{path}/entries", {"body": "Noch ein Hinweis"}, form_page=path)
    assert reply.status_code == 303
    empty = await admin.submit(f"{path}/entries", {"body": " "}, form_page=path)
    assert empty.status_code == 422 and 'id="f-body-error"' in empty.text
    closed = await admin.submit(f"{path}/status", {"status": "closed"}, form_page=path)
    assert closed.status_code == 303
    page = await admin.get(closed.headers["location"])
    assert 'id="support-closed"' in page.text and 'id="support-reopen"' in page.text
    with tenant_scope(tenant.tenant.id):
        request = await SupportRequest.get()
        assert request.status == "closed"
        assert await SupportEntry.filter(request_id=request.id).count() == 2
    reopened = await admin.submit(f"{path}/status", {"status": "open"}, form_page=path)
    assert reopened.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await SupportRequest.get()).status == "open"
    await admin.submit(f"{path}/status", {"status": "closed"}, form_page=path)
    again = await admin.submit(f"{path}/entries", {"body": "Doch nicht gelöst"}, form_page=path)
    assert again.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await SupportRequest.get()).status == "open"  # writing again opens it
