"""Erasing a person and the event stream: their contact's events and every notification go;
where their login acted on someone else's data (a household), that contact's history keeps
what happened but not who did it; a staff member's name in another customer's trail stays."""

from __future__ import annotations

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_document
from tests.html_forms import form_fields


async def test_erasing_a_household_login_leaves_the_others_history_without_its_name(
    tenant, passwords, settings, client_for
) -> None:
    kai = await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)
    nora = await make_customer(
        tenant,
        passwords,
        email="nora@nachbar.example",
        first_name="Nora",
        last_name="Nachbar",
        insurance_unlock=True,
        insurance_share=True,
        profile_visible=True,
        profile_editable=True,
    )
    kais_policy = await add_document(tenant, settings, kai, title="Police Kai")
    noras_policy = await add_document(tenant, settings, nora, title="Police Nora")
    with tenant_scope(tenant.tenant.id):
        kai_login = await User.get(contact_id=kai.id)
        nora_login = await User.get(contact_id=nora.id)
        await ContactLink.create(user_id=kai_login.id, contact_id=nora.id)
    admin, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    for policy in (kais_policy, noras_policy):
        assert (await admin.get(f"/staff/documents/{policy.id}/download")).status_code == 200
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    chosen = await customer.submit(
        "/portal/household", {"contact_id": str(nora.id)}, form_page="/portal"
    )
    assert chosen.status_code == 303
    loaded = form_fields((await customer.get("/portal/profile")).text, "/portal/profile")
    saved = await customer.submit("/portal/profile", {**loaded, "street": "Gartenweg 3"})
    assert saved.status_code == 303  # Kai changed Nora's address, for her
    with tenant_scope(tenant.tenant.id):
        by_kai = await Event.get(actor_id=kai_login.id, contact_id=nora.id)
        assert by_kai.actor_name == "Kai Kunde"
        assert await Notification.filter(event_id=by_kai.id).exists()  # the staff were told

    page = f"/staff/contacts/{kai.id}/delete"
    erased = await admin.submit(page, {"confirm_text": "Kunde"})
    assert erased.status_code == 303

    with tenant_scope(tenant.tenant.id):
        assert not await Event.filter(contact_id=kai.id).exists()
        assert not await Notification.filter(user_id=kai_login.id).exists()
        kept = await Event.get(id=by_kai.id)
        assert (kept.actor_id, kept.actor_name, kept.actor_kind) == (None, "", "customer")
        assert kept.changes == {"street": ["", "Gartenweg 3"]}  # Nora's data, her history
        names = await Event.all().values_list("actor_name", flat=True)
        assert "Kai Kunde" not in names
        # Nora's trail still names the staff member who opened her document.
        opened = await Event.get(kind="document_opened", contact_id=nora.id)
        assert opened.actor_name == "Clara Chef"
        assert await User.filter(id=nora_login.id).exists()
