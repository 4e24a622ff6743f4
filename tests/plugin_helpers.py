"""A tiny insurer plug-in for tests of the core's pages (Onlinekonten): it declares what the
settings page needs (credentials with a secret, an agent number's form) and calls nobody.
`installed_plugin` installs it beside the entry points' plug-ins for one test."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from tenant_app.plugins import (
    Application,
    CallContext,
    DocumentRef,
    Field,
    InsurerPlugin,
    ObjectKind,
    Paper,
    Policy,
    Quote,
    Step,
    Submission,
)
from tenant_app.services import insurer_plugins

KEY = "zweirad"


class TwoWheelPlugin(InsurerPlugin):
    """Zweirad Direkt Versicherung AG: bikes in Germany, a login and a broker number."""

    key = KEY
    insurer_name = "Zweirad Direkt Versicherung AG"
    description = {"de": "Fahrräder und E-Bikes.", "en": "Bicycles and e-bikes."}
    countries = ("DE",)
    object_kinds = (ObjectKind("fahrrad", "object_type", ("ebike", "bike")),)
    credential_fields = (
        Field("username", "text", {"de": "Benutzername", "en": "User name"}, required=True),
        Field("password", "text", {"de": "Passwort", "en": "Password"}, required=True, secret=True),
        Field(
            "broker_id",
            "text",
            {"de": "Maklerkennung", "en": "Broker id"},
            pattern=r"MK\d{3}",
            pattern_message={"de": "Bitte im Format MK123.", "en": "Please as MK123."},
        ),
    )
    steps = (
        Step(
            "object",
            {"de": "Objekt", "en": "Object"},
            fields=(Field("price", "decimal", {"de": "Preis", "en": "Price"}, required=True),),
        ),
    )
    default_base_url = "http://127.0.0.1:9"
    agent_number_pattern = r"ZW-\d{4}"
    agent_number_help = {"de": "Format: ZW-1234.", "en": "Format: ZW-1234."}

    async def quote(self, ctx: CallContext, application: Application) -> Quote:
        return Quote("Basis", Decimal("9.90"), "monthly")

    async def submit(self, ctx: CallContext, application: Application) -> Submission:
        raise NotImplementedError

    async def finalize(self, ctx: CallContext, application: Application) -> Policy:
        raise NotImplementedError

    async def fetch_document(
        self, ctx: CallContext, policy: Policy, document: DocumentRef
    ) -> Paper:
        raise NotImplementedError


@pytest.fixture
def installed_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoWheelPlugin]:
    """The test plug-in installed beside the ones the entry points name (radschutz)."""
    plugin = TwoWheelPlugin()
    found = {**insurer_plugins.installed(), plugin.key: plugin}
    monkeypatch.setattr(insurer_plugins, "installed", lambda: dict(sorted(found.items())))
    yield plugin
