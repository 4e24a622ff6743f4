"""The demo's legal duties: a complete broker profile is in demo/home.py; here what the
retention, the data-protection requests, consents, the AVV and the advice documentation
show in the demo."""

from __future__ import annotations

from tenant_app.demo.advice import add_demo_advice
from tenant_app.demo.consents import add_demo_consents_and_dpa
from tenant_app.demo.data_requests import add_demo_data_requests
from tenant_app.demo.retention import add_demo_retention
from tenant_app.files.storage import Storage


async def add_demo_legal(tenant_id: int, store: Storage) -> None:
    """In the demo tenant's scope."""
    await add_demo_advice(store)
    await add_demo_consents_and_dpa()
    await add_demo_data_requests()
    await add_demo_retention()
