"""Claims (Schäden) as the customer reports them and as staff move them on, with the names
the pages give their kinds and statuses."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most, fail, one_of
from tenant_app.schemas.cases import StaffId
from tenant_app.schemas.rules import parse_date
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_, Labels
from tenant_app.vocabulary import CLAIM_KINDS, CLAIM_STATUSES

DESCRIPTION_MAX = 5_000  # characters
LOCATION_MAX = 200  # characters, as the column
NOTE_MAX = 5_000  # characters of the broker's note to the customer
EARLIEST_LOSS = date(1990, 1, 1)

KIND_LABELS = Labels(
    {
        "vehicle": N_("Vehicle"),
        "household": N_("Household contents"),
        "building": N_("Building"),
        "liability": N_("Liability"),
        "legal": N_("Legal"),
        "health": N_("Health or accident"),
        "travel": N_("Travel"),
        "other": N_("Other"),
    }
)
STATUS_LABELS = Labels(
    {
        "reported": N_("Reported"),
        "in_progress": N_("In progress"),
        "at_insurer": N_("With the insurer"),
        "settled": N_("Settled"),
        "rejected": N_("Rejected"),
        "closed": N_("Closed"),
    }
)


def _loss_date(value: object) -> date:
    raw = str(value or "").strip()
    if not raw:
        raise fail(addressed("Please enter the date of the loss."))
    found = parse_date(raw)
    if found is None:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    if found > local_today():  # a loss at 00:30 in Berlin is not in the future
        raise fail(_("The date of the loss cannot be in the future."))
    if found < EARLIEST_LOSS:
        raise fail(_("Please check the year."))
    return found


def _description(value: object) -> str:
    text = str(value or "").strip()
    if not text:
        raise fail(addressed("Please describe what happened."))
    return text


def _contract_id(value: object) -> int | None:
    """The contract the claim is about, or None; the service checks the customer sees it."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) < 2**31:
        return int(text)
    raise fail(addressed("Please choose one of your contracts."))


LossDate = Annotated[date, BeforeValidator(_loss_date)]
Description = Annotated[str, BeforeValidator(_description), at_most(DESCRIPTION_MAX)]
ContractId = Annotated[int | None, BeforeValidator(_contract_id)]
Kind = Annotated[str, one_of(CLAIM_KINDS, lambda: addressed("Please choose what happened."))]
Status = Annotated[str, one_of(CLAIM_STATUSES, lambda: _("Please choose a status."))]


class _ClaimForm(FormInput):
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class ClaimInput(_ClaimForm):
    """What the customer reports (the photos and documents come beside it)."""

    contract_id: ContractId = None
    loss_date: LossDate = date.min
    kind: Kind = ""
    description: Description = ""
    location: Annotated[Text, at_most(LOCATION_MAX)] = ""


class ClaimUpdateInput(_ClaimForm):
    """Staff's form on a claim: its status, the note the customer reads, who handles it."""

    status: Status = ""
    note_to_customer: Annotated[Text, at_most(NOTE_MAX)] = ""
    responsible: StaffId = None


CLAIM_FIELDS = tuple(ClaimInput.model_fields)
UPDATE_FIELDS = tuple(ClaimUpdateInput.model_fields)
