"""Names the backoffice's pages show: a tender's status and the queue's tabs (msgids,
translated when read)."""

from __future__ import annotations

from tenant_app.schemas.product_lines import line_label
from tenant_app.text.labels import N_, Labels

TENDER_STATUSES = Labels(
    {
        "new": N_("New"),
        "open": N_("In progress"),
        "question": N_("Waiting for the broker"),
        "offered": N_("Offers released"),
        "chosen": N_("Offer chosen"),
        "withdrawn": N_("Withdrawn"),
    }
)
# The queue's tabs in their order (services/backoffice_queue.py says what each holds).
QUEUE_FILTERS = Labels(
    {
        "new": N_("New"),
        "mine": N_("Mine"),
        "waiting": N_("Waiting for broker"),
        "overdue": N_("Overdue"),
        "open": N_("All"),
        "closed": N_("Closed"),
    }
)
# The status chip's colour class per status (static/css: chip--...).
STATUS_CHIPS = {
    "new": "chip--offer",
    "open": "chip--active",
    "question": "chip--start",
    "offered": "chip--active",
    "chosen": "chip--neutral",
    "withdrawn": "chip--ended",
}

__all__ = ["QUEUE_FILTERS", "STATUS_CHIPS", "TENDER_STATUSES", "line_label"]
