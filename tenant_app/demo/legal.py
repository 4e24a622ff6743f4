"""The demo's legal duties: a complete broker profile is in demo/home.py; here what the
retention, the data-protection requests, consents, the AVV and the advice documentation
show in the demo."""

from __future__ import annotations


async def add_demo_legal(tenant_id: int) -> None:
    """In the demo tenant's scope."""
