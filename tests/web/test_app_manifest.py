"""The portal as an installable app: each tenant's manifest (its name and colours), icons
drawn from its logo (or a monogram), the service worker that caches only static files, and
the offline page without anything of an account."""

from __future__ import annotations

import io
import json
import re

from PIL import Image

from tenant_app.models.tenancy import Tenant
from tenant_app.services.app_manifest import VARIANTS
from tenant_app.tenancy import tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, make_customer


async def brand(tenant, **values) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(**values)
    tenant_cache.invalidate()


def png_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


async def test_each_tenant_has_its_own_manifest(client_for, tenant, other_tenant) -> None:
    await brand(tenant, broker_firm_name="Muster Makler", primary_color="#0a5c36")
    alpha, beta = client_for(tenant.hostname), client_for(other_tenant.hostname)
    answer = await alpha.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(answer.text)
    assert manifest["name"] == "Muster Makler" and manifest["short_name"] == "Muster"
    assert manifest["start_url"] == "/portal" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0a5c36" == manifest["background_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
                     ("512x512", "maskable")}  # fmt: skip
    other = json.loads((await beta.get("/manifest.webmanifest")).text)
    assert other["name"] == "Beta Finanz KG" and other["short_name"] == "Beta"
    assert other["theme_color"] != "#0a5c36"
    assert other["icons"][0]["src"] != manifest["icons"][0]["src"]  # versions differ


async def test_icons_are_pngs_of_their_size_and_cached_by_version(client, tenant) -> None:
    await brand(tenant, primary_color="#0a5c36")
    manifest = json.loads((await client.get("/manifest.webmanifest")).text)
    for icon in manifest["icons"]:
        answer = await client.get(icon["src"])
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
        assert "immutable" in answer.headers["cache-control"]
        side = int(icon["sizes"].split("x")[0])
        image = png_of(answer.content)
        assert image.size == (side, side)
        assert image.convert("RGB").getpixel((2, 2)) == (0x0A, 0x5C, 0x36)  # the main colour
    unversioned = await client.get("/app/icon-apple-180.png")
    assert png_of(unversioned.content).size == (180, 180)
    assert "immutable" not in unversioned.headers["cache-control"]
    assert (await client.get("/app/icon-1024.png")).status_code == 404
    assert set(VARIANTS) >= {"192", "512", "maskable-192", "maskable-512"}


async def test_the_logo_sits_in_the_icon_and_a_new_logo_is_a_new_version(
    client, tenant, as_tenant
) -> None:
    before = json.loads((await client.get("/manifest.webmanifest")).text)["icons"][1]["src"]
    plain = png_of((await client.get(before)).content).convert("RGB")
    await client.log_in("alpha-admin")
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 0, 0)).save(logo, format="PNG")
    token = await client.csrf("/staff/settings")
    uploaded = await client.post(
        "/staff/settings/logo",
        files={"csrf_token": (None, token), "logo": ("logo.png", logo.getvalue(), "image/png")},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert uploaded.status_code in (200, 303), uploaded.text[:300]
    tenant_cache.invalidate()
    after = json.loads((await client.get("/manifest.webmanifest")).text)["icons"][1]["src"]
    assert after != before
    drawn = png_of((await client.get(after)).content).convert("RGB")
    assert drawn.getpixel((256, 256)) == (200, 0, 0)  # the logo in the middle
    assert plain.getpixel((256, 256)) != (200, 0, 0)  # the monogram before


async def test_pages_link_the_manifest_the_colour_and_the_script(client, tenant) -> None:
    await brand(tenant, primary_color="#0a5c36")
    page = (await client.get("/login")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#0a5c36">' in page
    assert 'rel="apple-touch-icon"' in page and "/static/js/pwa.js?v=" in page
    csp = (await client.get("/login")).headers["content-security-policy"]
    assert "manifest-src 'self'" in csp and "worker-src 'self'" in csp


async def test_the_service_worker_caches_only_static_files(client) -> None:
    answer = await client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["service-worker-allowed"] == "/"
    assert answer.headers["cache-control"] == "no-cache"
    script = answer.text
    # One place stores responses, and only behind the /static/ test; pages only fall back.
    assert script.count("cache.put(") == 1
    static_branch = script[
        script.index("if (isStatic(url))") : script.index('request.mode === "navigate"')
    ]
    assert "cache.put(" in static_branch
    assert 'url.pathname.indexOf("/static/") === 0' in script
    precache = json.loads(re.search(r"var PRECACHE = (\[.*?\]);", script).group(1))
    assert precache and all(path.startswith("/static/") for path in precache)
    assert "/api" not in script and "/portal" not in script
    assert 'addEventListener("push"' in script and "openWindow(url)" in script


async def test_the_offline_page_holds_nothing_of_an_account(client, tenant, passwords) -> None:
    await make_customer(tenant, passwords)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    answer = await client.get("/app/offline")
    assert answer.status_code == 200 and "Keine Verbindung" in answer.text
    assert "Kai" not in answer.text and "csrf" not in answer.text.lower()
    assert "set-cookie" not in answer.headers
