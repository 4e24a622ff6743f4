"""Claims in tests: photos with EXIF location data, the report form as a browser sends it,
and what is stored."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from PIL import Image

from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.scoping import tenant_scope

File = tuple[str, bytes, str]
GPS = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}
TAKEN = "2026:01:02 10:00:00"


def photo(color: str = "red", *, size: tuple[int, int] = (320, 240), gps: bool = True) -> bytes:
    """A JPEG as a phone writes it: camera make, date and (with `gps`) where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = TAKEN  # DateTime
    if gps:
        exif.get_ifd(0x8825).update(GPS)
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def exif_of(data: bytes) -> tuple[dict[int, Any], dict[int, Any]]:
    """The main EXIF tags and the GPS block of a stored JPEG."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return dict(exif), dict(exif.get_ifd(0x8825))


REPORT = {
    "kind": "household",
    "loss_date": date.today().replace(day=1).isoformat(),
    "description": "Wasserschaden in der Küche",
    "location": "Hauptstraße 1, Berlin",
    "contract_id": "",
}


async def report(
    client: Any, files: list[File], *, keep_location: bool = False, **fields: str
) -> Any:
    """The report form as a browser sends it: the token first, the fields, then the files."""
    token = await client.csrf("/portal/claims/new")
    parts: list[tuple[str, Any]] = [("csrf_token", (None, token))]
    values = {**REPORT, **fields}
    if keep_location:
        values["keep_location"] = "on"
    parts += [(name, (None, value)) for name, value in values.items()]
    parts += [("file", file) for file in files]
    return await client.post(
        "/portal/claims", files=parts, headers={"Origin": f"http://{client.host}"}
    )


async def claims_of(tenant: Any) -> list[Claim]:
    with tenant_scope(tenant.tenant.id):
        return list(await Claim.all().order_by("id"))


async def files_of(tenant: Any) -> list[ClaimFile]:
    with tenant_scope(tenant.tenant.id):
        return list(await ClaimFile.all().order_by("id"))


def stored(settings: Any, tenant: Any) -> list[str]:
    folder = settings.storage_dir / str(tenant.tenant.id)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []
