"""Building blocks for the broker's tender tests: a commercial case with a risk, an engaged
backoffice, the start form as a browser sends it, and the backoffice writing first."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, CaseOffer, Tender
from tenant_app.services import case_risks, tender_access, tender_messages
from tenant_app.services.tickets import Context
from tests.case_helpers import actor, in_tenant, open_case
from tests.conftest import make_customer
from tests.folder_helpers import PDF_BYTES
from tests.tender_helpers import backoffice_actor, backoffice_login, engage, make_backoffice

ANSWERS = {
    "answers.desired_deductible": "1.000",
    "answers.prior_claims": "2",
    "answers.prior_claims_details": "2022: 3.400 €; 2024: 1.150 €",
    "answers.desired_sum_insured": "2.000.000,00",
    "answers.business_activity": "Schreinerei mit Ausstellungsraum",
    "answers.annual_turnover": "1.250.000",
    "answers.employees": "12",
}
FREE_TEXT = "Werkstatt mit Absauganlage, Lager getrennt."


async def broker_world(tenant: Any, passwords: Any, client_for: Any) -> SimpleNamespace:
    """Kai's commercial case with his workshop as its risk, a backoffice Alpha engages, and
    Alpha's admin logged in."""
    kai = await make_customer(tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        await Contact.filter(id=kai.id).update(
            street="Ring 1", postal_code="50667", city="Köln", phone="0221 123"
        )
    case = await open_case(tenant, kai, title="Gewerbe Schreinerei", lines=("gewerbe",))
    async with in_tenant(tenant):
        risk = await case_risks.add_risk(
            await actor("alpha-admin"),
            case,
            values={"product_line": "gewerbe", "label": "Schreinerei Kunde"},
            attributes={"trade": "Schreinerei", "employees": "12"},
        )
    backoffice = await make_backoffice()
    await engage(tenant, backoffice)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    return SimpleNamespace(kai=kai, case=case, risk=risk, backoffice=backoffice, admin=admin)


def start_data(world: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    return {
        "product_line": "gewerbe",
        "backoffice": str(world.backoffice.id),
        "free_text": FREE_TEXT,
        "share": ["email", "address"],
        "reason": "",
        **ANSWERS,
        **changes,
    }


def pdf(name: str = "betriebsbeschreibung.pdf") -> tuple[str, bytes, str]:
    return (name, PDF_BYTES, "application/pdf")


async def start(client: Any, world: SimpleNamespace, files: Any = None, **changes: Any) -> Any:
    """POST the start form as the browser sends it after loading it."""
    case_id = world.case.id
    return await client.submit(
        f"/staff/cases/{case_id}/tenders",
        start_data(world, **changes),
        form_page=f"/staff/cases/{case_id}/tenders/new",
        files=files if files is not None else [("file", pdf())],
    )


async def calculated_offer(tenant: Any, case: Any, line: str = "gewerbe") -> CaseOffer:
    with tenant_scope(tenant.tenant.id):
        return await CaseOffer.create(
            case_id=case.id,
            product_line=line,
            source="interface",
            insurer_name="Rechner Versicherung",
            premium=Decimal("1234.56"),
            payment_frequency="yearly",
        )


async def backoffice_writes(
    app: Any, settings: Any, passwords: Any, tender_id: int, body: str
) -> None:
    """The backoffice's first message opens the module (as its own pages would post it)."""
    row = await Tender.unscoped.get(id=tender_id)
    login = await backoffice_login(passwords, await Backoffice.get(id=row.backoffice_id))
    person = await backoffice_actor(login)
    ctx = Context(settings, app.state.storage)
    async with tender_access.backoffice_tender(person, tender_id, action="wrote") as tender:
        await tender_messages.post(ctx, person, tender, body=body)


def stored_files(settings: Any, tenant: Any) -> list[Path]:
    folder = Path(settings.storage_dir) / str(tenant.tenant.id)
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
