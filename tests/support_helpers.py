"""Building blocks for the support tests: pictures to upload, an operator logged in on the
platform host, the files a tenant has stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from tenant_app.services import platform
from tests.tender_helpers import PLATFORM_HOST, platform_space

OPERATOR_PASSWORD = "Operator-Sicher-2026!"
OPERATOR_EMAIL = "ops@platform.example"
BASE = "/staff/settings/support"


def png(size: tuple[int, int] = (320, 200), *, secret: str = "") -> bytes:
    """A screenshot-like PNG; `secret` goes into a text chunk (metadata a re-encoding drops)."""
    picture = Image.new("RGB", size, (11, 92, 171))
    info = PngImagePlugin.PngInfo()
    if secret:
        info.add_text("Comment", secret)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def shot(data: bytes | None = None, name: str = "bildschirm.png", kind: str = "image/png") -> Any:
    return {"file": (name, data if data is not None else png(), kind)}


async def operator_client(passwords: Any, client_for: Any) -> Any:
    made = await platform.create_login(
        passwords,
        await platform_space(),
        kind="operator",
        email=OPERATOR_EMAIL,
        first_name="Otto",
        last_name="Operator",
        password=OPERATOR_PASSWORD,
    )
    client = client_for(PLATFORM_HOST)
    await client.log_in(made.user.username, OPERATOR_PASSWORD)
    return client


async def send_request(client: Any, subject: str = "Login klemmt", **extra: Any) -> Any:
    data = {"subject": subject, "body": "Beim Anmelden erscheint ein Fehler."}
    return await client.submit(f"{BASE}/new", data, **extra)


def stored_files(settings: Any, tenant_id: int) -> set[Path]:
    folder = Path(settings.storage_dir) / str(tenant_id)
    return set(folder.rglob("*")) if folder.exists() else set()
