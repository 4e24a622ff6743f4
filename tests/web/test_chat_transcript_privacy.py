"""A chat transcript filed at a claim is an office record: staff see it on the claim's page
(marked "Intern") and open it, the customer's claim pages never list or count it and its
address answers 404 to them, while the photos the customer reported stay theirs to see."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.services import chats
from tests.claim_helpers import claims_of, files_of, photo, report
from tests.conftest import CUSTOMER_PASSWORD
from tests.web.test_chat_archive import archive_over_http, chat_with_messages, kai
from tests.web.test_du_tenant import visible_text

__all__ = ["kai"]  # the fixture, used here by name


@pytest.fixture
def ctx(settings: Any) -> chats.Context:
    return chats.Context(settings=settings, store=storage_for(settings))


async def test_a_transcript_at_a_claim_is_for_the_office_only(
    client, client_for, tenant, kai, ctx
) -> None:
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    sent = await report(customer, [("kueche.jpg", photo("red"), "image/jpeg")])
    assert sent.status_code == 303, sent.text[:2000]
    (claim,) = await claims_of(tenant)
    chat = await chat_with_messages(tenant, ctx)
    await client.log_in("alpha-admin")

    assert (await archive_over_http(client, chat, f"claim:{claim.id}")).status_code == 303

    reported, transcript = await files_of(tenant)
    assert (reported.kind, reported.staff_only) == ("photo", False)
    assert transcript.staff_only and transcript.filename.startswith("Chat-Transkript-")
    portal = f"/portal/claims/{claim.id}/files"
    # Staff: listed, marked as the office's own, and opened.
    staff_page = visible_text((await client.get(f"/staff/claims/{claim.id}")).text)
    assert f"{transcript.filename}" in staff_page and "Intern" in staff_page
    served = await client.get(f"/staff/claims/{claim.id}/files/{transcript.id}")
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    listed = visible_text((await client.get("/staff/claims")).text)
    assert "1 Foto" in listed
    # The customer: the photo as before, the transcript nowhere.
    page = await customer.get(f"/portal/claims/{claim.id}")
    assert page.status_code == 200
    assert f"{portal}/{reported.id}/thumbnail" in page.text
    assert "Chat-Transkript" not in visible_text(page.text)
    assert f"{portal}/{transcript.id}" not in page.text
    assert 'id="claim-documents"' not in page.text  # the photo is the only file they see
    claim_list = visible_text((await customer.get("/portal/claims")).text)
    assert "1 Foto" in claim_list and "Dokument" not in claim_list
    assert (await customer.get(f"{portal}/{transcript.id}")).status_code == 404
    assert (await customer.get(f"{portal}/{transcript.id}/thumbnail")).status_code == 404
    photo_served = await customer.get(f"{portal}/{reported.id}")
    assert photo_served.status_code == 200 and photo_served.headers["content-type"] == "image/jpeg"
