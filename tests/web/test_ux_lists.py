"""Lists count what they show and, when empty, say what to do next with the button for it;
the contact's tiles name each folder's level; the permission page says each folder's setting
in plain words and warns on a useless one; the user form presets a role's rights."""

from __future__ import annotations

import html
import json
import re

from tenant_app.role_presets import ROLE_PRESETS
from tenant_app.vocabulary import STAFF_ROLES
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract
from tests.web.test_tickets import make_staff


def empty_state(page: str, id_: str) -> str:
    found = re.search(rf'<div class="empty-state" id="{id_}">(.*?)</div>', page, re.S)
    assert found, f"no empty state #{id_}"
    return found.group(1)


async def test_contacts_list_counts_and_empty_states(client, client_for, tenant, passwords) -> None:
    await client.log_in("alpha-admin")
    empty = empty_state((await client.get("/staff/contacts")).text, "no-contacts")
    assert "Noch keine Kontakte." in empty
    assert 'href="/staff/contacts/new"' in empty and "Kontakt erstellen" in empty

    await make_customer(tenant, passwords)
    await make_customer(tenant, passwords, email="mia@kunde.example", first_name="Mia")
    page = (await client.get("/staff/contacts")).text
    assert 'id="result-count">2 Kontakte<' in page
    assert 'class="cluster filter-bar"' in page
    searched = empty_state((await client.get("/staff/contacts?q=zzz")).text, "no-contacts")
    assert 'href="/staff/contacts"' in searched and "Alle Kontakte anzeigen" in searched

    # Without the right to create contacts, no button that would be refused.
    await make_staff(tenant, passwords, "nina", "Nina")
    nina = client_for(tenant.hostname)
    await nina.log_in("nina")
    empty = empty_state((await nina.get("/staff/contacts")).text, "no-contacts")
    assert "/staff/contacts/new" not in empty and "Administrator" in empty


async def test_ticket_lists_count_and_offer_the_next_step(
    client, client_for, tenant, passwords
) -> None:
    await client.log_in("alpha-admin")
    page = (await client.get("/staff/tickets?status=open&scope=all")).text
    empty = empty_state(page, "no-tickets")
    assert "Keine offenen Tickets." in empty and "status=closed" in empty
    mine = empty_state((await client.get("/staff/tickets")).text, "no-tickets")
    assert "scope=all" in mine and "Alle offenen Tickets anzeigen" in mine

    await make_customer(tenant, passwords, communication=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    empty = empty_state((await customer.get("/portal/tickets")).text, "no-tickets")
    assert 'href="/portal/tickets/new"' in empty and "Neue Nachricht" in empty
    closed = empty_state((await customer.get("/portal/tickets?status=closed")).text, "no-tickets")
    assert "Keine geschlossenen Tickets." in closed


async def test_user_list_counts(client, tenant, passwords) -> None:
    await make_staff(tenant, passwords, "nina", "Nina")
    await client.log_in("alpha-admin")
    assert 'id="result-count">2 Benutzer<' in (await client.get("/staff/users")).text


async def test_empty_folders_offer_to_add_a_contract(client, client_for, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords, finance_unlock=True, insurance_readonly=True)
    await client.log_in("alpha-admin")
    staff = empty_state(
        (await client.get(f"/staff/contacts/{contact.id}/folders/finance")).text, "no-contracts"
    )
    assert f'href="/staff/contacts/{contact.id}/folders/finance/contracts/new"' in staff
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    may_add = empty_state((await customer.get("/portal/folders/finance")).text, "no-contracts")
    assert "Vertrag hinzufügen" in may_add and 'class="btn btn--primary"' in may_add
    read_only = empty_state((await customer.get("/portal/folders/insurance")).text, "no-contracts")
    assert "Ihr Makler legt Ihre Verträge hier ab." in read_only and "btn" not in read_only


async def test_tiles_state_each_folders_level(client, tenant, passwords) -> None:
    contact = await make_customer(
        tenant, passwords, insurance_unlock=True, insurance_readonly=True, finance_share=True
    )
    await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    page = (await client.get(f"/staff/contacts/{contact.id}")).text
    level = {
        folder: re.search(
            rf'id="level-{folder}">(.*?)</span>\s*<span class="tile__meta">', page, re.S
        )
        for folder in ("insurance", "finance", "other")
    }
    assert "Freischaltung + Nur lesen" in level["insurance"].group(1)
    assert "Ordner bleibt leer" in level["insurance"].group(1)
    assert "Datenfreigabe" in level["finance"].group(1)
    assert "Ordner bleibt leer" not in level["finance"].group(1)
    assert "Nicht freigegeben" in level["other"].group(1)
    assert "Für den Kunden freigegeben" not in page


async def test_permission_page_explains_each_folder_and_warns(client, tenant, passwords) -> None:
    contact = await make_customer(
        tenant, passwords, insurance_unlock=True, insurance_readonly=True, finance_unlock=True
    )
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/permissions"
    page = (await client.get(path)).text

    def said(folder: str) -> tuple[str, str | None]:
        text = re.search(rf'id="explain-{folder}"[^>]*>(.*?)</p>', page, re.S).group(1)
        warning = re.search(rf'id="warn-{folder}"[^>]*>(.*?)</p>', page, re.S)
        hidden = re.search(rf'id="warn-{folder}"[^>]*\bhidden\b', page)
        return html.unescape(text), None if hidden else html.unescape(warning.group(1))

    assert said("finance") == (
        "Der Kunde sieht nur seine eigenen Verträge und darf welche anlegen, ändern und löschen.",
        None,
    )
    text, warning = said("insurance")
    assert text == "Der Kunde sieht nur seine eigenen Verträge und darf nichts anlegen oder ändern."
    assert warning and warning.startswith("Dieser Ordner bleibt für den Kunden leer")
    assert said("other") == ("Der Kunde sieht diesen Ordner nicht.", None)
    # the script's words: all eight combinations, once each
    assert len(re.findall(r'<li data-key="[01]{3}"', page)) == 8
    assert "<script>" not in page and "onchange" not in page

    # After saving, the page explains what is stored now.
    form = {
        "insurance_share": "on",
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),
    }
    await client.submit(path, form, form_page=path)
    page = (await client.get(path)).text
    assert "auch Ihre." in re.search(r'id="explain-insurance"[^>]*>(.*?)</p>', page, re.S).group(1)


async def test_creating_a_user_starts_from_the_roles_rights(client, tenant) -> None:
    await client.log_in("alpha-admin")
    page = (await client.get("/staff/users/new")).text
    assert re.search(r"<title>[^<]*Benutzer erstellen", page)
    assert re.search(
        r'<button class="btn btn--primary" type="submit">Benutzer erstellen</button>', page
    )
    presets = json.loads(html.unescape(re.search(r'data-role-presets="([^"]*)"', page).group(1)))
    assert presets == ROLE_PRESETS and set(presets) == set(STAFF_ROLES)
    # the fresh form shows the default role's (Employee's) rights already ticked
    assert re.search(r'name="handles_tickets" value="on" checked', page)
    assert re.search(r'<option value="write" selected>', page)
    assert not re.search(r'name="manages_users" value="on" checked', page)

    # an existing user's form keeps their own rights, without presets
    detail = (await client.get(f"/staff/users/{tenant.admin.id}")).text
    assert "data-role-presets" not in detail
