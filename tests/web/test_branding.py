"""White label settings: the broker sets logo, favicon, colours, texts and form of address."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from tenant_app.models.accounts import User
from tenant_app.models.branding import TenantAsset
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tenant_app.text.legal_rules import PROFILE_COLUMNS
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, html_of, make_customer, text_of
from tests.html_forms import form_fields
from tests.mail_helpers import invite_customer

SETTINGS = "/staff/settings"
LOOK = {
    "theme": "default",
    "primary_color": "",
    "secondary_color": "",
    "text_color": "",
    "address_form": "sie",
    "imprint_html": "",
    "signature_html": "",
}


def image_bytes(fmt: str, size: tuple[int, int] = (900, 300), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (170, 51, 0, 255) if mode == "RGBA" else (170, 51, 0)).save(
        buffer, format=fmt
    )
    return buffer.getvalue()


def png_bomb(side: int = 20_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + chunk(b"IEND", b"")
    )


def noise_png(side: int = 1000) -> bytes:
    import os

    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


async def upload(client, kind: str, filename: str, data: bytes, content_type: str, **headers):
    """A multipart upload as the browser sends it: the CSRF token is the first part."""
    token = await client.csrf(SETTINGS)
    return await client.post(
        f"{SETTINGS}/{kind}",
        files={"csrf_token": (None, token), kind: (filename, data, content_type)},
        headers={"Origin": f"http://{client.host}", **headers},
    )


async def save_look(client, **changes: str):
    """Save the look as the form was just loaded (with its version), with `changes`."""
    version = form_fields((await client.get(SETTINGS)).text, SETTINGS)["version"]
    return await client.submit(
        SETTINGS, {**LOOK, "version": version, **changes}, form_page=SETTINGS
    )


async def stored(tenant) -> Tenant:
    return await Tenant.get(id=tenant.tenant.id)


async def make_staff(tenant, passwords, username: str, **rights) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@alpha.example",
            first_name="Sina",
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


# --- who may open the settings ---------------------------------------------------------------


async def test_anonymous_visitors_are_sent_to_the_login(client) -> None:
    for path in (SETTINGS, f"{SETTINGS}/preview", f"{SETTINGS}/preview.css"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_staff_without_the_right_get_403_and_no_nav_link(client, tenant, passwords) -> None:
    await make_staff(tenant, passwords, "no.rights")
    await client.log_in("no.rights")
    assert 'href="/staff/settings"' not in (await client.get("/staff")).text
    assert (await client.get(SETTINGS)).status_code == 403
    token = await client.csrf("/staff")
    response = await client.post(
        SETTINGS,
        data={"csrf_token": token, **LOOK, "primary_color": "#aa3300"},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 403
    assert (await stored(tenant)).primary_color is None


async def test_staff_with_the_branding_right_may_change_the_look(client, tenant, passwords) -> None:
    await make_staff(tenant, passwords, "brand.manager", manages_settings=True)
    await client.log_in("brand.manager")
    assert 'href="/staff/settings"' in (await client.get("/staff")).text
    response = await save_look(client, primary_color="#aa3300")
    assert response.status_code == 303
    assert (await stored(tenant)).primary_color == "#aa3300"


async def test_customers_cannot_open_the_settings(client, tenant, passwords) -> None:
    await make_customer(tenant, passwords)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    assert (await client.get(SETTINGS)).status_code == 403


# --- saving the look -------------------------------------------------------------------------


async def test_admin_saves_theme_colours_form_of_address_and_texts_in_one_go(
    client, client_for, tenant
) -> None:
    visitor = client_for(tenant.hostname)
    before = (await visitor.get("/login")).text
    await client.log_in("alpha-admin")
    page = await client.get(SETTINGS)
    assert page.status_code == 200
    for element in (
        'id="branding-form"',
        'id="branding-preview"',
        'id="contrast-report"',
        'name="imprint_html"',
        'name="signature_html"',
        'type="color"',
    ):
        assert element in page.text
    response = await save_look(
        client,
        theme="slate",
        primary_color="#AA3300",
        secondary_color="3d9970",
        text_color="#102030",
        address_form="du",
        imprint_html="<p>Alpha GmbH<br>Hauptstraße 1</p><script>alert(1)</script>",
        signature_html='<p>Viele Grüße</p><p><a href="https://alpha.example" target="_blank">'
        "Web</a></p>",
    )
    assert response.status_code == 303 and response.headers["location"] == f"{SETTINGS}?saved=1"
    saved = await stored(tenant)
    assert (saved.theme, saved.primary_color, saved.secondary_color, saved.text_color) == (
        "slate",
        "#aa3300",
        "#3d9970",
        "#102030",
    )
    assert saved.address_form == "du"
    assert saved.imprint_html == "<p>Alpha GmbH<br>Hauptstraße 1</p>"  # sanitized on save
    assert 'target="_blank" rel="noopener noreferrer"' in saved.signature_html
    # The cache was invalidated: the very next page carries the new stylesheet.
    after = (await visitor.get("/login")).text
    css_url = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', after).group(1)
    assert css_url not in before
    css = (await client.get(css_url)).text
    assert "--brand-primary: #aa3300;" in css and "--brand-text: #102030;" in css
    assert (await client.get(f"{SETTINGS}?saved=1")).text.count('id="settings-saved"') == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"primary_color": "#12345"}, "primary_color"),
        ({"secondary_color": "red"}, "secondary_color"),
        ({"text_color": "#12345g"}, "text_color"),
        ({"text_color": "#123456;}body{x:y"}, "text_color"),
        ({"theme": "../../etc"}, "theme"),
        ({"address_form": "ihr"}, "address_form"),
        ({"imprint_html": "<p>" + "x" * 20_001 + "</p>"}, "imprint_html"),
    ],
)
async def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client, tenant, changes, field
) -> None:
    await client.log_in("alpha-admin")
    response = await save_look(client, signature_html="<p>Grüße vom Team</p>", **changes)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert "Grüße vom Team" in response.text  # what was typed stays
    saved = await stored(tenant)
    assert (saved.signature_html, saved.theme) == ("", "default")


async def test_poor_contrast_is_warned_about_with_the_ratio_but_may_be_saved(
    client, tenant
) -> None:
    await client.log_in("alpha-admin")
    response = await save_look(client, primary_color="#ffd400", text_color="#bbbbbb")
    assert response.status_code == 303
    page = (await client.get(SETTINGS)).text
    assert 'id="contrast-warning"' in page
    low = re.search(r'id="contrast-links">(.*?)</li>', page, re.S).group(1)
    assert "1,4 : 1" in low and "chip--cancelled" in low  # yellow links on white: 1.45:1
    assert 'class="contrast contrast--low" id="contrast-text_on_background"' in page


async def test_reset_without_javascript_shows_the_theme_colours_without_saving(
    client, tenant
) -> None:
    await client.log_in("alpha-admin")
    await save_look(client, primary_color="#aa3300")
    response = await client.submit(
        SETTINGS, {**LOOK, "primary_color": "#aa3300", "reset_colors": "1"}, form_page=SETTINGS
    )
    assert response.status_code == 200 and 'id="colors-reset"' in response.text
    assert 'id="f-primary_color" name="primary_color" type="text" value=""' in response.text
    assert (await stored(tenant)).primary_color == "#aa3300"  # only "Save" changes it
    await save_look(client)
    assert (await stored(tenant)).primary_color is None  # empty = the theme's colour


# --- live preview ----------------------------------------------------------------------------


async def test_preview_shows_unsaved_colours_through_a_validated_stylesheet(client, tenant) -> None:
    await client.log_in("alpha-admin")
    response = await client.get(
        f"{SETTINGS}/preview",
        params={
            "theme": "slate",
            "primary_color": "#ffd400",
            "text_color": "x;}body{",
            "address_form": "du",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="branding-preview"' in response.text
    assert 'id="contrast-report" aria-live="polite" hx-swap-oob="true"' in response.text
    assert 'id="default-primary_color" data-color="#1f3a5f" hx-swap-oob="true"' in response.text
    css_url = re.search(r'<link rel="stylesheet" href="([^"]+)">', response.text).group(1)
    css_url = css_url.replace("&amp;", "&")
    assert "primary=%23ffd400" in css_url and "body" not in css_url
    css = await client.get(css_url)
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand-primary: #ffd400;" in css.text and "--brand-text: #17202a;" in css.text
    assert (await stored(tenant)).primary_color is None  # a preview saves nothing


async def test_preview_stylesheet_lets_nothing_but_colours_through(client) -> None:
    await client.log_in("alpha-admin")
    css = await client.get(
        f"{SETTINGS}/preview.css",
        params={"theme": "x", "primary": "red;}*{background:url(//evil)}", "text": "#12"},
    )
    assert css.status_code == 200 and "url(" not in css.text and "evil" not in css.text
    assert "--brand-primary: #0b5cab;" in css.text


# --- logo and favicon ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "filename", "fmt", "content_type"),
    [
        ("logo", "logo.png", "PNG", "image/png"),
        ("logo", "logo.jpg", "JPEG", "image/jpeg"),
        ("logo", "logo.webp", "WEBP", "image/webp"),
        ("favicon", "favicon.ico", "ICO", "image/x-icon"),
        ("favicon", "favicon.png", "PNG", "image/png"),
    ],
)
async def test_upload_of_each_allowed_type_is_re_encoded_and_served(
    client, tenant, kind, filename, fmt, content_type
) -> None:
    await client.log_in("alpha-admin")
    source = image_bytes(fmt, (900, 300) if kind == "logo" else (48, 48))
    response = await upload(client, kind, filename, source, content_type)
    assert response.status_code == 303
    assert response.headers["location"] == f"{SETTINGS}?uploaded={kind}"
    key = getattr(await stored(tenant), f"{kind}_key")
    with tenant_scope(tenant.tenant.id):
        asset = await TenantAsset.get(kind=kind)
    assert asset.sha256 == key and asset.content_type == "image/png"
    version = key[-12:] if kind == "logo" else key[:12]
    served = await client.get(f"/branding/{kind}?v={version}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content != source and served.content.startswith(b"\x89PNG")
    picture = Image.open(io.BytesIO(served.content))
    assert picture.size == ((600, 200) if kind == "logo" else (64, 64))
    page = (await client.get("/staff")).text
    assert f"/branding/{kind}?v={version}" in page


async def test_logo_appears_on_the_login_page_and_a_new_one_changes_the_url(
    client, client_for, tenant
) -> None:
    await client.log_in("alpha-admin")
    await upload(client, "logo", "a.png", image_bytes("PNG"), "image/png")
    first = (await stored(tenant)).logo_key
    await upload(client, "logo", "b.png", image_bytes("PNG", (900, 310)), "image/png")
    second = (await stored(tenant)).logo_key
    assert first != second
    visitor_page = (await client_for(tenant.hostname).get("/login")).text
    assert f"/branding/logo?v={second[-12:]}" in visitor_page and first[-12:] not in visitor_page
    stale = await client.get(f"/branding/logo?v={first[-12:]}")
    assert stale.headers["cache-control"] != "public, max-age=31536000, immutable"
    with tenant_scope(tenant.tenant.id):
        assert await TenantAsset.filter(kind="logo").count() == 1


REFUSED = [
    (
        "svg with script",
        "evil.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
        "SVG",
    ),
    (
        "html renamed to .png",
        "logo.png",
        b"<!doctype html><script>alert(1)</script>",
        "image/png",
        None,
    ),
    (
        "polyglot",
        "logo.png",
        image_bytes("PNG") + b"<html><script>alert(1)</script></html>",
        "image/png",
        None,
    ),
    ("oversize file", "big.png", noise_png(), "image/png", "2 MB"),
    ("20000x20000 pixel bomb", "bomb.png", png_bomb(), "image/png", "4000"),
    ("empty file", "empty.png", b"", "image/png", None),
]


@pytest.mark.parametrize(
    ("case", "filename", "data", "content_type", "says"), REFUSED, ids=[r[0] for r in REFUSED]
)
async def test_refused_uploads_say_why_and_store_nothing(
    client, tenant, case, filename, data, content_type, says
) -> None:
    await client.log_in("alpha-admin")
    response = await upload(client, "logo", filename, data, content_type)
    assert response.status_code == 422, case
    error = re.search(r'<p class="field__error" id="f-logo-error">(.*?)</p>', response.text, re.S)
    assert error, case
    if says:
        assert says in error.group(1)
    assert (await stored(tenant)).logo_key is None
    with tenant_scope(tenant.tenant.id):
        assert not await TenantAsset.exists()


async def test_htmx_upload_answers_with_the_panel_and_refreshes_the_brand(client, tenant) -> None:
    await client.log_in("alpha-admin")
    token = await client.csrf(SETTINGS)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    done = await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png", **headers)
    assert done.status_code == 200 and "<html" not in done.text
    assert done.text.lstrip().startswith('<section class="asset-panel" id="logo_panel"')
    assert 'id="logo-current"' in done.text
    assert 'id="site-brand" href="/"' in done.text and 'hx-swap-oob="true"' in done.text
    refused = await upload(client, "logo", "x.svg", b"<svg></svg>", "image/svg+xml", **headers)
    assert refused.status_code == 422 and 'id="f-logo-error"' in refused.text
    assert "<html" not in refused.text


async def test_logo_and_favicon_can_be_removed(client, tenant) -> None:
    await client.log_in("alpha-admin")
    await upload(client, "favicon", "f.png", image_bytes("PNG", (32, 32)), "image/png")
    favicon = (await stored(tenant)).favicon_key
    assert (
        f'<link rel="icon" type="image/png" href="/branding/favicon?v={favicon[:12]}">'
        in (await client.get("/staff")).text
    )
    response = await client.submit(f"{SETTINGS}/favicon/remove", form_page=SETTINGS)
    assert response.status_code == 303
    assert (await stored(tenant)).favicon_key is None
    assert (await client.get("/branding/favicon")).status_code == 404
    assert "/static/img/favicon.svg" in (await client.get("/staff")).text


async def test_unknown_asset_kinds_are_not_found(client) -> None:
    await client.log_in("alpha-admin")
    response = await upload(client, "banner", "x.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 404


# --- imprint ---------------------------------------------------------------------------------


async def test_without_a_profile_staff_see_the_go_live_check_and_visitors_a_neutral_text(
    client, client_for, tenant
) -> None:
    """The imprint is generated from the broker profile (tests/web/test_legal_profile.py);
    the settings' free text is an addition that alone does not make an imprint complete."""
    await Tenant.filter(id=tenant.tenant.id).update(**dict.fromkeys(PROFILE_COLUMNS, ""))
    tenant_cache.invalidate()
    visitor = client_for(tenant.hostname)
    page = await visitor.get("/impressum")
    assert page.status_code == 200 and 'id="imprint-missing"' in page.text
    assert 'id="go-live-banner"' not in page.text
    await client.log_in("alpha-admin")
    assert 'id="go-live-banner"' in (await client.get("/staff")).text
    await save_look(client, imprint_html="<p>Alpha GmbH</p>")
    assert 'id="go-live-banner"' in (await client.get("/staff")).text  # still incomplete
    page = await visitor.get("/impressum")
    assert '<div class="rich-text" id="imprint"><p>Alpha GmbH</p></div>' in page.text
    assert 'id="imprint-missing"' not in page.text


async def test_empty_paragraphs_do_not_count_as_an_imprint_addition(
    client, client_for, tenant
) -> None:
    await client.log_in("alpha-admin")
    await save_look(client, imprint_html="<p><br></p><p>&nbsp;</p>")
    assert (await stored(tenant)).imprint_html == ""
    page = await client_for(tenant.hostname).get("/impressum")
    assert 'id="imprint"' not in page.text and 'id="imprint-generated"' in page.text


async def test_imprint_is_sanitized_again_when_shown(client_for, tenant) -> None:
    # Written past the settings form (an old row, a manual fix): the page still cleans it.
    await Tenant.filter(id=tenant.tenant.id).update(
        imprint_html='<p onclick="alert(1)">Alpha</p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">x</a><img src=x onerror=alert(4)>'
    )
    page = (await client_for(tenant.hostname).get("/impressum")).text
    imprint = re.search(r'<div class="rich-text" id="imprint">(.*?)</div>', page, re.S).group(1)
    assert imprint == '<p>Alpha</p><a rel="noopener noreferrer">x</a>'


async def test_login_and_portal_pages_link_the_imprint_and_carry_the_branding(
    client, client_for, tenant, passwords
) -> None:
    await client.log_in("alpha-admin")
    await save_look(client, primary_color="#aa3300", imprint_html="<p>Alpha GmbH</p>")
    await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png")
    key = (await stored(tenant)).logo_key
    await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    login_page = (await customer.get("/login")).text
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    portal_page = (await customer.get("/portal")).text
    for page in (login_page, portal_page, (await client.get("/staff")).text):
        assert 'href="/impressum"' in page
        assert f"/branding/logo?v={key[-12:]}" in page
        css_url = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', page).group(1)
        assert "--brand-primary: #aa3300;" in (await customer.get(css_url)).text


# --- e-mails ---------------------------------------------------------------------------------


async def test_mails_carry_colours_logo_signature_and_the_form_of_address(
    client, client_for, tenant, deliver
) -> None:
    await client.log_in("alpha-admin")
    await save_look(
        client,
        primary_color="#aa3300",
        address_form="du",
        signature_html='<p>Viele Grüße<br>Dein Alpha-Team</p><p><a href="https://alpha.example" '
        'target="_blank">Web</a></p><p onmouseover="alert(1)">x</p>',
    )
    await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png")
    key = (await stored(tenant)).logo_key
    await invite_customer(client, tenant)  # a customer's mail: staff get no signature, no Du
    mail = (await deliver())[0]
    html, text = html_of(mail), text_of(mail).replace("\r\n", "\n")
    assert "#aa3300" in html
    assert f"http://alpha.localhost/branding/logo?v={key[-12:]}" in html
    assert "Viele Grüße<br>Dein Alpha-Team" in html and "onmouseover" not in html
    assert 'href="https://alpha.example" target="_blank" rel="noopener noreferrer"' in html
    assert "Viele Grüße\nDein Alpha-Team" in text and "Web (https://alpha.example)" in text
    assert "Hallo Jana," in text  # Du


# --- tenant isolation ------------------------------------------------------------------------


async def test_another_tenants_branding_is_never_reachable(
    client, client_for, tenant, other_tenant
) -> None:
    await client.log_in("alpha-admin")
    await save_look(client, primary_color="#aa3300", imprint_html="<p>Alpha Impressum</p>")
    await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png")
    alpha_key = (await stored(tenant)).logo_key

    beta = client_for(other_tenant.hostname)
    assert (await beta.get(f"/branding/logo?v={alpha_key[-12:]}")).status_code == 404
    assert "Alpha Impressum" not in (await beta.get("/impressum")).text
    await beta.log_in("beta-admin")
    page = (await beta.get(SETTINGS)).text
    assert "#aa3300" not in page and "Alpha Impressum" not in page and alpha_key not in page
    response = await save_look(beta, primary_color="#003366")
    assert response.status_code == 303
    await upload(beta, "logo", "beta.png", image_bytes("PNG", (400, 200)), "image/png")
    assert (await stored(tenant)).primary_color == "#aa3300"
    assert (await stored(tenant)).logo_key == alpha_key
    assert (await stored(other_tenant)).primary_color == "#003366"
    served = await client.get(f"/branding/logo?v={alpha_key[-12:]}")
    assert Image.open(io.BytesIO(served.content)).size == (600, 200)  # still Alpha's own

    # Alpha's session is worthless on Beta's host, even with the cookie sent along.
    stolen = client_for(other_tenant.hostname)
    stolen.cookies = client.cookies
    response = await stolen.get(SETTINGS)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
