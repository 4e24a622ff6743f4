"""Two administrators save the settings: the second save is refused (409), names what the first
changed, keeps what was typed and saves nothing of it; saving again from that form then works.
The form's version is read from the database, never from the tenant cache."""

from __future__ import annotations

import html

from tortoise.expressions import F

from tenant_app.models.folders import Insurer
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import insurers
from tenant_app.text import i18n
from tests.html_forms import form_fields
from tests.web.test_branding import image_bytes, make_staff, upload

SETTINGS = "/staff/settings"


def german(message: str) -> str:
    with i18n.using("de"):
        return i18n.gettext(message)


async def _two_admins(tenant, passwords, client_for):
    """Clara (the admin) and Sina, who may also change the settings."""
    await make_staff(tenant, passwords, "sina.brand", manages_settings=True)
    clara, sina = client_for(tenant.hostname), client_for(tenant.hostname)
    await clara.log_in("alpha-admin")
    await sina.log_in("sina.brand")
    return clara, sina


async def _load(client) -> dict[str, str]:
    page = await client.get(SETTINGS)
    assert page.status_code == 200
    fields = form_fields(page.text, SETTINGS)
    assert fields["version"], "the settings form carries its version"
    return fields


async def _stored(tenant) -> Tenant:
    with tenant_scope(tenant.tenant.id):
        return await Tenant.get(id=tenant.tenant.id)


async def test_second_settings_save_is_refused_and_keeps_the_input(
    tenant, passwords, client_for
) -> None:
    clara, sina = await _two_admins(tenant, passwords, client_for)
    form_a, form_b = await _load(clara), await _load(sina)

    saved = await clara.submit(SETTINGS, {**form_a, "primary_color": "#aa3300"})
    assert saved.status_code == 303
    refused = await sina.submit(SETTINGS, {**form_b, "imprint_html": "<p>Sinas Impressum</p>"})

    assert refused.status_code == 409, refused.text[:300]
    text = html.unescape(refused.text)
    assert "Sinas Impressum" in text  # what Sina typed is still in the form
    assert german("Main colour") in text and "#aa3300" in text  # what changed, as stored now
    assert 'id="f-primary_color-error"' in refused.text  # the note sits next to the field
    stored = await _stored(tenant)
    assert (stored.primary_color, stored.imprint_html, stored.version) == ("#aa3300", "", 2)

    again = form_fields(refused.text, SETTINGS)
    assert again["version"] == "2" and again["imprint_html"] == "<p>Sinas Impressum</p>"
    assert (await sina.submit(SETTINGS, again)).status_code == 303  # now deliberately
    stored = await _stored(tenant)
    assert (stored.imprint_html, stored.version) == ("<p>Sinas Impressum</p>", 3)
    # Sina's form still showed the old (empty) colour: saving it on purpose takes it back.
    assert stored.primary_color is None


async def test_a_conflict_names_themes_and_texts_as_the_page_shows_them(
    tenant, passwords, client_for
) -> None:
    """The theme by its label and the imprint as text, not a theme key or raw HTML."""
    clara, sina = await _two_admins(tenant, passwords, client_for)
    form_a, form_b = await _load(clara), await _load(sina)
    imprint = "<p>Alpha <strong>Makler</strong> GmbH</p>"
    changes = {"theme": "slate", "imprint_html": imprint, "address_form": "du"}
    assert (await clara.submit(SETTINGS, {**form_a, **changes})).status_code == 303

    refused = await sina.submit(SETTINGS, {**form_b, "text_color": "#102030"})

    assert refused.status_code == 409
    alert = refused.text.split('id="settings-errors"', 1)[1].split("</div>", 1)[0]
    alert = html.unescape(alert)
    assert "Schiefer" in alert and "Alpha Makler GmbH" in alert and "<strong>" not in alert
    assert german("Informal (Du)") in alert and german("Imprint") in alert
    assert f"{german('Font colour')}: {german('(empty)')}" in alert  # the theme's colour
    form = form_fields(refused.text, SETTINGS)
    assert form["text_color"] == "#102030" and form["theme"] == "default"  # as Sina had it
    assert (await _stored(tenant)).text_color is None


async def test_a_save_without_version_is_refused(tenant, client) -> None:
    await client.log_in("alpha-admin")
    fields = await _load(client)
    del fields["version"]
    response = await client.submit(SETTINGS, {**fields, "primary_color": "#aa3300"})
    assert response.status_code == 409 and 'name="version" value="1"' in response.text
    assert (await _stored(tenant)).primary_color is None


async def test_the_form_is_not_stale_when_the_tenant_cache_is(tenant, client) -> None:
    """Another process saved the settings; this one's tenant cache still holds the old
    tenant for a few seconds. The form shows the saved values with their version, so a save
    from it is no false conflict."""
    await client.log_in("alpha-admin")
    await _load(client)  # the tenant is in this process's cache now
    with tenant_scope(tenant.tenant.id):  # the other process's save (it cannot clear our cache)
        await Tenant.filter(id=tenant.tenant.id).update(
            secondary_color="#3d9970", version=F("version") + 1
        )
    fields = await _load(client)
    assert (fields["version"], fields["secondary_color"]) == ("2", "#3d9970")
    response = await client.submit(SETTINGS, {**fields, "primary_color": "#aa3300"})
    assert response.status_code == 303
    stored = await _stored(tenant)
    assert (stored.primary_color, stored.secondary_color, stored.version) == (
        "#aa3300",
        "#3d9970",
        3,
    )


async def test_a_logo_upload_meanwhile_is_no_conflict(tenant, client) -> None:
    """The logo is not part of the settings form: uploading it leaves the form's version."""
    await client.log_in("alpha-admin")
    fields = await _load(client)
    assert (
        await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png")
    ).status_code == 303
    response = await client.submit(SETTINGS, {**fields, "primary_color": "#aa3300"})
    assert response.status_code == 303
    stored = await _stored(tenant)
    assert stored.primary_color == "#aa3300" and stored.logo_key


async def test_the_same_insurer_added_by_two_admins_at_once_is_no_server_error(
    tenant, client, monkeypatch
) -> None:
    """The catalogue has no edit form (add and remove only); its one race is a double add."""
    await client.log_in("alpha-admin")
    check = insurers.is_listed

    async def other_admin_adds_right_after(name: str) -> bool:
        listed = await check(name)
        await Insurer.create(name=name, sort_key=insurers.sort_key(name))
        return listed

    monkeypatch.setattr(insurers, "is_listed", other_admin_adds_right_after)
    response = await client.submit("/staff/insurers", {"name": "Muster Versicherung AG"})

    assert response.status_code == 422
    assert german("This insurer is already in the list.") in html.unescape(response.text)
    with tenant_scope(tenant.tenant.id):
        assert await Insurer.filter(name="Muster Versicherung AG").count() == 1
