"""ORM models, one module per aggregate."""
# Model docstrings become SQL table comments: never put a semicolon in one (Tortoise splits on it).

from __future__ import annotations

MODEL_MODULES = [
    "tenant_app.models.tenancy",
    "tenant_app.models.accounts",
    "tenant_app.models.contacts",
    "tenant_app.models.branding",
    "tenant_app.models.folders",
    "tenant_app.models.conversations",
    "tenant_app.models.mail",
    "tenant_app.models.security",
    "tenant_app.models.factors",
    "tenant_app.models.households",
    "tenant_app.models.activity",
    "tenant_app.models.integration",
    "tenant_app.models.cases",
    "tenant_app.models.engagement",
    "tenant_app.models.claims",
    "tenant_app.models.leads",
    "tenant_app.models.push",
    "tenant_app.models.tenders",
    "tenant_app.models.interfaces",
    "tenant_app.models.legal",
    "tenant_app.models.operations",
]
