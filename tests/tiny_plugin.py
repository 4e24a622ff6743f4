"""A second, tiny insurer plug-in that lives only in the tests: another product line (motor
vehicles), other steps and credentials, and no HTTP at all (its tariff is computed in place,
its papers are made here). Installed through an entry point of a distribution the tests put
on the path (tests/plugin_install.py), it proves the core holds nothing of the reference
plug-in: whatever a plug-in declares, the core asks, checks, files and finalizes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fpdf import FPDF

from tenant_app.plugins import (
    Application,
    CallContext,
    DocumentRef,
    Field,
    InsurerAuthFailed,
    InsurerPlugin,
    InsurerRejected,
    ObjectKind,
    Paper,
    Policy,
    Quote,
    Step,
    Submission,
)

API_KEY = "tiny-key-0815-geheim"


def _pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class TinyPlugin(InsurerPlugin):
    key = "tiny"
    insurer_name = "Kleinwagen Direkt Versicherung AG"
    description = {"de": "Kfz-Kurztarif ohne Schnittstelle", "en": "Short motor tariff"}
    object_kinds = (ObjectKind("kfz"),)
    credential_fields = (Field("api_key", "text", {"de": "API-Schlüssel"}, True, secret=True),)
    agent_number_pattern = r"\d{6}"
    steps = (
        Step(
            "driver",
            {"de": "Fahrer", "en": "Driver"},
            fields=(
                Field("young_driver", "bool", {"de": "Fahrer unter 25", "en": "Driver under 25"}),
                Field(
                    "mileage",
                    "int",
                    {"de": "Kilometer im Jahr", "en": "Kilometres a year"},
                    True,
                    minimum=Decimal(1000),
                    maximum=Decimal(50000),
                    prefill="object.annual_mileage",
                ),
            ),
        ),
        Step("check", {"de": "Prüfen", "en": "Check"}, kind="review"),
    )

    def _premium(self, application: Application) -> Decimal:
        base = Decimal("30.00") + Decimal(application.answers["mileage"]) / Decimal(1000)
        return base * 2 if application.answers.get("young_driver") else base

    def _checked(self, ctx: CallContext) -> None:
        if ctx.credentials.get("api_key") != API_KEY:
            raise InsurerAuthFailed("wrong key")

    async def quote(self, ctx: CallContext, application: Application) -> Quote:
        self._checked(ctx)
        return Quote("Kleinwagen Basis", self._premium(application), "monthly", ("Haftpflicht",))

    async def submit(self, ctx: CallContext, application: Application) -> Submission:
        self._checked(ctx)
        if application.answers["mileage"] > 40000:
            raise InsurerRejected({"mileage": "Über 40.000 km versichern wir nicht."})
        name = f"{application.contact['first_name']} {application.contact['last_name']}"
        paper = Paper("Antrag Kleinwagen", "antrag.pdf", _pdf("Antrag Kleinwagen", name))
        return Submission(
            f"KW-{application.idempotency_key[:8]}", self._premium(application), "monthly", paper
        )

    async def finalize(self, ctx: CallContext, application: Application) -> Policy:
        self._checked(ctx)
        return Policy(
            f"KWP-{application.external_id}",
            date.today(),
            self._premium(application),
            "monthly",
            documents=(DocumentRef("schein", "Versicherungsschein Kleinwagen"),),
        )

    async def fetch_document(
        self, ctx: CallContext, policy: Policy, document: DocumentRef
    ) -> Paper:
        self._checked(ctx)
        return Paper(document.title, "schein.pdf", _pdf(document.title, policy.policy_number))


plugin = TinyPlugin()
not_a_plugin = object()  # an entry point naming this is left out, not fatal
