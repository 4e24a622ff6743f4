"""The demo's customer home: Mia, the customers' advisor, has a photo on their "Ihr Berater"
card (a drawn portrait, checked and re-encoded like an uploaded one)."""

from __future__ import annotations

import io

from tenant_app.files.portraits import process_portrait
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.accounts import User

# The broker profile the customers' portal home shows (Einstellungen > Maklerprofil), complete
# for a GmbH: the imprint, the mail signature and the first information are generated from it,
# and the go-live check lets the demo invite customers. The free-text additions come after.
BROKER_PROFILE = {
    "broker_firm_name": "Muster & Partner Versicherungsmakler",
    "broker_legal_form": "GmbH",
    "broker_phone": "0221 98765-0",
    "broker_street": "Hohenzollernring 42",
    "broker_postal_code": "50672",
    "broker_city": "Köln",
    "broker_email": "service@muster-partner.example",
    "broker_opening_hours": "Mo–Do 9:00–17:30 Uhr\nFr 9:00–14:00 Uhr\nund nach Vereinbarung",
    "broker_register_number": "D-M7K2-QX4TR-58",
    "broker_number": "MP-4711",
    "broker_representatives": "Anna Admin\nMarkus Muster",
    "broker_seat": "Köln",
    "broker_register_court": "Amtsgericht Köln",
    "broker_trade_register": "HRB 98765",
    "broker_vat_id": "",  # insurance brokerage is free of VAT (§ 4 Nr. 11 UStG): none
    "broker_status": "makler",
    "broker_chamber": "IHK Köln",
    "broker_chamber_address": "Unter Sachsenhausen 10–26, 50667 Köln",
    "imprint_html": (
        "<p>Bildnachweise: eigene Aufnahmen.</p>"
        '<p><a href="https://www.vermittlerregister.info" target="_blank"'
        ' rel="noopener noreferrer">Vermittlerregister öffnen</a></p>'
    ),
    "signature_html": (
        "<p>Mit freundlichen Grüßen<br><strong>Ihr Team von Muster &amp; Partner</strong></p>"
    ),
}


def portrait_png() -> bytes:
    """A friendly silhouette on the firm's colours."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 400), "#dbe8f3")
    draw = ImageDraw.Draw(image)
    draw.ellipse((130, 70, 270, 210), fill="#f1c7a5")  # the face
    draw.pieslice((60, 230, 340, 510), 180, 360, fill="#0f5e9c")  # the shoulders
    draw.rectangle((60, 370, 340, 400), fill="#0f5e9c")
    draw.arc((165, 130, 235, 180), 20, 160, fill="#1b2733", width=5)  # a smile
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def add_advisor_photo(store: Storage, tenant_id: int, advisor: User) -> None:
    image = process_portrait(portrait_png())
    key = new_key(tenant_id)
    await store.save(key, io.BytesIO(image.data))
    await User.filter(id=advisor.id).update(photo_key=key)
