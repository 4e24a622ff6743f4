"""How pages name an insured object's state and its applications' statuses, and the chip each
shows with (the staff's contact page, the object's page)."""

from __future__ import annotations

from tenant_app.text.labels import N_, Labels

INSURANCE_STATES = Labels(  # vocabulary.INSURANCE_STATES
    {
        "open": N_("Open"),
        "insured": N_("Insured"),
        "declined": N_("Not insured"),
    }
)
STATE_CHIPS = {"open": "start", "insured": "active", "declined": "neutral"}
APPLICATION_STATUSES = Labels(  # vocabulary.APPLICATION_STATUSES
    {
        "draft": N_("Draft"),
        "submitted": N_("Submitted"),
        "signed": N_("Signed"),
        "finalized": N_("Finalized"),
        "cancelled": N_("Called off"),
    }
)
APPLICATION_CHIPS = {
    "draft": "neutral",
    "submitted": "offer",
    "signed": "start",
    "finalized": "active",
    "cancelled": "cancelled",
}
