"""The demo's insurer interface: the firm's online account with Radschutz Versicherung AG
(the reference insurer that `tenant-app demo` starts beside the portal, on port 8070) is
active with its demo credentials, Anna (admin) and Mia have agent numbers, and Dana has two
insured objects: an e-bike bought nine days ago, ready to be insured through every step with
instant cover (Sofortschutz), and an old bicycle she did not want insured (Nicht versichert)."""

from __future__ import annotations

from datetime import timedelta

from tenant_app.actors import actor_from
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.interfaces import AgentNumber, InsurerAccount
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security.credentials import CredentialKeys, seal
from tenant_app.services import insured_objects, insurer_plugins
from tenant_app.services.insurer_account_settings import hint_of
from tenant_app.text.formatting import local_today

PLUGIN = "radschutz"
CREDENTIALS = {"username": "demo-makler", "password": "radschutz-demo"}  # the reference's
AGENT_NUMBERS = {"admin": "VM-10001", "mia": "VM-10002"}


async def add_demo_interfaces(keys: CredentialKeys) -> None:
    """In the demo tenant's scope."""
    plugin = insurer_plugins.plugin(PLUGIN)
    if plugin is None or not keys.keys:
        return
    await InsurerAccount.create(
        plugin=PLUGIN,
        is_active=True,
        sealed_credentials=seal(keys, current_tenant_id(), PLUGIN, CREDENTIALS),
        credentials_hint=hint_of(plugin, CREDENTIALS),
        remind_on_new_object=True,
    )
    for username, number in AGENT_NUMBERS.items():
        user = await User.get(username=username)
        await AgentNumber.create(user_id=user.id, plugin=PLUGIN, number=number)
    mia = actor_from(await User.get(username="mia"))
    dana = await Contact.get(first_name="Dana", last_name="Datenfrei")
    today = local_today()
    await insured_objects.create_object(
        mia,
        dana,
        values={"product_line": "fahrrad", "label": ""},
        attributes={
            "object_type": "ebike",
            "make": "Riese & Müller",
            "model": "Charger4 GT vario",
            "frame_number": "WRM4711C4GT",
            "price": "5499.00",
            "purchase_date": (today - timedelta(days=9)).isoformat(),
        },
    )
    old = await insured_objects.create_object(
        mia,
        dana,
        values={"product_line": "fahrrad", "label": ""},
        attributes={
            "object_type": "bike",
            "make": "Cube",
            "model": "Kathmandu Hybrid",
            "price": "1299.00",
            "purchase_date": (today - timedelta(days=400)).isoformat(),
        },
    )
    await insured_objects.decline(mia, old.id, old.version)
