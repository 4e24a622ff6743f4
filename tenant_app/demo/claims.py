"""The demo's claims (Schäden): Dana reported a water damage last week (with a photo, still
new), a broken windscreen (with the insurer, Mia's note to her) and a bicycle theft last
year (settled). Numbered and recorded as the portal does; photos made as uploads are."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image, ImageDraw

from tenant_app.actors import actor_from
from tenant_app.files import images
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.accounts import User
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.services import claims, events

CLAIMS = (
    {
        "kind": "household",
        "days_ago": 6,
        "status": "reported",
        "description": "Die Waschmaschine ist ausgelaufen; Laminat und Küchensockel sind nass.",
        "location": "Lindenallee 3, 50667 Köln",
        "note": "",
        "colour": (70, 110, 160),
    },
    {
        "kind": "vehicle",
        "days_ago": 20,
        "status": "at_insurer",
        "description": "Steinschlag auf der A3, Riss in der Windschutzscheibe.",
        "location": "A3 bei Leverkusen",
        "note": "Wir haben den Schaden an die HUK gemeldet. Die Werkstatt darf tauschen.",
        "colour": (150, 150, 150),
    },
    {
        "kind": "household",
        "days_ago": 300,
        "status": "settled",
        "description": "Fahrrad aus dem Keller gestohlen, Anzeige bei der Polizei erstattet.",
        "location": "Keller Lindenallee 3",
        "note": "Die Versicherung hat 640 € überwiesen.",
        "colour": None,
    },
)


def demo_photo(colour: tuple[int, int, int]) -> bytes:
    """A simple picture standing in for a phone photo."""
    picture = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((120, 380, 680, 560), fill=(235, 235, 230))
    draw.ellipse((300, 120, 500, 320), fill=(250, 250, 250))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


async def add_demo_claims(store: Storage, tenant_id: int) -> None:
    dana = await User.get(username="dana")
    mia = await User.get(username="mia")
    customer = actor_from(dana)
    contact_id = int(dana.contact_id or 0)
    for item in reversed(CLAIMS):  # the oldest first: numbers count up with time
        loss = date.today() - timedelta(days=int(str(item["days_ago"])))
        claim = await Claim.create(
            number=await claims.next_number(tenant_id, loss.year),
            contact_id=contact_id,
            loss_date=loss,
            kind=item["kind"],
            description=item["description"],
            location=item["location"],
            status=item["status"],
            note_to_customer=item["note"],
            responsible_id=mia.id,
            reported_by_id=dana.id,
        )
        colour = item["colour"]
        if isinstance(colour, tuple):
            await _photo(store, tenant_id, claim, dana.id, demo_photo(colour))
        await claims.record(customer, events.CLAIM_REPORTED, claim, tell=events.NOBODY)


async def _photo(store: Storage, tenant_id: int, claim: Claim, user_id: int, data: bytes) -> None:
    photo = images.process_photo(data, "image/jpeg", keep_location=False)
    key, thumb = new_key(tenant_id), new_key(tenant_id)
    size = await store.save(key, io.BytesIO(photo.data))
    await store.save(thumb, io.BytesIO(photo.thumbnail))
    await ClaimFile.create(
        claim_id=claim.id,
        kind="photo",
        filename="schadenfoto.jpg",
        storage_key=key,
        thumbnail_key=thumb,
        content_type="image/jpeg",
        size=size,
        sha256=photo.sha256,
        uploaded_by_id=user_id,
    )
