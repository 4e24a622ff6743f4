"""The demo's advice cases: Dana's car insurance change, open with her car as its risk, and a
completed household check that kept the contract; made through the use cases."""

from __future__ import annotations

from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant


async def test_dana_has_an_open_and_a_completed_case(passwords, settings) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        dana = await User.get(username="dana")
        mia = await User.get(username="mia")
        change, check = await AdviceCase.filter(contact_id=dana.contact_id).order_by("id")
        [car] = await CaseRisk.filter(case_id=change.id)
        kinds = await Event.filter(object_type="case", object_id=change.id).values_list(
            "kind", flat=True
        )
        kept = await check.chosen_contract
    assert (change.title, change.status, change.responsible_id) == (
        "Kfz-Wechsel",
        "in_progress",
        mia.id,
    )
    assert change.external_id == "MVP-2026-0815"
    assert car.product_line == "kfz" and car.attributes["annual_mileage"] == 15000
    assert car.attributes["first_registration"] == "2021-03-15"
    assert list(kinds) == ["case_opened", "case_edited", "case_edited"]  # opened, car, status
    assert check.status == "completed" and check.completed_at is not None
    assert kept is not None and kept.product_line == "Hausrat"
