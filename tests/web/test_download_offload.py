"""Downloads handed to nginx (DOWNLOAD_OFFLOAD): the app checks, nginx sends the file.

The HTTP tests show what the app answers; the last test runs the documented nginx block
(docs/nginx.conf.example) in front of a real app process and downloads through it.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tenant_app import create_app
from tenant_app.settings import ConfigError
from tests.conftest import CUSTOMER_PASSWORD, Client, free_port, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.live import live_server
from tests.live import log_in as live_log_in
from tests.nginx_front import nginx_config, nginx_path

OFFLOAD = "/_files/"


@pytest.fixture
def offload_app(settings):
    return create_app(dataclasses.replace(settings, download_offload=OFFLOAD), manage_db=False)


async def _shared_document(tenant, passwords, settings, *, email="kai@kunde.example"):
    contact = await make_customer(tenant, passwords, email=email, insurance_share=True)
    contract = await add_contract(tenant, contact)
    return await add_document(tenant, settings, contact, contract=contract)


async def test_a_permitted_download_is_handed_to_the_front_server(
    offload_app, tenant, passwords, settings
) -> None:
    document = await _shared_document(tenant, passwords, settings)
    async with Client(offload_app, tenant.hostname) as customer:
        await customer.log_in("kai", CUSTOMER_PASSWORD)
        response = await customer.get(f"/portal/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.headers["x-accel-redirect"] == OFFLOAD + document.storage_key
    assert response.content == b""  # the front server sends the bytes
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["content-disposition"].startswith("attachment;")


async def test_no_offload_without_the_right_or_for_previews(
    offload_app, tenant, other_tenant, passwords, settings
) -> None:
    document = await _shared_document(tenant, passwords, settings)
    await make_customer(tenant, passwords, email="eve@kunde.example")  # no folder shared
    await make_customer(other_tenant, passwords)  # "kai" of another firm
    for host, username in ((tenant.hostname, "eve"), (other_tenant.hostname, "kai")):
        async with Client(offload_app, host) as stranger:
            await stranger.log_in(username, CUSTOMER_PASSWORD)
            response = await stranger.get(f"/portal/documents/{document.id}/download")
        assert response.status_code == 404
        assert "x-accel-redirect" not in response.headers
    async with Client(offload_app, tenant.hostname) as customer:
        await customer.log_in("kai", CUSTOMER_PASSWORD)
        preview = await customer.get(f"/portal/documents/{document.id}/preview")
    assert preview.status_code == 200 and preview.content == PDF_BYTES  # the app checks bytes
    assert "x-accel-redirect" not in preview.headers


@pytest.mark.parametrize("value", ["_files/", "/_files", "/", "https://cdn/"])
def test_a_malformed_offload_path_stops_the_start(settings, value) -> None:
    with pytest.raises(ConfigError):
        dataclasses.replace(settings, download_offload=value).check()


@pytest.fixture
def nginx_front(settings, tmp_path) -> Iterator[int]:
    nginx = nginx_path()
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    with live_server(settings, tmp_path, DOWNLOAD_OFFLOAD=OFFLOAD) as app:
        port = free_port()
        config = nginx_config(tmp_path, [port], [app.port], settings.storage_dir)
        process = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path)])
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, (tmp_path / "error.log").read_text()
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(15)


@pytest.fixture
async def kai_and_eve(tenant, passwords, settings):
    """Kai's shared document; Eve, a customer of the same firm with nothing shared."""
    document = await _shared_document(tenant, passwords, settings)
    await make_customer(tenant, passwords, email="eve@kunde.example")
    return document


def test_downloads_through_a_real_nginx(nginx_front, kai_and_eve, tenant) -> None:
    document = kai_and_eve
    host = tenant.hostname
    with (
        httpx.Client(
            base_url=f"http://127.0.0.1:{nginx_front}",
            headers={"Host": host, "Origin": f"http://{host}"},
        ) as kai,
        httpx.Client(
            base_url=f"http://127.0.0.1:{nginx_front}",
            headers={"Host": host, "Origin": f"http://{host}"},
        ) as eve,
    ):
        live_log_in(kai, "kai", CUSTOMER_PASSWORD, home="/portal")
        live_log_in(eve, "eve", CUSTOMER_PASSWORD, home="/portal")
        response = kai.get(f"/portal/documents/{document.id}/download")
        assert response.status_code == 200 and response.content == PDF_BYTES
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["content-security-policy"].startswith("sandbox;")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "x-accel-redirect" not in response.headers
        assert eve.get(f"/portal/documents/{document.id}/download").status_code == 404
        # the internal location answers no browser directly
        assert kai.get(OFFLOAD + document.storage_key).status_code == 404
